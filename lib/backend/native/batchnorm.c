/*
 * Batch normalisation in training mode over the last axis, forward and backward, on Float32Array
 * views of the wasm backend's memory. tfjs builds it from about twenty elementwise and reduction
 * kernels (moments, the normalisation, and a gradient that tiles per-channel statistics to the size
 * of the activations); here each direction is two or three passes over the data.
 *
 * x is [M, C] (every axis but the last flattened). mean and var are the batch statistics (var
 * biased, as tfjs's moments), y = γ (x − mean) / √(var + ε) + β.
 */
#include <node_api.h>
#include <math.h>
#include <stdlib.h>
#include "arrays.h"

/* Reads M, C (positive) and ε from argv[0..2]. */
static int bn_sizes(napi_env env, napi_value *argv, size_t *M, size_t *C, double *eps) {
  int32_t m, c;
  if (napi_get_value_int32(env, argv[0], &m) != napi_ok || napi_get_value_int32(env, argv[1], &c) != napi_ok ||
      napi_get_value_double(env, argv[2], eps) != napi_ok || m < 1 || c < 1) {
    napi_throw_range_error(env, NULL, "avlab batchnorm: M and C must be positive integers and epsilon a number");
    return 0;
  }
  *M = (size_t)m, *C = (size_t)c;
  return 1;
}

/* Per-channel mean and biased variance of x [M, C], accumulated in double. */
static int moments(const float *x, size_t M, size_t C, float *mean, float *var) {
  double *acc = calloc(C, sizeof(double));
  if (!acc) return 0;
  for (size_t r = 0; r < M; r++)
    for (size_t c = 0; c < C; c++) acc[c] += x[r * C + c];
  for (size_t c = 0; c < C; c++) mean[c] = (float)(acc[c] / M), acc[c] = 0;
  for (size_t r = 0; r < M; r++)
    for (size_t c = 0; c < C; c++) {
      const double d = x[r * C + c] - mean[c];
      acc[c] += d * d;
    }
  for (size_t c = 0; c < C; c++) var[c] = (float)(acc[c] / M);
  free(acc);
  return 1;
}

/* batchNormForward(M, C, eps, x, gamma, beta, y, mean, var). */
static napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  size_t M, C;
  double eps;
  if (!exact_args(env, info, 9, argv, "batchNormForward") || !bn_sizes(env, argv, &M, &C, &eps)) return NULL;
  const size_t need[6] = {M * C, C, C, M * C, C, C};
  const char *const names[6] = {"x", "gamma", "beta", "y", "mean", "var"};
  float *a[6];
  if (!float_arrays(env, argv + 3, 6, need, names, a, "batchNormForward")) return NULL;
  const float *x = a[0], *gamma = a[1], *beta = a[2];
  float *y = a[3], *mean = a[4], *var = a[5];
  float *scale = malloc(C * sizeof(float)), *shift = malloc(C * sizeof(float));
  if (!scale || !shift || !moments(x, M, C, mean, var)) {
    free(scale), free(shift);
    napi_throw_error(env, NULL, "avlab batchnorm: out of memory");
    return NULL;
  }
  for (size_t c = 0; c < C; c++) {
    scale[c] = gamma[c] / sqrtf(var[c] + (float)eps);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  for (size_t r = 0; r < M; r++)
    for (size_t c = 0; c < C; c++) y[r * C + c] = x[r * C + c] * scale[c] + shift[c];
  free(scale), free(shift);
  return NULL;
}

/*
 * batchNormBackward(M, C, eps, x, gamma, mean, var, dy, dMean, dVar, dx, dGamma, dBeta): with
 * x̂ = (x − mean) s, s = 1/√(var + ε): dβ = Σ dy, dγ = Σ dy x̂, and
 * dx = γ s (dy − dβ/M − x̂ dγ/M) + dMean/M + 2 dVar (x − mean)/M, the last two terms for losses that
 * use the batch statistics themselves.
 */
static napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  size_t M, C;
  double eps;
  if (!exact_args(env, info, 13, argv, "batchNormBackward") || !bn_sizes(env, argv, &M, &C, &eps)) return NULL;
  const size_t need[10] = {M * C, C, C, C, M * C, C, C, M * C, C, C};
  const char *const names[10] = {"x", "gamma", "mean", "var", "dy", "dMean", "dVar", "dx", "dGamma", "dBeta"};
  float *a[10];
  if (!float_arrays(env, argv + 3, 10, need, names, a, "batchNormBackward")) return NULL;
  const float *x = a[0], *gamma = a[1], *mean = a[2], *var = a[3], *dy = a[4], *dMean = a[5], *dVar = a[6];
  float *dx = a[7], *dGamma = a[8], *dBeta = a[9];
  double *sumDy = calloc(C, sizeof(double)), *sumDyXhat = calloc(C, sizeof(double));
  float *s = malloc(C * sizeof(float)), *k1 = malloc(C * sizeof(float)), *k2 = malloc(C * sizeof(float)), *k3 = malloc(C * sizeof(float));
  if (!sumDy || !sumDyXhat || !s || !k1 || !k2 || !k3) {
    free(sumDy), free(sumDyXhat), free(s), free(k1), free(k2), free(k3);
    napi_throw_error(env, NULL, "avlab batchnorm: out of memory");
    return NULL;
  }
  for (size_t c = 0; c < C; c++) s[c] = 1.0f / sqrtf(var[c] + (float)eps);
  for (size_t r = 0; r < M; r++)
    for (size_t c = 0; c < C; c++) {
      const float g = dy[r * C + c];
      sumDy[c] += g;
      sumDyXhat[c] += g * (x[r * C + c] - mean[c]) * s[c];
    }
  // dx = k1 dy + k2 (x − mean) + k3, per channel.
  for (size_t c = 0; c < C; c++) {
    dBeta[c] = (float)sumDy[c];
    dGamma[c] = (float)sumDyXhat[c];
    k1[c] = gamma[c] * s[c];
    k2[c] = -gamma[c] * s[c] * s[c] * (float)(sumDyXhat[c] / M) + 2.0f * dVar[c] / (float)M;
    k3[c] = -gamma[c] * s[c] * (float)(sumDy[c] / M) + dMean[c] / (float)M;
  }
  for (size_t r = 0; r < M; r++)
    for (size_t c = 0; c < C; c++) dx[r * C + c] = k1[c] * dy[r * C + c] + k2[c] * (x[r * C + c] - mean[c]) + k3[c];
  free(sumDy), free(sumDyXhat), free(s), free(k1), free(k2), free(k3);
  return NULL;
}

/* Adds batchNormForward and batchNormBackward to the addon's exports. */
void avlab_define_batchnorm(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"batchNormForward", NULL, BatchNormForward, NULL, NULL, NULL, napi_default, NULL},
    {"batchNormBackward", NULL, BatchNormBackward, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, props);
}
