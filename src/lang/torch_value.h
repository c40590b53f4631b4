/*
 * src/lang/torch_value.h — torch objects as language values: torch.Tensor (and
 * nn.Parameter), torch.dtype, and the argument conversions torch functions share
 * (sizes, dtypes, dims, scalars). See LICENSE (GPL-3.0-or-later).
 *
 * A tensor value wraps a core Tensor (holding one reference). The wrapper is unique per
 * Tensor object (Tensor.lang_object points back at it), so Python identity holds:
 * `w = emb.weight; w is emb.weight` is True.
 */
#ifndef EMBEDLAB_TORCH_VALUE_H
#define EMBEDLAB_TORCH_VALUE_H

#include "core/tensor.h"
#include "lang/callable.h"

typedef struct TensorValue {
    Value base;
    Tensor *tensor; /* owned reference */
} TensorValue;

typedef struct DTypeValue {
    Value base;
    DType dtype;
} DTypeValue;

extern const ValueType type_tensor, type_parameter, type_dtype;
/* A sparse COO tensor (core/sparse.h): its own type, so dense-only code never sees one
 * (val_is_tensor is false for it; isinstance(x, torch.Tensor) is true). */
extern const ValueType type_sparse_tensor;

/* Wraps t, STEALING the caller's reference (even on failure). Returns the existing
 * wrapper when t already has one. NULL t (a failed core call) raises `err`. */
Value *tensor_value_take(Interp *I, Tensor *t, const Error *err);
/* As tensor_value_take for a core result that may be NULL with err set. */
bool val_is_tensor(const Value *v);
/* The wrapped tensor (borrowed); v must be a tensor value. */
Tensor *tensor_of(Value *v);

/* The dtype value for dt (one shared object per interpreter and dtype). */
Value *dtype_value(Interp *I, DType dt);
bool val_is_dtype(const Value *v);

/* ---- argument conversions with torch's messages ---- */

/* A size given as ints (`zeros(2, 3)`, in a *args tuple) or one sequence (`zeros((2, 3))`,
 * `zeros([2, 3])`, `zeros(t.shape)`): "zeros(): argument 'size' (position 1) must be
 * tuple of ints, not str". */
int arg_size(Interp *I, Value *v, const char *fn, int64_t *shape, int *ndim);
/* True when the *args tuple of a factory (randn, rand, zeros, ones, empty) is empty: torch
 * has no overload without a size. Then raises torch's python_arg_parser TypeError and
 * returns true. The keyword arguments passed are the non-default ones among
 * kw_values[0..nkw) (named kw_names, in signature order): with one overload plausible for
 * that many arguments, "randn() missing 1 required positional arguments: "size""; else
 * "randn() received an invalid combination of arguments - got (...), but expected one of:"
 * and the overloads. */
/* A keyword flag's value when it differs from its default False (an explicit False is
 * indistinguishable from the default); NULL otherwise. For factory_size_missing. */
Value *non_default_flag(Value *flag);
bool factory_size_missing(Interp *I, const char *fn, Value *size_args, int nkw,
                          const char *const *kw_names, Value *const *kw_values);
/* An optional dtype (None → *out unchanged, *given false). */
int arg_dtype(Interp *I, Value *v, const char *fn, DType *out, bool *given);
int arg_int(Interp *I, Value *v, const char *fn, const char *name, int64_t *out);
int arg_float(Interp *I, Value *v, const char *fn, const char *name, double *out);
int arg_bool(Interp *I, Value *v, const char *fn, const char *name, bool *out);
/* A tensor argument ("argument 'input' (position 1) must be Tensor, not list"). */
Tensor *arg_tensor(Interp *I, Value *v, const char *fn, const char *name, int position);
/* c10's overflow check when a number (a Python int/float or a one-element tensor)
 * becomes a scalar of integer dtype dt: for a Scalar argument (fill_, full, masked_fill,
 * t[i] = v) RuntimeError "value cannot be converted to type int without overflow" ("int",
 * "int64_t"); returns -1 with the error set, 0 when it fits or dt is not an integer. */
int arg_scalar_fits(Interp *I, Value *v, DType dt);
/* A tensor or a Python number (wrapped for promotion). Returns an owned reference. */
Tensor *arg_tensor_or_number(Interp *I, Value *v, const char *fn, const char *name);

/* torch.tensor(data, dtype=None): nested lists/tuples of numbers, bools or one-element
 * tensors, with torch's dtype inference and ragged-sequence errors. */
Tensor *tensor_from_data(Interp *I, Value *data, bool has_dtype, DType dtype);
/* t.tolist(): nested lists of Python numbers. */
Value *tensor_to_list(Interp *I, Tensor *t);
/* A Python number from element 0 of a one-element tensor (t.item()). */
Value *tensor_item_value(Interp *I, Tensor *t);

/* Tensor methods and attributes (tensor_methods.c). */
extern const BuiltinSpec tensor_methods[];
/* The random in-place methods (normal_, uniform_, ...), in torch_random.c. */
extern const BuiltinSpec tensor_random_methods[];
Value *tensor_getattr(Interp *I, Value *self, const char *name);
int tensor_setattr(Interp *I, Value *self, const char *name, Value *value);
int tensor_dir(Interp *I, Value *self, Value *names);
/* The print options used by repr(tensor) (set by torch.set_printoptions). */
struct PrintOptions;

#endif
