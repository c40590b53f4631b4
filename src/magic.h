/*
 * src/magic.h — IPython-style magics and help shortcuts shared by every front end (the
 * terminal REPL and the Jupyter kernel see the same behaviour). See LICENSE
 * (GPL-3.0-or-later).
 *
 * Recognised input (anything else is ordinary code):
 *   ?name, name?, ??name, name??   help on name (session_inspect), one line of input
 *   %who [TYPE]                    the names you defined (optionally of one type)
 *   %whos                          the same as a table with types and values
 *   %reset -f                      delete every name you defined
 *   %time STMT                     run STMT once, report CPU and wall time
 *   %timeit [-n N] [-r R] STMT     time STMT as IPython does (mean ± std. dev. of runs)
 *   %history [-n] [N | M-N]        this session's inputs
 *   %lessons, %lesson NAME         the lessons (see magic_lessons)
 *   %check ID                      is exercise ID solved in this session? (notebooks)
 *   %lsmagic                       list the magics
 *   !COMMAND                       run a shell command, its output as the cell's streams
 *   %%time, %%timeit as the first line of a cell: the rest of the cell is STMT.
 * Line magics and !commands may also stand on their own lines at the top level of a
 * multi-line cell (not inside brackets, strings or indented blocks): the cell then runs as
 * Python segments and magic lines in order, stopping at the first error; line numbers in
 * tracebacks stay those of the cell. Unknown magics are a UsageError.
 */
#ifndef EMBEDLAB_MAGIC_H
#define EMBEDLAB_MAGIC_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

/* Records code in the session's input history (%history), then, when code is or contains
 * a magic or a help shortcut, runs it, stores the SessionStatus in *status and returns
 * true; returns false for ordinary code (which the caller then runs). */
bool magic_dispatch(Session *s, const char *code, size_t len, const SessionExecOptions *opts,
                    const SessionSink *sink, int *status);

/* %lessons (name NULL) and %lesson NAME: lists the lessons or starts one (src/lesson.[ch]),
 * writing through sink; returns a SessionStatus. While a lesson plays, magic_dispatch hands
 * every input that is not a magic, a !command or a help shortcut to the lesson (its
 * controls, or code that is then checked) and session_lesson_prompt gives its step. */
int magic_lessons(Session *s, const char *name, const SessionSink *sink);

/* Releases the magics' per-session state (called by session_free). */
void magic_free(Session *s);

#endif
