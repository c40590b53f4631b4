/*
 * src/core/sparse.h — torch.sparse_coo tensors, as far as embeddings need them: the
 * gradient of Embedding(sparse=True), its accumulation, printing, coalesce, to_dense,
 * and the arithmetic SGD and SparseAdam do with it. See LICENSE (GPL-3.0-or-later).
 *
 * A sparse COO tensor is a Tensor (dtype and shape as torch reports them) whose grad_fn
 * slot holds a payload node (autograd_impl.h, kind GRAD_KIND_SPARSE) owning `indices`
 * (int64 [sparse_dim, nnz]) and `values` ([nnz] + the dense dims), plus the coalesced
 * flag. Its own storage is a single zero element broadcast to the shape (all strides
 * 0), so a dense kernel handed one by mistake reads zeros and writes nowhere harmful;
 * callers check sparse_is first. Released like any tensor (tensor_release).
 *
 * Arithmetic follows ATen's CPU kernels (SparseTensorMath.cpp, 1.13): sparse + sparse
 * merges two index lists in order (summing equal indices with cpublas axpy, an fma) or, when
 * either values tensor is strided in torch, concatenates them (values scaled by alpha), dense += sparse
 * adds entry by entry in stored order (no coalesce) with the fused add kernel, coalesce sorts the
 * flattened indices with torch's (unstable) sort and sums duplicates in that order.
 *
 * Ownership as in tensor.h: results owned, arguments borrowed.
 */
#ifndef EMBEDLAB_SPARSE_H
#define EMBEDLAB_SPARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tensor.h"

/* True when t is a sparse COO tensor. */
bool sparse_is(const Tensor *t);

/* torch._sparse_coo_tensor_unsafe(indices, values, shape): indices and values are taken
 * by reference (retained, not copied); the first indices.size(0) dims are sparse. */
Tensor *sparse_coo_new(Tensor *indices, Tensor *values, int ndim, const int64_t *shape,
                       bool coalesced, Error *err);
/* Borrowed parts. */
Tensor *sparse_indices(const Tensor *t);
Tensor *sparse_values(const Tensor *t);
int64_t sparse_nnz(const Tensor *t);
int sparse_sparse_dim(const Tensor *t);
int sparse_dense_dim(const Tensor *t);
bool sparse_is_coalesced(const Tensor *t);
/* Whether the values tensor is contiguous *in torch* (default true). embedlab stores values
 * contiguously, but torch's embedding backward may alias a strided view of the incoming
 * gradient, and then sparse + sparse concatenates the entries instead of merging them
 * (add_out_sparse_non_contiguous), which changes nnz and printing. Results of sparse ops
 * are contiguous. */
bool sparse_values_contiguous(const Tensor *t);
void sparse_set_values_contiguous(Tensor *t, bool contiguous);

/* t.to_dense(): duplicates summed in index order (float32 rounding of each add). */
Tensor *sparse_to_dense(const Tensor *t, Error *err);
/* t.coalesce(): t itself (retained) when already coalesced. */
Tensor *sparse_coalesce(const Tensor *t, Error *err);
/* t.clone(): indices and values copied. */
Tensor *sparse_clone(const Tensor *t, Error *err);
/* a + alpha * b for two sparse tensors of one shape (the in-order merge), as torch's
 * add(sparse, sparse). Errors: "add: expected sizes of 'self' and 'other' to match, but
 * [10, 3] != [4, 3]". */
Tensor *sparse_add(const Tensor *a, const Tensor *b, double alpha, Error *err);
/* a += alpha * b (sparse, in place: a's parts are replaced). */
int sparse_add_(Tensor *a, const Tensor *b, double alpha, Error *err);
/* dense += alpha * sparse (dense.add_(sparse, alpha=...)); shapes must match: "add:
 * expected 'self' and 'other' to have same size, but self has size [3] while other has
 * size [10, 3] (FYI: dense-sparse addition does not currently support broadcasting)". */
int sparse_dense_add_(Tensor *dense, const Tensor *sp, double alpha, Error *err);
/* dense + alpha * sparse as a new dense tensor. */
Tensor *sparse_dense_add(const Tensor *dense, const Tensor *sp, double alpha, Error *err);
/* t *= s (values scaled, indices kept). */
int sparse_mul_scalar_(Tensor *t, double s, Error *err);
/* A new sparse tensor with the values multiplied by s. */
Tensor *sparse_mul_scalar(const Tensor *t, double s, Error *err);
/* t.zero_(): no entries left; indices become [ndim, 0] and values [0] (torch resizes the
 * tensor to all-sparse dims). */
int sparse_zero_(Tensor *t, Error *err);
/* dense.sparse_mask(sp): the values of dense at sp's (coalesced) indices, as the values
 * tensor ([nnz] + dense dims) of a sparse tensor with sp's indices. */
Tensor *sparse_mask_values(const Tensor *dense, const Tensor *sp, Error *err);

#endif
