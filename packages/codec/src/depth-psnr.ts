/**
 * PSNR of an 8-bit result against the full-depth source, so that the loss of
 * depth is counted (issue 26: a 16-bit source measured against its own 8-bit
 * copy hides it). The reference is `decodeFullDepth(input, { view: 'srgb' })`:
 * the same oriented sRGB pixels `decode` sees, at 16 bits. Each reference
 * sample is taken at full precision on the 8-bit scale (`v / 257`), so the dB
 * compare with core's 8-bit PSNR: 10·log10(255² / MSE). As in core's metrics,
 * with 4 channels a pixel transparent in both counts only its alpha error.
 * An 8-bit result with 3 channels has alpha 255 where the reference has 4.
 * Pure.
 */
import { psnrFromMse } from '@kpress/core';
import type { FullDepthImage } from './full-depth.js';
import type { PaletteImage } from './png.js';

type Reference = Pick<FullDepthImage, 'data' | 'width' | 'height' | 'channels'>;

/** Writes the 8-bit RGBA of pixel `p` into `out`. */
type PixelAt = (p: number, out: Uint8Array) => void;

function checkReference(ref: Reference, width: number, height: number): void {
  if (ref.channels !== 3 && ref.channels !== 4) {
    throw new RangeError(
      `reference must be sRGB with 3 or 4 channels (decodeFullDepth view 'srgb'), got ${ref.channels}`,
    );
  }
  if (ref.width !== width || ref.height !== height) {
    throw new RangeError(
      `result is ${width}x${height}, the reference ${ref.width}x${ref.height}: not the same image`,
    );
  }
}

function depthMse(ref: Reference, at: PixelAt): number {
  const n = ref.width * ref.height;
  const c = ref.channels;
  const d = ref.data;
  const px = new Uint8Array(4);
  let sum = 0;
  for (let p = 0, o = 0; p < n; p++, o += c) {
    at(p, px);
    if (c === 4) {
      const da = (d[o + 3] as number) / 257 - (px[3] as number);
      sum += da * da;
      if (d[o + 3] === 0 && px[3] === 0) continue;
    }
    for (let k = 0; k < 3; k++) {
      const e = (d[o + k] as number) / 257 - (px[k] as number);
      sum += e * e;
    }
  }
  return n === 0 ? 0 : sum / (n * c);
}

/** PSNR (dB) of a palette image (a quantization result) against the full-depth reference. */
export function palettePsnrAgainstFullDepth(
  reference: Reference,
  result: Pick<PaletteImage, 'width' | 'height' | 'palette' | 'indices' | 'colors'>,
): number {
  checkReference(reference, result.width, result.height);
  const { palette, indices } = result;
  return psnrFromMse(
    depthMse(reference, (p, out) => {
      const e = (indices[p] as number) * 4;
      out[0] = palette[e] as number;
      out[1] = palette[e + 1] as number;
      out[2] = palette[e + 2] as number;
      out[3] = palette[e + 3] as number;
    }),
  );
}

/** PSNR (dB) of interleaved 8-bit RGB or RGBA pixels (a decoded output) against the full-depth reference. */
export function pixelsPsnrAgainstFullDepth(
  reference: Reference,
  result: { data: ArrayLike<number>; width: number; height: number; channels: 3 | 4 },
): number {
  checkReference(reference, result.width, result.height);
  const { data, channels } = result;
  if (data.length !== result.width * result.height * channels) {
    throw new RangeError(
      `result data must hold width x height x channels = ${result.width * result.height * channels} bytes, got ${data.length}`,
    );
  }
  return psnrFromMse(
    depthMse(reference, (p, out) => {
      const o = p * channels;
      out[0] = data[o] as number;
      out[1] = data[o + 1] as number;
      out[2] = data[o + 2] as number;
      out[3] = channels === 4 ? (data[o + 3] as number) : 255;
    }),
  );
}
