/*
 * avlab's native BLAS binding: single-precision GEMM on Float32Array views, used to run tfjs's
 * matrix multiplications through OpenBLAS on the tensors' own memory (no copies).
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>

#define CHECK(call) if ((call) != napi_ok) { napi_throw_error(env, NULL, "avlab blas: bad arguments"); return NULL; }

static float *f32(napi_env env, napi_value v, size_t *len) {
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok || type != napi_float32_array) return NULL;
  *len = length;
  return (float *)data;
}

/* sgemm(transA, transB, m, n, k, A, lda, B, ldb, C, ldc, beta): C = op(A) op(B) + beta C, row-major. */
static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 11) { napi_throw_error(env, NULL, "avlab blas: sgemm takes 11 or 12 arguments"); return NULL; }
  bool ta, tb;
  int32_t m, n, k, lda, ldb, ldc;
  double beta = 0;
  CHECK(napi_get_value_bool(env, argv[0], &ta));
  CHECK(napi_get_value_bool(env, argv[1], &tb));
  CHECK(napi_get_value_int32(env, argv[2], &m));
  CHECK(napi_get_value_int32(env, argv[3], &n));
  CHECK(napi_get_value_int32(env, argv[4], &k));
  CHECK(napi_get_value_int32(env, argv[6], &lda));
  CHECK(napi_get_value_int32(env, argv[8], &ldb));
  CHECK(napi_get_value_int32(env, argv[10], &ldc));
  if (argc > 11) CHECK(napi_get_value_double(env, argv[11], &beta));
  size_t la, lb, lc;
  float *a = f32(env, argv[5], &la), *b = f32(env, argv[7], &lb), *c = f32(env, argv[9], &lc);
  if (!a || !b || !c) { napi_throw_type_error(env, NULL, "avlab blas: A, B and C must be Float32Arrays"); return NULL; }
  size_t needA = (size_t)(ta ? k : m) * lda, needB = (size_t)(tb ? n : k) * ldb, needC = (size_t)m * ldc;
  if ((m && k && la < needA - lda + (ta ? m : k)) || (k && n && lb < needB - ldb + (tb ? k : n)) || (m && n && lc < needC - ldc + n)) {
    napi_throw_range_error(env, NULL, "avlab blas: array too short for the given shape");
    return NULL;
  }
  if (m > 0 && n > 0) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, (float)beta, c, ldc);
  }
  return NULL;
}

static napi_value Threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc == 1) {
    int32_t t;
    if (napi_get_value_int32(env, argv[0], &t) == napi_ok && t > 0) openblas_set_num_threads(t);
  }
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, Sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"threads", NULL, Threads, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
