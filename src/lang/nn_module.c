/*
 * src/lang/nn_module.c — torch.nn.Module machinery shared by every module class. See
 * nn_module.h. See LICENSE (GPL-3.0-or-later).
 */
#include "lang/nn_module.h"

#include <string.h>

#include "core/mem.h"
#include "core/sparse.h"
#include "core/tensor.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/methods.h"
#include "lang/nn.h"
#include "lang/ops.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"

/* ---- OrderedDict (state_dict's type) ---- */

static int repr_ordered_dict(Interp *I, Value *self, StrBuf *out) {
    DictValue *d = (DictValue *)self;
    if (d->count == 0) {
        sb_append(out, "OrderedDict()");
        return 0;
    }
    sb_append(out, "OrderedDict([");
    bool first = true;
    for (int64_t i = 0; i < d->used; i++) {
        if (!d->entries[i].key) continue;
        if (!first) sb_append(out, ", ");
        first = false;
        sb_appendc(out, '(');
        if (val_repr(I, d->entries[i].key, out)) return -1;
        sb_append(out, ", ");
        if (val_repr(I, d->entries[i].value, out)) return -1;
        sb_appendc(out, ')');
    }
    sb_append(out, "])");
    return 0;
}

/* The dict behaviour, forwarded (slots are not inherited). */
static void destroy_ordered_dict(Value *self) { type_dict.destroy(self); }
static void clear_ordered_dict(Value *self) { type_dict.clear(self); }
static int truth_ordered_dict(Interp *I, Value *self) { return type_dict.truth(I, self); }
static int64_t length_ordered_dict(Interp *I, Value *self) { return type_dict.length(I, self); }

const ValueType type_ordered_dict = {.name = "OrderedDict",
                                     .module = "collections",
                                     .destroy = destroy_ordered_dict,
                                     .clear = clear_ordered_dict,
                                     .repr = repr_ordered_dict,
                                     .truth = truth_ordered_dict,
                                     .length = length_ordered_dict,
                                     .methods = methods_dict,
                                     .base = &type_dict};

static Value *ordered_dict_new(Interp *I) {
    /* Same layout as a dict; only the type (repr) differs. */
    Value *d = val_dict_new(I);
    if (d) d->type = &type_ordered_dict;
    return d;
}

/* ---- module values ---- */

bool val_is_nn_module(const Value *v) { return v && val_is_instance(v, &type_nn_module); }

const NNType *nn_type_of(const Value *v) { return (const NNType *)v->type; }

void nn_module_destroy(Value *self) {
    NNModule *m = (NNModule *)self;
    val_release(m->parameters);
    val_release(m->buffers);
    val_release(m->modules);
    val_release(m->attrs);
    val_release(m->non_persistent);
}

void nn_module_clear(Value *self) {
    NNModule *m = (NNModule *)self;
    Value *held[5] = {m->parameters, m->buffers, m->modules, m->attrs, m->non_persistent};
    m->parameters = m->buffers = m->modules = m->attrs = m->non_persistent = NULL;
    for (int i = 0; i < 5; i++) val_release(held[i]);
}

NNModule *nn_module_new(Interp *I, const NNType *type) {
    NNModule *m = (NNModule *)val_alloc(I, &type->type, sizeof *m);
    if (!m) return NULL;
    m->parameters = val_dict_new(I);
    m->buffers = val_dict_new(I);
    m->modules = val_dict_new(I);
    m->attrs = val_dict_new(I);
    if (!m->parameters || !m->buffers || !m->modules || !m->attrs) {
        val_release((Value *)m);
        return NULL;
    }
    m->training = true;
    m->initialized = true;
    return m;
}

Value *nn_get_parameter(NNModule *m, const char *name) {
    return m->parameters ? val_dict_get_str(NULL, m->parameters, name) : NULL;
}

Value *nn_get_attr(Interp *I, NNModule *m, const char *name) {
    return m->attrs ? val_dict_get_str(I, m->attrs, name) : NULL;
}

/* Removes `name` from every state dict but `keep`. */
static int forget(Interp *I, NNModule *m, const char *name, Value *keep) {
    Value *dicts[4] = {m->parameters, m->buffers, m->modules, m->attrs};
    Value *key = val_str(I, name);
    if (!key) return -1;
    for (int i = 0; i < 4; i++) {
        if (dicts[i] == keep) continue;
        if (val_dict_del(I, dicts[i], key) < 0) {
            val_release(key);
            return -1;
        }
    }
    /* a name that stops being a buffer leaves _non_persistent_buffers_set */
    if (keep != m->buffers && m->non_persistent && val_dict_del(I, m->non_persistent, key) < 0) {
        val_release(key);
        return -1;
    }
    val_release(key);
    return 0;
}

/* A buffer registered with persistent=False (left out of state_dict). */
static bool is_non_persistent(NNModule *m, Value *name) {
    return m->non_persistent && val_dict_get(NULL, m->non_persistent, name) != NULL;
}

int nn_set_parameter(Interp *I, NNModule *m, const char *name, Value *value) {
    if (forget(I, m, name, m->parameters)) return -1;
    return val_dict_set_str(I, m->parameters, name, value);
}

Value *nn_get_buffer(NNModule *m, const char *name) {
    return m->buffers ? val_dict_get_str(NULL, m->buffers, name) : NULL;
}

int nn_set_buffer(Interp *I, NNModule *m, const char *name, Value *value) {
    if (forget(I, m, name, m->buffers)) return -1;
    return val_dict_set_str(I, m->buffers, name, value);
}

int nn_set_module(Interp *I, NNModule *m, const char *name, Value *value) {
    if (forget(I, m, name, m->modules)) return -1;
    return val_dict_set_str(I, m->modules, name, value);
}

int nn_set_attr(Interp *I, NNModule *m, const char *name, Value *value) {
    return val_dict_set_str(I, m->attrs, name, value);
}

Value *nn_module_state_attr(Interp *I, Value *self, const char *name) {
    NNModule *m = (NNModule *)self;
    if (!m->attrs) return NULL;
    Value *v = val_dict_get_str(I, m->attrs, name);
    if (!v) v = val_dict_get_str(I, m->parameters, name);
    if (!v) v = val_dict_get_str(I, m->buffers, name);
    if (!v) v = val_dict_get_str(I, m->modules, name);
    if (v) return val_retain(v);
    if (strcmp(name, "training") == 0) return val_bool(I, m->training);
    return NULL;
}

Value *nn_module_getattr(Interp *I, Value *self, const char *name) {
    Value *v = nn_module_state_attr(I, self, name);
    if (v || interp_has_error(I)) return v;
    const BuiltinSpec *spec = builtin_find(nn_module_methods, name);
    if (spec) return builtin_new(I, spec, name, self);
    return NULL;
}

static const char *legacy_type_name(Value *v) {
    return val_is_tensor(v) ? dtype_legacy_name(tensor_of(v)->dtype) : val_type_name(v);
}

/* torch's Module.__delattr__: a parameter, buffer or submodule, else a plain attribute. */
int nn_module_delattr(Interp *I, Value *self, const char *name) {
    NNModule *m = (NNModule *)self;
    Value *dicts[4] = {m->parameters, m->buffers, m->modules, m->attrs};
    Value *key = val_str(I, name);
    if (!key) return -1;
    int rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++)
        if (dicts[i]) rc = val_dict_del(I, dicts[i], key);
    if (rc > 0 && m->non_persistent && val_dict_del(I, m->non_persistent, key) < 0) rc = -1;
    val_release(key);
    if (rc < 0) return -1;
    if (rc == 0)
        return interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute '%s'",
                            self->type->name, name);
    return 0;
}

/* torch's Module.__setattr__ rules. */
int nn_module_setattr(Interp *I, Value *self, const char *name, Value *value) {
    NNModule *m = (NNModule *)self;
    if (!m->initialized) {
        if (val_is(value, &type_parameter))
            return interp_error(I, ERR_ATTRIBUTE,
                                "cannot assign parameters before Module.__init__() call");
        if (val_is_nn_module(value))
            return interp_error(I, ERR_ATTRIBUTE,
                                "cannot assign module before Module.__init__() call");
        return nn_set_attr(I, m, name, value);
    }
    if (strcmp(name, "training") == 0) {
        int t = val_truth(I, value);
        if (t < 0) return -1;
        m->training = t;
        return nn_set_attr(I, m, name, value);
    }
    if (val_is(value, &type_parameter)) return nn_set_parameter(I, m, name, value);
    if (val_dict_get_str(I, m->parameters, name)) {
        if (!val_is_none(value))
            return interp_error(I, ERR_TYPE, "cannot assign '%s' as parameter '%s' "
                                             "(torch.nn.Parameter or None expected)",
                                legacy_type_name(value), name);
        return val_dict_set_str(I, m->parameters, name, value);
    }
    if (val_is_nn_module(value)) return nn_set_module(I, m, name, value);
    if (val_dict_get_str(I, m->modules, name)) {
        if (!val_is_none(value))
            return interp_error(I, ERR_TYPE, "cannot assign '%s' as child module '%s' "
                                             "(torch.nn.Module or None expected)",
                                legacy_type_name(value), name);
        return val_dict_set_str(I, m->modules, name, value);
    }
    if (val_dict_get_str(I, m->buffers, name)) {
        if (!val_is_none(value) && !val_is_tensor(value))
            return interp_error(I, ERR_TYPE, "cannot assign '%s' as buffer '%s' "
                                             "(torch.Tensor or None expected)",
                                legacy_type_name(value), name);
        return val_dict_set_str(I, m->buffers, name, value);
    }
    return nn_set_attr(I, m, name, value);
}

int nn_module_dir(Interp *I, Value *self, Value *names) {
    NNModule *m = (NNModule *)self;
    Value *dicts[4] = {m->attrs, m->parameters, m->buffers, m->modules};
    for (int k = 0; k < 4; k++) {
        DictValue *d = (DictValue *)dicts[k];
        for (int64_t i = 0; d && i < d->used; i++)
            if (d->entries[i].key && val_list_append(I, names, d->entries[i].key)) return -1;
    }
    for (const BuiltinSpec *spec = nn_module_methods; spec->name; spec++) {
        Value *s = val_str(I, spec->name);
        if (!s || val_list_append_take(I, names, s)) return -1;
    }
    return 0;
}

/* torch's _addindent: every line but the first gets `spaces` more indentation. */
static void add_indent(const char *text, int spaces, StrBuf *out) {
    for (const char *p = text; *p; p++) {
        sb_appendc(out, *p);
        if (*p == '\n') sb_repeat(out, ' ', (size_t)spaces);
    }
}

int nn_module_repr(Interp *I, Value *self, StrBuf *out) {
    NNModule *m = (NNModule *)self;
    const NNType *type = nn_type_of(self);
    StrBuf extra = SB_INIT;
    if (type->extra_repr && type->extra_repr(I, m, &extra)) {
        sb_free(&extra);
        return -1;
    }
    DictValue *children = (DictValue *)m->modules;
    bool has_children = children && children->count > 0;
    sb_appendf(out, "%s(", type->type.name);
    if (extra.len && !has_children && !strchr(sb_str(&extra), '\n')) {
        sb_append(out, sb_str(&extra));
    } else if (extra.len || has_children) {
        sb_append(out, "\n  ");
        bool first = true;
        if (extra.len) {
            add_indent(sb_str(&extra), 2, out);
            first = false;
        }
        for (int64_t i = 0; children && i < children->used; i++) {
            if (!children->entries[i].key) continue;
            if (!first) sb_append(out, "\n  ");
            first = false;
            StrBuf child = SB_INIT;
            if (val_repr(I, children->entries[i].value, &child)) {
                sb_free(&child);
                sb_free(&extra);
                return -1;
            }
            sb_appendf(out, "(%s): ", val_str_data(children->entries[i].key));
            add_indent(sb_str(&child), 2, out);
            sb_free(&child);
        }
        sb_appendc(out, '\n');
    }
    sb_appendc(out, ')');
    sb_free(&extra);
    return 0;
}

Value *nn_module_call(Interp *I, Value *self, CallArgs *args) {
    const NNType *type = nn_type_of(self);
    if (!((NNModule *)self)->initialized) { /* torch's _call_impl reads a hook dict first */
        interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute '_backward_hooks'",
                     type->type.name);
        return NULL;
    }
    if (!type->forward) {
        interp_error(I, ERR_NOT_IMPLEMENTED,
                     "Module [%s] is missing the required \"forward\" function",
                     type->type.name);
        return NULL;
    }
    return type->forward(I, (NNModule *)self, args);
}

const NNType nn_type_module = {{.name = "Module",
                                .module = "torch.nn.modules.module",
                                NN_MODULE_SLOTS,
                                .init_signature = "()",
                                .doc = "Base class for all neural network modules."},
                               NULL, NULL};

/* ---- traversal ---- */

typedef int (*ModuleVisit)(Interp *I, const char *prefix, NNModule *m, void *ctx);

/* "prefix.key" (just "key" at the root) into name; -1 with a MemoryError when it ran out
 * of memory, since a truncated name would be another key. */
static int qualified_name(Interp *I, const char *prefix, Value *key, StrBuf *name) {
    if (*prefix) sb_appendf(name, "%s.", prefix);
    sb_append(name, val_str_data(key));
    return sb_check(name, &I->error) ? -1 : 0;
}

/* Visits m and its descendants depth-first (torch's named_modules order), each module
 * once (shared submodules are not revisited). `prefix` is the dotted path. */
static int walk(Interp *I, NNModule *m, const char *prefix, Value *seen, ModuleVisit visit,
                void *ctx) {
    Value *id = val_int(I, (int64_t)(uintptr_t)m);
    if (!id) return -1;
    bool visited = val_dict_get(I, seen, id) != NULL;
    int rc = visited ? 0 : val_dict_set(I, seen, id, I->true_value);
    val_release(id);
    if (rc || visited) return rc;
    if (visit(I, prefix, m, ctx)) return -1;
    DictValue *children = (DictValue *)m->modules;
    for (int64_t i = 0; i < children->used; i++) {
        Value *child = children->entries[i].value;
        if (!children->entries[i].key || !val_is_nn_module(child)) continue;
        StrBuf path = SB_INIT;
        rc = qualified_name(I, prefix, children->entries[i].key, &path);
        if (rc == 0) rc = walk(I, (NNModule *)child, sb_str(&path), seen, visit, ctx);
        sb_free(&path);
        if (rc) return -1;
    }
    return 0;
}

typedef struct Collect {
    Value *out;      /* list being built */
    Value *seen;     /* dict of ids already yielded (parameters are yielded once) */
    bool named;
    bool recurse;
    int kind;        /* 0 parameters, 1 modules, 2 buffers */
} Collect;

static int append_pair(Interp *I, Value *list, const char *name, Value *v) {
    Value *pair = val_tuple_new(I, 2);
    Value *s = pair ? val_str(I, name) : NULL;
    if (!s) {
        val_release(pair);
        return -1;
    }
    ((ListValue *)pair)->items[0] = s;
    ((ListValue *)pair)->items[1] = val_retain(v);
    return val_list_append_take(I, list, pair);
}

static int collect_visit(Interp *I, const char *prefix, NNModule *m, void *ctx) {
    Collect *c = ctx;
    if (c->kind == 1) {
        if (c->named) return append_pair(I, c->out, prefix, (Value *)m);
        return val_list_append(I, c->out, (Value *)m);
    }
    DictValue *d = (DictValue *)(c->kind == 0 ? m->parameters : m->buffers);
    for (int64_t i = 0; i < d->used; i++) {
        Value *p = d->entries[i].value;
        if (!d->entries[i].key || val_is_none(p)) continue;
        Value *id = val_int(I, (int64_t)(uintptr_t)tensor_of(p));
        if (!id) return -1;
        bool dup = val_dict_get(I, c->seen, id) != NULL;
        int rc = dup ? 0 : val_dict_set(I, c->seen, id, I->true_value);
        val_release(id);
        if (rc) return -1;
        if (dup) continue;
        if (c->named) {
            StrBuf name = SB_INIT;
            rc = qualified_name(I, prefix, d->entries[i].key, &name);
            if (rc == 0) rc = append_pair(I, c->out, sb_str(&name), p);
            sb_free(&name);
        } else {
            rc = val_list_append(I, c->out, p);
        }
        if (rc) return -1;
    }
    return 0;
}

static Value *collect(Interp *I, NNModule *m, int kind, bool named, bool recurse) {
    Collect c = {val_list_new(I, 8), val_dict_new(I), named, recurse, kind};
    Value *seen_modules = val_dict_new(I);
    int rc = c.out && c.seen && seen_modules ? 0 : -1;
    if (rc == 0) {
        if (recurse) rc = walk(I, m, "", seen_modules, collect_visit, &c);
        else rc = collect_visit(I, "", m, &c);
    }
    val_release(c.seen);
    val_release(seen_modules);
    if (rc) {
        val_release(c.out);
        return NULL;
    }
    /* torch returns generators; an iterator over the collected list behaves the same. */
    Value *it = op_iter(I, c.out);
    val_release(c.out);
    return it;
}

/* ---- methods ---- */

#define MOD ((NNModule *)self)

static Value *m_parameters(Interp *I, Value *self, Value **argv) {
    int recurse = val_truth(I, argv[0]);
    return recurse < 0 ? NULL : collect(I, MOD, 0, false, recurse);
}

static Value *m_named_parameters(Interp *I, Value *self, Value **argv) {
    if (!val_is_str(argv[0]) || val_str_len(argv[0]) != 0) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "named_parameters(prefix=...) is not supported by "
                                             "embedlab");
        return NULL;
    }
    int recurse = val_truth(I, argv[1]);
    return recurse < 0 ? NULL : collect(I, MOD, 0, true, recurse);
}

static Value *m_buffers(Interp *I, Value *self, Value **argv) {
    int recurse = val_truth(I, argv[0]);
    return recurse < 0 ? NULL : collect(I, MOD, 2, false, recurse);
}

static Value *m_named_buffers(Interp *I, Value *self, Value **argv) {
    if (!val_is_str(argv[0]) || val_str_len(argv[0]) != 0) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "named_buffers(prefix=...) is not supported by "
                                             "embedlab");
        return NULL;
    }
    int recurse = val_truth(I, argv[1]);
    return recurse < 0 ? NULL : collect(I, MOD, 2, true, recurse);
}

/* torch's Module.register_buffer checks, in its order. */
static Value *m_register_buffer(Interp *I, Value *self, Value **argv) {
    Value *name = argv[0], *tensor = argv[1];
    if (!val_is_str(name)) {
        interp_error(I, ERR_TYPE, "buffer name should be a string. Got %s", val_type_name(name));
        return NULL;
    }
    const char *n = val_str_data(name);
    if (!MOD->initialized) {
        interp_error(I, ERR_ATTRIBUTE, "cannot assign buffer before Module.__init__() call");
        return NULL;
    }
    if (strchr(n, '.')) {
        interp_error(I, ERR_KEY, "'buffer name can\'t contain \".\"'");
        return NULL;
    }
    if (!*n) {
        interp_error(I, ERR_KEY, "'buffer name can\'t be empty string \"\"'");
        return NULL;
    }
    if (!nn_get_buffer(MOD, n) && (nn_get_attr(I, MOD, n) || nn_get_parameter(MOD, n) ||
                                   val_dict_get_str(I, MOD->modules, n))) {
        interp_error(I, ERR_KEY, "\"attribute '%s' already exists\"", n);
        return NULL;
    }
    if (!val_is_none(tensor) && !val_is_tensor(tensor)) {
        interp_error(I, ERR_TYPE, "cannot assign '%s' object to buffer '%s' (torch Tensor or "
                                  "None required)",
                     legacy_type_name(tensor), n);
        return NULL;
    }
    int persistent = val_truth(I, argv[2]);
    if (persistent < 0 || nn_set_buffer(I, MOD, n, tensor)) return NULL;
    if (!persistent && !MOD->non_persistent && !(MOD->non_persistent = val_dict_new(I)))
        return NULL;
    if (MOD->non_persistent) {
        int rc = persistent ? (val_dict_del(I, MOD->non_persistent, name) < 0 ? -1 : 0)
                            : val_dict_set(I, MOD->non_persistent, name, I->true_value);
        if (rc) return NULL;
    }
    return val_none(I);
}

static Value *m_modules(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return collect(I, MOD, 1, false, true);
}

static Value *m_named_modules(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return collect(I, MOD, 1, true, true);
}

static Value *children_of(Interp *I, NNModule *m, bool named) {
    Value *list = val_list_new(I, 4);
    DictValue *d = (DictValue *)m->modules;
    for (int64_t i = 0; list && i < d->used; i++) {
        if (!d->entries[i].key || !val_is_nn_module(d->entries[i].value)) continue;
        int rc = named ? append_pair(I, list, val_str_data(d->entries[i].key), d->entries[i].value)
                       : val_list_append(I, list, d->entries[i].value);
        if (rc) {
            val_release(list);
            return NULL;
        }
    }
    if (!list) return NULL;
    Value *it = op_iter(I, list);
    val_release(list);
    return it;
}

static Value *m_children(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return children_of(I, MOD, false);
}

static Value *m_named_children(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return children_of(I, MOD, true);
}

static int state_visit(Interp *I, const char *prefix, NNModule *m, void *ctx) {
    Value *out = ctx;
    Value *dicts[2] = {m->parameters, m->buffers};
    for (int k = 0; k < 2; k++) {
        DictValue *d = (DictValue *)dicts[k];
        for (int64_t i = 0; i < d->used; i++) {
            Value *v = d->entries[i].value;
            if (!d->entries[i].key || val_is_none(v)) continue;
            if (k == 1 && is_non_persistent(m, d->entries[i].key)) continue;
            StrBuf name = SB_INIT;
            if (qualified_name(I, prefix, d->entries[i].key, &name)) {
                sb_free(&name);
                return -1;
            }
            Error err;
            Value *detached = tensor_value_take(I, tensor_alias(tensor_of(v), &err), &err);
            int rc = detached ? val_dict_set_str(I, out, sb_str(&name), detached) : -1;
            val_release(detached);
            sb_free(&name);
            if (rc) return -1;
        }
    }
    return 0;
}

/* Like walk, but submodules shared between parents appear under every path (torch's
 * state_dict keeps both keys of tied weights). */
static int walk_all(Interp *I, NNModule *m, const char *prefix, ModuleVisit visit, void *ctx,
                    int depth) {
    if (depth > 100) return interp_error(I, ERR_RECURSION, "module nesting is too deep");
    if (visit(I, prefix, m, ctx)) return -1;
    DictValue *children = (DictValue *)m->modules;
    for (int64_t i = 0; i < children->used; i++) {
        Value *child = children->entries[i].value;
        if (!children->entries[i].key || !val_is_nn_module(child)) continue;
        StrBuf path = SB_INIT;
        if (qualified_name(I, prefix, children->entries[i].key, &path)) {
            sb_free(&path);
            return -1;
        }
        int rc = walk_all(I, (NNModule *)child, sb_str(&path), visit, ctx, depth + 1);
        sb_free(&path);
        if (rc) return -1;
    }
    return 0;
}

static Value *m_state_dict(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Value *out = ordered_dict_new(I);
    if (!out || walk_all(I, MOD, "", state_visit, out, 0)) {
        val_release(out);
        return NULL;
    }
    return out;
}

/* load_state_dict: copies matching tensors into the module's parameters and buffers. */
typedef struct LoadCtx {
    Value *state;       /* the dict given */
    Value *used;        /* keys consumed */
    StrBuf missing, mismatch;
    int nmissing;
    bool strict;
} LoadCtx;

static int load_visit(Interp *I, const char *prefix, NNModule *m, void *ctx) {
    LoadCtx *c = ctx;
    Value *dicts[2] = {m->parameters, m->buffers};
    for (int k = 0; k < 2; k++) {
        DictValue *d = (DictValue *)dicts[k];
        for (int64_t i = 0; i < d->used; i++) {
            Value *target = d->entries[i].value;
            if (!d->entries[i].key || val_is_none(target)) continue;
            if (k == 1 && is_non_persistent(m, d->entries[i].key)) continue;
            StrBuf name = SB_INIT;
            if (qualified_name(I, prefix, d->entries[i].key, &name)) {
                sb_free(&name);
                return -1;
            }
            Value *src = val_dict_get_str(I, c->state, sb_str(&name));
            if (!src) {
                sb_appendf(&c->missing, "%s\"%s\"", c->nmissing ? ", " : "", sb_str(&name));
                c->nmissing++;
            } else {
                if (val_dict_set_str(I, c->used, sb_str(&name), I->true_value)) {
                    sb_free(&name);
                    return -1;
                }
                Tensor *dst = tensor_of(target);
                if (!val_is_tensor(src)) {
                    sb_appendf(&c->mismatch,
                               "\n\tWhile copying the parameter named \"%s\", expected "
                               "torch.Tensor or Tensor-like object from checkpoint but "
                               "received %s",
                               sb_str(&name), val_type_name(src));
                } else if (!tensor_same_shape(dst, tensor_of(src))) {
                    StrBuf a = SB_INIT, b = SB_INIT;
                    Tensor *st = tensor_of(src);
                    Value *sa = val_torch_size_new(I, st->ndim, st->shape);
                    Value *sb2 = val_torch_size_new(I, dst->ndim, dst->shape);
                    if (sa && sb2) {
                        val_repr(I, sa, &a);
                        val_repr(I, sb2, &b);
                    }
                    val_release(sa);
                    val_release(sb2);
                    sb_appendf(&c->mismatch,
                               "\n\tsize mismatch for %s: copying a param with shape %s from "
                               "checkpoint, the shape in current model is %s.",
                               sb_str(&name), sb_str(&a), sb_str(&b));
                    sb_free(&a);
                    sb_free(&b);
                } else {
                    Error err;
                    if (tensor_copy_(dst, tensor_of(src), &err)) {
                        sb_free(&name);
                        return interp_raise(I, &err);
                    }
                }
            }
            sb_free(&name);
        }
    }
    return 0;
}

typedef struct IncompatibleKeys {
    Value base;
    Value *missing, *unexpected; /* lists of str */
} IncompatibleKeys;

static void destroy_keys(Value *self) {
    IncompatibleKeys *k = (IncompatibleKeys *)self;
    val_release(k->missing);
    val_release(k->unexpected);
}

static int repr_keys(Interp *I, Value *self, StrBuf *out) {
    IncompatibleKeys *k = (IncompatibleKeys *)self;
    if (((ListValue *)k->missing)->count == 0 && ((ListValue *)k->unexpected)->count == 0) {
        sb_append(out, "<All keys matched successfully>");
        return 0;
    }
    sb_append(out, "_IncompatibleKeys(missing_keys=");
    if (val_repr(I, k->missing, out)) return -1;
    sb_append(out, ", unexpected_keys=");
    if (val_repr(I, k->unexpected, out)) return -1;
    sb_appendc(out, ')');
    return 0;
}

static Value *getattr_keys(Interp *I, Value *self, const char *name) {
    (void)I;
    IncompatibleKeys *k = (IncompatibleKeys *)self;
    if (strcmp(name, "missing_keys") == 0) return val_retain(k->missing);
    if (strcmp(name, "unexpected_keys") == 0) return val_retain(k->unexpected);
    return NULL;
}

static const ValueType type_incompatible_keys = {.name = "_IncompatibleKeys",
                                                 .destroy = destroy_keys,
                                                 .clear = destroy_keys,
                                                 .repr = repr_keys,
                                                 .getattr = getattr_keys};

static Value *m_load_state_dict(Interp *I, Value *self, Value **argv) {
    Value *state = argv[0];
    if (!val_is_instance(state, &type_dict)) {
        const ValueType *t = state->type; /* type(state_dict) */
        interp_error(I, ERR_TYPE, "Expected state_dict to be dict-like, got <class '%s%s%s'>.",
                     t->module ? t->module : "", t->module ? "." : "", t->name);
        return NULL;
    }
    int strict = val_truth(I, argv[1]);
    if (strict < 0) return NULL;
    LoadCtx c = {state, val_dict_new(I), SB_INIT, SB_INIT, 0, strict};
    if (!c.used) return NULL;
    bool grad = torch_grad_enabled(I);
    torch_set_grad_enabled(I, false);
    int rc = walk_all(I, MOD, "", load_visit, &c, 0);
    torch_set_grad_enabled(I, grad);
    Value *missing = val_list_new(I, 4), *unexpected = val_list_new(I, 4);
    DictValue *d = (DictValue *)state;
    StrBuf unexpected_text = SB_INIT;
    int nunexpected = 0;
    if (!missing || !unexpected) rc = -1; /* out of memory (the error is set) */
    if (rc == 0 && (sb_check(&c.missing, &I->error) || sb_check(&c.mismatch, &I->error)))
        rc = -1;
    for (int64_t i = 0; rc == 0 && d && i < d->used; i++) {
        Value *key = d->entries[i].key;
        if (!key) continue;
        if (val_dict_get(I, c.used, key)) continue;
        if (interp_has_error(I)) { /* the lookup failed: not an unexpected key */
            rc = -1;
            break;
        }
        if (val_list_append(I, unexpected, key)) rc = -1;
        if (val_is_str(key))
            sb_appendf(&unexpected_text, "%s\"%s\"", nunexpected ? ", " : "", val_str_data(key));
        nunexpected++;
    }
    if (rc == 0 && sb_check(&unexpected_text, &I->error)) rc = -1;
    /* The missing list (from the text we built, in order). */
    if (rc == 0 && c.nmissing) {
        const char *p = sb_str(&c.missing);
        while ((p = strchr(p, '"'))) {
            const char *end = strchr(p + 1, '"');
            Value *k = val_strn(I, p + 1, (size_t)(end - p - 1));
            if (!k || val_list_append_take(I, missing, k)) rc = -1;
            p = end + 1;
        }
    }
    Value *result = NULL;
    bool errors = c.mismatch.len || (strict && (c.nmissing || nunexpected));
    if (rc == 0 && errors) {
        StrBuf msg = SB_INIT;
        sb_appendf(&msg, "Error(s) in loading state_dict for %s:", nn_type_of(self)->type.name);
        /* torch inserts each at the front: missing keys, then unexpected, then sizes. */
        if (strict && c.nmissing)
            sb_appendf(&msg, "\n\tMissing key(s) in state_dict: %s. ", sb_str(&c.missing));
        if (strict && nunexpected)
            sb_appendf(&msg, "\n\tUnexpected key(s) in state_dict: %s. ", sb_str(&unexpected_text));
        sb_append(&msg, sb_str(&c.mismatch));
        if (!sb_check(&msg, &I->error)) interp_error(I, ERR_RUNTIME, "%s", sb_str(&msg));
        sb_free(&msg);
    } else if (rc == 0 && missing && unexpected) {
        IncompatibleKeys *k =
            (IncompatibleKeys *)val_alloc(I, &type_incompatible_keys, sizeof *k);
        if (k) {
            k->missing = val_retain(missing);
            k->unexpected = val_retain(unexpected);
        }
        result = (Value *)k;
    }
    val_release(missing);
    val_release(unexpected);
    val_release(c.used);
    sb_free(&c.missing);
    sb_free(&c.mismatch);
    sb_free(&unexpected_text);
    return result;
}

static int train_visit(Interp *I, const char *prefix, NNModule *m, void *ctx) {
    (void)I, (void)prefix;
    m->training = *(bool *)ctx;
    return 0;
}

static Value *set_training(Interp *I, Value *self, bool mode) {
    Value *seen = val_dict_new(I);
    int rc = seen ? walk(I, MOD, "", seen, train_visit, &mode) : -1;
    val_release(seen);
    return rc ? NULL : val_retain(self);
}

static Value *m_train(Interp *I, Value *self, Value **argv) {
    if (!val_is(argv[0], &type_bool)) {
        interp_error(I, ERR_VALUE, "training mode is expected to be boolean");
        return NULL;
    }
    return set_training(I, self, val_as_int(argv[0]) != 0);
}

static Value *m_eval(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return set_training(I, self, false);
}

static int grad_visit(Interp *I, const char *prefix, NNModule *m, void *ctx) {
    (void)prefix;
    Value *flag = ctx;
    DictValue *d = (DictValue *)m->parameters;
    for (int64_t i = 0; i < d->used; i++) {
        Value *p = d->entries[i].value;
        if (!d->entries[i].key || val_is_none(p)) continue;
        if (tensor_setattr(I, p, "requires_grad", flag)) return -1;
    }
    return 0;
}

static Value *m_requires_grad_(Interp *I, Value *self, Value **argv) {
    Value *seen = val_dict_new(I);
    int rc = seen ? walk(I, MOD, "", seen, grad_visit, argv[0]) : -1;
    val_release(seen);
    return rc ? NULL : val_retain(self);
}

static int zero_grad_visit(Interp *I, const char *prefix, NNModule *m, void *ctx) {
    (void)prefix;
    bool to_none = *(bool *)ctx;
    DictValue *d = (DictValue *)m->parameters;
    for (int64_t i = 0; i < d->used; i++) {
        Value *p = d->entries[i].value;
        if (!d->entries[i].key || val_is_none(p)) continue;
        Tensor *t = tensor_of(p);
        if (!t->grad) continue;
        if (to_none) {
            tensor_release(t->grad);
            t->grad = NULL;
        } else {
            Error err;
            if ((sparse_is(t->grad) ? sparse_zero_(t->grad, &err) : tensor_fill_(t->grad, 0.0, &err)))
                return interp_raise(I, &err);
        }
    }
    return 0;
}

static Value *m_zero_grad(Interp *I, Value *self, Value **argv) {
    int to_none = val_truth(I, argv[0]);
    if (to_none < 0) return NULL;
    bool flag = to_none;
    Value *seen = val_dict_new(I);
    int rc = seen ? walk(I, MOD, "", seen, zero_grad_visit, &flag) : -1;
    val_release(seen);
    return rc ? NULL : val_none(I);
}

static Value *m_self(Interp *I, Value *self, Value **argv) {
    (void)I, (void)argv;
    return val_retain(self);
}

static Value *m_forward(Interp *I, Value *self, Value **argv) {
    ListValue *args = (ListValue *)argv[0];
    DictValue *kw = (DictValue *)argv[1];
    const char *names[SIG_MAX_PARAMS];
    Value *values[SIG_MAX_PARAMS];
    int64_t nkw = 0;
    for (int64_t i = 0; i < kw->used && nkw < SIG_MAX_PARAMS; i++) {
        if (!kw->entries[i].key) continue;
        names[nkw] = val_str_data(kw->entries[i].key);
        values[nkw++] = kw->entries[i].value;
    }
    CallArgs call = {args->items, args->count, names, values, nkw};
    return nn_module_call(I, self, &call);
}

const BuiltinSpec nn_module_methods[] = {
    {"forward", m_forward, "(*args, **kwargs)", "Defines the computation performed at every call."},
    {"parameters", m_parameters, "(recurse=True)", "Returns an iterator over module parameters."},
    {"named_parameters", m_named_parameters, "(prefix='', recurse=True)",
     "Returns an iterator over module parameters, yielding (name, parameter) pairs."},
    {"buffers", m_buffers, "(recurse=True)", "Returns an iterator over module buffers."},
    {"named_buffers", m_named_buffers, "(prefix='', recurse=True)",
     "Returns an iterator over module buffers, yielding (name, buffer) pairs."},
    {"register_buffer", m_register_buffer, "(name, tensor, persistent=True)",
     "Adds a buffer to the module (state that is not a parameter, like running averages)."},
    {"children", m_children, "()", "Returns an iterator over immediate children modules."},
    {"named_children", m_named_children, "()",
     "Returns an iterator over immediate children modules, yielding (name, module) pairs."},
    {"modules", m_modules, "()", "Returns an iterator over all modules in the network."},
    {"named_modules", m_named_modules, "()",
     "Returns an iterator over all modules, yielding (name, module) pairs."},
    {"state_dict", m_state_dict, "()",
     "Returns a dictionary containing references to the whole state of the module."},
    {"load_state_dict", m_load_state_dict, "(state_dict, strict=True)",
     "Copies parameters and buffers from state_dict into this module and its descendants."},
    {"train", m_train, "(mode=True)", "Sets the module in training mode."},
    {"eval", m_eval, "()", "Sets the module in evaluation mode."},
    {"requires_grad_", m_requires_grad_, "(requires_grad=True)",
     "Change if autograd should record operations on parameters in this module."},
    {"zero_grad", m_zero_grad, "(set_to_none=False)",
     "Sets gradients of all model parameters to zero (1.13 keeps zero tensors)."},
    {"cpu", m_self, "()", "Moves all parameters to the CPU (they already are)."},
    {"to", m_self, "(*args, **kwargs)", "Moves parameters (embedlab has only the CPU)."},
    {NULL, NULL, NULL, NULL},
};

/* ---- Parameter ---- */

Value *nn_parameter_new(Interp *I, Value *data, bool requires_grad) {
    Error err;
    Tensor *t = val_is_tensor(data) ? tensor_alias(tensor_of(data), &err)
                                    : tensor_zeros(DTYPE_FLOAT32, 1, (int64_t[]){0}, &err);
    if (!t) return interp_raise(I, &err), NULL;
    if (requires_grad && !dtype_is_floating(t->dtype)) {
        tensor_release(t);
        interp_error(I, ERR_RUNTIME, "Only Tensors of floating point and complex dtype can "
                                     "require gradients");
        return NULL;
    }
    t->is_parameter = true;
    t->requires_grad = requires_grad;
    return tensor_value_take(I, t, NULL);
}

int nn_bind_method(Interp *I, const BuiltinSpec *spec, const char *qualname, CallArgs *args,
                   Value **argv, Signature **sig_out) {
    Signature *sig = builtin_signature(I, spec);
    if (!sig) return -1;
    Value *local[SIG_MAX_PARAMS + 1];
    Value **shifted = local;
    Error err;
    if (args->nargs + 1 > (int64_t)(sizeof local / sizeof *local)) {
        shifted = mem_calloc((size_t)args->nargs + 1, sizeof *shifted, &err);
        if (!shifted) return interp_raise(I, &err);
    }
    shifted[0] = I->none;
    for (int64_t i = 0; i < args->nargs; i++) shifted[i + 1] = args->args[i];
    CallArgs call = {shifted, args->nargs + 1, args->kwnames, args->kwvalues, args->nkw};
    Value *full[SIG_MAX_PARAMS];
    int rc = sig_bind(I, sig, qualname, &call, full);
    if (shifted != local) mem_free(shifted);
    if (rc) return -1;
    val_release(full[0]);
    for (int i = 1; i < sig->count; i++) argv[i - 1] = full[i];
    argv[sig->count - 1] = NULL;
    *sig_out = sig;
    return 0;
}

Value *nn_class_value(Interp *I, const NNType *type, Value *(*construct)(Interp *I, CallArgs *)) {
    if (construct && builtins_set_constructor(I, &type->type, construct)) return NULL;
    return builtins_type_value(I, &type->type);
}
