import { coarsePoints, exactPoints, type WeightedPoints } from './coarse.js';
import { TreeKmeans } from './tree-kmeans.js';
import { buildHistogram, type ColorHistogram, releaseHistogram } from './hist.js';
import { defaultTrials, kmeansPlusPlus } from './init.js';
import { WeightedKmeans } from './kmeans.js';
import { mseForPsnr, psnrFromMse } from './metrics.js';
import { nativeKernels } from './native.js';
import { dist2 } from './nearest.js';
import { type ResolvedOptions, resolveOptions, validateImage } from './options.js';
import { orderPalette, roundCentres } from './pal.js';
import { Random } from './random.js';
import { writeIndices } from './remap.js';
import { buildTree, type ColorTree } from './tree.js';
import type { ColourDistance, PixelImage, QuantizeOptions, QuantizeResult } from './types.js';

/**
 * Histograms with more distinct colours than this are clustered in two stages: k-means++ and
 * Lloyd (Hamerly bounds, kmeans.ts) on coarse cells (coarse.ts), then exact weighted Lloyd on
 * the distinct colours (filter.ts) from there. Smaller ones go straight to the exact stage.
 */
export const COARSE_MIN_COLORS = 4096;

/**
 * Up to this many clusters, a middle stage runs between the coarse cells and the exact colours:
 * Lloyd (Hamerly bounds) on finer cells, 6 bits per channel (coarse.ts), so that the exact stage
 * starts nearer its end. Measured at 12 MP: k=16 exact passes 28 -> 5 for ~15 ms of middle stage
 * (net gain ~30-40 ms); at k=64 and 256 the middle stage costs more than it saves.
 */
export const MIDDLE_MAX_CLUSTERS = 32;

/**
 * ...and only for histograms of at least this many distinct colours: below, exact passes are
 * cheap and the middle stage cost more than it saved (astronaut, 113k colours, k=16: ~11 ms of
 * coarse + exact stages against ~27 with it).
 */
export const MIDDLE_MIN_COLORS = 200_000;

/** Step factor of the exact stage's over-relaxed Lloyd (filter.ts); 1 would be plain Lloyd. */
export const OVER_RELAXATION = 1.8;

/** One clustering of a histogram's distinct colours. */
interface Clustering {
  /** Candidate entries, 4 bytes each (rounded centres; may hold duplicates or unused ones). */
  entries: Uint8Array;
  count: number;
  /** Distinct colour -> candidate entry (its exact nearest). */
  colourEntry: Int32Array;
  iterations: number;
  /** Weighted sum of squared errors over the distinct colours. */
  sse: number;
}

/** Everything the clustering of one image shares between runs with different k. */
export interface Prepared {
  hist: ColorHistogram;
  /** Points k-means++ starts from: coarse cells, or the exact colours for small histograms. */
  seedPoints: WeightedPoints;
  coarse: boolean;
  /** The exact colours in a tree for the exact Lloyd stage. */
  tree: ColorTree;
  /** Finer cells for the middle stage (built on first use). */
  middle: WeightedPoints | null;
  /**
   * The longest k-means++ sequence drawn so far, by seed and distance (built on first use). Greedy k-means++
   * draws the same centres in the same order whatever k it stops at (its trials per step are 8
   * for every k up to 403), so the first k of a longer sequence are exactly the seeding of k: a
   * search over palette sizes seeds once, not once per size.
   */
  seeds: Map<string, { centres: Float64Array; count: number; k: number }>;
}

/** Builds the histogram and the point sets of an (already validated) image. */
export function prepare(image: PixelImage): Prepared {
  const hist = buildHistogram(image);
  const coarse = hist.size > COARSE_MIN_COLORS;
  const tree = buildTree(hist);
  return {
    hist,
    seedPoints: coarse ? coarsePoints(hist) : exactPoints(hist),
    coarse,
    tree,
    middle: null,
    seeds: new Map(),
  };
}

/** Palette entries left for clustering once the transparent entry (if any) is set aside. */
export function clusterBudget(hist: ColorHistogram, colors: number): number {
  return colors - (hist.transparentCount > 0 ? 1 : 0);
}

/** The k-means++ centres (4 floats each, `count` of them) that clustering starts from. */
export function initialCentres(
  prepared: Prepared,
  k: number,
  seed: number,
  distance: ColourDistance = 'rgb',
): { centres: Float64Array; count: number } {
  const key = `${seed}/${distance}`;
  let drawn = prepared.seeds.get(key);
  if (drawn === undefined || drawn.k < k || defaultTrials(drawn.k) !== defaultTrials(k)) {
    const { points, weights, n } = prepared.seedPoints;
    const { metric } = resolveOptions({ distance });
    const random = new Random(seed);
    drawn = { ...kmeansPlusPlus(points, weights, n, k, random, defaultTrials(k), metric), k };
    prepared.seeds.set(key, drawn);
  }
  // fewer than k only when every point already sits on a centre: then at any longer k too
  const count = Math.min(k, drawn.count);
  return { centres: drawn.centres.subarray(0, count * 4), count };
}

function cluster(prepared: Prepared, k: number, options: ResolvedOptions): Clustering {
  const { hist } = prepared;
  const n = hist.size;
  if (n <= k) {
    // No more distinct colours than entries: the palette is the colours themselves.
    return {
      entries: hist.colors,
      count: n,
      colourEntry: Int32Array.from({ length: n }, (_, i) => i),
      iterations: 0,
      sse: 0,
    };
  }
  const start = initialCentres(prepared, k, options.seed, options.distance);
  let centres = start.centres;
  const count = start.count;
  let iterations = 0;
  if (prepared.coarse) {
    const s = prepared.seedPoints;
    const coarse = new WeightedKmeans(s.points, s.weights, s.n, centres, count, options.metric);
    iterations += coarse.run(options.maxIterations, options.tolerance);
    centres = coarse.centres;
    if (
      count <= MIDDLE_MAX_CLUSTERS &&
      n >= MIDDLE_MIN_COLORS &&
      iterations < options.maxIterations
    ) {
      prepared.middle ??= coarsePoints(hist, 6);
      const m = prepared.middle;
      const middle = new WeightedKmeans(m.points, m.weights, m.n, centres, count, options.metric);
      iterations += middle.run(options.maxIterations - iterations, options.tolerance);
      centres = middle.centres;
    }
  }
  const km = new TreeKmeans(prepared.tree, centres, count, options.metric);
  iterations += km.run(options.maxIterations - iterations, options.tolerance, OVER_RELAXATION);

  // Round to 8 bits, then map every colour to its exact nearest rounded entry.
  const entries = roundCentres(km.centres, count, hist.hasAlpha);
  km.setCentres(Float64Array.from(entries));
  const colourEntry = km.nearestAssignment();
  const sse = weightedSse(hist.colors, hist.counts, n, entries, colourEntry);
  return { entries, count, colourEntry, iterations, sse };
}

// The per-colour loops below are functions of their own so that V8 optimises each small loop
// once, not the whole caller again and again (on-stack replacement of a large function with
// half its calls not yet seen deoptimised `cluster` and `paletteImage` 6-13 times a run).

/**
 * Weighted sum of squared errors of the distinct colours against their entries. The arrays are
 * passed, not the histogram: code reading them through the histogram object was deoptimised
 * whenever a new histogram's fields changed V8's assumptions about the object.
 */
function weightedSse(
  colors: Uint8Array,
  counts: Float64Array,
  size: number,
  entries: Uint8Array,
  colourEntry: Int32Array,
): number {
  const native = nativeKernels(); // the same integer sums in C (native/palette_tables.c)
  if (native !== undefined) {
    return native.colourSse(colors, counts, size, entries, entries.length >> 2, colourEntry);
  }
  let sse = 0;
  for (let i = 0; i < size; i++) {
    sse += counts[i] * dist2(colors, i * 4, entries, colourEntry[i] * 4);
  }
  return sse;
}

/** Pixels per candidate entry (`total` of them; the colours' entries are below it). */
function entryCounts(
  pixelCounts: Float64Array,
  size: number,
  colourEntry: Int32Array,
  total: number,
): Float64Array {
  const counts = new Float64Array(total);
  const native = nativeKernels();
  if (native !== undefined) native.entryCounts(pixelCounts, size, colourEntry, counts);
  else for (let i = 0; i < size; i++) counts[colourEntry[i]] += pixelCounts[i];
  return counts;
}

/** Each distinct colour's palette index: its entry's place in the ordered palette. */
function colourIndices(size: number, colourEntry: Int32Array, index: Int32Array): Uint8Array {
  const colourIndex = new Uint8Array(size);
  const native = nativeKernels();
  if (native !== undefined) native.colourIndices(size, colourEntry, index, colourIndex);
  else for (let i = 0; i < size; i++) colourIndex[i] = index[colourEntry[i]];
  return colourIndex;
}

function clusterMse(prepared: Prepared, c: Clustering): number {
  const { hist } = prepared;
  return hist.pixels === 0 ? 0 : c.sse / (hist.pixels * (hist.hasAlpha ? 4 : 3));
}

/**
 * Clusters for `options.colors` entries, or with `options.quality` the fewest entries from 2 to
 * `colors` whose PSNR reaches it. The search is a binary search over the entry count, each step
 * a full clustering of the histogram (the pixels are read only twice in all); its answer c has
 * PSNR >= quality and c - 1 entries fall short (unless c is 2 or `colors` itself falls short).
 */
function chooseClustering(prepared: Prepared, options: ResolvedOptions): Clustering {
  const { hist } = prepared;
  const run = (colors: number): Clustering =>
    cluster(prepared, Math.max(1, clusterBudget(hist, colors)), options);
  if (options.quality === undefined) return run(options.colors);
  const target = mseForPsnr(options.quality);
  // seed once for the most entries: every smaller size's seeding is its prefix (Prepared.seeds)
  const most = Math.max(1, clusterBudget(hist, options.colors));
  if (hist.size > most) initialCentres(prepared, most, options.seed, options.distance);
  const memo = new Map<number, Clustering>();
  const at = (colors: number): Clustering => {
    let c = memo.get(colors);
    if (c === undefined) {
      c = run(colors);
      memo.set(colors, c);
    }
    return c;
  };
  let lo = 2;
  let hi = options.colors;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (clusterMse(prepared, at(mid)) <= target) hi = mid;
    else lo = mid + 1;
  }
  return at(lo);
}

/**
 * Reduces an image to a palette of at most `options.colors` entries with k-means.
 *
 * Pipeline: exact colour histogram (one pass over the pixels); greedy weighted k-means++ on
 * coarse cells (5 bits per channel); Lloyd with Hamerly bounds on the cells; for few clusters
 * and many colours, the same on finer cells (6 bits, MIDDLE_MAX_CLUSTERS); then exact weighted
 * Lloyd on the distinct colours, filtered through a Morton-ordered colour tree and over-relaxed
 * (filter.ts), to `tolerance`; centres rounded to 8 bits; each distinct colour mapped to its
 * exact nearest rounded entry; duplicates and unused entries dropped; pixels written through a
 * per-colour table (one more pass). `iterations` counts the passes of every Lloyd stage, which
 * share `maxIterations`. Fully transparent pixels become one entry (0,0,0,0); images with any
 * alpha < 255 are clustered in RGBA, others in RGB.
 *
 * @throws TypeError/RangeError naming the bad field and value.
 */
export function quantize(image: PixelImage, options?: QuantizeOptions): QuantizeResult {
  validateImage(image);
  const resolved = resolveOptions(options);
  const prepared = prepare(image);
  try {
    return paletteImage(image, prepared, chooseClustering(prepared, resolved));
  } finally {
    releasePrepared(prepared);
  }
}

/**
 * The palette image of one clustering: entries ordered (palette.ts), the transparent entry
 * added, every pixel written through its colour's entry. The histogram stays usable.
 */
function paletteImage(image: PixelImage, prepared: Prepared, c: Clustering): QuantizeResult {
  const { hist } = prepared;
  // Candidate entries: the clustering's, then the transparent one.
  const transparent = hist.transparentCount > 0;
  const total = c.count + (transparent ? 1 : 0);
  const entries = new Uint8Array(total * 4);
  entries.set(c.entries.subarray(0, c.count * 4));
  const counts = entryCounts(hist.counts, hist.size, c.colourEntry, total);
  if (transparent) counts[c.count] = hist.transparentCount; // entry stays (0,0,0,0)
  const ordered = orderPalette(entries, counts, total);

  const colourIndex = colourIndices(hist.size, c.colourEntry, ordered.index);
  const transparentIndex = transparent ? ordered.index[c.count] : 0;
  const indices = writeIndices(image, hist, colourIndex, transparentIndex);
  const mse = clusterMse(prepared, c);
  return {
    palette: ordered.palette,
    colors: ordered.colors,
    hasAlpha: ordered.hasAlpha,
    indices,
    iterations: c.iterations,
    mse,
    psnr: psnrFromMse(mse),
  };
}

/** Hands a prepared image's histogram tables back (releaseHistogram); it is unusable after. */
export function releasePrepared(prepared: Prepared): void {
  releaseHistogram(prepared.hist);
}

/**
 * The palette image of `colors` entries of an image prepared once (prepare), so that a search
 * over palette sizes builds the histogram, the coarse cells and the colour tree only once. Call
 * releasePrepared when done.
 */
export function quantizePrepared(
  image: PixelImage,
  prepared: Prepared,
  options: QuantizeOptions,
): QuantizeResult {
  const resolved = resolveOptions({ ...options, quality: undefined });
  const k = Math.max(1, clusterBudget(prepared.hist, resolved.colors));
  return paletteImage(image, prepared, cluster(prepared, k, resolved));
}
