/*
 * src/lang/torch_state.c — per-session torch state and the op wrappers. See
 * torch_state.h. See LICENSE (GPL-3.0-or-later).
 */
#include "lang/torch_state.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/rng.h"
#include "core/sparse.h"
#include "lang/torch_value.h"

/* 64 bits from /dev/urandom (or the clock when it cannot be read). */
static uint64_t nondeterministic_seed(void) {
    uint64_t seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(&seed, sizeof seed, 1, f) != 1) seed = 0;
        fclose(f);
    }
    if (!seed) seed = (uint64_t)time(NULL) * 6364136223846793005ULL + (uint64_t)clock();
    return seed & (uint64_t)INT64_MAX; /* initial_seed() must fit embedlab's 64-bit int */
}

TorchState *torch_state(Interp *I) {
    if (I->torch) return I->torch;
    Error err;
    TorchState *ts = mem_calloc(1, sizeof *ts, &err);
    if (!ts) {
        interp_raise(I, &err);
        return NULL;
    }
    /* Like torch, the default generator starts from a non-deterministic seed; code
     * that wants reproducible numbers calls torch.manual_seed. */
    ts->generator = rng_new(nondeterministic_seed(), &err);
    ts->autograd = ts->generator ? ag_ctx_new(&err) : NULL;
    if (!ts->autograd) {
        rng_free(ts->generator);
        mem_free(ts);
        interp_raise(I, &err);
        return NULL;
    }
    ts->print_options = TENSOR_FMT_DEFAULTS;
    I->torch = ts;
    return ts;
}

void torch_state_free(Interp *I) {
    TorchState *ts = I->torch;
    if (!ts) return;
    rng_free(ts->generator);
    ag_ctx_free(ts->autograd);
    mem_free(ts);
    I->torch = NULL;
}

AutogradCtx *torch_autograd(Interp *I) {
    TorchState *ts = torch_state(I);
    return ts ? ts->autograd : NULL;
}

bool torch_grad_enabled(Interp *I) {
    TorchState *ts = torch_state(I);
    return ts && ag_grad_enabled(ts->autograd);
}

void torch_set_grad_enabled(Interp *I, bool enabled) {
    TorchState *ts = torch_state(I);
    if (ts) ag_set_grad_enabled(ts->autograd, enabled);
}

void torch_warn(Interp *I, const char *text) {
    interp_write(I, 2, text, strlen(text));
    interp_write(I, 2, "\n", 1);
}

/* ---- op wrappers ---- */

Value *torch_result(Interp *I, Tensor *t, const Error *err) { return tensor_value_take(I, t, err); }

Value *torch_binary(Interp *I, BinaryOp op, Tensor *a, Tensor *b) {
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return tensor_value_take(I, ag_binary(ctx, op, a, b, &err), &err);
}

Value *torch_unary(Interp *I, UnaryOp op, Tensor *t) {
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return tensor_value_take(I, ag_unary(ctx, op, t, &err), &err);
}

Value *torch_matmul(Interp *I, Tensor *a, Tensor *b) {
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return tensor_value_take(I, ag_matmul(ctx, a, b, &err), &err);
}

int torch_check_inplace(Interp *I, Tensor *t) {
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return -1;
    Error err;
    err_clear(&err);
    if (ag_check_inplace(ctx, t, &err) != ERR_OK) return interp_raise(I, &err);
    return 0;
}

void torch_after_inplace(Interp *I, Tensor *t) {
    (void)I, (void)t; /* the core's in-place functions bump the version counter */
}

/* Whether an in-place op on t with `other` must be recorded. */
static bool records(AutogradCtx *ctx, Tensor *t, Tensor *other) {
    Tensor *ins[2] = {t, other};
    return ag_grad_enabled(ctx) && ag_any_requires(ctx, ins, other ? 2 : 1);
}

/* Replays t.op_() out of place on a copy of t carrying its history, then commits the
 * values and the new history to t. The result dtype must cast to t's. */
static int commit(Interp *I, AutogradCtx *ctx, Tensor *t, Tensor *r, Error *err) {
    if (!r) return interp_raise(I, err);
    int rc = 0;
    if (!dtype_can_cast(r->dtype, t->dtype)) {
        rc = interp_error(I, ERR_RUNTIME, "result type %s can't be cast to the desired output type %s",
                          dtype_scalar_name(r->dtype), dtype_scalar_name(t->dtype));
    } else if (ag_commit_inplace(ctx, t, r, err) != ERR_OK) {
        rc = interp_raise(I, err);
    }
    tensor_release(r);
    return rc;
}

int torch_inplace_binary(Interp *I, BinaryOp op, Tensor *t, Tensor *other, double alpha) {
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx || torch_check_inplace(I, t)) return -1;
    Error err;
    err_clear(&err);
    if (sparse_is(other) && (op == BIN_ADD || op == BIN_SUB)) {
        if (sparse_is(t)) {
            if (sparse_add_(t, other, op == BIN_SUB ? -alpha : alpha, &err) != ERR_OK)
                return interp_raise(I, &err);
        } else if (sparse_dense_add_(t, other, op == BIN_SUB ? -alpha : alpha, &err) != ERR_OK) {
            return interp_raise(I, &err);
        }
        return 0;
    }
    bool scaled = (op == BIN_ADD || op == BIN_SUB) && alpha != 1.0;
    if (!records(ctx, t, other)) {
        int rc = scaled ? ag_axpy_(t, other, op == BIN_SUB ? -alpha : alpha, &err)
                        : tensor_binary_(op, t, other, &err);
        return rc == ERR_OK ? 0 : interp_raise(I, &err);
    }
    /* validate exactly as the in-place kernel would (overlap, shapes, casts), the last
     * two on a scratch copy */
    if (tensor_check_writable(t, other, &err) != ERR_OK) return interp_raise(I, &err);
    Tensor *probe = tensor_clone(t, &err);
    int rc = probe ? tensor_binary_(op, probe, other, &err) : ERR_MEMORY;
    tensor_release(probe);
    if (rc != ERR_OK) return interp_raise(I, &err);
    Tensor *src = ag_inplace_source(ctx, t, &err);
    if (!src) return interp_raise(I, &err);
    Tensor *r = (op == BIN_ADD || op == BIN_SUB) ? ag_add_scaled(ctx, src, other, alpha, op == BIN_SUB, &err)
                                                 : ag_binary(ctx, op, src, other, &err);
    tensor_release(src);
    return commit(I, ctx, t, r, &err);
}

int torch_inplace_unary(Interp *I, UnaryOp op, Tensor *t) {
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx || torch_check_inplace(I, t)) return -1;
    Error err;
    err_clear(&err);
    if (!records(ctx, t, NULL))
        return tensor_unary_(op, t, &err) == ERR_OK ? 0 : interp_raise(I, &err);
    Tensor *src = ag_inplace_source(ctx, t, &err);
    if (!src) return interp_raise(I, &err);
    Tensor *r = ag_unary(ctx, op, src, &err);
    tensor_release(src);
    return commit(I, ctx, t, r, &err);
}

int torch_inplace_clamp(Interp *I, Tensor *t, bool has_min, double min, bool has_max, double max) {
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx || torch_check_inplace(I, t)) return -1;
    Error err;
    err_clear(&err);
    if (!records(ctx, t, NULL))
        return tensor_clamp_(t, has_min, min, has_max, max, &err) == ERR_OK ? 0 : interp_raise(I, &err);
    Tensor *src = ag_inplace_source(ctx, t, &err);
    if (!src) return interp_raise(I, &err);
    Tensor *r = ag_clamp(ctx, src, has_min, min, has_max, max, &err);
    tensor_release(src);
    return commit(I, ctx, t, r, &err);
}

const char *torch_grad_fn_name(const Tensor *t) {
    if (sparse_is(t) || ag_is_leaf(t)) return NULL;
    return grad_node_name(t->grad_fn);
}
