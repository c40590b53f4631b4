/*
 * src/core/init.h — torch.nn.init of PyTorch 1.13: gains, fans and the in-place
 * initialisers, drawing from an explicit Generator. See LICENSE (GPL-3.0-or-later).
 *
 * Fans, gains and bounds are computed in double exactly as torch/nn/init.py computes them
 * in Python, then handed to rng_uniform_ / rng_normal_ (rng.h), so seeded results are
 * bit-identical to torch (torch-semantics.md §1.5). trunc_normal_ reproduces torch's
 * erfinv kernel (float32: calc_erfinv with the multiply-adds GCC fused in the AVX2
 * build; glibc's erff/expf/logf); orthogonal_ replays the reference LAPACK 3.11 QR that
 * torch.linalg.qr calls in Debian's build (sgeqrf/sorgqr with their unblocked sgeqr2/
 * sorg2r and, beyond 128 columns, the blocked slarft/slarfb over reference BLAS), so its
 * values are bit-identical too.
 *
 * Tensors are modified in place (storage version bumped); nothing is allocated except
 * orthogonal_'s scratch. Errors carry torch's exception kinds and messages. The Python
 * warnings torch emits ("Initializing zero-element tensors is a no-op", trunc_normal_'s
 * "mean is more than 2 std from [a, b]...") are the caller's to print; see the `noop`
 * out-parameters and init_trunc_normal_warns.
 */
#ifndef EMBEDLAB_INIT_H
#define EMBEDLAB_INIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/rng.h"
#include "core/tensor.h"

/* nn.init.calculate_gain(nonlinearity, param). has_param false means param=None. When the
 * Python param is not an int or float (a bool, a str, ...), pass its repr in
 * `param_invalid` (else NULL): leaky_relu then fails with ValueError "negative_slope True
 * not a valid number" (other nonlinearities ignore param, as torch). Unknown names:
 * ValueError "Unsupported nonlinearity foo". */
int init_calculate_gain(const char *nonlinearity, bool has_param, double param,
                        const char *param_invalid, double *gain, Error *err);

/* _calculate_fan_in_and_fan_out: fan_in = size(1) * prod(size[2:]), fan_out = size(0) *
 * prod(size[2:]). Fewer than 2 dims: ValueError "Fan in and fan out can not be computed
 * for tensor with fewer than 2 dimensions". */
int init_fans(const Tensor *t, int64_t *fan_in, int64_t *fan_out, Error *err);

/* uniform_(a, b), normal_(mean, std): rng_uniform_ / rng_normal_ (their errors). */
int init_uniform_(Tensor *t, double a, double b, Generator *g, Error *err);
int init_normal_(Tensor *t, double mean, double std, Generator *g, Error *err);
/* constant_(val) (cast to the dtype as fill_), zeros_, ones_. */
int init_constant_(Tensor *t, double val, Error *err);
int init_zeros_(Tensor *t, Error *err);
int init_ones_(Tensor *t, Error *err);
/* eye_: 2-D only (ValueError "Only tensors with 2 dimensions are supported"). */
int init_eye_(Tensor *t, Error *err);

/* xavier_uniform_(gain): a = sqrt(3) * gain * sqrt(2 / (fan_in + fan_out)), uniform_(-a, a);
 * xavier_normal_(gain): normal_(0, gain * sqrt(2 / (fan_in + fan_out))). The fan errors;
 * ZeroDivisionError "float division by zero" when fan_in + fan_out == 0. */
int init_xavier_uniform_(Tensor *t, double gain, Generator *g, Error *err);
int init_xavier_normal_(Tensor *t, double gain, Generator *g, Error *err);

/* kaiming_uniform_(a, mode, nonlinearity): bound = sqrt(3) * gain / sqrt(fan), with gain =
 * calculate_gain(nonlinearity, a) and fan by mode ("fan_in"/"fan_out", any case); then
 * uniform_(-bound, bound). kaiming_normal_: normal_(0, gain / sqrt(fan)). A tensor with a
 * zero-size dim is left alone and *noop is set (torch warns "Initializing zero-element
 * tensors is a no-op"); noop may be NULL. `a_invalid` as param_invalid of
 * init_calculate_gain (NULL for a number). Errors in torch's order: ValueError "Mode foo
 * not supported, please use one of ['fan_in', 'fan_out']", the fan error, the gain errors,
 * ZeroDivisionError "float division by zero" (fan 0). */
int init_kaiming_uniform_(Tensor *t, double a, const char *a_invalid, const char *mode,
                          const char *nonlinearity, Generator *g, bool *noop, Error *err);
int init_kaiming_normal_(Tensor *t, double a, const char *a_invalid, const char *mode,
                         const char *nonlinearity, Generator *g, bool *noop, Error *err);

/* trunc_normal_(mean, std, a, b), torch 1.13's algorithm: l, u = the normal CDF of
 * (a - mean) / std and (b - mean) / std (libm erf); uniform_(2l - 1, 2u - 1); erfinv_;
 * mul_(std * sqrt(2)); add_(mean); clamp_(a, b) — each step rounded in the tensor's dtype
 * as torch does. std == 0: ZeroDivisionError "float division by zero"; integer tensors:
 * the uniform_ dtype error. */
int init_trunc_normal_(Tensor *t, double mean, double std, double a, double b, Generator *g,
                       Error *err);
/* True when torch prints its "mean is more than 2 std from [a, b] in
 * nn.init.trunc_normal_. The distribution of values may be incorrect." warning. */
bool init_trunc_normal_warns(double mean, double std, double a, double b);

/* torch's erfinv on one value (calc_erfinv of ATen's CPU kernel), float32 and float64. */
float init_erfinv_f(float y);
double init_erfinv_d(double y);

/* orthogonal_(gain): normal_(0, 1) into a new rows x cols tensor (cols = numel / rows),
 * transposed when rows < cols; Q of its QR (reference LAPACK Householder QR); columns
 * multiplied by sign(diag(R)); copied into t (transposed back) and multiplied by gain.
 * Every float32 operation is rounded as LAPACK's REAL arithmetic (no FMA).
 * Fewer than 2 dims: ValueError "Only tensors with 2 or more dimensions are supported"; a
 * tensor with no elements is left alone. Float tensors only (torch fails inside
 * linalg.qr for others: RuntimeError "\"normal_kernel_cpu\" not implemented for
 * 'Long'"). */
int init_orthogonal_(Tensor *t, double gain, Generator *g, Error *err);

#endif
