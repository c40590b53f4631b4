/*
 * src/core/np_ops.h — NumPy 1.24 numerics on core Tensors: type promotion, elementwise
 * ufuncs with broadcasting, reductions with NumPy's pairwise summation, dot/matmul and
 * norms. See LICENSE (GPL-3.0-or-later).
 *
 * Arrays are Tensors read with NumPy semantics (any strides, including negative ones).
 * Results are new contiguous arrays (owned, tensor_release). Errors carry NumPy's
 * messages ("operands could not be broadcast together with shapes (2,3) (4,) ").
 */
#ifndef EMBEDLAB_NP_OPS_H
#define EMBEDLAB_NP_OPS_H

#include <stdbool.h>

#include "core/tensor.h"

typedef enum NpBinOp {
    NP_ADD, NP_SUB, NP_MUL, NP_DIV, NP_FLOORDIV, NP_MOD, NP_POW,
    NP_EQ, NP_NE, NP_LT, NP_LE, NP_GT, NP_GE,
    NP_AND, NP_OR, NP_XOR, NP_MAXIMUM, NP_MINIMUM
} NpBinOp;

typedef enum NpUnOp {
    NP_NEG, NP_ABS, NP_SQRT, NP_EXP, NP_LOG, NP_TANH, NP_SIN, NP_COS, NP_FLOOR, NP_CEIL,
    NP_NOT, NP_SQUARE, NP_SIGN, NP_LOG2, NP_LOG10, NP_LOG1P, NP_EXPM1, NP_RINT
} NpUnOp;

/* np.promote_types for the four dtypes (int64 with float32 gives float64). */
DType np_promote(DType a, DType b);
/* The dtype of `array op scalar` under NumPy 1.24's value-based casting: the scalar
 * (a Python number or 0-d array of dtype sdt holding value sval) only widens the array's
 * dtype when it needs to. */
DType np_promote_scalar(DType adt, DType sdt, double sval);

/* The broadcast shape of a and b, or ValueError "operands could not be broadcast
 * together with shapes (2,3) (4,) ". */
int np_broadcast_shape(const Tensor *a, const Tensor *b, int *ndim, int64_t *shape, Error *err);

/* a <op> b computed in dtype `dt` (operands cast to it first). Comparisons return bool;
 * NP_DIV of integers returns float64. TypeError for ops bool does not support
 * ("numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the
 * `^` operator, or the logical_xor function instead."). */
Tensor *np_binary(NpBinOp op, const Tensor *a, const Tensor *b, DType dt, Error *err);
/* Elementwise function; integer inputs of float functions compute in float64. */
Tensor *np_unary(NpUnOp op, const Tensor *a, Error *err);
/* dst[...] = src broadcast to dst's shape and cast (float → int truncates). */
int np_assign(Tensor *dst, const Tensor *src, Error *err);
/* A contiguous copy (C order) in dtype dt. */
Tensor *np_copy(const Tensor *a, DType dt, Error *err);

/* Reductions. axis < 0: over everything (result 0-d); else over that axis. */
typedef enum NpReduce { NP_SUM, NP_PROD, NP_MAX, NP_MIN, NP_ARGMAX, NP_ARGMIN, NP_ANY, NP_ALL } NpReduce;
Tensor *np_reduce(NpReduce op, const Tensor *a, int axis, bool keepdims, Error *err);
/* Sum with NumPy's order (pairwise along the innermost memory axis) in dtype dt. */
Tensor *np_sum(const Tensor *a, int axis, bool keepdims, DType dt, Error *err);
/* mean / var / std as numpy's _methods.py (axis < 0: all). */
Tensor *np_mean(const Tensor *a, int axis, bool keepdims, Error *err);
Tensor *np_var(const Tensor *a, int axis, bool keepdims, int ddof, bool take_sqrt, Error *err);
/* np.dot / np.matmul (1-d and 2-d operands; matmul also batches). */
Tensor *np_dot(const Tensor *a, const Tensor *b, Error *err);
Tensor *np_matmul(const Tensor *a, const Tensor *b, Error *err);
/* np.linalg.norm(a, ord=None/2 vector, 'fro', 1, inf) along axis (< 0: whole array). */
Tensor *np_norm(const Tensor *a, double ord, bool ord_given, int axis, bool keepdims,
                Error *err);
/* np.cumsum over the flattened array (axis < 0) or an axis. */
Tensor *np_cumsum(const Tensor *a, int axis, Error *err);
/* Stable argsort along the last axis (kind='quicksort' gives the same for distinct keys). */
Tensor *np_argsort(const Tensor *a, Error *err);
Tensor *np_sort(const Tensor *a, Error *err);
/* np.concatenate along axis / np.stack. */
Tensor *np_concatenate(Tensor *const *arrays, int n, int axis, Error *err);

#endif
