/*
 * tests/unit/test_parse.c — the parser against CPython 3.11 (tests/data/parse_cases.txt,
 * written by tests/tools/gen_parse.py): ast.dump() byte for byte, node positions, and
 * SyntaxError kind/message/position; plus tier gating, limits and completeness.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include "core/mem.h"
#include "core/strbuf.h"
#include "lang/ast.h"
#include "lang/parse.h"

#define CASES "tests/data/parse_cases.txt"

/* Exact error matches (kind, message, line, offset) must not fall below this. */
#define MIN_EXACT_ERRORS 197

static char *unhex(const char *h, size_t n, size_t *len) {
    char *out = malloc(n / 2 + 1);
    assert_non_null(out);
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned v;
        sscanf(h + i, "%2x", &v);
        out[i / 2] = (char)v;
    }
    *len = n / 2;
    out[*len] = '\0';
    return out;
}

/* Splits line into at most max tab-separated fields (in place). */
static int split(char *line, char **fields, int max) {
    int n = 0;
    fields[n++] = line;
    for (char *p = line; *p && n < max; p++) {
        if (*p == '\t') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}


typedef struct Counts {
    int ast_ok, ast_total, pos_ok, pos_total, err_exact, err_kind_line, err_total, unsup_ok,
        unsup_total;
} Counts;

static void run_cases(Counts *c, int verbose) {
    char *data = test_read_file(CASES);
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') continue;
        char *f[8];
        int nf = split(line, f, 8);
        size_t len;
        char *src = unhex(f[1], strlen(f[1]), &len);
        Error err;
        ParseOptions opts = {.tier2 = true, .ast_only = f[0][0] == 'a' || f[0][0] == 'p'};
        Ast *ast = parse_module(src, len, &opts, &err);
        if (strcmp(f[0], "ast") == 0 || strcmp(f[0], "pos") == 0) {
            bool pos = f[0][0] == 'p';
            int *ok = pos ? &c->pos_ok : &c->ast_ok;
            (*(pos ? &c->pos_total : &c->ast_total))++;
            if (!ast) {
                if (verbose) fprintf(stderr, "[%s] %s\n  parse error: %s (line %d col %d)\n", f[0], src, err.msg, err.line, err.col);
            } else {
                StrBuf sb = SB_INIT;
                assert_int_equal(ast_dump(ast->root, pos, &sb, NULL), ERR_OK);
                if (strcmp(sb_str(&sb), f[2]) == 0) (*ok)++;
                else if (verbose)
                    fprintf(stderr, "[%s] %s\n  want %s\n  got  %s\n", f[0], src, f[2], sb_str(&sb));
                sb_free(&sb);
            }
        } else if (strcmp(f[0], "error") == 0 && nf >= 8) {
            c->err_total++;
            ErrCode want = strcmp(f[2], "SyntaxError") == 0 ? ERR_SYNTAX
                           : strcmp(f[2], "TabError") == 0  ? ERR_TAB
                                                             : ERR_INDENTATION;
            int line_no = atoi(f[4]), offset = atoi(f[5]);
            if (ast) {
                if (verbose) fprintf(stderr, "[error] %s\n  parsed without error\n", src);
            } else {
                bool kind_ok = err.code == want;
                if (kind_ok && err.line == line_no) c->err_kind_line++;
                if (kind_ok && err.line == line_no && err.col == offset && strcmp(err.msg, f[3]) == 0)
                    c->err_exact++;
                else if (verbose)
                    fprintf(stderr, "[error] %s\n  want %s: %s (%d, %d)\n  got  %s: %s (%d, %d)\n", src, f[2], f[3],
                            line_no, offset, err_name(err.code), err.msg, err.line, err.col);
            }
        } else if (strcmp(f[0], "unsupported") == 0) {
            c->unsup_total++;
            if (!ast && err.code == ERR_SYNTAX && strstr(err.msg, "not supported by embedlab"))
                c->unsup_ok++;
            else if (verbose)
                fprintf(stderr, "[unsupported] %s\n  got %s\n", src, ast ? "(parsed)" : err.msg);
        }
        ast_free(ast);
        free(src);
    }
    free(data);
}

static void test_parse_matches_cpython_ast_dump(void **state) {
    (void)state;
    Counts c = {0};
    run_cases(&c, getenv("PARSE_VERBOSE") != NULL);
    printf("ast.dump: %d/%d, positions: %d/%d, errors exact: %d/%d (kind+line %d), "
           "unsupported: %d/%d\n",
           c.ast_ok, c.ast_total, c.pos_ok, c.pos_total, c.err_exact, c.err_total,
           c.err_kind_line, c.unsup_ok, c.unsup_total);
    if (c.ast_ok != c.ast_total || c.pos_ok != c.pos_total || c.unsup_ok != c.unsup_total ||
        c.err_exact < MIN_EXACT_ERRORS)
        run_cases(&c, 1);
    assert_true(c.ast_total >= 300);
    assert_int_equal(c.ast_ok, c.ast_total);
    assert_int_equal(c.pos_ok, c.pos_total);
    assert_int_equal(c.unsup_ok, c.unsup_total);
    assert_true(c.err_total >= 80);
    assert_true(c.err_exact >= MIN_EXACT_ERRORS);
    assert_int_equal(c.err_kind_line, c.err_total);
}

/* Parses src (NUL-terminated) and returns the error (code ERR_OK on success). */
static Error parse_err(const char *src, bool tier2) {
    ParseOptions o = {.tier2 = tier2};
    Error err;
    Ast *ast = parse_module(src, strlen(src), &o, &err);
    if (ast) err_clear(&err);
    ast_free(ast);
    return err;
}

static void expect_error(const char *src, bool tier2, ErrCode code, const char *msg, int line,
                         int col) {
    Error e = parse_err(src, tier2);
    if (e.code != code || strcmp(e.msg, msg) != 0 || e.line != line || e.col != col)
        fail_msg("%s\n  want %s: %s (%d, %d)\n  got  %s: %s (%d, %d)", src, err_name(code), msg,
                 line, col, err_name(e.code), e.msg, e.line, e.col);
}

static void test_parse_tier2_constructs_gated(void **state) {
    (void)state;
    static const struct { const char *src, *msg; int col; } cases[] = {
        {"class A:\n    pass\n", "'class' is not supported yet", 1},
        {"f = lambda x: x\n", "'lambda' is not supported yet", 5},
        {"try:\n    a\nexcept:\n    b\n", "'try' is not supported yet", 1},
        {"raise ValueError('x')\n", "'raise' is not supported yet", 1},
        {"s = sum(x for x in y)\n", "generator expressions are not supported yet", 11},
        {"s = (x for x in y)\n", "generator expressions are not supported yet", 8},
        {"s = {1, 2}\n", "set displays are not supported yet", 5},
        {"s = {x for x in y}\n", "set displays are not supported yet", 5},
        {"def f(*args): pass\n", "'*args' parameters are not supported yet", 7},
        {"def f(a, *, b): pass\n", "'*args' parameters are not supported yet", 10},
        {"def f(**kw): pass\n", "'**kwargs' parameters are not supported yet", 7},
        {"x: int = 3\n", "annotations are not supported yet", 2},
        {"def f(a: int): pass\n", "annotations are not supported yet", 8},
        {"def f() -> int: pass\n", "annotations are not supported yet", 9},
        {"f(**kw)\n", "'**kwargs' arguments are not supported yet", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        expect_error(cases[i].src, false, ERR_SYNTAX, cases[i].msg, 1, cases[i].col);
        Error e = parse_err(cases[i].src, true);
        if (e.code != ERR_OK) fail_msg("tier2: %s: %s", cases[i].src, e.msg);
    }
    /* first tier: everything LANGUAGE.md lists parses */
    Error e = parse_err("import torch\nfrom torch import nn\nx = [i * 2 for i in range(3) if i]\n"
                        "d = {k: v for k, v in zip(a, b)}\nwith torch.no_grad():\n    w[0] = 0\n"
                        "def f(a, b=2):\n    global g\n    return a\nprint(f\"{x!r:>{w}}\", f(*xs))\n", false);
    assert_int_equal(e.code, ERR_OK);
}

static void test_parse_never_supported(void **state) {
    (void)state;
    expect_error("def f():\n    yield 1\n", true, ERR_SYNTAX,
                 "'yield' expressions are not supported by embedlab", 2, 5);
    expect_error("async def f(): pass\n", true, ERR_SYNTAX,
                 "'async' statements are not supported by embedlab", 1, 1);
    expect_error("@dec\ndef f(): pass\n", true, ERR_SYNTAX,
                 "decorators are not supported by embedlab", 1, 1);
    expect_error("if (n := 10) > 5: pass\n", true, ERR_SYNTAX,
                 "':=' assignment expressions are not supported by embedlab", 1, 7);
    expect_error("match x:\n    case 1: pass\n", true, ERR_SYNTAX,
                 "match statements are not supported by embedlab", 1, 1);
    expect_error("z = 1j\n", true, ERR_SYNTAX, "complex numbers are not supported by embedlab", 1, 5);
    expect_error("z = b'ab'\n", true, ERR_SYNTAX, "bytes literals are not supported by embedlab", 1, 5);
    expect_error("z = '\\N{DASH}'\n", true, ERR_SYNTAX,
                 "\\N{...} escapes are not supported by embedlab", 1, 5);
    /* soft keywords stay names */
    assert_int_equal(parse_err("match = 1\nmatch(x)\ncase = 2\n", false).code, ERR_OK);
}

static void test_parse_source_checks(void **state) {
    (void)state;
    char nul[] = "x = 1\ny = 2\0\n";
    Error err;
    Ast *ast = parse_module(nul, sizeof nul - 1, NULL, &err);
    assert_null(ast);
    assert_string_equal(err.msg, "source code cannot contain null bytes");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 6);
    ast = parse_module("x = '\xff'\n", 9, NULL, &err);
    assert_null(ast);
    assert_int_equal(err.code, ERR_SYNTAX);
    assert_non_null(strstr(err.msg, "invalid UTF-8 byte 0xff"));
    assert_int_equal(err.col, 6);
    ParseOptions small = {.max_source = 10};
    ast = parse_module("x = 1234567890\n", 15, &small, &err);
    assert_null(ast);
    assert_non_null(strstr(err.msg, "source too long"));
    /* a BOM is skipped; CRLF line ends work */
    assert_int_equal(parse_err("\xEF\xBB\xBFx = 1\r\nif x:\r\n    y = '''a\r\nb'''\r\n", false).code,
                     ERR_OK);
}

/* A line of n copies of `unit` followed by `tail`. */
static char *repeat(const char *unit, int n, const char *tail) {
    size_t u = strlen(unit), t = strlen(tail);
    char *s = malloc(u * (size_t)n + t + 1);
    assert_non_null(s);
    for (int i = 0; i < n; i++) memcpy(s + u * (size_t)i, unit, u);
    memcpy(s + u * (size_t)n, tail, t + 1);
    return s;
}

static void test_parse_deep_nesting_is_bounded(void **state) {
    (void)state;
    char *s = repeat("(", 100000, "\n");
    Error e = parse_err(s, true);
    assert_int_equal(e.code, ERR_SYNTAX);
    assert_string_equal(e.msg, "too many nested parentheses");
    assert_int_equal(e.col, 201);
    free(s);
    static const char *units[] = {"-", "not ", "~", "+", "2**", "lambda: ", "x if y else "};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        s = repeat(units[i], 100000, "1\n");
        e = parse_err(s, true);
        assert_int_equal(e.code, ERR_RECURSION);
        assert_string_equal(e.msg, "maximum recursion depth exceeded during compilation");
        free(s);
        s = repeat(units[i], 500, "1\n"); /* moderate depth still parses */
        e = parse_err(s, true);
        assert_int_equal(e.code, ERR_OK);
        free(s);
    }
    s = repeat("[", 199, "");
    char *t = repeat("]", 199, "\n");
    char *both = malloc(strlen(s) + strlen(t) + 1);
    strcpy(both, s);
    strcat(both, t);
    assert_int_equal(parse_err(both, true).code, ERR_OK);
    free(s); free(t); free(both);
    /* indentation: 99 levels parse, 100 do not */
    StrBuf sb = SB_INIT;
    for (int i = 0; i < 100; i++) { sb_repeat(&sb, ' ', (size_t)i); sb_append(&sb, "if x:\n"); }
    sb_repeat(&sb, ' ', 100);
    sb_append(&sb, "pass\n");
    e = parse_err(sb_str(&sb), true);
    assert_int_equal(e.code, ERR_INDENTATION);
    assert_string_equal(e.msg, "too many levels of indentation");
    sb_free(&sb);
}

static void expect_complete(const char *src, ParseCompleteness want, const char *want_indent) {
    char *indent = NULL;
    ParseOptions o = {.tier2 = true};
    ParseCompleteness got = parse_is_complete(src, strlen(src), &o, &indent);
    if (got != want || (want_indent && (!indent || strcmp(indent, want_indent) != 0)) ||
        (!want_indent && indent))
        fail_msg("is_complete(%s): want %d indent '%s', got %d indent '%s'", src, want,
                 want_indent ? want_indent : "(none)", got, indent ? indent : "(none)");
    mem_free(indent);
}

static void test_parse_is_complete(void **state) {
    (void)state;
    expect_complete("", PARSE_COMPLETE, NULL);
    expect_complete("# just a comment", PARSE_COMPLETE, NULL);
    expect_complete("x = 1", PARSE_COMPLETE, NULL);
    expect_complete("x = 1\n", PARSE_COMPLETE, NULL);
    expect_complete("print(x)\ny = 2", PARSE_COMPLETE, NULL);
    expect_complete("if x:", PARSE_INCOMPLETE, "    ");
    expect_complete("if x:\n", PARSE_INCOMPLETE, "    ");
    expect_complete("for i in range(3):\n    if i:", PARSE_INCOMPLETE, "        ");
    expect_complete("if x:\n    y = 1", PARSE_INCOMPLETE, "    ");
    expect_complete("if x:\n    y = 1\n", PARSE_INCOMPLETE, "    ");
    expect_complete("if x:\n    y = 1\n\n", PARSE_COMPLETE, NULL);
    expect_complete("def f():\n    for i in x:\n        pass", PARSE_INCOMPLETE, "        ");
    expect_complete("if x:\n    pass\nelse:", PARSE_INCOMPLETE, "    ");
    expect_complete("with torch.no_grad():\n", PARSE_INCOMPLETE, "    ");
    expect_complete("x = (1,", PARSE_INCOMPLETE, "");
    expect_complete("x = [\n  1,\n", PARSE_INCOMPLETE, "");
    expect_complete("if x:\n    f(1,", PARSE_INCOMPLETE, "    ");
    expect_complete("s = '''abc", PARSE_INCOMPLETE, "");
    expect_complete("s = '''abc\n\n", PARSE_INCOMPLETE, "");
    expect_complete("x = 1 + \\", PARSE_INCOMPLETE, "");
    expect_complete("x = 1 + \\\n", PARSE_INCOMPLETE, "");
    expect_complete("x = )", PARSE_INVALID, NULL);
    expect_complete("x = 'abc", PARSE_INVALID, NULL);
    expect_complete("a b", PARSE_INVALID, NULL);
    expect_complete("for x in", PARSE_INVALID, NULL);
    expect_complete("x = (1 2", PARSE_INVALID, NULL);
    expect_complete("a b\nx = (", PARSE_INVALID, NULL);
    expect_complete("  x = 1", PARSE_INVALID, NULL);
    expect_complete("@dec", PARSE_INVALID, NULL);
    char *indent = (char *)1;
    assert_int_equal(parse_is_complete("class A:", 8, NULL, &indent), PARSE_INVALID);
    assert_null(indent);
}

static void test_parse_expression_mode(void **state) {
    (void)state;
    Error err;
    Ast *ast = parse_expression("emb.weight[0, :2]\n", 18, NULL, &err);
    assert_non_null(ast);
    StrBuf sb = SB_INIT;
    ast_dump(ast->root, false, &sb, NULL);
    assert_string_equal(sb_str(&sb),
                        "Subscript(value=Attribute(value=Name(id='emb', ctx=Load()), attr='weight', "
                        "ctx=Load()), slice=Tuple(elts=[Constant(value=0), Slice(upper=Constant(value=2))], "
                        "ctx=Load()), ctx=Load())");
    sb_free(&sb);
    ast_free(ast);
    assert_null(parse_expression("x = 1", 5, NULL, &err));
    assert_int_equal(err.code, ERR_SYNTAX);
}

static void test_parse_constants(void **state) {
    (void)state;
    Error err;
    const char *src = "9223372036854775807\n9223372036854775808\n0xFF\n1_000\n";
    Ast *ast = parse_module(src, strlen(src), NULL, &err);
    assert_non_null(ast);
    AstList *b = &ast->root->v.module.body;
    const AstConst *c0 = &b->items[0]->v.expr.value->v.constant.value;
    const AstConst *c1 = &b->items[1]->v.expr.value->v.constant.value;
    const AstConst *c2 = &b->items[2]->v.expr.value->v.constant.value;
    const AstConst *c3 = &b->items[3]->v.expr.value->v.constant.value;
    assert_int_equal(c0->type, AST_CONST_INT);
    assert_false(c0->overflow);
    assert_true(c0->i == INT64_MAX);
    assert_true(c1->overflow);
    assert_string_equal(c1->digits, "9223372036854775808");
    assert_int_equal(c2->i, 255);
    assert_string_equal(c2->digits, "255");
    assert_int_equal(c3->i, 1000);
    ast_free(ast);
}

/* Every allocation failure is reported as MemoryError, never a crash or a leak. */
static void test_parse_allocation_failures(void **state) {
    (void)state;
    const char *src = "def f(a, b=1):\n    return [x * a for x in b if x]\nprint(f'{f(1):>4}', {'k': 2})\n";
    ParseOptions o = {.tier2 = true};
    unsigned long before = mem_alloc_count();
    Error err;
    Ast *ast = parse_module(src, strlen(src), &o, &err);
    assert_non_null(ast);
    ast_free(ast);
    long n = (long)(mem_alloc_count() - before);
    for (long i = 0; i < n; i++) {
        mem_fail_after(i);
        ast = parse_module(src, strlen(src), &o, &err);
        mem_fail_after(-1);
        if (ast) ast_free(ast);
        else assert_int_equal(err.code, ERR_MEMORY);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_matches_cpython_ast_dump),
        cmocka_unit_test(test_parse_tier2_constructs_gated),
        cmocka_unit_test(test_parse_never_supported),
        cmocka_unit_test(test_parse_source_checks),
        cmocka_unit_test(test_parse_deep_nesting_is_bounded),
        cmocka_unit_test(test_parse_is_complete),
        cmocka_unit_test(test_parse_expression_mode),
        cmocka_unit_test(test_parse_constants),
        cmocka_unit_test(test_parse_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
