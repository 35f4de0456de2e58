import type { PixelImage } from './types.js';

/**
 * Where each distinct colour lives, so that every pixel can be mapped back to its colour's
 * palette entry in one pass (see remap.ts).
 * - dense: a 2^24 table indexed by the Morton code of (r, g, b) (opaque images, many pixels);
 * - hash: open addressing on 32-bit keys r<<24|g<<16|b<<8|a (translucent or small images).
 */
export type ColorLookup =
  | { kind: 'dense'; table: Uint32Array }
  | { kind: 'hash'; keys: Int32Array; values: Int32Array; mask: number; shift: number };

/** Exact histogram of the distinct colours of an image (fully transparent pixels counted apart). */
export interface ColorHistogram {
  /** r,g,b,a per distinct colour; a is 255 for every colour of an opaque image. */
  colors: Uint8Array;
  /** Pixel count of each distinct colour. */
  counts: Float64Array;
  /** Number of distinct colours (not counting fully transparent pixels). */
  size: number;
  /** Pixels with alpha 0: they all become one transparent palette entry. */
  transparentCount: number;
  /** True when some pixel has alpha < 255: clustering and error are then over RGBA. */
  hasAlpha: boolean;
  /** width * height. */
  pixels: number;
  /** Pixel -> distinct colour lookup, used once by remap. */
  lookup: ColorLookup;
}

/** Opaque images with at least this many pixels use the dense 2^24 table. */
const DENSE_MIN_PIXELS = 1 << 18;
const HASH_MULT = 0x9e3779b1;

function anyTranslucent(data: Uint8Array | Uint8ClampedArray): boolean {
  for (let o = 3; o < data.length; o += 4) if (data[o] !== 255) return true;
  return false;
}

/** Builds the exact colour histogram in one pass over the pixels. */
export function buildHistogram(image: PixelImage): ColorHistogram {
  const hasAlpha = image.channels === 4 && anyTranslucent(image.data);
  const pixels = image.width * image.height;
  if (!hasAlpha && pixels >= DENSE_MIN_PIXELS) return denseHistogram(image, pixels);
  return hashHistogram(image, pixels, hasAlpha);
}

/** Bits of v spread to every third position, shifted by `shift` (Morton code of r, g, b). */
function spread3(shift: number): Uint32Array {
  const out = new Uint32Array(256);
  for (let v = 0; v < 256; v++) {
    let s = 0;
    for (let b = 0; b < 8; b++) if (v & (1 << b)) s |= 1 << (3 * b + shift);
    out[v] = s;
  }
  return out;
}

/** Morton code of (r, g, b): MORTON_R[r] | MORTON_G[g] | MORTON_B[b]. */
export const MORTON_R = spread3(2);
export const MORTON_G = spread3(1);
export const MORTON_B = spread3(0);

/**
 * Dense histogram: a 2^24 count table indexed by the Morton code of (r, g, b), so that similar
 * colours share cache lines (a plain r<<16|g<<8|b index scatters neighbours 64K entries apart).
 * Touched 4096-entry blocks are flagged, and the table is read back in code order: the colours
 * come out sorted by Morton code, the order the colour tree needs.
 */
function denseHistogram(image: PixelImage, pixels: number): ColorHistogram {
  const data = image.data;
  const stride = image.channels;
  const table = new Uint32Array(1 << 24);
  const blocks = new Uint8Array(1 << 12);
  const mr = MORTON_R;
  const mg = MORTON_G;
  const mb = MORTON_B;
  let prev = mr[data[0]] | mg[data[1]] | mb[data[2]];
  let run = 0;
  const end = data.length;
  for (let o = 0; o < end; o += stride) {
    const key = mr[data[o]] | mg[data[o + 1]] | mb[data[o + 2]];
    if (key === prev) {
      run++;
      continue;
    }
    table[prev] += run;
    blocks[prev >>> 12] = 1;
    prev = key;
    run = 1;
  }
  table[prev] += run;
  blocks[prev >>> 12] = 1;

  let size = 0;
  for (let blk = 0; blk < blocks.length; blk++) {
    if (blocks[blk] === 0) continue;
    for (let key = blk << 12, stop = key + 4096; key < stop; key++) if (table[key] !== 0) size++;
  }
  const colors = new Uint8Array(size * 4);
  const counts = new Float64Array(size);
  let i = 0;
  for (let blk = 0; blk < blocks.length; blk++) {
    if (blocks[blk] === 0) continue;
    for (let key = blk << 12, stop = key + 4096; key < stop; key++) {
      const count = table[key];
      if (count === 0) continue;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let bit = 0; bit < 8; bit++) {
        r |= ((key >>> (3 * bit + 2)) & 1) << bit;
        g |= ((key >>> (3 * bit + 1)) & 1) << bit;
        b |= ((key >>> (3 * bit)) & 1) << bit;
      }
      colors[i * 4] = r;
      colors[i * 4 + 1] = g;
      colors[i * 4 + 2] = b;
      colors[i * 4 + 3] = 255;
      counts[i] = count;
      table[key] = i;
      i++;
    }
  }
  return {
    colors,
    counts,
    size,
    transparentCount: 0,
    hasAlpha: false,
    pixels,
    lookup: { kind: 'dense', table },
  };
}

function hashHistogram(image: PixelImage, pixels: number, hasAlpha: boolean): ColorHistogram {
  const data = image.data;
  const stride = image.channels;
  let bits = 10;
  let keys = new Int32Array(1 << bits);
  let values = new Int32Array(1 << bits);
  let mask = (1 << bits) - 1;
  let shift = 32 - bits;
  let size = 0;
  let transparentCount = 0;
  let prev = 0;
  let run = 0;

  const insert = (key: number, count: number): void => {
    let h = Math.imul(key, HASH_MULT) >>> shift;
    while (true) {
      const k = keys[h];
      if (k === key) {
        values[h] += count;
        return;
      }
      if (k === 0) {
        keys[h] = key;
        values[h] = count;
        size++;
        if (size * 2 > mask) grow();
        return;
      }
      h = (h + 1) & mask;
    }
  };
  const grow = (): void => {
    const oldKeys = keys;
    const oldValues = values;
    bits++;
    keys = new Int32Array(1 << bits);
    values = new Int32Array(1 << bits);
    mask = (1 << bits) - 1;
    shift = 32 - bits;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = oldKeys[i];
      if (key === 0) continue;
      let h = Math.imul(key, HASH_MULT) >>> shift;
      while (keys[h] !== 0) h = (h + 1) & mask;
      keys[h] = key;
      values[h] = oldValues[i];
    }
  };

  const end = data.length;
  for (let o = 0; o < end; o += stride) {
    const a = stride === 4 ? data[o + 3] : 255;
    if (a === 0) {
      transparentCount++;
      continue;
    }
    // Non-zero for every colour kept, since a >= 1: 0 marks an empty slot.
    const key = (data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | a;
    if (key === prev) {
      run++;
      continue;
    }
    if (run > 0) insert(prev, run);
    prev = key;
    run = 1;
  }
  if (run > 0) insert(prev, run);

  const colors = new Uint8Array(size * 4);
  const counts = new Float64Array(size);
  let i = 0;
  for (let h = 0; h <= mask; h++) {
    const key = keys[h];
    if (key === 0) continue;
    colors[i * 4] = key >>> 24;
    colors[i * 4 + 1] = (key >>> 16) & 255;
    colors[i * 4 + 2] = (key >>> 8) & 255;
    colors[i * 4 + 3] = key & 255;
    counts[i] = values[h];
    values[h] = i;
    i++;
  }
  return {
    colors,
    counts,
    size,
    transparentCount,
    hasAlpha,
    pixels,
    lookup: { kind: 'hash', keys, values, mask, shift },
  };
}

/** Hash slot of a key in a hash lookup, or -1 when absent. */
export function hashFind(lookup: ColorLookup & { kind: 'hash' }, key: number): number {
  const { keys, mask, shift } = lookup;
  let h = Math.imul(key, HASH_MULT) >>> shift;
  while (true) {
    const k = keys[h];
    if (k === key) return h;
    if (k === 0) return -1;
    h = (h + 1) & mask;
  }
}
