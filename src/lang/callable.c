/*
 * src/lang/callable.c — signatures, argument binding, builtin functions and methods.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/callable.h"

#include <ctype.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* ---- signature text ---- */

typedef struct SigParser {
    Interp *I;
    const char *p;
} SigParser;

static void skip_space(SigParser *s) {
    while (*s->p == ' ') s->p++;
}

static Value *parse_default(SigParser *s);

/* default -> None | True | False | number | 'text' | "text" | (default, ...) | [..] */
static Value *parse_default(SigParser *s) {
    Interp *I = s->I;
    skip_space(s);
    const char *p = s->p;
    if (strncmp(p, "None", 4) == 0) return s->p += 4, val_none(I);
    if (strncmp(p, "True", 4) == 0) return s->p += 4, val_bool(I, true);
    if (strncmp(p, "False", 5) == 0) return s->p += 5, val_bool(I, false);
    if (*p == '\'' || *p == '"') {
        /* A string default, with the escapes \n \t \\ and \' decoded. */
        char buf[64];
        size_t n = 0;
        const char *q = p + 1;
        while (*q && *q != *p && n < sizeof buf) {
            if (*q == '\\' && q[1]) {
                q++;
                buf[n++] = *q == 'n' ? '\n' : *q == 't' ? '\t' : *q;
            } else {
                buf[n++] = *q;
            }
            q++;
        }
        if (*q != *p) return NULL;
        s->p = q + 1;
        return val_strn(I, buf, n);
    }
    if (*p == '(' || *p == '[') {
        char close = *p == '(' ? ')' : ']';
        s->p++;
        Value *list = val_list_new(I, 4);
        if (!list) return NULL;
        skip_space(s);
        while (*s->p && *s->p != close) {
            Value *item = parse_default(s);
            if (!item || val_list_append_take(I, list, item)) {
                val_release(list);
                return NULL;
            }
            skip_space(s);
            if (*s->p == ',') s->p++;
            skip_space(s);
        }
        if (*s->p != close) {
            val_release(list);
            return NULL;
        }
        s->p++;
        if (close == ']') return list;
        ListValue *l = (ListValue *)list;
        Value *tuple = val_tuple_new(I, l->count);
        if (tuple)
            for (int64_t i = 0; i < l->count; i++)
                ((ListValue *)tuple)->items[i] = val_retain(l->items[i]);
        val_release(list);
        return tuple;
    }
    char *end;
    bool is_float = false;
    for (const char *q = p; *q && *q != ',' && *q != ')'; q++)
        if (*q == '.' || *q == 'e' || *q == 'E' || *q == 'i') is_float = true;
    if (strncmp(p, "inf", 3) == 0) return s->p += 3, val_float(I, INFINITY);
    if (strncmp(p, "-inf", 4) == 0) return s->p += 4, val_float(I, -INFINITY);
    if (is_float) {
        double d = strtod(p, &end);
        if (end == p) return NULL;
        s->p = end;
        return val_float(I, d);
    }
    long long v = strtoll(p, &end, 10);
    if (end == p) return NULL;
    s->p = end;
    return val_int(I, v);
}

int sig_parse(Interp *I, const char *text, Signature *out) {
    memset(out, 0, sizeof *out);
    Error err;
    out->text = mem_strdup(text, &err);
    if (!out->text) return interp_raise(I, &err);
    SigParser s = {I, text};
    skip_space(&s);
    if (*s.p == '(') s.p++;
    bool keyword_only = false;
    while (*s.p && *s.p != ')') {
        skip_space(&s);
        ParamKind kind = keyword_only ? PARAM_KEYWORD_ONLY : PARAM_NORMAL;
        if (s.p[0] == '*' && s.p[1] == '*') {
            kind = PARAM_VAR_KEYWORD;
            s.p += 2;
        } else if (*s.p == '*') {
            s.p++;
            keyword_only = true;
            if (*s.p == ',' || *s.p == ')') { /* bare '*' */
                if (*s.p == ',') s.p++;
                continue;
            }
            kind = PARAM_VAR_POSITIONAL;
        } else if (*s.p == '/') {
            for (int i = 0; i < out->count; i++) out->params[i].kind = PARAM_POSITIONAL_ONLY;
            s.p++;
            skip_space(&s);
            if (*s.p == ',') s.p++;
            continue;
        }
        const char *start = s.p;
        while (isalnum((unsigned char)*s.p) || *s.p == '_') s.p++;
        if (s.p == start || out->count == SIG_MAX_PARAMS) goto bad;
        Param *param = &out->params[out->count++];
        param->kind = kind;
        param->name = mem_strndup(start, (size_t)(s.p - start), &err);
        if (!param->name) {
            sig_free(out);
            return interp_raise(I, &err);
        }
        skip_space(&s);
        if (*s.p == '=') {
            s.p++;
            skip_space(&s);
            if (*s.p == '?') {
                param->optional = true;
                s.p++;
            } else {
                param->default_value = parse_default(&s);
                if (!param->default_value) goto bad;
            }
            skip_space(&s);
        }
        if (*s.p == ',') s.p++;
    }
    return 0;
bad:
    sig_free(out);
    if (!interp_has_error(I))
        interp_error(I, ERR_RUNTIME, "internal error: bad builtin signature '%s'", text);
    return -1;
}

void sig_free(Signature *sig) {
    for (int i = 0; i < sig->count; i++) {
        mem_free((char *)sig->params[i].name);
        val_release(sig->params[i].default_value);
    }
    mem_free(sig->text);
    memset(sig, 0, sizeof *sig);
}

void sig_release_bound(const Signature *sig, Value **argv) {
    for (int i = 0; i < sig->count; i++) {
        val_release(argv[i]);
        argv[i] = NULL;
    }
}

/* "'a'", "'a' and 'b'", "'a', 'b', and 'c'" — Python's list of missing names. */
static void format_names(StrBuf *sb, const char **names, int n) {
    for (int i = 0; i < n; i++) {
        if (i > 0) sb_append(sb, n == 2 ? " and " : (i == n - 1 ? ", and " : ", "));
        sb_appendf(sb, "'%s'", names[i]);
    }
}

static int report_missing(Interp *I, const char *fname, const char **names, int n,
                          const char *what) {
    StrBuf sb = SB_INIT;
    sb_appendf(&sb, "%s() missing %d required %s argument%s: ", fname, n, what, n == 1 ? "" : "s");
    format_names(&sb, names, n);
    interp_error(I, ERR_TYPE, "%s", sb_str(&sb));
    sb_free(&sb);
    return -1;
}

/* CPython's messages for builtins whose parameters are all positional-only:
 * "len() takes exactly one argument (2 given)", "divmod expected 2 arguments, got 1",
 * "len() takes no keyword arguments". Returns -1 with the error set, 0 to go on. */
static int check_positional_only(Interp *I, const Signature *sig, const char *fname,
                                 CallArgs *args) {
    int required = 0;
    for (int i = 0; i < sig->count; i++) {
        if (sig->params[i].kind != PARAM_POSITIONAL_ONLY) return 0;
        if (!sig->params[i].default_value && !sig->params[i].optional) required++;
    }
    if (sig->count == 0) return 0;
    if (args->nkw) return interp_error(I, ERR_TYPE, "%s() takes no keyword arguments", fname);
    if (args->nargs >= required && args->nargs <= sig->count) return 0;
    if (sig->count == 1 && required == 1)
        return interp_error(I, ERR_TYPE, "%s() takes exactly one argument (%lld given)", fname,
                            (long long)args->nargs);
    if (required == sig->count)
        return interp_error(I, ERR_TYPE, "%s expected %d argument%s, got %lld", fname,
                            sig->count, sig->count == 1 ? "" : "s", (long long)args->nargs);
    if (args->nargs < required)
        return interp_error(I, ERR_TYPE, "%s expected at least %d argument%s, got %lld", fname,
                            required, required == 1 ? "" : "s", (long long)args->nargs);
    return interp_error(I, ERR_TYPE, "%s expected at most %d argument%s, got %lld", fname,
                        sig->count, sig->count == 1 ? "" : "s", (long long)args->nargs);
}

/* sig_bind for a callable that receives `implicit` leading positional arguments the
 * signature does not list (a class method's cls): Python counts them in "takes N
 * positional arguments but M were given". */
static int bind_with_implicit(Interp *I, const Signature *sig, const char *fname, int implicit,
                              CallArgs *args, Value **argv);

int sig_bind(Interp *I, const Signature *sig, const char *fname, CallArgs *args, Value **argv) {
    return bind_with_implicit(I, sig, fname, 0, args, argv);
}

static int bind_with_implicit(Interp *I, const Signature *sig, const char *fname, int implicit,
                              CallArgs *args, Value **argv) {
    for (int i = 0; i < sig->count; i++) argv[i] = NULL;
    if (check_positional_only(I, sig, fname, args)) return -1;
    int positional = 0, required_positional = 0, var_pos = -1, var_kw = -1;
    for (int i = 0; i < sig->count; i++) {
        ParamKind k = sig->params[i].kind;
        if (k == PARAM_POSITIONAL_ONLY || k == PARAM_NORMAL) {
            positional++;
            if (!sig->params[i].default_value && !sig->params[i].optional) required_positional++;
        } else if (k == PARAM_VAR_POSITIONAL) {
            var_pos = i;
        } else if (k == PARAM_VAR_KEYWORD) {
            var_kw = i;
        }
    }
    /* Positional arguments. */
    if (args->nargs > positional && var_pos < 0) {
        int64_t given = args->nargs + implicit;
        int most = positional + implicit, least = required_positional + implicit;
        if (least == most)
            interp_error(I, ERR_TYPE, "%s() takes %d positional argument%s but %lld %s given",
                         fname, most, most == 1 ? "" : "s", (long long)given,
                         given == 1 ? "was" : "were");
        else
            interp_error(I, ERR_TYPE,
                         "%s() takes from %d to %d positional arguments but %lld %s given", fname,
                         least, most, (long long)given, given == 1 ? "was" : "were");
        return -1;
    }
    int64_t take = args->nargs < positional ? args->nargs : positional;
    for (int64_t i = 0, slot = 0; i < take; slot++) {
        if (sig->params[slot].kind == PARAM_VAR_POSITIONAL) continue;
        argv[slot] = val_retain(args->args[i++]);
    }
    if (var_pos >= 0) {
        int64_t extra = args->nargs - take;
        Value *rest = val_tuple_new(I, extra > 0 ? extra : 0);
        if (!rest) goto fail;
        for (int64_t i = 0; i < extra; i++)
            ((ListValue *)rest)->items[i] = val_retain(args->args[take + i]);
        argv[var_pos] = rest;
    }
    if (var_kw >= 0) {
        argv[var_kw] = val_dict_new(I);
        if (!argv[var_kw]) goto fail;
    }
    /* Keyword arguments. */
    for (int64_t k = 0; k < args->nkw; k++) {
        const char *name = args->kwnames[k];
        int slot = -1;
        for (int i = 0; i < sig->count; i++) {
            ParamKind kind = sig->params[i].kind;
            if ((kind == PARAM_NORMAL || kind == PARAM_KEYWORD_ONLY) &&
                strcmp(sig->params[i].name, name) == 0) {
                slot = i;
                break;
            }
        }
        if (slot < 0) {
            if (var_kw >= 0) {
                if (val_dict_set_str(I, argv[var_kw], name, args->kwvalues[k])) goto fail;
                continue;
            }
            interp_error(I, ERR_TYPE, "%s() got an unexpected keyword argument '%s'", fname, name);
            goto fail;
        }
        if (argv[slot]) {
            interp_error(I, ERR_TYPE, "%s() got multiple values for argument '%s'", fname, name);
            goto fail;
        }
        argv[slot] = val_retain(args->kwvalues[k]);
    }
    /* Defaults and missing arguments. */
    const char *missing[SIG_MAX_PARAMS];
    int nmissing = 0;
    for (int i = 0; i < sig->count; i++) {
        ParamKind kind = sig->params[i].kind;
        if (argv[i] || kind == PARAM_VAR_POSITIONAL || kind == PARAM_VAR_KEYWORD) continue;
        if (sig->params[i].default_value) argv[i] = val_retain(sig->params[i].default_value);
        else if (sig->params[i].optional) continue;
        else if (kind != PARAM_KEYWORD_ONLY) missing[nmissing++] = sig->params[i].name;
    }
    if (nmissing) {
        report_missing(I, fname, missing, nmissing, "positional");
        goto fail;
    }
    for (int i = 0; i < sig->count; i++) {
        if (argv[i] || sig->params[i].kind != PARAM_KEYWORD_ONLY || sig->params[i].optional)
            continue;
        missing[nmissing++] = sig->params[i].name;
    }
    if (nmissing) {
        report_missing(I, fname, missing, nmissing, "keyword-only");
        goto fail;
    }
    return 0;
fail:
    sig_release_bound(sig, argv);
    return -1;
}

/* ---- the signature cache ---- */

typedef struct SigCacheEntry {
    const BuiltinSpec *spec;
    Signature sig;
} SigCacheEntry;

typedef struct SigCache {
    SigCacheEntry *entries; /* open addressing on the spec pointer */
    size_t cap, count;
} SigCache;

static size_t spec_slot(const BuiltinSpec *spec, size_t cap) {
    return (size_t)(((uintptr_t)spec >> 4) * 0x9E3779B97F4A7C15ULL) & (cap - 1);
}

static int cache_grow(Interp *I, SigCache *cache) {
    size_t cap = cache->cap ? cache->cap * 2 : 256;
    Error err;
    SigCacheEntry *entries = mem_calloc(cap, sizeof *entries, &err);
    if (!entries) return interp_raise(I, &err);
    for (size_t i = 0; i < cache->cap; i++) {
        if (!cache->entries[i].spec) continue;
        size_t j = spec_slot(cache->entries[i].spec, cap);
        while (entries[j].spec) j = (j + 1) & (cap - 1);
        entries[j] = cache->entries[i];
    }
    mem_free(cache->entries);
    cache->entries = entries;
    cache->cap = cap;
    return 0;
}

Signature *builtin_signature(Interp *I, const BuiltinSpec *spec) {
    SigCache *cache = I->sig_cache;
    if (!cache) {
        Error err;
        cache = I->sig_cache = mem_calloc(1, sizeof *cache, &err);
        if (!cache) {
            interp_raise(I, &err);
            return NULL;
        }
    }
    if ((cache->count + 1) * 2 > cache->cap && cache_grow(I, cache)) return NULL;
    size_t j = spec_slot(spec, cache->cap);
    while (cache->entries[j].spec) {
        if (cache->entries[j].spec == spec) return &cache->entries[j].sig;
        j = (j + 1) & (cache->cap - 1);
    }
    if (sig_parse(I, spec->signature ? spec->signature : "()", &cache->entries[j].sig))
        return NULL;
    cache->entries[j].spec = spec;
    cache->count++;
    return &cache->entries[j].sig;
}

void builtin_cache_free(Interp *I) {
    SigCache *cache = I->sig_cache;
    if (!cache) return;
    for (size_t i = 0; i < cache->cap; i++)
        if (cache->entries[i].spec) sig_free(&cache->entries[i].sig);
    mem_free(cache->entries);
    mem_free(cache);
    I->sig_cache = NULL;
}

/* ---- builtin function values ---- */

static void destroy_builtin(Value *self) { val_release(((BuiltinValue *)self)->self); }

static void clear_builtin(Value *self) {
    BuiltinValue *b = (BuiltinValue *)self;
    Value *bound = b->self;
    b->self = NULL;
    val_release(bound);
}

static int repr_builtin(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    BuiltinValue *b = (BuiltinValue *)self;
    if (b->self)
        sb_appendf(out, "<built-in method %s of %s object>", b->spec->name,
                   val_type_name(b->self));
    else
        sb_appendf(out, "<built-in function %s>", b->spec->name);
    return 0;
}

static Value *getattr_builtin(Interp *I, Value *self, const char *name) {
    BuiltinValue *b = (BuiltinValue *)self;
    if (strcmp(name, "__name__") == 0) return val_str(I, b->spec->name);
    if (strcmp(name, "__qualname__") == 0) return val_str(I, b->qualname ? b->qualname : b->spec->name);
    if (strcmp(name, "__doc__") == 0) return b->spec->doc ? val_str(I, b->spec->doc) : val_none(I);
    return NULL;
}

static Value *call_builtin(Interp *I, Value *self, CallArgs *args) {
    BuiltinValue *b = (BuiltinValue *)self;
    Signature *sig = b->sig ? b->sig : builtin_signature(I, b->spec);
    if (!sig) return NULL;
    b->sig = sig;
    Value *argv[SIG_MAX_PARAMS];
    /* A class method is named by its qualified name, as Python names the classmethods
     * torch defines ("Embedding.from_pretrained() missing 1 required ..."). */
    bool class_method = b->self && val_is(b->self, &type_type);
    const char *fname = b->spec->name;
    char qualified[128];
    if (class_method) {
        snprintf(qualified, sizeof qualified, "%s.%s", ((TypeValue *)b->self)->of->name, fname);
        fname = qualified;
    }
    if (bind_with_implicit(I, sig, fname, class_method, args, argv)) return NULL;
    Value *result = b->spec->impl(I, b->self, argv);
    sig_release_bound(sig, argv);
    return result;
}

const ValueType type_builtin = {.name = "builtin_function_or_method",
                                .destroy = destroy_builtin,
                                .clear = clear_builtin,
                                .repr = repr_builtin,
                                .getattr = getattr_builtin,
                                .call = call_builtin};

Value *builtin_new(Interp *I, const BuiltinSpec *spec, const char *qualname, Value *self) {
    BuiltinValue *b = (BuiltinValue *)val_alloc(I, &type_builtin, sizeof *b);
    if (!b) return NULL;
    b->spec = spec;
    b->self = val_retain(self);
    b->qualname = qualname ? qualname : spec->name;
    return (Value *)b;
}

const BuiltinSpec *builtin_find(const BuiltinSpec *table, const char *name) {
    for (; table && table->name; table++)
        if (strcmp(table->name, name) == 0) return table;
    return NULL;
}

Value *call_value_args(Interp *I, Value *callee, CallArgs *args) {
    if (I->interrupt_requested) {
        interp_error(I, ERR_INTERRUPT, "%s", "");
        return NULL;
    }
    if (!callee->type->call) {
        interp_error(I, ERR_TYPE, "'%s' object is not callable", val_type_name(callee));
        return NULL;
    }
    return callee->type->call(I, callee, args);
}

Value *call_value(Interp *I, Value *callee, Value **args, int64_t nargs) {
    CallArgs call = {args, nargs, NULL, NULL, 0};
    return call_value_args(I, callee, &call);
}
