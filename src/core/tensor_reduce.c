/*
 * src/core/tensor_reduce.c — reductions over dim lists with keepdim, following PyTorch
 * 1.13's CPU kernels in their accumulation order where it shows: float sums replay
 * ATen's cascade summation (SumKernel.cpp) over the dims TensorIterator would build,
 * std/var use ATen's double-precision paths. Sort and topk are in tensor_sort.c.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/tensor_reduce.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

/* ---- dims ---- */

/* Fills mask[d] for every dim to reduce (all dims when dims is NULL or empty). Errors as
 * torch: "Dimension out of range (...)", "dim 0 appears multiple times in the list of
 * dims". */
static int reduce_mask(const Tensor *t, const DimList *dims, bool *mask, Error *err) {
    int n = t->ndim;
    for (int d = 0; d < TENSOR_MAX_DIMS; d++) mask[d] = false;
    if (!dims || dims->count == 0) {
        for (int d = 0; d < n; d++) mask[d] = true;
        return ERR_OK;
    }
    for (int i = 0; i < dims->count; i++) {
        int d;
        if (tensor_wrap_dim(dims->dims[i], n, &d, err) != ERR_OK) return ERR_INDEX;
        if (n == 0) continue;
        if (mask[d])
            return err_set(err, ERR_RUNTIME, "dim %d appears multiple times in the list of dims", d);
        mask[d] = true;
    }
    return ERR_OK;
}

/* The result shape of reducing t over mask. */
static int reduced_shape(const Tensor *t, const bool *mask, bool keepdim, int64_t *shape) {
    int n = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (!mask[d]) shape[n++] = t->shape[d];
        else if (keepdim) shape[n++] = 1;
    }
    return n;
}

/* ---- the TensorIterator view of a reduction ---- */

/* Dims as ATen's TensorIterator orders and coalesces them for out = reduce(in): reduced
 * dims first, each group sorted by input stride (fastest first), adjacent dims merged
 * when their strides allow. Strides are in elements. */
typedef struct ReducePlan {
    int ndim;                          /* iterator dims; 0 for a 0-d input */
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t in_stride[TENSOR_MAX_DIMS];
    int64_t out_stride[TENSOR_MAX_DIMS]; /* 0 on reduced dims */
    int64_t in_offset;
} ReducePlan;

/* ATen's should_swap for the reduction (output operand first, then the input). */
static int plan_should_swap(const int64_t *ost, const int64_t *ist, const int64_t *shape,
                            int d0, int d1) {
    if ((ost[d0] == 0) != (ost[d1] == 0)) return ost[d1] == 0 ? 1 : -1;
    const int64_t *st[2] = {ost, ist};
    for (int k = 0; k < 2; k++) {
        int64_t s0 = st[k][d0], s1 = st[k][d1];
        if (s0 == 0 || s1 == 0) continue;
        if (s0 < s1) return -1;
        if (s0 > s1) return 1;
        if (shape[d0] > shape[d1]) return 1;
    }
    return 0;
}

/* Builds the plan for reducing t over mask into the contiguous result `out` (of the
 * keepdim or squeezed shape). */
static void plan_build(ReducePlan *p, const Tensor *t, const bool *mask, const Tensor *out) {
    int n = t->ndim;
    int64_t ost[TENSOR_MAX_DIMS], ist[TENSOR_MAX_DIMS], shape[TENSOR_MAX_DIMS];
    /* output strides per input dim: contiguous over the kept dims */
    int64_t s = 1;
    for (int d = n - 1; d >= 0; d--) {
        if (mask[d]) {
            ost[d] = 0;
        } else {
            ost[d] = s;
            s *= t->shape[d];
        }
        ist[d] = t->stride[d];
        shape[d] = t->shape[d];
    }
    (void)out;
    int perm[TENSOR_MAX_DIMS];
    for (int i = 0; i < n; i++) perm[i] = n - 1 - i;
    for (int i = 1; i < n; i++) {
        int dim1 = i;
        for (int dim0 = i - 1; dim0 >= 0; dim0--) {
            int c = plan_should_swap(ost, ist, shape, perm[dim0], perm[dim1]);
            if (c > 0) {
                int tmp = perm[dim0];
                perm[dim0] = perm[dim1];
                perm[dim1] = tmp;
                dim1 = dim0;
            } else if (c < 0) {
                break;
            }
        }
    }
    p->in_offset = t->offset;
    p->ndim = n;
    for (int i = 0; i < n; i++) {
        p->shape[i] = shape[perm[i]];
        p->in_stride[i] = ist[perm[i]];
        p->out_stride[i] = ost[perm[i]];
    }
    if (n <= 1) return;
    int prev = 0;
    for (int d = 1; d < n; d++) {
        int64_t s0 = p->shape[prev], s1 = p->shape[d];
        bool can = s0 == 1 || s1 == 1 ||
                   (s0 * p->in_stride[prev] == p->in_stride[d] &&
                    s0 * p->out_stride[prev] == p->out_stride[d]);
        if (can) {
            if (s0 == 1) {
                p->in_stride[prev] = p->in_stride[d];
                p->out_stride[prev] = p->out_stride[d];
            }
            p->shape[prev] *= s1;
        } else {
            prev++;
            if (prev != d) {
                p->in_stride[prev] = p->in_stride[d];
                p->out_stride[prev] = p->out_stride[d];
                p->shape[prev] = p->shape[d];
            }
        }
    }
    p->ndim = prev + 1;
}

/* Calls loop(ctx, in_off, out_off, size0, size1, strides) for every 2-D block of the plan
 * in TensorIterator's order (dim 2 fastest among the outer dims). strides = {out s0, in s0,
 * out s1, in s1}. */
typedef void (*Loop2d)(void *ctx, int64_t in_off, int64_t out_off, int64_t size0,
                       int64_t size1, const int64_t *strides);

static void plan_for_each_2d(const ReducePlan *p, Loop2d loop, void *ctx) {
    int64_t strides[4] = {0, 0, 0, 0};
    int64_t size0 = 1, size1 = 1;
    if (p->ndim >= 1) {
        size0 = p->shape[0];
        strides[0] = p->out_stride[0];
        strides[1] = p->in_stride[0];
    }
    if (p->ndim >= 2) {
        size1 = p->shape[1];
        strides[2] = p->out_stride[1];
        strides[3] = p->in_stride[1];
    }
    for (int d = 0; d < p->ndim; d++)
        if (p->shape[d] == 0) return;
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    int64_t in_off = p->in_offset, out_off = 0;
    for (;;) {
        loop(ctx, in_off, out_off, size0, size1, strides);
        int d = 2;
        for (; d < p->ndim; d++) {
            idx[d]++;
            in_off += p->in_stride[d];
            out_off += p->out_stride[d];
            if (idx[d] < p->shape[d]) break;
            in_off -= p->in_stride[d] * p->shape[d];
            out_off -= p->out_stride[d] * p->shape[d];
            idx[d] = 0;
        }
        if (d >= p->ndim) return;
    }
}

/* ---- ATen's cascade sum, for float (8 lanes) and double (4 lanes) ---- */

static int64_t ceil_log2(int64_t x) {
    if (x <= 2) return 1;
    uint64_t v = (uint64_t)x - 1;
    int64_t last = 0;
    while (v >>= 1) last++;
    return last + 1;
}

/* value(i, k, l) = data[i*rs + k*cs + l]; nrows accumulators of W lanes. */
#define DEFINE_CASCADE(SUF, T)                                                              \
    static void multi_row_sum_##SUF(const T *data, int64_t rs, int64_t cs, int64_t size,    \
                                    int nrows, int W, T *out) {                             \
        enum { LEVELS = 4 };                                                                \
        int64_t level_power = ceil_log2(size) / LEVELS;                                     \
        if (level_power < 4) level_power = 4;                                               \
        int64_t level_step = (int64_t)1 << level_power, level_mask = level_step - 1;        \
        T acc[LEVELS][32];                                                                  \
        int nacc = nrows * W;                                                               \
        for (int j = 0; j < LEVELS; j++)                                                    \
            for (int q = 0; q < nacc; q++) acc[j][q] = 0;                                   \
        int64_t i = 0;                                                                      \
        while (i + level_step <= size) {                                                    \
            for (int64_t j = 0; j < level_step; j++, i++)                                   \
                for (int k = 0; k < nrows; k++)                                             \
                    for (int l = 0; l < W; l++)                                             \
                        acc[0][k * W + l] += data[i * rs + k * cs + l];                     \
            for (int j = 1; j < LEVELS; j++) {                                              \
                for (int q = 0; q < nacc; q++) {                                            \
                    acc[j][q] += acc[j - 1][q];                                             \
                    acc[j - 1][q] = 0;                                                      \
                }                                                                           \
                if ((i & (level_mask << (j * level_power))) != 0) break;                    \
            }                                                                               \
        }                                                                                   \
        for (; i < size; i++)                                                               \
            for (int k = 0; k < nrows; k++)                                                 \
                for (int l = 0; l < W; l++) acc[0][k * W + l] += data[i * rs + k * cs + l]; \
        for (int j = 1; j < LEVELS; j++)                                                    \
            for (int q = 0; q < nacc; q++) acc[0][q] += acc[j][q];                          \
        for (int q = 0; q < nacc; q++) out[q] = acc[0][q];                                  \
    }                                                                                       \
                                                                                            \
    static void row_sum_##SUF(const T *data, int64_t stride, int64_t size, int W, T *out) { \
        T partial[32];                                                                      \
        int64_t size_ilp = size / 4;                                                        \
        multi_row_sum_##SUF(data, stride * 4, stride, size_ilp, 4, W, partial);             \
        for (int64_t i = size_ilp * 4; i < size; i++)                                       \
            for (int l = 0; l < W; l++) partial[l] += data[i * stride + l];                 \
        for (int k = 1; k < 4; k++)                                                         \
            for (int l = 0; l < W; l++) partial[l] += partial[k * W + l];                   \
        for (int l = 0; l < W; l++) out[l] = partial[l];                                    \
    }                                                                                       \
                                                                                            \
    static void cascade_loop_##SUF(const T *in, T *out, int64_t size0, int64_t size1,       \
                                   const int64_t *strides) {                                \
        enum { VW = 32 / (int)sizeof(T) };                                                  \
        int64_t in_s[2] = {strides[1], strides[3]}, out_s[2] = {strides[0], strides[2]};    \
        if (out_s[0] != 0 && out_s[1] == 0) {                                               \
            int64_t tmp = in_s[0]; in_s[0] = in_s[1]; in_s[1] = tmp;                        \
            tmp = out_s[0]; out_s[0] = out_s[1]; out_s[1] = tmp;                            \
            tmp = size0; size0 = size1; size1 = tmp;                                        \
        }                                                                                   \
        if (out_s[0] != 0 && out_s[1] != 0) { /* not a reduction: out += in */              \
            for (int64_t j = 0; j < size1; j++)                                             \
                for (int64_t i = 0; i < size0; i++)                                         \
                    out[i * out_s[0] + j * out_s[1]] += in[i * in_s[0] + j * in_s[1]];      \
            return;                                                                         \
        }                                                                                   \
        int64_t os = out_s[1];                                                              \
        T buf[32];                                                                          \
        if (in_s[0] == 1 && size0 >= VW) { /* contiguous inner reduction */                 \
            int64_t vec_size = size0 / VW;                                                  \
            for (int64_t j = 0; j < size1; j++) {                                           \
                const T *row = in + j * in_s[1];                                            \
                row_sum_##SUF(row, VW, vec_size, VW, buf);                                  \
                T fin = 0;                                                                  \
                for (int64_t k = vec_size * VW; k < size0; k++) fin += row[k];              \
                for (int l = 0; l < VW; l++) fin += buf[l];                                 \
                out[j * os] += fin;                                                         \
            }                                                                               \
        } else if (in_s[1] == 1 && size1 >= VW) { /* contiguous outer reduction */          \
            int64_t j = 0;                                                                  \
            for (; j + 4 * VW <= size1; j += 4 * VW) {                                      \
                multi_row_sum_##SUF(in + j, in_s[0], VW, size0, 4, VW, buf);                \
                for (int q = 0; q < 4 * VW; q++) out[(j + q) * os] += buf[q];               \
            }                                                                               \
            for (; j + VW <= size1; j += VW) {                                              \
                row_sum_##SUF(in + j, in_s[0], size0, VW, buf);                             \
                for (int q = 0; q < VW; q++) out[(j + q) * os] += buf[q];                   \
            }                                                                               \
            for (; j < size1; j++) {                                                        \
                row_sum_##SUF(in + j, in_s[0], size0, 1, buf);                              \
                out[j * os] += buf[0];                                                      \
            }                                                                               \
        } else if (in_s[0] < in_s[1]) { /* scalar inner */                                  \
            for (int64_t j = 0; j < size1; j++) {                                           \
                row_sum_##SUF(in + j * in_s[1], in_s[0], size0, 1, buf);                    \
                out[j * os] += buf[0];                                                      \
            }                                                                               \
        } else { /* scalar outer */                                                         \
            int64_t j = 0;                                                                  \
            for (; j + 3 < size1; j += 4) {                                                 \
                multi_row_sum_##SUF(in + j * in_s[1], in_s[0], in_s[1], size0, 4, 1, buf);  \
                for (int q = 0; q < 4; q++) out[(j + q) * os] += buf[q];                    \
            }                                                                               \
            for (; j < size1; j++) {                                                        \
                row_sum_##SUF(in + j * in_s[1], in_s[0], size0, 1, buf);                    \
                out[j * os] += buf[0];                                                      \
            }                                                                               \
        }                                                                                   \
    }

DEFINE_CASCADE(f32, float)
DEFINE_CASCADE(f64, double)

typedef struct SumCtx {
    const Tensor *in;
    Tensor *out;
} SumCtx;

static void sum_loop(void *vctx, int64_t in_off, int64_t out_off, int64_t size0, int64_t size1,
                     const int64_t *strides) {
    SumCtx *c = vctx;
    if (c->in->dtype == DTYPE_FLOAT32) {
        const float *in = (const float *)c->in->storage->data + in_off;
        float *out = (float *)c->out->storage->data + out_off;
        cascade_loop_f32(in, out, size0, size1, strides);
    } else if (c->in->dtype == DTYPE_FLOAT64) {
        const double *in = (const double *)c->in->storage->data + in_off;
        double *out = (double *)c->out->storage->data + out_off;
        cascade_loop_f64(in, out, size0, size1, strides);
    } else { /* integers: exact, any order */
        int64_t *out = (int64_t *)c->out->storage->data + out_off;
        for (int64_t j = 0; j < size1; j++)
            for (int64_t i = 0; i < size0; i++) {
                int64_t *o = out + i * strides[0] + j * strides[2];
                *o = (int64_t)((uint64_t)*o +
                               (uint64_t)tensor_load_int(c->in, in_off + i * strides[1] + j * strides[3]));
            }
    }
}

/* A zero-filled result for reducing t over mask. */
static Tensor *new_reduced(const Tensor *t, const bool *mask, bool keepdim, DType dt, Error *err) {
    int64_t shape[TENSOR_MAX_DIMS];
    int n = reduced_shape(t, mask, keepdim, shape);
    return tensor_zeros(dt, n, shape, err);
}

static Tensor *sum_impl(const Tensor *t, const bool *mask, bool keepdim, Error *err) {
    DType dt = dtype_is_floating(t->dtype) ? t->dtype : DTYPE_INT64;
    Tensor *out = new_reduced(t, mask, keepdim, dt, err);
    if (!out) return NULL;
    ReducePlan plan;
    plan_build(&plan, t, mask, out);
    SumCtx ctx = {t, out};
    plan_for_each_2d(&plan, sum_loop, &ctx);
    return out;
}

Tensor *tensor_sum(const Tensor *t, const DimList *dims, bool keepdim, Error *err) {
    bool mask[TENSOR_MAX_DIMS];
    if (reduce_mask(t, dims, mask, err) != ERR_OK) return NULL;
    return sum_impl(t, mask, keepdim, err);
}

/* Number of elements reduced over mask. */
static int64_t reduced_count(const Tensor *t, const bool *mask) {
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        if (mask[d]) n *= t->shape[d];
    return n;
}

Tensor *tensor_mean(const Tensor *t, const DimList *dims, bool keepdim, Error *err) {
    if (!dtype_is_floating(t->dtype)) {
        err_set(err, ERR_RUNTIME,
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                "point or complex dtype. Got: %s",
                dtype_scalar_name(t->dtype));
        return NULL;
    }
    bool mask[TENSOR_MAX_DIMS];
    if (reduce_mask(t, dims, mask, err) != ERR_OK) return NULL;
    Tensor *out = sum_impl(t, mask, keepdim, err);
    if (!out) return NULL;
    /* ATen: sum(...).div_(dim_prod), the divisor cast to the result dtype */
    int64_t n = reduced_count(t, mask), m = tensor_numel(out);
    if (out->dtype == DTYPE_FLOAT32) {
        float *o = (float *)out->storage->data, d = (float)n;
        for (int64_t i = 0; i < m; i++) o[i] = o[i] / d;
    } else {
        double *o = (double *)out->storage->data, d = (double)n;
        for (int64_t i = 0; i < m; i++) o[i] = o[i] / d;
    }
    return out;
}

/* ---- generic per-output reductions ---- */

/* Walks, for each result element (contiguous order of `out`), the reduced elements of the
 * plan in TensorIterator order (dim 0 fastest). nred = leading plan dims with out stride
 * 0. */
typedef struct RedWalk {
    const ReducePlan *p;
    int nred;
    int64_t count; /* reduced elements per output */
} RedWalk;

static void walk_init(RedWalk *w, const ReducePlan *p) {
    w->p = p;
    w->nred = 0;
    while (w->nred < p->ndim && p->out_stride[w->nred] == 0) w->nred++;
    w->count = 1;
    for (int d = 0; d < w->nred; d++) w->count *= p->shape[d];
}

/* Fills offs[0..count) with the input offsets reduced into output element at out_off,
 * base input offset in_base. */
static void walk_offsets(const RedWalk *w, int64_t in_base, int64_t *offs) {
    const ReducePlan *p = w->p;
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    int64_t off = in_base;
    for (int64_t i = 0; i < w->count; i++) {
        offs[i] = off;
        for (int d = 0; d < w->nred; d++) {
            idx[d]++;
            off += p->in_stride[d];
            if (idx[d] < p->shape[d]) break;
            off -= p->in_stride[d] * p->shape[d];
            idx[d] = 0;
        }
    }
}

/* Calls fn(ctx, out_off, offs, count) for every output element. */
typedef void (*ReduceFn)(void *ctx, int64_t out_off, const int64_t *offs, int64_t count);

static int reduce_each(const Tensor *t, const bool *mask, const Tensor *out, ReduceFn fn,
                       void *ctx, Error *err) {
    ReducePlan plan;
    plan_build(&plan, t, mask, out);
    RedWalk w;
    walk_init(&w, &plan);
    int64_t nout = tensor_numel(out);
    if (nout == 0) return ERR_OK;
    int64_t *offs = mem_alloc(sizeof(int64_t) * (size_t)(w.count > 0 ? w.count : 1), err);
    if (!offs) return ERR_MEMORY;
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    int64_t in_base = plan.in_offset, out_off = 0;
    for (int64_t o = 0; o < nout; o++) {
        walk_offsets(&w, in_base, offs);
        fn(ctx, out_off, offs, w.count);
        for (int d = w.nred; d < plan.ndim; d++) {
            idx[d]++;
            in_base += plan.in_stride[d];
            out_off += plan.out_stride[d];
            if (idx[d] < plan.shape[d]) break;
            in_base -= plan.in_stride[d] * plan.shape[d];
            out_off -= plan.out_stride[d] * plan.shape[d];
            idx[d] = 0;
        }
    }
    mem_free(offs);
    return ERR_OK;
}

typedef struct GenCtx {
    const Tensor *in;
    Tensor *out;
    int kind;     /* see below */
    double p;     /* norm order */
    int64_t correction;
    bool take_sqrt;
} GenCtx;

enum { RED_PROD, RED_ALL, RED_ANY, RED_NORM, RED_VAR, RED_MAX, RED_MIN };

static void gen_reduce(void *vctx, int64_t out_off, const int64_t *offs, int64_t count) {
    GenCtx *c = vctx;
    const Tensor *t = c->in;
    switch (c->kind) {
    case RED_PROD:
        if (t->dtype == DTYPE_FLOAT32) {
            float acc = 1.0f;
            for (int64_t i = 0; i < count; i++) acc *= ((const float *)t->storage->data)[offs[i]];
            tensor_store(c->out, out_off, acc);
        } else if (t->dtype == DTYPE_FLOAT64) {
            double acc = 1.0;
            for (int64_t i = 0; i < count; i++) acc *= tensor_load(t, offs[i]);
            tensor_store(c->out, out_off, acc);
        } else {
            uint64_t acc = 1;
            for (int64_t i = 0; i < count; i++) acc *= (uint64_t)tensor_load_int(t, offs[i]);
            tensor_store_int(c->out, out_off, (int64_t)acc);
        }
        return;
    case RED_ALL:
    case RED_ANY: {
        bool all = true, any = false;
        for (int64_t i = 0; i < count; i++) {
            bool v = tensor_load(t, offs[i]) != 0.0;
            all = all && v;
            any = any || v;
        }
        tensor_store_int(c->out, out_off, c->kind == RED_ALL ? all : any);
        return;
    }
    case RED_MAX:
    case RED_MIN: {
        bool is_max = c->kind == RED_MAX;
        if (dtype_is_floating(t->dtype)) {
            double best = tensor_load(t, offs[0]);
            for (int64_t i = 1; i < count && !isnan(best); i++) {
                double v = tensor_load(t, offs[i]);
                if (isnan(v) || (is_max ? v > best : v < best)) best = v;
            }
            tensor_store(c->out, out_off, best);
        } else {
            int64_t best = tensor_load_int(t, offs[0]);
            for (int64_t i = 1; i < count; i++) {
                int64_t v = tensor_load_int(t, offs[i]);
                if (is_max ? v > best : v < best) best = v;
            }
            tensor_store_int(c->out, out_off, best);
        }
        return;
    }
    case RED_VAR: { /* ATen's WelfordOps in double */
        double mean = 0.0, m2 = 0.0;
        int64_t n = 0;
        for (int64_t i = 0; i < count; i++) {
            double x = tensor_load(t, offs[i]);
            n++;
            double delta = x - mean;
            mean += delta / (double)n;
            m2 = fma(delta, x - mean, m2); /* GCC contracts this in ATen's AVX2 build */
        }
        double nf = (double)n;
        double divisor = nf > (double)c->correction ? nf - (double)c->correction : 0.0;
        double var = m2 / divisor;
        tensor_store(c->out, out_off, c->take_sqrt ? sqrt(var) : var);
        return;
    }
    default: { /* RED_NORM, in the input's dtype (float accumulates in float) */
        double p = c->p;
        if (t->dtype == DTYPE_FLOAT32) {
            const float *d = (const float *)t->storage->data;
            float acc = 0.0f, fp = (float)p;
            if (isinf(p)) acc = p > 0 ? 0.0f : INFINITY;
            for (int64_t i = 0; i < count; i++) {
                float x = fabsf(d[offs[i]]);
                if (p == 0) acc += x != 0.0f;
                else if (p == 1) acc += x;
                else if (p == 2) acc = fmaf(x, x, acc);
                else if (isinf(p)) acc = (isnan(x) || isnan(acc)) ? NAN : (p > 0 ? (x > acc ? x : acc) : (x < acc ? x : acc));
                else acc += powf(x, fp);
            }
            if (p == 2) acc = sqrtf(acc);
            else if (p != 0 && p != 1 && !isinf(p)) acc = powf(acc, 1.0f / fp);
            tensor_store(c->out, out_off, acc);
        } else {
            double acc = 0.0;
            if (isinf(p)) acc = p > 0 ? 0.0 : INFINITY;
            for (int64_t i = 0; i < count; i++) {
                double x = fabs(tensor_load(t, offs[i]));
                if (p == 0) acc += x != 0.0;
                else if (p == 1) acc += x;
                else if (p == 2) acc = fma(x, x, acc);
                else if (isinf(p)) acc = (isnan(x) || isnan(acc)) ? NAN : (p > 0 ? (x > acc ? x : acc) : (x < acc ? x : acc));
                else acc += pow(x, p);
            }
            if (p == 2) acc = sqrt(acc);
            else if (p != 0 && p != 1 && !isinf(p)) acc = pow(acc, 1.0 / p);
            tensor_store(c->out, out_off, acc);
        }
        return;
    }
    }
}

static Tensor *generic_reduce(const Tensor *t, const DimList *dims, bool keepdim, DType dt,
                              GenCtx *ctx, Error *err) {
    bool mask[TENSOR_MAX_DIMS];
    if (reduce_mask(t, dims, mask, err) != ERR_OK) return NULL;
    Tensor *out = new_reduced(t, mask, keepdim, dt, err);
    if (!out) return NULL;
    ctx->in = t;
    ctx->out = out;
    if (reduce_each(t, mask, out, gen_reduce, ctx, err) != ERR_OK) {
        tensor_release(out);
        return NULL;
    }
    return out;
}

/* ATen's binary_kernel_reduce_vec (cpu/Reduce.h) for a product: out starts at 1; a
 * contiguous inner reduction multiplies 4 vectors of lanes, folds them as
 * (a0*a1)*(a2*a3), then the lanes in order, then the tail; a contiguous outer reduction
 * multiplies down columns 4 vectors wide; anything else multiplies in order. */
#define DEFINE_VEC_PROD(SUF, T)                                                              \
    static void prod_inner_##SUF(T *out, const T *in, int64_t n) {                           \
        enum { W = 32 / (int)sizeof(T) };                                                    \
        int64_t count = n / (4 * W);                                                         \
        if (count > 0) {                                                                     \
            T acc[4][W];                                                                     \
            for (int j = 0; j < 4; j++)                                                      \
                for (int l = 0; l < W; l++) acc[j][l] = in[j * W + l];                       \
            for (int64_t i = 1; i < count; i++)                                              \
                for (int j = 0; j < 4; j++)                                                  \
                    for (int l = 0; l < W; l++) acc[j][l] = acc[j][l] * in[i * 4 * W + j * W + l]; \
            T buf[W];                                                                        \
            for (int l = 0; l < W; l++)                                                      \
                buf[l] = (acc[0][l] * acc[1][l]) * (acc[2][l] * acc[3][l]);                 \
            for (int l = 1; l < W; l++) buf[0] = buf[0] * buf[l];                            \
            *out = *out * buf[0];                                                            \
        }                                                                                    \
        for (int64_t i = count * 4 * W; i < n; i++) *out = *out * in[i];                     \
    }                                                                                        \
                                                                                             \
    static void prod_outer_##SUF(T *out, const T *in, int64_t inner_stride, int64_t size0,   \
                                 int64_t size1) {                                            \
        enum { W = 32 / (int)sizeof(T) };                                                    \
        int64_t blocks = size1 / (4 * W), c = 0;                                             \
        for (int64_t b = 0; b < blocks; b++, c += 4 * W) {                                   \
            T acc[4 * W];                                                                    \
            for (int q = 0; q < 4 * W; q++) acc[q] = in[c + q];                              \
            for (int64_t i = 1; i < size0; i++)                                              \
                for (int q = 0; q < 4 * W; q++) acc[q] = acc[q] * in[i * inner_stride + c + q]; \
            for (int q = 0; q < 4 * W; q++) out[c + q] = acc[q] * out[c + q];                \
        }                                                                                    \
        for (; c < size1; c++)                                                               \
            for (int64_t i = 0; i < size0; i++) out[c] = out[c] * in[i * inner_stride + c];  \
    }                                                                                        \
                                                                                             \
    static void prod_loop_##SUF(const T *in, T *out, int64_t size0, int64_t size1,           \
                                const int64_t *st) {                                         \
        if (st[0] == 0 && st[1] == 1) {                                                      \
            for (int64_t j = 0; j < size1; j++) prod_inner_##SUF(out + j * st[2], in + j * st[3], size0); \
        } else if (st[0] == 0 && st[2] == 1 && st[3] == 1) {                                 \
            prod_outer_##SUF(out, in, st[1], size0, size1);                                  \
        } else {                                                                             \
            for (int64_t j = 0; j < size1; j++)                                              \
                for (int64_t i = 0; i < size0; i++)                                          \
                    out[j * st[2] + i * st[0]] = out[j * st[2] + i * st[0]] * in[j * st[3] + i * st[1]]; \
        }                                                                                    \
    }

DEFINE_VEC_PROD(f32, float)
DEFINE_VEC_PROD(f64, double)

static void prod_loop(void *vctx, int64_t in_off, int64_t out_off, int64_t size0, int64_t size1,
                      const int64_t *strides) {
    SumCtx *c = vctx;
    if (c->in->dtype == DTYPE_FLOAT32)
        prod_loop_f32((const float *)c->in->storage->data + in_off,
                      (float *)c->out->storage->data + out_off, size0, size1, strides);
    else
        prod_loop_f64((const double *)c->in->storage->data + in_off,
                      (double *)c->out->storage->data + out_off, size0, size1, strides);
}

Tensor *tensor_prod(const Tensor *t, const DimList *dims, bool keepdim, Error *err) {
    if (dtype_is_floating(t->dtype)) {
        bool mask[TENSOR_MAX_DIMS];
        if (reduce_mask(t, dims, mask, err) != ERR_OK) return NULL;
        Tensor *out = new_reduced(t, mask, keepdim, t->dtype, err);
        if (!out) return NULL;
        tensor_fill_(out, 1.0, err);
        ReducePlan plan;
        plan_build(&plan, t, mask, out);
        SumCtx ctx = {t, out};
        plan_for_each_2d(&plan, prod_loop, &ctx);
        return out;
    }
    GenCtx ctx = {.kind = RED_PROD};
    return generic_reduce(t, dims, keepdim, dtype_is_floating(t->dtype) ? t->dtype : DTYPE_INT64,
                          &ctx, err);
}

Tensor *tensor_all(const Tensor *t, const DimList *dims, bool keepdim, Error *err) {
    GenCtx ctx = {.kind = RED_ALL};
    return generic_reduce(t, dims, keepdim, DTYPE_BOOL, &ctx, err);
}

Tensor *tensor_any(const Tensor *t, const DimList *dims, bool keepdim, Error *err) {
    GenCtx ctx = {.kind = RED_ANY};
    return generic_reduce(t, dims, keepdim, DTYPE_BOOL, &ctx, err);
}

/* ---- var / std ---- */

static Tensor *var_std(const Tensor *t, const DimList *dims, int correction, bool keepdim,
                       bool take_sqrt, Error *err) {
    if (!dtype_is_floating(t->dtype)) {
        err_set(err, ERR_RUNTIME, "std and var only support floating point and complex dtypes");
        return NULL;
    }
    bool mask[TENSOR_MAX_DIMS];
    if (reduce_mask(t, dims, mask, err) != ERR_OK) return NULL;
    Tensor *out = new_reduced(t, mask, keepdim, t->dtype, err);
    if (!out) return NULL;
    int64_t n = tensor_numel(t);
    if (n == 0) {
        tensor_fill_(out, NAN, err);
        return out;
    }
    ReducePlan plan;
    plan_build(&plan, t, mask, out);
    bool all_reduced = true;
    for (int d = 0; d < plan.ndim; d++) all_reduced = all_reduced && plan.out_stride[d] == 0;
    if (all_reduced) {
        /* ATen's std_var_all_cpu: the float mean as a double, then the squared deviations
         * summed in double in memory order */
        bool all[TENSOR_MAX_DIMS];
        for (int d = 0; d < TENSOR_MAX_DIMS; d++) all[d] = d < t->ndim;
        Tensor *mean_t = sum_impl(t, all, false, err);
        if (!mean_t) {
            tensor_release(out);
            return NULL;
        }
        double mean;
        if (t->dtype == DTYPE_FLOAT32) mean = (double)(((float *)mean_t->storage->data)[0] / (float)n);
        else mean = ((double *)mean_t->storage->data)[0] / (double)n;
        tensor_release(mean_t);
        GenCtx dummy;
        (void)dummy;
        ReducePlan flat;
        plan_build(&flat, t, all, out);
        RedWalk w;
        walk_init(&w, &flat);
        int64_t *offs = mem_alloc(sizeof(int64_t) * (size_t)w.count, err);
        if (!offs) {
            tensor_release(out);
            return NULL;
        }
        walk_offsets(&w, flat.in_offset, offs);
        double sum = 0.0;
        for (int64_t i = 0; i < w.count; i++) {
            double dx = tensor_load(t, offs[i]) - mean;
            sum += dx * dx;
        }
        mem_free(offs);
        int64_t div = n - correction > 0 ? n - correction : 0;
        double var = sum / (double)div;
        double r = take_sqrt ? sqrt(var) : var;
        tensor_fill_(out, r, err);
        return out;
    }
    GenCtx ctx = {.in = t, .out = out, .kind = RED_VAR, .correction = correction,
                  .take_sqrt = take_sqrt};
    if (reduce_each(t, mask, out, gen_reduce, &ctx, err) != ERR_OK) {
        tensor_release(out);
        return NULL;
    }
    return out;
}

Tensor *tensor_var(const Tensor *t, const DimList *dims, int correction, bool keepdim,
                   Error *err) {
    return var_std(t, dims, correction, keepdim, false, err);
}

Tensor *tensor_std(const Tensor *t, const DimList *dims, int correction, bool keepdim,
                   Error *err) {
    return var_std(t, dims, correction, keepdim, true, err);
}

/* ---- norm ---- */

Tensor *tensor_norm(const Tensor *t, double p, const DimList *dims, bool keepdim, Error *err) {
    if (!dtype_is_floating(t->dtype)) {
        err_set(err, ERR_RUNTIME,
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got %s",
                dtype_scalar_name(t->dtype));
        return NULL;
    }
    bool mask[TENSOR_MAX_DIMS];
    if (reduce_mask(t, dims, mask, err) != ERR_OK) return NULL;
    if (tensor_numel(t) == 0 && p < 0) {
        err_set(err, ERR_RUNTIME,
                "linalg.vector_norm cannot compute the %g norm on an empty tensor because the "
                "operation does not have an identity", p);
        return NULL;
    }
    Tensor *out = new_reduced(t, mask, keepdim, t->dtype, err);
    if (!out) return NULL;
    ReducePlan plan;
    plan_build(&plan, t, mask, out);
    int nred = 0;
    while (nred < plan.ndim && plan.out_stride[nred] == 0) nred++;
    if (p == 2 && t->dtype == DTYPE_FLOAT32 && nred == 1 && plan.in_stride[0] == 1 &&
        tensor_numel(t) > 0) {
        /* ATen's vectorised last-dim path: 8 lanes accumulating fmaf(x, x, acc), lanes
         * summed in order, then the tail added */
        int64_t size = plan.shape[0], nout = tensor_numel(out);
        const float *base = (const float *)t->storage->data;
        int64_t idx[TENSOR_MAX_DIMS] = {0};
        int64_t in_off = plan.in_offset, out_off = 0;
        for (int64_t o = 0; o < nout; o++) {
            const float *x = base + in_off;
            float acc[8] = {0};
            int64_t d = 0;
            for (; d < size - size % 8; d += 8)
                for (int l = 0; l < 8; l++) acc[l] = fmaf(x[d + l], x[d + l], acc[l]);
            for (int l = 1; l < 8; l++) acc[0] = acc[0] + acc[l];
            /* the scalar tail as GCC compiled it: groups of 4 squares added unfused,
             * the last (< 4) fused */
            int64_t q = d + (size - d) / 4 * 4;
            for (; d < q; d++) acc[0] += x[d] * x[d];
            for (; d < size; d++) acc[0] = fmaf(x[d], x[d], acc[0]);
            ((float *)out->storage->data)[out_off] = sqrtf(acc[0]);
            for (int k = 1; k < plan.ndim; k++) {
                idx[k]++;
                in_off += plan.in_stride[k];
                out_off += plan.out_stride[k];
                if (idx[k] < plan.shape[k]) break;
                in_off -= plan.in_stride[k] * plan.shape[k];
                out_off -= plan.out_stride[k] * plan.shape[k];
                idx[k] = 0;
            }
        }
        return out;
    }
    GenCtx ctx = {.in = t, .out = out, .kind = RED_NORM, .p = p};
    if (reduce_each(t, mask, out, gen_reduce, &ctx, err) != ERR_OK) {
        tensor_release(out);
        return NULL;
    }
    return out;
}

/* ---- max / min / argmax / argmin ---- */

static Tensor *extreme_all(const Tensor *t, bool is_max, Error *err) {
    if (tensor_numel(t) == 0) {
        err_set(err, ERR_RUNTIME,
                "%s(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                "the reduction dim with the 'dim' argument.",
                is_max ? "max" : "min");
        return NULL;
    }
    GenCtx ctx = {.kind = is_max ? RED_MAX : RED_MIN};
    return generic_reduce(t, NULL, false, t->dtype, &ctx, err);
}

Tensor *tensor_max_all(const Tensor *t, Error *err) { return extreme_all(t, true, err); }
Tensor *tensor_min_all(const Tensor *t, Error *err) { return extreme_all(t, false, err); }

/* Index along `dim` of the max (is_max) or min of each line, first occurrence, NaN wins. */
static int extreme_dim(const Tensor *t, int64_t dim, bool keepdim, bool is_max, const char *name,
                       Tensor **values, Tensor **indices, Error *err) {
    int d;
    if (tensor_wrap_dim(dim, t->ndim, &d, err) != ERR_OK) return ERR_INDEX;
    int64_t size = t->ndim ? t->shape[d] : 1, stride = t->ndim ? t->stride[d] : 0;
    if (size == 0) {
        if (t->ndim)
            return err_set(err, ERR_INDEX,
                           "%s(): Expected reduction dim %d to have non-zero size.", name, d);
    }
    bool mask[TENSOR_MAX_DIMS] = {false};
    if (t->ndim) mask[d] = true;
    Tensor *vals = NULL, *idx = new_reduced(t, mask, keepdim, DTYPE_INT64, err);
    if (!idx) return ERR_MEMORY;
    if (values) {
        vals = new_reduced(t, mask, keepdim, t->dtype, err);
        if (!vals) {
            tensor_release(idx);
            return ERR_MEMORY;
        }
    }
    /* iterate the other dims in row-major order: the result is contiguous in that order */
    int64_t outer[TENSOR_MAX_DIMS], ostride[TENSOR_MAX_DIMS], pos[TENSOR_MAX_DIMS] = {0};
    int no = 0;
    for (int k = 0; k < t->ndim; k++)
        if (k != d) {
            outer[no] = t->shape[k];
            ostride[no++] = t->stride[k];
        }
    int64_t nout = tensor_numel(idx), base = t->offset;
    bool fl = dtype_is_floating(t->dtype);
    for (int64_t o = 0; o < nout; o++) {
        int64_t best_i = 0;
        if (fl) {
            double best = tensor_load(t, base);
            for (int64_t i = 1; i < size && !isnan(best); i++) {
                double v = tensor_load(t, base + i * stride);
                if (isnan(v) || (is_max ? v > best : v < best)) best = v, best_i = i;
            }
            if (vals) tensor_store(vals, o, best);
        } else {
            int64_t best = tensor_load_int(t, base);
            for (int64_t i = 1; i < size; i++) {
                int64_t v = tensor_load_int(t, base + i * stride);
                if (is_max ? v > best : v < best) best = v, best_i = i;
            }
            if (vals) tensor_store_int(vals, o, best);
        }
        ((int64_t *)idx->storage->data)[o] = best_i;
        for (int k = no - 1; k >= 0; k--) {
            pos[k]++;
            base += ostride[k];
            if (pos[k] < outer[k]) break;
            base -= ostride[k] * outer[k];
            pos[k] = 0;
        }
    }
    if (values) *values = vals;
    *indices = idx;
    return ERR_OK;
}

int tensor_max_dim(const Tensor *t, int64_t dim, bool keepdim, Tensor **values,
                   Tensor **indices, Error *err) {
    return extreme_dim(t, dim, keepdim, true, "max", values, indices, err);
}

int tensor_min_dim(const Tensor *t, int64_t dim, bool keepdim, Tensor **values,
                   Tensor **indices, Error *err) {
    return extreme_dim(t, dim, keepdim, false, "min", values, indices, err);
}

static Tensor *arg_extreme(const Tensor *t, bool has_dim, int64_t dim, bool keepdim, bool is_max,
                           Error *err) {
    const char *name = is_max ? "argmax" : "argmin";
    Tensor *idx = NULL;
    if (has_dim) {
        int d;
        if (tensor_wrap_dim(dim, t->ndim, &d, err) != ERR_OK) return NULL;
        if (t->ndim && t->shape[d] == 0) {
            err_set(err, ERR_INDEX, "%s(): Expected reduction dim %d to have non-zero size.", name, d);
            return NULL;
        }
    } else if (tensor_numel(t) == 0) {
        err_set(err, ERR_INDEX,
                "%s(): Expected reduction dim to be specified for input.numel() == 0.", name);
        return NULL;
    }
    /* the bool kernel is missing; torch only skips it for a reduced dim of size 1 */
    if (t->dtype == DTYPE_BOOL &&
        (!has_dim || (t->ndim && tensor_numel(t) > 0 &&
                      t->shape[dim < 0 ? dim + t->ndim : dim] > 1))) {
        err_set(err, ERR_RUNTIME, "\"%s_cpu\" not implemented for 'Bool'", name);
        return NULL;
    }
    if (has_dim) {
        if (extreme_dim(t, dim, keepdim, is_max, name, NULL, &idx, err) != ERR_OK) return NULL;
        return idx;
    }
    if (tensor_numel(t) == 0) {
        err_set(err, ERR_RUNTIME,
                "%s(): Expected reduction dim to be specified for input.numel() == 0.", name);
        return NULL;
    }
    int64_t n = tensor_numel(t);
    Tensor *flat = tensor_reshape(t, 1, &n, err);
    if (!flat) return NULL;
    int rc = extreme_dim(flat, 0, false, is_max, name, NULL, &idx, err);
    tensor_release(flat);
    if (rc != ERR_OK) return NULL;
    if (keepdim) { /* every dim kept with size 1 */
        int64_t shape[TENSOR_MAX_DIMS];
        for (int k = 0; k < t->ndim; k++) shape[k] = 1;
        Tensor *v = tensor_reshape(idx, t->ndim, shape, err);
        tensor_release(idx);
        return v;
    }
    return idx;
}

Tensor *tensor_argmax(const Tensor *t, bool has_dim, int64_t dim, bool keepdim, Error *err) {
    return arg_extreme(t, has_dim, dim, keepdim, true, err);
}

Tensor *tensor_argmin(const Tensor *t, bool has_dim, int64_t dim, bool keepdim, Error *err) {
    return arg_extreme(t, has_dim, dim, keepdim, false, err);
}
