/*
 * src/core/embedding.c — nn.Embedding / F.embedding: weight creation, padding_idx rules,
 * max_norm renormalisation and the row lookup, as PyTorch 1.13 on CPU.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/embedding.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/mem.h"
#include "core/tensor_reduce.h"

const char *emb_index_type_name(DType dt) {
    return dt == DTYPE_BOOL ? "CPUBoolType" : dtype_legacy_name(dt);
}

int emb_check_padding_idx(int64_t num_embeddings, int64_t padding_idx, int64_t *normalized,
                          Error *err) {
    if ((padding_idx > 0 && padding_idx >= num_embeddings) ||
        (padding_idx < 0 && padding_idx < -num_embeddings))
        return err_set(err, ERR_ASSERTION, "Padding_idx must be within num_embeddings");
    *normalized = padding_idx < 0 ? num_embeddings + padding_idx : padding_idx;
    return ERR_OK;
}

int emb_check_weight_shape(const Tensor *weight, int64_t num_embeddings, int64_t embedding_dim,
                           Error *err) {
    if (weight->ndim != 2 || weight->shape[0] != num_embeddings ||
        weight->shape[1] != embedding_dim)
        return err_set(err, ERR_ASSERTION,
                       "Shape of weight does not match num_embeddings and embedding_dim");
    return ERR_OK;
}

int emb_check_pretrained(const Tensor *embeddings, Error *err) {
    if (embeddings->ndim != 2)
        return err_set(err, ERR_ASSERTION, "Embeddings parameter is expected to be 2-dimensional");
    return ERR_OK;
}

/* weight[row].fill_(0) as torch's Python indexing does it (IndexError when out of range). */
static int zero_row(Tensor *weight, int64_t row, Error *err) {
    int64_t n = weight->shape[0];
    if (row < -n || row >= n)
        return err_set(err, ERR_INDEX, "index %lld is out of bounds for dimension 0 with size %lld",
                       (long long)row, (long long)n);
    if (row < 0) row += n;
    size_t esize = dtype_size(weight->dtype);
    char *base = (char *)weight->storage->data;
    for (int64_t j = 0; j < weight->shape[1]; j++) {
        int64_t off = weight->offset + row * weight->stride[0] + j * weight->stride[1];
        memset(base + (size_t)off * esize, 0, esize);
    }
    tensor_bump_version(weight);
    return ERR_OK;
}

int emb_reset_parameters(Tensor *weight, bool has_padding_idx, int64_t padding_idx,
                         Generator *g, Error *err) {
    Error scratch;
    if (!err) err = &scratch;
    if (rng_normal_(g, weight, 0.0, 1.0, err) != ERR_OK) return err->code;
    if (has_padding_idx && weight->ndim == 2) return zero_row(weight, padding_idx, err);
    return ERR_OK;
}

Tensor *emb_new_weight(int64_t num_embeddings, int64_t embedding_dim, bool has_padding_idx,
                       int64_t padding_idx, Generator *g, Error *err) {
    int64_t shape[2] = {num_embeddings, embedding_dim};
    Tensor *w = tensor_zeros(DTYPE_FLOAT32, 2, shape, err);
    if (!w) return NULL;
    if (emb_reset_parameters(w, has_padding_idx, padding_idx, g, err) != ERR_OK) {
        tensor_release(w);
        return NULL;
    }
    return w;
}

/* ---- max_norm ---- */

static int cmp_int64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* row *= scale with torch's mul_(Scalar) rounding: in float for float32 (the scalar cast
 * to float first), in double for float64. */
static void scale_row(Tensor *row, double scale) {
    int64_t n = row->ndim ? row->shape[0] : 1;
    int64_t st = row->ndim ? row->stride[0] : 0;
    if (row->dtype == DTYPE_FLOAT32) {
        float *p = (float *)row->storage->data + row->offset;
        float s = (float)scale;
        for (int64_t j = 0; j < n; j++) p[j * st] = p[j * st] * s;
    } else if (row->dtype == DTYPE_FLOAT64) {
        double *p = (double *)row->storage->data + row->offset;
        for (int64_t j = 0; j < n; j++) p[j * st] = p[j * st] * scale;
    }
}

/* The indices of `indices` (int64, any layout) in logical order, into a new array. */
static int64_t *copy_indices(const Tensor *indices, int64_t *count, Error *err) {
    int64_t n = tensor_numel(indices);
    int64_t *out = mem_alloc((size_t)(n > 0 ? n : 1) * sizeof *out, err);
    if (!out) return NULL;
    const int64_t *data = (const int64_t *)indices->storage->data;
    if (indices->dtype != DTYPE_INT64) { /* int32 indices */
        for (int64_t i = 0; i < n; i++) out[i] = tensor_get_int(indices, i);
    } else if (tensor_is_contiguous(indices)) {
        if (n > 0) memcpy(out, data + indices->offset, (size_t)n * sizeof *out);
    } else {
        for (int64_t i = 0; i < n; i++) out[i] = data[tensor_flat_offset(indices, i)];
    }
    *count = n;
    return out;
}

static int index_dtype_error(DType dt, int argno, const char *op, Error *err) {
    return err_set(err, ERR_RUNTIME,
                   "Expected tensor for argument #%d 'indices' to have one of the following "
                   "scalar types: Long, Int; but got %s instead (while checking arguments for "
                   "%s)",
                   argno, emb_index_type_name(dt), op);
}

int emb_renorm_(Tensor *weight, const Tensor *indices, double max_norm, double norm_type,
                Error *err) {
    Error scratch;
    if (!err) err = &scratch;
    if (weight->ndim != 2)
        return err_set(err, ERR_RUNTIME,
                       "Expected 2-dimensional tensor, but got %d-dimensional tensor for "
                       "argument #1 'self' (while checking arguments for embedding_renorm_)",
                       weight->ndim);
    if (!dtype_is_integral(indices->dtype))
        return index_dtype_error(indices->dtype, 2, "embedding_renorm_", err);
    int64_t n;
    int64_t *sorted = copy_indices(indices, &n, err);
    if (!sorted) return ERR_MEMORY;
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_int64);
    int rc = ERR_OK;
    for (int64_t i = 0; i < n && rc == ERR_OK; i++) {
        if (i > 0 && sorted[i] == sorted[i - 1]) continue;
        Tensor *row = tensor_select(weight, 0, sorted[i], err);
        if (!row) {
            rc = err->code;
            break;
        }
        if (!dtype_is_floating(row->dtype)) {
            rc = err_set(err, ERR_RUNTIME,
                         "norm(): input dtype should be either floating point or complex. Got %s "
                         "instead.",
                         dtype_scalar_name(row->dtype));
            tensor_release(row);
            break;
        }
        Tensor *norm = tensor_norm(row, norm_type, NULL, false, err);
        double v = 0.0;
        if (!norm || tensor_item(norm, &v, err) != ERR_OK) {
            rc = err->code;
        } else if (v > max_norm) {
            scale_row(row, max_norm / (v + 1e-7));
            tensor_bump_version(weight);
        }
        tensor_release(norm);
        tensor_release(row);
    }
    mem_free(sorted);
    return rc;
}

/* ---- lookup ---- */

/* The IndexError for the first index outside [0, n), with a learner hint. */
static void out_of_range(int64_t idx, int64_t n, Error *err) {
    err_set(err, ERR_INDEX, "index out of range in self");
    if (n == 0)
        err_hint(err, "index %lld is out of range: the embedding has num_embeddings=0 (no rows)",
                 (long long)idx);
    else if (idx < 0)
        err_hint(err,
                 "index %lld is out of range for an embedding with num_embeddings=%lld (valid: "
                 "0..%lld; negative indices do not wrap)",
                 (long long)idx, (long long)n, (long long)(n - 1));
    else
        err_hint(err,
                 "index %lld is out of range for an embedding with num_embeddings=%lld (valid: "
                 "0..%lld)",
                 (long long)idx, (long long)n, (long long)(n - 1));
}

/* Outputs of more bytes than this bypass the cache: bigger than most machines' last-level
 * cache. (sysconf's LLC size is no guide: this VM reports 320 MiB for 32.) */
#define STREAMING_OUTPUT_BYTES ((size_t)16 << 20)

/* The row-by-row copy of gather_rows for dense rows, `stride_bytes` apart in src. Rows are
 * random, so the one needed 16 lookups ahead is fetched into L2 (into L1, or 8 ahead,
 * measured slower: bench/embedding_bench.c). An output too big for the cache is written
 * with non-temporal stores when its rows are 16-byte aligned: the stores then do not read
 * each output line first and do not evict the table's rows (78 MB out: 119 -> 81 ns per
 * 1 200-byte row, where one memcpy of the same bytes takes 79). */
static void gather_dense_rows(const char *src, size_t stride_bytes, size_t row_bytes,
                              const int64_t *idx, int64_t count, char *dst) {
    bool streaming = false;
#if defined(__SSE2__)
    streaming = (size_t)count * row_bytes > STREAMING_OUTPUT_BYTES && row_bytes % 16 == 0 &&
                (uintptr_t)dst % 16 == 0;
#endif
    for (int64_t k = 0; k < count; k++) {
#if defined(__GNUC__)
        if (k + 16 < count) {
            const char *ahead = src + (size_t)idx[k + 16] * stride_bytes;
            for (size_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(ahead + b, 0, 2);
        }
#endif
        const char *row = src + (size_t)idx[k] * stride_bytes;
        char *out = dst + (size_t)k * row_bytes;
#if defined(__SSE2__)
        if (streaming) {
            for (size_t b = 0; b < row_bytes; b += 16)
                _mm_stream_si128((__m128i *)(void *)(out + b),
                                 _mm_loadu_si128((const __m128i *)(const void *)(row + b)));
            continue;
        }
#endif
        memcpy(out, row, row_bytes);
    }
#if defined(__SSE2__)
    if (streaming) _mm_sfence(); /* the streamed stores are ordered before what follows */
#endif
}

/* Copies rows weight[idx[k]] into the contiguous out, k = 0..count-1 (indices valid),
 * writing every element of out. */
static void gather_rows(const Tensor *weight, const int64_t *idx, int64_t count, Tensor *out) {
    int64_t dim = weight->shape[1];
    size_t esize = dtype_size(weight->dtype);
    const char *src = (const char *)weight->storage->data + (size_t)weight->offset * esize;
    char *dst = (char *)out->storage->data;
    size_t row_bytes = (size_t)dim * esize;
    int64_t s0 = weight->stride[0], s1 = weight->stride[1];
    if (dim == 0) return;
    if (s1 == 1 || dim == 1) {
        size_t stride_bytes = (size_t)s0 * esize;
        if (esize == 4 && row_bytes == 4) {
            /* one float per row: avoid memcpy call overhead */
            for (int64_t k = 0; k < count; k++)
                memcpy(dst + (size_t)k * 4, src + (size_t)idx[k] * stride_bytes, 4);
            return;
        }
        gather_dense_rows(src, stride_bytes, row_bytes, idx, count, dst);
        return;
    }
    for (int64_t k = 0; k < count; k++) {
        const char *row = src + (size_t)(idx[k] * s0) * esize;
        char *o = dst + (size_t)k * row_bytes;
        for (int64_t j = 0; j < dim; j++) memcpy(o + (size_t)j * esize, row + (size_t)(j * s1) * esize, esize);
    }
}

Tensor *emb_forward(Tensor *weight, const Tensor *indices, bool has_padding_idx,
                    int64_t padding_idx, bool has_max_norm, double max_norm, double norm_type,
                    Error *err) {
    if (has_padding_idx && padding_idx != 0) {
        if (weight->ndim == 0) {
            err_set(err, ERR_INDEX, "Dimension specified as 0 but tensor has no dimensions");
            return NULL;
        }
        int64_t normalized;
        if (emb_check_padding_idx(weight->shape[0], padding_idx, &normalized, err) != ERR_OK)
            return NULL;
    }
    if (has_max_norm && emb_renorm_(weight, indices, max_norm, norm_type, err) != ERR_OK)
        return NULL;
    if (weight->ndim != 2) {
        err_set(err, ERR_RUNTIME, "'weight' must be 2-D");
        return NULL;
    }
    if (!dtype_is_integral(indices->dtype)) {
        index_dtype_error(indices->dtype, 1, "embedding", err);
        return NULL;
    }
    int64_t n = weight->shape[0];
    int64_t count = tensor_numel(indices);
    const int64_t *idx;
    int64_t *owned = NULL;
    if (indices->dtype == DTYPE_INT64 && tensor_is_contiguous(indices)) {
        idx = (const int64_t *)indices->storage->data + indices->offset;
    } else {
        owned = copy_indices(indices, &count, err);
        if (!owned) return NULL;
        idx = owned;
    }
    if (n == 0 && count > 0) {
        err_set(err, ERR_RUNTIME, "index_select(): self indexing axis dim should be positive");
        err_hint(err, "index %lld is out of range: the embedding has num_embeddings=0 (no rows)",
                 (long long)idx[0]);
        mem_free(owned);
        return NULL;
    }
    for (int64_t k = 0; k < count; k++) {
        if ((uint64_t)idx[k] >= (uint64_t)n) {
            out_of_range(idx[k], n, err);
            mem_free(owned);
            return NULL;
        }
    }
    int64_t shape[TENSOR_MAX_DIMS];
    if (indices->ndim + 1 > TENSOR_MAX_DIMS) {
        err_set(err, ERR_RUNTIME, "tensors of more than %d dimensions are not supported",
                TENSOR_MAX_DIMS);
        mem_free(owned);
        return NULL;
    }
    for (int i = 0; i < indices->ndim; i++) shape[i] = indices->shape[i];
    shape[indices->ndim] = weight->shape[1];
    Tensor *out = tensor_unfilled(weight->dtype, indices->ndim + 1, shape, err);
    if (out) gather_rows(weight, idx, count, out);
    mem_free(owned);
    return out;
}
