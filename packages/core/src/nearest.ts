/**
 * Exact nearest-centre search over k centres in 4-D (r, g, b, a).
 *
 * Centres are sorted by their projection on the unit grey axis (1,1,1,1)/2. A projection
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

  constructor(centres: Float64Array, k: number) {
    this.k = k;
    const proj = new Float64Array(k);
    const order = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      order[j] = j;
      proj[j] =
        (centres[j * 4] + centres[j * 4 + 1] + centres[j * 4 + 2] + centres[j * 4 + 3]) * 0.5;
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
  nearest(r: number, g: number, b: number, a: number): number {
    const k = this.k;
    const proj = this.proj;
    const c = this.sorted;
    const p = (r + g + b + a) * 0.5;
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
      const d = dr * dr + dg * dg + db * db + da * da;
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
