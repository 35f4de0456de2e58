/**
 * REFERENCE AND BENCHMARK HELPERS: slow, exact baselines that quantize() is measured against.
 * Not for production use: they visit every pixel on every iteration.
 */
import { releaseHistogram } from './hist.js';
import { psnrFromMse } from './metrics.js';
import { dist2, NearestSearch } from './nearest.js';
import { resolveOptions, validateImage } from './options.js';
import { duplicateMap, orderPalette, roundCentres } from './pal.js';
import { clusterBudget, initialCentres, prepare } from './quantize.js';
import { Random } from './random.js';
import type { PixelImage, QuantizeOptions, QuantizeResult } from './types.js';

/**
 * The exact initial centres (4 floats each: r, g, b, a; a = 255 for opaque images) that
 * quantize() starts from with the same image and options. When the image has no more distinct
 * colours than entries, these are the distinct colours themselves.
 */
export function kmeansppInit(image: PixelImage, options?: QuantizeOptions): Float64Array {
  validateImage(image);
  const resolved = resolveOptions(options);
  const prepared = prepare(image);
  const k = Math.max(1, clusterBudget(prepared.hist, resolved.colors));
  releaseHistogram(prepared.hist); // only its colours and counts are used below
  if (prepared.hist.size <= k) return Float64Array.from(prepared.hist.colors);
  const { centres, count } = initialCentres(prepared, k, resolved.seed);
  return centres.slice(0, count * 4);
}

/** Options of {@link fullPixelLloyd}. */
export interface FullPixelLloydOptions {
  /** Cap on Lloyd iterations. Default 100. */
  maxIterations?: number;
  /** Converged when no centre moves more than this (8-bit levels). Default 0.2, as quantize(). */
  tolerance?: number;
}

interface PixelPoints {
  points: Float64Array;
  /** Pixel index of each point (fully transparent pixels are left out). */
  pixel: Int32Array;
  n: number;
  translucent: boolean;
}

function pixelPoints(image: PixelImage): PixelPoints {
  const { data, channels } = image;
  const pixels = image.width * image.height;
  let translucent = false;
  if (channels === 4)
    for (let o = 3; o < data.length && !translucent; o += 4) translucent = data[o] !== 255;
  const points = new Float64Array(pixels * 4);
  const pixel = new Int32Array(pixels);
  let n = 0;
  for (let p = 0, o = 0; p < pixels; p++, o += channels) {
    const a = channels === 4 ? data[o + 3] : 255;
    if (translucent && a === 0) continue;
    points[n * 4] = data[o];
    points[n * 4 + 1] = data[o + 1];
    points[n * 4 + 2] = data[o + 2];
    points[n * 4 + 3] = translucent ? a : 255;
    pixel[n++] = p;
  }
  return { points, pixel, n, translucent };
}

/**
 * Plain Lloyd over EVERY pixel from the given centres (4 floats each), to `tolerance` or
 * `maxIterations`: the exact answer quantize()'s histogram path approximates. Empty clusters are
 * re-seeded at the pixel farthest from its centre. The centres are then rounded, deduplicated and
 * each pixel mapped to its nearest entry, with quantize()'s palette order and error measure.
 */
export function fullPixelLloyd(
  image: PixelImage,
  centres: Float64Array,
  options: FullPixelLloydOptions = {},
): QuantizeResult {
  validateImage(image);
  const { maxIterations, tolerance } = resolveOptions({ colors: 2, ...options });
  if (centres.length === 0 || centres.length % 4 !== 0) {
    throw new RangeError(`centres length must be a positive multiple of 4, got ${centres.length}`);
  }
  const k = centres.length / 4;
  const { points, pixel, n, translucent } = pixelPoints(image);
  const c = Float64Array.from(centres);
  const assign = new Int32Array(n);
  const sums = new Float64Array(k * 4);
  const mass = new Float64Array(k);
  let iterations = 0;
  while (iterations < maxIterations) {
    const search = new NearestSearch(c, k);
    sums.fill(0);
    mass.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * 4;
      const j = search.nearest(points[o], points[o + 1], points[o + 2], points[o + 3]);
      assign[i] = j;
      mass[j]++;
      for (let d = 0; d < 4; d++) sums[j * 4 + d] += points[o + d];
    }
    let maxMove = 0;
    const next = new Float64Array(k * 4);
    for (let j = 0; j < k; j++) {
      for (let d = 0; d < 4; d++)
        next[j * 4 + d] = mass[j] > 0 ? sums[j * 4 + d] / mass[j] : c[j * 4 + d];
    }
    for (let j = 0; j < k; j++) {
      if (mass[j] > 0) continue;
      let worst = -1;
      let worstErr = 0;
      for (let i = 0; i < n; i++) {
        const e = dist2(points, i * 4, next, assign[i] * 4);
        if (e > worstErr) {
          worstErr = e;
          worst = i;
        }
      }
      if (worst < 0) continue;
      const from = assign[worst];
      for (let d = 0; d < 4; d++) {
        sums[from * 4 + d] -= points[worst * 4 + d];
        next[j * 4 + d] = points[worst * 4 + d];
      }
      mass[from]--;
      mass[j] = 1;
      assign[worst] = j;
      for (let d = 0; d < 4; d++) {
        if (mass[from] > 0) next[from * 4 + d] = sums[from * 4 + d] / mass[from];
      }
    }
    for (let j = 0; j < k; j++)
      maxMove = Math.max(maxMove, Math.sqrt(dist2(c, j * 4, next, j * 4)));
    c.set(next);
    iterations++;
    if (maxMove <= tolerance) break;
  }
  return finishPixels(image, points, pixel, n, translucent, c, k, iterations);
}

function finishPixels(
  image: PixelImage,
  points: Float64Array,
  pixel: Int32Array,
  n: number,
  translucent: boolean,
  centres: Float64Array,
  k: number,
  iterations: number,
): QuantizeResult {
  const rounded = roundCentres(centres, k, translucent);
  const dup = duplicateMap(rounded, k);
  const uniqueIds: number[] = [];
  for (let j = 0; j < k; j++) if (dup[j] === j) uniqueIds.push(j);
  const m = uniqueIds.length;
  const transparent = n < image.width * image.height;
  const total = m + (transparent ? 1 : 0);
  const entries = new Uint8Array(total * 4);
  uniqueIds.forEach((j, u) => {
    entries.set(rounded.subarray(j * 4, j * 4 + 4), u * 4);
  });
  const search = new NearestSearch(Float64Array.from(entries.subarray(0, m * 4)), m);
  const entryOf = new Int32Array(n);
  const counts = new Float64Array(total);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const u = search.nearest(points[o], points[o + 1], points[o + 2], points[o + 3]);
    entryOf[i] = u;
    counts[u]++;
    sum += search.best1;
  }
  const pixels = image.width * image.height;
  if (transparent) counts[m] = pixels - n;
  const ordered = orderPalette(entries, counts, total);
  const indices = new Uint8Array(pixels);
  if (transparent) indices.fill(ordered.index[m]);
  for (let i = 0; i < n; i++) indices[pixel[i]] = ordered.index[entryOf[i]];
  const mse = sum / (pixels * (translucent ? 4 : 3));
  return {
    palette: ordered.palette,
    colors: ordered.colors,
    hasAlpha: ordered.hasAlpha,
    indices,
    iterations,
    mse,
    psnr: psnrFromMse(mse),
  };
}

/** Options of {@link textbookKmeans}. */
export interface TextbookKmeansOptions {
  /**
   * Cap on Lloyd iterations, an integer >= 1. Default 1000. A benchmark that cannot afford a
   * full run on a large image caps it and reads the time per iteration.
   */
  maxIterations?: number;
}

/**
 * Textbook k-means: k initial centres drawn uniformly from the pixels (distinct colours, seeded),
 * then Lloyd over every pixel until the centres stop moving (tolerance 0, at most
 * `options.maxIterations`, default 1000).
 */
export function textbookKmeans(
  image: PixelImage,
  k: number,
  seed: number,
  options: TextbookKmeansOptions = {},
): QuantizeResult {
  validateImage(image);
  const { maxIterations } = resolveOptions({
    colors: k,
    seed,
    maxIterations: options.maxIterations ?? 1000,
  });
  const { data, channels } = image;
  const pixels = image.width * image.height;
  const random = new Random(seed);
  const chosen = new Set<number>();
  const centres: number[] = [];
  for (let attempt = 0; attempt < 64 * k && chosen.size < k; attempt++) {
    const p = random.nextUint32() % pixels;
    const o = p * channels;
    const a = channels === 4 ? data[o + 3] : 255;
    const key = ((data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | a) >>> 0;
    if (chosen.has(key) || (channels === 4 && a === 0)) continue;
    chosen.add(key);
    centres.push(data[o], data[o + 1], data[o + 2], a);
  }
  if (centres.length === 0) centres.push(0, 0, 0, 255);
  return fullPixelLloyd(image, Float64Array.from(centres), { maxIterations, tolerance: 0 });
}
