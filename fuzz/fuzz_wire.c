/*
 * fuzz/fuzz_wire.c — libFuzzer harness for the Jupyter wire layer: frame splitting, the
 * HMAC-SHA256 signature check, replay rejection, JSON decoding, and the request handlers
 * behind them (kernel/handlers.c over a real Session, as the kernel runs them). Any crash,
 * leak, sanitizer report or hang is a bug. See LICENSE (GPL-3.0-or-later).
 *
 * Input: one flag byte, then frames separated by "|||".
 *   bit 0: a key is set (messages must be signed), else unsigned
 *   bit 1: the harness signs the four JSON frames after the delimiter correctly (so the
 *          fuzzer gets past the signature check); without it the signature is as given
 *   bit 2: replay protection on, and the same frames are decoded a second time, which
 *          must be rejected as replayed when signed
 *   bit 3: dispatch on the control channel instead of shell
 * Checks: a message is dispatched only when it decoded (a wrong or missing signature is
 * never parsed or run); every message the handlers send encodes, signs and decodes back;
 * wire_string always yields valid UTF-8 (Jansson's strict decoder re-reads it).
 * Code in execute requests runs under a step limit and a 64 MiB tensor budget.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/mem.h"
#include "kernel/handlers.h"
#include "kernel/wire.h"
#include "session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_KEY "fuzz-key-0123456789abcdef"
#define MAX_FRAMES 64

/* A violated check names itself on stderr, then aborts (libFuzzer keeps the input). */
static void check_failed(const char *what, int line) {
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, line, what);
    abort();
}
#define check(ok) ((ok) ? (void)0 : check_failed(#ok, __LINE__))

typedef struct Mock {
    const WireAuth *auth;
    int sent;
} Mock;

/* Everything the handlers send must survive encode -> decode with the same key. */
static int mock_send(void *ctx, HandlersChannel ch, const WireMsg *msg) {
    (void)ch;
    Mock *m = ctx;
    m->sent++;
    WireFrames frames = {NULL, 0};
    if (wire_encode(m->auth, msg, &frames) != 0) return -1;
    WireFrame views[MAX_FRAMES + 16];
    check(frames.count <= sizeof views / sizeof views[0]);
    for (size_t i = 0; i < frames.count; i++) {
        views[i].data = frames.items[i].data ? (const void *)frames.items[i].data : "";
        views[i].len = frames.items[i].len;
    }
    WireMsg back;
    char why[128];
    WireStatus st = wire_decode(m->auth, NULL, views, frames.count, &back, why, sizeof why);
    check(st == WIRE_OK || st == WIRE_NOMEM);
    if (st == WIRE_OK) {
        check(strcmp(wire_msg_type(&back), wire_msg_type(msg)) == 0);
        wire_msg_free(&back);
    }
    wire_frames_free(&frames);
    return 0;
}

static void check_string(const uint8_t *data, size_t size) {
    json_t *s = wire_string((const char *)data, size);
    check(s != NULL);
    char *dumped = json_dumps(s, JSON_ENCODE_ANY);
    check(dumped != NULL);
    json_error_t jerr;
    json_t *again = json_loads(dumped, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    check(again != NULL && json_equal(again, s));
    size_t len = json_string_length(s);
    const char *v = json_string_value(s);
    size_t cps = wire_utf8_count(v, len);
    check(wire_utf8_offset(v, len, cps) == len);
    json_decref(again);
    free(dumped);
    json_decref(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static bool ready;
    if (!ready) {
        if (sodium_init() < 0) abort();
        ready = true;
    }
    if (size < 1) return 0;
    uint8_t flags = data[0];
    data++;
    size--;
    check_string(data, size < 4096 ? size : 4096);

    /* Split into frames (copies, so each frame is exactly its bytes). */
    WireFrame frames[MAX_FRAMES];
    unsigned char *copies[MAX_FRAMES];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < MAX_FRAMES; i++) {
        bool sep = i + 3 <= size && memcmp(data + i, "|||", 3) == 0;
        if (!sep && i != size) continue;
        size_t len = i - start;
        copies[n] = malloc(len ? len : 1);
        if (!copies[n]) abort();
        memcpy(copies[n], data + start, len);
        frames[n].data = copies[n];
        frames[n].len = len;
        n++;
        if (sep) {
            i += 2;
            start = i + 1;
        }
    }

    WireAuth auth;
    if (wire_auth_init(&auth, FUZZ_KEY, (flags & 1) ? strlen(FUZZ_KEY) : 0)) abort();
    char sig[WIRE_SIGNATURE_HEX + 1];
    if (flags & 2) {
        for (size_t d = 0; d < n; d++) {
            if (frames[d].len == strlen(WIRE_DELIMITER) &&
                memcmp(frames[d].data, WIRE_DELIMITER, frames[d].len) == 0) {
                if (n - d - 1 >= 5) {
                    wire_sign(&auth, &frames[d + 2], 4, sig);
                    frames[d + 1].data = sig;
                    frames[d + 1].len = strlen(sig);
                }
                break;
            }
        }
    }

    WireReplay *replay = NULL;
    if (flags & 4) {
        replay = malloc(sizeof *replay);
        if (!replay) abort();
        wire_replay_init(replay);
    }
    WireMsg msg;
    char why[160];
    WireStatus st = wire_decode(&auth, replay, frames, n, &msg, why, sizeof why);
    if (st == WIRE_OK) {
        if (replay) {
            WireMsg again;
            WireStatus st2 = wire_decode(&auth, replay, frames, n, &again, why, sizeof why);
            check(auth.key_len == 0 ? st2 == WIRE_OK : st2 == WIRE_REPLAYED);
            if (st2 == WIRE_OK) wire_msg_free(&again);
        }
        SessionConfig cfg = {.tensor_limit = (size_t)64 << 20, .no_files = true};
        Session *s = session_new(&cfg); /* execute_requests may say open() */
        if (s) {
            session_set_step_limit(s, 20000);
            WireIds ids;
            wire_ids_init(&ids);
            Mock mock = {&auth, 0};
            HandlersTransport t = {&mock, mock_send, NULL, NULL, NULL, NULL};
            Handlers *h = handlers_new(s, &ids, &t);
            if (h) {
                handlers_dispatch(h, (flags & 8) ? HANDLERS_CONTROL : HANDLERS_SHELL, &msg);
                check(mock.sent >= 2); /* at least busy and idle */
                if (handlers_aborting(h)) handlers_end_abort(h);
                handlers_free(h);
            }
            session_free(s);
        }
        wire_msg_free(&msg);
    } else {
        check(msg.header == NULL && msg.idents == NULL);
    }
    free(replay);
    wire_auth_free(&auth);
    for (size_t i = 0; i < n; i++) free(copies[i]);
    return 0;
}
