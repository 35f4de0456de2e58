/**
 * The scales of SSIMULACRA 2.1: the image in linear RGB, halved up to 5 times (in linear RGB,
 * version 2.1's change), each scale converted to positive XYB. Halving stops once the previous
 * scale is under 8 pixels on a side, as in the reference.
 */
import { downsample, halve } from './downsample.js';
import { toLinearPlanes } from './linear.js';
import { MIN_DIMENSION, type ScoreImage } from './types.js';
import { linearToPositiveXyb } from './xyb.js';

/** The number of scales at most: 1:1 to 1:32. */
export const SCALES = 6;

/** Three planes: R, G, B or X, Y, B. */
export type Planes = [Float32Array, Float32Array, Float32Array];

/** Allocates three planes of `size` values each. */
export function planes(size: number): Planes {
  return [new Float32Array(size), new Float32Array(size), new Float32Array(size)];
}

/** Reusable buffers for {@link eachScale} on images of `width` x `height` pixels. */
export class PyramidBuffers {
  readonly linear: Planes;
  readonly halved: Planes;
  readonly xyb: Planes;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.linear = planes(width * height);
    this.halved = planes(halve(width) * halve(height));
    this.xyb = planes(width * height);
  }
}

/** Called with each scale's positive-XYB planes (valid until the callback returns). */
export type ScaleVisitor = (scale: number, width: number, height: number, xyb: Planes) => void;

/**
 * Visits every scale of `image` blended over `bg` (see `toLinearPlanes`), finest first, using
 * `buffers` made for the image's size.
 */
export function eachScale(
  image: ScoreImage,
  bg: number,
  buffers: PyramidBuffers,
  visit: ScaleVisitor,
): void {
  let { width, height } = image;
  if (buffers.width !== width || buffers.height !== height) {
    throw new RangeError(
      `pyramid buffers are for ${buffers.width}x${buffers.height}, got ${width}x${height}`,
    );
  }
  // the current scale in linear RGB, and the buffer the next one is halved into
  let linear = buffers.linear;
  let spare = buffers.halved;
  toLinearPlanes(image, bg, linear[0], linear[1], linear[2]);
  for (let scale = 0; scale < SCALES; scale++) {
    if (width < MIN_DIMENSION || height < MIN_DIMENSION) break;
    if (scale > 0) {
      for (let c = 0; c < 3; c++) downsample(linear[c], width, height, spare[c]);
      [linear, spare] = [spare, linear];
      width = halve(width);
      height = halve(height);
    }
    const [r, g, b] = linear;
    const [x, y, bb] = buffers.xyb;
    linearToPositiveXyb(r, g, b, width * height, x, y, bb);
    visit(scale, width, height, buffers.xyb);
  }
}
