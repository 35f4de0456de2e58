/**
 * An image to score: sRGB-encoded samples, row-major, interleaved channels, straight (not
 * premultiplied) alpha. The sample depth follows the array: `Uint8Array` (a Node `Buffer`, a
 * `Uint8ClampedArray`) is 8-bit, `Uint16Array` is 16-bit. `@kpress/core`'s `PixelImage` is one.
 */
export interface ScoreImage {
  /** width * height * channels samples. */
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
  /** Pixels per row, an integer >= 8 (the reference tool's minimum). */
  width: number;
  /** Rows, an integer >= 8. */
  height: number;
  /** 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA). Grey counts as R = G = B. */
  channels: 1 | 2 | 3 | 4;
}

/** The smallest width and height the reference tool scores ("Minimum image size is 8x8 pixels"). */
export const MIN_DIMENSION = 8;
