/*
 * src/lang/callable.h — calls: argument lists, signatures, Python's argument binding,
 * and builtin functions and methods described by one table entry each.
 * See LICENSE (GPL-3.0-or-later).
 *
 * A builtin is one BuiltinSpec: name, C implementation, signature text and docstring. The
 * signature drives argument binding (positional, keyword, defaults, *args, keyword-only,
 * **kwargs, with Python's error messages), help(), Jupyter inspection and completion, so
 * none of them can drift from the others.
 *
 *     static Value *str_split(Interp *I, Value *self, Value **argv);
 *     { "split", str_split, "(sep=None, maxsplit=-1)", "Return a list of the words ..." }
 *
 * The implementation receives `argv` with one slot per parameter in signature order
 * (defaults filled in; a *args slot holds a tuple, a **kwargs slot a dict; an omitted
 * "name=?" parameter is NULL). The slots are borrowed for the duration of the call.
 */
#ifndef EMBEDLAB_CALLABLE_H
#define EMBEDLAB_CALLABLE_H

#include "lang/interp.h"
#include "lang/value.h"

#define SIG_MAX_PARAMS 24

struct CallArgs {
    Value **args;            /* positional arguments (borrowed) */
    int64_t nargs;
    const char *const *kwnames; /* keyword names (borrowed) */
    Value **kwvalues;        /* keyword values (borrowed) */
    int64_t nkw;
};

typedef enum ParamKind {
    PARAM_POSITIONAL_ONLY,   /* before '/' */
    PARAM_NORMAL,            /* positional or keyword */
    PARAM_VAR_POSITIONAL,    /* *args */
    PARAM_KEYWORD_ONLY,      /* after '*' or *args */
    PARAM_VAR_KEYWORD        /* **kwargs */
} ParamKind;

typedef struct Param {
    const char *name;    /* owned by the Signature */
    ParamKind kind;
    Value *default_value; /* owned; NULL when required (or optional) */
    bool optional;        /* written "name=?": may be omitted, the slot is then NULL */
} Param;

typedef struct Signature {
    int count;
    Param params[SIG_MAX_PARAMS];
    char *text;          /* the signature as written, "(sep=None, maxsplit=-1)" */
} Signature;

/* Parses signature text such as "(input, dim=None, *, keepdim=False)". Defaults may be
 * None, True, False, ints, floats, strings, and tuples/lists of those. */
int sig_parse(Interp *I, const char *text, Signature *out);
void sig_free(Signature *sig);
/* Binds args to sig's parameters into argv[0..count) as NEW references (release them
 * with sig_release_bound). `fname` names the function in messages ("full" → "full()
 * missing 1 required positional argument: 'fill_value'"). */
int sig_bind(Interp *I, const Signature *sig, const char *fname, CallArgs *args, Value **argv);
void sig_release_bound(const Signature *sig, Value **argv);

typedef Value *(*BuiltinImpl)(Interp *I, Value *self, Value **argv);

typedef struct BuiltinSpec {
    const char *name;      /* "split" */
    BuiltinImpl impl;
    const char *signature; /* "(sep=None, maxsplit=-1)" */
    const char *doc;       /* first line: a one-sentence summary */
} BuiltinSpec;

/* A builtin function value; with `self` non-NULL it is a bound method. `qualname`
 * ("torch.full", "Tensor.sum", "str.split") is used by help() and repr. */
typedef struct BuiltinValue {
    Value base;
    const BuiltinSpec *spec;
    Value *self;          /* owned; NULL for plain functions */
    const char *qualname; /* static */
    Signature *sig;       /* borrowed from the interpreter's signature cache */
} BuiltinValue;

extern const ValueType type_builtin;

/* A builtin function (self NULL) or a method bound to self. */
Value *builtin_new(Interp *I, const BuiltinSpec *spec, const char *qualname, Value *self);
/* The parsed signature of spec (parsed once per interpreter, cached). */
Signature *builtin_signature(Interp *I, const BuiltinSpec *spec);
/* Looks up `name` in a NULL-terminated spec table. */
const BuiltinSpec *builtin_find(const BuiltinSpec *table, const char *name);
/* Frees the interpreter's signature cache (called by interp teardown). */
void builtin_cache_free(Interp *I);

/* Calls any callable value with positional args only (convenience for builtins). */
Value *call_value(Interp *I, Value *callee, Value **args, int64_t nargs);
/* Calls any callable value with full CallArgs. */
Value *call_value_args(Interp *I, Value *callee, CallArgs *args);

#endif
