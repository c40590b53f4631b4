/*
 * kernel/loop.c — ZeroMQ sockets, the poll loops and the heartbeat/control threads.
 * See loop.h for the threading contract. See LICENSE (GPL-3.0-or-later).
 */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "core/mem.h"
#include "handlers.h"
#include "session.h"
#include "wire.h"

#define LINGER_MS 1000           /* time to deliver queued messages at shutdown */
#define CONTROL_TICK_MS 100      /* control thread wake-up: stream flushes, stop and
                                    parent-process checks */

typedef struct Loop {
    void *zctx;
    void *sock[CONN_CHANNEL_COUNT]; /* indexed by ConnChannel */
    pthread_mutex_t iopub_lock;
    int wake[2];                 /* self-pipe: [0] polled by the shell thread */
    WireAuth auth;
    WireIds ids;
    WireReplay shell_replay;     /* shell thread (shell and stdin) */
    WireReplay control_replay;   /* control thread */
    Session *session;
    Handlers *h;
    WireMsg *held;               /* shell requests held by hold_queued (shell thread) */
    size_t n_held, cap_held;
    atomic_bool quit;            /* tells the control thread to leave */
    long parent_pid;             /* JPY_PARENT_PID when it is our parent, else 0 */
} Loop;

/* The running loop, for the signal handlers. */
static Loop *volatile active_loop;

static void log_line(void *ctx, const char *line) {
    (void)ctx;
    fprintf(stderr, "[embedlab-kernel] %s\n", line);
}

/* ---- sending and receiving frames ---- */

/* Sends all frames of msg on sock. 0 or -1. */
static int send_frames(void *sock, const WireFrames *f) {
    for (size_t i = 0; i < f->count; i++) {
        int more = i + 1 < f->count ? ZMQ_SNDMORE : 0;
        while (zmq_send(sock, f->items[i].data ? (const void *)f->items[i].data : "",
                        f->items[i].len, more) < 0) {
            if (errno != EINTR) return -1;
        }
    }
    return 0;
}

/* The transport's send: encode, sign and send on the channel's socket. */
static int transport_send(void *ctx, HandlersChannel ch, const WireMsg *msg) {
    Loop *L = ctx;
    WireFrames f;
    if (wire_encode(&L->auth, msg, &f)) return -1;
    int rc;
    switch (ch) {
    case HANDLERS_IOPUB:
        pthread_mutex_lock(&L->iopub_lock);
        rc = send_frames(L->sock[CONN_IOPUB], &f);
        pthread_mutex_unlock(&L->iopub_lock);
        break;
    case HANDLERS_SHELL: rc = send_frames(L->sock[CONN_SHELL], &f); break;
    case HANDLERS_CONTROL: rc = send_frames(L->sock[CONN_CONTROL], &f); break;
    case HANDLERS_STDIN: rc = send_frames(L->sock[CONN_STDIN], &f); break;
    default: rc = -1;
    }
    wire_frames_free(&f);
    return rc;
}

/* Receives one multipart message from sock and decodes it into *out. Returns 0 on a valid
 * message, 1 when a message was dropped (logged), -1 when nothing could be received
 * (EAGAIN with flags ZMQ_DONTWAIT, EINTR, ETERM). */
static int recv_msg(Loop *L, void *sock, const char *channel, WireReplay *replay, int flags,
                    WireMsg *out) {
    size_t n = 0, cap = 8;
    zmq_msg_t *parts = mem_alloc(cap * sizeof *parts, NULL);
    if (!parts) return -1;
    int more = 1, rc = -1;
    while (more) {
        if (n == cap) {
            zmq_msg_t *grown = mem_realloc(parts, cap * 2 * sizeof *parts, NULL);
            if (!grown) {
                /* Keep draining so the socket stays in sync; drop the message. */
                zmq_msg_t skip;
                zmq_msg_init(&skip);
                while (zmq_msg_recv(&skip, sock, 0) >= 0 && zmq_msg_more(&skip)) {
                }
                zmq_msg_close(&skip);
                rc = 1;
                log_line(L, "out of memory receiving a message (dropped)");
                goto done;
            }
            parts = grown;
            cap *= 2;
        }
        zmq_msg_init(&parts[n]);
        if (zmq_msg_recv(&parts[n], sock, n ? 0 : flags) < 0) {
            zmq_msg_close(&parts[n]);
            goto done;
        }
        more = zmq_msg_more(&parts[n]);
        n++;
    }
    WireFrame *frames = mem_alloc(n * sizeof *frames, NULL);
    if (!frames) {
        rc = 1;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        frames[i].data = zmq_msg_data(&parts[i]);
        frames[i].len = zmq_msg_size(&parts[i]);
    }
    char why[160];
    WireStatus st = wire_decode(&L->auth, replay, frames, n, out, why, sizeof why);
    mem_free(frames);
    if (st == WIRE_OK) {
        rc = 0;
    } else {
        char line[256];
        snprintf(line, sizeof line, "dropped a message on %s: %s", channel, why);
        log_line(L, line);
        rc = 1;
    }
done:
    for (size_t i = 0; i < n; i++) zmq_msg_close(&parts[i]);
    mem_free(parts);
    return rc;
}

/* ---- wake-up pipe (async-signal-safe writer) ---- */

static void transport_wake(void *ctx) {
    Loop *L = ctx;
    int saved = errno;
    char b = 1;
    ssize_t w = write(L->wake[1], &b, 1); /* a full pipe already means "awake" */
    (void)w;
    errno = saved;
}

static void drain_wake(Loop *L) {
    char buf[64];
    while (read(L->wake[0], buf, sizeof buf) > 0) {
    }
}

/* The transport's stdin wait: 0 with a valid message, 1 on a wake-up (interrupt or stop),
 * -1 on failure. */
static int transport_recv_stdin(void *ctx, WireMsg *reply) {
    Loop *L = ctx;
    for (;;) {
        zmq_pollitem_t items[2] = {
            {L->sock[CONN_STDIN], 0, ZMQ_POLLIN, 0},
            {NULL, L->wake[0], ZMQ_POLLIN, 0},
        };
        int n = zmq_poll(items, 2, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (items[1].revents) {
            drain_wake(L);
            return 1;
        }
        if (items[0].revents) {
            int rc = recv_msg(L, L->sock[CONN_STDIN], "stdin", &L->shell_replay,
                              ZMQ_DONTWAIT, reply);
            if (rc == 0) return 0;
        }
    }
}

/* ---- threads ---- */

static void *heartbeat_main(void *arg) {
    void *sock = arg;
    zmq_msg_t m;
    zmq_msg_init(&m);
    for (;;) {
        if (zmq_msg_recv(&m, sock, 0) < 0) {
            if (errno == EINTR) continue;
            break; /* ETERM: the context is shutting down */
        }
        int more = zmq_msg_more(&m);
        if (zmq_msg_send(&m, sock, more ? ZMQ_SNDMORE : 0) < 0 && errno == ETERM) break;
    }
    zmq_msg_close(&m);
    zmq_close(sock);
    return NULL;
}

/* True when the process that launched us (JPY_PARENT_PID) has gone. */
static bool parent_gone(const Loop *L) {
    return L->parent_pid && (long)getppid() != L->parent_pid;
}

static void *control_main(void *arg) {
    Loop *L = arg;
    while (!atomic_load(&L->quit) && !handlers_stopping(L->h, NULL)) {
        zmq_pollitem_t item = {L->sock[CONN_CONTROL], 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&item, 1, CONTROL_TICK_MS);
        if (n < 0 && errno != EINTR) break;
        if (n > 0) {
            WireMsg msg;
            if (recv_msg(L, L->sock[CONN_CONTROL], "control", &L->control_replay,
                         ZMQ_DONTWAIT, &msg) == 0) {
                handlers_dispatch(L->h, HANDLERS_CONTROL, &msg);
                wire_msg_free(&msg);
            }
        }
        handlers_flush_streams(L->h);
        if (parent_gone(L)) {
            log_line(L, "parent process exited; shutting down");
            handlers_request_stop(L->h);
        }
    }
    return NULL;
}

/* Starts a thread with SIGINT and SIGTERM blocked (they belong to the main thread). */
static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* ---- the shell loop ---- */

/* Passes every request already queued on shell to the handlers (after a failed execute
 * with stop_on_error: queued executes are answered without running). */
/* The transport's hold_queued: receives every request waiting on shell now. */
static void transport_hold_queued(void *ctx) {
    Loop *L = ctx;
    for (;;) {
        if (L->n_held == L->cap_held) {
            size_t cap = L->cap_held ? L->cap_held * 2 : 16;
            WireMsg *grown = mem_realloc(L->held, cap * sizeof *grown, NULL);
            if (!grown) return; /* the rest stays queued and runs normally */
            L->held = grown;
            L->cap_held = cap;
        }
        int rc = recv_msg(L, L->sock[CONN_SHELL], "shell", &L->shell_replay, ZMQ_DONTWAIT,
                          &L->held[L->n_held]);
        if (rc < 0) return;
        if (rc == 0) L->n_held++;
    }
}

/* Dispatches the requests held after a failed execute with stop_on_error (queued
 * executes among them are answered without running), then ends the abort. */
static void dispatch_held(Loop *L) {
    for (size_t i = 0; i < L->n_held; i++) {
        if (!handlers_stopping(L->h, NULL)) handlers_dispatch(L->h, HANDLERS_SHELL, &L->held[i]);
        wire_msg_free(&L->held[i]);
    }
    L->n_held = 0;
    handlers_end_abort(L->h);
}

static void shell_loop(Loop *L) {
    while (!handlers_stopping(L->h, NULL)) {
        zmq_pollitem_t items[2] = {
            {L->sock[CONN_SHELL], 0, ZMQ_POLLIN, 0},
            {NULL, L->wake[0], ZMQ_POLLIN, 0},
        };
        int n = zmq_poll(items, 2, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            log_line(L, "poll failed; shutting down");
            break;
        }
        if (items[1].revents) drain_wake(L);
        if (items[0].revents) {
            WireMsg msg;
            if (recv_msg(L, L->sock[CONN_SHELL], "shell", &L->shell_replay, ZMQ_DONTWAIT,
                         &msg) == 0) {
                handlers_dispatch(L->h, HANDLERS_SHELL, &msg);
                wire_msg_free(&msg);
            }
            if (handlers_aborting(L->h)) dispatch_held(L);
        }
    }
}

/* ---- setup and teardown ---- */

static int open_socket(Loop *L, const Conn *conn, ConnChannel ch, int type, Error *err) {
    void *s = zmq_socket(L->zctx, type);
    if (!s) return err_set(err, ERR_OS, "cannot create %s socket: %s", conn_channel_name(ch),
                           zmq_strerror(errno));
    L->sock[ch] = s;
    int linger = LINGER_MS, one = 1;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (type == ZMQ_ROUTER) zmq_setsockopt(s, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
    if (strchr(conn->ip, ':')) zmq_setsockopt(s, ZMQ_IPV6, &one, sizeof one);
    char endpoint[300];
    if (conn_endpoint(conn, ch, endpoint, sizeof endpoint))
        return err_set(err, ERR_VALUE, "%s address too long", conn_channel_name(ch));
    if (zmq_bind(s, endpoint) != 0)
        return err_set(err, ERR_OS, "cannot bind the %s socket to %s: %s",
                       conn_channel_name(ch), endpoint, zmq_strerror(errno));
    return ERR_OK;
}

static int make_wake_pipe(Loop *L) {
    if (pipe(L->wake) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(L->wake[i], F_GETFL);
        fcntl(L->wake[i], F_SETFL, fl | O_NONBLOCK);
        fcntl(L->wake[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

static long launcher_pid(void) {
    const char *s = getenv("JPY_PARENT_PID");
    if (!s || !*s) return 0;
    char *end;
    long pid = strtol(s, &end, 10);
    return *end == '\0' && pid > 1 && pid == (long)getppid() ? pid : 0;
}

/* Runs the kernel. See loop.h. */
int loop_run(const Conn *conn, Error *err) {
    Loop *L = mem_calloc(1, sizeof *L, err);
    if (!L) return ERR_MEMORY;
    L->wake[0] = L->wake[1] = -1;
    int rc = ERR_OK;
    bool lock_ok = false, control_started = false, hb_started = false;
    pthread_t control_thread, hb_thread;

    json_object_seed(0); /* before any thread creates JSON objects */
    wire_replay_init(&L->shell_replay);
    wire_replay_init(&L->control_replay);
    wire_ids_init(&L->ids);
    atomic_init(&L->quit, false);
    L->parent_pid = launcher_pid();
    if (wire_auth_init(&L->auth, conn->key, conn->key_len) || pthread_mutex_init(&L->iopub_lock,
                                                                                  NULL)) {
        rc = err_set(err, ERR_MEMORY, "out of memory");
        goto done;
    }
    lock_ok = true;
    if (make_wake_pipe(L)) {
        rc = err_set(err, ERR_OS, "cannot create a pipe: %s", strerror(errno));
        goto done;
    }
    L->zctx = zmq_ctx_new();
    if (!L->zctx) {
        rc = err_set(err, ERR_OS, "cannot create a ZeroMQ context: %s", zmq_strerror(errno));
        goto done;
    }
    static const int types[CONN_CHANNEL_COUNT] = {
        [CONN_SHELL] = ZMQ_ROUTER, [CONN_IOPUB] = ZMQ_PUB, [CONN_STDIN] = ZMQ_ROUTER,
        [CONN_CONTROL] = ZMQ_ROUTER, [CONN_HB] = ZMQ_REP};
    for (int ch = 0; ch < CONN_CHANNEL_COUNT && rc == ERR_OK; ch++)
        rc = open_socket(L, conn, (ConnChannel)ch, types[ch], err);
    if (rc) goto done;

    L->session = session_new(NULL);
    HandlersTransport t = {L, transport_send, transport_recv_stdin, transport_wake,
                           transport_hold_queued, log_line};
    if (!L->session || !(L->h = handlers_new(L->session, &L->ids, &t))) {
        rc = err_set(err, ERR_MEMORY, "out of memory creating the session");
        goto done;
    }
    if (start_thread(&hb_thread, heartbeat_main, L->sock[CONN_HB])) {
        rc = err_set(err, ERR_OS, "cannot start the heartbeat thread");
        goto done;
    }
    L->sock[CONN_HB] = NULL; /* owned by the heartbeat thread now */
    hb_started = true;
    if (start_thread(&control_thread, control_main, L)) {
        rc = err_set(err, ERR_OS, "cannot start the control thread");
        goto done;
    }
    control_started = true;
    handlers_publish_starting(L->h);
    active_loop = L;
    shell_loop(L);

done:
    active_loop = NULL;
    atomic_store(&L->quit, true);
    if (control_started) pthread_join(control_thread, NULL);
    for (int ch = 0; ch < CONN_CHANNEL_COUNT; ch++)
        if (L->sock[ch]) zmq_close(L->sock[ch]);
    if (L->zctx) {
        zmq_ctx_shutdown(L->zctx); /* ends the heartbeat thread's blocking receive */
        if (hb_started) pthread_join(hb_thread, NULL);
        zmq_ctx_term(L->zctx);
    }
    for (size_t i = 0; i < L->n_held; i++) wire_msg_free(&L->held[i]);
    mem_free(L->held);
    handlers_free(L->h);
    session_free(L->session);
    wire_auth_free(&L->auth);
    if (lock_ok) pthread_mutex_destroy(&L->iopub_lock);
    for (int i = 0; i < 2; i++)
        if (L->wake[i] >= 0) close(L->wake[i]);
    mem_free(L);
    return rc;
}

/* ---- signals ---- */

void loop_signal_interrupt(void) {
    Loop *L = active_loop;
    if (L) handlers_interrupt(L->h);
}

void loop_signal_terminate(void) {
    Loop *L = active_loop;
    if (L) handlers_request_stop(L->h);
}
