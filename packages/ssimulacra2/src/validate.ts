import { invalidOption } from '@kpress/core';
import { MIN_DIMENSION, type ScoreImage } from './types.js';

/** Throws an InvalidOptionError naming `name` unless `image` is a well-formed {@link ScoreImage}. */
export function validateImage(image: ScoreImage, name: string): void {
  if (image === null || typeof image !== 'object') {
    throw invalidOption(name, 'an image object { data, width, height, channels }', image);
  }
  const { data, width, height, channels } = image;
  if (
    !(
      data instanceof Uint8Array ||
      data instanceof Uint8ClampedArray ||
      data instanceof Uint16Array
    )
  ) {
    throw invalidOption(`${name}.data`, 'a Uint8Array, Uint8ClampedArray or Uint16Array', data);
  }
  for (const [key, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < MIN_DIMENSION) {
      throw invalidOption(
        `${name}.${key}`,
        `an integer >= ${MIN_DIMENSION} (SSIMULACRA 2 needs at least 8x8 pixels)`,
        value,
      );
    }
  }
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw invalidOption(`${name}.channels`, '1, 2, 3 or 4', channels);
  }
  const samples = width * height * channels;
  if (data.length !== samples) {
    throw invalidOption(
      `${name}.data.length`,
      `width * height * channels = ${samples} samples`,
      data.length,
    );
  }
}

/** Throws unless `distorted` has the size of `original`. */
export function checkSameSize(
  original: { width: number; height: number },
  distorted: { width: number; height: number },
): void {
  if (original.width !== distorted.width || original.height !== distorted.height) {
    throw invalidOption(
      'distorted',
      `an image of the original's size, ${original.width}x${original.height}`,
      `${distorted.width}x${distorted.height}`,
    );
  }
}
