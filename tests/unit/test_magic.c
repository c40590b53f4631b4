/*
 * tests/unit/test_magic.c — magics and help shortcuts through session_execute, as the
 * REPL and the kernel run them: %who, %whos, %reset, %time, %timeit, %history, %lessons,
 * %lsmagic, !commands, cell magics, mixed cells and ?name. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include "session.h"

typedef struct Out {
    char out[16384], err[4096];
    size_t out_len, err_len;
    char ename[64];
    char traceback[4096];
    int results;
} Out;

static void append(char *dst, size_t *len, size_t cap, const char *text, size_t n) {
    if (*len + n >= cap) n = cap - *len - 1;
    memcpy(dst + *len, text, n);
    *len += n;
    dst[*len] = '\0';
}

static void on_stream(void *ctx, const char *stream, const char *text, size_t len) {
    Out *o = ctx;
    if (strcmp(stream, "stdout") == 0) append(o->out, &o->out_len, sizeof o->out, text, len);
    else append(o->err, &o->err_len, sizeof o->err, text, len);
}

static void on_display(void *ctx, const SessionBundle *b) {
    Out *o = ctx;
    append(o->out, &o->out_len, sizeof o->out, b->text_plain, strlen(b->text_plain));
    append(o->out, &o->out_len, sizeof o->out, "\n", 1);
}

static void on_result(void *ctx, int count, const SessionBundle *b) {
    (void)count;
    Out *o = ctx;
    o->results++;
    on_display(ctx, b);
}

static void on_error(void *ctx, const char *ename, const char *evalue,
                     const char *const *tb, int lines) {
    (void)evalue;
    Out *o = ctx;
    snprintf(o->ename, sizeof o->ename, "%s", ename);
    size_t n = 0;
    o->traceback[0] = '\0';
    for (int i = 0; i < lines; i++) {
        append(o->traceback, &n, sizeof o->traceback, tb[i], strlen(tb[i]));
        append(o->traceback, &n, sizeof o->traceback, "\n", 1);
    }
}

/* Runs code in s; the captured output in *o (reset first); returns the status. */
static int run(Session *s, const char *code, Out *o) {
    memset(o, 0, sizeof *o);
    SessionSink sink = {o, on_stream, on_display, on_result, on_error};
    SessionExecOptions opts = {"<cell>", false, true};
    return session_execute(s, code, strlen(code), &opts, &sink);
}

static int setup(void **state) {
    setenv("EMBEDLAB_LESSONS", "lessons", 0); /* tests run from the top of the checkout */
    *state = session_new(NULL);
    return *state ? 0 : -1;
}

static int teardown(void **state) {
    session_free(*state);
    return 0;
}

static void test_magic_who_lists_user_names_sorted(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "zeta = 1\nalpha = [1]\n_hidden = 2\n", &o), SESSION_OK);
    assert_int_equal(run(s, "%who", &o), SESSION_OK);
    assert_string_equal(o.out, "alpha\t zeta\n");
    assert_int_equal(run(s, "%who int", &o), SESSION_OK);
    assert_string_equal(o.out, "zeta\n");
    assert_int_equal(run(s, "%who dict", &o), SESSION_OK);
    assert_string_equal(o.out, "No variables match your requested type.\n");
}

static void test_magic_who_empty_namespace(void **state) {
    Out o;
    assert_int_equal(run(*state, "%who", &o), SESSION_OK);
    assert_string_equal(o.out, "Interactive namespace is empty.\n");
}

static void test_magic_whos_table(void **state) {
    Session *s = *state;
    Out o;
    run(s, "n = 42\nlong_name = 'x' * 80\n", &o);
    assert_int_equal(run(s, "%whos", &o), SESSION_OK);
    assert_string_equal(o.out,
                        "Variable    Type    Data/Info\n"
                        "-----------------------------\n"
                        "long_name   str     xxxxxxxxxxxxxxxxxxxxxxxxx<...>xxxxxxxxxxxxxxxxxxxxxxxxx\n"
                        "n           int     42\n");
}

static void test_magic_reset_f_deletes_user_names(void **state) {
    Session *s = *state;
    Out o;
    run(s, "x = 1", &o);
    assert_int_equal(run(s, "%reset", &o), SESSION_OK); /* asks for -f, keeps x */
    assert_non_null(strstr(o.out, "%reset -f"));
    assert_int_equal(run(s, "x", &o), SESSION_OK);
    assert_string_equal(o.out, "1\n");
    assert_int_equal(run(s, "%reset -f", &o), SESSION_OK);
    assert_int_equal(run(s, "x", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "NameError");
    assert_int_equal(run(s, "import torch\ntorch.zeros(1)", &o), SESSION_OK); /* still usable */
}

static void test_magic_time_reports_cpu_and_wall(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "%time y = sum(range(1000))", &o), SESSION_OK);
    assert_true(strncmp(o.out, "CPU times: user ", 16) == 0);
    assert_non_null(strstr(o.out, ", sys: "));
    assert_non_null(strstr(o.out, ", total: "));
    assert_non_null(strstr(o.out, "\nWall time: "));
    assert_int_equal(run(s, "y", &o), SESSION_OK); /* %time runs in the global scope */
    assert_string_equal(o.out, "499500\n");
    /* The value of an expression is shown, as in IPython. */
    assert_int_equal(run(s, "%time 6 * 7", &o), SESSION_OK);
    assert_true(strncmp(o.out, "42\nCPU times: ", 14) == 0);
    assert_int_equal(run(s, "%time 1 / 0", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "ZeroDivisionError");
    assert_null(strstr(o.out, "Wall time"));
}

static void test_magic_timeit_ipython_format(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "%timeit -n 10 -r 3 a = 5", &o), SESSION_OK);
    assert_non_null(strstr(o.out, " \xc2\xb1 "));
    assert_non_null(strstr(o.out, " per loop (mean \xc2\xb1 std. dev. of 3 runs, 10 loops each)\n"));
    /* Assignments are local to the timing function and the function is gone. */
    assert_int_equal(run(s, "%who", &o), SESSION_OK);
    assert_string_equal(o.out, "Interactive namespace is empty.\n");
    assert_int_equal(run(s, "%timeit -n 1000 -r 1 -q 1 + 1", &o), SESSION_OK);
    assert_string_equal(o.out, "");
    assert_int_equal(run(s, "%timeit -n 1200 -r 1 pass", &o), SESSION_OK);
    assert_non_null(strstr(o.out, "of 1 run, 1,200 loops each)\n"));
}

static void test_magic_timeit_errors(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "%timeit x = (", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "SyntaxError");
    assert_int_equal(run(s, "%timeit undefined_name", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "NameError");
    assert_int_equal(run(s, "%timeit", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "UsageError");
    assert_int_equal(run(s, "%timeit -n x 1", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "UsageError");
    /* An interrupt stops the timing loop with KeyboardInterrupt. */
    session_set_step_limit(s, 1000);
    assert_int_equal(run(s, "%timeit -n 1000000 -r 7 1", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "KeyboardInterrupt");
    session_set_step_limit(s, 0);
    assert_int_equal(run(s, "%who", &o), SESSION_OK);
    assert_string_equal(o.out, "Interactive namespace is empty.\n");
}

static void test_magic_cell_magics(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "%%timeit -n 5 -r 2 base = 3\ny = base * 2\n", &o), SESSION_OK);
    assert_non_null(strstr(o.out, "of 2 runs, 5 loops each)\n"));
    assert_int_equal(run(s, "%%time\nz = 1\nz + 1\n", &o), SESSION_OK);
    assert_true(strncmp(o.out, "2\nCPU times: ", 13) == 0);
    /* Line numbers of the body are those of the cell. */
    assert_int_equal(run(s, "%%time\nz = 1\nundefined\n", &o), SESSION_ERROR);
    assert_non_null(strstr(o.traceback, "line 3"));
    assert_int_equal(run(s, "%%nope\n1\n", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "UsageError");
    assert_string_equal(o.traceback, "UsageError: Cell magic `%%nope` not found.\n");
}

static void test_magic_history_lists_inputs(void **state) {
    Session *s = *state;
    Out o;
    run(s, "a = 1", &o);
    run(s, "for i in range(2):\n    a += i\n", &o);
    assert_int_equal(run(s, "%history", &o), SESSION_OK);
    assert_string_equal(o.out, "a = 1\nfor i in range(2):\n    a += i\n%history\n");
    assert_int_equal(run(s, "%history -n 2-3", &o), SESSION_OK);
    assert_string_equal(o.out, "2: for i in range(2):\n       a += i\n3: %history\n");
    assert_int_equal(run(s, "%history 1", &o), SESSION_OK);
    assert_string_equal(o.out, "a = 1\n");
    assert_int_equal(run(s, "%history x", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "UsageError");
}

static void test_magic_lessons_listed(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "%lessons", &o), SESSION_OK);
    assert_non_null(strstr(o.out, "01-lookup"));
    assert_int_equal(run(s, "%lesson embeddings", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "UsageError");
    assert_non_null(strstr(o.traceback, "no lesson named 'embeddings'"));
    assert_int_equal(run(s, "%lesson", &o), SESSION_ERROR);
    assert_int_equal(run(s, "%check no-such-exercise", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "UsageError");
}

static void test_magic_unknown_is_usage_error(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "%frobnicate 3", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "UsageError");
    assert_string_equal(o.traceback, "UsageError: Line magic function `%frobnicate` not found.\n");
    assert_int_equal(run(s, "%lsmagic", &o), SESSION_OK);
    assert_non_null(strstr(o.out, "%timeit"));
    assert_non_null(strstr(o.out, "%%time"));
}

static void test_magic_mixed_cell_runs_in_order(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "x = 2\n%who\nx * 21\n", &o), SESSION_OK);
    assert_string_equal(o.out, "x\n42\n");
    assert_int_equal(o.results, 1);
    /* Stops at the first error; line numbers stay those of the cell. */
    assert_int_equal(run(s, "%who\ny = 1\nundefined_thing\n%who\n", &o), SESSION_ERROR);
    assert_string_equal(o.out, "x\n");
    assert_non_null(strstr(o.traceback, "line 3"));
    assert_string_equal(o.ename, "NameError");
    /* Only the trailing expression of the cell is echoed. */
    assert_int_equal(run(s, "1\n%who\n", &o), SESSION_OK);
    assert_int_equal(o.results, 0);
}

static void test_magic_lines_inside_code_are_python(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "s = '''\n%who\n!ls\nx?\n'''\nprint(s)\n", &o), SESSION_OK);
    assert_string_equal(o.out, "\n%who\n!ls\nx?\n\n");
    assert_int_equal(run(s, "t = (1,\n%2)\nt\n", &o), SESSION_ERROR); /* inside brackets */
    assert_string_equal(o.ename, "SyntaxError");
    assert_int_equal(run(s, "v = 7 % 3  # %who\nv\n", &o), SESSION_OK);
    assert_string_equal(o.out, "1\n");
}

static void test_magic_help_shortcuts(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "?len", &o), SESSION_OK);
    assert_true(strncmp(o.out, "len(obj, /)\n", 12) == 0);
    char first[sizeof o.out];
    strcpy(first, o.out);
    assert_int_equal(run(s, "len?", &o), SESSION_OK);
    assert_string_equal(o.out, first);
    assert_int_equal(run(s, "len??", &o), SESSION_OK);
    assert_string_equal(o.out, first);
    assert_int_equal(run(s, "  ?? len  ", &o), SESSION_OK);
    assert_string_equal(o.out, first);
    assert_int_equal(run(s, "?no_such_name", &o), SESSION_OK);
    assert_string_equal(o.out, "Object `no_such_name` not found.\n");
    assert_int_equal(run(s, "x = 1\nlen?\n", &o), SESSION_OK);
    assert_string_equal(o.out, first);
    assert_int_equal(run(s, "x == 1?", &o), SESSION_ERROR);
    assert_string_equal(o.ename, "SyntaxError");
}

static void test_magic_shell_command_streams(void **state) {
    Session *s = *state;
    Out o;
    assert_int_equal(run(s, "!echo out; echo err >&2", &o), SESSION_OK);
    assert_string_equal(o.out, "out\n");
    assert_string_equal(o.err, "err\n");
    assert_int_equal(run(s, "!exit 3", &o), SESSION_OK); /* a failing command is no error */
    assert_int_equal(run(s, "a = 1\n!echo $((40 + 2))\nprint(a)\n", &o), SESSION_OK);
    assert_string_equal(o.out, "42\n1\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_magic_who_lists_user_names_sorted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_who_empty_namespace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_whos_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_reset_f_deletes_user_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_time_reports_cpu_and_wall, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_timeit_ipython_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_timeit_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_cell_magics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_history_lists_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_lessons_listed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_unknown_is_usage_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_mixed_cell_runs_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_lines_inside_code_are_python, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_help_shortcuts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_shell_command_streams, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
