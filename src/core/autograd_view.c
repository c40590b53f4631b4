/*
 * src/core/autograd_view.c — views, copies, indexing and joining with their gradients.
 * See autograd.h. See LICENSE (GPL-3.0-or-later).
 */
#include <string.h>

#include "core/autograd_impl.h"
#include "core/mem.h"

#define SAVED(n, slot)                                      \
    Tensor *saved_##slot = ag_saved((n), (slot), err);      \
    if (!saved_##slot) return err->code;

/* Records a one-input node whose result is a view of t (sharing storage): remembers the
 * view's base for the in-place checks. */
static GradNode *record_view(AutogradCtx *ctx, const char *name, GradApplyFn fn, Tensor *t,
                             Tensor **r, Error *err) {
    GradNode *n;
    if (ag_record1(ctx, name, fn, t, r, &n, err) || !n) return NULL;
    GradNode *h = t->grad_fn;
    Tensor *base = (h && h->view_base) ? h->view_base : t;
    if (*r && (*r)->storage == t->storage) n->view_base = tensor_retain(base);
    return n;
}

static int identity_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err);

/* ---- reshapes ---- */

static int reshape_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    gi[0] = tensor_reshape(g, n->in[0].ndim, n->in[0].shape, err);
    return gi[0] ? ERR_OK : err->code;
}

static Tensor *finish1(GradNode *n, Tensor *r) {
    if (n) ag_attach(n, r);
    return r;
}

Tensor *ag_view(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err) {
    Tensor *r = tensor_view(t, ndim, shape, err);
    GradNode *n = record_view(ctx, "ViewBackward0", reshape_bw, t, &r, err);
    return finish1(n, r); /* r read after record_view may clear it */
}

/* _unsafe_view: a view of a fresh tensor, recorded as UnsafeViewBackward0. */
Tensor *ag_unsafe_view(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err);
Tensor *ag_unsafe_view(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err) {
    Tensor *r = tensor_view(t, ndim, shape, err);
    GradNode *n;
    if (ag_record1(ctx, "UnsafeViewBackward0", reshape_bw, t, &r, &n, err)) return NULL;
    return finish1(n, r);
}

Tensor *ag_reshape(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err) {
    Tensor *r = tensor_reshape(t, ndim, shape, err);
    if (!r) return NULL;
    if (r->storage == t->storage) {
        GradNode *alias = record_view(ctx, "ReshapeAliasBackward0", reshape_bw, t, &r, err);
        return finish1(alias, r); /* r read after record_view may clear it */
    }
    /* a copy: clone(memory_format=contiguous) then _unsafe_view */
    tensor_release(r);
    Tensor *c = tensor_is_contiguous(t) ? tensor_clone(t, err) : tensor_contiguous(t, err);
    GradNode *n;
    if (ag_record1(ctx, "CloneBackward0", identity_bw, t, &c, &n, err)) return NULL;
    if (n) ag_attach(n, c);
    Tensor *v = c ? ag_unsafe_view(ctx, c, ndim, shape, err) : NULL;
    tensor_release(c);
    return v;
}

static int transpose_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    gi[0] = tensor_transpose(g, n->args.i[0], n->args.i[1], err);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_transpose(AutogradCtx *ctx, Tensor *t, int64_t d0, int64_t d1, Error *err) {
    Tensor *r = tensor_transpose(t, d0, d1, err);
    GradNode *n = record_view(ctx, "TransposeBackward0", transpose_bw, t, &r, err);
    if (n) {
        n->args.i[0] = d0;
        n->args.i[1] = d1;
    }
    return finish1(n, r);
}

static int permute_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    int nd = n->in[0].ndim;
    int64_t inv[TENSOR_MAX_DIMS];
    for (int i = 0; i < nd; i++) inv[n->args.dims.dims[i]] = i;
    gi[0] = tensor_permute(g, nd, inv, err);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_permute(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *dims, Error *err) {
    Tensor *r = tensor_permute(t, ndim, dims, err);
    GradNode *n = record_view(ctx, "PermuteBackward0", permute_bw, t, &r, err);
    if (n) {
        n->args.dims.count = ndim;
        for (int i = 0; i < ndim; i++) {
            int d = 0;
            tensor_wrap_dim(dims[i], ndim, &d, NULL);
            n->args.dims.dims[i] = d;
        }
    }
    return finish1(n, r);
}

static int t_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    (void)n;
    gi[0] = tensor_t(g, err);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_t(AutogradCtx *ctx, Tensor *t, Error *err) {
    Tensor *r = tensor_t(t, err);
    GradNode *n = record_view(ctx, "TBackward0", t_bw, t, &r, err);
    return finish1(n, r); /* r read after record_view may clear it */
}

static int unsqueeze_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    gi[0] = tensor_squeeze_dim(g, n->args.i[0], err);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_unsqueeze(AutogradCtx *ctx, Tensor *t, int64_t dim, Error *err) {
    Tensor *r = tensor_unsqueeze(t, dim, err);
    GradNode *n = record_view(ctx, "UnsqueezeBackward0", unsqueeze_bw, t, &r, err);
    if (n) n->args.i[0] = dim;
    return finish1(n, r);
}

/* unsqueeze_to(grad, sizes): unsqueeze at every size-1 dim of the input (SqueezeBackward0),
 * or at the one squeezed dim (SqueezeBackward1, args.i[0] >= 0). */
static int squeeze_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    const GradMeta *m = &n->in[0];
    Tensor *r = tensor_retain(g);
    for (int d = 0; d < m->ndim && r; d++) {
        bool at = n->args.i[0] >= 0 ? d == n->args.i[0] : true;
        if (!at || m->shape[d] != 1) continue;
        Tensor *u = tensor_unsqueeze(r, d, err);
        tensor_release(r);
        r = u;
    }
    gi[0] = r;
    return r ? ERR_OK : err->code;
}

Tensor *ag_squeeze(AutogradCtx *ctx, Tensor *t, Error *err) {
    Tensor *r = tensor_squeeze(t, err);
    GradNode *n = record_view(ctx, "SqueezeBackward0", squeeze_bw, t, &r, err);
    if (n) n->args.i[0] = -1;
    return finish1(n, r);
}

/* squeeze(dim), and squeeze_(dim) as matmul's 1-D @ 2-D uses it (SqueezeBackward3). */
static Tensor *squeeze_dim_named(AutogradCtx *ctx, Tensor *t, int64_t dim, const char *name,
                                 Error *err) {
    Tensor *r = tensor_squeeze_dim(t, dim, err);
    GradNode *n = record_view(ctx, name, squeeze_bw, t, &r, err);
    if (n) {
        int d = 0;
        if (t->ndim) tensor_wrap_dim(dim, t->ndim, &d, NULL);
        n->args.i[0] = d;
    }
    return finish1(n, r);
}

Tensor *ag_squeeze_dim(AutogradCtx *ctx, Tensor *t, int64_t dim, Error *err) {
    return squeeze_dim_named(ctx, t, dim, "SqueezeBackward1", err);
}

Tensor *ag_squeeze_inplace_dim(AutogradCtx *ctx, Tensor *t, int64_t dim, Error *err);
Tensor *ag_squeeze_inplace_dim(AutogradCtx *ctx, Tensor *t, int64_t dim, Error *err) {
    return squeeze_dim_named(ctx, t, dim, "SqueezeBackward3", err);
}

static int expand_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    gi[0] = ag_sum_to(g, n->in[0].ndim, n->in[0].shape, err);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_expand(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err) {
    Tensor *r = tensor_expand(t, ndim, shape, err);
    GradNode *n = record_view(ctx, "ExpandBackward0", expand_bw, t, &r, err);
    return finish1(n, r); /* r read after record_view may clear it */
}

/* zeros(sizes).<view>.copy_(grad) for select and slice */
static int select_slice_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    Tensor *z = ag_zeros_meta(&n->in[0], err);
    if (!z) return err->code;
    Tensor *v = n->args.b[0]
                    ? tensor_slice(z, n->args.i[0], true, n->args.i[1], true, n->args.i[2], n->args.i[3], err)
                    : tensor_select(z, n->args.i[0], n->args.i[1], err);
    int rc = v ? tensor_copy_(v, g, err) : ERR_MEMORY;
    tensor_release(v);
    if (rc != ERR_OK) {
        tensor_release(z);
        return err->code;
    }
    gi[0] = z;
    return ERR_OK;
}

Tensor *ag_select(AutogradCtx *ctx, Tensor *t, int64_t dim, int64_t index, Error *err) {
    Tensor *r = tensor_select(t, dim, index, err);
    GradNode *n = record_view(ctx, "SelectBackward0", select_slice_bw, t, &r, err);
    if (n) {
        int d = 0;
        tensor_wrap_dim(dim, t->ndim, &d, NULL);
        n->args.i[0] = d;
        n->args.i[1] = index < 0 ? index + t->shape[d] : index;
        n->args.b[0] = false;
    }
    return finish1(n, r);
}

Tensor *ag_slice(AutogradCtx *ctx, Tensor *t, int64_t dim, bool has_start, int64_t start,
                 bool has_stop, int64_t stop, int64_t step, Error *err) {
    Tensor *r = tensor_slice(t, dim, has_start, start, has_stop, stop, step, err);
    GradNode *n = record_view(ctx, "SliceBackward0", select_slice_bw, t, &r, err);
    if (n) {
        int d = 0;
        tensor_wrap_dim(dim, t->ndim, &d, NULL);
        /* the clamped start (from the view's offset) and the stop covering its length */
        int64_t st = t->stride[d] ? (r->offset - t->offset) / t->stride[d] : 0;
        if (t->shape[d] == 0) st = 0;
        n->args.i[0] = d;
        n->args.i[1] = st;
        n->args.i[2] = st + r->shape[d] * step;
        n->args.i[3] = step;
        n->args.b[0] = true;
    }
    return finish1(n, r);
}

static int identity_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    (void)n, (void)err;
    gi[0] = tensor_retain(g);
    return ERR_OK;
}

Tensor *ag_alias(AutogradCtx *ctx, Tensor *t, Error *err) {
    Tensor *r = tensor_alias(t, err);
    GradNode *n = record_view(ctx, "AliasBackward0", identity_bw, t, &r, err);
    return finish1(n, r); /* r read after record_view may clear it */
}

Tensor *ag_clone(AutogradCtx *ctx, Tensor *t, Error *err) {
    Tensor *r = tensor_clone(t, err);
    GradNode *n;
    if (ag_record1(ctx, "CloneBackward0", identity_bw, t, &r, &n, err)) return NULL;
    return finish1(n, r);
}

Tensor *ag_contiguous(AutogradCtx *ctx, Tensor *t, Error *err) {
    if (tensor_is_contiguous(t)) return tensor_retain(t);
    Tensor *r = tensor_contiguous(t, err);
    GradNode *n;
    if (ag_record1(ctx, "CloneBackward0", identity_bw, t, &r, &n, err)) return NULL;
    return finish1(n, r);
}

static int to_copy_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    gi[0] = tensor_to_dtype(g, n->in[0].dtype, err);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_to_dtype(AutogradCtx *ctx, Tensor *t, DType dt, Error *err) {
    if (t->dtype == dt) return tensor_retain(t);
    Tensor *r = tensor_to_dtype(t, dt, err);
    GradNode *n;
    if (ag_record1(ctx, "ToCopyBackward0", to_copy_bw, t, &r, &n, err)) return NULL;
    return finish1(n, r);
}

Tensor *ag_detach(Tensor *t, Error *err) { return tensor_alias(t, err); }

/* ---- indexing ---- */

/* out.select(dim, idx[i]) += src.select(dim, i) for each i, in order (index_add_). */
static int index_add(Tensor *out, int dim, const Tensor *index, const Tensor *src, Error *err) {
    int64_t cnt = tensor_numel(index);
    for (int64_t i = 0; i < cnt; i++) {
        int64_t k = tensor_get_int(index, i);
        if (k < 0) k += out->shape[dim];
        Tensor *dst = tensor_select(out, dim, k, err);
        Tensor *s = dst ? (src->ndim ? tensor_select(src, dim, i, err) : tensor_retain((Tensor *)src)) : NULL;
        int rc = s ? tensor_binary_(BIN_ADD, dst, s, err) : ERR_MEMORY;
        tensor_release(dst);
        tensor_release(s);
        if (rc != ERR_OK) return rc;
    }
    return ERR_OK;
}

static int index_select_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    Tensor *z = ag_zeros_meta(&n->in[0], err);
    if (!z) return err->code;
    int dim = (int)n->args.i[0];
    if (z->ndim == 0) {
        int rc = tensor_binary_(BIN_ADD, z, g, err);
        if (rc != ERR_OK) {
            tensor_release(z);
            return rc;
        }
    } else if (index_add(z, dim, saved_0, g, err) != ERR_OK) {
        tensor_release(z);
        return err->code;
    }
    gi[0] = z;
    return ERR_OK;
}

Tensor *ag_index_select(AutogradCtx *ctx, Tensor *t, int64_t dim, Tensor *index, Error *err) {
    Tensor *r = tensor_index_select(t, dim, index, err);
    GradNode *n;
    if (ag_record1(ctx, "IndexSelectBackward0", index_select_bw, t, &r, &n, err)) return NULL;
    if (!n) return r;
    int d = 0;
    if (t->ndim) tensor_wrap_dim(dim, t->ndim, &d, NULL);
    n->args.i[0] = d;
    if (ag_save(n, 0, index, err) != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* Moves dim `from` of t to the front (a view). */
static Tensor *move_to_front(const Tensor *t, int from, Error *err) {
    int64_t perm[TENSOR_MAX_DIMS];
    perm[0] = from;
    for (int i = 0, j = 1; i < t->ndim; i++)
        if (i != from) perm[j++] = i;
    return tensor_permute(t, t->ndim, perm, err);
}

/* index_put_(accumulate=True) of grad into zeros of the input's shape, the inverse of
 * ag_index's forward. */
static int index_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    const Tensor *index = saved_0;
    int dim = (int)n->args.i[0];
    Tensor *out = ag_zeros_meta(&n->in[0], err);
    if (!out) return err->code;
    Tensor *front = move_to_front(out, dim, err); /* [rows, ...rest] view of out */
    if (!front) {
        tensor_release(out);
        return err->code;
    }
    bool is_bool = index->dtype == DTYPE_BOOL;
    int idx_dims = is_bool ? 1 : index->ndim;
    /* grad in [positions..., before..., after...] order: move the index dims to the front */
    int64_t perm[TENSOR_MAX_DIMS];
    int k = 0;
    for (int i = 0; i < idx_dims; i++) perm[k++] = dim + i;
    for (int i = 0; i < g->ndim; i++)
        if (i < dim || i >= dim + idx_dims) perm[k++] = i;
    Tensor *gf = tensor_permute(g, g->ndim, perm, err);
    int64_t cnt = 1;
    for (int i = 0; i < idx_dims; i++) cnt *= g->shape[dim + i];
    int64_t rest_shape[TENSOR_MAX_DIMS];
    int rest = 0;
    rest_shape[rest++] = cnt;
    for (int i = idx_dims; gf && i < gf->ndim; i++) rest_shape[rest++] = gf->shape[i];
    Tensor *gflat = gf ? tensor_reshape(gf, rest, rest_shape, err) : NULL;
    int rc = gflat ? ERR_OK : ERR_MEMORY;
    if (rc == ERR_OK && is_bool) {
        /* the true positions of the mask over the leading index->ndim dims of front */
        int64_t pos = 0, total = tensor_numel(index);
        for (int64_t e = 0; e < total && rc == ERR_OK; e++) {
            if (!tensor_get(index, e)) continue;
            Tensor *dst = tensor_retain(front);
            int64_t rem = e, coords[TENSOR_MAX_DIMS];
            for (int d = index->ndim - 1; d >= 0; d--) {
                coords[d] = rem % index->shape[d];
                rem /= index->shape[d];
            }
            for (int d = 0; d < index->ndim && dst; d++) {
                Tensor *nx = tensor_select(dst, 0, coords[d], err);
                tensor_release(dst);
                dst = nx;
            }
            Tensor *src = dst ? tensor_select(gflat, 0, pos++, err) : NULL;
            rc = src ? tensor_binary_(BIN_ADD, dst, src, err) : ERR_MEMORY;
            tensor_release(dst);
            tensor_release(src);
        }
    } else if (rc == ERR_OK) {
        rc = index_add(front, 0, index, gflat, err);
    }
    tensor_release(gf);
    tensor_release(gflat);
    tensor_release(front);
    if (rc != ERR_OK) {
        tensor_release(out);
        return err->code;
    }
    gi[0] = out;
    return ERR_OK;
}

Tensor *ag_index(AutogradCtx *ctx, Tensor *t, int dim, Tensor *index, Error *err) {
    Tensor *front = move_to_front(t, dim, err);
    Tensor *picked = front ? tensor_index(front, index, err) : NULL;
    tensor_release(front);
    Tensor *r = picked;
    int idx_dims = index->dtype == DTYPE_BOOL ? 1 : index->ndim;
    if (picked && dim > 0) {
        /* put the index dims back where the advanced index stood */
        int64_t perm[TENSOR_MAX_DIMS];
        int k = 0, rest = picked->ndim - idx_dims;
        for (int i = 0; i < dim && i < rest; i++) perm[k++] = idx_dims + i;
        for (int i = 0; i < idx_dims; i++) perm[k++] = i;
        for (int i = dim; i < rest; i++) perm[k++] = idx_dims + i;
        Tensor *permuted = tensor_permute(picked, picked->ndim, perm, err);
        tensor_release(picked);
        r = permuted ? tensor_contiguous(permuted, err) : NULL;
        tensor_release(permuted);
    }
    GradNode *n;
    if (ag_record1(ctx, "IndexBackward0", index_bw, t, &r, &n, err)) return NULL;
    if (!n) return r;
    n->args.i[0] = dim;
    if (ag_save(n, 0, index, err) != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

static int masked_select_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* mask */
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    const GradMeta *m = &n->in[0];
    if (tensor_broadcast_shapes(m->ndim, m->shape, saved_0->ndim, saved_0->shape, &nd, shape, err))
        return err->code;
    Tensor *out = tensor_zeros(m->dtype, nd, shape, err);
    Tensor *mask = out ? tensor_expand(saved_0, nd, shape, err) : NULL;
    if (!mask) {
        tensor_release(out);
        return err->code;
    }
    int64_t k = 0;
    for (int64_t i = 0, cnt = tensor_numel(out); i < cnt; i++)
        if (tensor_get(mask, i)) tensor_set(out, i, tensor_get(g, k++));
    tensor_release(mask);
    gi[0] = out;
    return ERR_OK;
}

Tensor *ag_masked_select(AutogradCtx *ctx, Tensor *t, Tensor *mask, Error *err) {
    Tensor *r = tensor_masked_select(t, mask, err);
    GradNode *n;
    if (ag_record1(ctx, "MaskedSelectBackward0", masked_select_bw, t, &r, &n, err)) return NULL;
    if (!n) return r;
    if (ag_save(n, 0, mask, err) != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- cat / stack ---- */

static int cat_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    int dim = (int)n->args.i[0];
    int64_t offset = 0;
    for (int i = 0; i < n->n_next; i++) {
        const GradMeta *m = &n->in[i];
        if (n->args.b[0]) { /* stack */
            if (ag_needs(n, i) && !(gi[i] = tensor_select(g, dim, i, err))) return err->code;
            continue;
        }
        if (m->ndim == 1 && m->shape[0] == 0 && g->ndim != 1) continue; /* legacy empty input */
        int64_t size = m->shape[dim];
        if (ag_needs(n, i) && !(gi[i] = tensor_slice(g, dim, true, offset, true, offset + size, 1, err)))
            return err->code;
        offset += size;
    }
    return ERR_OK;
}

static Tensor *record_join(AutogradCtx *ctx, Tensor *r, Tensor *const *ts, int count,
                           int64_t dim, bool stack, Error *err) {
    if (!r || !dtype_is_floating(r->dtype) || !ag_any_requires(ctx, ts, count)) return r;
    GradNode *n = ag_node_new(ctx, stack ? "StackBackward0" : "CatBackward0", cat_bw, ts, count, err);
    if (!n) return ag_fail(r, NULL);
    int d = 0;
    tensor_wrap_dim(dim, r->ndim, &d, NULL);
    n->args.i[0] = d;
    n->args.b[0] = stack;
    ag_attach(n, r);
    return r;
}

Tensor *ag_cat(AutogradCtx *ctx, Tensor *const *ts, int count, int64_t dim, Error *err) {
    return record_join(ctx, tensor_cat(ts, count, dim, err), ts, count, dim, false, err);
}

Tensor *ag_stack(AutogradCtx *ctx, Tensor *const *ts, int count, int64_t dim, Error *err) {
    return record_join(ctx, tensor_stack(ts, count, dim, err), ts, count, dim, true, err);
}

/* ---- t[key] = value ---- */

/* slots: 0 the advanced index (or none), 1 the view geometry relative to the base (int64
 * [shape..., strides..., offset]), 2 an empty tensor with the base's strides when the base
 * is not contiguous; args i[0] the advanced dim, i[1] the view's ndim. */
static int setitem_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 1);
    Tensor *index = NULL, *tmpl = NULL;
    if (n->saved[0].used && !(index = ag_saved(n, 0, err))) return err->code;
    if (n->saved[2].used && !(tmpl = ag_saved(n, 2, err))) return err->code;
    const GradMeta *m = &n->in[0];
    Tensor *result = tmpl ? tensor_clone(tmpl, err) : ag_zeros_meta(m, err);
    if (!result) return err->code;
    if (tensor_copy_(result, g, err) != ERR_OK) {
        tensor_release(result);
        return err->code;
    }
    Tensor *region = tensor_alias(result, err);
    if (!region) {
        tensor_release(result);
        return err->code;
    }
    int nd = (int)n->args.i[1];
    region->ndim = nd;
    for (int i = 0; i < nd; i++) {
        region->shape[i] = tensor_get_int(saved_1, i);
        region->stride[i] = tensor_get_int(saved_1, nd + i);
    }
    region->offset = result->offset + tensor_get_int(saved_1, 2 * nd);
    int rc = ERR_OK;
    if (index) {
        int dim = (int)n->args.i[0];
        int64_t perm[TENSOR_MAX_DIMS];
        perm[0] = dim;
        for (int i = 0, j = 1; i < nd; i++)
            if (i != dim) perm[j++] = i;
        Tensor *front = tensor_permute(region, nd, perm, err);
        if (front && ag_needs(n, 1)) gi[1] = tensor_index(front, index, err);
        Tensor *zero = front ? tensor_scalar(front->dtype, 0.0, err) : NULL;
        rc = zero && (!ag_needs(n, 1) || gi[1]) ? tensor_index_put_(front, index, zero, err) : ERR_MEMORY;
        tensor_release(zero);
        tensor_release(front);
    } else {
        if (ag_needs(n, 1)) gi[1] = tensor_clone(region, err);
        rc = (!ag_needs(n, 1) || gi[1]) ? tensor_fill_(region, 0.0, err) : ERR_MEMORY;
    }
    tensor_release(region);
    if (rc != ERR_OK) {
        tensor_release(result);
        return err && err->code ? err->code : ERR_MEMORY;
    }
    if (ag_needs(n, 0)) gi[0] = result;
    else tensor_release(result);
    return ERR_OK;
}

int ag_record_setitem(AutogradCtx *ctx, Tensor *t, const Tensor *view, int adv_dim,
                      Tensor *adv_index, Tensor *value, Error *err) {
    Tensor *ins[2] = {t, value->wrapped_number ? NULL : value};
    if (!dtype_is_floating(t->dtype) || !ag_any_requires(ctx, ins, 2)) return ERR_OK;
    GradNode *n = ag_node_new(ctx, adv_index ? "IndexPutBackward0" : "CopySlices", setitem_bw, ins,
                              2, err);
    if (!n) return ERR_MEMORY;
    int nd = view->ndim;
    int64_t geom[2 * TENSOR_MAX_DIMS + 1];
    for (int i = 0; i < nd; i++) {
        geom[i] = view->shape[i];
        geom[nd + i] = view->stride[i];
    }
    geom[2 * nd] = view->offset - t->offset;
    int64_t len = 2 * nd + 1;
    Tensor *g = tensor_from_int64s(DTYPE_INT64, 1, &len, geom, err);
    int rc = g ? ag_save(n, 1, g, err) : ERR_MEMORY;
    tensor_release(g);
    if (rc == ERR_OK && adv_index) rc = ag_save(n, 0, adv_index, err);
    if (rc == ERR_OK && !tensor_is_contiguous(t)) {
        Tensor *tmpl = tensor_empty_like(t, t->dtype, err);
        rc = tmpl ? ag_save(n, 2, tmpl, err) : ERR_MEMORY;
        tensor_release(tmpl);
    }
    if (rc != ERR_OK) {
        grad_node_release(n);
        return rc;
    }
    n->args.i[0] = adv_dim;
    n->args.i[1] = nd;
    ag_attach(n, t);
    return ERR_OK;
}
