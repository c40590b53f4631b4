/*
 * src/core/optim.h — the update rules of torch.optim (PyTorch 1.13): SGD, Adam, AdamW and
 * SparseAdam, one parameter at a time, with torch's exact float arithmetic.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Each function performs what torch's `_single_tensor_*` loop body does for one
 * parameter (the default, foreach=False path of 1.13), element by element with the same
 * roundings as ATen's CPU kernels: Python scalars are cast to the tensor's dtype before
 * use (`mul_(0.9)` multiplies by 0.9f), `add_(x, alpha=a)` is a fused multiply-add
 * (fma(x, a, self)), `addcmul_` is fma(value * t1, t2, self) (the fusion GCC makes in
 * ATen's AVX2 kernel), `addcdiv_` is self + value * t1 / t2 unfused. float32 results are
 * computed in double and rounded after every operation, which is exact for + - * / sqrt.
 *
 * Parameters, gradients and state tensors are floating point of one dtype and shape (the
 * state tensors as made by optim_zeros_like). The parameter is written in place (its
 * storage version bumped, as any in-place op). Sparse gradients (core/sparse.h) are taken
 * by SGD (torch's sparse arithmetic: the momentum buffer is then sparse too) and
 * SparseAdam. Errors carry torch's messages; nothing is printed.
 *
 * Ownership: arguments borrowed; *momentum_buf is owned by the caller (NULL before the
 * first step; set to a new owned tensor by it).
 */
#ifndef EMBEDLAB_OPTIM_H
#define EMBEDLAB_OPTIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tensor.h"

typedef struct SgdOptions {
    double lr, momentum, dampening, weight_decay;
    bool nesterov, maximize;
} SgdOptions;

typedef struct AdamOptions {
    double lr, beta1, beta2, eps, weight_decay;
    bool amsgrad, maximize;
    bool decoupled; /* AdamW: param.mul_(1 - lr * weight_decay) instead of grad + wd * param */
} AdamOptions;

/* torch.zeros_like(param): the state tensors' initial value. */
Tensor *optim_zeros_like(const Tensor *param, Error *err);

/* One SGD step (torch/optim/sgd.py `_single_tensor_sgd`). A sparse gradient with
 * weight_decay fails as torch: "add(sparse, dense) is not supported. Use add(dense,
 * sparse) instead." */
int optim_sgd_step(Tensor *param, const Tensor *grad, Tensor **momentum_buf,
                   const SgdOptions *o, Error *err);

/* One Adam step (torch/optim/adam.py `_single_tensor_adam`, capturable=False), or AdamW's
 * (adamw.py `_single_tensor_adamw`) with `decoupled`, `step` being the already incremented
 * step count. max_exp_avg_sq is used with amsgrad only. A sparse gradient: "Adam does not
 * support sparse gradients, please consider SparseAdam instead" ("AdamW does not support
 * sparse gradients"). */
int optim_adam_step(Tensor *param, const Tensor *grad, Tensor *exp_avg, Tensor *exp_avg_sq,
                    Tensor *max_exp_avg_sq, double step, const AdamOptions *o, Error *err);

/* One SparseAdam step (torch/optim/_functional.py `sparse_adam`): only the rows present
 * in the (coalesced) sparse gradient change, in the parameter and both moments. A dense
 * gradient: "SparseAdam does not support dense gradients, please consider Adam instead".
 * weight_decay and amsgrad of `o` are ignored. */
int optim_sparse_adam_step(Tensor *param, const Tensor *grad, Tensor *exp_avg,
                           Tensor *exp_avg_sq, int64_t step, const AdamOptions *o, Error *err);

#endif
