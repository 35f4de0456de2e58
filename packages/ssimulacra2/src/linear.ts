/**
 * sRGB-encoded samples to planes of linear RGB, with the reference tool's alpha blend.
 *
 * The reference (libjxl's ImageBundle) holds samples as floats 0..1 (8-bit / 255), blends
 * translucent pixels over a grey background `bg` in that encoded space
 * (`a * v + (1 - a) * bg`), and only then applies the sRGB transfer function (its CMS takes the
 * sRGB -> linear shortcut, no ICC transform). Linear values here use the exact IEC 61966-2-1
 * curve; libjxl's rational approximation of it differs by about 1e-6.
 */
import type { ScoreImage } from './types.js';

/** The sRGB transfer function, encoded 0..1 to linear 0..1. */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

const tables = new Map<number, Float32Array>();

/** Linear value of every code of a `max`-level depth (255 or 65535), built once. */
function linearTable(max: number): Float32Array {
  let table = tables.get(max);
  if (!table) {
    table = new Float32Array(max + 1);
    for (let i = 0; i <= max; i++) table[i] = srgbToLinear(i / max);
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

/**
 * Writes the image's linear R, G and B into the first width*height values of `r`, `g`, `b`.
 * Translucent pixels are blended over `bg` (0..1, encoded) first; `bg` is ignored when the
 * image has no alpha channel.
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
  const colours = channels >= 3 ? 3 : 1;
  const alpha = hasAlphaChannel(image);
  const pixels = image.width * image.height;
  for (let i = 0, o = 0; i < pixels; i++, o += channels) {
    const a = alpha ? data[o + colours] : max;
    if (a === max) {
      r[i] = table[data[o]];
      g[i] = table[data[o + (colours >> 1)]];
      b[i] = table[data[o + colours - 1]];
    } else {
      const t = a / max;
      const s = (1 - t) * bg;
      r[i] = srgbToLinear((t * data[o]) / max + s);
      g[i] = srgbToLinear((t * data[o + (colours >> 1)]) / max + s);
      b[i] = srgbToLinear((t * data[o + colours - 1]) / max + s);
    }
  }
}
