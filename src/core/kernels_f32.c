/*
 * src/core/kernels_f32.c — the float32 loops of the hot paths, vectorized (kernels_f32.h).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Each loop is written so GCC can vectorize it at -O3: no calls, no branches that depend
 * on the element (loop-invariant ones are unswitched), sqrtf without errno.
 */
#include "core/kernels_f32.h"

#include <string.h>

static inline float op_add(float x, float y) { return x + y; }
static inline float op_sub(float x, float y) { return x - y; }
static inline float op_mul(float x, float y) { return x * y; }
static inline float op_div(float x, float y) { return x / y; }

/* The four operand forms of one operation, each its own loop. */
#define BINARY_LOOPS(OP)                                                    \
    do {                                                                    \
        if (a && b)                                                         \
            for (int64_t i = 0; i < n; i++) out[i] = OP(a[i], b[i]);        \
        else if (a)                                                         \
            for (int64_t i = 0; i < n; i++) out[i] = OP(a[i], sb);          \
        else if (b)                                                         \
            for (int64_t i = 0; i < n; i++) out[i] = OP(sa, b[i]);          \
        else                                                                \
            for (int64_t i = 0; i < n; i++) out[i] = OP(sa, sb);            \
    } while (0)

FMA_CLONES
void kf32_binary(Kf32Op op, int64_t n, const float *a, float sa, const float *b, float sb,
                 float *out) {
    switch (op) {
    case KF32_ADD: BINARY_LOOPS(op_add); break;
    case KF32_SUB: BINARY_LOOPS(op_sub); break;
    case KF32_MUL: BINARY_LOOPS(op_mul); break;
    case KF32_DIV: BINARY_LOOPS(op_div); break;
    }
}

FMA_CLONES
void kf32_axpy_fused(int64_t n, float alpha, const float *x, float *y) {
    for (int64_t i = 0; i < n; i++) y[i] = fmaf(alpha, x[i], y[i]);
}

#if defined(__GNUC__)
typedef float kf32_v8f __attribute__((vector_size(32)));
typedef int32_t kf32_v8i __attribute__((vector_size(32)));
typedef int32_t kf32_v4i __attribute__((vector_size(16)));
typedef int64_t kf32_v4l __attribute__((vector_size(32)));

/* arg[0..3] = take ? idx : arg, for one half of a comparison mask widened to 64 bits. */
static inline void select_args(int64_t *arg, kf32_v4i take, kf32_v4l idx) {
    kf32_v4l wide = __builtin_convertvector(take, kf32_v4l), old;
    memcpy(&old, arg, sizeof old);
    old = (wide & idx) | (~wide & old);
    memcpy(arg, &old, sizeof old);
}
#endif

FMA_CLONES
void kf32_max_row(int64_t d, const float *restrict r, bool first, int64_t idx,
                  float *restrict o, int64_t *restrict arg) {
    if (first) {
        for (int64_t j = 0; j < d; j++) {
            o[j] = r[j];
            arg[j] = idx;
        }
        return;
    }
    int64_t j = 0;
#if defined(__GNUC__)
    /* bitwise selects, 8 lanes: random data would mispredict branches, and the compiler's
     * own vectorization of the loop below uses masked stores, which are slow on AMD */
    kf32_v4l idx4 = {idx, idx, idx, idx};
    for (; j + 8 <= d; j += 8) {
        kf32_v8f v, current;
        memcpy(&v, r + j, sizeof v);
        memcpy(&current, o + j, sizeof current);
        kf32_v8i take = v > current; /* all ones where r[j] > o[j]; false for NaN */
        kf32_v8i bits = (take & (kf32_v8i)v) | (~take & (kf32_v8i)current);
        memcpy(o + j, &bits, sizeof bits);
        kf32_v4i low = {take[0], take[1], take[2], take[3]};
        kf32_v4i high = {take[4], take[5], take[6], take[7]};
        select_args(arg + j, low, idx4);
        select_args(arg + j + 4, high, idx4);
    }
#endif
    for (; j < d; j++) {
        float v = r[j], current = o[j];
        bool take = v > current;
        o[j] = take ? v : current;
        arg[j] = take ? idx : arg[j];
    }
}

FMA_CLONES
void kf32_adam(int64_t n, float *restrict p, const float *restrict g, float *restrict m,
               float *restrict v, const Kf32Adam *k) {
    const float b1 = k->beta1, b2 = k->beta2, a1 = k->one_minus_beta1, a2 = k->one_minus_beta2;
    const float wd = k->weight_decay, eps = k->eps, value = k->neg_step_size;
    const float decay = k->decoupled_decay, bc2 = k->bias_correction2_sqrt;
    const bool maximize = k->maximize, decoupled = k->decoupled, l2 = k->l2_decay;
    for (int64_t i = 0; i < n; i++) {
        float x = p[i], d = g[i];
        if (maximize) d = -d;
        if (decoupled) x = x * decay;
        else if (l2) d = fmaf(x, wd, d);
        float mi = fmaf(d, a1, m[i] * b1);
        float vi = fmaf(a2 * d, d, v[i] * b2);
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi) / bc2 + eps;
        p[i] = x + (value * mi) / denom;
    }
}
