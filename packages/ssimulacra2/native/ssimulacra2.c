/*
 * SSIMULACRA 2.1 kernels for WebAssembly: the per-pixel work (XYB, blur, products, halving,
 * pooled maps). The TypeScript side (src/kernel.ts) owns the memory layout and the order of
 * the steps; every pointer here is an offset it hands in.
 *
 * The arithmetic is float32, operation for operation as libjxl's AVX2/AVX-512 build of the
 * reference tool does it, fused multiply-adds included: the score of a good image is small
 * sums of SSIM' over flat regions, where float32 rounding in the blur is most of the signal,
 * so a different order of operations moves the score by tenths. A fused multiply-add of
 * float32 operands is computed exactly in double (the product fits) and rounded once to float;
 * it differs from a true fused result only when the double sum falls on a float tie.
 *
 * Freestanding: no libc. Build: scripts/build-wasm.mjs.
 */
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline float fused(float a, float b, float c) {
  return (float)((double)a * (double)b + (double)c);
}

static inline float from_bits(int32_t i) {
  union { int32_t i; float f; } u = {i};
  return u.f;
}

static inline int32_t to_bits(float f) {
  union { float f; int32_t i; } u = {f};
  return u.i;
}

/* libjxl's opsin absorbance matrix and bias (lib/jxl/opsin_params.h). */
static const float kM02 = 0.078f;
static const float kM00 = 0.30f;
static const float kM01 = 1.0f - 0.078f - 0.30f;
static const float kM12 = 0.078f;
static const float kM10 = 0.23f;
static const float kM11 = 1.0f - 0.078f - 0.23f;
static const float kM20 = 0.24342268924547819f;
static const float kM21 = 0.20476744424496821f;
static const float kM22 = 1.0f - 0.24342268924547819f - 0.20476744424496821f;
static const float kBias = 0.0037930732552754493f;

/*
 * cbrt(x) + add for x >= 0, as libjxl's CubeRootAndAdd: a first guess of x^(-1/3) from the
 * exponent bits, four Newton steps on it, then x * r^2.
 */
static inline float cube_root_add(float x, float add) {
  const float third = 1.0f / 3;
  const float four_thirds = 4.0f / 3;
  const float x_third = third * x;
  const int32_t bits = to_bits(x);
  const int32_t guess = bits == 0 ? 0 : 0x54800000 - (bits >> 23) * 0x002AAAAA;
  float r = from_bits(guess);
  for (int i = 0; i < 3; i++) {
    const float r2 = r * r;
    r = fused(-x_third, r2 * r2, four_thirds * r);
  }
  float r2 = r * r;
  r = fused(third, fused(-x, r2 * r2, r), r);
  r2 = r * r;
  return fused(r2, x, add);
}

static inline float positive(float v) { return v > 0.0f ? v : 0.0f; }

/*
 * Linear sRGB planes to SSIMULACRA 2.1's positive XYB: X * 14 + 0.42, Y + 0.01,
 * (B - Y) + 0.55. `neg_bias_cbrt` is -cbrtf(kBias).
 */
EXPORT(xyb)
void xyb(const float *r, const float *g, const float *b, int32_t n, float neg_bias_cbrt,
         float *out_x, float *out_y, float *out_b) {
  for (int32_t i = 0; i < n; i++) {
    const float rv = r[i], gv = g[i], bv = b[i];
    const float l = positive(fused(kM00, rv, fused(kM01, gv, fused(kM02, bv, kBias))));
    const float m = positive(fused(kM10, rv, fused(kM11, gv, fused(kM12, bv, kBias))));
    const float s = positive(fused(kM20, rv, fused(kM21, gv, fused(kM22, bv, kBias))));
    const float lc = cube_root_add(l, neg_bias_cbrt);
    const float mc = cube_root_add(m, neg_bias_cbrt);
    const float sc = cube_root_add(s, neg_bias_cbrt);
    const float x = 0.5f * (lc - mc);
    const float y = 0.5f * (lc + mc);
    out_b[i] = (sc - y) + 0.55f;
    out_x[i] = x * 14.0f + 0.42f;
    out_y[i] = y + 0.01f;
  }
}

/* Halves a plane: the mean of each 2x2 block, the last row and column repeated. */
EXPORT(downsample)
void downsample(const float *in, int32_t w, int32_t h, float *out) {
  const int32_t ow = (w + 1) / 2, oh = (h + 1) / 2;
  for (int32_t oy = 0; oy < oh; oy++) {
    const float *row0 = in + 2 * oy * w;
    const float *row1 = in + (2 * oy + 1 < h ? 2 * oy + 1 : h - 1) * w;
    for (int32_t ox = 0; ox < ow; ox++) {
      const int32_t x0 = 2 * ox;
      const int32_t x1 = x0 + 1 < w ? x0 + 1 : w - 1;
      float sum = 0.0f;
      sum += row0[x0];
      sum += row0[x1];
      sum += row1[x0];
      sum += row1[x1];
      out[oy * ow + ox] = sum * 0.25f;
    }
  }
}

/* out = a * b, element by element. */
EXPORT(multiply)
void multiply(const float *a, const float *b, int32_t n, float *out) {
  for (int32_t i = 0; i < n; i++) out[i] = a[i] * b[i];
}

/*
 * The blur's coefficients, as the TypeScript side writes them (float32):
 * [0, 12) row gains on the four input sums, [12, 24) on the previous output, [24, 36) on the
 * one before (section k, lane j at 4k + j); [36, 39) n2 and [39, 42) d1 of each section.
 */
enum { kIn = 0, kPrev = 12, kPrev2 = 24, kN2 = 36, kD1 = 39 };

/* One output of section k, libjxl's scalar border step. */
static inline float section_step(const float *c, float *p, float *q, int k, float sum) {
  float o = sum * c[kIn + 4 * k];
  o = fused(c[kPrev2 + 4 * k], q[k], o);
  q[k] = p[k];
  o = fused(c[kPrev + 4 * k], p[k], o);
  p[k] = o;
  return o;
}

/* Four outputs of section k from four input sums, libjxl's unrolled step; into lanes[4k..]. */
static inline void section_group(const float *c, float *p, float *q, int k, const float *s,
                                 float *lanes) {
  const float *mi = c + kIn + 4 * k;
  for (int j = 0; j < 4; j++) {
    float o = s[0] * mi[j];
    for (int i = 1; i <= j; i++) o = fused(mi[j - i], s[i], o);
    o = fused(c[kPrev2 + 4 * k + j], q[k], o);
    lanes[4 * k + j] = fused(c[kPrev + 4 * k + j], p[k], o);
  }
  q[k] = lanes[4 * k + 2];
  p[k] = lanes[4 * k + 3];
}

static inline float at(const float *in, int32_t i, int32_t w) {
  return i >= 0 && i < w ? in[i] : 0.0f;
}

/* The blur along one row of w samples. */
static void row_pass(const float *c, int32_t radius, const float *in, int32_t w, float *out) {
  float p[3] = {0, 0, 0}, q[3] = {0, 0, 0}, lanes[12], s[4];
  int32_t head = (radius + 1 + 3) / 4 * 4;
  if (head > w) head = w;
  int32_t n = 1 - radius;
  for (; n < head; n++) {
    const float sum = at(in, n - radius - 1, w) + at(in, n + radius - 1, w);
    const float o1 = section_step(c, p, q, 0, sum);
    const float o3 = section_step(c, p, q, 1, sum);
    const float o5 = section_step(c, p, q, 2, sum);
    if (n >= 0) out[n] = o1 + (o3 + o5);
  }
  for (; n < w - radius - 2; n += 4) {
    for (int j = 0; j < 4; j++) s[j] = in[n + j - radius - 1] + in[n + j + radius - 1];
    for (int k = 0; k < 3; k++) section_group(c, p, q, k, s, lanes);
    for (int j = 0; j < 4; j++) out[n + j] = lanes[j] + (lanes[4 + j] + lanes[8 + j]);
  }
  for (; n < w; n++) {
    const float sum = at(in, n - radius - 1, w) + at(in, n + radius - 1, w);
    const float o1 = section_step(c, p, q, 0, sum);
    const float o3 = section_step(c, p, q, 1, sum);
    const float o5 = section_step(c, p, q, 2, sum);
    out[n] = o1 + (o3 + o5);
  }
}

/*
 * The blur down every column: row n reads rows n - radius - 1 and n + radius - 1 (`zeros`
 * outside the plane; adding 0 is exact). `state` (6 w floats) holds each section's last two
 * output rows; the older is overwritten and they swap every row.
 */
static void column_pass(const float *c, int32_t radius, const float *in, int32_t w, int32_t h,
                        float *state, const float *zeros, float *out) {
  const float a1 = c[kN2], a3 = c[kN2 + 1], a5 = c[kN2 + 2];
  const float b1 = -c[kD1], b3 = -c[kD1 + 1], b5 = -c[kD1 + 2];
  for (int32_t i = 0; i < 6 * w; i++) state[i] = 0.0f;
  for (int32_t n = 1 - radius; n < h; n++) {
    const int32_t top = n - radius - 1, bottom = n + radius - 1;
    const float *t = top >= 0 ? in + top * w : zeros;
    const float *bt = bottom < h ? in + bottom * w : zeros;
    float *cur1 = state + (n & 1) * w, *prev1 = state + w - (n & 1) * w;
    float *cur3 = cur1 + 2 * w, *prev3 = prev1 + 2 * w;
    float *cur5 = cur1 + 4 * w, *prev5 = prev1 + 4 * w;
    float *o = n >= 0 ? out + n * w : 0;
    for (int32_t x = 0; x < w; x++) {
      const float sum = t[x] + bt[x];
      const float y1 = fused(a1, sum, fused(b1, prev1[x], -cur1[x]));
      const float y3 = fused(a3, sum, fused(b3, prev3[x], -cur3[x]));
      const float y5 = fused(a5, sum, fused(b5, prev5[x], -cur5[x]));
      cur1[x] = y1;
      cur3[x] = y3;
      cur5[x] = y5;
      if (o) o[x] = y1 + (y3 + y5);
    }
  }
}

/* Blurs the w x h plane `in` into `out` (which may be `in`), through `temp`. */
EXPORT(blur)
void blur(const float *coefficients, int32_t radius, const float *in, int32_t w, int32_t h,
          float *temp, float *state, const float *zeros, float *out) {
  for (int32_t y = 0; y < h; y++) row_pass(coefficients, radius, in + y * w, w, temp + y * w);
  column_pass(coefficients, radius, temp, w, h, state, zeros, out);
}

static inline double fourth(double x) {
  x *= x;
  return x * x;
}

/*
 * The SSIM' map of one channel, pooled: out[0] its mean, out[1] its 4-norm. SSIM' drops the
 * luminance denominator (version 2.1) and is 1 - SSIM', clamped at 0.
 */
EXPORT(ssim_norms)
void ssim_norms(const float *mu1, const float *mu2, const float *s11, const float *s22,
                const float *s12, int32_t n, double *out) {
  const float c2 = 0.0009f;
  double sum1 = 0.0, sum4 = 0.0;
  for (int32_t i = 0; i < n; i++) {
    const float m1 = mu1[i], m2 = mu2[i];
    const float m11 = m1 * m1, m22 = m2 * m2, m12 = m1 * m2;
    const float dm = m1 - m2;
    const float num_m = (float)(1.0 - (double)(dm * dm));
    const float num_s = 2 * (s12[i] - m12) + c2;
    const float den_s = (s11[i] - m11) + (s22[i] - m22) + c2;
    double d = 1.0 - (double)(num_m * num_s / den_s);
    if (d < 0.0) d = 0.0;
    sum1 += d;
    sum4 += fourth(d);
  }
  const double per = 1.0 / n;
  out[0] = per * sum1;
  out[1] = __builtin_sqrt(__builtin_sqrt(per * sum4));
}

/*
 * The artifact and detail-lost maps of one channel, pooled: out[0..1] the artifact map's mean
 * and 4-norm, out[2..3] the detail-lost map's.
 */
EXPORT(edge_norms)
void edge_norms(const float *img1, const float *mu1, const float *img2, const float *mu2,
                int32_t n, double *out) {
  double s[4] = {0.0, 0.0, 0.0, 0.0};
  for (int32_t i = 0; i < n; i++) {
    const double d = (1.0 + (double)__builtin_fabsf(img2[i] - mu2[i])) /
                         (1.0 + (double)__builtin_fabsf(img1[i] - mu1[i])) -
                     1.0;
    const double artifact = d > 0.0 ? d : 0.0;
    const double lost = d < 0.0 ? -d : 0.0;
    s[0] += artifact;
    s[1] += fourth(artifact);
    s[2] += lost;
    s[3] += fourth(lost);
  }
  const double per = 1.0 / n;
  out[0] = per * s[0];
  out[1] = __builtin_sqrt(__builtin_sqrt(per * s[1]));
  out[2] = per * s[2];
  out[3] = __builtin_sqrt(__builtin_sqrt(per * s[3]));
}
