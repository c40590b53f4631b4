/*
 * src/core/tensor_math.c — elementwise math with broadcasting and PyTorch 1.13's type
 * promotion, unary ops, clamp, where, equal, allclose. matmul lives in tensor_linalg.c.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Arithmetic is done in the common dtype as ATen's CPU kernels do: float32 operands are
 * combined in float (not in double and rounded), with the float libm functions (expf,
 * logf, ...) where ATen's scalar code calls std::exp & co. on floats.
 */
#include "core/tensor_math.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/kernels_f32.h"
#include "core/mem.h"
#include "core/vmath.h"

static const char *const binary_op_names[BINARY_OP_COUNT] = {
#define BINARY_OP_NAME(e, name) name,
    BINARY_OP_LIST(BINARY_OP_NAME)
#undef BINARY_OP_NAME
};

static const char *const unary_op_names[UNARY_OP_COUNT] = {
#define UNARY_OP_NAME(e, name) name,
    UNARY_OP_LIST(UNARY_OP_NAME)
#undef UNARY_OP_NAME
};

const char *binary_op_name(BinaryOp op) { return binary_op_names[op]; }
const char *unary_op_name(UnaryOp op) { return unary_op_names[op]; }

/* ---- type promotion ---- */

DType dtype_promote(DType a, DType b) { return a > b ? a : b; }

#define DTYPE_UNDEFINED (-1)

static int promote_skip_undefined(int a, int b) {
    if (a == DTYPE_UNDEFINED) return b;
    if (b == DTYPE_UNDEFINED) return a;
    return (int)dtype_promote((DType)a, (DType)b);
}

/* ATen's combine_categories: the higher-priority class wins unless the lower one is of a
 * higher category (bool < integral < floating). */
static int combine_categories(int higher, int lower) {
    if (higher != DTYPE_UNDEFINED && dtype_is_floating((DType)higher)) return higher;
    if (higher == DTYPE_BOOL || (lower != DTYPE_UNDEFINED && dtype_is_floating((DType)lower)))
        return promote_skip_undefined(higher, lower);
    if (higher != DTYPE_UNDEFINED) return higher;
    return lower;
}

typedef struct ResultState {
    int dim, zero, wrapped; /* DTYPE_UNDEFINED or a DType */
} ResultState;

static void result_state_update(ResultState *s, const Tensor *t) {
    int cur = (int)t->dtype;
    if (t->wrapped_number && dtype_is_floating(t->dtype)) cur = DTYPE_FLOAT32;
    if (t->ndim > 0) s->dim = promote_skip_undefined(s->dim, cur);
    else if (t->wrapped_number) s->wrapped = promote_skip_undefined(s->wrapped, cur);
    else s->zero = promote_skip_undefined(s->zero, cur);
}

static DType result_state_get(const ResultState *s) {
    int r = combine_categories(s->dim, combine_categories(s->zero, s->wrapped));
    return r == DTYPE_UNDEFINED ? DTYPE_FLOAT32 : (DType)r;
}

DType tensor_result_type(const Tensor *a, const Tensor *b) {
    ResultState s = {DTYPE_UNDEFINED, DTYPE_UNDEFINED, DTYPE_UNDEFINED};
    result_state_update(&s, a);
    if (b) result_state_update(&s, b);
    return result_state_get(&s);
}

DType tensor_result_type3(const Tensor *a, const Tensor *b, const Tensor *c) {
    ResultState s = {DTYPE_UNDEFINED, DTYPE_UNDEFINED, DTYPE_UNDEFINED};
    result_state_update(&s, a);
    if (b) result_state_update(&s, b);
    if (c) result_state_update(&s, c);
    return result_state_get(&s);
}

/* c10::canCast: no floating → integral/bool, no integral → bool. */
bool dtype_can_cast(DType from, DType to) {
    if (dtype_is_floating(from) && !dtype_is_floating(to)) return false;
    if (from != DTYPE_BOOL && to == DTYPE_BOOL) return false;
    return true;
}

static int cast_error(Error *err, DType from, DType to) {
    return err_set(err, ERR_RUNTIME, "result type %s can't be cast to the desired output type %s",
                   dtype_scalar_name(from), dtype_scalar_name(to));
}

static int not_implemented(Error *err, const char *kernel, DType dt) {
    return err_set(err, ERR_RUNTIME, "\"%s\" not implemented for '%s'", kernel,
                   dtype_scalar_name(dt));
}

/* ---- broadcasting and iteration ---- */

int tensor_broadcast_shapes(int na, const int64_t *sa, int nb, const int64_t *sb, int *nout,
                            int64_t *out, Error *err) {
    int n = na > nb ? na : nb;
    for (int i = n - 1; i >= 0; i--) {
        int ia = i - (n - na), ib = i - (n - nb);
        int64_t a = ia >= 0 ? sa[ia] : 1;
        int64_t b = ib >= 0 ? sb[ib] : 1;
        if (a != b && a != 1 && b != 1)
            return err_set(err, ERR_RUNTIME,
                           "The size of tensor a (%lld) must match the size of tensor b (%lld) at "
                           "non-singleton dimension %d",
                           (long long)a, (long long)b, i);
        out[i] = a == 1 ? b : a;
    }
    *nout = n;
    return ERR_OK;
}

#define ITER_MAX_OPS 4

/* Walks a broadcast shape in row-major order, keeping each operand's storage offset. */
typedef struct NdIter {
    int ndim, nops;
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t idx[TENSOR_MAX_DIMS];
    int64_t stride[ITER_MAX_OPS][TENSOR_MAX_DIMS];
    int64_t off[ITER_MAX_OPS];
} NdIter;

static void nditer_init(NdIter *it, int ndim, const int64_t *shape, int nops,
                        const Tensor *const *ops) {
    it->ndim = ndim;
    it->nops = nops;
    for (int d = 0; d < ndim; d++) {
        it->shape[d] = shape[d];
        it->idx[d] = 0;
    }
    for (int k = 0; k < nops; k++) {
        const Tensor *t = ops[k];
        it->off[k] = t->offset;
        for (int d = 0; d < ndim; d++) {
            int td = d - (ndim - t->ndim);
            it->stride[k][d] = (td >= 0 && t->shape[td] != 1) ? t->stride[td] : 0;
        }
    }
}

static inline void nditer_next(NdIter *it) {
    for (int d = it->ndim - 1; d >= 0; d--) {
        it->idx[d]++;
        for (int k = 0; k < it->nops; k++) it->off[k] += it->stride[k][d];
        if (it->idx[d] < it->shape[d]) return;
        for (int k = 0; k < it->nops; k++) it->off[k] -= it->stride[k][d] * it->shape[d];
        it->idx[d] = 0;
    }
}

static int64_t shape_numel(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    return n;
}

/* True when t's elements tile memory densely (some permutation of dims is contiguous). */
static bool dense_layout(const Tensor *t) {
    int perm[TENSOR_MAX_DIMS], n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] == 0) return true;
        if (t->shape[i] != 1) perm[n++] = i;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && t->stride[perm[j - 1]] > t->stride[perm[j]]; j--) {
            int tmp = perm[j];
            perm[j] = perm[j - 1];
            perm[j - 1] = tmp;
        }
    int64_t expected = 1;
    for (int i = 0; i < n; i++) {
        if (t->stride[perm[i]] != expected) return false;
        expected *= t->shape[perm[i]];
    }
    return true;
}

/* A zero-filled result of `shape` laid out as TensorIterator would: following the memory
 * order of the first operand that has exactly that shape (so `x.t() + 1` is transposed
 * like x.t()), contiguous when none has. */
static Tensor *new_result(DType dt, int ndim, const int64_t *shape, int nops,
                          const Tensor *const *ops, Error *err) {
    for (int k = 0; k < nops; k++) {
        const Tensor *t = ops[k];
        if (!t || t->ndim != ndim) continue;
        bool same = true;
        for (int d = 0; d < ndim; d++) same = same && t->shape[d] == shape[d];
        if (same) return tensor_empty_like(t, dt, err);
    }
    return tensor_zeros(dt, ndim, shape, err);
}

/* True when a and b have the same shape and strides and tile memory densely. */
static bool same_dense_layout(const Tensor *a, const Tensor *b) {
    if (!tensor_same_shape(a, b) || !dense_layout(a)) return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != 1 && a->stride[d] != b->stride[d]) return false;
    return true;
}

/* Storage offset of the lowest-addressed element of a dense tensor. */
static int64_t dense_start(const Tensor *t) {
    int64_t off = t->offset;
    for (int d = 0; d < t->ndim; d++)
        if (t->stride[d] < 0 && t->shape[d] > 0) off += t->stride[d] * (t->shape[d] - 1);
    return off;
}

/* ---- element loads in a compute dtype ---- */

static inline float ld_f32(const Tensor *t, int64_t off) {
    const void *p = t->storage->data;
    switch (t->dtype) {
    case DTYPE_BOOL: return ((const uint8_t *)p)[off] ? 1.0f : 0.0f;
    case DTYPE_INT32: return (float)((const int32_t *)p)[off];
    case DTYPE_INT64: return (float)((const int64_t *)p)[off];
    case DTYPE_FLOAT32: return ((const float *)p)[off];
    default: return (float)((const double *)p)[off];
    }
}

static inline double ld_f64(const Tensor *t, int64_t off) { return tensor_load(t, off); }
static inline int64_t ld_i64(const Tensor *t, int64_t off) { return tensor_load_int(t, off); }

static inline void st_f32(Tensor *t, int64_t off, float v) {
    if (t->dtype == DTYPE_FLOAT32) ((float *)t->storage->data)[off] = v;
    else tensor_store(t, off, (double)v);
}

static inline void st_i64(Tensor *t, int64_t off, int64_t v) { tensor_store_int(t, off, v); }

/* ---- binary kernels ---- */

static inline int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static inline int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

/* c10's powi: integer power; negative exponents give 0 except for bases 1 and -1. */
static int64_t powi(int64_t a, int64_t b) {
    if (b < 0) {
        if (a == 1) return 1;
        if (a == -1) return (b % 2) ? -1 : 1;
        return 0;
    }
    int64_t r = 1;
    while (b) {
        if (b & 1) r = wrap_mul(r, a);
        b /= 2;
        a = wrap_mul(a, a);
    }
    return r;
}

static int64_t floordiv_i64(int64_t a, int64_t b) {
    if (a == INT64_MIN && b == -1) return INT64_MIN;
    if ((a < 0) != (b < 0)) {
        int64_t q = a / b, r = a % b;
        return r ? q - 1 : q;
    }
    return a / b;
}

static int64_t remainder_i64(int64_t a, int64_t b) {
    if (b == -1) return 0;
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}

/* c10::div_floor_floating, instantiated for float and double. */
#define DEFINE_FLOORDIV(NAME, T, FMOD, FLOOR)                  \
    static T NAME(T a, T b) {                                  \
        if (b == 0) return a / b;                              \
        T mod = FMOD(a, b);                                    \
        T div = (a - mod) / b;                                 \
        if (mod != 0 && (b < 0) != (mod < 0)) div -= (T)1;     \
        T fd;                                                  \
        if (div != 0) {                                        \
            fd = FLOOR(div);                                   \
            if (div - fd > (T)0.5) fd += (T)1;                 \
        } else {                                               \
            fd = copysign((T)0, a / b);                        \
        }                                                      \
        return fd;                                             \
    }
DEFINE_FLOORDIV(floordiv_f32, float, fmodf, floorf)
DEFINE_FLOORDIV(floordiv_f64, double, fmod, floor)

#define DEFINE_REMAINDER(NAME, T, FMOD)                        \
    static T NAME(T a, T b) {                                  \
        T mod = FMOD(a, b);                                    \
        if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;      \
        return mod;                                            \
    }
DEFINE_REMAINDER(remainder_f32, float, fmodf)
DEFINE_REMAINDER(remainder_f64, double, fmod)

static bool is_comparison(BinaryOp op) { return op >= BIN_EQ && op <= BIN_GE; }

static float bin_f32(BinaryOp op, float a, float b) {
    switch (op) {
    case BIN_ADD: return a + b;
    case BIN_SUB: return a - b;
    case BIN_MUL: return a * b;
    case BIN_DIV: return a / b;
    case BIN_FLOOR_DIV: return floordiv_f32(a, b);
    case BIN_REMAINDER: return remainder_f32(a, b);
    case BIN_POW: return powf(a, b);
    case BIN_MAXIMUM: return (isnan(a) || isnan(b)) ? NAN : (a > b ? a : b);
    case BIN_MINIMUM: return (isnan(a) || isnan(b)) ? NAN : (a < b ? a : b);
    default: return 0.0f;
    }
}

static double bin_f64(BinaryOp op, double a, double b) {
    switch (op) {
    case BIN_ADD: return a + b;
    case BIN_SUB: return a - b;
    case BIN_MUL: return a * b;
    case BIN_DIV: return a / b;
    case BIN_FLOOR_DIV: return floordiv_f64(a, b);
    case BIN_REMAINDER: return remainder_f64(a, b);
    case BIN_POW: return pow(a, b);
    case BIN_MAXIMUM: return (isnan(a) || isnan(b)) ? NAN : (a > b ? a : b);
    case BIN_MINIMUM: return (isnan(a) || isnan(b)) ? NAN : (a < b ? a : b);
    default: return 0.0;
    }
}

/* Integer (and bool, as 0/1) arithmetic; division by zero is checked before. */
static int64_t bin_i64(BinaryOp op, int64_t a, int64_t b, bool is_bool) {
    switch (op) {
    case BIN_ADD: return is_bool ? (a || b) : wrap_add(a, b);
    case BIN_SUB: return wrap_sub(a, b);
    case BIN_MUL: return is_bool ? (a && b) : wrap_mul(a, b);
    case BIN_FLOOR_DIV: return floordiv_i64(a, b);
    case BIN_REMAINDER: return remainder_i64(a, b);
    case BIN_POW: return powi(a, b);
    case BIN_AND: return a & b;
    case BIN_OR: return a | b;
    case BIN_XOR: return a ^ b;
    case BIN_MAXIMUM: return a > b ? a : b;
    case BIN_MINIMUM: return a < b ? a : b;
    default: return 0;
    }
}

static bool cmp_f64(BinaryOp op, double a, double b) {
    switch (op) {
    case BIN_EQ: return a == b;
    case BIN_NE: return a != b;
    case BIN_LT: return a < b;
    case BIN_LE: return a <= b;
    case BIN_GT: return a > b;
    default: return a >= b;
    }
}

static bool cmp_i64(BinaryOp op, int64_t a, int64_t b) {
    switch (op) {
    case BIN_EQ: return a == b;
    case BIN_NE: return a != b;
    case BIN_LT: return a < b;
    case BIN_LE: return a <= b;
    case BIN_GT: return a > b;
    default: return a >= b;
    }
}

/* pow(float tensor, Python number) as ATen's pow_tensor_scalar_optimized_kernel: the
 * exponents 2, 3, -2, 0.5, -0.5, -1 have dedicated kernels; others call std::pow(float,
 * double), i.e. pow in double rounded to float. */
static float pow_scalar_f32(float x, double e) {
    if (e == 2.0) return x * x;
    if (e == 3.0) return x * x * x;
    if (e == -2.0) return 1.0f / (x * x);
    if (e == 0.5) return sqrtf(x);
    if (e == -0.5) return 1.0f / sqrtf(x);
    if (e == -1.0) return 1.0f / x;
    return (float)pow((double)x, e);
}

static double pow_scalar_f64(double x, double e) {
    if (e == 2.0) return x * x;
    if (e == 3.0) return x * x * x;
    if (e == -2.0) return 1.0 / (x * x);
    if (e == 0.5) return sqrt(x);
    if (e == -0.5) return 1.0 / sqrt(x);
    if (e == -1.0) return 1.0 / x;
    return pow(x, e);
}

/* float32 pow over operands that TensorIterator would walk as one contiguous run: ATen's
 * cpu_kernel_vec computes the first n - n % 16 elements with Sleef_powf8_u10 and the rest
 * with std::pow (pow(float, double) for a Python-number exponent, powf otherwise).
 * Returns false (nothing done) for other layouts, which ATen computes with std::pow. */
static bool pow_f32_vectorized(const Tensor *a, const Tensor *b, bool scalar_exp, double e,
                               Tensor *out) {
    if (!same_dense_layout(a, out)) return false;
    if (!scalar_exp && tensor_numel(b) != 1 && !same_dense_layout(b, out)) return false;
    if (scalar_exp && (e == 2.0 || e == 3.0 || e == -2.0 || e == 0.5 || e == -0.5 || e == -1.0))
        return false; /* dedicated kernels, same in both paths */
    int64_t n = tensor_numel(out), vec_end = n - n % 16;
    int64_t ao = dense_start(a), oo = dense_start(out);
    int64_t bo = scalar_exp || tensor_numel(b) == 1 ? -1 : dense_start(b);
    float bs = scalar_exp ? (float)e : ld_f32(b, tensor_flat_offset(b, 0));
    float *o = (float *)out->storage->data + oo;
    for (int64_t i = 0; i < n; i++) {
        float x = ld_f32(a, ao + i), y = bo < 0 ? bs : ld_f32(b, bo + i);
        if (i < vec_end) o[i] = vmath_powf(x, y);
        else o[i] = scalar_exp ? (float)pow((double)x, e) : powf(x, y);
    }
    return true;
}

/* Fills out (already allocated with the broadcast shape) with a <op> b computed in
 * `compute`. scalar_exp: b is a Python number exponent of pow. */
static void binary_kernel(BinaryOp op, const Tensor *a, const Tensor *b, DType compute,
                          bool scalar_exp, Tensor *out) {
    int64_t n = tensor_numel(out);
    if (n == 0) return;
    /* fast path: contiguous float32 operands of the same shape, or a scalar operand */
    if (compute == DTYPE_FLOAT32 && out->dtype == DTYPE_FLOAT32 && !scalar_exp &&
        tensor_is_contiguous(out) && op <= BIN_DIV) {
        bool a_full = a->dtype == DTYPE_FLOAT32 && tensor_is_contiguous(a) &&
                      tensor_numel(a) == n && tensor_same_shape(a, out);
        bool b_full = b->dtype == DTYPE_FLOAT32 && tensor_is_contiguous(b) &&
                      tensor_numel(b) == n && tensor_same_shape(b, out);
        bool a_one = tensor_numel(a) == 1, b_one = tensor_numel(b) == 1;
        if ((a_full || a_one) && (b_full || b_one)) {
            float *o = (float *)out->storage->data + out->offset;
            const float *pa = a_full ? (const float *)a->storage->data + a->offset : NULL;
            const float *pb = b_full ? (const float *)b->storage->data + b->offset : NULL;
            float sa = a_one ? ld_f32(a, tensor_flat_offset(a, 0)) : 0.0f;
            float sb = b_one ? ld_f32(b, tensor_flat_offset(b, 0)) : 0.0f;
            static const Kf32Op kf32_ops[] = {[BIN_ADD] = KF32_ADD, [BIN_SUB] = KF32_SUB,
                                              [BIN_MUL] = KF32_MUL, [BIN_DIV] = KF32_DIV};
            kf32_binary(kf32_ops[op], n, pa, sa, pb, sb, o);
            return;
        }
    }
    double exp_d = scalar_exp ? tensor_load(b, b->offset) : 0.0;
    if (op == BIN_POW && compute == DTYPE_FLOAT32 && out->dtype == DTYPE_FLOAT32 &&
        pow_f32_vectorized(a, b, scalar_exp, exp_d, out))
        return;
    const Tensor *ops[3] = {out, a, b};
    NdIter it;
    nditer_init(&it, out->ndim, out->shape, 3, ops);
    bool cmp = is_comparison(op);
    for (int64_t i = 0; i < n; i++, nditer_next(&it)) {
        int64_t oo = it.off[0], ao = it.off[1], bo = it.off[2];
        if (compute == DTYPE_FLOAT32) {
            float x = ld_f32(a, ao);
            if (cmp) st_i64(out, oo, cmp_f64(op, x, ld_f32(b, bo)));
            else if (scalar_exp) st_f32(out, oo, pow_scalar_f32(x, exp_d));
            else st_f32(out, oo, bin_f32(op, x, ld_f32(b, bo)));
        } else if (compute == DTYPE_FLOAT64) {
            double x = ld_f64(a, ao);
            if (cmp) st_i64(out, oo, cmp_f64(op, x, ld_f64(b, bo)));
            else if (scalar_exp) tensor_store(out, oo, pow_scalar_f64(x, exp_d));
            else tensor_store(out, oo, bin_f64(op, x, ld_f64(b, bo)));
        } else {
            int64_t x = ld_i64(a, ao), y = ld_i64(b, bo);
            if (cmp) st_i64(out, oo, cmp_i64(op, x, y));
            else st_i64(out, oo, bin_i64(op, x, y, compute == DTYPE_BOOL));
        }
    }
}

/* True when any element of t (read as int64) is zero. */
static bool has_zero(const Tensor *t) {
    int64_t n = tensor_numel(t);
    for (int64_t i = 0; i < n; i++)
        if (tensor_get_int(t, i) == 0) return true;
    return false;
}

/* Checks made before broadcasting (ATen's meta functions): bool subtraction and integer
 * negative powers. */
static int binary_prechecks(BinaryOp op, const Tensor *a, const Tensor *b, Error *err) {
    if (op == BIN_SUB) {
        if (a->dtype == DTYPE_BOOL && b->dtype == DTYPE_BOOL)
            return err_set(err, ERR_RUNTIME,
                           "Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.");
        if (a->dtype == DTYPE_BOOL || b->dtype == DTYPE_BOOL)
            return err_set(err, ERR_RUNTIME,
                           "Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.");
    }
    if (op == BIN_POW && b->wrapped_number && !dtype_is_floating(a->dtype) &&
        !dtype_is_floating(b->dtype) && tensor_load(b, b->offset) < 0)
        return err_set(err, ERR_RUNTIME, "Integers to negative integer powers are not allowed.");
    return ERR_OK;
}

/* Works out the compute and result dtypes of a <op> b, or fails with the kernel's
 * "not implemented" message as torch. */
static int binary_dtypes(BinaryOp op, const Tensor *a, const Tensor *b, DType *compute,
                         DType *result, Error *err) {
    DType common = tensor_result_type(a, b);
    switch (op) {
    case BIN_DIV:
        if (!dtype_is_floating(common)) common = DTYPE_FLOAT32;
        break;
    case BIN_FLOOR_DIV:
        if (common == DTYPE_BOOL) return not_implemented(err, "div_floor_cpu", common);
        break;
    case BIN_REMAINDER:
        if (common == DTYPE_BOOL) return not_implemented(err, "remainder_cpu", common);
        break;
    case BIN_POW:
        if (common == DTYPE_BOOL) return not_implemented(err, "pow", common);
        break;
    case BIN_AND:
    case BIN_OR:
    case BIN_XOR:
        if (dtype_is_floating(common)) {
            char kernel[32];
            snprintf(kernel, sizeof kernel, "%s_cpu", binary_op_names[op]);
            return not_implemented(err, kernel, common);
        }
        break;
    default: break;
    }
    *compute = common;
    *result = is_comparison(op) ? DTYPE_BOOL : common;
    return ERR_OK;
}

static int check_zero_division(BinaryOp op, DType compute, const Tensor *b, Error *err) {
    if ((op == BIN_FLOOR_DIV || op == BIN_REMAINDER) && !dtype_is_floating(compute) &&
        has_zero(b))
        return err_set(err, ERR_RUNTIME, "ZeroDivisionError");
    return ERR_OK;
}

/* The status to return after a failed call that filled err (err may be NULL). */
static int status_of(const Error *err, int fallback) {
    return err && err->code != ERR_OK ? (int)err->code : fallback;
}

Tensor *tensor_binary(BinaryOp op, const Tensor *a, const Tensor *b, Error *err) {
    if (binary_prechecks(op, a, b, err) != ERR_OK) return NULL;
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (tensor_broadcast_shapes(a->ndim, a->shape, b->ndim, b->shape, &ndim, shape, err))
        return NULL;
    DType compute, result;
    if (binary_dtypes(op, a, b, &compute, &result, err) != ERR_OK) return NULL;
    if (check_zero_division(op, compute, b, err) != ERR_OK) return NULL;
    bool scalar_exp = op == BIN_POW && b->wrapped_number && dtype_is_floating(compute);
    const Tensor *ops[2] = {a, b};
    Tensor *out = new_result(result, ndim, shape, 2, ops, err);
    if (!out) return NULL;
    double e = scalar_exp ? tensor_load(b, b->offset) : 0.0;
    if (scalar_exp && e == 1.0) { /* ATen: out.copy_(base) */
        if (tensor_copy_(out, a, err) != ERR_OK) {
            tensor_release(out);
            return NULL;
        }
        return out;
    }
    if (scalar_exp && e == 0.0) { /* ATen: out.fill_(1) */
        tensor_fill_(out, 1.0, err);
        return out;
    }
    binary_kernel(op, a, b, compute, scalar_exp, out);
    return out;
}

/* Whether an elementwise operation can write its result into a while reading b: b lives
 * in other memory, in memory of a's storage that a does not use, or is exactly a. */
static bool reads_before_writes(const Tensor *a, const Tensor *b) {
    if (b->storage != a->storage) return true;
    TensorOverlap o = tensor_overlap(a, b);
    return o == OVERLAP_NO || o == OVERLAP_FULL;
}

int tensor_binary_(BinaryOp op, Tensor *a, const Tensor *b, Error *err) {
    if (binary_prechecks(op, a, b, err) != ERR_OK) return status_of(err, ERR_RUNTIME);
    if (tensor_check_writable(a, b, err) != ERR_OK) return status_of(err, ERR_RUNTIME);
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (tensor_broadcast_shapes(a->ndim, a->shape, b->ndim, b->shape, &ndim, shape, err))
        return status_of(err, ERR_RUNTIME);
    bool same = ndim == a->ndim;
    for (int d = 0; same && d < ndim; d++) same = shape[d] == a->shape[d];
    if (!same) {
        char s1[256], s2[256];
        tensor_shape_str(a->ndim, a->shape, s1, sizeof s1);
        tensor_shape_str(ndim, shape, s2, sizeof s2);
        return err_set(err, ERR_RUNTIME, "output with shape %s doesn't match the broadcast shape %s",
                       s1, s2);
    }
    DType compute, result;
    if (binary_dtypes(op, a, b, &compute, &result, err) != ERR_OK)
        return status_of(err, ERR_RUNTIME);
    if (!is_comparison(op) && !dtype_can_cast(result, a->dtype))
        return cast_error(err, result, a->dtype);
    bool scalar_exp = op == BIN_POW && b->wrapped_number && dtype_is_floating(compute);
    if (!is_comparison(op) && !scalar_exp && result == a->dtype && tensor_is_contiguous(a) &&
        reads_before_writes(a, b)) {
        /* a is the output: each element is read (from a and b) before it is written */
        if (check_zero_division(op, compute, b, err) != ERR_OK)
            return status_of(err, ERR_RUNTIME);
        binary_kernel(op, a, b, compute, false, a);
        tensor_bump_version(a);
        return ERR_OK;
    }
    /* compute into a temporary (b overlaps a), then copy into a */
    Tensor *tmp = tensor_binary(op, a, b, err);
    if (!tmp) return status_of(err, ERR_MEMORY);
    int rc = tensor_copy_(a, tmp, err);
    tensor_release(tmp);
    return rc;
}

/* ---- unary ops ---- */

static bool unary_float_only(UnaryOp op) {
    switch (op) {
    case UN_SQRT: case UN_RSQRT: case UN_EXP: case UN_LOG: case UN_LOG1P: case UN_SIN:
    case UN_COS: case UN_TANH: case UN_SIGMOID: case UN_RECIPROCAL:
        return true;
    default: return false;
    }
}

/* Result dtype of op on dtype dt, or an error as torch. */
static int unary_dtype(UnaryOp op, DType dt, DType *out, Error *err) {
    *out = dt;
    switch (op) {
    case UN_NEG:
        if (dt == DTYPE_BOOL)
            return err_set(err, ERR_RUNTIME,
                           "Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.");
        break;
    case UN_ABS:
        if (dt == DTYPE_BOOL) return not_implemented(err, "abs_cpu", dt);
        break;
    case UN_RELU:
        if (dt == DTYPE_BOOL) return err_set(err, ERR_RUNTIME, "Boolean inputs not supported for relu");
        break;
    case UN_FLOOR: case UN_CEIL: case UN_ROUND: case UN_TRUNC:
        if (dt == DTYPE_BOOL) {
            char kernel[32];
            snprintf(kernel, sizeof kernel, "%s_vml_cpu", unary_op_names[op]);
            return not_implemented(err, kernel, dt);
        }
        break;
    case UN_SQUARE:
        if (dt == DTYPE_BOOL) *out = DTYPE_INT64;
        break;
    case UN_BITWISE_NOT:
        if (dtype_is_floating(dt)) return not_implemented(err, "bitwise_not_cpu", dt);
        break;
    case UN_LOGICAL_NOT: case UN_ISNAN: case UN_ISINF: case UN_ISFINITE:
        *out = DTYPE_BOOL;
        break;
    default:
        if (unary_float_only(op) && !dtype_is_floating(dt)) *out = DTYPE_FLOAT32;
        break;
    }
    return ERR_OK;
}

static float un_f32(UnaryOp op, float x) {
    switch (op) {
    case UN_NEG: return -x;
    case UN_ABS: return fabsf(x);
    case UN_SQRT: return sqrtf(x);
    case UN_RSQRT: return 1.0f / sqrtf(x);
    case UN_EXP: return vmath_expf(x);
    case UN_LOG: return vmath_logf(x);
    case UN_LOG1P: return vmath_log1pf(x);
    case UN_SIN: return vmath_sinf(x);
    case UN_COS: return vmath_cosf(x);
    case UN_TANH: return vmath_tanhf(x);
    case UN_SIGMOID: return 1.0f / (1.0f + expf(-x)); /* ATen's scalar path */
    case UN_RELU: return x < 0.0f ? 0.0f : x; /* max_ps(0, x): keeps -0.0 and NaN */
    case UN_FLOOR: return floorf(x);
    case UN_CEIL: return ceilf(x);
    case UN_ROUND: return nearbyintf(x);
    case UN_TRUNC: return truncf(x);
    case UN_SIGN: return (float)((0.0f < x) - (x < 0.0f));
    case UN_RECIPROCAL: return 1.0f / x;
    case UN_SQUARE: return x * x;
    default: return x;
    }
}

static double un_f64(UnaryOp op, double x) {
    switch (op) {
    case UN_NEG: return -x;
    case UN_ABS: return fabs(x);
    case UN_SQRT: return sqrt(x);
    case UN_RSQRT: return 1.0 / sqrt(x);
    case UN_EXP: return exp(x);
    case UN_LOG: return log(x);
    case UN_LOG1P: return log1p(x);
    case UN_SIN: return sin(x);
    case UN_COS: return cos(x);
    case UN_TANH: return tanh(x);
    case UN_SIGMOID: return 1.0 / (1.0 + exp(-x));
    case UN_RELU: return x < 0.0 ? 0.0 : x;
    case UN_FLOOR: return floor(x);
    case UN_CEIL: return ceil(x);
    case UN_ROUND: return nearbyint(x);
    case UN_TRUNC: return trunc(x);
    case UN_SIGN: return (double)((0.0 < x) - (x < 0.0));
    case UN_RECIPROCAL: return 1.0 / x;
    case UN_SQUARE: return x * x;
    default: return x;
    }
}

static int64_t un_i64(UnaryOp op, int64_t x) {
    switch (op) {
    case UN_NEG: return wrap_sub(0, x);
    case UN_ABS: return x < 0 ? wrap_sub(0, x) : x;
    case UN_RELU: return x > 0 ? x : 0;
    case UN_SIGN: return (0 < x) - (x < 0);
    case UN_SQUARE: return wrap_mul(x, x);
    case UN_BITWISE_NOT: return ~x;
    default: return x;
    }
}

/* Fills out (t's shape) with op(t). */
static void unary_kernel(UnaryOp op, const Tensor *t, Tensor *out) {
    int64_t n = tensor_numel(t);
    DType dt = t->dtype;
    if (out->dtype == DTYPE_FLOAT32 && (dt == DTYPE_FLOAT32 || unary_float_only(op)) &&
        same_dense_layout(t, out)) {
        /* one pass over the memory block in memory order, as TensorIterator coalesces it
         * (an integer input is first converted to float32 with the same layout) */
        int64_t ts = dense_start(t);
        float *dst = (float *)out->storage->data + dense_start(out);
        int64_t vec_end = op == UN_SIGMOID ? n - n % 16 : 0;
        for (int64_t i = 0; i < vec_end; i++) /* ATen's vector path: Sleef exp */
            dst[i] = 1.0f / (vmath_expf(0.0f - ld_f32(t, ts + i)) + 1.0f);
        for (int64_t i = vec_end; i < n; i++) dst[i] = un_f32(op, ld_f32(t, ts + i));
        return;
    }
    const Tensor *ops[2] = {out, t};
    NdIter it;
    nditer_init(&it, t->ndim, t->shape, 2, ops);
    for (int64_t i = 0; i < n; i++, nditer_next(&it)) {
        int64_t oo = it.off[0], io = it.off[1];
        switch (op) {
        case UN_LOGICAL_NOT: st_i64(out, oo, ld_f64(t, io) == 0.0); continue;
        case UN_ISNAN: st_i64(out, oo, isnan(ld_f64(t, io))); continue;
        case UN_ISINF: st_i64(out, oo, isinf(ld_f64(t, io))); continue;
        case UN_ISFINITE: st_i64(out, oo, isfinite(ld_f64(t, io))); continue;
        default: break;
        }
        if (dt == DTYPE_BOOL && op == UN_BITWISE_NOT) st_i64(out, oo, !ld_i64(t, io));
        else if (dt == DTYPE_FLOAT64) tensor_store(out, oo, un_f64(op, ld_f64(t, io)));
        else if (dt == DTYPE_FLOAT32 || unary_float_only(op)) st_f32(out, oo, un_f32(op, ld_f32(t, io)));
        else st_i64(out, oo, un_i64(op, ld_i64(t, io)));
    }
}

Tensor *tensor_unary(UnaryOp op, const Tensor *t, Error *err) {
    DType rdt;
    if (unary_dtype(op, t->dtype, &rdt, err) != ERR_OK) return NULL;
    const Tensor *ops[1] = {t};
    Tensor *out = new_result(rdt, t->ndim, t->shape, 1, ops, err);
    if (!out) return NULL;
    unary_kernel(op, t, out);
    return out;
}

int tensor_unary_(UnaryOp op, Tensor *t, Error *err) {
    DType rdt;
    if (op == UN_ISNAN || op == UN_ISINF || op == UN_ISFINITE)
        return err_set(err, ERR_ATTRIBUTE, "'Tensor' object has no attribute '%s_'",
                       unary_op_names[op]);
    if (op == UN_SQUARE && t->dtype == DTYPE_BOOL)
        return err_set(err, ERR_RUNTIME, "Found dtype Bool but expected Long");
    if (unary_dtype(op, t->dtype, &rdt, err) != ERR_OK) return status_of(err, ERR_RUNTIME);
    if (tensor_check_writable(t, NULL, err) != ERR_OK) return status_of(err, ERR_RUNTIME);
    if (op != UN_LOGICAL_NOT && rdt != t->dtype && !dtype_can_cast(rdt, t->dtype))
        return cast_error(err, rdt, t->dtype);
    /* elementwise in place is safe when t does not overlap itself; a temporary keeps it
     * simple for every layout */
    Tensor *tmp = tensor_unary(op, t, err);
    if (!tmp) return status_of(err, ERR_MEMORY);
    int rc = tensor_copy_(t, tmp, err);
    tensor_release(tmp);
    return rc;
}

/* ---- clamp ---- */

/* The dtype name as c10's TypeMeta prints it ("long int"), used by clamp_'s message. */
static const char *dtype_cpp_name(DType dt) {
    switch (dt) {
    case DTYPE_BOOL: return "bool";
    case DTYPE_INT32: return "int";
    case DTYPE_INT64: return "long int";
    case DTYPE_FLOAT32: return "float";
    default: return "double";
    }
}

static Tensor *clamp_impl(const Tensor *t, const Tensor *min, const Tensor *max, DType *rdt,
                          Error *err) {
    if (!min && !max) {
        err_set(err, ERR_RUNTIME, "torch.clamp: At least one of 'min' or 'max' must not be None");
        return NULL;
    }
    *rdt = tensor_result_type3(t, min, max);
    if (*rdt == DTYPE_BOOL) {
        not_implemented(err, "clamp_cpu", *rdt);
        return NULL;
    }
    int ndim = t->ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    const Tensor *bounds[2] = {min, max};
    for (int k = 0; k < 2; k++)
        if (bounds[k] && tensor_broadcast_shapes(ndim, shape, bounds[k]->ndim, bounds[k]->shape,
                                                 &ndim, shape, err))
            return NULL;
    const Tensor *ops[1] = {t};
    Tensor *out = new_result(*rdt, ndim, shape, 1, ops, err);
    if (!out) return NULL;
    const Tensor *iops[4] = {out, t, min ? min : t, max ? max : t};
    NdIter it;
    nditer_init(&it, ndim, shape, 4, iops);
    int64_t n = tensor_numel(out);
    for (int64_t i = 0; i < n; i++, nditer_next(&it)) {
        if (*rdt == DTYPE_FLOAT32) {
            float x = ld_f32(t, it.off[1]);
            if (!isnan(x)) {
                if (min) {
                    float lo = ld_f32(min, it.off[2]);
                    x = isnan(lo) ? lo : (x < lo ? lo : x);
                }
                if (max) {
                    float hi = ld_f32(max, it.off[3]);
                    x = isnan(hi) ? hi : (x > hi ? hi : x);
                }
            }
            st_f32(out, it.off[0], x);
        } else if (*rdt == DTYPE_FLOAT64) {
            double x = ld_f64(t, it.off[1]);
            if (!isnan(x)) {
                if (min) {
                    double lo = ld_f64(min, it.off[2]);
                    x = isnan(lo) ? lo : (x < lo ? lo : x);
                }
                if (max) {
                    double hi = ld_f64(max, it.off[3]);
                    x = isnan(hi) ? hi : (x > hi ? hi : x);
                }
            }
            tensor_store(out, it.off[0], x);
        } else {
            int64_t x = ld_i64(t, it.off[1]);
            if (min) {
                int64_t lo = ld_i64(min, it.off[2]);
                x = x < lo ? lo : x;
            }
            if (max) {
                int64_t hi = ld_i64(max, it.off[3]);
                x = x > hi ? hi : x;
            }
            st_i64(out, it.off[0], x);
        }
    }
    return out;
}

Tensor *tensor_clamp_t(const Tensor *t, const Tensor *min, const Tensor *max, Error *err) {
    DType rdt;
    return clamp_impl(t, min, max, &rdt, err);
}

int tensor_clamp_t_(Tensor *t, const Tensor *min, const Tensor *max, Error *err) {
    if (tensor_check_writable(t, min, err) != ERR_OK || (max && tensor_check_writable(t, max, err) != ERR_OK))
        return status_of(err, ERR_RUNTIME);
    DType rdt = tensor_result_type3(t, min, max);
    if (min || max) {
        if (!dtype_can_cast(rdt, t->dtype))
            return err_set(err, ERR_RUNTIME,
                           "result type %s can't be cast to the desired output type %s",
                           dtype_scalar_name(rdt), dtype_cpp_name(t->dtype));
    }
    Tensor *tmp = clamp_impl(t, min, max, &rdt, err);
    if (!tmp) return status_of(err, ERR_MEMORY);
    int rc = tensor_copy_(t, tmp, err);
    tensor_release(tmp);
    return rc;
}

/* Wraps a clamp bound given as a double: an integral value with a bool/int64 tensor is a
 * Python int, anything else a Python float. */
static Tensor *wrap_bound(const Tensor *t, bool has, double v, Error *err, bool *fail) {
    *fail = false;
    if (!has) return NULL;
    bool as_int = !dtype_is_floating(t->dtype) && v == floor(v) && fabs(v) < 9.2e18;
    Tensor *w = tensor_wrap_number(as_int ? DTYPE_INT64 : DTYPE_FLOAT64, v, err);
    if (!w) *fail = true;
    return w;
}

Tensor *tensor_clamp(const Tensor *t, bool has_min, double min, bool has_max, double max,
                     Error *err) {
    bool f1, f2;
    Tensor *lo = wrap_bound(t, has_min, min, err, &f1);
    Tensor *hi = f1 ? NULL : wrap_bound(t, has_max, max, err, &f2);
    Tensor *out = NULL;
    if (!f1 && !f2) out = tensor_clamp_t(t, lo, hi, err);
    tensor_release(lo);
    tensor_release(hi);
    return out;
}

int tensor_clamp_(Tensor *t, bool has_min, double min, bool has_max, double max, Error *err) {
    bool f1, f2 = false;
    Tensor *lo = wrap_bound(t, has_min, min, err, &f1);
    Tensor *hi = f1 ? NULL : wrap_bound(t, has_max, max, err, &f2);
    int rc = (f1 || f2) ? ERR_MEMORY : tensor_clamp_t_(t, lo, hi, err);
    tensor_release(lo);
    tensor_release(hi);
    return rc;
}

/* ---- where ---- */

Tensor *tensor_where(const Tensor *cond, const Tensor *a, const Tensor *b, Error *err) {
    if (cond->dtype != DTYPE_BOOL) {
        err_set(err, ERR_RUNTIME,
                "where expected condition to be a boolean tensor, but got a tensor with dtype %s",
                dtype_scalar_name(cond->dtype));
        return NULL;
    }
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (tensor_broadcast_shapes(cond->ndim, cond->shape, a->ndim, a->shape, &ndim, shape, err) ||
        tensor_broadcast_shapes(ndim, shape, b->ndim, b->shape, &ndim, shape, err))
        return NULL;
    DType rdt = tensor_result_type(a, b);
    const Tensor *lay[3] = {cond, a, b};
    Tensor *out = new_result(rdt, ndim, shape, 3, lay, err);
    if (!out) return NULL;
    const Tensor *ops[4] = {out, cond, a, b};
    NdIter it;
    nditer_init(&it, ndim, shape, 4, ops);
    int64_t n = tensor_numel(out);
    for (int64_t i = 0; i < n; i++, nditer_next(&it)) {
        const Tensor *src = ld_i64(cond, it.off[1]) ? a : b;
        int64_t so = src == a ? it.off[2] : it.off[3];
        if (dtype_is_floating(rdt)) tensor_store(out, it.off[0], ld_f64(src, so));
        else st_i64(out, it.off[0], ld_i64(src, so));
    }
    return out;
}

/* ---- comparisons of whole tensors ---- */

bool tensor_equal(const Tensor *a, const Tensor *b) {
    if (!tensor_same_shape(a, b)) return false;
    int64_t n = tensor_numel(a);
    bool exact = !dtype_is_floating(a->dtype) && !dtype_is_floating(b->dtype);
    for (int64_t i = 0; i < n; i++) {
        if (exact) {
            if (tensor_get_int(a, i) != tensor_get_int(b, i)) return false;
        } else if (!(tensor_get(a, i) == tensor_get(b, i))) {
            return false;
        }
    }
    return true;
}

int tensor_allclose(const Tensor *a, const Tensor *b, double rtol, double atol, bool equal_nan,
                    bool *out, Error *err) {
    if (a->dtype != b->dtype)
        return err_set(err, ERR_RUNTIME, "%s did not match %s", dtype_scalar_name(a->dtype),
                       dtype_scalar_name(b->dtype));
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    if (tensor_broadcast_shapes(a->ndim, a->shape, b->ndim, b->shape, &ndim, shape, err))
        return status_of(err, ERR_RUNTIME);
    if (equal_nan && dtype_is_floating(a->dtype)) {
        /* ATen's isclose does (self != self).__iand__(other != other) in place */
        bool same = ndim == a->ndim;
        for (int d = 0; same && d < ndim; d++) same = shape[d] == a->shape[d];
        if (!same) {
            char s1[256], s2[256];
            tensor_shape_str(a->ndim, a->shape, s1, sizeof s1);
            tensor_shape_str(ndim, shape, s2, sizeof s2);
            return err_set(err, ERR_RUNTIME,
                           "output with shape %s doesn't match the broadcast shape %s", s1, s2);
        }
    }
    const Tensor *ops[2] = {a, b};
    NdIter it;
    nditer_init(&it, ndim, shape, 2, ops);
    int64_t n = shape_numel(ndim, shape);
    bool all = true;
    for (int64_t i = 0; i < n && all; i++, nditer_next(&it)) {
        int64_t ao = it.off[0], bo = it.off[1];
        bool close;
        if (a->dtype == DTYPE_FLOAT64) {
            double x = ld_f64(a, ao), y = ld_f64(b, bo);
            close = x == y || (equal_nan && isnan(x) && isnan(y));
            if (!close && !(rtol == 0 && atol == 0)) {
                double allowed = atol + fabs(rtol * y), actual = fabs(x - y);
                close = isfinite(actual) && actual <= allowed;
            }
        } else if (a->dtype == DTYPE_FLOAT32 || a->dtype == DTYPE_BOOL) {
            float x = ld_f32(a, ao), y = ld_f32(b, bo);
            close = x == y || (equal_nan && isnan(x) && isnan(y));
            if (!close && !(rtol == 0 && atol == 0)) {
                float allowed = (float)atol + fabsf((float)rtol * y), actual = fabsf(x - y);
                close = isfinite(actual) && actual <= allowed;
            }
        } else {
            int64_t x = ld_i64(a, ao), y = ld_i64(b, bo);
            close = x == y;
            if (!close && !(rtol == 0 && atol == 0)) {
                float allowed = (float)atol + fabsf((float)rtol * (float)y);
                int64_t d = wrap_sub(x, y);
                float actual = (float)(d < 0 ? wrap_sub(0, d) : d);
                close = actual <= allowed;
            }
        }
        all = close;
    }
    *out = all;
    return ERR_OK;
}
