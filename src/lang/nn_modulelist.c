/*
 * src/lang/nn_modulelist.c — torch.nn.ModuleList (PyTorch 1.13's container.py): a list
 * of submodules registered as "0", "1", ...; no forward; the default Module repr (the
 * "(0-2): 3 x Linear" compression came in torch 2.0). See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>

#include "lang/interp.h"
#include "lang/nn.h"
#include "lang/nn_module.h"
#include "lang/ops.h"

static Value *module_value(NNModule *m) { return (Value *)m; }

static int64_t modulelist_length(Interp *I, Value *self) {
    (void)I;
    return ((DictValue *)((NNModule *)self)->modules)->count;
}

/* The i-th live entry of the module dict (borrowed), i in [0, count). */
static DictEntry *modulelist_entry(NNModule *m, int64_t index) {
    DictValue *d = (DictValue *)m->modules;
    for (int64_t i = 0, k = 0; i < d->used; i++) {
        if (!d->entries[i].key) continue;
        if (k++ == index) return &d->entries[i];
    }
    return NULL;
}

/* add_module(str(offset + i), module) for each item of an iterable (ModuleList.extend). */
static int modulelist_extend_with(Interp *I, NNModule *m, Value *modules) {
    Value *it = op_iter(I, modules);
    if (!it) {
        if (I->error.code != ERR_TYPE) return -1; /* MemoryError, KeyboardInterrupt: as is */
        interp_clear_error(I);
        interp_error(I, ERR_TYPE, "ModuleList.extend should be called with an iterable, but got %s",
                     val_type_name(modules));
        return -1;
    }
    Value *items = op_to_list(I, modules);
    val_release(it);
    if (!items) return -1;
    ListValue *l = (ListValue *)items;
    int rc = 0;
    for (int64_t i = 0; rc == 0 && i < l->count; i++) {
        Value *child = l->items[i];
        if (!val_is_nn_module(child) && !val_is_none(child)) {
            interp_error(I, ERR_TYPE, "%s is not a Module subclass", val_type_name(child));
            rc = -1;
            break;
        }
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)modulelist_length(I, (Value *)m));
        rc = nn_set_module(I, m, key, child);
    }
    val_release(items);
    return rc;
}

Value *nn_construct_module_list(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"ModuleList", NULL, "(self, modules=None)", NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "ModuleList.__init__", args, argv, &sig)) return NULL;
    NNModule *m = nn_module_new(I, &nn_type_module_list);
    if (m && !val_is_none(argv[0]) && modulelist_extend_with(I, m, argv[0])) {
        val_release(module_value(m));
        m = NULL;
    }
    sig_release_bound(sig, argv);
    return m ? module_value(m) : NULL;
}

static Value *modulelist_getitem(Interp *I, Value *self, Value *key) {
    NNModule *m = (NNModule *)self;
    int64_t n = modulelist_length(I, self), index;
    if (val_is(key, &type_slice)) { /* self.__class__(list(self._modules.values())[idx]) */
        int64_t start, stop, step, count;
        if (op_slice_indices(I, key, n, &start, &stop, &step, &count)) return NULL;
        NNModule *out = nn_module_new(I, &nn_type_module_list);
        for (int64_t j = 0, pos = start; out && j < count; j++, pos += step) {
            char k[32];
            snprintf(k, sizeof k, "%lld", (long long)j);
            if (nn_set_module(I, out, k, modulelist_entry(m, pos)->value)) {
                val_release(module_value(out));
                out = NULL;
            }
        }
        return out ? module_value(out) : NULL;
    }
    if (op_index_value(I, key, &index)) {
        interp_clear_error(I);
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(key));
        return NULL;
    }
    if (index < -n || index >= n) {
        interp_error(I, ERR_INDEX, "index %lld is out of range", (long long)index);
        return NULL;
    }
    if (index < 0) index += n;
    return val_retain(modulelist_entry(m, index)->value);
}

static Value *modulelist_iter(Interp *I, Value *self) {
    NNModule *m = (NNModule *)self;
    int64_t n = modulelist_length(I, self);
    Value *list = val_list_new(I, n > 0 ? n : 1);
    for (int64_t i = 0; list && i < n; i++)
        if (val_list_append(I, list, modulelist_entry(m, i)->value)) {
            val_release(list);
            list = NULL;
        }
    if (!list) return NULL;
    Value *it = op_iter(I, list);
    val_release(list);
    return it;
}

static Value *modulelist_append(Interp *I, Value *self, Value **argv) {
    if (!val_is_nn_module(argv[0]) && !val_is_none(argv[0])) {
        interp_error(I, ERR_TYPE, "%s is not a Module subclass", val_type_name(argv[0]));
        return NULL;
    }
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)modulelist_length(I, self));
    if (nn_set_module(I, (NNModule *)self, key, argv[0])) return NULL;
    return val_retain(self);
}

static Value *modulelist_extend(Interp *I, Value *self, Value **argv) {
    if (modulelist_extend_with(I, (NNModule *)self, argv[0])) return NULL;
    return val_retain(self);
}

static const BuiltinSpec modulelist_methods[] = {
    {"append", modulelist_append, "(module)", "Appends a given module to the end of the list."},
    {"extend", modulelist_extend, "(modules)",
     "Appends modules from a Python iterable to the end of the list."},
    {NULL, NULL, NULL, NULL},
};

const NNType nn_type_module_list = {
    {.name = "ModuleList", .module = "torch.nn.modules.container", NN_MODULE_SLOTS,
     .methods = modulelist_methods, .base = &type_nn_module, .length = modulelist_length,
     .getitem = modulelist_getitem, .iter = modulelist_iter, .init_signature = "(modules=None)",
     .doc = "Holds submodules in a list; indexable like a list, with no forward of its own."},
    NULL, NULL};
