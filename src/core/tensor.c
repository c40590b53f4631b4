/*
 * src/core/tensor.c — tensors: storage, creation, element access, views, copies,
 * tensor indexing and joining. See tensor.h for the ownership rules.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/tensor.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/autograd.h"
#include "core/mem.h"
#include "core/tensor_math.h"

/* ---- dtypes ---- */

static const struct {
    const char *name, *legacy, *scalar;
    size_t size;
} dtype_info[DTYPE_COUNT] = {
#define DTYPE_INFO_ENTRY(e, name, legacy, scalar, size) {name, legacy, scalar, size},
    DTYPE_LIST(DTYPE_INFO_ENTRY)
#undef DTYPE_INFO_ENTRY
};

const char *dtype_name(DType dt) { return dtype_info[dt].name; }
const char *dtype_legacy_name(DType dt) { return dtype_info[dt].legacy; }
const char *dtype_scalar_name(DType dt) { return dtype_info[dt].scalar; }
size_t dtype_size(DType dt) { return dtype_info[dt].size; }
bool dtype_is_floating(DType dt) { return dt == DTYPE_FLOAT32 || dt == DTYPE_FLOAT64; }
bool dtype_is_integral(DType dt) { return dt == DTYPE_INT32 || dt == DTYPE_INT64; }

/* ---- storage ---- */

/* A storage of nbytes, zero-filled when `zeroed`, else with unspecified contents. */
static Storage *storage_new(size_t nbytes, bool zeroed, Error *err) {
    if (mem_tensor_reserve(nbytes, err) != ERR_OK) return NULL;
    Storage *s = mem_alloc(sizeof *s, err);
    if (!s) {
        mem_tensor_release(nbytes);
        return NULL;
    }
    s->data = zeroed ? mem_calloc(1, nbytes, err) : mem_alloc(nbytes, err);
    if (!s->data) {
        mem_free(s);
        mem_tensor_release(nbytes);
        return NULL;
    }
    s->refcount = 1;
    s->nbytes = nbytes;
    s->version = 0;
    return s;
}

static void storage_release(Storage *s) {
    if (!s || --s->refcount > 0) return;
    mem_tensor_release(s->nbytes);
    mem_free(s->data);
    mem_free(s);
}

/* ---- creation ---- */

static void copy_elements(Tensor *dst, const Tensor *src);

void tensor_shape_str(int ndim, const int64_t *shape, char *out, size_t out_size) {
    size_t used = 0;
    int n = snprintf(out, out_size, "[");
    used = n > 0 ? (size_t)n : 0;
    for (int i = 0; i < ndim && used < out_size; i++) {
        n = snprintf(out + used, out_size - used, "%s%lld", i ? ", " : "", (long long)shape[i]);
        if (n < 0) break;
        used += (size_t)n;
    }
    if (used < out_size) snprintf(out + used, out_size - used, "]");
}

/* Validates a shape and computes numel; errors as torch for negative sizes and for
 * sizes whose product overflows. */
static int checked_numel(int ndim, const int64_t *shape, int64_t *numel, Error *err) {
    if (ndim < 0 || ndim > TENSOR_MAX_DIMS)
        return err_set(err, ERR_RUNTIME, "tensors of more than %d dimensions are not supported",
                       TENSOR_MAX_DIMS);
    int64_t n = 1;
    bool overflow = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) {
            char s[256];
            tensor_shape_str(ndim, shape, s, sizeof s);
            return err_set(err, ERR_RUNTIME,
                           "Trying to create tensor with negative dimension %lld: %s",
                           (long long)shape[i], s);
        }
        if (shape[i] != 0 && n > INT64_MAX / shape[i]) overflow = true;
        else n *= shape[i];
    }
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0) n = 0, overflow = false;
    if (overflow || (uint64_t)n > (uint64_t)INT64_MAX / 8) {
        char s[256];
        tensor_shape_str(ndim, shape, s, sizeof s);
        return err_set(err, ERR_RUNTIME, "Storage size calculation overflowed with sizes=%s", s);
    }
    *numel = n;
    return ERR_OK;
}

/* A new dense tensor with the given strides (NULL: contiguous), zero-filled unless
 * `zeroed` is false; the core of every constructor. Non-NULL strides must describe a
 * dense, non-overlapping layout. */
static Tensor *tensor_alloc(DType dt, int ndim, const int64_t *shape, const int64_t *strides,
                            bool zeroed, Error *err) {
    int64_t numel;
    if (checked_numel(ndim, shape, &numel, err) != ERR_OK) return NULL;
    size_t esize = dtype_size(dt);
    Tensor *t = mem_calloc(1, sizeof *t, err);
    if (!t) return NULL;
    t->storage = storage_new((size_t)numel * esize, zeroed, err);
    if (!t->storage) {
        mem_free(t);
        return NULL;
    }
    t->refcount = 1;
    t->dtype = dt;
    t->ndim = ndim;
    int64_t stride = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        t->shape[i] = shape[i];
        t->stride[i] = strides ? strides[i] : stride;
        /* Zero-size tensors may have dims whose product overflows: torch's strides wrap
         * (unsigned arithmetic here, as in two's complement, without the overflow UB). */
        stride = (int64_t)((uint64_t)stride * (uint64_t)(shape[i] > 1 ? shape[i] : 1));
    }
    return t;
}

static Tensor *tensor_new_strided(DType dt, int ndim, const int64_t *shape,
                                  const int64_t *strides, Error *err) {
    return tensor_alloc(dt, ndim, shape, strides, true, err);
}

static Tensor *tensor_new(DType dt, int ndim, const int64_t *shape, Error *err) {
    return tensor_new_strided(dt, ndim, shape, NULL, err);
}

/* True when t's elements exactly tile a block of memory with no gaps or overlaps (some
 * permutation of its dims is contiguous), as ATen's is_non_overlapping_and_dense. */
static bool non_overlapping_and_dense(const Tensor *t) {
    int perm[TENSOR_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] == 0) return true;
        if (t->shape[i] != 1) perm[n++] = i;
    }
    for (int i = 1; i < n; i++) /* insertion sort by stride, ascending */
        for (int j = i; j > 0 && t->stride[perm[j - 1]] > t->stride[perm[j]]; j--) {
            int tmp = perm[j];
            perm[j] = perm[j - 1];
            perm[j - 1] = tmp;
        }
    int64_t expected = 1;
    for (int i = 0; i < n; i++) {
        if (t->stride[perm[i]] != expected) return false;
        expected *= t->shape[perm[i]];
    }
    return true;
}

/* ATen's infer_dense_strides: dense strides that keep t's memory order of dims. */
static void infer_dense_strides(const Tensor *t, int64_t *out) {
    int ndim = t->ndim;
    int perm[TENSOR_MAX_DIMS];
    for (int i = 0; i < ndim; i++) perm[i] = ndim - 1 - i; /* innermost first */
    for (int i = 1; i < ndim; i++) {
        int dim1 = i;
        for (int j = 1; j <= i; j++) {
            int dim0 = i - j;
            int64_t s0 = t->stride[perm[dim0]], s1 = t->stride[perm[dim1]];
            int cmp = 0;
            if (s0 != 0 && s1 != 0) {
                if (s0 < s1) cmp = -1;
                else if (s0 > s1) cmp = 1;
                else if (t->shape[perm[dim0]] > t->shape[perm[dim1]]) cmp = 1;
            }
            if (cmp > 0) {
                int tmp = perm[dim0];
                perm[dim0] = perm[dim1];
                perm[dim1] = tmp;
                dim1 = dim0;
            } else if (cmp < 0) {
                break;
            }
        }
    }
    int64_t stride = 1;
    for (int i = 0; i < ndim; i++) {
        out[perm[i]] = stride;
        if (t->shape[perm[i]] > 1) /* wraps as torch's for zero-size tensors */
            stride = (int64_t)((uint64_t)stride * (uint64_t)t->shape[perm[i]]);
    }
}

Tensor *tensor_empty_like(const Tensor *t, DType dt, Error *err) {
    int64_t strides[TENSOR_MAX_DIMS];
    if (non_overlapping_and_dense(t)) memcpy(strides, t->stride, sizeof strides);
    else infer_dense_strides(t, strides);
    return tensor_new_strided(dt, t->ndim, t->shape, strides, err);
}

Tensor *tensor_zeros(DType dt, int ndim, const int64_t *shape, Error *err) {
    return tensor_new(dt, ndim, shape, err);
}

Tensor *tensor_unfilled(DType dt, int ndim, const int64_t *shape, Error *err) {
    return tensor_alloc(dt, ndim, shape, NULL, false, err);
}

Tensor *tensor_full(DType dt, int ndim, const int64_t *shape, double value, Error *err) {
    Tensor *t = tensor_new(dt, ndim, shape, err);
    if (!t) return NULL;
    int64_t n = tensor_numel(t);
    for (int64_t i = 0; i < n; i++) tensor_store(t, i, value);
    return t;
}

Tensor *tensor_ones(DType dt, int ndim, const int64_t *shape, Error *err) {
    return tensor_full(dt, ndim, shape, 1.0, err);
}

Tensor *tensor_scalar(DType dt, double value, Error *err) {
    return tensor_full(dt, 0, NULL, value, err);
}

Tensor *tensor_wrap_number(DType dt, double value, Error *err) {
    Tensor *t = tensor_scalar(dt, value, err);
    if (t) t->wrapped_number = true;
    return t;
}

Tensor *tensor_from_doubles(DType dt, int ndim, const int64_t *shape, const double *values,
                            Error *err) {
    Tensor *t = tensor_new(dt, ndim, shape, err);
    if (!t) return NULL;
    int64_t n = tensor_numel(t);
    for (int64_t i = 0; i < n; i++) tensor_store(t, i, values[i]);
    return t;
}

Tensor *tensor_from_int64s(DType dt, int ndim, const int64_t *shape, const int64_t *values,
                           Error *err) {
    Tensor *t = tensor_new(dt, ndim, shape, err);
    if (!t) return NULL;
    int64_t n = tensor_numel(t);
    for (int64_t i = 0; i < n; i++) tensor_store_int(t, i, values[i]);
    return t;
}

/* Elements per AVX2 vector in ATen's CPU kernels (Vectorized<T>::size()); arange and
 * linspace fill two vectors at a time, then finish element by element. GCC fused the
 * scalar `start + step * idx` of those kernels into an fma, but not the per-lane
 * `base + j * step` of Vectorized<T>::arange (checked against torch 1.13). */
static int64_t vec_lanes(DType dt) { return dt == DTYPE_FLOAT32 ? 8 : 4; }

/* Stores value i of a range whose vectorized part computes `base + j * step` per lane:
 * ATen's Vectorized<T>::arange(base, step) adds the lane multiple in the step's type. */
static void store_range_value(Tensor *t, int64_t i, double v) { tensor_store(t, i, v); }

Tensor *tensor_arange(double start, double end, double step, DType dt, Error *err) {
    if (step == 0) {
        err_set(err, ERR_RUNTIME, "step must be nonzero");
        return NULL;
    }
    if (!isfinite(start) || !isfinite(end)) {
        err_set(err, ERR_RUNTIME, "unsupported range: %g -> %g", start, end);
        return NULL;
    }
    if ((step > 0 && end < start) || (step < 0 && end > start)) {
        err_set(err, ERR_RUNTIME, "upper bound and larger bound inconsistent with step sign");
        return NULL;
    }
    double size_d;
    if (dtype_is_integral(dt)) {
        int64_t s0 = (int64_t)start, e0 = (int64_t)end, st = (int64_t)step;
        if (st == 0) {
            err_set(err, ERR_RUNTIME, "step must be nonzero");
            return NULL;
        }
        int64_t sgn = (st > 0) - (st < 0);
        size_d = ceil((double)((e0 - s0 + st - sgn) / st));
    } else {
        size_d = ceil((end - start) / step);
    }
    if (!(size_d >= 0) || size_d > (double)INT64_MAX / 2) {
        err_set(err, ERR_RUNTIME, "invalid size, possible overflow?");
        return NULL;
    }
    int64_t size = (int64_t)size_d;
    Tensor *t = tensor_new(dt, 1, &size, err);
    if (!t) return NULL;
    if (dtype_is_integral(dt) || dt == DTYPE_BOOL) {
        int64_t s0 = (int64_t)start, st = (int64_t)step;
        for (int64_t i = 0; i < size; i++) tensor_store_int(t, i, s0 + st * i);
        return t;
    }
    /* Floating point: start and step are doubles (ATen's acc_type); each vector starts at
     * base = (T)(start + step * idx) and lane j holds (T)(base + j * step). */
    int64_t lanes = vec_lanes(dt), i = 0;
    for (; i + 2 * lanes <= size; i += 2 * lanes) {
        for (int64_t v = i; v < i + 2 * lanes; v += lanes) {
            double base = fma(step, (double)v, start);
            if (dt == DTYPE_FLOAT32) base = (double)(float)base;
            for (int64_t j = 0; j < lanes; j++)
                store_range_value(t, v + j, base + (double)j * step);
        }
    }
    for (; i < size; i++) store_range_value(t, i, fma(step, (double)i, start));
    return t;
}

Tensor *tensor_linspace(double start, double end, int64_t steps, DType dt, Error *err) {
    if (steps < 0) {
        err_set(err, ERR_RUNTIME, "number of steps must be non-negative");
        return NULL;
    }
    Tensor *t = tensor_new(dt, 1, &steps, err);
    if (!t || steps == 0) return t;
    if (steps == 1) {
        tensor_store(t, 0, start);
        return t;
    }
    int64_t halfway = steps / 2, lanes = vec_lanes(dt), i = 0;
    if (dt == DTYPE_FLOAT32) {
        /* step_t is float: every product and sum is a float operation. */
        float fs = (float)start, fe = (float)end;
        float step = (fe - fs) / (float)(steps - 1);
        for (; i + 2 * lanes <= steps; i += 2 * lanes) {
            for (int64_t v = i; v < i + 2 * lanes; v += lanes) {
                float base = v < halfway ? fmaf(step, (float)v, fs)
                                         : fmaf(-step, (float)(steps - v - 1), fe);
                for (int64_t j = 0; j < lanes; j++)
                    tensor_store(t, v + j, (double)(base + (float)j * step));
            }
        }
        for (; i < steps; i++)
            tensor_store(t, i, (double)(i < halfway ? fmaf(step, (float)i, fs)
                                                    : fmaf(-step, (float)(steps - i - 1), fe)));
        return t;
    }
    double step = (end - start) / (double)(steps - 1);
    if (dtype_is_integral(dt) || dt == DTYPE_BOOL) {
        int64_t s0 = (int64_t)start, e0 = (int64_t)end;
        step = ((double)e0 - (double)s0) / (double)(steps - 1);
        for (int64_t k = 0; k < steps; k++)
            tensor_store(t, k, k < halfway ? (double)s0 + step * (double)k
                                           : (double)e0 - step * (double)(steps - k - 1));
        return t;
    }
    for (; i + 2 * lanes <= steps; i += 2 * lanes) {
        for (int64_t v = i; v < i + 2 * lanes; v += lanes) {
            double base = v < halfway ? fma(step, (double)v, start)
                                      : fma(-step, (double)(steps - v - 1), end);
            for (int64_t j = 0; j < lanes; j++) tensor_store(t, v + j, base + (double)j * step);
        }
    }
    for (; i < steps; i++)
        tensor_store(t, i, i < halfway ? fma(step, (double)i, start)
                                       : fma(-step, (double)(steps - i - 1), end));
    return t;
}

Tensor *tensor_retain(Tensor *t) {
    if (t) t->refcount++;
    return t;
}

void tensor_release(Tensor *t) {
    if (!t || --t->refcount > 0) return;
    storage_release(t->storage);
    tensor_release(t->grad);
    grad_node_release(t->grad_fn);
    mem_free(t);
}

/* ---- shape and layout ---- */

int64_t tensor_numel(const Tensor *t) {
    /* Unsigned: a zero-size tensor's other dims may overflow before its 0 (the shape was
     * validated at creation, so the final product fits). */
    uint64_t n = 1;
    for (int i = 0; i < t->ndim; i++) n *= (uint64_t)t->shape[i];
    return (int64_t)n;
}

bool tensor_is_contiguous(const Tensor *t) {
    int64_t expected = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] == 0) return true;
        if (t->shape[i] != 1 && t->stride[i] != expected) return false;
        expected = (int64_t)((uint64_t)expected * (uint64_t)t->shape[i]); /* wraps as strides */
    }
    return true;
}

int tensor_wrap_dim(int64_t dim, int n, int *out, Error *err) {
    int range = n > 0 ? n : 1; /* a 0-d tensor accepts dims -1 and 0 */
    if (dim < -range || dim >= range)
        return err_set(err, ERR_INDEX,
                       "Dimension out of range (expected to be in range of [%d, %d], but got %lld)",
                       -range, range - 1, (long long)dim);
    *out = (int)(dim < 0 ? dim + range : dim);
    return ERR_OK;
}

bool tensor_same_shape(const Tensor *a, const Tensor *b) {
    if (a->ndim != b->ndim) return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return false;
    return true;
}

/* ---- element access ---- */

int64_t tensor_flat_offset(const Tensor *t, int64_t flat) {
    int64_t off = t->offset;
    for (int i = t->ndim - 1; i >= 0; i--) {
        int64_t size = t->shape[i];
        if (size == 0) return t->offset;
        off += (flat % size) * t->stride[i];
        flat /= size;
    }
    return off;
}

int64_t tensor_index_offset(const Tensor *t, const int64_t *index) {
    int64_t off = t->offset;
    for (int i = 0; i < t->ndim; i++) off += index[i] * t->stride[i];
    return off;
}

double tensor_load(const Tensor *t, int64_t off) {
    const void *data = t->storage->data;
    switch (t->dtype) {
    case DTYPE_BOOL: return ((const uint8_t *)data)[off] ? 1.0 : 0.0;
    case DTYPE_INT32: return (double)((const int32_t *)data)[off];
    case DTYPE_INT64: return (double)((const int64_t *)data)[off];
    case DTYPE_FLOAT32: return (double)((const float *)data)[off];
    case DTYPE_FLOAT64: return ((const double *)data)[off];
    default: return 0.0;
    }
}

int64_t tensor_load_int(const Tensor *t, int64_t off) {
    if (t->dtype == DTYPE_INT64) return ((const int64_t *)t->storage->data)[off];
    if (t->dtype == DTYPE_INT32) return ((const int32_t *)t->storage->data)[off];
    if (t->dtype == DTYPE_BOOL) return ((const uint8_t *)t->storage->data)[off] ? 1 : 0;
    double v = tensor_load(t, off);
    if (!(v > -9.3e18 && v < 9.3e18)) return INT64_MIN; /* nan/inf/huge: what x86 gives */
    return (int64_t)v;
}

/* Conversion of a double to int64 as C++'s static_cast on x86 (truncation; out of range
 * and NaN give INT64_MIN), which is what torch prints for such casts. */
static int64_t double_to_int64(double v) {
    if (!(v > -9223372036854775808.0 && v < 9223372036854775808.0)) return INT64_MIN;
    return (int64_t)v;
}

/* The same for int32 (x86's cvttsd2si: out of range and NaN give INT32_MIN). */
static int32_t double_to_int32(double v) {
    if (!(v > -2147483649.0 && v < 2147483648.0)) return INT32_MIN;
    return (int32_t)v;
}

void tensor_store(Tensor *t, int64_t off, double value) {
    void *data = t->storage->data;
    switch (t->dtype) {
    case DTYPE_BOOL: ((uint8_t *)data)[off] = value != 0.0; break;
    case DTYPE_INT32: ((int32_t *)data)[off] = double_to_int32(value); break;
    case DTYPE_INT64: ((int64_t *)data)[off] = double_to_int64(value); break;
    case DTYPE_FLOAT32: ((float *)data)[off] = (float)value; break;
    case DTYPE_FLOAT64: ((double *)data)[off] = value; break;
    default: break;
    }
}

void tensor_store_int(Tensor *t, int64_t off, int64_t value) {
    if (t->dtype == DTYPE_INT64) ((int64_t *)t->storage->data)[off] = value;
    else if (t->dtype == DTYPE_INT32) /* wraps modulo 2^32, as a C++ integer cast */
        ((int32_t *)t->storage->data)[off] = (int32_t)(uint32_t)(uint64_t)value;
    else if (t->dtype == DTYPE_BOOL) ((uint8_t *)t->storage->data)[off] = value != 0;
    else tensor_store(t, off, (double)value);
}

double tensor_get(const Tensor *t, int64_t flat) { return tensor_load(t, tensor_flat_offset(t, flat)); }

int64_t tensor_get_int(const Tensor *t, int64_t flat) {
    return tensor_load_int(t, tensor_flat_offset(t, flat));
}

void tensor_set(Tensor *t, int64_t flat, double value) {
    tensor_store(t, tensor_flat_offset(t, flat), value);
}

int tensor_item(const Tensor *t, double *out, Error *err) {
    int64_t n = tensor_numel(t);
    if (n != 1)
        return err_set(err, ERR_RUNTIME, "a Tensor with %lld elements cannot be converted to Scalar",
                       (long long)n);
    *out = tensor_get(t, 0);
    return ERR_OK;
}

void tensor_bump_version(Tensor *t) { t->storage->version++; }

/* ---- views ---- */

/* A new Tensor object on t's storage with the given geometry; flags are cleared. */
static Tensor *make_view(const Tensor *t, int ndim, const int64_t *shape,
                         const int64_t *stride, int64_t offset, Error *err) {
    Tensor *v = mem_calloc(1, sizeof *v, err);
    if (!v) return NULL;
    v->refcount = 1;
    v->storage = t->storage;
    v->storage->refcount++;
    v->dtype = t->dtype;
    v->ndim = ndim;
    v->offset = offset;
    for (int i = 0; i < ndim; i++) {
        v->shape[i] = shape[i];
        v->stride[i] = stride[i];
    }
    return v;
}

Tensor *tensor_alias(const Tensor *t, Error *err) {
    return make_view(t, t->ndim, t->shape, t->stride, t->offset, err);
}

/* Resolves a requested shape with at most one -1 against numel; errors as torch. */
static int infer_shape(int ndim, const int64_t *shape, int64_t numel, int64_t *out,
                       Error *err) {
    if (ndim > TENSOR_MAX_DIMS)
        return err_set(err, ERR_RUNTIME, "tensors of more than %d dimensions are not supported",
                       TENSOR_MAX_DIMS);
    int infer = -1;
    int64_t known = 1;
    for (int i = 0; i < ndim; i++) {
        out[i] = shape[i];
        if (shape[i] == -1) {
            if (infer >= 0) return err_set(err, ERR_RUNTIME, "only one dimension can be inferred");
            infer = i;
        } else if (shape[i] < 0) {
            return err_set(err, ERR_RUNTIME, "invalid shape dimension %lld", (long long)shape[i]);
        } else {
            if (shape[i] != 0 && known > INT64_MAX / shape[i]) known = -1;
            else if (known >= 0) known *= shape[i];
        }
    }
    if (infer >= 0 && known == 0 && numel == 0) {
        char s[256];
        tensor_shape_str(ndim, shape, s, sizeof s);
        return err_set(err, ERR_RUNTIME,
                       "cannot reshape tensor of 0 elements into shape %s because the "
                       "unspecified dimension size -1 can be any value and is ambiguous", s);
    }
    bool ok;
    if (infer >= 0) {
        ok = known > 0 && numel % known == 0;
        if (ok) out[infer] = numel / known;
    } else {
        ok = known == numel;
    }
    if (!ok) {
        char s[256];
        tensor_shape_str(ndim, shape, s, sizeof s);
        return err_set(err, ERR_RUNTIME, "shape '%s' is invalid for input of size %lld", s,
                       (long long)numel);
    }
    return ERR_OK;
}

/* ATen's computeStride: strides for viewing (old shape, old strides) as new shape without
 * copying, or false when the view is impossible. */
static bool compute_view_strides(const Tensor *t, int ndim, const int64_t *shape,
                                 int64_t *stride) {
    int64_t numel = tensor_numel(t);
    if (numel == 0) {
        int64_t s = 1;
        for (int i = ndim - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i] > 1 ? shape[i] : 1;
        }
        return true;
    }
    if (t->ndim == 0) {
        for (int i = 0; i < ndim; i++) stride[i] = 1;
        return true;
    }
    int view_d = ndim - 1;
    int64_t chunk_base_stride = t->stride[t->ndim - 1];
    int64_t tensor_numel_chunk = 1;
    int64_t view_numel = 1;
    for (int tensor_d = t->ndim - 1; tensor_d >= 0; tensor_d--) {
        tensor_numel_chunk *= t->shape[tensor_d];
        if (tensor_d == 0 ||
            (t->shape[tensor_d - 1] != 1 &&
             t->stride[tensor_d - 1] != tensor_numel_chunk * chunk_base_stride)) {
            while (view_d >= 0 && (view_numel < tensor_numel_chunk || shape[view_d] == 1)) {
                stride[view_d] = view_numel * chunk_base_stride;
                view_numel *= shape[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel_chunk) return false;
            if (tensor_d > 0) {
                chunk_base_stride = t->stride[tensor_d - 1];
                tensor_numel_chunk = 1;
                view_numel = 1;
            }
        }
    }
    return view_d == -1;
}

Tensor *tensor_view(const Tensor *t, int ndim, const int64_t *shape, Error *err) {
    int64_t resolved[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    if (infer_shape(ndim, shape, tensor_numel(t), resolved, err) != ERR_OK) return NULL;
    if (!compute_view_strides(t, ndim, resolved, stride)) {
        err_set(err, ERR_RUNTIME,
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
        return NULL;
    }
    return make_view(t, ndim, resolved, stride, t->offset, err);
}

Tensor *tensor_reshape(const Tensor *t, int ndim, const int64_t *shape, Error *err) {
    int64_t resolved[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    if (infer_shape(ndim, shape, tensor_numel(t), resolved, err) != ERR_OK) return NULL;
    if (compute_view_strides(t, ndim, resolved, stride))
        return make_view(t, ndim, resolved, stride, t->offset, err);
    Tensor *copy = tensor_new(t->dtype, t->ndim, t->shape, err);
    if (!copy) return NULL;
    copy_elements(copy, t);
    Tensor *v = tensor_view(copy, ndim, resolved, err);
    tensor_release(copy);
    return v;
}

Tensor *tensor_transpose(const Tensor *t, int64_t dim0, int64_t dim1, Error *err) {
    int d0 = 0, d1 = 0;
    if (tensor_wrap_dim(dim0, t->ndim, &d0, err) || tensor_wrap_dim(dim1, t->ndim, &d1, err))
        return NULL;
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    memcpy(stride, t->stride, sizeof stride);
    if (t->ndim > 0) {
        shape[d0] = t->shape[d1], shape[d1] = t->shape[d0];
        stride[d0] = t->stride[d1], stride[d1] = t->stride[d0];
    }
    return make_view(t, t->ndim, shape, stride, t->offset, err);
}

Tensor *tensor_permute(const Tensor *t, int ndim, const int64_t *dims, Error *err) {
    if (ndim != t->ndim) {
        err_set(err, ERR_RUNTIME,
                "permute(sparse_coo): number of dimensions in the tensor input does not match "
                "the length of the desired ordering of dimensions i.e. input.dim() = %d is not "
                "equal to len(dims) = %d",
                t->ndim, ndim);
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    bool seen[TENSOR_MAX_DIMS] = {false};
    for (int i = 0; i < ndim; i++) {
        int d = 0;
        if (tensor_wrap_dim(dims[i], t->ndim, &d, err)) return NULL;
        if (seen[d]) {
            err_set(err, ERR_RUNTIME, "permute(): duplicate dims are not allowed.");
            return NULL;
        }
        seen[d] = true;
        shape[i] = t->shape[d];
        stride[i] = t->stride[d];
    }
    return make_view(t, ndim, shape, stride, t->offset, err);
}

Tensor *tensor_t(const Tensor *t, Error *err) {
    if (t->ndim > 2) {
        err_set(err, ERR_RUNTIME, "t() expects a tensor with <= 2 dimensions, but self is %dD",
                t->ndim);
        return NULL;
    }
    if (t->ndim < 2) return tensor_alias(t, err);
    return tensor_transpose(t, 0, 1, err);
}

Tensor *tensor_unsqueeze(const Tensor *t, int64_t dim, Error *err) {
    int d = 0;
    if (tensor_wrap_dim(dim, t->ndim + 1, &d, err)) return NULL;
    if (t->ndim + 1 > TENSOR_MAX_DIMS) {
        err_set(err, ERR_RUNTIME, "tensors of more than %d dimensions are not supported",
                TENSOR_MAX_DIMS);
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    for (int i = 0, j = 0; i <= t->ndim; i++) {
        if (i == d) {
            shape[i] = 1;
            stride[i] = d < t->ndim ? t->shape[d] * t->stride[d] : 1;
        } else {
            shape[i] = t->shape[j];
            stride[i] = t->stride[j];
            j++;
        }
    }
    return make_view(t, t->ndim + 1, shape, stride, t->offset, err);
}

Tensor *tensor_squeeze(const Tensor *t, Error *err) {
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] == 1) continue;
        shape[n] = t->shape[i];
        stride[n] = t->stride[i];
        n++;
    }
    return make_view(t, n, shape, stride, t->offset, err);
}

Tensor *tensor_squeeze_dim(const Tensor *t, int64_t dim, Error *err) {
    int d = 0;
    if (tensor_wrap_dim(dim, t->ndim, &d, err)) return NULL;
    if (t->ndim == 0 || t->shape[d] != 1) return tensor_alias(t, err);
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (i == d) continue;
        shape[n] = t->shape[i];
        stride[n] = t->stride[i];
        n++;
    }
    return make_view(t, n, shape, stride, t->offset, err);
}

Tensor *tensor_select(const Tensor *t, int64_t dim, int64_t index, Error *err) {
    if (t->ndim == 0) {
        err_set(err, ERR_INDEX, "select() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int d = 0;
    if (tensor_wrap_dim(dim, t->ndim, &d, err)) return NULL;
    int64_t size = t->shape[d];
    if (index < -size || index >= size) {
        char s[256];
        tensor_shape_str(t->ndim, t->shape, s, sizeof s);
        err_set(err, ERR_INDEX, "select(): index %lld out of range for tensor of size %s at "
                "dimension %d", (long long)index, s, d);
        return NULL;
    }
    if (index < 0) index += size;
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < t->ndim; i++) {
        if (i == d) continue;
        shape[n] = t->shape[i];
        stride[n] = t->stride[i];
        n++;
    }
    return make_view(t, n, shape, stride, t->offset + index * t->stride[d], err);
}

Tensor *tensor_slice(const Tensor *t, int64_t dim, bool has_start, int64_t start,
                     bool has_stop, int64_t stop, int64_t step, Error *err) {
    if (t->ndim == 0) {
        err_set(err, ERR_INDEX, "too many indices for tensor of dimension 0");
        return NULL;
    }
    int d = 0;
    if (tensor_wrap_dim(dim, t->ndim, &d, err)) return NULL;
    if (step == 0) {
        err_set(err, ERR_VALUE, "slice step cannot be zero");
        return NULL;
    }
    if (step < 0) {
        err_set(err, ERR_VALUE, "step must be greater than zero");
        return NULL;
    }
    int64_t size = t->shape[d];
    if (!has_start) start = 0;
    if (!has_stop) stop = size;
    if (start < 0) start += size;
    if (stop < 0) stop += size;
    if (start < 0) start = 0;
    else if (start > size) start = size;
    if (stop < start) stop = start;
    else if (stop > size) stop = size;
    int64_t len = (stop - start + step - 1) / step;
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    memcpy(stride, t->stride, sizeof stride);
    shape[d] = len;
    stride[d] = t->stride[d] * step;
    return make_view(t, t->ndim, shape, stride, t->offset + start * t->stride[d], err);
}

Tensor *tensor_expand(const Tensor *t, int ndim, const int64_t *shape, Error *err) {
    if (ndim < t->ndim) {
        char have[256], target[256];
        tensor_shape_str(t->ndim, t->shape, have, sizeof have);
        tensor_shape_str(ndim, shape, target, sizeof target);
        err_set(err, ERR_RUNTIME,
                "expand(%s{%s}, size=%s): the number of sizes provided (%d) "
                "must be greater or equal to the number of dimensions in the tensor (%d)",
                dtype_legacy_name(t->dtype), have, target, ndim, t->ndim);
        return NULL;
    }
    if (ndim > TENSOR_MAX_DIMS) {
        err_set(err, ERR_RUNTIME, "tensors of more than %d dimensions are not supported",
                TENSOR_MAX_DIMS);
        return NULL;
    }
    int64_t out_shape[TENSOR_MAX_DIMS], out_stride[TENSOR_MAX_DIMS];
    for (int i = ndim - 1; i >= 0; i--) {
        int offset = ndim - 1 - i;
        int src = t->ndim - 1 - offset;
        int64_t size = src >= 0 ? t->shape[src] : 1;
        int64_t stride = src >= 0 ? t->stride[src] : 0;
        int64_t target = shape[i];
        if (target == -1) {
            if (src < 0) {
                err_set(err, ERR_RUNTIME,
                        "The expanded size of the tensor (-1) isn't allowed in a leading, "
                        "non-existing dimension %d",
                        i);
                return NULL;
            }
            target = size;
        }
        if (size != target) {
            if (size != 1) {
                char ts[256], ss[256];
                tensor_shape_str(ndim, shape, ts, sizeof ts);
                tensor_shape_str(t->ndim, t->shape, ss, sizeof ss);
                err_set(err, ERR_RUNTIME,
                        "The expanded size of the tensor (%lld) must match the existing size "
                        "(%lld) at non-singleton dimension %d.  Target sizes: %s.  Tensor "
                        "sizes: %s",
                        (long long)target, (long long)size, i, ts, ss);
                return NULL;
            }
            stride = 0;
        }
        out_shape[i] = target;
        out_stride[i] = stride;
    }
    return make_view(t, ndim, out_shape, out_stride, t->offset, err);
}

void tensor_set_data(Tensor *t, const Tensor *src) {
    Storage *old = t->storage;
    src->storage->refcount++;
    t->storage = src->storage;
    t->dtype = src->dtype;
    t->ndim = src->ndim;
    t->offset = src->offset;
    memcpy(t->shape, src->shape, sizeof t->shape);
    memcpy(t->stride, src->stride, sizeof t->stride);
    storage_release(old);
}

/* ---- copies ---- */

/* Copies every element of src into dst (same shape), converting dtype. No overlap. */
static void copy_elements(Tensor *dst, const Tensor *src) {
    int64_t n = tensor_numel(dst);
    if (dst->dtype == src->dtype && tensor_is_contiguous(dst) && tensor_is_contiguous(src)) {
        size_t es = dtype_size(dst->dtype);
        memcpy((char *)dst->storage->data + dst->offset * es,
               (const char *)src->storage->data + src->offset * es, (size_t)n * es);
        return;
    }
    if (n == 0) return;
    bool exact_int = dtype_is_integral(dst->dtype) || dst->dtype == DTYPE_BOOL;
    bool src_int = dtype_is_integral(src->dtype) || src->dtype == DTYPE_BOOL;
    bool same = dst->dtype == src->dtype;
    size_t es = dtype_size(dst->dtype);
    /* Row by row along the innermost dim, an odometer over the outer dims (no division
     * per element); equal shapes, any strides (0 for expanded dims). */
    int nd = dst->ndim;
    int64_t inner = nd ? dst->shape[nd - 1] : 1;
    int64_t ss = nd ? src->stride[nd - 1] : 1, ds = nd ? dst->stride[nd - 1] : 1;
    int64_t idx[TENSOR_MAX_DIMS] = {0};
    int64_t so = src->offset, d = dst->offset;
    for (int64_t done = 0; done < n; done += inner) {
        if (same && ds == 1 && ss == 1) {
            memcpy((char *)dst->storage->data + d * (int64_t)es,
                   (const char *)src->storage->data + so * (int64_t)es, (size_t)inner * es);
        } else if (same && es == 4 && ds == 1 && ss == 0) { /* an expanded row: a fill */
            uint32_t v = ((const uint32_t *)src->storage->data)[so];
            uint32_t *dp = (uint32_t *)dst->storage->data + d;
            for (int64_t j = 0; j < inner; j++) dp[j] = v;
        } else if (same && es == 4) {
            const uint32_t *sp = (const uint32_t *)src->storage->data + so;
            uint32_t *dp = (uint32_t *)dst->storage->data + d;
            for (int64_t j = 0; j < inner; j++) dp[j * ds] = sp[j * ss];
        } else if (same && es == 8) {
            const uint64_t *sp = (const uint64_t *)src->storage->data + so;
            uint64_t *dp = (uint64_t *)dst->storage->data + d;
            for (int64_t j = 0; j < inner; j++) dp[j * ds] = sp[j * ss];
        } else if (same && es == 1) {
            const uint8_t *sp = (const uint8_t *)src->storage->data + so;
            uint8_t *dp = (uint8_t *)dst->storage->data + d;
            for (int64_t j = 0; j < inner; j++) dp[j * ds] = sp[j * ss];
        } else {
            for (int64_t j = 0; j < inner; j++) {
                if (exact_int && src_int)
                    tensor_store_int(dst, d + j * ds, tensor_load_int(src, so + j * ss));
                else
                    tensor_store(dst, d + j * ds, tensor_load(src, so + j * ss));
            }
        }
        for (int i = nd - 2; i >= 0; i--) { /* the next row */
            so += src->stride[i];
            d += dst->stride[i];
            if (++idx[i] < dst->shape[i]) break;
            so -= src->stride[i] * dst->shape[i];
            d -= dst->stride[i] * dst->shape[i];
            idx[i] = 0;
        }
    }
}

Tensor *tensor_to_dtype(const Tensor *t, DType dt, Error *err) {
    Tensor *out = tensor_empty_like(t, dt, err);
    if (!out) return NULL;
    copy_elements(out, t);
    return out;
}

Tensor *tensor_clone(const Tensor *t, Error *err) { return tensor_to_dtype(t, t->dtype, err); }

Tensor *tensor_contiguous(const Tensor *t, Error *err) {
    if (tensor_is_contiguous(t)) return tensor_retain((Tensor *)t);
    Tensor *out = tensor_new(t->dtype, t->ndim, t->shape, err);
    if (out) copy_elements(out, t);
    return out;
}

/* True when a and b may share memory (same storage): conservative overlap test. */
static bool may_overlap(const Tensor *a, const Tensor *b) { return a->storage == b->storage; }

TensorOverlap tensor_overlap(const Tensor *a, const Tensor *b) {
    if (a == b) return OVERLAP_FULL;
    if (tensor_numel(a) == 0 || tensor_numel(b) == 0) return OVERLAP_NO;
    if (!non_overlapping_and_dense(a) || !non_overlapping_and_dense(b)) return OVERLAP_TOO_HARD;
    if (a->storage != b->storage) return OVERLAP_NO;
    int64_t a_begin = a->offset * (int64_t)dtype_size(a->dtype);
    int64_t a_end = a_begin + tensor_numel(a) * (int64_t)dtype_size(a->dtype);
    int64_t b_begin = b->offset * (int64_t)dtype_size(b->dtype);
    int64_t b_end = b_begin + tensor_numel(b) * (int64_t)dtype_size(b->dtype);
    if (a_begin == b_begin && a_end == b_end) {
        bool same_strides = a->ndim == b->ndim;
        for (int d = 0; same_strides && d < a->ndim; d++) same_strides = a->stride[d] == b->stride[d];
        return same_strides ? OVERLAP_FULL : OVERLAP_PARTIAL;
    }
    return a_begin < b_end && b_begin < a_end ? OVERLAP_PARTIAL : OVERLAP_NO;
}

int tensor_check_writable(const Tensor *out, const Tensor *in, Error *err) {
    bool repeats = false; /* ATen's has_internal_overlap == YES */
    if (!non_overlapping_and_dense(out))
        for (int d = 0; d < out->ndim; d++) repeats = repeats || (out->stride[d] == 0 && out->shape[d] > 1);
    if (repeats)
        return err_set(err, ERR_RUNTIME, "unsupported operation: more than one element of the "
                                         "written-to tensor refers to a single memory location. "
                                         "Please clone() the tensor before performing the "
                                         "operation.");
    if (in && tensor_overlap(out, in) == OVERLAP_PARTIAL)
        return err_set(err, ERR_RUNTIME, "unsupported operation: some elements of the input "
                                         "tensor and the written-to tensor refer to a single "
                                         "memory location. Please clone() the tensor before "
                                         "performing the operation.");
    return ERR_OK;
}

int tensor_copy_(Tensor *dst, const Tensor *src, Error *err) {
    if (dst == src) { /* ATen: self.is_same(src) */
        tensor_bump_version(dst);
        return ERR_OK;
    }
    if (tensor_check_writable(dst, src, err) != ERR_OK) return err ? err->code : ERR_RUNTIME;
    return tensor_assign_(dst, src, err);
}

int tensor_assign_(Tensor *dst, const Tensor *src, Error *err) {
    Tensor *expanded = tensor_expand(src, dst->ndim, dst->shape, err);
    if (!expanded) return err ? err->code : ERR_RUNTIME;
    Tensor *source = expanded;
    if (may_overlap(dst, src)) {
        source = tensor_clone(expanded, err);
        tensor_release(expanded);
        if (!source) return err ? err->code : ERR_MEMORY;
    }
    copy_elements(dst, source);
    tensor_release(source);
    tensor_bump_version(dst);
    return ERR_OK;
}

int tensor_fill_(Tensor *t, double value, Error *err) {
    (void)err;
    int64_t n = tensor_numel(t);
    if (tensor_is_contiguous(t) && n > 0) {
        /* one conversion of the value (as tensor_store's), then plain stores */
        tensor_store(t, t->offset, value);
        size_t es = dtype_size(t->dtype);
        char *base = (char *)t->storage->data + (size_t)t->offset * es;
        bool one_byte = true; /* the value's bytes all equal (zero, say): memset */
        for (size_t k = 1; k < es; k++) one_byte = one_byte && base[k] == base[0];
        if (one_byte) {
            memset(base + 1, base[0], (size_t)n * es - 1);
        } else if (es == 4) {
            uint32_t v;
            memcpy(&v, base, 4);
            for (int64_t i = 1; i < n; i++) ((uint32_t *)(void *)base)[i] = v;
        } else if (es == 8) {
            uint64_t v;
            memcpy(&v, base, 8);
            for (int64_t i = 1; i < n; i++) ((uint64_t *)(void *)base)[i] = v;
        }
    } else {
        for (int64_t i = 0; i < n; i++) tensor_set(t, i, value);
    }
    tensor_bump_version(t);
    return ERR_OK;
}

/* ---- indexing by tensors ---- */

Tensor *tensor_index_select(const Tensor *t, int64_t dim, const Tensor *index, Error *err) {
    if (!dtype_is_integral(index->dtype)) {
        err_set(err, ERR_RUNTIME,
                "index_select(): Expected dtype int32 or int64 for index");
        return NULL;
    }
    if (index->ndim > 1) {
        err_set(err, ERR_INDEX, "index_select(): Index is supposed to be a vector");
        return NULL;
    }
    int d = 0;
    if (tensor_wrap_dim(dim, t->ndim, &d, err)) return NULL;
    int64_t count = tensor_numel(index);
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    int ndim = t->ndim;
    if (ndim > 0) shape[d] = count;
    int64_t size = t->ndim ? t->shape[d] : 1;
    for (int64_t i = 0; i < count; i++) {
        int64_t k = tensor_get_int(index, i);
        if (k < 0 || k >= size) {
            err_set(err, ERR_INDEX, "index out of range in self");
            err_hint(err, "index %lld is not in [0, %lld)", (long long)k, (long long)size);
            return NULL;
        }
    }
    Tensor *out = tensor_new(t->dtype, ndim, shape, err);
    if (!out || t->ndim == 0) {
        if (out) copy_elements(out, t);
        return out;
    }
    for (int64_t i = 0; i < count; i++) {
        Tensor *src = tensor_select(t, d, tensor_get_int(index, i), err);
        Tensor *dst = src ? tensor_select(out, d, i, err) : NULL;
        if (!dst) {
            tensor_release(src);
            tensor_release(out);
            return NULL;
        }
        copy_elements(dst, src);
        tensor_release(src);
        tensor_release(dst);
    }
    return out;
}

/* Checks an integer index tensor against size; returns ERR_OK or IndexError as torch. */
static int check_int_index(const Tensor *index, int64_t size, Error *err) {
    int64_t n = tensor_numel(index);
    for (int64_t i = 0; i < n; i++) {
        int64_t k = tensor_get_int(index, i);
        if (k < -size || k >= size)
            return err_set(err, ERR_INDEX, "index %lld is out of bounds for dimension 0 with size %lld",
                           (long long)k, (long long)size);
    }
    return ERR_OK;
}

/* Converts a bool mask over t's leading dims to the int64 row indices it selects, after
 * checking its shape ("The shape of the mask [3] at index 0 does not match the shape of
 * the indexed tensor [4] at index 0"). Result is a 1-D int64 tensor of flat positions. */
static Tensor *mask_to_positions(const Tensor *t, const Tensor *mask, Error *err) {
    if (mask->ndim > t->ndim) {
        err_set(err, ERR_INDEX, "too many indices for tensor of dimension %d", t->ndim);
        return NULL;
    }
    for (int i = 0; i < mask->ndim; i++) {
        if (mask->shape[i] != t->shape[i]) {
            char ms[256], ts[256];
            tensor_shape_str(mask->ndim, mask->shape, ms, sizeof ms);
            tensor_shape_str(t->ndim, t->shape, ts, sizeof ts);
            err_set(err, ERR_INDEX,
                    "The shape of the mask %s at index %d does not match the shape of the "
                    "indexed tensor %s at index %d",
                    ms, i, ts, i);
            return NULL;
        }
    }
    int64_t n = tensor_numel(mask), count = 0;
    for (int64_t i = 0; i < n; i++) count += tensor_get_int(mask, i) != 0;
    Tensor *pos = tensor_new(DTYPE_INT64, 1, &count, err);
    if (!pos) return NULL;
    for (int64_t i = 0, j = 0; i < n; i++)
        if (tensor_get_int(mask, i)) tensor_store_int(pos, j++, i);
    return pos;
}

/* Rows of t viewed as [prod(leading mask dims), rest...] so that mask positions index
 * dim 0. Returns a view or copy (owned). */
static Tensor *flatten_leading(const Tensor *t, int lead, Error *err) {
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t rows = 1;
    for (int i = 0; i < lead; i++) rows *= t->shape[i];
    shape[0] = rows;
    for (int i = lead; i < t->ndim; i++) shape[1 + i - lead] = t->shape[i];
    return tensor_reshape(t, 1 + t->ndim - lead, shape, err);
}

Tensor *tensor_index(const Tensor *t, const Tensor *index, Error *err) {
    if (t->ndim == 0) {
        err_set(err, ERR_INDEX, "too many indices for tensor of dimension 0");
        return NULL;
    }
    if (index->dtype == DTYPE_BOOL) {
        Tensor *pos = mask_to_positions(t, index, err);
        if (!pos) return NULL;
        Tensor *rows = flatten_leading(t, index->ndim, err);
        Tensor *out = rows ? tensor_index(rows, pos, err) : NULL;
        tensor_release(rows);
        tensor_release(pos);
        return out;
    }
    if (index->dtype != DTYPE_INT64) {
        err_set(err, ERR_INDEX,
                "tensors used as indices must be long, byte or bool tensors");
        return NULL;
    }
    if (check_int_index(index, t->shape[0], err)) return NULL;
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim = index->ndim + t->ndim - 1;
    if (ndim > TENSOR_MAX_DIMS) {
        err_set(err, ERR_RUNTIME, "tensors of more than %d dimensions are not supported",
                TENSOR_MAX_DIMS);
        return NULL;
    }
    for (int i = 0; i < index->ndim; i++) shape[i] = index->shape[i];
    for (int i = 1; i < t->ndim; i++) shape[index->ndim + i - 1] = t->shape[i];
    Tensor *out = tensor_new(t->dtype, ndim, shape, err);
    if (!out) return NULL;
    int64_t count = tensor_numel(index);
    int64_t flat_shape[TENSOR_MAX_DIMS];
    flat_shape[0] = count;
    for (int i = 1; i < t->ndim; i++) flat_shape[i] = t->shape[i];
    Tensor *flat = tensor_view(out, t->ndim, flat_shape, err);
    if (!flat) {
        tensor_release(out);
        return NULL;
    }
    for (int64_t i = 0; i < count; i++) {
        int64_t k = tensor_get_int(index, i);
        if (k < 0) k += t->shape[0];
        Tensor *src = tensor_select(t, 0, k, err);
        Tensor *dst = src ? tensor_select(flat, 0, i, err) : NULL;
        if (!dst) {
            tensor_release(src);
            tensor_release(flat);
            tensor_release(out);
            return NULL;
        }
        copy_elements(dst, src);
        tensor_release(src);
        tensor_release(dst);
    }
    tensor_release(flat);
    return out;
}

int tensor_index_put_(Tensor *t, const Tensor *index, const Tensor *value, Error *err) {
    if (t->ndim == 0)
        return err_set(err, ERR_INDEX, "too many indices for tensor of dimension 0");
    if (index->dtype == DTYPE_BOOL) {
        Tensor *pos = mask_to_positions(t, index, err);
        if (!pos) return err ? err->code : ERR_RUNTIME;
        Tensor *rows = flatten_leading(t, index->ndim, err);
        int rc = ERR_RUNTIME;
        if (rows && rows->storage != t->storage) {
            rc = err_set(err, ERR_RUNTIME, "boolean mask assignment needs a viewable tensor");
        } else if (rows) {
            rc = tensor_index_put_(rows, pos, value, err);
        } else if (err) {
            rc = err->code;
        }
        tensor_release(rows);
        tensor_release(pos);
        if (rc == ERR_OK) tensor_bump_version(t);
        return rc;
    }
    if (index->dtype != DTYPE_INT64)
        return err_set(err, ERR_INDEX,
                       "tensors used as indices must be long, byte or bool tensors");
    if (check_int_index(index, t->shape[0], err)) return err->code;
    /* The indexed shape is index.shape + t.shape[1:]; value broadcasts to it. */
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim = index->ndim + t->ndim - 1;
    for (int i = 0; i < index->ndim; i++) shape[i] = index->shape[i];
    for (int i = 1; i < t->ndim; i++) shape[index->ndim + i - 1] = t->shape[i];
    Tensor *expanded = tensor_expand(value, ndim, shape, err);
    if (!expanded) {
        if (err && err->code != ERR_MEMORY) {
            char vs[256], ts[256];
            tensor_shape_str(value->ndim, value->shape, vs, sizeof vs);
            tensor_shape_str(ndim, shape, ts, sizeof ts);
            err_set(err, ERR_RUNTIME, "shape mismatch: value tensor of shape %s cannot be "
                                      "broadcast to indexing result of shape %s",
                    vs, ts);
        }
        return err ? err->code : ERR_RUNTIME;
    }
    Tensor *source = tensor_clone(expanded, err); /* also guards against aliasing */
    tensor_release(expanded);
    if (!source) return ERR_MEMORY;
    int64_t count = tensor_numel(index);
    int64_t flat_shape[TENSOR_MAX_DIMS];
    flat_shape[0] = count;
    for (int i = 1; i < t->ndim; i++) flat_shape[i] = t->shape[i];
    Tensor *flat = tensor_view(source, t->ndim, flat_shape, err);
    int rc = flat ? ERR_OK : ERR_MEMORY;
    for (int64_t i = 0; flat && i < count; i++) {
        int64_t k = tensor_get_int(index, i);
        if (k < 0) k += t->shape[0];
        Tensor *dst = tensor_select(t, 0, k, err);
        Tensor *src = dst ? tensor_select(flat, 0, i, err) : NULL;
        if (!src) {
            tensor_release(dst);
            rc = ERR_MEMORY;
            break;
        }
        copy_elements(dst, src);
        tensor_release(src);
        tensor_release(dst);
    }
    tensor_release(flat);
    tensor_release(source);
    if (rc == ERR_OK) tensor_bump_version(t);
    return rc;
}

Tensor *tensor_masked_select(const Tensor *t, const Tensor *mask, Error *err) {
    if (mask->dtype != DTYPE_BOOL) {
        err_set(err, ERR_RUNTIME, "masked_select: expected BoolTensor for mask");
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    if (tensor_broadcast_shapes(t->ndim, t->shape, mask->ndim, mask->shape, &ndim, shape, err))
        return NULL;
    Tensor *te = tensor_expand(t, ndim, shape, err);
    Tensor *me = te ? tensor_expand(mask, ndim, shape, err) : NULL;
    Tensor *out = NULL;
    if (me) {
        int64_t n = tensor_numel(me), count = 0;
        for (int64_t i = 0; i < n; i++) count += tensor_get_int(me, i) != 0;
        out = tensor_new(t->dtype, 1, &count, err);
        for (int64_t i = 0, j = 0; out && i < n; i++) {
            if (!tensor_get_int(me, i)) continue;
            int64_t so = tensor_flat_offset(te, i);
            if (dtype_is_integral(t->dtype)) tensor_store_int(out, j++, tensor_load_int(te, so));
            else tensor_store(out, j++, tensor_load(te, so));
        }
    }
    tensor_release(te);
    tensor_release(me);
    return out;
}

/* ---- joining ---- */

Tensor *tensor_cat(Tensor *const *tensors, int count, int64_t dim, Error *err) {
    if (count == 0) {
        err_set(err, ERR_RUNTIME, "torch.cat(): expected a non-empty list of Tensors");
        return NULL;
    }
    /* Legacy rule: 1-D empty tensors are skipped when checking shapes. */
    const Tensor *ref = NULL;
    for (int i = 0; i < count; i++) {
        if (tensors[i]->ndim == 1 && tensors[i]->shape[0] == 0) continue;
        ref = tensors[i];
        break;
    }
    DType dt = tensors[0]->dtype;
    for (int i = 1; i < count; i++) dt = dtype_promote(dt, tensors[i]->dtype);
    if (!ref) {
        int64_t zero = 0;
        return tensor_new(dt, 1, &zero, err);
    }
    if (ref->ndim == 0) {
        err_set(err, ERR_RUNTIME, "zero-dimensional tensor (at position 0) cannot be concatenated");
        return NULL;
    }
    int d = 0;
    if (tensor_wrap_dim(dim, ref->ndim, &d, err)) return NULL;
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, ref->shape, sizeof shape);
    shape[d] = 0;
    for (int i = 0; i < count; i++) {
        const Tensor *x = tensors[i];
        if (x->ndim == 1 && x->shape[0] == 0) continue;
        if (x->ndim == 0) {
            err_set(err, ERR_RUNTIME,
                    "zero-dimensional tensor (at position %d) cannot be concatenated", i);
            return NULL;
        }
        if (x->ndim != ref->ndim) {
            err_set(err, ERR_RUNTIME,
                    "Tensors must have same number of dimensions: got %d and %d", ref->ndim,
                    x->ndim);
            return NULL;
        }
        for (int k = 0; k < ref->ndim; k++) {
            if (k != d && x->shape[k] != ref->shape[k]) {
                err_set(err, ERR_RUNTIME,
                        "Sizes of tensors must match except in dimension %d. Expected size %lld "
                        "but got size %lld for tensor number %d in the list.",
                        d, (long long)ref->shape[k], (long long)x->shape[k], i);
                return NULL;
            }
        }
        shape[d] += x->shape[d];
    }
    Tensor *out = tensor_new(dt, ref->ndim, shape, err);
    if (!out) return NULL;
    int64_t at = 0;
    for (int i = 0; i < count; i++) {
        const Tensor *x = tensors[i];
        if (x->ndim == 1 && x->shape[0] == 0) continue;
        Tensor *part = tensor_slice(out, d, true, at, true, at + x->shape[d], 1, err);
        if (!part) {
            tensor_release(out);
            return NULL;
        }
        copy_elements(part, x);
        tensor_release(part);
        at += x->shape[d];
    }
    return out;
}

Tensor *tensor_stack(Tensor *const *tensors, int count, int64_t dim, Error *err) {
    if (count == 0) {
        err_set(err, ERR_RUNTIME, "stack expects a non-empty TensorList");
        return NULL;
    }
    for (int i = 1; i < count; i++) {
        if (!tensor_same_shape(tensors[0], tensors[i])) {
            char a[256], b[256];
            tensor_shape_str(tensors[0]->ndim, tensors[0]->shape, a, sizeof a);
            tensor_shape_str(tensors[i]->ndim, tensors[i]->shape, b, sizeof b);
            err_set(err, ERR_RUNTIME,
                    "stack expects each tensor to be equal size, but got %s at entry 0 and %s "
                    "at entry %d",
                    a, b, i);
            return NULL;
        }
    }
    int d = 0;
    if (tensor_wrap_dim(dim, tensors[0]->ndim + 1, &d, err)) return NULL;
    Tensor **parts = mem_calloc((size_t)count, sizeof *parts, err);
    if (!parts) return NULL;
    Tensor *out = NULL;
    int made = 0;
    for (; made < count; made++) {
        parts[made] = tensor_unsqueeze(tensors[made], d, err);
        if (!parts[made]) break;
    }
    if (made == count) out = tensor_cat(parts, count, d, err);
    for (int i = 0; i < made; i++) tensor_release(parts[i]);
    mem_free(parts);
    return out;
}
