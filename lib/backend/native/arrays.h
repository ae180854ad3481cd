/*
 * Argument checks shared by the addon's whole-layer kernels (lstm.c, batchnorm.c): each kernel takes
 * its sizes first and then a fixed list of Float32Array views, and says which one is wrong.
 */
#ifndef AVLAB_ARRAYS_H
#define AVLAB_ARRAYS_H

#include <node_api.h>
#include <stdio.h>

/* Reads exactly `count` arguments into argv; throws "<kernel> takes <count> arguments" otherwise. */
static inline int exact_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, const char *kernel) {
  size_t argc = count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc == count) return 1;
  char msg[96];
  snprintf(msg, sizeof msg, "avlab: %s takes %zu arguments", kernel, count);
  napi_throw_error(env, NULL, msg);
  return 0;
}

/*
 * out[k] = the Float32Array argv[k], for k < count, each holding at least need[k] values; throws a
 * type or range error naming kernel and names[k] at the first that does not, and returns 0.
 */
static inline int float_arrays(napi_env env, napi_value *argv, size_t count, const size_t *need, const char *const *names, float **out, const char *kernel) {
  for (size_t k = 0; k < count; k++) {
    napi_typedarray_type type;
    size_t length, offset;
    void *data;
    napi_value buffer;
    char msg[160];
    if (napi_get_typedarray_info(env, argv[k], &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array) {
      snprintf(msg, sizeof msg, "avlab: %s: %s must be a Float32Array", kernel, names[k]);
      napi_throw_type_error(env, NULL, msg);
      return 0;
    }
    if (length < need[k]) {
      snprintf(msg, sizeof msg, "avlab: %s: %s holds %zu values, the shape needs %zu", kernel, names[k], length, need[k]);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
    out[k] = (float *)data;
  }
  return 1;
}

#endif
