import { paletteMse, psnrFromMse } from './metrics.js';
import { nativeKernels } from './native.js';
import { NearestSearch, UNWEIGHTED } from './nearest.js';
import type { PixelImage, QuantizeResult } from './types.js';

/**
 * Floyd–Steinberg error diffusion onto a quantized image's palette: each
 * pixel takes the palette entry nearest to its colour plus the error carried
 * from the pixels before it (7/16 right, 3/16, 5/16, 1/16 on the next row),
 * scanning in serpentine order (left to right, then right to left) so that
 * the error does not drift to one side. The palette is unchanged; only the
 * indices, the MSE and the PSNR are new. Pure and deterministic: no random
 * numbers, so the same image and palette give the same indices everywhere.
 *
 * The nearest entry is under `metric` (nearest.ts; plain RGBA by default).
 *
 * Fully transparent pixels keep the palette's transparent entry (when it has
 * one) and carry no error; alpha itself is not diffused. The error a pixel
 * receives is capped at ±`maxError` levels per channel, so that a flat area
 * next to a hard edge does not ring. Some palette entries may end up unused.
 */
export function ditherQuantized(
  image: PixelImage,
  result: QuantizeResult,
  maxError = 64,
  metric: Float64Array = UNWEIGHTED,
): QuantizeResult {
  const { width, height, channels, data } = image;
  const { palette, colors } = result;
  const native = nativeKernels();
  if (native !== undefined) {
    // the same diffusion in C (native/dither.c), float32 error rows and all
    const indices = new Uint8Array(width * height);
    native.dither(data, width, height, channels, palette, colors, maxError, indices, metric);
    const mse = paletteMse(image, palette, indices);
    return { ...result, indices, mse, psnr: psnrFromMse(mse) };
  }
  const centres = new Float64Array(colors * 4);
  let transparent = -1;
  for (let j = 0; j < colors * 4; j++) centres[j] = palette[j];
  for (let j = 0; j < colors; j++) if (palette[j * 4 + 3] === 0 && transparent < 0) transparent = j;
  const search = new NearestSearch(centres, colors, metric);
  const indices = new Uint8Array(width * height);
  // error rows, 3 channels, one pixel of margin on each side
  let here = new Float32Array((width + 2) * 3);
  let next = new Float32Array((width + 2) * 3);
  const clamp = (v: number) => Math.min(maxError, Math.max(-maxError, v));
  const level = (v: number) => Math.min(255, Math.max(0, v));
  for (let y = 0; y < height; y++) {
    const forward = (y & 1) === 0;
    const step = forward ? 1 : -1;
    next.fill(0);
    for (let i = 0; i < width; i++) {
      const x = forward ? i : width - 1 - i;
      const p = y * width + x;
      const o = p * channels;
      const a = channels === 4 ? (data[o + 3] as number) : 255;
      if (a === 0 && transparent >= 0) {
        indices[p] = transparent;
        continue;
      }
      const e = (x + 1) * 3;
      const r = level((data[o] as number) + clamp(here[e] as number));
      const g = level((data[o + 1] as number) + clamp(here[e + 1] as number));
      const b = level((data[o + 2] as number) + clamp(here[e + 2] as number));
      const j = search.nearest(r, g, b, a);
      indices[p] = j;
      const er = r - (palette[j * 4] as number);
      const eg = g - (palette[j * 4 + 1] as number);
      const eb = b - (palette[j * 4 + 2] as number);
      const ahead = e + step * 3;
      const behind = e - step * 3;
      here[ahead] = (here[ahead] as number) + (er * 7) / 16;
      here[ahead + 1] = (here[ahead + 1] as number) + (eg * 7) / 16;
      here[ahead + 2] = (here[ahead + 2] as number) + (eb * 7) / 16;
      next[behind] = (next[behind] as number) + (er * 3) / 16;
      next[behind + 1] = (next[behind + 1] as number) + (eg * 3) / 16;
      next[behind + 2] = (next[behind + 2] as number) + (eb * 3) / 16;
      next[e] = (next[e] as number) + (er * 5) / 16;
      next[e + 1] = (next[e + 1] as number) + (eg * 5) / 16;
      next[e + 2] = (next[e + 2] as number) + (eb * 5) / 16;
      next[ahead] = (next[ahead] as number) + er / 16;
      next[ahead + 1] = (next[ahead + 1] as number) + eg / 16;
      next[ahead + 2] = (next[ahead + 2] as number) + eb / 16;
    }
    [here, next] = [next, here];
  }
  const mse = paletteMse(image, palette, indices);
  return { ...result, indices, mse, psnr: psnrFromMse(mse) };
}
