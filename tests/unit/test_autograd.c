/*
 * tests/unit/test_autograd.c — the autograd engine (src/core/autograd*.c) checked against
 * numerical gradients: for each differentiable op, on float64 inputs, the gradient that
 * backward() accumulates into every leaf must match central finite differences of
 * sum(op(inputs) * W) for a fixed random W. Also the engine's bookkeeping: accumulation,
 * backward twice, implicit gradients, grad mode, leaks. Values against real PyTorch are
 * the golden records' job (tests/golden/autograd*.test). See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <math.h>

#include "core/autograd.h"
#include "core/loss.h"
#include "core/mem.h"
#include "core/sparse.h"

#define MAX_IN 4

typedef Tensor *(*OpFn)(AutogradCtx *ctx, Tensor **in, Error *err);

static uint64_t lcg_state;

static double next_value(void) {
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(lcg_state >> 11) / 9007199254740992.0) * 2.0 - 1.0; /* [-1, 1) */
}

/* A float64 tensor of random values in [offset - 1, offset + 1). */
static Tensor *rand_tensor(int ndim, const int64_t *shape, double offset, bool requires_grad) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    double *v = malloc(sizeof *v * (size_t)(n ? n : 1));
    assert_non_null(v);
    for (int64_t i = 0; i < n; i++) v[i] = next_value() + offset;
    Error err;
    Tensor *t = tensor_from_doubles(DTYPE_FLOAT64, ndim, shape, v, &err);
    free(v);
    assert_non_null(t);
    t->requires_grad = requires_grad;
    return t;
}

static Tensor *ints(int ndim, const int64_t *shape, const int64_t *values) {
    Error err;
    Tensor *t = tensor_from_int64s(DTYPE_INT64, ndim, shape, values, &err);
    assert_non_null(t);
    return t;
}

/* sum(op(in) * w) as a double, without recording. */
static double loss_value(AutogradCtx *ctx, OpFn op, Tensor **in, Tensor **w) {
    Error err;
    ag_set_grad_enabled(ctx, false);
    Tensor *out = op(ctx, in, &err);
    assert_non_null(out);
    if (!*w) *w = rand_tensor(out->ndim, out->shape, 0.0, false);
    Tensor *prod = ag_binary(ctx, BIN_MUL, out, *w, &err);
    Tensor *s = prod ? ag_sum(ctx, prod, NULL, false, &err) : NULL;
    assert_non_null(s);
    double v;
    assert_int_equal(tensor_item(s, &v, &err), ERR_OK);
    tensor_release(out);
    tensor_release(prod);
    tensor_release(s);
    ag_set_grad_enabled(ctx, true);
    return v;
}

/* Compares backward's gradients of every input that requires grad with central
 * differences. */
static void gradcheck(const char *name, OpFn op, Tensor **in, int n) {
    Error err;
    AutogradCtx *ctx = ag_ctx_new(&err);
    assert_non_null(ctx);
    Tensor *w = NULL;
    (void)loss_value(ctx, op, in, &w); /* fixes w's shape */
    Tensor *out = op(ctx, in, &err);
    if (!out) fail_msg("%s: %s", name, err.msg);
    Tensor *prod = ag_binary(ctx, BIN_MUL, out, w, &err);
    Tensor *s = prod ? ag_sum(ctx, prod, NULL, false, &err) : NULL;
    assert_non_null(s);
    if (ag_backward(ctx, s, NULL, false, &err) != ERR_OK) fail_msg("%s: backward: %s", name, err.msg);
    tensor_release(out);
    tensor_release(prod);
    tensor_release(s);
    const double h = 1e-6;
    for (int i = 0; i < n; i++) {
        Tensor *t = in[i];
        if (!t || !t->requires_grad) continue;
        if (!t->grad) fail_msg("%s: input %d got no gradient", name, i);
        Tensor *g = sparse_is(t->grad) ? sparse_to_dense(t->grad, &err) : tensor_retain(t->grad);
        assert_non_null(g);
        int64_t numel = tensor_numel(t);
        for (int64_t k = 0; k < numel; k++) {
            double x = tensor_get(t, k);
            tensor_set(t, k, x + h);
            double up = loss_value(ctx, op, in, &w);
            tensor_set(t, k, x - h);
            double down = loss_value(ctx, op, in, &w);
            tensor_set(t, k, x);
            double numeric = (up - down) / (2 * h), analytic = tensor_get(g, k);
            if (fabs(numeric - analytic) > 1e-6 + 1e-5 * fabs(numeric))
                fail_msg("%s: input %d element %lld: backward %.10g, numerical %.10g", name, i,
                         (long long)k, analytic, numeric);
        }
        tensor_release(g);
        tensor_release(t->grad);
        t->grad = NULL;
    }
    tensor_release(w);
    ag_ctx_free(ctx);
}

static void release_all(Tensor **in, int n) {
    for (int i = 0; i < n; i++) tensor_release(in[i]);
}

/* ---- the ops ---- */

static Tensor *op_arith(AutogradCtx *c, Tensor **in, Error *e) {
    /* (a * b + c) / (b * b + 1) - c * a, with broadcasting */
    Tensor *ab = ag_binary(c, BIN_MUL, in[0], in[1], e);
    Tensor *abc = ag_binary(c, BIN_ADD, ab, in[2], e);
    Tensor *bb = ag_binary(c, BIN_MUL, in[1], in[1], e);
    Tensor *bb1 = ag_add_scaled(c, bb, in[3], 1.0, false, e);
    Tensor *q = ag_binary(c, BIN_DIV, abc, bb1, e);
    Tensor *ca = ag_binary(c, BIN_MUL, in[2], in[0], e);
    Tensor *r = ag_binary(c, BIN_SUB, q, ca, e);
    Tensor *tmp[] = {ab, abc, bb, bb1, q, ca};
    release_all(tmp, 6);
    return r;
}

static void test_arithmetic(void **state) {
    (void)state;
    lcg_state = 1;
    int64_t s34[] = {3, 4}, s4[] = {4}, s31[] = {3, 1};
    Tensor *in[MAX_IN] = {rand_tensor(2, s34, 0, true), rand_tensor(1, s4, 0, true),
                          rand_tensor(2, s31, 0, true), rand_tensor(0, NULL, 1.0, false)};
    gradcheck("arithmetic", op_arith, in, 4);
    release_all(in, 4);
}

static UnaryOp unary_op;
static Tensor *op_unary(AutogradCtx *c, Tensor **in, Error *e) { return ag_unary(c, unary_op, in[0], e); }

static void test_unary(void **state) {
    (void)state;
    static const UnaryOp ops[] = {UN_NEG, UN_ABS,  UN_SQRT,    UN_EXP,        UN_LOG,
                                  UN_SIN, UN_COS,  UN_TANH,    UN_SIGMOID,    UN_RELU,
                                  UN_RSQRT, UN_LOG1P, UN_SQUARE, UN_RECIPROCAL};
    int64_t shape[] = {2, 5};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        lcg_state = 7 + i;
        bool positive = ops[i] == UN_SQRT || ops[i] == UN_LOG || ops[i] == UN_RSQRT ||
                        ops[i] == UN_LOG1P || ops[i] == UN_RECIPROCAL;
        Tensor *in[1] = {rand_tensor(2, shape, positive ? 2.0 : 0.0, true)};
        unary_op = ops[i];
        gradcheck(unary_op_name(ops[i]), op_unary, in, 1);
        release_all(in, 1);
    }
}

static Tensor *op_reductions(AutogradCtx *c, Tensor **in, Error *e) {
    DimList d0 = {1, {0}}, d1 = {1, {1}};
    Tensor *parts[6];
    parts[0] = ag_sum(c, in[0], &d0, false, e);
    parts[1] = ag_mean(c, in[0], &d0, false, e);
    Tensor *v = ag_var(c, in[0], &d0, 1, false, false, e);
    parts[2] = v;
    parts[3] = ag_var(c, in[0], &d0, 1, false, true, e);
    parts[4] = ag_norm(c, in[0], 2.0, &d0, false, e);
    Tensor *mx = NULL, *idx = NULL;
    assert_int_equal(ag_max_dim(c, in[0], 0, false, true, &mx, &idx, e), ERR_OK);
    parts[5] = mx;
    tensor_release(idx);
    Tensor *acc = tensor_retain(parts[0]);
    for (int i = 1; i < 6; i++) {
        Tensor *next = ag_binary(c, BIN_ADD, acc, parts[i], e);
        tensor_release(acc);
        acc = next;
    }
    Tensor *m1 = ag_mean(c, in[0], &d1, true, e);
    Tensor *p = ag_prod(c, in[0], &d1, false, e);
    Tensor *all = ag_sum(c, m1, NULL, false, e);
    Tensor *r1 = ag_binary(c, BIN_ADD, acc, all, e);
    Tensor *psum = ag_sum(c, p, NULL, false, e);
    Tensor *r = ag_binary(c, BIN_ADD, r1, psum, e);
    Tensor *tmp[] = {parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], acc, m1, p, all, r1, psum};
    release_all(tmp, 12);
    return r;
}

static void test_reductions(void **state) {
    (void)state;
    lcg_state = 3;
    int64_t shape[] = {4, 3};
    Tensor *in[1] = {rand_tensor(2, shape, 0, true)};
    gradcheck("reductions", op_reductions, in, 1);
    release_all(in, 1);
}

static Tensor *op_views(AutogradCtx *c, Tensor **in, Error *e) {
    int64_t s43[] = {4, 3};
    Tensor *v = ag_view(c, in[0], 2, s43, e);
    Tensor *sl = ag_slice(c, v, 0, true, 1, false, 0, 2, e);
    Tensor *t = ag_t(c, sl, e);
    Tensor *sel = ag_select(c, in[0], 1, 2, e);
    Tensor *un = ag_unsqueeze(c, sel, 0, e);
    int64_t s23[] = {2, 3};
    Tensor *ex = ag_expand(c, un, 2, s23, e);
    int64_t idxv[] = {0, 2, 2};
    Tensor *idx = ints(1, (int64_t[]){3}, idxv);
    Tensor *ix = ag_index(c, in[0], 0, idx, e);
    Tensor *tr = ag_transpose(c, ix, 0, 1, e);
    int64_t s12[] = {12};
    Tensor *flat = ag_reshape(c, tr, 1, s12, e);
    Tensor *isel = ag_index_select(c, in[0], 1, idx, e);
    Tensor *cat_in[] = {ex, t};
    Tensor *r1 = ag_sum(c, flat, NULL, false, e);
    Tensor *r2 = ag_sum(c, isel, NULL, false, e);
    Tensor *tt = ag_sum(c, t, NULL, false, e);
    Tensor *exs = ag_sum(c, cat_in[0], NULL, false, e);
    Tensor *a = ag_binary(c, BIN_MUL, r1, r2, e);
    Tensor *b = ag_binary(c, BIN_MUL, tt, exs, e);
    Tensor *r = ag_binary(c, BIN_ADD, a, b, e);
    Tensor *tmp[] = {v, sl, t, sel, un, ex, idx, ix, tr, flat, isel, r1, r2, tt, exs, a, b};
    release_all(tmp, 17);
    return r;
}

static void test_views_and_indexing(void **state) {
    (void)state;
    lcg_state = 5;
    int64_t shape[] = {3, 4};
    Tensor *in[1] = {rand_tensor(2, shape, 0, true)};
    gradcheck("views", op_views, in, 1);
    release_all(in, 1);
}

static Tensor *op_matmul(AutogradCtx *c, Tensor **in, Error *e) {
    Tensor *mm = ag_matmul(c, in[0], in[1], e);       /* [2,3] @ [3,4] */
    Tensor *vm = ag_matmul(c, in[2], in[1], e);       /* [3] @ [3,4] */
    Tensor *bm = ag_matmul(c, in[3], in[1], e);       /* [2,2,3] @ [3,4] */
    Tensor *s1 = ag_binary(c, BIN_ADD, mm, vm, e);    /* broadcast [2,4] + [4] */
    Tensor *s2 = ag_binary(c, BIN_ADD, bm, s1, e);    /* [2,2,4] + [2,4] */
    Tensor *tmp[] = {mm, vm, bm, s1};
    release_all(tmp, 4);
    return s2;
}

static void test_matmul(void **state) {
    (void)state;
    lcg_state = 11;
    int64_t a[] = {2, 3}, b[] = {3, 4}, v[] = {3}, bt[] = {2, 2, 3};
    Tensor *in[MAX_IN] = {rand_tensor(2, a, 0, true), rand_tensor(2, b, 0, true),
                          rand_tensor(1, v, 0, true), rand_tensor(3, bt, 0, true)};
    gradcheck("matmul", op_matmul, in, 4);
    release_all(in, 4);
}

static Tensor *op_nn(AutogradCtx *c, Tensor **in, Error *e) {
    /* softmax(relu(linear(x, W, b)) ...) chains and log_softmax on another dim */
    Tensor *lin = ag_linear(c, in[0], in[1], in[2], e);
    Tensor *sm = ag_softmax(c, lin, 1, false, e);
    Tensor *lsm = ag_softmax(c, lin, 0, true, e);
    Tensor *r = ag_binary(c, BIN_ADD, sm, lsm, e);
    Tensor *tmp[] = {lin, sm, lsm};
    release_all(tmp, 3);
    return r;
}

static void test_linear_softmax(void **state) {
    (void)state;
    lcg_state = 13;
    int64_t x[] = {3, 4}, w[] = {2, 4}, b[] = {2};
    Tensor *in[3] = {rand_tensor(2, x, 0, true), rand_tensor(2, w, 0, true),
                     rand_tensor(1, b, 0, true)};
    gradcheck("linear+softmax", op_nn, in, 3);
    release_all(in, 3);
}

static Tensor *op_similarity(AutogradCtx *c, Tensor **in, Error *e) {
    Tensor *cs = ag_cosine_similarity(c, in[0], in[1], 1, 1e-8, e);
    Tensor *n = ag_normalize(c, in[0], 2.0, 1, 1e-12, e);
    Tensor *ns = ag_sum(c, n, NULL, false, e);
    Tensor *r = ag_binary(c, BIN_MUL, cs, ns, e);
    Tensor *tmp[] = {cs, n, ns};
    release_all(tmp, 3);
    return r;
}

static void test_cosine_normalize(void **state) {
    (void)state;
    lcg_state = 17;
    int64_t s[] = {3, 4};
    Tensor *in[2] = {rand_tensor(2, s, 0, true), rand_tensor(2, s, 0, true)};
    gradcheck("cosine_similarity+normalize", op_similarity, in, 2);
    release_all(in, 2);
}

static int64_t emb_pad;
static bool emb_sgf, emb_sparse;

static Tensor *op_embedding(AutogradCtx *c, Tensor **in, Error *e) {
    return ag_embedding(c, in[0], in[1], emb_pad >= 0, emb_pad, false, 0, 2.0, emb_sgf,
                        emb_sparse, e);
}

/* The embedding weight gradient: the numerical gradient of a lookup counts every use,
 * is zero for the padding row (torch's rule, which finite differences cannot see, so the
 * padding case is checked directly), and scale_grad_by_freq divides by the count. */
static void test_embedding(void **state) {
    (void)state;
    lcg_state = 19;
    int64_t ws[] = {6, 3}, is[] = {2, 3}, iv[] = {1, 4, 4, 5, 1, 4};
    Tensor *in[2] = {rand_tensor(2, ws, 0, true), ints(2, is, iv)};
    emb_pad = -1;
    emb_sgf = false;
    emb_sparse = false;
    gradcheck("embedding", op_embedding, in, 2);
    emb_sparse = true;
    gradcheck("embedding sparse", op_embedding, in, 2);
    emb_sparse = false;

    /* padding_idx 4: that row's gradient is zero, the others unchanged */
    Error err;
    AutogradCtx *ctx = ag_ctx_new(&err);
    emb_pad = 4;
    Tensor *out = op_embedding(ctx, in, &err);
    Tensor *s = ag_sum(ctx, out, NULL, false, &err);
    assert_int_equal(ag_backward(ctx, s, NULL, false, &err), ERR_OK);
    for (int64_t j = 0; j < 3; j++) {
        assert_true(tensor_get(in[0]->grad, 4 * 3 + j) == 0.0);
        assert_true(tensor_get(in[0]->grad, 1 * 3 + j) == 2.0);
        assert_true(tensor_get(in[0]->grad, 0 * 3 + j) == 0.0);
    }
    tensor_release(out);
    tensor_release(s);
    tensor_release(in[0]->grad);
    in[0]->grad = NULL;
    /* scale_grad_by_freq: each use scaled by 1/count; row 4 used 3 times gets 1 */
    emb_pad = -1;
    emb_sgf = true;
    out = op_embedding(ctx, in, &err);
    s = ag_sum(ctx, out, NULL, false, &err);
    assert_int_equal(ag_backward(ctx, s, NULL, false, &err), ERR_OK);
    for (int64_t j = 0; j < 3; j++) {
        assert_true(fabs(tensor_get(in[0]->grad, 4 * 3 + j) - 1.0) < 1e-15);
        assert_true(tensor_get(in[0]->grad, 1 * 3 + j) == 1.0);
    }
    tensor_release(out);
    tensor_release(s);
    tensor_release(in[0]->grad);
    in[0]->grad = NULL;
    emb_sgf = false;
    ag_ctx_free(ctx);
    release_all(in, 2);
}

static const char *bag_mode;

static Tensor *op_bag(AutogradCtx *c, Tensor **in, Error *e) {
    BagOptions opt = BAG_OPTIONS_INIT;
    opt.offsets = in[2];
    opt.mode = bag_mode;
    opt.per_sample_weights = strcmp(bag_mode, "sum") == 0 ? in[3] : NULL;
    return ag_embedding_bag(c, in[0], in[1], &opt, e);
}

static void test_embedding_bag(void **state) {
    (void)state;
    static const char *const modes[] = {"sum", "mean", "max"};
    for (int m = 0; m < 3; m++) {
        lcg_state = 23 + (uint64_t)m;
        int64_t ws[] = {6, 3}, is[] = {6}, iv[] = {0, 2, 4, 5, 1, 2}, os[] = {2}, ov[] = {0, 3};
        Tensor *in[4] = {rand_tensor(2, ws, 0, true), ints(1, is, iv), ints(1, os, ov),
                         rand_tensor(1, is, 0, true)};
        bag_mode = modes[m];
        in[3]->requires_grad = m == 0;
        gradcheck(modes[m], op_bag, in, 4);
        release_all(in, 4);
    }
}

static int loss_kind;

static Tensor *op_losses(AutogradCtx *c, Tensor **in, Error *e) {
    switch (loss_kind) {
    case 0: return ag_cross_entropy(c, in[0], in[1], NULL, LOSS_MEAN, -100, 0.0, e);
    case 1: return ag_cross_entropy(c, in[0], in[1], NULL, LOSS_SUM, 2, 0.0, e);
    case 2: return ag_cross_entropy(c, in[0], in[1], NULL, LOSS_NONE, -100, 0.0, e);
    case 3: {
        Tensor *ls = ag_softmax(c, in[0], 1, true, e);
        Tensor *r = ag_nll_loss(c, ls, in[1], NULL, LOSS_MEAN, -100, e);
        tensor_release(ls);
        return r;
    }
    case 4: return ag_mse_loss(c, in[0], in[2], LOSS_MEAN, e);
    default: return ag_mse_loss(c, in[0], in[2], LOSS_NONE, e);
    }
}

static void test_losses(void **state) {
    (void)state;
    for (loss_kind = 0; loss_kind < 6; loss_kind++) {
        lcg_state = 29 + (uint64_t)loss_kind;
        int64_t xs[] = {4, 3}, ts[] = {4}, tv[] = {0, 2, 1, 2};
        Tensor *in[3] = {rand_tensor(2, xs, 0, true), ints(1, ts, tv), rand_tensor(2, xs, 0, true)};
        in[2]->requires_grad = loss_kind >= 4; /* mse_loss differentiates its target too */
        char name[32];
        snprintf(name, sizeof name, "loss %d", loss_kind);
        gradcheck(name, op_losses, in, 3);
        release_all(in, 3);
    }
}

/* ---- engine bookkeeping ---- */

static void test_engine_rules(void **state) {
    (void)state;
    Error err;
    AutogradCtx *ctx = ag_ctx_new(&err);
    int64_t s[] = {2};
    double v[] = {1.0, 2.0};
    Tensor *w = tensor_from_doubles(DTYPE_FLOAT32, 1, s, v, &err);
    w->requires_grad = true;
    assert_true(ag_is_leaf(w));
    Tensor *y = ag_binary(ctx, BIN_MUL, w, w, &err);
    assert_false(ag_is_leaf(y));
    assert_string_equal(grad_node_name(y->grad_fn), "MulBackward0");
    /* a non-scalar root needs an explicit gradient */
    assert_int_not_equal(ag_backward(ctx, y, NULL, false, &err), ERR_OK);
    assert_string_equal(err.msg, "grad can be implicitly created only for scalar outputs");
    Tensor *l = ag_sum(ctx, y, NULL, false, &err);
    assert_string_equal(grad_node_name(l->grad_fn), "SumBackward0");
    assert_int_equal(ag_backward(ctx, l, NULL, true, &err), ERR_OK);
    assert_int_equal(ag_backward(ctx, l, NULL, false, &err), ERR_OK); /* accumulates */
    assert_true(tensor_get(w->grad, 0) == 4.0 && tensor_get(w->grad, 1) == 8.0);
    assert_int_not_equal(ag_backward(ctx, l, NULL, false, &err), ERR_OK);
    assert_non_null(strstr(err.msg, "Trying to backward through the graph a second time"));
    /* grad mode off records nothing */
    ag_set_grad_enabled(ctx, false);
    Tensor *z = ag_binary(ctx, BIN_MUL, w, w, &err);
    assert_null(z->grad_fn);
    ag_set_grad_enabled(ctx, true);
    /* detach: no history, shares storage */
    Tensor *d = ag_detach(y, &err);
    assert_true(ag_is_leaf(d) && !d->requires_grad && d->storage == y->storage);
    tensor_release(d);
    /* retain_grad: a copy the first time, then a new sum (the old tensor is untouched) */
    Tensor *y2 = ag_binary(ctx, BIN_MUL, w, w, &err);
    assert_int_equal(ag_retain_grad(y2, &err), ERR_OK);
    assert_true(ag_retains_grad(y2) && !ag_retains_grad(w));
    Tensor *l2 = ag_sum(ctx, y2, NULL, false, &err);
    assert_int_equal(ag_backward(ctx, l2, NULL, true, &err), ERR_OK);
    Tensor *first = tensor_retain(ag_retained_grad(y2));
    assert_true(tensor_get(first, 0) == 1.0 && tensor_get(first, 1) == 1.0);
    assert_int_equal(ag_backward(ctx, l2, NULL, false, &err), ERR_OK);
    assert_true(ag_retained_grad(y2) != first && tensor_get(ag_retained_grad(y2), 1) == 2.0);
    assert_true(tensor_get(first, 1) == 1.0);
    assert_int_not_equal(ag_retain_grad(z, &err), ERR_OK);
    assert_string_equal(err.msg, "can't retain_grad on Tensor that has requires_grad=False");
    tensor_release(first);
    tensor_release(l2);
    tensor_release(y2);
    tensor_release(z);
    tensor_release(l);
    tensor_release(y);
    tensor_release(w);
    assert_int_equal(ag_live_nodes(ctx), 0);
    ag_ctx_free(ctx);
}

/* Allocation failures anywhere in recording or backward fail cleanly. */
static void test_allocation_failures(void **state) {
    (void)state;
    for (long n = 0; n < 200; n++) {
        Error err;
        AutogradCtx *ctx = ag_ctx_new(&err);
        if (!ctx) continue;
        int64_t s[] = {2, 3};
        Tensor *w = rand_tensor(2, s, 0, true);
        mem_fail_after(n);
        Tensor *y = ag_softmax(ctx, w, 1, true, &err);
        Tensor *l = y ? ag_sum(ctx, y, NULL, false, &err) : NULL;
        int rc = l ? ag_backward(ctx, l, NULL, false, &err) : ERR_MEMORY;
        mem_fail_after(-1);
        (void)rc;
        tensor_release(l);
        tensor_release(y);
        tensor_release(w);
        assert_int_equal(ag_live_nodes(ctx), 0);
        ag_ctx_free(ctx);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_unary),
        cmocka_unit_test(test_reductions),
        cmocka_unit_test(test_views_and_indexing),
        cmocka_unit_test(test_matmul),
        cmocka_unit_test(test_linear_softmax),
        cmocka_unit_test(test_cosine_normalize),
        cmocka_unit_test(test_embedding),
        cmocka_unit_test(test_embedding_bag),
        cmocka_unit_test(test_losses),
        cmocka_unit_test(test_engine_rules),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
