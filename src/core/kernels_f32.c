/*
 * src/core/kernels_f32.c — the float32 loops of the hot paths, vectorized (kernels_f32.h).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Each loop is written so GCC can vectorize it at -O3: no calls, no branches that depend
 * on the element (loop-invariant ones are unswitched), sqrtf without errno.
 */
#include "core/kernels_f32.h"

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
