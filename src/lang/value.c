/*
 * src/lang/value.c — objects, reference counting, and the builtin scalar and container
 * types (None, bool, int, float, str, list, tuple, dict, range, slice, Ellipsis, type).
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/value.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "lang/callable.h"
#include "lang/interp.h"
#include "lang/methods.h"
#include "lang/np_value.h"
#include "lang/unicode.h"

/* ---- objects ---- */

Value *val_alloc(Interp *I, const ValueType *type, size_t size) {
    Error err;
    Value *v = mem_calloc(1, size, &err);
    if (!v) {
        interp_raise(I, &err);
        return NULL;
    }
    v->type = type;
    v->refcount = 1;
    Value *head = &I->objects;
    v->obj_next = head->obj_next;
    v->obj_prev = head;
    head->obj_next->obj_prev = v;
    head->obj_next = v;
    return v;
}

Value *val_retain(Value *v) {
    if (v) v->refcount++;
    return v;
}

void val_release(Value *v) {
    if (!v || --v->refcount > 0) return;
    v->obj_prev->obj_next = v->obj_next;
    v->obj_next->obj_prev = v->obj_prev;
    if (v->type->destroy) v->type->destroy(v);
    mem_free(v);
}

/* ---- type predicates and accessors ---- */

bool val_is(const Value *v, const ValueType *type) { return v && v->type == type; }
bool val_is_none(const Value *v) { return val_is(v, &type_none); }
bool val_is_int(const Value *v) { return val_is(v, &type_int) || val_is(v, &type_bool); }
bool val_is_number(const Value *v) { return val_is_int(v) || val_is(v, &type_float); }
bool val_is_str(const Value *v) { return val_is(v, &type_str); }

bool val_is_sequence(const Value *v) {
    return val_is(v, &type_list) || val_is_instance(v, &type_tuple);
}

int64_t val_as_int(const Value *v) {
    return val_is_int(v) ? ((const IntValue *)v)->value : 0;
}

double val_as_float(const Value *v) {
    if (val_is(v, &type_float)) return ((const FloatValue *)v)->value;
    return (double)val_as_int(v);
}

const char *val_str_data(const Value *v) { return ((const StrValue *)v)->data; }
size_t val_str_len(const Value *v) { return ((const StrValue *)v)->len; }

const char *val_type_name(const Value *v) {
    if (v->type->tp_name_of) return v->type->tp_name_of(v);
    return v->type->tp_name ? v->type->tp_name : v->type->name;
}

bool val_type_derives(const ValueType *t, const ValueType *base) {
    if (base == &type_object) return true; /* everything is an object */
    for (; t; t = t->base)
        if (t == base) return true;
    return false;
}

bool val_is_instance(const Value *v, const ValueType *type) {
    return val_type_derives(v->type, type);
}

/* ---- None, bool, Ellipsis ---- */

static int repr_none(Interp *I, Value *self, StrBuf *out) {
    (void)I, (void)self;
    sb_append(out, "None");
    return 0;
}
static int truth_false(Interp *I, Value *self) {
    (void)I, (void)self;
    return 0;
}
const ValueType type_none = {.name = "NoneType", .repr = repr_none, .truth = truth_false};

static int repr_bool(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_append(out, val_as_int(self) ? "True" : "False");
    return 0;
}
static int truth_int(Interp *I, Value *self) {
    (void)I;
    return val_as_int(self) != 0;
}
const ValueType type_bool = {
    .name = "bool", .repr = repr_bool, .truth = truth_int, .base = &type_int};

static int repr_ellipsis(Interp *I, Value *self, StrBuf *out) {
    (void)I, (void)self;
    sb_append(out, "Ellipsis");
    return 0;
}
const ValueType type_ellipsis = {.name = "ellipsis", .repr = repr_ellipsis};

static int repr_object(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<object object at %p>", (void *)self);
    return 0;
}
const ValueType type_object = {.name = "object", .repr = repr_object,
                               .doc = "The base class of the class hierarchy."};

static int repr_not_implemented(Interp *I, Value *self, StrBuf *out) {
    (void)I, (void)self;
    sb_append(out, "NotImplemented");
    return 0;
}
const ValueType type_not_implemented = {.name = "NotImplementedType",
                                        .repr = repr_not_implemented};

Value *val_not_implemented(Interp *I) { return val_retain(I->not_implemented); }
bool val_is_not_implemented(Interp *I, const Value *v) { return v == I->not_implemented; }

Value *val_none(Interp *I) { return val_retain(I->none); }
Value *val_bool(Interp *I, bool b) { return val_retain(b ? I->true_value : I->false_value); }
Value *val_ellipsis(Interp *I) { return val_retain(I->ellipsis); }

/* ---- int and float ---- */

static int repr_int(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "%" PRId64, val_as_int(self));
    return 0;
}
const ValueType type_int = {.name = "int", .repr = repr_int, .truth = truth_int};

Value *val_int(Interp *I, int64_t v) {
    if (v >= INTERP_SMALL_INT_MIN && v <= INTERP_SMALL_INT_MAX && I->small_ints[0])
        return val_retain(I->small_ints[v - INTERP_SMALL_INT_MIN]);
    IntValue *iv = (IntValue *)val_alloc(I, &type_int, sizeof *iv);
    if (iv) iv->value = v;
    return (Value *)iv;
}

void val_format_float_repr(double d, StrBuf *out) {
    if (isnan(d)) {
        sb_append(out, "nan");
        return;
    }
    if (isinf(d)) {
        sb_append(out, d < 0 ? "-inf" : "inf");
        return;
    }
    /* Shortest digits that round-trip: the correctly rounded %.{p}e for the smallest p. */
    char digits[40];
    int precision;
    for (precision = 1; precision <= 17; precision++) {
        snprintf(digits, sizeof digits, "%.*e", precision - 1, d);
        if (strtod(digits, NULL) == d) break;
    }
    /* digits is "[-]D[.DDD]e[+-]XX": split into sign, mantissa digits and exponent. */
    const char *p = digits;
    bool negative = *p == '-';
    if (negative) p++;
    char mant[24];
    int nm = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') mant[nm++] = *p;
    mant[nm] = '\0';
    int exp10 = atoi(p + 1); /* value = 0.D1D2... * 10^(exp10+1) */
    while (nm > 1 && mant[nm - 1] == '0') mant[--nm] = '\0';
    if (negative) sb_appendc(out, '-');
    int decpt = exp10 + 1; /* position of the decimal point after `decpt` digits */
    if (decpt > 16 || decpt < -3) {
        /* Scientific: d[.ddd]e[+-]XX with at least two exponent digits. */
        sb_appendc(out, mant[0]);
        if (nm > 1) {
            sb_appendc(out, '.');
            sb_append(out, mant + 1);
        }
        sb_appendf(out, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    } else if (decpt <= 0) {
        sb_append(out, "0.");
        sb_repeat(out, '0', (size_t)-decpt);
        sb_append(out, mant);
    } else if (decpt >= nm) {
        sb_append(out, mant);
        sb_repeat(out, '0', (size_t)(decpt - nm));
        sb_append(out, ".0");
    } else {
        sb_appendn(out, mant, (size_t)decpt);
        sb_appendc(out, '.');
        sb_append(out, mant + decpt);
    }
}

static int repr_float(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    val_format_float_repr(((FloatValue *)self)->value, out);
    return 0;
}
static int truth_float(Interp *I, Value *self) {
    (void)I;
    return ((FloatValue *)self)->value != 0.0;
}
const ValueType type_float = {.name = "float", .repr = repr_float, .truth = truth_float};

Value *val_float(Interp *I, double v) {
    FloatValue *fv = (FloatValue *)val_alloc(I, &type_float, sizeof *fv);
    if (fv) fv->value = v;
    return (Value *)fv;
}

/* ---- str ---- */

/* Appends the Python repr of UTF-8 text: quotes chosen as Python does, escapes for
 * backslash, quotes, control characters and non-printable code points. */
static void repr_text(const char *s, size_t len, StrBuf *out) {
    bool has_single = memchr(s, '\'', len) != NULL, has_double = memchr(s, '"', len) != NULL;
    char quote = has_single && !has_double ? '"' : '\'';
    sb_appendc(out, quote);
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c == (unsigned char)quote || c == '\\') {
                sb_appendc(out, '\\');
                sb_appendc(out, (char)c);
            } else if (c == '\n') sb_append(out, "\\n");
            else if (c == '\r') sb_append(out, "\\r");
            else if (c == '\t') sb_append(out, "\\t");
            else if (c < 0x20 || c == 0x7f) sb_appendf(out, "\\x%02x", c);
            else sb_appendc(out, (char)c);
            i++;
            continue;
        }
        size_t n;
        uint32_t cp = utf8_decode(s + i, len - i, &n);
        if (unicode_is_printable(cp)) sb_appendn(out, s + i, n);
        else if (cp <= 0xff) sb_appendf(out, "\\x%02x", cp);
        else if (cp <= 0xffff) sb_appendf(out, "\\u%04x", cp);
        else sb_appendf(out, "\\U%08x", cp);
        i += n;
    }
    sb_appendc(out, quote);
}

static int repr_str(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    StrValue *s = (StrValue *)self;
    repr_text(s->data, s->len, out);
    return 0;
}
static int str_str(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    StrValue *s = (StrValue *)self;
    sb_appendn(out, s->data, s->len);
    return 0;
}
static int truth_str(Interp *I, Value *self) {
    (void)I;
    return ((StrValue *)self)->len != 0;
}
static int64_t length_str(Interp *I, Value *self) {
    (void)I;
    return (int64_t)((StrValue *)self)->nchars;
}
const ValueType type_str = {.name = "str",
                            .repr = repr_str,
                            .str = str_str,
                            .truth = truth_str,
                            .length = length_str,
                            .methods = methods_str};

Value *val_strn(Interp *I, const char *s, size_t len) {
    if (len > (size_t)1 << 40) {
        interp_error(I, ERR_MEMORY, "string of %zu bytes is too large", len);
        return NULL;
    }
    StrValue *sv = (StrValue *)val_alloc(I, &type_str, sizeof *sv + len + 1);
    if (!sv) return NULL;
    memcpy(sv->data, s, len);
    sv->data[len] = '\0';
    sv->len = len;
    sv->nchars = utf8_count(s, len);
    sv->ascii = sv->nchars == len;
    sv->hash = -1;
    return (Value *)sv;
}

Value *val_str(Interp *I, const char *s) { return val_strn(I, s, strlen(s)); }

Value *val_str_from_sb(Interp *I, StrBuf *sb) {
    if (sb->failed) {
        sb_free(sb);
        interp_error(I, ERR_MEMORY, "out of memory while building a string");
        return NULL;
    }
    Value *v = val_strn(I, sb_str(sb), sb->len);
    sb_free(sb);
    return v;
}

/* ---- list and tuple ---- */

static void destroy_list(Value *self) {
    ListValue *l = (ListValue *)self;
    for (int64_t i = 0; i < l->count; i++) val_release(l->items[i]);
    mem_free(l->items);
}

static void clear_list(Value *self) {
    ListValue *l = (ListValue *)self;
    int64_t n = l->count;
    Value **items = l->items;
    l->count = 0;
    l->cap = 0;
    l->items = NULL;
    for (int64_t i = 0; i < n; i++) val_release(items[i]);
    mem_free(items);
}

/* True (and emits the "[...]" form) when `self` is already being repr'ed. */
static bool repr_enter(Interp *I, Value *self, StrBuf *out, const char *recursive_form) {
    for (int i = 0; i < I->repr_depth; i++) {
        if (I->repr_active[i] == self) {
            sb_append(out, recursive_form);
            return true;
        }
    }
    if (I->repr_depth < INTERP_MAX_REPR_NEST) I->repr_active[I->repr_depth] = self;
    I->repr_depth++;
    return false;
}

static void repr_leave(Interp *I) { I->repr_depth--; }

static int repr_items(Interp *I, Value *self, StrBuf *out, const char *open, const char *close,
                      bool one_comma) {
    ListValue *l = (ListValue *)self;
    if (repr_enter(I, self, out, one_comma ? "(...)" : "[...]")) return 0;
    if (I->repr_depth > 200) {
        repr_leave(I);
        return interp_error(I, ERR_RECURSION, "maximum recursion depth exceeded while getting "
                                              "the repr of an object");
    }
    sb_append(out, open);
    int rc = 0;
    for (int64_t i = 0; i < l->count && rc == 0; i++) {
        if (i) sb_append(out, ", ");
        rc = val_repr(I, l->items[i], out);
    }
    if (one_comma && l->count == 1) sb_appendc(out, ',');
    sb_append(out, close);
    repr_leave(I);
    return rc;
}

static int repr_list(Interp *I, Value *self, StrBuf *out) {
    return repr_items(I, self, out, "[", "]", false);
}
static int repr_tuple(Interp *I, Value *self, StrBuf *out) {
    return repr_items(I, self, out, "(", ")", true);
}
static int truth_list(Interp *I, Value *self) {
    (void)I;
    return ((ListValue *)self)->count != 0;
}
static int64_t length_list(Interp *I, Value *self) {
    (void)I;
    return ((ListValue *)self)->count;
}

const ValueType type_list = {.name = "list",
                             .destroy = destroy_list,
                             .clear = clear_list,
                             .repr = repr_list,
                             .truth = truth_list,
                             .length = length_list,
                             .methods = methods_list};
const ValueType type_tuple = {.name = "tuple",
                              .destroy = destroy_list,
                              .clear = clear_list,
                              .repr = repr_tuple,
                              .truth = truth_list,
                              .length = length_list,
                              .methods = methods_tuple};

/* torch.Size: a tuple of ints that prints as torch.Size([2, 3]). */
static int repr_torch_size(Interp *I, Value *self, StrBuf *out) {
    sb_append(out, "torch.Size(");
    int rc = repr_items(I, self, out, "[", "]", false);
    sb_appendc(out, ')');
    return rc;
}

const ValueType type_torch_size = {.name = "Size", .tp_name = "torch.Size",
                                   .module = "torch",
                                   .destroy = destroy_list,
                                   .clear = clear_list,
                                   .repr = repr_torch_size,
                                   .truth = truth_list,
                                   .length = length_list,
                                   .methods = methods_size,
                                   .base = &type_tuple};

static Value *new_sequence(Interp *I, const ValueType *type, int64_t cap, int64_t count) {
    ListValue *l = (ListValue *)val_alloc(I, type, sizeof *l);
    if (!l) return NULL;
    if (cap < count) cap = count;
    if (cap > 0) {
        Error err;
        l->items = mem_calloc((size_t)cap, sizeof *l->items, &err);
        if (!l->items) {
            interp_raise(I, &err);
            val_release((Value *)l);
            return NULL;
        }
    }
    l->cap = cap;
    l->count = count;
    return (Value *)l;
}

Value *val_list_new(Interp *I, int64_t capacity) {
    return new_sequence(I, &type_list, capacity, 0);
}

Value *val_tuple_new(Interp *I, int64_t count) {
    return new_sequence(I, &type_tuple, count, count);
}

Value *val_torch_size_new(Interp *I, int ndim, const int64_t *shape) {
    Value *size = new_sequence(I, &type_torch_size, ndim, ndim);
    if (!size) return NULL;
    for (int i = 0; i < ndim; i++) {
        Value *dim = val_int(I, shape[i]);
        if (!dim) {
            val_release(size);
            return NULL;
        }
        ((ListValue *)size)->items[i] = dim;
    }
    return size;
}

int val_list_append_take(Interp *I, Value *list, Value *item) {
    if (!item || !list) { /* a constructor that failed (its error is set): append(make()) */
        val_release(item);
        return -1;
    }
    ListValue *l = (ListValue *)list;
    if (l->count == l->cap) {
        int64_t cap = l->cap ? l->cap * 2 : 8;
        if (cap > ((int64_t)1 << 27)) {
            val_release(item);
            return interp_error(I, ERR_MEMORY, "list of more than %lld items",
                                (long long)1 << 27);
        }
        Error err;
        Value **grown = mem_realloc(l->items, (size_t)cap * sizeof *grown, &err);
        if (!grown) {
            val_release(item);
            interp_raise(I, &err);
            return -1;
        }
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = item;
    return 0;
}

int val_list_append(Interp *I, Value *list, Value *item) {
    return val_list_append_take(I, list, val_retain(item));
}

/* ---- dict ---- */

static void destroy_dict(Value *self) {
    DictValue *d = (DictValue *)self;
    for (int64_t i = 0; i < d->used; i++) {
        val_release(d->entries[i].key);
        val_release(d->entries[i].value);
    }
    mem_free(d->entries);
    mem_free(d->index);
}

static void clear_dict(Value *self) {
    DictValue *d = (DictValue *)self;
    DictEntry *entries = d->entries;
    int64_t used = d->used;
    mem_free(d->index);
    d->entries = NULL;
    d->index = NULL;
    d->count = d->used = d->cap = d->index_cap = 0;
    for (int64_t i = 0; i < used; i++) {
        val_release(entries[i].key);
        val_release(entries[i].value);
    }
    mem_free(entries);
}

static int repr_dict(Interp *I, Value *self, StrBuf *out) {
    DictValue *d = (DictValue *)self;
    if (repr_enter(I, self, out, "{...}")) return 0;
    sb_appendc(out, '{');
    int rc = 0;
    bool first = true;
    for (int64_t i = 0; i < d->used && rc == 0; i++) {
        if (!d->entries[i].key) continue;
        if (!first) sb_append(out, ", ");
        first = false;
        rc = val_repr(I, d->entries[i].key, out);
        sb_append(out, ": ");
        if (rc == 0) rc = val_repr(I, d->entries[i].value, out);
    }
    sb_appendc(out, '}');
    repr_leave(I);
    return rc;
}

static int truth_dict(Interp *I, Value *self) {
    (void)I;
    return ((DictValue *)self)->count != 0;
}
static int64_t length_dict(Interp *I, Value *self) {
    (void)I;
    return ((DictValue *)self)->count;
}

const ValueType type_dict = {.name = "dict",
                             .destroy = destroy_dict,
                             .clear = clear_dict,
                             .repr = repr_dict,
                             .truth = truth_dict,
                             .length = length_dict,
                             .methods = methods_dict};

Value *val_dict_new(Interp *I) { return val_alloc(I, &type_dict, sizeof(DictValue)); }

/* Position in d->entries of `key`, or -1; *slot receives the index-table slot where it
 * is or would be inserted. Returns -2 on a comparison error. */
static int64_t dict_lookup(Interp *I, DictValue *d, Value *key, int64_t hash, int64_t *slot) {
    if (!d->index_cap) {
        *slot = -1;
        return -1;
    }
    uint64_t mask = (uint64_t)d->index_cap - 1;
    uint64_t i = (uint64_t)hash & mask, perturb = (uint64_t)hash;
    for (;;) {
        int64_t pos = d->index[i];
        if (pos == -1) {
            *slot = (int64_t)i;
            return -1;
        }
        DictEntry *e = &d->entries[pos];
        if (pos >= 0 && e->key && e->hash == hash) {
            if (e->key == key) {
                *slot = (int64_t)i;
                return pos;
            }
            int eq = val_equal(I, e->key, key);
            if (eq < 0) return -2;
            if (eq) {
                *slot = (int64_t)i;
                return pos;
            }
        }
        perturb >>= 5;
        i = (i * 5 + perturb + 1) & mask;
    }
}

/* Rebuilds the entries array (dropping deleted slots) and the index with room for
 * at least `need` live entries. */
static int dict_resize(Interp *I, DictValue *d, int64_t need) {
    int64_t cap = 8;
    while (cap < need * 2) cap *= 2;
    Error err;
    DictEntry *entries = mem_calloc((size_t)cap, sizeof *entries, &err);
    int64_t index_cap = cap * 2;
    int64_t *index = entries ? mem_alloc((size_t)index_cap * sizeof *index, &err) : NULL;
    if (!index) {
        mem_free(entries);
        return interp_raise(I, &err);
    }
    for (int64_t i = 0; i < index_cap; i++) index[i] = -1;
    int64_t n = 0;
    for (int64_t i = 0; i < d->used; i++) {
        if (!d->entries[i].key) continue;
        entries[n] = d->entries[i];
        uint64_t mask = (uint64_t)index_cap - 1;
        uint64_t h = (uint64_t)entries[n].hash & mask, perturb = (uint64_t)entries[n].hash;
        while (index[h] != -1) {
            perturb >>= 5;
            h = (h * 5 + perturb + 1) & mask;
        }
        index[h] = n;
        n++;
    }
    mem_free(d->entries);
    mem_free(d->index);
    d->entries = entries;
    d->index = index;
    d->cap = cap;
    d->index_cap = index_cap;
    d->used = d->count = n;
    return 0;
}

Value *val_dict_get(Interp *I, Value *dict, Value *key) {
    DictValue *d = (DictValue *)dict;
    int64_t hash = val_hash(I, key);
    if (hash == -1 && interp_has_error(I)) return NULL;
    int64_t slot;
    int64_t pos = dict_lookup(I, d, key, hash, &slot);
    return pos >= 0 ? d->entries[pos].value : NULL;
}

static int64_t hash_bytes(const char *s, size_t len);

Value *val_dict_get_str(Interp *I, Value *dict, const char *key) {
    /* The common case (names, attributes) without allocating a str key. */
    (void)I;
    DictValue *d = (DictValue *)dict;
    if (!d->index_cap) return NULL;
    size_t len = strlen(key);
    int64_t hash = hash_bytes(key, len);
    uint64_t mask = (uint64_t)d->index_cap - 1;
    uint64_t i = (uint64_t)hash & mask, perturb = (uint64_t)hash;
    for (;;) {
        int64_t pos = d->index[i];
        if (pos == -1) return NULL;
        if (pos >= 0) {
            DictEntry *e = &d->entries[pos];
            if (e->key && e->hash == hash && val_is_str(e->key) && val_str_len(e->key) == len &&
                memcmp(val_str_data(e->key), key, len) == 0)
                return e->value;
        }
        perturb >>= 5;
        i = (i * 5 + perturb + 1) & mask;
    }
}

int val_dict_set(Interp *I, Value *dict, Value *key, Value *value) {
    DictValue *d = (DictValue *)dict;
    int64_t hash = val_hash(I, key);
    if (hash == -1 && interp_has_error(I)) return -1;
    int64_t slot;
    int64_t pos = dict_lookup(I, d, key, hash, &slot);
    if (pos == -2) return -1;
    if (pos >= 0) {
        Value *old = d->entries[pos].value;
        d->entries[pos].value = val_retain(value);
        val_release(old);
        return 0;
    }
    if (d->used + 1 > d->cap) {
        if (dict_resize(I, d, d->count + 1)) return -1;
        pos = dict_lookup(I, d, key, hash, &slot);
    }
    pos = d->used++;
    d->entries[pos].key = val_retain(key);
    d->entries[pos].value = val_retain(value);
    d->entries[pos].hash = hash;
    d->index[slot] = pos;
    d->count++;
    return 0;
}

int val_dict_set_str(Interp *I, Value *dict, const char *key, Value *value) {
    Value *k = val_str(I, key);
    if (!k) return -1;
    int rc = val_dict_set(I, dict, k, value);
    val_release(k);
    return rc;
}

int val_dict_del(Interp *I, Value *dict, Value *key) {
    DictValue *d = (DictValue *)dict;
    int64_t hash = val_hash(I, key);
    if (hash == -1 && interp_has_error(I)) return -1;
    int64_t slot;
    int64_t pos = dict_lookup(I, d, key, hash, &slot);
    if (pos == -2) return -1;
    if (pos < 0) return 0;
    Value *k = d->entries[pos].key, *v = d->entries[pos].value;
    d->entries[pos].key = NULL;
    d->entries[pos].value = NULL;
    d->index[slot] = -2; /* tombstone: keeps probe chains intact */
    d->count--;
    val_release(k);
    val_release(v);
    return 1;
}

/* ---- range, slice, type ---- */

static int repr_range(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    RangeValue *r = (RangeValue *)self;
    if (r->step == 1) sb_appendf(out, "range(%" PRId64 ", %" PRId64 ")", r->start, r->stop);
    else sb_appendf(out, "range(%" PRId64 ", %" PRId64 ", %" PRId64 ")", r->start, r->stop, r->step);
    return 0;
}

static int64_t length_range(Interp *I, Value *self) {
    (void)I;
    RangeValue *r = (RangeValue *)self;
    if (r->step > 0 && r->stop > r->start) return (r->stop - r->start + r->step - 1) / r->step;
    if (r->step < 0 && r->stop < r->start) return (r->start - r->stop - r->step - 1) / -r->step;
    return 0;
}

static int truth_range(Interp *I, Value *self) { return length_range(I, self) != 0; }

const ValueType type_range = {
    .name = "range", .repr = repr_range, .truth = truth_range, .length = length_range};

Value *val_range(Interp *I, int64_t start, int64_t stop, int64_t step) {
    RangeValue *r = (RangeValue *)val_alloc(I, &type_range, sizeof *r);
    if (!r) return NULL;
    r->start = start;
    r->stop = stop;
    r->step = step;
    return (Value *)r;
}

static void destroy_slice(Value *self) {
    SliceValue *s = (SliceValue *)self;
    val_release(s->start);
    val_release(s->stop);
    val_release(s->step);
}

static int repr_slice(Interp *I, Value *self, StrBuf *out) {
    SliceValue *s = (SliceValue *)self;
    sb_append(out, "slice(");
    int rc = val_repr(I, s->start, out);
    sb_append(out, ", ");
    if (!rc) rc = val_repr(I, s->stop, out);
    sb_append(out, ", ");
    if (!rc) rc = val_repr(I, s->step, out);
    sb_appendc(out, ')');
    return rc;
}

static void clear_slice(Value *self) {
    SliceValue *s = (SliceValue *)self;
    Value *start = s->start, *stop = s->stop, *step = s->step;
    s->start = s->stop = s->step = NULL;
    val_release(start);
    val_release(stop);
    val_release(step);
}

const ValueType type_slice = {
    .name = "slice", .destroy = destroy_slice, .clear = clear_slice, .repr = repr_slice};

Value *val_slice(Interp *I, Value *start, Value *stop, Value *step) {
    SliceValue *s = (SliceValue *)val_alloc(I, &type_slice, sizeof *s);
    if (!s) return NULL;
    s->start = val_retain(start ? start : I->none);
    s->stop = val_retain(stop ? stop : I->none);
    s->step = val_retain(step ? step : I->none);
    return (Value *)s;
}

static int repr_type(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    const ValueType *of = ((TypeValue *)self)->of;
    if (of->module) sb_appendf(out, "<class '%s.%s'>", of->module, of->name);
    else sb_appendf(out, "<class '%s'>", of->name);
    return 0;
}

static Value *call_type(Interp *I, Value *self, CallArgs *args) {
    TypeValue *t = (TypeValue *)self;
    if (t->instantiate) return t->instantiate(I, self, args);
    if (!t->construct) {
        interp_error(I, ERR_TYPE, "cannot create '%s' instances", t->of->name);
        return NULL;
    }
    return t->construct(I, args);
}

/* Attributes of a class object: its namespace (user classes, then their bases), its class
 * methods (nn.Embedding.from_pretrained), and __name__. */
static Value *getattr_type(Interp *I, Value *self, const char *name) {
    const ValueType *of = ((TypeValue *)self)->of;
    if (strcmp(name, "__name__") == 0 || strcmp(name, "__qualname__") == 0)
        return val_str(I, of->name);
    for (TypeValue *t = (TypeValue *)self; t; t = (TypeValue *)t->base_class) {
        if (!t->dict) continue;
        Value *v = val_dict_get_str(I, t->dict, name);
        if (v) return v->type->descr_get ? v->type->descr_get(I, v, NULL, self) : val_retain(v);
    }
    for (const ValueType *t = of; t; t = t->base) {
        const BuiltinSpec *spec = builtin_find(t->class_methods, name);
        if (spec) return builtin_new(I, spec, name, self);
    }
    return NULL;
}

/* User classes own their namespace and their base. */
static void clear_type(Value *self) {
    TypeValue *t = (TypeValue *)self;
    Value *dict = t->dict, *base = t->base_class;
    t->dict = t->base_class = NULL;
    val_release(dict);
    val_release(base);
}

/* A user class's instance type belongs to the interpreter (interp_adopt_class). */
static void destroy_type(Value *self) { clear_type(self); }

static int setattr_type(Interp *I, Value *self, const char *name, Value *value) {
    TypeValue *t = (TypeValue *)self;
    if (!t->dict)
        return interp_error(I, ERR_TYPE, "cannot set '%s' attribute of immutable type '%s'", name,
                            t->of->name);
    return val_dict_set_str(I, t->dict, name, value);
}

/* dir(cls): the names in a class's namespace and its ancestors'; a builtin type's methods. */
static int dir_type(Interp *I, Value *self, Value *names) {
    TypeValue *t = (TypeValue *)self;
    if (!t->dict) {
        for (const BuiltinSpec *m = t->of->methods; m && m->name; m++) {
            Value *s = val_str(I, m->name);
            if (!s || val_list_append_take(I, names, s)) return -1;
        }
        return 0;
    }
    for (TypeValue *c = t; c && c->dict; c = (TypeValue *)c->base_class) {
        DictValue *d = (DictValue *)c->dict;
        for (int64_t i = 0; i < d->used; i++)
            if (d->entries[i].key && val_list_append(I, names, d->entries[i].key)) return -1;
    }
    return 0;
}

const ValueType type_type = {.name = "type",
                             .dir = dir_type,
                             .destroy = destroy_type,
                             .clear = clear_type,
                             .repr = repr_type,
                             .call = call_type,
                             .getattr = getattr_type,
                             .setattr = setattr_type};

/* ---- protocols ---- */

int val_repr(Interp *I, Value *v, StrBuf *out) {
    if (I->interrupt_requested) return interp_error(I, ERR_INTERRUPT, "%s", "");
    if (v->type->repr) return v->type->repr(I, v, out);
    sb_appendf(out, "<%s object>", v->type->name);
    return 0;
}

int val_str_of(Interp *I, Value *v, StrBuf *out) {
    if (v->type->str) return v->type->str(I, v, out);
    return val_repr(I, v, out);
}

Value *val_repr_value(Interp *I, Value *v) {
    StrBuf sb = SB_INIT;
    if (val_repr(I, v, &sb)) {
        sb_free(&sb);
        return NULL;
    }
    return val_str_from_sb(I, &sb);
}

int val_truth(Interp *I, Value *v) {
    if (v->type->truth) return v->type->truth(I, v);
    if (v->type->length) {
        int64_t n = v->type->length(I, v);
        return n < 0 ? -1 : n != 0;
    }
    return 1;
}

static int sequence_equal(Interp *I, Value *a, Value *b) {
    ListValue *x = (ListValue *)a, *y = (ListValue *)b;
    if (x->count != y->count) return 0;
    for (int64_t i = 0; i < x->count; i++) {
        if (x->items[i] == y->items[i]) continue;
        int eq = val_equal(I, x->items[i], y->items[i]);
        if (eq <= 0) return eq;
    }
    return 1;
}

static int dict_equal(Interp *I, Value *a, Value *b) {
    DictValue *x = (DictValue *)a;
    if (x->count != ((DictValue *)b)->count) return 0;
    for (int64_t i = 0; i < x->used; i++) {
        if (!x->entries[i].key) continue;
        Value *other = val_dict_get(I, b, x->entries[i].key);
        if (!other) return interp_has_error(I) ? -1 : 0;
        int eq = val_equal(I, x->entries[i].value, other);
        if (eq <= 0) return eq;
    }
    return 1;
}

/* NumPy scalars (np.int64(3), np.float32(0.5)) compare and hash as the Python number they
 * hold, as in NumPy, so they work as dict keys and in `==` on containers. */
static bool np_scalar_number(Value *v, Value *tmp_storage[1], Interp *I) {
    if (!np_is_array(v) || v->type == &type_ndarray) return false;
    Tensor *t = np_tensor(v);
    tmp_storage[0] = dtype_is_floating(t->dtype) ? val_float(I, tensor_get(t, 0))
                                                 : val_int(I, tensor_get_int(t, 0));
    return tmp_storage[0] != NULL;
}

int val_equal(Interp *I, Value *a, Value *b) {
    if (a == b) return 1;
    Value *na = NULL, *nb = NULL;
    bool sa = np_scalar_number(a, &na, I), sb = np_scalar_number(b, &nb, I);
    if (sa || sb) {
        int r = val_equal(I, sa ? na : a, sb ? nb : b);
        val_release(na);
        val_release(nb);
        return r;
    }
    if (val_is_number(a) && val_is_number(b)) {
        if (val_is_int(a) && val_is_int(b)) return val_as_int(a) == val_as_int(b);
        return val_as_float(a) == val_as_float(b);
    }
    if (val_is_str(a) && val_is_str(b)) {
        StrValue *x = (StrValue *)a, *y = (StrValue *)b;
        return x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
    }
    bool a_tuple = val_is(a, &type_tuple) || val_is(a, &type_torch_size);
    bool b_tuple = val_is(b, &type_tuple) || val_is(b, &type_torch_size);
    if ((val_is(a, &type_list) && val_is(b, &type_list)) || (a_tuple && b_tuple))
        return sequence_equal(I, a, b);
    if (val_is_instance(a, &type_dict) && val_is_instance(b, &type_dict))
        return dict_equal(I, a, b);
    if (val_is(a, &type_range) && val_is(b, &type_range)) {
        RangeValue *x = (RangeValue *)a, *y = (RangeValue *)b;
        int64_t n = length_range(I, a);
        if (n != length_range(I, b)) return 0;
        if (n == 0) return 1;
        if (x->start != y->start) return 0;
        return n == 1 || x->step == y->step;
    }
    if (val_is(a, &type_type) && val_is(b, &type_type))
        return ((TypeValue *)a)->of == ((TypeValue *)b)->of;
    return 0;
}

/* Python's numeric hash: integers modulo the Mersenne prime 2^61 - 1, so that equal
 * numbers (1 == 1.0 == True) hash alike. */
#define HASH_MODULUS (((int64_t)1 << 61) - 1)

static int64_t hash_int(int64_t v) {
    int64_t h = v % HASH_MODULUS;
    if (v < 0 && h > 0) h -= HASH_MODULUS; /* C's % already truncates; keep Python's sign */
    return h == -1 ? -2 : h;
}

static int64_t hash_float(double d) {
    if (isnan(d)) return 0;
    if (isinf(d)) return d > 0 ? 314159 : -314159;
    if (d == floor(d) && fabs(d) < 9.2e18) return hash_int((int64_t)d);
    /* CPython's _Py_HashDouble: the value as a fraction reduced modulo 2**61 - 1. */
    int e;
    double m = frexp(d, &e);
    int sign = 1;
    if (m < 0) {
        sign = -1;
        m = -m;
    }
    const int bits = 61;
    uint64_t x = 0;
    while (m) {
        x = ((x << 28) & (uint64_t)HASH_MODULUS) | x >> (bits - 28);
        m *= 268435456.0;
        e -= 28;
        uint64_t y = (uint64_t)m;
        m -= (double)y;
        x += y;
        if (x >= (uint64_t)HASH_MODULUS) x -= (uint64_t)HASH_MODULUS;
    }
    e = e >= 0 ? e % bits : bits - 1 - ((-1 - e) % bits);
    x = ((x << e) & (uint64_t)HASH_MODULUS) | x >> (bits - e);
    int64_t h = (int64_t)x * sign;
    return h == -1 ? -2 : h;
}

static int64_t hash_bytes(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    int64_t r = (int64_t)(h >> 1);
    return r == -1 ? -2 : r;
}

int64_t val_hash(Interp *I, Value *v) {
    if (val_is_int(v)) return hash_int(val_as_int(v));
    if (val_is(v, &type_float)) return hash_float(val_as_float(v));
    if (val_is_str(v)) {
        StrValue *s = (StrValue *)v;
        if (s->hash == -1) s->hash = hash_bytes(s->data, s->len);
        return s->hash;
    }
    if (val_is(v, &type_tuple) || val_is(v, &type_torch_size)) {
        /* CPython 3.11's tuplehash (xxHash-style lanes). */
        const uint64_t prime1 = 11400714785074694791ULL, prime2 = 14029467366897019727ULL,
                       prime5 = 2870177450012600261ULL;
        ListValue *t = (ListValue *)v;
        uint64_t acc = prime5;
        for (int64_t i = 0; i < t->count; i++) {
            int64_t x = val_hash(I, t->items[i]);
            if (x == -1 && interp_has_error(I)) return -1;
            acc += (uint64_t)x * prime2;
            acc = (acc << 31) | (acc >> 33);
            acc *= prime1;
        }
        acc += (uint64_t)t->count ^ (prime5 ^ 3527539UL);
        return acc == (uint64_t)-1 ? 1546275796 : (int64_t)acc;
    }
    if (val_is(v, &type_list) || val_is_instance(v, &type_dict) || val_is(v, &type_slice) ||
        strcmp(v->type->name, "set") == 0) {
        interp_error(I, ERR_TYPE, "unhashable type: '%s'", v->type->name);
        return -1;
    }
    Value *num = NULL;
    if (np_scalar_number(v, &num, I)) {
        int64_t h = val_hash(I, num);
        val_release(num);
        return h;
    }
    /* Identity hash for everything else (None, functions, modules, tensors, ...). */
    return (int64_t)(((uintptr_t)v >> 4) & (uintptr_t)HASH_MODULUS);
}
