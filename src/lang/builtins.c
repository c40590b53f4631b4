/*
 * src/lang/builtins.c — Python's builtin functions and the builtin type objects.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/builtins.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "lang/classes.h"
#include "lang/eval.h"
#include "lang/exceptions.h"
#include "lang/format.h"
#include "lang/interp.h"
#include "lang/methods.h"
#include "lang/module.h"
#include "lang/ops.h"
#include "lang/set.h"
#include "lang/textfile.h"
#include "lang/torch_value.h"
#include "lang/unicode.h"

/* ---- conversions ---- */

/* Parses a Python int literal string (whitespace, sign, underscores) in `base`. */
static int parse_int_text(Interp *I, const char *text, size_t len, int64_t base, int64_t *out) {
    const char *s = text, *end = text + len;
    while (s < end && isspace((unsigned char)*s)) s++;
    while (end > s && isspace((unsigned char)end[-1])) end--;
    bool negative = false;
    if (s < end && (*s == '+' || *s == '-')) negative = *s++ == '-';
    if (base == 0 || base == 16 || base == 8 || base == 2) {
        if (end - s >= 2 && s[0] == '0') {
            char p = (char)tolower((unsigned char)s[1]);
            int64_t prefixed = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
            if (prefixed && (base == 0 || base == prefixed)) {
                base = prefixed;
                s += 2;
                if (s < end && *s == '_') s++;
            }
        }
        if (base == 0) base = 10;
    }
    uint64_t value = 0;
    bool any = false, overflow = false, last_underscore = false;
    for (; s < end; s++) {
        if (*s == '_' && any && !last_underscore) {
            last_underscore = true;
            continue;
        }
        int d = isdigit((unsigned char)*s) ? *s - '0'
                : isalpha((unsigned char)*s) ? tolower((unsigned char)*s) - 'a' + 10 : 99;
        if (d >= base) {
            any = false;
            break;
        }
        if (value > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) overflow = true;
        value = value * (uint64_t)base + (uint64_t)d;
        any = true;
        last_underscore = false;
    }
    if (!any || last_underscore || s != end) {
        StrBuf sb = SB_INIT;
        Value *lit = val_strn(I, text, len);
        if (lit) val_repr(I, lit, &sb);
        val_release(lit);
        interp_error(I, ERR_VALUE, "invalid literal for int() with base %lld: %s",
                     (long long)base, sb_str(&sb));
        sb_free(&sb);
        return -1;
    }
    if (overflow || value > (uint64_t)INT64_MAX + (negative ? 1 : 0))
        return interp_error(I, ERR_OVERFLOW, "int too large for embedlab (64-bit)");
    *out = negative ? (int64_t)(0 - value) : (int64_t)value;
    return 0;
}

static int float_to_int(Interp *I, double d, int64_t *out) {
    if (isnan(d)) return interp_error(I, ERR_VALUE, "cannot convert float NaN to integer");
    if (isinf(d)) return interp_error(I, ERR_OVERFLOW, "cannot convert float infinity to integer");
    double t = trunc(d);
    if (t >= 9223372036854775808.0 || t < -9223372036854775808.0)
        return interp_error(I, ERR_OVERFLOW, "int too large for embedlab (64-bit)");
    *out = (int64_t)t;
    return 0;
}

int builtins_to_int(Interp *I, Value *v, int64_t *out) {
    if (val_is_int(v)) {
        *out = val_as_int(v);
        return 0;
    }
    if (val_is(v, &type_float)) return float_to_int(I, val_as_float(v), out);
    if (val_is_str(v)) return parse_int_text(I, val_str_data(v), val_str_len(v), 10, out);
    if (v->type->as_number) {
        double f;
        bool is_int;
        if (v->type->as_number(I, v, out, &f, &is_int)) return -1;
        return is_int ? 0 : float_to_int(I, f, out);
    }
    return interp_error(I, ERR_TYPE,
                        "int() argument must be a string, a bytes-like object or a real number, "
                        "not '%s'",
                        val_type_name(v));
}

int builtins_to_float(Interp *I, Value *v, double *out) {
    if (val_is_number(v)) {
        *out = val_as_float(v);
        return 0;
    }
    if (val_is_str(v)) {
        const char *s = val_str_data(v);
        char buf[512];
        size_t n = 0;
        while (isspace((unsigned char)*s)) s++;
        for (; *s && n < sizeof buf - 1; s++)
            if (*s != '_') buf[n++] = *s;
        while (n && isspace((unsigned char)buf[n - 1])) n--;
        buf[n] = '\0';
        char *end;
        errno = 0;
        double d = strtod(buf, &end);
        bool hex = strchr(buf, 'x') || strchr(buf, 'X');
        if (n == 0 || *end || hex) {
            StrBuf sb = SB_INIT;
            val_repr(I, v, &sb);
            interp_error(I, ERR_VALUE, "could not convert string to float: %s", sb_str(&sb));
            sb_free(&sb);
            return -1;
        }
        *out = d;
        return 0;
    }
    if (v->type->as_number) {
        int64_t i;
        bool is_int;
        if (v->type->as_number(I, v, &i, out, &is_int)) return -1;
        if (is_int) *out = (double)i;
        return 0;
    }
    return interp_error(I, ERR_TYPE,
                        "float() argument must be a string or a real number, not '%s'",
                        val_type_name(v));
}

/* ---- type objects ---- */

typedef struct TypeEntry {
    const ValueType *type;
    Value *(*construct)(Interp *I, CallArgs *args);
} TypeEntry;

static Value *type_key(Interp *I, const ValueType *type) {
    return val_int(I, (int64_t)(uintptr_t)type);
}

Value *builtins_type_value(Interp *I, const ValueType *type) {
    if (type->heap_class) return val_retain(type->heap_class); /* a user class */
    if (!I->type_values && !(I->type_values = val_dict_new(I))) return NULL;
    Value *key = type_key(I, type);
    if (!key) return NULL;
    Value *found = val_dict_get(I, I->type_values, key);
    if (found) {
        val_release(key);
        return val_retain(found);
    }
    TypeValue *t = (TypeValue *)val_alloc(I, &type_type, sizeof *t);
    if (!t || val_dict_set(I, I->type_values, key, (Value *)t)) {
        val_release(key);
        val_release((Value *)t);
        return NULL;
    }
    t->of = type;
    val_release(key);
    return (Value *)t;
}

int builtins_set_constructor(Interp *I, const ValueType *type,
                             Value *(*construct)(Interp *I, CallArgs *args)) {
    Value *t = builtins_type_value(I, type);
    if (!t) return -1;
    ((TypeValue *)t)->construct = construct;
    val_release(t);
    return 0;
}

/* Binds a constructor call against a signature text; argv must hold SIG_MAX_PARAMS. */
static int bind_static(Interp *I, const BuiltinSpec *spec, CallArgs *args, Value **argv,
                       Signature **sig) {
    *sig = builtin_signature(I, spec);
    if (!*sig) return -1;
    return sig_bind(I, *sig, spec->name, args, argv);
}

static Value *construct_int(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"int", NULL, "(x=0, /, base=?)", NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind_static(I, &spec, args, argv, &sig)) return NULL;
    int64_t v = 0;
    int rc;
    if (argv[1]) {
        if (!val_is_str(argv[0])) {
            rc = interp_error(I, ERR_TYPE, "int() can't convert non-string with explicit base");
        } else {
            int64_t base = val_as_int(argv[1]);
            if (base != 0 && (base < 2 || base > 36))
                rc = interp_error(I, ERR_VALUE, "int() base must be >= 2 and <= 36, or 0");
            else
                rc = parse_int_text(I, val_str_data(argv[0]), val_str_len(argv[0]), base, &v);
        }
    } else {
        rc = builtins_to_int(I, argv[0], &v);
    }
    sig_release_bound(sig, argv);
    return rc ? NULL : val_int(I, v);
}

static Value *construct_float(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"float", NULL, "(x=0.0, /)", NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind_static(I, &spec, args, argv, &sig)) return NULL;
    double d;
    int rc = builtins_to_float(I, argv[0], &d);
    sig_release_bound(sig, argv);
    return rc ? NULL : val_float(I, d);
}

static Value *construct_str(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"str", NULL, "(object='')", NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind_static(I, &spec, args, argv, &sig)) return NULL;
    StrBuf sb = SB_INIT;
    int rc = val_str_of(I, argv[0], &sb);
    sig_release_bound(sig, argv);
    if (rc) {
        sb_free(&sb);
        return NULL;
    }
    return val_str_from_sb(I, &sb);
}

static Value *construct_bool(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"bool", NULL, "(x=False, /)", NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind_static(I, &spec, args, argv, &sig)) return NULL;
    int t = val_truth(I, argv[0]);
    sig_release_bound(sig, argv);
    return t < 0 ? NULL : val_bool(I, t);
}

static Value *construct_sequence(Interp *I, CallArgs *args, bool tuple) {
    static const BuiltinSpec list_spec = {"list", NULL, "(iterable=(), /)", NULL};
    static const BuiltinSpec tuple_spec = {"tuple", NULL, "(iterable=(), /)", NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind_static(I, tuple ? &tuple_spec : &list_spec, args, argv, &sig)) return NULL;
    Value *list = op_to_list(I, argv[0]);
    sig_release_bound(sig, argv);
    if (!list || !tuple) return list;
    ListValue *l = (ListValue *)list;
    Value *t = val_tuple_new(I, l->count);
    if (t)
        for (int64_t i = 0; i < l->count; i++) ((ListValue *)t)->items[i] = val_retain(l->items[i]);
    val_release(list);
    return t;
}
static Value *construct_list(Interp *I, CallArgs *args) { return construct_sequence(I, args, false); }
static Value *construct_tuple(Interp *I, CallArgs *args) { return construct_sequence(I, args, true); }

static Value *construct_dict(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"dict", NULL, "(other=None, /, **kwargs)", NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind_static(I, &spec, args, argv, &sig)) return NULL;
    Value *d = val_dict_new(I);
    if (d && methods_dict_update(I, d, argv[0], argv[1])) {
        val_release(d);
        d = NULL;
    }
    sig_release_bound(sig, argv);
    return d;
}

static int64_t need_int_arg(Interp *I, Value *v, bool *failed) {
    int64_t out = 0;
    if (op_index_value(I, v, &out)) {
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(v));
        *failed = true;
    }
    return out;
}

static Value *construct_range(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"range", NULL, "(start, stop=?, step=?, /)", NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (args->nargs == 0) {
        interp_error(I, ERR_TYPE, "range expected at least 1 argument, got 0");
        return NULL;
    }
    if (args->nkw) {
        interp_error(I, ERR_TYPE, "range() takes no keyword arguments");
        return NULL;
    }
    if (args->nargs > 3) {
        interp_error(I, ERR_TYPE, "range expected at most 3 arguments, got %lld",
                     (long long)args->nargs);
        return NULL;
    }
    if (bind_static(I, &spec, args, argv, &sig)) return NULL;
    bool failed = false;
    int64_t start = 0, stop, step = 1;
    if (argv[1]) {
        start = need_int_arg(I, argv[0], &failed);
        stop = failed ? 0 : need_int_arg(I, argv[1], &failed);
        if (argv[2] && !failed) step = need_int_arg(I, argv[2], &failed);
    } else {
        stop = need_int_arg(I, argv[0], &failed);
    }
    sig_release_bound(sig, argv);
    if (failed) return NULL;
    if (step == 0) {
        interp_error(I, ERR_VALUE, "range() arg 3 must not be zero");
        return NULL;
    }
    return val_range(I, start, stop, step);
}

static Value *construct_type(Interp *I, CallArgs *args) {
    if (args->nargs != 1 || args->nkw) {
        interp_error(I, ERR_TYPE, "type() takes 1 argument");
        return NULL;
    }
    return builtins_type_value(I, args->args[0]->type);
}

static Value *construct_slice(Interp *I, CallArgs *args) {
    if (args->nargs < 1 || args->nargs > 3 || args->nkw) {
        interp_error(I, ERR_TYPE, "slice expected at least 1 argument, got %lld",
                     (long long)args->nargs);
        return NULL;
    }
    if (args->nargs == 1) return val_slice(I, NULL, args->args[0], NULL);
    return val_slice(I, args->args[0], args->args[1], args->nargs == 3 ? args->args[2] : NULL);
}

static Value *construct_object(Interp *I, CallArgs *args) {
    if (args->nargs || args->nkw) {
        interp_error(I, ERR_TYPE, "object() takes no arguments");
        return NULL;
    }
    return val_alloc(I, &type_object, sizeof(Value));
}

static const TypeEntry builtin_types[] = {
    {&type_int, construct_int},     {&type_float, construct_float}, {&type_str, construct_str},
    {&type_bool, construct_bool},   {&type_list, construct_list},   {&type_tuple, construct_tuple},
    {&type_dict, construct_dict},   {&type_range, construct_range}, {&type_type, construct_type},
    {&type_slice, construct_slice}, {&type_object, construct_object},
    {&type_set, set_construct},     {&type_property, property_construct},
    {&type_staticmethod, staticmethod_construct},
    {&type_classmethod, classmethod_construct},
    {NULL, NULL},
};

/* ---- output ---- */

static Value *bi_print(Interp *I, Value *self, Value **argv) {
    (void)self;
    ListValue *args = (ListValue *)argv[0];
    Value *sep = argv[1], *end = argv[2], *file = argv[3];
    if (!val_is_none(sep) && !val_is_str(sep)) {
        interp_error(I, ERR_TYPE, "sep must be None or a string, not %s", val_type_name(sep));
        return NULL;
    }
    if (!val_is_none(end) && !val_is_str(end)) {
        interp_error(I, ERR_TYPE, "end must be None or a string, not %s", val_type_name(end));
        return NULL;
    }
    int stream = 1;
    if (!val_is_none(file)) {
        if (val_is_str(file) && strcmp(val_str_data(file), "<stderr>") == 0) stream = 2;
        else {
            interp_error(I, ERR_NOT_IMPLEMENTED, "print(file=...) is not supported by embedlab");
            return NULL;
        }
    }
    StrBuf sb = SB_INIT;
    for (int64_t i = 0; i < args->count; i++) {
        if (i) {
            if (val_is_none(sep)) sb_appendc(&sb, ' ');
            else sb_appendn(&sb, val_str_data(sep), val_str_len(sep));
        }
        if (val_str_of(I, args->items[i], &sb)) {
            sb_free(&sb);
            return NULL;
        }
    }
    if (val_is_none(end)) sb_appendc(&sb, '\n');
    else sb_appendn(&sb, val_str_data(end), val_str_len(end));
    if (sb_check(&sb, &I->error)) {
        sb_free(&sb);
        return NULL;
    }
    interp_write(I, stream, sb_str(&sb), sb.len);
    sb_free(&sb);
    return val_none(I);
}

/* ---- simple functions ---- */

static Value *bi_len(Interp *I, Value *self, Value **argv) {
    (void)self;
    int64_t n = op_len(I, argv[0]);
    return n < 0 ? NULL : val_int(I, n);
}

static Value *bi_repr(Interp *I, Value *self, Value **argv) {
    (void)self;
    return val_repr_value(I, argv[0]);
}

static Value *bi_abs(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *v = argv[0];
    if (val_is_int(v)) {
        int64_t x = val_as_int(v);
        if (x == INT64_MIN) {
            interp_error(I, ERR_OVERFLOW, "integer result does not fit in 64 bits");
            return NULL;
        }
        return val_int(I, x < 0 ? -x : x);
    }
    if (val_is(v, &type_float)) return val_float(I, fabs(val_as_float(v)));
    /* Python's protocol is __abs__ (user classes, NumPy arrays); tensors spell it abs. */
    Value *method = op_getattr_opt(I, v, val_is_tensor(v) ? "abs" : "__abs__");
    if (method) {
        Value *r = call_value(I, method, NULL, 0);
        val_release(method);
        return r;
    }
    if (!interp_has_error(I))
        interp_error(I, ERR_TYPE, "bad operand type for abs(): '%s'", val_type_name(v));
    return NULL;
}

static Value *bi_round(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *v = argv[0], *nd = argv[1];
    if (val_is_int(v)) {
        if (val_is_none(nd) || val_as_int(nd) >= 0) return val_int(I, val_as_int(v));
        int64_t p = 1;
        for (int64_t i = 0; i < -val_as_int(nd) && p < INT64_MAX / 10; i++) p *= 10;
        int64_t x = val_as_int(v), q = x / p, r = x % p;
        if (r < 0) r += p, q--;
        if (2 * r > p || (2 * r == p && (q & 1))) q++;
        return val_int(I, q * p);
    }
    double d;
    if (val_is(v, &type_float)) {
        d = val_as_float(v);
    } else {
        Value *method = op_getattr_opt(I, v, "round");
        if (method) {
            Value *r = val_is_none(nd) ? call_value(I, method, NULL, 0)
                                       : call_value(I, method, &nd, 1);
            val_release(method);
            return r;
        }
        if (!interp_has_error(I))
            interp_error(I, ERR_TYPE, "type %s doesn't define __round__ method", val_type_name(v));
        return NULL;
    }
    if (val_is_none(nd)) {
        int64_t out;
        if (float_to_int(I, nearbyint(d), &out)) return NULL;
        return val_int(I, out);
    }
    if (!val_is_int(nd)) {
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(nd));
        return NULL;
    }
    int64_t n = val_as_int(nd);
    if (!isfinite(d) || n > 300) return val_float(I, d);
    if (n < -308) return val_float(I, 0.0 * d);
    char buf[400];
    if (n >= 0) {
        snprintf(buf, sizeof buf, "%.*f", (int)n, d); /* correctly rounded, half-even */
        return val_float(I, strtod(buf, NULL));
    }
    double p = pow(10.0, (double)-n);
    double y = nearbyint(d / p) * p;
    return val_float(I, y);
}

/* isinstance/issubclass: does t derive from cls, or from one class of a tuple cls? 1/0, or
 * -1 with TypeError `arg_error` when cls holds something that is not a class. */
static int derives_from_any(Interp *I, const ValueType *t, Value *cls, const char *arg_error) {
    Value **options = &cls;
    int64_t count = 1;
    if (val_is(cls, &type_tuple)) {
        options = ((ListValue *)cls)->items;
        count = ((ListValue *)cls)->count;
    }
    for (int64_t i = 0; i < count; i++) {
        if (!val_is(options[i], &type_type)) return interp_error(I, ERR_TYPE, "%s", arg_error);
        if (val_type_derives(t, ((TypeValue *)options[i])->of)) return 1;
    }
    return 0;
}

static Value *bi_isinstance(Interp *I, Value *self, Value **argv) {
    (void)self;
    int r = derives_from_any(I, argv[0]->type, argv[1],
                             "isinstance() arg 2 must be a type, a tuple of types, or a union");
    return r < 0 ? NULL : val_bool(I, r);
}

static Value *bi_issubclass(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is(argv[0], &type_type)) {
        interp_error(I, ERR_TYPE, "issubclass() arg 1 must be a class");
        return NULL;
    }
    int r = derives_from_any(I, ((TypeValue *)argv[0])->of, argv[1],
                             "issubclass() arg 2 must be a class, a tuple of classes, or a union");
    return r < 0 ? NULL : val_bool(I, r);
}

static Value *bi_hash(Interp *I, Value *self, Value **argv) {
    (void)self;
    int64_t h = val_hash(I, argv[0]);
    if (h == -1 && interp_has_error(I)) return NULL;
    return val_int(I, h);
}

static Value *bi_id(Interp *I, Value *self, Value **argv) {
    (void)self;
    return val_int(I, (int64_t)(uintptr_t)argv[0]);
}

static Value *bi_callable(Interp *I, Value *self, Value **argv) {
    (void)self;
    return val_bool(I, argv[0]->type->call != NULL);
}

static Value *bi_chr(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is_int(argv[0])) {
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(argv[0]));
        return NULL;
    }
    int64_t cp = val_as_int(argv[0]);
    if (cp < 0 || cp > 0x10FFFF) {
        interp_error(I, ERR_VALUE, "chr() arg not in range(0x110000)");
        return NULL;
    }
    char buf[4];
    int n = utf8_encode((uint32_t)cp, buf);
    return val_strn(I, buf, (size_t)n);
}

static Value *bi_ord(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is_str(argv[0])) {
        interp_error(I, ERR_TYPE, "ord() expected string of length 1, but %s found",
                     val_type_name(argv[0]));
        return NULL;
    }
    StrValue *s = (StrValue *)argv[0];
    if (s->nchars != 1) {
        interp_error(I, ERR_TYPE, "ord() expected a character, but string of length %zu found",
                     s->nchars);
        return NULL;
    }
    size_t used;
    return val_int(I, utf8_decode(s->data, s->len, &used));
}

static Value *bi_divmod(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *q = op_binary(I, PYOP_FLOORDIV, argv[0], argv[1]);
    Value *r = q ? op_binary(I, PYOP_MOD, argv[0], argv[1]) : NULL;
    Value *t = r ? val_tuple_new(I, 2) : NULL;
    if (!t) {
        val_release(q);
        val_release(r);
        return NULL;
    }
    ((ListValue *)t)->items[0] = q;
    ((ListValue *)t)->items[1] = r;
    return t;
}

static Value *bi_pow(Interp *I, Value *self, Value **argv) {
    (void)self;
    return op_binary(I, PYOP_POW, argv[0], argv[1]);
}

static Value *bi_format(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is_str(argv[1])) {
        interp_error(I, ERR_TYPE, "format() argument 2 must be str, not %s",
                     val_type_name(argv[1]));
        return NULL;
    }
    StrBuf sb = SB_INIT;
    if (format_value(I, argv[0], val_str_data(argv[1]), &sb)) {
        sb_free(&sb);
        return NULL;
    }
    return val_str_from_sb(I, &sb);
}

/* ---- attributes ---- */

static int need_name(Interp *I, Value *v, const char *fn) {
    if (val_is_str(v)) return 0;
    return interp_error(I, ERR_TYPE, "%s(): attribute name must be string", fn);
}

static Value *bi_getattr(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (need_name(I, argv[1], "getattr")) return NULL;
    if (argv[2]) {
        Value *v = op_getattr_opt(I, argv[0], val_str_data(argv[1]));
        if (v || interp_has_error(I)) return v;
        return val_retain(argv[2]);
    }
    return op_getattr(I, argv[0], val_str_data(argv[1]));
}

static Value *bi_setattr(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (need_name(I, argv[1], "setattr")) return NULL;
    if (op_setattr(I, argv[0], val_str_data(argv[1]), argv[2])) return NULL;
    return val_none(I);
}

static Value *bi_hasattr(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (need_name(I, argv[1], "hasattr")) return NULL;
    Value *v = op_getattr_opt(I, argv[0], val_str_data(argv[1]));
    if (!v && interp_has_error(I)) {
        if (I->error.code != ERR_ATTRIBUTE) return NULL;
        interp_clear_error(I);
    }
    bool has = v != NULL;
    val_release(v);
    return val_bool(I, has);
}

/* ---- iteration ---- */

typedef struct IterValue { /* enumerate, zip, map, filter, reversed */
    Value base;
    int kind;
    Value *source[8]; /* iterators (or the function for map/filter in slot 7) */
    int nsource;
    int64_t counter;
    Value *fn;
} IterValue;

enum { ITER_ENUMERATE, ITER_ZIP, ITER_MAP, ITER_FILTER, ITER_REVERSED };

static void destroy_iter(Value *self) {
    IterValue *it = (IterValue *)self;
    for (int i = 0; i < it->nsource; i++) val_release(it->source[i]);
    val_release(it->fn);
}

static void clear_iter(Value *self) {
    IterValue *it = (IterValue *)self;
    Value *held[9];
    int n = 0;
    for (int i = 0; i < it->nsource; i++) held[n++] = it->source[i];
    if (it->fn) held[n++] = it->fn;
    it->nsource = 0;
    it->fn = NULL;
    for (int i = 0; i < n; i++) val_release(held[i]);
}

static Value *iter_identity(Interp *I, Value *self) {
    (void)I;
    return val_retain(self);
}

static Value *pack_pair(Interp *I, Value *a, Value *b) {
    Value *t = val_tuple_new(I, 2);
    if (!t) {
        val_release(a);
        val_release(b);
        return NULL;
    }
    ((ListValue *)t)->items[0] = a;
    ((ListValue *)t)->items[1] = b;
    return t;
}

static Value *next_iter(Interp *I, Value *self) {
    IterValue *it = (IterValue *)self;
    switch (it->kind) {
    case ITER_ENUMERATE: {
        Value *x = op_next(I, it->source[0]);
        if (!x) return NULL;
        Value *k = val_int(I, it->counter++);
        return k ? pack_pair(I, k, x) : (val_release(x), NULL);
    }
    case ITER_ZIP: {
        if (it->nsource == 0) return NULL;
        Value *t = val_tuple_new(I, it->nsource);
        if (!t) return NULL;
        for (int i = 0; i < it->nsource; i++) {
            Value *x = op_next(I, it->source[i]);
            if (!x) {
                val_release(t); /* unset slots are NULL: safe to release */
                return NULL;
            }
            ((ListValue *)t)->items[i] = x;
        }
        return t;
    }
    case ITER_MAP: {
        Value *args[8];
        for (int i = 0; i < it->nsource; i++) {
            args[i] = op_next(I, it->source[i]);
            if (!args[i]) {
                for (int j = 0; j < i; j++) val_release(args[j]);
                return NULL;
            }
        }
        Value *r = call_value(I, it->fn, args, it->nsource);
        for (int i = 0; i < it->nsource; i++) val_release(args[i]);
        return r;
    }
    case ITER_FILTER:
        for (;;) {
            Value *x = op_next(I, it->source[0]);
            if (!x) return NULL;
            int keep;
            if (val_is_none(it->fn)) {
                keep = val_truth(I, x);
            } else {
                Value *r = call_value(I, it->fn, &x, 1);
                keep = r ? val_truth(I, r) : -1;
                val_release(r);
            }
            if (keep > 0) return x;
            val_release(x);
            if (keep < 0) return NULL;
        }
    case ITER_REVERSED: {
        ListValue *l = (ListValue *)it->source[0];
        if (it->counter <= 0 || it->counter > l->count) return NULL;
        return val_retain(l->items[--it->counter]);
    }
    }
    return NULL;
}

static const char *const iter_names[] = {"enumerate", "zip", "map", "filter", "list_reverseiterator"};

static int repr_iter(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<%s object>", iter_names[((IterValue *)self)->kind]);
    return 0;
}

static const ValueType type_iter = {.name = "iterator",
                                    .destroy = destroy_iter,
                                    .clear = clear_iter,
                                    .repr = repr_iter,
                                    .iter = iter_identity,
                                    .next = next_iter};

static IterValue *new_iter(Interp *I, int kind) {
    IterValue *it = (IterValue *)val_alloc(I, &type_iter, sizeof *it);
    if (it) it->kind = kind;
    return it;
}

static Value *bi_enumerate(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is_int(argv[1])) {
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(argv[1]));
        return NULL;
    }
    Value *src = op_iter(I, argv[0]);
    if (!src) return NULL;
    IterValue *it = new_iter(I, ITER_ENUMERATE);
    if (!it) {
        val_release(src);
        return NULL;
    }
    it->source[0] = src;
    it->nsource = 1;
    it->counter = val_as_int(argv[1]);
    return (Value *)it;
}

static Value *collect_iters(Interp *I, IterValue *it, ListValue *iterables, const char *fn) {
    if (iterables->count > 7) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "%s() of more than 7 iterables is not supported", fn);
        val_release((Value *)it);
        return NULL;
    }
    for (int64_t i = 0; i < iterables->count; i++) {
        Value *src = op_iter(I, iterables->items[i]);
        if (!src) {
            if (I->error.code == ERR_TYPE && strcmp(fn, "zip") == 0) {
                interp_clear_error(I);
                interp_error(I, ERR_TYPE, "'%s' object is not iterable",
                             val_type_name(iterables->items[i]));
            }
            val_release((Value *)it);
            return NULL;
        }
        it->source[it->nsource++] = src;
    }
    return (Value *)it;
}

static Value *bi_zip(Interp *I, Value *self, Value **argv) {
    (void)self;
    IterValue *it = new_iter(I, ITER_ZIP);
    return it ? collect_iters(I, it, (ListValue *)argv[0], "zip") : NULL;
}

static Value *bi_map(Interp *I, Value *self, Value **argv) {
    (void)self;
    IterValue *it = new_iter(I, ITER_MAP);
    if (!it) return NULL;
    it->fn = val_retain(argv[0]);
    if (((ListValue *)argv[1])->count == 0) {
        interp_error(I, ERR_TYPE, "map() must have at least two arguments.");
        val_release((Value *)it);
        return NULL;
    }
    return collect_iters(I, it, (ListValue *)argv[1], "map");
}

static Value *bi_filter(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *src = op_iter(I, argv[1]);
    if (!src) return NULL;
    IterValue *it = new_iter(I, ITER_FILTER);
    if (!it) {
        val_release(src);
        return NULL;
    }
    it->fn = val_retain(argv[0]);
    it->source[0] = src;
    it->nsource = 1;
    return (Value *)it;
}

static Value *bi_reversed(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *v = argv[0];
    if (val_is(v, &type_dict) || !(val_is_sequence(v) || val_is_str(v) || val_is(v, &type_range))) {
        interp_error(I, ERR_TYPE, "'%s' object is not reversible", val_type_name(v));
        return NULL;
    }
    Value *items = op_to_list(I, v);
    if (!items) return NULL;
    IterValue *it = new_iter(I, ITER_REVERSED);
    if (!it) {
        val_release(items);
        return NULL;
    }
    it->source[0] = items;
    it->nsource = 1;
    it->counter = ((ListValue *)items)->count;
    return (Value *)it;
}

static Value *bi_iter(Interp *I, Value *self, Value **argv) {
    (void)self;
    return op_iter(I, argv[0]);
}

static Value *bi_next(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *x = op_next(I, argv[0]);
    if (x || interp_has_error(I)) return x;
    if (argv[1]) return val_retain(argv[1]);
    interp_error(I, ERR_STOP_ITERATION, "%s", "");
    return NULL;
}

static Value *bi_sorted(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *list = op_to_list(I, argv[0]);
    if (!list) return NULL;
    int reverse = val_truth(I, argv[2]);
    if (reverse < 0 || methods_sort_list(I, list, argv[1], reverse)) {
        val_release(list);
        return NULL;
    }
    return list;
}

static Value *bi_sum(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (val_is_str(argv[1])) {
        interp_error(I, ERR_TYPE, "sum() can't sum strings [use ''.join(seq) instead]");
        return NULL;
    }
    Value *it = op_iter(I, argv[0]);
    if (!it) return NULL;
    Value *total = val_retain(argv[1]);
    for (;;) {
        Value *x = op_next(I, it);
        if (!x) break;
        Value *next = op_binary(I, PYOP_ADD, total, x);
        val_release(x);
        val_release(total);
        total = next;
        if (!total) break;
    }
    val_release(it);
    if (interp_has_error(I)) {
        val_release(total);
        return NULL;
    }
    return total;
}

/* min/max over *args or one iterable, with key= and default=. */
static Value *extremum(Interp *I, Value **argv, bool want_max, const char *name) {
    ListValue *args = (ListValue *)argv[0];
    Value *key = argv[1], *dflt = argv[2];
    Value *source;
    if (args->count == 0) {
        interp_error(I, ERR_TYPE, "%s expected at least 1 argument, got 0", name);
        return NULL;
    }
    if (args->count == 1) {
        source = op_to_list(I, args->items[0]);
        if (!source) return NULL;
    } else {
        if (dflt) {
            interp_error(I, ERR_TYPE, "Cannot specify a default for %s() with multiple positional "
                                      "arguments",
                         name);
            return NULL;
        }
        source = val_retain(argv[0]);
    }
    ListValue *items = (ListValue *)source;
    if (items->count == 0) {
        val_release(source);
        if (dflt) return val_retain(dflt);
        interp_error(I, ERR_VALUE, "%s() arg is an empty sequence", name);
        return NULL;
    }
    Value *best = NULL, *best_key = NULL;
    for (int64_t i = 0; i < items->count; i++) {
        Value *x = items->items[i];
        Value *k = val_is_none(key) ? val_retain(x) : call_value(I, key, &x, 1);
        if (!k) goto fail;
        if (!best) {
            best = x;
            best_key = k;
            continue;
        }
        Value *better = op_compare(I, want_max ? PYCMP_GT : PYCMP_LT, k, best_key);
        int t = better ? val_truth(I, better) : -1;
        val_release(better);
        if (t < 0) {
            val_release(k);
            goto fail;
        }
        if (t) {
            val_release(best_key);
            best = x;
            best_key = k;
        } else {
            val_release(k);
        }
    }
    val_retain(best);
    val_release(best_key);
    val_release(source);
    return best;
fail:
    val_release(best_key);
    val_release(source);
    return NULL;
}

static Value *bi_max(Interp *I, Value *self, Value **argv) {
    (void)self;
    return extremum(I, argv, true, "max");
}
static Value *bi_min(Interp *I, Value *self, Value **argv) {
    (void)self;
    return extremum(I, argv, false, "min");
}

static Value *all_any(Interp *I, Value *iterable, bool want_all) {
    Value *it = op_iter(I, iterable);
    if (!it) return NULL;
    bool result = want_all;
    for (;;) {
        Value *x = op_next(I, it);
        if (!x) break;
        int t = val_truth(I, x);
        val_release(x);
        if (t < 0) break;
        if (want_all ? !t : t) {
            result = !want_all;
            break;
        }
    }
    val_release(it);
    return interp_has_error(I) ? NULL : val_bool(I, result);
}
static Value *bi_all(Interp *I, Value *self, Value **argv) {
    (void)self;
    return all_any(I, argv[0], true);
}
static Value *bi_any(Interp *I, Value *self, Value **argv) {
    (void)self;
    return all_any(I, argv[0], false);
}

/* ---- introspection ---- */

static int compare_str_values(const void *a, const void *b) {
    Value *x = *(Value *const *)a, *y = *(Value *const *)b;
    return strcmp(val_str_data(x), val_str_data(y));
}

/* The sorted, de-duplicated attribute names of v (dir(v)). */
static Value *names_of(Interp *I, Value *v) {
    Value *names = val_list_new(I, 32);
    if (!names) return NULL;
    if (v->type->dir && v->type->dir(I, v, names)) {
        val_release(names);
        return NULL;
    }
    for (const BuiltinSpec *m = v->type->methods; m && m->name; m++) {
        Value *s = val_str(I, m->name);
        if (!s || val_list_append_take(I, names, s)) {
            val_release(names);
            return NULL;
        }
    }
    ListValue *l = (ListValue *)names;
    qsort(l->items, (size_t)l->count, sizeof *l->items, compare_str_values);
    int64_t w = 0;
    for (int64_t i = 0; i < l->count; i++) {
        if (w > 0 && strcmp(val_str_data(l->items[w - 1]), val_str_data(l->items[i])) == 0) {
            val_release(l->items[i]);
            continue;
        }
        l->items[w++] = l->items[i];
    }
    l->count = w;
    return names;
}

static Value *bi_vars(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!argv[0]) {
        Value *scope = I->current_scope ? I->current_scope(I) : NULL;
        return scope ? val_retain(scope) : val_dict_new(I);
    }
    Value *d = op_getattr_opt(I, argv[0], "__dict__");
    if (!d && !interp_has_error(I))
        interp_error(I, ERR_TYPE, "vars() argument must have __dict__ attribute");
    return d;
}

static Value *bi_dir(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (argv[0]) return names_of(I, argv[0]);
    Value *scope = I->current_scope ? I->current_scope(I) : NULL;
    if (!scope) return val_list_new(I, 0);
    Value *keys = op_to_list(I, scope);
    if (!keys) return NULL;
    ListValue *l = (ListValue *)keys;
    qsort(l->items, (size_t)l->count, sizeof *l->items, compare_str_values);
    return keys;
}

/* Appends "name(signature)\n    doc\n" for a builtin. */
static void describe_builtin(const BuiltinValue *b, StrBuf *out) {
    sb_appendf(out, "%s%s\n", b->qualname ? b->qualname : b->spec->name,
               b->spec->signature ? b->spec->signature : "()");
    if (b->spec->doc) sb_appendf(out, "    %s\n", b->spec->doc);
}

/* Appends v.__doc__ (a docstring of code written in Python: functions, classes, library
 * modules such as transformers), each line indented, when v has one. */
static void describe_docstring(Interp *I, Value *v, const char *indent, StrBuf *out) {
    Value *doc = op_getattr_opt(I, v, "__doc__");
    interp_clear_error(I);
    if (doc && val_is(doc, &type_str)) {
        const char *p = val_str_data(doc);
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            sb_appendf(out, "%s%.*s\n", n ? indent : "", (int)n, p);
            p += n + (nl ? 1 : 0);
        }
    }
    val_release(doc);
}

/* The docstring of v, indented by `indent` (nothing when it has none). */
static void append_doc(Interp *I, Value *v, const char *indent, StrBuf *out) {
    describe_docstring(I, v, indent, out);
}

/* pydoc's page for a user function: "f(a, b=2)\n    doc". */
static int describe_function(Interp *I, Value *fn, const char *name, bool skip_self,
                             const char *prefix, StrBuf *out) {
    sb_appendf(out, "%s%s", prefix, name);
    if (eval_function_signature(I, fn, skip_self, out)) return -1;
    sb_appendc(out, '\n');
    StrBuf doc = SB_INIT;
    StrBuf indent = SB_INIT;
    sb_appendf(&indent, "%s    ", prefix);
    append_doc(I, fn, sb_str(&indent), &doc);
    sb_appendn(out, sb_str(&doc), doc.len);
    sb_free(&doc);
    sb_free(&indent);
    return 0;
}

/* pydoc's page for a user class: its base, constructor signature, doc and methods. */
static int describe_class(Interp *I, Value *cls, StrBuf *out) {
    TypeValue *t = (TypeValue *)cls;
    const ValueType *of = t->of;
    const ValueType *base = of->base;
    sb_appendf(out, "Help on class %s in module %s:\n\nclass %s(", of->name, of->module, of->name);
    if (!base) sb_append(out, "builtins.object");
    else sb_appendf(out, "%s.%s", base->module ? base->module : "builtins", base->name);
    sb_append(out, ")\n");
    Value *init = class_lookup(I, of, "__init__");
    sb_appendf(out, " |  %s", of->name);
    if (init && val_is(init, &type_function)) {
        if (eval_function_signature(I, init, true, out)) return -1;
    } else {
        sb_append(out, of->init_signature ? of->init_signature : "()");
    }
    sb_append(out, "\n |  \n");
    size_t before = out->len;
    append_doc(I, cls, " |  ", out);
    if (out->len > before) sb_append(out, " |  \n");
    DictValue *d = (DictValue *)t->dict;
    bool header = false;
    for (int64_t i = 0; d && i < d->used; i++) {
        Value *v = d->entries[i].value;
        if (!d->entries[i].key || !val_is(v, &type_function)) continue;
        if (!header) sb_append(out, " |  Methods defined here:\n |  \n");
        header = true;
        if (describe_function(I, v, val_str_data(d->entries[i].key), false, " |  ", out)) return -1;
        sb_append(out, " |  \n");
    }
    bool data = false;
    for (int64_t i = 0; d && i < d->used; i++) {
        Value *v = d->entries[i].value;
        const char *name = d->entries[i].key ? val_str_data(d->entries[i].key) : "_";
        if (name[0] == '_' || val_is(v, &type_function)) continue;
        if (!data) sb_append(out, " |  Data and other attributes defined here:\n |  \n");
        data = true;
        sb_appendf(out, " |  %s = ", name);
        if (val_repr(I, v, out)) return -1;
        sb_append(out, "\n |  \n");
    }
    return 0;
}

static Value *bi_help(Interp *I, Value *self, Value **argv) {
    (void)self;
    StrBuf sb = SB_INIT;
    Value *v = argv[0];
    if (!v) {
        sb_append(&sb,
                  "Welcome to embedlab: PyTorch 1.13 embedding layers, exactly, without Python.\n\n"
                  "Type real PyTorch code: import torch; torch.manual_seed(0); torch.randn(2, 3)\n"
                  "help(x) shows the signature and documentation of x (a function, a method,\n"
                  "a module such as torch or torch.nn); dir(x) lists its attributes.\n");
    } else if (val_is(v, &type_builtin)) {
        sb_appendf(&sb, "Help on built-in function %s:\n\n", ((BuiltinValue *)v)->spec->name);
        describe_builtin((BuiltinValue *)v, &sb);
    } else if (val_is(v, &type_function) || val_is(v, &type_bound_method)) {
        bool bound = val_is(v, &type_bound_method);
        Value *fn = bound ? op_getattr_opt(I, v, "__func__") : val_retain(v);
        Value *name = fn ? op_getattr_opt(I, fn, "__name__") : NULL;
        Value *module = fn ? op_getattr_opt(I, fn, "__module__") : NULL;
        int rc = -1;
        if (fn && name && module && val_is(fn, &type_function)) {
            sb_appendf(&sb, "Help on %s %s in module %s:\n\n", bound ? "method" : "function",
                       val_str_data(name), val_str_data(module));
            rc = describe_function(I, fn, val_str_data(name), bound, "", &sb);
        }
        val_release(fn);
        val_release(name);
        val_release(module);
        if (rc) {
            sb_free(&sb);
            return NULL;
        }
    } else if ((val_is(v, &type_type) && ((TypeValue *)v)->dict) ||
               class_is_heap_type(v->type)) {
        Value *cls = val_is(v, &type_type) ? val_retain(v) : builtins_type_value(I, v->type);
        int rc = cls ? describe_class(I, cls, &sb) : -1;
        val_release(cls);
        if (rc) {
            sb_free(&sb);
            return NULL;
        }
    } else if (val_is(v, &type_type) && ((TypeValue *)v)->of->init_signature) {
        const ValueType *of = ((TypeValue *)v)->of;
        sb_appendf(&sb, "Help on class %s in module %s:\n\n%s%s\n", of->name,
                   of->module ? of->module : "builtins", of->name, of->init_signature);
        if (of->doc) sb_appendf(&sb, "    %s\n", of->doc);
        else describe_docstring(I, v, "    ", &sb);
        for (const ValueType *t = of; t; t = t->base) {
            for (const BuiltinSpec *m = t->class_methods; m && m->name; m++)
                sb_appendf(&sb, "\n%s.%s%s\n    %s\n", of->name, m->name, m->signature,
                           m->doc ? m->doc : "");
            for (const BuiltinSpec *m = t->methods; m && m->name; m++)
                sb_appendf(&sb, "\n%s%s\n    %s\n", m->name, m->signature, m->doc ? m->doc : "");
        }
    } else {
        Value *names = names_of(I, v);
        if (!names) {
            sb_free(&sb);
            return NULL;
        }
        sb_appendf(&sb, "Help on %s object:\n\n", val_type_name(v));
        if (val_is(v, &type_function) || val_is(v, &type_bound_method) ||
            val_is(v, &type_module) || val_is(v, &type_type)) {
            size_t before = sb.len;
            describe_docstring(I, v, "", &sb);
            if (sb.len > before) sb_append(&sb, "\n");
        }
        ListValue *l = (ListValue *)names;
        for (int64_t i = 0; i < l->count; i++) {
            const char *name = val_str_data(l->items[i]);
            if (name[0] == '_') continue;
            Value *attr = op_getattr_opt(I, v, name);
            interp_clear_error(I);
            if (attr && val_is(attr, &type_builtin)) describe_builtin((BuiltinValue *)attr, &sb);
            else sb_appendf(&sb, "%s\n", name);
            val_release(attr);
        }
        val_release(names);
    }
    if (sb_check(&sb, &I->error)) {
        sb_free(&sb);
        return NULL;
    }
    interp_write(I, 1, sb_str(&sb), sb.len);
    sb_free(&sb);
    return val_none(I);
}

static Value *bi_input(Interp *I, Value *self, Value **argv) {
    (void)self;
    StrBuf prompt = SB_INIT;
    if (argv[0] && val_str_of(I, argv[0], &prompt)) {
        sb_free(&prompt);
        return NULL;
    }
    if (sb_check(&prompt, &I->error)) {
        sb_free(&prompt);
        return NULL;
    }
    char *line = NULL;
    int rc = I->input ? I->input(I->write_ctx, sb_str(&prompt), false, &line)
                      : INTERP_INPUT_UNSUPPORTED;
    sb_free(&prompt);
    switch (rc) {
    case INTERP_INPUT_OK: {
        Value *v = val_str(I, line);
        mem_free(line);
        return v;
    }
    case INTERP_INPUT_EOF: interp_error(I, ERR_EOF, "EOF when reading a line"); return NULL;
    case INTERP_INPUT_INTERRUPTED: interp_error(I, ERR_INTERRUPT, "%s", ""); return NULL;
    case INTERP_INPUT_UNSUPPORTED:
        interp_error(I, ERR_NOT_IMPLEMENTED, "raw_input was called, but this frontend does not "
                                             "support input requests.");
        return NULL;
    default: return NULL; /* the hook recorded the error */
    }
}

const BuiltinSpec builtins_functions[] = {
    {"print", bi_print, "(*args, sep=' ', end='\\n', file=None, flush=False)",
     "Prints the values to the output, separated by sep and followed by end."},
    {"len", bi_len, "(obj, /)", "Return the number of items in a container."},
    {"repr", bi_repr, "(obj, /)", "Return the canonical string representation of the object."},
    {"abs", bi_abs, "(x, /)", "Return the absolute value of the argument."},
    {"round", bi_round, "(number, ndigits=None)",
     "Round a number to a given precision in decimal digits (half to even)."},
    {"isinstance", bi_isinstance, "(obj, class_or_tuple, /)",
     "Return whether an object is an instance of a class or of a subclass thereof."},
    {"issubclass", bi_issubclass, "(cls, class_or_tuple, /)",
     "Return whether 'cls' is derived from another class or is the same class."},
    {"hash", bi_hash, "(obj, /)", "Return the hash value for the given object."},
    {"id", bi_id, "(obj, /)", "Return the identity of an object."},
    {"callable", bi_callable, "(obj, /)", "Return whether the object is callable."},
    {"chr", bi_chr, "(i, /)", "Return a Unicode string of one character with ordinal i."},
    {"ord", bi_ord, "(c, /)", "Return the Unicode code point for a one-character string."},
    {"divmod", bi_divmod, "(x, y, /)", "Return the tuple (x//y, x%y)."},
    {"pow", bi_pow, "(base, exp)", "Equivalent to base**exp."},
    {"format", bi_format, "(value, format_spec='', /)",
     "Return value.__format__(format_spec)."},
    {"getattr", bi_getattr, "(object, name, default=?, /)",
     "Get a named attribute from an object; getattr(x, 'y') is equivalent to x.y."},
    {"setattr", bi_setattr, "(obj, name, value, /)",
     "Sets the named attribute on the given object to the specified value."},
    {"hasattr", bi_hasattr, "(obj, name, /)",
     "Return whether the object has an attribute with the given name."},
    {"enumerate", bi_enumerate, "(iterable, start=0)",
     "Return an enumerate object yielding pairs (index, value)."},
    {"zip", bi_zip, "(*iterables)", "Yield tuples of items taken from each iterable in turn."},
    {"map", bi_map, "(func, *iterables)",
     "Make an iterator that computes the function using arguments from each iterable."},
    {"filter", bi_filter, "(function, iterable, /)",
     "Return an iterator yielding the items of iterable for which function(item) is true."},
    {"reversed", bi_reversed, "(sequence, /)", "Return a reverse iterator over the values."},
    {"iter", bi_iter, "(object, /)", "Get an iterator from an object."},
    {"next", bi_next, "(iterator, default=?, /)", "Return the next item from the iterator."},
    {"sorted", bi_sorted, "(iterable, /, *, key=None, reverse=False)",
     "Return a new list containing all items from the iterable in ascending order."},
    {"sum", bi_sum, "(iterable, /, start=0)",
     "Return the sum of a 'start' value (default: 0) plus an iterable of numbers."},
    {"max", bi_max, "(*args, key=None, default=?)",
     "With a single iterable argument, return its biggest item."},
    {"min", bi_min, "(*args, key=None, default=?)",
     "With a single iterable argument, return its smallest item."},
    {"all", bi_all, "(iterable, /)", "Return True if bool(x) is True for all values x."},
    {"any", bi_any, "(iterable, /)", "Return True if bool(x) is True for any x."},
    {"open", textfile_open,
     "(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None, closefd=True, "
     "opener=None)",
     "Open a UTF-8 text file and return a file object (modes 'r', 'w', 'a', 'x')."},
    {"input", bi_input, "(prompt=?, /)",
     "Read a string from the user (without its trailing newline), showing prompt first."},
    {"vars", bi_vars, "(object=?, /)",
     "Show vars: the __dict__ of an object, or the names in the current scope."},
    {"dir", bi_dir, "(object=?, /)",
     "Show the attributes of an object, or the names in the current scope."},
    {"help", bi_help, "(object=?, /)", "Show the signature and documentation of an object."},
    {NULL, NULL, NULL, NULL},
};

/* exit and quit: site.Quitter objects; calling one raises SystemExit(code). */
typedef struct QuitterValue {
    Value base;
    const char *name;
} QuitterValue;

static int repr_quitter(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "Use %s() or Ctrl-D (i.e. EOF) to exit", ((QuitterValue *)self)->name);
    return 0;
}

static Value *call_quitter(Interp *I, Value *self, CallArgs *args) {
    if (args->nkw) {
        interp_error(I, ERR_TYPE, "Quitter.__call__() got an unexpected keyword argument '%s'",
                     args->kwnames[0]);
        return NULL;
    }
    if (args->nargs > 1) {
        interp_error(I, ERR_TYPE, "Quitter.__call__() takes from 1 to 2 positional arguments "
                                  "but %lld were given",
                     (long long)args->nargs + 1);
        return NULL;
    }
    (void)self;
    Value *cls = exc_class_for_code(I, ERR_SYSTEM_EXIT);
    CallArgs call = {args->args, args->nargs, NULL, NULL, 0};
    Value *exc = cls ? exc_instantiate(I, cls, &call) : NULL;
    val_release(cls);
    if (exc) exc_raise(I, exc);
    val_release(exc);
    return NULL;
}

static const ValueType type_quitter = {.name = "Quitter",
                                       .module = "_sitebuiltins",
                                       .repr = repr_quitter,
                                       .call = call_quitter,
                                       .init_signature = "(code=None)",
                                       .doc = "Leave embedlab (raises SystemExit(code))."};

int builtins_add_functions(Interp *I, Value *ns, const BuiltinSpec *functions) {
    for (const BuiltinSpec *spec = functions; spec->name; spec++) {
        Value *fn = builtin_new(I, spec, spec->name, NULL);
        int rc = fn ? val_dict_set_str(I, ns, spec->name, fn) : -1;
        val_release(fn);
        if (rc) return -1;
    }
    return 0;
}

int builtins_install(Interp *I, Value *ns) {
    static const char *const quitters[] = {"exit", "quit"};
    for (int i = 0; i < 2; i++) {
        QuitterValue *q = (QuitterValue *)val_alloc(I, &type_quitter, sizeof *q);
        if (!q) return -1;
        q->name = quitters[i];
        int rc = val_dict_set_str(I, ns, quitters[i], (Value *)q);
        val_release((Value *)q);
        if (rc) return -1;
    }
    if (builtins_add_functions(I, ns, builtins_functions)) return -1;
    for (const TypeEntry *entry = builtin_types; entry->type; entry++) {
        if (builtins_set_constructor(I, entry->type, entry->construct)) return -1;
        Value *t = builtins_type_value(I, entry->type);
        if (!t || val_dict_set_str(I, ns, entry->type->name, t)) {
            val_release(t);
            return -1;
        }
        val_release(t);
    }
    Value *none = val_none(I), *ell = val_ellipsis(I), *ni = val_not_implemented(I);
    int rc = val_dict_set_str(I, ns, "None", none) || val_dict_set_str(I, ns, "Ellipsis", ell) ||
             val_dict_set_str(I, ns, "NotImplemented", ni);
    val_release(none);
    val_release(ell);
    val_release(ni);
    return rc ? -1 : 0;
}
