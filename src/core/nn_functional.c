/*
 * src/core/nn_functional.c — torch.nn.functional of PyTorch 1.13: one_hot,
 * cosine_similarity, normalize, linear, relu, softmax, log_softmax, dropout.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/nn_functional.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/tensor_math.h"
#include "core/tensor_reduce.h"

/* ---- SLEEF 3.5 (Debian's libsleef3), one lane of the AVX2+FMA kernels ----
 *
 * Transcribed from the machine code of Sleef_expf8_u10avx2, Sleef_logf8_u10avx2,
 * Sleef_expd4_u10avx2 and Sleef_logd4_u10avx2 (the functions ATen's Vectorized<T>::exp
 * and ::log call on AVX2 CPUs): every vfmadd is an explicit fma, every other operation is
 * one IEEE operation. Compile with -ffp-contract=off (the Makefile does). */

static float bits_to_float(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint32_t float_to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static double bits_to_double(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static uint64_t double_to_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* vcvtps2dq / vcvtpd2dq: round to nearest even; NaN and out-of-range give INT32_MIN. */
static int32_t cvt_i32(double t) {
    if (isnan(t) || t >= 2147483648.0 || t < -2147483648.0) return INT32_MIN;
    return (int32_t)nearbyint(t);
}

float nnf_sleef_expf(float d) {
    int32_t q = cvt_i32(d * 0x1.715476p+0f);
    float qf = (float)q;
    float s = fmaf(qf, -0x1.62e4p-1f, d);
    s = fmaf(qf, -0x1.7f7d1cp-20f, s);
    float u = fmaf(s, 0x1.a057b4p-13f, 0x1.6d2d92p-10f);
    u = fmaf(s, u, 0x1.11114cp-7f);
    u = fmaf(s, u, 0x1.5554f4p-5f);
    u = fmaf(s, u, 0x1.555556p-3f);
    u = fmaf(s, u, 0.5f);
    u = fmaf(s * s, u, s);
    u = u + 1.0f;
    int32_t q1 = q >> 1;
    u = u * bits_to_float(((uint32_t)q1 << 23) + 0x3f800000u);
    u = u * bits_to_float(((uint32_t)q - (uint32_t)q1) * 0x800000u + 0x3f800000u);
    if (d < -104.0f) u = 0.0f;
    if (100.0f < d) u = INFINITY;
    return u;
}

float nnf_sleef_logf(float d) {
    int tiny = d < 0x1p-126f;
    if (tiny) d = d * 0x1p64f;
    uint32_t e = (float_to_bits(d * 0x1.555556p+0f) >> 23) & 0xffu;
    float m = bits_to_float(float_to_bits(d) - (e << 23) + 0x3f800000u);
    float ef = (float)((int32_t)e + (tiny ? -191 : -127));
    float s_hi = ef * 0x1.62e43p-1f;
    float s_lo = fmaf(ef, -0x1.05c61p-29f, fmaf(ef, 0x1.62e43p-1f, -s_hi));
    float nx = m + -1.0f, v = nx + 1.0f; /* (m - 1) as a double-float */
    float ny = (-1.0f - (nx - v)) + (m - v);
    float dx = m + 1.0f, v2 = dx + -1.0f; /* (m + 1) */
    float dy = (1.0f - (dx - v2)) + (m - v2);
    float t = 1.0f / dx; /* x = (m - 1) / (m + 1), double-float division */
    float qx = nx * t;
    float u = fmaf(t, nx, -qx);
    float w = fmaf(-t, dy, fmaf(-t, dx, 1.0f));
    u = fmaf(t, ny, u);
    float qy = fmaf(qx, w, u);
    float x2 = qx * qx;
    float tt = fmaf(x2, 0x1.35feb8p-2f, 0x1.993394p-2f);
    tt = fmaf(x2, tt, 0x1.5555b4p-1f);
    float yx = qx + qx, yy = qy + qy;
    float rx = s_hi + yx;
    float ry = (((s_hi - rx) + yx) + s_lo) + yy;
    float z = (qx * x2) * tt;
    float r2x = rx + z;
    float r2y = (z + (rx - r2x)) + ry;
    float r = r2x + r2y;
    if (d == INFINITY) r = INFINITY;
    if (!(0.0f <= d)) r = NAN;
    if (d == 0.0f) r = -INFINITY;
    return r;
}

static double sleef_exp(double d) {
    double qd = nearbyint(d * 0x1.71547652b82fep+0);
    int32_t q = cvt_i32(qd);
    double s = fma(qd, -0x1.62e42fefa3000p-1, d);
    s = fma(qd, -0x1.3de6af278ece6p-42, s);
    double s2 = s * s, s4 = s2 * s2, s8 = s4 * s4;
    double a = fma(s, 0x1.1e0c670afff06p-29, 0x1.af6c36f75740cp-26);
    double b = fma(s, 0x1.27e5d38a23654p-22, 0x1.71ddef633fb47p-19);
    double c = fma(s, 0x1.a01a0127f883ap-16, 0x1.a01a01b4421fdp-13);
    c = fma(s2, b, c);
    double e = fma(s, 0x1.6c16c16c3396bp-10, 0x1.111111110e7a5p-7);
    double f = fma(s, 0x1.55555555554f9p-5, 0x1.555555555555ep-3);
    f = fma(s2, e, f);
    f = fma(s4, c, f);
    f = fma(s8, a, f);
    double u = fma(s, f, 0.5);
    u = fma(s, u, 1.0);
    u = fma(s, u, 1.0);
    int32_t q1 = q >> 1;
    u = u * bits_to_double((uint64_t)(uint32_t)(q1 + 1023) << 52);
    u = u * bits_to_double((uint64_t)(uint32_t)((int32_t)((uint32_t)q - (uint32_t)q1) + 1023) << 52);
    if (0x1.62e42fe102c83p+9 < d) u = INFINITY;
    if (d < -1000.0) u = 0.0;
    return u;
}

static double sleef_log(double d) {
    int tiny = d < 0x1p-1022;
    if (tiny) d = d * 0x1p64;
    uint32_t e = (uint32_t)(double_to_bits(d * 0x1.5555555555555p+0) >> 52) & 0x7ffu;
    double m = bits_to_double(double_to_bits(d) + ((uint64_t)(uint32_t)(1023 - (int32_t)e) << 52));
    double ef = (double)((int32_t)e + (tiny ? -1087 : -1023));
    double nx = m + -1.0, v = nx + 1.0;
    double ny = (m - v) + (-1.0 - (nx - v));
    double dx = m + 1.0, v2 = dx + -1.0;
    double dy = (1.0 - (dx - v2)) + (m - v2);
    double t = 1.0 / dx;
    double qx = t * nx;
    double u = fma(t, nx, -qx);
    double w = fma(-t, dy, fma(-t, dx, 1.0));
    u = fma(t, ny, u);
    double qy = fma(qx, w, u);
    double x2 = qx * qx, x4 = x2 * x2, x8 = x4 * x4;
    double p1 = fma(x2, 0x1.3872e67fe8e84p-3, 0x1.747353a506035p-3);
    p1 = fma(x4, 0x1.39c4f5407567ep-3, p1);
    double p2 = fma(x2, 0x1.c71c0a65ecd8ep-3, 0x1.249249a68a245p-2);
    double p3 = fma(x2, 0x1.99999998f92eap-2, 0x1.55555555557aep-1);
    p3 = fma(x4, p2, p3);
    p3 = fma(x8, p1, p3);
    double s_hi = ef * 0x1.62e42fefa39efp-1;
    double s_lo = fma(ef, 0x1.abc9e3b39803fp-56, fma(ef, 0x1.62e42fefa39efp-1, -s_hi));
    double yx = qx + qx, yy = qy + qy;
    double rx = yx + s_hi;
    double ry = yy + (s_lo + (yx + (s_hi - rx)));
    double z = p3 * (qx * x2);
    double r2x = z + rx;
    double r2y = (z + (rx - r2x)) + ry;
    double r = r2x + r2y;
    if (d == INFINITY) r = INFINITY;
    if (!(0.0 <= d)) r = NAN;
    if (d == 0.0) r = -INFINITY;
    return r;
}

/* ---- one_hot ---- */

Tensor *nnf_one_hot(const Tensor *indices, int64_t num_classes, Error *err) {
    if (indices->dtype != DTYPE_INT64) {
        err_set(err, ERR_RUNTIME, "one_hot is only applicable to index tensor.");
        return NULL;
    }
    int64_t n = tensor_numel(indices);
    if (n == 0 && num_classes <= 0) {
        err_set(err, ERR_RUNTIME, "Can not infer total number of classes from empty tensor.");
        return NULL;
    }
    if (n > 0) {
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (int64_t i = 0; i < n; i++) {
            int64_t v = tensor_get_int(indices, i);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (lo < 0) {
            err_set(err, ERR_RUNTIME, "Class values must be non-negative.");
            return NULL;
        }
        if (num_classes == -1) num_classes = hi + 1;
        else if (!(num_classes > hi)) {
            err_set(err, ERR_RUNTIME, "Class values must be smaller than num_classes.");
            return NULL;
        }
    }
    if (indices->ndim + 1 > TENSOR_MAX_DIMS) {
        err_set(err, ERR_RUNTIME, "tensors of more than %d dimensions are not supported", TENSOR_MAX_DIMS);
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS];
    for (int i = 0; i < indices->ndim; i++) shape[i] = indices->shape[i];
    shape[indices->ndim] = num_classes;
    Tensor *out = tensor_zeros(DTYPE_INT64, indices->ndim + 1, shape, err);
    if (!out) return NULL;
    int64_t *o = (int64_t *)out->storage->data;
    for (int64_t i = 0; i < n; i++) o[i * num_classes + tensor_get_int(indices, i)] = 1;
    return out;
}

/* ---- cosine_similarity and normalize, composed of torch-exact tensor ops ---- */

/* sqrt(clamp_min(sum(x * x, dim, keepdim=True), eps * eps)), in place in *norm. */
static Tensor *squared_norm(const Tensor *x, const DimList *dl, Error *err) {
    Tensor *sq = tensor_binary(BIN_MUL, x, x, err); /* pow(x, 2) is x * x in ATen */
    Tensor *sum = sq ? tensor_sum(sq, dl, true, err) : NULL;
    tensor_release(sq);
    return sum;
}

Tensor *nnf_cosine_similarity(const Tensor *x1, const Tensor *x2, int64_t dim, double eps,
                              Error *err) {
    Error scratch;
    if (!err) err = &scratch;
    DType common = tensor_result_type(x1, x2);
    if (!dtype_is_floating(common)) {
        err_set(err, ERR_RUNTIME, "expected common dtype to be floating point, yet common dtype is %s",
                dtype_scalar_name(common));
        return NULL;
    }
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    if (tensor_broadcast_shapes(x1->ndim, x1->shape, x2->ndim, x2->shape, &nd, shape, err) != ERR_OK)
        return NULL;
    /* torch 1.13.1 (the aten ops its profiler shows): both converted to the common dtype
     * and expanded; n = sqrt(clamp_min(sum(x^2, dim, keepdim), eps^2)) for
     * each; result = sum((x1 / n1) * (x2 / n2), dim). */
    DimList dl = {1, {dim}};
    Tensor *a = tensor_to_dtype(x1, common, err);
    Tensor *b = a ? tensor_to_dtype(x2, common, err) : NULL;
    Tensor *ae = b ? tensor_expand(a, nd, shape, err) : NULL;
    Tensor *be = ae ? tensor_expand(b, nd, shape, err) : NULL;
    Tensor *n1 = be ? squared_norm(ae, &dl, err) : NULL;
    Tensor *n2 = n1 ? squared_norm(be, &dl, err) : NULL;
    Tensor *q1 = NULL, *q2 = NULL, *prod = NULL, *out = NULL;
    if (n2 && tensor_clamp_(n1, true, eps * eps, false, 0.0, err) == ERR_OK &&
        tensor_clamp_(n2, true, eps * eps, false, 0.0, err) == ERR_OK &&
        tensor_unary_(UN_SQRT, n1, err) == ERR_OK && tensor_unary_(UN_SQRT, n2, err) == ERR_OK) {
        q1 = tensor_binary(BIN_DIV, ae, n1, err);
        q2 = q1 ? tensor_binary(BIN_DIV, be, n2, err) : NULL;
        prod = q2 ? tensor_binary(BIN_MUL, q1, q2, err) : NULL;
        out = prod ? tensor_sum(prod, &dl, false, err) : NULL;
    }
    Tensor *all[] = {a, b, ae, be, n1, n2, q1, q2, prod};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) tensor_release(all[i]);
    return out;
}

Tensor *nnf_normalize(const Tensor *input, double p, int64_t dim, double eps, Error *err) {
    if (!dtype_is_floating(input->dtype)) {
        err_set(err, ERR_RUNTIME,
                "norm(): input dtype should be either floating point or complex. Got %s instead.",
                dtype_scalar_name(input->dtype));
        return NULL;
    }
    DimList dl = {1, {dim}};
    Tensor *norm = tensor_norm(input, p, &dl, true, err);
    if (!norm) return NULL;
    Tensor *denom = tensor_clamp(norm, true, eps, false, 0.0, err);
    tensor_release(norm);
    if (!denom) return NULL;
    Tensor *ex = tensor_expand(denom, input->ndim, input->shape, err);
    tensor_release(denom);
    if (!ex) return NULL;
    Tensor *out = tensor_binary(BIN_DIV, input, ex, err);
    tensor_release(ex);
    return out;
}

/* ---- linear ---- */

static void shape_2d(const Tensor *t, int64_t *r, int64_t *c) {
    *r = t->ndim >= 1 ? (t->ndim == 2 ? t->shape[0] : 1) : 1;
    *c = t->ndim >= 1 ? t->shape[t->ndim - 1] : 1;
}

Tensor *nnf_linear(const Tensor *input, const Tensor *weight, const Tensor *bias, Error *err) {
    Error scratch;
    if (!err) err = &scratch;
    Tensor *wt = tensor_t(weight, err); /* weight.t(): 3-D and more fail here */
    if (!wt) return NULL;
    Tensor *out = NULL;
    bool addmm = bias && (input->ndim == 2 || (input->ndim == 3 && tensor_is_contiguous(input)));
    if (addmm) {
        /* at::addmm(bias, input_2d, weight.t()), viewed back for 3-D inputs */
        Tensor *x = NULL;
        if (input->ndim == 3) {
            int64_t s2[2] = {input->shape[0] * input->shape[1], input->shape[2]};
            x = tensor_view(input, 2, s2, err);
        } else {
            x = tensor_retain((Tensor *)input);
        }
        if (x) {
            if (wt->ndim != 2) {
                err_set(err, ERR_RUNTIME, "mat2 must be a matrix, got %d-D tensor", wt->ndim);
            } else if (x->dtype != wt->dtype) { /* addmm's meta function checks dtypes first */
                err_set(err, ERR_RUNTIME, "mat1 and mat2 must have the same dtype");
            } else if (x->shape[1] != wt->shape[0]) {
                int64_t r1, c1, r2, c2;
                shape_2d(x, &r1, &c1);
                shape_2d(wt, &r2, &c2);
                err_set(err, ERR_RUNTIME, "mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)",
                        (long long)r1, (long long)c1, (long long)r2, (long long)c2);
            } else if (x->dtype != wt->dtype || bias->dtype != x->dtype) {
                DType other = x->dtype != wt->dtype ? wt->dtype : bias->dtype;
                err_set(err, ERR_RUNTIME, "expected scalar type %s but found %s",
                        dtype_scalar_name(x->dtype), dtype_scalar_name(other));
            } else {
                int64_t oshape[2] = {x->shape[0], wt->shape[1]};
                Tensor *bexp = tensor_expand(bias, 2, oshape, err);
                Tensor *prod = bexp ? tensor_matmul(x, wt, err) : NULL;
                if (prod && tensor_binary_(BIN_ADD, prod, bexp, err) == ERR_OK) {
                    if (input->ndim == 3) {
                        int64_t s3[3] = {input->shape[0], input->shape[1], wt->shape[1]};
                        out = tensor_view(prod, 3, s3, err);
                    } else {
                        out = tensor_retain(prod);
                    }
                }
                tensor_release(prod);
                tensor_release(bexp);
            }
            tensor_release(x);
        }
    } else {
        out = tensor_matmul(input, wt, err);
        if (out && bias && tensor_binary_(BIN_ADD, out, bias, err) != ERR_OK) {
            tensor_release(out);
            out = NULL;
        }
    }
    tensor_release(wt);
    return out;
}

/* ---- relu ---- */

Tensor *nnf_relu(const Tensor *input, Error *err) {
    if (input->dtype == DTYPE_BOOL) {
        err_set(err, ERR_RUNTIME, "Boolean inputs not supported for relu");
        return NULL;
    }
    Tensor *out = tensor_contiguous(input, err);
    Tensor *copy = out ? tensor_clone(out, err) : NULL;
    tensor_release(out);
    if (!copy) return NULL;
    int64_t n = tensor_numel(copy);
    if (copy->dtype == DTYPE_FLOAT32) {
        float *p = (float *)copy->storage->data;
        for (int64_t i = 0; i < n; i++) p[i] = p[i] < 0.0f ? 0.0f : p[i];
    } else if (copy->dtype == DTYPE_FLOAT64) {
        double *p = (double *)copy->storage->data;
        for (int64_t i = 0; i < n; i++) p[i] = p[i] < 0.0 ? 0.0 : p[i];
    } else {
        int64_t *p = (int64_t *)copy->storage->data;
        for (int64_t i = 0; i < n; i++) p[i] = p[i] < 0 ? 0 : p[i];
    }
    return copy;
}

/* ---- softmax / log_softmax ----
 *
 * ATen's vectorised kernels, lane by lane. A "vector" holds L lanes (8 floats or 4
 * doubles on AVX2). reduce_all(op, row) folds full vectors lane-wise, merges a partial
 * tail into the first lanes, then combines the lanes (floats: the shuffle tree
 * op(op(op(v0,v4),op(v2,v6)),op(op(v1,v5),op(v3,v7))); doubles: left to right); rows
 * shorter than L fold left to right. vec::maximum returns NaN when either side is NaN. */

typedef enum { OP_MAX, OP_ADD } LaneOp;

static double lane_op(LaneOp op, double a, double b, bool f32) {
    if (op == OP_ADD) return f32 ? (double)((float)a + (float)b) : a + b;
    if (isnan(a) || isnan(b)) return NAN;
    return a > b ? a : b;
}

static double fold_lanes(LaneOp op, const double *acc, int lanes, bool f32) {
    if (lanes == 8) {
        double w0 = lane_op(op, acc[0], acc[4], f32), w1 = lane_op(op, acc[1], acc[5], f32);
        double w2 = lane_op(op, acc[2], acc[6], f32), w3 = lane_op(op, acc[3], acc[7], f32);
        return lane_op(op, lane_op(op, w0, w2, f32), lane_op(op, w1, w3, f32), f32);
    }
    double r = acc[0];
    for (int k = 1; k < lanes; k++) r = lane_op(op, r, acc[k], f32);
    return r;
}

/* reduce_all / map_reduce_all over vals[0..n) (already mapped). */
static double reduce_all(LaneOp op, const double *vals, int64_t n, int lanes, bool f32) {
    if (n < lanes) {
        double r = vals[0];
        for (int64_t i = 1; i < n; i++) r = lane_op(op, r, vals[i], f32);
        return r;
    }
    double acc[8];
    for (int k = 0; k < lanes; k++) acc[k] = vals[k];
    int64_t d = lanes, full = n - n % lanes;
    for (; d < full; d += lanes)
        for (int k = 0; k < lanes; k++) acc[k] = lane_op(op, acc[k], vals[d + k], f32);
    for (int k = 0; d + k < n; k++) acc[k] = lane_op(op, acc[k], vals[d + k], f32);
    return fold_lanes(op, acc, lanes, f32);
}

static double vexp(double x, bool f32) { return f32 ? (double)nnf_sleef_expf((float)x) : sleef_exp(x); }
static double vlog(double x, bool f32) { return f32 ? (double)nnf_sleef_logf((float)x) : sleef_log(x); }
static double rnd(double x, bool f32) { return f32 ? (double)(float)x : x; }

/* One row along the last dim: _vec_softmax_lastdim / _vec_log_softmax_lastdim. `buf` has
 * room for n doubles. */
static void softmax_row_last(const double *x, double *out, int64_t n, bool take_log, bool f32,
                             double *buf) {
    int lanes = f32 ? 8 : 4;
    double mx = reduce_all(OP_MAX, x, n, lanes, f32);
    for (int64_t i = 0; i < n; i++) buf[i] = vexp(rnd(x[i] - mx, f32), f32);
    double sum = reduce_all(OP_ADD, buf, n, lanes, f32);
    if (take_log) {
        double ls = vlog(sum, f32);
        for (int64_t i = 0; i < n; i++) out[i] = rnd(rnd(x[i] - mx, f32) - ls, f32);
    } else {
        double inv = rnd(1.0 / sum, f32);
        for (int64_t i = 0; i < n; i++) out[i] = rnd(buf[i] * inv, f32);
    }
}

/* A column along a middle dim (stride `st` in x/out), as torch's _vec_softmax and
 * _vec_logsoftmax: columns that fill a whole vector (`vec`) use SLEEF's exp, the rest
 * libm's; softmax takes the NaN-propagating max and divides by the sum; log_softmax
 * starts its max at -inf (skipping NaN), sums in the dtype and takes SLEEF's log. */
static void softmax_col(const double *x, double *out, int64_t n, int64_t st, bool take_log,
                        bool f32, bool vec) {
    double mx;
    if (take_log) {
        mx = -INFINITY;
        for (int64_t d = 0; d < n; d++) mx = x[d * st] > mx ? x[d * st] : mx;
    } else {
        mx = x[0];
        for (int64_t d = 1; d < n; d++) {
            double v = x[d * st];
            mx = vec ? lane_op(OP_MAX, mx, v, f32) : (mx < v ? v : mx);
        }
    }
    double sum = 0;
    for (int64_t d = 0; d < n; d++) {
        double z = rnd(x[d * st] - mx, f32);
        double e = vec ? vexp(z, f32) : (f32 ? (double)expf((float)z) : exp(z));
        if (!take_log) out[d * st] = e;
        sum = rnd(sum + e, f32);
    }
    if (take_log) {
        double ls = vlog(sum, f32);
        for (int64_t d = 0; d < n; d++) out[d * st] = rnd(rnd(x[d * st] - mx, f32) - ls, f32);
    } else {
        for (int64_t d = 0; d < n; d++) out[d * st] = rnd(out[d * st] / sum, f32);
    }
}

static Tensor *softmax_impl(const Tensor *input, int64_t dim, bool take_log, Error *err) {
    int d;
    int nd = input->ndim ? input->ndim : 1;
    if (tensor_wrap_dim(dim, input->ndim, &d, err) != ERR_OK) return NULL;
    bool lastdim = d == nd - 1;
    if (!dtype_is_floating(input->dtype)) {
        if (tensor_numel(input) == 0) return tensor_clone(input, err);
        /* torch 1.13 names the non-last-dim log_softmax kernel "softmax_kernel_impl" too */
        err_set(err, ERR_RUNTIME, "\"%s_kernel_impl\" not implemented for '%s'",
                !lastdim ? "softmax" : take_log ? "log_softmax_lastdim" : "softmax_lastdim",
                dtype_scalar_name(input->dtype));
        return NULL;
    }
    bool f32 = input->dtype == DTYPE_FLOAT32;
    Tensor *out = tensor_zeros(input->dtype, input->ndim, input->shape, err);
    if (!out) return NULL;
    int64_t numel = tensor_numel(input);
    if (numel == 0) return out;
    int64_t dim_size = input->ndim ? input->shape[d] : 1, inner = 1, outer = 1;
    for (int i = d + 1; i < input->ndim; i++) inner *= input->shape[i];
    for (int i = 0; i < d; i++) outer *= input->shape[i];
    Tensor *src = tensor_contiguous(input, err);
    double *x = src ? mem_alloc((size_t)(3 * dim_size) * sizeof *x, err) : NULL;
    if (!x) {
        tensor_release(src);
        tensor_release(out);
        return NULL;
    }
    double *y = x + dim_size, *buf = y + dim_size;
    const float *sf = (const float *)src->storage->data + src->offset;
    const double *sd = (const double *)src->storage->data + src->offset;
    float *of = (float *)out->storage->data;
    double *od = (double *)out->storage->data;
    int lanes = f32 ? 8 : 4;
    /* one line (a row for the last dim, else a column of stride `inner`) at a time; for
     * other dims, 8 (4) columns at a time where a whole vector fits in the inner dim
     * (torch's chunks are multiples of the vector width: c < inner - inner % L), the
     * scalar loop for the rest */
    for (int64_t o = 0; o < outer; o++) {
        for (int64_t c = 0; c < inner; c++) {
            int64_t base = o * dim_size * inner + c;
            for (int64_t k = 0; k < dim_size; k++) x[k] = f32 ? sf[base + k * inner] : sd[base + k * inner];
            if (lastdim) softmax_row_last(x, y, dim_size, take_log, f32, buf);
            else softmax_col(x, y, dim_size, 1, take_log, f32, c < inner - inner % lanes);
            for (int64_t k = 0; k < dim_size; k++) {
                if (f32) of[base + k * inner] = (float)y[k];
                else od[base + k * inner] = y[k];
            }
        }
    }
    mem_free(x);
    tensor_release(src);
    return out;
}

Tensor *nnf_softmax(const Tensor *input, int64_t dim, Error *err) {
    return softmax_impl(input, dim, false, err);
}

Tensor *nnf_log_softmax(const Tensor *input, int64_t dim, Error *err) {
    return softmax_impl(input, dim, true, err);
}

int nnf_softmax_default_dim(int ndim) { return (ndim == 0 || ndim == 1 || ndim == 3) ? 0 : 1; }

/* ---- dropout ---- */

/* Python's str(float): the shortest repr that round-trips, "1.5", "2.0", "1e-05". */
static void python_float_str(double v, char *out, size_t size) {
    if (isnan(v)) {
        snprintf(out, size, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(out, size, v < 0 ? "-inf" : "inf");
        return;
    }
    char buf[40];
    int prec;
    for (prec = 1; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v) break;
    }
    snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
    int exp10 = atoi(strchr(buf, 'e') + 1);
    if (exp10 < -4 || exp10 >= 16) {
        /* "1e-05", "1.5e+16": mantissa without trailing zeros, two-digit exponent */
        char *e = strchr(buf, 'e');
        char mant[32];
        snprintf(mant, sizeof mant, "%.*s", (int)(e - buf), buf);
        snprintf(out, size, "%se%c%02d", mant, exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    } else {
        int decimals = prec - 1 - exp10;
        snprintf(out, size, "%.*f", decimals > 0 ? decimals : 0, v);
        if (!strchr(out, '.')) strncat(out, ".0", size - strlen(out) - 1);
    }
}

Tensor *nnf_dropout(const Tensor *input, double p, const char *p_text, bool training,
                    Generator *g, Error *err) {
    if (p < 0.0 || p > 1.0 || isnan(p)) {
        char buf[48];
        if (!p_text) {
            python_float_str(p, buf, sizeof buf);
            p_text = buf;
        }
        err_set(err, ERR_VALUE, "dropout probability has to be between 0 and 1, but got %s", p_text);
        return NULL;
    }
    if (!training || p == 0.0 || tensor_numel(input) == 0) return tensor_retain((Tensor *)input);
    if (p == 1.0) {
        Tensor *zero = tensor_scalar(input->dtype, 0.0, err);
        if (!zero) return NULL;
        Tensor *out = tensor_binary(BIN_MUL, input, zero, err);
        tensor_release(zero);
        return out;
    }
    /* noise = empty_like(input, contiguous).bernoulli_(1 - p).div_(1 - p); input * noise */
    Tensor *noise = tensor_zeros(input->dtype, input->ndim, input->shape, err);
    if (!noise) return NULL;
    if (rng_bernoulli_(g, noise, 1 - p, err) != ERR_OK) {
        tensor_release(noise);
        return NULL;
    }
    Tensor *scale = tensor_wrap_number(DTYPE_FLOAT64, 1 - p, err);
    int rc = scale ? tensor_binary_(BIN_DIV, noise, scale, err) : ERR_MEMORY;
    tensor_release(scale);
    Tensor *out = rc == ERR_OK ? tensor_binary(BIN_MUL, input, noise, err) : NULL;
    tensor_release(noise);
    return out;
}
