import { nativeKernels } from './native.js';
import { NearestSearch, UNWEIGHTED, wdist2 } from './nearest.js';

/**
 * Weighted Lloyd k-means in 4-D (r, g, b, a) with Hamerly's bounds.
 *
 * Each point keeps an upper bound on the distance to its assigned centre and a lower bound on the
 * distance to every other centre. A point is re-examined only when those bounds (and half the
 * distance from its centre to the nearest other centre) no longer prove its assignment, and then
 * with the pruned exact search of nearest.ts. Cluster sums are kept incrementally, so an
 * iteration costs one cheap bound test per point plus a search for the few that moved.
 */
export class WeightedKmeans {
  readonly n: number;
  readonly k: number;
  /** Current centres, 4 floats each. */
  readonly centres: Float64Array;
  /** Centre index of each point. */
  readonly assign: Int32Array;
  private readonly points: Float64Array;
  private readonly weights: Float64Array;
  private readonly upper: Float64Array;
  private readonly lower: Float64Array;
  private readonly sums: Float64Array;
  private readonly mass: Float64Array;
  private readonly half: Float64Array;
  private readonly moved: Float64Array;
  /** Squared channel weights of the distance (nearest.ts). */
  private readonly metric: Float64Array;

  /** Assigns every point to its nearest centre (an exact search each). `centres` is copied. */
  constructor(
    points: Float64Array,
    weights: Float64Array,
    n: number,
    centres: Float64Array,
    k: number,
    metric: Float64Array = UNWEIGHTED,
  ) {
    this.n = n;
    this.metric = metric;
    this.k = k;
    this.points = points;
    this.weights = weights;
    this.centres = Float64Array.from(centres.subarray(0, k * 4));
    this.assign = new Int32Array(n);
    this.upper = new Float64Array(n);
    this.lower = new Float64Array(n);
    this.sums = new Float64Array(k * 4);
    this.mass = new Float64Array(k);
    this.half = new Float64Array(k);
    this.moved = new Float64Array(k);
    const native = nativeKernels();
    if (native !== undefined) {
      // the same exact assignment in C (native/hamerly.c)
      native.hamerlyInit(...this.arrays());
      return;
    }
    const search = new NearestSearch(this.centres, k, metric);
    for (let i = 0; i < n; i++) {
      const o = i * 4;
      const j = search.nearest(points[o], points[o + 1], points[o + 2], points[o + 3]);
      this.assign[i] = j;
      this.upper[i] = Math.sqrt(search.best1);
      this.lower[i] = Math.sqrt(search.best2);
      this.addTo(j, i, 1);
    }
  }

  /** The arrays the native kernels take, in their order. */
  private arrays(): Parameters<NonNullable<ReturnType<typeof nativeKernels>>['hamerlyInit']> {
    return [
      this.points,
      this.weights,
      this.n,
      this.centres,
      this.k,
      this.assign,
      this.upper,
      this.lower,
      this.sums,
      this.mass,
      this.metric,
    ];
  }

  private addTo(j: number, i: number, sign: number): void {
    const w = this.weights[i] * sign;
    const o = i * 4;
    const s = j * 4;
    const p = this.points;
    this.sums[s] += w * p[o];
    this.sums[s + 1] += w * p[o + 1];
    this.sums[s + 2] += w * p[o + 2];
    this.sums[s + 3] += w * p[o + 3];
    this.mass[j] += w;
  }

  /**
   * Runs Lloyd iterations (move centres to their clusters' weighted means, reassign) until no
   * centre moves more than `tolerance` or `maxIterations` updates. Returns the updates run.
   */
  run(maxIterations: number, tolerance: number): number {
    let iterations = 0;
    while (iterations < maxIterations) {
      const move = this.updateCentres();
      iterations++;
      if (move <= tolerance) break;
      this.reassign();
    }
    return iterations;
  }

  /** Moves each centre to its cluster's weighted mean; re-seeds empty ones. Returns the largest move. */
  updateCentres(): number {
    const next = new Float64Array(this.k * 4);
    const { sums, mass, centres, k } = this;
    let empty = 0;
    for (let j = 0; j < k; j++) {
      const m = mass[j];
      if (m > 0) {
        next[j * 4] = sums[j * 4] / m;
        next[j * 4 + 1] = sums[j * 4 + 1] / m;
        next[j * 4 + 2] = sums[j * 4 + 2] / m;
        next[j * 4 + 3] = sums[j * 4 + 3] / m;
      } else {
        next.set(centres.subarray(j * 4, j * 4 + 4), j * 4);
        empty++;
      }
    }
    if (empty > 0) this.reseedEmpty(next);
    return this.moveTo(next);
  }

  /**
   * Re-seeds each empty cluster (in index order) at the point with the largest weighted squared
   * error to its own cluster's mean (ties: lowest point index), moving that point into it.
   */
  private reseedEmpty(next: Float64Array): void {
    const { n, k, points, weights, assign, mass, sums } = this;
    for (let j = 0; j < k; j++) {
      if (mass[j] > 0) continue;
      let worst = -1;
      let worstErr = 0;
      for (let i = 0; i < n; i++) {
        const e = weights[i] * wdist2(points, i * 4, next, assign[i] * 4, this.metric);
        if (e > worstErr) {
          worstErr = e;
          worst = i;
        }
      }
      if (worst < 0) continue; // every point sits on a centre: nothing to split
      const from = assign[worst];
      this.addTo(from, worst, -1);
      this.addTo(j, worst, 1);
      assign[worst] = j;
      this.upper[worst] = 0;
      this.lower[worst] = 0;
      for (let c = 0; c < 4; c++) {
        next[j * 4 + c] = points[worst * 4 + c];
        next[from * 4 + c] = mass[from] > 0 ? sums[from * 4 + c] / mass[from] : next[from * 4 + c];
      }
    }
  }

  /**
   * Moves the centres to `next` (k * 4 floats), loosening every point's bounds by how far the
   * centres moved. Returns the largest move.
   */
  moveTo(next: Float64Array): number {
    const { k, centres, moved } = this;
    let max1 = 0;
    let max2 = 0;
    let arg1 = -1;
    for (let j = 0; j < k; j++) {
      const d = Math.sqrt(wdist2(centres, j * 4, next, j * 4, this.metric));
      moved[j] = d;
      if (d > max1) {
        max2 = max1;
        max1 = d;
        arg1 = j;
      } else if (d > max2) {
        max2 = d;
      }
    }
    centres.set(next.subarray(0, k * 4));
    if (max1 === 0) return 0;
    const { n, assign, upper, lower } = this;
    const native = nativeKernels();
    if (native !== undefined) {
      native.hamerlyLoosen(n, k, assign, upper, lower, moved, arg1, max1, max2);
      return max1;
    }
    for (let i = 0; i < n; i++) {
      const a = assign[i];
      upper[i] += moved[a];
      lower[i] -= a === arg1 ? max2 : max1;
    }
    return max1;
  }

  /** Reassigns each point whose bounds do not prove it is still nearest its centre (exactly). */
  reassign(): void {
    const native = nativeKernels();
    if (native !== undefined) {
      // the same pass in C (native/hamerly.c), its nearest search included
      native.hamerlyReassign(...this.arrays(), this.half);
      return;
    }
    const { n, k, centres, half, points, assign, upper, lower, metric } = this;
    for (let j = 0; j < k; j++) {
      let best = Number.POSITIVE_INFINITY;
      for (let j2 = 0; j2 < k; j2++) {
        if (j2 === j) continue;
        const d = wdist2(centres, j * 4, centres, j2 * 4, metric);
        if (d < best) best = d;
      }
      half[j] = 0.5 * Math.sqrt(best);
    }
    let search: NearestSearch | undefined;
    for (let i = 0; i < n; i++) {
      const a = assign[i];
      const bound = Math.max(half[a], lower[i]);
      if (upper[i] <= bound) continue;
      const o = i * 4;
      const u = Math.sqrt(wdist2(points, o, centres, a * 4, metric));
      upper[i] = u;
      if (u <= bound) continue;
      search ??= new NearestSearch(centres, k, metric);
      const b = search.nearest(points[o], points[o + 1], points[o + 2], points[o + 3]);
      const d1 = Math.sqrt(search.best1);
      lower[i] = Math.sqrt(search.best2);
      if (b !== a && d1 < u) {
        this.addTo(a, i, -1);
        this.addTo(b, i, 1);
        assign[i] = b;
        upper[i] = d1;
      } else {
        // Tie (or the search's nearest is the current centre): keep the assignment.
        upper[i] = u;
        if (b !== a) lower[i] = Math.min(lower[i], d1);
      }
    }
  }
}
