/*
 * src/lang/module.h — Python module objects (torch, torch.nn, math, embedlab, ...) and
 * the registry `import` resolves names against. See LICENSE (GPL-3.0-or-later).
 *
 * A module is a name plus an attribute dict. Builtin modules are built on first import
 * from a ModuleDef: a table of functions (BuiltinSpec) plus an init hook that adds
 * constants, types and submodules.
 */
#ifndef EMBEDLAB_MODULE_H
#define EMBEDLAB_MODULE_H

#include "lang/callable.h"

typedef struct ModuleValue {
    Value base;
    char *name;   /* "torch.nn" (owned) */
    Value *dict;  /* attributes (owned) */
} ModuleValue;

extern const ValueType type_module;

typedef struct ModuleDef {
    const char *name;                  /* "torch.nn.functional" */
    const BuiltinSpec *functions;      /* NULL-terminated, may be NULL */
    int (*init)(Interp *I, Value *module); /* adds the rest; may be NULL */
    const char *doc;
} ModuleDef;

/* A new empty module named `name`. */
Value *module_new(Interp *I, const char *name);
/* Sets module.name = value. */
int module_set(Interp *I, Value *module, const char *name, Value *value);
/* Adds the functions of a spec table to module, with qualified names "torch.zeros". */
int module_add_functions(Interp *I, Value *module, const BuiltinSpec *functions);

/* The module named `name`, imported on first use ("torch", "torch.nn", "math"). NULL with
 * ModuleNotFoundError (and a hint listing what embedlab provides) when unknown. */
Value *module_import(Interp *I, const char *name);
/* The names of the modules embedlab provides, for the hint: "torch, torch.nn, ...". */
const char *module_available_names(void);

#endif
