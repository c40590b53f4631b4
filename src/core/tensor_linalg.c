/*
 * src/core/tensor_linalg.c — torch.matmul (dot, mv, mm, folded and batched products).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Products accumulate each output element's k terms in order, unfused, from 0: what the
 * reference BLAS that torch uses here (Debian's libblas3) and ATen's small-bmm kernel do,
 * so results match torch bit for bit.
 */
#include "core/tensor_linalg.h"

#include <stdio.h>
#include <string.h>

static inline int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

static int not_implemented(Error *err, const char *kernel, DType dt) {
    return err_set(err, ERR_RUNTIME, "\"%s\" not implemented for '%s'", kernel,
                   dtype_scalar_name(dt));
}

static int64_t shape_numel(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    return n;
}

/* ---- matmul ---- */

/* C (contiguous m x p block at element offset coff of C's storage) = A @ B, where
 * A(i, l) sits at aoff + i*as0 + l*as1 and B(l, j) at boff + l*bs0 + j*bs1. C must hold
 * zeros. Each C element accumulates its k products in order, unfused, starting from 0,
 * which is what the reference BLAS (Debian's libblas3, used by torch here) and ATen's
 * small-bmm kernel do: the result matches torch bit for bit. */
static void gemm_raw(int64_t m, int64_t k, int64_t p, const Tensor *A, int64_t aoff,
                     int64_t as0, int64_t as1, const Tensor *B, int64_t boff, int64_t bs0,
                     int64_t bs1, Tensor *C, int64_t coff) {
    DType dt = C->dtype;
    if (dt == DTYPE_FLOAT32) {
        const float *a = (const float *)A->storage->data, *b = (const float *)B->storage->data;
        float *c = (float *)C->storage->data + coff;
        for (int64_t i = 0; i < m; i++)
            for (int64_t l = 0; l < k; l++) {
                float av = a[aoff + i * as0 + l * as1];
                const float *brow = b + boff + l * bs0;
                float *crow = c + i * p;
                if (bs1 == 1)
                    for (int64_t j = 0; j < p; j++) crow[j] = crow[j] + av * brow[j];
                else
                    for (int64_t j = 0; j < p; j++) crow[j] = crow[j] + av * brow[j * bs1];
            }
    } else if (dt == DTYPE_FLOAT64) {
        const double *a = (const double *)A->storage->data, *b = (const double *)B->storage->data;
        double *c = (double *)C->storage->data + coff;
        for (int64_t i = 0; i < m; i++)
            for (int64_t l = 0; l < k; l++) {
                double av = a[aoff + i * as0 + l * as1];
                for (int64_t j = 0; j < p; j++)
                    c[i * p + j] = c[i * p + j] + av * b[boff + l * bs0 + j * bs1];
            }
    } else if (dt != DTYPE_INT64) { /* int32: the same integer arithmetic, stored wrapped */
        for (int64_t i = 0; i < m; i++)
            for (int64_t l = 0; l < k; l++) {
                int64_t av = tensor_load_int(A, aoff + i * as0 + l * as1);
                for (int64_t j = 0; j < p; j++) {
                    int64_t co = coff + i * p + j;
                    int64_t bv = tensor_load_int(B, boff + l * bs0 + j * bs1);
                    tensor_store_int(C, co, wrap_add(tensor_load_int(C, co), wrap_mul(av, bv)));
                }
            }
    } else {
        const int64_t *a = (const int64_t *)A->storage->data, *b = (const int64_t *)B->storage->data;
        int64_t *c = (int64_t *)C->storage->data + coff;
        for (int64_t i = 0; i < m; i++)
            for (int64_t l = 0; l < k; l++) {
                int64_t av = a[aoff + i * as0 + l * as1];
                for (int64_t j = 0; j < p; j++)
                    c[i * p + j] = wrap_add(c[i * p + j], wrap_mul(av, b[boff + l * bs0 + j * bs1]));
            }
    }
}

static int dtype_mismatch(Error *err, DType expected, DType found) {
    return err_set(err, ERR_RUNTIME, "expected scalar type %s but found %s",
                   dtype_scalar_name(expected), dtype_scalar_name(found));
}

/* torch.dot for two 1-D tensors. */
static Tensor *matmul_dot(const Tensor *a, const Tensor *b, Error *err) {
    if (a->dtype != b->dtype) {
        err_set(err, ERR_RUNTIME, "dot : expected both vectors to have same dtype, but found %s and %s",
                dtype_scalar_name(a->dtype), dtype_scalar_name(b->dtype));
        return NULL;
    }
    if (a->shape[0] != b->shape[0]) {
        err_set(err, ERR_RUNTIME,
                "inconsistent tensor size, expected tensor [%lld] and src [%lld] to have the same "
                "number of elements, but got %lld and %lld elements respectively",
                (long long)a->shape[0], (long long)b->shape[0], (long long)a->shape[0],
                (long long)b->shape[0]);
        return NULL;
    }
    if (a->dtype == DTYPE_BOOL) {
        not_implemented(err, "dot", a->dtype);
        return NULL;
    }
    Tensor *out = tensor_zeros(a->dtype, 0, NULL, err);
    if (!out) return NULL;
    gemm_raw(1, a->shape[0], 1, a, a->offset, 0, a->stride[0], b, b->offset, b->stride[0], 0, out,
             out->offset);
    return out;
}

/* mat (m x k) @ vec (k). */
static Tensor *matmul_mv(const Tensor *mat, const Tensor *vec, Error *err) {
    if (mat->shape[1] != vec->shape[0]) {
        err_set(err, ERR_RUNTIME, "size mismatch, got %lld, %lldx%lld,%lld",
                (long long)mat->shape[0], (long long)mat->shape[0], (long long)mat->shape[1],
                (long long)vec->shape[0]);
        return NULL;
    }
    if (mat->dtype != vec->dtype) {
        dtype_mismatch(err, mat->dtype, vec->dtype);
        return NULL;
    }
    if (mat->dtype == DTYPE_BOOL) {
        not_implemented(err, "addmv_impl_cpu", mat->dtype);
        return NULL;
    }
    Tensor *out = tensor_zeros(mat->dtype, 1, mat->shape, err);
    if (!out) return NULL;
    gemm_raw(mat->shape[0], mat->shape[1], 1, mat, mat->offset, mat->stride[0], mat->stride[1],
             vec, vec->offset, vec->stride[0], 0, out, 0);
    return out;
}

/* a (m x k) @ b (k x p). */
static Tensor *matmul_mm(const Tensor *a, const Tensor *b, Error *err) {
    if (a->shape[1] != b->shape[0]) {
        err_set(err, ERR_RUNTIME, "mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)",
                (long long)a->shape[0], (long long)a->shape[1], (long long)b->shape[0],
                (long long)b->shape[1]);
        return NULL;
    }
    if (a->dtype != b->dtype) {
        dtype_mismatch(err, a->dtype, b->dtype);
        return NULL;
    }
    if (a->dtype == DTYPE_BOOL) {
        not_implemented(err, "addmm_impl_cpu_", a->dtype);
        return NULL;
    }
    int64_t shape[2] = {a->shape[0], b->shape[1]};
    Tensor *out = tensor_zeros(a->dtype, 2, shape, err);
    if (!out) return NULL;
    gemm_raw(shape[0], a->shape[1], shape[1], a, a->offset, a->stride[0], a->stride[1], b,
             b->offset, b->stride[0], b->stride[1], out, 0);
    return out;
}

/* a (B x n x k) @ b (B x k x p). */
static Tensor *matmul_bmm(const Tensor *a, const Tensor *b, Error *err) {
    if (b->shape[0] != a->shape[0] || b->shape[1] != a->shape[2]) {
        err_set(err, ERR_RUNTIME,
                "Expected size for first two dimensions of batch2 tensor to be: [%lld, %lld] but "
                "got: [%lld, %lld].",
                (long long)a->shape[0], (long long)a->shape[2], (long long)b->shape[0],
                (long long)b->shape[1]);
        return NULL;
    }
    if (a->dtype != b->dtype) {
        dtype_mismatch(err, a->dtype, b->dtype);
        return NULL;
    }
    if (a->dtype == DTYPE_BOOL) {
        not_implemented(err, "bmm", a->dtype);
        return NULL;
    }
    int64_t shape[3] = {a->shape[0], a->shape[1], b->shape[2]};
    Tensor *out = tensor_zeros(a->dtype, 3, shape, err);
    if (!out) return NULL;
    for (int64_t i = 0; i < shape[0]; i++)
        gemm_raw(shape[1], a->shape[2], shape[2], a, a->offset + i * a->stride[0], a->stride[1],
                 a->stride[2], b, b->offset + i * b->stride[0], b->stride[1], b->stride[2], out,
                 i * shape[1] * shape[2]);
    return out;
}

/* ATen's should_fold: t (>= 3-D) times a 1-D/2-D operand can be folded into one mm/mv,
 * except a 3-D t whose last two dims are transposed. */
static bool should_fold(const Tensor *t, int other_dim) {
    if (t->ndim < 3 || (other_dim != 1 && other_dim != 2)) return false;
    if (t->ndim == 3 && other_dim == 2 && t->stride[2] != 1 &&
        t->stride[0] == t->shape[1] * t->shape[2])
        return false;
    return true;
}

/* The folded path of torch.matmul: one operand >= 3-D, the other 1-D or 2-D. */
static Tensor *matmul_folded(const Tensor *a, const Tensor *b, Error *err) {
    bool transpose = b->ndim > a->ndim;
    Tensor *t1 = transpose ? tensor_transpose(b, -1, -2, err) : tensor_retain((Tensor *)a);
    Tensor *t2 = NULL, *t1f = NULL, *res = NULL, *out = NULL;
    if (!t1) return NULL;
    t2 = !transpose ? tensor_retain((Tensor *)b)
         : a->ndim == 2 ? tensor_t(a, err) : tensor_retain((Tensor *)a);
    if (!t2) goto done;
    int64_t oshape[TENSOR_MAX_DIMS];
    int on = t1->ndim - 1;
    int64_t folded = 1;
    for (int i = 0; i < on; i++) folded *= (oshape[i] = t1->shape[i]);
    if (t2->ndim == 2) oshape[on++] = t2->shape[1];
    int64_t fshape[2] = {folded, t1->shape[t1->ndim - 1]};
    t1f = tensor_reshape(t1, 2, fshape, err);
    if (!t1f) goto done;
    res = t2->ndim == 2 ? matmul_mm(t1f, t2, err) : matmul_mv(t1f, t2, err);
    if (!res) goto done;
    out = tensor_view(res, on, oshape, err);
    if (out && transpose && t2->ndim == 2) {
        Tensor *mt = tensor_transpose(out, -1, -2, err);
        tensor_release(out);
        out = NULL;
        if (mt) {
            out = tensor_contiguous(mt, err);
            tensor_release(mt);
        }
    }
done:
    tensor_release(t1);
    tensor_release(t2);
    tensor_release(t1f);
    tensor_release(res);
    return out;
}

/* The batched path: broadcast the batch dims, flatten them and bmm. */
static Tensor *matmul_batched(const Tensor *a, const Tensor *b, Error *err) {
    int d1 = a->ndim, d2 = b->ndim;
    int64_t n = d1 > 1 ? a->shape[d1 - 2] : 1, m1 = a->shape[d1 - 1];
    int64_t m2 = d2 > 1 ? b->shape[d2 - 2] : b->shape[0], p = d2 > 1 ? b->shape[d2 - 1] : 1;
    int nb1 = d1 > 2 ? d1 - 2 : 0, nb2 = d2 > 2 ? d2 - 2 : 0, nb;
    int64_t oshape[TENSOR_MAX_DIMS + 2], eshape[TENSOR_MAX_DIMS + 2];
    if (tensor_broadcast_shapes(nb1, a->shape, nb2, b->shape, &nb, oshape, err)) return NULL;
    if (nb + 2 > TENSOR_MAX_DIMS) {
        err_set(err, ERR_RUNTIME, "tensors of more than %d dimensions are not supported",
                TENSOR_MAX_DIMS);
        return NULL;
    }
    int64_t batch = shape_numel(nb, oshape);
    Tensor *ae = NULL, *a3 = NULL, *be = NULL, *bu = NULL, *b3 = NULL, *res = NULL, *out = NULL;
    memcpy(eshape, oshape, sizeof(int64_t) * (size_t)nb);
    eshape[nb] = n;
    eshape[nb + 1] = m1;
    const Tensor *a_in = a;
    Tensor *au = NULL;
    if (d1 == 1) {
        au = tensor_unsqueeze(a, 0, err);
        if (!au) return NULL;
        a_in = au;
    }
    ae = tensor_expand(a_in, nb + 2, eshape, err);
    if (!ae) goto done;
    int64_t s3[3] = {batch, n, m1};
    a3 = tensor_reshape(ae, 3, s3, err);
    if (!a3) goto done;
    if (d2 == 1) {
        eshape[nb] = m2;
        be = tensor_expand(b, nb + 1, eshape, err);
        if (be) bu = tensor_unsqueeze(be, -1, err);
    } else {
        eshape[nb] = m2;
        eshape[nb + 1] = p;
        be = tensor_expand(b, nb + 2, eshape, err);
        bu = be ? tensor_retain(be) : NULL;
    }
    if (!bu) goto done;
    s3[1] = m2;
    s3[2] = p;
    b3 = tensor_reshape(bu, 3, s3, err);
    if (!b3) goto done;
    res = matmul_bmm(a3, b3, err);
    if (!res) goto done;
    int on = nb;
    if (d1 > 1) oshape[on++] = n;
    if (d2 > 1) oshape[on++] = p;
    out = tensor_view(res, on, oshape, err);
done:
    tensor_release(au);
    tensor_release(ae);
    tensor_release(a3);
    tensor_release(be);
    tensor_release(bu);
    tensor_release(b3);
    tensor_release(res);
    return out;
}

Tensor *tensor_matmul(const Tensor *a, const Tensor *b, Error *err) {
    int d1 = a->ndim, d2 = b->ndim;
    if (d1 == 0 || d2 == 0) {
        err_set(err, ERR_RUNTIME,
                "both arguments to matmul need to be at least 1D, but they are %dD and %dD", d1, d2);
        return NULL;
    }
    if (d1 == 1 && d2 == 1) return matmul_dot(a, b, err);
    if (d1 == 2 && d2 == 1) return matmul_mv(a, b, err);
    if (d1 == 2 && d2 == 2) return matmul_mm(a, b, err);
    if (d1 == 1 && d2 == 2) {
        Tensor *au = tensor_unsqueeze(a, 0, err);
        if (!au) return NULL;
        Tensor *r = matmul_mm(au, b, err);
        tensor_release(au);
        if (!r) return NULL;
        Tensor *out = tensor_view(r, 1, &r->shape[1], err);
        tensor_release(r);
        return out;
    }
    if (should_fold(a, d2) || should_fold(b, d1)) return matmul_folded(a, b, err);
    return matmul_batched(a, b, err);
}
