import type { ColorHistogram } from './hist.js';
import { type NativeKernels, nativeKernels } from './native.js';

/**
 * A 16-ary (4-D octree) tree over a histogram's distinct colours: colours are sorted by their
 * Morton code (bits of r, g, b, a interleaved, most significant first), so that every node is a
 * contiguous range, split by the next bit of each channel. Each node carries its colours' total
 * weight, weighted colour sum and bounding box, so that k-means can assign a whole node to one
 * centre at once (tree-kmeans.ts). Chains of single children are collapsed.
 */
export interface ColorTree {
  /** Colours in Morton order, 4 bytes each (r, g, b, a). */
  points: Uint8Array;
  /** Pixel count of each colour, in Morton order. */
  weights: Float64Array;
  /** Morton position -> distinct colour index in the histogram. */
  order: Int32Array;
  n: number;
  /** True when every colour has alpha 255 (distances then need only r, g, b). */
  opaque: boolean;
  nodes: number;
  /** Node colour range [start, end). */
  start: Int32Array;
  end: Int32Array;
  /** Children of a node are firstChild .. firstChild+childCount-1; childCount 0 is a leaf. */
  firstChild: Int32Array;
  childCount: Int32Array;
  weight: Float64Array;
  /** Weighted colour sums, 4 per node. */
  sum: Float64Array;
  /** Bounding box corners, 4 bytes per node (a quarter of the cache footprint of floats). */
  lo: Uint8Array;
  hi: Uint8Array;
}

/** Nodes with at most this many colours are leaves (their colours are tested one by one). */
export const LEAF_SIZE = 8;

const SPREAD = new Uint32Array(256);
for (let v = 0; v < 256; v++) {
  let s = 0;
  for (let b = 0; b < 8; b++) if (v & (1 << b)) s |= 1 << (4 * b);
  SPREAD[v] = s >>> 0;
}

/** Byte bits spread to every third bit (3-D Morton codes). */
const SPREAD3 = new Uint32Array(256);
for (let v = 0; v < 256; v++) {
  let s = 0;
  for (let b = 0; b < 8; b++) if (v & (1 << b)) s |= 1 << (3 * b);
  SPREAD3[v] = s;
}

/**
 * LSD radix sort of indices 0..n-1 by keys of `bits` bits (stable), in as few passes of at most
 * 12 bits as the keys need (24-bit keys: 2 passes of 12, 32-bit: 3 of 11), over (key, index)
 * pairs kept side by side: sequential reads, no indirection through the indices.
 */
function sortByKey(codes: Uint32Array, n: number, bits: number): Int32Array {
  let keys = Uint32Array.from(codes.subarray(0, n));
  let idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let tmpKeys = new Uint32Array(n);
  let tmpIdx = new Int32Array(n);
  const passes = Math.ceil(bits / 12);
  const digit = Math.ceil(bits / passes);
  const mask = (1 << digit) - 1;
  const count = new Int32Array(1 << digit);
  for (let shift = 0; shift < bits; shift += digit) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[i] >>> shift) & mask]++;
    let acc = 0;
    let allSame = false;
    for (let b = 0; b <= mask; b++) {
      const c = count[b];
      if (c === n) allSame = true;
      count[b] = acc;
      acc += c;
    }
    if (allSame) continue;
    for (let i = 0; i < n; i++) {
      const key = keys[i];
      const at = count[(key >>> shift) & mask]++;
      tmpKeys[at] = key;
      tmpIdx[at] = idx[i];
    }
    [keys, tmpKeys] = [tmpKeys, keys];
    [idx, tmpIdx] = [tmpIdx, idx];
  }
  return idx;
}

/** Builds the colour tree of a histogram: Morton order, colours in that order, nodes, node statistics. */
export function buildTree(hist: ColorHistogram): ColorTree {
  const native = nativeKernels();
  if (native !== undefined) return nativeTree(native, hist);
  const n = hist.size;
  const { codes, order, opaque } = mortonOrder(hist);
  const { points, weights, sorted } = inMortonOrder(hist, order, codes);
  const { nodes, start, end, firstChild, childCount } = buildNodes(sorted, n);
  const { weight, sum, lo, hi } = nodeStatistics(
    nodes,
    start,
    end,
    firstChild,
    childCount,
    points,
    weights,
  );
  return {
    points,
    weights,
    order,
    n,
    opaque,
    nodes,
    start,
    end,
    firstChild,
    childCount,
    weight,
    sum,
    lo,
    hi,
  };
}

/**
 * buildTree in C (native/tree_build.c): the same arrays, byte for byte. The node arrays are
 * filled at a capacity of 2n - 1 (every inner node has at least two children), then trimmed.
 */
function nativeTree(native: NativeKernels, hist: ColorHistogram): ColorTree {
  const n = hist.size;
  const points = new Uint8Array(n * 4);
  const weights = new Float64Array(n);
  const order = new Int32Array(n);
  const cap = Math.max(1, 2 * n - 1);
  const links = [0, 1, 2, 3].map(() => new Int32Array(cap));
  const flag = new Uint8Array(1);
  const [s, e, f, c] = links as [Int32Array, Int32Array, Int32Array, Int32Array];
  const nodes = native.treeNodes(
    hist.colors,
    hist.counts,
    n,
    points,
    weights,
    order,
    s,
    e,
    f,
    c,
    flag,
  );
  const [start, end, firstChild, childCount] = links.map((a) => a.slice(0, nodes)) as [
    Int32Array,
    Int32Array,
    Int32Array,
    Int32Array,
  ];
  const weight = new Float64Array(nodes);
  const sum = new Float64Array(nodes * 4);
  const lo = new Uint8Array(nodes * 4);
  const hi = new Uint8Array(nodes * 4);
  native.treeStatistics(points, weights, start, end, firstChild, childCount, weight, sum, lo, hi);
  return {
    points,
    weights,
    order,
    n,
    opaque: flag[0] === 1,
    nodes,
    start,
    end,
    firstChild,
    childCount,
    weight,
    sum,
    lo,
    hi,
  };
}

/** The colours' 4-D Morton codes, and the order that sorts them by Morton code. */
function mortonOrder(hist: ColorHistogram): {
  codes: Uint32Array;
  order: Int32Array;
  opaque: boolean;
} {
  const { colors, size: n } = hist;
  const codes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    codes[i] =
      ((SPREAD[colors[o]] << 3) |
        (SPREAD[colors[o + 1]] << 2) |
        (SPREAD[colors[o + 2]] << 1) |
        SPREAD[colors[o + 3]]) >>>
      0;
  }
  // Opaque colours share alpha 255: their order is that of the 3-D (r, g, b) Morton code, 24
  // bits (3 sort passes instead of 4).
  let opaque = true;
  for (let i = 0; i < n && opaque; i++) if (colors[i * 4 + 3] !== 255) opaque = false;
  if (!opaque) return { codes, order: sortByKey(codes, n, 32), opaque };
  const rgb = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    rgb[i] = (SPREAD3[colors[o]] << 2) | (SPREAD3[colors[o + 1]] << 1) | SPREAD3[colors[o + 2]];
  }
  return { codes, order: sortByKey(rgb, n, 24), opaque };
}

/** The colours, their weights and their codes, in Morton order. */
function inMortonOrder(
  hist: ColorHistogram,
  order: Int32Array,
  codes: Uint32Array,
): { points: Uint8Array; weights: Float64Array; sorted: Uint32Array } {
  const { colors, counts, size: n } = hist;
  const points = new Uint8Array(n * 4);
  const weights = new Float64Array(n);
  const sorted = new Uint32Array(n);
  const src32 = new Uint32Array(colors.buffer, colors.byteOffset, n);
  const dst32 = new Uint32Array(points.buffer, 0, n);
  for (let p = 0; p < n; p++) {
    const i = order[p];
    dst32[p] = src32[i];
    weights[p] = counts[i];
    sorted[p] = codes[i];
  }
  return { points, weights, sorted };
}

/** The tree's nodes over `n` Morton-sorted codes: each a range, split by the next digit, single-child chains collapsed. */
function buildNodes(
  sorted: Uint32Array,
  n: number,
): {
  nodes: number;
  start: Int32Array;
  end: Int32Array;
  firstChild: Int32Array;
  childCount: Int32Array;
} {
  let cap = Math.max(16, Math.ceil(n / 2));
  let start: Int32Array = new Int32Array(cap);
  let end: Int32Array = new Int32Array(cap);
  let firstChild: Int32Array = new Int32Array(cap);
  let childCount: Int32Array = new Int32Array(cap);
  let nodes = 0;
  const alloc = (count: number): number => {
    while (nodes + count > cap) {
      cap *= 2;
      start = grown(start, cap);
      end = grown(end, cap);
      firstChild = grown(firstChild, cap);
      childCount = grown(childCount, cap);
    }
    const id = nodes;
    nodes += count;
    return id;
  };

  // Iterative build: a stack of (node, level).
  const root = alloc(1);
  start[root] = 0;
  end[root] = n;
  const stack: number[] = [root, 0];
  const bounds = new Int32Array(17);
  while (stack.length > 0) {
    let level = stack.pop() as number;
    const node = stack.pop() as number;
    const s = start[node];
    const e = end[node];
    if (e - s <= LEAF_SIZE) continue;
    // Descend through levels where every colour shares the next digit (collapsed chains).
    let parts = 0;
    while (level < 8) {
      const shift = 28 - 4 * level;
      parts = 0;
      let prev = -1;
      for (let p = s; p < e; p++) {
        const digit = (sorted[p] >>> shift) & 15;
        if (digit !== prev) {
          bounds[parts++] = p;
          prev = digit;
        }
      }
      bounds[parts] = e;
      level++;
      if (parts > 1) break;
    }
    if (parts <= 1) continue; // identical codes cannot happen (distinct colours): a leaf
    const first = alloc(parts);
    firstChild[node] = first;
    childCount[node] = parts;
    for (let c = 0; c < parts; c++) {
      start[first + c] = bounds[c];
      end[first + c] = bounds[c + 1];
      stack.push(first + c, level);
    }
  }
  return {
    nodes,
    start: start.subarray(0, nodes),
    end: end.subarray(0, nodes),
    firstChild: firstChild.subarray(0, nodes),
    childCount: childCount.subarray(0, nodes),
  };
}

/** `a` copied into a new array of `cap` entries. */
function grown(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

/** Each node's weight, weighted colour sum and bounding box, children before parents (children always have larger ids). */
function nodeStatistics(
  nodes: number,
  start: Int32Array,
  end: Int32Array,
  firstChild: Int32Array,
  childCount: Int32Array,
  points: Uint8Array,
  weights: Float64Array,
): NodeStatistics {
  const stats: NodeStatistics = {
    weight: new Float64Array(nodes),
    sum: new Float64Array(nodes * 4),
    lo: new Uint8Array(nodes * 4).fill(255),
    hi: new Uint8Array(nodes * 4),
  };
  const { weight, sum, lo, hi } = stats;
  for (let node = nodes - 1; node >= 0; node--) {
    if (childCount[node] === 0) {
      leafStatistics(node, start[node], end[node], points, weights, stats);
      continue;
    }
    const o = node * 4;
    for (let c = firstChild[node]; c < firstChild[node] + childCount[node]; c++) {
      weight[node] += weight[c];
      for (let d = 0; d < 4; d++) {
        sum[o + d] += sum[c * 4 + d];
        if (lo[c * 4 + d] < lo[o + d]) lo[o + d] = lo[c * 4 + d];
        if (hi[c * 4 + d] > hi[o + d]) hi[o + d] = hi[c * 4 + d];
      }
    }
  }
  return stats;
}

/** Per node: weight, weighted colour sums (4 a node) and bounding box corners (4 bytes a node). */
interface NodeStatistics {
  weight: Float64Array;
  sum: Float64Array;
  lo: Uint8Array;
  hi: Uint8Array;
}

/**
 * A leaf's statistics over its colours [from, to). One local per channel, unrolled by hand: this
 * loop runs over every distinct colour once per tree.
 */
function leafStatistics(
  node: number,
  from: number,
  to: number,
  points: Uint8Array,
  weights: Float64Array,
  stats: NodeStatistics,
): void {
  let w = 0;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let lo0 = 255;
  let lo1 = 255;
  let lo2 = 255;
  let lo3 = 255;
  let hi0 = 0;
  let hi1 = 0;
  let hi2 = 0;
  let hi3 = 0;
  for (let p = from; p < to; p++) {
    const pw = weights[p];
    const q = p * 4;
    const v0 = points[q];
    const v1 = points[q + 1];
    const v2 = points[q + 2];
    const v3 = points[q + 3];
    w += pw;
    s0 += pw * v0;
    s1 += pw * v1;
    s2 += pw * v2;
    s3 += pw * v3;
    if (v0 < lo0) lo0 = v0;
    if (v1 < lo1) lo1 = v1;
    if (v2 < lo2) lo2 = v2;
    if (v3 < lo3) lo3 = v3;
    if (v0 > hi0) hi0 = v0;
    if (v1 > hi1) hi1 = v1;
    if (v2 > hi2) hi2 = v2;
    if (v3 > hi3) hi3 = v3;
  }
  const o = node * 4;
  const { sum, lo, hi } = stats;
  stats.weight[node] = w;
  sum[o] = s0;
  sum[o + 1] = s1;
  sum[o + 2] = s2;
  sum[o + 3] = s3;
  lo[o] = lo0;
  lo[o + 1] = lo1;
  lo[o + 2] = lo2;
  lo[o + 3] = lo3;
  hi[o] = hi0;
  hi[o + 1] = hi1;
  hi[o + 2] = hi2;
  hi[o + 3] = hi3;
}
