/**
 * The Gaussian blur of SSIMULACRA 2 (sigma 1.5): libjxl's "RecursiveGaussian", the IIR filter of
 * Charalampidis, "Recursive Implementation of the Gaussian Filter Using Truncated Cosine
 * Functions" (IEEE TSP, 2016). Three second-order sections (k = 1, 3, 5), each fed with the sum of
 * the input `radius + 1` samples behind and `radius - 1` samples ahead; samples outside the image
 * are zero, as in libjxl (no mirroring, no renormalisation at the borders), and the recursion
 * starts `radius - 1` samples before the first output with zero state.
 *
 * Run separably: every row, then every column (native/ssimulacra2.c). The arithmetic is
 * libjxl's, operation for operation, in float32 with fused multiply-adds: the sections resonate
 * (their poles are on the unit circle), so their rounding errors do not die out, and the SSIM'
 * of a good image, or of a flat channel, is small enough for them to move the score by tenths.
 * The row pass computes four outputs at a time from precomputed gains, as libjxl does.
 */
import type { Kernel } from './kernel.js';

/** The filter for one sigma: the radius and, per section, the input and feedback weights. */
export interface RecursiveGaussian {
  /** N of the paper: round(3.2795 sigma + 0.2546). */
  readonly radius: number;
  /** Input weight of each section (n2 of the paper), in double precision. */
  readonly n2: readonly [number, number, number];
  /** Feedback weight of each section (d1 of the paper), in double precision. */
  readonly d1: readonly [number, number, number];
}

/** Solves the 3x3 system `a x = b` (row-major `a`) by Cramer's rule. */
function solve3(a: readonly number[], b: readonly number[]): [number, number, number] {
  const det = (m: readonly number[]) =>
    m[0] * (m[4] * m[8] - m[5] * m[7]) -
    m[1] * (m[3] * m[8] - m[5] * m[6]) +
    m[2] * (m[3] * m[7] - m[4] * m[6]);
  const d = det(a);
  const column = (i: number) => {
    const m = a.slice();
    for (let r = 0; r < 3; r++) m[r * 3 + i] = b[r];
    return det(m) / d;
  };
  return [column(0), column(1), column(2)];
}

/** The filter coefficients for `sigma`, following the paper's equations (33)-(57). */
export function recursiveGaussian(sigma: number): RecursiveGaussian {
  const radius = Math.round(3.2795 * sigma + 0.2546);
  const omega = [1, 3, 5].map((k) => (k * Math.PI) / (2 * radius));
  const sign = [1, -1, 1];
  const p = omega.map((w, i) => sign[i] / Math.tan(w / 2));
  const r = omega.map((w, i) => (sign[i] * p[i] * p[i]) / Math.sin(w));
  const rho = omega.map((w) => Math.exp(-0.5 * sigma * sigma * w * w) / radius);
  const d13 = p[0] * r[1] - r[0] * p[1];
  const d35 = p[1] * r[2] - r[1] * p[2];
  const d51 = p[2] * r[0] - r[2] * p[0];
  const zeta15 = d35 / d13;
  const zeta35 = d51 / d13;
  const beta = solve3(
    [p[0], p[1], p[2], r[0], r[1], r[2], zeta15, zeta35, 1],
    [1, radius * radius - sigma * sigma, zeta15 * rho[0] + zeta35 * rho[1] + rho[2]],
  );
  const n2 = beta.map((b, i) => -b * Math.cos(omega[i] * (radius + 1)));
  const d1 = omega.map((w) => -2 * Math.cos(w));
  return { radius, n2: [n2[0], n2[1], n2[2]], d1: [d1[0], d1[1], d1[2]] };
}

/**
 * The coefficient block the kernel reads (float32): the row pass's gains on its four input sums,
 * on the previous output and on the one before (section k, lane j at 4k + j; libjxl expands
 * four steps of the recursion into these), then n2 and d1 of each section.
 */
export function blurCoefficients(f: RecursiveGaussian): Float32Array {
  const block = new Float32Array(42);
  for (let k = 0; k < 3; k++) {
    const d = f.d1[k];
    const n = f.n2[k];
    const d2 = d * d;
    block.set([n, -d * n, d2 * n - n, -d2 * d * n + 2 * d * n], 4 * k);
    block.set([-d, d2 - 1, -d2 * d + 2 * d, d2 * d2 - 3 * d2 + 1], 12 + 4 * k);
    block.set([-1, d, -d2 + 1, d2 * d - 2 * d], 24 + 4 * k);
  }
  block.set(f.n2, 36);
  block.set(f.d1, 39);
  return block;
}

/** Floats a {@link KernelBlur} takes from its kernel for planes of `width` x `height`. */
export function blurFloats(width: number, height: number): number {
  const long = Math.max(width, height);
  // each allocation rounds up to 4 floats (16 bytes)
  return 44 + 2 * (width * height + 4) + (12 * long + 4) + (long + 4);
}

/** The blur's scratch buffers: two planes, per-lane state (doubles), a row of zeros. */
export interface BlurScratch {
  temp: Float32Array;
  temp2: Float32Array;
  state: Float64Array;
  zeros: Float32Array;
}

/** The blur on one kernel, with its scratch buffers, for planes up to `width` x `height`. */
export class KernelBlur {
  readonly #kernel: Kernel;
  readonly #radius: number;
  readonly #coefficients: Float32Array;
  readonly #scratch: BlurScratch;
  readonly #width: number;
  readonly #height: number;

  constructor(kernel: Kernel, filter: RecursiveGaussian, width: number, height: number) {
    this.#kernel = kernel;
    this.#radius = filter.radius;
    this.#coefficients = kernel.floats(42);
    this.#coefficients.set(blurCoefficients(filter));
    const long = Math.max(width, height);
    this.#scratch = {
      temp: kernel.floats(width * height),
      temp2: kernel.floats(width * height),
      state: kernel.doubles(6 * long),
      zeros: kernel.floats(long),
    };
    this.#width = width;
    this.#height = height;
  }

  /** Blurs the `width` x `height` plane `input` into `output` (which may be `input`). */
  run(input: Float32Array, width: number, height: number, output: Float32Array): void {
    if (width > this.#width || height > this.#height) {
      throw new RangeError(
        `blur planes are at most ${this.#width}x${this.#height}, got ${width}x${height}`,
      );
    }
    this.#kernel.blur(
      this.#coefficients,
      this.#radius,
      input,
      width,
      height,
      this.#scratch,
      output,
    );
  }
}
