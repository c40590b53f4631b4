/*
 * src/core/vmath.c — one lane of the SLEEF 3.5.1 vector math functions that PyTorch 1.13's
 * AVX2 kernels call (Sleef_expf8_u10, Sleef_logf8_u10, ...), so float32 exp/log/tanh/...
 * match torch bit for bit. Ported from SLEEF's sleefsimdsp.c and df.h as compiled for
 * AVX2 with FMA (ENABLE_FMA_SP); SLEEF is (C) Naoki Shibata and contributors, Boost
 * Software License 1.0. See LICENSE (GPL-3.0-or-later).
 *
 * Every multiply-add written fmaf() here is an FMA instruction in SLEEF's AVX2 build; the
 * rest must stay unfused (the Makefile builds with -ffp-contract=off).
 */
#include "core/vmath.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* ---- lane helpers (helperavx2.h semantics) ---- */

static inline int32_t f2bits(float f) {
    int32_t i;
    memcpy(&i, &f, 4);
    return i;
}

static inline float bits2f(int32_t i) {
    float f;
    memcpy(&f, &i, 4);
    return f;
}

/* _mm256_cvtps_epi32: round to nearest even; out of range and NaN give INT32_MIN. */
static inline int32_t rint_i(float x) {
    if (!(x > -2147483648.0f && x < 2147483648.0f)) return INT32_MIN;
    return (int32_t)nearbyintf(x);
}

static inline float pow2i(int32_t q) { return bits2f((int32_t)(((uint32_t)q + 0x7f) << 23)); }

static inline float ldexp2k(float d, int32_t e) {
    return d * pow2i(e >> 1) * pow2i(e - (e >> 1));
}

static inline float ldexp3k(float d, int32_t q) {
    return bits2f((int32_t)((uint32_t)f2bits(d) + ((uint32_t)q << 23)));
}

static inline int32_t ilogb2k(float d) { return ((f2bits(d) >> 23) & 0xff) - 0x7f; }

static inline float mulsign(float x, float y) {
    return bits2f(f2bits(x) ^ (f2bits(y) & (int32_t)0x80000000u));
}

static inline bool isnegzero(float x) { return f2bits(x) == (int32_t)0x80000000u; }

/* ---- double-float arithmetic (df.h, FMA variants) ---- */

typedef struct DF {
    float x, y;
} DF;

static inline DF df(float x, float y) { return (DF){x, y}; }

static inline DF dfneg(DF a) { return df(-a.x, -a.y); }

static inline DF dfnormalize(DF t) {
    float s = t.x + t.y;
    return df(s, (t.x - s) + t.y);
}

static inline DF dfscale(DF d, float s) { return df(d.x * s, d.y * s); }

static inline DF dfadd_ff(float x, float y) {
    float s = x + y;
    return df(s, (x - s) + y);
}

static inline DF dfadd2_ff(float x, float y) {
    float s = x + y, v = s - x;
    return df(s, (x - (s - v)) + (y - v));
}

static inline DF dfadd_df_f(DF x, float y) {
    float s = x.x + y;
    return df(s, ((x.x - s) + y) + x.y);
}

static inline DF dfadd2_df_f(DF x, float y) {
    float s = x.x + y, v = s - x.x;
    float t = (x.x - (s - v)) + (y - v);
    return df(s, t + x.y);
}

static inline DF dfadd_f_df(float x, DF y) {
    float s = x + y.x;
    return df(s, ((x - s) + y.x) + y.y);
}

static inline DF dfadd_df_df(DF x, DF y) {
    float s = x.x + y.x;
    return df(s, (((x.x - s) + y.x) + x.y) + y.y);
}

static inline DF dfadd2_df_df(DF x, DF y) {
    float s = x.x + y.x, v = s - x.x;
    float t = (x.x - (s - v)) + (y.x - v);
    return df(s, t + (x.y + y.y));
}

static inline DF dfdiv(DF n, DF d) {
    float t = 1.0f / d.x;
    float s = n.x * t;
    float u = fmaf(t, n.x, -s);
    float v = fmaf(-d.y, t, fmaf(-d.x, t, 1.0f));
    return df(s, fmaf(s, v, fmaf(n.y, t, u)));
}

static inline DF dfmul_ff(float x, float y) {
    float s = x * y;
    return df(s, fmaf(x, y, -s));
}

static inline DF dfsqu(DF x) {
    float s = x.x * x.x;
    return df(s, fmaf(x.x + x.x, x.y, fmaf(x.x, x.x, -s)));
}

static inline DF dfmul_df_df(DF x, DF y) {
    float s = x.x * y.x;
    return df(s, fmaf(x.x, y.y, fmaf(x.y, y.x, fmaf(x.x, y.x, -s))));
}

static inline float dfmul_f(DF x, DF y) { return fmaf(x.x, y.x, fmaf(x.y, y.x, x.x * y.y)); }

static inline DF dfmul_df_f(DF x, float y) {
    float s = x.x * y;
    return df(s, fmaf(x.y, y, fmaf(x.x, y, -s)));
}

static inline DF dfrec_df(DF d) {
    float s = 1.0f / d.x;
    return df(s, s * fmaf(-d.y, s, fmaf(-d.x, s, 1.0f)));
}

/* ---- constants (misc.h) ---- */

#define L2Uf 0.693145751953125f
#define L2Lf 1.428606765330187045e-06f
#define R_LN2f 1.442695040888963407359924681001892137426645954152985934135449406931f
#define PI_A2f 3.1414794921875f
#define PI_B2f 0.00011315941810607910156f
#define PI_C2f 1.9841872589410058936e-09f
#define TRIGRANGEMAX2f 125.0f
#define M_1_PIf 0.318309886183790671537767526745028724f

/* ---- functions ---- */

float vmath_expf(float d) {
    int32_t q = rint_i(d * R_LN2f);
    float s = fmaf((float)q, -L2Uf, d);
    s = fmaf((float)q, -L2Lf, s);
    float u = 0.000198527617612853646278381f;
    u = fmaf(u, s, 0.00139304355252534151077271f);
    u = fmaf(u, s, 0.00833336077630519866943359f);
    u = fmaf(u, s, 0.0416664853692054748535156f);
    u = fmaf(u, s, 0.166666671633720397949219f);
    u = fmaf(u, s, 0.5f);
    u = 1.0f + fmaf(s * s, u, s);
    u = ldexp2k(u, q);
    if (d < -104) u = 0.0f;
    if (100 < d) u = INFINITY;
    return u;
}

float vmath_logf(float d) {
    bool o = d < FLT_MIN;
    if (o) d = d * ((float)(INT64_C(1) << 32) * (float)(INT64_C(1) << 32));
    int32_t e = ilogb2k(d * (1.0f / 0.75f));
    float m = ldexp3k(d, -e);
    if (o) e -= 64;
    DF s = dfmul_df_f(df(0.69314718246459960938f, -1.904654323148236017e-09f), (float)e);
    DF x = dfdiv(dfadd2_ff(-1.0f, m), dfadd2_ff(1.0f, m));
    float x2 = x.x * x.x;
    float t = +0.3027294874e+0f;
    t = fmaf(t, x2, +0.3996108174e+0f);
    t = fmaf(t, x2, +0.6666694880e+0f);
    s = dfadd_df_df(s, dfscale(x, 2.0f));
    s = dfadd_df_f(s, x2 * x.x * t);
    float r = s.x + s.y;
    if (isinf(d) && d > 0) r = INFINITY;
    if (d < 0 || isnan(d)) r = NAN;
    if (d == 0) r = -INFINITY;
    return r;
}

float vmath_log1pf(float d) {
    float dp1 = d + 1.0f;
    bool o = dp1 < FLT_MIN;
    if (o) dp1 = dp1 * ((float)(INT64_C(1) << 32) * (float)(INT64_C(1) << 32));
    int32_t e = ilogb2k(dp1 * (1.0f / 0.75f));
    float t = ldexp3k(1.0f, -e);
    float m = fmaf(d, t, t - 1.0f);
    if (o) e -= 64;
    DF s = dfmul_df_f(df(0.69314718246459960938f, -1.904654323148236017e-09f), (float)e);
    DF x = dfdiv(df(m, 0.0f), dfadd_ff(2.0f, m));
    float x2 = x.x * x.x;
    t = +0.3027294874e+0f;
    t = fmaf(t, x2, +0.3996108174e+0f);
    t = fmaf(t, x2, +0.6666694880e+0f);
    s = dfadd_df_df(s, dfscale(x, 2.0f));
    s = dfadd_df_f(s, x2 * x.x * t);
    float r = s.x + s.y;
    if (d > 1e+38f) r = INFINITY;
    if (-1.0f > d) r = NAN;
    if (d == -1.0f) r = -INFINITY;
    if (isnegzero(d)) r = -0.0f;
    return r;
}

static DF expk2f(DF d) {
    float u = (d.x + d.y) * R_LN2f;
    int32_t q = rint_i(u);
    DF s = dfadd2_df_f(d, (float)q * -L2Uf);
    s = dfadd2_df_f(s, (float)q * -L2Lf);
    u = +0.1980960224e-3f;
    u = fmaf(u, s.x, +0.1394256484e-2f);
    u = fmaf(u, s.x, +0.8333456703e-2f);
    u = fmaf(u, s.x, +0.4166637361e-1f);
    DF t = dfadd2_df_f(dfmul_df_f(s, u), +0.166666659414234244790680580464e+0f);
    t = dfadd2_df_f(dfmul_df_df(s, t), 0.5f);
    t = dfadd2_df_df(s, dfmul_df_df(dfsqu(s), t));
    t = dfadd_f_df(1.0f, t);
    t.x = ldexp2k(t.x, q);
    t.y = ldexp2k(t.y, q);
    if (d.x < -104) t.x = t.y = 0.0f;
    return t;
}

float vmath_tanhf(float x) {
    float y = fabsf(x);
    DF d = expk2f(df(y, 0.0f));
    DF e = dfrec_df(d);
    d = dfdiv(dfadd_df_df(d, dfneg(e)), dfadd_df_df(d, e));
    y = d.x + d.y;
    if (fabsf(x) > 8.664339742f || isnan(y)) y = 1.0f;
    y = mulsign(y, x);
    if (isnan(x)) y = NAN;
    return y;
}

/* vldexp_vf_vf_vi2: x * 2^q for any q, in steps that avoid overflow. */
static float ldexpk(float x, int32_t q) {
    /* integer lanes wrap around: unsigned arithmetic, arithmetic right shifts as vsra */
    uint32_t um = (uint32_t)(q >> 31);
    int32_t t = (int32_t)(um + (uint32_t)q);
    int32_t m = (int32_t)(((uint32_t)(t >> 6) - um) << 4);
    q = (int32_t)((uint32_t)q - ((uint32_t)m << 2));
    m = (int32_t)((uint32_t)m + 0x7f);
    m = m > 0 ? m : 0;
    m = m > 0xff ? 0xff : m;
    float u = bits2f((int32_t)((uint32_t)m << 23));
    x = x * u * u * u * u;
    u = bits2f((int32_t)(((uint32_t)q + 0x7f) << 23));
    return x * u;
}

static DF logkf(float d) {
    bool o = d < FLT_MIN;
    if (o) d = d * ((float)(INT64_C(1) << 32) * (float)(INT64_C(1) << 32));
    int32_t e = ilogb2k(d * (1.0f / 0.75f));
    float m = ldexp3k(d, -e);
    if (o) e -= 64;
    DF x = dfdiv(dfadd2_ff(-1.0f, m), dfadd2_ff(1.0f, m));
    DF x2 = dfsqu(x);
    float t = 0.240320354700088500976562f;
    t = fmaf(t, x2.x, 0.285112679004669189453125f);
    t = fmaf(t, x2.x, 0.400007992982864379882812f);
    DF c = df(0.66666662693023681640625f, 3.69183861259614332084311e-09f);
    DF s = dfmul_df_f(df(0.69314718246459960938f, -1.904654323148236017e-09f), (float)e);
    s = dfadd_df_df(s, dfscale(x, 2.0f));
    s = dfadd_df_df(s, dfmul_df_df(dfmul_df_df(x2, x), dfadd2_df_df(dfmul_df_f(x2, t), c)));
    return s;
}

static float expkf(DF d) {
    float u = (d.x + d.y) * R_LN2f;
    int32_t q = rint_i(u);
    DF s = dfadd2_df_f(d, (float)q * -L2Uf);
    s = dfadd2_df_f(s, (float)q * -L2Lf);
    s = dfnormalize(s);
    u = 0.00136324646882712841033936f;
    u = fmaf(u, s.x, 0.00836596917361021041870117f);
    u = fmaf(u, s.x, 0.0416710823774337768554688f);
    u = fmaf(u, s.x, 0.166665524244308471679688f);
    u = fmaf(u, s.x, 0.499999850988388061523438f);
    DF t = dfadd_df_df(s, dfmul_df_f(dfsqu(s), u));
    t = dfadd_f_df(1.0f, t);
    u = ldexpk(t.x + t.y, q);
    if (d.x < -104) u = 0.0f;
    return u;
}

/* _mm256_cvttps_epi32: truncation; out of range and NaN give INT32_MIN. */
static inline int32_t trunc_i(float x) {
    if (!(x > -2147483648.0f && x < 2147483648.0f)) return INT32_MIN;
    return (int32_t)x;
}

float vmath_powf(float x, float y) {
    bool yisint = truncf(y) == y || fabsf(y) > (float)(1 << 24);
    bool yisodd = ((trunc_i(y) & 1) == 1) && yisint && fabsf(y) < (float)(1 << 24);
    float result = expkf(dfmul_df_f(logkf(fabsf(x)), y));
    if (isnan(result)) result = INFINITY;
    result = result * (x > 0 ? 1.0f : !yisint ? NAN : yisodd ? -1.0f : 1.0f);
    float efx = mulsign(fabsf(x) - 1.0f, y);
    if (isinf(y)) result = efx < 0.0f ? 0.0f : (efx == 0.0f ? 1.0f : INFINITY);
    if (isinf(x) || x == 0) {
        float sgn = yisodd ? mulsign(1.0f, x) : 1.0f;
        float mag = ((x == 0 ? -y : y) < 0.0f) ? 0.0f : INFINITY;
        result = sgn * mag;
    }
    if (isnan(x) || isnan(y)) result = NAN;
    if (y == 0 || x == 1) result = 1.0f;
    return result;
}

/* sin/cos for |d| < 125 (SLEEF's fast range reduction). */
static float sinf_small(float d) {
    float u = nearbyintf(d * M_1_PIf);
    int32_t q = rint_i(u);
    float v = fmaf(u, -PI_A2f, d);
    DF s = dfadd2_ff(v, u * -PI_B2f);
    s = dfadd_df_f(s, u * -PI_C2f);
    DF t = s;
    s = dfsqu(s);
    u = 2.6083159809786593541503e-06f;
    u = fmaf(u, s.x, -0.0001981069071916863322258f);
    u = fmaf(u, s.x, 0.00833307858556509017944336f);
    DF x = dfadd_f_df(1.0f, dfmul_df_df(dfadd_ff(-0.166666597127914428710938f, u * s.x), s));
    u = dfmul_f(t, x);
    if ((q & 1) == 1) u = -u;
    if (isnegzero(d)) u = d;
    return u;
}

static float cosf_small(float d) {
    float dq = fmaf(nearbyintf(fmaf(d, M_1_PIf, -0.5f)), 2.0f, 1.0f);
    int32_t q = rint_i(dq);
    DF s = dfadd2_ff(d, dq * (-PI_A2f * 0.5f));
    s = dfadd2_df_f(s, dq * (-PI_B2f * 0.5f));
    s = dfadd2_df_f(s, dq * (-PI_C2f * 0.5f));
    DF t = s;
    s = dfsqu(s);
    float u = 2.6083159809786593541503e-06f;
    u = fmaf(u, s.x, -0.0001981069071916863322258f);
    u = fmaf(u, s.x, 0.00833307858556509017944336f);
    DF x = dfadd_f_df(1.0f, dfmul_df_df(dfadd_ff(-0.166666597127914428710938f, u * s.x), s));
    u = dfmul_f(t, x);
    if ((q & 2) == 0) u = -u;
    return u;
}

float vmath_sinf(float d) {
    if (fabsf(d) < TRIGRANGEMAX2f) return sinf_small(d);
    return sinf(d); /* SLEEF's Payne-Hanek path is not reproduced: libm instead */
}

float vmath_cosf(float d) {
    if (fabsf(d) < TRIGRANGEMAX2f) return cosf_small(d);
    return cosf(d);
}

bool vmath_trig_fast_range(float d) { return fabsf(d) < TRIGRANGEMAX2f; }
