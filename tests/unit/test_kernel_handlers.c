/*
 * tests/unit/test_kernel_handlers.c — the Jupyter request handlers (kernel/handlers.c)
 * driven with synthetic requests through a mock transport, over a real Session: message
 * order (busy, output, reply, idle), execution counts, errors and stop_on_error, silent
 * and store_history, user_expressions, complete/inspect/is_complete, history, control
 * channel rules, shutdown, interrupt, stdin input and bad requests.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <sodium.h>

#include "../../kernel/handlers.h"

#define MAX_SENT 64

typedef struct Sent {
    HandlersChannel channel;
    char type[64];
    json_t *content;          /* own reference */
    json_t *parent;           /* own reference */
    char ident[64];           /* first identity as a string ("" when none) */
} Sent;

typedef struct Mock {
    Sent sent[MAX_SENT];
    int count;
    char log[8][256];
    int logs;
    /* stdin replies handed out by recv_stdin, in order; NULL entries mean "interrupt",
     * "<wake>" a stray wake-up */
    const char *inputs[8];
    int n_inputs, next_input;
    Handlers *h;
    WireIds client;
    /* when set, input() is called from inside the next execute_result send */
    bool ask_input;
    const char *prompt;
    HandlersInput input_status;
    char *input_line;
    int holds;                /* hold_queued calls */
    int held_at;              /* number of messages sent when it was last called */
} Mock;

static int mock_send(void *ctx, HandlersChannel ch, const WireMsg *msg) {
    Mock *m = ctx;
    assert_true(m->count < MAX_SENT);
    Sent *s = &m->sent[m->count++];
    s->channel = ch;
    snprintf(s->type, sizeof s->type, "%s", wire_msg_type(msg));
    s->content = json_incref(msg->content);
    s->parent = json_incref(msg->parent);
    s->ident[0] = '\0';
    if (msg->n_idents)
        snprintf(s->ident, sizeof s->ident, "%.*s", (int)msg->idents[0].len,
                 (const char *)msg->idents[0].data);
    if (m->ask_input && strcmp(s->type, "execute_result") == 0) {
        m->ask_input = false;
        m->input_status = handlers_input(m->h, m->prompt, false, &m->input_line);
    }
    return 0;
}

static int mock_recv_stdin(void *ctx, WireMsg *reply) {
    Mock *m = ctx;
    if (m->next_input >= m->n_inputs) return -1;
    const char *value = m->inputs[m->next_input++];
    if (!value) {
        handlers_interrupt(m->h);
        return 1;
    }
    if (strcmp(value, "<wake>") == 0) return 1; /* a wake-up without an interrupt */
    memset(reply, 0, sizeof *reply);
    reply->header = wire_header_new(&m->client, "input_reply");
    reply->parent = json_object();
    reply->metadata = json_object();
    reply->content = json_pack("{s:s}", "value", value);
    return 0;
}

static void mock_hold(void *ctx) {
    Mock *m = ctx;
    m->held_at = m->count; /* messages sent before the hold */
    m->holds++;
}

static void mock_log(void *ctx, const char *line) {
    Mock *m = ctx;
    if (m->logs < 8) snprintf(m->log[m->logs++], sizeof m->log[0], "%s", line);
}

typedef struct Fixture {
    Session *session;
    WireIds ids;
    Mock mock;
    Handlers *h;
} Fixture;

static int setup(void **state) {
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->session = session_new(NULL);
    assert_non_null(f->session);
    wire_ids_init(&f->ids);
    wire_ids_init(&f->mock.client);
    HandlersTransport t = {&f->mock, mock_send, mock_recv_stdin, NULL, mock_hold, mock_log};
    f->h = handlers_new(f->session, &f->ids, &t);
    assert_non_null(f->h);
    f->mock.h = f->h;
    *state = f;
    return 0;
}

static void clear_sent(Mock *m) {
    for (int i = 0; i < m->count; i++) {
        json_decref(m->sent[i].content);
        json_decref(m->sent[i].parent);
    }
    m->count = 0;
    m->logs = 0;
}

static int teardown(void **state) {
    Fixture *f = *state;
    clear_sent(&f->mock);
    free(f->mock.input_line);
    handlers_free(f->h);
    session_free(f->session);
    free(f);
    return 0;
}

/* Dispatches a request (content stolen) from client "client-A" and returns its header's
 * msg_id in id (for parent checks). */
static void request(Fixture *f, HandlersChannel ch, const char *type, json_t *content,
                    char *id, size_t id_size) {
    WireMsg req;
    memset(&req, 0, sizeof req);
    req.header = wire_header_new(&f->mock.client, type);
    req.parent = json_object();
    req.metadata = json_object();
    req.content = content ? content : json_object();
    req.idents = calloc(1, sizeof *req.idents);
    req.idents[0].data = (unsigned char *)strdup("client-A");
    req.idents[0].len = 8;
    req.n_idents = 1;
    if (id) snprintf(id, id_size, "%s", json_string_value(json_object_get(req.header, "msg_id")));
    handlers_dispatch(f->h, ch, &req);
    wire_msg_free(&req);
}

static json_t *execute_content(const char *code) {
    return json_pack("{s:s, s:b, s:b, s:{}, s:b, s:b}", "code", code, "silent", 0,
                     "store_history", 1, "user_expressions", "allow_stdin", 0,
                     "stop_on_error", 1);
}

static void execute(Fixture *f, const char *code) {
    request(f, HANDLERS_SHELL, "execute_request", execute_content(code), NULL, 0);
}

/* Asserts the sequence of "channel:type" of the sent messages, e.g. "iopub:status". */
static void expect_types(const Mock *m, const char *const *want, int n) {
    static const char *const names[] = {"shell", "control", "stdin", "iopub"};
    char got[2048] = "", exp[2048] = "";
    for (int i = 0; i < m->count; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s:%s ",
                 names[m->sent[i].channel], m->sent[i].type);
    for (int i = 0; i < n; i++)
        snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s ", want[i]);
    assert_string_equal(got, exp);
}

static const char *str_of(const json_t *obj, const char *key) {
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "(missing)";
}

static long long int_of(const json_t *obj, const char *key) {
    json_t *v = json_object_get(obj, key);
    assert_true(json_is_integer(v));
    return (long long)json_integer_value(v);
}

/* The last message of a type, or fail. */
static const Sent *find(const Mock *m, const char *type) {
    for (int i = m->count - 1; i >= 0; i--)
        if (strcmp(m->sent[i].type, type) == 0) return &m->sent[i];
    fail_msg("no %s sent", type);
    return NULL;
}

/* ---- tests ---- */

static void test_handlers_kernel_info_order_and_content(void **state) {
    Fixture *f = *state;
    char id[128];
    request(f, HANDLERS_SHELL, "kernel_info_request", NULL, id, sizeof id);
    const char *want[] = {"iopub:status", "shell:kernel_info_reply", "iopub:status"};
    expect_types(&f->mock, want, 3);
    assert_string_equal(str_of(f->mock.sent[0].content, "execution_state"), "busy");
    assert_string_equal(str_of(f->mock.sent[2].content, "execution_state"), "idle");
    for (int i = 0; i < 3; i++) assert_string_equal(str_of(f->mock.sent[i].parent, "msg_id"), id);
    const Sent *r = &f->mock.sent[1];
    assert_string_equal(r->ident, "client-A");
    assert_string_equal(str_of(r->content, "status"), "ok");
    assert_string_equal(str_of(r->content, "protocol_version"), "5.3");
    assert_string_equal(str_of(r->content, "implementation"), "embedlab");
    json_t *li = json_object_get(r->content, "language_info");
    assert_string_equal(str_of(li, "name"), "embedlab");
    assert_string_equal(str_of(li, "mimetype"), "text/x-python");
    assert_string_equal(str_of(li, "file_extension"), ".py");
    assert_string_equal(str_of(li, "pygments_lexer"), "python3");
    json_t *cm = json_object_get(li, "codemirror_mode");
    assert_string_equal(str_of(cm, "name"), "ipython");
    assert_int_equal(int_of(cm, "version"), 3);
    assert_true(json_array_size(json_object_get(r->content, "help_links")) >= 1);
    assert_true(strlen(str_of(r->content, "banner")) > 0);
    /* IOPub messages carry the kernel.<session>.<type> topic */
    char topic[128];
    snprintf(topic, sizeof topic, "kernel.%s.status", f->ids.session);
    assert_string_equal(f->mock.sent[0].ident, topic);
}

static void test_handlers_execute_output_order(void **state) {
    Fixture *f = *state;
    char id[128];
    request(f, HANDLERS_SHELL, "execute_request",
            execute_content("x = 1 + 2\nfor i in range(3):\n    print(i, x)\nx * 10"), id,
            sizeof id);
    const char *want[] = {"iopub:status", "iopub:execute_input", "iopub:stream",
                          "iopub:execute_result", "shell:execute_reply", "iopub:status"};
    expect_types(&f->mock, want, 6);
    for (int i = 0; i < 6; i++) assert_string_equal(str_of(f->mock.sent[i].parent, "msg_id"), id);
    assert_int_equal(int_of(f->mock.sent[1].content, "execution_count"), 1);
    /* three prints coalesce into one stream message */
    const Sent *s = &f->mock.sent[2];
    assert_string_equal(s->ident, "stream.stdout");
    assert_string_equal(str_of(s->content, "name"), "stdout");
    assert_string_equal(str_of(s->content, "text"), "0 3\n1 3\n2 3\n");
    const Sent *r = &f->mock.sent[3];
    assert_int_equal(int_of(r->content, "execution_count"), 1);
    assert_string_equal(str_of(json_object_get(r->content, "data"), "text/plain"), "30");
    const Sent *rep = &f->mock.sent[4];
    assert_string_equal(str_of(rep->content, "status"), "ok");
    assert_int_equal(int_of(rep->content, "execution_count"), 1);
    assert_true(json_is_object(json_object_get(rep->content, "user_expressions")));
    assert_true(json_is_array(json_object_get(rep->content, "payload")));
    assert_false(handlers_aborting(f->h));
}

static void test_handlers_execution_counts(void **state) {
    Fixture *f = *state;
    execute(f, "a = 1");
    assert_int_equal(int_of(find(&f->mock, "execute_reply")->content, "execution_count"), 1);
    clear_sent(&f->mock);
    /* store_history false: nothing counted */
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:b}", "code", "a + 1", "store_history", 0), NULL, 0);
    assert_int_equal(int_of(find(&f->mock, "execute_input")->content, "execution_count"), 1);
    assert_int_equal(int_of(find(&f->mock, "execute_reply")->content, "execution_count"), 1);
    assert_string_equal(str_of(json_object_get(find(&f->mock, "execute_result")->content,
                                               "data"), "text/plain"), "2");
    clear_sent(&f->mock);
    /* silent: no execute_input, no output, no count */
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:b}", "code", "print('hidden')\na", "silent", 1), NULL, 0);
    const char *want[] = {"iopub:status", "shell:execute_reply", "iopub:status"};
    expect_types(&f->mock, want, 3);
    assert_int_equal(int_of(f->mock.sent[1].content, "execution_count"), 1);
    clear_sent(&f->mock);
    execute(f, "a");
    assert_int_equal(int_of(find(&f->mock, "execute_input")->content, "execution_count"), 2);
    assert_int_equal(int_of(find(&f->mock, "execute_result")->content, "execution_count"), 2);
    assert_int_equal(int_of(find(&f->mock, "execute_reply")->content, "execution_count"), 2);
}

static void test_handlers_error_and_stop_on_error(void **state) {
    Fixture *f = *state;
    execute(f, "y = 5\nprint('before')\n1 / 0\nprint('after')");
    const char *want[] = {"iopub:status", "iopub:execute_input", "iopub:stream",
                          "iopub:error", "shell:execute_reply", "iopub:status"};
    expect_types(&f->mock, want, 6);
    const Sent *e = &f->mock.sent[3];
    assert_string_equal(str_of(e->content, "ename"), "ZeroDivisionError");
    assert_true(strlen(str_of(e->content, "evalue")) > 0);
    json_t *tb = json_object_get(e->content, "traceback");
    assert_true(json_array_size(tb) >= 1);
    assert_null(json_object_get(e->content, "status"));
    const Sent *r = &f->mock.sent[4];
    assert_string_equal(str_of(r->content, "status"), "error");
    assert_string_equal(str_of(r->content, "ename"), "ZeroDivisionError");
    assert_int_equal(int_of(r->content, "execution_count"), 1);
    assert_true(handlers_aborting(f->h));
    /* the queue was held before the reply went out */
    assert_int_equal(f->mock.holds, 1);
    assert_int_equal(f->mock.held_at, 4);
    /* a queued execute is answered with an error without running */
    clear_sent(&f->mock);
    execute(f, "y = 6");
    const char *aborted[] = {"iopub:status", "shell:execute_reply", "iopub:status"};
    expect_types(&f->mock, aborted, 3);
    assert_string_equal(str_of(f->mock.sent[1].content, "status"), "error");
    /* other requests are still served while aborting */
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "is_complete_request", json_pack("{s:s}", "code", "y"), NULL, 0);
    assert_string_equal(str_of(find(&f->mock, "is_complete_reply")->content, "status"),
                        "complete");
    handlers_end_abort(f->h);
    clear_sent(&f->mock);
    execute(f, "y");
    assert_string_equal(str_of(json_object_get(find(&f->mock, "execute_result")->content,
                                               "data"), "text/plain"), "5");
    assert_int_equal(int_of(find(&f->mock, "execute_reply")->content, "execution_count"), 2);
    /* stop_on_error false: no abort */
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:b}", "code", "undefined_name", "stop_on_error", 0), NULL, 0);
    assert_string_equal(str_of(find(&f->mock, "error")->content, "ename"), "NameError");
    assert_false(handlers_aborting(f->h));
    assert_int_equal(f->mock.holds, 1);
}

static void test_handlers_user_expressions(void **state) {
    Fixture *f = *state;
    execute(f, "n = 20");
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:{s:s, s:s, s:s}}", "code", "m = 1", "user_expressions", "a",
                      "n + 1", "b", "nope", "c", "None"), NULL, 0);
    json_t *ue = json_object_get(find(&f->mock, "execute_reply")->content, "user_expressions");
    json_t *a = json_object_get(ue, "a");
    assert_string_equal(str_of(a, "status"), "ok");
    assert_string_equal(str_of(json_object_get(a, "data"), "text/plain"), "21");
    json_t *b = json_object_get(ue, "b");
    assert_string_equal(str_of(b, "status"), "error");
    assert_string_equal(str_of(b, "ename"), "NameError");
    assert_string_equal(str_of(json_object_get(json_object_get(ue, "c"), "data"), "text/plain"),
                        "None");
    /* evaluating them did not count executions */
    assert_int_equal(int_of(find(&f->mock, "execute_reply")->content, "execution_count"), 2);
}

static void test_handlers_complete_code_points(void **state) {
    Fixture *f = *state;
    request(f, HANDLERS_SHELL, "complete_request",
            json_pack("{s:s, s:i}", "code", "pri", "cursor_pos", 3), NULL, 0);
    const Sent *r = find(&f->mock, "complete_reply");
    assert_string_equal(str_of(r->content, "status"), "ok");
    json_t *matches = json_object_get(r->content, "matches");
    bool has_print = false;
    for (size_t i = 0; i < json_array_size(matches); i++)
        has_print |= strcmp(json_string_value(json_array_get(matches, i)), "print") == 0;
    assert_true(has_print);
    assert_int_equal(int_of(r->content, "cursor_start"), 0);
    assert_int_equal(int_of(r->content, "cursor_end"), 3);
    /* "é😀" before the name: 2 code points, 6 bytes; positions are code points */
    execute(f, "zeta_value = 1");
    clear_sent(&f->mock);
    const char *code = "s = '\xc3\xa9\xf0\x9f\x98\x80'; zeta_v";
    long long n_cp = 4 + 2 + 3 + 6; /* "s = '" + 2 + "'; " + "zeta_v" */
    request(f, HANDLERS_SHELL, "complete_request",
            json_pack("{s:s, s:I}", "code", code, "cursor_pos", (json_int_t)n_cp + 1), NULL, 0);
    r = find(&f->mock, "complete_reply");
    matches = json_object_get(r->content, "matches");
    assert_int_equal(json_array_size(matches), 1);
    assert_string_equal(json_string_value(json_array_get(matches, 0)), "zeta_value");
    assert_int_equal(int_of(r->content, "cursor_start"), n_cp + 1 - 6);
    assert_int_equal(int_of(r->content, "cursor_end"), n_cp + 1);
    /* a cursor in the middle: only the text before it counts */
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "complete_request",
            json_pack("{s:s, s:i}", "code", "zeta_v + 1", "cursor_pos", 4), NULL, 0);
    r = find(&f->mock, "complete_reply");
    assert_int_equal(int_of(r->content, "cursor_start"), 0);
    assert_int_equal(int_of(r->content, "cursor_end"), 4);
    /* out-of-range and missing cursors are clamped, not crashes */
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "complete_request",
            json_pack("{s:s, s:i}", "code", "pri", "cursor_pos", 99), NULL, 0);
    assert_int_equal(int_of(find(&f->mock, "complete_reply")->content, "cursor_end"), 3);
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "complete_request", json_pack("{s:s}", "code", "pri"), NULL, 0);
    assert_int_equal(int_of(find(&f->mock, "complete_reply")->content, "cursor_end"), 3);
}

static void test_handlers_inspect(void **state) {
    Fixture *f = *state;
    request(f, HANDLERS_SHELL, "inspect_request",
            json_pack("{s:s, s:i, s:i}", "code", "print(1)", "cursor_pos", 3, "detail_level",
                      0), NULL, 0);
    const Sent *r = find(&f->mock, "inspect_reply");
    assert_string_equal(str_of(r->content, "status"), "ok");
    assert_true(json_is_true(json_object_get(r->content, "found")));
    assert_non_null(strstr(str_of(json_object_get(r->content, "data"), "text/plain"),
                           "print("));
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "inspect_request",
            json_pack("{s:s, s:i}", "code", "no_such_thing", "cursor_pos", 5), NULL, 0);
    r = find(&f->mock, "inspect_reply");
    assert_true(json_is_false(json_object_get(r->content, "found")));
    assert_int_equal(json_object_size(json_object_get(r->content, "data")), 0);
}

static void test_handlers_is_complete(void **state) {
    Fixture *f = *state;
    static const struct {
        const char *code, *status, *indent;
    } cases[] = {
        {"x = 1", "complete", NULL},
        {"for i in range(3):", "incomplete", "    "},
        {"foo(1,", "incomplete", ""},
        {"x = )", "invalid", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        clear_sent(&f->mock);
        request(f, HANDLERS_SHELL, "is_complete_request",
                json_pack("{s:s}", "code", cases[i].code), NULL, 0);
        const Sent *r = find(&f->mock, "is_complete_reply");
        assert_string_equal(str_of(r->content, "status"), cases[i].status);
        if (cases[i].indent)
            assert_string_equal(str_of(r->content, "indent"), cases[i].indent);
        else
            assert_null(json_object_get(r->content, "indent"));
    }
}

static json_t *history_of(Fixture *f, json_t *content) {
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "history_request", content, NULL, 0);
    const Sent *r = find(&f->mock, "history_reply");
    assert_string_equal(str_of(r->content, "status"), "ok");
    return json_object_get(r->content, "history");
}

/* Asserts entry i of a history list is [1, line, input]. */
static void expect_entry(json_t *hist, size_t i, int line, const char *input) {
    json_t *e = json_array_get(hist, i);
    assert_int_equal(json_array_size(e), 3);
    assert_int_equal(json_integer_value(json_array_get(e, 0)), 1);
    assert_int_equal(json_integer_value(json_array_get(e, 1)), line);
    assert_string_equal(json_string_value(json_array_get(e, 2)), input);
}

static void test_handlers_history(void **state) {
    Fixture *f = *state;
    execute(f, "x1 = 1");
    execute(f, "x2 = 2");
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:b}", "code", "not_stored = 1", "store_history", 0), NULL, 0);
    execute(f, "x1 + x2");
    execute(f, "x1 = 1");
    json_t *h = history_of(f, json_pack("{s:s, s:i, s:b, s:b}", "hist_access_type", "tail",
                                        "n", 2, "output", 0, "raw", 1));
    assert_int_equal(json_array_size(h), 2);
    expect_entry(h, 0, 3, "x1 + x2");
    expect_entry(h, 1, 4, "x1 = 1");
    h = history_of(f, json_pack("{s:s, s:i, s:i, s:i}", "hist_access_type", "range",
                                "session", 0, "start", 2, "stop", 4));
    assert_int_equal(json_array_size(h), 2);
    expect_entry(h, 0, 2, "x2 = 2");
    expect_entry(h, 1, 3, "x1 + x2");
    h = history_of(f, json_pack("{s:s, s:i}", "hist_access_type", "range", "session", -1));
    assert_int_equal(json_array_size(h), 0);
    h = history_of(f, json_pack("{s:s, s:s}", "hist_access_type", "search", "pattern", "x1*"));
    assert_int_equal(json_array_size(h), 3);
    expect_entry(h, 0, 1, "x1 = 1");
    expect_entry(h, 2, 4, "x1 = 1");
    h = history_of(f, json_pack("{s:s, s:s, s:b}", "hist_access_type", "search", "pattern",
                                "x1*", "unique", 1));
    assert_int_equal(json_array_size(h), 2);
    expect_entry(h, 0, 3, "x1 + x2");
    expect_entry(h, 1, 4, "x1 = 1");
    h = history_of(f, json_pack("{s:s, s:s, s:i}", "hist_access_type", "search", "pattern",
                                "x?*", "n", 1));
    assert_int_equal(json_array_size(h), 1);
    expect_entry(h, 0, 4, "x1 = 1");
    /* with output: [session, line, [input, output or null]] */
    h = history_of(f, json_pack("{s:s, s:i, s:b}", "hist_access_type", "tail", "n", 2,
                                "output", 1));
    json_t *pair = json_array_get(json_array_get(h, 0), 2);
    assert_string_equal(json_string_value(json_array_get(pair, 0)), "x1 + x2");
    assert_string_equal(json_string_value(json_array_get(pair, 1)), "3");
    pair = json_array_get(json_array_get(h, 1), 2);
    assert_true(json_is_null(json_array_get(pair, 1)));
}

static void test_handlers_unknown_and_control_rules(void **state) {
    Fixture *f = *state;
    request(f, HANDLERS_SHELL, "no_such_request", NULL, NULL, 0);
    const char *busy_idle[] = {"iopub:status", "iopub:status"};
    expect_types(&f->mock, busy_idle, 2);
    assert_int_equal(f->mock.logs, 1);
    assert_non_null(strstr(f->mock.log[0], "unknown message type 'no_such_request'"));
    /* execute is not served on control (that thread must not touch the session) */
    clear_sent(&f->mock);
    request(f, HANDLERS_CONTROL, "execute_request", execute_content("1"), NULL, 0);
    expect_types(&f->mock, busy_idle, 2);
    assert_non_null(strstr(f->mock.log[0], "not served on control"));
    clear_sent(&f->mock);
    request(f, HANDLERS_CONTROL, "kernel_info_request", NULL, NULL, 0);
    const char *info[] = {"iopub:status", "control:kernel_info_reply", "iopub:status"};
    expect_types(&f->mock, info, 3);
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "comm_info_request", NULL, NULL, 0);
    const Sent *r = find(&f->mock, "comm_info_reply");
    assert_int_equal(json_object_size(json_object_get(r->content, "comms")), 0);
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "comm_open",
            json_pack("{s:s, s:s, s:{}}", "comm_id", "c1", "target_name", "jupyter.widget",
                      "data"), NULL, 0);
    const char *comm[] = {"iopub:status", "iopub:comm_close", "iopub:status"};
    expect_types(&f->mock, comm, 3);
    assert_string_equal(str_of(f->mock.sent[1].content, "comm_id"), "c1");
}

static void test_handlers_shutdown_and_interrupt(void **state) {
    Fixture *f = *state;
    bool restart = true;
    assert_false(handlers_stopping(f->h, &restart));
    assert_false(restart);
    unsigned before = handlers_interrupt_count(f->h);
    request(f, HANDLERS_CONTROL, "interrupt_request", NULL, NULL, 0);
    assert_int_equal(handlers_interrupt_count(f->h), before + 1);
    const Sent *r = find(&f->mock, "interrupt_reply");
    assert_int_equal(r->channel, HANDLERS_CONTROL);
    assert_string_equal(str_of(r->content, "status"), "ok");
    /* an interrupt while idle does not poison the next execution */
    clear_sent(&f->mock);
    execute(f, "k = 3\nk");
    assert_string_equal(str_of(find(&f->mock, "execute_reply")->content, "status"), "ok");
    clear_sent(&f->mock);
    request(f, HANDLERS_CONTROL, "shutdown_request", json_pack("{s:b}", "restart", 1), NULL, 0);
    const char *want[] = {"iopub:status", "control:shutdown_reply", "iopub:shutdown_reply",
                          "iopub:status"};
    expect_types(&f->mock, want, 4);
    assert_string_equal(str_of(f->mock.sent[1].content, "status"), "ok");
    assert_true(json_is_true(json_object_get(f->mock.sent[1].content, "restart")));
    assert_true(handlers_stopping(f->h, &restart));
    assert_true(restart);
}

static void test_handlers_bad_requests_survive(void **state) {
    Fixture *f = *state;
    request(f, HANDLERS_SHELL, "execute_request", json_pack("{s:i}", "code", 5), NULL, 0);
    const char *want[] = {"iopub:status", "shell:execute_reply", "iopub:status"};
    expect_types(&f->mock, want, 3);
    assert_string_equal(str_of(f->mock.sent[1].content, "status"), "error");
    assert_string_equal(str_of(f->mock.sent[1].content, "ename"), "ValueError");
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "complete_request", json_pack("{s:[]}", "code"), NULL, 0);
    assert_string_equal(str_of(find(&f->mock, "complete_reply")->content, "status"), "error");
    clear_sent(&f->mock);
    /* wrong types for flags fall back to defaults; the request still runs */
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:s, s:i, s:[]}", "code", "40 + 2", "silent", "yes",
                      "store_history", 7, "user_expressions"), NULL, 0);
    assert_string_equal(str_of(json_object_get(find(&f->mock, "execute_result")->content,
                                               "data"), "text/plain"), "42");
    clear_sent(&f->mock);
    request(f, HANDLERS_SHELL, "history_request", json_pack("{s:i}", "hist_access_type", 3),
            NULL, 0);
    assert_string_equal(str_of(find(&f->mock, "history_reply")->content, "status"), "ok");
}

static void test_handlers_input_through_stdin(void **state) {
    Fixture *f = *state;
    char *line = NULL;
    /* outside an execution there is nobody to ask */
    assert_int_equal(handlers_input(f->h, "? ", false, &line), HANDLERS_INPUT_UNSUPPORTED);
    f->mock.inputs[0] = "<wake>"; /* ignored: no interrupt happened */
    f->mock.inputs[1] = "typed text";
    f->mock.inputs[2] = "\x04";
    f->mock.inputs[3] = NULL; /* interrupt */
    f->mock.n_inputs = 4;
    f->mock.prompt = "name? ";
    f->mock.ask_input = true;
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:b}", "code", "1", "allow_stdin", 1), NULL, 0);
    assert_int_equal(f->mock.input_status, HANDLERS_INPUT_OK);
    assert_string_equal(f->mock.input_line, "typed text");
    const Sent *q = find(&f->mock, "input_request");
    assert_int_equal(q->channel, HANDLERS_STDIN);
    assert_string_equal(q->ident, "client-A");
    assert_string_equal(str_of(q->content, "prompt"), "name? ");
    assert_true(json_is_false(json_object_get(q->content, "password")));
    free(f->mock.input_line);
    f->mock.input_line = NULL;
    f->mock.ask_input = true;
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:b}", "code", "2", "allow_stdin", 1), NULL, 0);
    assert_int_equal(f->mock.input_status, HANDLERS_INPUT_EOF);
    f->mock.ask_input = true;
    request(f, HANDLERS_SHELL, "execute_request",
            json_pack("{s:s, s:b}", "code", "3", "allow_stdin", 1), NULL, 0);
    assert_int_equal(f->mock.input_status, HANDLERS_INPUT_INTERRUPTED);
    f->mock.ask_input = true;
    execute(f, "4"); /* allow_stdin false */
    assert_int_equal(f->mock.input_status, HANDLERS_INPUT_UNSUPPORTED);
}

static void test_handlers_starting_and_flush(void **state) {
    Fixture *f = *state;
    handlers_publish_starting(f->h);
    const char *want[] = {"iopub:status"};
    expect_types(&f->mock, want, 1);
    assert_string_equal(str_of(f->mock.sent[0].content, "execution_state"), "starting");
    assert_int_equal(json_object_size(f->mock.sent[0].parent), 0);
    handlers_flush_streams(f->h); /* nothing buffered: nothing sent */
    handlers_clear_output(f->h, false); /* no running cell: nothing sent */
    assert_int_equal(f->mock.count, 1);
}

int main(void) {
    if (sodium_init() < 0) return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_handlers_kernel_info_order_and_content),
        T(test_handlers_execute_output_order),
        T(test_handlers_execution_counts),
        T(test_handlers_error_and_stop_on_error),
        T(test_handlers_user_expressions),
        T(test_handlers_complete_code_points),
        T(test_handlers_inspect),
        T(test_handlers_is_complete),
        T(test_handlers_history),
        T(test_handlers_unknown_and_control_rules),
        T(test_handlers_shutdown_and_interrupt),
        T(test_handlers_bad_requests_survive),
        T(test_handlers_input_through_stdin),
        T(test_handlers_starting_and_flush),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
