/*
 * src/core/sparse.c — sparse COO tensors (see sparse.h). See LICENSE (GPL-3.0-or-later).
 */
#include "core/sparse.h"

#include <math.h>
#include <string.h>

#include "core/autograd_impl.h"
#include "core/mem.h"
#include "core/tensor_math.h"
#include "core/tensor_reduce.h"

static GradNode *payload(const Tensor *t) {
    return t && t->grad_fn && t->grad_fn->kind == GRAD_KIND_SPARSE ? t->grad_fn : NULL;
}

bool sparse_is(const Tensor *t) { return payload(t) != NULL; }
Tensor *sparse_indices(const Tensor *t) { return payload(t)->saved[0].tensor; }
Tensor *sparse_values(const Tensor *t) { return payload(t)->saved[1].tensor; }
int64_t sparse_nnz(const Tensor *t) { return sparse_indices(t)->shape[1]; }
int sparse_sparse_dim(const Tensor *t) { return (int)sparse_indices(t)->shape[0]; }
int sparse_dense_dim(const Tensor *t) { return t->ndim - sparse_sparse_dim(t); }
bool sparse_is_coalesced(const Tensor *t) { return payload(t)->args.b[0]; }
/* args.b[1]: torch's values tensor is strided (not contiguous). */
bool sparse_values_contiguous(const Tensor *t) { return !payload(t)->args.b[1]; }
void sparse_set_values_contiguous(Tensor *t, bool contiguous) { payload(t)->args.b[1] = !contiguous; }

Tensor *sparse_coo_new(Tensor *indices, Tensor *values, int ndim, const int64_t *shape,
                       bool coalesced, Error *err) {
    Tensor *zero = tensor_zeros(values->dtype, 0, NULL, err);
    Tensor *t = zero ? tensor_expand(zero, ndim, shape, err) : NULL;
    tensor_release(zero);
    if (!t) return NULL;
    GradNode *p = ag_payload_new(indices, values, coalesced, err);
    if (!p) {
        tensor_release(t);
        return NULL;
    }
    t->grad_fn = p;
    return t;
}

/* Replaces t's parts (in-place results). */
static void set_parts(Tensor *t, Tensor *indices, Tensor *values, bool coalesced) {
    GradNode *p = payload(t);
    tensor_retain(indices);
    tensor_retain(values);
    tensor_release(p->saved[0].tensor);
    tensor_release(p->saved[1].tensor);
    p->saved[0].tensor = indices;
    p->saved[1].tensor = values;
    p->args.b[0] = coalesced;
    p->args.b[1] = false;
    if (values->dtype != t->dtype) t->dtype = values->dtype;
}

/* Elements per value row (the product of the dense dims). */
static int64_t block_size(const Tensor *values) {
    int64_t n = 1;
    for (int i = 1; i < values->ndim; i++) n *= values->shape[i];
    return n;
}

/* The row-major flat position of entry k over the sparse dims. */
static int64_t flat_index(const Tensor *t, const Tensor *indices, int64_t k) {
    int sd = (int)indices->shape[0];
    int64_t flat = 0;
    for (int d = 0; d < sd; d++) flat = flat * t->shape[d] + tensor_get_int(indices, d * indices->shape[1] + k);
    return flat;
}

/* A contiguous copy of values (float or double), and its data pointer. */
static Tensor *contig(const Tensor *t, Error *err) { return tensor_contiguous(t, err); }

static double load(const Tensor *c, int64_t i) {
    return c->dtype == DTYPE_FLOAT64 ? ((const double *)c->storage->data)[c->offset + i]
                                     : (double)((const float *)c->storage->data)[c->offset + i];
}

static void store(Tensor *c, int64_t i, double v) {
    if (c->dtype == DTYPE_FLOAT64) ((double *)c->storage->data)[c->offset + i] = v;
    else ((float *)c->storage->data)[c->offset + i] = (float)v;
}

/* y += a * x over one block, as at::native::cpublas::axpy (its AVX2 kernel: one fma). */
static void axpy(Tensor *y, int64_t yoff, const Tensor *x, int64_t xoff, int64_t n, double a) {
    bool f32 = y->dtype == DTYPE_FLOAT32;
    for (int64_t i = 0; i < n; i++) {
        if (f32) store(y, yoff + i, (double)fmaf((float)a, (float)load(x, xoff + i), (float)load(y, yoff + i)));
        else store(y, yoff + i, fma(a, load(x, xoff + i), load(y, yoff + i)));
    }
}

static Tensor *new_values(DType dt, const Tensor *like, int64_t rows, Error *err) {
    int64_t shape[TENSOR_MAX_DIMS];
    shape[0] = rows;
    for (int i = 1; i < like->ndim; i++) shape[i] = like->shape[i];
    return tensor_zeros(dt, like->ndim ? like->ndim : 1, shape, err);
}

Tensor *sparse_clone(const Tensor *t, Error *err) {
    Tensor *i = tensor_clone(sparse_indices(t), err);
    Tensor *v = i ? tensor_clone(sparse_values(t), err) : NULL;
    Tensor *r = v ? sparse_coo_new(i, v, t->ndim, t->shape, sparse_is_coalesced(t), err) : NULL;
    tensor_release(i);
    tensor_release(v);
    return r;
}

Tensor *sparse_coalesce(const Tensor *t, Error *err) {
    if (sparse_is_coalesced(t)) return tensor_retain((Tensor *)t);
    Tensor *indices = sparse_indices(t);
    int64_t nnz = indices->shape[1];
    if (nnz < 2) {
        Tensor *c = sparse_clone(t, err);
        if (c) payload(c)->args.b[0] = true;
        return c;
    }
    int sd = (int)indices->shape[0];
    Tensor *values = contig(sparse_values(t), err);
    Tensor *flat = values ? tensor_zeros(DTYPE_INT64, 1, &nnz, err) : NULL;
    Tensor *sorted = NULL, *perm = NULL;
    Tensor *new_idx = NULL, *new_val = NULL, *out = NULL;
    if (flat) {
        for (int64_t k = 0; k < nnz; k++) tensor_store_int(flat, k, flat_index(t, indices, k));
        if (tensor_sort(flat, 0, false, &sorted, &perm, err) != ERR_OK) goto done;
    } else {
        goto done;
    }
    int64_t ishape[2] = {sd, nnz};
    new_idx = tensor_zeros(DTYPE_INT64, 2, ishape, err);
    new_val = new_idx ? new_values(values->dtype, values, nnz, err) : NULL;
    if (!new_val) goto done;
    int64_t bs = block_size(values), i = -1, prev = -1;
    for (int64_t j = 0; j < nnz; j++) {
        int64_t pos = tensor_get_int(perm, j), curr = tensor_get_int(sorted, j);
        if (curr == prev) {
            axpy(new_val, i * bs, values, pos * bs, bs, 1.0);
        } else {
            ++i;
            for (int d = 0; d < sd; d++)
                tensor_store_int(new_idx, d * nnz + i, tensor_get_int(indices, d * nnz + pos));
            for (int64_t e = 0; e < bs; e++) store(new_val, i * bs + e, load(values, pos * bs + e));
        }
        prev = curr;
    }
    /* narrow to the i + 1 unique entries */
    Tensor *ni = tensor_slice(new_idx, 1, true, 0, true, i + 1, 1, err);
    Tensor *nv = ni ? tensor_slice(new_val, 0, true, 0, true, i + 1, 1, err) : NULL;
    Tensor *nic = nv ? tensor_contiguous(ni, err) : NULL;
    if (nic) out = sparse_coo_new(nic, nv, t->ndim, t->shape, true, err);
    tensor_release(ni);
    tensor_release(nv);
    tensor_release(nic);
done:
    tensor_release(values);
    tensor_release(flat);
    tensor_release(sorted);
    tensor_release(perm);
    tensor_release(new_idx);
    tensor_release(new_val);
    return out;
}

/* dst[row of entry k] += alpha * values[k] for each entry of c in order, into a dense tensor. */
static int add_into_dense(Tensor *dense, const Tensor *c, double alpha, Error *err) {
    Tensor *indices = sparse_indices(c);
    Tensor *values = sparse_values(c);
    int64_t nnz = indices->shape[1];
    int sd = (int)indices->shape[0];
    Tensor *vals = tensor_to_dtype(values, dense->dtype, err);
    if (!vals) return ERR_MEMORY;
    for (int64_t k = 0; k < nnz; k++) {
        Tensor *dst = tensor_retain(dense);
        for (int d = 0; d < sd && dst; d++) {
            Tensor *next = tensor_select(dst, 0, tensor_get_int(indices, d * nnz + k), err);
            tensor_release(dst);
            dst = next;
        }
        Tensor *src = dst ? tensor_select(vals, 0, k, err) : NULL;
        if (!src) {
            tensor_release(dst);
            tensor_release(vals);
            return err ? err->code : ERR_MEMORY;
        }
        bool f32 = dense->dtype == DTYPE_FLOAT32;
        int64_t n = tensor_numel(dst);
        if (dst->ndim == 0) {
            /* all dims sparse: the plain C loop of add_dense_sparse_worker_cpu (unfused) */
            int64_t o = dst->offset;
            double v = tensor_load(src, src->offset);
            if (f32) tensor_store(dst, o, (double)((float)tensor_load(dst, o) + (float)alpha * (float)v));
            else tensor_store(dst, o, tensor_load(dst, o) + alpha * v);
        } else {
            /* dst.add_(src, alpha): the fused add kernel */
            for (int64_t e = 0; e < n; e++) {
                int64_t od = tensor_flat_offset(dst, e), os = tensor_flat_offset(src, e);
                double a = tensor_load(dst, od), b = tensor_load(src, os);
                if (f32) tensor_store(dst, od, (double)fmaf((float)b, (float)alpha, (float)a));
                else tensor_store(dst, od, fma(b, alpha, a));
            }
        }
        tensor_release(dst);
        tensor_release(src);
    }
    tensor_release(vals);
    tensor_bump_version(dense);
    return ERR_OK;
}

static int check_dense_shape(const Tensor *dense, const Tensor *sp, Error *err) {
    if (tensor_same_shape(dense, sp)) return ERR_OK;
    char a[256], b[256];
    tensor_shape_str(dense->ndim, dense->shape, a, sizeof a);
    tensor_shape_str(sp->ndim, sp->shape, b, sizeof b);
    return err_set(err, ERR_RUNTIME,
                   "add: expected 'self' and 'other' to have same size, but self has size %s "
                   "while other has size %s (FYI: dense-sparse addition does not currently "
                   "support broadcasting)",
                   a, b);
}

int sparse_dense_add_(Tensor *dense, const Tensor *sp, double alpha, Error *err) {
    if (check_dense_shape(dense, sp, err) != ERR_OK) return ERR_RUNTIME;
    /* 1.13's add_out_dense_sparse_cpu adds the entries in their stored order, duplicates
     * one by one (no coalesce): dense.add_(uncoalesced, alpha) rounds after each entry. */
    return add_into_dense(dense, sp, alpha, err);
}

Tensor *sparse_dense_add(const Tensor *dense, const Tensor *sp, double alpha, Error *err) {
    if (check_dense_shape(dense, sp, err) != ERR_OK) return NULL;
    DType dt = dtype_promote(dense->dtype, sp->dtype);
    Tensor *r = tensor_to_dtype(dense, dt, err);
    if (r && r == dense) {
        tensor_release(r);
        r = tensor_clone(dense, err);
    }
    if (r && sparse_dense_add_(r, sp, alpha, err) != ERR_OK) {
        tensor_release(r);
        return NULL;
    }
    return r;
}

Tensor *sparse_to_dense(const Tensor *t, Error *err) {
    Tensor *r = tensor_zeros(t->dtype, t->ndim, t->shape, err);
    if (r && sparse_dense_add_(r, t, 1.0, err) != ERR_OK) {
        tensor_release(r);
        return NULL;
    }
    return r;
}

/* mul_out_sparse_scalar: values * s, indices copied. */
Tensor *sparse_mul_scalar(const Tensor *t, double s, Error *err) {
    Tensor *f = tensor_wrap_number(DTYPE_FLOAT64, s, err);
    Tensor *v = f ? tensor_binary(BIN_MUL, sparse_values(t), f, err) : NULL;
    Tensor *i = v ? tensor_clone(sparse_indices(t), err) : NULL;
    Tensor *r = i ? sparse_coo_new(i, v, t->ndim, t->shape, sparse_is_coalesced(t), err) : NULL;
    tensor_release(f);
    tensor_release(v);
    tensor_release(i);
    return r;
}

int sparse_mul_scalar_(Tensor *t, double s, Error *err) {
    Tensor *f = tensor_wrap_number(DTYPE_FLOAT64, s, err);
    int rc = f ? tensor_binary_(BIN_MUL, sparse_values(t), f, err) : ERR_MEMORY;
    tensor_release(f);
    return rc;
}

/* add_out_sparse_cpu(t, src, alpha) → (indices, values, coalesced). */
static int add_parts(const Tensor *t, const Tensor *src, double alpha, Tensor **ri, Tensor **rv,
                     bool *coalesced, Error *err) {
    if (!tensor_same_shape(t, src)) {
        char a[256], b[256];
        tensor_shape_str(t->ndim, t->shape, a, sizeof a);
        tensor_shape_str(src->ndim, src->shape, b, sizeof b);
        return err_set(err, ERR_RUNTIME, "add: expected sizes of 'self' and 'other' to match, but "
                                         "%s != %s",
                       a, b);
    }
    DType dt = dtype_promote(t->dtype, src->dtype);
    if (sparse_nnz(src) == 0) {
        *ri = tensor_clone(sparse_indices(t), err);
        *rv = *ri ? tensor_to_dtype(sparse_values(t), dt, err) : NULL;
        if (*rv && *rv == sparse_values(t)) {
            tensor_release(*rv);
            *rv = tensor_clone(sparse_values(t), err);
        }
        *coalesced = sparse_is_coalesced(t);
        return *rv ? ERR_OK : ERR_MEMORY;
    }
    if (sparse_nnz(t) == 0) {
        Tensor *m = sparse_mul_scalar(src, alpha, err);
        if (!m) return ERR_MEMORY;
        *ri = tensor_retain(sparse_indices(m));
        *rv = tensor_retain(sparse_values(m));
        *coalesced = sparse_is_coalesced(src);
        tensor_release(m);
        return ERR_OK;
    }
    if (sparse_sparse_dim(t) != sparse_sparse_dim(src))
        return err_set(err, ERR_RUNTIME, "add: expected 'self' and 'other' to have same density, "
                                         "but 'self' has %d sparse dimensions while 'other' has %d "
                                         "sparse dimensions",
                       sparse_sparse_dim(t), sparse_sparse_dim(src));
    if (!sparse_values_contiguous(t) || !sparse_values_contiguous(src)) {
        /* add_out_sparse_non_contiguous: cat the indices and values (src's scaled). */
        Tensor *sv = alpha != 1.0 ? NULL : tensor_retain(sparse_values(src));
        if (!sv) {
            Tensor *a = tensor_wrap_number(DTYPE_FLOAT64, alpha, err);
            sv = a ? tensor_binary(BIN_MUL, sparse_values(src), a, err) : NULL;
            tensor_release(a);
        }
        Tensor *tv = sv ? tensor_to_dtype(sparse_values(t), dt, err) : NULL;
        Tensor *sv2 = tv ? tensor_to_dtype(sv, dt, err) : NULL;
        Tensor *is[2] = {sparse_indices(t), sparse_indices(src)}, *vs[2] = {tv, sv2};
        *ri = sv2 ? tensor_cat(is, 2, 1, err) : NULL;
        *rv = *ri ? tensor_cat(vs, 2, 0, err) : NULL;
        tensor_release(sv);
        tensor_release(tv);
        tensor_release(sv2);
        if (!*rv) {
            tensor_release(*ri);
            *ri = NULL;
            return err ? err->code : ERR_MEMORY;
        }
        *coalesced = false;
        return ERR_OK;
    }
    Tensor *ti = sparse_indices(t), *si = sparse_indices(src);
    Tensor *tv = tensor_to_dtype(sparse_values(t), dt, err);
    Tensor *sv = tv ? tensor_to_dtype(sparse_values(src), dt, err) : NULL;
    Tensor *tvc = sv ? contig(tv, err) : NULL, *svc = tvc ? contig(sv, err) : NULL;
    int64_t tn = ti->shape[1], sn = si->shape[1], max = tn + sn;
    int sd = (int)si->shape[0];
    int64_t ishape[2] = {sd, max};
    Tensor *idx = svc ? tensor_zeros(DTYPE_INT64, 2, ishape, err) : NULL;
    Tensor *val = idx ? new_values(dt, svc, max, err) : NULL;
    int rc = val ? ERR_OK : ERR_MEMORY;
    if (rc == ERR_OK) {
        int64_t bs = block_size(svc), r = 0, a = 0, b = 0;
        while (a < tn || b < sn) {
            int cmp = 0;
            if (a >= tn) cmp = -1;
            else if (b >= sn) cmp = 1;
            else {
                for (int d = 0; d < sd; d++) {
                    int64_t x = tensor_get_int(ti, d * tn + a), y = tensor_get_int(si, d * sn + b);
                    if (x < y) { cmp = 1; break; }
                    if (x > y) { cmp = -1; break; }
                }
            }
            if (cmp >= 0) {
                for (int d = 0; d < sd; d++) tensor_store_int(idx, d * max + r, tensor_get_int(ti, d * tn + a));
                if (tensor_numel(tvc) > 0) axpy(val, r * bs, tvc, a * bs, bs, 1.0);
                a++;
            }
            if (cmp <= 0) {
                for (int d = 0; d < sd; d++) tensor_store_int(idx, d * max + r, tensor_get_int(si, d * sn + b));
                if (tensor_numel(svc) > 0) axpy(val, r * bs, svc, b * bs, bs, alpha);
                b++;
            }
            r++;
        }
        Tensor *ni = tensor_slice(idx, 1, true, 0, true, r, 1, err);
        Tensor *nv = ni ? tensor_slice(val, 0, true, 0, true, r, 1, err) : NULL;
        *ri = nv ? tensor_contiguous(ni, err) : NULL;
        *rv = *ri ? tensor_retain(nv) : NULL;
        tensor_release(ni);
        tensor_release(nv);
        if (!*rv) rc = ERR_MEMORY;
        *coalesced = sparse_is_coalesced(t) && sparse_is_coalesced(src);
    }
    Tensor *all[] = {tv, sv, tvc, svc, idx, val};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_release(all[i]);
    return rc;
}

Tensor *sparse_add(const Tensor *a, const Tensor *b, double alpha, Error *err) {
    Tensor *i = NULL, *v = NULL;
    bool co = false;
    if (add_parts(a, b, alpha, &i, &v, &co, err) != ERR_OK) return NULL;
    Tensor *r = sparse_coo_new(i, v, b->ndim, b->shape, co, err);
    tensor_release(i);
    tensor_release(v);
    return r;
}

int sparse_add_(Tensor *a, const Tensor *b, double alpha, Error *err) {
    Tensor *i = NULL, *v = NULL;
    bool co = false;
    if (add_parts(a, b, alpha, &i, &v, &co, err) != ERR_OK) return err ? err->code : ERR_RUNTIME;
    set_parts(a, i, v, co);
    tensor_release(i);
    tensor_release(v);
    return ERR_OK;
}

int sparse_zero_(Tensor *t, Error *err) {
    int64_t ishape[2] = {t->ndim, 0}, zero = 0;
    Tensor *i = tensor_zeros(DTYPE_INT64, 2, ishape, err);
    Tensor *v = i ? tensor_zeros(t->dtype, 1, &zero, err) : NULL;
    if (!v) {
        tensor_release(i);
        return ERR_MEMORY;
    }
    set_parts(t, i, v, true);
    tensor_release(i);
    tensor_release(v);
    return ERR_OK;
}

Tensor *sparse_mask_values(const Tensor *dense, const Tensor *sp, Error *err) {
    Tensor *indices = sparse_indices(sp);
    int64_t nnz = indices->shape[1];
    int sd = (int)indices->shape[0];
    int64_t shape[TENSOR_MAX_DIMS];
    shape[0] = nnz;
    for (int i = sd; i < dense->ndim; i++) shape[1 + i - sd] = dense->shape[i];
    Tensor *out = tensor_zeros(dense->dtype, 1 + dense->ndim - sd, shape, err);
    if (!out) return NULL;
    for (int64_t k = 0; k < nnz; k++) {
        Tensor *row = tensor_retain((Tensor *)dense);
        for (int d = 0; d < sd && row; d++) {
            Tensor *next = tensor_select(row, 0, tensor_get_int(indices, d * nnz + k), err);
            tensor_release(row);
            row = next;
        }
        Tensor *dst = row ? tensor_select(out, 0, k, err) : NULL;
        int rc = dst ? tensor_copy_(dst, row, err) : ERR_MEMORY;
        tensor_release(dst);
        tensor_release(row);
        if (rc != ERR_OK) {
            tensor_release(out);
            return NULL;
        }
    }
    return out;
}
