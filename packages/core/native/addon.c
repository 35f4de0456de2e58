/*
 * Node-API glue of the k-means kernels (kernels.h): every array is a TypedArray read in place
 * (napi_get_typedarray_info, no copy), checked for its type and length before a kernel runs.
 * Built by scripts/build-native.mjs (node-gyp, -ffp-contract=off); loaded by src/native.ts.
 */
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"

typedef struct {
  napi_env env;
  int ok;
} Args;

/* The data of a TypedArray of `type` with at least `min` elements; NULL for null when `nullable`. */
static void *typed(Args *a, napi_value v, napi_typedarray_type type, size_t min, int nullable) {
  if (!a->ok) return NULL;
  napi_valuetype vt;
  if (nullable && napi_typeof(a->env, v, &vt) == napi_ok && vt == napi_null) return NULL;
  napi_typedarray_type t;
  size_t length;
  void *data;
  bool is_typed = false;
  if (napi_is_typedarray(a->env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(a->env, v, &t, &length, &data, NULL, NULL) != napi_ok ||
      t != type || length < min) {
    a->ok = 0;
    return NULL;
  }
  return data;
}

static int32_t int32(Args *a, napi_value v) {
  int32_t x = 0;
  if (a->ok && (napi_get_value_int32(a->env, v, &x) != napi_ok || x < 0)) a->ok = 0;
  return x;
}

static double number(Args *a, napi_value v) {
  double x = 0;
  if (a->ok && napi_get_value_double(a->env, v, &x) != napi_ok) a->ok = 0;
  return x;
}

static int flag(Args *a, napi_value v) {
  bool x = false;
  if (a->ok && napi_get_value_bool(a->env, v, &x) != napi_ok) a->ok = 0;
  return x;
}

static int get(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t argc = n;
  return napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == n;
}

static napi_value fail(napi_env env, const char *what) {
  napi_throw_type_error(env, NULL, what);
  return NULL;
}

static napi_value int_value(napi_env env, int32_t x) {
  napi_value v;
  napi_create_int32(env, x, &v);
  return v;
}

/* The squared channel weights of a distance (a Float64Array of 4). */
static const double *metric(Args *a, napi_value v) {
  return typed(a, v, napi_float64_array, 4, 0);
}

/* treeAssign(lo, hi, points, firstChild, childCount, start, end, weights, sum, weight,
              centres, k, opaque, sums, mass, cand, record | null, metric) */
static napi_value js_tree_assign(napi_env env, napi_callback_info info) {
  napi_value v[18];
  if (!get(env, info, 18, v)) return fail(env, "core addon: treeAssign takes 18 arguments");
  Args a = {env, 1};
  TreePass t;
  size_t nodes = 0, n = 0;
  t.start = typed(&a, v[5], napi_int32_array, 0, 0);
  if (a.ok) napi_get_typedarray_info(env, v[5], NULL, &nodes, NULL, NULL, NULL);
  t.weights = typed(&a, v[7], napi_float64_array, 0, 0);
  if (a.ok) napi_get_typedarray_info(env, v[7], NULL, &n, NULL, NULL, NULL);
  t.lo = typed(&a, v[0], napi_uint8_array, nodes * 4, 0);
  t.hi = typed(&a, v[1], napi_uint8_array, nodes * 4, 0);
  t.points = typed(&a, v[2], napi_uint8_array, n * 4, 0);
  t.first_child = typed(&a, v[3], napi_int32_array, nodes, 0);
  t.child_count = typed(&a, v[4], napi_int32_array, nodes, 0);
  t.end = typed(&a, v[6], napi_int32_array, nodes, 0);
  t.sum = typed(&a, v[8], napi_float64_array, nodes * 4, 0);
  t.weight = typed(&a, v[9], napi_float64_array, nodes, 0);
  const int32_t k = int32(&a, v[11]);
  t.c = typed(&a, v[10], napi_float64_array, (size_t)k * 4, 0);
  const int opaque = flag(&a, v[12]);
  t.sums = typed(&a, v[13], napi_float64_array, (size_t)k * 4, 0);
  t.mass = typed(&a, v[14], napi_float64_array, (size_t)k, 0);
  t.cand = typed(&a, v[15], napi_int32_array, (size_t)k * 12, 0);
  t.record = typed(&a, v[16], napi_int32_array, n, 1);
  t.w = metric(&a, v[17]);
  if (!a.ok || k < 1 || nodes > INT32_MAX || n > INT32_MAX / 4)
    return fail(env, "core addon: treeAssign: bad array, count or tree");
  const int sound = tree_sound(&t, (int32_t)nodes, (int32_t)n);
  if (sound < 0) {
    napi_throw_error(env, NULL, "core addon: treeAssign: out of memory");
    return NULL;
  }
  if (!sound) return fail(env, "core addon: treeAssign: bad array, count or tree");
  t.cand_size = (int32_t)(k * 12);
  if (!tree_assign(&t, (int32_t)n, k, opaque))
    napi_throw_range_error(env, NULL, "core addon: treeAssign: tree deeper than 11 levels");
  return NULL;
}

/* seed(points, weights, n, k, trials, state: Uint32Array(1), centres, metric) -> count */
static napi_value js_seed(napi_env env, napi_callback_info info) {
  napi_value v[8];
  if (!get(env, info, 8, v)) return fail(env, "core addon: seed takes 8 arguments");
  Args a = {env, 1};
  const int32_t n = int32(&a, v[2]);
  const int32_t k = int32(&a, v[3]);
  const int32_t trials = int32(&a, v[4]);
  const double *points = typed(&a, v[0], napi_float64_array, (size_t)n * 4, 0);
  const double *weights = typed(&a, v[1], napi_float64_array, (size_t)n, 0);
  uint32_t *state = typed(&a, v[5], napi_uint32_array, 1, 0);
  double *centres = typed(&a, v[6], napi_float64_array, (size_t)k * 4, 0);
  const double *w = metric(&a, v[7]);
  /* k >= 1: the first centre is written whatever k is (the TypeScript throws for k = 0) */
  if (!a.ok || k < 1) return fail(env, "core addon: seed: bad array or count");
  const int32_t count = seed_kmeanspp(points, weights, n, k, trials, state, w, centres);
  if (count < 0) {
    napi_throw_error(env, NULL, "core addon: seed: out of memory");
    return NULL;
  }
  return int_value(env, count);
}

/* The WeightedKmeans arrays: points, weights, n, centres, k, assign, upper, lower, sums, mass,
   metric. */
static Hamerly hamerly_args(Args *a, napi_value *v) {
  Hamerly h;
  h.n = int32(a, v[2]);
  h.k = int32(a, v[4]);
  const size_t n = (size_t)h.n, k = (size_t)h.k;
  h.points = typed(a, v[0], napi_float64_array, n * 4, 0);
  h.weights = typed(a, v[1], napi_float64_array, n, 0);
  h.centres = typed(a, v[3], napi_float64_array, k * 4, 0);
  h.assign = typed(a, v[5], napi_int32_array, n, 0);
  h.upper = typed(a, v[6], napi_float64_array, n, 0);
  h.lower = typed(a, v[7], napi_float64_array, n, 0);
  h.sums = typed(a, v[8], napi_float64_array, k * 4, 0);
  h.mass = typed(a, v[9], napi_float64_array, k, 0);
  h.w = metric(a, v[10]);
  if (h.k < 1) a->ok = 0;
  return h;
}

/* Whether every assignment names a centre (they index the centres and masses). */
static int assignments_sound(const int32_t *assign, int32_t n, int32_t k) {
  for (int32_t i = 0; i < n; i++)
    if (assign[i] < 0 || assign[i] >= k) return 0;
  return 1;
}

/* hamerlyInit(points, weights, n, centres, k, assign, upper, lower, sums, mass, metric) */
static napi_value js_hamerly_init(napi_env env, napi_callback_info info) {
  napi_value v[11];
  if (!get(env, info, 11, v)) return fail(env, "core addon: hamerlyInit takes 11 arguments");
  Args a = {env, 1};
  Hamerly h = hamerly_args(&a, v);
  if (!a.ok) return fail(env, "core addon: hamerlyInit: bad array or count");
  if (!hamerly_init(&h)) napi_throw_error(env, NULL, "core addon: out of memory");
  return NULL;
}

/* hamerlyReassign(points, weights, n, centres, k, assign, upper, lower, sums, mass, metric,
                   half) */
static napi_value js_hamerly_reassign(napi_env env, napi_callback_info info) {
  napi_value v[12];
  if (!get(env, info, 12, v)) return fail(env, "core addon: hamerlyReassign takes 12 arguments");
  Args a = {env, 1};
  Hamerly h = hamerly_args(&a, v);
  double *half = typed(&a, v[11], napi_float64_array, (size_t)h.k, 0);
  if (!a.ok || !assignments_sound(h.assign, h.n, h.k)) return fail(env, "core addon: hamerlyReassign: bad array or count");
  if (!hamerly_reassign(&h, half)) napi_throw_error(env, NULL, "core addon: out of memory");
  return NULL;
}

/* hamerlyLoosen(n, k, assign, upper, lower, moved, arg1, max1, max2) */
static napi_value js_hamerly_loosen(napi_env env, napi_callback_info info) {
  napi_value v[9];
  if (!get(env, info, 9, v)) return fail(env, "core addon: hamerlyLoosen takes 9 arguments");
  Args a = {env, 1};
  Hamerly h = {0};
  h.n = int32(&a, v[0]);
  h.k = int32(&a, v[1]);
  h.assign = typed(&a, v[2], napi_int32_array, (size_t)h.n, 0);
  h.upper = typed(&a, v[3], napi_float64_array, (size_t)h.n, 0);
  h.lower = typed(&a, v[4], napi_float64_array, (size_t)h.n, 0);
  const double *moved = typed(&a, v[5], napi_float64_array, (size_t)h.k, 0);
  napi_value arg1v = v[6];
  int32_t arg1 = -1;
  if (a.ok && napi_get_value_int32(env, arg1v, &arg1) != napi_ok) a.ok = 0;
  const double max1 = number(&a, v[7]);
  const double max2 = number(&a, v[8]);
  if (!a.ok) return fail(env, "core addon: hamerlyLoosen: bad array or count");
  if (!assignments_sound(h.assign, h.n, h.k)) return fail(env, "core addon: bad assignment");
  hamerly_loosen(&h, moved, arg1, max1, max2);
  return NULL;
}

/* dither(data: Uint8Array | Uint8ClampedArray, width, height, channels, palette, colors,
          maxError, indices: Uint8Array, metric) */
static napi_value js_dither(napi_env env, napi_callback_info info) {
  napi_value v[9];
  if (!get(env, info, 9, v)) return fail(env, "core addon: dither takes 9 arguments");
  Args a = {env, 1};
  const int32_t width = int32(&a, v[1]);
  const int32_t height = int32(&a, v[2]);
  const int32_t channels = int32(&a, v[3]);
  const int32_t colors = int32(&a, v[5]);
  const double max_error = number(&a, v[6]);
  const size_t pixels = (size_t)width * (size_t)height;
  const size_t bytes = pixels * (size_t)channels;
  napi_typedarray_type type = napi_uint8_array;
  if (a.ok && napi_get_typedarray_info(env, v[0], &type, NULL, NULL, NULL, NULL) == napi_ok &&
      type != napi_uint8_clamped_array)
    type = napi_uint8_array;
  const uint8_t *data = typed(&a, v[0], type, bytes, 0);
  const uint8_t *palette = typed(&a, v[4], napi_uint8_array, (size_t)colors * 4, 0);
  uint8_t *indices = typed(&a, v[7], napi_uint8_array, pixels, 0);
  const double *w = metric(&a, v[8]);
  if (!a.ok || (channels != 3 && channels != 4) || colors < 1 || colors > 256 ||
      width > INT32_MAX - 2)
    return fail(env, "core addon: dither: bad array or count");
  if (!dither(data, width, height, channels, palette, colors, max_error, w, indices))
    napi_throw_error(env, NULL, "core addon: dither: out of memory");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  const struct {
    const char *name;
    napi_callback cb;
  } fns[] = {
      {"treeAssign", js_tree_assign},
      {"seed", js_seed},
      {"hamerlyInit", js_hamerly_init},
      {"hamerlyReassign", js_hamerly_reassign},
      {"hamerlyLoosen", js_hamerly_loosen},
      {"dither", js_dither},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].cb, NULL, &fn) !=
            napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok)
      return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
