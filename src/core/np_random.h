/*
 * src/core/np_random.h — NumPy 1.24's legacy RandomState (np.random.seed and friends):
 * MT19937 with NumPy's seeding, the 53-bit doubles of random_sample, the polar
 * Box-Muller Gaussian with its cached second value, and the masked-rejection bounded
 * integers of randint / shuffle. Bit-exact with numpy.random.RandomState.
 * See LICENSE (GPL-3.0-or-later).
 *
 * All state lives in an NpRandomState the caller owns (no globals).
 */
#ifndef EMBEDLAB_NP_RANDOM_H
#define EMBEDLAB_NP_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

#define NP_MT_N 624

typedef struct NpRandomState {
    uint32_t key[NP_MT_N];
    int pos;
    bool has_gauss;
    double gauss;
} NpRandomState;

/* RandomState.seed(s) for an int s in [0, 2**32-1] (mt19937_seed; the gauss cache is
 * reset). */
void np_random_seed(NpRandomState *st, uint32_t seed);
/* RandomState.seed(array) (init_by_array). */
void np_random_seed_array(NpRandomState *st, const uint32_t *keys, int n);
uint32_t np_random_next32(NpRandomState *st);
uint64_t np_random_next64(NpRandomState *st);
/* random_sample(): [0, 1) with 53 random bits. */
double np_random_double(NpRandomState *st);
/* standard_normal() (legacy_gauss). */
double np_random_gauss(NpRandomState *st);
/* A value in [0, rng] by masked rejection (random_bounded_uint64 with use_masked), as
 * randint(low, high) draws off + value with rng = high - low - 1. */
uint64_t np_random_bounded(NpRandomState *st, uint64_t rng);
/* random_interval(max): [0, max] by masked rejection (shuffle / permutation). */
uint64_t np_random_interval(NpRandomState *st, uint64_t max);

#endif
