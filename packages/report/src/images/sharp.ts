/**
 * sharp, required on first use (its CommonJS build: about 60 ms less CPU to load than `import`;
 * @kpress/codec's sharp.ts says why). On first use, not when the report is imported: a local run
 * renders its page on the main thread and has its crops made in its pool threads, where sharp is
 * loaded already, so its main thread never loads sharp at all.
 */
import { createRequire } from 'node:module';
import type sharpModule from 'sharp';

let loaded: typeof sharpModule | undefined;

/** The sharp module. */
export function sharp(): typeof sharpModule {
  loaded ??= createRequire(import.meta.url)('sharp') as typeof sharpModule;
  return loaded;
}
