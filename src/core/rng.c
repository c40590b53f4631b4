/*
 * src/core/rng.c — PyTorch 1.13's CPU generator and random fills (see rng.h).
 * The algorithms are those of ATen's MT19937RNGEngine.h, DistributionsHelper.h,
 * TransformationHelper.h and native/cpu/DistributionTemplates.h (AVX2 flavour); the
 * fused multiply-adds of the AVX2 build are explicit fma/fmaf calls (the file must be
 * compiled with -ffp-contract=off). See LICENSE (GPL-3.0-or-later).
 */
#include "core/rng.h"

#include <math.h>
#include <string.h>

#include "core/avx_mathfun.h"
#include "core/mem.h"

#define MT_M 397
#define MT_MATRIX_A 0x9908b0dfu
#define MT_UMASK 0x80000000u
#define MT_LMASK 0x7fffffffu

/* c10::pi<double> */
static const double RNG_PI = 3.14159265358979323846;

static const char OVERLAP_MSG[] =
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location. Please clone() the tensor before performing the operation.";

/* ---- engine ---- */

void rng_init(Generator *g, uint64_t seed) {
    g->seed = seed;
    g->seeded = true;
    g->state[0] = (uint32_t)(seed & 0xffffffffu);
    for (uint32_t j = 1; j < RNG_MT_N; j++)
        g->state[j] = 1812433253u * (g->state[j - 1] ^ (g->state[j - 1] >> 30)) + j;
    g->left = 1;
    g->next = 0;
    g->has_next_double_normal = false;
    g->next_double_normal = 0.0;
    g->has_next_float_normal = false;
    g->next_float_normal = 0.0f;
}

Generator *rng_new(uint64_t seed, Error *err) {
    Generator *g = mem_alloc(sizeof *g, err);
    if (g) rng_init(g, seed);
    return g;
}

void rng_free(Generator *g) { mem_free(g); }

uint64_t rng_initial_seed(const Generator *g) { return g->seed; }

static uint32_t mt_twist(uint32_t u, uint32_t v) {
    return (((u & MT_UMASK) | (v & MT_LMASK)) >> 1) ^ ((v & 1u) ? MT_MATRIX_A : 0u);
}

static void mt_next_state(Generator *g) {
    uint32_t *s = g->state;
    g->left = RNG_MT_N;
    g->next = 0;
    int k = 0;
    for (; k < RNG_MT_N - MT_M; k++) s[k] = s[k + MT_M] ^ mt_twist(s[k], s[k + 1]);
    for (; k < RNG_MT_N - 1; k++) s[k] = s[k + MT_M - RNG_MT_N] ^ mt_twist(s[k], s[k + 1]);
    s[k] = s[k + MT_M - RNG_MT_N] ^ mt_twist(s[k], s[0]);
}

uint32_t rng_random32(Generator *g) {
    if (--g->left == 0) mt_next_state(g);
    uint32_t y = g->state[g->next++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t rng_random64(Generator *g) {
    uint64_t hi = rng_random32(g);
    uint64_t lo = rng_random32(g);
    return (hi << 32) | lo;
}

int rng_seed_from_python(bool negative, uint64_t magnitude, bool magnitude_overflow,
                         uint64_t *seed, Error *err) {
    if (magnitude_overflow || (negative && magnitude > (UINT64_C(1) << 63)))
        return err_set(err, ERR_RUNTIME, "Overflow when unpacking long");
    *seed = negative ? (uint64_t)0 - magnitude : magnitude;
    return ERR_OK;
}

/* ---- get_state / set_state: CPUGeneratorImplState, little-endian x86-64 layout ---- */

enum {
    ST_SEED = 0, ST_LEFT = 8, ST_SEEDED = 12, ST_NEXT = 16, ST_STATE = 24,
    ST_NORMAL_X = 5016, ST_NORMAL_Y = 5024, ST_NORMAL_RHO = 5032, ST_NORMAL_VALID = 5040,
    ST_FLOAT_SAMPLE = 5048, ST_FLOAT_VALID = 5052
};

static void put_le(uint8_t *p, uint64_t v, int nbytes) {
    for (int i = 0; i < nbytes; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int nbytes) {
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t double_bits(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bits_double(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

void rng_get_state(const Generator *g, uint8_t out[RNG_STATE_SIZE]) {
    memset(out, 0, RNG_STATE_SIZE);
    put_le(out + ST_SEED, g->seed, 8);
    put_le(out + ST_LEFT, (uint32_t)g->left, 4);
    put_le(out + ST_SEEDED, g->seeded ? 1 : 0, 4);
    put_le(out + ST_NEXT, g->next, 8);
    for (int i = 0; i < RNG_MT_N; i++) put_le(out + ST_STATE + 8 * i, g->state[i], 8);
    if (g->has_next_double_normal) {
        put_le(out + ST_NORMAL_Y, double_bits(g->next_double_normal), 8);
        put_le(out + ST_NORMAL_VALID, 1, 4);
    }
    if (g->has_next_float_normal) {
        uint32_t fb;
        memcpy(&fb, &g->next_float_normal, sizeof fb);
        put_le(out + ST_FLOAT_SAMPLE, fb, 4);
        out[ST_FLOAT_VALID] = 1;
    }
}

int rng_set_state(Generator *g, const uint8_t *bytes, size_t size, Error *err) {
    if (size != RNG_STATE_SIZE && size != RNG_STATE_SIZE_LEGACY)
        return err_set(err, ERR_RUNTIME,
                       "Expected either a CPUGeneratorImplStateLegacy of size %d or a "
                       "CPUGeneratorImplState of size %d but found the input RNG state size "
                       "to be %zu",
                       RNG_STATE_SIZE_LEGACY, RNG_STATE_SIZE, size);
    Generator n;
    memset(&n, 0, sizeof n);
    n.seed = get_le(bytes + ST_SEED, 8);
    n.left = (int)(int32_t)(uint32_t)get_le(bytes + ST_LEFT, 4);
    n.seeded = get_le(bytes + ST_SEEDED, 4) != 0;
    n.next = (uint32_t)get_le(bytes + ST_NEXT, 8);
    for (int i = 0; i < RNG_MT_N; i++) n.state[i] = (uint32_t)get_le(bytes + ST_STATE + 8 * i, 8);
    bool normal_valid = get_le(bytes + ST_NORMAL_VALID, 4) != 0;
    if (size == RNG_STATE_SIZE_LEGACY) {
        /* the legacy layout kept the uniform x and the radius rho of the pending pair */
        if (normal_valid) {
            double r = bits_double(get_le(bytes + ST_NORMAL_RHO, 8));
            double theta = 2.0 * RNG_PI * bits_double(get_le(bytes + ST_NORMAL_X, 8));
            n.has_next_double_normal = true;
            n.next_double_normal = r * sin(theta);
        }
    } else {
        if (bytes[ST_FLOAT_VALID]) {
            uint32_t fb = (uint32_t)get_le(bytes + ST_FLOAT_SAMPLE, 4);
            n.has_next_float_normal = true;
            memcpy(&n.next_float_normal, &fb, sizeof fb);
        }
        if (normal_valid) {
            n.has_next_double_normal = true;
            n.next_double_normal = bits_double(get_le(bytes + ST_NORMAL_Y, 8));
        }
    }
    if (!n.seeded || n.left <= 0 || n.left > RNG_MT_N || n.next > RNG_MT_N)
        return err_set(err, ERR_RUNTIME, "Invalid mt19937 state");
    *g = n;
    return ERR_OK;
}

/* ---- element iteration in TensorIterator order ---- */

/* Visits the elements of a tensor in memory order, as torch's TensorIterator does for a
 * nullary op: size-1 dims are dropped and the rest sorted by stride, the smallest
 * innermost. (Equal strides only occur in overlapping tensors, rejected beforehand.) */
typedef struct ElemIter {
    int nd;
    int64_t size[TENSOR_MAX_DIMS];   /* innermost first */
    int64_t stride[TENSOR_MAX_DIMS];
    int64_t idx[TENSOR_MAX_DIMS];
    int64_t off;       /* storage offset of the current element */
    int64_t remaining; /* elements not yet returned */
} ElemIter;

static void elem_iter_init(ElemIter *it, const Tensor *t) {
    it->nd = 0;
    it->off = t->offset;
    it->remaining = tensor_numel(t);
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] == 1) continue;
        int k = it->nd++;
        /* insertion by ascending stride */
        while (k > 0 && it->stride[k - 1] > t->stride[d]) {
            it->stride[k] = it->stride[k - 1];
            it->size[k] = it->size[k - 1];
            k--;
        }
        it->stride[k] = t->stride[d];
        it->size[k] = t->shape[d];
    }
    for (int k = 0; k < it->nd; k++) it->idx[k] = 0;
}

/* Storage offset of the next element; call exactly `numel` times. */
static int64_t elem_iter_next(ElemIter *it) {
    int64_t cur = it->off;
    if (--it->remaining > 0) {
        for (int k = 0; k < it->nd; k++) {
            if (++it->idx[k] < it->size[k]) {
                it->off += it->stride[k];
                break;
            }
            it->off -= it->stride[k] * (it->size[k] - 1);
            it->idx[k] = 0;
        }
    }
    return cur;
}

/* assert_no_internal_overlap: a dim of size > 1 with stride 0 writes one location twice. */
static int check_no_overlap(const Tensor *t, Error *err) {
    for (int d = 0; d < t->ndim; d++)
        if (t->shape[d] > 1 && t->stride[d] == 0) return err_set(err, ERR_RUNTIME, OVERLAP_MSG);
    return ERR_OK;
}

static int not_implemented(const char *kernel, const Tensor *t, Error *err) {
    return err_set(err, ERR_RUNTIME, "\"%s\" not implemented for '%s'", kernel,
                   dtype_scalar_name(t->dtype));
}

/* Stores a double into element `off` of t (float32/float64 only). */
static void store_real(Tensor *t, int64_t off, double v) {
    if (t->dtype == DTYPE_FLOAT32) ((float *)t->storage->data)[off] = (float)v;
    else ((double *)t->storage->data)[off] = v;
}

/* Stores an int64 into element `off` of t, converted as static_cast<scalar_t>. */
static void store_int(Tensor *t, int64_t off, int64_t v) {
    void *data = t->storage->data;
    switch (t->dtype) {
    case DTYPE_BOOL: ((uint8_t *)data)[off] = v != 0; break;
    case DTYPE_INT32: ((int32_t *)data)[off] = (int32_t)(uint32_t)(uint64_t)v; break;
    case DTYPE_INT64: ((int64_t *)data)[off] = v; break;
    case DTYPE_FLOAT32: ((float *)data)[off] = (float)v; break;
    case DTYPE_FLOAT64: ((double *)data)[off] = (double)v; break;
    default: break;
    }
}

/* at::uniform_real_distribution<float>(0, 1) and <double>(0, 1). */
static float uniform24(Generator *g) {
    return (float)(rng_random32(g) & 0xffffffu) * (1.0f / 16777216.0f);
}

static double uniform53(Generator *g) {
    return (double)(rng_random64(g) & ((UINT64_C(1) << 53) - 1)) *
           (1.0 / 9007199254740992.0);
}

/* ---- uniform_ ---- */

/* The float32 uniform_ loop: fmaf(x, range, from) per element in memory order. */
FMA_CLONES
static void uniform_fill_float(Generator *g, Tensor *t, float from, float range) {
    float *data = t->storage->data;
    if (tensor_is_contiguous(t)) {
        float *d = data + t->offset;
        int64_t n = tensor_numel(t);
        for (int64_t i = 0; i < n; i++) d[i] = fmaf(uniform24(g), range, from);
        return;
    }
    ElemIter it;
    elem_iter_init(&it, t);
    int64_t n = it.remaining;
    for (int64_t i = 0; i < n; i++) data[elem_iter_next(&it)] = fmaf(uniform24(g), range, from);
}

int rng_uniform_(Generator *g, Tensor *t, double from, double to, Error *err) {
    if (!dtype_is_floating(t->dtype)) return not_implemented("check_uniform_bounds", t, err);
    bool is_float = t->dtype == DTYPE_FLOAT32;
    const char *tname = is_float ? "float" : "double";
    double max = is_float ? 3.4028234663852886e38 : 1.7976931348623157e308;
    if (!(from >= -max && from <= max))
        return err_set(err, ERR_RUNTIME, "from is out of bounds for %s", tname);
    if (!(to >= -max && to <= max))
        return err_set(err, ERR_RUNTIME, "to is out of bounds for %s", tname);
    if (!(from <= to))
        return err_set(err, ERR_RUNTIME,
                       "uniform_ expects to return a [from, to) range, but found from=%g > to=%g",
                       from, to);
    if (!(to - from <= max))
        return err_set(err, ERR_RUNTIME,
                       "uniform_ expects to-from <= std::numeric_limits<%s>::max(), but found "
                       "to=%g and from=%g which result in to-from to exceed the limit",
                       dtype_scalar_name(t->dtype), to, from);
    if (check_no_overlap(t, err)) return ERR_RUNTIME;

    if (is_float) {
        float f = (float)from;
        uniform_fill_float(g, t, f, (float)to - f);
    } else {
        ElemIter it;
        elem_iter_init(&it, t);
        int64_t n = it.remaining;
        double *data = t->storage->data;
        for (int64_t i = 0; i < n; i++)
            data[elem_iter_next(&it)] = fma(uniform53(g), to - from, from);
    }
    tensor_bump_version(t);
    return ERR_OK;
}

/* ---- normal_ ---- */

/* normal_fill_16<double> (compiled with -mfma: the final multiply-add is fused). */
static void normal_block_double(double *d, double mean, double std) {
    for (int j = 0; j < 8; j++) {
        double u1 = 1.0 - d[j];
        double u2 = d[j + 8];
        double radius = sqrt(-2.0 * log(u1));
        double theta = 2.0 * RNG_PI * u2;
        d[j] = fma(radius * cos(theta), std, mean);
        d[j + 8] = fma(radius * sin(theta), std, mean);
    }
}

/* normal_fill / normal_fill_AVX2 on a contiguous tensor of n >= 16 elements: n uniforms,
 * blocks of 16, and when 16 does not divide n, 16 fresh uniforms for the last block. */
static void normal_fill_float(Generator *g, float *d, int64_t n, float mean, float std) {
    for (int64_t i = 0; i < n; i++) d[i] = uniform24(g);
    for (int64_t i = 0; i + 16 <= n; i += 16) avxmath_normal_block16(d + i, mean, std);
    if (n % 16 != 0) {
        float *tail = d + n - 16;
        for (int i = 0; i < 16; i++) tail[i] = uniform24(g);
        avxmath_normal_block16(tail, mean, std);
    }
}

static void normal_fill_double(Generator *g, double *d, int64_t n, double mean, double std) {
    for (int64_t i = 0; i < n; i++) d[i] = uniform53(g);
    for (int64_t i = 0; i + 16 <= n; i += 16) normal_block_double(d + i, mean, std);
    if (n % 16 != 0) {
        double *tail = d + n - 16;
        for (int i = 0; i < 16; i++) tail[i] = uniform53(g);
        normal_block_double(tail, mean, std);
    }
}

/* at::normal_distribution<double>: Box-Muller in double, caching r*sin(theta). */
static double normal_scalar(Generator *g, double mean, double std) {
    double ret;
    if (g->has_next_double_normal) {
        g->has_next_double_normal = false;
        ret = g->next_double_normal;
    } else {
        double u1 = uniform53(g);
        double u2 = uniform53(g);
        double r = sqrt(-2.0 * log(1.0 - u2));
        double theta = 2.0 * RNG_PI * u1;
        g->next_double_normal = r * sin(theta);
        g->has_next_double_normal = true;
        ret = r * cos(theta);
    }
    return fma(ret, std, mean);
}

int rng_normal_(Generator *g, Tensor *t, double mean, double std, Error *err) {
    if (!(std >= 0.0))
        return err_set(err, ERR_RUNTIME, "normal expects std >= 0.0, but found std %g", std);
    if (!dtype_is_floating(t->dtype)) return not_implemented("normal_kernel_cpu", t, err);
    int64_t n = tensor_numel(t);
    if (n >= 16 && tensor_is_contiguous(t)) {
        if (t->dtype == DTYPE_FLOAT32)
            normal_fill_float(g, (float *)t->storage->data + t->offset, n, (float)mean,
                              (float)std);
        else
            normal_fill_double(g, (double *)t->storage->data + t->offset, n, mean, std);
    } else {
        if (check_no_overlap(t, err)) return ERR_RUNTIME;
        ElemIter it;
        elem_iter_init(&it, t);
        for (int64_t i = 0; i < n; i++) store_real(t, elem_iter_next(&it), normal_scalar(g, mean, std));
    }
    tensor_bump_version(t);
    return ERR_OK;
}

/* ---- random_ ---- */

/* static_cast<int64_t>(v) as x86-64 does it: out of range or NaN gives INT64_MIN. */
static int64_t x86_to_int64(double v) {
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
    return (int64_t)v;
}

/* static_cast<int64_t>(static_cast<scalar_t>(v)) for the float dtypes. */
static int64_t through_dtype(DType dt, int64_t v) {
    return x86_to_int64(dt == DTYPE_FLOAT32 ? (double)(float)v : (double)v);
}

static int mantissa_digits(DType dt) { return dt == DTYPE_FLOAT32 ? 24 : 53; }

static int floor_log2(int64_t v) {
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = 0;
    while (u >>= 1) n++;
    return n;
}

/* update_from / update_to: the nearest bounds that stay inside [from, to) once cast. */
static int64_t update_from(DType dt, int64_t from) {
    int64_t from_plus_1 = through_dtype(dt, from + 1);
    if (from_plus_1 < from)
        from = from_plus_1 + (INT64_C(1) << (floor_log2(from + 1) - mantissa_digits(dt) + 1));
    return from;
}

static int64_t update_to(DType dt, int64_t to) {
    int64_t to_minus_1 = through_dtype(dt, to - 1);
    if (to_minus_1 >= to)
        to = to_minus_1 - (INT64_C(1) << (floor_log2(to - 1) - mantissa_digits(dt) + 1));
    return to;
}

/* check_from_to_in_range: only bool and int32 can fail for int64 bounds with these dtypes. */
static int check_from_to(const Tensor *t, int64_t from, int64_t to_inc, Error *err) {
    if (t->dtype == DTYPE_INT32) {
        if (from < INT32_MIN || from > INT32_MAX)
            return err_set(err, ERR_RUNTIME, "from is out of bounds for int");
        if (to_inc < INT32_MIN || to_inc > INT32_MAX)
            return err_set(err, ERR_RUNTIME, "to - 1 is out of bounds for int");
        return ERR_OK;
    }
    if (t->dtype != DTYPE_BOOL) return ERR_OK;
    if (from < 0 || from > 1) return err_set(err, ERR_RUNTIME, "from is out of bounds for bool");
    if (to_inc < 0 || to_inc > 1)
        return err_set(err, ERR_RUNTIME, "to - 1 is out of bounds for bool");
    return ERR_OK;
}

/* random_from_to_kernel: u % range + base, with a 64-bit draw for ranges >= 2^32
 * (except bool). range == 0 means the full 2^64 range. */
static void random_range_fill(Generator *g, Tensor *t, uint64_t range, int64_t base) {
    bool wide = t->dtype != DTYPE_BOOL && (range == 0 || range >= (UINT64_C(1) << 32));
    ElemIter it;
    elem_iter_init(&it, t);
    int64_t n = it.remaining;
    for (int64_t i = 0; i < n; i++) {
        uint64_t v = wide ? rng_random64(g) : rng_random32(g);
        if (range != 0) v = v % range + (uint64_t)base;
        store_int(t, elem_iter_next(&it), (int64_t)v);
    }
    tensor_bump_version(t);
}

int rng_random_from_to(Generator *g, Tensor *t, int64_t from, int64_t to, Error *err) {
    if (check_no_overlap(t, err)) return ERR_RUNTIME;
    if (!(from < to))
        return err_set(err, ERR_RUNTIME,
                       "random_ expects 'from' to be less than 'to', but got from=%lld >= to=%lld",
                       (long long)from, (long long)to);
    if (dtype_is_floating(t->dtype)) {
        from = update_from(t->dtype, from);
        to = update_to(t->dtype, to);
        if (!(from < to))
            return err_set(err, ERR_RUNTIME,
                           "random_ expects 'from' casted to dtype to be less than 'to' casted "
                           "to dtype, but got from=%lld >= to=%lld",
                           (long long)from, (long long)to);
    }
    if (check_from_to(t, from, to - 1, err)) return ERR_RUNTIME;
    random_range_fill(g, t, (uint64_t)to - (uint64_t)from, from);
    return ERR_OK;
}

int rng_random_from(Generator *g, Tensor *t, int64_t from, Error *err) {
    if (check_no_overlap(t, err)) return ERR_RUNTIME;
    if (from == INT64_MIN) {
        if (t->dtype == DTYPE_BOOL)
            return not_implemented("random_full_64_bits_range_kernel_cpu", t, err);
        random_range_fill(g, t, 0, 0);
        return ERR_OK;
    }
    int64_t to_inc;
    if (dtype_is_floating(t->dtype)) {
        to_inc = INT64_C(1) << mantissa_digits(t->dtype);
        from = update_from(t->dtype, from);
        if (!(from < to_inc))
            return err_set(err, ERR_RUNTIME,
                           "random_ expects 'from' casted to dtype to be less than or equal to "
                           "'to_inc' casted to dtype, but got from=%lld > to_inc=%lld",
                           (long long)from, (long long)to_inc);
    } else {
        to_inc = t->dtype == DTYPE_BOOL ? 1 : t->dtype == DTYPE_INT32 ? INT32_MAX : INT64_MAX;
    }
    if (check_from_to(t, from, to_inc, err)) return ERR_RUNTIME;
    random_range_fill(g, t, (uint64_t)to_inc - (uint64_t)from + 1, from);
    return ERR_OK;
}

int rng_random_(Generator *g, Tensor *t, Error *err) {
    if (check_no_overlap(t, err)) return ERR_RUNTIME;
    ElemIter it;
    elem_iter_init(&it, t);
    int64_t n = it.remaining;
    for (int64_t i = 0; i < n; i++) {
        int64_t v;
        switch (t->dtype) {
        case DTYPE_BOOL: v = rng_random32(g) & 1u; break;
        case DTYPE_INT32: v = rng_random32(g) % (UINT64_C(1) << 31); break;
        case DTYPE_INT64: v = (int64_t)(rng_random64(g) % (UINT64_C(1) << 63)); break;
        case DTYPE_FLOAT32: v = rng_random32(g) % ((UINT64_C(1) << 24) + 1); break;
        default: v = (int64_t)(rng_random64(g) % ((UINT64_C(1) << 53) + 1)); break;
        }
        store_int(t, elem_iter_next(&it), v);
    }
    tensor_bump_version(t);
    return ERR_OK;
}

/* ---- randperm ---- */

Tensor *rng_randperm(Generator *g, int64_t n, Error *err) {
    Tensor *t = tensor_zeros(DTYPE_INT64, 1, &n, err);
    if (!t) return NULL;
    int64_t *r = (int64_t *)t->storage->data + t->offset;
    for (int64_t i = 0; i < n; i++) r[i] = i;
    for (int64_t i = 0; i < n - 1; i++) {
        int64_t z = (int64_t)(rng_random32(g) % (uint64_t)(n - i));
        int64_t sav = r[i];
        r[i] = r[i + z];
        r[i + z] = sav;
    }
    return t;
}

/* ---- bernoulli_ / exponential_ ---- */

int rng_bernoulli_(Generator *g, Tensor *t, double p, Error *err) {
    if (!(p >= 0.0 && p <= 1.0))
        return err_set(err, ERR_RUNTIME, "bernoulli_ expects p to be in [0, 1], but got p=%g", p);
    if (check_no_overlap(t, err)) return ERR_RUNTIME;
    ElemIter it;
    elem_iter_init(&it, t);
    int64_t n = it.remaining;
    for (int64_t i = 0; i < n; i++) store_int(t, elem_iter_next(&it), uniform53(g) < p);
    tensor_bump_version(t);
    return ERR_OK;
}

int rng_exponential_(Generator *g, Tensor *t, double lambd, Error *err) {
    if (!(lambd >= 0.0))
        return err_set(err, ERR_RUNTIME,
                       "exponential_ expects lambda >= 0.0, but found lambda=%g", lambd);
    if (check_no_overlap(t, err)) return ERR_RUNTIME;
    if (!dtype_is_floating(t->dtype)) return not_implemented("exponential_cpu", t, err);
    ElemIter it;
    elem_iter_init(&it, t);
    int64_t n = it.remaining;
    for (int64_t i = 0; i < n; i++)
        store_real(t, elem_iter_next(&it), -1.0 / lambd * log(1.0 - uniform53(g)));
    tensor_bump_version(t);
    return ERR_OK;
}
