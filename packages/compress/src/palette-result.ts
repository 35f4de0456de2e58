import type { CompressResult } from '@kpress/codec';
import type { CompressTask, CompressTaskOk } from './task-types.js';
import { pngIsSmaller } from './verdict.js';

/**
 * A palette PNG the codec made, as the pool thread sends it back (an 8-bit
 * source, or a deep one reduced by `allow8bit`): the codec's facts, the
 * source's bit depth, and the source's bytes when the original will be kept.
 */
export function paletteResult(
  r: CompressResult,
  input: Buffer,
  task: CompressTask,
  bitDepth: number,
  started: number,
): CompressTaskOk {
  return {
    ok: true,
    // The PNG is small (compressed): it is copied back, not transferred.
    png: new Uint8Array(r.png.buffer, r.png.byteOffset, r.png.byteLength),
    width: r.width,
    height: r.height,
    colors: r.colors,
    psnr: r.psnr,
    ssimulacra2: r.ssimulacra2,
    bitDepth,
    hasAlpha: r.hasAlpha,
    format: r.format,
    timings: r.timings,
    codecMs: performance.now() - started,
    // the original will be kept: its bytes go back (the caller's copy was transferred here)
    ...(pngIsSmaller(r.png.byteLength, input.byteLength) ? {} : { source: task.source }),
  };
}
