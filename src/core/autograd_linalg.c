/*
 * src/core/autograd_linalg.c — matrix products (dot, mv, mm, bmm, matmul's dispatch) and
 * linear, with torch 1.13's node chains and gradient formulas (mm_mat1_backward /
 * mm_mat2_backward keep a column-major input's layout). Every product sums its k terms in
 * order, unfused, as the reference BLAS torch calls. See autograd.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include <string.h>

#include "core/autograd_impl.h"
#include "core/nn_functional.h"

#define SAVED(n, slot)                                      \
    Tensor *saved_##slot = ag_saved((n), (slot), err);      \
    if (!saved_##slot) return err->code;

/* internal view ops of autograd_view.c */
Tensor *ag_unsafe_view(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err);
Tensor *ag_squeeze_inplace_dim(AutogradCtx *ctx, Tensor *t, int64_t dim, Error *err);

static Tensor *mm(const Tensor *a, const Tensor *b, Error *err) { return tensor_matmul(a, b, err); }

static Tensor *t2(const Tensor *a, Error *err) { return tensor_t(a, err); }

/* a.mm(b).t() */
static Tensor *mm_t(const Tensor *a, const Tensor *b, Error *err) {
    Tensor *p = mm(a, b, err);
    Tensor *r = p ? t2(p, err) : NULL;
    tensor_release(p);
    return r;
}

static bool column_major(const GradMeta *m) {
    return m->ndim == 2 && m->stride[0] == 1 && m->stride[1] == m->shape[0];
}

/* mm_mat1_backward(grad, mat2, mat1 layout) */
static Tensor *mat1_backward(const Tensor *g, const Tensor *mat2, const GradMeta *mat1, Error *err) {
    if (column_major(mat1)) {
        Tensor *gt = t2(g, err);
        Tensor *r = gt ? mm_t(mat2, gt, err) : NULL;
        tensor_release(gt);
        return r;
    }
    Tensor *m2t = t2(mat2, err);
    Tensor *r = m2t ? mm(g, m2t, err) : NULL;
    tensor_release(m2t);
    return r;
}

/* mm_mat2_backward(grad, mat1, mat2 layout) */
static Tensor *mat2_backward(const Tensor *g, const Tensor *mat1, const GradMeta *mat2, Error *err) {
    if (column_major(mat2)) {
        Tensor *gt = t2(g, err);
        Tensor *r = gt ? mm_t(gt, mat1, err) : NULL;
        tensor_release(gt);
        return r;
    }
    Tensor *m1t = t2(mat1, err);
    Tensor *r = m1t ? mm(m1t, g, err) : NULL;
    tensor_release(m1t);
    return r;
}

/* MmBackward0 (inputs mat1, mat2) and AddmmBackward0 (inputs self, mat1, mat2): saved
 * slot 0 mat1, slot 1 mat2. */
static int mm_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    int o = n->args.b[0] ? 1 : 0; /* addmm: input 0 is the bias */
    if (o && ag_needs(n, 0)) gi[0] = tensor_retain(g);
    if (ag_needs(n, o)) {
        SAVED(n, 1);
        if (!(gi[o] = mat1_backward(g, saved_1, &n->in[o], err))) return err->code;
    }
    if (ag_needs(n, o + 1)) {
        SAVED(n, 0);
        if (!(gi[o + 1] = mat2_backward(g, saved_0, &n->in[o + 1], err))) return err->code;
    }
    return ERR_OK;
}

static Tensor *record_mm(AutogradCtx *ctx, Tensor *r, Tensor *bias, Tensor *a, Tensor *b,
                         Error *err) {
    Tensor *ins[3] = {bias, a, b};
    Tensor *const *in = bias ? ins : ins + 1;
    int cnt = bias ? 3 : 2;
    if (!r || !dtype_is_floating(r->dtype) || !ag_any_requires(ctx, in, cnt)) return r;
    GradNode *n = ag_node_new(ctx, bias ? "AddmmBackward0" : "MmBackward0", mm_bw, in, cnt, err);
    if (!n) return ag_fail(r, NULL);
    int o = bias ? 1 : 0;
    n->args.b[0] = bias != NULL;
    if ((ag_needs(n, o + 1) && ag_save(n, 0, a, err) != ERR_OK) ||
        (ag_needs(n, o) && ag_save(n, 1, b, err) != ERR_OK))
        return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

static Tensor *ag_mm(AutogradCtx *ctx, Tensor *a, Tensor *b, Error *err) {
    return record_mm(ctx, mm(a, b, err), NULL, a, b, err);
}

/* ---- dot, mv, bmm ---- */

static int dot_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    if (ag_needs(n, 0)) {
        SAVED(n, 1);
        if (!(gi[0] = tensor_binary(BIN_MUL, g, saved_1, err))) return err->code;
    }
    if (ag_needs(n, 1)) {
        SAVED(n, 0);
        if (!(gi[1] = tensor_binary(BIN_MUL, g, saved_0, err))) return err->code;
    }
    return ERR_OK;
}

static int mv_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    if (ag_needs(n, 0)) { /* grad.ger(vec): outer product */
        SAVED(n, 1);
        Tensor *gc = tensor_unsqueeze(g, 1, err), *vr = gc ? tensor_unsqueeze(saved_1, 0, err) : NULL;
        gi[0] = vr ? tensor_binary(BIN_MUL, gc, vr, err) : NULL;
        tensor_release(gc);
        tensor_release(vr);
        if (!gi[0]) return err->code;
    }
    if (ag_needs(n, 1)) { /* self.t().mv(grad) */
        SAVED(n, 0);
        Tensor *st = t2(saved_0, err);
        gi[1] = st ? mm(st, g, err) : NULL;
        tensor_release(st);
        if (!gi[1]) return err->code;
    }
    return ERR_OK;
}

static int bmm_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    if (ag_needs(n, 0)) {
        SAVED(n, 1);
        Tensor *bt = tensor_transpose(saved_1, 1, 2, err);
        gi[0] = bt ? mm(g, bt, err) : NULL;
        tensor_release(bt);
        if (!gi[0]) return err->code;
    }
    if (ag_needs(n, 1)) {
        SAVED(n, 0);
        Tensor *at = tensor_transpose(saved_0, 1, 2, err);
        gi[1] = at ? mm(at, g, err) : NULL;
        tensor_release(at);
        if (!gi[1]) return err->code;
    }
    return ERR_OK;
}

/* Records a two-input product node saving each input for the other's gradient. */
static Tensor *record_pair(AutogradCtx *ctx, Tensor *r, const char *name, GradApplyFn fn,
                           Tensor *a, Tensor *b, Error *err) {
    Tensor *ins[2] = {a, b};
    if (!r || !dtype_is_floating(r->dtype) || !ag_any_requires(ctx, ins, 2)) return r;
    GradNode *n = ag_node_new(ctx, name, fn, ins, 2, err);
    if (!n) return ag_fail(r, NULL);
    if ((ag_needs(n, 1) && ag_save(n, 0, a, err) != ERR_OK) ||
        (ag_needs(n, 0) && ag_save(n, 1, b, err) != ERR_OK))
        return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- matmul ---- */

static int64_t prod_of(const int64_t *s, int n) {
    int64_t p = 1;
    for (int i = 0; i < n; i++) p *= s[i];
    return p;
}

/* should_fold(tensor1, dim_tensor2) of 1.13 */
static bool should_fold(const Tensor *t1, int dim2) {
    int d1 = t1->ndim;
    if (d1 >= 3 && (dim2 == 1 || dim2 == 2)) {
        if (d1 == 3 && dim2 == 2 && t1->stride[2] != 1 &&
            t1->stride[0] == t1->shape[1] * t1->shape[2])
            return false;
        return true;
    }
    return false;
}

static Tensor *matmul_graph(AutogradCtx *ctx, Tensor *a, Tensor *b, Error *err) {
    int d1 = a->ndim, d2 = b->ndim;
    if (d1 == 1 && d2 == 1) return record_pair(ctx, mm(a, b, err), "DotBackward0", dot_bw, a, b, err);
    if (d1 == 2 && d2 == 1) return record_pair(ctx, mm(a, b, err), "MvBackward0", mv_bw, a, b, err);
    if (d1 == 1 && d2 == 2) {
        Tensor *u = ag_unsqueeze(ctx, a, 0, err);
        Tensor *m = u ? ag_mm(ctx, u, b, err) : NULL;
        Tensor *r = m ? ag_squeeze_inplace_dim(ctx, m, 0, err) : NULL;
        tensor_release(u);
        tensor_release(m);
        return r;
    }
    if (d1 == 2 && d2 == 2) return ag_mm(ctx, a, b, err);
    if (should_fold(a, d2) || should_fold(b, d1)) {
        bool transpose = d2 > d1;
        Tensor *t1 = transpose ? ag_transpose(ctx, b, -2, -1, err) : tensor_retain(a);
        Tensor *tt2 = !transpose ? tensor_retain(b) : d1 == 2 ? ag_t(ctx, a, err) : tensor_retain(a);
        if (!t1 || !tt2) {
            tensor_release(t1);
            tensor_release(tt2);
            return NULL;
        }
        int64_t out_shape[TENSOR_MAX_DIMS];
        int on = t1->ndim - 1;
        memcpy(out_shape, t1->shape, sizeof(int64_t) * (size_t)on);
        int64_t fold[2] = {prod_of(out_shape, on), t1->shape[t1->ndim - 1]};
        bool matrix = tt2->ndim == 2;
        if (matrix) out_shape[on++] = tt2->shape[1];
        Tensor *t1f = ag_reshape(ctx, t1, 2, fold, err);
        Tensor *p = t1f ? (matrix ? ag_mm(ctx, t1f, tt2, err)
                                  : record_pair(ctx, mm(t1f, tt2, err), "MvBackward0", mv_bw, t1f, tt2, err))
                        : NULL;
        Tensor *o = p ? ag_unsafe_view(ctx, p, on, out_shape, err) : NULL;
        if (o && transpose && matrix) {
            Tensor *mt = ag_transpose(ctx, o, -2, -1, err);
            tensor_release(o);
            o = mt ? ag_contiguous(ctx, mt, err) : NULL;
            tensor_release(mt);
        }
        Tensor *all[] = {t1, tt2, t1f, p};
        for (int i = 0; i < 4; i++) tensor_release(all[i]);
        return o;
    }
    /* batched: expand both to the broadcast batch, fold it, bmm, unfold */
    int64_t n = d1 > 1 ? a->shape[d1 - 2] : 1, m1 = a->shape[d1 - 1];
    int b1 = d1 > 2 ? d1 - 2 : 0, b2 = d2 > 2 ? d2 - 2 : 0;
    int64_t m2 = d2 > 1 ? b->shape[d2 - 2] : b->shape[0], p = d2 > 1 ? b->shape[d2 - 1] : 1;
    int64_t out_shape[TENSOR_MAX_DIMS];
    int on;
    if (tensor_broadcast_shapes(b1, a->shape, b2, b->shape, &on, out_shape, err) != ERR_OK)
        return NULL;
    int64_t ebp = prod_of(out_shape, on);
    int64_t e1[TENSOR_MAX_DIMS], e2[TENSOR_MAX_DIMS];
    memcpy(e1, out_shape, sizeof(int64_t) * (size_t)on);
    memcpy(e2, out_shape, sizeof(int64_t) * (size_t)on);
    e1[on] = n;
    e1[on + 1] = m1;
    bool vec = d2 == 1;
    int n2 = on;
    e2[n2++] = m2;
    if (!vec) e2[n2++] = p;
    int64_t r1[3] = {ebp, n, m1}, r2[3] = {ebp, m2, p};
    Tensor *a1 = ag_expand(ctx, a, on + 2, e1, err);
    Tensor *a2 = a1 ? ag_reshape(ctx, a1, 3, r1, err) : NULL;
    Tensor *b1t = a2 ? ag_expand(ctx, b, n2, e2, err) : NULL;
    Tensor *b2t = NULL, *b3t = NULL;
    if (b1t && vec) {
        b3t = ag_reshape(ctx, b1t, 2, r2, err);
        b2t = b3t ? ag_unsqueeze(ctx, b3t, 2, err) : NULL;
    } else if (b1t) {
        b2t = ag_reshape(ctx, b1t, 3, r2, err);
    }
    if (d1 > 1) out_shape[on++] = n;
    if (d2 > 1) out_shape[on++] = p;
    Tensor *pr = b2t ? record_pair(ctx, mm(a2, b2t, err), "BmmBackward0", bmm_bw, a2, b2t, err) : NULL;
    Tensor *sq = pr && vec ? ag_squeeze_dim(ctx, pr, -1, err) : tensor_retain(pr);
    Tensor *o = sq ? ag_unsafe_view(ctx, sq, on, out_shape, err) : NULL;
    Tensor *all[] = {a1, a2, b1t, b2t, b3t, pr, sq};
    for (int i = 0; i < 7; i++) tensor_release(all[i]);
    return o;
}

Tensor *ag_matmul(AutogradCtx *ctx, Tensor *a, Tensor *b, Error *err) {
    Tensor *ins[2] = {a, b};
    if (!ag_any_requires(ctx, ins, 2) || a->ndim == 0 || b->ndim == 0 ||
        !dtype_is_floating(a->dtype) || a->dtype != b->dtype)
        return tensor_matmul(a, b, err);
    Tensor *r = matmul_graph(ctx, a, b, err);
    if (!r && err && err->code != ERR_MEMORY) {
        /* the plain product reports shape errors exactly as torch's matmul */
        err_clear(err);
        Tensor *p = tensor_matmul(a, b, err);
        if (p) { /* cannot happen: the graph failed for another reason */
            tensor_release(p);
            err_set(err, ERR_RUNTIME, "matmul failed");
        }
    }
    return r;
}

Tensor *ag_mm_op(AutogradCtx *ctx, Tensor *a, Tensor *b, Error *err);
Tensor *ag_mm_op(AutogradCtx *ctx, Tensor *a, Tensor *b, Error *err) { return ag_mm(ctx, a, b, err); }

/* ---- linear ---- */

Tensor *ag_linear(AutogradCtx *ctx, Tensor *input, Tensor *weight, Tensor *bias, Error *err);
Tensor *ag_linear(AutogradCtx *ctx, Tensor *input, Tensor *weight, Tensor *bias, Error *err) {
    Tensor *ins[3] = {input, weight, bias};
    if (!ag_any_requires(ctx, ins, 3) || !dtype_is_floating(input->dtype))
        return nnf_linear(input, weight, bias, err);
    /* shape and dtype errors exactly as torch's linear */
    Tensor *probe = nnf_linear(input, weight, bias, err);
    if (!probe) return NULL;
    Tensor *wt = ag_t(ctx, weight, err);
    if (!wt) return ag_fail(probe, NULL);
    Tensor *r = NULL;
    if (input->ndim == 2 && bias) {
        r = record_mm(ctx, tensor_retain(probe), bias, input, wt, err);
    } else if (input->ndim == 3 && bias && tensor_is_contiguous(input)) {
        int64_t flat[2] = {input->shape[0] * input->shape[1], input->shape[2]};
        Tensor *x2 = ag_reshape(ctx, input, 2, flat, err);
        int64_t o2[2] = {flat[0], weight->shape[0]};
        Tensor *p2 = x2 ? tensor_view(probe, 2, o2, err) : NULL;
        Tensor *y2 = p2 ? record_mm(ctx, p2, bias, x2, wt, err) : NULL;
        r = y2 ? ag_view(ctx, y2, probe->ndim, probe->shape, err) : NULL;
        tensor_release(x2);
        tensor_release(y2);
    } else if (input->ndim == 2) {
        r = record_mm(ctx, tensor_retain(probe), NULL, input, wt, err);
    } else {
        Tensor *m = ag_matmul(ctx, input, wt, err);
        r = m && bias ? ag_binary(ctx, BIN_ADD, m, bias, err) : tensor_retain(m);
        tensor_release(m);
    }
    tensor_release(wt);
    tensor_release(probe);
    return r;
}
