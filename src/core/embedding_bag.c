/*
 * src/core/embedding_bag.c — nn.EmbeddingBag / F.embedding_bag, as PyTorch 1.13 on CPU
 * (F.embedding_bag's Python checks, then ATen's _embedding_bag_cpu_impl with caffe2's
 * EmbeddingLookupIdx on the fast path). See LICENSE (GPL-3.0-or-later).
 */
#include "core/embedding_bag.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/embedding.h"
#include "core/kernels_f32.h"
#include "core/mem.h"

static const char *const mode_names[] = {"sum", "mean", "max"};

const char *bag_mode_name(BagMode mode) {
    return (unsigned)mode < 3 ? mode_names[mode] : "?";
}

int bag_mode_parse(const char *name, BagMode *mode, Error *err) {
    for (int m = 0; m < 3; m++) {
        if (strcmp(name, mode_names[m]) == 0) {
            *mode = (BagMode)m;
            return ERR_OK;
        }
    }
    return err_set(err, ERR_VALUE, "mode has to be one of sum, mean or max");
}

int bag_check_padding_idx(int64_t num_embeddings, int64_t padding_idx, int64_t *normalized,
                          Error *err) {
    if ((padding_idx > 0 && padding_idx >= num_embeddings) ||
        (padding_idx < 0 && padding_idx < -num_embeddings))
        return err_set(err, ERR_ASSERTION, "padding_idx must be within num_embeddings");
    *normalized = padding_idx < 0 ? num_embeddings + padding_idx : padding_idx;
    return ERR_OK;
}

void bag_aux_release(BagAux *aux) {
    if (!aux) return;
    tensor_release(aux->offset2bag);
    tensor_release(aux->bag_size);
    tensor_release(aux->max_indices);
    aux->offset2bag = aux->bag_size = aux->max_indices = NULL;
}

/* ---- the prepared call ---- */

typedef struct Bag {
    BagMode mode;
    const int64_t *in; /* flattened input, len entries */
    int64_t len;
    const int64_t *offs; /* offsets, noffs entries */
    int64_t noffs;
    int64_t bags;
    int64_t pad; /* normalised, or -1 */
    const Tensor *psw; /* flattened per_sample_weights or NULL */
    /* the weight seen as a 2-D table */
    int64_t n, d, s0, s1;
    /* owned */
    int64_t *in_buf, *offs_buf, *o2b, *bag_size;
    Tensor *in_t, *offs_t, *psw_t;
} Bag;

static void bag_free(Bag *b) {
    mem_free(b->in_buf);
    mem_free(b->offs_buf);
    mem_free(b->o2b);
    mem_free(b->bag_size);
    tensor_release(b->in_t);
    tensor_release(b->offs_t);
    tensor_release(b->psw_t);
}

/* An int64 view of t's values in logical order: t's own data when it is a contiguous
 * int64 tensor, else a converted copy in *buf. */
static const int64_t *int_values(const Tensor *t, int64_t **buf, Error *err) {
    int64_t n = tensor_numel(t);
    if (t->dtype == DTYPE_INT64 && tensor_is_contiguous(t))
        return (const int64_t *)t->storage->data + t->offset;
    *buf = mem_alloc((size_t)(n > 0 ? n : 1) * sizeof **buf, err);
    if (!*buf) return NULL;
    for (int64_t i = 0; i < n; i++) (*buf)[i] = tensor_get_int(t, i);
    return *buf;
}

static void size_str(const Tensor *t, char *out, size_t size) {
    char s[256];
    tensor_shape_str(t->ndim, t->shape, s, sizeof s);
    snprintf(out, size, "torch.Size(%s)", s);
}

/* F.embedding_bag's own checks (torch/nn/functional.py) and the input reshaping. */
static int python_checks(Tensor *weight, const Tensor *input, const BagOptions *opt, Bag *b,
                         Error *err) {
    const Tensor *psw = opt->per_sample_weights;
    if (psw && !tensor_same_shape(input, psw)) {
        char ps[300], is[300];
        size_str(psw, ps, sizeof ps);
        size_str(input, is, sizeof is);
        return err_set(err, ERR_VALUE,
                       "embedding_bag: If per_sample_weights (%s) is not None, then it must have "
                       "the same shape as the input (%s)",
                       ps, is);
    }
    if (input->ndim == 2) {
        if (opt->offsets)
            return err_set(err, ERR_VALUE,
                           "if input is 2D, then offsets has to be None, as input is treated is "
                           "a mini-batch of fixed length sequences. However, found offsets of "
                           "type <class 'torch.Tensor'>");
        int64_t numel = tensor_numel(input);
        if (input->dtype == DTYPE_BOOL) /* torch.arange(..., dtype=input.dtype) */
            return err_set(err, ERR_RUNTIME, "\"arange_cpu\" not implemented for 'Bool'");
        b->offs_t = tensor_arange(0.0, (double)numel, (double)input->shape[1], input->dtype, err);
        if (!b->offs_t) return err->code;
        int64_t flat[1] = {-1};
        b->in_t = tensor_reshape(input, 1, flat, err);
        if (!b->in_t) return err->code;
        if (psw) {
            b->psw_t = tensor_reshape(psw, 1, flat, err);
            if (!b->psw_t) return err->code;
        }
    } else if (input->ndim == 1) {
        if (!opt->offsets) return err_set(err, ERR_VALUE, "offsets has to be a 1D Tensor but got None");
        if (opt->offsets->ndim != 1) return err_set(err, ERR_VALUE, "offsets has to be a 1D Tensor");
        b->in_t = tensor_retain((Tensor *)input);
        b->offs_t = tensor_retain((Tensor *)opt->offsets);
        if (psw) b->psw_t = tensor_retain((Tensor *)psw);
    } else {
        return err_set(err, ERR_VALUE, "input has to be 1D or 2D Tensor, but got Tensor of dimension %d",
                       input->ndim);
    }
    if (bag_mode_parse(opt->mode ? opt->mode : "mean", &b->mode, err) != ERR_OK) return err->code;
    if (b->mode == BAG_MAX && opt->scale_grad_by_freq)
        return err_set(err, ERR_VALUE, "max mode does not support scaling the gradient by the frequency");
    if (b->mode == BAG_MAX && opt->sparse)
        return err_set(err, ERR_VALUE, "max mode does not support sparse weights");
    if (opt->has_max_norm &&
        emb_renorm_(weight, b->in_t, opt->max_norm, opt->norm_type, err) != ERR_OK)
        return err->code;
    if (psw && b->mode != BAG_SUM)
        return err_set(err, ERR_NOT_IMPLEMENTED,
                       "embedding_bag: per_sample_weights was not None. per_sample_weights is "
                       "only supported for mode='sum' (got mode='%s'). Please open a feature "
                       "request on GitHub.",
                       bag_mode_name(b->mode));
    return ERR_OK;
}

/* ATen's embedding_bag and check_arguments. */
static int aten_checks(const Tensor *weight, const BagOptions *opt, Bag *b, Error *err) {
    b->pad = -1;
    if (opt->has_padding_idx) {
        if (weight->ndim == 0)
            return err_set(err, ERR_INDEX, "Dimension specified as 0 but tensor has no dimensions");
        int64_t n = weight->shape[0], p = opt->padding_idx;
        if (p < -n || p >= n)
            return err_set(err, ERR_RUNTIME,
                           "padding_idx must be within the number of embeddings, -%lld through "
                           "%lld, but got %lld",
                           (long long)n, (long long)(n - 1), (long long)p);
        b->pad = p < 0 ? p + n : p;
    }
    /* promoteIndicesAndOffsets, then the index dtype checks */
    DType common = b->in_t->dtype > b->offs_t->dtype ? b->in_t->dtype : b->offs_t->dtype;
    if (!dtype_is_integral(common))
        return err_set(err, ERR_RUNTIME,
                       "Expected tensor for argument #1 'indices' to have one of the following "
                       "scalar types: Long, Int; but got %s instead (while checking arguments "
                       "for embedding_bag)",
                       emb_index_type_name(common));
    if (!dtype_is_floating(weight->dtype))
        return err_set(err, ERR_RUNTIME,
                       "Expected tensor for argument #1 'weight' to have one of the following "
                       "scalar types: Half, Float, Double; but got %s instead (while checking "
                       "arguments for embedding_bag)",
                       emb_index_type_name(weight->dtype));
    b->in = int_values(b->in_t, &b->in_buf, err);
    b->offs = b->in ? int_values(b->offs_t, &b->offs_buf, err) : NULL;
    if (!b->offs) return err->code;
    b->len = tensor_numel(b->in_t);
    b->noffs = tensor_numel(b->offs_t);
    if (b->noffs > 0) {
        if (b->offs[0] != 0)
            return err_set(err, ERR_RUNTIME,
                           "offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           "has to start from position 0. However, got %lld\n[ torch.LongTensor{} ]",
                           (long long)b->offs[0]);
        if (b->offs[b->noffs - 1] > b->len)
            return err_set(err, ERR_RUNTIME,
                           "offsets[-1] can not be greater than input's length %lld but got "
                           "offsets[-1] of %lld",
                           (long long)b->len, (long long)b->offs[b->noffs - 1]);
    }
    if (b->psw_t && b->psw_t->dtype != weight->dtype)
        return err_set(err, ERR_RUNTIME,
                       "Expected tensor for argument #1 'weight' to have the same type as tensor "
                       "for argument #1 'per_sample_weights'; but type %s does not equal %s "
                       "(while checking arguments for embedding_bag)",
                       emb_index_type_name(weight->dtype), emb_index_type_name(b->psw_t->dtype));
    b->psw = b->psw_t;
    if (opt->include_last_offset && b->noffs < 1)
        return err_set(err, ERR_RUNTIME, "include_last_offset: number of offset should be at least 1");
    if (weight->ndim == 0)
        return err_set(err, ERR_INDEX, "Dimension specified as 1 but tensor has no dimensions");
    if (weight->ndim == 1)
        return err_set(err, ERR_INDEX,
                       "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    b->n = weight->shape[0];
    b->d = weight->shape[1];
    b->s0 = weight->stride[0];
    b->s1 = weight->stride[1];
    b->bags = opt->include_last_offset ? b->noffs - 1 : b->noffs;
    return ERR_OK;
}

/* make_offset2bag over all offsets (torch 1.13 does not drop the last one with
 * include_last_offset): o2b[i] is the bag of input position i. IndexError when an offset
 * is outside [0, len], as index_add_. With check false, such offsets are skipped. */
static int make_offset2bag(Bag *b, bool check, Error *err) {
    b->o2b = mem_calloc((size_t)b->len + 1, sizeof *b->o2b, err);
    if (!b->o2b) return ERR_MEMORY;
    for (int64_t k = 0; k < b->noffs; k++) {
        int64_t o = b->offs[k];
        if (o < 0 || o > b->len) {
            if (check) return err_set(err, ERR_INDEX, "index out of range in self");
            continue;
        }
        b->o2b[o]++;
    }
    b->o2b[0]--;
    for (int64_t i = 1; i <= b->len; i++) b->o2b[i] += b->o2b[i - 1];
    return ERR_OK;
}

/* make_bag_size: offset differences; the last bag runs to the end of the input. */
static int make_bag_size(Bag *b, Error *err) {
    b->bag_size = mem_calloc((size_t)(b->bags > 0 ? b->bags : 1), sizeof *b->bag_size, err);
    if (!b->bag_size) return ERR_MEMORY;
    for (int64_t k = 0; k + 1 < b->bags; k++) b->bag_size[k] = b->offs[k + 1] - b->offs[k];
    if (b->bags > 0) b->bag_size[b->bags - 1] = b->len - b->offs[b->bags - 1];
    return ERR_OK;
}

static bool in_bag(const Bag *b, int64_t bag) { return bag >= 0 && bag < b->bags; }

static int bad_index(int64_t idx, Error *err) {
    return err_set(err, ERR_RUNTIME,
                   "embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
                   "%lld",
                   (long long)idx);
}

/* ---- the fast path: caffe2's EmbeddingLookupIdx (AVX2 + FMA kernel) ---- */

/* The fast-path kernels are marked FMA_CLONES (kernels_f32.h): also built for CPUs with
 * FMA (and so AVX), where fmaf is one instruction and adds go 8 wide. The results do not
 * depend on the clone: every operation is an exactly rounded IEEE add or fmaf, in input
 * order. */

/* o[j] += r[j] for j < d, 8 lanes at a time where the compiler has vector types (each
 * lane is the same IEEE add, so the result does not depend on the width). Inlined into the
 * kernel so that it takes the kernel's target. */
#if defined(__GNUC__)
typedef float bag_v8sf __attribute__((vector_size(32)));
#define BAG_INLINE static inline __attribute__((always_inline))
#else
#define BAG_INLINE static inline
#endif

BAG_INLINE void add_row(float *restrict o, const float *restrict r, int64_t d,
                        const float *ahead) {
    int64_t j = 0;
#if defined(__GNUC__)
    for (; j + 8 <= d; j += 8) {
        bag_v8sf a, b;
        memcpy(&a, o + j, sizeof a);
        memcpy(&b, r + j, sizeof b);
        a += b;
        memcpy(o + j, &a, sizeof a);
        if (ahead) __builtin_prefetch(ahead + j, 0, 2); /* interleaved, as caffe2; into L2 */
    }
#else
    (void)ahead;
#endif
    for (; j < d; j++) o[j] += r[j];
}

/* Touches the cache lines of a row needed a few positions ahead (caffe2 prefetches 16
 * indices ahead as well), into L2 (caffe2 asks for L1: measured 1.5x slower here, bench/);
 * the rows are random, so this hides memory latency. The plain
 * sum interleaves these prefetches with its adds (add_row), as caffe2's kernel does. */
#define BAG_PREFETCH_DISTANCE 16

BAG_INLINE void prefetch_row(const void *row, size_t bytes) {
#if defined(__GNUC__)
    for (size_t b = 0; b < bytes; b += 64) __builtin_prefetch((const char *)row + b, 0, 2);
#else
    (void)row;
    (void)bytes;
#endif
}

/* Sums (or fmaf-accumulates with weights) each bag in input order. Returns false where
 * the caffe2 kernel returns false (a bad index, offsets not matching the running
 * position, or a final position other than index_size); out rows are zero beforehand. */
FMA_CLONES
static bool lookup_kernel(const float *w, int64_t ws0, int64_t n, int64_t d, const int64_t *in,
                          int64_t len, const int64_t *offs, int64_t bags, const float *psw,
                          float *out) {
    int64_t pos = 0;
    for (int64_t m = 0; m < bags; m++) {
        float *restrict o = out + m * d;
        if (pos != offs[m] - offs[0]) return false;
        int64_t end = offs[m + 1] - offs[0];
        for (; pos < end; pos++) {
            if (pos >= len) return false; /* torch reads past the input here, then fails */
            int64_t idx = in[pos];
            if (idx < 0 || idx >= n) return false;
            const float *ahead = NULL;
            if (pos + BAG_PREFETCH_DISTANCE < len) {
                int64_t k = in[pos + BAG_PREFETCH_DISTANCE];
                if (k >= 0 && k < n) ahead = w + k * ws0;
            }
            const float *restrict r = w + idx * ws0;
            if (psw) {
                if (ahead) prefetch_row(ahead, (size_t)d * sizeof(float));
                float s = psw[pos];
                for (int64_t j = 0; j < d; j++) o[j] = fmaf(s, r[j], o[j]);
            } else {
                add_row(o, r, d, ahead);
            }
        }
    }
    return pos == offs[bags] - offs[0];
}

/* The checks EmbeddingLookupIdx runs after its kernel failed, with caffe2's messages. */
static int lookup_error(const int64_t *in, const int64_t *offs, int64_t bags, int64_t n,
                        Error *err) {
    int64_t index_size = offs[bags] - offs[0], current = 0;
    for (int64_t m = 0; m < bags; m++) {
        for (int64_t i = offs[m]; i < offs[m + 1]; i++) {
            if (!(current < index_size))
                return err_set(err, ERR_RUNTIME,
                               "[enforce fail at embedding_lookup_idx.cc:214] current < "
                               "index_size. %lld vs %lld",
                               (long long)current, (long long)index_size);
            int64_t idx = in[current];
            if (!(0 <= idx && idx < n))
                return err_set(err, ERR_RUNTIME,
                               "[enforce fail at embedding_lookup_idx.cc:214] 0 <= idx && idx < "
                               "data_size. Index %lld is out of bounds: %lld, range 0 to %lld",
                               (long long)current, (long long)idx, (long long)n);
            current++;
        }
    }
    if (current != index_size)
        return err_set(err, ERR_RUNTIME,
                       "[enforce fail at embedding_lookup_idx.cc:214] current == index_size. "
                       "%lld vs %lld. Your input seems to be incorrect: the sum of lengths values "
                       "should be the size of the indices tensor, but it appears not.",
                       (long long)current, (long long)index_size);
    return ERR_OK;
}

static int fast_path(const Tensor *weight, Bag *b, bool include_last, Tensor *out, Error *err) {
    /* offsets including the end: torch appends len unless include_last_offset */
    int64_t *offs = mem_alloc((size_t)(b->noffs + 1) * sizeof *offs, err);
    if (!offs) return ERR_MEMORY;
    if (b->noffs > 0) memcpy(offs, b->offs, (size_t)b->noffs * sizeof *offs);
    if (!include_last) offs[b->noffs] = b->len;
    const float *w = (const float *)weight->storage->data + weight->offset;
    const float *psw = b->psw ? (const float *)b->psw->storage->data + b->psw->offset : NULL;
    int rc = ERR_OK;
    if (!lookup_kernel(w, b->s0, b->n, b->d, b->in, b->len, offs, b->bags, psw,
                       (float *)out->storage->data))
        rc = lookup_error(b->in, offs, b->bags, b->n, err);
    mem_free(offs);
    return rc;
}

/* ---- the slow paths: ATen's index_select_(scale_)add and embedding_bag_cpu_max_out ---- */

#define ROW_LOOP(T)                                                                         \
    do {                                                                                    \
        const T *w = (const T *)weight->storage->data + weight->offset;                     \
        T *o = (T *)out->storage->data;                                                     \
        for (int64_t i = 0; i < b->len; i++) {                                              \
            int64_t idx = b->in[i], bag = b->o2b[i];                                        \
            if (idx < 0 || idx >= b->n) return bad_index(idx, err);                         \
            if (idx == b->pad) {                                                            \
                if (in_bag(b, bag)) b->bag_size[bag]--;                                     \
                continue;                                                                   \
            }                                                                               \
            if (!in_bag(b, bag)) continue;                                                  \
            const T *r = w + idx * b->s0;                                                   \
            T *ob = o + bag * b->d;                                                         \
            if (psw) {                                                                      \
                T s = ((const T *)psw->storage->data)[psw->offset + i * psw->stride[0]];    \
                for (int64_t j = 0; j < b->d; j++) ob[j] = ob[j] + r[j * b->s1] * s;        \
            } else {                                                                        \
                for (int64_t j = 0; j < b->d; j++) ob[j] = ob[j] + r[j * b->s1];            \
            }                                                                               \
        }                                                                                   \
    } while (0)

static int slow_sum(const Tensor *weight, Bag *b, Tensor *out, Error *err) {
    const Tensor *psw = b->psw;
    if (weight->dtype == DTYPE_FLOAT32) ROW_LOOP(float);
    else ROW_LOOP(double);
    return ERR_OK;
}

/* The max of one row into its bag: any layout (MAX_ROW), or contiguous float32 rows
 * (MAX_ROW_F32, the same selects vectorized). */
#define MAX_ROW(T)                                                                          \
    for (int64_t j = 0; j < b->d; j++) {                                                    \
        T v = r[j * b->s1];                                                                 \
        if (first || v > ob[j]) {                                                           \
            ob[j] = v;                                                                      \
            mb[j] = idx;                                                                    \
        }                                                                                   \
    }
#define MAX_ROW_F32(T) kf32_max_row(b->d, r, first, idx, ob, mb)

#define MAX_LOOP(T, ROW)                                                                    \
    do {                                                                                    \
        const T *w = (const T *)weight->storage->data + weight->offset;                     \
        T *o = (T *)out->storage->data;                                                     \
        for (int64_t i = 0; i < b->len; i++) {                                              \
            int64_t idx = b->in[i], bag = b->o2b[i];                                        \
            if (b->s1 == 1 && i + BAG_PREFETCH_DISTANCE < b->len) {                         \
                int64_t k = b->in[i + BAG_PREFETCH_DISTANCE];                               \
                if (k >= 0 && k < b->n) prefetch_row(w + k * b->s0, (size_t)b->d * sizeof(T)); \
            }                                                                               \
            if (idx < 0 || idx >= b->n) {                                                   \
                rc = bad_index(idx, err);                                                   \
                break;                                                                      \
            }                                                                               \
            if (idx == b->pad) {                                                            \
                if (in_bag(b, bag)) b->bag_size[bag]--;                                     \
                continue;                                                                   \
            }                                                                               \
            if (!in_bag(b, bag)) continue;                                                  \
            bool first = !seen[bag];                                                        \
            const T *r = w + idx * b->s0;                                                   \
            T *ob = o + bag * b->d;                                                         \
            int64_t *mb = mi + bag * b->d;                                                  \
            ROW(T);                                                                         \
            seen[bag] = 1;                                                                  \
        }                                                                                   \
    } while (0)

static int max_path(const Tensor *weight, Bag *b, Tensor *out, Tensor *max_indices, Error *err) {
    unsigned char *seen = mem_calloc((size_t)(b->bags > 0 ? b->bags : 1), 1, err);
    if (!seen) return ERR_MEMORY;
    int64_t *mi = (int64_t *)max_indices->storage->data;
    int rc = ERR_OK;
    if (weight->dtype == DTYPE_FLOAT32 && b->s1 == 1) MAX_LOOP(float, MAX_ROW_F32);
    else if (weight->dtype == DTYPE_FLOAT32) MAX_LOOP(float, MAX_ROW);
    else MAX_LOOP(double, MAX_ROW);
    mem_free(seen);
    return rc;
}

/* o[j] /= div for j < d, 8 lanes at a time where the compiler has vector types. */
FMA_CLONES
static void divide_row(float *o, float div, int64_t d) {
    int64_t j = 0;
#if defined(__GNUC__)
    bag_v8sf dv = {div, div, div, div, div, div, div, div};
    for (; j + 8 <= d; j += 8) {
        bag_v8sf a;
        memcpy(&a, o + j, sizeof a);
        a /= dv;
        memcpy(o + j, &a, sizeof a);
    }
#endif
    for (; j < d; j++) o[j] = o[j] / div;
}

/* apply_bag_size: out /= max(bag_size, 1), the divisor cast to the output dtype. */
static void divide_by_bag_size(const Bag *b, Tensor *out) {
    for (int64_t k = 0; k < b->bags; k++) {
        int64_t size = b->bag_size[k] > 1 ? b->bag_size[k] : 1;
        if (out->dtype == DTYPE_FLOAT32) {
            divide_row((float *)out->storage->data + k * b->d, (float)size, b->d);
        } else {
            double *o = (double *)out->storage->data + k * b->d, div = (double)size;
            for (int64_t j = 0; j < b->d; j++) o[j] = o[j] / div;
        }
    }
}

static Tensor *int64_tensor(const int64_t *values, int64_t n, Error *err) {
    int64_t shape[1] = {n};
    return tensor_from_int64s(DTYPE_INT64, 1, shape, values, err);
}

Tensor *bag_forward(Tensor *weight, const Tensor *input, const BagOptions *opt, BagAux *aux,
                    Error *err) {
    Error scratch;
    if (!err) err = &scratch;
    static const BagOptions defaults = BAG_OPTIONS_INIT;
    if (!opt) opt = &defaults;
    Bag b;
    memset(&b, 0, sizeof b);
    Tensor *out = NULL, *max_indices = NULL;
    if (python_checks(weight, input, opt, &b, err) != ERR_OK) goto fail;
    if (aten_checks(weight, opt, &b, err) != ERR_OK) goto fail;
    bool fast = weight->dtype == DTYPE_FLOAT32 && (b.s1 == 1) && b.pad < 0 &&
                (!b.psw || b.psw->stride[0] == 1);
    if ((b.mode != BAG_SUM || !fast) && make_offset2bag(&b, true, err) != ERR_OK) goto fail;
    if (make_bag_size(&b, err) != ERR_OK) goto fail;
    int64_t shape[2] = {b.bags, b.d};
    out = tensor_zeros(weight->dtype, 2, shape, err);
    if (!out) goto fail;
    if (b.mode == BAG_MAX) {
        max_indices = tensor_zeros(DTYPE_INT64, 2, shape, err);
        if (!max_indices || max_path(weight, &b, out, max_indices, err) != ERR_OK) goto fail;
    } else {
        int rc = fast ? fast_path(weight, &b, opt->include_last_offset, out, err)
                      : slow_sum(weight, &b, out, err);
        if (rc != ERR_OK) goto fail;
        if (b.mode == BAG_MEAN) divide_by_bag_size(&b, out);
    }
    if (aux) {
        memset(aux, 0, sizeof *aux);
        if (!b.o2b && make_offset2bag(&b, false, err) != ERR_OK) goto fail;
        aux->offset2bag = int64_tensor(b.o2b, b.len, err);
        aux->bag_size = aux->offset2bag ? int64_tensor(b.bag_size, b.bags, err) : NULL;
        if (!aux->bag_size) {
            bag_aux_release(aux);
            goto fail;
        }
        aux->max_indices = max_indices;
        max_indices = NULL;
    }
    tensor_release(max_indices);
    bag_free(&b);
    return out;
fail:
    tensor_release(out);
    tensor_release(max_indices);
    bag_free(&b);
    return NULL;
}
