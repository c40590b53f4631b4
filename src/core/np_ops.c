/*
 * src/core/np_ops.c — NumPy numerics on Tensors. See np_ops.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/np_ops.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* ---- promotion ---- */

DType np_promote(DType a, DType b) {
    if ((a == DTYPE_INT64 && b == DTYPE_FLOAT32) || (a == DTYPE_FLOAT32 && b == DTYPE_INT64))
        return DTYPE_FLOAT64;
    return a > b ? a : b;
}

static int kind_of(DType d) { return d == DTYPE_BOOL ? 0 : d == DTYPE_INT64 ? 1 : 2; }

DType np_promote_scalar(DType adt, DType sdt, double sval) {
    if (kind_of(sdt) > kind_of(adt)) return np_promote(adt, sdt);
    if (adt == DTYPE_BOOL || sdt == DTYPE_BOOL) return adt;
    /* the scalar's kind is not higher: promote with min_scalar_type(sval) */
    if (adt == DTYPE_INT64) return sval >= 9223372036854775808.0 ? DTYPE_FLOAT64 : DTYPE_INT64;
    if (adt == DTYPE_FLOAT32) {
        if (sdt == DTYPE_INT64) return (sval < 65536.0 && sval >= -32768.0) ? DTYPE_FLOAT32 : DTYPE_FLOAT64;
        if (!isfinite(sval) || fabs(sval) <= FLT_MAX) return DTYPE_FLOAT32;
        return DTYPE_FLOAT64;
    }
    return adt;
}

/* ---- iteration ---- */

static int set_err(Error *err, ErrCode code, const char *msg) {
    err_set(err, code, "%s", msg);
    return code;
}

static void shape_str(int ndim, const int64_t *shape, char *buf, size_t n) {
    size_t p = 0;
    p += (size_t)snprintf(buf + p, n - p, "(");
    for (int i = 0; i < ndim && p < n; i++)
        p += (size_t)snprintf(buf + p, n - p, "%lld%s", (long long)shape[i],
                              i + 1 < ndim ? "," : (ndim == 1 ? "," : ""));
    if (p < n) snprintf(buf + p, n - p, ")");
}

int np_broadcast_shape(const Tensor *a, const Tensor *b, int *ndim, int64_t *shape, Error *err) {
    int n = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int i = 0; i < n; i++) {
        int ia = a->ndim - n + i, ib = b->ndim - n + i;
        int64_t sa = ia >= 0 ? a->shape[ia] : 1, sb = ib >= 0 ? b->shape[ib] : 1;
        if (sa != sb && sa != 1 && sb != 1) {
            char s1[256], s2[256];
            shape_str(a->ndim, a->shape, s1, sizeof s1);
            shape_str(b->ndim, b->shape, s2, sizeof s2);
            err_set(err, ERR_VALUE, "operands could not be broadcast together with shapes %s %s ",
                    s1, s2);
            return ERR_VALUE;
        }
        shape[i] = sa == 1 ? sb : sa;
    }
    *ndim = n;
    return ERR_OK;
}

/* Strides of t broadcast to (ndim, shape): 0 on broadcast dims. */
static void bcast_strides(const Tensor *t, int ndim, const int64_t *shape, int64_t *st) {
    for (int i = 0; i < ndim; i++) {
        int it = t->ndim - ndim + i;
        st[i] = (it >= 0 && t->shape[it] == shape[i]) ? t->stride[it] : 0;
    }
}

/* Advances a row-major multi-index; updates the offsets of k operands. */
static void odo_next(int ndim, const int64_t *shape, int64_t *idx, int k, int64_t *offs,
                     int64_t st[][TENSOR_MAX_DIMS]) {
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
            for (int j = 0; j < k; j++) offs[j] += st[j][d];
            return;
        }
        idx[d] = 0;
        for (int j = 0; j < k; j++) offs[j] -= st[j][d] * (shape[d] - 1);
    }
}

static double fload(const Tensor *t, int64_t off) { return tensor_load(t, off); }
static int64_t iload(const Tensor *t, int64_t off) { return tensor_load_int(t, off); }

/* ---- elementwise ---- */

static double py_floordiv(double a, double b, double *modp) {
    double mod = fmod(a, b);
    if (b == 0) {
        if (modp) *modp = mod;
        return a / b;
    }
    double div = (a - mod) / b;
    if (mod != 0) {
        if ((b < 0) != (mod < 0)) {
            mod += b;
            div -= 1.0;
        }
    } else {
        mod = copysign(0.0, b);
    }
    double fl;
    if (div != 0) {
        fl = floor(div);
        if (div - fl > 0.5) fl += 1.0;
    } else {
        fl = copysign(0.0, a / b);
    }
    if (modp) *modp = mod;
    return fl;
}

static double fop(NpBinOp op, double x, double y, bool f32) {
    double r = 0;
    if (f32) {
        float a = (float)x, b = (float)y;
        switch (op) {
        case NP_ADD: return (float)(a + b);
        case NP_SUB: return (float)(a - b);
        case NP_MUL: return (float)(a * b);
        case NP_DIV: return (float)(a / b);
        case NP_POW: return powf(a, b);
        default: break;
        }
    }
    switch (op) {
    case NP_ADD: r = x + y; break;
    case NP_SUB: r = x - y; break;
    case NP_MUL: r = x * y; break;
    case NP_DIV: r = x / y; break;
    case NP_POW: r = pow(x, y); break;
    case NP_FLOORDIV: r = py_floordiv(x, y, NULL); break;
    case NP_MOD: {
        double m;
        if (y == 0) m = fmod(x, y);
        else py_floordiv(x, y, &m);
        r = m;
        break;
    }
    case NP_MAXIMUM: r = (isnan(x) || x >= y) ? x : y; break;
    case NP_MINIMUM: r = (isnan(x) || x <= y) ? x : y; break;
    case NP_EQ: r = x == y; break;
    case NP_NE: r = x != y; break;
    case NP_LT: r = x < y; break;
    case NP_LE: r = x <= y; break;
    case NP_GT: r = x > y; break;
    case NP_GE: r = x >= y; break;
    default: break;
    }
    if (f32) r = (float)r;
    return r;
}

static int64_t iop(NpBinOp op, int64_t x, int64_t y) {
    uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
    switch (op) {
    case NP_ADD: return (int64_t)(ux + uy);
    case NP_SUB: return (int64_t)(ux - uy);
    case NP_MUL: return (int64_t)(ux * uy);
    case NP_FLOORDIV:
        if (y == 0) return 0;
        if (x == INT64_MIN && y == -1) return INT64_MIN;
        {
            int64_t q = x / y;
            if ((x % y != 0) && ((x < 0) != (y < 0))) q--;
            return q;
        }
    case NP_MOD:
        if (y == 0 || y == -1) return 0;
        {
            int64_t m = x % y;
            if (m != 0 && ((m < 0) != (y < 0))) m += y;
            return m;
        }
    case NP_POW: {
        uint64_t r = 1, b = ux;
        int64_t e = y;
        while (e > 0) {
            if (e & 1) r *= b;
            b *= b;
            e >>= 1;
        }
        return (int64_t)r;
    }
    case NP_AND: return x & y;
    case NP_OR: return x | y;
    case NP_XOR: return x ^ y;
    case NP_MAXIMUM: return x > y ? x : y;
    case NP_MINIMUM: return x < y ? x : y;
    case NP_EQ: return x == y;
    case NP_NE: return x != y;
    case NP_LT: return x < y;
    case NP_LE: return x <= y;
    case NP_GT: return x > y;
    case NP_GE: return x >= y;
    default: return 0;
    }
}

static bool is_cmp(NpBinOp op) { return op >= NP_EQ && op <= NP_GE; }

/* The output of an elementwise op in NumPy's K order: the layout of an operand of the
 * output's shape that is dense with positive strides (a transposed array gives a
 * transposed result), else C order. */
static Tensor *alloc_like(const Tensor *a, const Tensor *b, DType dt, int ndim,
                          const int64_t *shape, Error *err) {
    const Tensor *cand[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        const Tensor *t = cand[k];
        if (!t || t->ndim != ndim || tensor_is_contiguous(t)) continue;
        bool same = true, positive = true;
        for (int d = 0; d < ndim; d++) {
            if (t->shape[d] != shape[d]) same = false;
            if (t->stride[d] < 0) positive = false;
        }
        if (same && positive) {
            Tensor *o = tensor_empty_like(t, dt, err);
            if (o && tensor_is_contiguous(o) == false) return o;
            if (o) return o;
            return NULL;
        }
    }
    return tensor_zeros(dt, ndim, shape, err);
}


Tensor *np_binary(NpBinOp op, const Tensor *a, const Tensor *b, DType dt, Error *err) {
    if (dt == DTYPE_BOOL) {
        if (op == NP_SUB) {
            set_err(err, ERR_TYPE, "numpy boolean subtract, the `-` operator, is not supported, "
                                   "use the bitwise_xor, the `^` operator, or the logical_xor "
                                   "function instead.");
            return NULL;
        }
        if (op == NP_POW || op == NP_FLOORDIV || op == NP_MOD) dt = DTYPE_INT64;
        if (op == NP_DIV) dt = DTYPE_FLOAT64;
    }
    if (op == NP_DIV && dt == DTYPE_INT64) dt = DTYPE_FLOAT64;
    if ((op == NP_AND || op == NP_OR || op == NP_XOR) && dtype_is_floating(dt)) {
        const char *name = op == NP_AND ? "bitwise_and" : op == NP_OR ? "bitwise_or" : "bitwise_xor";
        err_set(err, ERR_TYPE, "ufunc '%s' not supported for the input types, and the inputs "
                               "could not be safely coerced to any supported types according "
                               "to the casting rule ''safe''", name);
        return NULL;
    }
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (np_broadcast_shape(a, b, &ndim, shape, err)) return NULL;
    DType rdt = is_cmp(op) ? DTYPE_BOOL : dt;
    Tensor *out = alloc_like(a, b, rdt, ndim, shape, err);
    if (!out) return NULL;
    int64_t st[3][TENSOR_MAX_DIMS], idx[TENSOR_MAX_DIMS] = {0},
            offs[3] = {a->offset, b->offset, out->offset};
    bcast_strides(a, ndim, shape, st[0]);
    bcast_strides(b, ndim, shape, st[1]);
    memcpy(st[2], out->stride, sizeof(int64_t) * (size_t)ndim);
    int64_t n = tensor_numel(out);
    bool f32 = dt == DTYPE_FLOAT32;
    for (int64_t i = 0; i < n; i++) {
        int64_t oo = offs[2];
        if (dt == DTYPE_INT64 || dt == DTYPE_BOOL) {
            int64_t x = iload(a, offs[0]), y = iload(b, offs[1]);
            if (dt == DTYPE_BOOL) {
                x = x != 0;
                y = y != 0;
                if (op == NP_ADD) op = NP_OR;
                if (op == NP_MUL) op = NP_AND;
            }
            tensor_store_int(out, oo, iop(op, x, y));
        } else {
            double x = fload(a, offs[0]), y = fload(b, offs[1]);
            if (f32) {
                x = (float)x;
                y = (float)y;
            }
            tensor_store(out, oo, fop(op, x, y, f32));
        }
        odo_next(ndim, shape, idx, 3, offs, st);
    }
    return out;
}

static double ufn(NpUnOp op, double x) {
    switch (op) {
    case NP_NEG: return -x;
    case NP_ABS: return fabs(x);
    case NP_SQRT: return sqrt(x);
    case NP_EXP: return exp(x);
    case NP_LOG: return log(x);
    case NP_LOG2: return log2(x);
    case NP_LOG10: return log10(x);
    case NP_LOG1P: return log1p(x);
    case NP_EXPM1: return expm1(x);
    case NP_TANH: return tanh(x);
    case NP_SIN: return sin(x);
    case NP_COS: return cos(x);
    case NP_FLOOR: return floor(x);
    case NP_CEIL: return ceil(x);
    case NP_RINT: return nearbyint(x);
    case NP_SQUARE: return x * x;
    case NP_SIGN: return isnan(x) ? x : (x > 0) - (x < 0);
    case NP_NOT: return x == 0;
    }
    return x;
}

static float ufnf(NpUnOp op, float x) {
    switch (op) {
    case NP_NEG: return -x;
    case NP_ABS: return fabsf(x);
    case NP_SQRT: return sqrtf(x);
    case NP_EXP: return expf(x);
    case NP_LOG: return logf(x);
    case NP_LOG2: return log2f(x);
    case NP_LOG10: return log10f(x);
    case NP_LOG1P: return log1pf(x);
    case NP_EXPM1: return expm1f(x);
    case NP_TANH: return tanhf(x);
    case NP_SIN: return sinf(x);
    case NP_COS: return cosf(x);
    case NP_FLOOR: return floorf(x);
    case NP_CEIL: return ceilf(x);
    case NP_RINT: return nearbyintf(x);
    case NP_SQUARE: return x * x;
    default: return (float)ufn(op, x);
    }
}

Tensor *np_unary(NpUnOp op, const Tensor *a, Error *err) {
    DType dt = a->dtype;
    bool int_op = op == NP_NEG || op == NP_ABS || op == NP_SQUARE || op == NP_SIGN ||
                  op == NP_NOT || op == NP_FLOOR || op == NP_CEIL || op == NP_RINT;
    if (op == NP_NOT) dt = DTYPE_BOOL;
    else if (!dtype_is_floating(dt) && !int_op) dt = DTYPE_FLOAT64;
    if (a->dtype == DTYPE_BOOL && op == NP_NEG) {
        set_err(err, ERR_TYPE, "The numpy boolean negative, the `-` operator, is not supported, "
                               "use the `~` operator or the logical_not function instead.");
        return NULL;
    }
    if (a->dtype == DTYPE_BOOL && (op == NP_SQUARE || op == NP_SIGN)) dt = DTYPE_INT64;
    if ((op == NP_FLOOR || op == NP_CEIL || op == NP_RINT) && !dtype_is_floating(dt)) {
        dt = a->dtype == DTYPE_BOOL ? DTYPE_FLOAT32 : DTYPE_FLOAT64;
        if (a->dtype == DTYPE_BOOL) dt = DTYPE_FLOAT32;
    }
    Tensor *out = alloc_like(a, NULL, dt, a->ndim, a->shape, err);
    if (!out) return NULL;
    int64_t n = tensor_numel(a), idx[TENSOR_MAX_DIMS] = {0}, offs[2] = {a->offset, out->offset};
    int64_t st[2][TENSOR_MAX_DIMS];
    memcpy(st[0], a->stride, sizeof(int64_t) * (size_t)a->ndim);
    memcpy(st[1], out->stride, sizeof(int64_t) * (size_t)a->ndim);
    for (int64_t i = 0; i < n; i++) {
        int64_t oo = offs[1];
        if (dt == DTYPE_INT64 || (dt == DTYPE_BOOL && op == NP_NOT)) {
            int64_t x = iload(a, offs[0]);
            int64_t r = op == NP_NEG ? (int64_t)(0 - (uint64_t)x) : op == NP_ABS ? (x < 0 ? (int64_t)(0 - (uint64_t)x) : x)
                      : op == NP_SQUARE ? (int64_t)((uint64_t)x * (uint64_t)x)
                      : op == NP_SIGN ? (x > 0) - (x < 0) : op == NP_NOT ? x == 0 : x;
            tensor_store_int(out, oo, r);
        } else if (dt == DTYPE_FLOAT32) {
            tensor_store(out, oo, ufnf(op, (float)fload(a, offs[0])));
        } else {
            tensor_store(out, oo, ufn(op, fload(a, offs[0])));
        }
        odo_next(a->ndim, a->shape, idx, 2, offs, st);
    }
    return out;
}

int np_assign(Tensor *dst, const Tensor *src, Error *err) {
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (np_broadcast_shape(dst, src, &ndim, shape, err)) return ERR_VALUE;
    bool ok = ndim == dst->ndim;
    for (int i = 0; ok && i < ndim; i++) ok = shape[i] == dst->shape[i];
    if (!ok) {
        char s1[256], s2[256];
        shape_str(src->ndim, src->shape, s1, sizeof s1);
        shape_str(dst->ndim, dst->shape, s2, sizeof s2);
        err_set(err, ERR_VALUE, "could not broadcast input array from shape %s into shape %s", s1, s2);
        return ERR_VALUE;
    }
    /* copy through a temporary when src may alias dst */
    Tensor *tmp = NULL;
    if (src->storage == dst->storage) {
        tmp = np_copy(src, src->dtype, err);
        if (!tmp) return ERR_MEMORY;
        src = tmp;
    }
    int64_t st[2][TENSOR_MAX_DIMS], idx[TENSOR_MAX_DIMS] = {0}, offs[2] = {dst->offset, src->offset};
    memcpy(st[0], dst->stride, sizeof(int64_t) * (size_t)ndim);
    bcast_strides(src, ndim, shape, st[1]);
    int64_t n = tensor_numel(dst);
    for (int64_t i = 0; i < n; i++) {
        if (src->dtype == DTYPE_INT64 || src->dtype == DTYPE_BOOL) {
            int64_t v = iload(src, offs[1]);
            if (dst->dtype == DTYPE_BOOL) v = v != 0;
            if (dtype_is_floating(dst->dtype)) tensor_store(dst, offs[0], (double)v);
            else tensor_store_int(dst, offs[0], v);
        } else {
            double v = fload(src, offs[1]);
            if (dst->dtype == DTYPE_BOOL) tensor_store_int(dst, offs[0], v != 0);
            else if (dst->dtype == DTYPE_INT64)
                tensor_store_int(dst, offs[0], (isnan(v) || fabs(v) >= 9.3e18) ? INT64_MIN : (int64_t)v);
            else tensor_store(dst, offs[0], v);
        }
        odo_next(ndim, shape, idx, 2, offs, st);
    }
    tensor_release(tmp);
    tensor_bump_version(dst);
    return ERR_OK;
}

Tensor *np_copy(const Tensor *a, DType dt, Error *err) {
    Tensor *out = tensor_zeros(dt, a->ndim, a->shape, err);
    if (!out) return NULL;
    if (np_assign(out, a, err)) {
        tensor_release(out);
        return NULL;
    }
    return out;
}

/* ---- reductions ---- */

/* NumPy's pairwise summation (blocks of 8, 128-element leaves) in double or float. */
static double pairwise(const Tensor *t, int64_t off, int64_t n, int64_t stride, bool f32) {
    if (n < 8) {
        double r = f32 ? -0.0f : -0.0;
        /* numpy starts from 0. (res = 0.) */
        r = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double v = fload(t, off + i * stride);
            r = f32 ? (double)((float)r + (float)v) : r + v;
        }
        return r;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; j++) r[j] = fload(t, off + j * stride);
        int64_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; j++) {
                double v = fload(t, off + (i + j) * stride);
                r[j] = f32 ? (double)((float)r[j] + (float)v) : r[j] + v;
            }
        double res;
        if (f32) {
            res = (float)((float)((float)r[0] + (float)r[1]) + (float)((float)r[2] + (float)r[3])) +
                  (float)((float)((float)r[4] + (float)r[5]) + (float)((float)r[6] + (float)r[7]));
            res = (float)res;
        } else {
            res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        }
        for (; i < n; i++) {
            double v = fload(t, off + i * stride);
            res = f32 ? (double)((float)res + (float)v) : res + v;
        }
        return res;
    }
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    double x = pairwise(t, off, n2, stride, f32), y = pairwise(t, off + n2 * stride, n - n2, stride, f32);
    return f32 ? (double)((float)x + (float)y) : x + y;
}

static int wrap_axis(int axis, int ndim, Error *err) {
    if (axis < -ndim || axis >= ndim || ndim == 0) {
        err_set(err, ERR_VALUE, "axis %d is out of bounds for array of dimension %d", axis, ndim);
        return -1000;
    }
    return axis < 0 ? axis + ndim : axis;
}

/* The result shape of reducing `axis` (-1: all). */
static int reduced_shape(const Tensor *a, int axis, bool keepdims, int64_t *shape) {
    int n = 0;
    for (int d = 0; d < a->ndim; d++) {
        if (axis < 0 || d == axis) {
            if (keepdims) shape[n++] = 1;
        } else {
            shape[n++] = a->shape[d];
        }
    }
    return n;
}

/* NumPy's K order for a whole-array pass: axes sorted by |stride| (outer to inner), size-1
 * axes dropped, adjacent axes coalesced; negative strides are walked as they are (not
 * flipped). Returns the axis count; iteration starts at a->offset. */
static int k_order_axes(const Tensor *a, int64_t *len, int64_t *st) {
    int n = 0;
    for (int d = 0; d < a->ndim; d++) {
        if (a->shape[d] == 1) continue;
        len[n] = a->shape[d];
        st[n] = a->stride[d];
        n++;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && llabs(st[j - 1]) < llabs(st[j]); j--) {
            int64_t tl = len[j], ts = st[j];
            len[j] = len[j - 1];
            st[j] = st[j - 1];
            len[j - 1] = tl;
            st[j - 1] = ts;
        }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && st[m - 1] == st[i] * len[i]) {
            len[m - 1] *= len[i];
            st[m - 1] = st[i];
        } else {
            len[m] = len[i];
            st[m] = st[i];
            m++;
        }
    }
    return m;
}

/* Advances *off to the next element in K order over the m axes of k_order_axes (idx: the
 * position, all zeros at the start). */
static void k_order_next(int m, const int64_t *len, const int64_t *st, int64_t *idx,
                         int64_t *off) {
    for (int d = m - 1; d >= 0; d--) {
        if (++idx[d] < len[d]) {
            *off += st[d];
            return;
        }
        idx[d] = 0;
        *off -= st[d] * (len[d] - 1);
    }
}

/* Storage offsets of a's elements in K order, into offs (numel entries). */
static void k_order_offsets(const Tensor *a, int64_t *offs) {
    int64_t len[TENSOR_MAX_DIMS], st[TENSOR_MAX_DIMS], idx[TENSOR_MAX_DIMS] = {0};
    int m = k_order_axes(a, len, st);
    int64_t n = tensor_numel(a), off = a->offset;
    for (int64_t i = 0; i < n; i++) {
        offs[i] = off;
        k_order_next(m, len, st, idx, &off);
    }
}

static double full_sum_float(const Tensor *a, bool f32) {
    int64_t n = tensor_numel(a);
    if (n == 0) return 0.0;
    int64_t len[TENSOR_MAX_DIMS], st[TENSOR_MAX_DIMS];
    int m = k_order_axes(a, len, st);
    const Tensor *src = a;
    int64_t start = a->offset, stride = m ? st[m - 1] : 1;
    Tensor *buf = NULL;
    if (m > 1) {
        /* not one run of memory: NumPy's buffered iterator copies the elements in K order
         * into buffers of 8192 and sums each buffer pairwise */
        Error err;
        buf = tensor_zeros(a->dtype, 1, &n, &err);
        int64_t *offs = buf ? mem_alloc((size_t)n * sizeof *offs, &err) : NULL;
        if (!offs) {
            tensor_release(buf);
            return NAN;
        }
        k_order_offsets(a, offs);
        for (int64_t i = 0; i < n; i++) tensor_store(buf, i, fload(a, offs[i]));
        mem_free(offs);
        src = buf;
        start = 0;
        stride = 1;
    }
    double acc = 0;
    for (int64_t k = 0; k < n; k += 8192) {
        int64_t cnt = n - k < 8192 ? n - k : 8192;
        double p = pairwise(src, start + k * stride, cnt, stride, f32);
        acc = f32 ? (double)((float)acc + (float)p) : acc + p;
    }
    tensor_release(buf);
    return acc;
}

Tensor *np_sum(const Tensor *a, int axis, bool keepdims, DType dt, Error *err) {
    if (axis >= 0 || axis < -1) {
        /* caller passes -1 for "all" only through np_reduce conventions */
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int nd = reduced_shape(a, axis, keepdims, shape);
    Tensor *out = tensor_zeros(dt, nd, shape, err);
    if (!out) return NULL;
    if (axis < 0) {
        if (!dtype_is_floating(dt)) {
            uint64_t s = 0;
            for (int64_t i = 0, n = tensor_numel(a); i < n; i++)
                s += (uint64_t)iload(a, tensor_flat_offset(a, i));
            tensor_store_int(out, 0, (int64_t)s);
        } else if (a->dtype == dt) {
            tensor_store(out, 0, full_sum_float(a, dt == DTYPE_FLOAT32));
        } else {
            Tensor *c = np_copy(a, dt, err);
            if (!c) {
                tensor_release(out);
                return NULL;
            }
            /* buffered casts sum in chunks of 8192 elements */
            double acc = 0;
            int64_t n = tensor_numel(c);
            for (int64_t i = 0; i < n; i += 8192) {
                int64_t k = n - i < 8192 ? n - i : 8192;
                double p = pairwise(c, i, k, 1, dt == DTYPE_FLOAT32);
                acc = dt == DTYPE_FLOAT32 ? (double)((float)acc + (float)p) : acc + p;
            }
            tensor_release(c);
            tensor_store(out, 0, acc);
        }
        return out;
    }
    /* axis reduction: pairwise when the axis is the innermost in memory, else in order */
    const Tensor *src = a;
    Tensor *c = NULL;
    if (a->dtype != dt) {
        c = np_copy(a, dt, err);
        if (!c) {
            tensor_release(out);
            return NULL;
        }
        src = c;
    }
    int64_t min_stride = INT64_MAX;
    int inner = -1;
    for (int d = 0; d < src->ndim; d++) {
        int64_t s = src->stride[d] < 0 ? -src->stride[d] : src->stride[d];
        if (src->shape[d] > 1 && s <= min_stride) {
            min_stride = s;
            inner = d;
        }
    }
    bool pw = inner == axis;
    int64_t len = src->shape[axis], ast = src->stride[axis];
    int64_t oshape[TENSOR_MAX_DIMS];
    int on = reduced_shape(src, axis, false, oshape);
    int64_t ost[1][TENSOR_MAX_DIMS], idx[TENSOR_MAX_DIMS] = {0}, offs[1] = {src->offset};
    for (int d = 0, k = 0; d < src->ndim; d++)
        if (d != axis) ost[0][k++] = src->stride[d];
    int64_t nout = tensor_numel(out);
    bool f32 = dt == DTYPE_FLOAT32;
    for (int64_t i = 0; i < nout; i++) {
        if (!dtype_is_floating(dt)) {
            uint64_t s = 0;
            for (int64_t j = 0; j < len; j++) s += (uint64_t)iload(src, offs[0] + j * ast);
            tensor_store_int(out, i, (int64_t)s);
        } else if (pw) {
            double acc = 0;
            for (int64_t k = 0; k < len; k += 8192) {
                int64_t cnt = len - k < 8192 ? len - k : 8192;
                double p = pairwise(src, offs[0] + k * ast, cnt, ast, f32);
                acc = f32 ? (double)((float)acc + (float)p) : acc + p;
            }
            tensor_store(out, i, acc);
        } else {
            double s = 0;
            for (int64_t j = 0; j < len; j++) {
                double v = fload(src, offs[0] + j * ast);
                s = f32 ? (double)((float)s + (float)v) : s + v;
            }
            tensor_store(out, i, s);
        }
        odo_next(on, oshape, idx, 1, offs, ost);
    }
    tensor_release(c);
    return out;
}

Tensor *np_reduce(NpReduce op, const Tensor *a, int axis, bool keepdims, Error *err) {
    if (axis != -1000 && axis != -1 - 1000) {
    }
    int64_t n_all = tensor_numel(a);
    int64_t shape[TENSOR_MAX_DIMS];
    int nd = reduced_shape(a, axis, keepdims, shape);
    DType dt = a->dtype;
    if (op == NP_ARGMAX || op == NP_ARGMIN) dt = DTYPE_INT64;
    if (op == NP_ANY || op == NP_ALL) dt = DTYPE_BOOL;
    if (op == NP_PROD && dt == DTYPE_BOOL) dt = DTYPE_INT64;
    int64_t len = axis < 0 ? n_all : a->shape[axis];
    if (len == 0 && (op == NP_MAX || op == NP_MIN || op == NP_ARGMAX || op == NP_ARGMIN)) {
        const char *name = op == NP_MAX ? "maximum" : op == NP_MIN ? "minimum" : NULL;
        if (name)
            err_set(err, ERR_VALUE, "zero-size array to reduction operation %s which has no identity", name);
        else
            err_set(err, ERR_VALUE, "attempt to get %s of an empty sequence", op == NP_ARGMAX ? "argmax" : "argmin");
        return NULL;
    }
    Tensor *out = tensor_zeros(dt, nd, shape, err);
    if (!out) return NULL;
    int64_t nout = tensor_numel(out);
    int64_t oshape[TENSOR_MAX_DIMS];
    int on = axis < 0 ? 0 : reduced_shape(a, axis, false, oshape);
    int64_t ost[1][TENSOR_MAX_DIMS], idx[TENSOR_MAX_DIMS] = {0}, offs[1] = {a->offset};
    if (axis >= 0)
        for (int d = 0, k = 0; d < a->ndim; d++)
            if (d != axis) ost[0][k++] = a->stride[d];
    bool fl = dtype_is_floating(a->dtype);
    for (int64_t i = 0; i < nout; i++) {
        double best = 0;
        int64_t ibest = 0, arg = 0;
        bool acc_b = op == NP_ALL;
        double prodf = 1;
        uint64_t prodi = 1;
        for (int64_t j = 0; j < len; j++) {
            int64_t off = axis < 0 ? tensor_flat_offset(a, j) : offs[0] + j * a->stride[axis];
            double v = fl ? fload(a, off) : 0;
            int64_t iv = fl ? 0 : iload(a, off);
            switch (op) {
            case NP_MAX:
            case NP_ARGMAX:
                if (j == 0 || (fl ? (v > best || (isnan(v) && !isnan(best))) : iv > ibest)) {
                    if (!(fl && isnan(best) && j > 0)) {
                        best = v;
                        ibest = iv;
                        arg = j;
                    }
                }
                break;
            case NP_MIN:
            case NP_ARGMIN:
                if (j == 0 || (fl ? (v < best || (isnan(v) && !isnan(best))) : iv < ibest)) {
                    if (!(fl && isnan(best) && j > 0)) {
                        best = v;
                        ibest = iv;
                        arg = j;
                    }
                }
                break;
            case NP_ANY: acc_b = acc_b || (fl ? v != 0 : iv != 0); break;
            case NP_ALL: acc_b = acc_b && (fl ? v != 0 : iv != 0); break;
            case NP_PROD:
                if (fl) prodf = a->dtype == DTYPE_FLOAT32 ? (double)((float)prodf * (float)v) : prodf * v;
                else prodi *= (uint64_t)iv;
                break;
            default: break;
            }
        }
        switch (op) {
        case NP_MAX:
        case NP_MIN:
            if (fl) tensor_store(out, i, best);
            else tensor_store_int(out, i, ibest);
            break;
        case NP_ARGMAX:
        case NP_ARGMIN: tensor_store_int(out, i, arg); break;
        case NP_ANY:
        case NP_ALL: tensor_store_int(out, i, acc_b); break;
        case NP_PROD:
            if (fl) tensor_store(out, i, prodf);
            else tensor_store_int(out, i, (int64_t)prodi);
            break;
        default: break;
        }
        if (axis >= 0) odo_next(on, oshape, idx, 1, offs, ost);
    }
    return out;
}

static DType sum_dtype(DType d) { return d == DTYPE_BOOL || d == DTYPE_INT64 ? DTYPE_FLOAT64 : d; }

/* x / count in the array's dtype (an array result) or through a double (a scalar result). */
static void divide_by(Tensor *t, double count, bool scalar) {
    int64_t n = tensor_numel(t);
    for (int64_t i = 0; i < n; i++) {
        double v = tensor_get(t, i);
        if (t->dtype == DTYPE_FLOAT32 && !scalar) tensor_set(t, i, (float)v / (float)count);
        else tensor_set(t, i, v / count);
    }
}

Tensor *np_mean(const Tensor *a, int axis, bool keepdims, Error *err) {
    Tensor *s = np_sum(a, axis, keepdims, sum_dtype(a->dtype), err);
    if (!s) return NULL;
    double count = axis < 0 ? (double)tensor_numel(a) : (double)a->shape[axis];
    divide_by(s, count, axis < 0 && !keepdims);
    return s;
}

Tensor *np_var(const Tensor *a, int axis, bool keepdims, int ddof, bool take_sqrt, Error *err) {
    DType dt = sum_dtype(a->dtype);
    double count = axis < 0 ? (double)tensor_numel(a) : (double)a->shape[axis];
    Tensor *mean = np_sum(a, axis, true, dt, err);
    if (!mean) return NULL;
    divide_by(mean, count, false);
    Tensor *x = np_binary(NP_SUB, a, mean, np_promote(a->dtype, dt), err);
    tensor_release(mean);
    if (!x) return NULL;
    Tensor *x2 = np_binary(NP_MUL, x, x, x->dtype, err);
    tensor_release(x);
    if (!x2) return NULL;
    Tensor *r = np_sum(x2, axis, keepdims, x2->dtype, err);
    tensor_release(x2);
    if (!r) return NULL;
    double div = count - ddof > 0 ? count - ddof : 0;
    bool scalar = axis < 0 && !keepdims;
    divide_by(r, div, scalar);
    if (take_sqrt) {
        int64_t n = tensor_numel(r);
        for (int64_t i = 0; i < n; i++) {
            double v = tensor_get(r, i);
            tensor_set(r, i, r->dtype == DTYPE_FLOAT32 ? (double)sqrtf((float)v) : sqrt(v));
        }
    }
    return r;
}

/* ---- products ---- */

/* c[i,j] = sum_k a[i,k] b[k,j] accumulated in order (as a plain BLAS-free loop would);
 * float32 accumulates in float. */
static Tensor *mm2(const Tensor *a, const Tensor *b, int64_t n, int64_t k, int64_t m,
                   int64_t as0, int64_t as1, int64_t bs0, int64_t bs1, int64_t aoff, int64_t boff,
                   DType dt, Tensor *out, int64_t ooff) {
    bool f32 = dt == DTYPE_FLOAT32;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < m; j++) {
            if (dt == DTYPE_INT64 || dt == DTYPE_BOOL) {
                uint64_t s = 0;
                for (int64_t q = 0; q < k; q++)
                    s += (uint64_t)iload(a, aoff + i * as0 + q * as1) * (uint64_t)iload(b, boff + q * bs0 + j * bs1);
                tensor_store_int(out, ooff + i * m + j, dt == DTYPE_BOOL ? s != 0 : (int64_t)s);
            } else {
                double s = 0;
                for (int64_t q = 0; q < k; q++) {
                    double x = fload(a, aoff + i * as0 + q * as1), y = fload(b, boff + q * bs0 + j * bs1);
                    s = f32 ? (double)((float)s + (float)x * (float)y) : s + x * y;
                }
                tensor_store(out, ooff + i * m + j, s);
            }
        }
    return out;
}

static Tensor *matmul_impl(const Tensor *a, const Tensor *b, bool is_dot, Error *err) {
    DType dt = np_promote(a->dtype, b->dtype);
    if (a->ndim == 0 || b->ndim == 0) {
        if (!is_dot) {
            err_set(err, ERR_VALUE, "matmul: Input operand %d does not have enough dimensions "
                                    "(has 0, gufunc core with signature (n?,k),(k,m?)->(n?,m?) "
                                    "requires 1)", a->ndim == 0 ? 0 : 1);
            return NULL;
        }
        return np_binary(NP_MUL, a, b, dt, err);
    }
    if (a->ndim > 2 || b->ndim > 2) {
        if (is_dot || a->ndim != b->ndim || a->ndim != 3 || a->shape[0] != b->shape[0]) {
            err_set(err, ERR_VALUE, "embedlab's numpy supports dot/matmul of 1-d and 2-d arrays "
                                    "(and 3-d stacks of equal batch size)");
            return NULL;
        }
    }
    int64_t n, k, m, as0, as1, bs0, bs1;
    int64_t ka = a->shape[a->ndim - 1];
    int64_t kb = b->ndim == 1 ? b->shape[0] : b->shape[b->ndim - 2];
    if (ka != kb) {
        if (is_dot) {
            char s1[128], s2[128];
            shape_str(a->ndim, a->shape, s1, sizeof s1);
            shape_str(b->ndim, b->shape, s2, sizeof s2);
            err_set(err, ERR_VALUE, "shapes %s and %s not aligned: %lld (dim %d) != %lld (dim %d)",
                    s1, s2, (long long)ka, a->ndim - 1, (long long)kb, b->ndim == 1 ? 0 : b->ndim - 2);
        } else {
            err_set(err, ERR_VALUE, "matmul: Input operand 1 has a mismatch in its core dimension "
                                    "0, with gufunc signature (n?,k),(k,m?)->(n?,m?) (size %lld "
                                    "is different from %lld)", (long long)kb, (long long)ka);
        }
        return NULL;
    }
    int batch = a->ndim == 3 ? 1 : 0;
    int64_t nb = batch ? a->shape[0] : 1;
    n = a->ndim - batch == 1 ? 1 : a->shape[batch];
    as0 = a->ndim - batch == 1 ? 0 : a->stride[batch];
    as1 = a->stride[a->ndim - 1];
    k = ka;
    m = b->ndim - batch == 1 ? 1 : b->shape[b->ndim - 1];
    bs0 = b->stride[b->ndim - batch == 1 ? batch : batch];
    bs1 = b->ndim - batch == 1 ? 0 : b->stride[b->ndim - 1];
    int64_t shape[3];
    int nd = 0;
    if (batch) shape[nd++] = nb;
    if (a->ndim - batch == 2) shape[nd++] = n;
    if (b->ndim - batch == 2) shape[nd++] = m;
    Tensor *out = tensor_zeros(dt, nd, shape, err);
    if (!out) return NULL;
    for (int64_t q = 0; q < nb; q++)
        mm2(a, b, n, k, m, as0, as1, bs0, bs1, a->offset + (batch ? q * a->stride[0] : 0),
            b->offset + (batch ? q * b->stride[0] : 0), dt, out, q * n * m);
    return out;
}

Tensor *np_dot(const Tensor *a, const Tensor *b, Error *err) { return matmul_impl(a, b, true, err); }
Tensor *np_matmul(const Tensor *a, const Tensor *b, Error *err) { return matmul_impl(a, b, false, err); }

Tensor *np_norm(const Tensor *a, double ord, bool ord_given, int axis, bool keepdims, Error *err) {
    /* linalg.norm: float conversion first (ints become float64) */
    DType dt = dtype_is_floating(a->dtype) ? a->dtype : DTYPE_FLOAT64;
    Tensor *x;
    if (a->dtype == dt) {
        x = tensor_retain((Tensor *)a);
    } else { /* x.astype(float) keeps the layout (order='K') */
        x = alloc_like(a, NULL, dt, a->ndim, a->shape, err);
        if (x && np_assign(x, a, err)) {
            tensor_release(x);
            x = NULL;
        }
    }
    if (!x) return NULL;
    Tensor *r = NULL;
    if (!ord_given || (ord == 2 && (axis >= 0 || x->ndim == 1))) {
        if (axis < 0) {
            /* sqrt(dot(x.ravel(order='K'), ...)): the reference BLAS dot accumulates the
             * squares one by one, in memory order */
            int64_t len[TENSOR_MAX_DIMS], st[TENSOR_MAX_DIMS], idx[TENSOR_MAX_DIMS] = {0};
            int m = k_order_axes(a, len, st);
            int64_t n = tensor_numel(a), off = a->offset;
            double acc = 0;
            float accf = 0;
            for (int64_t i = 0; i < n; i++) {
                double v = fload(a, off);
                if (dt == DTYPE_FLOAT32) accf += (float)v * (float)v;
                else acc += v * v;
                k_order_next(m, len, st, idx, &off);
            }
            double s = dt == DTYPE_FLOAT32 ? (double)sqrtf(accf) : sqrt(acc);
            int64_t shape[TENSOR_MAX_DIMS];
            int nd = 0;
            if (keepdims)
                for (int d = 0; d < x->ndim; d++) shape[nd++] = 1;
            r = tensor_zeros(dt, nd, shape, err);
            if (r) tensor_set(r, 0, s);
        } else {
            Tensor *sq = np_binary(NP_MUL, x, x, dt, err);
            if (sq) r = np_sum(sq, axis, keepdims, dt, err);
            tensor_release(sq);
            if (r) {
                Tensor *q = np_unary(NP_SQRT, r, err);
                tensor_release(r);
                r = q;
            }
        }
    } else if (isinf(ord) || ord == 1) {
        Tensor *ab = np_unary(NP_ABS, x, err);
        if (ab) r = ord == 1 ? np_sum(ab, axis, keepdims, dt, err)
                             : np_reduce(ord > 0 ? NP_MAX : NP_MIN, ab, axis, keepdims, err);
        tensor_release(ab);
    } else {
        err_set(err, ERR_VALUE, "embedlab's numpy supports norm ord None, 1, 2 and inf");
    }
    tensor_release(x);
    return r;
}

Tensor *np_cumsum(const Tensor *a, int axis, Error *err) {
    DType dt = a->dtype == DTYPE_BOOL ? DTYPE_INT64 : a->dtype;
    if (axis < 0) {
        int64_t n = tensor_numel(a);
        Tensor *out = tensor_zeros(dt, 1, &n, err);
        if (!out) return NULL;
        double s = 0;
        uint64_t si = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t off = tensor_flat_offset(a, i);
            if (dtype_is_floating(dt)) {
                double v = fload(a, off);
                s = dt == DTYPE_FLOAT32 ? (double)((float)s + (float)v) : s + v;
                tensor_store(out, i, s);
            } else {
                si += (uint64_t)iload(a, off);
                tensor_store_int(out, i, (int64_t)si);
            }
        }
        return out;
    }
    Tensor *out = np_copy(a, dt, err);
    if (!out) return NULL;
    int64_t inner = 1;
    for (int d = axis + 1; d < out->ndim; d++) inner *= out->shape[d];
    int64_t len = out->shape[axis], outer = tensor_numel(out) / (len ? len : 1) / (inner ? inner : 1);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++)
            for (int64_t j = 1; j < len; j++) {
                int64_t p = (o * len + j) * inner + in, q = p - inner;
                if (dtype_is_floating(dt)) {
                    double v = tensor_get(out, p) + tensor_get(out, q);
                    tensor_set(out, p, dt == DTYPE_FLOAT32 ? (float)v : v);
                } else {
                    tensor_store_int(out, p, (int64_t)((uint64_t)tensor_get_int(out, p) + (uint64_t)tensor_get_int(out, q)));
                }
            }
    return out;
}

typedef struct SortKey {
    double v;
    int64_t iv;
    int64_t i;
    bool fl;
} SortKey;

static int key_less(const SortKey *x, const SortKey *y) {
    if (x->fl) {
        if (isnan(x->v)) return 0;
        if (isnan(y->v)) return 1;
        return x->v < y->v;
    }
    return x->iv < y->iv;
}

/* stable merge sort */
static void msort(SortKey *k, SortKey *tmp, int64_t n) {
    if (n < 2) return;
    int64_t h = n / 2;
    msort(k, tmp, h);
    msort(k + h, tmp, n - h);
    int64_t i = 0, j = h, o = 0;
    while (i < h && j < n) tmp[o++] = key_less(&k[j], &k[i]) ? k[j++] : k[i++];
    while (i < h) tmp[o++] = k[i++];
    while (j < n) tmp[o++] = k[j++];
    memcpy(k, tmp, (size_t)n * sizeof *k);
}

static Tensor *sort_impl(const Tensor *a, bool args, Error *err) {
    if (a->ndim == 0) {
        err_set(err, ERR_VALUE, "Cannot sort a 0-d array");
        return NULL;
    }
    Tensor *c = np_copy(a, a->dtype, err);
    if (!c) return NULL;
    Tensor *out = args ? tensor_zeros(DTYPE_INT64, a->ndim, a->shape, err) : c;
    if (!out) {
        tensor_release(c);
        return NULL;
    }
    int64_t len = a->shape[a->ndim - 1], rows = len ? tensor_numel(a) / len : 0;
    SortKey *k = mem_alloc((size_t)(len ? len : 1) * 2 * sizeof *k, err);
    if (!k) {
        if (args) tensor_release(out);
        tensor_release(c);
        return NULL;
    }
    bool fl = dtype_is_floating(a->dtype);
    for (int64_t r = 0; r < rows; r++) {
        for (int64_t j = 0; j < len; j++) {
            k[j].fl = fl;
            k[j].i = j;
            if (fl) k[j].v = tensor_get(c, r * len + j);
            else k[j].iv = tensor_get_int(c, r * len + j);
        }
        msort(k, k + len, len);
        for (int64_t j = 0; j < len; j++) {
            if (args) tensor_store_int(out, r * len + j, k[j].i);
            else if (fl) tensor_set(c, r * len + j, k[j].v);
            else tensor_store_int(c, r * len + j, k[j].iv);
        }
    }
    mem_free(k);
    if (args) tensor_release(c);
    return out;
}

Tensor *np_argsort(const Tensor *a, Error *err) { return sort_impl(a, true, err); }
Tensor *np_sort(const Tensor *a, Error *err) { return sort_impl(a, false, err); }

Tensor *np_concatenate(Tensor *const *arrays, int n, int axis, Error *err) {
    if (n == 0) {
        set_err(err, ERR_VALUE, "need at least one array to concatenate");
        return NULL;
    }
    const Tensor *f = arrays[0];
    if (f->ndim == 0) {
        set_err(err, ERR_VALUE, "zero-dimensional arrays cannot be concatenated");
        return NULL;
    }
    int ax = wrap_axis(axis, f->ndim, err);
    if (ax < 0) return NULL;
    DType dt = f->dtype;
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, f->shape, sizeof(int64_t) * (size_t)f->ndim);
    shape[ax] = 0;
    for (int i = 0; i < n; i++) {
        const Tensor *t = arrays[i];
        if (t->ndim != f->ndim) {
            err_set(err, ERR_VALUE, "all the input array dimensions except for the concatenation "
                                    "axis must match exactly, but along dimension 0, the array at "
                                    "index 0 has size %lld and the array at index %d has size %lld",
                    (long long)f->shape[0], i, (long long)(t->ndim ? t->shape[0] : 0));
            return NULL;
        }
        for (int d = 0; d < f->ndim; d++)
            if (d != ax && t->shape[d] != f->shape[d]) {
                err_set(err, ERR_VALUE, "all the input array dimensions except for the "
                                        "concatenation axis must match exactly, but along dimension "
                                        "%d, the array at index 0 has size %lld and the array at "
                                        "index %d has size %lld",
                        d, (long long)f->shape[d], i, (long long)t->shape[d]);
                return NULL;
            }
        shape[ax] += t->shape[ax];
        if (i) dt = np_promote(dt, t->dtype);
    }
    Tensor *out = tensor_zeros(dt, f->ndim, shape, err);
    if (!out) return NULL;
    int64_t pos = 0;
    for (int i = 0; i < n; i++) {
        Tensor *view = tensor_slice(out, ax, true, pos, true, pos + arrays[i]->shape[ax], 1, err);
        if (!view || np_assign(view, arrays[i], err)) {
            tensor_release(view);
            tensor_release(out);
            return NULL;
        }
        tensor_release(view);
        pos += arrays[i]->shape[ax];
    }
    return out;
}
