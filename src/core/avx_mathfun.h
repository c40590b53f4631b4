/*
 * src/core/avx_mathfun.h — one lane of PyTorch's AVX2 Cephes float math, bit for bit.
 * See LICENSE (GPL-3.0-or-later).
 *
 * PyTorch 1.13's normal_() on float32 tensors (AVX2 kernel) evaluates log and sincos with
 * log256_ps / sincos256_ps from ATen's avx_mathfun.h (Giovanni Garberoglio's AVX port of
 * Julien Pommier's sse_mathfun, zlib licence), compiled by GCC with -mfma and contraction
 * on. These functions compute one lane of those polynomials in scalar float with exactly
 * the multiply-adds GCC fused (torch-semantics.md §1.3) written as explicit fmaf, so they
 * reproduce every bit on any IEEE-754 target as long as the file is compiled with
 * -ffp-contract=off (the Makefile does) and without -ffast-math.
 *
 * Pure functions: no state, no errors, no allocation.
 */
#ifndef EMBEDLAB_AVX_MATHFUN_H
#define EMBEDLAB_AVX_MATHFUN_H

#include <math.h> /* fmaf */

#include "core/kernels_f32.h" /* FMA_CLONES */


/* log256_ps on one lane: the natural log of x for x > 0 (denormals are cut to the smallest
 * normal); a NaN for x <= 0 (all bits set, as the vector code ORs in its compare mask). */
float avxmath_log(float x);

/* sincos256_ps on one lane: *s = sin(x), *c = cos(x). Accurate for |x| < 8192, as the
 * original (torch only calls it with 0 <= x < 2*pi). */
void avxmath_sincos(float x, float *s, float *c);

/* normal_fill_16_AVX2: the Box-Muller transform of torch's 16-value block in place. Pairs
 * (d[j], d[j+8]) for j = 0..7 hold uniforms in [0, 1) and become
 * fmaf(r*cos(theta), std, mean) and fmaf(r*sin(theta), std, mean) with
 * r = sqrtf(-2 * avxmath_log(1 - d[j])) and theta = (float)(2*pi) * d[j+8]. */
void avxmath_normal_block16(float *d, float mean, float std);

#endif
