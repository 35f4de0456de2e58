/**
 * The perceptual score of a palette result: SSIMULACRA 2.1 (@kpress/ssimulacra2)
 * of the palette image against the decoded source it was made from (8-bit sRGB,
 * EXIF orientation applied: the pixels PSNR is measured against). One function
 * per candidate, so that a search over palettes scores each one the same way.
 */
import { type PixelImage, type QuantizeResult, remapToPixels } from '@kpress/core';
import { MIN_DIMENSION, prepareOriginal, ssimulacra2 } from '@kpress/ssimulacra2';

/** A palette candidate: its RGBA palette and one index per pixel. */
export type PaletteCandidate = Pick<QuantizeResult, 'palette' | 'indices'>;

/** Scores palette candidates against one decoded source. */
export interface CandidateScorer {
  /** The SSIMULACRA 2.1 score of `candidate` (100 identical; can go below 0). */
  score(candidate: PaletteCandidate): number;
}

/**
 * A scorer for palette candidates of `source`, or null when the source is
 * smaller than 8x8 (SSIMULACRA 2.1 is not defined there: the reference tool
 * refuses such images). The candidate is expanded to the source's channels
 * (RGBA when the source has transparency, as the PNG stores it), so alpha is
 * compared as the reference tool does (@kpress/ssimulacra2's README).
 *
 * `candidates`: how many candidates will be scored. Default 1: one pair is
 * scored directly; above 1 the source's half of the work is prepared once
 * (about 92 bytes per pixel held while the scorer lives).
 */
export function candidateScorer(source: PixelImage, candidates = 1): CandidateScorer | null {
  if (source.width < MIN_DIMENSION || source.height < MIN_DIMENSION) return null;
  const expand = (c: PaletteCandidate) => ({
    data: remapToPixels(c, source.channels),
    width: source.width,
    height: source.height,
    channels: source.channels,
  });
  if (candidates <= 1) return { score: (c) => ssimulacra2(source, expand(c)) };
  const prepared = prepareOriginal(source);
  return { score: (c) => prepared.score(expand(c)) };
}

/** The score of one palette result against its source; null below 8x8 (see candidateScorer). */
export function paletteScore(source: PixelImage, candidate: PaletteCandidate): number | null {
  return candidateScorer(source)?.score(candidate) ?? null;
}

/** A score as records carry it (S3 metadata, the PNG's provenance chunk): 2 decimals. */
export function roundScore(score: number): number {
  return Math.round(score * 100) / 100;
}
