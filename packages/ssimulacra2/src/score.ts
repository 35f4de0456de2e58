/**
 * SSIMULACRA 2.1 scores: {@link ssimulacra2} for one pair, {@link prepareOriginal} to score many
 * distorted images against one original without redoing the original's half of the work.
 */
import { blurFloats, KernelBlur } from './blur.js';
import { Kernel } from './kernel.js';
import { hasTranslucency, paletteHasTranslucency } from './linear.js';
import {
  BLUR,
  backgrounds,
  type OriginalScale,
  originalFloats,
  originalScales,
} from './original.js';
import { eachScale, PyramidBuffers, pyramidFloats, scaleSizes } from './pyramid.js';
import { type AnyScoreImage, isPaletteImage, type ScoreImage } from './types.js';
import { checkSameSize, validateAnyImage, validateImage } from './validate.js';
import { type MapsUsed, mapsUsed, type ScaleNorms, scoreFromNorms } from './weights.js';

/** Floats the distorted side's buffers take: mu2, sigma22, sigma12 and 4 norms (doubles). */
function workFloats(width: number, height: number): number {
  return 3 * (width * height + 4) + 12;
}

/**
 * An original ready to score distorted images of its size against. It owns one WebAssembly
 * memory of about 92 bytes per pixel (for a translucent original, 140): the original's scales
 * (3 channels x 3 float planes, all scales), and the buffers for scoring a distorted image,
 * allocated once. Not for concurrent use (one score at a time); drop it to free the memory.
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
  readonly #kernel: Kernel;
  readonly #buffers: PyramidBuffers;
  readonly #blur: KernelBlur;
  readonly #work: [Float32Array, Float32Array, Float32Array];
  readonly #norms: Float64Array;
  /** The maps the score uses, per channel and scale. */
  readonly #used: MapsUsed[][];
  #released = false;

  constructor(original: ScoreImage) {
    validateImage(original, 'original');
    const { width, height } = original;
    this.width = width;
    this.height = height;
    this.#backgrounds = backgrounds(original);
    this.#translucent = hasTranslucency(original);
    const sets = this.#translucent ? this.#backgrounds.length : 1;
    const kernel = Kernel.obtain(
      pyramidFloats(width, height) +
        blurFloats(width, height) +
        workFloats(width, height) +
        sets * originalFloats(width, height),
    );
    this.#kernel = kernel;
    this.#buffers = new PyramidBuffers(kernel, width, height);
    this.#blur = new KernelBlur(kernel, BLUR, width, height);
    const n = width * height;
    this.#work = [kernel.floats(n), kernel.floats(n), kernel.floats(n)];
    this.#norms = kernel.doubles(4);
    this.#used = mapsUsed(scaleSizes(width, height).length);
    const build = (bg: number) =>
      originalScales(original, bg, this.#buffers, kernel, this.#blur, this.#used);
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
   * `distorted` may be a palette image (PaletteScoreImage): the same score as its pixels',
   * without writing them out.
   */
  score(distorted: AnyScoreImage): number {
    if (this.#released) {
      throw new Error('this PreparedOriginal was released: prepare the original again');
    }
    validateAnyImage(distorted, 'distorted');
    checkSameSize(this, distorted);
    // The backgrounds only matter when some pixel is translucent; when none is, every
    // background gives the same pixels and the same score.
    const translucent = isPaletteImage(distorted)
      ? paletteHasTranslucency(distorted)
      : hasTranslucency(distorted);
    const count = this.#translucent || translucent ? this.#backgrounds.length : 1;
    let worst = Number.POSITIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      worst = Math.min(worst, this.#scoreOver(distorted, i));
    }
    return worst;
  }

  /**
   * Hands this scorer's memory to the next one prepared (of a size that fits): preparing
   * then skips allocating and touching fresh memory. This object cannot score afterwards.
   * Optional: without it the memory is freed when the object is collected.
   */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#kernel.release();
  }

  /** The score with both images over background number `which`. */
  #scoreOver(distorted: AnyScoreImage, which: number): number {
    const original = this.#scales[which];
    const [mu2, s22, s12] = this.#work;
    const out = this.#norms;
    const kernel = this.#kernel;
    const blur = this.#blur;
    const used = this.#used;
    const norms: ScaleNorms[][] = [[], [], []];
    eachScale(distorted, this.#backgrounds[which], this.#buffers, (scale, w, h, xyb) => {
      const o = original[scale];
      const n = w * h;
      for (let c = 0; c < 3; c++) {
        const { ssim, edge } = used[c][scale];
        const img2 = xyb[c];
        let [ssim1, ssim4, art1, art4, lost1, lost4] = [0, 0, 0, 0, 0, 0];
        if (ssim || edge) blur.run(img2, w, h, mu2);
        if (ssim) {
          kernel.multiply(img2, img2, n, s22);
          blur.run(s22, w, h, s22);
          kernel.multiply(o.img[c], img2, n, s12);
          blur.run(s12, w, h, s12);
          kernel.ssimNorms(o.mu[c], mu2, o.sigmaSq[c], s22, s12, n, out);
          [ssim1, ssim4] = [out[0], out[1]];
        }
        if (edge) {
          kernel.edgeNorms(o.img[c], o.mu[c], img2, mu2, n, out);
          [art1, art4, lost1, lost4] = [out[0], out[1], out[2], out[3]];
        }
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
export function ssimulacra2(original: ScoreImage, distorted: AnyScoreImage): number {
  validateImage(original, 'original');
  validateAnyImage(distorted, 'distorted');
  checkSameSize(original, distorted);
  const prepared = new PreparedOriginal(original);
  try {
    return prepared.score(distorted);
  } finally {
    prepared.release();
  }
}
