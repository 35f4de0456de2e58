/**
 * Runs in a pool thread (piscina): decode, k-means and encode for one image,
 * off the worker's event loop. Bad images come back as a `CompressTaskRefused`
 * value; anything else (a bug, out of memory) rejects.
 */
import { CodecError, compressImage, isKeepOriginal, sharp } from '@kpress/codec';
import { compressDeep, readSourceHeader } from './deep.js';
import { paletteResult } from './palette-result.js';
import type { CompressTask, CompressTaskResult, CropTask } from './task-types.js';
import type { WorstCrop } from '@kpress/report/crop';

// One libvips thread per pool thread: the pool already runs one image per core.
sharp.concurrency(Number(process.env.KPRESS_SHARP_CONCURRENCY ?? 1));

export default async function compressTask(task: CompressTask): Promise<CompressTaskResult> {
  const started = performance.now();
  const input = asBuffer(task.source);
  let bitDepth: number | undefined;
  try {
    const source = await readSourceHeader(input, task.maxPixels);
    bitDepth = source.bitDepth;
    if (source.high) return await compressDeep(input, task, source, started);
    const r = await compressImage(input, {
      ...task.options,
      maxPixels: task.maxPixels,
      ...(task.provenance === undefined ? {} : { provenance: task.provenance }),
    });
    return paletteResult(r, input, task, source.bitDepth, started);
  } catch (err) {
    if (err instanceof CodecError) {
      return {
        ok: false,
        code: err.code,
        message: err.message,
        keepOriginal: isKeepOriginal(err),
        codecMs: performance.now() - started,
        // kept (a good image) or copied (not one kpress compresses): the bytes are written either way
        source: task.source,
        // BELOW_TARGET: the image was decoded, so the kept row has its size
        ...(err.size ?? {}),
        ...(err.code === 'BELOW_TARGET' && bitDepth !== undefined ? { bitDepth } : {}),
      };
    }
    throw err;
  }
}

/**
 * A report's worst-case crop (@kpress/report's makeWorstCrop), made here where sharp is loaded
 * already, so that a local run's main thread never loads it. The report code is imported on the
 * first crop only.
 */
export async function crop(task: CropTask): Promise<WorstCrop> {
  const { makeWorstCrop } = await import('@kpress/report/crop');
  return makeWorstCrop(asBuffer(task.source), asBuffer(task.output), task.options);
}

/** A Buffer over the same memory (what came over from the main thread). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
