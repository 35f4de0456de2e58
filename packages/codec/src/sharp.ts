/**
 * sharp, loaded through `require` (its CommonJS build) rather than `import`. Imported as ESM,
 * sharp 0.35 loads its `.mjs` files, and Node lexes the CommonJS packages they import
 * (semver, detect-libc, @img/colour's 45 kB) for named exports: about 60 ms more CPU in every
 * thread that loads it (6 worker threads, 0.70-0.78 s against 0.36-0.39 s), and each pool
 * thread and the finalize load it. The same module either way; only the loading differs.
 */
import { createRequire } from 'node:module';
import type sharpModule from 'sharp';

export const sharp: typeof sharpModule = createRequire(import.meta.url)('sharp');
