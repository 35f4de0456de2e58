/**
 * The search of a perceptual target: the fewest palette entries (and, where
 * no undithered palette serves, dithering) whose score reaches `target`. The
 * score is the caller's (a callback), so this stays free of the metric and of
 * I/O; the image is prepared once (histogram, coarse cells, colour tree) and
 * every probe is one clustering, one pixel write and one score.
 *
 * The rule (measured on the sample photos: scores rise steeply and roughly
 * linearly in log2(k) near the top):
 * 1. probe `colors` (the most allowed) undithered; if it falls short, probe it
 *    dithered; if both fall short, no palette serves (2 probes);
 * 2. otherwise search k below the passing probe in the same mode: the first
 *    guess steps down log2(k) by (score - target) / GUESS_SLOPE, then each
 *    next k is the secant on log2(k) between the bracketing probes (the
 *    largest failing, the smallest passing), until they are within
 *    BRACKET_RATIO of each other (or adjacent), the next k would be within
 *    BRACKET_RATIO of the passing one, or MAX_PROBES are spent; both
 *    aim AIM_MARGIN above the target, so that they tend to land on the passing side;
 * 3. the answer is the smallest passing probe. Dithering is tried only when
 *    undithered falls short at `colors`: where an undithered palette passes,
 *    dithering scores lower and deflates worse at the same k on every sample
 *    measured. With `dither` forced, every probe is dithered.
 */
import { ditherQuantized } from './dither.js';
import { COLORS, SEED } from './option-rules.js';
import { resolveOptions, validateImage } from './options.js';
import { prepare, quantizePrepared, releasePrepared } from './quantize.js';
import type { ColourDistance, PixelImage, QuantizeResult } from './types.js';

/** Score points per doubling of k assumed by the first guess below `colors` (measured near k=256: 7-8). */
export const GUESS_SLOPE = 8;
/** The search stops once the passing k is at most this times the failing k, or the next k would be. */
export const BRACKET_RATIO = 1.1;
/** Probes at most, the first one or two at `colors` included. */
export const MAX_PROBES = 5;
/**
 * Lloyd tolerance of every probe (quantize's default is 0.2 levels). Measured on the sample
 * photos at k = 128, 181, 256: 1 level costs 0.0-0.5 score points (0.15 typical) in a third to
 * half of the time. The probe's palette is the one stored, scored on its exact pixels.
 */
export const PROBE_TOLERANCE = 1;
/** Score points above the target that the guesses aim at, so that they land on the passing side. */
export const AIM_MARGIN = 0.3;

/** Options of {@link searchPalette}. */
export interface PaletteSearchOptions {
  /** The score to reach (the caller's scale, e.g. SSIMULACRA 2.1). */
  target: number;
  /** The most palette entries, 2 to 256. */
  colors: number;
  /** k-means seed of every probe (rule SEED). */
  seed: number;
  /** Dither every probe (default false: dither only where undithered falls short at `colors`). */
  dither?: boolean;
  /**
   * The colour distance of every probe's clustering and dithering (QuantizeOptions.distance).
   * Default 'perceptual': it reaches a perceptual score with fewer entries.
   */
  distance?: ColourDistance;
  /** The score of a candidate palette image of this image: higher is better. */
  score: (candidate: QuantizeResult) => number;
}

/** One palette tried. */
export interface PaletteProbe {
  /** Palette entries asked for. */
  k: number;
  dither: boolean;
  result: QuantizeResult;
  score: number;
}

/** What the search found. */
export interface PaletteSearchResult {
  /** The smallest passing probe; null when no palette reached the target. */
  chosen: PaletteProbe | null;
  /** The highest-scoring probe (what the row says when none passed). */
  best: PaletteProbe;
  /** Every probe, in the order run. */
  probes: PaletteProbe[];
}

/** The next k to probe strictly between `lo` (failing; k 1 when none) and `hi` (passing), or null when done. */
export function nextK(
  lo: Pick<PaletteProbe, 'k' | 'score'> | null,
  hi: Pick<PaletteProbe, 'k' | 'score'>,
  target: number,
): number | null {
  const floor = lo === null ? 1 : lo.k;
  if (hi.k - floor <= 1 || (lo !== null && hi.k <= lo.k * BRACKET_RATIO)) return null;
  let x: number;
  const aim = Math.min(hi.score, target + AIM_MARGIN);
  if (lo === null) {
    x = Math.log2(hi.k) - (hi.score - aim) / GUESS_SLOPE;
  } else {
    const t = (aim - lo.score) / (hi.score - lo.score);
    x = Math.log2(lo.k) + t * (Math.log2(hi.k) - Math.log2(lo.k));
  }
  const k = Math.min(hi.k - 1, Math.max(floor + 1, Math.round(2 ** x)));
  // a step that would save less than BRACKET_RATIO in k is not worth a probe
  return k * BRACKET_RATIO > hi.k ? null : k;
}

/**
 * Searches the palette of `image` that reaches `options.target` with the fewest entries (the
 * rule is in this file's header). Pure: the only outside work is `options.score`.
 *
 * @throws TypeError/RangeError naming a bad image, colors or seed.
 */
export function searchPalette(
  image: PixelImage,
  options: PaletteSearchOptions,
): PaletteSearchResult {
  validateImage(image);
  const colors = COLORS.check(options.colors);
  const seed = SEED.check(options.seed);
  const { target } = options;
  const distance = options.distance ?? 'perceptual';
  const { metric } = resolveOptions({ distance });
  const prepared = prepare(image);
  const probes: PaletteProbe[] = [];
  // the palettes by k: dithering at k reuses the clustering of k
  const palettes = new Map<number, QuantizeResult>();
  const probe = (k: number, dither: boolean): PaletteProbe => {
    const plain =
      palettes.get(k) ??
      quantizePrepared(image, prepared, { colors: k, seed, tolerance: PROBE_TOLERANCE, distance });
    palettes.set(k, plain);
    const result = dither ? ditherQuantized(image, plain, undefined, metric) : plain;
    const p = { k, dither, result, score: options.score(result) };
    probes.push(p);
    return p;
  };
  try {
    let hi = probe(colors, options.dither === true);
    if (hi.score < target && options.dither !== true) {
      const dithered = probe(colors, true);
      if (dithered.score >= target) hi = dithered;
    }
    if (hi.score < target) return { chosen: null, best: bestOf(probes), probes };
    let lo: PaletteProbe | null = null;
    while (probes.length < MAX_PROBES) {
      const k = nextK(lo, hi, target);
      if (k === null) break;
      const p = probe(k, hi.dither);
      if (p.score >= target) hi = p;
      else lo = p;
    }
    return { chosen: hi, best: bestOf(probes), probes };
  } finally {
    releasePrepared(prepared);
  }
}

function bestOf(probes: PaletteProbe[]): PaletteProbe {
  return probes.reduce((a, b) => (b.score > a.score ? b : a));
}
