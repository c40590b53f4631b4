/*
 * src/core/tensor.h — n-dimensional strided tensors on reference-counted storage.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Ownership: Tensor objects and their Storage are reference counted. Every function that
 * returns a Tensor* returns an OWNED reference (the caller calls tensor_release); Tensor*
 * arguments are BORROWED unless the function name ends in _take. A view (view, reshape
 * when possible, transpose, select, slice, expand, unsqueeze, squeeze, t) is a new Tensor
 * object sharing the argument's Storage, so writes through either are visible in both,
 * as in PyTorch (`w = emb.weight; w[0] = 0` writes through).
 *
 * Indices and sizes are int64_t. Strides and the offset count elements, not bytes. Errors
 * carry PyTorch 1.13's exact messages. Tensor data lives in Storage allocated through the
 * mem budget (mem_tensor_reserve), so a huge tensor fails with MemoryError, never OOM.
 *
 * This header holds the data model, creation, element access and views. Elementwise math,
 * promotion and matmul are in tensor_math.h; reductions, sort and topk in tensor_reduce.h.
 */
#ifndef EMBEDLAB_TENSOR_H
#define EMBEDLAB_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define TENSOR_MAX_DIMS 32

/* X(enum, torch name, legacy tensor type, ATen scalar name, element size). The order is
 * the promotion order: bool < int32 < int64 < float32 < float64. */
#define DTYPE_LIST(X)                                                  \
    X(DTYPE_BOOL, "bool", "torch.BoolTensor", "Bool", 1)               \
    X(DTYPE_INT32, "int32", "torch.IntTensor", "Int", 4)               \
    X(DTYPE_INT64, "int64", "torch.LongTensor", "Long", 8)             \
    X(DTYPE_FLOAT32, "float32", "torch.FloatTensor", "Float", 4)       \
    X(DTYPE_FLOAT64, "float64", "torch.DoubleTensor", "Double", 8)

typedef enum DType {
#define DTYPE_ENUM_ENTRY(e, name, legacy, scalar, size) e,
    DTYPE_LIST(DTYPE_ENUM_ENTRY)
#undef DTYPE_ENUM_ENTRY
    DTYPE_COUNT
} DType;

/* "float32" (print as "torch.float32"). */
const char *dtype_name(DType dt);
/* "torch.FloatTensor", as in PyTorch's type() and some error messages. */
const char *dtype_legacy_name(DType dt);
/* "Float", as in "expected scalar type Float but found Long". */
const char *dtype_scalar_name(DType dt);
size_t dtype_size(DType dt);
bool dtype_is_floating(DType dt);
/* int32 or int64 (not bool). */
bool dtype_is_integral(DType dt);

typedef struct Storage {
    long refcount;
    void *data;       /* nbytes bytes, zero-initialised at creation */
    size_t nbytes;    /* counted against the mem tensor budget */
    uint64_t version; /* bumped by in-place writes; autograd checks saved tensors with it */
} Storage;

struct GradNode; /* autograd graph node, owned by the autograd module */

typedef struct Tensor {
    long refcount;
    Storage *storage; /* shared by views */
    DType dtype;
    int ndim;                          /* 0 for a scalar tensor */
    int64_t offset;                    /* first element, in elements from storage->data */
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t stride[TENSOR_MAX_DIMS];   /* in elements */
    bool wrapped_number;   /* a Python number wrapped for type promotion (lowest priority) */
    bool is_parameter;     /* an nn.Parameter: prints "Parameter containing:" */
    bool requires_grad;    /* autograd leaf flag / result flag */
    struct Tensor *grad;   /* owned; NULL until backward writes it */
    struct GradNode *grad_fn; /* owned by autograd; NULL for leaves */
    void *lang_object;     /* the language layer's wrapper for this tensor, if any (a weak
                            * back-pointer that gives Python identity); core ignores it */
} Tensor;

/* ---- creation ---- */

/* A new contiguous tensor of `shape` filled with zeros. Negative sizes fail with
 * "Trying to create tensor with negative dimension -1: [-1, 3]". */
Tensor *tensor_zeros(DType dt, int ndim, const int64_t *shape, Error *err);
/* Like tensor_zeros, but the contents are unspecified (a recycled block is not cleared):
 * only for kernels that write every element before anyone reads the tensor. */
Tensor *tensor_unfilled(DType dt, int ndim, const int64_t *shape, Error *err);
Tensor *tensor_ones(DType dt, int ndim, const int64_t *shape, Error *err);
Tensor *tensor_full(DType dt, int ndim, const int64_t *shape, double value, Error *err);
/* 0-d tensor holding `value` (cast to dt). */
Tensor *tensor_scalar(DType dt, double value, Error *err);
/* 0-d tensor flagged as a wrapped Python number: int → int64, float → float64, bool → bool;
 * it takes part in type promotion with the lowest priority, as in ATen. */
Tensor *tensor_wrap_number(DType dt, double value, Error *err);
/* Contiguous tensor from `numel` row-major doubles (cast to dt; bool is value != 0). */
Tensor *tensor_from_doubles(DType dt, int ndim, const int64_t *shape, const double *values,
                            Error *err);
/* Contiguous tensor from row-major int64 values (exact for int64 beyond 2^53). */
Tensor *tensor_from_int64s(DType dt, int ndim, const int64_t *shape, const int64_t *values,
                           Error *err);
/* torch.arange(start, end, step, dtype=dt). Size is ceil((end - start) / step); values as
 * ATen's vectorized CPU kernel computes them (bit-exact); errors as torch ("step must be
 * nonzero", "upper bound and larger bound inconsistent with step sign"). */
Tensor *tensor_arange(double start, double end, double step, DType dt, Error *err);
/* torch.linspace(start, end, steps, dtype=dt): ATen's kernel, which counts up from start
 * for the first half and down from end for the second, vector by vector (bit-exact). */
Tensor *tensor_linspace(double start, double end, int64_t steps, DType dt, Error *err);

Tensor *tensor_retain(Tensor *t);
/* Drops one reference; frees the tensor (and its storage, when last) at zero. NULL ok. */
void tensor_release(Tensor *t);

/* ---- shape and layout ---- */

int64_t tensor_numel(const Tensor *t);
bool tensor_is_contiguous(const Tensor *t);
/* Python-style dim wrapping: dim in [-n, n) becomes [0, n). `n` is the number of dims
 * the dim indexes (ndim, or ndim + 1 for unsqueeze). A 0-d tensor accepts -1 and 0.
 * Error: "Dimension out of range (expected to be in range of [-2, 1], but got 2)". */
int tensor_wrap_dim(int64_t dim, int n, int *out, Error *err);
/* True when the shapes are equal. */
bool tensor_same_shape(const Tensor *a, const Tensor *b);
/* Formats a shape as PyTorch prints it in messages: "[2, 3]". */
void tensor_shape_str(int ndim, const int64_t *shape, char *out, size_t out_size);

/* ---- element access (logical row-major order) ---- */

/* Storage offset, in elements, of the element at logical row-major position `flat`. */
int64_t tensor_flat_offset(const Tensor *t, int64_t flat);
/* Storage offset of the element at the multi-index `index` (ndim entries, in range). */
int64_t tensor_index_offset(const Tensor *t, const int64_t *index);
/* Reads/writes the element at storage offset `off` of t's storage with t's dtype. */
double tensor_load(const Tensor *t, int64_t off);
int64_t tensor_load_int(const Tensor *t, int64_t off);
void tensor_store(Tensor *t, int64_t off, double value);
void tensor_store_int(Tensor *t, int64_t off, int64_t value);
/* Element at logical position `flat`, as double / int64. */
double tensor_get(const Tensor *t, int64_t flat);
int64_t tensor_get_int(const Tensor *t, int64_t flat);
void tensor_set(Tensor *t, int64_t flat, double value);
/* Value of a one-element tensor (any shape with numel 1). Error otherwise:
 * "a Tensor with 6 elements cannot be converted to Scalar". */
int tensor_item(const Tensor *t, double *out, Error *err);

/* Marks an in-place write to t's storage (bumps the version counter). */
void tensor_bump_version(Tensor *t);

/* ---- views (share storage) ---- */

/* view(*shape): one -1 may be inferred. Errors: "shape '[2, 4]' is invalid for input of
 * size 6", "only one dimension can be inferred", "view size is not compatible with input
 * tensor's size and stride ... Use .reshape(...) instead." */
Tensor *tensor_view(const Tensor *t, int ndim, const int64_t *shape, Error *err);
/* reshape: a view when the strides allow it, else a contiguous copy. */
Tensor *tensor_reshape(const Tensor *t, int ndim, const int64_t *shape, Error *err);
Tensor *tensor_transpose(const Tensor *t, int64_t dim0, int64_t dim1, Error *err);
/* permute(dims): a permutation of 0..ndim-1 (negative dims wrap). */
Tensor *tensor_permute(const Tensor *t, int ndim, const int64_t *dims, Error *err);
/* t(): 0-d and 1-d unchanged, 2-d transposed, else
 * "t() expects a tensor with <= 2 dimensions, but self is 3D". */
Tensor *tensor_t(const Tensor *t, Error *err);
Tensor *tensor_unsqueeze(const Tensor *t, int64_t dim, Error *err);
/* squeeze(): drop every size-1 dim. */
Tensor *tensor_squeeze(const Tensor *t, Error *err);
/* squeeze(dim): drop `dim` if its size is 1, else the same shape. */
Tensor *tensor_squeeze_dim(const Tensor *t, int64_t dim, Error *err);
/* t.select(dim, index): removes the dim. Negative index counts from the end. Errors as
 * torch's select(): "select(): index 5 out of range for tensor of size [3, 2] at dimension
 * 0". (Python indexing `t[5]` words it differently; the interpreter checks that first.) */
Tensor *tensor_select(const Tensor *t, int64_t dim, int64_t index, Error *err);
/* Python slice start:stop:step along `dim`. has_start/has_stop false mean omitted.
 * Bounds clamp as in Python; step 0 is "slice step cannot be zero" (ValueError), a
 * negative step "step must be greater than zero" (ValueError), as torch. */
Tensor *tensor_slice(const Tensor *t, int64_t dim, bool has_start, int64_t start,
                     bool has_stop, int64_t stop, int64_t step, Error *err);
/* expand(*shape): broadcast to `shape` (-1 keeps a size). Error: "The expanded size of the
 * tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes:
 * [2, 4].  Tensor sizes: [3]". */
Tensor *tensor_expand(const Tensor *t, int ndim, const int64_t *shape, Error *err);
/* A new Tensor object aliasing t (same storage, shape, strides); flags are not copied. */
Tensor *tensor_alias(const Tensor *t, Error *err);

/* t.data = src: t (the same object) now views src's storage with src's dtype, shape,
 * strides and offset; t's old storage is released. */
void tensor_set_data(Tensor *t, const Tensor *src);

/* ---- copies ---- */

/* Contiguous copy with the same dtype (or t itself, retained, when already contiguous). */
Tensor *tensor_contiguous(const Tensor *t, Error *err);
/* A new zero-filled tensor of t's shape and dtype dt that keeps t's memory layout, as
 * torch's empty_like(memory_format=preserve_format): t's own strides when t is dense and
 * non-overlapping (e.g. a transpose), otherwise dense strides in t's dim order. */
Tensor *tensor_empty_like(const Tensor *t, DType dt, Error *err);
/* A fresh copy, never aliasing t, with t's layout preserved as tensor_empty_like (torch's
 * clone(): `x.t().clone()` is not contiguous). */
Tensor *tensor_clone(const Tensor *t, Error *err);
/* A copy converted to dt, layout preserved (float → int truncates toward zero). */
Tensor *tensor_to_dtype(const Tensor *t, DType dt, Error *err);
/* ATen's MemOverlapStatus of two tensors (get_overlap_status): FULL when they are the same
 * elements in the same layout, PARTIAL when they share some memory otherwise, TOO_HARD
 * when either has gaps or repeats (nothing more is known), NO otherwise. */
typedef enum { OVERLAP_NO, OVERLAP_FULL, OVERLAP_PARTIAL, OVERLAP_TOO_HARD } TensorOverlap;
TensorOverlap tensor_overlap(const Tensor *a, const Tensor *b);
/* ATen's memory-overlap checks of an operation that writes out while reading in (NULL:
 * nothing): a RuntimeError as torch's when two elements of out share memory (an expanded
 * tensor), or when in shares only part of out's memory (c[1:] += c[:-1]). */
int tensor_check_writable(const Tensor *out, const Tensor *in, Error *err);
/* dst.copy_(src): src broadcast to dst's shape and cast to dst's dtype, after
 * tensor_check_writable(dst, src). Other sharing (src laid out differently over memory
 * it shares with dst) goes through a temporary. */
int tensor_copy_(Tensor *dst, const Tensor *src, Error *err);
/* tensor_copy_ without the overlap checks: an element of dst repeated by its strides gets
 * the last value written to it (fill_ and masked_fill_ of expanded tensors, as torch). */
int tensor_assign_(Tensor *dst, const Tensor *src, Error *err);
int tensor_fill_(Tensor *t, double value, Error *err);

/* ---- indexing by tensors ---- */

/* index_select(dim, index): index is 1-D (or 0-d) int64. Errors as torch:
 * "index out of range in self", "index_select(): Expected dtype int32 or int64 for index". */
Tensor *tensor_index_select(const Tensor *t, int64_t dim, const Tensor *index, Error *err);
/* t[index] along dim 0 for an integer index tensor of any shape: result shape is
 * index.shape + t.shape[1:]. Negative entries wrap. Error: "index 10 is out of bounds for
 * dimension 0 with size 10". A bool index of t's leading shape selects like masked_select
 * over those dims. */
Tensor *tensor_index(const Tensor *t, const Tensor *index, Error *err);
/* t[index] = value (value broadcast to the indexed shape). Same index rules. */
int tensor_index_put_(Tensor *t, const Tensor *index, const Tensor *value, Error *err);
/* masked_select(mask): 1-D result of the elements where mask (broadcast) is true. */
Tensor *tensor_masked_select(const Tensor *t, const Tensor *mask, Error *err);

/* ---- joining ---- */

/* cat(tensors, dim). Errors as torch: "torch.cat(): expected a non-empty list of Tensors",
 * "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for
 * tensor number 1 in the list.". Result dtype is the promoted dtype of the inputs. */
Tensor *tensor_cat(Tensor *const *tensors, int count, int64_t dim, Error *err);
/* stack(tensors, dim): all shapes equal ("stack expects each tensor to be equal size, but
 * got [2] at entry 0 and [3] at entry 1"). */
Tensor *tensor_stack(Tensor *const *tensors, int count, int64_t dim, Error *err);

#endif
