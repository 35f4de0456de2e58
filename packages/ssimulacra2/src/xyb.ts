/**
 * Linear sRGB to SSIMULACRA 2.1's "positive XYB": libjxl's XYB (opsin absorbance matrix, bias,
 * cube root, X = (L - M) / 2, Y = (L + M) / 2, B = S) rescaled as version 2.1 does so that every
 * component lies in about 0..1: X * 14 + 0.42, Y + 0.01, (B - Y) + 0.55.
 */

// libjxl's opsin absorbance matrix (lib/jxl/opsin_params.h), float32 like libjxl's.
const M02 = Math.fround(0.078);
const M00 = Math.fround(0.3);
const M01 = Math.fround(Math.fround(1 - M02) - M00);
const M12 = Math.fround(0.078);
const M10 = Math.fround(0.23);
const M11 = Math.fround(Math.fround(1 - M12) - M10);
const M20 = Math.fround(0.24342268924547819);
const M21 = Math.fround(0.20476744424496821);
const M22 = Math.fround(Math.fround(1 - M20) - M21);
const BIAS = Math.fround(0.0037930732552754493);
const BIAS_CBRT = Math.cbrt(BIAS);

// Cube root: a first guess interpolated from a table over [TABLE_FROM, TABLE_TO], then one
// Halley step (cubic convergence: relative error about 1e-9 at the low end, far below float32's
// 6e-8). Math.cbrt is exact but several times slower in V8; it still serves values off the table.
const TABLE_STEPS = 1024;
const TABLE_FROM = 1 / 512;
const TABLE_TO = 1.0625;
const TABLE_SCALE = TABLE_STEPS / TABLE_TO;
const CBRT_TABLE = new Float64Array(TABLE_STEPS + 2);
for (let i = 0; i < CBRT_TABLE.length; i++) CBRT_TABLE[i] = Math.cbrt(i / TABLE_SCALE);

/** cbrt(x) for x >= 0, to about 1e-9 relative. */
export function cubeRoot(x: number): number {
  if (x < TABLE_FROM || x >= TABLE_TO) return x > 0 ? Math.cbrt(x) : 0;
  const f = x * TABLE_SCALE;
  const i = f | 0;
  const lo = CBRT_TABLE[i];
  const r = lo + (CBRT_TABLE[i + 1] - lo) * (f - i);
  const r3 = r * r * r;
  return (r * (r3 + 2 * x)) / (2 * r3 + x);
}

/**
 * Converts `count` pixels of linear planes `r`, `g`, `b` into positive-XYB planes `x`, `y`, `b`
 * (`bOut` may not alias the inputs; `x`, `y` may not either).
 */
export function linearToPositiveXyb(
  r: Float32Array,
  g: Float32Array,
  b: Float32Array,
  count: number,
  xOut: Float32Array,
  yOut: Float32Array,
  bOut: Float32Array,
): void {
  for (let i = 0; i < count; i++) {
    const rv = r[i];
    const gv = g[i];
    const bv = b[i];
    const l = cubeRoot(Math.max(0, M00 * rv + M01 * gv + M02 * bv + BIAS)) - BIAS_CBRT;
    const m = cubeRoot(Math.max(0, M10 * rv + M11 * gv + M12 * bv + BIAS)) - BIAS_CBRT;
    const s = cubeRoot(Math.max(0, M20 * rv + M21 * gv + M22 * bv + BIAS)) - BIAS_CBRT;
    const xv = Math.fround(0.5 * (l - m));
    const yv = Math.fround(0.5 * (l + m));
    xOut[i] = xv * 14 + 0.42;
    yOut[i] = yv + 0.01;
    bOut[i] = Math.fround(s) - yv + 0.55;
  }
}
