/*
 * avlab's native BLAS binding: single-precision GEMM on Float32Array views, used to run tfjs's
 * matrix multiplications through OpenBLAS on the tensors' own memory (no copies).
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <math.h>

#define CHECK(call) if ((call) != napi_ok) { napi_throw_error(env, NULL, "avlab blas: bad arguments"); return NULL; }

static float *f32(napi_env env, napi_value v, size_t *len) {
  *len = 0;
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

/*
 * adam(theta, grad, m, v, lr, beta1, beta2, eps, weightDecay, step): one Adam step in place, with
 * PyTorch's L2 weight decay (g + wd * theta) fused in; step counts from 1 for the bias corrections.
 */
static napi_value Adam(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 10) { napi_throw_error(env, NULL, "avlab blas: adam takes 10 arguments"); return NULL; }
  size_t lt, lg, lm, lv;
  float *theta = f32(env, argv[0], &lt), *grad = f32(env, argv[1], &lg), *m = f32(env, argv[2], &lm), *v = f32(env, argv[3], &lv);
  if (!theta || !grad || !m || !v) { napi_throw_type_error(env, NULL, "avlab blas: adam takes Float32Arrays"); return NULL; }
  if (lg != lt || lm != lt || lv != lt) { napi_throw_range_error(env, NULL, "avlab blas: adam arrays differ in length"); return NULL; }
  double lr, b1, b2, eps, wd, step;
  CHECK(napi_get_value_double(env, argv[4], &lr));
  CHECK(napi_get_value_double(env, argv[5], &b1));
  CHECK(napi_get_value_double(env, argv[6], &b2));
  CHECK(napi_get_value_double(env, argv[7], &eps));
  CHECK(napi_get_value_double(env, argv[8], &wd));
  CHECK(napi_get_value_double(env, argv[9], &step));
  const float fb1 = (float)b1, fb2 = (float)b2, fwd = (float)wd, feps = (float)eps;
  const float c1 = (float)(lr / (1.0 - pow(b1, step)));
  const float c2 = (float)(1.0 / sqrt(1.0 - pow(b2, step)));
  for (size_t i = 0; i < lt; i++) {
    const float g = grad[i] + fwd * theta[i];
    const float mi = fb1 * m[i] + (1.0f - fb1) * g;
    const float vi = fb2 * v[i] + (1.0f - fb2) * g * g;
    m[i] = mi;
    v[i] = vi;
    theta[i] -= c1 * mi / (sqrtf(vi) * c2 + feps);
  }
  return NULL;
}

/* Reads 13 int32 geometry arguments starting at argv[first]. */
static int geometry(napi_env env, napi_value *argv, int first, int32_t *g) {
  for (int i = 0; i < 13; i++) if (napi_get_value_int32(env, argv[first + i], &g[i]) != napi_ok) return 0;
  return 1;
}

/*
 * im2col(x, cols, N, H, W, C, kh, kw, sh, sw, dh, dw, padTop, padLeft, outH, outW): NHWC images to
 * rows of patches, cols[(n*outH + oy)*outW + ox][(ky*kw + kx)*C + c], zero where the patch leaves
 * the image. col2im(cols, dx, ...same) is its adjoint, adding each patch value back into dx.
 */
static napi_value Im2col(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t N, g[13];
  size_t lx, lc;
  if (argc != 16 || napi_get_value_int32(env, argv[2], &N) != napi_ok || !geometry(env, argv, 3, g)) { napi_throw_error(env, NULL, "avlab blas: im2col arguments"); return NULL; }
  float *x = f32(env, argv[0], &lx), *cols = f32(env, argv[1], &lc);
  const int H = g[0], W = g[1], C = g[2], kh = g[3], kw = g[4], sh = g[5], sw = g[6], dh = g[7], dw = g[8], pt = g[9], pl = g[10], oh = g[11], ow = g[12];
  const size_t K = (size_t)kh * kw * C;
  if (!x || !cols || lx < (size_t)N * H * W * C || lc < (size_t)N * oh * ow * K) { napi_throw_range_error(env, NULL, "avlab blas: im2col arrays too short"); return NULL; }
  for (int n = 0; n < N; n++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        float *row = cols + (((size_t)n * oh + oy) * ow + ox) * K;
        for (int ky = 0; ky < kh; ky++) {
          const int iy = oy * sh - pt + ky * dh;
          for (int kx = 0; kx < kw; kx++) {
            const int ix = ox * sw - pl + kx * dw;
            float *dst = row + ((size_t)ky * kw + kx) * C;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) { for (int c = 0; c < C; c++) dst[c] = 0; continue; }
            const float *src = x + (((size_t)n * H + iy) * W + ix) * C;
            for (int c = 0; c < C; c++) dst[c] = src[c];
          }
        }
      }
  return NULL;
}

static napi_value Col2im(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t N, g[13];
  size_t lx, lc;
  if (argc != 16 || napi_get_value_int32(env, argv[2], &N) != napi_ok || !geometry(env, argv, 3, g)) { napi_throw_error(env, NULL, "avlab blas: col2im arguments"); return NULL; }
  float *cols = f32(env, argv[0], &lc), *dx = f32(env, argv[1], &lx);
  const int H = g[0], W = g[1], C = g[2], kh = g[3], kw = g[4], sh = g[5], sw = g[6], dh = g[7], dw = g[8], pt = g[9], pl = g[10], oh = g[11], ow = g[12];
  const size_t K = (size_t)kh * kw * C;
  if (!dx || !cols || lx < (size_t)N * H * W * C || lc < (size_t)N * oh * ow * K) { napi_throw_range_error(env, NULL, "avlab blas: col2im arrays too short"); return NULL; }
  for (size_t i = 0; i < (size_t)N * H * W * C; i++) dx[i] = 0;
  for (int n = 0; n < N; n++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        const float *row = cols + (((size_t)n * oh + oy) * ow + ox) * K;
        for (int ky = 0; ky < kh; ky++) {
          const int iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= H) continue;
          for (int kx = 0; kx < kw; kx++) {
            const int ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= W) continue;
            const float *src = row + ((size_t)ky * kw + kx) * C;
            float *dst = dx + (((size_t)n * H + iy) * W + ix) * C;
            for (int c = 0; c < C; c++) dst[c] += src[c];
          }
        }
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

void avlab_define_lstm(napi_env env, napi_value exports);
void avlab_define_batchnorm(napi_env env, napi_value exports);

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sgemm", NULL, Sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"threads", NULL, Threads, NULL, NULL, NULL, napi_default, NULL},
    {"adam", NULL, Adam, NULL, NULL, NULL, napi_default, NULL},
    {"im2col", NULL, Im2col, NULL, NULL, NULL, napi_default, NULL},
    {"col2im", NULL, Col2im, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 5, props);
  avlab_define_lstm(env, exports);
  avlab_define_batchnorm(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
