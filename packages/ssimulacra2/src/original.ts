/**
 * The original's side of SSIMULACRA 2.1, computed once and reused for every distorted image
 * scored against it: per scale and channel its positive-XYB plane, the plane's blur (mu1) and
 * the blur of its square (sigma11). Scoring a candidate then blurs only the candidate's planes:
 * 3 blurs per channel and scale instead of 5.
 */
import { type Blur, recursiveGaussian } from './blur.js';
import { hasAlphaChannel } from './linear.js';
import { eachScale, type Planes, type PyramidBuffers, planes } from './pyramid.js';
import type { ScoreImage } from './types.js';

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

/** Blurs and keeps every scale of `image` over `bg`. */
export function originalScales(
  image: ScoreImage,
  bg: number,
  buffers: PyramidBuffers,
  blur: Blur,
  temp: Float32Array,
): OriginalScale[] {
  const scales: OriginalScale[] = [];
  eachScale(image, bg, buffers, (_scale, width, height, xyb) => {
    const n = width * height;
    const img = planes(n);
    const mu = planes(n);
    const sigmaSq = planes(n);
    for (let c = 0; c < 3; c++) {
      img[c].set(xyb[c].subarray(0, n));
      blur.run(img[c], width, height, temp, mu[c]);
      const sq = sigmaSq[c];
      const src = img[c];
      for (let i = 0; i < n; i++) sq[i] = src[i] * src[i];
      blur.run(sq, width, height, temp, sq);
    }
    scales.push({ width, height, img, mu, sigmaSq });
  });
  return scales;
}
