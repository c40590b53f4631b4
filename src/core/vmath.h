/*
 * src/core/vmath.h — float32 math functions computed exactly as one lane of the SLEEF
 * 3.5.1 AVX2 routines that PyTorch 1.13's CPU kernels use, so results match torch bit for
 * bit (glibc's expf & co. differ from them in about 5-10% of inputs by one ulp).
 * See LICENSE (GPL-3.0-or-later).
 *
 *   vmath_expf   Sleef_expf8_u10     vmath_logf    Sleef_logf8_u10
 *   vmath_log1pf Sleef_log1pf8_u10   vmath_tanhf   Sleef_tanhf8_u10
 *   vmath_sinf   Sleef_sinf8_u10     vmath_cosf    Sleef_cosf8_u10
 *   vmath_powf   Sleef_powf8_u10
 *
 * sin/cos reproduce SLEEF only for |x| < 125 (vmath_trig_fast_range); beyond that they
 * fall back to libm's sinf/cosf.
 */
#ifndef EMBEDLAB_VMATH_H
#define EMBEDLAB_VMATH_H

#include <stdbool.h>

float vmath_expf(float x);
float vmath_logf(float x);
float vmath_log1pf(float x);
float vmath_tanhf(float x);
float vmath_sinf(float x);
float vmath_cosf(float x);
float vmath_powf(float x, float y);
bool vmath_trig_fast_range(float x);

#endif
