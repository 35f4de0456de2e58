import { invalidOption } from '@kpress/core';
import {
  type AnyScoreImage,
  isPaletteImage,
  MIN_DIMENSION,
  type PaletteScoreImage,
  type ScoreImage,
} from './types.js';

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
  checkSize(width, height, name);
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

/**
 * validateImage for either kind of image: a {@link PaletteScoreImage} (`indices`, no `data`)
 * must have a palette of 1 to 256 whole RGBA entries, one index per pixel and 3 or 4 channels;
 * its indices are checked against the palette as the pixels are read.
 */
export function validateAnyImage(image: AnyScoreImage, name: string): void {
  if (image === null || typeof image !== 'object' || !isPaletteImage(image)) {
    validateImage(image as ScoreImage, name);
    return;
  }
  const { palette, indices, width, height, channels }: PaletteScoreImage = image;
  if (
    !(palette instanceof Uint8Array) ||
    palette.length % 4 !== 0 ||
    palette.length === 0 ||
    palette.length > 1024
  ) {
    throw invalidOption(
      `${name}.palette`,
      'a Uint8Array of 1 to 256 RGBA entries (4 bytes each)',
      palette,
    );
  }
  if (!(indices instanceof Uint8Array)) {
    throw invalidOption(`${name}.indices`, 'a Uint8Array', indices);
  }
  checkSize(width, height, name);
  if (channels !== 3 && channels !== 4) {
    throw invalidOption(`${name}.channels`, '3 or 4 (a palette image)', channels);
  }
  if (indices.length !== width * height) {
    throw invalidOption(
      `${name}.indices.length`,
      `width * height = ${width * height}`,
      indices.length,
    );
  }
}

/** Width and height: integers of at least MIN_DIMENSION. */
function checkSize(width: number, height: number, name: string): void {
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
