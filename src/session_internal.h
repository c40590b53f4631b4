/*
 * src/session_internal.h — the Session structure, shared by session.c and the session's
 * own helpers (magic.c). Front ends never include this. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_SESSION_INTERNAL_H
#define EMBEDLAB_SESSION_INTERNAL_H

#include <stdbool.h>

#include "lang/interp.h"
#include "lang/parse.h"
#include "session.h"

struct Session {
    Interp *interp;
    int execution_count;
    const SessionSink *sink; /* the sink of the running execution */
    ParseOptions parse;
    void *magic_state;       /* owned by magic.c (history, timers), NULL until used */
    int exit_status;         /* exit()/SystemExit's status after SESSION_EXIT */
};

/* Parses and runs code in the session (no magics, no execution count): what
 * session_execute does after the magic check. */
int session_run(Session *s, const char *code, size_t len, const char *chunk, bool silent,
                const SessionSink *sink);

#endif
