/*
 * src/core/autograd_reduce.c — reductions (sum, mean, prod, var/std, norm, max/min, sort,
 * topk) and their gradients, as torch 1.13's FunctionsManual.cpp computes them.
 * See autograd.h. See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <string.h>

#include "core/autograd_impl.h"
#include "core/mem.h"

#define SAVED(n, slot)                                      \
    Tensor *saved_##slot = ag_saved((n), (slot), err);      \
    if (!saved_##slot) return err->code;

static Tensor *int_scalar(int64_t v, Error *err) {
    Tensor *t = tensor_wrap_number(DTYPE_INT64, 0, err);
    if (t) tensor_store_int(t, t->offset, v);
    return t;
}

static Tensor *bin_i(BinaryOp op, const Tensor *a, int64_t s, Error *err) {
    Tensor *w = int_scalar(s, err);
    Tensor *r = w ? tensor_binary(op, a, w, err) : NULL;
    tensor_release(w);
    return r;
}

static const DimList *dims_of(const GradNode *n) {
    return n->args.b[1] ? &n->args.dims : NULL;
}

/* Records the reduction dims and keepdim in the node: args.b[0] keepdim, args.b[1] dims
 * given (not all), args.dims. */
static void set_dims(GradNode *n, const DimList *dims, bool keepdim) {
    n->args.b[0] = keepdim;
    n->args.b[1] = dims && dims->count > 0;
    if (n->args.b[1]) n->args.dims = *dims;
}

/* The number of elements each output gathers (_safe_size over the dims, or numel). */
static int64_t reduced_count(const GradMeta *m, const DimList *dims, Error *err) {
    int64_t c = 1;
    if (!dims) {
        for (int i = 0; i < m->ndim; i++) c *= m->shape[i];
        return c;
    }
    for (int i = 0; i < dims->count; i++) {
        int d;
        if (m->ndim == 0) continue;
        if (tensor_wrap_dim(dims->dims[i], m->ndim, &d, err) != ERR_OK) return -1;
        c *= m->shape[d];
    }
    return c;
}

/* ---- sum / mean ---- */

static int sum_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    gi[0] = ag_expand_reduced(g, &n->in[0], dims_of(n), n->args.b[0], err);
    return gi[0] ? ERR_OK : err->code;
}

static int mean_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    Tensor *e = ag_expand_reduced(g, &n->in[0], dims_of(n), n->args.b[0], err);
    int64_t cnt = e ? reduced_count(&n->in[0], dims_of(n), err) : -1;
    gi[0] = cnt >= 0 ? bin_i(BIN_DIV, e, cnt, err) : NULL;
    tensor_release(e);
    return gi[0] ? ERR_OK : err->code;
}

static Tensor *record_reduce(AutogradCtx *ctx, Tensor *t, Tensor *r, const char *name,
                             GradApplyFn fn, const DimList *dims, bool keepdim, Error *err) {
    GradNode *n;
    if (ag_record1(ctx, name, fn, t, &r, &n, err)) return NULL;
    if (!n) return r;
    set_dims(n, dims, keepdim);
    ag_attach(n, r);
    return r;
}

Tensor *ag_sum(AutogradCtx *ctx, Tensor *t, const DimList *dims, bool keepdim, Error *err) {
    Tensor *r = tensor_sum(t, dims, keepdim, err);
    bool all = !dims || dims->count == 0;
    return record_reduce(ctx, t, r, all && !keepdim ? "SumBackward0" : "SumBackward1", sum_bw,
                         dims, keepdim, err);
}

Tensor *ag_mean(AutogradCtx *ctx, Tensor *t, const DimList *dims, bool keepdim, Error *err) {
    Tensor *r = tensor_mean(t, dims, keepdim, err);
    bool all = !dims || dims->count == 0;
    return record_reduce(ctx, t, r, all && !keepdim ? "MeanBackward0" : "MeanBackward1", mean_bw,
                         dims, keepdim, err);
}

/* ---- prod ---- */

/* grad * (exclusive cumulative product from the left * from the right) along `dim` of a
 * contiguous x, zeros handled exactly (prod_safe_zeros_backward). */
static Tensor *prod_safe_zeros(const Tensor *g, const Tensor *x, int dim, Error *err) {
    Tensor *c = tensor_contiguous(x, err);
    Tensor *w = c ? tensor_zeros(c->dtype, c->ndim, c->shape, err) : NULL;
    if (!w) {
        tensor_release(c);
        return NULL;
    }
    int64_t size = c->ndim ? c->shape[dim] : 1, inner = 1, outer = 1;
    for (int i = dim + 1; i < c->ndim; i++) inner *= c->shape[i];
    for (int i = 0; i < dim; i++) outer *= c->shape[i];
    bool f32 = c->dtype == DTYPE_FLOAT32;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            int64_t base = o * size * inner + in;
            double left = 1.0;
            for (int64_t k = 0; k < size; k++) {
                tensor_set(w, base + k * inner, left);
                double v = tensor_get(c, base + k * inner);
                left = f32 ? (double)((float)left * (float)v) : left * v;
            }
            /* reverse: exclusive products of the elements after k (cumprod of the
             * flipped tail), then multiplied into w */
            double right = 1.0;
            for (int64_t k = size - 1; k >= 0; k--) {
                double l = tensor_get(w, base + k * inner);
                tensor_set(w, base + k * inner, f32 ? (double)((float)l * (float)right) : l * right);
                double v = tensor_get(c, base + k * inner);
                right = f32 ? (double)((float)right * (float)v) : right * v;
            }
        }
    Tensor *r = tensor_binary(BIN_MUL, g, w, err);
    tensor_release(c);
    tensor_release(w);
    return r;
}

static int prod_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* input */
    SAVED(n, 1); /* result */
    if (saved_0->ndim == 0) return (gi[0] = tensor_retain(g)) ? ERR_OK : err->code;
    int64_t zeros = 0;
    for (int64_t i = 0, c = tensor_numel(saved_0); i < c; i++) zeros += tensor_get(saved_0, i) == 0;
    if (!n->args.b[1]) { /* all elements */
        if (zeros == 0) {
            Tensor *q = tensor_binary(BIN_DIV, saved_1, saved_0, err);
            gi[0] = q ? tensor_binary(BIN_MUL, g, q, err) : NULL;
            tensor_release(q);
        } else if (zeros > 1) {
            gi[0] = tensor_zeros(saved_0->dtype, saved_0->ndim, saved_0->shape, err);
        } else {
            int64_t cnt = tensor_numel(saved_0);
            Tensor *flat = tensor_reshape(saved_0, 1, &cnt, err);
            Tensor *r = flat ? prod_safe_zeros(g, flat, 0, err) : NULL;
            gi[0] = r ? tensor_view(r, saved_0->ndim, saved_0->shape, err) : NULL;
            tensor_release(flat);
            tensor_release(r);
        }
        return gi[0] ? ERR_OK : err->code;
    }
    int d;
    if (tensor_wrap_dim(n->args.dims.dims[0], saved_0->ndim, &d, err) != ERR_OK) return err->code;
    Tensor *gg = tensor_retain(g), *res = tensor_retain(saved_1);
    if (!n->args.b[0] && saved_0->ndim != 1) {
        Tensor *a = tensor_unsqueeze(g, d, err), *b = a ? tensor_unsqueeze(saved_1, d, err) : NULL;
        tensor_release(gg);
        tensor_release(res);
        gg = a;
        res = b;
        if (!b) {
            tensor_release(a);
            return err->code;
        }
    }
    if (zeros == 0) {
        Tensor *q = tensor_binary(BIN_DIV, res, saved_0, err);
        gi[0] = q ? tensor_binary(BIN_MUL, gg, q, err) : NULL;
        tensor_release(q);
    } else {
        gi[0] = prod_safe_zeros(gg, saved_0, d, err);
    }
    tensor_release(gg);
    tensor_release(res);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_prod(AutogradCtx *ctx, Tensor *t, const DimList *dims, bool keepdim, Error *err) {
    Tensor *r = tensor_prod(t, dims, keepdim, err);
    bool all = !dims || dims->count == 0;
    GradNode *n;
    if (ag_record1(ctx, all ? "ProdBackward0" : "ProdBackward1", prod_bw, t, &r, &n, err))
        return NULL;
    if (!n) return r;
    set_dims(n, dims, keepdim);
    if (ag_save(n, 0, t, err) != ERR_OK || ag_save_output(n, 1, r, err) != ERR_OK)
        return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- var / std ---- */

/* var_backward(grad, self, dim, correction, keepdim) */
static Tensor *var_backward(const Tensor *grad, const Tensor *self, const DimList *dims,
                            int correction, bool keepdim, Error *err) {
    if (self->ndim == 0 || !dims) {
        int64_t dof = tensor_numel(self) - correction;
        Tensor *mean = tensor_mean(self, NULL, false, err);
        if (!mean) return NULL;
        Tensor *r = NULL;
        if (dof <= 0) {
            Tensor *eq = tensor_binary(BIN_EQ, self, mean, err);
            Tensor *nan = eq ? ag_scalar(NAN, err) : NULL, *inf = nan ? ag_scalar(INFINITY, err) : NULL;
            Tensor *w = inf ? tensor_where(eq, nan, inf, err) : NULL;
            r = w ? tensor_binary(BIN_MUL, grad, w, err) : NULL;
            Tensor *all[] = {eq, nan, inf, w};
            for (int i = 0; i < 4; i++) tensor_release(all[i]);
        } else {
            Tensor *s = ag_scalar(2.0 / (double)dof, err);
            Tensor *sg = s ? tensor_binary(BIN_MUL, s, grad, err) : NULL;
            Tensor *dev = sg ? tensor_binary(BIN_SUB, self, mean, err) : NULL;
            r = dev ? tensor_binary(BIN_MUL, sg, dev, err) : NULL;
            tensor_release(s);
            tensor_release(sg);
            tensor_release(dev);
        }
        tensor_release(mean);
        return r;
    }
    Tensor *g = (!keepdim && self->ndim > 1) ? ag_unsqueeze_reduced(grad, self->ndim, dims, false, err)
                                              : tensor_retain((Tensor *)grad);
    if (!g) return NULL;
    GradMeta m;
    ag_meta_of(&m, self);
    int64_t dof = reduced_count(&m, dims, err) - correction;
    Tensor *mean = tensor_mean(self, dims, true, err);
    Tensor *s = mean ? ag_scalar(2.0 / (double)dof, err) : NULL;
    Tensor *sg = s ? tensor_binary(BIN_MUL, s, g, err) : NULL;
    Tensor *dev = sg ? tensor_binary(BIN_SUB, self, mean, err) : NULL;
    Tensor *r = dev ? tensor_binary(BIN_MUL, sg, dev, err) : NULL;
    Tensor *all[] = {g, mean, s, sg, dev};
    for (int i = 0; i < 5; i++) tensor_release(all[i]);
    return r;
}

static int var_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    int correction = (int)n->args.i[0];
    bool keep = n->args.b[0];
    if (!n->args.b[2]) { /* var */
        gi[0] = var_backward(g, saved_0, dims_of(n), correction, keep, err);
        return gi[0] ? ERR_OK : err->code;
    }
    SAVED(n, 1); /* std result: grad_var = (grad / (result * 2)).masked_fill_(result == 0, 0) */
    Tensor *two = bin_i(BIN_MUL, saved_1, 2, err);
    Tensor *q = two ? tensor_binary(BIN_DIV, g, two, err) : NULL;
    Tensor *z0 = q ? bin_i(BIN_EQ, saved_1, 0, err) : NULL;
    Tensor *zero = z0 ? tensor_scalar(q->dtype, 0.0, err) : NULL;
    Tensor *gv = zero ? tensor_where(z0, zero, q, err) : NULL;
    gi[0] = gv ? var_backward(gv, saved_0, dims_of(n), correction, keep, err) : NULL;
    Tensor *all[] = {two, q, z0, zero, gv};
    for (int i = 0; i < 5; i++) tensor_release(all[i]);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_var(AutogradCtx *ctx, Tensor *t, const DimList *dims, int correction, bool keepdim,
               bool is_std, Error *err) {
    Tensor *r = is_std ? tensor_std(t, dims, correction, keepdim, err)
                       : tensor_var(t, dims, correction, keepdim, err);
    GradNode *n;
    if (ag_record1(ctx, is_std ? "StdBackward0" : "VarBackward0", var_bw, t, &r, &n, err))
        return NULL;
    if (!n) return r;
    set_dims(n, dims, keepdim);
    n->args.b[2] = is_std;
    n->args.i[0] = correction;
    if (ag_save(n, 0, t, err) != ERR_OK || (is_std && ag_save_output(n, 1, r, err) != ERR_OK))
        return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- norm ---- */

static Tensor *sgn(const Tensor *t, Error *err) { return tensor_unary(UN_SIGN, t, err); }

/* masked_fill_(mask, 0) out of place */
static Tensor *zero_where(const Tensor *t, const Tensor *mask, Error *err) {
    Tensor *z = tensor_scalar(t->dtype, 0.0, err);
    Tensor *r = z ? tensor_where(mask, z, t, err) : NULL;
    tensor_release(z);
    return r;
}

static int norm_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* self */
    SAVED(n, 1); /* norm */
    double p = n->args.d[0];
    const DimList *dims = dims_of(n);
    Tensor *gg, *norm;
    if (!n->args.b[0] && saved_0->ndim != 0) {
        gg = ag_unsqueeze_reduced(g, saved_0->ndim, dims, false, err);
        norm = gg ? ag_unsqueeze_reduced(saved_1, saved_0->ndim, dims, false, err) : NULL;
    } else {
        gg = tensor_retain(g);
        norm = tensor_retain(saved_1);
    }
    if (!norm) {
        tensor_release(gg);
        return err->code;
    }
    Tensor *r = NULL;
    Tensor *tmp[8] = {NULL};
    if (p == 0.0) {
        r = tensor_zeros(saved_0->dtype, saved_0->ndim, saved_0->shape, err);
    } else if (p == 1.0) {
        tmp[0] = sgn(saved_0, err);
        r = tmp[0] ? tensor_binary(BIN_MUL, tmp[0], gg, err) : NULL;
    } else if (p == 2.0) {
        tmp[0] = tensor_binary(BIN_DIV, saved_0, norm, err);
        tmp[1] = tmp[0] ? bin_i(BIN_EQ, norm, 0, err) : NULL;
        tmp[2] = tmp[1] ? zero_where(tmp[0], tmp[1], err) : NULL;
        r = tmp[2] ? tensor_binary(BIN_MUL, gg, tmp[2], err) : NULL;
    } else if (isinf(p)) {
        tmp[0] = tensor_unary(UN_ABS, saved_0, err);
        tmp[1] = tmp[0] ? tensor_binary(BIN_EQ, tmp[0], norm, err) : NULL;
        tmp[2] = tmp[1] ? tensor_unary(UN_ISNAN, tmp[0], err) : NULL;
        tmp[3] = tmp[2] ? tensor_binary(BIN_OR, tmp[1], tmp[2], err) : NULL; /* mask */
        tmp[4] = tmp[3] ? tensor_sum(tmp[3], dims, true, err) : NULL;
        tmp[5] = tmp[4] ? tensor_binary(BIN_DIV, gg, tmp[4], err) : NULL;
        tmp[6] = tmp[5] ? tensor_binary(BIN_MUL, tmp[5], tmp[3], err) : NULL;
        tmp[7] = tmp[6] ? sgn(saved_0, err) : NULL;
        r = tmp[7] ? tensor_binary(BIN_MUL, tmp[7], tmp[6], err) : NULL;
    } else if (p < 1.0) {
        tmp[0] = sgn(saved_0, err);
        tmp[1] = tmp[0] ? tensor_unary(UN_ABS, saved_0, err) : NULL;
        tmp[2] = tmp[1] ? ag_bin_s(BIN_POW, tmp[1], p - 1, err) : NULL;
        tmp[3] = tmp[2] ? bin_i(BIN_EQ, saved_0, 0, err) : NULL;
        tmp[4] = tmp[3] ? zero_where(tmp[2], tmp[3], err) : NULL;
        tmp[5] = tmp[4] ? tensor_binary(BIN_MUL, tmp[0], tmp[4], err) : NULL; /* self_scaled */
        tmp[6] = tmp[5] ? tensor_binary(BIN_MUL, tmp[5], gg, err) : NULL;
        tmp[7] = tmp[6] ? ag_bin_s(BIN_POW, norm, 1 - p, err) : NULL;
        r = tmp[7] ? tensor_binary(BIN_MUL, tmp[6], tmp[7], err) : NULL;
    } else {
        bool lt2 = p < 2.0;
        tmp[0] = tensor_unary(UN_ABS, saved_0, err);
        tmp[1] = tmp[0] ? ag_bin_s(BIN_POW, tmp[0], lt2 ? p - 1 : p - 2, err) : NULL;
        tmp[2] = tmp[1] ? (lt2 ? sgn(saved_0, err) : tensor_retain(saved_0)) : NULL;
        tmp[3] = tmp[2] ? tensor_binary(BIN_MUL, tmp[2], tmp[1], err) : NULL; /* self_scaled */
        tmp[4] = tmp[3] ? ag_bin_s(BIN_POW, norm, p - 1, err) : NULL;
        tmp[5] = tmp[4] ? tensor_binary(BIN_DIV, gg, tmp[4], err) : NULL;
        tmp[6] = tmp[5] ? bin_i(BIN_EQ, norm, 0, err) : NULL;
        tmp[7] = tmp[6] ? zero_where(tmp[5], tmp[6], err) : NULL; /* scale_v */
        r = tmp[7] ? tensor_binary(BIN_MUL, tmp[3], tmp[7], err) : NULL;
    }
    for (int i = 0; i < 8; i++) tensor_release(tmp[i]);
    tensor_release(gg);
    tensor_release(norm);
    gi[0] = r;
    return r ? ERR_OK : err->code;
}

Tensor *ag_norm(AutogradCtx *ctx, Tensor *t, double p, const DimList *dims, bool keepdim,
                Error *err) {
    Tensor *r = tensor_norm(t, p, dims, keepdim, err);
    GradNode *n;
    if (ag_record1(ctx, "NormBackward1", norm_bw, t, &r, &n, err)) return NULL;
    if (!n) return r;
    set_dims(n, dims, keepdim);
    n->args.d[0] = p;
    if (ag_save(n, 0, t, err) != ERR_OK || ag_save_output(n, 1, r, err) != ERR_OK)
        return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- max / min ---- */

/* evenly_distribute_backward(grad, input, value) */
static int max_all_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    SAVED(n, 1);
    bool value_nan = isnan(tensor_get(saved_1, 0));
    Tensor *mask = value_nan ? tensor_unary(UN_ISNAN, saved_0, err)
                             : tensor_binary(BIN_EQ, saved_0, saved_1, err);
    Tensor *cnt = mask ? tensor_sum(mask, NULL, false, err) : NULL;
    Tensor *share = cnt ? tensor_binary(BIN_DIV, g, cnt, err) : NULL;
    Tensor *sh = share ? tensor_to_dtype(share, saved_0->dtype, err) : NULL;
    Tensor *z = sh ? tensor_zeros(saved_0->dtype, saved_0->ndim, saved_0->shape, err) : NULL;
    gi[0] = z ? tensor_where(mask, sh, z, err) : NULL;
    Tensor *all[] = {mask, cnt, share, sh, z};
    for (int i = 0; i < 5; i++) tensor_release(all[i]);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_max_all(AutogradCtx *ctx, Tensor *t, bool is_max, Error *err) {
    Tensor *r = is_max ? tensor_max_all(t, err) : tensor_min_all(t, err);
    GradNode *n;
    if (ag_record1(ctx, is_max ? "MaxBackward1" : "MinBackward1", max_all_bw, t, &r, &n, err))
        return NULL;
    if (!n) return r;
    if (ag_save(n, 0, t, err) != ERR_OK || ag_save_output(n, 1, r, err) != ERR_OK)
        return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* value_selecting_reduction_backward: zeros(sizes).scatter_(dim, indices, grad), with
 * indices and grad unsqueezed at dim when !keepdim. */
static int select_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* indices */
    const GradMeta *m = &n->in[0];
    int dim = (int)n->args.i[0];
    bool keep = n->args.b[0];
    Tensor *gg = tensor_retain(g), *idx = tensor_retain(saved_0);
    if (!keep && m->ndim > 0) {
        Tensor *a = tensor_unsqueeze(g, dim, err), *b = a ? tensor_unsqueeze(saved_0, dim, err) : NULL;
        tensor_release(gg);
        tensor_release(idx);
        gg = a;
        idx = b;
        if (!b) {
            tensor_release(a);
            return err->code;
        }
    }
    Tensor *out = ag_zeros_meta(m, err);
    if (!out) {
        tensor_release(gg);
        tensor_release(idx);
        return err->code;
    }
    m = &n->in[0];
    int64_t cnt = tensor_numel(idx);
    int nd = idx->ndim;
    int64_t pos[TENSOR_MAX_DIMS] = {0};
    for (int64_t e = 0; e < cnt; e++) {
        /* multi-index of element e of idx (row-major) */
        int64_t rest = e;
        for (int d = nd - 1; d >= 0; d--) {
            pos[d] = rest % idx->shape[d];
            rest /= idx->shape[d];
        }
        int64_t target = tensor_load_int(idx, tensor_index_offset(idx, pos));
        int64_t opos[TENSOR_MAX_DIMS];
        memcpy(opos, pos, sizeof opos);
        if (m->ndim > 0) opos[dim] = target;
        double v = tensor_load(gg, tensor_index_offset(gg, pos));
        tensor_store(out, tensor_index_offset(out, opos), v);
    }
    tensor_release(gg);
    tensor_release(idx);
    gi[0] = out;
    return ERR_OK;
}

static int record_select(AutogradCtx *ctx, Tensor *t, const char *name, int64_t dim, bool keep,
                         Tensor **values, Tensor *indices, Error *err) {
    GradNode *n;
    if (ag_record1(ctx, name, select_bw, t, values, &n, err)) return -1;
    if (!n) return 0;
    int d = 0;
    if (t->ndim > 0 && tensor_wrap_dim(dim, t->ndim, &d, err) != ERR_OK) {
        ag_fail(*values, n);
        *values = NULL;
        return -1;
    }
    n->args.i[0] = d;
    n->args.b[0] = keep;
    if (ag_save(n, 0, indices, err) != ERR_OK) {
        ag_fail(*values, n);
        *values = NULL;
        return -1;
    }
    ag_attach(n, *values);
    return 0;
}

static int finish_pair(AutogradCtx *ctx, int rc, Tensor *t, const char *name, int64_t dim,
                       bool keep, Tensor **values, Tensor **indices, Error *err) {
    if (rc != ERR_OK) return rc;
    if (record_select(ctx, t, name, dim, keep, values, *indices, err)) {
        tensor_release(*indices);
        *indices = NULL;
        return err->code;
    }
    return ERR_OK;
}

int ag_max_dim(AutogradCtx *ctx, Tensor *t, int64_t dim, bool keepdim, bool is_max,
               Tensor **values, Tensor **indices, Error *err) {
    int rc = is_max ? tensor_max_dim(t, dim, keepdim, values, indices, err)
                    : tensor_min_dim(t, dim, keepdim, values, indices, err);
    return finish_pair(ctx, rc, t, is_max ? "MaxBackward0" : "MinBackward0", dim, keepdim, values,
                       indices, err);
}

int ag_sort(AutogradCtx *ctx, Tensor *t, int64_t dim, bool descending, Tensor **values,
            Tensor **indices, Error *err) {
    int rc = tensor_sort(t, dim, descending, values, indices, err);
    return finish_pair(ctx, rc, t, "SortBackward0", dim, true, values, indices, err);
}

int ag_topk(AutogradCtx *ctx, Tensor *t, int64_t k, int64_t dim, bool largest, bool sorted,
            Tensor **values, Tensor **indices, Error *err) {
    int rc = tensor_topk(t, k, dim, largest, sorted, values, indices, err);
    return finish_pair(ctx, rc, t, "TopkBackward0", dim, true, values, indices, err);
}
