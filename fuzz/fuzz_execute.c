/*
 * fuzz/fuzz_execute.c — libFuzzer harness: arbitrary bytes as embedlab source, run through
 * session_execute (scanner, parser, evaluator, torch bindings). Any crash, leak, sanitizer
 * report or hang is a bug. See LICENSE (GPL-3.0-or-later).
 *
 * Hangs are bounded by the interpreter's step limit (EMBEDLAB_FUZZ_STEPS statements and
 * loop iterations, then KeyboardInterrupt) and memory by the tensor budget (16 MiB).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ignore_stream(void *ctx, const char *stream, const char *text, size_t len) {
    (void)ctx, (void)stream, (void)text, (void)len;
}
static void ignore_bundle(void *ctx, const SessionBundle *b) { (void)ctx, (void)b; }
static void ignore_result(void *ctx, int n, const SessionBundle *b) { (void)ctx, (void)n, (void)b; }
static void ignore_error(void *ctx, const char *e, const char *v, const char *const *tb, int n) {
    (void)ctx, (void)e, (void)v, (void)tb, (void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* 16 MiB of tensors: enough for lesson-sized examples, small enough that the slowest
     * ops (randn over a whole budget, under ASan) stay well inside libFuzzer's timeout.
     * No files: inputs may say open(). */
    SessionConfig cfg = {.tensor_limit = (size_t)16 << 20, .no_files = true};
    Session *s = session_new(&cfg);
    if (!s) return 0;
    session_set_step_limit(s, 20000);
    SessionSink sink = {NULL, ignore_stream, ignore_bundle, ignore_result, ignore_error};
    SessionExecOptions opts = {"<fuzz>", false, true};
    session_execute(s, (const char *)data, size, &opts, &sink);
    session_free(s);
    return 0;
}
