/**
 * Palette finishing: rounding centres to 8 bits, merging entries that round to the same colour,
 * and the final deterministic order.
 */

/**
 * Rounds k centres (4 floats each) to 8-bit RGBA, clamped to 0..255. With `hasAlpha` false the
 * alpha is 255; with it true alpha is kept within 1..255 (alpha 0 belongs to the one transparent
 * entry).
 */
export function roundCentres(centres: Float64Array, k: number, hasAlpha: boolean): Uint8Array {
  const out = new Uint8Array(k * 4);
  for (let j = 0; j < k; j++) {
    for (let c = 0; c < 3; c++) out[j * 4 + c] = clamp(Math.round(centres[j * 4 + c]), 0, 255);
    out[j * 4 + 3] = hasAlpha ? clamp(Math.round(centres[j * 4 + 3]), 1, 255) : 255;
  }
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** RGBA as one unsigned 32-bit key. */
export function rgbaKey(entries: Uint8Array, j: number): number {
  const o = j * 4;
  return (
    ((entries[o] << 24) | (entries[o + 1] << 16) | (entries[o + 2] << 8) | entries[o + 3]) >>> 0
  );
}

/** For each of k entries, the index of the first entry with the same colour. */
export function duplicateMap(entries: Uint8Array, k: number): Int32Array {
  const first = new Map<number, number>();
  const map = new Int32Array(k);
  for (let j = 0; j < k; j++) {
    const key = rgbaKey(entries, j);
    const seen = first.get(key);
    if (seen === undefined) {
      first.set(key, j);
      map[j] = j;
    } else {
      map[j] = seen;
    }
  }
  return map;
}

/** A finished palette and where each candidate entry went. */
export interface OrderedPalette {
  /** RGBA, 4 bytes per entry. */
  palette: Uint8Array;
  /** Entries kept. */
  colors: number;
  /** Candidate entry -> palette index; -1 for entries dropped (no pixels, or a duplicate). */
  index: Int32Array;
  hasAlpha: boolean;
}

/**
 * Orders candidate entries: those with alpha < 255 first (by alpha, then by descending pixel
 * count), then opaque ones by descending pixel count; remaining ties by RGBA value. Entries with
 * no pixels are dropped; so are exact duplicates (their pixels counted on the first copy).
 */
export function orderPalette(entries: Uint8Array, counts: Float64Array, k: number): OrderedPalette {
  const dup = duplicateMap(entries, k);
  const total = new Float64Array(k);
  for (let j = 0; j < k; j++) total[dup[j]] += counts[j];
  const kept: number[] = [];
  for (let j = 0; j < k; j++) if (dup[j] === j && total[j] > 0) kept.push(j);
  kept.sort((x, y) => {
    const ax = entries[x * 4 + 3];
    const ay = entries[y * 4 + 3];
    const tx = ax < 255 ? 0 : 1;
    const ty = ay < 255 ? 0 : 1;
    if (tx !== ty) return tx - ty;
    if (tx === 0 && ax !== ay) return ax - ay;
    if (total[x] !== total[y]) return total[y] - total[x];
    return rgbaKey(entries, x) - rgbaKey(entries, y);
  });
  const palette = new Uint8Array(kept.length * 4);
  const index = new Int32Array(k).fill(-1);
  let hasAlpha = false;
  kept.forEach((j, pos) => {
    palette.set(entries.subarray(j * 4, j * 4 + 4), pos * 4);
    index[j] = pos;
    if (entries[j * 4 + 3] < 255) hasAlpha = true;
  });
  for (let j = 0; j < k; j++) if (index[j] < 0 && total[dup[j]] > 0) index[j] = index[dup[j]];
  return { palette, colors: kept.length, index, hasAlpha };
}
