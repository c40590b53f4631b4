/*
 * kernel/reply.h — builders for the content of every message the kernel sends, in one
 * place (as xeus's xhelper.hpp). See LICENSE (GPL-3.0-or-later).
 *
 * Each builder returns a new JSON object (an owned reference) or NULL on allocation
 * failure. Arguments are borrowed unless the name says `_take` (the reference is stolen,
 * even on failure). Strings may hold any bytes: invalid UTF-8 is replaced by U+FFFD.
 */
#ifndef EMBEDLAB_KERNEL_REPLY_H
#define EMBEDLAB_KERNEL_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "session.h"

/* kernel_info_reply: protocol 5.3, implementation and language_info (name "embedlab",
 * mimetype text/x-python, .py, lexer python3, codemirror ipython 3), banner, help_links. */
json_t *reply_kernel_info(const SessionInfo *info);
/* {"status": "ok"} */
json_t *reply_ok(void);
/* {"status": "error", "ename", "evalue", "traceback"} — also the body of an error reply. */
json_t *reply_error(const char *ename, const char *evalue, const char *const *traceback,
                    int traceback_lines);
/* execute_reply ok: status, execution_count, user_expressions (stolen; {} when NULL),
 * payload (stolen; [] when NULL). */
json_t *reply_execute_ok(int execution_count, json_t *user_expressions_take,
                         json_t *payload_take);
/* execute_reply error: the error content plus execution_count, user_expressions {} and
 * payload []. `error_take` is a reply_error object (stolen). */
json_t *reply_execute_error(int execution_count, json_t *error_take);
/* complete_reply: matches, cursor_start, cursor_end (code points), metadata {}. */
json_t *reply_complete(const char *const *matches, int count, size_t cursor_start,
                       size_t cursor_end);
/* inspect_reply: found is text != NULL; data {"text/plain": text} when found. */
json_t *reply_inspect(const char *text);
/* is_complete_reply: status complete|incomplete|invalid, indent only when incomplete. */
json_t *reply_is_complete(SessionCompleteness c, const char *indent);
/* history_reply with the given list of entries (stolen). */
json_t *reply_history(json_t *history_take);
/* comm_info_reply: no comms. */
json_t *reply_comm_info(void);
/* shutdown_reply {"status": "ok", "restart": restart}. */
json_t *reply_shutdown(bool restart);

/* ---- IOPub and stdin content ---- */

/* status {"execution_state": state} ("busy", "idle", "starting"). */
json_t *reply_status(const char *state);
/* execute_input {"code", "execution_count"}. */
json_t *reply_execute_input(const char *code, size_t len, int execution_count);
/* stream {"name", "text"}. */
json_t *reply_stream(const char *name, const char *text, size_t len);
/* A MIME bundle object: text/plain always, text/html and image/svg+xml when present. */
json_t *reply_mime_bundle(const SessionBundle *bundle);
/* display_data {"data", "metadata", "transient"}. */
json_t *reply_display_data(const SessionBundle *bundle);
/* execute_result {"execution_count", "data", "metadata"}. */
json_t *reply_execute_result(int execution_count, const SessionBundle *bundle);
/* error on IOPub {"ename", "evalue", "traceback"} (no status). */
json_t *reply_error_output(const char *ename, const char *evalue,
                           const char *const *traceback, int traceback_lines);
/* clear_output {"wait"}. */
json_t *reply_clear_output(bool wait);
/* input_request {"prompt", "password"}. */
json_t *reply_input_request(const char *prompt, bool password);

#endif
