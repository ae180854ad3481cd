/*
 * A whole LSTM layer in one call, forward and backward (backpropagation through time), on
 * Float32Array views of the wasm backend's memory. tfjs unrolls an LSTM into about ten kernels per
 * time step and as many again for the gradient; here the input projection of every step is one GEMM,
 * each step one GEMM for the recurrence plus a fused loop for the gates, and the weight gradients
 * three GEMMs over the whole sequence.
 *
 * Gates follow tfjs's (and Keras's) layout: z = x W + h U + b with the blocks [i | f | g | o] of H
 * columns each, i, f, o logistic, g tanh, c' = f c + i g, h' = o tanh(c'). The initial state is zero.
 */
#include <node_api.h>
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "arrays.h"

/*
 * exp, the logistic function and tanh without branches, so that the compiler vectorises the gate
 * loops (libm's expf and tanhf are scalar calls, and took most of the layer's time). exp is Cephes's
 * single-precision scheme: 2^n · p(r) with r = x − n ln 2 and a degree-6 polynomial, about 2 ulp.
 * Arguments are clamped to [−87, 88], where the results stay normal floats.
 */
static inline float exp_approx(float x) {
  x = x < -87.0f ? -87.0f : x > 88.0f ? 88.0f : x;
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest */
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union { int32_t i; float f; } scale = { .i = ((int32_t)n + 127) << 23 };
  return p * scale.f;
}

static inline float sigmoid(float v) { return 1.0f / (1.0f + exp_approx(-v)); }

/* tanh(v) = sign(v) (1 − e) / (1 + e) with e = exp(−2|v|): absolute error below 1e-7. */
static inline float tanh_approx(float v) {
  const float e = exp_approx(-2.0f * fabsf(v));
  const float t = (1.0f - e) / (1.0f + e);
  return copysignf(t, v);
}

/* Reads the four sizes N, T, D, H from argv[0..3]; all must be positive. */
static int lstm_sizes(napi_env env, napi_value *argv, int32_t *s) {
  for (int i = 0; i < 4; i++) {
    if (napi_get_value_int32(env, argv[i], &s[i]) != napi_ok || s[i] < 1) {
      napi_throw_range_error(env, NULL, "avlab lstm: N, T, D and H must be positive integers");
      return 0;
    }
  }
  return 1;
}

/*
 * lstmForward(N, T, D, H, x, W, U, b, seq, hT, cT, gates, cells): x [N,T,D], W [D,4H], U [H,4H],
 * b [4H] in; seq [N,T,H] (every h), hT, cT [N,H], gates [N,T,4H] (the activated i, f, g, o) and
 * cells [N,T,H] (every c) out. gates and cells are what lstmBackward needs.
 */
static napi_value LstmForward(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  int32_t s[4];
  if (!exact_args(env, info, 13, argv, "lstmForward") || !lstm_sizes(env, argv, s)) return NULL;
  const size_t N = s[0], T = s[1], D = s[2], H = s[3], G = 4 * H, R = N * T;
  const size_t need[9] = {R * D, D * G, H * G, G, R * H, N * H, N * H, R * G, R * H};
  const char *const names[9] = {"x", "W", "U", "b", "seq", "hT", "cT", "gates", "cells"};
  float *a[9];
  if (!float_arrays(env, argv + 4, 9, need, names, a, "lstmForward")) return NULL;
  const float *x = a[0], *W = a[1], *U = a[2], *b = a[3];
  float *seq = a[4], *hT = a[5], *cT = a[6], *gates = a[7], *cells = a[8];

  for (size_t r = 0; r < R; r++) memcpy(gates + r * G, b, G * sizeof(float));
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, R, G, D, 1.0f, x, D, W, G, 1.0f, gates, G);
  for (size_t t = 0; t < T; t++) {
    if (t > 0) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, G, H, 1.0f, seq + (t - 1) * H, T * H, U, G, 1.0f, gates + t * G, T * G);
    for (size_t n = 0; n < N; n++) {
      const size_t row = n * T + t;
      float *z = gates + row * G, *c = cells + row * H, *h = seq + row * H;
      const float *cp = t > 0 ? cells + (row - 1) * H : NULL;
      for (size_t j = 0; j < 2 * H; j++) z[j] = sigmoid(z[j]);
      for (size_t j = 2 * H; j < 3 * H; j++) z[j] = tanh_approx(z[j]);
      for (size_t j = 3 * H; j < G; j++) z[j] = sigmoid(z[j]);
      for (size_t j = 0; j < H; j++) c[j] = (cp ? z[H + j] * cp[j] : 0.0f) + z[j] * z[2 * H + j];
      for (size_t j = 0; j < H; j++) h[j] = z[3 * H + j] * tanh_approx(c[j]);
    }
  }
  for (size_t n = 0; n < N; n++) {
    memcpy(hT + n * H, seq + (n * T + T - 1) * H, H * sizeof(float));
    memcpy(cT + n * H, cells + (n * T + T - 1) * H, H * sizeof(float));
  }
  return NULL;
}

/*
 * lstmBackward(N, T, D, H, x, W, U, seq, gates, cells, dSeq, dhT, dcT, dx, dW, dU, db): the
 * gradients of a loss with respect to x, W, U and b, given its gradients dSeq [N,T,H] with respect to
 * every h and dhT, dcT [N,H] with respect to the final state, and the forward pass's seq, gates, cells.
 */
static napi_value LstmBackward(napi_env env, napi_callback_info info) {
  napi_value argv[17];
  int32_t s[4];
  if (!exact_args(env, info, 17, argv, "lstmBackward") || !lstm_sizes(env, argv, s)) return NULL;
  const size_t N = s[0], T = s[1], D = s[2], H = s[3], G = 4 * H, R = N * T;
  const size_t need[13] = {R * D, D * G, H * G, R * H, R * G, R * H, R * H, N * H, N * H, R * D, D * G, H * G, G};
  const char *const names[13] = {"x", "W", "U", "seq", "gates", "cells", "dSeq", "dhT", "dcT", "dx", "dW", "dU", "db"};
  float *a[13];
  if (!float_arrays(env, argv + 4, 13, need, names, a, "lstmBackward")) return NULL;
  float *x = a[0], *W = a[1], *U = a[2], *seq = a[3], *gates = a[4], *cells = a[5], *dSeq = a[6];
  float *dhT = a[7], *dcT = a[8], *dx = a[9], *dW = a[10], *dU = a[11], *db = a[12];

  float *dZ = malloc(R * G * sizeof(float)), *dh = malloc(N * H * sizeof(float)), *dc = malloc(N * H * sizeof(float));
  float *hprev = malloc(R * H * sizeof(float));
  if (!dZ || !dh || !dc || !hprev) {
    free(dZ), free(dh), free(dc), free(hprev);
    napi_throw_error(env, NULL, "avlab lstm: out of memory");
    return NULL;
  }
  memcpy(dh, dhT, N * H * sizeof(float));
  memcpy(dc, dcT, N * H * sizeof(float));
  for (size_t t = T; t-- > 0;) {
    for (size_t n = 0; n < N; n++) {
      const size_t row = n * T + t;
      const float *z = gates + row * G, *c = cells + row * H, *ds = dSeq + row * H;
      const float *cp = t > 0 ? cells + (row - 1) * H : NULL;
      float *dz = dZ + row * G, *dhn = dh + n * H, *dcn = dc + n * H;
      for (size_t j = 0; j < H; j++) {
        const float i = z[j], f = z[H + j], g = z[2 * H + j], o = z[3 * H + j];
        const float tc = tanh_approx(c[j]);
        const float dht = dhn[j] + ds[j];
        const float dct = dcn[j] + dht * o * (1.0f - tc * tc);
        dz[j] = dct * g * i * (1.0f - i);
        dz[H + j] = cp ? dct * cp[j] * f * (1.0f - f) : 0.0f;
        dz[2 * H + j] = dct * i * (1.0f - g * g);
        dz[3 * H + j] = dht * tc * o * (1.0f - o);
        dcn[j] = dct * f;
      }
    }
    // The gradient flowing into h_{t-1}: dZ_t Uᵀ.
    if (t > 0) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, H, G, 1.0f, dZ + t * G, T * G, U, G, 0.0f, dh, H);
  }
  // h_{t-1} beside every step (zero before the first) turns dU into one GEMM over all steps.
  for (size_t n = 0; n < N; n++) {
    memset(hprev + n * T * H, 0, H * sizeof(float));
    memcpy(hprev + (n * T + 1) * H, seq + n * T * H, (T - 1) * H * sizeof(float));
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R, D, G, 1.0f, dZ, G, W, G, 0.0f, dx, D);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, D, G, R, 1.0f, x, D, dZ, G, 0.0f, dW, G);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, G, R, 1.0f, hprev, H, dZ, G, 0.0f, dU, G);
  for (size_t k = 0; k < G; k++) db[k] = 0.0f;
  for (size_t r = 0; r < R; r++)
    for (size_t k = 0; k < G; k++) db[k] += dZ[r * G + k];
  free(dZ), free(dh), free(dc), free(hprev);
  return NULL;
}

/* Adds lstmForward and lstmBackward to the addon's exports. */
void avlab_define_lstm(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"lstmForward", NULL, LstmForward, NULL, NULL, NULL, napi_default, NULL},
    {"lstmBackward", NULL, LstmBackward, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, props);
}
