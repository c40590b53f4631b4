/*
 * src/core/np_random.c — NumPy's legacy RandomState streams. See np_random.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/np_random.h"

#include <math.h>

#define MT_M 397

void np_random_seed(NpRandomState *st, uint32_t seed) {
    for (int i = 0; i < NP_MT_N; i++) {
        st->key[i] = seed;
        seed = 1812433253u * (seed ^ (seed >> 30)) + (uint32_t)i + 1u;
    }
    st->pos = NP_MT_N;
    st->has_gauss = false;
    st->gauss = 0.0;
}

void np_random_seed_array(NpRandomState *st, const uint32_t *keys, int n) {
    uint32_t *mt = st->key;
    np_random_seed(st, 19650218u);
    int i = 1, j = 0;
    for (int k = NP_MT_N > n ? NP_MT_N : n; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + keys[j] + (uint32_t)j;
        i++;
        j++;
        if (i >= NP_MT_N) {
            mt[0] = mt[NP_MT_N - 1];
            i = 1;
        }
        if (j >= n) j = 0;
    }
    for (int k = NP_MT_N - 1; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= NP_MT_N) {
            mt[0] = mt[NP_MT_N - 1];
            i = 1;
        }
    }
    mt[0] = 0x80000000u;
    st->pos = NP_MT_N;
    st->has_gauss = false;
    st->gauss = 0.0;
}

static void mt_gen(NpRandomState *st) {
    uint32_t *k = st->key, y;
    int i;
    for (i = 0; i < NP_MT_N - MT_M; i++) {
        y = (k[i] & 0x80000000u) | (k[i + 1] & 0x7fffffffu);
        k[i] = k[i + MT_M] ^ (y >> 1) ^ (-(y & 1u) & 0x9908b0dfu);
    }
    for (; i < NP_MT_N - 1; i++) {
        y = (k[i] & 0x80000000u) | (k[i + 1] & 0x7fffffffu);
        k[i] = k[i + (MT_M - NP_MT_N)] ^ (y >> 1) ^ (-(y & 1u) & 0x9908b0dfu);
    }
    y = (k[NP_MT_N - 1] & 0x80000000u) | (k[0] & 0x7fffffffu);
    k[NP_MT_N - 1] = k[MT_M - 1] ^ (y >> 1) ^ (-(y & 1u) & 0x9908b0dfu);
    st->pos = 0;
}

uint32_t np_random_next32(NpRandomState *st) {
    if (st->pos >= NP_MT_N) mt_gen(st);
    uint32_t y = st->key[st->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t np_random_next64(NpRandomState *st) {
    uint64_t hi = np_random_next32(st);
    return hi << 32 | np_random_next32(st);
}

double np_random_double(NpRandomState *st) {
    int32_t a = (int32_t)(np_random_next32(st) >> 5);
    int32_t b = (int32_t)(np_random_next32(st) >> 6);
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double np_random_gauss(NpRandomState *st) {
    if (st->has_gauss) {
        double t = st->gauss;
        st->has_gauss = false;
        st->gauss = 0.0;
        return t;
    }
    double f, x1, x2, r2;
    do {
        x1 = 2.0 * np_random_double(st) - 1.0;
        x2 = 2.0 * np_random_double(st) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    f = sqrt(-2.0 * log(r2) / r2);
    st->gauss = f * x1;
    st->has_gauss = true;
    return f * x2;
}

static uint64_t mask_of(uint64_t max) {
    uint64_t m = max;
    m |= m >> 1;
    m |= m >> 2;
    m |= m >> 4;
    m |= m >> 8;
    m |= m >> 16;
    m |= m >> 32;
    return m;
}

uint64_t np_random_bounded(NpRandomState *st, uint64_t rng) {
    if (rng == 0) return 0;
    if (rng <= 0xffffffffull) {
        if (rng == 0xffffffffull) return np_random_next32(st);
        uint32_t mask = (uint32_t)mask_of(rng), v;
        while ((v = np_random_next32(st) & mask) > rng) {
        }
        return v;
    }
    if (rng == UINT64_MAX) return np_random_next64(st);
    uint64_t mask = mask_of(rng), v;
    while ((v = np_random_next64(st) & mask) > rng) {
    }
    return v;
}

uint64_t np_random_interval(NpRandomState *st, uint64_t max) {
    if (max == 0) return 0;
    uint64_t mask = mask_of(max), v;
    if (max <= 0xffffffffull) {
        while ((v = (np_random_next32(st) & mask)) > max) {
        }
    } else {
        while ((v = (np_random_next64(st) & mask)) > max) {
        }
    }
    return v;
}
