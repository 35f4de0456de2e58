/**
 * Runs in a pool thread (piscina): decode, k-means and encode for one image,
 * off the worker's event loop. Bad images come back as a `CompressTaskRefused`
 * value; anything else (a bug, out of memory) rejects.
 */
import { CodecError, compressImage, isKeepOriginal } from '@kpress/codec';
import sharp from 'sharp';
import { compressDeep, readSourceHeader } from './deep.js';
import type { CompressTask, CompressTaskResult } from './task-types.js';
import { pngIsSmaller } from './verdict.js';

// One libvips thread per pool thread: the pool already runs one image per core.
sharp.concurrency(Number(process.env.KPRESS_SHARP_CONCURRENCY ?? 1));

export default async function compressTask(task: CompressTask): Promise<CompressTaskResult> {
  const started = performance.now();
  const input = Buffer.from(task.source.buffer, task.source.byteOffset, task.source.byteLength);
  try {
    const source = await readSourceHeader(input, task.maxPixels);
    if (source.high) return await compressDeep(input, task, source, started);
    const r = await compressImage(input, {
      ...task.options,
      maxPixels: task.maxPixels,
      ...(task.provenance === undefined ? {} : { provenance: task.provenance }),
    });
    const png = new Uint8Array(r.png.buffer, r.png.byteOffset, r.png.byteLength);
    // The PNG is small (compressed): it is copied back, not transferred.
    return {
      ok: true,
      png,
      width: r.width,
      height: r.height,
      colors: r.colors,
      psnr: r.psnr,
      ssimulacra2: r.ssimulacra2,
      bitDepth: source.bitDepth,
      hasAlpha: r.hasAlpha,
      format: r.format,
      timings: r.timings,
      codecMs: performance.now() - started,
      // the original will be kept: its bytes go back (the caller's copy was transferred here)
      ...(pngIsSmaller(r.png.byteLength, input.byteLength) ? {} : { source: task.source }),
    };
  } catch (err) {
    if (err instanceof CodecError) {
      return {
        ok: false,
        code: err.code,
        message: err.message,
        keepOriginal: isKeepOriginal(err),
        codecMs: performance.now() - started,
        ...(isKeepOriginal(err) ? { source: task.source } : {}),
      };
    }
    throw err;
  }
}
