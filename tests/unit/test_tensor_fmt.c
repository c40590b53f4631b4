/*
 * tests/unit/test_tensor_fmt.c — tensor repr against torch 1.13, case by case
 * (tests/data/fmt_cases.txt from tests/tools/gen_fmt.py): every tensor is rebuilt from
 * its recorded dtype, shape, values and view ops, printed with the recorded options and
 * extras, and compared byte for byte. Also torch.Size / dtype reprs, print profiles,
 * appending semantics and allocation failures. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <math.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "core/tensor.h"
#include "core/tensor_fmt.h"

#define DATA_FILE "tests/data/fmt_cases.txt"

/* One record of the data file; the fields point into the loaded text. */
typedef struct Case {
    int lineno;
    const char *title, *set, *opts, *tensor, *ops, *extras, *data;
    const char *expect; /* NULL when the case expects an error */
    const char *error;  /* "<Name> <message>" */
} Case;

static const char *after(const char *line, const char *key) {
    size_t n = strlen(key);
    return strncmp(line, key, n) == 0 ? line + n : NULL;
}

static DType dtype_from_name(const char *name) {
    for (int d = 0; d < DTYPE_COUNT; d++)
        if (strcmp(dtype_name((DType)d), name) == 0) return (DType)d;
    fail_msg("unknown dtype %s", name);
    return DTYPE_FLOAT32;
}

/* Undoes the generator's escaping of '\\' and '\n'; returns a malloc'ed string. */
static char *unescape(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    assert_non_null(out);
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            *o++ = *s == 'n' ? '\n' : *s;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static void parse_opts(const char *s, PrintOptions *o) {
    char sci[16], def[16], thr[32];
    long long edge, width;
    assert_int_equal(sscanf(s, "%d %31s %lld %lld %15s %15s", &o->precision, thr, &edge, &width,
                            sci, def),
                     6);
    o->threshold = strtod(thr, NULL);
    o->edgeitems = edge;
    o->linewidth = width;
    o->sci_mode = strcmp(sci, "on") == 0    ? TENSOR_SCI_ON
                  : strcmp(sci, "off") == 0 ? TENSOR_SCI_OFF
                                            : TENSOR_SCI_AUTO;
    o->default_dtype = dtype_from_name(def);
}

/* Applies a set line ("profile=short precision=2 sci_mode=True") as torch's
 * set_printoptions does, starting from the defaults. */
static PrintOptions apply_set_line(const char *s) {
    PrintOptions o = TENSOR_FMT_DEFAULTS;
    char key[32], value[32];
    int used = 0;
    if (strcmp(s, "-") == 0) return o;
    while (sscanf(s, " %31[^=]=%31s%n", key, value, &used) == 2) {
        s += used;
        if (strcmp(key, "profile") == 0) tensor_fmt_apply_profile(&o, value);
    }
    return o;
}

static PrintOptions apply_set_values(PrintOptions o, const char *s) {
    char key[32], value[32];
    int used = 0;
    o.sci_mode = TENSOR_SCI_AUTO; /* set_printoptions always resets it */
    if (strcmp(s, "-") == 0) return o;
    while (sscanf(s, " %31[^=]=%31s%n", key, value, &used) == 2) {
        s += used;
        if (strcmp(key, "precision") == 0) o.precision = atoi(value);
        if (strcmp(key, "threshold") == 0) o.threshold = strtod(value, NULL);
        if (strcmp(key, "edgeitems") == 0) o.edgeitems = atoll(value);
        if (strcmp(key, "linewidth") == 0) o.linewidth = atoll(value);
        if (strcmp(key, "sci_mode") == 0)
            o.sci_mode = strcmp(value, "True") == 0 ? TENSOR_SCI_ON : TENSOR_SCI_OFF;
    }
    return o;
}

/* Builds the contiguous base tensor of a "tensor" and "data" line pair. */
static Tensor *build_base(const char *tensor_line, const char *data, Error *err) {
    char name[16];
    int ndim = 0, used = 0;
    assert_int_equal(sscanf(tensor_line, "%15s %d%n", name, &ndim, &used), 2);
    DType dt = dtype_from_name(name);
    int64_t shape[TENSOR_MAX_DIMS];
    const char *s = tensor_line + used;
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) {
        char *end;
        shape[i] = strtoll(s, &end, 10);
        s = end;
        numel *= shape[i];
    }
    bool floating = dtype_is_floating(dt);
    double *dv = calloc((size_t)numel + 1, sizeof *dv);
    int64_t *iv = calloc((size_t)numel + 1, sizeof *iv);
    assert_true(dv && iv);
    char *end;
    if ((s = after(data, "explicit"))) {
        for (int64_t i = 0; i < numel; i++) {
            if (floating)
                dv[i] = strtod(s, &end);
            else
                iv[i] = strtoll(s, &end, 10);
            assert_true(end != s);
            s = end;
        }
    } else if ((s = after(data, "arange"))) {
        if (floating) {
            double start = strtod(s, &end), step = strtod(end, NULL);
            for (int64_t i = 0; i < numel; i++) dv[i] = start + (double)i * step;
        } else {
            int64_t start = strtoll(s, &end, 10), step = strtoll(end, NULL, 10);
            for (int64_t i = 0; i < numel; i++) iv[i] = start + i * step;
        }
    } else if ((s = after(data, "sparse"))) {
        double dfill = strtod(s, &end);
        int64_t ifill = (int64_t)dfill;
        int64_t k = strtoll(end, &end, 10);
        for (int64_t i = 0; i < numel; i++) {
            dv[i] = dfill;
            iv[i] = ifill;
        }
        for (int64_t j = 0; j < k; j++) {
            int64_t at = strtoll(end, &end, 10);
            assert_true(at >= 0 && at < numel);
            if (floating)
                dv[at] = strtod(end, &end);
            else
                iv[at] = strtoll(end, &end, 10);
        }
    } else {
        fail_msg("bad data line: %.40s", data);
    }
    Tensor *t = floating ? tensor_from_doubles(dt, ndim, shape, dv, err)
                         : tensor_from_int64s(dt, ndim, shape, iv, err);
    free(dv);
    free(iv);
    return t;
}

/* Applies one view op of the generator's language; returns an owned tensor. */
static Tensor *apply_op(Tensor *t, const char *op, Error *err) {
    char name[32];
    int consumed = 0;
    assert_int_equal(sscanf(op, " %31s%n", name, &consumed), 1);
    int64_t a[TENSOR_MAX_DIMS];
    int n = 0;
    char *end;
    const char *s = op + consumed;
    for (;;) {
        int64_t v = strtoll(s, &end, 10);
        if (end == s || n == TENSOR_MAX_DIMS) break;
        a[n++] = v;
        s = end;
    }
    if (strcmp(name, "t") == 0) return tensor_t(t, err);
    if (strcmp(name, "transpose") == 0) return tensor_transpose(t, a[0], a[1], err);
    if (strcmp(name, "permute") == 0) return tensor_permute(t, n, a, err);
    if (strcmp(name, "slice") == 0) return tensor_slice(t, a[0], true, a[1], true, a[2], a[3], err);
    if (strcmp(name, "select") == 0) return tensor_select(t, a[0], a[1], err);
    if (strcmp(name, "expand") == 0) return tensor_expand(t, n, a, err);
    if (strcmp(name, "unsqueeze") == 0) return tensor_unsqueeze(t, a[0], err);
    fail_msg("unknown op %s", name);
    return NULL;
}

/* Builds the case's tensor (base + view ops). */
static Tensor *build_tensor(const Case *c) {
    Error err;
    err_clear(&err);
    Tensor *t = build_base(c->tensor, c->data, &err);
    assert_non_null(t);
    if (strcmp(c->ops, "-") != 0) {
        char *ops = strdup(c->ops), *save = NULL;
        for (char *op = strtok_r(ops, ";", &save); op; op = strtok_r(NULL, ";", &save)) {
            Tensor *next = apply_op(t, op, &err);
            if (!next) fail_msg("line %d: op '%s' failed: %s", c->lineno, op, err.msg);
            tensor_release(t);
            t = next;
        }
        free(ops);
    }
    return t;
}

/* Runs one case; returns true when the repr (or error) matches torch's. */
static bool run_case(const Case *c) {
    PrintOptions opts;
    parse_opts(c->opts, &opts);
    PrintOptions set = apply_set_values(apply_set_line(c->set), c->set);
    set.default_dtype = opts.default_dtype;
    bool same_opts = set.precision == opts.precision && set.threshold == opts.threshold &&
                     set.edgeitems == opts.edgeitems && set.linewidth == opts.linewidth &&
                     set.sci_mode == opts.sci_mode;
    if (!same_opts) print_error("line %d: set_printoptions(%s) gives other options\n",
                                c->lineno, c->set);

    Tensor *t = build_tensor(c);
    int parameter = 0, requires_grad = 0;
    char grad_fn[64];
    assert_int_equal(sscanf(c->extras, "%d %d %63s", &parameter, &requires_grad, grad_fn), 3);
    /* Cases without a grad_fn go through the tensor's own flags (extras NULL). */
    TensorReprExtras extras = {parameter != 0, requires_grad != 0, grad_fn};
    const TensorReprExtras *ex = &extras;
    if (strcmp(grad_fn, "-") == 0) {
        t->is_parameter = parameter != 0;
        t->requires_grad = requires_grad != 0;
        ex = NULL;
    }

    /* The repr is appended after existing text, which an error leaves untouched. */
    StrBuf out = SB_INIT;
    sb_append(&out, ">>");
    Error err;
    err_clear(&err);
    int rc = tensor_repr(t, &opts, ex, &out, &err);
    StrBuf got = SB_INIT;
    if (rc == ERR_OK) {
        sb_append(&got, sb_str(&out) + 2);
    } else {
        sb_appendf(&got, "%s %s", err_name(err.code), err.msg);
        if (strcmp(sb_str(&out), ">>") != 0) sb_append(&got, " (and the buffer was changed)");
    }
    char *want = c->expect ? unescape(c->expect) : strdup(c->error);
    bool ok = same_opts && strcmp(want, sb_str(&got)) == 0 && (rc == ERR_OK) == !!c->expect;
    if (!ok)
        print_error("fmt case at line %d: %s\n--- want:\n%s\n--- got:\n%s\n", c->lineno,
                    c->title, want, sb_str(&got));
    free(want);
    sb_free(&got);
    sb_free(&out);
    tensor_release(t);
    return ok;
}

/* Splits the loaded file into lines (in place); returns the count. */
static int split_lines(char *text, char ***lines_out) {
    int cap = 1024, n = 0;
    char **lines = malloc((size_t)cap * sizeof *lines);
    assert_non_null(lines);
    for (char *p = text; *p;) {
        if (n == cap) {
            cap *= 2;
            lines = realloc(lines, (size_t)cap * sizeof *lines);
            assert_non_null(lines);
        }
        lines[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl) break;
        *nl = '\0';
        p = nl + 1;
    }
    *lines_out = lines;
    return n;
}

static void test_tensor_fmt_repr_matches_torch(void **state) {
    (void)state;
    char *text = test_read_file(DATA_FILE);
    char **lines;
    int n = split_lines(text, &lines);
    assert_true(n > 0 && strstr(lines[0], "generated by tests/tools/gen_fmt.py"));
    int cases = 0, failures = 0;
    for (int i = 0; i < n; i++) {
        const char *title = after(lines[i], "case ");
        if (!title) continue;
        assert_true(i + 7 < n);
        Case c = {i + 1, title, after(lines[i + 1], "set "), after(lines[i + 2], "opts "),
                  after(lines[i + 3], "tensor "), after(lines[i + 4], "ops "),
                  after(lines[i + 5], "extras "), after(lines[i + 6], "data "),
                  after(lines[i + 7], "expect "), after(lines[i + 7], "error ")};
        if (!c.set || !c.opts || !c.tensor || !c.ops || !c.extras || !c.data ||
            !(c.expect || c.error))
            fail_msg("%s line %d: malformed record", DATA_FILE, i + 1);
        cases++;
        if (!run_case(&c)) failures++;
        i += 7;
    }
    free(lines);
    free(text);
    print_message("tensor repr: %d cases against torch 1.13, %d passed, %d failed\n", cases,
                  cases - failures, failures);
    assert_true(cases >= 120);
    assert_int_equal(failures, 0);
    assert_int_equal(mem_tensor_in_use(), 0);
}

/* size/dtype/profile lines: "size 2 2 3 | torch.Size([2, 3])", "dtype bool | torch.bool",
 * "profile short 2 1000 2 80" (from options all set to 9 first). */
static void test_tensor_fmt_size_dtype_and_profiles_match_torch(void **state) {
    (void)state;
    char *text = test_read_file(DATA_FILE);
    char **lines;
    int n = split_lines(text, &lines);
    int checked = 0;
    for (int i = 0; i < n; i++) {
        const char *s;
        StrBuf got = SB_INIT;
        const char *want = strstr(lines[i], " | ");
        if ((s = after(lines[i], "size "))) {
            char *end;
            int ndim = (int)strtol(s, &end, 10);
            int64_t shape[TENSOR_MAX_DIMS];
            for (int d = 0; d < ndim; d++) shape[d] = strtoll(end, &end, 10);
            tensor_fmt_size(ndim, shape, &got);
        } else if ((s = after(lines[i], "dtype "))) {
            char name[16];
            assert_int_equal(sscanf(s, "%15s", name), 1);
            tensor_fmt_dtype(dtype_from_name(name), &got);
        } else if ((s = after(lines[i], "profile "))) {
            char name[16], thr[32];
            PrintOptions o = {9, 9, 9, 9, TENSOR_SCI_ON, DTYPE_FLOAT64}, w;
            long long edge, width;
            assert_int_equal(sscanf(s, "%15s %d %31s %lld %lld", name, &w.precision, thr, &edge,
                                    &width),
                             5);
            bool known = tensor_fmt_apply_profile(&o, name);
            assert_int_equal(known, strcmp(name, "bogus") != 0);
            assert_int_equal(o.precision, w.precision);
            assert_true(o.threshold == strtod(thr, NULL));
            assert_int_equal(o.edgeitems, edge);
            assert_int_equal(o.linewidth, width);
            assert_int_equal(o.sci_mode, TENSOR_SCI_ON); /* untouched */
            assert_int_equal(o.default_dtype, DTYPE_FLOAT64);
            checked++;
            continue;
        } else {
            continue;
        }
        assert_non_null(want);
        assert_string_equal(sb_str(&got), want + 3);
        sb_free(&got);
        checked++;
    }
    free(lines);
    free(text);
    assert_true(checked >= 14);
}

/* NULL options are the defaults; NULL extras come from the tensor's flags. */
static void test_tensor_fmt_null_options_and_extras(void **state) {
    (void)state;
    Error err;
    Tensor *t = tensor_arange(0, 4, 1, DTYPE_FLOAT32, &err);
    assert_non_null(t);
    StrBuf a = SB_INIT, b = SB_INIT;
    assert_int_equal(tensor_repr(t, NULL, NULL, &a, &err), ERR_OK);
    assert_int_equal(tensor_repr(t, &TENSOR_FMT_DEFAULTS, NULL, &b, &err), ERR_OK);
    assert_string_equal(sb_str(&a), sb_str(&b));
    t->is_parameter = true;
    TensorReprExtras ex = tensor_fmt_extras_of(t);
    assert_true(ex.is_parameter);
    assert_false(ex.requires_grad);
    assert_null(ex.grad_fn);
    sb_clear(&a);
    sb_clear(&b);
    assert_int_equal(tensor_repr(t, NULL, NULL, &a, &err), ERR_OK);
    assert_int_equal(tensor_repr(t, NULL, &ex, &b, &err), ERR_OK);
    assert_string_equal(sb_str(&a), sb_str(&b));
    assert_non_null(strstr(sb_str(&a), "\ntensor("));
    sb_free(&a);
    sb_free(&b);
    tensor_release(t);
}

/* Every allocation tensor_repr makes can fail: MemoryError, the buffer unchanged, and no
 * leak (checked by the sanitizer build). */
static void test_tensor_fmt_allocation_failures_are_clean(void **state) {
    (void)state;
    Error err;
    int64_t shape[2] = {2, 3};
    Tensor *t = tensor_arange(0, 6, 1, DTYPE_FLOAT64, &err);
    Tensor *r = t ? tensor_reshape(t, 2, shape, &err) : NULL;
    assert_non_null(r);
    TensorReprExtras ex = {true, true, "AddBackward0"};
    unsigned long before = mem_alloc_count();
    StrBuf out = SB_INIT;
    assert_int_equal(tensor_repr(r, NULL, &ex, &out, &err), ERR_OK);
    unsigned long count = mem_alloc_count() - before;
    assert_true(count > 0);
    for (unsigned long i = 0; i < count; i++) {
        StrBuf sb = SB_INIT;
        err_clear(&err);
        mem_fail_after((long)i);
        int rc = tensor_repr(r, NULL, &ex, &sb, &err);
        mem_fail_after(-1);
        assert_int_equal(rc, ERR_MEMORY);
        assert_int_equal(err.code, ERR_MEMORY);
        assert_int_equal(sb.len, 0);
        sb_free(&sb);
    }
    sb_free(&out);
    tensor_release(r);
    tensor_release(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensor_fmt_repr_matches_torch),
        cmocka_unit_test(test_tensor_fmt_size_dtype_and_profiles_match_torch),
        cmocka_unit_test(test_tensor_fmt_null_options_and_extras),
        cmocka_unit_test(test_tensor_fmt_allocation_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
