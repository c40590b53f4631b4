/*
 * tests/unit/nn_cases.h — reads the torch-generated case files of gen_embedding.py and
 * gen_nn.py (their docstrings define the format) and compares results bit for bit.
 * Shared by test_embedding.c, test_embedding_bag.c, test_init.c and
 * test_nn_functional.c. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_NN_CASES_H
#define EMBEDLAB_NN_CASES_H

#include "test.h"

#include <math.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/rng.h"
#include "core/tensor.h"

#define CASE_MAX_KEYS 24

typedef struct CaseLine {
    int lineno;
    char *op;
    int nargs;
    char *keys[CASE_MAX_KEYS], *vals[CASE_MAX_KEYS];
    bool is_error;
    char *err_kind, *err_msg; /* message with "\n" escapes decoded */
    int nres;
    char *rkeys[CASE_MAX_KEYS], *rvals[CASE_MAX_KEYS];
    char ctx[160]; /* "file:line op" for messages */
} CaseLine;

typedef struct CaseFile {
    char *text;
    char *pos;
    const char *path;
    int lineno;
} CaseFile;

/* Values compared against torch (reported by the tests). */
static long case_values_checked;

static void case_open(CaseFile *cf, const char *path) {
    cf->text = test_read_file(path);
    cf->pos = cf->text;
    cf->path = path;
    cf->lineno = 0;
}

static void case_close(CaseFile *cf) { free(cf->text); }

/* Splits "k=v" tokens separated by single spaces into keys/vals; returns the count. */
static int case_split_kv(char *s, char **keys, char **vals) {
    int n = 0;
    while (*s && n < CASE_MAX_KEYS) {
        while (*s == ' ') s++;
        if (!*s) break;
        char *tok = s;
        while (*s && *s != ' ') s++;
        if (*s) *s++ = '\0';
        char *eq = strchr(tok, '=');
        keys[n] = tok;
        vals[n] = eq ? (*eq = '\0', eq + 1) : tok + strlen(tok);
        n++;
    }
    return n;
}

/* The next case (false at the end). Lines are modified in place. */
static bool case_next(CaseFile *cf, CaseLine *cl) {
    for (;;) {
        if (!*cf->pos) return false;
        char *line = cf->pos;
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
            cf->pos = nl + 1;
        } else {
            cf->pos = line + strlen(line);
        }
        cf->lineno++;
        if (line[0] == '#' || line[0] == '\0') continue;
        memset(cl, 0, sizeof *cl);
        cl->lineno = cf->lineno;
        char *bar = strstr(line, " | ");
        if (!bar) fail_msg("%s:%d: no ' | '", cf->path, cf->lineno);
        *bar = '\0';
        char *res = bar + 3;
        char *sp = strchr(line, ' ');
        cl->op = line;
        if (sp) {
            *sp = '\0';
            cl->nargs = case_split_kv(sp + 1, cl->keys, cl->vals);
        }
        snprintf(cl->ctx, sizeof cl->ctx, "%s:%d %s", cf->path, cf->lineno, cl->op);
        if (strncmp(res, "error ", 6) == 0) {
            cl->is_error = true;
            cl->err_kind = res + 6;
            char *m = strchr(cl->err_kind, ' ');
            if (m) {
                *m = '\0';
                cl->err_msg = m + 1;
            } else {
                cl->err_msg = cl->err_kind + strlen(cl->err_kind);
            }
            /* decode "\n" escapes */
            char *r = cl->err_msg, *w = cl->err_msg;
            while (*r) {
                if (r[0] == '\\' && r[1] == 'n') {
                    *w++ = '\n';
                    r += 2;
                } else {
                    *w++ = *r++;
                }
            }
            *w = '\0';
        } else if (strncmp(res, "ok", 2) == 0) {
            cl->nres = case_split_kv(res + 2, cl->rkeys, cl->rvals);
        } else {
            fail_msg("%s: bad result field", cl->ctx);
        }
        return true;
    }
}

static const char *case_find(const CaseLine *cl, const char *key, bool result) {
    int n = result ? cl->nres : cl->nargs;
    char *const *keys = result ? cl->rkeys : cl->keys;
    char *const *vals = result ? cl->rvals : cl->vals;
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0) return vals[i];
    return NULL;
}

static const char *case_arg(const CaseLine *cl, const char *key) {
    const char *v = case_find(cl, key, false);
    if (!v) fail_msg("%s: no argument %s", cl->ctx, key);
    return v;
}

static bool case_none(const char *v) { return strcmp(v, "-") == 0; }
static double case_double(const char *v) { return strtod(v, NULL); }
static int64_t case_int(const char *v) { return strtoll(v, NULL, 10); }

static DType case_dtype(const char *s, const char **end) {
    static const struct { const char *name; DType dt; } names[] = {
        {"f32", DTYPE_FLOAT32}, {"f64", DTYPE_FLOAT64}, {"i64", DTYPE_INT64},
        {"bool", DTYPE_BOOL}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].name);
        if (strncmp(s, names[i].name, n) == 0 && s[n] == '[') {
            *end = s + n;
            return names[i].dt;
        }
    }
    fail_msg("bad dtype in %s", s);
    return DTYPE_FLOAT32;
}

/* Parses "[2,3]" at s; returns ndim and sets *end after ']'. */
static int case_shape(const char *s, int64_t *shape, const char **end) {
    assert_true(*s == '[');
    s++;
    int n = 0;
    while (*s != ']') {
        char *e;
        shape[n++] = strtoll(s, &e, 10);
        s = *e == ',' ? e + 1 : e;
    }
    *end = s + 1;
    return n;
}

static int64_t case_numel(int ndim, const int64_t *shape) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) n *= shape[i];
    return n;
}

/* Applies ";t", ";sD:A:B:C" and ";rA,B" steps; takes ownership of t. */
static Tensor *case_views(Tensor *t, const char *s) {
    while (*s == ';') {
        s++;
        Error err;
        err_clear(&err);
        Tensor *v = NULL;
        if (*s == 't') {
            v = tensor_transpose(t, 0, 1, &err);
            s++;
        } else if (*s == 's') {
            char *e;
            long long d = strtoll(s + 1, &e, 10);
            long long a = strtoll(e + 1, &e, 10);
            long long b = strtoll(e + 1, &e, 10);
            long long c = strtoll(e + 1, &e, 10);
            v = tensor_slice(t, d, true, a, true, b, c, &err);
            s = e;
        } else if (*s == 'r') {
            int64_t shape[TENSOR_MAX_DIMS];
            int n = 0;
            char *e = (char *)s;
            do {
                shape[n++] = strtoll(e + 1, &e, 10);
            } while (*e == ',');
            v = tensor_reshape(t, n, shape, &err);
            s = e;
        } else {
            fail_msg("bad view step %s", s);
        }
        if (!v) fail_msg("view step failed: %s", err.msg);
        tensor_release(t);
        t = v;
    }
    return t;
}

/* Builds the tensor a token describes (NULL for "-"). */
static Tensor *case_tensor(const char *tok) {
    if (case_none(tok)) return NULL;
    Error err;
    err_clear(&err);
    int64_t shape[TENSOR_MAX_DIMS];
    const char *s = tok;
    Tensor *t = NULL;
    if (strncmp(s, "randn@", 6) == 0 || strncmp(s, "randint@", 8) == 0) {
        bool is_int = s[4] == 'i';
        char *e;
        uint64_t seed = strtoull(s + (is_int ? 8 : 6), &e, 10);
        int64_t lo = 0, hi = 0;
        if (is_int) {
            lo = strtoll(e + 1, &e, 10);
            hi = strtoll(e + 1, &e, 10);
        }
        DType dt = case_dtype(e + 1, &s);
        int nd = case_shape(s, shape, &s);
        t = tensor_zeros(dt, nd, shape, &err);
        assert_non_null(t);
        Generator g;
        rng_init(&g, seed);
        int rc = is_int ? rng_random_from_to(&g, t, lo, hi, &err) : rng_normal_(&g, t, 0.0, 1.0, &err);
        if (rc != ERR_OK) fail_msg("%s: %s", tok, err.msg);
    } else if (strncmp(s, "zeros:", 6) == 0) {
        DType dt = case_dtype(s + 6, &s);
        int nd = case_shape(s, shape, &s);
        t = tensor_zeros(dt, nd, shape, &err);
        assert_non_null(t);
    } else if (strncmp(s, "arange:", 7) == 0) {
        DType dt = case_dtype(s + 7, &s);
        int nd = case_shape(s, shape, &s);
        t = tensor_zeros(dt, nd, shape, &err);
        assert_non_null(t);
        int64_t n = case_numel(nd, shape);
        for (int64_t i = 0; i < n; i++) tensor_set(t, i, (double)i);
    } else {
        DType dt = case_dtype(s, &s);
        int nd = case_shape(s, shape, &s);
        assert_true(*s == '=');
        s++;
        t = tensor_zeros(dt, nd, shape, &err);
        assert_non_null(t);
        int64_t n = case_numel(nd, shape);
        for (int64_t i = 0; i < n; i++) {
            char *e;
            if (dt == DTYPE_FLOAT32 || dt == DTYPE_FLOAT64) tensor_set(t, i, strtod(s, &e));
            else tensor_store_int(t, tensor_flat_offset(t, i), strtoll(s, &e, 10));
            s = *e == ',' ? e + 1 : e;
        }
    }
    return case_views(t, s);
}

static Tensor *case_arg_tensor(const CaseLine *cl, const char *key) {
    return case_tensor(case_arg(cl, key));
}

static uint64_t case_fnv(const Tensor *t) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    int64_t n = tensor_numel(t);
    size_t es = dtype_size(t->dtype);
    const unsigned char *base = (const unsigned char *)t->storage->data;
    for (int64_t k = 0; k < n; k++) {
        const unsigned char *p = base + (size_t)tensor_flat_offset(t, k) * es;
        for (size_t b = 0; b < es; b++) {
            h ^= p[b];
            h *= UINT64_C(0x100000001b3);
        }
    }
    return h;
}

/* Compares got with an expected token, bit for bit (NaNs compare by bits too). */
static void case_check_tensor(const Tensor *got, const char *tok, const char *ctx) {
    if (!got) fail_msg("%s: no tensor, torch has %.80s", ctx, tok);
    int64_t shape[TENSOR_MAX_DIMS];
    const char *s = tok;
    bool fnv = strncmp(s, "fnv@", 4) == 0;
    uint64_t want_hash = 0;
    if (fnv) {
        char *e;
        want_hash = strtoull(s + 4, &e, 16);
        s = e + 1;
    }
    DType dt = case_dtype(s, &s);
    int nd = case_shape(s, shape, &s);
    if (got->dtype != dt) fail_msg("%s: dtype %s, torch has %s", ctx, dtype_name(got->dtype), dtype_name(dt));
    if (got->ndim != nd) fail_msg("%s: %d dims, torch has %d", ctx, got->ndim, nd);
    for (int i = 0; i < nd; i++)
        if (got->shape[i] != shape[i])
            fail_msg("%s: size %lld at dim %d, torch has %lld", ctx, (long long)got->shape[i], i,
                     (long long)shape[i]);
    int64_t n = case_numel(nd, shape);
    if (fnv) {
        uint64_t h = case_fnv(got);
        if (h != want_hash)
            fail_msg("%s: checksum %016llx, torch has %016llx", ctx, (unsigned long long)h,
                     (unsigned long long)want_hash);
        case_values_checked += n;
        return;
    }
    assert_true(*s == '=');
    s++;
    for (int64_t i = 0; i < n; i++) {
        char *e;
        if (dt == DTYPE_FLOAT32 || dt == DTYPE_FLOAT64) {
            double want = strtod(s, &e);
            double have = tensor_get(got, i);
            if (memcmp(&want, &have, sizeof want) != 0 && !(isnan(want) && isnan(have)))
                fail_msg("%s: element %lld is %a, torch has %a", ctx, (long long)i, have, want);
        } else {
            long long want = strtoll(s, &e, 10);
            long long have = (long long)tensor_get_int(got, i);
            if (want != have)
                fail_msg("%s: element %lld is %lld, torch has %lld", ctx, (long long)i, have, want);
        }
        s = *e == ',' ? e + 1 : e;
        case_values_checked++;
    }
}

/* Compares the named result tensor (fails when torch recorded none). */
static void case_check_result(const CaseLine *cl, const char *key, const Tensor *got) {
    const char *tok = case_find(cl, key, true);
    if (!tok) fail_msg("%s: torch recorded no %s", cl->ctx, key);
    char ctx[200];
    snprintf(ctx, sizeof ctx, "%s %s", cl->ctx, key);
    case_check_tensor(got, tok, ctx);
}

/* Checks the outcome of a call: when torch failed, the same exception kind and message;
 * otherwise success. Returns true when the call succeeded (results are to be compared). */
static bool case_outcome(const CaseLine *cl, int rc, const Error *err) {
    if (cl->is_error) {
        if (rc == ERR_OK) fail_msg("%s: succeeded, torch raises %s: %s", cl->ctx, cl->err_kind, cl->err_msg);
        if (strcmp(err_name(err->code), cl->err_kind) != 0 || strcmp(err->msg, cl->err_msg) != 0)
            fail_msg("%s:\n  got   %s: %s\n  torch %s: %s", cl->ctx, err_name(err->code), err->msg,
                     cl->err_kind, cl->err_msg);
        return false;
    }
    if (rc != ERR_OK) fail_msg("%s: failed with %s: %s", cl->ctx, err_name(err->code), err->msg);
    return true;
}

#endif
