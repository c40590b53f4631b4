/*
 * src/core/kernels_f32.h — the float32 loops of the hot paths, vectorized.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Elementwise arithmetic, the fused axpy of the embedding backward passes, EmbeddingBag's
 * running max and the Adam update, on contiguous float arrays. Each function is defined by its scalar loop, and
 * every element is computed by IEEE-754 operations that round once (+ - * / sqrt, fmaf),
 * so the results do not depend on the vector width: the same bits as the scalar loop on
 * any CPU. There are no reductions here (they would reorder sums).
 *
 * kernels_f32.c is compiled with -O3 -fno-math-errno (see the Makefile) so that GCC
 * vectorizes these loops, and each function is also built for CPUs with FMA (FMA_CLONES),
 * where fmaf is one instruction on 8 floats instead of a libm call per element.
 *
 * Pure functions: no allocation, no errors. Arrays may alias only exactly (out == a for an
 * in-place update), never partially.
 */
#ifndef EMBEDLAB_KERNELS_F32_H
#define EMBEDLAB_KERNELS_F32_H

#include <math.h> /* also defines __GLIBC__ on glibc systems */
#include <stdbool.h>
#include <stdint.h>

/* FMA_CLONES: on x86-64 glibc with GCC, a function so marked is also built for CPUs with
 * FMA (which implies AVX) and picked at load time (ifunc). Results are identical; only
 * the speed differs. Elsewhere (and with clang, whose clones do not link in the fuzzing
 * build) it is empty. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__) && \
    defined(__has_attribute)
#if __has_attribute(target_clones)
#define FMA_CLONES __attribute__((target_clones("fma", "default")))
#endif
#endif
#ifndef FMA_CLONES
#define FMA_CLONES
#endif

/* The four arithmetic operations of kf32_binary. */
typedef enum { KF32_ADD, KF32_SUB, KF32_MUL, KF32_DIV } Kf32Op;

/* out[i] = x op y for i < n, where x is a[i] (or the scalar sa when a is NULL) and y is
 * b[i] (or sb when b is NULL). */
void kf32_binary(Kf32Op op, int64_t n, const float *a, float sa, const float *b, float sb,
                 float *out);

/* y[i] = fmaf(alpha, x[i], y[i]) for i < n: y += alpha * x rounded once per element. */
void kf32_axpy_fused(int64_t n, float alpha, const float *x, float *y);

/* One row of EmbeddingBag's max mode (ATen's embedding_bag_cpu_max_out): for j < d, where
 * `first` or r[j] > o[j] (false when either is NaN), o[j] = r[j] and arg[j] = idx. */
void kf32_max_row(int64_t d, const float *restrict r, bool first, int64_t idx,
                  float *restrict o, int64_t *restrict arg);

/* The constants of kf32_adam, each rounded to float (optim_adam_step computes them). */
typedef struct {
    float beta1, beta2;          /* the decay rates */
    float one_minus_beta1, one_minus_beta2;
    float weight_decay, eps;
    float neg_step_size;         /* -lr / bias_correction1 */
    float decoupled_decay;       /* 1 - lr * weight_decay (AdamW) */
    float bias_correction2_sqrt; /* sqrt(1 - beta2 ** step) */
    bool maximize, decoupled, l2_decay; /* l2_decay: Adam's weight_decay != 0 */
} Kf32Adam;

/* One Adam (or AdamW) step without amsgrad over n elements, as torch 1.13's
 * single-tensor float32 Adam:
 *   d = maximize ? -g : g;  AdamW: p *= decoupled_decay;  Adam: d = fmaf(p, wd, d)
 *   m = fmaf(d, 1 - beta1, m * beta1);  v = fmaf((1 - beta2) * d, d, v * beta2)
 *   p += (neg_step_size * m) / (sqrt(v) / bias_correction2_sqrt + eps) */
void kf32_adam(int64_t n, float *restrict p, const float *restrict g, float *restrict m,
               float *restrict v, const Kf32Adam *k);

#endif
