/*
 * tests/unit/test_session.c — the front-end API: execution through sinks, results and
 * errors, state kept across errors, completion, inspection, completeness, interrupts,
 * recursion and nesting limits, execution counts. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "session.h"

typedef struct Capture {
    char out[65536];
    size_t out_len;
    char result[4096];
    char ename[64];
    char evalue[1024];
    char last_line[1024];
    int results, errors;
} Capture;

static void on_stream(void *ctx, const char *stream, const char *text, size_t len) {
    Capture *c = ctx;
    (void)stream;
    if (c->out_len + len < sizeof c->out) {
        memcpy(c->out + c->out_len, text, len);
        c->out_len += len;
        c->out[c->out_len] = '\0';
    }
}

static void on_display(void *ctx, const SessionBundle *b) { on_stream(ctx, "stdout", b->text_plain, strlen(b->text_plain)); }

static void on_result(void *ctx, int count, const SessionBundle *b) {
    Capture *c = ctx;
    (void)count;
    snprintf(c->result, sizeof c->result, "%s", b->text_plain);
    c->results++;
}

static void on_error(void *ctx, const char *ename, const char *evalue, const char *const *tb,
                     int lines) {
    Capture *c = ctx;
    snprintf(c->ename, sizeof c->ename, "%s", ename);
    snprintf(c->evalue, sizeof c->evalue, "%s", evalue);
    int last = lines - 1;
    if (last > 0 && strncmp(tb[last], "hint: ", 6) == 0) last--;
    snprintf(c->last_line, sizeof c->last_line, "%s", last >= 0 ? tb[last] : "");
    c->errors++;
}

static int run(Session *s, const char *code, Capture *c) {
    memset(c, 0, sizeof *c);
    SessionSink sink = {c, on_stream, on_display, on_result, on_error};
    SessionExecOptions opts = {"<stdin>", false, true};
    return session_execute(s, code, strlen(code), &opts, &sink);
}

static int setup(void **state) {
    *state = session_new(NULL);
    return *state ? 0 : -1;
}

static int teardown(void **state) {
    session_free(*state);
    return 0;
}

static void test_session_result_stream_and_counts(void **state) {
    Session *s = *state;
    Capture c;
    assert_int_equal(run(s, "x = [1, 2]\nprint('hi')\nx\n", &c), SESSION_OK);
    assert_string_equal(c.out, "hi\n");
    assert_string_equal(c.result, "[1, 2]");
    assert_int_equal(session_execution_count(s), 1);
    assert_int_equal(run(s, "None", &c), SESSION_OK);
    assert_int_equal(c.results, 0);
    SessionExecOptions silent = {"<stdin>", true, false};
    SessionSink sink = {&c, on_stream, on_display, on_result, on_error};
    session_execute(s, "x", 1, &silent, &sink);
    assert_int_equal(session_execution_count(s), 2);
}

static void test_session_error_keeps_earlier_state(void **state) {
    Session *s = *state;
    Capture c;
    assert_int_equal(run(s, "a = 5\nb = a + 'x'\nc = 1\n", &c), SESSION_ERROR);
    assert_string_equal(c.ename, "TypeError");
    assert_string_equal(c.last_line, "TypeError: unsupported operand type(s) for +: 'int' and 'str'");
    assert_int_equal(run(s, "print(a)\n", &c), SESSION_OK);
    assert_string_equal(c.out, "5\n");
    assert_int_equal(run(s, "print(c)\n", &c), SESSION_ERROR);
    assert_string_equal(c.last_line, "NameError: name 'c' is not defined");
}

static void test_session_syntax_error_shows_line_and_caret(void **state) {
    Session *s = *state;
    Capture c;
    memset(&c, 0, sizeof c);
    assert_int_equal(run(s, "x = (1,\n", &c), SESSION_ERROR);
    assert_string_equal(c.ename, "SyntaxError");
    assert_string_equal(c.evalue, "'(' was never closed");
}

static void test_session_completion(void **state) {
    Session *s = *state;
    Capture c;
    run(s, "import torch\nembedding_dim = 3\nt = torch.zeros(2)\n", &c);
    SessionCompletion comp;
    const char *code = "embed";
    session_complete(s, code, strlen(code), &comp);
    assert_int_equal(comp.count, 1);
    assert_string_equal(comp.matches[0], "embedding_dim");
    assert_int_equal(comp.cursor_start, 0);
    session_completion_free(&comp);
    code = "torch.zer";
    session_complete(s, code, strlen(code), &comp);
    bool found = false;
    for (int i = 0; i < comp.count; i++) found |= strcmp(comp.matches[i], "zeros") == 0;
    assert_true(found);
    assert_int_equal(comp.cursor_start, 6);
    session_completion_free(&comp);
    code = "print(t.resh";
    session_complete(s, code, strlen(code), &comp);
    assert_int_equal(comp.count, 1);
    assert_string_equal(comp.matches[0], "reshape");
    session_completion_free(&comp);
    run(s, "import torch.nn as nn\n", &c);
    code = "nn.Embedding(10, 3, pad";
    session_complete(s, code, strlen(code), &comp);
    assert_true(comp.count >= 1);
    assert_string_equal(comp.matches[0], "padding_idx=");
    session_completion_free(&comp);
    code = "torch.zeros(2, dt";
    session_complete(s, code, strlen(code), &comp);
    assert_true(comp.count >= 1);
    assert_string_equal(comp.matches[0], "dtype=");
    session_completion_free(&comp);
    code = "qqq_nothing_here";
    session_complete(s, code, strlen(code), &comp);
    assert_int_equal(comp.count, 0);
    session_completion_free(&comp);
    code = "pri";
    session_complete(s, code, strlen(code), &comp);
    assert_int_equal(comp.count, 1);
    assert_string_equal(comp.matches[0], "print");
    session_completion_free(&comp);
}

static void test_session_inspect(void **state) {
    Session *s = *state;
    Capture c;
    run(s, "import torch\n", &c);
    char *help = session_inspect(s, "torch.zeros(", 8, 0);
    assert_non_null(help);
    assert_non_null(strstr(help, "zeros(*size, dtype=None, requires_grad=False)"));
    session_free_string(help);
    assert_null(session_inspect(s, "nothing_here", 3, 0));
    /* User classes and functions: IPython's fields, with inspect's signatures. */
    run(s, "class Vocab:\n    \"\"\"Maps words.\"\"\"\n    def __init__(self, words, unk=0):\n"
           "        self.words = words\ndef f(a, *rest, k=None):\n    return a\n", &c);
    help = session_inspect(s, "Vocab", 5, 0);
    assert_non_null(help);
    assert_string_equal(help, "Init signature: Vocab(words, unk=0)\nDocstring:      Maps words.\n"
                              "Type:           type\n");
    session_free_string(help);
    help = session_inspect(s, "f", 1, 0);
    assert_non_null(help);
    assert_string_equal(help, "Signature: f(a, *rest, k=None)\nDocstring: <no docstring>\n"
                              "Type:      function\n");
    session_free_string(help);
}

static void test_session_is_complete(void **state) {
    Session *s = *state;
    char *indent = NULL;
    assert_int_equal(session_is_complete(s, "x = 1\n", 6, &indent), SESSION_COMPLETE);
    assert_int_equal(session_is_complete(s, "x = (1,\n", 8, &indent), SESSION_INCOMPLETE);
    session_free_string(indent);
    const char *block = "for i in range(3):\n";
    assert_int_equal(session_is_complete(s, block, strlen(block), &indent), SESSION_INCOMPLETE);
    assert_non_null(indent);
    assert_string_equal(indent, "    ");
    session_free_string(indent);
    assert_int_equal(session_is_complete(s, "x = )\n", 6, &indent), SESSION_INVALID);
}

static void *interrupt_later(void *arg) {
    struct timespec ts = {0, 150 * 1000 * 1000};
    nanosleep(&ts, NULL);
    session_interrupt(arg);
    return NULL;
}

static void test_session_interrupt_stops_a_loop_and_keeps_state(void **state) {
    Session *s = *state;
    Capture c;
    run(s, "total = 7\n", &c);
    pthread_t thread;
    pthread_create(&thread, NULL, interrupt_later, s);
    assert_int_equal(run(s, "i = 0\nwhile True:\n    i += 1\n", &c), SESSION_ERROR);
    pthread_join(thread, NULL);
    assert_string_equal(c.ename, "KeyboardInterrupt");
    assert_int_equal(run(s, "print(total, i > 0)\n", &c), SESSION_OK);
    assert_string_equal(c.out, "7 True\n");
}

static void test_session_recursion_and_nesting_limits(void **state) {
    Session *s = *state;
    Capture c;
    assert_int_equal(run(s, "def f(n):\n    return f(n + 1)\nf(0)\n", &c), SESSION_ERROR);
    assert_string_equal(c.last_line, "RecursionError: maximum recursion depth exceeded");
    /* 100 000 open brackets must not overflow the C stack. */
    size_t n = 100000;
    char *deep = malloc(n + 2);
    memset(deep, '(', n);
    deep[n] = '\n';
    deep[n + 1] = '\0';
    assert_int_equal(run(s, deep, &c), SESSION_ERROR);
    assert_string_equal(c.ename, "SyntaxError");
    memset(deep, '-', n);
    deep[n - 1] = '1';
    assert_int_equal(run(s, deep, &c), SESSION_ERROR);
    free(deep);
    /* Still usable. */
    assert_int_equal(run(s, "print(1 + 1)\n", &c), SESSION_OK);
    assert_string_equal(c.out, "2\n");
}

static void test_session_no_files_refuses_open(void **state) {
    (void)state;
    SessionConfig cfg = {.no_files = true};
    Session *s = session_new(&cfg);
    assert_non_null(s);
    Capture c;
    assert_int_equal(run(s, "open('/tmp/embedlab-no-files.txt', 'w')\n", &c), SESSION_ERROR);
    assert_string_equal(c.last_line,
                        "PermissionError: [Errno 13] Permission denied: "
                        "'/tmp/embedlab-no-files.txt'");
    /* Every way the language reaches files is refused, not just open(). */
    const char *const writers[] = {
        "import torch, embedlab\nembedlab.save_npy(torch.zeros(1), '/tmp/embedlab-no-files.npy')\n",
        "import embedlab\nembedlab.load_npy('/tmp/embedlab-no-files.npy')\n",
        "import embedlab\nembedlab.load('/tmp/embedlab-no-files.safetensors')\n",
        "import embedlab\nembedlab.load_vectors('/tmp/embedlab-no-files.txt')\n",
        "import numpy as np\nnp.save('/tmp/embedlab-no-files', np.zeros(1))\n",
        "import numpy as np\nnp.load('/tmp/embedlab-no-files.npy')\n",
    };
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) {
        assert_int_equal(run(s, writers[i], &c), SESSION_ERROR);
        assert_string_equal(c.ename, "PermissionError");
    }
    session_free(s);
}

static SessionInput answer_input(void *ctx, const char *prompt, bool password, char **line) {
    (void)password;
    Capture *c = ctx;
    snprintf(c->result, sizeof c->result, "prompt=%s", prompt);
    if (strcmp(prompt, "eof? ") == 0) return SESSION_INPUT_EOF;
    *line = strdup("Ada");
    return SESSION_INPUT_OK;
}

static void test_session_input_and_exit_status(void **state) {
    Session *s = *state;
    Capture c;
    memset(&c, 0, sizeof c);
    SessionSink sink = {&c, on_stream, on_display, NULL, on_error, answer_input};
    SessionExecOptions opts = {"<stdin>", false, true};
    const char *code = "name = input('who? ')\nprint(name)\n";
    assert_int_equal(session_execute(s, code, strlen(code), &opts, &sink), SESSION_OK);
    assert_string_equal(c.out, "Ada\n");
    assert_string_equal(c.result, "prompt=who? ");
    code = "input('eof? ')\n";
    assert_int_equal(session_execute(s, code, strlen(code), &opts, &sink), SESSION_ERROR);
    assert_string_equal(c.last_line, "EOFError: EOF when reading a line");
    /* Without an input hook: a clear error. */
    assert_int_equal(run(s, "input()\n", &c), SESSION_ERROR);
    assert_string_equal(c.ename, "NotImplementedError");
    /* exit(): SESSION_EXIT and its status; the session is still usable. */
    assert_int_equal(run(s, "exit(7)\n", &c), SESSION_EXIT);
    assert_int_equal(session_exit_status(s), 7);
    assert_int_equal(run(s, "raise SystemExit\n", &c), SESSION_EXIT);
    assert_int_equal(session_exit_status(s), 0);
    assert_int_equal(run(s, "quit('bye')\n", &c), SESSION_EXIT);
    assert_int_equal(session_exit_status(s), 1);
    assert_string_equal(c.out, "bye\n"); /* written to the stderr stream */
    assert_int_equal(run(s, "print(name)\n", &c), SESSION_OK);
    assert_string_equal(c.out, "Ada\n");
}

static void test_session_size_from_env(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int rc;
        size_t bytes;
    } cases[] = {
        {"", 0, 0},          {"1000", 1, 1000},        {"512M", 1, (size_t)512 << 20},
        {"2GiB", 1, (size_t)2 << 30}, {"3k", 1, 3072},  {"1TB", 1, (size_t)1 << 40},
        {"0", -1, 0},        {"-5", -1, 0},           {"lots", -1, 0},
        {"12Q", -1, 0},      {"99999999999999999999", -1, 0}, {"20000000T", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("EMBEDLAB_MAX_TENSOR_BYTES", cases[i].text, 1);
        size_t bytes = 0;
        int rc = session_size_from_env("EMBEDLAB_MAX_TENSOR_BYTES", &bytes);
        if (rc != cases[i].rc || (rc == 1 && bytes != cases[i].bytes))
            fail_msg("'%s': rc %d bytes %zu", cases[i].text, rc, bytes);
    }
    unsetenv("EMBEDLAB_MAX_TENSOR_BYTES");
    size_t bytes = 0;
    assert_int_equal(session_size_from_env("EMBEDLAB_MAX_TENSOR_BYTES", &bytes), 0);
}

static void test_session_step_limit(void **state) {
    Session *s = *state;
    Capture c;
    session_set_step_limit(s, 1000);
    assert_int_equal(run(s, "while True:\n    pass\n", &c), SESSION_ERROR);
    assert_string_equal(c.ename, "KeyboardInterrupt");
    session_set_step_limit(s, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session_result_stream_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_error_keeps_earlier_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_syntax_error_shows_line_and_caret, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_session_completion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_inspect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_is_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_interrupt_stops_a_loop_and_keeps_state,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_recursion_and_nesting_limits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_session_step_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_no_files_refuses_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_size_from_env, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_input_and_exit_status, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
