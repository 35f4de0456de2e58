/**
 * The two rules every caller of the codec judges a result by, once: the
 * worker (outcome.ts), the pool thread (whether the original's bytes go back)
 * and `kpress compress` (one file's status and qualityMet). Pure.
 */

/**
 * Whether a palette PNG is worth keeping over the original: strictly smaller.
 * A PNG of the same size or larger keeps the original, byte for byte.
 */
export function pngIsSmaller(pngBytes: number, originalBytes: number): boolean {
  return pngBytes < originalBytes;
}

/**
 * Whether a result reached the `--quality` target (its PSNR at least the
 * target, in dB); undefined when no target was asked (a row then has no qualityMet).
 */
export function qualityMet(psnr: number, quality: number | undefined): boolean | undefined {
  return quality === undefined ? undefined : psnr >= quality;
}
