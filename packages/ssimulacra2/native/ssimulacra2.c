/*
 * SSIMULACRA 2.1 kernels for WebAssembly: the per-pixel work (XYB, blur, products, halving,
 * pooled maps). The TypeScript side (src/kernel.ts) owns the memory layout and the order of
 * the steps; every pointer here is an offset it hands in.
 *
 * The arithmetic is float32, operation for operation as libjxl's AVX2/AVX-512 build of the
 * reference tool does it, fused multiply-adds included: the score of a good image is small
 * sums of SSIM' over flat regions, where float32 rounding in the blur is most of the signal,
 * so a different order of operations moves the score by tenths. WebAssembly has no fused
 * multiply-add: the heavy kernels compute in pairs of doubles that hold float values, and round
 * to float after each operation (see rnd). A product of floats is exact in double, so
 * a * b + c rounded once is the fused result, except when the double sum falls on a float tie.
 *
 * Freestanding: no libc. Build: scripts/build-wasm.mjs.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

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

/*
 * Two lanes of float32 arithmetic in double registers: every value is a float held in a
 * double, and each operation rounds back to float (rnd). A product of floats is exact in
 * double, so fma2 is one rounding like a fused multiply-add; a sum of two floats is rounded
 * once, like a float add.
 *
 * rnd rounds a double to float's 24-bit significand with Veltkamp's split (for doubles in
 * float's normal range and 0, which is all the blur sees; ties go to even, as checked against
 * float rounding on every tie of a million random floats): three flops in SIMD registers,
 * where clang 14 would turn a demote-promote pair into scalar conversions.
 */
typedef double d2 __attribute__((vector_size(16)));

static inline d2 rnd(d2 v) {
  const d2 c = v * (d2){536870913.0, 536870913.0}; /* 2^29 + 1 */
  return c - (c - v);
}
static inline d2 fma2(d2 a, d2 b, d2 c) { return rnd(a * b + c); }
static inline d2 splat(double x) { return (d2){x, x}; }

/* max(v, 0) per lane. */
static inline d2 positive2(d2 v) {
  return (d2)wasm_f64x2_pmax((v128_t)v, wasm_f64x2_splat(0.0));
}

static inline d2 load2(const float *p) {
  return (d2)wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p));
}

static inline void store2(float *p, d2 v) {
  wasm_v128_store64_lane(p, wasm_f32x4_demote_f64x2_zero((v128_t)v), 0);
}

/* Loads two lanes at i, or lane i twice when it is the last (odd) one. */
static inline d2 load_lanes(const float *p, int32_t i, int32_t lanes) {
  return i + 1 < lanes ? load2(p + i) : splat(p[i]);
}

static inline void store_lanes(float *p, int32_t i, int32_t lanes, d2 v) {
  if (i + 1 < lanes) store2(p + i, v);
  else p[i] = (float)v[0];
}

static inline d2 load_state(const double *p, int32_t i, int32_t lanes) {
  return i + 1 < lanes ? (d2){p[i], p[i + 1]} : splat(p[i]);
}

static inline void store_state(double *p, int32_t i, int32_t lanes, d2 v) {
  p[i] = v[0];
  if (i + 1 < lanes) p[i + 1] = v[1];
}

/*
 * cbrt(x) + add for x >= 0, as libjxl's CubeRootAndAdd: a first guess of x^(-1/3) from the
 * float's exponent bits (here the double's exponent, rebiased, and the guess's float bits
 * turned back into a double), four Newton steps on it, then x * r^2. Runs on kXybLanes pairs
 * in lockstep: each step is a chain of dependent operations, and independent chains overlap.
 */
enum { kXybPairs = 4, kXybLanes = 3 * kXybPairs };

static inline void cube_root_add(d2 *x, d2 add) {
  const d2 third = splat(1.0f / 3), four_thirds = splat(4.0f / 3);
  d2 x_third[kXybLanes], r[kXybLanes], r2[kXybLanes];
  for (int j = 0; j < kXybLanes; j++) {
    x_third[j] = rnd(third * x[j]);
    const v128_t bits = (v128_t)x[j];
    const v128_t exp_f = wasm_i64x2_sub(wasm_u64x2_shr(bits, 52), wasm_i64x2_splat(1023 - 127));
    const v128_t guess = wasm_i64x2_sub(wasm_i64x2_splat(0x54800000),
                                        wasm_i64x2_mul(exp_f, wasm_i64x2_splat(0x002AAAAA)));
    const v128_t e = wasm_i64x2_add(wasm_u64x2_shr(guess, 23), wasm_i64x2_splat(1023 - 127));
    const v128_t m = wasm_v128_and(guess, wasm_i64x2_splat(0x7FFFFF));
    const v128_t rb = wasm_v128_or(wasm_i64x2_shl(e, 52), wasm_i64x2_shl(m, 29));
    r[j] = (d2)wasm_v128_andnot(rb, wasm_f64x2_eq(bits, wasm_f64x2_splat(0.0)));
  }
  for (int i = 0; i < 3; i++) {
    for (int j = 0; j < kXybLanes; j++) r2[j] = rnd(r[j] * r[j]);
    for (int j = 0; j < kXybLanes; j++)
      r[j] = fma2(-x_third[j], rnd(r2[j] * r2[j]), rnd(four_thirds * r[j]));
  }
  for (int j = 0; j < kXybLanes; j++) r2[j] = rnd(r[j] * r[j]);
  for (int j = 0; j < kXybLanes; j++) r[j] = fma2(third, fma2(-x[j], rnd(r2[j] * r2[j]), r[j]), r[j]);
  for (int j = 0; j < kXybLanes; j++) r2[j] = rnd(r[j] * r[j]);
  for (int j = 0; j < kXybLanes; j++) x[j] = fma2(r2[j], x[j], add);
}

/* The opsin mix of one row of the matrix, clamped at 0. */
static inline d2 mix(float a, float b, float c, d2 r, d2 g, d2 bl) {
  return positive2(fma2(splat(a), r, fma2(splat(b), g, fma2(splat(c), bl, splat(kBias)))));
}

/*
 * Positive XYB of the pixels idx[0..2 kXybPairs) (an index may repeat): kXybPairs pairs in
 * lockstep. Writes the planes and, with a cache, remembers each pixel's result by its colour.
 */
typedef struct {
  uint32_t key[3];
  float out[3];
  uint32_t used;
} CacheEntry;

enum { kCacheBits = 12 };
static CacheEntry cache[1 << kCacheBits];

static inline uint32_t bits_of(float f) {
  uint32_t u;
  __builtin_memcpy(&u, &f, sizeof u);
  return u;
}

static inline uint32_t colour_slot(uint32_t kr, uint32_t kg, uint32_t kb) {
  return (kr * 0x9E3779B1u ^ kg * 0x85EBCA77u ^ kb * 0xC2B2AE3Du) >> (32 - kCacheBits);
}

static void xyb_batch(const float *r, const float *g, const float *b, const int32_t *idx,
                      d2 nbc, float *out_x, float *out_y, float *out_b, int cached) {
  d2 v[kXybLanes];
  for (int j = 0; j < kXybPairs; j++) {
    const int32_t i0 = idx[2 * j], i1 = idx[2 * j + 1];
    const d2 rv = {r[i0], r[i1]}, gv = {g[i0], g[i1]}, bv = {b[i0], b[i1]};
    v[3 * j] = mix(kM00, kM01, kM02, rv, gv, bv);
    v[3 * j + 1] = mix(kM10, kM11, kM12, rv, gv, bv);
    v[3 * j + 2] = mix(kM20, kM21, kM22, rv, gv, bv);
  }
  cube_root_add(v, nbc);
  for (int j = 0; j < kXybPairs; j++) {
    const d2 x = rnd(v[3 * j] - v[3 * j + 1]) * 0.5, y = rnd(v[3 * j] + v[3 * j + 1]) * 0.5;
    const d2 ox = rnd(rnd(x * 14.0) + splat(0.42f)), oy = rnd(y + splat(0.01f));
    const d2 ob = rnd(rnd(v[3 * j + 2] - y) + splat(0.55f));
    for (int k = 0; k < 2; k++) {
      const int32_t i = idx[2 * j + k];
      out_x[i] = (float)ox[k];
      out_y[i] = (float)oy[k];
      out_b[i] = (float)ob[k];
      if (cached) {
        const uint32_t kr = bits_of(r[i]), kg = bits_of(g[i]), kb = bits_of(b[i]);
        CacheEntry *e = &cache[colour_slot(kr, kg, kb)];
        *e = (CacheEntry){{kr, kg, kb}, {out_x[i], out_y[i], out_b[i]}, 1};
      }
    }
  }
}

/*
 * Linear sRGB planes to SSIMULACRA 2.1's positive XYB: X * 14 + 0.42, Y + 0.01,
 * (B - Y) + 0.55. `neg_bias_cbrt` is -cbrtf(kBias). With `cached` (for the finest scale,
 * where an 8-bit image repeats colours: a palette image has at most 256), a pixel whose
 * linear colour was converted before, in this or an earlier call, takes that result: the
 * conversion is a function of the colour alone, so nothing changes but the time.
 */
EXPORT(xyb)
void xyb(const float *r, const float *g, const float *b, int32_t n, float neg_bias_cbrt,
         int32_t cached, float *out_x, float *out_y, float *out_b) {
  const d2 nbc = splat(neg_bias_cbrt);
  int32_t pending[2 * kXybPairs];
  int count = 0, hits = 0;
  for (int32_t i = 0; i < n; i++) {
    /* the cache costs about a sixth more on an image of distinct colours: give it up when
       fewer than a quarter of the first 8192 pixels hit */
    if (cached && i == 8192 && hits < 2048) cached = 0;
    if (cached) {
      const uint32_t kr = bits_of(r[i]), kg = bits_of(g[i]), kb = bits_of(b[i]);
      const CacheEntry *e = &cache[colour_slot(kr, kg, kb)];
      if (e->used && e->key[0] == kr && e->key[1] == kg && e->key[2] == kb) {
        out_x[i] = e->out[0];
        out_y[i] = e->out[1];
        out_b[i] = e->out[2];
        hits++;
        continue;
      }
    }
    pending[count++] = i;
    if (count == 2 * kXybPairs) {
      xyb_batch(r, g, b, pending, nbc, out_x, out_y, out_b, cached);
      count = 0;
    }
  }
  if (count > 0) {
    for (int k = count; k < 2 * kXybPairs; k++) pending[k] = pending[count - 1];
    xyb_batch(r, g, b, pending, nbc, out_x, out_y, out_b, cached);
  }
}

/* Row `i` of a plane of `lanes`-wide rows, or `zeros` outside rows [0, rows). */
static inline const float *row_or_zeros(const float *plane, int32_t i, int32_t rows,
                                        int32_t lanes, const float *zeros) {
  return i >= 0 && i < rows ? plane + i * lanes : zeros;
}

/* out (w x h) = the transpose of in (h x w). */
static void transpose(const float *in, int32_t h, int32_t w, float *out) {
  for (int32_t y0 = 0; y0 < h; y0 += 16) {
    const int32_t y1 = y0 + 16 < h ? y0 + 16 : h;
    for (int32_t x = 0; x < w; x++)
      for (int32_t y = y0; y < y1; y++) out[x * h + y] = in[y * w + x];
  }
}

/*
 * libjxl's row pass, run on the transposed plane so that every image row is a lane: `steps`
 * rows of `lanes` values, each lane an independent recursion. Steps before the first multiple
 * of 4 past the radius, and after the last whole group, go one at a time (libjxl's scalar
 * border loops); the rest four at a time from precomputed gains (its unrolled loop).
 * `st` holds per section the last two outputs of every lane (6 * lanes doubles).
 */
static void one_step(const float *c, const float *in_l, const float *in_r, int32_t lanes,
                     double *st, float *out) {
  for (int32_t y = 0; y < lanes; y += 2) {
    const d2 sum = rnd(load_lanes(in_l, y, lanes) + load_lanes(in_r, y, lanes));
    d2 o[3];
    for (int k = 0; k < 3; k++) {
      const d2 p = load_state(st + 2 * k * lanes, y, lanes);
      const d2 q = load_state(st + (2 * k + 1) * lanes, y, lanes);
      d2 v = rnd(sum * splat(c[kIn + 4 * k]));
      v = fma2(splat(c[kPrev2 + 4 * k]), q, v);
      v = fma2(splat(c[kPrev + 4 * k]), p, v);
      store_state(st + (2 * k + 1) * lanes, y, lanes, p);
      store_state(st + 2 * k * lanes, y, lanes, v);
      o[k] = v;
    }
    if (out) store_lanes(out, y, lanes, rnd(o[0] + rnd(o[1] + o[2])));
  }
}

static void four_steps(const float *c, const float *const *in_l, const float *const *in_r,
                       int32_t lanes, double *st, float *const *out) {
  for (int32_t y = 0; y < lanes; y += 2) {
    d2 s[4], l[3][4];
    for (int j = 0; j < 4; j++)
      s[j] = rnd(load_lanes(in_l[j], y, lanes) + load_lanes(in_r[j], y, lanes));
    for (int k = 0; k < 3; k++) {
      const float *mi = c + kIn + 4 * k;
      const d2 p = load_state(st + 2 * k * lanes, y, lanes);
      const d2 q = load_state(st + (2 * k + 1) * lanes, y, lanes);
      for (int j = 0; j < 4; j++) {
        d2 v = rnd(s[0] * splat(mi[j]));
        for (int i = 1; i <= j; i++) v = fma2(splat(mi[j - i]), s[i], v);
        v = fma2(splat(c[kPrev2 + 4 * k + j]), q, v);
        l[k][j] = fma2(splat(c[kPrev + 4 * k + j]), p, v);
      }
      store_state(st + (2 * k + 1) * lanes, y, lanes, l[k][2]);
      store_state(st + 2 * k * lanes, y, lanes, l[k][3]);
    }
    for (int j = 0; j < 4; j++)
      store_lanes(out[j], y, lanes, rnd(l[0][j] + rnd(l[1][j] + l[2][j])));
  }
}

static void row_sweep(const float *c, int32_t radius, const float *in, int32_t steps,
                      int32_t lanes, double *st, const float *zeros, float *out) {
  for (int32_t i = 0; i < 6 * lanes; i++) st[i] = 0.0;
  int32_t head = (radius + 1 + 3) / 4 * 4;
  if (head > steps) head = steps;
  int32_t n = 1 - radius;
  for (; n < head; n++)
    one_step(c, row_or_zeros(in, n - radius - 1, steps, lanes, zeros),
             row_or_zeros(in, n + radius - 1, steps, lanes, zeros), lanes, st,
             n >= 0 ? out + n * lanes : 0);
  for (; n < steps - radius - 2; n += 4) {
    const float *in_l[4], *in_r[4];
    float *o[4];
    for (int j = 0; j < 4; j++) {
      in_l[j] = in + (n + j - radius - 1) * lanes;
      in_r[j] = in + (n + j + radius - 1) * lanes;
      o[j] = out + (n + j) * lanes;
    }
    four_steps(c, in_l, in_r, lanes, st, o);
  }
  for (; n < steps; n++)
    one_step(c, row_or_zeros(in, n - radius - 1, steps, lanes, zeros),
             row_or_zeros(in, n + radius - 1, steps, lanes, zeros), lanes, st, out + n * lanes);
}

/*
 * libjxl's column pass: row n reads rows n - radius - 1 and n + radius - 1 (`zeros` outside
 * the plane; adding 0 is exact). `st` holds each section's last two output rows (6 w doubles);
 * the older is overwritten and they swap every row.
 */
static void column_sweep(const float *c, int32_t radius, const float *in, int32_t w, int32_t h,
                         double *st, const float *zeros, float *out) {
  const d2 a[3] = {splat(c[kN2]), splat(c[kN2 + 1]), splat(c[kN2 + 2])};
  const d2 b[3] = {splat(-c[kD1]), splat(-c[kD1 + 1]), splat(-c[kD1 + 2])};
  for (int32_t i = 0; i < 6 * w; i++) st[i] = 0.0;
  for (int32_t n = 1 - radius; n < h; n++) {
    const float *t = row_or_zeros(in, n - radius - 1, h, w, zeros);
    const float *bt = row_or_zeros(in, n + radius - 1, h, w, zeros);
    const int32_t odd = n & 1;
    for (int32_t x = 0; x < w; x += 2) {
      const d2 sum = rnd(load_lanes(t, x, w) + load_lanes(bt, x, w));
      d2 y[3];
      for (int k = 0; k < 3; k++) {
        double *older = st + (2 * k + odd) * w;
        double *newer = st + (2 * k + 1 - odd) * w;
        const d2 prev = load_state(newer, x, w);
        const d2 prev2 = load_state(older, x, w);
        y[k] = fma2(a[k], sum, fma2(b[k], prev, -prev2));
        store_state(older, x, w, y[k]);
      }
      if (n >= 0) store_lanes(out + n * w, x, w, rnd(y[0] + rnd(y[1] + y[2])));
    }
  }
}

/*
 * Blurs the w x h plane `in` into `out` (which may be `in`): rows (on the transpose, in
 * `temp2`, into `temp`), transposed back into `temp2`, then columns. `st` is 6 max(w, h)
 * doubles and `zeros` max(w, h) floats of 0.
 */
EXPORT(blur)
void blur(const float *coefficients, int32_t radius, const float *in, int32_t w, int32_t h,
          float *temp, float *temp2, double *st, const float *zeros, float *out) {
  transpose(in, h, w, temp2);
  row_sweep(coefficients, radius, temp2, w, h, st, zeros, temp);
  transpose(temp, w, h, temp2);
  column_sweep(coefficients, radius, temp2, w, h, st, zeros, out);
}

static inline double fourth(double x) {
  x *= x;
  return x * x;
}

/* Promotes lanes 0-1 (lo) or 2-3 (hi) of four floats to two doubles. */
static inline d2 lo2(v128_t f) { return (d2)wasm_f64x2_promote_low_f32x4(f); }
static inline d2 hi2(v128_t f) {
  return (d2)wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(f, f, 2, 3, 2, 3));
}

static inline d2 fourth2(d2 x) {
  x *= x;
  return x * x;
}

static inline double lanes_sum(d2 v) { return v[0] + v[1]; }

/* SSIM' (1 - SSIM without the luminance denominator) of one pixel's four float inputs. */
static inline double ssim_error(float m1, float m2, float s11, float s22, float s12) {
  const float c2 = 0.0009f;
  const float dm = m1 - m2;
  const float num_m = (float)(1.0 - (double)(dm * dm));
  const float num_s = 2 * (s12 - m1 * m2) + c2;
  const float den_s = (s11 - m1 * m1) + (s22 - m2 * m2) + c2;
  const double d = 1.0 - (double)(num_m * num_s / den_s);
  return d > 0.0 ? d : 0.0;
}

/*
 * The SSIM' map of one channel, pooled: out[0] its mean, out[1] its 4-norm. The per-pixel
 * arithmetic is the reference's, in float32 (four pixels at a time); the sums are in double,
 * two running sums per norm (the reference keeps one: the pooled values differ in the last
 * bits of a double, 1e-16 relative).
 */
EXPORT(ssim_norms)
void ssim_norms(const float *mu1, const float *mu2, const float *s11, const float *s22,
                const float *s12, int32_t n, double *out) {
  const v128_t c2 = wasm_f32x4_splat(0.0009f), two = wasm_f32x4_splat(2.0f);
  const d2 one = splat(1.0), zero = splat(0.0);
  d2 sum1 = zero, sum4 = zero;
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t m1 = wasm_v128_load(mu1 + i), m2 = wasm_v128_load(mu2 + i);
    const v128_t dm = wasm_f32x4_sub(m1, m2);
    const v128_t sq = wasm_f32x4_mul(dm, dm);
    const v128_t num_m = wasm_f32x4_demote_f64x2_zero((v128_t)(one - lo2(sq)));
    const v128_t num_m_hi = wasm_f32x4_demote_f64x2_zero((v128_t)(one - hi2(sq)));
    const v128_t nm = wasm_i32x4_shuffle(num_m, num_m_hi, 0, 1, 4, 5);
    const v128_t num_s = wasm_f32x4_add(
        wasm_f32x4_mul(two, wasm_f32x4_sub(wasm_v128_load(s12 + i), wasm_f32x4_mul(m1, m2))), c2);
    const v128_t den_s = wasm_f32x4_add(
        wasm_f32x4_add(wasm_f32x4_sub(wasm_v128_load(s11 + i), wasm_f32x4_mul(m1, m1)),
                       wasm_f32x4_sub(wasm_v128_load(s22 + i), wasm_f32x4_mul(m2, m2))),
        c2);
    const v128_t q = wasm_f32x4_div(wasm_f32x4_mul(nm, num_s), den_s);
    const d2 dlo = positive2(one - lo2(q));
    const d2 dhi = positive2(one - hi2(q));
    sum1 += dlo + dhi;
    sum4 += fourth2(dlo) + fourth2(dhi);
  }
  double t1 = lanes_sum(sum1), t4 = lanes_sum(sum4);
  for (; i < n; i++) {
    const double d = ssim_error(mu1[i], mu2[i], s11[i], s22[i], s12[i]);
    t1 += d;
    t4 += fourth(d);
  }
  const double per = 1.0 / n;
  out[0] = per * t1;
  out[1] = __builtin_sqrt(__builtin_sqrt(per * t4));
}

/*
 * The artifact and detail-lost maps of one channel, pooled: out[0..1] the artifact map's mean
 * and 4-norm, out[2..3] the detail-lost map's (sums as in ssim_norms).
 */
EXPORT(edge_norms)
void edge_norms(const float *img1, const float *mu1, const float *img2, const float *mu2,
                int32_t n, double *out) {
  const d2 one = splat(1.0), zero = splat(0.0);
  d2 s[4] = {zero, zero, zero, zero};
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t e1 = wasm_f32x4_abs(wasm_f32x4_sub(wasm_v128_load(img1 + i), wasm_v128_load(mu1 + i)));
    const v128_t e2 = wasm_f32x4_abs(wasm_f32x4_sub(wasm_v128_load(img2 + i), wasm_v128_load(mu2 + i)));
    const d2 dlo = (one + lo2(e2)) / (one + lo2(e1)) - one;
    const d2 dhi = (one + hi2(e2)) / (one + hi2(e1)) - one;
    const d2 alo = positive2(dlo), ahi = positive2(dhi);
    const d2 llo = positive2(-dlo), lhi = positive2(-dhi);
    s[0] += alo + ahi;
    s[1] += fourth2(alo) + fourth2(ahi);
    s[2] += llo + lhi;
    s[3] += fourth2(llo) + fourth2(lhi);
  }
  double t[4];
  for (int k = 0; k < 4; k++) t[k] = lanes_sum(s[k]);
  for (; i < n; i++) {
    const double d = (1.0 + (double)__builtin_fabsf(img2[i] - mu2[i])) /
                         (1.0 + (double)__builtin_fabsf(img1[i] - mu1[i])) -
                     1.0;
    const double artifact = d > 0.0 ? d : 0.0, lost = d < 0.0 ? -d : 0.0;
    t[0] += artifact;
    t[1] += fourth(artifact);
    t[2] += lost;
    t[3] += fourth(lost);
  }
  const double per = 1.0 / n;
  out[0] = per * t[0];
  out[1] = __builtin_sqrt(__builtin_sqrt(per * t[1]));
  out[2] = per * t[2];
  out[3] = __builtin_sqrt(__builtin_sqrt(per * t[3]));
}
