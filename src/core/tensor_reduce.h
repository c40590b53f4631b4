/*
 * src/core/tensor_reduce.h — reductions (sum, mean, prod, std, var, norm, min, max,
 * argmax, argmin, all, any), sort and topk, over all dims or a dim list, with keepdim.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Ownership as in tensor.h. `dims == NULL` (or count 0) means "reduce over every dim"
 * (the result is 0-d, or all size-1 dims with keepdim). Results are contiguous. Values are
 * bit-identical to PyTorch 1.13's CPU kernels (single-threaded, AVX2), whose accumulation
 * order is replayed: sum/mean use ATen's cascade summation over the dims TensorIterator
 * builds, prod its 4x8-lane vector reduction, std/var its double-precision paths (the
 * two-pass all-reduce, Welford per dim), norm its kernels (fused where GCC fused them).
 * Dim errors: "Dimension out of range (expected to be in range of [-2, 1], but got 2)"
 * (IndexError), "dim 0 appears multiple times in the list of dims".
 * Implemented in tensor_reduce.c; sort and topk in tensor_sort.c.
 */
#ifndef EMBEDLAB_TENSOR_REDUCE_H
#define EMBEDLAB_TENSOR_REDUCE_H

#include "core/tensor.h"

typedef struct DimList {
    int count;                      /* 0 <= count <= TENSOR_MAX_DIMS; 0 means all dims */
    int64_t dims[TENSOR_MAX_DIMS];  /* may be negative; wrapped against the input's ndim */
} DimList;

/* sum: bool/int64 → int64, floating keeps its dtype. Empty → 0. */
Tensor *tensor_sum(const Tensor *t, const DimList *dims, bool keepdim, Error *err);
/* mean: floating only ("mean(): could not infer output dtype. Input dtype must be either a
 * floating point or complex dtype. Got: Long"). */
Tensor *tensor_mean(const Tensor *t, const DimList *dims, bool keepdim, Error *err);
/* prod: bool/int64 → int64, floating keeps its dtype. (torch.prod itself takes one dim;
 * the interpreter enforces that.) */
Tensor *tensor_prod(const Tensor *t, const DimList *dims, bool keepdim, Error *err);
/* var/std with `correction` (1 = unbiased, the default; 0 = biased). One element with
 * correction 1 gives nan, as torch; an empty input gives nan. Floating only: "std and var
 * only support floating point and complex dtypes". */
Tensor *tensor_var(const Tensor *t, const DimList *dims, int correction, bool keepdim,
                   Error *err);
Tensor *tensor_std(const Tensor *t, const DimList *dims, int correction, bool keepdim,
                   Error *err);
/* torch.linalg.vector_norm(t, p, dims): p = 2 default, any p > 0, INFINITY, -INFINITY, 0
 * (count of non-zeros). Floating only ("linalg.vector_norm: Expected a floating point or
 * complex tensor as input. Got Long"); p < 0 on an empty input fails ("linalg.vector_norm
 * cannot compute the -inf norm on an empty tensor because the operation does not have an
 * identity"). */
Tensor *tensor_norm(const Tensor *t, double p, const DimList *dims, bool keepdim, Error *err);
/* max()/min() over everything: 0-d ("max(): Expected reduction dim to be specified for
 * input.numel() == 0. Specify the reduction dim with the 'dim' argument."). */
Tensor *tensor_max_all(const Tensor *t, Error *err);
Tensor *tensor_min_all(const Tensor *t, Error *err);
/* max(dim)/min(dim): values and int64 indices (first occurrence; the first nan wins).
 * An empty reduced dim: "max(): Expected reduction dim 0 to have non-zero size."
 * (IndexError). values may be NULL to get only the indices. */
int tensor_max_dim(const Tensor *t, int64_t dim, bool keepdim, Tensor **values,
                   Tensor **indices, Error *err);
int tensor_min_dim(const Tensor *t, int64_t dim, bool keepdim, Tensor **values,
                   Tensor **indices, Error *err);
/* argmax/argmin: over the flattened tensor when has_dim is false (keepdim then keeps
 * every dim as size 1). Errors as torch: "argmax(): Expected reduction dim to be specified
 * for input.numel() == 0." (IndexError), and "\"argmax_cpu\" not implemented for 'Bool'"
 * unless the reduced dim has size 1 or the input is empty. */
Tensor *tensor_argmax(const Tensor *t, bool has_dim, int64_t dim, bool keepdim, Error *err);
Tensor *tensor_argmin(const Tensor *t, bool has_dim, int64_t dim, bool keepdim, Error *err);
/* all/any → bool, any input dtype. */
Tensor *tensor_all(const Tensor *t, const DimList *dims, bool keepdim, Error *err);
Tensor *tensor_any(const Tensor *t, const DimList *dims, bool keepdim, Error *err);
/* sort(dim=-1, descending=False): values and int64 indices. Equal values come out in
 * the order torch's std::sort (introsort, not stable) leaves them; NaN sorts above every
 * number (last ascending, first descending). */
int tensor_sort(const Tensor *t, int64_t dim, bool descending, Tensor **values,
                Tensor **indices, Error *err);
/* topk(k, dim=-1, largest=True, sorted=True) ("selected index k out of range"). The
 * order of results (ties, and everything with sorted=false) is torch's: partial_sort when
 * k * 64 <= n, else nth_element then a sort of the first k - 1. */
int tensor_topk(const Tensor *t, int64_t k, int64_t dim, bool largest, bool sorted,
                Tensor **values, Tensor **indices, Error *err);

#endif
