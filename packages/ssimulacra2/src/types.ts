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

/**
 * A palette image to score: pixel p is entry `indices[p]` of `palette` (4 bytes an entry,
 * R, G, B, A), taken with `channels` channels (3: the alpha byte is not read). It scores
 * exactly as the ScoreImage of those samples does, without the samples being written out:
 * each entry is converted once and the pixels gather their entry's values. `@kpress/core`'s
 * `QuantizeResult` holds one (with the image's size and channels).
 */
export interface PaletteScoreImage {
  /** Entries, 4 bytes each (RGBA), 8-bit sRGB, straight alpha; at most 256. */
  palette: Uint8Array;
  /** One entry number per pixel, width * height of them. */
  indices: Uint8Array;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA). */
  channels: 3 | 4;
}

/** An image to score: its samples, or a palette and indices. */
export type AnyScoreImage = ScoreImage | PaletteScoreImage;

/**
 * Whether `image` is a palette image: it has `indices` and no `data` (undefined or null counts
 * as none); an image with samples is scored by its samples, whatever else it carries.
 */
export function isPaletteImage(image: AnyScoreImage): image is PaletteScoreImage {
  return (image as { data?: unknown }).data == null && 'indices' in image;
}

/** The smallest width and height the reference tool scores ("Minimum image size is 8x8 pixels"). */
export const MIN_DIMENSION = 8;
