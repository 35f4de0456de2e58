/** An uncompressed 8-bit image, row-major, interleaved channels. */
export interface PixelImage {
  /** width * height * channels bytes: RGB or RGBA (straight, not premultiplied alpha). */
  data: Uint8Array | Uint8ClampedArray;
  /** Pixels per row, a positive integer. */
  width: number;
  /** Rows, a positive integer. */
  height: number;
  /** 3 (RGB) or 4 (RGBA). */
  channels: 3 | 4;
}

/** Options of {@link quantize}. Every field is optional. */
export interface QuantizeOptions {
  /** The most palette entries, an integer from 2 to 256. Default 16. */
  colors?: number;
  /**
   * Target PSNR in dB. When set, the result has the fewest colours (at most `colors`) whose
   * PSNR reaches it, or `colors` colours when none does. Default: unset (use `colors`).
   */
  quality?: number;
  /** PRNG seed, an integer from 0 to 2^32-1. Same seed => same output everywhere. Default 1. */
  seed?: number;
  /** Cap on Lloyd iterations (both stages together), an integer >= 1. Default 100. */
  maxIterations?: number;
  /**
   * Converged when no centre moves more than this, in 8-bit levels (Euclidean distance).
   * A number >= 0. Default 0.2: on the sample photos (k = 16, 64, 256) it costs under 0.02 dB
   * against 0.05 in 8 of 9 cases (0.09 dB once) in about half the iterations: Lloyd's tail is
   * long and flat.
   */
  tolerance?: number;
  /**
   * The colour distance the clustering minimises: 'rgb' (plain squared error over the
   * channels, what PSNR measures) or 'perceptual' (red, green and blue scaled by
   * {@link PERCEPTUAL_CHANNEL_SCALE} before the squared error: the eye tells blue and red
   * apart less finely than green, and SSIMULACRA 2.1 agrees). Default 'rgb'.
   */
  distance?: ColourDistance;
}

/** The colour distance k-means minimises (QuantizeOptions.distance). */
export type ColourDistance = 'rgb' | 'perceptual';

/**
 * Channel scales (r, g, b, a) of the 'perceptual' distance. Measured on the sample photos
 * (astronaut, chelsea, coffee; k = 192, 224, 256; seeds 1 and 2) against SSIMULACRA 2.1:
 * 1.4-2.1 points higher on average than plain RGB at the same k, the best of the scales tried
 * (red 0.7-1, blue 0.4-0.7); libimagequant's own weights are of the same kind.
 */
export const PERCEPTUAL_CHANNEL_SCALE: readonly [number, number, number, number] = [
  0.85, 1, 0.6, 1,
];

/** The palette image that {@link quantize} returns. */
export interface QuantizeResult {
  /** RGBA, 4 bytes per entry, `4 * colors` bytes; alpha 255 for opaque entries. */
  palette: Uint8Array;
  /** Entries in the palette, all used and all distinct (fewer than asked when the image has fewer colours). */
  colors: number;
  /** True when any entry has alpha < 255 (those come first in the palette). */
  hasAlpha: boolean;
  /** One palette index per pixel, row-major. */
  indices: Uint8Array;
  /** Lloyd iterations run. */
  iterations: number;
  /** Mean squared error per channel over RGB, or RGBA when the image has transparency. */
  mse: number;
  /** 10*log10(255^2/mse) in dB; Infinity when exact. */
  psnr: number;
}
