/*
 * kernel/loop.h — the kernel's sockets and threads: the only code in embedlab that
 * touches libzmq. See LICENSE (GPL-3.0-or-later).
 *
 * Threads:
 *  - main (shell) thread: binds the five sockets, then polls shell (and a wake-up pipe)
 *    and runs every shell request to completion, including code execution and input()
 *    waits on stdin. It alone uses the shell and stdin sockets and the Session.
 *  - control thread: polls the control socket and serves kernel_info, interrupt and
 *    shutdown at once, even while the shell thread is busy running code; every 100 ms it
 *    also publishes buffered stream output so long computations show progress, and shuts
 *    the kernel down when the launching process (JPY_PARENT_PID) has exited.
 *  - heartbeat thread: echoes every ping on the REP heartbeat socket, so front ends see a
 *    live kernel during long computations.
 * IOPub is published from the shell and control threads under a mutex. Across threads
 * only session_interrupt (through handlers_interrupt) touches the session. The control
 * and heartbeat threads block SIGINT/SIGTERM, so signals reach the main thread.
 */
#ifndef EMBEDLAB_KERNEL_LOOP_H
#define EMBEDLAB_KERNEL_LOOP_H

#include "conn.h"
#include "core/err.h"

/* Binds the sockets described by conn on its address only, serves requests until a
 * shutdown request or SIGTERM, then closes everything. Returns 0 after a clean shutdown,
 * or an error code with err filled (bind failure, out of memory). */
int loop_run(const Conn *conn, Error *err);

/* Async-signal-safe entry points for main.c's handlers: interrupt running code (SIGINT),
 * shut down cleanly (SIGTERM). Both are no-ops when no loop is running. */
void loop_signal_interrupt(void);
void loop_signal_terminate(void);

#endif
