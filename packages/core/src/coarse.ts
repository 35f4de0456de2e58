import type { ColorHistogram } from './hist.js';
import { nativeKernels } from './native.js';

/** Weighted points in 4-D (r, g, b, a) for k-means. */
export interface WeightedPoints {
  /** 4 floats per point. */
  points: Float64Array;
  weights: Float64Array;
  n: number;
}

/** The distinct colours of a histogram as weighted points (weight = pixel count). */
export function exactPoints(hist: ColorHistogram): WeightedPoints {
  const n = hist.size;
  const points = new Float64Array(n * 4);
  for (let i = 0; i < n * 4; i++) points[i] = hist.colors[i];
  return { points, weights: hist.counts, n };
}

/**
 * Coarse cells: `bits` bits per colour channel (5 or 6) and 4 (bits 5) or 2 (bits 6) bits of
 * alpha: 32768 cells for an opaque image at 5 bits, 262144 at 6. Each cell becomes one point at
 * the weighted mean of its colours, weighing their pixel count. Cells come in order of first
 * appearance in the histogram (deterministic).
 */
export function coarsePoints(hist: ColorHistogram, bits: 5 | 6 = 5): WeightedPoints {
  const alphaBits = bits === 5 ? 4 : 2;
  const { colors, counts, size } = hist;
  const cap = Math.min(size, 1 << (3 * bits + alphaBits));
  const sums = new Float64Array(cap * 4);
  const weights = new Float64Array(cap);
  const native = nativeKernels();
  if (native !== undefined) {
    // the same sums and means in C (native/coarse.c); sums become the means
    const n = native.coarseCells(colors, counts, size, bits, sums, weights);
    return { points: sums.slice(0, n * 4), weights: weights.slice(0, n), n };
  }
  const cellOf = new Int32Array(1 << (3 * bits + alphaBits)).fill(-1);
  const sh = 8 - bits;
  const ash = 8 - alphaBits;
  let n = 0;
  for (let i = 0; i < size; i++) {
    const o = i * 4;
    const key =
      ((colors[o] >> sh) << (2 * bits + alphaBits)) |
      ((colors[o + 1] >> sh) << (bits + alphaBits)) |
      ((colors[o + 2] >> sh) << alphaBits) |
      (colors[o + 3] >> ash);
    let c = cellOf[key];
    if (c < 0) {
      c = n++;
      cellOf[key] = c;
    }
    const w = counts[i];
    weights[c] += w;
    sums[c * 4] += w * colors[o];
    sums[c * 4 + 1] += w * colors[o + 1];
    sums[c * 4 + 2] += w * colors[o + 2];
    sums[c * 4 + 3] += w * colors[o + 3];
  }
  const points = new Float64Array(n * 4);
  for (let c = 0; c < n; c++) {
    for (let d = 0; d < 4; d++) points[c * 4 + d] = sums[c * 4 + d] / weights[c];
  }
  return { points, weights: weights.slice(0, n), n };
}
