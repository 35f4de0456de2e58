/**
 * The palette of a perceptual target: @kpress/core's searchPalette, scored by
 * SSIMULACRA 2.1 against the decoded source (perceptual-score.ts: the
 * source's half prepared once, each probe one remap and one score). An image
 * no palette serves is refused as BELOW_TARGET (kept as the original), its
 * message naming the best score reached and where.
 */
import { type QuantizeResult, quantize, searchPalette } from '@kpress/core';
import type { DecodedImage } from './decode.js';
import { CodecError } from './errors.js';
import { candidateScorer } from './perceptual-score.js';

/** The chosen palette image, its score (exact pixels stored) and what the search cost. */
export interface TargetPalette {
  result: QuantizeResult;
  /** SSIMULACRA 2.1 of `result` against the source, unrounded; null when the image has none (exact palette). */
  score: number | null;
  /** Palettes tried. */
  probes: number;
  /** Time spent scoring, of the whole search. */
  scoreMs: number;
}

function how(k: number, dither: boolean): string {
  return `${k} colours${dither ? ', dithered' : ''}`;
}

/**
 * The fewest-entry palette (up to `colors`) of `image` whose SSIMULACRA 2.1
 * score is at least `target`. An image with no score (under 8x8 pixels, or
 * beyond the metric's memory) is stored only when `colors` entries hold it
 * exactly (PSNR Infinity: nothing lost); otherwise it is refused too.
 *
 * @throws CodecError BELOW_TARGET.
 */
export function targetPalette(
  image: DecodedImage,
  o: { target: number; colors: number; seed: number; dither: boolean },
): TargetPalette {
  const size = { width: image.width, height: image.height };
  const scorer = candidateScorer(image);
  if (scorer === null) {
    const exact = quantize(image, { colors: o.colors, seed: o.seed });
    if (exact.psnr === Number.POSITIVE_INFINITY) {
      return { result: exact, score: null, probes: 1, scoreMs: 0 };
    }
    throw new CodecError(
      'BELOW_TARGET',
      `no SSIMULACRA 2.1 score for a ${image.width}x${image.height} image (defined from 8x8 pixels up to about 46 MP), and ${o.colors} colours do not hold it exactly: the target ${o.target} cannot be shown to be met`,
      { size },
    );
  }
  let scoreMs = 0;
  const found = searchPalette(image, {
    ...o,
    score: (candidate) => {
      const t = performance.now();
      const s = scorer.score(candidate);
      scoreMs += performance.now() - t;
      return s;
    },
  });
  if (found.chosen === null) {
    const { best } = found;
    throw new CodecError(
      'BELOW_TARGET',
      `best SSIMULACRA 2.1 score ${(Math.floor(best.score * 100) / 100).toFixed(2)} (${how(best.k, best.dither)}) is below the target ${o.target}`,
      { size },
    );
  }
  return {
    result: found.chosen.result,
    score: found.chosen.score,
    probes: found.probes.length,
    scoreMs,
  };
}
