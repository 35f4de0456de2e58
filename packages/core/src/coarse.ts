import type { ColorHistogram } from './hist.js';

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
 * Coarse cells: 5 bits per colour channel and 4 bits of alpha (32768 cells for an opaque image).
 * Each cell becomes one point at the weighted mean of its colours, weighing their pixel count.
 * Cells come in order of first appearance in the histogram (deterministic).
 */
export function coarsePoints(hist: ColorHistogram): WeightedPoints {
  const cellOf = new Int32Array(1 << 19).fill(-1);
  const { colors, counts, size } = hist;
  const sums: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < size; i++) {
    const o = i * 4;
    const key =
      ((colors[o] >> 3) << 14) |
      ((colors[o + 1] >> 3) << 9) |
      ((colors[o + 2] >> 3) << 4) |
      (colors[o + 3] >> 4);
    let c = cellOf[key];
    if (c < 0) {
      c = weights.length;
      cellOf[key] = c;
      weights.push(0);
      sums.push(0, 0, 0, 0);
    }
    const w = counts[i];
    weights[c] += w;
    sums[c * 4] += w * colors[o];
    sums[c * 4 + 1] += w * colors[o + 1];
    sums[c * 4 + 2] += w * colors[o + 2];
    sums[c * 4 + 3] += w * colors[o + 3];
  }
  const n = weights.length;
  const points = new Float64Array(n * 4);
  for (let c = 0; c < n; c++) {
    for (let d = 0; d < 4; d++) points[c * 4 + d] = sums[c * 4 + d] / weights[c];
  }
  return { points, weights: Float64Array.from(weights), n };
}
