import { nativeKernels } from './native.js';

/**
 * Image error metrics. Buffers are interleaved 8-bit pixels with `channels` values each.
 *
 * With 4 channels, a pixel that is fully transparent (alpha 0) in BOTH images counts only its
 * alpha error (zero): the colour of an invisible pixel does not matter, and the quantizer stores
 * every such pixel as the single entry (0,0,0,0).
 */

function check(a: ArrayLike<number>, b: ArrayLike<number>, channels: number): void {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`channels must be a positive integer, got ${channels}`);
  }
  if (a.length !== b.length) {
    throw new RangeError(`buffers must have the same length, got ${a.length} and ${b.length}`);
  }
  if (a.length % channels !== 0) {
    throw new RangeError(`buffer length ${a.length} is not a multiple of channels ${channels}`);
  }
}

/** Sum of squared differences (see the module note on transparent pixels). */
export function sse(a: ArrayLike<number>, b: ArrayLike<number>, channels: number): number {
  check(a, b, channels);
  let sum = 0;
  const n = a.length;
  if (channels === 4) {
    for (let o = 0; o < n; o += 4) {
      const da = a[o + 3] - b[o + 3];
      if (a[o + 3] === 0 && b[o + 3] === 0) continue;
      const dr = a[o] - b[o];
      const dg = a[o + 1] - b[o + 1];
      const db = a[o + 2] - b[o + 2];
      sum += dr * dr + dg * dg + db * db + da * da;
    }
    return sum;
  }
  for (let o = 0; o < n; o++) {
    const d = a[o] - b[o];
    sum += d * d;
  }
  return sum;
}

/** Mean squared error per channel value; 0 for empty buffers. */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>, channels: number): number {
  const s = sse(a, b, channels);
  return a.length === 0 ? 0 : s / a.length;
}

/** PSNR in dB for 8-bit data from a mean squared error: 10*log10(255^2/mse), Infinity at 0. */
export function psnrFromMse(meanSquaredError: number): number {
  if (!(meanSquaredError >= 0)) {
    throw new RangeError(`mse must be a number >= 0, got ${meanSquaredError}`);
  }
  return meanSquaredError === 0
    ? Number.POSITIVE_INFINITY
    : 10 * Math.log10((255 * 255) / meanSquaredError);
}

/** Mean squared error that reaches a PSNR in dB. */
export function mseForPsnr(psnrDb: number): number {
  return (255 * 255) / 10 ** (psnrDb / 10);
}

/** PSNR in dB between two buffers: 10*log10(255^2/mse), Infinity for identical ones. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, channels: number): number {
  return psnrFromMse(mse(a, b, channels));
}

/**
 * Mean squared error of a palette image against its source over the channels that matter: RGB,
 * or RGBA (with the transparent-pixel rule above) when the source has any alpha < 255.
 * This is the `mse` that quantize() reports.
 */
export function paletteMse(
  image: { data: ArrayLike<number>; width: number; height: number; channels: 3 | 4 },
  palette: Uint8Array,
  indices: Uint8Array,
): number {
  const { data, channels } = image;
  const pixels = image.width * image.height;
  if (indices.length !== pixels) {
    throw new RangeError(`indices length must be width*height = ${pixels}, got ${indices.length}`);
  }
  const native = nativeKernels();
  if (
    native !== undefined &&
    (data instanceof Uint8Array || data instanceof Uint8ClampedArray) &&
    data.length === pixels * channels
  ) {
    // the same integer sums in C (native/palette_tables.c); -1: an index past the palette
    const m = native.paletteMse(data, channels, palette, indices);
    if (m >= 0) return m;
  }
  let translucent = false;
  if (channels === 4) {
    for (let o = 3; o < data.length; o += 4) {
      if (data[o] !== 255) {
        translucent = true;
        break;
      }
    }
  }
  let sum = 0;
  for (let p = 0, o = 0; p < pixels; p++, o += channels) {
    const e = indices[p] * 4;
    if (translucent) {
      const a = data[o + 3];
      const pa = palette[e + 3];
      if (a === 0 && pa === 0) continue;
      sum += (a - pa) * (a - pa);
    }
    const dr = data[o] - palette[e];
    const dg = data[o + 1] - palette[e + 1];
    const db = data[o + 2] - palette[e + 2];
    sum += dr * dr + dg * dg + db * db;
  }
  return pixels === 0 ? 0 : sum / (pixels * (translucent ? 4 : 3));
}
