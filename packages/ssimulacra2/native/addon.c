/*
 * SSIMULACRA 2.1's two heavy kernels (the recursive blur and linear RGB to XYB) as a Node-API
 * addon with the CPU's own fused multiply-adds, 8 lanes wide (AVX2 + FMA): the same float32
 * operations as libjxl's AVX2/AVX-512 build, so the same bits as the WebAssembly kernels
 * (native/ssimulacra2.c, which emulate the fused operations in double), 5-10 times faster.
 * Optional: src/native.ts loads it when it is built and the CPU has AVX2 and FMA, and the
 * WebAssembly kernels do everything otherwise.
 *
 * The functions work in place on an ArrayBuffer (the WebAssembly memory the TypeScript side
 * lays its planes out in): every pointer is a byte offset into it, checked against its length.
 * Build: scripts/build-native.mjs (node-gyp, -ffp-contract=off: no fused operation but the
 * explicit ones).
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_X86 1
#define T __attribute__((target("avx2,fma")))
#define R __restrict__

/* libjxl's opsin absorbance matrix and bias (lib/jxl/opsin_params.h). */
static const float kM02 = 0.078f, kM00 = 0.30f, kM01 = 1.0f - 0.078f - 0.30f;
static const float kM12 = 0.078f, kM10 = 0.23f, kM11 = 1.0f - 0.078f - 0.23f;
static const float kM20 = 0.24342268924547819f, kM21 = 0.20476744424496821f;
static const float kM22 = 1.0f - 0.24342268924547819f - 0.20476744424496821f;
static const float kBias = 0.0037930732552754493f;
#define FMA _mm256_fmadd_ps
#define LD _mm256_loadu_ps
#define ST _mm256_storeu_ps
#define SP _mm256_set1_ps
/* The coefficient block (see src/blur.ts): row gains on the input sums, on the previous output
   and the one before (section k, lane j at 4k + j), then n2 and d1 of each section. */
enum { kIn = 0, kPrev = 12, kPrev2 = 24, kN2 = 36, kD1 = 39 };

/* cbrt(x) + add, libjxl's CubeRootAndAdd (one lane; see cbrt_add8). */
static inline T float cbrt_add(float x, float add) {
  const float third = 1.0f / 3, four_thirds = 4.0f / 3;
  const float x_third = third * x;
  int32_t bits;
  memcpy(&bits, &x, 4);
  int32_t guess = bits == 0 ? 0 : 0x54800000 - (bits >> 23) * 0x002AAAAA;
  float r;
  memcpy(&r, &guess, 4);
  for (int i = 0; i < 3; i++) {
    float r2 = r * r;
    r = __builtin_fmaf(-x_third, r2 * r2, four_thirds * r);
  }
  float r2 = r * r;
  r = __builtin_fmaf(third, __builtin_fmaf(-x, r2 * r2, r), r);
  r2 = r * r;
  return __builtin_fmaf(r2, x, add);
}

/* cbrt_add on 8 lanes: the guess from the exponent bits, 3 Newton steps, x * r^2. */
static inline T __m256 cbrt_add8(__m256 x, __m256 add) {
  const __m256 third = _mm256_set1_ps(1.0f / 3), four_thirds = _mm256_set1_ps(4.0f / 3);
  const __m256 x_third = _mm256_mul_ps(third, x);
  const __m256i bits = _mm256_castps_si256(x);
  __m256i guess = _mm256_sub_epi32(
      _mm256_set1_epi32(0x54800000),
      _mm256_mullo_epi32(_mm256_srai_epi32(bits, 23), _mm256_set1_epi32(0x002AAAAA)));
  guess = _mm256_andnot_si256(_mm256_cmpeq_epi32(bits, _mm256_setzero_si256()), guess);
  __m256 r = _mm256_castsi256_ps(guess);
  for (int i = 0; i < 3; i++) {
    const __m256 r2 = _mm256_mul_ps(r, r);
    r = _mm256_fnmadd_ps(x_third, _mm256_mul_ps(r2, r2), _mm256_mul_ps(four_thirds, r));
  }
  __m256 r2 = _mm256_mul_ps(r, r);
  r = _mm256_fmadd_ps(third, _mm256_fnmadd_ps(x, _mm256_mul_ps(r2, r2), r), r);
  r2 = _mm256_mul_ps(r, r);
  return _mm256_fmadd_ps(r2, x, add);
}

/* Linear sRGB to 2.1's positive XYB (X * 14 + 0.42, Y + 0.01, (B - Y) + 0.55), 8 at a time. */
static T void xyb(const float *R r, const float *R g, const float *R b, int32_t n, float nbc,
                  float *R ox, float *R oy, float *R ob) {
  int32_t i = 0;
  const __m256 bias = SP(kBias), zero = _mm256_setzero_ps(), add = SP(nbc);
  for (; i + 8 <= n; i += 8) {
    const __m256 rv = LD(r + i), gv = LD(g + i), bv = LD(b + i);
    const __m256 l =
        _mm256_max_ps(FMA(SP(kM00), rv, FMA(SP(kM01), gv, FMA(SP(kM02), bv, bias))), zero);
    const __m256 m =
        _mm256_max_ps(FMA(SP(kM10), rv, FMA(SP(kM11), gv, FMA(SP(kM12), bv, bias))), zero);
    const __m256 s =
        _mm256_max_ps(FMA(SP(kM20), rv, FMA(SP(kM21), gv, FMA(SP(kM22), bv, bias))), zero);
    const __m256 lc = cbrt_add8(l, add), mc = cbrt_add8(m, add), sc = cbrt_add8(s, add);
    const __m256 x = _mm256_mul_ps(SP(0.5f), _mm256_sub_ps(lc, mc));
    const __m256 y = _mm256_mul_ps(SP(0.5f), _mm256_add_ps(lc, mc));
    ST(ob + i, _mm256_add_ps(_mm256_sub_ps(sc, y), SP(0.55f)));
    ST(ox + i, _mm256_add_ps(_mm256_mul_ps(x, SP(14.0f)), SP(0.42f)));
    ST(oy + i, _mm256_add_ps(y, SP(0.01f)));
  }
  for (; i < n; i++) {
    float l =
        __builtin_fmaf(kM00, r[i], __builtin_fmaf(kM01, g[i], __builtin_fmaf(kM02, b[i], kBias)));
    float m =
        __builtin_fmaf(kM10, r[i], __builtin_fmaf(kM11, g[i], __builtin_fmaf(kM12, b[i], kBias)));
    float s =
        __builtin_fmaf(kM20, r[i], __builtin_fmaf(kM21, g[i], __builtin_fmaf(kM22, b[i], kBias)));
    l = l > 0 ? l : 0;
    m = m > 0 ? m : 0;
    s = s > 0 ? s : 0;
    float lc = cbrt_add(l, nbc), mc = cbrt_add(m, nbc), sc = cbrt_add(s, nbc);
    float x = 0.5f * (lc - mc), y = 0.5f * (lc + mc);
    ob[i] = (sc - y) + 0.55f;
    ox[i] = x * 14.0f + 0.42f;
    oy[i] = y + 0.01f;
  }
}

/* out (w x h) = the transpose of in (h x w), in strips of 16 rows. */
static void transpose(const float *R in, int32_t h, int32_t w, float *R out) {
  for (int32_t y0 = 0; y0 < h; y0 += 16) {
    int32_t y1 = y0 + 16 < h ? y0 + 16 : h;
    for (int32_t x = 0; x < w; x++)
      for (int32_t y = y0; y < y1; y++) out[x * h + y] = in[y * w + x];
  }
}

/* Row i of a plane of `lanes`-wide rows, or the zero row outside [0, rows): adding 0 is exact. */
static inline const float *row_or_zeros(const float *p, int32_t i, int32_t rows, int32_t lanes,
                                        const float *z) {
  return i >= 0 && i < rows ? p + i * lanes : z;
}

/*
 * libjxl's row pass runs here on the transposed plane, so every image row is a lane. One step:
 * libjxl's scalar border loop (one output of each section from the input sum).
 */
static T void one_step(const float *R c, const float *R l, const float *R rr, int32_t lanes,
                       float *R st, float *R out) {
  int32_t y = 0;
  for (; y + 8 <= lanes; y += 8) {
    const __m256 sum = _mm256_add_ps(LD(l + y), LD(rr + y));
    __m256 o[3];
    for (int k = 0; k < 3; k++) {
      float *P = st + 2 * k * lanes + y, *Q = st + (2 * k + 1) * lanes + y;
      const __m256 p = LD(P), q = LD(Q);
      __m256 v = _mm256_mul_ps(sum, SP(c[kIn + 4 * k]));
      v = FMA(SP(c[kPrev2 + 4 * k]), q, v);
      v = FMA(SP(c[kPrev + 4 * k]), p, v);
      ST(Q, p);
      ST(P, v);
      o[k] = v;
    }
    if (out) ST(out + y, _mm256_add_ps(o[0], _mm256_add_ps(o[1], o[2])));
  }
  for (; y < lanes; y++) {
    const float sum = l[y] + rr[y];
    float o[3];
    for (int k = 0; k < 3; k++) {
      float *P = st + 2 * k * lanes, *Q = st + (2 * k + 1) * lanes;
      float v = sum * c[kIn + 4 * k];
      v = __builtin_fmaf(c[kPrev2 + 4 * k], Q[y], v);
      Q[y] = P[y];
      v = __builtin_fmaf(c[kPrev + 4 * k], P[y], v);
      P[y] = v;
      o[k] = v;
    }
    if (out) out[y] = o[0] + (o[1] + o[2]);
  }
}

/* Four steps of each section for 8 lanes from four input sums: libjxl's unrolled loop. */
static inline T void group8(const float *R c, const __m256 *s, float *R st, int32_t lanes,
                            int32_t y, __m256 (*res)[4]) {
  for (int k = 0; k < 3; k++) {
    const float *mi = c + kIn + 4 * k, *mp = c + kPrev + 4 * k, *mq = c + kPrev2 + 4 * k;
    float *P = st + 2 * k * lanes + y, *Q = st + (2 * k + 1) * lanes + y;
    const __m256 p = LD(P), q = LD(Q);
    for (int j = 0; j < 4; j++) {
      __m256 v = _mm256_mul_ps(s[0], SP(mi[j]));
      for (int i = 1; i <= j; i++) v = FMA(SP(mi[j - i]), s[i], v);
      v = FMA(SP(mq[j]), q, v);
      res[k][j] = FMA(SP(mp[j]), p, v);
    }
    ST(Q, res[k][2]);
    ST(P, res[k][3]);
  }
}

/* Four steps for every lane (8 at a time, then one at a time). */
static T void four_steps(const float *R c, const float *const *L, const float *const *Rr,
                         int32_t lanes, float *R st, float *const *O) {
  int32_t y = 0;
  for (; y + 8 <= lanes; y += 8) {
    __m256 s[4], res[3][4];
    for (int j = 0; j < 4; j++) s[j] = _mm256_add_ps(LD(L[j] + y), LD(Rr[j] + y));
    group8(c, s, st, lanes, y, res);
    for (int j = 0; j < 4; j++)
      ST(O[j] + y, _mm256_add_ps(res[0][j], _mm256_add_ps(res[1][j], res[2][j])));
  }
  for (; y < lanes; y++) {
    float s[4], res[3][4];
    for (int j = 0; j < 4; j++) s[j] = L[j][y] + Rr[j][y];
    for (int k = 0; k < 3; k++) {
      const float *mi = c + kIn + 4 * k, *mp = c + kPrev + 4 * k, *mq = c + kPrev2 + 4 * k;
      float *P = st + 2 * k * lanes, *Q = st + (2 * k + 1) * lanes;
      for (int j = 0; j < 4; j++) {
        float v = s[0] * mi[j];
        for (int i = 1; i <= j; i++) v = __builtin_fmaf(mi[j - i], s[i], v);
        v = __builtin_fmaf(mq[j], Q[y], v);
        res[k][j] = __builtin_fmaf(mp[j], P[y], v);
      }
      Q[y] = res[k][2];
      P[y] = res[k][3];
    }
    for (int j = 0; j < 4; j++) O[j][y] = res[0][j] + (res[1][j] + res[2][j]);
  }
}

/* The row pass: scalar steps to the first multiple of 4 past the radius, groups of 4, tail. */
static T void row_sweep(const float *c, int32_t radius, const float *in, int32_t steps,
                        int32_t lanes, float *st, const float *z, float *out) {
  memset(st, 0, sizeof(float) * 6 * lanes);
  int32_t head = (radius + 1 + 3) / 4 * 4;
  if (head > steps) head = steps;
  int32_t n = 1 - radius;
  for (; n < head; n++)
    one_step(c, row_or_zeros(in, n - radius - 1, steps, lanes, z),
             row_or_zeros(in, n + radius - 1, steps, lanes, z), lanes, st,
             n >= 0 ? out + n * lanes : 0);
  for (; n < steps - radius - 2; n += 4) {
    const float *L[4], *Rr[4];
    float *O[4];
    for (int j = 0; j < 4; j++) {
      L[j] = in + (n + j - radius - 1) * lanes;
      Rr[j] = in + (n + j + radius - 1) * lanes;
      O[j] = out + (n + j) * lanes;
    }
    four_steps(c, L, Rr, lanes, st, O);
  }
  for (; n < steps; n++)
    one_step(c, row_or_zeros(in, n - radius - 1, steps, lanes, z),
             row_or_zeros(in, n + radius - 1, steps, lanes, z), lanes, st, out + n * lanes);
}

/* One row of libjxl's column pass; each section's two last rows swap roles every row. */
static T void col_row(const float *R t, const float *R bt, int32_t w, float a1, float a3, float a5,
                      float b1, float b3, float b5, float *R o1, float *R n1, float *R o3,
                      float *R n3, float *R o5, float *R n5, float *R out) {
  int32_t x = 0;
  const __m256 A1 = SP(a1), A3 = SP(a3), A5 = SP(a5), B1 = SP(b1), B3 = SP(b3), B5 = SP(b5);
  const __m256 neg = SP(-0.0f);
  for (; x + 8 <= w; x += 8) {
    const __m256 sum = _mm256_add_ps(LD(t + x), LD(bt + x));
    const __m256 y1 = FMA(A1, sum, FMA(B1, LD(n1 + x), _mm256_xor_ps(LD(o1 + x), neg)));
    const __m256 y3 = FMA(A3, sum, FMA(B3, LD(n3 + x), _mm256_xor_ps(LD(o3 + x), neg)));
    const __m256 y5 = FMA(A5, sum, FMA(B5, LD(n5 + x), _mm256_xor_ps(LD(o5 + x), neg)));
    ST(o1 + x, y1);
    ST(o3 + x, y3);
    ST(o5 + x, y5);
    if (out) ST(out + x, _mm256_add_ps(y1, _mm256_add_ps(y3, y5)));
  }
  for (; x < w; x++) {
    const float sum = t[x] + bt[x];
    const float y1 = __builtin_fmaf(a1, sum, __builtin_fmaf(b1, n1[x], -o1[x]));
    const float y3 = __builtin_fmaf(a3, sum, __builtin_fmaf(b3, n3[x], -o3[x]));
    const float y5 = __builtin_fmaf(a5, sum, __builtin_fmaf(b5, n5[x], -o5[x]));
    o1[x] = y1;
    o3[x] = y3;
    o5[x] = y5;
    if (out) out[x] = y1 + (y3 + y5);
  }
}

/* The column pass over the (row-blurred) plane. */
static T void column_sweep(const float *c, int32_t radius, const float *in, int32_t w, int32_t h,
                           float *st, const float *z, float *out) {
  memset(st, 0, sizeof(float) * 6 * w);
  for (int32_t n = 1 - radius; n < h; n++) {
    const int32_t odd = n & 1;
    col_row(row_or_zeros(in, n - radius - 1, h, w, z), row_or_zeros(in, n + radius - 1, h, w, z), w,
            c[kN2], c[kN2 + 1], c[kN2 + 2], -c[kD1], -c[kD1 + 1], -c[kD1 + 2], st + odd * w,
            st + (1 - odd) * w, st + (2 + odd) * w, st + (3 - odd) * w, st + (4 + odd) * w,
            st + (5 - odd) * w, n >= 0 ? out + n * w : 0);
  }
}

/* Rows (on the transpose), then columns, as native/ssimulacra2.c's blur. */
static void blur(const float *c, int32_t radius, const float *in, int32_t w, int32_t h, float *temp,
                 float *temp2, float *st, const float *z, float *out) {
  transpose(in, h, w, temp2);
  row_sweep(c, radius, temp2, w, h, st, z, temp);
  transpose(temp, w, h, temp2);
  column_sweep(c, radius, temp2, w, h, st, z, out);
}
#endif

static int32_t arg_int(napi_env env, napi_value v, int *ok) {
  int32_t x = 0;
  if (napi_get_value_int32(env, v, &x) != napi_ok) *ok = 0;
  return x;
}

/* A byte offset into the kernel memory: up to 4 GiB, so read as int64 (int32 wrapped past 2 GiB). */
static int64_t arg_offset(napi_env env, napi_value v, int *ok) {
  int64_t x = -1;
  if (napi_get_value_int64(env, v, &x) != napi_ok) *ok = 0;
  return x;
}

/* The float at byte offset `at` of `count` floats in the buffer, or NULL when out of range. */
static float *span(char *base, size_t len, int64_t at, int64_t count, int *ok) {
  if (at < 0 || at % 4 != 0 || count < 0 || (uint64_t)at + (uint64_t)count * 4 > len) {
    *ok = 0;
    return NULL;
  }
  return (float *)(base + at);
}

static int get_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv, char **base,
                    size_t *len) {
  size_t argc = n;
  void *data = NULL;
  bool is_buffer = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != n ||
      napi_is_arraybuffer(env, argv[0], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_arraybuffer_info(env, argv[0], &data, len) != napi_ok) {
    napi_throw_type_error(env, NULL, "ssimulacra2 addon: expected (ArrayBuffer, offsets...)");
    return 0;
  }
  *base = (char *)data;
  return 1;
}

/* blur(buffer, coefficients, radius, in, w, h, temp, temp2, state, zeros, out) */
static napi_value js_blur(napi_env env, napi_callback_info info) {
  napi_value a[11];
  char *m;
  size_t len;
  if (!get_args(env, info, 11, a, &m, &len)) return NULL;
  int ok = 1;
  const int32_t radius = arg_int(env, a[2], &ok), w = arg_int(env, a[4], &ok),
                h = arg_int(env, a[5], &ok);
  const int64_t n = (int64_t)w * h, lanes = w > h ? w : h;
  const float *c = span(m, len, arg_offset(env, a[1], &ok), 42, &ok);
  const float *in = span(m, len, arg_offset(env, a[3], &ok), n, &ok);
  float *temp = span(m, len, arg_offset(env, a[6], &ok), n, &ok);
  float *temp2 = span(m, len, arg_offset(env, a[7], &ok), n, &ok);
  float *st = span(m, len, arg_offset(env, a[8], &ok), 6 * lanes, &ok);
  const float *z = span(m, len, arg_offset(env, a[9], &ok), lanes, &ok);
  float *out = span(m, len, arg_offset(env, a[10], &ok), n, &ok);
  if (!ok || w < 1 || h < 1 || radius < 1) {
    napi_throw_range_error(env, NULL, "ssimulacra2 addon: blur arguments out of range");
    return NULL;
  }
#ifdef HAVE_X86
  blur(c, radius, in, w, h, temp, temp2, st, z, out);
#endif
  return NULL;
}

/* xyb(buffer, r, g, b, n, negBiasCbrt, x, y, b) */
static napi_value js_xyb(napi_env env, napi_callback_info info) {
  napi_value a[9];
  char *m;
  size_t len;
  if (!get_args(env, info, 9, a, &m, &len)) return NULL;
  int ok = 1;
  const int32_t n = arg_int(env, a[4], &ok);
  double nbc = 0;
  if (napi_get_value_double(env, a[5], &nbc) != napi_ok) ok = 0;
  const float *r = span(m, len, arg_offset(env, a[1], &ok), n, &ok);
  const float *g = span(m, len, arg_offset(env, a[2], &ok), n, &ok);
  const float *b = span(m, len, arg_offset(env, a[3], &ok), n, &ok);
  float *ox = span(m, len, arg_offset(env, a[6], &ok), n, &ok);
  float *oy = span(m, len, arg_offset(env, a[7], &ok), n, &ok);
  float *ob = span(m, len, arg_offset(env, a[8], &ok), n, &ok);
  if (!ok) {
    napi_throw_range_error(env, NULL, "ssimulacra2 addon: xyb arguments out of range");
    return NULL;
  }
#ifdef HAVE_X86
  xyb(r, g, b, n, (float)nbc, ox, oy, ob);
#endif
  return NULL;
}

/* A typed array's elements, or NULL when `v` is not one of `type` (uint8 also accepts uint8
   clamped) or holds fewer than `at_least`. */
static void *typed(napi_env env, napi_value v, napi_typedarray_type type, size_t at_least,
                   size_t *length) {
  bool is = false;
  napi_typedarray_type t;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &t, length, &data, NULL, NULL) != napi_ok)
    return NULL;
  if (t != type && !(type == napi_uint8_array && t == napi_uint8_clamped_array)) return NULL;
  if (*length < at_least) return NULL;
  return data == NULL ? (void *)"" : data; /* an empty array may have no storage */
}

/* linear8(data, channels, table, r, g, b): the linear planes of opaque 8-bit RGB or RGBA
   samples (toLinearPlanes's table lookups, src/linear.ts), pixel by pixel while the alpha (4
   channels) is 255. Returns the index of the first translucent pixel, or -1 when none is: from
   there on the caller's TypeScript blends. */
static napi_value js_linear8(napi_env env, napi_callback_info info) {
  napi_value a[6], result;
  size_t argc = 6, n = 0, tn = 0, rn = 0, gn = 0, bn = 0;
  int32_t channels = 0;
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != 6 ||
      napi_get_value_int32(env, a[1], &channels) != napi_ok || (channels != 3 && channels != 4)) {
    napi_throw_type_error(env, NULL, "ssimulacra2 addon: linear8(data, 3 | 4, table, r, g, b)");
    return NULL;
  }
  const uint8_t *data = typed(env, a[0], napi_uint8_array, 0, &n);
  const float *table = typed(env, a[2], napi_float32_array, 256, &tn);
  const size_t pixels = data == NULL ? 0 : n / (size_t)channels;
  float *r = typed(env, a[3], napi_float32_array, pixels, &rn);
  float *g = typed(env, a[4], napi_float32_array, pixels, &gn);
  float *b = typed(env, a[5], napi_float32_array, pixels, &bn);
  if (data == NULL || table == NULL || r == NULL || g == NULL || b == NULL ||
      n % (size_t)channels != 0) {
    napi_throw_range_error(env, NULL, "ssimulacra2 addon: linear8 arrays of the wrong type or size");
    return NULL;
  }
  int64_t stop = -1;
  for (size_t i = 0, o = 0; i < pixels; i++, o += (size_t)channels) {
    if (channels == 4 && data[o + 3] != 255) {
      stop = (int64_t)i;
      break;
    }
    r[i] = table[data[o]];
    g[i] = table[data[o + 1]];
    b[i] = table[data[o + 2]];
  }
  if (napi_create_int64(env, stop, &result) != napi_ok) return NULL;
  return result;
}

/* gather(indices, lr, lg, lb, r, g, b): r/g/b[i] = the entry's lr/lg/lb[indices[i]]. Returns -1,
   or the first pixel whose index is past the entries (lr's length), written up to there. */
static napi_value js_gather(napi_env env, napi_callback_info info) {
  napi_value a[7], result;
  size_t argc = 7, n = 0, k = 0, kg = 0, kb = 0, rn = 0, gn = 0, bn = 0;
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != 7) {
    napi_throw_type_error(env, NULL, "ssimulacra2 addon: gather takes 7 arguments");
    return NULL;
  }
  const uint8_t *idx = typed(env, a[0], napi_uint8_array, 0, &n);
  const float *lr = typed(env, a[1], napi_float32_array, 0, &k);
  const float *lg = typed(env, a[2], napi_float32_array, k, &kg);
  const float *lb = typed(env, a[3], napi_float32_array, k, &kb);
  float *r = typed(env, a[4], napi_float32_array, n, &rn);
  float *g = typed(env, a[5], napi_float32_array, n, &gn);
  float *b = typed(env, a[6], napi_float32_array, n, &bn);
  if (idx == NULL || lr == NULL || lg == NULL || lb == NULL || r == NULL || g == NULL ||
      b == NULL) {
    napi_throw_range_error(env, NULL, "ssimulacra2 addon: gather arrays of the wrong type or size");
    return NULL;
  }
  int64_t bad = -1;
  for (size_t i = 0; i < n; i++) {
    const uint8_t j = idx[i];
    if (j >= k) {
      bad = (int64_t)i;
      break;
    }
    r[i] = lr[j];
    g[i] = lg[j];
    b[i] = lb[j];
  }
  if (napi_create_int64(env, bad, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  int usable = 0;
#ifdef HAVE_X86
  __builtin_cpu_init();
  usable = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  napi_value flag, fn;
  if (napi_get_boolean(env, usable, &flag) != napi_ok ||
      napi_set_named_property(env, exports, "usable", flag) != napi_ok)
    return NULL;
  if (!usable) return exports;
  if (napi_create_function(env, "blur", NAPI_AUTO_LENGTH, js_blur, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "blur", fn) != napi_ok ||
      napi_create_function(env, "xyb", NAPI_AUTO_LENGTH, js_xyb, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "xyb", fn) != napi_ok ||
      napi_create_function(env, "linear8", NAPI_AUTO_LENGTH, js_linear8, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "linear8", fn) != napi_ok ||
      napi_create_function(env, "gather", NAPI_AUTO_LENGTH, js_gather, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "gather", fn) != napi_ok)
    return NULL;
  return exports;
}
