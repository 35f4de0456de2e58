/**
 * SSIMULACRA 2.1 scores: {@link ssimulacra2} for one pair, {@link prepareOriginal} to score many
 * distorted images against one original without redoing the original's half of the work.
 */
import { Blur } from './blur.js';
import { edgeNorms, ssimNorms } from './maps.js';
import { hasTranslucency } from './linear.js';
import { BLUR, backgrounds, type OriginalScale, originalScales } from './original.js';
import { eachScale, PyramidBuffers } from './pyramid.js';
import type { ScoreImage } from './types.js';
import { checkSameSize, validateImage } from './validate.js';
import { type ScaleNorms, scoreFromNorms } from './weights.js';

/**
 * An original ready to score distorted images of its size against. It keeps the original's
 * scales (about 48 bytes per pixel: 3 channels x 3 float planes, all scales) and, after the
 * first score, the scratch buffers for a distorted image (about 52 bytes per pixel); nothing is
 * allocated per score after the first. Not for concurrent use (one score at a time).
 */
export class PreparedOriginal {
  /** Width of the original: distorted images must have the same. */
  readonly width: number;
  /** Height of the original. */
  readonly height: number;
  readonly #backgrounds: readonly number[];
  readonly #translucent: boolean;
  /** The original's scales for each of #backgrounds (one shared object when opaque). */
  readonly #scales: OriginalScale[][];
  readonly #buffers: PyramidBuffers;
  readonly #blur: Blur;
  readonly #temp: Float32Array;
  #work: Float32Array[] | undefined;

  constructor(original: ScoreImage) {
    validateImage(original, 'original');
    const { width, height } = original;
    this.width = width;
    this.height = height;
    this.#backgrounds = backgrounds(original);
    this.#translucent = hasTranslucency(original);
    this.#buffers = new PyramidBuffers(width, height);
    this.#blur = new Blur(BLUR, width);
    this.#temp = new Float32Array(width * height);
    const build = (bg: number) =>
      originalScales(original, bg, this.#buffers, this.#blur, this.#temp);
    if (this.#translucent) {
      this.#scales = this.#backgrounds.map(build);
    } else {
      const shared = build(this.#backgrounds[0]);
      this.#scales = this.#backgrounds.map(() => shared);
    }
  }

  /**
   * The SSIMULACRA 2.1 score of `distorted` against the original: 100 when identical, 90
   * visually lossless, 80 not noticeable side by side at 1:1, 70 high quality, 50 medium,
   * 30 low; it can go below 0. With alpha, the worse score over the reference's backgrounds.
   */
  score(distorted: ScoreImage): number {
    validateImage(distorted, 'distorted');
    checkSameSize(this, distorted);
    // The backgrounds only matter when some pixel is translucent; when none is, every
    // background gives the same pixels and the same score.
    const count = this.#translucent || hasTranslucency(distorted) ? this.#backgrounds.length : 1;
    let worst = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      worst = Math.min(worst, this.#scoreOver(distorted, i));
    }
    return worst;
  }

  /** The score with both images over background number `which`. */
  #scoreOver(distorted: ScoreImage, which: number): number {
    const original = this.#scales[which];
    const n = this.width * this.height;
    if (!this.#work) this.#work = [0, 1, 2].map(() => new Float32Array(n));
    const [mu2, s22, s12] = this.#work;
    const norms: ScaleNorms[][] = [[], [], []];
    const blur = this.#blur;
    const temp = this.#temp;
    eachScale(distorted, this.#backgrounds[which], this.#buffers, (scale, w, h, xyb) => {
      const o = original[scale];
      const count = w * h;
      for (let c = 0; c < 3; c++) {
        const img1 = o.img[c];
        const img2 = xyb[c];
        blur.run(img2, w, h, temp, mu2);
        for (let i = 0; i < count; i++) s22[i] = img2[i] * img2[i];
        blur.run(s22, w, h, temp, s22);
        for (let i = 0; i < count; i++) s12[i] = img1[i] * img2[i];
        blur.run(s12, w, h, temp, s12);
        const [ssim1, ssim4] = ssimNorms(o.mu[c], mu2, o.sigmaSq[c], s22, s12, count);
        const [art1, art4, lost1, lost4] = edgeNorms(img1, o.mu[c], img2, mu2, count);
        norms[c].push([ssim1, art1, lost1, ssim4, art4, lost4]);
      }
    });
    return scoreFromNorms(norms);
  }
}

/** Prepares `original` for scoring many distorted images against it (see {@link PreparedOriginal}). */
export function prepareOriginal(original: ScoreImage): PreparedOriginal {
  return new PreparedOriginal(original);
}

/**
 * The SSIMULACRA 2.1 score of `distorted` against `original`, as Cloudinary's reference tool
 * (`ssimulacra2 original.png distorted.png`) computes it. Both must have the same size, at
 * least 8x8. To score several images against one original, use {@link prepareOriginal}.
 */
export function ssimulacra2(original: ScoreImage, distorted: ScoreImage): number {
  validateImage(original, 'original');
  validateImage(distorted, 'distorted');
  checkSameSize(original, distorted);
  return new PreparedOriginal(original).score(distorted);
}
