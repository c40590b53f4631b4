/*
 * src/core/rng.h — PyTorch 1.13's CPU generator (at::CPUGeneratorImpl), bit for bit.
 * See LICENSE (GPL-3.0-or-later).
 *
 * A Generator is a plain value: the mt19937 engine state, the 64-bit seed reported by
 * initial_seed(), and the cached second Box-Muller value of the double-precision normal
 * path. There are no globals: the session owns one Generator as torch's default, and
 * `torch.Generator()` objects are more of them. Copying the struct clones the generator
 * (as Generator.clone_state / get_state+set_state do).
 *
 * The tensor fills reproduce torch 1.13 on x86-64 with AVX2 (Debian's build, which has no
 * MKL), following /work/shared/reference/torch-semantics.md §1:
 *  - uniform_ on float32 is fmaf(x, (float)to - (float)from, (float)from) with
 *    x = (u32 & 0xffffff) * 2^-24; on float64 fma(x, to - from, from) with a 53-bit x from
 *    random64.
 *  - normal_ on a contiguous float32 tensor with >= 16 elements uses torch's 16-wide
 *    Box-Muller blocks with the AVX2 Cephes log/sincos (avx_mathfun.h) and redraws the
 *    last 16 values when 16 does not divide numel; float64 uses the same blocks in double
 *    with libm; smaller or non-contiguous tensors use the double scalar path whose second
 *    value is cached in the Generator (so randn(3); randn(3) uses 3 pairs).
 *  - Every element-wise fill visits elements in memory order (torch's TensorIterator sorts
 *    dims by stride), even for transposed or sliced tensors.
 *
 * Tensor arguments are borrowed; fills write through the tensor's strides and bump its
 * storage version. Functions return ERR_OK or an error code with PyTorch's message in
 * `err` (the generator is untouched when an argument check fails). No fill allocates;
 * rng_randperm returns an owned tensor.
 *
 * How other ops consume these numbers (for the modules built on top):
 *  - F.dropout(x, p, training=True) on CPU (0 < p < 1, numel > 0): noise = a CONTIGUOUS
 *    float tensor of x's shape (empty_like with LEGACY_CONTIGUOUS_MEMORY_FORMAT, even when
 *    x is transposed); rng_bernoulli_(noise, 1 - p) (one random64 per element in
 *    row-major order: keep when u53 < 1 - p); noise.div_(1 - p) in float32 (the scalar
 *    cast to float); result = x * noise. p == 0, eval mode or numel 0 return x and draw
 *    nothing; p == 1 gives x * 0 and draws nothing. (Verified by rng_cases.txt.)
 *  - torch.randint(low, high, size) = rng_random_from_to on a new int64 tensor;
 *    torch.rand / torch.randn = rng_uniform_(0, 1) / rng_normal_(0, 1) on a new tensor.
 */
#ifndef EMBEDLAB_RNG_H
#define EMBEDLAB_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tensor.h"

/* The seed of a fresh torch.Generator() (c10's default_rng_seed_val). Torch's own
 * default generator is seeded from /dev/urandom at start-up instead. */
#define RNG_DEFAULT_SEED UINT64_C(67280421310721)
#define RNG_MT_N 624
/* torch.get_rng_state() is a ByteTensor of this many bytes (CPUGeneratorImplState);
 * set_rng_state also accepts the 5048-byte legacy layout. */
#define RNG_STATE_SIZE 5056
#define RNG_STATE_SIZE_LEGACY 5048

typedef struct Generator {
    uint32_t state[RNG_MT_N]; /* mt19937 state vector */
    int left;                 /* draws left before the next twist, 1..624 */
    uint32_t next;            /* index of the next state word, 0..624 */
    bool seeded;
    uint64_t seed;            /* the full 64-bit seed (only the low 32 bits seed the engine) */
    bool has_next_double_normal; /* the cached r*sin(theta) of the double normal path */
    double next_double_normal;
    bool has_next_float_normal;  /* never set by CPU kernels; kept for get/set_state */
    float next_float_normal;
} Generator;

/* ---- engine ---- */

/* manual_seed(seed): re-seeds the engine (init_genrand with the low 32 bits), records the
 * 64-bit seed and clears the cached normal values. */
void rng_init(Generator *g, uint64_t seed);
/* A heap Generator seeded with `seed` (NULL + MemoryError on failure); free with
 * rng_free (NULL ok). */
Generator *rng_new(uint64_t seed, Error *err);
void rng_free(Generator *g);
/* initial_seed(): the seed last given to rng_init (as torch's uint64). */
uint64_t rng_initial_seed(const Generator *g);
/* One tempered mt19937 output. */
uint32_t rng_random32(Generator *g);
/* (first << 32) | second of two rng_random32 draws. */
uint64_t rng_random64(Generator *g);

/* Converts a Python int given as sign + magnitude into torch.manual_seed's uint64 seed.
 * `magnitude_overflow` is true when |value| >= 2^64 (the magnitude does not fit). Accepts
 * -2^63 <= value < 2^64; a negative value wraps mod 2^64 (-1 and 2^64-1 seed alike).
 * Otherwise RuntimeError "Overflow when unpacking long". */
int rng_seed_from_python(bool negative, uint64_t magnitude, bool magnitude_overflow,
                         uint64_t *seed, Error *err);

/* torch.get_rng_state(): the CPUGeneratorImplState bytes (little-endian x86-64 layout),
 * identical to torch's ByteTensor for the same generator state. */
void rng_get_state(const Generator *g, uint8_t out[RNG_STATE_SIZE]);
/* torch.set_rng_state(bytes): accepts RNG_STATE_SIZE or RNG_STATE_SIZE_LEGACY bytes.
 * Errors (RuntimeError): "Expected either a CPUGeneratorImplStateLegacy of size 5048 or a
 * CPUGeneratorImplState of size 5056 but found the input RNG state size to be 10",
 * "Invalid mt19937 state". `g` is unchanged on error. */
int rng_set_state(Generator *g, const uint8_t *bytes, size_t size, Error *err);

/* ---- in-place tensor fills ---- */

/* t.uniform_(from, to) for float32/float64 (torch.rand is uniform_(0, 1)). Errors:
 * "\"check_uniform_bounds\" not implemented for 'Long'", "from is out of bounds for
 * float", "uniform_ expects to return a [from, to) range, but found from=1 > to=0",
 * "uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 and
 * from=-3e+38 which result in to-from to exceed the limit", and the overlap error below. */
int rng_uniform_(Generator *g, Tensor *t, double from, double to, Error *err);

/* t.normal_(mean, std) for float32/float64 (torch.randn is normal_(0, 1)). Errors:
 * "normal expects std >= 0.0, but found std -1", "\"normal_kernel_cpu\" not implemented
 * for 'Long'", and the overlap error for expanded tensors: "unsupported operation: more
 * than one element of the written-to tensor refers to a single memory location. Please
 * clone() the tensor before performing the operation." */
int rng_normal_(Generator *g, Tensor *t, double mean, double std, Error *err);

/* t.random_(from, to): integers in [from, to) for any dtype (torch.randint). One u32 per
 * element when to - from < 2^32, else one random64 (int64/float32/float64); the value is
 * u % (to - from) + from. Float tensors first move from/to inward to values the dtype
 * represents, as torch. Errors: "random_ expects 'from' to be less than 'to', but got
 * from=5 >= to=3", "from is out of bounds for bool", "to - 1 is out of bounds for bool",
 * the overlap error. (Torch's warning for float ranges beyond 2^24 is not reported.)
 * Python's one-argument t.random_(to) is rng_random_from_to(g, t, 0, to). */
int rng_random_from_to(Generator *g, Tensor *t, int64_t from, int64_t to, Error *err);
/* t.random_(from, None): [from, 2^digits] for floats, [from, INT64_MAX] for int64,
 * [from, 1] for bool; from == INT64_MIN uses the full 64-bit range. */
int rng_random_from(Generator *g, Tensor *t, int64_t from, Error *err);
/* t.random_(): [0, 2^24] float32, [0, 2^53] float64, [0, 2^63) int64, {0, 1} bool. */
int rng_random_(Generator *g, Tensor *t, Error *err);

/* torch.randperm(n): a new int64 tensor (owned). Fisher-Yates with z = u32 % (n - i),
 * swapping r[i] and r[i + z] for i = 0..n-2. n < 0: "Trying to create tensor with
 * negative dimension -1: [-1]"; MemoryError when the tensor cannot be allocated. */
Tensor *rng_randperm(Generator *g, int64_t n, Error *err);

/* t.bernoulli_(p) for any dtype (Debian's non-MKL path): 1 when u53 < p, with u53 from one
 * random64. Errors: "bernoulli_ expects p to be in [0, 1], but got p=1.5", overlap. */
int rng_bernoulli_(Generator *g, Tensor *t, double p, Error *err);

/* t.exponential_(lambd=1) for float32/float64: (-1 / lambd) * log(1 - u53). Errors:
 * "exponential_ expects lambda >= 0.0, but found lambda=-1", overlap,
 * "\"exponential_cpu\" not implemented for 'Long'". */
int rng_exponential_(Generator *g, Tensor *t, double lambd, Error *err);

#endif
