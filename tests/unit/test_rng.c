/*
 * tests/unit/test_rng.c — the CPU generator against real PyTorch 1.13, bit for bit:
 * tests/data/golden_rng.txt (reference values copied from /work/shared/reference) and
 * tests/data/rng_cases.txt (written by tests/tools/gen_rng.py; its header documents the
 * format). Also get/set_state round trips and allocation-failure injection for randperm.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <math.h>
#include <time.h>

#include "core/mem.h"
#include "core/rng.h"
#include "core/tensor.h"

#define MAX_TOKENS 8192

/* Values compared against torch, reported at the end of each data test. */
static long values_checked;

/* ---- small parsing helpers ---- */

/* Splits `line` in place at " | "; returns the number of fields. */
static int split_fields(char *line, char **fields, int max) {
    int n = 0;
    fields[n++] = line;
    char *p = line;
    while (n < max && (p = strstr(p, " | ")) != NULL) {
        *p = '\0';
        p += 3;
        fields[n++] = p;
    }
    return n;
}

/* Splits `s` in place at runs of `sep`; returns the number of tokens. */
static int split_tokens(char *s, char sep, char **tok, int max) {
    int n = 0;
    while (*s && n < max) {
        while (*s == sep) s++;
        if (!*s) break;
        tok[n++] = s;
        while (*s && *s != sep) s++;
        if (*s) *s++ = '\0';
    }
    return n;
}

/* "4,6" → shape; "-" → 0-d. Returns ndim. */
static int parse_shape(const char *s, int64_t *shape) {
    if (strcmp(s, "-") == 0) return 0;
    int n = 0;
    while (*s) {
        char *end;
        shape[n++] = strtoll(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

static DType parse_dtype(const char *s) {
    if (strcmp(s, "f32") == 0) return DTYPE_FLOAT32;
    if (strcmp(s, "f64") == 0) return DTYPE_FLOAT64;
    if (strcmp(s, "i64") == 0) return DTYPE_INT64;
    if (strcmp(s, "bool") == 0) return DTYPE_BOOL;
    fail_msg("unknown dtype %s", s);
    return DTYPE_FLOAT32;
}

/* Seeds g from a decimal Python int (possibly negative) through rng_seed_from_python. */
static void seed_python(Generator *g, const char *s) {
    bool neg = *s == '-';
    uint64_t mag = strtoull(neg ? s + 1 : s, NULL, 10);
    uint64_t seed;
    Error err;
    err_clear(&err);
    assert_int_equal(rng_seed_from_python(neg, mag, false, &seed, &err), ERR_OK);
    rng_init(g, seed);
}

/* ---- comparing tensors with torch's values ---- */

/* The element at logical position `flat` across the concatenation of ts[0..count). */
static const Tensor *locate(Tensor **ts, int count, int64_t *flat) {
    for (int i = 0; i < count; i++) {
        int64_t n = tensor_numel(ts[i]);
        if (*flat < n) return ts[i];
        *flat -= n;
    }
    fail_msg("element index out of range");
    return NULL;
}

/* Compares one element with torch's text ("0x1.8p+0", "nan", "-5"), bit for bit. */
static void check_elem(Tensor **ts, int count, int64_t flat, const char *want, const char *ctx) {
    int64_t local = flat;
    const Tensor *t = locate(ts, count, &local);
    if (dtype_is_floating(t->dtype)) {
        double got = tensor_get(t, local);
        double exp = strtod(want, NULL);
        bool same = (isnan(got) && isnan(exp)) || memcmp(&got, &exp, sizeof got) == 0;
        if (!same)
            fail_msg("%s: element %lld is %a, torch has %s", ctx, (long long)flat, got, want);
    } else {
        int64_t got = tensor_get_int(t, local);
        int64_t exp = strtoll(want, NULL, 10);
        if (got != exp)
            fail_msg("%s: element %lld is %lld, torch has %s", ctx, (long long)flat,
                     (long long)got, want);
    }
    values_checked++;
}

/* FNV-1a 64 over the little-endian bytes of every element, as gen_rng.py computes it. */
static uint64_t fnv_elems(Tensor **ts, int count) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (int i = 0; i < count; i++) {
        const Tensor *t = ts[i];
        int64_t n = tensor_numel(t);
        for (int64_t k = 0; k < n; k++) {
            int64_t off = tensor_flat_offset(t, k);
            uint64_t bits = 0;
            int nbytes = (int)dtype_size(t->dtype);
            if (t->dtype == DTYPE_FLOAT32) {
                float f = ((const float *)t->storage->data)[off];
                uint32_t u;
                memcpy(&u, &f, sizeof u);
                bits = u;
            } else if (t->dtype == DTYPE_FLOAT64) {
                double d = ((const double *)t->storage->data)[off];
                memcpy(&bits, &d, sizeof bits);
            } else {
                bits = (uint64_t)tensor_load_int(t, off);
            }
            for (int b = 0; b < nbytes; b++) {
                h ^= (bits >> (8 * b)) & 0xffu;
                h *= UINT64_C(0x100000001b3);
            }
        }
    }
    return h;
}

/* Checks ts against a "vals ..." or "fnv ..." result field. */
static void check_result(char *res, Tensor **ts, int count, const char *ctx) {
    static char *tok[MAX_TOKENS];
    int64_t total = 0;
    for (int i = 0; i < count; i++) total += tensor_numel(ts[i]);
    int n = split_tokens(res, ' ', tok, MAX_TOKENS);
    assert_true(n >= 1);
    if (strcmp(tok[0], "vals") == 0) {
        if (n - 1 != total) fail_msg("%s: %lld elements, torch has %d", ctx, (long long)total, n - 1);
        for (int i = 1; i < n; i++) check_elem(ts, count, i - 1, tok[i], ctx);
    } else if (strcmp(tok[0], "fnv") == 0) {
        assert_true(n >= 3);
        uint64_t want = strtoull(tok[1], NULL, 16);
        if (strtoll(tok[2], NULL, 10) != total)
            fail_msg("%s: %lld elements, torch has %s", ctx, (long long)total, tok[2]);
        for (int i = 3; i < n; i++) {
            char *colon = strchr(tok[i], ':');
            assert_non_null(colon);
            *colon = '\0';
            int64_t flat = strtoll(tok[i], NULL, 10);
            check_elem(ts, count, flat, colon + 1, ctx);
            values_checked--; /* counted below with the checksum */
        }
        uint64_t got = fnv_elems(ts, count);
        if (got != want)
            fail_msg("%s: checksum %016llx, torch has %016llx", ctx, (unsigned long long)got,
                     (unsigned long long)want);
        values_checked += total;
    } else {
        fail_msg("%s: expected values, torch has: %s", ctx, res);
    }
}

/* Checks a failed call's Error against "error <Kind> <message>". */
static void check_error(int rc, const Error *err, const char *res, const char *ctx) {
    if (strncmp(res, "error ", 6) != 0) fail_msg("%s: failed (%s) but torch gives %s", ctx, err->msg, res);
    const char *kind = res + 6;
    const char *msg = strchr(kind, ' ');
    assert_non_null(msg);
    msg++;
    assert_int_not_equal(rc, ERR_OK);
    if (strncmp(kind, err_name(err->code), (size_t)(msg - 1 - kind)) != 0 ||
        strcmp(msg, err->msg) != 0)
        fail_msg("%s: got %s: %s\n  torch: %s", ctx, err_name(err->code), err->msg, res);
}

/* ---- rng_cases.txt ---- */

/* Applies a view spec ("T 0 1;S 1 0 6 2") to base; returns an owned tensor. */
static Tensor *apply_view(Tensor *base, const char *spec) {
    Error err;
    err_clear(&err);
    Tensor *v = tensor_retain(base);
    if (strcmp(spec, "-") == 0) return v;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", spec);
    char *steps[16];
    int ns = split_tokens(buf, ';', steps, 16);
    for (int s = 0; s < ns; s++) {
        char *w[TENSOR_MAX_DIMS + 2];
        int nw = split_tokens(steps[s], ' ', w, TENSOR_MAX_DIMS + 2);
        Tensor *next = NULL;
        if (strcmp(w[0], "T") == 0) {
            next = tensor_transpose(v, atoll(w[1]), atoll(w[2]), &err);
        } else if (strcmp(w[0], "P") == 0) {
            int64_t dims[TENSOR_MAX_DIMS];
            for (int i = 1; i < nw; i++) dims[i - 1] = atoll(w[i]);
            next = tensor_permute(v, nw - 1, dims, &err);
        } else if (strcmp(w[0], "S") == 0) {
            next = tensor_slice(v, atoll(w[1]), true, atoll(w[2]), true, atoll(w[3]), atoll(w[4]),
                                &err);
        } else if (strcmp(w[0], "X") == 0) {
            int64_t shape[TENSOR_MAX_DIMS];
            int nd = parse_shape(w[1], shape);
            next = tensor_expand(v, nd, shape, &err);
        }
        if (!next) fail_msg("view step %s: %s", steps[s], err.msg);
        tensor_release(v);
        v = next;
    }
    return v;
}

/* Runs one tensor op line: fields "op args", "dtype shape view", result. */
static void run_tensor_op(Generator *g, char *opfield, char *spec, char *res, int lineno) {
    char ctx[160];
    snprintf(ctx, sizeof ctx, "rng_cases.txt:%d %s", lineno, opfield);
    char *w[8];
    int nw = split_tokens(opfield, ' ', w, 8);
    /* "dtype shape view", where the view may itself contain spaces */
    char *sp[3];
    sp[0] = spec;
    sp[1] = strchr(sp[0], ' ');
    assert_non_null(sp[1]);
    *sp[1]++ = '\0';
    sp[2] = strchr(sp[1], ' ');
    assert_non_null(sp[2]);
    *sp[2]++ = '\0';
    Error err;
    err_clear(&err);
    const char *op = w[0];
    int rc = ERR_OK;
    Tensor *outs[2] = {NULL, NULL};
    int nout = 1;

    if (strcmp(op, "randperm") == 0) {
        outs[0] = rng_randperm(g, atoll(w[1]), &err);
        rc = outs[0] ? ERR_OK : err.code;
    } else if (strcmp(op, "embedding") == 0) {
        int64_t shape[2] = {atoll(w[1]), atoll(w[2])};
        outs[0] = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
        assert_non_null(outs[0]);
        rc = rng_normal_(g, outs[0], 0.0, 1.0, &err);
        if (strcmp(w[3], "-") != 0) {
            int64_t pad = atoll(w[3]);
            if (pad < 0) pad += shape[0];
            for (int64_t j = 0; j < shape[1]; j++) tensor_set(outs[0], pad * shape[1] + j, 0.0);
        }
    } else if (strcmp(op, "linear") == 0) {
        int64_t in = atoll(w[1]), out = atoll(w[2]);
        double wb = strtod(w[3], NULL), bb = strtod(w[4], NULL);
        int64_t wshape[2] = {out, in};
        outs[0] = tensor_zeros(DTYPE_FLOAT32, 2, wshape, &err);
        outs[1] = tensor_zeros(DTYPE_FLOAT32, 1, &out, &err);
        assert_non_null(outs[0]);
        assert_non_null(outs[1]);
        nout = 2;
        rc = rng_uniform_(g, outs[0], -wb, wb, &err);
        if (rc == ERR_OK) rc = rng_uniform_(g, outs[1], -bb, bb, &err);
    } else {
        DType dt = parse_dtype(sp[0]);
        int64_t shape[TENSOR_MAX_DIMS];
        int nd = parse_shape(sp[1], shape);
        bool dropout = strcmp(op, "dropout") == 0;
        Tensor *base = dropout ? tensor_ones(dt, nd, shape, &err) : tensor_zeros(dt, nd, shape, &err);
        assert_non_null(base);
        Tensor *v = apply_view(base, sp[2]);
        double a = nw > 1 ? strtod(w[1], NULL) : 0.0, b = nw > 2 ? strtod(w[2], NULL) : 0.0;
        int64_t ia = nw > 1 ? strtoll(w[1], NULL, 10) : 0, ib = nw > 2 ? strtoll(w[2], NULL, 10) : 0;
        outs[0] = tensor_retain(base);
        if (strcmp(op, "normal") == 0) rc = rng_normal_(g, v, a, b, &err);
        else if (strcmp(op, "randn") == 0) rc = rng_normal_(g, v, 0.0, 1.0, &err);
        else if (strcmp(op, "uniform") == 0) rc = rng_uniform_(g, v, a, b, &err);
        else if (strcmp(op, "rand") == 0) rc = rng_uniform_(g, v, 0.0, 1.0, &err);
        else if (strcmp(op, "random") == 0 || strcmp(op, "randint") == 0)
            rc = rng_random_from_to(g, v, ia, ib, &err);
        else if (strcmp(op, "random_from") == 0) rc = rng_random_from(g, v, ia, &err);
        else if (strcmp(op, "random_none") == 0) rc = rng_random_(g, v, &err);
        else if (strcmp(op, "bernoulli") == 0) rc = rng_bernoulli_(g, v, a, &err);
        else if (strcmp(op, "exponential") == 0) rc = rng_exponential_(g, v, a, &err);
        else if (dropout) {
            /* F.dropout on CPU: noise = empty_like(x, LEGACY_CONTIGUOUS_MEMORY_FORMAT)
             * (contiguous, whatever x's layout); noise.bernoulli_(1 - p);
             * noise.div_(1 - p) (float32 op with the scalar cast to float); x * noise */
            Tensor *noise = tensor_zeros(DTYPE_FLOAT32, v->ndim, v->shape, &err);
            assert_non_null(noise);
            rc = rng_bernoulli_(g, noise, 1.0 - a, &err);
            int64_t n = tensor_numel(v);
            double *vals = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
            assert_non_null(vals);
            float scale = (float)(1.0 - a);
            for (int64_t i = 0; i < n; i++)
                vals[i] = (float)tensor_get(v, i) * ((float)tensor_get(noise, i) / scale);
            tensor_release(outs[0]);
            outs[0] = tensor_from_doubles(DTYPE_FLOAT32, v->ndim, v->shape, vals, &err);
            assert_non_null(outs[0]);
            free(vals);
            tensor_release(noise);
        } else fail_msg("%s: unknown op", ctx);
        tensor_release(v);
        tensor_release(base);
    }
    if (rc == ERR_OK) {
        if (strncmp(res, "error ", 6) == 0) fail_msg("%s: succeeded but torch gives %s", ctx, res);
        check_result(res, outs, nout, ctx);
    } else {
        check_error(rc, &err, res, ctx);
    }
    for (int i = 0; i < 2; i++) tensor_release(outs[i]);
}

static void check_state_hex(const Generator *g, const char *hex, const char *ctx) {
    static uint8_t st[RNG_STATE_SIZE];
    rng_get_state(g, st);
    assert_int_equal(strlen(hex), 2 * RNG_STATE_SIZE);
    for (int i = 0; i < RNG_STATE_SIZE; i++) {
        unsigned byte;
        sscanf(hex + 2 * i, "%2x", &byte);
        if (byte != st[i]) fail_msg("%s: state byte %d is %u, torch has %u", ctx, i, st[i], byte);
    }
    values_checked += RNG_STATE_SIZE / 8;
}

static void test_rng_torch_cases(void **state) {
    (void)state;
    char *text = test_read_file("tests/data/rng_cases.txt");
    Generator g;
    rng_init(&g, 0);
    values_checked = 0;
    int lineno = 0, ops = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (line[0] == '#') continue;
        char *f[4];
        int nf = split_fields(line, f, 4);
        char ctx[96];
        snprintf(ctx, sizeof ctx, "rng_cases.txt:%d", lineno);
        ops++;
        if (strncmp(f[0], "seed ", 5) == 0) {
            seed_python(&g, f[0] + 5);
        } else if (strcmp(f[0], "fresh") == 0) {
            rng_init(&g, RNG_DEFAULT_SEED);
            assert_int_equal(rng_initial_seed(&g), strtoull(f[1] + 3, NULL, 10));
        } else if (strncmp(f[0], "seedpy ", 7) == 0) {
            int neg, ovf;
            unsigned long long mag;
            assert_int_equal(sscanf(f[0] + 7, "%d %llu %d", &neg, &mag, &ovf), 3);
            uint64_t seed = 0;
            Error err;
            err_clear(&err);
            int rc = rng_seed_from_python(neg, mag, ovf, &seed, &err);
            if (rc == ERR_OK) {
                Generator h;
                rng_init(&h, seed);
                if (strncmp(f[1], "ok ", 3) != 0 || strtoull(f[1] + 3, NULL, 10) != rng_initial_seed(&h))
                    fail_msg("%s: seed %llu, torch: %s", ctx, (unsigned long long)seed, f[1]);
            } else {
                check_error(rc, &err, f[1], ctx);
            }
        } else if (strcmp(f[0], "state") == 0) {
            assert_true(nf == 2 && strncmp(f[1], "bytes ", 6) == 0);
            check_state_hex(&g, f[1] + 6, ctx);
        } else if (strcmp(f[0], "setstate_legacy") == 0) {
            static uint8_t st[RNG_STATE_SIZE];
            Error err;
            rng_get_state(&g, st);
            assert_int_equal(rng_set_state(&g, st, RNG_STATE_SIZE_LEGACY, &err), ERR_OK);
        } else {
            assert_int_equal(nf, 3);
            run_tensor_op(&g, f[0], f[1], f[2], lineno);
        }
    }
    free(text);
    print_message("rng_cases.txt: %d operations, %ld values checked against torch 1.13\n", ops,
                  values_checked);
    assert_true(values_checked > 1000000);
}

/* ---- golden_rng.txt (reference values from /work/shared/reference) ---- */

/* nn.init fans of a 2-D (rows, cols) weight: fan_in = cols, fan_out = rows. */
static double xavier_std(int64_t rows, int64_t cols) {
    double gain = 1.0;
    return gain * sqrt(2.0 / (double)(cols + rows));
}

/* Runs the torch call described by a golden header on a freshly seeded generator and
 * returns the owned results (concatenated in order) in outs. */
static int run_golden(Generator *g, const char *desc, Tensor **outs) {
    Error err;
    err_clear(&err);
    int a, b, c;
    double x, y;
    char tail[64];
    int n = 0;
    if (strncmp(desc, "randn(3) then randn(3)", 22) == 0) {
        int64_t shape[1] = {3};
        for (int i = 0; i < 2; i++) {
            outs[n] = tensor_zeros(DTYPE_FLOAT32, 1, shape, &err);
            assert_int_equal(rng_normal_(g, outs[n++], 0.0, 1.0, &err), ERR_OK);
        }
    } else if (sscanf(desc, "torch.randn(%d%63s", &a, tail) == 2 && strcmp(tail, ")") == 0) {
        int64_t shape[1] = {a};
        outs[n] = tensor_zeros(DTYPE_FLOAT32, 1, shape, &err);
        assert_int_equal(rng_normal_(g, outs[n++], 0.0, 1.0, &err), ERR_OK);
    } else if (strncmp(desc, "nn.Embedding(", 13) == 0) {
        int pad = -1;
        int got = sscanf(desc, "nn.Embedding(%d,%d,padding_idx=%d", &a, &b, &pad);
        assert_true(got == 2 || got == 3);
        int64_t shape[2] = {a, b};
        outs[n] = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
        assert_int_equal(rng_normal_(g, outs[n], 0.0, 1.0, &err), ERR_OK);
        if (got == 3)
            for (int j = 0; j < b; j++) tensor_set(outs[n], (int64_t)pad * b + j, 0.0);
        n++;
    } else if (sscanf(desc, "torch.empty(%d,%d).uniform_(%lf,%lf)", &a, &b, &x, &y) == 4) {
        int64_t shape[2] = {a, b};
        outs[n] = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
        assert_int_equal(rng_uniform_(g, outs[n++], x, y, &err), ERR_OK);
    } else if (sscanf(desc, "torch.rand(%d)", &a) == 1) {
        int64_t shape[1] = {a};
        outs[n] = tensor_zeros(DTYPE_FLOAT32, 1, shape, &err);
        assert_int_equal(rng_uniform_(g, outs[n++], 0.0, 1.0, &err), ERR_OK);
    } else if (sscanf(desc, "xavier_uniform_(empty(%d,%d))", &a, &b) == 2) {
        int64_t shape[2] = {a, b};
        double bound = sqrt(3.0) * xavier_std(a, b);
        outs[n] = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
        assert_int_equal(rng_uniform_(g, outs[n++], -bound, bound, &err), ERR_OK);
    } else if (sscanf(desc, "xavier_normal_(empty(%d,%d))", &a, &b) == 2) {
        int64_t shape[2] = {a, b};
        outs[n] = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
        assert_int_equal(rng_normal_(g, outs[n++], 0.0, xavier_std(a, b), &err), ERR_OK);
    } else if (sscanf(desc, "kaiming_uniform_(empty(%d,%d), a=sqrt(5))", &a, &b) == 2) {
        /* gain = calculate_gain('leaky_relu', sqrt(5)); fan_in mode */
        double slope = sqrt(5.0);
        double gain = sqrt(2.0 / (1 + pow(slope, 2)));
        double bound = sqrt(3.0) * (gain / sqrt((double)b));
        int64_t shape[2] = {a, b};
        outs[n] = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
        assert_int_equal(rng_uniform_(g, outs[n++], -bound, bound, &err), ERR_OK);
    } else if (sscanf(desc, "normal_(empty(%d), mean=%lf, std=%lf)", &a, &x, &y) == 3) {
        int64_t shape[1] = {a};
        outs[n] = tensor_zeros(DTYPE_FLOAT32, 1, shape, &err);
        assert_int_equal(rng_normal_(g, outs[n++], x, y, &err), ERR_OK);
    } else if (sscanf(desc, "randint(%d,%d,(%d,))", &a, &b, &c) == 3) {
        int64_t shape[1] = {c};
        outs[n] = tensor_zeros(DTYPE_INT64, 1, shape, &err);
        assert_int_equal(rng_random_from_to(g, outs[n++], a, b, &err), ERR_OK);
    } else if (sscanf(desc, "randperm(%d)", &a) == 1) {
        outs[n] = rng_randperm(g, a, &err);
        assert_non_null(outs[n++]);
    } else {
        fail_msg("golden_rng.txt: no mapping for '%s'", desc);
    }
    return n;
}

static void run_golden_section(Generator *g, const char *header, char *vals) {
    unsigned long long seed;
    int used = 0;
    assert_int_equal(sscanf(header, "# seed=%llu %n", &seed, &used), 1);
    const char *desc = header + used;
    rng_init(g, seed);
    Tensor *outs[4] = {NULL};
    int n = run_golden(g, desc, outs);
    check_result(vals, outs, n, desc);
    for (int i = 0; i < n; i++) tensor_release(outs[i]);
}

static void test_rng_golden_reference(void **state) {
    (void)state;
    char *text = test_read_file("tests/data/golden_rng.txt");
    size_t cap = strlen(text) + 16;
    char *vals = malloc(cap);
    assert_non_null(vals);
    Generator g;
    values_checked = 0;
    int sections = 0;
    long value_lines = 0;
    const char *header = NULL;
    char *save = NULL;
    strcpy(vals, "vals");
    for (char *line = strtok_r(text, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
        if (!line || line[0] == '#') {
            if (header) {
                run_golden_section(&g, header, vals);
                sections++;
            }
            if (!line) break;
            header = line;
            strcpy(vals, "vals");
            continue;
        }
        /* "hex decimal" for floats, a bare integer otherwise: keep the first token */
        char *sp = strchr(line, ' ');
        if (sp) *sp = '\0';
        value_lines++;
        strcat(vals, " ");
        strcat(vals, line);
    }
    free(vals);
    free(text);
    print_message("golden_rng.txt: %d sections, %ld values bit-exact\n", sections, values_checked);
    assert_true(sections >= 26);
    assert_int_equal(values_checked, value_lines);
}

/* ---- engine, state and robustness ---- */

/* The C++ standard's check value for mt19937 ([rand.predef]): the 10000th output of a
 * default-seeded (5489) engine is 4123659995; at::mt19937 is the same engine. */
static void test_rng_engine_matches_std_mt19937(void **state) {
    (void)state;
    Generator g;
    rng_init(&g, 5489);
    uint32_t v = 0;
    for (int i = 0; i < 10000; i++) v = rng_random32(&g);
    assert_int_equal(v, 4123659995u);
    /* random64 is (first << 32) | second */
    Generator a, b;
    rng_init(&a, 7);
    rng_init(&b, 7);
    uint64_t hi = rng_random32(&a), lo = rng_random32(&a);
    assert_true(rng_random64(&b) == ((hi << 32) | lo));
    /* only the low 32 bits seed the engine; the full seed is reported */
    rng_init(&a, (UINT64_C(1) << 32) + 5);
    rng_init(&b, 5);
    assert_int_equal(rng_random32(&a), rng_random32(&b));
    assert_true(rng_initial_seed(&a) == (UINT64_C(1) << 32) + 5);
}

static void test_rng_state_roundtrip_and_errors(void **state) {
    (void)state;
    Error err;
    err_clear(&err);
    Generator g;
    rng_init(&g, 11);
    int64_t shape[1] = {3};
    Tensor *t = tensor_zeros(DTYPE_FLOAT32, 1, shape, &err);
    assert_int_equal(rng_normal_(&g, t, 0.0, 1.0, &err), ERR_OK); /* leaves a cached normal */
    assert_true(g.has_next_double_normal);
    static uint8_t st[RNG_STATE_SIZE];
    rng_get_state(&g, st);
    double first[3], again[3];
    assert_int_equal(rng_normal_(&g, t, 0.0, 1.0, &err), ERR_OK);
    for (int i = 0; i < 3; i++) first[i] = tensor_get(t, i);
    uint32_t next_draw = rng_random32(&g);

    Generator h;
    rng_init(&h, 999);
    assert_int_equal(rng_set_state(&h, st, RNG_STATE_SIZE, &err), ERR_OK);
    assert_true(rng_initial_seed(&h) == 11);
    assert_int_equal(rng_normal_(&h, t, 0.0, 1.0, &err), ERR_OK);
    for (int i = 0; i < 3; i++) again[i] = tensor_get(t, i);
    assert_memory_equal(first, again, sizeof first);
    assert_int_equal(rng_random32(&h), next_draw);

    /* bad sizes and invalid states leave the generator untouched */
    Generator before = h;
    assert_int_equal(rng_set_state(&h, st, 10, &err), ERR_RUNTIME);
    assert_string_equal(err.msg, "Expected either a CPUGeneratorImplStateLegacy of size 5048 or a "
                                 "CPUGeneratorImplState of size 5056 but found the input RNG "
                                 "state size to be 10");
    static uint8_t zeros[RNG_STATE_SIZE];
    assert_int_equal(rng_set_state(&h, zeros, RNG_STATE_SIZE, &err), ERR_RUNTIME);
    assert_string_equal(err.msg, "Invalid mt19937 state");
    assert_memory_equal(&before, &h, sizeof h);

    /* failed fills draw nothing, do not bump the version, and accept err == NULL */
    uint64_t version = t->storage->version;
    assert_int_equal(rng_normal_(&h, t, 0.0, -1.0, NULL), ERR_RUNTIME);
    assert_int_equal(rng_uniform_(&h, t, 1.0, 0.0, NULL), ERR_RUNTIME);
    int64_t one = 1, three = 3;
    Tensor *s = tensor_zeros(DTYPE_FLOAT32, 1, &one, &err);
    Tensor *x = tensor_expand(s, 1, &three, &err);
    assert_int_equal(rng_bernoulli_(&h, x, 0.5, NULL), ERR_RUNTIME);
    assert_int_equal(rng_random_from_to(&h, x, 0, 3, NULL), ERR_RUNTIME);
    assert_true(t->storage->version == version);
    assert_memory_equal(&before, &h, sizeof h);
    assert_int_equal(rng_uniform_(&h, t, 0.0, 1.0, &err), ERR_OK);
    assert_true(t->storage->version == version + 1);
    tensor_release(x);
    tensor_release(s);
    tensor_release(t);

    Generator *heap = rng_new(RNG_DEFAULT_SEED, &err);
    assert_non_null(heap);
    assert_true(rng_initial_seed(heap) == UINT64_C(67280421310721));
    rng_free(heap);
    rng_free(NULL);
}

static void test_rng_randperm_allocation_failures(void **state) {
    (void)state;
    Error err;
    err_clear(&err);
    Generator g;
    rng_init(&g, 0);
    size_t in_use = mem_tensor_in_use();
    unsigned long before = mem_alloc_count();
    Tensor *t = rng_randperm(&g, 1000, &err);
    assert_non_null(t);
    unsigned long allocs = mem_alloc_count() - before;
    tensor_release(t);
    assert_true(allocs >= 1);
    for (unsigned long k = 0; k < allocs; k++) {
        err_clear(&err);
        mem_fail_after((long)k);
        t = rng_randperm(&g, 1000, &err);
        mem_fail_after(-1);
        assert_null(t);
        assert_int_equal(err.code, ERR_MEMORY);
        assert_true(mem_tensor_in_use() == in_use);
    }
    /* the tensor budget: a huge permutation is a MemoryError, not an OOM */
    t = rng_randperm(&g, INT64_C(1) << 40, &err);
    assert_null(t);
    assert_int_equal(err.code, ERR_MEMORY);
}

static void test_rng_large_fill_speed(void **state) {
    (void)state;
    Error err;
    Generator g;
    rng_init(&g, 0);
    int64_t shape[2] = {1000, 300};
    Tensor *t = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
    assert_non_null(t);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(rng_normal_(&g, t, 0.0, 1.0, &err), ERR_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    print_message("normal_ on (1000, 300) float32: %.2f ms\n", ms);
    assert_true(ms < 5000.0);
    tensor_release(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_engine_matches_std_mt19937),
        cmocka_unit_test(test_rng_golden_reference),
        cmocka_unit_test(test_rng_torch_cases),
        cmocka_unit_test(test_rng_state_roundtrip_and_errors),
        cmocka_unit_test(test_rng_randperm_allocation_failures),
        cmocka_unit_test(test_rng_large_fill_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
