/*
 * src/lang/exceptions.h — Python's exception classes and exception objects: the builtin
 * hierarchy (BaseException > Exception > LookupError > IndexError ...), `raise`, `except`
 * matching, and the bridge between the interpreter's pending Error (kind + message) and
 * exception values. See LICENSE (GPL-3.0-or-later).
 *
 * A pending exception is always I->error (code, message, hint); when Python code raised an
 * exception *object* (raise MyError("x")), I->exception also holds that object (owned), so
 * `except ... as e` gets the very object back. Errors raised by C code have no object until
 * one is needed: exc_from_error makes it.
 */
#ifndef EMBEDLAB_EXCEPTIONS_H
#define EMBEDLAB_EXCEPTIONS_H

#include <stdbool.h>

#include "lang/callable.h"

/* An exception instance (builtin or user subclass): args plus an attribute dict. */
typedef struct ExcValue {
    Value base;
    Value *dict; /* instance attributes (user subclasses); NULL until used */
    Value *args; /* tuple */
} ExcValue;

/* The builtin exception type of an error code (ERR_VALUE -> ValueError's type). */
const ValueType *exc_type_for(ErrCode code);

/* Installs the exception classes into the builtins namespace (ValueError, ...). */
int exc_install(Interp *I, Value *builtins);

/* The class object for an error code (ERR_VALUE -> ValueError); new reference. */
Value *exc_class_for_code(Interp *I, ErrCode code);
/* The exception object for the pending error: I->exception when set, else a new instance
 * of the code's class with the message as its only argument. New reference. */
Value *exc_from_error(Interp *I);
/* Makes `exc` (an exception instance or class) the pending exception, as `raise exc`.
 * Returns -1 (the usual failure status). TypeError "exceptions must derive from
 * BaseException" for anything else. */
int exc_raise(Interp *I, Value *exc);
/* Raises KeyError(key): str(e) is repr(key) and e.args == (key,), as dict lookups do.
 * Returns -1. */
int exc_raise_key(Interp *I, Value *key);
/* Does the pending exception match `cls` (a class or a tuple of classes), as `except cls`?
 * 1/0, or -1 with a TypeError ("catching classes that do not inherit from BaseException
 * is not allowed"). */
int exc_matches(Interp *I, Value *cls);
/* Clears the pending error and the exception object. */
void exc_clear(Interp *I);

bool val_is_exception(const Value *v);
/* True for BaseException and every subclass's instance type. */
bool exc_is_type(const ValueType *t);
/* True when the type object `cls` is BaseException or a subclass. */
bool exc_is_class(const Value *cls);
/* The ErrCode a class raises as (ValueError -> ERR_VALUE; user subclasses map to their
 * nearest builtin ancestor). */
ErrCode exc_code_of_type(const ValueType *type);

/* Constructs an instance of an exception type (builtin or heap) with args. */
Value *exc_instantiate(Interp *I, Value *cls, CallArgs *args);

#endif
