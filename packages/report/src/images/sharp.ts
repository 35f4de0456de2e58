/**
 * sharp through `require`, its CommonJS build: about 60 ms less CPU to load than `import`
 * (see @kpress/codec's sharp.ts, which says why). The finalize loads it for the crops.
 */
import { createRequire } from 'node:module';
import type sharpModule from 'sharp';

export const sharp: typeof sharpModule = createRequire(import.meta.url)('sharp');
