/**
 * The scales of SSIMULACRA 2.1: the image in linear RGB, halved up to 5 times (in linear RGB,
 * version 2.1's change), each scale converted to positive XYB. Halving stops once the previous
 * scale is under 8 pixels on a side, as in the reference.
 */
import type { Kernel } from './kernel.js';
import { paletteToLinearPlanes, toLinearPlanes } from './linear.js';
import { type AnyScoreImage, isPaletteImage, MIN_DIMENSION } from './types.js';

/** The number of scales at most: 1:1 to 1:32. */
export const SCALES = 6;

/** The size of a plane after one halving (the kernel's `downsample`: 2x2 means, edges repeated). */
export function halve(size: number): number {
  return (size + 1) >> 1;
}

/** Three planes: R, G, B or X, Y, B. */
export type Planes = [Float32Array, Float32Array, Float32Array];

/** Three planes of `size` values each in the kernel's memory. */
export function planes(kernel: Kernel, size: number): Planes {
  return [kernel.floats(size), kernel.floats(size), kernel.floats(size)];
}

/** The sizes (width, height) of every scale of a `width` x `height` image, finest first. */
export function scaleSizes(width: number, height: number): [number, number][] {
  const sizes: [number, number][] = [];
  let w = width;
  let h = height;
  for (let scale = 0; scale < SCALES; scale++) {
    if (w < MIN_DIMENSION || h < MIN_DIMENSION) break;
    if (scale > 0) {
      w = halve(w);
      h = halve(h);
    }
    sizes.push([w, h]);
  }
  return sizes;
}

/** Floats {@link PyramidBuffers} take for a `width` x `height` image. */
export function pyramidFloats(width: number, height: number): number {
  const n = width * height;
  return 3 * (n + 4) + 3 * (halve(width) * halve(height) + 4) + 3 * (n + 4);
}

/** Reusable buffers for {@link eachScale} on images of `width` x `height` pixels. */
export class PyramidBuffers {
  readonly linear: Planes;
  readonly halved: Planes;
  readonly xyb: Planes;
  constructor(
    readonly kernel: Kernel,
    readonly width: number,
    readonly height: number,
  ) {
    this.linear = planes(kernel, width * height);
    this.halved = planes(kernel, halve(width) * halve(height));
    this.xyb = planes(kernel, width * height);
  }
}

/** Called with each scale's positive-XYB planes (valid until the callback returns). */
export type ScaleVisitor = (scale: number, width: number, height: number, xyb: Planes) => void;

/**
 * Visits every scale of `image` blended over `bg` (see `toLinearPlanes`), finest first, using
 * `buffers` made for the image's size.
 */
export function eachScale(
  image: AnyScoreImage,
  bg: number,
  buffers: PyramidBuffers,
  visit: ScaleVisitor,
): void {
  if (buffers.width !== image.width || buffers.height !== image.height) {
    throw new RangeError(
      `pyramid buffers are for ${buffers.width}x${buffers.height}, got ${image.width}x${image.height}`,
    );
  }
  const { kernel, xyb } = buffers;
  // the current scale in linear RGB, and the buffer the next one is halved into
  let linear = buffers.linear;
  let spare = buffers.halved;
  if (isPaletteImage(image)) paletteToLinearPlanes(image, bg, linear[0], linear[1], linear[2]);
  else toLinearPlanes(image, bg, linear[0], linear[1], linear[2]);
  let [width, height] = [image.width, image.height];
  scaleSizes(image.width, image.height).forEach(([w, h], scale) => {
    if (scale > 0) {
      for (let c = 0; c < 3; c++) kernel.downsample(linear[c], width, height, spare[c]);
      [linear, spare] = [spare, linear];
      [width, height] = [w, h];
    }
    kernel.xyb(linear[0], linear[1], linear[2], w * h, scale === 0, xyb[0], xyb[1], xyb[2]);
    visit(scale, w, h, xyb);
  });
}
