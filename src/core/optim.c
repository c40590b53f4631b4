/*
 * src/core/optim.c — torch.optim update rules (see optim.h). See LICENSE (GPL-3.0-or-later).
 */
#include "core/optim.h"

#include <math.h>
#include <string.h>

#include "core/kernels_f32.h"
#include "core/sparse.h"
#include "core/tensor_math.h"

/* ---- float32/float64 arithmetic with torch's roundings ---- */

static inline double rnd(bool f32, double x) { return f32 ? (double)(float)x : x; }

static inline double fused(bool f32, double a, double b, double c) {
    return f32 ? (double)fmaf((float)a, (float)b, (float)c) : fma(a, b, c);
}

/* A tensor's elements as a contiguous array: the tensor itself when contiguous, else a
 * contiguous copy (written back by arr_finish when `write`). */
typedef struct Arr {
    Tensor *orig;
    Tensor *c; /* owned */
    float *f;
    double *d;
} Arr;

static int arr_open(Arr *a, Tensor *t, Error *err) {
    memset(a, 0, sizeof *a);
    a->orig = t;
    a->c = tensor_contiguous(t, err);
    if (!a->c) return err ? err->code : ERR_MEMORY;
    char *base = (char *)a->c->storage->data + a->c->offset * (int64_t)dtype_size(a->c->dtype);
    if (a->c->dtype == DTYPE_FLOAT32) a->f = (float *)(void *)base;
    else a->d = (double *)(void *)base;
    return ERR_OK;
}

static double ld(const Arr *a, int64_t i) { return a->f ? (double)a->f[i] : a->d[i]; }
static void st(Arr *a, int64_t i, double v) {
    if (a->f) a->f[i] = (float)v;
    else a->d[i] = v;
}

/* Releases the copy; with `write`, copies it back into a non-contiguous original and bumps
 * the original's version. */
static int arr_close(Arr *a, bool write, Error *err) {
    int rc = ERR_OK;
    if (a->c && write) {
        if (a->c != a->orig) rc = tensor_copy_(a->orig, a->c, err);
        else tensor_bump_version(a->orig);
    }
    tensor_release(a->c);
    a->c = NULL;
    return rc;
}

static int check_dense(const Tensor *param, const Tensor *t, const char *what, Error *err) {
    if (!dtype_is_floating(param->dtype))
        return err_set(err, ERR_RUNTIME, "optimizer: parameters must be floating point, got %s",
                       dtype_name(param->dtype));
    if (t->dtype != param->dtype || !tensor_same_shape(t, param)) {
        char a[128], b[128];
        tensor_shape_str(t->ndim, t->shape, a, sizeof a);
        tensor_shape_str(param->ndim, param->shape, b, sizeof b);
        return err_set(err, ERR_RUNTIME,
                       "optimizer: %s of dtype %s and shape %s does not match the parameter "
                       "(%s, %s)",
                       what, dtype_name(t->dtype), a, dtype_name(param->dtype), b);
    }
    return ERR_OK;
}

Tensor *optim_zeros_like(const Tensor *param, Error *err) {
    return tensor_zeros(param->dtype, param->ndim, param->shape, err);
}

/* ---- SGD ---- */

/* SGD with a sparse gradient: torch's sparse ops (clone, mul_, add_, dense.add_(sparse)). */
static int sgd_sparse(Tensor *param, const Tensor *grad, Tensor **buf, const SgdOptions *o,
                      Error *err) {
    if (o->weight_decay != 0)
        return err_set(err, ERR_RUNTIME,
                       "add(sparse, dense) is not supported. Use add(dense, sparse) instead.");
    Tensor *d_p = o->maximize ? sparse_mul_scalar(grad, -1.0, err) : tensor_retain((Tensor *)grad);
    if (!d_p) return ERR_MEMORY;
    int rc = ERR_OK;
    if (o->momentum != 0) {
        if (!*buf) {
            *buf = sparse_clone(d_p, err);
            if (!*buf) rc = ERR_MEMORY;
        } else if (!sparse_is(*buf)) {
            /* A dense buffer from earlier dense steps: buf.mul_(m).add_(sparse, alpha). */
            Tensor *m = tensor_wrap_number(DTYPE_FLOAT64, o->momentum, err);
            rc = m ? tensor_binary_(BIN_MUL, *buf, m, err) : ERR_MEMORY;
            tensor_release(m);
            if (rc == ERR_OK) rc = sparse_dense_add_(*buf, d_p, 1.0 - o->dampening, err);
        } else {
            rc = sparse_mul_scalar_(*buf, o->momentum, err);
            if (rc == ERR_OK) rc = sparse_add_(*buf, d_p, 1.0 - o->dampening, err);
        }
        if (rc == ERR_OK) {
            Tensor *next;
            if (o->nesterov)
                next = sparse_is(*buf) ? sparse_add(d_p, *buf, o->momentum, err)
                                       : (err_set(err, ERR_RUNTIME,
                                                  "add(sparse, dense) is not supported. Use "
                                                  "add(dense, sparse) instead."),
                                          NULL);
            else
                next = tensor_retain(*buf);
            tensor_release(d_p);
            d_p = next;
            if (!d_p) rc = err ? err->code : ERR_MEMORY;
        }
    }
    if (rc == ERR_OK) {
        if (sparse_is(d_p)) rc = sparse_dense_add_(param, d_p, -o->lr, err);
        else {
            Arr p, g;
            rc = arr_open(&p, param, err);
            if (rc == ERR_OK && (rc = arr_open(&g, d_p, err)) == ERR_OK) {
                bool f32 = param->dtype == DTYPE_FLOAT32;
                double alpha = rnd(f32, -o->lr);
                int64_t n = tensor_numel(param);
                for (int64_t i = 0; i < n; i++) st(&p, i, fused(f32, ld(&g, i), alpha, ld(&p, i)));
                arr_close(&g, false, err);
            }
            if (rc == ERR_OK) rc = arr_close(&p, true, err);
            else arr_close(&p, false, err);
        }
    }
    tensor_release(d_p);
    return rc;
}

int optim_sgd_step(Tensor *param, const Tensor *grad, Tensor **buf, const SgdOptions *o,
                   Error *err) {
    if (sparse_is(grad)) return sgd_sparse(param, grad, buf, o, err);
    int rc = check_dense(param, grad, "gradient", err);
    if (rc != ERR_OK) return rc;
    bool momentum = o->momentum != 0;
    if (momentum && *buf && sparse_is(*buf))
        return err_set(err, ERR_RUNTIME,
                       "add(sparse, dense) is not supported. Use add(dense, sparse) instead.");
    if (momentum && *buf && (rc = check_dense(param, *buf, "momentum_buffer", err)) != ERR_OK)
        return rc;
    bool first = momentum && !*buf;
    if (first && !(*buf = optim_zeros_like(param, err))) return ERR_MEMORY;
    bool f32 = param->dtype == DTYPE_FLOAT32;
    double wd = rnd(f32, o->weight_decay), mom = rnd(f32, o->momentum);
    double damp = rnd(f32, 1.0 - o->dampening), alpha = rnd(f32, -o->lr);
    Arr p, g, b;
    memset(&b, 0, sizeof b);
    if ((rc = arr_open(&p, param, err)) != ERR_OK) return rc;
    if ((rc = arr_open(&g, (Tensor *)grad, err)) != ERR_OK) {
        arr_close(&p, false, err);
        return rc;
    }
    if (momentum && (rc = arr_open(&b, *buf, err)) != ERR_OK) {
        arr_close(&g, false, err);
        arr_close(&p, false, err);
        return rc;
    }
    int64_t n = tensor_numel(param);
    for (int64_t i = 0; i < n; i++) {
        double x = ld(&p, i), d = ld(&g, i);
        if (o->maximize) d = -d;
        if (o->weight_decay != 0) d = fused(f32, x, wd, d);
        if (momentum) {
            double v = first ? d : fused(f32, d, damp, rnd(f32, ld(&b, i) * mom));
            st(&b, i, v);
            d = o->nesterov ? fused(f32, v, mom, d) : v;
        }
        st(&p, i, fused(f32, d, alpha, x));
    }
    arr_close(&g, false, err);
    if (momentum) rc = arr_close(&b, true, err);
    int rc2 = arr_close(&p, true, err);
    return rc != ERR_OK ? rc : rc2;
}

/* ---- Adam ---- */

int optim_adam_step(Tensor *param, const Tensor *grad, Tensor *exp_avg, Tensor *exp_avg_sq,
                    Tensor *max_exp_avg_sq, double step, const AdamOptions *o, Error *err) {
    if (sparse_is(grad))
        return o->decoupled ? err_set(err, ERR_RUNTIME, "AdamW does not support sparse gradients")
                            : err_set(err, ERR_RUNTIME, "Adam does not support sparse gradients, "
                                                        "please consider SparseAdam instead");
    int rc = check_dense(param, grad, "gradient", err);
    if (rc == ERR_OK) rc = check_dense(param, exp_avg, "exp_avg", err);
    if (rc == ERR_OK) rc = check_dense(param, exp_avg_sq, "exp_avg_sq", err);
    if (rc == ERR_OK && o->amsgrad) rc = check_dense(param, max_exp_avg_sq, "max_exp_avg_sq", err);
    if (rc != ERR_OK) return rc;
    bool f32 = param->dtype == DTYPE_FLOAT32;
    double bc1 = 1.0 - pow(o->beta1, step);
    double bc2 = 1.0 - pow(o->beta2, step);
    double step_size = o->lr / bc1;
    double bc2_sqrt = rnd(f32, sqrt(bc2));
    double b1 = rnd(f32, o->beta1), b2 = rnd(f32, o->beta2);
    double a1 = rnd(f32, 1.0 - o->beta1), a2 = rnd(f32, 1.0 - o->beta2);
    double wd = rnd(f32, o->weight_decay), eps = rnd(f32, o->eps);
    double value = rnd(f32, -step_size);
    double decay = rnd(f32, 1.0 - o->lr * o->weight_decay);
    Arr p, g, m, v, mx;
    memset(&mx, 0, sizeof mx);
    Arr *opened[5] = {&p, &g, &m, &v, &mx};
    Tensor *srcs[5] = {param, (Tensor *)grad, exp_avg, exp_avg_sq, max_exp_avg_sq};
    int nopen = 0;
    for (; nopen < (o->amsgrad ? 5 : 4); nopen++)
        if ((rc = arr_open(opened[nopen], srcs[nopen], err)) != ERR_OK) break;
    if (rc == ERR_OK && f32 && p.f && g.f && m.f && v.f && !o->amsgrad) {
        /* float32 (the usual case): the same operations in float. Each double operation
         * above on float operands, rounded to float, gives the float operation's bits
         * (+ - * / sqrt: double rounding is innocuous), so this loop is bit-identical. */
        const Kf32Adam k = {
            .beta1 = (float)b1, .beta2 = (float)b2, .one_minus_beta1 = (float)a1,
            .one_minus_beta2 = (float)a2, .weight_decay = (float)wd, .eps = (float)eps,
            .neg_step_size = (float)value, .decoupled_decay = (float)decay,
            .bias_correction2_sqrt = (float)bc2_sqrt, .maximize = o->maximize,
            .decoupled = o->decoupled, .l2_decay = !o->decoupled && o->weight_decay != 0};
        kf32_adam(tensor_numel(param), p.f, g.f, m.f, v.f, &k);
    } else if (rc == ERR_OK) {
        int64_t n = tensor_numel(param);
        for (int64_t i = 0; i < n; i++) {
            double x = ld(&p, i), d = ld(&g, i);
            if (o->maximize) d = -d;
            if (o->decoupled) x = rnd(f32, x * decay);
            else if (o->weight_decay != 0) d = fused(f32, x, wd, d);
            double mi = fused(f32, d, a1, rnd(f32, ld(&m, i) * b1));
            double vi = rnd(f32, ld(&v, i) * b2);
            vi = fused(f32, rnd(f32, a2 * d), d, vi);
            st(&m, i, mi);
            st(&v, i, vi);
            double base = vi;
            if (o->amsgrad) {
                double old = ld(&mx, i); /* torch.maximum propagates NaN */
                base = isnan(old) || isnan(vi) ? NAN : fmax(old, vi);
                st(&mx, i, base);
            }
            double denom = rnd(f32, rnd(f32, rnd(f32, sqrt(base)) / bc2_sqrt) + eps);
            st(&p, i, rnd(f32, x + rnd(f32, rnd(f32, value * mi) / denom)));
        }
    }
    for (int k = nopen - 1; k >= 0; k--) {
        int rk = arr_close(opened[k], rc == ERR_OK && k != 1, err);
        if (rc == ERR_OK) rc = rk;
    }
    return rc;
}

/* ---- SparseAdam ---- */

int optim_sparse_adam_step(Tensor *param, const Tensor *grad, Tensor *exp_avg,
                           Tensor *exp_avg_sq, int64_t step, const AdamOptions *o, Error *err) {
    if (!sparse_is(grad))
        return err_set(err, ERR_RUNTIME, "SparseAdam does not support dense gradients, please "
                                         "consider Adam instead");
    int rc = ERR_OK;
    if ((rc = check_dense(param, grad, "gradient", err)) != ERR_OK ||
        (rc = check_dense(param, exp_avg, "exp_avg", err)) != ERR_OK ||
        (rc = check_dense(param, exp_avg_sq, "exp_avg_sq", err)) != ERR_OK)
        return rc;
    Tensor *neg = o->maximize ? sparse_mul_scalar(grad, -1.0, err) : NULL;
    if (o->maximize && !neg) return ERR_MEMORY;
    Tensor *gc = sparse_coalesce(neg ? neg : grad, err);
    tensor_release(neg);
    if (!gc) return ERR_MEMORY;
    bool f32 = param->dtype == DTYPE_FLOAT32;
    double bc1 = 1.0 - pow(o->beta1, (double)step);
    double bc2 = 1.0 - pow(o->beta2, (double)step);
    double step_size = o->lr * sqrt(bc2) / bc1;
    double a1 = rnd(f32, 1.0 - o->beta1), a2 = rnd(f32, 1.0 - o->beta2);
    double eps = rnd(f32, o->eps), scale = rnd(f32, -step_size);
    Tensor *indices = sparse_indices(gc);
    int64_t nnz = indices->shape[1];
    int sd = (int)indices->shape[0];
    int64_t block = 1;
    for (int d = sd; d < param->ndim; d++) block *= param->shape[d];
    Arr vals, p, m, v;
    Arr *opened[4] = {&vals, &p, &m, &v};
    Tensor *srcs[4] = {sparse_values(gc), param, exp_avg, exp_avg_sq};
    int nopen = 0;
    for (; nopen < 4; nopen++)
        if ((rc = arr_open(opened[nopen], srcs[nopen], err)) != ERR_OK) break;
    if (rc == ERR_OK) {
        for (int64_t k = 0; k < nnz; k++) {
            int64_t row = 0;
            for (int d = 0; d < sd; d++)
                row = row * param->shape[d] + tensor_get_int(indices, d * nnz + k);
            for (int64_t j = 0; j < block; j++) {
                int64_t i = row * block + j;
                double gv = ld(&vals, k * block + j);
                double old_m = ld(&m, i), old_v = ld(&v, i);
                double um = rnd(f32, rnd(f32, gv - old_m) * a1);
                double uv = rnd(f32, rnd(f32, rnd(f32, gv * gv) - old_v) * a2);
                double numer = rnd(f32, um + old_m);
                st(&m, i, numer);
                double vsum = rnd(f32, uv + old_v);
                st(&v, i, vsum);
                double denom = rnd(f32, rnd(f32, sqrt(vsum)) + eps);
                double upd = rnd(f32, scale * rnd(f32, numer / denom));
                st(&p, i, rnd(f32, ld(&p, i) + upd));
            }
        }
    }
    for (int k = nopen - 1; k >= 0; k--) {
        int rk = arr_close(opened[k], rc == ERR_OK && k != 0, err);
        if (rc == ERR_OK) rc = rk;
    }
    tensor_release(gc);
    return rc;
}
