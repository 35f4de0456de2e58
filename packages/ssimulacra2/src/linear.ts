/**
 * sRGB-encoded samples to planes of linear RGB, as the reference tool gets them.
 *
 * libjxl reads a sample as float32 `v * (1 / max)`, blends translucent pixels over a grey
 * background `bg` in that encoded space (`a * v + (1 - a) * bg`, float32), and only then
 * applies the sRGB transfer function: its CMS takes the sRGB -> linear shortcut, libjxl's
 * rational approximation of the curve in float32 (TF_SRGB::DisplayFromEncoded). All of it is
 * reproduced here, rounding for rounding: SSIM' of flat areas is sensitive to the last bit.
 */
import { nativeKernels } from './native.js';
import type { PaletteScoreImage, ScoreImage } from './types.js';

const fr = Math.fround;

// libjxl's rational approximation of the sRGB curve above the linear segment (float32)
const P = [2.200248328e-4, 1.043637593e-2, 1.624820318e-1, 7.961564959e-1, 8.210152774e-1].map(fr);
const Q = [2.63184697e-1, 1.076976492, 4.98752835e-1, -5.512498495e-2, 6.521209011e-3].map(fr);
const THRESHOLD = fr(0.04045);
const LOW_SLOPE = fr(1 / fr(12.92));

/**
 * The sRGB transfer function, encoded 0..1 to linear, as libjxl computes it in float32 (its
 * fused multiply-adds are exact in double before their one rounding).
 */
export function srgbToLinear(v: number): number {
  const x = fr(Math.abs(v));
  if (!(x > THRESHOLD)) return fr(x * LOW_SLOPE) * Math.sign(v || 1);
  let p = P[4];
  let q = Q[4];
  for (let i = 3; i >= 0; i--) {
    p = fr(p * x + P[i]);
    q = fr(q * x + Q[i]);
  }
  return fr(p / q) * Math.sign(v || 1);
}

const tables = new Map<number, Float32Array>();

/** Linear value of every code of a `max`-level depth (255 or 65535), built once. */
function linearTable(max: number): Float32Array {
  let table = tables.get(max);
  if (!table) {
    const scale = fr(1 / max);
    table = new Float32Array(max + 1);
    for (let i = 0; i <= max; i++) table[i] = srgbToLinear(fr(i * scale));
    tables.set(max, table);
  }
  return table;
}

/** The largest sample value of the image's depth: 255 or 65535. */
export function maxSample(image: ScoreImage): number {
  return image.data instanceof Uint16Array ? 65535 : 255;
}

/** Whether the image has an alpha channel (2 or 4 channels), as the reference's HasAlpha(). */
export function hasAlphaChannel(image: ScoreImage): boolean {
  return image.channels === 2 || image.channels === 4;
}

/** Whether any pixel is translucent: only then does the background change the pixels. */
export function hasTranslucency(image: ScoreImage): boolean {
  if (!hasAlphaChannel(image)) return false;
  const { data, channels } = image;
  const max = maxSample(image);
  for (let i = channels - 1; i < data.length; i += channels) if (data[i] !== max) return true;
  return false;
}

/** One translucent sample blended over `bg`, as libjxl does it (float32, no fused ops). */
function blend(sample: number, alpha: number, scale: number, bg: number): number {
  return srgbToLinear(fr(fr(alpha * fr(sample * scale)) + fr(fr(1 - alpha) * bg)));
}

/**
 * Writes the image's linear R, G and B into the first width*height values of `r`, `g`, `b`.
 * Translucent pixels are blended over `bg` (0..1, encoded) first; `bg` is ignored when the
 * image has no alpha channel. Grey is R = G = B.
 */
export function toLinearPlanes(
  image: ScoreImage,
  bg: number,
  r: Float32Array,
  g: Float32Array,
  b: Float32Array,
): void {
  const { data, channels } = image;
  const max = maxSample(image);
  const table = linearTable(max);
  const scale = fr(1 / max);
  const background = fr(bg);
  const colours = channels >= 3 ? 3 : 1;
  const green = colours >> 1;
  const blue = colours - 1;
  const alpha = hasAlphaChannel(image);
  const pixels = image.width * image.height;
  let start = 0;
  const native = nativeKernels();
  if (native !== undefined && max === 255 && (channels === 3 || channels === 4)) {
    // the same table lookups in C, up to the first translucent pixel (native/addon.c)
    start = native.linear8(data as Uint8Array, channels, table, r, g, b);
    if (start < 0) return;
  }
  for (let i = start, o = start * channels; i < pixels; i++, o += channels) {
    const a = alpha ? data[o + colours] : max;
    if (a === max) {
      r[i] = table[data[o]];
      g[i] = table[data[o + green]];
      b[i] = table[data[o + blue]];
    } else {
      const t = fr(a * scale);
      r[i] = blend(data[o], t, scale, background);
      g[i] = blend(data[o + green], t, scale, background);
      b[i] = blend(data[o + blue], t, scale, background);
    }
  }
}

/**
 * toLinearPlanes of a palette image: every entry converted once (as a one-row image of the
 * entries, so by the same arithmetic as its pixels), then each pixel takes its entry's values.
 * Bit for bit the planes of the expanded image. Indices are checked against the palette.
 */
export function paletteToLinearPlanes(
  image: PaletteScoreImage,
  bg: number,
  r: Float32Array,
  g: Float32Array,
  b: Float32Array,
): void {
  const { palette, indices, channels } = image;
  const colours = palette.length >> 2;
  const row = new Uint8Array(colours * channels);
  for (let j = 0; j < colours; j++) {
    for (let c = 0; c < channels; c++) row[j * channels + c] = palette[j * 4 + c];
  }
  const lr = new Float32Array(colours);
  const lg = new Float32Array(colours);
  const lb = new Float32Array(colours);
  toLinearPlanes({ data: row, width: colours, height: 1, channels }, bg, lr, lg, lb);
  gatherEntries(indices, colours, [lr, lg, lb], [r, g, b]);
}

function pastPalette(i: number, j: number, colours: number): RangeError {
  return new RangeError(`distorted.indices[${i}] is ${j}, past the palette's ${colours} entries`);
}

/** r, g, b of each pixel from its entry's; a RangeError for an index past the palette. */
function gatherEntries(
  indices: Uint8Array,
  colours: number,
  [lr, lg, lb]: readonly [Float32Array, Float32Array, Float32Array],
  [r, g, b]: readonly [Float32Array, Float32Array, Float32Array],
): void {
  const native = nativeKernels();
  if (native !== undefined) {
    // the same copies in C (native/addon.c); it stops at an index past the palette
    const bad = native.gather(indices, lr, lg, lb, r, g, b);
    if (bad >= 0) throw pastPalette(bad, indices[bad], colours);
    return;
  }
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (j >= colours) throw pastPalette(i, j, colours);
    r[i] = lr[j];
    g[i] = lg[j];
    b[i] = lb[j];
  }
}

/** hasTranslucency of a palette image: whether some pixel's entry is translucent. */
export function paletteHasTranslucency(image: PaletteScoreImage): boolean {
  if (image.channels !== 4) return false;
  const { palette, indices } = image;
  const translucent = new Uint8Array(256);
  let any = false;
  for (let j = 0; j < palette.length >> 2; j++) {
    if (palette[j * 4 + 3] !== 255) {
      translucent[j] = 1;
      any = true;
    }
  }
  if (!any) return false;
  for (let i = 0; i < indices.length; i++) if (translucent[indices[i]] === 1) return true;
  return false;
}
