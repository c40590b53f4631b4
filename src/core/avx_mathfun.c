/*
 * src/core/avx_mathfun.c — scalar, bit-exact emulation of ATen's log256_ps and
 * sincos256_ps (see avx_mathfun.h). Every step mirrors one vector instruction of the
 * original; the fmaf calls are exactly the contractions GCC made when it built
 * PyTorch 1.13 with -mfma (torch-semantics.md §1.3). Do not "simplify" the arithmetic:
 * additions of +0, the order of operations and the float constants all matter.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/avx_mathfun.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* The constants of avx_mathfun.h: double literals rounded to float, as the C++ array
 * initialisers do. */
#define F(x) ((float)(x))
static const float CEPHES_SQRTHF = F(0.707106781186547524);
static const float LOG_P[9] = {
    F(7.0376836292E-2), F(-1.1514610310E-1), F(1.1676998740E-1),
    F(-1.2420140846E-1), F(+1.4249322787E-1), F(-1.6668057665E-1),
    F(+2.0000714765E-1), F(-2.4999993993E-1), F(+3.3333331174E-1),
};
static const float LOG_Q1 = F(-2.12194440e-4);
static const float LOG_Q2 = F(0.693359375);

static const float MINUS_DP1 = F(-0.78515625);
static const float MINUS_DP2 = F(-2.4187564849853515625e-4);
static const float MINUS_DP3 = F(-3.77489497744594108e-8);
static const float SINCOF_P0 = F(-1.9515295891E-4);
static const float SINCOF_P1 = F(8.3321608736E-3);
static const float SINCOF_P2 = F(-1.6666654611E-1);
static const float COSCOF_P0 = F(2.443315711809948E-005);
static const float COSCOF_P1 = F(-1.388731625493765E-003);
static const float COSCOF_P2 = F(4.166664568298827E-002);
static const float CEPHES_FOPI = F(1.27323954473516);
#undef F

#ifdef __GNUC__
#define AVXMATH_INLINE static inline __attribute__((always_inline))
#else
#define AVXMATH_INLINE static inline
#endif

static uint32_t bits_of(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float float_of(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* _mm256_cvttps_epi32 on one lane: truncation; out of range or NaN gives INT32_MIN. */
static int32_t cvtt_i32(float f) {
    if (!(f >= -2147483648.0f && f < 2147483648.0f)) return INT32_MIN;
    return (int32_t)f;
}

/* The lane bodies are static inline so avxmath_normal_block16's FMA clone compiles them
 * with hardware fused multiply-adds (same results, no libm calls). */
AVXMATH_INLINE float lane_log(float x) {
    const float one = 1.0f;
    /* invalid_mask = x <= 0 (ordered compare: false for NaN) */
    uint32_t invalid = (x <= 0.0f) ? 0xffffffffu : 0u;
    /* _mm256_max_ps(x, min_norm_pos): the second operand when x is not greater (or NaN) */
    float min_norm = float_of(0x00800000u);
    x = (x > min_norm) ? x : min_norm;
    int32_t imm0 = (int32_t)(bits_of(x) >> 23);
    /* keep only the fractional part, in [0.5, 1) */
    x = float_of((bits_of(x) & ~0x7f800000u) | bits_of(0.5f));
    imm0 = imm0 - 0x7f;
    float e = (float)imm0;
    e = e + one;

    uint32_t mask = (x < CEPHES_SQRTHF) ? 0xffffffffu : 0u;
    float tmp = float_of(bits_of(x) & mask);
    x = x - one;
    e = e - float_of(bits_of(one) & mask);
    x = x + tmp;

    float z = x * x;
    float y = LOG_P[0];
    for (int k = 1; k <= 8; k++) y = fmaf(y, x, LOG_P[k]);
    y = fmaf(y * x, z, e * LOG_Q1);
    y = fmaf(-z, 0.5f, y);
    x = fmaf(e, LOG_Q2, x + y);
    return float_of(bits_of(x) | invalid);
}

AVXMATH_INLINE void lane_sincos(float x, float *s, float *c) {
    uint32_t sign_bit_sin = bits_of(x) & 0x80000000u;
    x = float_of(bits_of(x) & 0x7fffffffu);

    /* scale by 4/pi and round the octant up to even: j = (j + 1) & ~1 */
    float y = x * CEPHES_FOPI;
    int32_t imm2 = cvtt_i32(y);
    imm2 = (int32_t)(((uint32_t)imm2 + 1u) & ~1u);
    y = (float)imm2;
    int32_t imm4 = imm2;

    uint32_t swap_sign_bit_sin = ((uint32_t)imm2 & 4u) << 29;
    uint32_t poly_mask = (((uint32_t)imm2 & 2u) == 0u) ? 0xffffffffu : 0u;

    /* extended-precision range reduction: x = ((x - y*DP1) - y*DP2) - y*DP3 */
    x = fmaf(y, MINUS_DP1, x);
    x = fmaf(y, MINUS_DP2, x);
    x = fmaf(y, MINUS_DP3, x);

    uint32_t sign_bit_cos = (~((uint32_t)imm4 - 2u) & 4u) << 29;
    sign_bit_sin ^= swap_sign_bit_sin;

    /* cosine polynomial (0 <= x <= pi/4) */
    float z = x * x;
    float yc = fmaf(fmaf(COSCOF_P0, z, COSCOF_P1), z, COSCOF_P2);
    yc = fmaf(yc * z, z, -(z * 0.5f));
    yc = yc + 1.0f;

    /* sine polynomial */
    float ys = fmaf(fmaf(SINCOF_P0, z, SINCOF_P1), z, SINCOF_P2);
    ys = fmaf(ys * z, x, x);

    /* select the polynomials with and/andnot and the same adds as the vector code */
    float ysin2 = float_of(poly_mask & bits_of(ys));
    float ysin1 = float_of(~poly_mask & bits_of(yc));
    ys = ys - ysin2;
    yc = yc - ysin1;
    float xmm1 = ysin1 + ysin2;
    float xmm2 = yc + ys;
    *s = float_of(bits_of(xmm1) ^ sign_bit_sin);
    *c = float_of(bits_of(xmm2) ^ sign_bit_cos);
}

float avxmath_log(float x) { return lane_log(x); }

void avxmath_sincos(float x, float *s, float *c) { lane_sincos(x, s, c); }

/* normal_fill_16_AVX2: u1 = 1 - d[j], u2 = d[j+8]; radius = sqrt(-2 log u1);
 * theta = (float)(2 pi) * u2; outputs fused as fma(radius*cos, std, mean). */
FMA_CLONES
void avxmath_normal_block16(float *d, float mean, float std) {
    const float two_pi = (float)(2.0 * 3.14159265358979323846);
    for (int j = 0; j < 8; j++) {
        float u1 = 1.0f - d[j];
        float u2 = d[j + 8];
        float radius = sqrtf(-2.0f * lane_log(u1));
        float theta = two_pi * u2;
        float sn, cs;
        lane_sincos(theta, &sn, &cs);
        d[j] = fmaf(radius * cs, std, mean);
        d[j + 8] = fmaf(radius * sn, std, mean);
    }
}
