/*
 * src/core/autograd_math.c — elementwise operations and their gradients (torch 1.13's
 * derivatives.yaml), plus the tensor helpers every formula uses. See autograd.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <string.h>

#include "core/autograd_impl.h"
#include "core/mem.h"
#include "core/sparse.h"

/* ---- helpers ---- */

Tensor *ag_scalar(double v, Error *err) { return tensor_wrap_number(DTYPE_FLOAT64, v, err); }

static Tensor *int_scalar(int64_t v, Error *err) {
    Tensor *t = tensor_wrap_number(DTYPE_INT64, 0, err);
    if (t) tensor_store_int(t, t->offset, v);
    return t;
}

Tensor *ag_bin(BinaryOp op, const Tensor *a, const Tensor *b, Error *err) {
    return tensor_binary(op, a, b, err);
}

Tensor *ag_bin_s(BinaryOp op, const Tensor *a, double s, Error *err) {
    Tensor *w = ag_scalar(s, err);
    Tensor *r = w ? tensor_binary(op, a, w, err) : NULL;
    tensor_release(w);
    return r;
}

/* a op int scalar (C++ `grad / 2`, `tensor / numel`). */
static Tensor *bin_i(BinaryOp op, const Tensor *a, int64_t s, Error *err) {
    Tensor *w = int_scalar(s, err);
    Tensor *r = w ? tensor_binary(op, a, w, err) : NULL;
    tensor_release(w);
    return r;
}

/* s op a for a Python-float scalar on the left (C++ `2.0 * t`). */
static Tensor *s_bin(BinaryOp op, double s, const Tensor *a, Error *err) {
    Tensor *w = ag_scalar(s, err);
    Tensor *r = w ? tensor_binary(op, w, a, err) : NULL;
    tensor_release(w);
    return r;
}

Tensor *ag_zeros_meta(const GradMeta *m, Error *err) {
    return tensor_zeros(m->dtype, m->ndim, m->shape, err);
}

Tensor *ag_sum_to(const Tensor *t, int ndim, const int64_t *shape, Error *err) {
    if (ndim == 0) return tensor_sum(t, NULL, false, err);
    int lead = t->ndim - ndim;
    DimList dl = {0, {0}};
    for (int i = 0; i < lead; i++) dl.dims[dl.count++] = i;
    for (int i = lead; i < t->ndim; i++)
        if (shape[i - lead] == 1 && t->shape[i] != 1) dl.dims[dl.count++] = i;
    Tensor *r = dl.count ? tensor_sum(t, &dl, true, err) : tensor_retain((Tensor *)t);
    if (!r || lead == 0) return r;
    Tensor *v = tensor_view(r, ndim, shape, err);
    tensor_release(r);
    return v;
}

Tensor *ag_unsqueeze_reduced(const Tensor *grad, int in_ndim, const DimList *dims, bool keepdim,
                             Error *err) {
    if (keepdim || in_ndim == 0 || !dims || dims->count == 0) {
        if (!keepdim && in_ndim > 0 && (!dims || dims->count == 0)) {
            /* a full reduction without keepdim: grad is 0-d; view it as all-ones dims */
            int64_t ones[TENSOR_MAX_DIMS];
            for (int i = 0; i < in_ndim; i++) ones[i] = 1;
            return tensor_view(grad, in_ndim, ones, err);
        }
        return tensor_retain((Tensor *)grad);
    }
    bool reduced[TENSOR_MAX_DIMS] = {false};
    for (int i = 0; i < dims->count; i++) {
        int d;
        if (tensor_wrap_dim(dims->dims[i], in_ndim, &d, err) != ERR_OK) return NULL;
        reduced[d] = true;
    }
    Tensor *r = tensor_retain((Tensor *)grad);
    for (int d = 0; d < in_ndim && r; d++) {
        if (!reduced[d]) continue;
        Tensor *u = tensor_unsqueeze(r, d, err);
        tensor_release(r);
        r = u;
    }
    return r;
}

Tensor *ag_expand_reduced(const Tensor *grad, const GradMeta *in, const DimList *dims,
                          bool keepdim, Error *err) {
    Tensor *u = ag_unsqueeze_reduced(grad, in->ndim, dims, keepdim, err);
    if (!u) return NULL;
    Tensor *e = tensor_expand(u, in->ndim, in->shape, err);
    tensor_release(u);
    return e;
}

/* The fused add kernel a + alpha * b (fma for floating types), into `out` (already of
 * the broadcast shape; may alias a). */
static int axpy_into(Tensor *out, const Tensor *a, const Tensor *b, double alpha, Error *err) {
    Tensor *ea = tensor_expand(a, out->ndim, out->shape, err);
    Tensor *eb = ea ? tensor_expand(b, out->ndim, out->shape, err) : NULL;
    if (!eb) {
        tensor_release(ea);
        return ERR_MEMORY;
    }
    int64_t n = tensor_numel(out);
    bool f32 = out->dtype == DTYPE_FLOAT32;
    /* Read everything first when out aliases an input (a += alpha * a). */
    for (int64_t i = 0; i < n; i++) {
        double x = tensor_get(ea, i), y = tensor_get(eb, i);
        double r = f32 ? (double)fmaf((float)y, (float)alpha, (float)x) : fma(y, alpha, x);
        tensor_set(out, i, r);
    }
    tensor_release(ea);
    tensor_release(eb);
    return ERR_OK;
}

Tensor *ag_axpy(const Tensor *a, const Tensor *b, double alpha, Error *err) {
    DType dt = tensor_result_type(a, b);
    if (!dtype_is_floating(dt) || alpha == 1.0) {
        if (alpha == 1.0) return tensor_binary(BIN_ADD, a, b, err);
        Tensor *s = tensor_wrap_number(dtype_is_floating(dt) ? DTYPE_FLOAT64 : DTYPE_INT64, alpha, err);
        Tensor *sb = s ? tensor_binary(BIN_MUL, b, s, err) : NULL;
        Tensor *r = sb ? tensor_binary(BIN_ADD, a, sb, err) : NULL;
        tensor_release(s);
        tensor_release(sb);
        return r;
    }
    /* shape and layout from the add kernel itself (broadcast errors included) */
    Tensor *r = tensor_binary(BIN_ADD, a, b, err);
    if (r && axpy_into(r, a, b, alpha, err) != ERR_OK) {
        tensor_release(r);
        return NULL;
    }
    return r;
}

int ag_axpy_(Tensor *a, const Tensor *b, double alpha, Error *err) {
    if (tensor_check_writable(a, b, err) != ERR_OK) return err ? err->code : ERR_RUNTIME;
    if (!dtype_is_floating(a->dtype) || alpha == 1.0) {
        if (alpha == 1.0) return tensor_binary_(BIN_ADD, a, b, err);
        Tensor *s = tensor_wrap_number(DTYPE_FLOAT64, alpha, err);
        Tensor *sb = s ? tensor_binary(BIN_MUL, b, s, err) : NULL;
        int rc = sb ? tensor_binary_(BIN_ADD, a, sb, err) : ERR_MEMORY;
        tensor_release(s);
        tensor_release(sb);
        return rc;
    }
    /* validate shapes and dtypes as the in-place add does */
    Tensor *probe = tensor_clone(a, err);
    int rc = probe ? tensor_binary_(BIN_ADD, probe, b, err) : ERR_MEMORY;
    tensor_release(probe);
    if (rc != ERR_OK) return rc;
    Tensor *src = tensor_clone(b, err); /* b may alias a */
    if (!src) return ERR_MEMORY;
    rc = axpy_into(a, a, src, alpha, err);
    tensor_release(src);
    if (rc == ERR_OK) tensor_bump_version(a);
    return rc;
}

static Tensor *neg(const Tensor *t, Error *err) { return tensor_unary(UN_NEG, t, err); }

static Tensor *zeros_like(const Tensor *t, Error *err) {
    return tensor_zeros(t->dtype, t->ndim, t->shape, err);
}

/* 0-d zeros of t's dtype (at::zeros({}, grad.options())). */
static Tensor *zero0(const Tensor *t, Error *err) { return tensor_scalar(t->dtype, 0.0, err); }

#define SAVED(n, slot)                                      \
    Tensor *saved_##slot = ag_saved((n), (slot), err);      \
    if (!saved_##slot) return err->code;

/* ---- binary ops ---- */

static int add_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    double alpha = n->args.d[0];
    bool sub = n->args.b[0];
    if (ag_needs(n, 0)) gi[0] = tensor_retain(g);
    if (ag_needs(n, 1)) {
        Tensor *base = sub ? neg(g, err) : tensor_retain(g);
        if (!base) return err->code;
        if (alpha != 1.0) {
            gi[1] = ag_bin_s(BIN_MUL, base, alpha, err);
            tensor_release(base);
            if (!gi[1]) return err->code;
        } else {
            gi[1] = base;
        }
    }
    return ERR_OK;
}

static int rsub_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    /* rsub(self, other, alpha) = other - alpha * self: self gets -grad * alpha */
    Tensor *ng = neg(g, err);
    if (!ng) return err->code;
    if (n->args.d[0] != 1.0) {
        gi[0] = ag_bin_s(BIN_MUL, ng, n->args.d[0], err);
        tensor_release(ng);
        return gi[0] ? ERR_OK : err->code;
    }
    gi[0] = ng;
    return ERR_OK;
}

static int mul_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    if (ag_needs(n, 0)) {
        SAVED(n, 1);
        if (!(gi[0] = ag_bin(BIN_MUL, g, saved_1, err))) return err->code;
    }
    if (ag_needs(n, 1)) {
        SAVED(n, 0);
        if (!(gi[1] = ag_bin(BIN_MUL, g, saved_0, err))) return err->code;
    }
    return ERR_OK;
}

static int div_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 1);
    if (ag_needs(n, 0) && !(gi[0] = ag_bin(BIN_DIV, g, saved_1, err))) return err->code;
    if (ag_needs(n, 1)) {
        SAVED(n, 0);
        /* -grad * ((self / other) / other) */
        Tensor *q = ag_bin(BIN_DIV, saved_0, saved_1, err);
        Tensor *q2 = q ? ag_bin(BIN_DIV, q, saved_1, err) : NULL;
        Tensor *ng = q2 ? neg(g, err) : NULL;
        gi[1] = ng ? ag_bin(BIN_MUL, ng, q2, err) : NULL;
        tensor_release(q);
        tensor_release(q2);
        tensor_release(ng);
        if (!gi[1]) return err->code;
    }
    return ERR_OK;
}

/* pow(self, exponent scalar): grad * (exp * self.pow(exp - 1)) */
static int pow_scalar_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    double e = n->args.d[0];
    SAVED(n, 0);
    if (e == 0.0) return (gi[0] = zeros_like(saved_0, err)) ? ERR_OK : err->code;
    Tensor *p = ag_bin_s(BIN_POW, saved_0, e - 1, err);
    Tensor *ep = p ? s_bin(BIN_MUL, e, p, err) : NULL;
    gi[0] = ep ? ag_bin(BIN_MUL, g, ep, err) : NULL;
    tensor_release(p);
    tensor_release(ep);
    return gi[0] ? ERR_OK : err->code;
}

/* pow(self, exponent) for two tensors (PowBackward1): saved self 0, exponent 1, result 2 */
static int pow_tensor_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    SAVED(n, 1);
    if (ag_needs(n, 0)) {
        Tensor *em1 = bin_i(BIN_SUB, saved_1, 1, err);
        Tensor *p = em1 ? ag_bin(BIN_POW, saved_0, em1, err) : NULL;
        Tensor *ep = p ? ag_bin(BIN_MUL, saved_1, p, err) : NULL;
        Tensor *val = ep ? ag_bin(BIN_MUL, g, ep, err) : NULL;
        Tensor *is0 = val ? ag_bin_s(BIN_EQ, saved_1, 0.0, err) : NULL;
        Tensor *z = is0 ? zero0(g, err) : NULL;
        gi[0] = z ? tensor_where(is0, z, val, err) : NULL;
        Tensor *all[] = {em1, p, ep, val, is0, z};
        for (int i = 0; i < 6; i++) tensor_release(all[i]);
        if (!gi[0]) return err->code;
    }
    if (ag_needs(n, 1)) {
        SAVED(n, 2);
        Tensor *s0 = ag_bin_s(BIN_EQ, saved_0, 0.0, err);
        Tensor *e0 = s0 ? ag_bin_s(BIN_GE, saved_1, 0.0, err) : NULL;
        Tensor *cond = e0 ? ag_bin(BIN_AND, s0, e0, err) : NULL;
        Tensor *lg = cond ? tensor_unary(UN_LOG, saved_0, err) : NULL;
        Tensor *rl = lg ? ag_bin(BIN_MUL, saved_2, lg, err) : NULL;
        Tensor *z = rl ? zero0(g, err) : NULL;
        Tensor *w = z ? tensor_where(cond, z, rl, err) : NULL;
        gi[1] = w ? ag_bin(BIN_MUL, g, w, err) : NULL;
        Tensor *all[] = {s0, e0, cond, lg, rl, z, w};
        for (int i = 0; i < 7; i++) tensor_release(all[i]);
        if (!gi[1]) return err->code;
    }
    return ERR_OK;
}

/* maximum/minimum: where(self == other, grad / 2, grad).masked_fill_(self <op> other, 0) */
static int extremum_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    SAVED(n, 1);
    bool is_max = n->args.b[0];
    Tensor *eq = ag_bin(BIN_EQ, saved_0, saved_1, err);
    Tensor *half = eq ? bin_i(BIN_DIV, g, 2, err) : NULL;
    if (!half) {
        tensor_release(eq);
        return err->code;
    }
    int rc = ERR_OK;
    for (int i = 0; i < 2 && rc == ERR_OK; i++) {
        if (!ag_needs(n, i)) continue;
        /* self: zero where self < other (max) / self > other (min); other: the reverse */
        BinaryOp cmp = (is_max == (i == 0)) ? BIN_LT : BIN_GT;
        Tensor *w = tensor_where(eq, half, g, err);
        Tensor *m = w ? ag_bin(cmp, saved_0, saved_1, err) : NULL;
        Tensor *z = m ? zero0(w, err) : NULL;
        gi[i] = z ? tensor_where(m, z, w, err) : NULL;
        tensor_release(w);
        tensor_release(m);
        tensor_release(z);
        if (!gi[i]) rc = err->code;
    }
    tensor_release(eq);
    tensor_release(half);
    return rc;
}

/* remainder: self: grad; other: -grad * self.div(other, rounding_mode='floor') */
static int remainder_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    if (ag_needs(n, 0)) gi[0] = tensor_retain(g);
    if (ag_needs(n, 1)) {
        SAVED(n, 0);
        SAVED(n, 1);
        Tensor *q = ag_bin(BIN_FLOOR_DIV, saved_0, saved_1, err);
        Tensor *ng = q ? neg(g, err) : NULL;
        gi[1] = ng ? ag_bin(BIN_MUL, ng, q, err) : NULL;
        tensor_release(q);
        tensor_release(ng);
        if (!gi[1]) return err->code;
    }
    return ERR_OK;
}

static bool is_wrapped(const Tensor *t) { return t->wrapped_number; }

Tensor *ag_binary(AutogradCtx *ctx, BinaryOp op, Tensor *a, Tensor *b, Error *err) {
    Tensor *r = tensor_binary(op, a, b, err);
    if (!r || !dtype_is_floating(r->dtype)) return r;
    Tensor *ins[2] = {a, b};
    if (!ag_any_requires(ctx, ins, 2)) return r;
    const char *name = NULL;
    GradApplyFn fn = NULL;
    switch (op) {
    case BIN_ADD: name = "AddBackward0", fn = add_bw; break;
    case BIN_SUB:
        if (is_wrapped(a)) {
            /* `1 - t` is t.__rsub__(1): torch.rsub(t, 1) */
            GradNode *n = ag_node_new(ctx, "RsubBackward1", rsub_bw, &b, 1, err);
            if (!n) return ag_fail(r, NULL);
            n->args.d[0] = 1.0;
            ag_attach(n, r);
            return r;
        }
        name = "SubBackward0", fn = add_bw;
        break;
    case BIN_MUL: name = "MulBackward0", fn = mul_bw; break;
    case BIN_DIV: name = "DivBackward0", fn = div_bw; break;
    case BIN_POW:
        if (is_wrapped(b)) {
            GradNode *n = ag_node_new(ctx, "PowBackward0", pow_scalar_bw, &a, 1, err);
            if (!n || ag_save(n, 0, a, err) != ERR_OK) return ag_fail(r, n);
            n->args.d[0] = tensor_get(b, 0);
            ag_attach(n, r);
            return r;
        }
        name = "PowBackward1", fn = pow_tensor_bw;
        break;
    case BIN_MAXIMUM: name = "MaximumBackward0", fn = extremum_bw; break;
    case BIN_MINIMUM: name = "MinimumBackward0", fn = extremum_bw; break;
    case BIN_REMAINDER: name = is_wrapped(b) ? "RemainderBackward0" : "RemainderBackward1"; fn = remainder_bw; break;
    default: return r; /* comparisons, floor_divide, bitwise ops: not differentiable */
    }
    GradNode *n = ag_node_new(ctx, name, fn, ins, 2, err);
    if (!n) return ag_fail(r, NULL);
    n->args.d[0] = 1.0;
    n->args.b[0] = op == BIN_SUB || op == BIN_MAXIMUM;
    int rc = ERR_OK;
    switch (op) {
    case BIN_MUL:
        if (ag_needs(n, 1)) rc = ag_save(n, 0, a, err);
        if (rc == ERR_OK && ag_needs(n, 0)) rc = ag_save(n, 1, b, err);
        break;
    case BIN_DIV:
        rc = ag_save(n, 1, b, err);
        if (rc == ERR_OK && ag_needs(n, 1)) rc = ag_save(n, 0, a, err);
        break;
    case BIN_POW:
        rc = ag_save(n, 0, a, err);
        if (rc == ERR_OK) rc = ag_save(n, 1, b, err);
        if (rc == ERR_OK && ag_needs(n, 1)) rc = ag_save_output(n, 2, r, err);
        break;
    case BIN_MAXIMUM:
    case BIN_MINIMUM:
        rc = ag_save(n, 0, a, err);
        if (rc == ERR_OK) rc = ag_save(n, 1, b, err);
        break;
    case BIN_REMAINDER:
        if (ag_needs(n, 1)) {
            rc = ag_save(n, 0, a, err);
            if (rc == ERR_OK) rc = ag_save(n, 1, b, err);
        }
        break;
    default: break;
    }
    if (rc != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

Tensor *ag_add_scaled(AutogradCtx *ctx, Tensor *a, Tensor *b, double alpha, bool subtract,
                      Error *err) {
    double al = subtract ? -alpha : alpha;
    Tensor *r;
    if (subtract && alpha == 1.0) r = tensor_binary(BIN_SUB, a, b, err);
    else r = ag_axpy(a, b, al, err);
    if (!r || !dtype_is_floating(r->dtype)) return r;
    Tensor *ins[2] = {a, b};
    if (!ag_any_requires(ctx, ins, 2)) return r;
    GradNode *n = ag_node_new(ctx, subtract ? "SubBackward0" : "AddBackward0", add_bw, ins, 2, err);
    if (!n) return ag_fail(r, NULL);
    n->args.d[0] = alpha;
    n->args.b[0] = subtract;
    ag_attach(n, r);
    return r;
}

Tensor *ag_rsub(AutogradCtx *ctx, Tensor *t, Tensor *scalar, Error *err) {
    Tensor *r = tensor_binary(BIN_SUB, scalar, t, err);
    GradNode *n;
    if (ag_record1(ctx, "RsubBackward1", rsub_bw, t, &r, &n, err)) return NULL;
    if (n) {
        n->args.d[0] = 1.0;
        ag_attach(n, r);
    }
    return r;
}

/* ---- unary ops ---- */

static int neg_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    (void)n;
    return (gi[0] = neg(g, err)) ? ERR_OK : err->code;
}

static int zero_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    (void)n;
    return (gi[0] = zeros_like(g, err)) ? ERR_OK : err->code;
}

/* grad * f(saved) for a unary map f of the saved tensor */
static int mul_by(Tensor *g, Tensor *x, Tensor **out, Error *err) {
    if (!x) return err->code;
    *out = ag_bin(BIN_MUL, g, x, err);
    tensor_release(x);
    return *out ? ERR_OK : err->code;
}

static int abs_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    return mul_by(g, tensor_unary(UN_SIGN, saved_0, err), &gi[0], err);
}

static int sqrt_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* result */
    Tensor *two = int_scalar(2, err);
    Tensor *d = two ? tensor_binary(BIN_MUL, two, saved_0, err) : NULL;
    gi[0] = d ? ag_bin(BIN_DIV, g, d, err) : NULL;
    tensor_release(two);
    tensor_release(d);
    return gi[0] ? ERR_OK : err->code;
}

static int rsqrt_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* result: -0.5 * grad * result.pow(3) */
    Tensor *a = s_bin(BIN_MUL, -0.5, g, err);
    Tensor *p = a ? ag_bin_s(BIN_POW, saved_0, 3.0, err) : NULL;
    gi[0] = p ? ag_bin(BIN_MUL, a, p, err) : NULL;
    tensor_release(a);
    tensor_release(p);
    return gi[0] ? ERR_OK : err->code;
}

static int exp_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    return (gi[0] = ag_bin(BIN_MUL, g, saved_0, err)) ? ERR_OK : err->code;
}

static int log_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    return (gi[0] = ag_bin(BIN_DIV, g, saved_0, err)) ? ERR_OK : err->code;
}

static int log1p_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    Tensor *p = bin_i(BIN_ADD, saved_0, 1, err);
    gi[0] = p ? ag_bin(BIN_DIV, g, p, err) : NULL;
    tensor_release(p);
    return gi[0] ? ERR_OK : err->code;
}

static int sin_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    return mul_by(g, tensor_unary(UN_COS, saved_0, err), &gi[0], err);
}

static int cos_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    Tensor *s = tensor_unary(UN_SIN, saved_0, err);
    Tensor *ns = s ? neg(s, err) : NULL;
    tensor_release(s);
    return mul_by(g, ns, &gi[0], err);
}

/* tanh_backward / sigmoid_backward kernels on the saved result */
static int act_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    bool tanh_ = n->args.b[0];
    Tensor *out = tensor_empty_like(g, g->dtype, err);
    Tensor *y = out ? tensor_expand(saved_0, g->ndim, g->shape, err) : NULL;
    if (!y) {
        tensor_release(out);
        return err->code;
    }
    bool f32 = g->dtype == DTYPE_FLOAT32;
    for (int64_t i = 0, cnt = tensor_numel(g); i < cnt; i++) {
        double a = tensor_get(g, i), b = tensor_get(y, i), r;
        if (f32) {
            float fa = (float)a, fb = (float)b;
            r = tanh_ ? (double)(fa * fmaf(-fb, fb, 1.0f)) : (double)((fa * (1.0f - fb)) * fb);
        } else {
            r = tanh_ ? a * fma(-b, b, 1.0) : (a * (1.0 - b)) * b;
        }
        tensor_set(out, i, r);
    }
    tensor_release(y);
    gi[0] = out;
    return ERR_OK;
}

/* threshold_backward(grad, result, 0): result <= 0 ? 0 : grad */
static int relu_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    Tensor *m = ag_bin_s(BIN_LE, saved_0, 0.0, err);
    Tensor *z = m ? zero0(g, err) : NULL;
    gi[0] = z ? tensor_where(m, z, g, err) : NULL;
    tensor_release(m);
    tensor_release(z);
    return gi[0] ? ERR_OK : err->code;
}

static int reciprocal_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    Tensor *ng = neg(g, err);
    Tensor *sq = ng ? ag_bin(BIN_MUL, saved_0, saved_0, err) : NULL;
    gi[0] = sq ? ag_bin(BIN_MUL, ng, sq, err) : NULL;
    tensor_release(ng);
    tensor_release(sq);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_unary(AutogradCtx *ctx, UnaryOp op, Tensor *t, Error *err) {
    Tensor *r = tensor_unary(op, t, err);
    const char *name = NULL;
    GradApplyFn fn = NULL;
    int save = 0; /* 1: input, 2: result */
    bool flag = false;
    switch (op) {
    case UN_NEG: name = "NegBackward0", fn = neg_bw; break;
    case UN_ABS: name = "AbsBackward0", fn = abs_bw, save = 1; break;
    case UN_SQRT: name = "SqrtBackward0", fn = sqrt_bw, save = 2; break;
    case UN_RSQRT: name = "RsqrtBackward0", fn = rsqrt_bw, save = 2; break;
    case UN_EXP: name = "ExpBackward0", fn = exp_bw, save = 2; break;
    case UN_LOG: name = "LogBackward0", fn = log_bw, save = 1; break;
    case UN_LOG1P: name = "Log1PBackward0", fn = log1p_bw, save = 1; break;
    case UN_SIN: name = "SinBackward0", fn = sin_bw, save = 1; break;
    case UN_COS: name = "CosBackward0", fn = cos_bw, save = 1; break;
    case UN_TANH: name = "TanhBackward0", fn = act_bw, save = 2, flag = true; break;
    case UN_SIGMOID: name = "SigmoidBackward0", fn = act_bw, save = 2; break;
    case UN_RELU: name = "ReluBackward0", fn = relu_bw, save = 2; break;
    case UN_RECIPROCAL: name = "ReciprocalBackward0", fn = reciprocal_bw, save = 2; break;
    case UN_SQUARE: name = "PowBackward0", fn = pow_scalar_bw, save = 1; break;
    case UN_FLOOR: name = "FloorBackward0", fn = zero_bw; break;
    case UN_CEIL: name = "CeilBackward0", fn = zero_bw; break;
    case UN_ROUND: name = "RoundBackward0", fn = zero_bw; break;
    case UN_TRUNC: name = "TruncBackward0", fn = zero_bw; break;
    case UN_SIGN: name = "SignBackward0", fn = zero_bw; break;
    default: return r;
    }
    GradNode *n;
    if (ag_record1(ctx, name, fn, t, &r, &n, err)) return NULL;
    if (!n) return r;
    n->args.b[0] = flag;
    n->args.d[0] = 2.0; /* square's exponent */
    int rc = save == 1 ? ag_save(n, 0, t, err) : save == 2 ? ag_save_output(n, 0, r, err) : ERR_OK;
    if (rc != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- clamp, where, masked_fill ---- */

static int clamp_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    bool has_min = n->args.b[0], has_max = n->args.b[1];
    Tensor *m = NULL;
    if (has_min) m = ag_bin_s(BIN_GE, saved_0, n->args.d[0], err);
    if (has_max && (m || !has_min)) {
        Tensor *le = ag_bin_s(BIN_LE, saved_0, n->args.d[1], err);
        if (m && le) {
            Tensor *both = ag_bin(BIN_AND, m, le, err);
            tensor_release(m);
            tensor_release(le);
            m = both;
        } else {
            m = le;
        }
    }
    if (!m) return err->code;
    Tensor *z = zero0(g, err);
    gi[0] = z ? tensor_where(m, g, z, err) : NULL;
    tensor_release(m);
    tensor_release(z);
    return gi[0] ? ERR_OK : err->code;
}

static Tensor *record_clamp(AutogradCtx *ctx, Tensor *t, Tensor *r, const char *name,
                            bool has_min, double min, bool has_max, double max, Error *err) {
    GradNode *n;
    if (ag_record1(ctx, name, clamp_bw, t, &r, &n, err)) return NULL;
    if (!n) return r;
    n->args.b[0] = has_min;
    n->args.b[1] = has_max;
    n->args.d[0] = min;
    n->args.d[1] = max;
    if (ag_save(n, 0, t, err) != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

Tensor *ag_clamp(AutogradCtx *ctx, Tensor *t, bool has_min, double min, bool has_max,
                 double max, Error *err) {
    Tensor *r = tensor_clamp(t, has_min, min, has_max, max, err);
    return record_clamp(ctx, t, r, "ClampBackward1", has_min, min, has_max, max, err);
}

Tensor *ag_clamp_min(AutogradCtx *ctx, Tensor *t, double min, Error *err) {
    Tensor *r = tensor_clamp(t, true, min, false, 0.0, err);
    return record_clamp(ctx, t, r, "ClampMinBackward0", true, min, false, 0.0, err);
}

static int where_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* condition */
    Tensor *z = zero0(g, err);
    if (!z) return err->code;
    if (ag_needs(n, 0)) gi[0] = tensor_where(saved_0, g, z, err);
    if (ag_needs(n, 1) && (!ag_needs(n, 0) || gi[0])) gi[1] = tensor_where(saved_0, z, g, err);
    tensor_release(z);
    return (ag_needs(n, 0) && !gi[0]) || (ag_needs(n, 1) && !gi[1]) ? err->code : ERR_OK;
}

Tensor *ag_where(AutogradCtx *ctx, Tensor *cond, Tensor *a, Tensor *b, Error *err) {
    Tensor *r = tensor_where(cond, a, b, err);
    Tensor *ins[2] = {a, b};
    if (!r || !dtype_is_floating(r->dtype) || !ag_any_requires(ctx, ins, 2)) return r;
    GradNode *n = ag_node_new(ctx, "WhereBackward0", where_bw, ins, 2, err);
    if (!n || ag_save(n, 0, cond, err) != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

static int masked_fill_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* mask */
    if (ag_needs(n, 0)) {
        Tensor *z = zero0(g, err);
        gi[0] = z ? tensor_where(saved_0, z, g, err) : NULL;
        tensor_release(z);
        if (!gi[0]) return err->code;
    }
    if (ag_needs(n, 1)) {
        /* value (a 0-d tensor): grad.masked_select(mask).sum() */
        Tensor *sel = tensor_masked_select(g, saved_0, err);
        gi[1] = sel ? tensor_sum(sel, NULL, false, err) : NULL;
        tensor_release(sel);
        if (!gi[1]) return err->code;
    }
    return ERR_OK;
}

Tensor *ag_masked_fill(AutogradCtx *ctx, Tensor *t, Tensor *mask, Tensor *value, Error *err) {
    Tensor *vd = tensor_to_dtype(value, t->dtype, err);
    Tensor *r = vd ? tensor_where(mask, vd, t, err) : NULL;
    tensor_release(vd);
    if (r && r->dtype != t->dtype) {
        Tensor *c = tensor_to_dtype(r, t->dtype, err);
        tensor_release(r);
        r = c;
    }
    Tensor *ins[2] = {t, value->wrapped_number ? NULL : value};
    if (!r || !dtype_is_floating(r->dtype) || !ag_any_requires(ctx, ins, 2)) return r;
    GradNode *n = ag_node_new(ctx, "MaskedFillBackward0", masked_fill_bw, ins, 2, err);
    if (!n || ag_save(n, 0, mask, err) != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}
