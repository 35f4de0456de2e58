// Node-API binding of libdeflate's zlib-format compressor, linked statically
// against Debian's libdeflate.a. Synchronous on purpose: it runs on the
// calling thread (a compress pool thread), not on libuv's shared pool.
#include <libdeflate.h>
#include <node_api.h>
#include <stdlib.h>

#define CHECK(call)                                        \
  do {                                                     \
    if ((call) != napi_ok) {                               \
      napi_throw_error(env, NULL, "node-api call failed"); \
      return NULL;                                         \
    }                                                      \
  } while (0)

// zlibCompress(data: Uint8Array, level: 0..12): Buffer
static napi_value zlib_compress(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "zlibCompress(data, level) takes 2 arguments");
    return NULL;
  }
  bool is_typed = false;
  CHECK(napi_is_typedarray(env, argv[0], &is_typed));
  if (!is_typed) {
    napi_throw_type_error(env, NULL, "data must be a Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL));
  if (type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "data must be a Uint8Array");
    return NULL;
  }
  int32_t level;
  if (napi_get_value_int32(env, argv[1], &level) != napi_ok || level < 0 || level > 12) {
    napi_throw_range_error(env, NULL, "level must be an integer from 0 to 12");
    return NULL;
  }
  struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
  if (c == NULL) {
    napi_throw_error(env, NULL, "libdeflate could not allocate a compressor");
    return NULL;
  }
  size_t bound = libdeflate_zlib_compress_bound(c, length);
  void *out = malloc(bound);
  if (out == NULL) {
    libdeflate_free_compressor(c);
    napi_throw_error(env, NULL, "out of memory for the deflate output");
    return NULL;
  }
  size_t written = libdeflate_zlib_compress(c, data == NULL ? "" : data, length, out, bound);
  libdeflate_free_compressor(c);
  if (written == 0) {
    free(out);
    napi_throw_error(env, NULL, "libdeflate output did not fit its own bound");
    return NULL;
  }
  napi_value result;
  void *copy;
  napi_status s = napi_create_buffer_copy(env, written, out, &copy, &result);
  free(out);
  if (s != napi_ok) {
    napi_throw_error(env, NULL, "could not allocate the result buffer");
    return NULL;
  }
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn, version;
  if (napi_create_function(env, "zlibCompress", NAPI_AUTO_LENGTH, zlib_compress, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "zlibCompress", fn) != napi_ok ||
      napi_create_string_utf8(env, LIBDEFLATE_VERSION_STRING, NAPI_AUTO_LENGTH, &version) != napi_ok ||
      napi_set_named_property(env, exports, "version", version) != napi_ok) {
    return NULL;
  }
  return exports;
}
