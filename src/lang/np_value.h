/*
 * src/lang/np_value.h — NumPy objects as language values: numpy.ndarray (a core Tensor
 * read with NumPy's semantics), NumPy scalars, dtypes, and the session's NumPy state
 * (print options, the global RandomState). See LICENSE (GPL-3.0-or-later).
 *
 * An ndarray value owns one reference to its Tensor; views share the Tensor's Storage,
 * so `torch.from_numpy(a)` and `t.numpy()` share memory as in NumPy/PyTorch. The wrapper
 * never sets Tensor.lang_object (that back-pointer belongs to torch tensors).
 */
#ifndef EMBEDLAB_NP_VALUE_H
#define EMBEDLAB_NP_VALUE_H

#include "core/np_format.h"
#include "core/np_random.h"
#include "core/tensor.h"
#include "lang/callable.h"

typedef struct NpArrayValue {
    Value base;
    Tensor *t;   /* owned */
    bool scalar; /* a NumPy scalar (np.float32(1.5)): 0-d, prints as a number */
} NpArrayValue;

typedef struct NpDTypeValue {
    Value base;
    DType dtype;
    bool is_class; /* np.float32 (the scalar type) rather than dtype('float32') */
} NpDTypeValue;

typedef struct NpRandomValue {
    Value base;
    NpRandomState st;
} NpRandomValue;

extern const ValueType type_ndarray, type_np_float32, type_np_float64, type_np_int64, type_np_bool,
    type_np_dtype, type_np_random_state;

bool np_is_array(const Value *v);
Tensor *np_tensor(Value *v); /* borrowed; v must be an array or NumPy scalar */
/* Wraps t (STEALS the reference, even on failure); NULL t raises err. */
Value *np_array_take(Interp *I, Tensor *t, const Error *err);
/* The NumPy scalar (numpy.float64, float32, int64, bool_) for element 0 of t, the value
 * NumPy returns for a 0-d result. Steals t. */
Value *np_scalar_take(Interp *I, Tensor *t, const Error *err);
/* An array from any array-like (ndarray, tensor, number, nested lists/tuples, strings
 * when dtype is numeric), as np.array(obj, dtype=...). Owned. */
Tensor *np_from_object(Interp *I, Value *obj, bool has_dtype, DType dtype);
/* A dtype argument: np.float32, np.dtype('f4'), 'float32', float, int, bool, None. */
int np_arg_dtype(Interp *I, Value *v, DType *out, bool *given);
Value *np_dtype_value(Interp *I, DType dt, bool is_class);

/* The session's print options (defaults when numpy was never imported). */
NpPrintOptions *np_print_options(Interp *I);
/* The global RandomState (np.random.seed / rand / ...); NULL with an error raised. */
NpRandomState *np_global_random(Interp *I);

/* Argument helpers of the numpy modules (mod_numpy.c): a shape (an int or a sequence of
 * them, non-negative); an array-like as a tensor (owned; float64 for Python data); whether
 * an optional flag is given and true. */
int np_shape_arg(Interp *I, Value *v, int64_t *shape, int *nd);
Tensor *np_arr_arg(Interp *I, Value *v);
bool np_truthy(Interp *I, Value *v);

/* ndarray methods (np_array.c) and the numpy module pieces (mod_numpy.c). */
extern const BuiltinSpec ndarray_methods[];
Value *np_binary_values(Interp *I, int op, Value *a, Value *b);

/* String arrays (np_strarray.c): np.array(['the', 'cat']) with dtype '<U3'. */
extern const ValueType type_np_str_array;
bool np_is_str_array(const Value *v);
/* True when obj (a str, string array, or nested lists of them) holds a string. */
bool np_object_has_str(Value *obj);
/* A string array from nested lists (non-strings convert with str()); width < 1: the
 * longest element's length, else elements are truncated to width characters. */
Value *np_str_array_from(Interp *I, Value *obj, int64_t width);
/* Elements idx of a 1-d string array: one str (nd < 0) or an array of `shape`. */
Value *np_str_array_take(Interp *I, Value *arr, const int64_t *idx, int nd, const int64_t *shape);
int64_t np_str_array_len(Value *arr);
int np_str_array_ndim(Value *arr);

/* torch bridges: torch.from_numpy(a), t.numpy(). */
Value *np_torch_from_numpy(Interp *I, Value *self, Value **argv);
Value *np_tensor_numpy(Interp *I, Value *self, Value **argv);

#endif
