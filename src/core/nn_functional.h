/*
 * src/core/nn_functional.h — torch.nn.functional operations of PyTorch 1.13 used with
 * embeddings: one_hot, cosine_similarity, normalize, linear, relu, softmax,
 * log_softmax, dropout. See LICENSE (GPL-3.0-or-later).
 *
 * Ownership as in tensor.h: results are new tensors (owned), arguments borrowed. Values
 * follow torch's CPU kernels (Debian's AVX2 build); where a kernel is replayed exactly
 * the function says so. softmax/log_softmax over the last dim of float32 tensors replay
 * ATen's vectorised kernel, including SLEEF's expf/logf (u10, AVX2+FMA) and the 8-lane
 * reduction order, so their bits equal torch's; other dims and float64 follow torch's
 * algorithm with libm's exp/log (torch uses SLEEF there too: last-bit differences are
 * possible, see the test report).
 */
#ifndef EMBEDLAB_NN_FUNCTIONAL_H
#define EMBEDLAB_NN_FUNCTIONAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/rng.h"
#include "core/tensor.h"

/* F.one_hot(indices, num_classes=-1): int64 of shape indices.shape + (C,). Errors
 * (RuntimeError): "one_hot is only applicable to index tensor." (non-int64), "Class values
 * must be non-negative.", "Class values must be smaller than num_classes.", "Can not infer
 * total number of classes from empty tensor." (empty input with num_classes <= 0). */
Tensor *nnf_one_hot(const Tensor *indices, int64_t num_classes, Error *err);

/* F.cosine_similarity(x1, x2, dim=1, eps=1e-8) and torch.cosine_similarity, as torch
 * 1.13.1 computes it (the aten ops its profiler records): both converted to the common
 * dtype and broadcast to a common shape; n_i = sqrt(clamp_min(sum(x_i * x_i, dim,
 * keepdim=True), eps * eps)); result = sum((x1 / n1) * (x2 / n2), dim). Errors: "expected common dtype to be floating point, yet common dtype is Long",
 * the broadcast error, IndexError "Dimension out of range (...)". */
Tensor *nnf_cosine_similarity(const Tensor *x1, const Tensor *x2, int64_t dim, double eps,
                              Error *err);

/* F.normalize(input, p=2, dim=1, eps=1e-12): input / norm(input, p, dim,
 * keepdim=True).clamp_min(eps). Errors: "norm(): input dtype should be either floating
 * point or complex. Got Long instead.", the dim error. */
Tensor *nnf_normalize(const Tensor *input, double p, int64_t dim, double eps, Error *err);

/* F.linear(input, weight, bias=None) = input @ weight.T + bias (bias may be NULL), with
 * torch's shape errors ("mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)", the
 * bias expand/broadcast errors, "t() expects a tensor with <= 2 dimensions, but self is
 * 3D", dtype mismatch "expected scalar type Float but found Double"). Each output is the
 * in-order unfused dot product plus the bias, as the reference BLAS torch calls. */
Tensor *nnf_linear(const Tensor *input, const Tensor *weight, const Tensor *bias, Error *err);

/* F.relu: x < 0 ? 0 : x (NaN and -0.0 pass through, as torch's clamp_min kernel); int64
 * supported; bool: RuntimeError "Boolean inputs not supported for relu". */
Tensor *nnf_relu(const Tensor *input, Error *err);

/* F.softmax(input, dim) / F.log_softmax(input, dim) for float tensors (contiguous result
 * of input's shape). Errors: the dim error; "\"softmax_lastdim_kernel_impl\" not
 * implemented for 'Long'" (or softmax_kernel_impl / log_softmax_... for other dims). */
Tensor *nnf_softmax(const Tensor *input, int64_t dim, Error *err);
Tensor *nnf_log_softmax(const Tensor *input, int64_t dim, Error *err);
/* The dim F.softmax picks when dim=None (with its deprecation warning): 0 for 0-, 1- and
 * 3-d inputs, else 1. */
int nnf_softmax_default_dim(int ndim);

/* F.dropout(input, p=0.5, training=True): with training and 0 < p < 1, a new tensor
 * input * mask / (1 - p) drawing one random64 per element from `g` (rng.h documents
 * torch's exact consumption); p == 1 gives zeros (input * 0) and draws nothing; eval mode
 * or p == 0 return a new reference to input itself (as torch returns its input). p
 * outside [0, 1]: ValueError "dropout probability has to be between 0 and 1, but got
 * 1.5" — `p_text` is p as the user wrote it (Python's str of the argument, "2" for an
 * int); NULL formats p as a Python float. */
Tensor *nnf_dropout(const Tensor *input, double p, const char *p_text, bool training,
                    Generator *g, Error *err);

/* One lane of SLEEF 3.5's Sleef_expf8_u10 / Sleef_logf8_u10 (the AVX2+FMA kernels torch's
 * Vectorized<float>::exp/log call), bit for bit (checked on every float pattern class). */
float nnf_sleef_expf(float x);
float nnf_sleef_logf(float x);

#endif
