import type { PixelImage } from './types.js';

/**
 * Where each distinct colour lives, so that every pixel can be mapped back to its colour's
 * palette entry in one pass (see remap.ts).
 * - dense: a 2^24 table indexed by r<<16|g<<8|b (opaque images with many pixels);
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

/**
 * The dense table is kept between calls (64 MiB, allocated on first use): a fresh one costs tens
 * of milliseconds of page faults per image, while zeroing just the entries used is cheap.
 * quantize() is synchronous, so one table per module instance (per thread) is enough; a table
 * not handed back (an exception mid-way) is simply dropped.
 */
let spareTable: Uint32Array | null = null;

function takeDenseTable(): Uint32Array {
  const table = spareTable ?? new Uint32Array(1 << 24);
  spareTable = null;
  return table;
}

/**
 * Hands a histogram's dense table back for reuse, zeroing the entries it used. Call once the
 * lookup is no longer needed (after writeIndices); harmless for hash lookups.
 */
export function releaseHistogram(hist: ColorHistogram): void {
  if (hist.lookup.kind !== 'dense') return;
  const { table } = hist.lookup;
  const colors = hist.colors;
  for (let i = 0; i < hist.size; i++) {
    table[(colors[i * 4] << 16) | (colors[i * 4 + 1] << 8) | colors[i * 4 + 2]] = 0;
  }
  spareTable = table;
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

/**
 * Dense histogram: a 2^24 count table indexed by r<<16|g<<8|b, one increment per pixel (no
 * branch: measured faster than run-length or first-seen lists). Touched 4096-entry blocks are
 * flagged, so reading the colours back scans only those.
 */
function denseHistogram(image: PixelImage, pixels: number): ColorHistogram {
  const data = image.data;
  const stride = image.channels;
  const table = takeDenseTable();
  const blocks = new Uint8Array(1 << 12);
  const end = data.length;
  for (let o = 0; o < end; o += stride) {
    const key = (data[o] << 16) | (data[o + 1] << 8) | data[o + 2];
    table[key]++;
    blocks[key >>> 12] = 1;
  }
  let touched = 0;
  for (let blk = 0; blk < blocks.length; blk++) touched += blocks[blk];
  const keys = new Int32Array(Math.min(pixels, touched * 4096));
  let size = 0;
  for (let blk = 0; blk < blocks.length; blk++) {
    if (blocks[blk] === 0) continue;
    for (let key = blk << 12, stop = key + 4096; key < stop; key++) {
      if (table[key] !== 0) keys[size++] = key;
    }
  }
  const colors = new Uint8Array(size * 4);
  const counts = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const key = keys[i];
    const o = i * 4;
    colors[o] = key >>> 16;
    colors[o + 1] = (key >>> 8) & 255;
    colors[o + 2] = key & 255;
    colors[o + 3] = 255;
    counts[i] = table[key];
    table[key] = i;
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
