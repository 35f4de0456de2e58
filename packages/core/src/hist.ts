import { nativeKernels } from './native.js';
import type { PixelImage } from './types.js';

/**
 * Where each distinct colour lives, so that every pixel can be mapped back to its colour's
 * palette entry in one pass (see remap.ts).
 * - dense: tables indexed by r<<16|g<<8|b (opaque images with many pixels): `table` holds the
 *   16-bit pixel counts while the histogram is built, `index` (8 bits) each colour's palette
 *   index for remap;
 * - hash: open addressing on 32-bit keys r<<24|g<<16|b<<8|a (translucent or small images).
 */
export type ColorLookup =
  | { kind: 'dense'; table: Uint16Array; index: Uint8Array }
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
 * The dense tables are kept between calls (a 32 MiB count table and a 16 MiB index table,
 * allocated on first use): fresh ones cost tens of milliseconds of page faults per image, while
 * zeroing just the count entries used is cheap (the index table is only ever read at colours
 * written just before, so it needs no clearing). quantize() is synchronous, so one pair per
 * module instance (per thread) is enough; tables not handed back (an exception mid-way) are
 * simply dropped.
 */
let spareTable: Uint16Array | null = null;
let spareIndex: Uint8Array | null = null;

/**
 * Hands a histogram's dense tables back for reuse, zeroing the count entries it used. Call once
 * the lookup is no longer needed (after writeIndices); harmless for hash lookups.
 */
export function releaseHistogram(hist: ColorHistogram): void {
  if (hist.lookup.kind !== 'dense') return;
  const { table, index } = hist.lookup;
  const colors = hist.colors;
  for (let i = 0; i < hist.size; i++) {
    table[(colors[i * 4] << 16) | (colors[i * 4 + 1] << 8) | colors[i * 4 + 2]] = 0;
  }
  spareTable = table;
  spareIndex = index;
}

/** Opaque images with at least this many pixels use the dense 2^24 table. */
const DENSE_MIN_PIXELS = 1 << 18;
const HASH_MULT = 0x9e3779b1;

function anyTranslucent(data: Uint8Array | Uint8ClampedArray): boolean {
  const native = nativeKernels();
  if (native !== undefined) return native.anyTranslucent(data);
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

/** LSD radix sort of 24-bit keys in place (two 12-bit passes). */
function sortKeys24(keys: Int32Array, n: number): void {
  const tmp = new Int32Array(n);
  const count = new Int32Array(4096);
  let src: Int32Array = keys;
  let dst: Int32Array = tmp;
  for (let shift = 0; shift < 24; shift += 12) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & 4095]++;
    let acc = 0;
    for (let b = 0; b < 4096; b++) {
      const c = count[b];
      count[b] = acc;
      acc += c;
    }
    for (let i = 0; i < n; i++) {
      const key = src[i];
      dst[count[(key >>> shift) & 4095]++] = key;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  // Two passes: the sorted keys are back in `keys`.
}

/** Pixels per chunk of the dense histogram loop (the key list grows between chunks only). */
const CHUNK = 1 << 16;

/**
 * Counts one chunk of 3-byte pixels (bytes [from, to)) into the 16-bit table; a colour whose
 * count is 0 (first pixel, or just wrapped past 65535) appends its key. `keys` has room for one
 * key per pixel of the chunk. Returns the new key count. One copy per pixel stride, with the
 * stride a constant: V8 then compiles a much tighter loop (measured ~60 vs ~120 ms at 12 MP).
 */
function countChunk3(
  data: Uint8Array | Uint8ClampedArray,
  table: Uint16Array,
  keys: Int32Array,
  size: number,
  from: number,
  to: number,
): number {
  let n = size;
  for (let o = from; o < to; o += 3) {
    const key = (data[o] << 16) | (data[o + 1] << 8) | data[o + 2];
    const v = table[key];
    if (v === 0) keys[n++] = key;
    table[key] = v + 1; // 65536 wraps to 0
  }
  return n;
}

/** countChunk3 for 4-byte pixels (opaque RGBA). */
function countChunk4(
  data: Uint8Array | Uint8ClampedArray,
  table: Uint16Array,
  keys: Int32Array,
  size: number,
  from: number,
  to: number,
): number {
  let n = size;
  for (let o = from; o < to; o += 4) {
    const key = (data[o] << 16) | (data[o + 1] << 8) | data[o + 2];
    const v = table[key];
    if (v === 0) keys[n++] = key;
    table[key] = v + 1;
  }
  return n;
}

/**
 * Dense histogram: a 2^24 table of 16-bit counts indexed by r<<16|g<<8|b, one increment per
 * pixel; a colour's first pixel appends its key to a list (no scan of the table afterwards).
 * A count passing 65535 wraps to 0, so the colour's next pixel appends its key once more: after
 * sorting, a key listed m times with table value t counted 65536 * (m - 1) + (t || 65536)
 * pixels. The colours come in key order (the same histogram as a full table scan would give).
 * The pixel loop has no other branch: the key list grows between chunks of CHUNK pixels.
 * Measured on a 12 MP photo (365k colours): loop ~55-65 ms, against ~85 ms with the overflow and
 * growth checks inside it; the 8-bit index table then makes remap about twice as fast as
 * reading the 16-bit count table.
 */
function denseHistogram(image: PixelImage, pixels: number): ColorHistogram {
  const data = image.data;
  const stride = image.channels;
  const table = spareTable ?? new Uint16Array(1 << 24);
  const index = spareIndex ?? new Uint8Array(1 << 24);
  spareTable = null;
  spareIndex = null;
  let keys: Int32Array = new Int32Array(Math.min(pixels, 1 << 17));
  let listed = 0;
  const end = data.length;
  const step = CHUNK * stride;
  const native = nativeKernels(); // the same loops in C (native/hist.c)
  for (let from = 0; from < end; from += step) {
    if (keys.length < listed + CHUNK) {
      const grown = new Int32Array(Math.max(keys.length * 2, listed + CHUNK));
      grown.set(keys.subarray(0, listed));
      keys = grown;
    }
    const to = Math.min(end, from + step);
    if (native !== undefined)
      listed = native.countDense(data, stride, table, keys, listed, from, to);
    else
      listed =
        stride === 3
          ? countChunk3(data, table, keys, listed, from, to)
          : countChunk4(data, table, keys, listed, from, to);
  }
  if (native !== undefined) native.sortKeys24(keys, listed);
  else sortKeys24(keys, listed);
  if (native !== undefined) {
    // the same colours and counts in C (native/hist.c)
    const size = native.distinctKeys(keys, listed);
    const colors = new Uint8Array(size * 4);
    const counts = new Float64Array(size);
    native.denseColours(keys, listed, table, colors, counts);
    return denseResult(colors, counts, size, pixels, table, index);
  }
  // Distinct keys, with the number of times each was listed (wraps of its 16-bit count).
  let size = 0;
  for (let i = 0; i < listed; i++) if (i === 0 || keys[i] !== keys[i - 1]) size++;
  const colors = new Uint8Array(size * 4);
  const counts = new Float64Array(size);
  let c = -1;
  for (let i = 0; i < listed; i++) {
    const key = keys[i];
    if (i > 0 && key === keys[i - 1]) {
      counts[c] += 65536;
      continue;
    }
    c++;
    const o = c * 4;
    colors[o] = key >>> 16;
    colors[o + 1] = (key >>> 8) & 255;
    colors[o + 2] = key & 255;
    colors[o + 3] = 255;
    counts[c] = table[key] === 0 ? 65536 : table[key];
  }
  return denseResult(colors, counts, size, pixels, table, index);
}

function denseResult(
  colors: Uint8Array,
  counts: Float64Array,
  size: number,
  pixels: number,
  table: Uint16Array,
  index: Uint8Array,
): ColorHistogram {
  return {
    colors,
    counts,
    size,
    transparentCount: 0,
    hasAlpha: false,
    pixels,
    lookup: { kind: 'dense', table, index },
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
    bits++;
    mask = (1 << bits) - 1;
    shift = 32 - bits;
    [keys, values] = rehash(keys, values, bits);
  };

  const native = nativeKernels();
  if (native !== undefined) {
    // the same loop in C (native/hist.c), paused whenever the table must grow
    const state = new Float64Array(5); // at, prev, run, size, transparent
    while (native.hashCount(data, stride, keys, values, bits, state)) {
      size = state[3] as number;
      grow();
    }
    size = state[3] as number;
    transparentCount = state[4] as number;
  } else {
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
  }

  const { colors, counts } = hashColours(keys, values, size);
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

/** The hash table's keys and values moved into a table of 2^bits slots (linear probing). */
function rehash(
  oldKeys: Int32Array,
  oldValues: Int32Array,
  bits: number,
): [Int32Array<ArrayBuffer>, Int32Array<ArrayBuffer>] {
  const keys = new Int32Array(1 << bits);
  const values = new Int32Array(1 << bits);
  const native = nativeKernels();
  if (native !== undefined) {
    native.hashRehash(oldKeys, oldValues, keys, values, bits);
    return [keys, values];
  }
  const mask = (1 << bits) - 1;
  const shift = 32 - bits;
  for (let i = 0; i < oldKeys.length; i++) {
    const key = oldKeys[i];
    if (key === 0) continue;
    let h = Math.imul(key, HASH_MULT) >>> shift;
    while (keys[h] !== 0) h = (h + 1) & mask;
    keys[h] = key;
    values[h] = oldValues[i];
  }
  return [keys, values];
}

/**
 * The `size` colours of a hash table (r, g, b, a bytes) and their counts, in slot order; each
 * slot's value becomes its colour's index (the remap's lookup).
 */
function hashColours(
  keys: Int32Array,
  values: Int32Array,
  size: number,
): { colors: Uint8Array; counts: Float64Array } {
  const colors = new Uint8Array(size * 4);
  const counts = new Float64Array(size);
  const native = nativeKernels();
  if (native !== undefined) {
    native.hashColours(keys, values, size, colors, counts);
    return { colors, counts };
  }
  let i = 0;
  for (let h = 0; h < keys.length; h++) {
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
  return { colors, counts };
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
