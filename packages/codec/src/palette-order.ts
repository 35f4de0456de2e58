import type { PaletteImage } from './png.js';

/**
 * A palette order by luminance (Rec. 601 weights), dark to light, with the
 * entries that have alpha below 255 kept first (so tRNS stays short).
 * `order[i]` is the old index of the entry that goes to position `i`.
 */
export function luminanceOrder(q: PaletteImage): Uint8Array {
  const p = q.palette;
  const ids = Array.from({ length: q.colors }, (_, i) => i);
  const opaque = (i: number) => (p[i * 4 + 3] as number) === 255;
  const luma = (i: number) =>
    299 * (p[i * 4] as number) + 587 * (p[i * 4 + 1] as number) + 114 * (p[i * 4 + 2] as number);
  ids.sort((a, b) => Number(opaque(a)) - Number(opaque(b)) || luma(a) - luma(b) || a - b);
  return Uint8Array.from(ids);
}

/** `q` with its palette in `order` and its indices renumbered to match: the same pixels. */
export function reorderPalette(q: PaletteImage, order: Uint8Array): PaletteImage {
  const palette = new Uint8Array(q.palette.length);
  const newIndex = new Uint8Array(256);
  for (let i = 0; i < q.colors; i++) {
    const old = order[i] as number;
    palette.set(q.palette.subarray(old * 4, old * 4 + 4), i * 4);
    newIndex[old] = i;
  }
  const indices = new Uint8Array(q.indices.length);
  for (let i = 0; i < indices.length; i++) indices[i] = newIndex[q.indices[i] as number] as number;
  return { ...q, palette, indices };
}
