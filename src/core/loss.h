/*
 * src/core/loss.h — the loss kernels of PyTorch 1.13 (LossNLL.cpp, Loss.cpp) used by
 * F.nll_loss, F.cross_entropy and F.mse_loss, forward and backward, bit for bit: the
 * NLL reduction sums in torch's 8-level cascade, in the input's dtype; the MSE loss is
 * (a - b)^2 reduced with torch's mean/sum kernels; the gradients are torch's kernels.
 * The autograd layer (autograd_nn.c) records these. See LICENSE (GPL-3.0-or-later).
 *
 * Ownership as in tensor.h: results owned, arguments borrowed.
 */
#ifndef EMBEDLAB_LOSS_H
#define EMBEDLAB_LOSS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tensor.h"

typedef enum LossReduction { LOSS_NONE = 0, LOSS_MEAN = 1, LOSS_SUM = 2 } LossReduction;

/* "none" / "mean" / "sum" → reduction; anything else: ValueError "<name> is not a valid
 * value for reduction". */
int loss_reduction_parse(const char *name, LossReduction *out, Error *err);

/* nll_loss(input [N, C] or [C], target [N] or [], weight [C] or NULL): the loss (0-d, or
 * [N] with LOSS_NONE) and total_weight (0-d). Errors as torch: ValueError "Expected 1 or
 * more dimensions (got 0)", "Expected input batch_size (2) to match target batch_size
 * (3)."; RuntimeError "expected scalar type Long but found Float", "0D or 1D target tensor
 * expected, multi-target not supported", "weight tensor should be defined either for all
 * 3 classes or no classes but got weight tensor of shape: [2]"; IndexError "Target 5 is
 * out of bounds."; inputs of more than 2 dims are not supported (NotImplementedError). */
int loss_nll_forward(const Tensor *input, const Tensor *target, const Tensor *weight,
                     LossReduction reduction, int64_t ignore_index, Tensor **out,
                     Tensor **total_weight, Error *err);
/* The gradient of nll_loss with respect to its input (nll_loss_backward). */
Tensor *loss_nll_backward(const Tensor *grad_output, const Tensor *input, const Tensor *target,
                          const Tensor *weight, LossReduction reduction, int64_t ignore_index,
                          const Tensor *total_weight, Error *err);

/* mse_loss(input, target) for two tensors of one shape (the caller broadcasts). */
Tensor *loss_mse_forward(const Tensor *input, const Tensor *target, LossReduction reduction,
                         Error *err);
/* mse_loss_backward(grad, a, b): norm * (a - b) * grad, norm = 2 / numel (mean) or 2. */
Tensor *loss_mse_backward(const Tensor *grad_output, const Tensor *a, const Tensor *b,
                          LossReduction reduction, Error *err);

#endif
