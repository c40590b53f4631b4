/*
 * kernel/reply.c — message content builders. See reply.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "reply.h"

#include <string.h>

#include "wire.h"

/* A JSON string for a NUL-terminated C string (NULL → ""). */
static json_t *str(const char *s) { return wire_string(s ? s : "", s ? strlen(s) : 0); }

/* The issue fixes language_info: the language is called embedlab but reads as Python. */
json_t *reply_kernel_info(const SessionInfo *info) {
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:i}, s:s}, s:o, s:b,"
        " s:[{s:s, s:s}, {s:s, s:s}]}",
        "status", "ok", "protocol_version", WIRE_PROTOCOL_VERSION, "implementation",
        info->implementation, "implementation_version", info->implementation_version,
        "language_info", "name", "embedlab", "version", info->implementation_version,
        "mimetype", "text/x-python", "file_extension", ".py", "pygments_lexer", "python3",
        "codemirror_mode", "name", "ipython", "version", 3, "nbconvert_exporter", "python",
        "banner", str(info->banner), "debugger", 0, "help_links", "text",
        "PyTorch 1.13 nn.Embedding", "url",
        "https://pytorch.org/docs/1.13/generated/torch.nn.Embedding.html", "text",
        "PyTorch 1.13 documentation", "url", "https://pytorch.org/docs/1.13/");
}

json_t *reply_ok(void) { return json_pack("{s:s}", "status", "ok"); }

/* The traceback as a JSON array of strings. */
static json_t *traceback_array(const char *const *traceback, int n) {
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++)
        if (json_array_append_new(a, str(traceback[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

json_t *reply_error_output(const char *ename, const char *evalue,
                           const char *const *traceback, int traceback_lines) {
    return json_pack("{s:o, s:o, s:o}", "ename", str(ename), "evalue", str(evalue),
                     "traceback", traceback_array(traceback, traceback_lines));
}

json_t *reply_error(const char *ename, const char *evalue, const char *const *traceback,
                    int traceback_lines) {
    json_t *e = reply_error_output(ename, evalue, traceback, traceback_lines);
    if (e && json_object_set_new(e, "status", json_string("error"))) {
        json_decref(e);
        return NULL;
    }
    return e;
}

json_t *reply_execute_ok(int execution_count, json_t *user_expressions_take,
                         json_t *payload_take) {
    return json_pack("{s:s, s:i, s:o, s:o}", "status", "ok", "execution_count",
                     execution_count, "user_expressions",
                     user_expressions_take ? user_expressions_take : json_object(), "payload",
                     payload_take ? payload_take : json_array());
}

json_t *reply_execute_error(int execution_count, json_t *error_take) {
    if (!error_take) return NULL;
    if (json_object_set_new(error_take, "execution_count", json_integer(execution_count)) ||
        json_object_set_new(error_take, "user_expressions", json_object()) ||
        json_object_set_new(error_take, "payload", json_array())) {
        json_decref(error_take);
        return NULL;
    }
    return error_take;
}

json_t *reply_complete(const char *const *matches, int count, size_t cursor_start,
                       size_t cursor_end) {
    json_t *m = json_array();
    for (int i = 0; m && i < count; i++)
        if (json_array_append_new(m, str(matches[i]))) {
            json_decref(m);
            m = NULL;
        }
    return json_pack("{s:s, s:o, s:I, s:I, s:{}}", "status", "ok", "matches", m,
                     "cursor_start", (json_int_t)cursor_start, "cursor_end",
                     (json_int_t)cursor_end, "metadata");
}

json_t *reply_inspect(const char *text) {
    if (!text) return json_pack("{s:s, s:b, s:{}, s:{}}", "status", "ok", "found", 0, "data",
                                "metadata");
    return json_pack("{s:s, s:b, s:{s:o}, s:{}}", "status", "ok", "found", 1, "data",
                     "text/plain", str(text), "metadata");
}

json_t *reply_is_complete(SessionCompleteness c, const char *indent) {
    if (c == SESSION_INCOMPLETE)
        return json_pack("{s:s, s:o}", "status", "incomplete", "indent", str(indent));
    return json_pack("{s:s}", "status", c == SESSION_COMPLETE ? "complete" : "invalid");
}

json_t *reply_history(json_t *history_take) {
    return json_pack("{s:s, s:o}", "status", "ok", "history",
                     history_take ? history_take : json_array());
}

json_t *reply_comm_info(void) { return json_pack("{s:s, s:{}}", "status", "ok", "comms"); }

json_t *reply_shutdown(bool restart) {
    return json_pack("{s:s, s:b}", "status", "ok", "restart", restart);
}

/* ---- IOPub and stdin content ---- */

json_t *reply_status(const char *state) {
    return json_pack("{s:s}", "execution_state", state);
}

json_t *reply_execute_input(const char *code, size_t len, int execution_count) {
    return json_pack("{s:o, s:i}", "code", wire_string(code, len), "execution_count",
                     execution_count);
}

json_t *reply_stream(const char *name, const char *text, size_t len) {
    return json_pack("{s:s, s:o}", "name", name, "text", wire_string(text, len));
}

json_t *reply_mime_bundle(const SessionBundle *bundle) {
    json_t *data = json_pack("{s:o}", "text/plain", str(bundle->text_plain));
    if (data && bundle->text_html &&
        json_object_set_new(data, "text/html", str(bundle->text_html)))
        goto fail;
    if (data && bundle->image_svg &&
        json_object_set_new(data, "image/svg+xml", str(bundle->image_svg)))
        goto fail;
    return data;
fail:
    json_decref(data);
    return NULL;
}

json_t *reply_display_data(const SessionBundle *bundle) {
    return json_pack("{s:o, s:{}, s:{}}", "data", reply_mime_bundle(bundle), "metadata",
                     "transient");
}

json_t *reply_execute_result(int execution_count, const SessionBundle *bundle) {
    return json_pack("{s:i, s:o, s:{}}", "execution_count", execution_count, "data",
                     reply_mime_bundle(bundle), "metadata");
}

json_t *reply_clear_output(bool wait) { return json_pack("{s:b}", "wait", wait); }

json_t *reply_input_request(const char *prompt, bool password) {
    return json_pack("{s:o, s:b}", "prompt", str(prompt), "password", password);
}
