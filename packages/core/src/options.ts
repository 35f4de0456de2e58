import { COLORS, QUALITY, SEED, showValue as show } from './option-rules.js';
import { UNWEIGHTED } from './nearest.js';
import {
  type ColourDistance,
  PERCEPTUAL_CHANNEL_SCALE,
  type PixelImage,
  type QuantizeOptions,
} from './types.js';

const PERCEPTUAL_METRIC = Float64Array.from(PERCEPTUAL_CHANNEL_SCALE, (s) => s * s);

/** Options with every default filled in. */
export interface ResolvedOptions {
  colors: number;
  quality: number | undefined;
  seed: number;
  maxIterations: number;
  tolerance: number;
  distance: ColourDistance;
  /** Squared channel weights of `distance` (nearest.ts). */
  metric: Float64Array;
}

export const DEFAULT_COLORS = COLORS.default as number;
export const DEFAULT_SEED = SEED.default as number;
export const DEFAULT_MAX_ITERATIONS = 100;
export const DEFAULT_TOLERANCE = 0.2;

/** Throws a TypeError/RangeError naming the bad field and value. */
export function validateImage(image: PixelImage): void {
  if (image === null || typeof image !== 'object') {
    throw new TypeError(
      `image must be an object {data, width, height, channels}, got ${show(image)}`,
    );
  }
  const { data, width, height, channels } = image;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    const got =
      data === null || typeof data !== 'object' ? show(data) : (data as object).constructor?.name;
    throw new TypeError(`image.data must be a Uint8Array or Uint8ClampedArray, got ${got}`);
  }
  if (!Number.isSafeInteger(width) || width <= 0) {
    throw new RangeError(`image.width must be a positive integer, got ${show(width)}`);
  }
  if (!Number.isSafeInteger(height) || height <= 0) {
    throw new RangeError(`image.height must be a positive integer, got ${show(height)}`);
  }
  if (channels !== 3 && channels !== 4) {
    throw new RangeError(`image.channels must be 3 or 4, got ${show(channels)}`);
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new RangeError(
      `image.data length must be width*height*channels = ${width}*${height}*${channels} = ${expected}, got ${data.length}`,
    );
  }
}

function integerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

/** Validates options and fills in the defaults. */
export function resolveOptions(options: QuantizeOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`options must be an object, got ${show(options)}`);
  }
  const colors = COLORS.check(options.colors ?? DEFAULT_COLORS);
  const seed = SEED.check(options.seed ?? DEFAULT_SEED);
  const maxIterations = integerIn(
    'maxIterations',
    options.maxIterations ?? DEFAULT_MAX_ITERATIONS,
    1,
    1_000_000,
  );
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new RangeError(`tolerance must be a finite number >= 0, got ${show(tolerance)}`);
  }
  const quality = options.quality === undefined ? undefined : QUALITY.check(options.quality);
  const distance = options.distance ?? 'rgb';
  if (distance !== 'rgb' && distance !== 'perceptual') {
    throw new RangeError(`distance must be 'rgb' or 'perceptual', got ${show(distance)}`);
  }
  const metric = distance === 'rgb' ? UNWEIGHTED : PERCEPTUAL_METRIC;
  return { colors, quality, seed, maxIterations, tolerance, distance, metric };
}
