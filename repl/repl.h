/*
 * repl/repl.h — the interactive terminal front end (GNU Readline). Only repl/ touches
 * readline. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_REPL_H
#define EMBEDLAB_REPL_H

#include <stdbool.h>

#include "session.h"

typedef struct ReplOptions {
    bool banner;              /* print the version and one line of help first */
    bool save_history;        /* read and write the persistent history file (false in
                                 lesson playback: the history stays in memory) */
    const char *history_path; /* NULL: $XDG_STATE_HOME/embedlab/history, see history.h */
} ReplOptions;

/* Runs the read-eval-print loop on the terminal (stdin must be one) until Ctrl-D,
 * exit()/quit(), SIGTERM or SIGHUP; returns the exit status (0 after Ctrl-D, the code of
 * exit(), 128 + signal number after a signal). opts NULL: banner and history. */
int repl_run(Session *s, const ReplOptions *opts);

/* The status a script or the REPL ends with after session_execute returned SESSION_EXIT
 * (exit(), quit(), raise SystemExit). */
int repl_exit_status(const Session *s);

#endif
