/*
 * src/lang/ops.h — Python's operator protocols over values: arithmetic, comparison,
 * containment, subscripting, attribute access and iteration, with Python's semantics and
 * messages for the builtin types and dispatch to type slots (tensors, modules, ...).
 * See LICENSE (GPL-3.0-or-later).
 *
 * All functions return new references (or a status) and record a Python exception on
 * failure, as value.h describes.
 */
#ifndef EMBEDLAB_OPS_H
#define EMBEDLAB_OPS_H

#include "lang/value.h"

/* a <op> b, trying a's slot, then b's reflected slot, then the builtin numeric, str and
 * sequence rules; "unsupported operand type(s) for +: 'int' and 'str'" otherwise. */
Value *op_binary(Interp *I, PyOp op, Value *a, Value *b);
/* a <op>= b: in place where the type supports it (list +=, tensor +=), else op_binary. */
Value *op_inplace(Interp *I, PyOp op, Value *a, Value *b);
Value *op_unary(Interp *I, PyUnary op, Value *v);
/* Rich comparison returning a value (bool for builtins, a tensor for tensors). */
Value *op_compare(Interp *I, PyCmp op, Value *a, Value *b);
/* `item in container`: 0/1, -1 on error. */
int op_contains(Interp *I, Value *container, Value *item);
/* a is b (identity; tensors compare their underlying Tensor). */
bool op_is(Value *a, Value *b);

/* obj[key], obj[key] = value, del obj[key] (value NULL). */
Value *op_getitem(Interp *I, Value *obj, Value *key);
int op_setitem(Interp *I, Value *obj, Value *key, Value *value);

/* getattr(obj, name): NULL + AttributeError ("'list' object has no attribute 'add'",
 * with a did-you-mean hint when a close name exists). */
Value *op_getattr(Interp *I, Value *obj, const char *name);
int op_setattr(Interp *I, Value *obj, const char *name, Value *value);
/* Like op_getattr but returns NULL with no error when the attribute does not exist. */
Value *op_getattr_opt(Interp *I, Value *obj, const char *name);

/* iter(v) and next(it) (NULL with no error at the end). */
Value *op_iter(Interp *I, Value *v);
Value *op_next(Interp *I, Value *iterator);
/* Materialises any iterable into a new list. */
Value *op_to_list(Interp *I, Value *iterable);
/* len(v) or -1 with TypeError "object of type 'int' has no len()". */
int64_t op_len(Interp *I, Value *v);

/* Converts v to an index (int or bool, or a one-element integer tensor) for subscripts:
 * TypeError with `what` ("list indices must be integers or slices, not str"). */
int op_index_value(Interp *I, Value *v, int64_t *out);
/* Resolves a slice against a sequence length as Python's slice.indices(); returns the
 * number of selected items. */
int op_slice_indices(Interp *I, Value *slice, int64_t length, int64_t *start, int64_t *stop,
                     int64_t *step, int64_t *count);

/* The closest name in `candidates` (a NULL-terminated array) to `name`, for "did you
 * mean" hints, or NULL when nothing is close enough. */
const char *ops_suggest(const char *name, const char *const *candidates);

#endif
