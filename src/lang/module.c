/*
 * src/lang/module.c — module objects and the import registry. See module.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/module.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "lang/eval.h"
#include "lang/interp.h"
#include "lang/ops.h"
#include "lang/parse.h"
#include "lang/pylib.h"

/* ---- the module type ---- */

static void destroy_module(Value *self) {
    ModuleValue *m = (ModuleValue *)self;
    val_release(m->dict);
    mem_free(m->name);
}

static void clear_module(Value *self) {
    ModuleValue *m = (ModuleValue *)self;
    Value *d = m->dict;
    m->dict = NULL;
    val_release(d);
}

static int repr_module(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<module '%s' (built-in)>", ((ModuleValue *)self)->name);
    return 0;
}

static Value *getattr_module(Interp *I, Value *self, const char *name) {
    ModuleValue *m = (ModuleValue *)self;
    if (!m->dict) return NULL;
    if (strcmp(name, "__name__") == 0) return val_str(I, m->name);
    Value *v = val_dict_get_str(I, m->dict, name);
    return v ? val_retain(v) : NULL;
}

static int setattr_module(Interp *I, Value *self, const char *name, Value *value) {
    ModuleValue *m = (ModuleValue *)self;
    return val_dict_set_str(I, m->dict, name, value);
}

static int dir_module(Interp *I, Value *self, Value *names) {
    DictValue *d = (DictValue *)((ModuleValue *)self)->dict;
    for (int64_t i = 0; d && i < d->used; i++)
        if (d->entries[i].key && val_list_append(I, names, d->entries[i].key)) return -1;
    return 0;
}

const ValueType type_module = {.name = "module",
                               .destroy = destroy_module,
                               .clear = clear_module,
                               .repr = repr_module,
                               .getattr = getattr_module,
                               .setattr = setattr_module,
                               .dir = dir_module};

Value *module_new(Interp *I, const char *name) {
    ModuleValue *m = (ModuleValue *)val_alloc(I, &type_module, sizeof *m);
    if (!m) return NULL;
    Error err;
    m->name = mem_strdup(name, &err);
    m->dict = m->name ? val_dict_new(I) : NULL;
    if (!m->dict) {
        if (!m->name) interp_raise(I, &err);
        val_release((Value *)m);
        return NULL;
    }
    return (Value *)m;
}

int module_set(Interp *I, Value *module, const char *name, Value *value) {
    return val_dict_set_str(I, ((ModuleValue *)module)->dict, name, value);
}

int module_add_functions(Interp *I, Value *module, const BuiltinSpec *functions) {
    for (const BuiltinSpec *spec = functions; spec && spec->name; spec++) {
        Value *fn = builtin_new(I, spec, spec->name, NULL);
        if (!fn || module_set(I, module, spec->name, fn)) {
            val_release(fn);
            return -1;
        }
        val_release(fn);
    }
    return 0;
}

/* ---- the registry ---- */

extern const ModuleDef module_def_math, module_def_typing, module_def_torch, module_def_nn,
    module_def_nn_functional, module_def_nn_init, module_def_embedlab, module_def_optim;
extern const ModuleDef module_def_numpy, module_def_numpy_random, module_def_numpy_linalg;

static const ModuleDef *const registry[] = {
    &module_def_torch,
    &module_def_nn,
    &module_def_nn_functional,
    &module_def_nn_init,
    &module_def_optim,
    &module_def_embedlab,
    &module_def_math,
    &module_def_typing,
    &module_def_numpy,
    &module_def_numpy_random,
    &module_def_numpy_linalg,
    NULL,
};

const char *module_available_names(void) {
    return "torch, torch.nn, torch.nn.functional, torch.nn.init, torch.optim, math, typing, "
           "numpy, transformers, embedlab";
}

static const ModuleDef *find_def(const char *name) {
    for (int i = 0; registry[i]; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

/* Removes a module whose initialisation failed from the cache, keeping the error. */
static void forget_module(Interp *I, const char *name) {
    Value *key = val_str(I, name);
    Error saved = I->error;
    if (key) val_dict_del(I, I->modules, key);
    I->error = saved;
    val_release(key);
}

/* Imports a library module written in Python: its source runs in the new module's
 * namespace. */
static Value *import_source(Interp *I, const char *name, const char *source, size_t len) {
    Value *m = module_new(I, name);
    if (!m) return NULL;
    Value *dunder = val_str(I, name);
    int rc = dunder ? module_set(I, m, "__name__", dunder) : -1;
    val_release(dunder);
    if (rc || val_dict_set_str(I, I->modules, name, m)) {
        val_release(m);
        return NULL;
    }
    char chunk[160];
    snprintf(chunk, sizeof chunk, "<embedlab library %s>", name);
    ParseOptions opts = {.tier2 = true};
    Error err;
    Ast *ast = parse_module(source, len, &opts, &err);
    Value *result = NULL;
    if (!ast) rc = interp_raise(I, &err);
    else rc = eval_module_in(I, ast, chunk, source, len, ((ModuleValue *)m)->dict, &result);
    val_release(result);
    if (rc) {
        forget_module(I, name);
        val_release(m);
        return NULL;
    }
    return m;
}

Value *module_import(Interp *I, const char *name) {
    if (!I->modules && !(I->modules = val_dict_new(I))) return NULL;
    Value *cached = val_dict_get_str(I, I->modules, name);
    if (cached) return val_retain(cached);
    if (interp_has_error(I)) return NULL;
    const ModuleDef *def = find_def(name);
    size_t source_len;
    const char *source = def ? NULL : pylib_source(name, &source_len);
    if (source) return import_source(I, name, source, source_len);
    if (!def) {
        /* A submodule of a known package may be an attribute set by the parent's init. */
        const char *dot = strrchr(name, '.');
        if (dot) {
            char parent[128];
            size_t n = (size_t)(dot - name);
            if (n < sizeof parent) {
                memcpy(parent, name, n);
                parent[n] = '\0';
                if (find_def(parent)) {
                    Value *p = module_import(I, parent);
                    if (!p) return NULL;
                    Value *sub = op_getattr_opt(I, p, dot + 1);
                    val_release(p);
                    if (sub && val_is(sub, &type_module)) return sub;
                    val_release(sub);
                    if (interp_has_error(I)) return NULL;
                }
            }
        }
        /* Python names the first package that is missing: "No module named 'sklearn'"
         * for `from sklearn.decomposition import PCA`. */
        char first[128];
        const char *first_dot = strchr(name, '.');
        size_t n = first_dot ? (size_t)(first_dot - name) : strlen(name);
        if (n >= sizeof first) n = sizeof first - 1;
        memcpy(first, name, n);
        first[n] = '\0';
        interp_error(I, ERR_MODULE_NOT_FOUND, "No module named '%s'",
                     find_def(first) ? name : first);
        interp_hint(I, "embedlab provides: %s", module_available_names());
        return NULL;
    }
    Value *m = module_new(I, name);
    if (!m) return NULL;
    /* Cache before init so that submodules importing their parent terminate. */
    if (val_dict_set_str(I, I->modules, name, m) || module_add_functions(I, m, def->functions) ||
        (def->init && def->init(I, m))) {
        forget_module(I, name);
        val_release(m);
        return NULL;
    }
    return m;
}
