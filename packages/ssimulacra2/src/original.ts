/**
 * The original's side of SSIMULACRA 2.1, computed once and reused for every distorted image
 * scored against it: per scale and channel its positive-XYB plane, the plane's blur (mu1) and
 * the blur of its square (sigma11). Scoring a candidate then blurs only the candidate's planes:
 * 3 blurs per channel and scale instead of 5.
 */
import { type KernelBlur, recursiveGaussian } from './blur.js';
import type { Kernel } from './kernel.js';
import { hasAlphaChannel } from './linear.js';
import { eachScale, type Planes, type PyramidBuffers, planes, scaleSizes } from './pyramid.js';
import type { ScoreImage } from './types.js';
import type { MapsUsed } from './weights.js';

/** The blur of SSIMULACRA 2: sigma 1.5. */
export const BLUR = recursiveGaussian(1.5);

/** The original at one scale. */
export interface OriginalScale {
  readonly width: number;
  readonly height: number;
  /** Positive XYB. */
  readonly img: Planes;
  /** Blurred `img`. */
  readonly mu: Planes;
  /** Blurred `img` squared. */
  readonly sigmaSq: Planes;
}

/**
 * The reference tool's backgrounds for alpha: when the original has an alpha channel, both
 * images are blended over dark grey (0.1) and light grey (0.9) and the worse score is kept;
 * otherwise a distorted image with alpha is blended over mid grey (0.5).
 */
export function backgrounds(original: ScoreImage): readonly number[] {
  return hasAlphaChannel(original) ? [0.1, 0.9] : [0.5];
}

/** Floats one set of {@link originalScales} takes for a `width` x `height` image. */
export function originalFloats(width: number, height: number): number {
  let floats = 0;
  for (const [w, h] of scaleSizes(width, height)) floats += 9 * (w * h + 4);
  return floats;
}

/** Blurs and keeps every scale of `image` over `bg` (the blurs of the maps in `used`). */
export function originalScales(
  image: ScoreImage,
  bg: number,
  buffers: PyramidBuffers,
  kernel: Kernel,
  blur: KernelBlur,
  used: readonly (readonly MapsUsed[])[],
): OriginalScale[] {
  const scales: OriginalScale[] = [];
  eachScale(image, bg, buffers, (scale, width, height, xyb) => {
    const n = width * height;
    const img = planes(kernel, n);
    const mu = planes(kernel, n);
    const sigmaSq = planes(kernel, n);
    for (let c = 0; c < 3; c++) {
      const { ssim, edge } = used[c][scale];
      img[c].set(xyb[c].subarray(0, n));
      if (ssim || edge) blur.run(img[c], width, height, mu[c]);
      if (ssim) {
        kernel.multiply(img[c], img[c], n, sigmaSq[c]);
        blur.run(sigmaSq[c], width, height, sigmaSq[c]);
      }
    }
    scales.push({ width, height, img, mu, sigmaSq });
  });
  return scales;
}
