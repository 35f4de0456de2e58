/**
 * Exact nearest-centre search over k centres in 4-D (r, g, b, a).
 *
 * Distances are weighted by channel (`metric`, squared weights; unweighted by default): the
 * Euclidean distance after scaling each channel by the square root of its weight.
 *
 * Centres are sorted by their projection on the unit grey axis (1,1,1,1)/2 of that space. A projection
 * difference never exceeds the Euclidean distance, so the search walks outwards from the query's
 * projection and stops once the gap on both sides is at least the second-best distance found.
 * It returns the nearest and the second-nearest distance (the latter for Hamerly's bounds).
 */
export class NearestSearch {
  readonly k: number;
  /** Centres in projection order, 4 floats each. */
  private readonly sorted: Float64Array;
  /** Sorted projections. */
  private readonly proj: Float64Array;
  /** Sorted position -> centre index. */
  private readonly order: Int32Array;
  /** Squared distance of the last query's nearest centre. */
  best1 = 0;
  /** Squared distance of the last query's second-nearest centre (Infinity when k = 1). */
  best2 = 0;

  /** Squared channel weights of the distance (metric). */
  private readonly w0: number;
  private readonly w1: number;
  private readonly w2: number;
  private readonly w3: number;
  /** Their square roots: the grey axis in the weighted space. */
  private readonly s0: number;
  private readonly s1: number;
  private readonly s2: number;
  private readonly s3: number;

  /** `metric`: squared channel weights of the distance (r, g, b, a; default all 1: plain RGBA). */
  constructor(centres: Float64Array, k: number, metric: Float64Array = UNWEIGHTED) {
    this.k = k;
    this.w0 = metric[0];
    this.w1 = metric[1];
    this.w2 = metric[2];
    this.w3 = metric[3];
    this.s0 = Math.sqrt(this.w0);
    this.s1 = Math.sqrt(this.w1);
    this.s2 = Math.sqrt(this.w2);
    this.s3 = Math.sqrt(this.w3);
    const proj = new Float64Array(k);
    const order = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      order[j] = j;
      proj[j] = this.project(
        centres[j * 4],
        centres[j * 4 + 1],
        centres[j * 4 + 2],
        centres[j * 4 + 3],
      );
    }
    // Sort by projection, ties by index: deterministic.
    const idx = Array.from(order).sort((x, y) => proj[x] - proj[y] || x - y);
    this.order = Int32Array.from(idx);
    this.proj = new Float64Array(k);
    this.sorted = new Float64Array(k * 4);
    for (let s = 0; s < k; s++) {
      const j = idx[s];
      this.proj[s] = proj[j];
      this.sorted[s * 4] = centres[j * 4];
      this.sorted[s * 4 + 1] = centres[j * 4 + 1];
      this.sorted[s * 4 + 2] = centres[j * 4 + 2];
      this.sorted[s * 4 + 3] = centres[j * 4 + 3];
    }
  }

  /**
   * Index of the nearest centre to (r, g, b, a); ties go to the lower projection position.
   * Sets best1 and best2 (squared distances).
   */
  /** Position on the weighted grey axis; never differs between two colours by more than their distance. */
  private project(r: number, g: number, b: number, a: number): number {
    return (this.s0 * r + this.s1 * g + this.s2 * b + this.s3 * a) * 0.5;
  }

  nearest(r: number, g: number, b: number, a: number): number {
    const { k, proj, w0, w1, w2, w3 } = this;
    const c = this.sorted;
    const p = this.project(r, g, b, a);
    // First sorted position with proj >= p.
    let lo = 0;
    let hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (proj[mid] < p) lo = mid + 1;
      else hi = mid;
    }
    let down = lo - 1;
    let up = lo;
    let best1 = Number.POSITIVE_INFINITY;
    let best2 = Number.POSITIVE_INFINITY;
    let bestPos = 0;
    while (true) {
      const gapDown = down >= 0 ? p - proj[down] : Number.POSITIVE_INFINITY;
      const gapUp = up < k ? proj[up] - p : Number.POSITIVE_INFINITY;
      let s: number;
      if (gapDown <= gapUp) {
        if (gapDown * gapDown >= best2) break;
        s = down--;
      } else {
        if (gapUp * gapUp >= best2) break;
        s = up++;
      }
      const o = s * 4;
      const dr = r - c[o];
      const dg = g - c[o + 1];
      const db = b - c[o + 2];
      const da = a - c[o + 3];
      const d = w0 * dr * dr + w1 * dg * dg + w2 * db * db + w3 * da * da;
      if (d < best1 || (d === best1 && s < bestPos)) {
        best2 = best1;
        best1 = d;
        bestPos = s;
      } else if (d < best2) {
        best2 = d;
      }
    }
    this.best1 = best1;
    this.best2 = best2;
    return this.order[bestPos];
  }
}

/** Squared Euclidean distance between two 4-float points. */
export function dist2(x: ArrayLike<number>, xo: number, y: ArrayLike<number>, yo: number): number {
  const dr = x[xo] - y[yo];
  const dg = x[xo + 1] - y[yo + 1];
  const db = x[xo + 2] - y[yo + 2];
  const da = x[xo + 3] - y[yo + 3];
  return dr * dr + dg * dg + db * db + da * da;
}

/** Squared channel weights of a plain (unweighted) RGBA distance. */
export const UNWEIGHTED: Float64Array = Float64Array.of(1, 1, 1, 1);

/** Squared distance between two 4-float points, each channel's square weighted by `metric`. */
export function wdist2(
  x: ArrayLike<number>,
  xo: number,
  y: ArrayLike<number>,
  yo: number,
  metric: Float64Array,
): number {
  const dr = x[xo] - y[yo];
  const dg = x[xo + 1] - y[yo + 1];
  const db = x[xo + 2] - y[yo + 2];
  const da = x[xo + 3] - y[yo + 3];
  return metric[0] * dr * dr + metric[1] * dg * dg + metric[2] * db * db + metric[3] * da * da;
}
