/*
 * src/lang/classes.c — user-defined classes, instances, bound methods, super().
 * See classes.h. See LICENSE (GPL-3.0-or-later).
 */
#include "lang/classes.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "lang/builtins.h"
#include "lang/exceptions.h"
#include "lang/interp.h"
#include "lang/nn_module.h"
#include "lang/ops.h"

/* ---- bound methods ---- */

typedef struct BoundMethod {
    Value base;
    Value *func, *self; /* owned */
} BoundMethod;

static void destroy_bound(Value *v) {
    BoundMethod *b = (BoundMethod *)v;
    val_release(b->func);
    val_release(b->self);
}

static void clear_bound(Value *v) {
    BoundMethod *b = (BoundMethod *)v;
    Value *f = b->func, *s = b->self;
    b->func = b->self = NULL;
    val_release(f);
    val_release(s);
}

static int repr_bound(Interp *I, Value *v, StrBuf *out) {
    BoundMethod *b = (BoundMethod *)v;
    Value *name = b->func ? op_getattr_opt(I, b->func, "__qualname__") : NULL;
    sb_appendf(out, "<bound method %s of ", name && val_is_str(name) ? val_str_data(name) : "?");
    val_release(name);
    int rc = b->self ? val_repr(I, b->self, out) : 0;
    sb_appendc(out, '>');
    return rc;
}

static Value *call_bound(Interp *I, Value *v, CallArgs *args) {
    BoundMethod *b = (BoundMethod *)v;
    Value *small[16];
    Value **all = args->nargs + 1 <= 16 ? small : mem_alloc((size_t)(args->nargs + 1) * sizeof *all, NULL);
    if (!all) {
        interp_error(I, ERR_MEMORY, "out of memory");
        return NULL;
    }
    all[0] = b->self;
    for (int64_t i = 0; i < args->nargs; i++) all[i + 1] = args->args[i];
    CallArgs call = {all, args->nargs + 1, args->kwnames, args->kwvalues, args->nkw};
    Value *r = call_value_args(I, b->func, &call);
    if (all != small) mem_free(all);
    return r;
}

static Value *getattr_bound(Interp *I, Value *v, const char *name) {
    BoundMethod *b = (BoundMethod *)v;
    if (strcmp(name, "__self__") == 0) return val_retain(b->self);
    if (strcmp(name, "__func__") == 0) return val_retain(b->func);
    return b->func ? op_getattr_opt(I, b->func, name) : NULL;
}

const ValueType type_bound_method = {.name = "method",
                                     .destroy = destroy_bound,
                                     .clear = clear_bound,
                                     .repr = repr_bound,
                                     .call = call_bound,
                                     .getattr = getattr_bound};

Value *bound_method_new(Interp *I, Value *func, Value *self) {
    BoundMethod *b = (BoundMethod *)val_alloc(I, &type_bound_method, sizeof *b);
    if (!b) return NULL;
    b->func = val_retain(func);
    b->self = val_retain(self);
    return (Value *)b;
}

/* ---- class lookup ---- */

bool class_is_heap_type(const ValueType *t) { return t && t->heap_class; }

Value *class_lookup(Interp *I, const ValueType *t, const char *name) {
    for (; t && t->heap_class; t = t->base) {
        TypeValue *cls = (TypeValue *)t->heap_class;
        Value *v = cls->dict ? val_dict_get_str(I, cls->dict, name) : NULL;
        if (v) return v;
    }
    return NULL;
}

const ValueType *class_builtin_base(const ValueType *t) {
    while (t && t->heap_class) t = t->base;
    return t;
}

/* Calls the dunder `name` of self's class when defined: *found is false otherwise. */
static Value *call_dunder(Interp *I, Value *self, const char *name, Value **args, int n,
                          bool *found) {
    Value *fn = class_lookup(I, self->type, name);
    *found = fn != NULL;
    if (!fn) return NULL;
    Value *all[4] = {self, NULL, NULL, NULL};
    for (int i = 0; i < n && i < 3; i++) all[i + 1] = args[i];
    return call_value(I, fn, all, n + 1);
}

/* ---- instance slots ---- */

static Value **instance_dict(Value *self) { return &((InstanceValue *)self)->dict; }

static void destroy_instance(Value *self) {
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->destroy) b->destroy(self);
    else val_release(*instance_dict(self));
}

static void clear_instance(Value *self) {
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->clear) {
        b->clear(self);
        return;
    }
    Value **d = instance_dict(self);
    Value *old = *d;
    *d = NULL;
    val_release(old);
}

/* True when instances of t are nn.Module objects (t derives from torch.nn.Module). */
static bool is_nn_type(const ValueType *t) { return t && val_type_derives(t, &type_nn_module); }

static Value *getattr_instance(Interp *I, Value *self, const char *name) {
    const ValueType *b = class_builtin_base(self->type);
    Value *v = NULL;
    bool nn = is_nn_type(b);
    if (nn) {
        /* torch: instance state (__dict__, _parameters, _buffers, _modules) first, then
         * the class's own methods, then nn.Module's. */
        v = nn_module_state_attr(I, self, name);
        if (v || interp_has_error(I)) return v;
    } else if (b && b->getattr) {
        v = b->getattr(I, self, name);
        if (v || interp_has_error(I)) return v;
    } else if (*instance_dict(self)) {
        v = val_dict_get_str(I, *instance_dict(self), name);
        if (v) return val_retain(v);
    }
    Value *attr = class_lookup(I, self->type, name);
    if (attr) {
        if (attr->type->descr_get)
            return attr->type->descr_get(I, attr, self, self->type->heap_class);
        return val_retain(attr);
    }
    if (nn) {
        v = b->getattr(I, self, name);
        if (v || interp_has_error(I)) return v;
    }
    if (strcmp(name, "__class__") == 0) return builtins_type_value(I, self->type);
    if (strcmp(name, "__dict__") == 0 && !b) {
        if (!*instance_dict(self) && !(*instance_dict(self) = val_dict_new(I))) return NULL;
        return val_retain(*instance_dict(self));
    }
    /* Builtin methods of the base (exception args etc. came from getattr above). */
    if (b) {
        const BuiltinSpec *spec = builtin_find(b->methods, name);
        if (spec) return builtin_new(I, spec, name, self);
    }
    Value *getattr_fn = class_lookup(I, self->type, "__getattr__");
    if (getattr_fn) {
        Value *key = val_str(I, name);
        Value *args[2] = {self, key};
        Value *r = key ? call_value(I, getattr_fn, args, 2) : NULL;
        val_release(key);
        return r;
    }
    return NULL;
}

static int setattr_instance(Interp *I, Value *self, const char *name, Value *value) {
    Value *descr = class_lookup(I, self->type, name);
    if (descr && descr->type->descr_set) return descr->type->descr_set(I, descr, self, value);
    Value *setter = class_lookup(I, self->type, "__setattr__");
    if (setter) {
        Value *key = val_str(I, name);
        Value *args[3] = {self, key, value};
        Value *r = key ? call_value(I, setter, args, 3) : NULL;
        val_release(key);
        val_release(r);
        return r ? 0 : -1;
    }
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->setattr) return b->setattr(I, self, name, value);
    Value **d = instance_dict(self);
    if (!*d && !(*d = val_dict_new(I))) return -1;
    return val_dict_set_str(I, *d, name, value);
}

static int dir_instance(Interp *I, Value *self, Value *names) {
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->dir && b->dir(I, self, names)) return -1;
    if (!b && *instance_dict(self)) {
        DictValue *d = (DictValue *)*instance_dict(self);
        for (int64_t i = 0; i < d->used; i++)
            if (d->entries[i].key && val_list_append(I, names, d->entries[i].key)) return -1;
    }
    for (const ValueType *t = self->type; t && t->heap_class; t = t->base) {
        DictValue *d = (DictValue *)((TypeValue *)t->heap_class)->dict;
        for (int64_t i = 0; d && i < d->used; i++)
            if (d->entries[i].key && val_list_append(I, names, d->entries[i].key)) return -1;
    }
    return 0;
}

/* A dunder that must return a str (__repr__, __str__). */
static int str_result(Interp *I, Value *r, const char *dunder, StrBuf *out) {
    if (!r) return -1;
    if (!val_is_str(r)) {
        interp_error(I, ERR_TYPE, "%s returned non-string (type %s)", dunder, val_type_name(r));
        val_release(r);
        return -1;
    }
    sb_appendn(out, val_str_data(r), val_str_len(r));
    val_release(r);
    return 0;
}

static int repr_instance(Interp *I, Value *self, StrBuf *out) {
    bool found;
    Value *r = call_dunder(I, self, "__repr__", NULL, 0, &found);
    if (found) return str_result(I, r, "__repr__", out);
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->repr) return b->repr(I, self, out);
    sb_appendf(out, "<%s.%s object at %p>", self->type->module, self->type->name, (void *)self);
    return 0;
}

static int str_instance(Interp *I, Value *self, StrBuf *out) {
    bool found;
    Value *r = call_dunder(I, self, "__str__", NULL, 0, &found);
    if (found) return str_result(I, r, "__str__", out);
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->str) return b->str(I, self, out);
    return repr_instance(I, self, out);
}

static Value *call_instance(Interp *I, Value *self, CallArgs *args) {
    Value *fn = class_lookup(I, self->type, "__call__");
    if (fn) {
        Value *bound = bound_method_new(I, fn, self);
        Value *r = bound ? call_value_args(I, bound, args) : NULL;
        val_release(bound);
        return r;
    }
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->call) return b->call(I, self, args);
    interp_error(I, ERR_TYPE, "'%s' object is not callable", self->type->name);
    return NULL;
}

static int64_t length_instance(Interp *I, Value *self) {
    bool found;
    Value *r = call_dunder(I, self, "__len__", NULL, 0, &found);
    if (!found) {
        const ValueType *b = class_builtin_base(self->type);
        if (b && b->length) return b->length(I, self);
        interp_error(I, ERR_TYPE, "object of type '%s' has no len()", self->type->name);
        return -1;
    }
    if (!r) return -1;
    if (!val_is_int(r)) {
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(r));
        val_release(r);
        return -1;
    }
    int64_t n = val_as_int(r);
    val_release(r);
    if (n < 0) {
        interp_error(I, ERR_VALUE, "__len__() should return >= 0");
        return -1;
    }
    return n;
}

static int truth_instance(Interp *I, Value *self) {
    bool found;
    Value *r = call_dunder(I, self, "__bool__", NULL, 0, &found);
    if (found) {
        if (!r) return -1;
        if (!val_is(r, &type_bool)) {
            interp_error(I, ERR_TYPE, "__bool__ should return bool, returned %s", val_type_name(r));
            val_release(r);
            return -1;
        }
        int t = val_as_int(r) != 0;
        val_release(r);
        return t;
    }
    if (class_lookup(I, self->type, "__len__")) {
        int64_t n = length_instance(I, self);
        return n < 0 ? -1 : n != 0;
    }
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->truth) return b->truth(I, self);
    return 1;
}

static Value *getitem_instance(Interp *I, Value *self, Value *key) {
    bool found;
    Value *r = call_dunder(I, self, "__getitem__", &key, 1, &found);
    if (found) return r;
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->getitem) return b->getitem(I, self, key);
    interp_error(I, ERR_TYPE, "'%s' object is not subscriptable", self->type->name);
    return NULL;
}

static int setitem_instance(Interp *I, Value *self, Value *key, Value *value) {
    bool found;
    Value *args[2] = {key, value};
    Value *r = call_dunder(I, self, value ? "__setitem__" : "__delitem__", args, value ? 2 : 1,
                           &found);
    if (found) {
        val_release(r);
        return r ? 0 : -1;
    }
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->setitem) return b->setitem(I, self, key, value);
    if (value)
        return interp_error(I, ERR_TYPE, "'%s' object does not support item assignment",
                            self->type->name);
    return interp_error(I, ERR_TYPE, "'%s' object doesn't support item deletion", self->type->name);
}

static int contains_instance(Interp *I, Value *self, Value *item) {
    bool found;
    Value *r = call_dunder(I, self, "__contains__", &item, 1, &found);
    if (found) {
        int t = r ? val_truth(I, r) : -1;
        val_release(r);
        return t;
    }
    /* Without __contains__, Python iterates. */
    Value *it = op_iter(I, self);
    if (!it) return -1;
    int result = 0;
    for (;;) {
        Value *x = op_next(I, it);
        if (!x) {
            result = interp_has_error(I) ? -1 : 0;
            break;
        }
        int eq = x == item ? 1 : val_equal(I, x, item);
        val_release(x);
        if (eq) {
            result = eq;
            break;
        }
    }
    val_release(it);
    return result;
}

/* Iterates an instance with __getitem__ only (Python's sequence protocol). */
typedef struct SeqProtocolIter {
    Value base;
    Value *obj;
    int64_t index;
} SeqProtocolIter;

static void destroy_seqproto(Value *v) { val_release(((SeqProtocolIter *)v)->obj); }
static void clear_seqproto(Value *v) {
    SeqProtocolIter *it = (SeqProtocolIter *)v;
    Value *o = it->obj;
    it->obj = NULL;
    val_release(o);
}
static Value *iter_seqproto(Interp *I, Value *v) {
    (void)I;
    return val_retain(v);
}
static Value *next_seqproto(Interp *I, Value *v) {
    SeqProtocolIter *it = (SeqProtocolIter *)v;
    if (!it->obj) return NULL;
    Value *key = val_int(I, it->index++);
    Value *r = key ? getitem_instance(I, it->obj, key) : NULL;
    val_release(key);
    if (!r && (I->error.code == ERR_INDEX || I->error.code == ERR_STOP_ITERATION)) {
        interp_clear_error(I);
        clear_seqproto(v);
    }
    return r;
}
static const ValueType type_seqproto = {.name = "iterator",
                                        .destroy = destroy_seqproto,
                                        .clear = clear_seqproto,
                                        .iter = iter_seqproto,
                                        .next = next_seqproto};

static Value *iter_instance(Interp *I, Value *self) {
    bool found;
    Value *r = call_dunder(I, self, "__iter__", NULL, 0, &found);
    if (found) return r;
    const ValueType *b = class_builtin_base(self->type);
    if (b && b->iter) return b->iter(I, self);
    if (class_lookup(I, self->type, "__getitem__")) {
        SeqProtocolIter *it = (SeqProtocolIter *)val_alloc(I, &type_seqproto, sizeof *it);
        if (it) it->obj = val_retain(self);
        return (Value *)it;
    }
    interp_error(I, ERR_TYPE, "'%s' object is not iterable", self->type->name);
    return NULL;
}

static Value *next_instance(Interp *I, Value *self) {
    bool found;
    Value *r = call_dunder(I, self, "__next__", NULL, 0, &found);
    if (found) {
        if (!r && I->error.code == ERR_STOP_ITERATION) interp_clear_error(I);
        return r;
    }
    interp_error(I, ERR_TYPE, "'%s' object is not an iterator", self->type->name);
    return NULL;
}

static const char *const binary_names[PYOP_COUNT] = {
    "add", "sub", "mul", "matmul", "truediv", "mod", "pow", "lshift", "rshift",
    "or",  "xor", "and", "floordiv"};

static Value *binary_instance(Interp *I, PyOp op, Value *a, Value *b, bool reflected) {
    bool inplace = op >= PYOP_COUNT;
    if (inplace) op = (PyOp)(op - PYOP_COUNT);
    char name[24];
    Value *self = reflected ? b : a, *other = reflected ? a : b;
    bool found = false;
    Value *r = NULL;
    if (inplace) {
        snprintf(name, sizeof name, "__i%s__", binary_names[op]);
        r = call_dunder(I, self, name, &other, 1, &found);
        if (found) return r;
        return val_not_implemented(I);
    }
    snprintf(name, sizeof name, reflected ? "__r%s__" : "__%s__", binary_names[op]);
    r = call_dunder(I, self, name, &other, 1, &found);
    if (found) return r;
    const ValueType *base = class_builtin_base(self->type);
    if (base && base->binary) return base->binary(I, op, a, b, reflected);
    return val_not_implemented(I);
}

static Value *compare_instance(Interp *I, PyCmp op, Value *a, Value *b) {
    static const char *const names[] = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"};
    bool found;
    Value *r = call_dunder(I, a, names[op], &b, 1, &found);
    if (found) return r;
    if (op == PYCMP_NE) { /* default __ne__ inverts __eq__ */
        r = call_dunder(I, a, "__eq__", &b, 1, &found);
        if (found) {
            if (!r || val_is_not_implemented(I, r)) return r;
            int t = val_truth(I, r);
            val_release(r);
            return t < 0 ? NULL : val_bool(I, !t);
        }
    }
    const ValueType *base = class_builtin_base(a->type);
    if (base && base->compare) return base->compare(I, op, a, b);
    return val_not_implemented(I);
}

static Value *unary_instance(Interp *I, PyUnary op, Value *self) {
    static const char *const names[] = {"__neg__", "__pos__", "__invert__"};
    bool found;
    Value *r = call_dunder(I, self, names[op], NULL, 0, &found);
    if (found) return r;
    const ValueType *base = class_builtin_base(self->type);
    if (base && base->unary) return base->unary(I, op, self);
    static const char *const ops[] = {"unary -", "unary +", "unary ~"};
    interp_error(I, ERR_TYPE, "bad operand type for %s: '%s'", ops[op], self->type->name);
    return NULL;
}

/* ---- property, staticmethod, classmethod ---- */

typedef struct PropertyValue {
    Value base;
    Value *fget, *fset, *fdel, *doc; /* owned; NULL when absent */
    char *name;                      /* the attribute it was found under, for messages */
} PropertyValue;

static void destroy_property(Value *v);

static void clear_property(Value *v) {
    PropertyValue *p = (PropertyValue *)v;
    Value *held[4] = {p->fget, p->fset, p->fdel, p->doc};
    p->fget = p->fset = p->fdel = p->doc = NULL;
    for (int i = 0; i < 4; i++) val_release(held[i]);
}

/* "property 'x'" (the name the class stored it under, as __set_name__ records it) or
 * "property" for one never stored in a class body — CPython 3.11's wording. */
static const char *property_name(PropertyValue *p, Interp *I, StrBuf *buf) {
    (void)I;
    if (p->name) sb_appendf(buf, "property '%s'", p->name);
    else sb_append(buf, "property");
    return sb_str(buf);
}

/* __set_name__: a property learns the attribute name of the class body that holds it. */
static int name_properties(Interp *I, Value *dict) {
    DictValue *d = (DictValue *)dict;
    for (int64_t i = 0; i < d->used; i++) {
        Value *v = d->entries[i].value;
        if (!d->entries[i].key || !v || !val_is(v, &type_property)) continue;
        PropertyValue *p = (PropertyValue *)v;
        if (p->name) continue;
        p->name = mem_strdup(val_str_data(d->entries[i].key), &I->error);
        if (!p->name) return -1;
    }
    return 0;
}

static Value *property_get(Interp *I, Value *self, Value *instance, Value *owner) {
    (void)owner;
    PropertyValue *p = (PropertyValue *)self;
    if (!instance) return val_retain(self);
    if (!p->fget) {
        StrBuf name = SB_INIT;
        interp_error(I, ERR_ATTRIBUTE, "%s of '%s' object has no getter",
                     property_name(p, I, &name), instance->type->name);
        sb_free(&name);
        return NULL;
    }
    return call_value(I, p->fget, &instance, 1);
}

static int property_set(Interp *I, Value *self, Value *instance, Value *value) {
    PropertyValue *p = (PropertyValue *)self;
    if (!p->fset) {
        StrBuf name = SB_INIT;
        int rc = interp_error(I, ERR_ATTRIBUTE, "%s of '%s' object has no setter",
                              property_name(p, I, &name), instance->type->name);
        sb_free(&name);
        return rc;
    }
    Value *args[2] = {instance, value};
    Value *r = call_value(I, p->fset, args, 2);
    val_release(r);
    return r ? 0 : -1;
}

static Value *make_property(Interp *I, Value *fget, Value *fset, Value *fdel, Value *doc);

/* prop.setter(f) / prop.getter(f): a copy with that accessor replaced. */
static Value *property_setter(Interp *I, Value *self, Value **argv) {
    PropertyValue *p = (PropertyValue *)self;
    return make_property(I, p->fget, argv[0], p->fdel, p->doc);
}

static Value *property_getter(Interp *I, Value *self, Value **argv) {
    PropertyValue *p = (PropertyValue *)self;
    return make_property(I, argv[0], p->fset, p->fdel, p->doc);
}

static const BuiltinSpec property_methods[] = {
    {"setter", property_setter, "(fset, /)", "A copy of the property with a setter."},
    {"getter", property_getter, "(fget, /)", "A copy of the property with a getter."},
    {NULL, NULL, NULL, NULL},
};

static Value *getattr_property(Interp *I, Value *self, const char *name) {
    PropertyValue *p = (PropertyValue *)self;
    Value *v = strcmp(name, "fget") == 0   ? p->fget
               : strcmp(name, "fset") == 0 ? p->fset
               : strcmp(name, "fdel") == 0 ? p->fdel
               : strcmp(name, "__doc__") == 0 ? p->doc
                                              : (Value *)-1;
    if (v == (Value *)-1) return NULL;
    return v ? val_retain(v) : val_none(I);
}

static int repr_property(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<property object at %p>", (void *)self);
    return 0;
}

static void destroy_property(Value *v) {
    clear_property(v);
    mem_free(((PropertyValue *)v)->name);
}

const ValueType type_property = {.name = "property",
                                 .destroy = destroy_property,
                                 .clear = clear_property,
                                 .repr = repr_property,
                                 .getattr = getattr_property,
                                 .methods = property_methods,
                                 .descr_get = property_get,
                                 .descr_set = property_set,
                                 .init_signature = "(fget=None, fset=None, fdel=None, doc=None)",
                                 .doc = "Property attribute: fget computes it, fset assigns it."};

static Value *make_property(Interp *I, Value *fget, Value *fset, Value *fdel, Value *doc) {
    PropertyValue *p = (PropertyValue *)val_alloc(I, &type_property, sizeof *p);
    if (!p) return NULL;
    p->fget = fget && !val_is_none(fget) ? val_retain(fget) : NULL;
    p->fset = fset && !val_is_none(fset) ? val_retain(fset) : NULL;
    p->fdel = fdel && !val_is_none(fdel) ? val_retain(fdel) : NULL;
    if (doc && !val_is_none(doc)) p->doc = val_retain(doc);
    else if (p->fget) p->doc = op_getattr_opt(I, p->fget, "__doc__");
    interp_clear_error(I);
    return (Value *)p;
}

Value *property_construct(Interp *I, CallArgs *args) {
    static const char *const names[4] = {"fget", "fset", "fdel", "doc"};
    Value *slots[4] = {NULL, NULL, NULL, NULL};
    if (args->nargs > 4) {
        interp_error(I, ERR_TYPE, "property() takes at most 4 arguments (%lld given)",
                     (long long)args->nargs);
        return NULL;
    }
    for (int64_t i = 0; i < args->nargs; i++) slots[i] = args->args[i];
    for (int64_t k = 0; k < args->nkw; k++) {
        int i = 0;
        while (i < 4 && strcmp(names[i], args->kwnames[k]) != 0) i++;
        if (i == 4) {
            interp_error(I, ERR_TYPE, "property() got an unexpected keyword argument '%s'",
                         args->kwnames[k]);
            return NULL;
        }
        slots[i] = args->kwvalues[k];
    }
    return make_property(I, slots[0], slots[1], slots[2], slots[3]);
}

/* staticmethod(f) and classmethod(f): wrappers that bind nothing, or the class. */
typedef struct MethodWrapper {
    Value base;
    Value *func; /* owned */
} MethodWrapper;

static void clear_wrapper(Value *v) {
    MethodWrapper *w = (MethodWrapper *)v;
    Value *f = w->func;
    w->func = NULL;
    val_release(f);
}

static Value *static_get(Interp *I, Value *self, Value *instance, Value *owner) {
    (void)I, (void)instance, (void)owner;
    return val_retain(((MethodWrapper *)self)->func);
}

static Value *class_get(Interp *I, Value *self, Value *instance, Value *owner) {
    if (!owner && instance) owner = instance->type->heap_class;
    return bound_method_new(I, ((MethodWrapper *)self)->func, owner);
}

static Value *getattr_wrapper(Interp *I, Value *self, const char *name) {
    (void)I;
    if (strcmp(name, "__func__") == 0) return val_retain(((MethodWrapper *)self)->func);
    return NULL;
}

static int repr_wrapper(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<%s object at %p>", self->type->name, (void *)self);
    return 0;
}

const ValueType type_staticmethod = {.name = "staticmethod",
                                     .destroy = clear_wrapper,
                                     .clear = clear_wrapper,
                                     .repr = repr_wrapper,
                                     .getattr = getattr_wrapper,
                                     .descr_get = static_get,
                                     .init_signature = "(function, /)",
                                     .doc = "A function stored in a class that binds nothing."};

const ValueType type_classmethod = {.name = "classmethod",
                                    .destroy = clear_wrapper,
                                    .clear = clear_wrapper,
                                    .repr = repr_wrapper,
                                    .getattr = getattr_wrapper,
                                    .descr_get = class_get,
                                    .init_signature = "(function, /)",
                                    .doc = "A function stored in a class that receives the "
                                           "class as its first argument."};

static Value *wrap(Interp *I, const ValueType *type, CallArgs *args) {
    if (args->nargs != 1 || args->nkw) {
        interp_error(I, ERR_TYPE, "%s expected 1 argument, got %lld", type->name,
                     (long long)(args->nargs + args->nkw));
        return NULL;
    }
    MethodWrapper *w = (MethodWrapper *)val_alloc(I, type, sizeof *w);
    if (w) w->func = val_retain(args->args[0]);
    return (Value *)w;
}

Value *staticmethod_construct(Interp *I, CallArgs *args) {
    return wrap(I, &type_staticmethod, args);
}

Value *classmethod_construct(Interp *I, CallArgs *args) {
    return wrap(I, &type_classmethod, args);
}

/* ---- del obj.name ---- */

/* Removes `name` from dict: 0, or Python's AttributeError naming the owner. */
static int delete_from(Interp *I, Value *dict, const char *name, const char *owner,
                       bool is_class) {
    Value *key = val_str(I, name);
    int rc = key && dict ? val_dict_del(I, dict, key) : (key ? 0 : -1);
    val_release(key);
    if (rc < 0) return -1;
    if (rc == 0)
        return interp_error(I, ERR_ATTRIBUTE, is_class ? "type object '%s' has no attribute '%s'"
                                                          : "'%s' object has no attribute '%s'",
                            owner, name);
    return 0;
}

int class_delattr(Interp *I, Value *obj, const char *name) {
    if (val_is(obj, &type_type) && ((TypeValue *)obj)->dict)
        return delete_from(I, ((TypeValue *)obj)->dict, name, ((TypeValue *)obj)->of->name, true);
    if (val_is_nn_module(obj)) return nn_module_delattr(I, obj, name);
    if (class_is_heap_type(obj->type) && !class_builtin_base(obj->type))
        return delete_from(I, *instance_dict(obj), name, obj->type->name, false);
    if (val_is_exception(obj) && ((ExcValue *)obj)->dict)
        return delete_from(I, ((ExcValue *)obj)->dict, name, obj->type->name, false);
    return interp_error(I, ERR_ATTRIBUTE, "'%s' object attribute '%s' is read-only",
                        obj->type->name, name);
}

/* ---- nn.Module subclasses ---- */

/* Calling the module runs the class's forward(), else the builtin base's. */
static Value *nn_forward(Interp *I, NNModule *self, CallArgs *args) {
    const ValueType *t = self->base.type;
    Value *fn = class_lookup(I, t, "forward");
    if (fn) {
        Value *bound = bound_method_new(I, fn, &self->base);
        Value *r = bound ? call_value_args(I, bound, args) : NULL;
        val_release(bound);
        return r;
    }
    const NNType *b = (const NNType *)class_builtin_base(t);
    if (b && b->forward) return b->forward(I, self, args);
    interp_error(I, ERR_NOT_IMPLEMENTED, "Module [%s] is missing the required \"forward\" function",
                 t->name);
    return NULL;
}

/* The class's extra_repr() when defined, else the builtin base's. */
static int nn_extra_repr(Interp *I, NNModule *self, StrBuf *out) {
    bool found;
    Value *r = call_dunder(I, &self->base, "extra_repr", NULL, 0, &found);
    if (found) return str_result(I, r, "extra_repr", out);
    const NNType *b = (const NNType *)class_builtin_base(self->base.type);
    return b && b->extra_repr ? b->extra_repr(I, self, out) : 0;
}

/* ---- instantiation ---- */

static Value *instantiate(Interp *I, Value *cls, CallArgs *args) {
    TypeValue *t = (TypeValue *)cls;
    const ValueType *base = class_builtin_base(t->of);
    Value *self;
    if (base && exc_is_type(base)) {
        self = exc_instantiate(I, cls, args);
    } else if (base == &type_nn_module) {
        self = (Value *)nn_module_new(I, (const NNType *)t->of);
        /* Module.__init__ (through super().__init__()) completes it. */
        if (self && class_lookup(I, t->of, "__init__")) ((NNModule *)self)->initialized = false;
    } else if (base) {
        interp_error(I, ERR_TYPE, "cannot subclass '%s' in embedlab", base->name);
        return NULL;
    } else {
        self = val_alloc(I, t->of, sizeof(InstanceValue));
        if (self && !(((InstanceValue *)self)->dict = val_dict_new(I))) {
            val_release(self);
            self = NULL;
        }
    }
    if (!self) return NULL;
    Value *init = class_lookup(I, t->of, "__init__");
    if (!init) {
        if (!base && (args->nargs || args->nkw)) {
            interp_error(I, ERR_TYPE, "%s() takes no arguments", t->of->name);
            val_release(self);
            return NULL;
        }
        return self;
    }
    Value *bound = bound_method_new(I, init, self);
    Value *r = bound ? call_value_args(I, bound, args) : NULL;
    val_release(bound);
    if (!r) {
        val_release(self);
        return NULL;
    }
    if (!val_is_none(r)) {
        interp_error(I, ERR_TYPE, "__init__() should return None, not '%s'", val_type_name(r));
        val_release(r);
        val_release(self);
        return NULL;
    }
    val_release(r);
    return self;
}

Value *class_new(Interp *I, const char *name, Value *base, Value *dict) {
    const ValueType *base_type = NULL;
    if (base) {
        if (!val_is(base, &type_type)) {
            interp_error(I, ERR_TYPE, "bases must be types");
            return NULL;
        }
        base_type = ((TypeValue *)base)->of;
        if (base_type == &type_object) {
            base = NULL; /* class C(object): the same as class C: */
            base_type = NULL;
        }
    }
    const ValueType *builtin = class_builtin_base(base_type);
    bool nn = builtin == &type_nn_module;
    if (builtin && !exc_is_type(builtin) && !nn) {
        if (is_nn_type(builtin)) {
            interp_error(I, ERR_TYPE, "subclassing torch.nn.%s is not supported by embedlab",
                         builtin->name);
            interp_hint(I, "subclass nn.Module and keep an nn.%s as an attribute", builtin->name);
        } else {
            interp_error(I, ERR_NOT_IMPLEMENTED,
                         "subclassing the builtin type '%s' is not supported by embedlab",
                         builtin->name);
            interp_hint(I, "keep a %s as an attribute of a plain class instead", builtin->name);
        }
        return NULL;
    }
    Error err;
    /* The namespace's __module__ (the defining module's __name__, or set by the body). */
    Value *module_value = val_dict_get_str(I, dict, "__module__");
    char *module = mem_strdup(module_value && val_is_str(module_value) ? val_str_data(module_value)
                                                                       : "__main__",
                              &err);
    if (!module) return interp_raise(I, &err), NULL;
    /* nn.Module subclasses get an NNType, whose forward and extra_repr dispatch to the
     * class's methods; ValueType is its first member. */
    NNType *nn_heap = nn ? mem_calloc(1, sizeof *nn_heap, &err) : NULL;
    ValueType *heap = nn ? (nn_heap ? &nn_heap->type : NULL) : mem_calloc(1, sizeof *heap, &err);
    char *copy = heap ? mem_strdup(name, &err) : NULL;
    TypeValue *cls = copy ? (TypeValue *)val_alloc(I, &type_type, sizeof *cls) : NULL;
    if (!cls) {
        if (!interp_has_error(I)) interp_raise(I, &err);
        mem_free(copy);
        mem_free(module);
        mem_free(heap);
        return NULL;
    }
    heap->name = copy;
    heap->module = module;
    heap->destroy = destroy_instance;
    heap->clear = clear_instance;
    heap->repr = repr_instance;
    heap->str = str_instance;
    heap->getattr = getattr_instance;
    heap->setattr = setattr_instance;
    heap->call = call_instance;
    heap->truth = truth_instance;
    heap->length = length_instance;
    heap->dir = dir_instance;
    heap->getitem = getitem_instance;
    heap->setitem = setitem_instance;
    heap->contains = contains_instance;
    heap->iter = iter_instance;
    heap->next = next_instance;
    heap->binary = binary_instance;
    heap->compare = compare_instance;
    heap->unary = unary_instance;
    heap->base = base_type;
    heap->heap_class = (Value *)cls;
    heap->init_signature = builtin ? builtin->init_signature : NULL;
    if (nn_heap) {
        nn_heap->forward = nn_forward;
        nn_heap->extra_repr = nn_extra_repr;
    }
    cls->of = heap;
    cls->heap_type = heap;
    cls->instantiate = instantiate;
    cls->dict = val_retain(dict);
    cls->base_class = val_retain(base);
    if (name_properties(I, dict) || interp_adopt_class(I, (Value *)cls, heap)) {
        val_release((Value *)cls); /* no instance exists yet: the type can go with it */
        mem_free(copy);
        mem_free(module);
        mem_free(heap);
        return NULL;
    }
    return (Value *)cls;
}

/* ---- super() ---- */

typedef struct SuperValue {
    Value base;
    Value *cls, *self; /* owned */
} SuperValue;

static void destroy_super(Value *v) {
    SuperValue *s = (SuperValue *)v;
    val_release(s->cls);
    val_release(s->self);
}

static void clear_super(Value *v) {
    SuperValue *s = (SuperValue *)v;
    Value *c = s->cls, *o = s->self;
    s->cls = s->self = NULL;
    val_release(c);
    val_release(o);
}

/* object.__init__ / BaseException.__init__ reached through super(). */
static Value *base_init(Interp *I, Value *self, Value **argv) {
    ListValue *args = (ListValue *)argv[0];
    const ValueType *b = class_builtin_base(self->type);
    if (is_nn_type(b)) { /* torch.nn.Module.__init__(self) */
        if (args->count || ((DictValue *)argv[1])->count) {
            interp_error(I, ERR_TYPE, "Module.__init__() takes 1 positional argument but %lld "
                                      "were given",
                         (long long)args->count + 1);
            return NULL;
        }
        ((NNModule *)self)->initialized = true;
        return val_none(I);
    }
    if (b && exc_is_type(b)) {
        Value *t = val_tuple_new(I, args->count);
        if (!t) return NULL;
        for (int64_t i = 0; i < args->count; i++) ((ListValue *)t)->items[i] = val_retain(args->items[i]);
        int rc = op_setattr(I, self, "args", t);
        val_release(t);
        return rc ? NULL : val_none(I);
    }
    if (args->count || ((DictValue *)argv[1])->count) {
        interp_error(I, ERR_TYPE,
                     "object.__init__() takes exactly one argument (the instance to initialize)");
        return NULL;
    }
    return val_none(I);
}

static const BuiltinSpec base_init_spec = {"__init__", base_init, "(*args, **kwargs)",
                                           "Initialise the builtin part of the object."};

static Value *getattr_super(Interp *I, Value *v, const char *name) {
    SuperValue *s = (SuperValue *)v;
    if (!s->cls || !s->self) return NULL;
    const ValueType *start = ((TypeValue *)s->cls)->of->base;
    Value *attr = class_lookup(I, start, name);
    if (attr) {
        if (attr->type->descr_get)
            return attr->type->descr_get(I, attr, s->self, s->self->type->heap_class);
        return val_retain(attr);
    }
    const ValueType *b = class_builtin_base(start);
    if (strcmp(name, "__init__") == 0) return builtin_new(I, &base_init_spec, "__init__", s->self);
    if (b) {
        const BuiltinSpec *spec = builtin_find(b->methods, name);
        if (spec) return builtin_new(I, spec, name, s->self);
    }
    return NULL;
}

static int repr_super(Interp *I, Value *v, StrBuf *out) {
    (void)I;
    SuperValue *s = (SuperValue *)v;
    sb_appendf(out, "<super: <class '%s'>, <%s object>>",
               s->cls ? ((TypeValue *)s->cls)->of->name : "?",
               s->self ? val_type_name(s->self) : "?");
    return 0;
}

static const ValueType type_super = {.name = "super",
                                     .destroy = destroy_super,
                                     .clear = clear_super,
                                     .repr = repr_super,
                                     .getattr = getattr_super};

Value *super_new(Interp *I, Value *cls, Value *self) {
    if (!val_is(cls, &type_type)) {
        interp_error(I, ERR_TYPE, "super() argument 1 must be a type, not %s", val_type_name(cls));
        return NULL;
    }
    if (!val_is_instance(self, ((TypeValue *)cls)->of)) {
        interp_error(I, ERR_TYPE, "super(type, obj): obj must be an instance or subtype of type");
        return NULL;
    }
    SuperValue *s = (SuperValue *)val_alloc(I, &type_super, sizeof *s);
    if (!s) return NULL;
    s->cls = val_retain(cls);
    s->self = val_retain(self);
    return (Value *)s;
}
