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

/* A pixel buffer: a Uint8Array or Uint8ClampedArray of at least `min` bytes; its length. */
static const uint8_t *pixel_data(Args *a, napi_value v, size_t min, size_t *length) {
  napi_typedarray_type type = napi_uint8_array;
  *length = 0;
  if (a->ok && napi_get_typedarray_info(a->env, v, &type, length, NULL, NULL, NULL) == napi_ok &&
      type != napi_uint8_clamped_array)
    type = napi_uint8_array;
  return typed(a, v, type, min, 0);
}

/* The element count of a TypedArray already checked by typed(). */
static size_t length_of(Args *a, napi_value v) {
  size_t n = 0;
  if (a->ok) napi_get_typedarray_info(a->env, v, NULL, &n, NULL, NULL, NULL);
  return n;
}

/* A non-negative whole number below 2^53 (byte offsets of large images). */
static size_t offset(Args *a, napi_value v) {
  const double x = number(a, v);
  if (a->ok && !(x >= 0 && x <= 9007199254740991.0 && x == (double)(size_t)x)) a->ok = 0;
  return a->ok ? (size_t)x : 0;
}

/* treeNodes(colors, counts, n, points, weights, order, start, end, firstChild, childCount,
             opaque: Uint8Array(1)) -> nodes (start's length is the capacity) */
static napi_value js_tree_nodes(napi_env env, napi_callback_info info) {
  napi_value v[11];
  if (!get(env, info, 11, v)) return fail(env, "core addon: treeNodes takes 11 arguments");
  Args a = {env, 1};
  const int32_t n = int32(&a, v[2]);
  const size_t m = (size_t)n;
  const uint8_t *colors = typed(&a, v[0], napi_uint8_array, m * 4, 0);
  const double *counts = typed(&a, v[1], napi_float64_array, m, 0);
  TreeBuild t;
  t.points = typed(&a, v[3], napi_uint8_array, m * 4, 0);
  t.weights = typed(&a, v[4], napi_float64_array, m, 0);
  t.order = typed(&a, v[5], napi_int32_array, m, 0);
  t.start = typed(&a, v[6], napi_int32_array, 1, 0);
  const size_t cap = length_of(&a, v[6]);
  t.end = typed(&a, v[7], napi_int32_array, cap, 0);
  t.first_child = typed(&a, v[8], napi_int32_array, cap, 0);
  t.child_count = typed(&a, v[9], napi_int32_array, cap, 0);
  uint8_t *opaque = typed(&a, v[10], napi_uint8_array, 1, 0);
  if (!a.ok || n > INT32_MAX / 4 || cap > INT32_MAX)
    return fail(env, "core addon: treeNodes: bad array or count");
  const int32_t nodes = tree_order_nodes(colors, counts, n, (int32_t)cap, &t);
  if (nodes == -1) {
    napi_throw_error(env, NULL, "core addon: treeNodes: out of memory");
    return NULL;
  }
  if (nodes < 0) return fail(env, "core addon: treeNodes: bad array (too few nodes)");
  *opaque = (uint8_t)t.opaque;
  return int_value(env, nodes);
}

/* treeStatistics(points, weights, start, end, firstChild, childCount, weight, sum, lo, hi):
   nodes are start's length, colours weights' length */
static napi_value js_tree_statistics(napi_env env, napi_callback_info info) {
  napi_value v[10];
  if (!get(env, info, 10, v)) return fail(env, "core addon: treeStatistics takes 10 arguments");
  Args a = {env, 1};
  TreeBuild t = {0};
  t.weights = typed(&a, v[1], napi_float64_array, 0, 0);
  const size_t n = length_of(&a, v[1]);
  t.start = typed(&a, v[2], napi_int32_array, 0, 0);
  const size_t nodes = length_of(&a, v[2]);
  t.points = typed(&a, v[0], napi_uint8_array, n * 4, 0);
  t.end = typed(&a, v[3], napi_int32_array, nodes, 0);
  t.first_child = typed(&a, v[4], napi_int32_array, nodes, 0);
  t.child_count = typed(&a, v[5], napi_int32_array, nodes, 0);
  double *weight = typed(&a, v[6], napi_float64_array, nodes, 0);
  double *sum = typed(&a, v[7], napi_float64_array, nodes * 4, 0);
  uint8_t *lo = typed(&a, v[8], napi_uint8_array, nodes * 4, 0);
  uint8_t *hi = typed(&a, v[9], napi_uint8_array, nodes * 4, 0);
  if (!a.ok || nodes > INT32_MAX || n > INT32_MAX / 4)
    return fail(env, "core addon: treeStatistics: bad array or count");
  TreePass p = {0};
  p.start = t.start;
  p.end = t.end;
  p.first_child = t.first_child;
  p.child_count = t.child_count;
  if (!tree_sound(&p, (int32_t)nodes, (int32_t)n))
    return fail(env, "core addon: treeStatistics: bad tree");
  tree_statistics(&t, (int32_t)nodes, weight, sum, lo, hi);
  return NULL;
}

/* countDense(data, stride, table: Uint16Array(2^24), keys, size, from, to) -> size */
static napi_value js_count_dense(napi_env env, napi_callback_info info) {
  napi_value v[7];
  if (!get(env, info, 7, v)) return fail(env, "core addon: countDense takes 7 arguments");
  Args a = {env, 1};
  size_t len;
  const uint8_t *data = pixel_data(&a, v[0], 0, &len);
  const int32_t stride = int32(&a, v[1]);
  uint16_t *table = typed(&a, v[2], napi_uint16_array, (size_t)1 << 24, 0);
  const int32_t size = int32(&a, v[4]);
  const size_t from = offset(&a, v[5]);
  const size_t to = offset(&a, v[6]);
  if (!a.ok || (stride != 3 && stride != 4) || from > to || to > len ||
      (to - from) % (size_t)stride != 0)
    return fail(env, "core addon: countDense: bad array or count");
  const size_t added = (to - from) / (size_t)stride;
  int32_t *keys = typed(&a, v[3], napi_int32_array, (size_t)size + added, 0);
  if (!a.ok || (size_t)size + added > INT32_MAX)
    return fail(env, "core addon: countDense: bad array or count");
  return int_value(env, count_dense(data, stride, table, keys, size, from, to));
}

/* sortKeys24(keys, n) */
static napi_value js_sort_keys24(napi_env env, napi_callback_info info) {
  napi_value v[2];
  if (!get(env, info, 2, v)) return fail(env, "core addon: sortKeys24 takes 2 arguments");
  Args a = {env, 1};
  const int32_t n = int32(&a, v[1]);
  int32_t *keys = typed(&a, v[0], napi_int32_array, (size_t)n, 0);
  if (!a.ok) return fail(env, "core addon: sortKeys24: bad array or count");
  if (!sort_keys24(keys, n)) napi_throw_error(env, NULL, "core addon: sortKeys24: out of memory");
  return NULL;
}

/* A hash table of 2^bits slots: keys and values, bits in [1, 30]. */
static int hash_table(Args *a, napi_value keys, napi_value values, napi_value bits_v,
                      int32_t **k, int32_t **vals) {
  const int32_t bits = int32(a, bits_v);
  if (bits < 1 || bits > 30) a->ok = 0;
  *k = typed(a, keys, napi_int32_array, (size_t)1 << bits, 0);
  *vals = typed(a, values, napi_int32_array, (size_t)1 << bits, 0);
  return bits;
}

/* hashCount(data, stride, keys, values, bits, state: Float64Array [at, prev, run, size,
             transparent]) -> true when the table must grow first */
static napi_value js_hash_count(napi_env env, napi_callback_info info) {
  napi_value v[6];
  if (!get(env, info, 6, v)) return fail(env, "core addon: hashCount takes 6 arguments");
  Args a = {env, 1};
  size_t len;
  const uint8_t *data = pixel_data(&a, v[0], 0, &len);
  const int32_t stride = int32(&a, v[1]);
  HashCount h;
  h.bits = hash_table(&a, v[2], v[3], v[4], &h.keys, &h.values);
  double *state = typed(&a, v[5], napi_float64_array, 5, 0);
  if (!a.ok || (stride != 3 && stride != 4) || len % (size_t)stride != 0)
    return fail(env, "core addon: hashCount: bad array or count");
  const double at = state[0], prev = state[1], run = state[2], size = state[3];
  if (!(at >= 0 && at <= (double)len && at == (double)(size_t)at &&
        (size_t)at % (size_t)stride == 0 && prev >= INT32_MIN && prev <= INT32_MAX &&
        prev == (double)(int32_t)prev && run >= 0 && run <= INT32_MAX &&
        run == (double)(int32_t)run && size >= 0 && size * 2 <= (double)((1u << h.bits) - 1) &&
        size == (double)(int32_t)size))
    return fail(env, "core addon: hashCount: bad state");
  h.at = (size_t)at;
  h.prev = (int32_t)prev;
  h.run = (int32_t)run;
  h.size = (int32_t)size;
  h.transparent = state[4];
  const int grow = hash_count(&h, data, stride, len);
  if (grow < 0) return fail(env, "core addon: hashCount: the table is full");
  state[0] = (double)h.at;
  state[1] = h.prev;
  state[2] = h.run;
  state[3] = h.size;
  state[4] = h.transparent;
  napi_value result;
  napi_get_boolean(env, grow != 0, &result);
  return result;
}

/* hashRehash(oldKeys, oldValues, keys, values, bits) */
static napi_value js_hash_rehash(napi_env env, napi_callback_info info) {
  napi_value v[5];
  if (!get(env, info, 5, v)) return fail(env, "core addon: hashRehash takes 5 arguments");
  Args a = {env, 1};
  const int32_t *old_keys = typed(&a, v[0], napi_int32_array, 0, 0);
  const size_t old_size = length_of(&a, v[0]);
  const int32_t *old_values = typed(&a, v[1], napi_int32_array, old_size, 0);
  int32_t *keys, *values;
  const int bits = hash_table(&a, v[2], v[3], v[4], &keys, &values);
  if (!a.ok) return fail(env, "core addon: hashRehash: bad array or count");
  size_t used = 0;
  for (size_t i = 0; i < old_size; i++) used += old_keys[i] != 0;
  if (used >= (size_t)1 << bits) return fail(env, "core addon: hashRehash: table too small");
  hash_rehash(old_keys, old_values, old_size, keys, values, bits);
  return NULL;
}

/* mapDense(data, stride, index: Uint8Array(2^24), indices) */
static napi_value js_map_dense(napi_env env, napi_callback_info info) {
  napi_value v[4];
  if (!get(env, info, 4, v)) return fail(env, "core addon: mapDense takes 4 arguments");
  Args a = {env, 1};
  const int32_t stride = int32(&a, v[1]);
  uint8_t *out = typed(&a, v[3], napi_uint8_array, 0, 0);
  const size_t pixels = length_of(&a, v[3]);
  size_t len;
  const uint8_t *data = pixel_data(&a, v[0], pixels * (size_t)stride, &len);
  const uint8_t *index = typed(&a, v[2], napi_uint8_array, (size_t)1 << 24, 0);
  if (!a.ok || (stride != 3 && stride != 4))
    return fail(env, "core addon: mapDense: bad array or count");
  map_dense(data, stride, index, out, pixels);
  return NULL;
}

/* mapHash(data, stride, keys, values, bits, colourIndex, transparentIndex, indices) */
static napi_value js_map_hash(napi_env env, napi_callback_info info) {
  napi_value v[8];
  if (!get(env, info, 8, v)) return fail(env, "core addon: mapHash takes 8 arguments");
  Args a = {env, 1};
  const int32_t stride = int32(&a, v[1]);
  uint8_t *out = typed(&a, v[7], napi_uint8_array, 0, 0);
  const size_t pixels = length_of(&a, v[7]);
  size_t len;
  const uint8_t *data = pixel_data(&a, v[0], pixels * (size_t)stride, &len);
  int32_t *keys, *values;
  const int bits = hash_table(&a, v[2], v[3], v[4], &keys, &values);
  const uint8_t *colour_index = typed(&a, v[5], napi_uint8_array, 0, 0);
  const size_t colours = length_of(&a, v[5]);
  const int32_t transparent = int32(&a, v[6]);
  if (!a.ok || (stride != 3 && stride != 4) || transparent > 255 || colours > INT32_MAX)
    return fail(env, "core addon: mapHash: bad array or count");
  if (!map_hash(data, stride, keys, values, bits, colour_index, (int32_t)colours,
                (uint8_t)transparent, out, pixels))
    return fail(env, "core addon: mapHash: a colour not in the table");
  return NULL;
}

/* coarseCells(colors, counts, size, bits: 5 | 6, sums, weights) -> cells; sums become the
   cells' means. sums and weights hold min(size, 2^(3 bits + alpha bits)) cells, zeroed. */
static napi_value js_coarse_cells(napi_env env, napi_callback_info info) {
  napi_value v[6];
  if (!get(env, info, 6, v)) return fail(env, "core addon: coarseCells takes 6 arguments");
  Args a = {env, 1};
  const int32_t size = int32(&a, v[2]);
  const int32_t bits = int32(&a, v[3]);
  const size_t cells = bits == 5 ? (size_t)1 << 19 : (size_t)1 << 20;
  const size_t cap = (size_t)size < cells ? (size_t)size : cells;
  const uint8_t *colors = typed(&a, v[0], napi_uint8_array, (size_t)size * 4, 0);
  const double *counts = typed(&a, v[1], napi_float64_array, (size_t)size, 0);
  double *sums = typed(&a, v[4], napi_float64_array, cap * 4, 0);
  double *weights = typed(&a, v[5], napi_float64_array, cap, 0);
  if (!a.ok || (bits != 5 && bits != 6) || size > INT32_MAX / 4)
    return fail(env, "core addon: coarseCells: bad array or count");
  const int32_t n = coarse_cells(colors, counts, size, bits, sums, weights);
  if (n < 0) {
    napi_throw_error(env, NULL, "core addon: coarseCells: out of memory");
    return NULL;
  }
  return int_value(env, n);
}

/* anyTranslucent(data) -> whether some 4th byte is not 255 */
static napi_value js_any_translucent(napi_env env, napi_callback_info info) {
  napi_value v[1];
  if (!get(env, info, 1, v)) return fail(env, "core addon: anyTranslucent takes 1 argument");
  Args a = {env, 1};
  size_t len;
  const uint8_t *data = pixel_data(&a, v[0], 0, &len);
  if (!a.ok) return fail(env, "core addon: anyTranslucent: bad array");
  napi_value result;
  napi_get_boolean(env, any_translucent(data, len) != 0, &result);
  return result;
}

/* distinctKeys(keys, listed) -> the distinct keys among listed sorted ones */
static napi_value js_distinct_keys(napi_env env, napi_callback_info info) {
  napi_value v[2];
  if (!get(env, info, 2, v)) return fail(env, "core addon: distinctKeys takes 2 arguments");
  Args a = {env, 1};
  const int32_t listed = int32(&a, v[1]);
  const int32_t *keys = typed(&a, v[0], napi_int32_array, (size_t)listed, 0);
  if (!a.ok) return fail(env, "core addon: distinctKeys: bad array or count");
  return int_value(env, distinct_keys(keys, listed));
}

/* denseColours(keys, listed, table: Uint16Array(2^24), colors, counts): keys sorted 24-bit */
static napi_value js_dense_colours(napi_env env, napi_callback_info info) {
  napi_value v[5];
  if (!get(env, info, 5, v)) return fail(env, "core addon: denseColours takes 5 arguments");
  Args a = {env, 1};
  const int32_t listed = int32(&a, v[1]);
  const int32_t *keys = typed(&a, v[0], napi_int32_array, (size_t)listed, 0);
  const uint16_t *table = typed(&a, v[2], napi_uint16_array, (size_t)1 << 24, 0);
  if (!a.ok) return fail(env, "core addon: denseColours: bad array or count");
  for (int32_t i = 0; i < listed; i++)
    if (keys[i] < 0 || keys[i] >= (1 << 24) || (i > 0 && keys[i] < keys[i - 1]))
      return fail(env, "core addon: denseColours: keys not sorted 24-bit keys");
  const size_t size = (size_t)distinct_keys(keys, listed);
  uint8_t *colors = typed(&a, v[3], napi_uint8_array, size * 4, 0);
  double *counts = typed(&a, v[4], napi_float64_array, size, 0);
  if (!a.ok) return fail(env, "core addon: denseColours: bad array or count");
  dense_colours(keys, listed, table, colors, counts);
  return NULL;
}

/* hashColours(keys, values, size, colors, counts): the table's `size` colours in slot order,
   each slot's value rewritten to its colour's index */
static napi_value js_hash_colours(napi_env env, napi_callback_info info) {
  napi_value v[5];
  if (!get(env, info, 5, v)) return fail(env, "core addon: hashColours takes 5 arguments");
  Args a = {env, 1};
  const int32_t *keys = typed(&a, v[0], napi_int32_array, 0, 0);
  const size_t slots = length_of(&a, v[0]);
  int32_t *values = typed(&a, v[1], napi_int32_array, slots, 0);
  const int32_t size = int32(&a, v[2]);
  uint8_t *colors = typed(&a, v[3], napi_uint8_array, (size_t)size * 4, 0);
  double *counts = typed(&a, v[4], napi_float64_array, (size_t)size, 0);
  if (!a.ok) return fail(env, "core addon: hashColours: bad array or count");
  if (!hash_colours(keys, values, slots, size, colors, counts))
    return fail(env, "core addon: hashColours: the table holds other than size colours");
  return NULL;
}

/* colourSse(colors, counts, size, entries, entryCount, colourEntry) -> weightedSse */
static napi_value js_colour_sse(napi_env env, napi_callback_info info) {
  napi_value v[6];
  if (!get(env, info, 6, v)) return fail(env, "core addon: colourSse takes 6 arguments");
  Args a = {env, 1};
  const int32_t size = int32(&a, v[2]), entry_count = int32(&a, v[4]);
  const uint8_t *colors = typed(&a, v[0], napi_uint8_array, (size_t)size * 4, 0);
  const double *counts = typed(&a, v[1], napi_float64_array, (size_t)size, 0);
  const uint8_t *entries = typed(&a, v[3], napi_uint8_array, (size_t)entry_count * 4, 0);
  const int32_t *colour_entry = typed(&a, v[5], napi_int32_array, (size_t)size, 0);
  double sse = 0;
  if (!a.ok || !colour_sums(colors, counts, size, entries, entry_count, colour_entry, &sse))
    return fail(env, "core addon: colourSse: bad array, count or entry number");
  napi_value result;
  napi_create_double(env, sse, &result);
  return result;
}

/* entryCounts(counts, size, colourEntry, out: Float64Array(total), zeroed) */
static napi_value js_entry_counts(napi_env env, napi_callback_info info) {
  napi_value v[4];
  if (!get(env, info, 4, v)) return fail(env, "core addon: entryCounts takes 4 arguments");
  Args a = {env, 1};
  const int32_t size = int32(&a, v[1]);
  const double *counts = typed(&a, v[0], napi_float64_array, (size_t)size, 0);
  const int32_t *colour_entry = typed(&a, v[2], napi_int32_array, (size_t)size, 0);
  size_t total = 0;
  double *out = a.ok ? typed(&a, v[3], napi_float64_array, 0, 0) : NULL;
  if (a.ok) napi_get_typedarray_info(env, v[3], NULL, &total, NULL, NULL, NULL);
  if (!a.ok || total > INT32_MAX || !entry_counts(counts, size, colour_entry, (int32_t)total, out))
    return fail(env, "core addon: entryCounts: bad array, count or entry number");
  return NULL;
}

/* colourIndices(size, colourEntry, index: Int32Array(entries), out: Uint8Array(size)) */
static napi_value js_colour_indices(napi_env env, napi_callback_info info) {
  napi_value v[4];
  if (!get(env, info, 4, v)) return fail(env, "core addon: colourIndices takes 4 arguments");
  Args a = {env, 1};
  const int32_t size = int32(&a, v[0]);
  const int32_t *colour_entry = typed(&a, v[1], napi_int32_array, (size_t)size, 0);
  size_t entries = 0;
  const int32_t *index = a.ok ? typed(&a, v[2], napi_int32_array, 0, 0) : NULL;
  if (a.ok) napi_get_typedarray_info(env, v[2], NULL, &entries, NULL, NULL, NULL);
  uint8_t *out = typed(&a, v[3], napi_uint8_array, (size_t)size, 0);
  if (!a.ok || entries > INT32_MAX ||
      !colour_indices(size, colour_entry, index, (int32_t)entries, out))
    return fail(env, "core addon: colourIndices: bad array, count or entry number");
  return NULL;
}

/* paletteMse(data, channels, palette, indices) -> metrics.ts' paletteMse, or -1 for an index past
   the palette (the TypeScript then answers: NaN) */
static napi_value js_palette_mse(napi_env env, napi_callback_info info) {
  napi_value v[4];
  if (!get(env, info, 4, v)) return fail(env, "core addon: paletteMse takes 4 arguments");
  Args a = {env, 1};
  const int32_t channels = int32(&a, v[1]);
  size_t len = 0, plen = 0, pixels = 0;
  const uint8_t *data = pixel_data(&a, v[0], 0, &len);
  const uint8_t *palette = typed(&a, v[2], napi_uint8_array, 0, 0);
  if (a.ok) napi_get_typedarray_info(env, v[2], NULL, &plen, NULL, NULL, NULL);
  if (a.ok && (channels == 3 || channels == 4)) pixels = len / (size_t)channels;
  const uint8_t *indices = typed(&a, v[3], napi_uint8_array, pixels, 0);
  if (!a.ok || (channels != 3 && channels != 4) || len % (size_t)channels != 0)
    return fail(env, "core addon: paletteMse: bad array or channels");
  int translucent = 0;
  const double sum =
      palette_sse(data, channels, pixels, palette, (int32_t)(plen / 4), indices, &translucent);
  const double mse =
      sum < 0 ? -1 : pixels == 0 ? 0 : sum / ((double)pixels * (translucent ? 4 : 3));
  napi_value result;
  napi_create_double(env, mse, &result);
  return result;
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
      {"treeNodes", js_tree_nodes},
      {"treeStatistics", js_tree_statistics},
      {"countDense", js_count_dense},
      {"sortKeys24", js_sort_keys24},
      {"hashCount", js_hash_count},
      {"hashRehash", js_hash_rehash},
      {"mapDense", js_map_dense},
      {"mapHash", js_map_hash},
      {"coarseCells", js_coarse_cells},
      {"anyTranslucent", js_any_translucent},
      {"distinctKeys", js_distinct_keys},
      {"denseColours", js_dense_colours},
      {"hashColours", js_hash_colours},
      {"colourSse", js_colour_sse},
      {"entryCounts", js_entry_counts},
      {"colourIndices", js_colour_indices},
      {"paletteMse", js_palette_mse},
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
