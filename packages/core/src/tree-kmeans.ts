import { nativeKernels } from './native.js';
import { dist2, UNWEIGHTED, wdist2 } from './nearest.js';
import type { ColorTree } from './tree.js';

/**
 * Exact weighted Lloyd over a colour tree with the filtering algorithm (Kanungo et al. 2002):
 * each node is visited with the candidate centres that may be nearest to some colour inside its
 * bounding box. The candidate z* nearest the box midpoint is kept, and any other candidate z is
 * dropped when it is farther than z* from the box vertex most favourable to z (then it is farther
 * from every point of the box: the difference of squared distances is linear). A node left with
 * one candidate adds its precomputed weight and sum to it at once; leaves test their few colours
 * against the remaining candidates. The result is exactly Lloyd over every pixel (ties go to the
 * lowest centre index), at a cost that grows with the colours near Voronoi boundaries, not with
 * the image.
 */
export class TreeKmeans {
  readonly k: number;
  readonly centres: Float64Array;
  private readonly tree: ColorTree;
  private readonly sums: Float64Array;
  private readonly mass: Float64Array;
  private readonly cand: Int32Array;
  private record: Int32Array | null = null;
  /** Squared channel weights of the distance (nearest.ts). */
  private readonly metric: Float64Array;
  private readonly w0: number;
  private readonly w1: number;
  private readonly w2: number;
  private readonly w3: number;

  /** `metric`: squared channel weights of the distance (default all 1: plain RGBA). */
  constructor(
    tree: ColorTree,
    centres: Float64Array,
    k: number,
    metric: Float64Array = UNWEIGHTED,
  ) {
    this.tree = tree;
    this.metric = metric;
    this.w0 = metric[0];
    this.w1 = metric[1];
    this.w2 = metric[2];
    this.w3 = metric[3];
    this.k = k;
    this.centres = Float64Array.from(centres.subarray(0, k * 4));
    this.sums = new Float64Array(k * 4);
    this.mass = new Float64Array(k);
    // Candidate lists of the nodes on the current path; the tree is at most 10 levels deep.
    this.cand = new Int32Array(k * 12);
  }

  /**
   * Lloyd iterations (assign every colour to its nearest centre, move each centre to its
   * cluster's weighted mean) until no centre moves more than `tolerance`, at most
   * `maxIterations` assignment passes. Returns the passes run.
   *
   * Over-relaxed: each step goes `overRelaxation` times as far as the plain step (centre + beta *
   * (mean - centre)). The step is kept only when the clustering it gives is no worse, by the
   * weighted SSE of a partition at its own means (sum w|x|^2 - sum |S_j|^2 / W_j, free from the
   * cluster sums); otherwise the centres fall back to the plain step's means, which costs one more
   * pass. So the SSE never increases, as in plain Lloyd. The run ends on a plain step: the centres
   * are their clusters' means. `overRelaxation` 1 is plain Lloyd.
   */
  run(maxIterations: number, tolerance: number, overRelaxation = 1): number {
    const k = this.k;
    const centres = this.centres;
    const means = new Float64Array(k * 4);
    const fallback = new Float64Array(k * 4);
    let bestFit = Number.NEGATIVE_INFINITY;
    let relaxed = false;
    let iterations = 0;
    while (iterations < maxIterations) {
      this.assign(null);
      iterations++;
      const fit = this.fit();
      if (relaxed && fit < bestFit && iterations < maxIterations) {
        // The over-relaxed step made the clustering worse: take the plain step instead.
        centres.set(fallback);
        relaxed = false;
        continue;
      }
      bestFit = fit;
      const empty = this.means(means);
      const max = largestMove(centres, means, k);
      if (Math.sqrt(max) <= tolerance || empty || overRelaxation === 1) {
        centres.set(means);
        relaxed = false;
        if (Math.sqrt(max) <= tolerance) break;
        continue;
      }
      fallback.set(means);
      overRelax(centres, means, k, overRelaxation);
      relaxed = true;
    }
    if (relaxed) centres.set(fallback);
    return iterations;
  }

  /** Sum over clusters of |S_j|^2 / W_j under the metric: the weighted SSE at the means is a constant minus this. */
  private fit(): number {
    const { k, sums, mass, w0, w1, w2, w3 } = this;
    let f = 0;
    for (let j = 0; j < k; j++) {
      const m = mass[j];
      if (m > 0) {
        const o = j * 4;
        f +=
          (w0 * sums[o] * sums[o] +
            w1 * sums[o + 1] * sums[o + 1] +
            w2 * sums[o + 2] * sums[o + 2] +
            w3 * sums[o + 3] * sums[o + 3]) /
          m;
      }
    }
    return f;
  }

  /** Replaces the centres (k * 4 floats). */
  setCentres(centres: Float64Array): void {
    this.centres.set(centres.subarray(0, this.k * 4));
  }

  /** Nearest centre of every distinct colour, indexed like the histogram. */
  nearestAssignment(): Int32Array {
    const byPosition = new Int32Array(this.tree.n);
    this.assign(byPosition);
    const out = new Int32Array(this.tree.n);
    const order = this.tree.order;
    for (let p = 0; p < out.length; p++) out[order[p]] = byPosition[p];
    return out;
  }

  /** One assignment pass: cluster sums and masses from scratch; optionally each colour's centre. */
  private assign(record: Int32Array | null): void {
    const native = nativeKernels();
    if (native !== undefined) {
      // the same pass in C (native/tree_assign.c): one call, the arrays read in place
      const t = this.tree;
      native.treeAssign(
        t.lo,
        t.hi,
        t.points,
        t.firstChild,
        t.childCount,
        t.start,
        t.end,
        t.weights,
        t.sum,
        t.weight,
        this.centres,
        this.k,
        t.opaque,
        this.sums,
        this.mass,
        this.cand,
        record,
        this.metric,
      );
      return;
    }
    this.sums.fill(0);
    this.mass.fill(0);
    this.record = record;
    if (this.tree.n === 0) return;
    let opaque = this.tree.opaque;
    for (let j = 0; j < this.k; j++) {
      this.cand[j] = j;
      if (this.centres[j * 4 + 3] !== 255) opaque = false;
    }
    if (opaque) this.visit3(0, 0, this.k);
    else this.visit(0, 0, this.k);
    this.record = null;
  }

  /**
   * Filters the candidate centres cand[off .. off + count) against node's box (Kanungo et al.),
   * then assigns the node whole, recurses, or assigns its leaf colours one by one.
   *
   * Deliberately one function, unrolled by channel (one local per channel, no inner loop over
   * the 4 channels): it is the k-means' hot recursion, run for every node on every Lloyd
   * iteration. Splitting its leaf loop into a method kept the palettes and indices identical but
   * could not be shown free here: quantize(256) at 4 MP took 1.41-1.71 s before and 1.66-1.76 s
   * after on a 2-core machine at load average ~11 (astronaut, coffee, chelsea), so it stays
   * whole until a quiet `pnpm bench` says otherwise.
   */
  private visit(node: number, off: number, count: number): void {
    const { lo, hi, firstChild, childCount, start, end, points, weights } = this.tree;
    const { w0, w1, w2, w3 } = this;
    const c = this.centres;
    const cand = this.cand;
    const o = node * 4;
    const l0 = lo[o];
    const l1 = lo[o + 1];
    const l2 = lo[o + 2];
    const l3 = lo[o + 3];
    const h0 = hi[o];
    const h1 = hi[o + 1];
    const h2 = hi[o + 2];
    const h3 = hi[o + 3];
    const m0 = (l0 + h0) * 0.5;
    const m1 = (l1 + h1) * 0.5;
    const m2 = (l2 + h2) * 0.5;
    const m3 = (l3 + h3) * 0.5;
    let best = cand[off];
    let bestD = Number.POSITIVE_INFINITY;
    for (let i = off; i < off + count; i++) {
      const z = cand[i] * 4;
      const d0 = m0 - c[z];
      const d1 = m1 - c[z + 1];
      const d2 = m2 - c[z + 2];
      const d3 = m3 - c[z + 3];
      const d = w0 * d0 * d0 + w1 * d1 * d1 + w2 * d2 * d2 + w3 * d3 * d3;
      if (d < bestD) {
        bestD = d;
        best = cand[i];
      }
    }
    const b = best * 4;
    const next = off + count;
    let kept = 0;
    for (let i = off; i < off + count; i++) {
      const zi = cand[i];
      if (zi !== best) {
        const z = zi * 4;
        // Box vertex most favourable to z against best.
        const v0 = c[z] > c[b] ? h0 : l0;
        const v1 = c[z + 1] > c[b + 1] ? h1 : l1;
        const v2 = c[z + 2] > c[b + 2] ? h2 : l2;
        const v3 = c[z + 3] > c[b + 3] ? h3 : l3;
        const a0 = v0 - c[z];
        const a1 = v1 - c[z + 1];
        const a2 = v2 - c[z + 2];
        const a3 = v3 - c[z + 3];
        const b0 = v0 - c[b];
        const b1 = v1 - c[b + 1];
        const b2 = v2 - c[b + 2];
        const b3 = v3 - c[b + 3];
        if (
          w0 * a0 * a0 + w1 * a1 * a1 + w2 * a2 * a2 + w3 * a3 * a3 >
          w0 * b0 * b0 + w1 * b1 * b1 + w2 * b2 * b2 + w3 * b3 * b3
        )
          continue;
      }
      cand[next + kept++] = zi;
    }
    if (kept === 1) {
      this.addNode(best, node);
      if (this.record !== null) this.record.fill(best, start[node], end[node]);
      return;
    }
    const kids = childCount[node];
    if (kids > 0) {
      const first = firstChild[node];
      for (let child = first; child < first + kids; child++) this.visit(child, next, kept);
      return;
    }
    // Leaf: each colour against the remaining candidates (in index order: ties to the lowest).
    const sums = this.sums;
    for (let p = start[node]; p < end[node]; p++) {
      const q = p * 4;
      const x0 = points[q];
      const x1 = points[q + 1];
      const x2 = points[q + 2];
      const x3 = points[q + 3];
      let nearest = cand[next];
      let nearestD = Number.POSITIVE_INFINITY;
      for (let i = next; i < next + kept; i++) {
        const z = cand[i] * 4;
        const d0 = x0 - c[z];
        const d1 = x1 - c[z + 1];
        const d2 = x2 - c[z + 2];
        const d3 = x3 - c[z + 3];
        const d = w0 * d0 * d0 + w1 * d1 * d1 + w2 * d2 * d2 + w3 * d3 * d3;
        if (d < nearestD) {
          nearestD = d;
          nearest = cand[i];
        }
      }
      const w = weights[p];
      const s = nearest * 4;
      sums[s] += w * x0;
      sums[s + 1] += w * x1;
      sums[s + 2] += w * x2;
      sums[s + 3] += w * x3;
      this.mass[nearest] += w;
      if (this.record !== null) this.record[p] = nearest;
    }
  }

  /**
   * visit() for opaque colours and centres (alpha 255 throughout): the alpha terms of every
   * distance are exactly 0, so they are left out; same result, less arithmetic. A copy of
   * visit() on purpose, unrolled the same way and for the same reason. Measured against visit()
   * on opaque images (quantize(256), median of 9, same palettes): astronaut 2048x2048 1250 vs
   * 1279 ms, chelsea 187 vs 194 ms, coffee 2000x1333 693 vs 604 ms, at load average ~11 on 2
   * cores: within that noise, so what the copy saves needs a quiet `pnpm bench` to state.
   */
  private visit3(node: number, off: number, count: number): void {
    const { lo, hi, firstChild, childCount, start, end, points, weights } = this.tree;
    const { w0, w1, w2 } = this;
    const c = this.centres;
    const cand = this.cand;
    const o = node * 4;
    const l0 = lo[o];
    const l1 = lo[o + 1];
    const l2 = lo[o + 2];
    const h0 = hi[o];
    const h1 = hi[o + 1];
    const h2 = hi[o + 2];
    const m0 = (l0 + h0) * 0.5;
    const m1 = (l1 + h1) * 0.5;
    const m2 = (l2 + h2) * 0.5;
    let best = cand[off];
    let bestD = Number.POSITIVE_INFINITY;
    for (let i = off; i < off + count; i++) {
      const z = cand[i] * 4;
      const d0 = m0 - c[z];
      const d1 = m1 - c[z + 1];
      const d2 = m2 - c[z + 2];
      const d = w0 * d0 * d0 + w1 * d1 * d1 + w2 * d2 * d2;
      if (d < bestD) {
        bestD = d;
        best = cand[i];
      }
    }
    const b = best * 4;
    const next = off + count;
    let kept = 0;
    for (let i = off; i < off + count; i++) {
      const zi = cand[i];
      if (zi !== best) {
        const z = zi * 4;
        // Box vertex most favourable to z against best.
        const v0 = c[z] > c[b] ? h0 : l0;
        const v1 = c[z + 1] > c[b + 1] ? h1 : l1;
        const v2 = c[z + 2] > c[b + 2] ? h2 : l2;
        const a0 = v0 - c[z];
        const a1 = v1 - c[z + 1];
        const a2 = v2 - c[z + 2];
        const b0 = v0 - c[b];
        const b1 = v1 - c[b + 1];
        const b2 = v2 - c[b + 2];
        if (w0 * a0 * a0 + w1 * a1 * a1 + w2 * a2 * a2 > w0 * b0 * b0 + w1 * b1 * b1 + w2 * b2 * b2)
          continue;
      }
      cand[next + kept++] = zi;
    }
    if (kept === 1) {
      this.addNode(best, node);
      if (this.record !== null) this.record.fill(best, start[node], end[node]);
      return;
    }
    const kids = childCount[node];
    if (kids > 0) {
      const first = firstChild[node];
      for (let child = first; child < first + kids; child++) this.visit3(child, next, kept);
      return;
    }
    // Leaf: each colour against the remaining candidates (in index order: ties to the lowest).
    const sums = this.sums;
    for (let p = start[node]; p < end[node]; p++) {
      const q = p * 4;
      const x0 = points[q];
      const x1 = points[q + 1];
      const x2 = points[q + 2];
      const x3 = points[q + 3];
      let nearest = cand[next];
      let nearestD = Number.POSITIVE_INFINITY;
      for (let i = next; i < next + kept; i++) {
        const z = cand[i] * 4;
        const d0 = x0 - c[z];
        const d1 = x1 - c[z + 1];
        const d2 = x2 - c[z + 2];
        const d = w0 * d0 * d0 + w1 * d1 * d1 + w2 * d2 * d2;
        if (d < nearestD) {
          nearestD = d;
          nearest = cand[i];
        }
      }
      const w = weights[p];
      const s = nearest * 4;
      sums[s] += w * x0;
      sums[s + 1] += w * x1;
      sums[s + 2] += w * x2;
      sums[s + 3] += w * x3;
      this.mass[nearest] += w;
      if (this.record !== null) this.record[p] = nearest;
    }
  }

  private addNode(j: number, node: number): void {
    const { sum, weight } = this.tree;
    const s = j * 4;
    const o = node * 4;
    this.sums[s] += sum[o];
    this.sums[s + 1] += sum[o + 1];
    this.sums[s + 2] += sum[o + 2];
    this.sums[s + 3] += sum[o + 3];
    this.mass[j] += weight[node];
  }

  /**
   * Each cluster's weighted mean; an empty cluster is re-seeded (in index
   * order) at the colour with the largest weighted squared error to its cluster's mean (ties:
   * first in tree order), which moves into it. Writes the means to `next`; returns whether some
   * cluster was empty.
   */
  private means(next: Float64Array): boolean {
    const { k, sums, mass, centres } = this;
    let empty = false;
    for (let j = 0; j < k; j++) {
      const m = mass[j];
      for (let d = 0; d < 4; d++)
        next[j * 4 + d] = m > 0 ? sums[j * 4 + d] / m : centres[j * 4 + d];
      if (!(m > 0)) empty = true;
    }
    if (empty) {
      const { points, weights, n } = this.tree;
      const assign = new Int32Array(n);
      this.assign(assign); // same centres: same clusters, now per colour
      for (let j = 0; j < k; j++) {
        if (mass[j] > 0) continue;
        let worst = -1;
        let worstErr = 0;
        for (let p = 0; p < n; p++) {
          const e = weights[p] * wdist2(points, p * 4, next, assign[p] * 4, this.metric);
          if (e > worstErr) {
            worstErr = e;
            worst = p;
          }
        }
        if (worst < 0) continue;
        const from = assign[worst];
        const w = weights[worst];
        for (let d = 0; d < 4; d++) {
          sums[from * 4 + d] -= w * points[worst * 4 + d];
          sums[j * 4 + d] = w * points[worst * 4 + d];
          next[j * 4 + d] = points[worst * 4 + d];
        }
        mass[from] -= w;
        mass[j] = w;
        assign[worst] = j;
        for (let d = 0; d < 4; d++) {
          if (mass[from] > 0) next[from * 4 + d] = sums[from * 4 + d] / mass[from];
        }
      }
    }
    return empty;
  }
}

// run()'s loops over the centres, each a function of its own so that V8 optimises the small
// loop once instead of replacing run() on the stack again and again (5 compiles a run).

/** The largest squared distance a centre moves to its mean. */
function largestMove(centres: Float64Array, means: Float64Array, k: number): number {
  let max = 0;
  for (let j = 0; j < k; j++) {
    const d = dist2(centres, j * 4, means, j * 4);
    if (d > max) max = d;
  }
  return max;
}

/** Moves each centre `beta` times as far as its plain step to the mean. */
function overRelax(centres: Float64Array, means: Float64Array, k: number, beta: number): void {
  for (let i = 0; i < k * 4; i++) centres[i] += beta * (means[i] - centres[i]);
}
