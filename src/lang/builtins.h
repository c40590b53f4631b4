/*
 * src/lang/builtins.h — Python's builtin functions and type objects (print, len, range,
 * int, str, isinstance, ...). See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_BUILTINS_H
#define EMBEDLAB_BUILTINS_H

#include "lang/callable.h"

/* The builtin functions, one entry each (name, implementation, signature, doc). */
extern const BuiltinSpec builtins_functions[];

/* Fills `namespace` (a dict) with the builtin functions and type objects. */
int builtins_install(Interp *I, Value *namespace_dict);
/* Adds builtin functions (a NULL-terminated table) to a namespace dict by name. */
int builtins_add_functions(Interp *I, Value *namespace_dict, const BuiltinSpec *functions);
/* The type object of `type` (int, str, torch.Tensor, ...), created once per interpreter.
 * `construct` (may be NULL) makes instances when the type is called. Returns a new
 * reference. */
Value *builtins_type_value(Interp *I, const ValueType *type);
/* Registers how calling a type object constructs values (used for Tensor, Parameter...). */
int builtins_set_constructor(Interp *I, const ValueType *type,
                             Value *(*construct)(Interp *I, CallArgs *args));

/* Conversions shared with other builtins: int(x), float(x) with Python's messages. */
int builtins_to_int(Interp *I, Value *v, int64_t *out);
int builtins_to_float(Interp *I, Value *v, double *out);

#endif
