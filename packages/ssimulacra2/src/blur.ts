/**
 * The Gaussian blur of SSIMULACRA 2 (sigma 1.5): libjxl's "RecursiveGaussian", the IIR filter of
 * Charalampidis, "Recursive Implementation of the Gaussian Filter Using Truncated Cosine
 * Functions" (IEEE TSP, 2016). Three second-order sections (k = 1, 3, 5), each fed with the sum of
 * the input `radius + 1` samples behind and `radius - 1` samples ahead; samples outside the image
 * are zero, as in libjxl (no mirroring, no renormalisation at the borders), and the recursion
 * starts `radius - 1` samples before the first output with zero state.
 *
 * Run separably: every row, then every column. The column pass walks rows top to bottom with one
 * state per column, so both passes read memory in order.
 *
 * The arithmetic is libjxl's, operation for operation, in float32 with fused multiply-adds (as
 * its AVX2 build runs): the sections resonate (their poles are on the unit circle), so their
 * rounding errors do not die out, and SSIM' of a good image is small enough for them to move the
 * score by tenths. Math.fround after each operation reproduces them; a fused multiply-add of
 * float32 values is exact in double before its one rounding, up to ties (about 2^-29 of cases).
 */

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

/** Scratch state of {@link Blur}: the column pass's last two outputs of each column. */
export class Blur {
  readonly #filter: RecursiveGaussian;
  readonly #gains: RowGains;
  readonly #state: Float32Array;
  readonly #zeros: Float32Array;
  readonly #maxWidth: number;

  /** A blur for planes at most `maxWidth` wide. */
  constructor(filter: RecursiveGaussian, maxWidth: number) {
    this.#filter = filter;
    this.#gains = rowGains(filter);
    this.#maxWidth = maxWidth;
    this.#state = new Float32Array(6 * maxWidth);
    this.#zeros = new Float32Array(maxWidth);
  }

  /**
   * Blurs the `width` x `height` plane `input` (row-major, contiguous) into `output`, using
   * `temp` (at least as large) for the row pass. `output` may be `input`.
   */
  run(
    input: Float32Array,
    width: number,
    height: number,
    temp: Float32Array,
    output: Float32Array,
  ): void {
    if (width > this.#maxWidth) {
      throw new RangeError(`blur width must be at most ${this.#maxWidth}, got ${width}`);
    }
    const f = this.#filter;
    for (let y = 0; y < height; y++) rowPass(f, this.#gains, input, y * width, width, temp);
    columnPass(f, temp, width, height, this.#state, this.#zeros, output);
  }
}

/**
 * The row pass's gains: libjxl computes four outputs at a time, each section's output j of a
 * group from the group's four input sums and the two outputs before the group, with these
 * float32 gains (lane j of each). Index [section * 4 + j].
 */
interface RowGains {
  readonly input: Float32Array;
  readonly prev: Float32Array;
  readonly prev2: Float32Array;
}

function rowGains(f: RecursiveGaussian): RowGains {
  const input = new Float32Array(12);
  const prev = new Float32Array(12);
  const prev2 = new Float32Array(12);
  for (let k = 0; k < 3; k++) {
    const d = f.d1[k];
    const n = f.n2[k];
    const d2 = d * d;
    prev.set([-d, d2 - 1, -d2 * d + 2 * d, d2 * d2 - 3 * d2 + 1], 4 * k);
    prev2.set([-1, d, -d2 + 1, d2 * d - 2 * d], 4 * k);
    input.set([n, -d * n, d2 * n - n, -d2 * d * n + 2 * d * n], 4 * k);
  }
  return { input, prev, prev2 };
}

const fr = Math.fround;

/** One output of section k (libjxl's scalar border loop); updates its state in `st`. */
function sectionStep(g: RowGains, st: Float64Array, k: number, sum: number): number {
  const p = st[2 * k];
  let o = fr(sum * g.input[4 * k]);
  o = fr(g.prev2[4 * k] * st[2 * k + 1] + o);
  o = fr(g.prev[4 * k] * p + o);
  st[2 * k + 1] = p;
  st[2 * k] = o;
  return o;
}

/**
 * Four outputs of section k from four input sums (libjxl's unrolled loop): lane j gathers the
 * sums up to j and the two outputs before the group. Writes them to lanes[4k .. 4k+3].
 */
function sectionGroup(
  g: RowGains,
  st: Float64Array,
  k: number,
  s0: number,
  s1: number,
  s2: number,
  s3: number,
  lanes: Float64Array,
): void {
  const b = 4 * k;
  const mi = g.input;
  const p = st[2 * k];
  const q = st[2 * k + 1];
  let l0 = fr(s0 * mi[b]);
  let l1 = fr(mi[b] * s1 + fr(s0 * mi[b + 1]));
  let l2 = fr(mi[b] * s2 + fr(mi[b + 1] * s1 + fr(s0 * mi[b + 2])));
  let l3 = fr(mi[b] * s3 + fr(mi[b + 1] * s2 + fr(mi[b + 2] * s1 + fr(s0 * mi[b + 3]))));
  l0 = fr(g.prev[b] * p + fr(g.prev2[b] * q + l0));
  l1 = fr(g.prev[b + 1] * p + fr(g.prev2[b + 1] * q + l1));
  l2 = fr(g.prev[b + 2] * p + fr(g.prev2[b + 2] * q + l2));
  l3 = fr(g.prev[b + 3] * p + fr(g.prev2[b + 3] * q + l3));
  st[2 * k + 1] = l2;
  st[2 * k] = l3;
  lanes[b] = l0;
  lanes[b + 1] = l1;
  lanes[b + 2] = l2;
  lanes[b + 3] = l3;
}

const rowState = new Float64Array(6);
const rowLanes = new Float64Array(12);

/** The row pass over one row of `width` samples starting at `start`, into `out`. */
function rowPass(
  f: RecursiveGaussian,
  g: RowGains,
  input: Float32Array,
  start: number,
  width: number,
  out: Float32Array,
): void {
  const big = f.radius;
  const st = rowState.fill(0);
  const at = (i: number) => (i >= 0 && i < width ? input[start + i] : 0);
  const scalar = (n: number) => {
    const sum = fr(at(n - big - 1) + at(n + big - 1));
    const o1 = sectionStep(g, st, 0, sum);
    const o3 = sectionStep(g, st, 1, sum);
    const o5 = sectionStep(g, st, 2, sum);
    if (n >= 0) out[start + n] = fr(o1 + fr(o3 + o5));
  };
  // libjxl: scalar up to the first multiple of 4 past the radius, groups of 4, scalar tail
  const headEnd = Math.min(Math.ceil((big + 1) / 4) * 4, width);
  let n = 1 - big;
  for (; n < headEnd; n++) scalar(n);
  const lanes = rowLanes;
  for (; n < width - big - 2; n += 4) {
    const l = start + n - big - 1;
    const r = start + n + big - 1;
    const s0 = fr(input[l] + input[r]);
    const s1 = fr(input[l + 1] + input[r + 1]);
    const s2 = fr(input[l + 2] + input[r + 2]);
    const s3 = fr(input[l + 3] + input[r + 3]);
    sectionGroup(g, st, 0, s0, s1, s2, s3, lanes);
    sectionGroup(g, st, 1, s0, s1, s2, s3, lanes);
    sectionGroup(g, st, 2, s0, s1, s2, s3, lanes);
    for (let j = 0; j < 4; j++) {
      out[start + n + j] = fr(lanes[j] + fr(lanes[4 + j] + lanes[8 + j]));
    }
  }
  for (; n < width; n++) scalar(n);
}

/**
 * The column pass: row n reads rows n - radius - 1 and n + radius - 1 (a zero row outside the
 * plane: adding 0 is exact, so this equals libjxl's single-input border rows). `state` holds,
 * per section, the last two output rows; the older is overwritten, and they swap every row.
 */
function columnPass(
  f: RecursiveGaussian,
  input: Float32Array,
  width: number,
  height: number,
  state: Float32Array,
  zeros: Float32Array,
  out: Float32Array,
): void {
  const big = f.radius;
  const [a1, a3, a5] = f.n2.map(fr);
  const [b1, b3, b5] = f.d1.map(fr);
  const w = width;
  state.fill(0, 0, 6 * w);
  for (let n = 1 - big; n < height; n++) {
    const top = n - big - 1;
    const bottom = n + big - 1;
    const topArr = top >= 0 ? input : zeros;
    const topAt = top >= 0 ? top * w : 0;
    const botArr = bottom < height ? input : zeros;
    const botAt = bottom < height ? bottom * w : 0;
    // slots: [s1 even, s1 odd, s3 even, s3 odd, s5 even, s5 odd]; this row's slot holds
    // the output of two rows ago
    const cur = (n & 1) * w;
    const prev = w - cur;
    const write = n >= 0;
    const outAt = n * w;
    for (let x = 0; x < w; x++) {
      const sum = fr(topArr[topAt + x] + botArr[botAt + x]);
      const y1 = fr(a1 * sum + fr(-b1 * state[prev + x] - state[cur + x]));
      const y3 = fr(a3 * sum + fr(-b3 * state[2 * w + prev + x] - state[2 * w + cur + x]));
      const y5 = fr(a5 * sum + fr(-b5 * state[4 * w + prev + x] - state[4 * w + cur + x]));
      state[cur + x] = y1;
      state[2 * w + cur + x] = y3;
      state[4 * w + cur + x] = y5;
      if (write) out[outAt + x] = fr(y1 + fr(y3 + y5));
    }
  }
}
