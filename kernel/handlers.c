/*
 * kernel/handlers.c — Jupyter request handlers over the session API. See handlers.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "handlers.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "reply.h"

#define STREAM_FLUSH_BYTES ((size_t)64 << 10) /* publish buffered output beyond this */
#define HISTORY_SESSION 1                     /* our session number in history replies */

typedef struct HistoryEntry {
    int line;                 /* the execution count of the cell */
    char *input;              /* owned */
    char *output;             /* owned text/plain of its result, or NULL */
} HistoryEntry;

struct Handlers {
    Session *session;         /* borrowed */
    WireIds *ids;             /* borrowed */
    HandlersTransport t;

    /* shell-thread state */
    const WireMsg *current;   /* the execute_request being run, or NULL */
    bool silent;              /* the running request is silent: no IOPub output */
    bool allow_stdin;         /* the running request allows input_request */
    json_t *error;            /* reply_error of the running cell, or NULL */
    char *result_text;        /* text/plain of the running cell's result, or NULL */
    bool aborting;            /* an execute failed with stop_on_error */
    HistoryEntry *history;
    size_t history_len, history_cap;

    /* shared between the shell and control threads */
    atomic_bool stop, restart;
    atomic_uint interrupts;
    pthread_mutex_t stream_lock; /* guards the four stream fields below */
    StrBuf stream;            /* buffered stream text, not yet published */
    char stream_name[8];      /* "stdout" or "stderr" */
    json_t *stream_parent;    /* own copy of the running request's header, or NULL */
    size_t cell_output;       /* stream bytes the running cell has published */
    size_t cell_dropped;      /* ... and dropped beyond output_limit */
    size_t output_limit;      /* per cell (EMBEDLAB_MAX_OUTPUT_BYTES, default 4 MiB) */
};

/* ---- logging and sending ---- */

static void logf_(Handlers *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(Handlers *h, const char *fmt, ...) {
    if (!h->t.log) return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    h->t.log(h->t.ctx, line);
}

/* Sends a reply (content stolen) to the request's sender on `ch`. */
static void send_reply(Handlers *h, HandlersChannel ch, const WireMsg *req, const char *type,
                       json_t *content) {
    WireMsg m;
    if (!content || wire_msg_build(h->ids, req, true, type, content, &m)) {
        if (content) json_decref(content);
        logf_(h, "out of memory building %s", type);
        return;
    }
    if (h->t.send(h->t.ctx, ch, &m)) logf_(h, "could not send %s", type);
    wire_msg_free(&m);
}

/* Publishes content (stolen) on IOPub with `parent` (may be NULL) as parent_header. */
static void publish(Handlers *h, const WireMsg *parent, const char *type, json_t *content,
                    const char *topic) {
    WireMsg m;
    if (!content || wire_msg_build(h->ids, parent, false, type, content, &m)) {
        if (content) json_decref(content);
        logf_(h, "out of memory building %s", type);
        return;
    }
    if (wire_set_topic(&m, h->ids, topic) || h->t.send(h->t.ctx, HANDLERS_IOPUB, &m))
        logf_(h, "could not publish %s", type);
    wire_msg_free(&m);
}

static void publish_status(Handlers *h, const WireMsg *parent, const char *state) {
    publish(h, parent, "status", reply_status(state), NULL);
}

/* "execute_request" -> "execute_reply" into buf. */
static const char *reply_type(const char *request_type, char *buf, size_t size) {
    size_t n = strlen(request_type);
    const char *suffix = "_request";
    size_t sl = strlen(suffix);
    if (n > sl && strcmp(request_type + n - sl, suffix) == 0)
        snprintf(buf, size, "%.*s_reply", (int)(n - sl), request_type);
    else
        snprintf(buf, size, "%s_reply", request_type);
    return buf;
}

/* ---- content accessors (wrong types fall back to defaults) ---- */

static bool get_bool(const json_t *content, const char *key, bool fallback) {
    json_t *v = json_object_get(content, key);
    return json_is_boolean(v) ? json_is_true(v) : fallback;
}

static long long get_int(const json_t *content, const char *key, long long fallback) {
    json_t *v = json_object_get(content, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : fallback;
}

/* The string member `key`, or NULL when missing or not a string. */
static const char *get_str(const json_t *content, const char *key, size_t *len) {
    json_t *v = json_object_get(content, key);
    if (!json_is_string(v)) return NULL;
    if (len) *len = json_string_length(v);
    return json_string_value(v);
}

/* Answers a request whose content is unusable with an error reply. */
static void bad_request(Handlers *h, HandlersChannel ch, const WireMsg *req,
                        const char *what) {
    char type[96];
    logf_(h, "bad %s: %s", wire_msg_type(req), what);
    char msg[200];
    snprintf(msg, sizeof msg, "%s: %s", wire_msg_type(req), what);
    send_reply(h, ch, req, reply_type(wire_msg_type(req), type, sizeof type),
               reply_error("ValueError", msg, NULL, 0));
}

/* ---- stream buffering ---- */

static void flush_locked(Handlers *h) {
    if (h->stream.len == 0) return;
    WireMsg parent = {0};
    parent.header = h->stream_parent;
    char topic[16];
    snprintf(topic, sizeof topic, "stream.%s", h->stream_name);
    publish(h, &parent, "stream", reply_stream(h->stream_name, sb_str(&h->stream),
                                               h->stream.len), topic);
    sb_clear(&h->stream);
}

/* Publishes buffered stream text. See handlers.h. */
void handlers_flush_streams(Handlers *h) {
    pthread_mutex_lock(&h->stream_lock);
    flush_locked(h);
    pthread_mutex_unlock(&h->stream_lock);
}

static void stream_begin(Handlers *h, const WireMsg *req) {
    pthread_mutex_lock(&h->stream_lock);
    json_decref(h->stream_parent);
    h->stream_parent = json_deep_copy(req->header);
    h->cell_output = h->cell_dropped = 0;
    pthread_mutex_unlock(&h->stream_lock);
}

static void stream_end(Handlers *h) {
    pthread_mutex_lock(&h->stream_lock);
    if (h->cell_dropped) {
        /* Like Jupyter's own output limits: the front end gets a note, not megabytes. */
        flush_locked(h);
        snprintf(h->stream_name, sizeof h->stream_name, "stderr");
        sb_appendf(&h->stream, "\n[embedlab: output truncated: this cell printed %zu more bytes "
                               "than its limit of %zu; EMBEDLAB_MAX_OUTPUT_BYTES sets the limit]\n",
                   h->cell_dropped, h->output_limit);
    }
    flush_locked(h);
    json_decref(h->stream_parent);
    h->stream_parent = NULL;
    pthread_mutex_unlock(&h->stream_lock);
}

/* ---- the session sink of a running execute request ---- */

static void sink_stream(void *ctx, const char *stream, const char *text, size_t len) {
    Handlers *h = ctx;
    if (h->silent || len == 0) return;
    const char *name = strcmp(stream, "stderr") == 0 ? "stderr" : "stdout";
    pthread_mutex_lock(&h->stream_lock);
    size_t room = h->output_limit > h->cell_output ? h->output_limit - h->cell_output : 0;
    size_t take = len <= room ? len : room;
    while (take < len && take > 0 && ((unsigned char)text[take] & 0xC0) == 0x80)
        take--; /* never split a UTF-8 character */
    h->cell_output += take;
    h->cell_dropped += len - take;
    if (take == 0) {
        pthread_mutex_unlock(&h->stream_lock);
        return;
    }
    len = take;
    if (h->stream.len && strcmp(h->stream_name, name) != 0) flush_locked(h);
    snprintf(h->stream_name, sizeof h->stream_name, "%s", name);
    sb_appendn(&h->stream, text, len);
    if (h->stream.failed) {
        sb_free(&h->stream);
        logf_(h, "out of memory buffering %s", name);
    }
    if (h->stream.len >= STREAM_FLUSH_BYTES) flush_locked(h);
    pthread_mutex_unlock(&h->stream_lock);
}

static void sink_display(void *ctx, const SessionBundle *bundle) {
    Handlers *h = ctx;
    if (h->silent || !bundle || !bundle->text_plain) return;
    handlers_flush_streams(h);
    publish(h, h->current, "display_data", reply_display_data(bundle), NULL);
}

static void sink_result(void *ctx, int execution_count, const SessionBundle *bundle) {
    Handlers *h = ctx;
    if (!bundle || !bundle->text_plain) return;
    mem_free(h->result_text);
    h->result_text = mem_strdup(bundle->text_plain, NULL);
    if (h->silent) return;
    handlers_flush_streams(h);
    publish(h, h->current, "execute_result", reply_execute_result(execution_count, bundle),
            NULL);
}

static void sink_error(void *ctx, const char *ename, const char *evalue,
                       const char *const *traceback, int traceback_lines) {
    Handlers *h = ctx;
    json_decref(h->error);
    h->error = reply_error(ename, evalue, traceback, traceback_lines);
    if (h->silent) return;
    handlers_flush_streams(h);
    publish(h, h->current, "error",
            reply_error_output(ename, evalue, traceback, traceback_lines), NULL);
}

/* The session's input() hook: an input_request on the stdin channel. */
static SessionInput sink_input(void *ctx, const char *prompt, bool password, char **line) {
    char *text = NULL;
    HandlersInput r = handlers_input(ctx, prompt, password, &text);
    *line = NULL;
    if (r == HANDLERS_INPUT_OK) {
        *line = strdup(text); /* the session frees it with free() */
        mem_free(text);
        return *line ? SESSION_INPUT_OK : SESSION_INPUT_INTERRUPTED;
    }
    mem_free(text);
    return r == HANDLERS_INPUT_EOF           ? SESSION_INPUT_EOF
           : r == HANDLERS_INPUT_UNSUPPORTED ? SESSION_INPUT_UNSUPPORTED
                                             : SESSION_INPUT_INTERRUPTED;
}

/* input() through the stdin channel. See handlers.h. */
HandlersInput handlers_input(Handlers *h, const char *prompt, bool password, char **line) {
    *line = NULL;
    if (!h->current || !h->allow_stdin || !h->t.recv_stdin) return HANDLERS_INPUT_UNSUPPORTED;
    handlers_flush_streams(h);
    unsigned before = atomic_load(&h->interrupts);
    send_reply(h, HANDLERS_STDIN, h->current, "input_request",
               reply_input_request(prompt ? prompt : "", password));
    for (;;) {
        WireMsg reply;
        int rc = h->t.recv_stdin(h->t.ctx, &reply);
        if (rc < 0 || atomic_load(&h->stop)) {
            if (rc == 0) wire_msg_free(&reply);
            return HANDLERS_INPUT_FAILED;
        }
        if (atomic_load(&h->interrupts) != before) {
            if (rc == 0) wire_msg_free(&reply);
            return HANDLERS_INPUT_INTERRUPTED;
        }
        if (rc == 1) continue; /* a wake-up left over from an earlier interrupt */
        if (strcmp(wire_msg_type(&reply), "input_reply") != 0) {
            logf_(h, "ignoring %s on stdin", wire_msg_type(&reply));
            wire_msg_free(&reply);
            continue;
        }
        size_t len = 0;
        const char *value = get_str(reply.content, "value", &len);
        HandlersInput result = HANDLERS_INPUT_OK;
        if (!value) {
            logf_(h, "input_reply without a string value");
            value = "", len = 0;
        }
        if (len == 1 && value[0] == '\x04') result = HANDLERS_INPUT_EOF;
        else if (!(*line = mem_strndup(value, len, NULL))) result = HANDLERS_INPUT_FAILED;
        wire_msg_free(&reply);
        return result;
    }
}

void handlers_clear_output(Handlers *h, bool wait) {
    if (!h->current || h->silent) return;
    handlers_flush_streams(h);
    publish(h, h->current, "clear_output", reply_clear_output(wait), NULL);
}

/* ---- history ---- */

static void history_add(Handlers *h, int line, const char *code, size_t len,
                        const char *output) {
    if (h->history_len == h->history_cap) {
        size_t cap = h->history_cap ? h->history_cap * 2 : 64;
        HistoryEntry *grown = mem_realloc(h->history, cap * sizeof *grown, NULL);
        if (!grown) return;
        h->history = grown;
        h->history_cap = cap;
    }
    HistoryEntry *e = &h->history[h->history_len];
    e->line = line;
    e->input = mem_strndup(code, len, NULL);
    e->output = output ? mem_strdup(output, NULL) : NULL;
    if (!e->input) {
        mem_free(e->output);
        return;
    }
    h->history_len++;
}

/* [session, line, input] or [session, line, [input, output]]. */
static json_t *history_item(const HistoryEntry *e, bool output) {
    json_t *in = wire_string(e->input, strlen(e->input));
    if (output)
        in = json_pack("[o, o]", in,
                       e->output ? wire_string(e->output, strlen(e->output)) : json_null());
    return json_pack("[i, i, o]", HISTORY_SESSION, e->line, in);
}

static void handle_history(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    const json_t *c = req->content;
    bool output = get_bool(c, "output", false);
    const char *access = get_str(c, "hist_access_type", NULL);
    if (!access) access = "tail";
    /* Which entries, as a mask over the history. */
    size_t n_hist = h->history_len;
    bool *take = mem_calloc(n_hist ? n_hist : 1, sizeof *take, NULL);
    if (!take) {
        send_reply(h, ch, req, "history_reply", NULL);
        return;
    }
    if (strcmp(access, "range") == 0) {
        long long session = get_int(c, "session", 0);
        long long start = get_int(c, "start", 0);
        json_t *stop_j = json_object_get(c, "stop");
        long long stop = json_is_integer(stop_j) ? (long long)json_integer_value(stop_j)
                                                 : (long long)1 << 62;
        if (session == 0 || session == HISTORY_SESSION)
            for (size_t i = 0; i < n_hist; i++)
                take[i] = h->history[i].line >= start && h->history[i].line < stop;
    } else if (strcmp(access, "search") == 0) {
        const char *pattern = get_str(c, "pattern", NULL);
        if (!pattern) pattern = "*";
        long long n = get_int(c, "n", 0);
        bool unique = get_bool(c, "unique", false);
        long long kept = 0;
        /* Newest first, so "n" keeps the latest matches and "unique" the latest copy. */
        for (size_t i = n_hist; i-- > 0;) {
            if (n > 0 && kept >= n) break;
            if (fnmatch(pattern, h->history[i].input, 0) != 0) continue;
            bool dup = false;
            for (size_t j = i + 1; unique && !dup && j < n_hist; j++)
                dup = take[j] && strcmp(h->history[j].input, h->history[i].input) == 0;
            if (dup) continue;
            take[i] = true;
            kept++;
        }
    } else if (strcmp(access, "tail") == 0) {
        long long n = get_int(c, "n", 10);
        if (n < 0) n = 0;
        for (size_t i = n_hist > (size_t)n ? n_hist - (size_t)n : 0; i < n_hist; i++)
            take[i] = true;
    } else {
        logf_(h, "history_request: unknown hist_access_type '%s'", access);
    }
    json_t *list = json_array();
    for (size_t i = 0; list && i < n_hist; i++)
        if (take[i] && json_array_append_new(list, history_item(&h->history[i], output))) {
            json_decref(list);
            list = NULL;
        }
    mem_free(take);
    send_reply(h, ch, req, "history_reply", list ? reply_history(list) : NULL);
}

/* ---- user_expressions ---- */

typedef struct Capture {
    json_t *data;             /* mime bundle of the result, or NULL */
    json_t *error;            /* reply_error, or NULL */
} Capture;

static void capture_result(void *ctx, int count, const SessionBundle *bundle) {
    (void)count;
    Capture *cap = ctx;
    json_decref(cap->data);
    cap->data = reply_mime_bundle(bundle);
}

static void capture_error(void *ctx, const char *ename, const char *evalue,
                          const char *const *traceback, int traceback_lines) {
    Capture *cap = ctx;
    json_decref(cap->error);
    cap->error = reply_error(ename, evalue, traceback, traceback_lines);
}

/* Evaluates each expression to its repr, as ipykernel does: {"name": {"status": "ok",
 * "data": {"text/plain": ...}, "metadata": {}}} or the error of that expression alone.
 * Evaluation runs the expression as a non-silent, non-stored chunk, so the execution
 * count does not move and its stream output is dropped. */
static json_t *eval_user_expressions(Handlers *h, const json_t *exprs) {
    json_t *out = json_object();
    if (!out || !json_is_object(exprs)) return out;
    const char *name;
    json_t *expr;
    json_object_foreach((json_t *)exprs, name, expr) {
        json_t *item;
        if (!json_is_string(expr)) {
            item = reply_error("TypeError", "user expression must be a string", NULL, 0);
        } else {
            Capture cap = {NULL, NULL};
            SessionSink sink = {&cap, NULL, NULL, capture_result, capture_error};
            SessionExecOptions opts = {"<user_expressions>", false, false};
            session_execute(h->session, json_string_value(expr), json_string_length(expr),
                            &opts, &sink);
            if (cap.error) {
                item = cap.error;
                json_decref(cap.data);
            } else {
                item = json_pack("{s:s, s:o, s:{}}", "status", "ok", "data",
                                 cap.data ? cap.data : json_pack("{s:s}", "text/plain", "None"),
                                 "metadata");
            }
        }
        if (!item || json_object_set_new(out, name, item)) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* ---- shell handlers ---- */

static void handle_execute(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    const json_t *c = req->content;
    size_t len = 0;
    const char *code = get_str(c, "code", &len);
    if (!code) { bad_request(h, ch, req, "\"code\" must be a string"); return; }
    bool silent = get_bool(c, "silent", false);
    bool store = !silent && get_bool(c, "store_history", true);
    bool stop_on_error = get_bool(c, "stop_on_error", true);
    int input_count = session_execution_count(h->session) + (store ? 1 : 0);
    if (!silent)
        publish(h, req, "execute_input", reply_execute_input(code, len, input_count), NULL);

    h->current = req;
    h->silent = silent;
    h->allow_stdin = get_bool(c, "allow_stdin", false);
    h->error = NULL;
    h->result_text = NULL;
    stream_begin(h, req);
    char chunk[40];
    snprintf(chunk, sizeof chunk, "<cell %d>", input_count);
    SessionExecOptions opts = {chunk, silent, store};
    SessionSink sink = {h, sink_stream, sink_display, sink_result, sink_error, sink_input};
    int status = session_execute(h->session, code, len, &opts, &sink);
    stream_end(h);
    int count = session_execution_count(h->session);
    if (store) history_add(h, count, code, len, h->result_text);
    mem_free(h->result_text);
    h->result_text = NULL;
    h->current = NULL;

    json_t *reply;
    if (status == SESSION_ERROR) {
        json_t *err = h->error ? h->error
                               : reply_error("RuntimeError", "execution failed", NULL, 0);
        reply = reply_execute_error(count, err);
        if (stop_on_error) {
            h->aborting = true;
            if (h->t.hold_queued) h->t.hold_queued(h->t.ctx);
        }
    } else {
        json_t *payload = status == SESSION_EXIT
                              ? json_pack("[{s:s, s:b}]", "source", "ask_exit", "keepkernel", 0)
                              : json_array();
        reply = reply_execute_ok(count, eval_user_expressions(h, json_object_get(c,
                                 "user_expressions")), payload);
    }
    h->error = NULL;
    send_reply(h, ch, req, "execute_reply", reply);
}

/* An execute request queued behind a failed one with stop_on_error: not run. */
static void abort_execute(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    json_t *err = reply_error("ExecutionAborted",
                              "not run: an earlier request failed (stop_on_error)", NULL, 0);
    send_reply(h, ch, req, "execute_reply",
               reply_execute_error(session_execution_count(h->session), err));
}

static void handle_kernel_info(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    send_reply(h, ch, req, "kernel_info_reply", reply_kernel_info(session_info()));
}

static void handle_complete(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    size_t len = 0;
    const char *code = get_str(req->content, "code", &len);
    if (!code) { bad_request(h, ch, req, "\"code\" must be a string"); return; }
    size_t n_cp = wire_utf8_count(code, len);
    long long cp = get_int(req->content, "cursor_pos", (long long)n_cp);
    if (cp < 0) cp = 0;
    if ((size_t)cp > n_cp) cp = (long long)n_cp;
    size_t cursor = wire_utf8_offset(code, len, (size_t)cp);
    SessionCompletion comp;
    memset(&comp, 0, sizeof comp);
    json_t *reply;
    if (session_complete(h->session, code, cursor, &comp) != 0) {
        reply = reply_complete(NULL, 0, (size_t)cp, (size_t)cp);
    } else {
        size_t start = comp.cursor_start <= len ? comp.cursor_start : len;
        size_t end = comp.cursor_end <= len ? comp.cursor_end : len;
        reply = reply_complete((const char *const *)comp.matches, comp.count,
                               wire_utf8_count(code, start), wire_utf8_count(code, end));
    }
    session_completion_free(&comp);
    send_reply(h, ch, req, "complete_reply", reply);
}

static void handle_inspect(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    size_t len = 0;
    const char *code = get_str(req->content, "code", &len);
    if (!code) { bad_request(h, ch, req, "\"code\" must be a string"); return; }
    size_t n_cp = wire_utf8_count(code, len);
    long long cp = get_int(req->content, "cursor_pos", (long long)n_cp);
    if (cp < 0) cp = 0;
    if ((size_t)cp > n_cp) cp = (long long)n_cp;
    int detail = get_int(req->content, "detail_level", 0) > 0 ? 1 : 0;
    char *text = session_inspect(h->session, code, wire_utf8_offset(code, len, (size_t)cp),
                                 detail);
    send_reply(h, ch, req, "inspect_reply", reply_inspect(text));
    session_free_string(text);
}

static void handle_is_complete(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    size_t len = 0;
    const char *code = get_str(req->content, "code", &len);
    if (!code) { bad_request(h, ch, req, "\"code\" must be a string"); return; }
    char *indent = NULL;
    SessionCompleteness c = session_is_complete(h->session, code, len, &indent);
    send_reply(h, ch, req, "is_complete_reply", reply_is_complete(c, indent ? indent : ""));
    mem_free(indent);
}

static void handle_comm_info(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    send_reply(h, ch, req, "comm_info_reply", reply_comm_info());
}

/* No comm targets exist: the spec says to answer comm_open with comm_close. */
static void handle_comm_open(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    (void)ch;
    const char *id = get_str(req->content, "comm_id", NULL);
    const char *target = get_str(req->content, "target_name", NULL);
    logf_(h, "no comm target '%s'", target ? target : "");
    if (id) publish(h, req, "comm_close", json_pack("{s:s, s:{}}", "comm_id", id, "data"),
                    NULL);
}

static void handle_comm_ignore(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    (void)h, (void)ch, (void)req;
}

/* ---- control handlers (also accepted on shell) ---- */

static void handle_shutdown(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    bool restart = get_bool(req->content, "restart", false);
    send_reply(h, ch, req, "shutdown_reply", reply_shutdown(restart));
    publish(h, req, "shutdown_reply", reply_shutdown(restart), NULL);
    atomic_store(&h->restart, restart);
    handlers_request_stop(h);
}

static void handle_interrupt(Handlers *h, HandlersChannel ch, const WireMsg *req) {
    handlers_interrupt(h);
    send_reply(h, ch, req, "interrupt_reply", reply_ok());
}

/* ---- dispatch ---- */

typedef void (*Handler)(Handlers *h, HandlersChannel ch, const WireMsg *req);

static const struct {
    const char *type;
    Handler fn;
    bool control;             /* safe to run on the control thread */
} handler_table[] = {
    {"execute_request", handle_execute, false},
    {"kernel_info_request", handle_kernel_info, true},
    {"complete_request", handle_complete, false},
    {"inspect_request", handle_inspect, false},
    {"is_complete_request", handle_is_complete, false},
    {"history_request", handle_history, false},
    {"comm_info_request", handle_comm_info, false},
    {"comm_open", handle_comm_open, false},
    {"comm_msg", handle_comm_ignore, false},
    {"comm_close", handle_comm_ignore, false},
    {"shutdown_request", handle_shutdown, true},
    {"interrupt_request", handle_interrupt, true},
};

/* busy, the handler, idle. See handlers.h. */
void handlers_dispatch(Handlers *h, HandlersChannel channel, const WireMsg *request) {
    const char *type = wire_msg_type(request);
    Handler fn = NULL;
    bool control_ok = false;
    for (size_t i = 0; i < sizeof handler_table / sizeof *handler_table; i++)
        if (strcmp(handler_table[i].type, type) == 0) {
            fn = handler_table[i].fn;
            control_ok = handler_table[i].control;
            break;
        }
    publish_status(h, request, "busy");
    if (!fn)
        logf_(h, "unknown message type '%.80s' on %s (ignored)", type,
              channel == HANDLERS_CONTROL ? "control" : "shell");
    else if (channel == HANDLERS_CONTROL && !control_ok)
        logf_(h, "'%.80s' is not served on control (ignored)", type);
    else if (fn == handle_execute && h->aborting) /* shell thread only: see above */
        abort_execute(h, channel, request);
    else
        fn(h, channel, request);
    publish_status(h, request, "idle");
}

void handlers_publish_starting(Handlers *h) { publish_status(h, NULL, "starting"); }

/* ---- lifecycle and flags ---- */

Handlers *handlers_new(Session *session, WireIds *ids, const HandlersTransport *transport) {
    Handlers *h = mem_calloc(1, sizeof *h, NULL);
    if (!h) return NULL;
    h->session = session;
    h->ids = ids;
    h->t = *transport;
    atomic_init(&h->stop, false);
    atomic_init(&h->restart, false);
    atomic_init(&h->interrupts, 0);
    sb_init(&h->stream);
    h->output_limit = (size_t)4 << 20;
    size_t limit;
    if (session_size_from_env("EMBEDLAB_MAX_OUTPUT_BYTES", &limit) == 1) h->output_limit = limit;
    if (pthread_mutex_init(&h->stream_lock, NULL)) {
        mem_free(h);
        return NULL;
    }
    return h;
}

void handlers_free(Handlers *h) {
    if (!h) return;
    for (size_t i = 0; i < h->history_len; i++) {
        mem_free(h->history[i].input);
        mem_free(h->history[i].output);
    }
    mem_free(h->history);
    sb_free(&h->stream);
    json_decref(h->stream_parent);
    json_decref(h->error);
    mem_free(h->result_text);
    pthread_mutex_destroy(&h->stream_lock);
    mem_free(h);
}

bool handlers_stopping(const Handlers *h, bool *restart) {
    if (restart) *restart = atomic_load(&h->restart);
    return atomic_load(&h->stop);
}

void handlers_request_stop(Handlers *h) {
    atomic_store(&h->stop, true);
    handlers_interrupt(h);
}

bool handlers_aborting(const Handlers *h) { return h->aborting; }
void handlers_end_abort(Handlers *h) { h->aborting = false; }

void handlers_interrupt(Handlers *h) {
    atomic_fetch_add(&h->interrupts, 1);
    session_interrupt(h->session);
    if (h->t.wake) h->t.wake(h->t.ctx);
}

unsigned handlers_interrupt_count(const Handlers *h) { return atomic_load(&h->interrupts); }
