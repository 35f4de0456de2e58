/**
 * The perceptual score of a palette result: SSIMULACRA 2.1 (@kpress/ssimulacra2)
 * of the palette image against the decoded source it was made from (8-bit sRGB,
 * EXIF orientation applied: the pixels PSNR is measured against). One function
 * per candidate, so that a search over palettes scores each one the same way.
 */
import { InvalidOptionError, type PixelImage, type QuantizeResult } from '@kpress/core';
import { MIN_DIMENSION, type PreparedOriginal, prepareOriginal } from '@kpress/ssimulacra2';

/** A palette candidate: its RGBA palette and one index per pixel. */
export type PaletteCandidate = Pick<QuantizeResult, 'palette' | 'indices'>;

/** Scores palette candidates against one decoded source. */
export interface CandidateScorer {
  /** The SSIMULACRA 2.1 score of `candidate` (100 identical; can go below 0). */
  score(candidate: PaletteCandidate): number;
}

/**
 * A scorer for palette candidates of `source`, or null when the source has
 * no score: smaller than 8x8 (SSIMULACRA 2.1 is not defined there: the
 * reference tool refuses such images), or too large for the metric's
 * WebAssembly memory (4 GiB: about 46 MP, 30 MP with transparency; see
 * @kpress/ssimulacra2's README). The candidate is scored as a palette image
 * with the source's channels (RGBA when the source has transparency, as the
 * PNG stores it), so alpha is compared as the reference tool does; its pixels
 * are never written out (each entry is converted once: the same score).
 *
 * The source's half of the work is prepared once (about 92 bytes per pixel
 * held while the scorer lives); each `score` then blurs only the candidate,
 * so scoring one candidate costs what a one-pair score does, and each further
 * one less.
 */
export function candidateScorer(source: PixelImage): CandidateScorer | null {
  if (source.width < MIN_DIMENSION || source.height < MIN_DIMENSION) return null;
  let prepared: PreparedOriginal;
  try {
    prepared = prepareOriginal(source);
  } catch (err) {
    // over the 4 GiB a wasm32 memory holds (or memory refused): no score, the image still compresses
    if (err instanceof RangeError && !(err instanceof InvalidOptionError)) return null;
    throw err;
  }
  return {
    score: (c) =>
      prepared.score({
        palette: c.palette,
        indices: c.indices,
        width: source.width,
        height: source.height,
        channels: source.channels,
      }),
  };
}

/** The score of one palette result against its source; null where there is none (see candidateScorer). */
export function paletteScore(source: PixelImage, candidate: PaletteCandidate): number | null {
  return candidateScorer(source)?.score(candidate) ?? null;
}

/** A score as records carry it (S3 metadata, the PNG's provenance chunk): 2 decimals. */
export function roundScore(score: number): number {
  return Math.round(score * 100) / 100;
}
