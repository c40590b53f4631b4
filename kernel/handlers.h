/*
 * kernel/handlers.h — the Jupyter request handlers: a msg_type -> handler table that calls
 * the session API and answers through an abstract transport. No sockets here: the loop
 * (loop.c) or a unit test's mock transport supplies send/receive. See LICENSE
 * (GPL-3.0-or-later).
 *
 * Every request is answered as the protocol asks: status busy, the handler's IOPub output
 * and reply, then status idle, all with the request's header as parent_header. Unknown
 * message types are logged and get busy/idle but no reply.
 *
 * Threading contract. Handlers are used by two threads:
 *  - the shell thread (the one that created them) dispatches shell requests and runs code;
 *    it alone touches the Session (except session_interrupt);
 *  - the control thread dispatches control requests. On control only kernel_info,
 *    interrupt_request and shutdown_request are served (they touch no session state:
 *    interrupt calls session_interrupt, which is async-signal- and thread-safe); other
 *    types are logged and answered with busy/idle only. The control thread may also call
 *    handlers_flush_streams and handlers_interrupt.
 * Hence the transport's send must accept calls from both threads (the loop serializes
 * IOPub with a mutex; shell/stdin and control sockets each belong to one thread).
 *
 * Ownership: handlers borrow the Session, the WireIds and the transport; they must outlive
 * the Handlers. Messages passed to the transport are borrowed for the call.
 */
#ifndef EMBEDLAB_KERNEL_HANDLERS_H
#define EMBEDLAB_KERNEL_HANDLERS_H

#include <stdbool.h>

#include "session.h"
#include "wire.h"

typedef enum HandlersChannel {
    HANDLERS_SHELL,
    HANDLERS_CONTROL,
    HANDLERS_STDIN,
    HANDLERS_IOPUB
} HandlersChannel;

/* What handlers_input reports back to the language. */
typedef enum HandlersInput {
    HANDLERS_INPUT_OK = 0,           /* *line holds the text (owned, mem_free) */
    HANDLERS_INPUT_EOF,              /* the front end sent EOF ("\x04") */
    HANDLERS_INPUT_INTERRUPTED,      /* interrupted while waiting: KeyboardInterrupt */
    HANDLERS_INPUT_UNSUPPORTED,      /* the request had allow_stdin false */
    HANDLERS_INPUT_FAILED            /* transport failure or shutdown */
} HandlersInput;

typedef struct HandlersTransport {
    void *ctx;
    /* Sends msg on `channel`: replies go back on the request's channel with the request's
     * identities; IOPub messages carry their topic as the single identity. 0 or -1. */
    int (*send)(void *ctx, HandlersChannel channel, const WireMsg *msg);
    /* Waits for the next valid message on stdin (the answer to an input_request) and
     * moves it into *reply. Returns 0, 1 when interrupted (see handlers_interrupt), or -1
     * on failure or shutdown. May be NULL: input is then unsupported. */
    int (*recv_stdin)(void *ctx, WireMsg *reply);
    /* Wakes the shell thread (after interrupt or shutdown requests). May be NULL. */
    void (*wake)(void *ctx);
    /* Receives every request already waiting on shell and keeps them, in order, to be
     * dispatched after the current one (see handlers_aborting). Called by a failed
     * execute with stop_on_error before its reply goes out, so exactly the requests sent
     * before the client could see the failure are aborted. May be NULL. */
    void (*hold_queued)(void *ctx);
    /* Logs one line (no newline) to the kernel's log (stderr). May be NULL. */
    void (*log)(void *ctx, const char *line);
} HandlersTransport;

typedef struct Handlers Handlers;

/* New handlers over a session; NULL on allocation failure. */
Handlers *handlers_new(Session *session, WireIds *ids, const HandlersTransport *transport);
void handlers_free(Handlers *h);

/* Handles one decoded request that arrived on `channel` (shell or control): busy, handler,
 * idle. Never fails: malformed content gets an error reply or is logged. */
void handlers_dispatch(Handlers *h, HandlersChannel channel, const WireMsg *request);
/* Publishes status "starting" (once, at process start). */
void handlers_publish_starting(Handlers *h);

/* True after a shutdown request: the loop should stop. *restart tells whether the front
 * end asked for a restart (the manager restarts the process; we just exit). */
bool handlers_stopping(const Handlers *h, bool *restart);
/* Asks the handlers to stop (SIGTERM); thread-safe. */
void handlers_request_stop(Handlers *h);
/* True after an execute error with stop_on_error: the loop should pass the requests it
 * held (transport hold_queued) to handlers_dispatch (execute requests among them are then
 * answered with status "error" without running) and then call handlers_end_abort. */
bool handlers_aborting(const Handlers *h);
void handlers_end_abort(Handlers *h);

/* Interrupts running code (KeyboardInterrupt) and any input() wait. Thread-safe and
 * async-signal-safe. */
void handlers_interrupt(Handlers *h);
/* A counter bumped by every handlers_interrupt (the transport compares values to end a
 * stdin wait). */
unsigned handlers_interrupt_count(const Handlers *h);
/* Publishes buffered stream text now (the control thread calls it periodically so output
 * of long computations shows while they run). Thread-safe. */
void handlers_flush_streams(Handlers *h);

/* input(prompt): asks the front end for a line through an input_request on stdin, routed
 * to the client of the running execute request. Only valid while an execute request runs
 * on the shell thread. See HandlersInput. */
HandlersInput handlers_input(Handlers *h, const char *prompt, bool password, char **line);
/* Clears the output of the running cell (clear_output on IOPub; wait: clear on next
 * output). */
void handlers_clear_output(Handlers *h, bool wait);

#endif
