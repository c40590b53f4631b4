/*
 * src/lang/return_types.c — named result tuples and torch.device. See return_types.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/return_types.h"

#include <string.h>

#include "core/mem.h"
#include "lang/interp.h"

typedef struct ReturnPair {
    ListValue tuple;  /* a real 2-tuple: unpacking and indexing work */
    const char *name; /* static: "max", "sort", ... */
} ReturnPair;

static void destroy_pair(Value *self) { type_tuple.destroy(self); }
static void clear_pair(Value *self) { type_tuple.clear(self); }

static int64_t length_pair(Interp *I, Value *self) {
    (void)I, (void)self;
    return 2;
}

static int repr_pair(Interp *I, Value *self, StrBuf *out) {
    ReturnPair *p = (ReturnPair *)self;
    sb_appendf(out, "torch.return_types.%s(\nvalues=", p->name);
    if (val_repr(I, p->tuple.items[0], out)) return -1;
    sb_append(out, ",\nindices=");
    if (val_repr(I, p->tuple.items[1], out)) return -1;
    sb_appendc(out, ')');
    return 0;
}

static Value *getattr_pair(Interp *I, Value *self, const char *name) {
    (void)I;
    ReturnPair *p = (ReturnPair *)self;
    if (strcmp(name, "values") == 0) return val_retain(p->tuple.items[0]);
    if (strcmp(name, "indices") == 0) return val_retain(p->tuple.items[1]);
    return NULL;
}

static const ValueType type_return_pair = {.name = "return_types",
                                           .module = "torch",
                                           .destroy = destroy_pair,
                                           .clear = clear_pair,
                                           .repr = repr_pair,
                                           .getattr = getattr_pair,
                                           .length = length_pair,
                                           .base = &type_tuple};

Value *return_types_pair(Interp *I, const char *name, Value *values, Value *indices) {
    ReturnPair *p = (ReturnPair *)val_alloc(I, &type_return_pair, sizeof *p);
    Error err;
    Value **items = p ? mem_calloc(2, sizeof *items, &err) : NULL;
    if (p && !items) interp_raise(I, &err);
    if (!items) {
        val_release((Value *)p);
        val_release(values);
        val_release(indices);
        return NULL;
    }
    items[0] = values;
    items[1] = indices;
    p->tuple.items = items;
    p->tuple.count = p->tuple.cap = 2;
    p->name = name;
    return (Value *)p;
}

/* ---- torch.device ---- */

static int repr_device(Interp *I, Value *self, StrBuf *out) {
    (void)I, (void)self;
    sb_append(out, "device(type='cpu')");
    return 0;
}

static int str_device(Interp *I, Value *self, StrBuf *out) {
    (void)I, (void)self;
    sb_append(out, "cpu");
    return 0;
}

static Value *getattr_device(Interp *I, Value *self, const char *name) {
    (void)self;
    if (strcmp(name, "type") == 0) return val_str(I, "cpu");
    if (strcmp(name, "index") == 0) return val_none(I);
    return NULL;
}

static const ValueType type_device = {.name = "device",
                                      .module = "torch",
                                      .repr = repr_device,
                                      .str = str_device,
                                      .getattr = getattr_device};

Value *torch_device_cpu(Interp *I) { return val_alloc(I, &type_device, sizeof(Value)); }

bool torch_is_cpu_device(Interp *I, Value *v) {
    (void)I;
    if (val_is(v, &type_device)) return true;
    return val_is_str(v) && (strcmp(val_str_data(v), "cpu") == 0 ||
                             strcmp(val_str_data(v), "cpu:0") == 0);
}
