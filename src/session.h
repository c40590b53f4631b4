/*
 * src/session.h — the API the front ends (repl/, kernel/, the test runners) use; the only
 * header they include. Modelled on xeus's interpreter interface. See LICENSE
 * (GPL-3.0-or-later).
 *
 * A Session is one interpreter with its own variables, random generator and print
 * options. Output is pushed through a SessionSink while code runs: stream text, rich
 * display bundles, the value of a trailing expression, and errors. The session never
 * writes to the terminal itself; each front end decides how to show what it receives.
 *
 * Strings passed to sink callbacks are borrowed for the duration of the call.
 * Thread-safety: one thread drives a session; session_interrupt may be called from a
 * signal handler or another thread.
 */
#ifndef EMBEDLAB_SESSION_H
#define EMBEDLAB_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#define EMBEDLAB_VERSION "0.1.0"

typedef struct Session Session;

/* A rich display: any of the MIME renderings may be NULL except text_plain. */
typedef struct SessionBundle {
    const char *text_plain;
    const char *text_html;
    const char *image_svg;
} SessionBundle;

/* What a front end answers to input(). */
typedef enum SessionInput {
    SESSION_INPUT_OK = 0,        /* *line holds the text */
    SESSION_INPUT_EOF,           /* end of input: EOFError */
    SESSION_INPUT_INTERRUPTED,   /* Ctrl-C / interrupt while waiting: KeyboardInterrupt */
    SESSION_INPUT_UNSUPPORTED    /* this front end cannot ask (a notebook without stdin) */
} SessionInput;

typedef struct SessionSink {
    void *ctx;
    /* Text written by print() and friends; stream is "stdout" or "stderr". */
    void (*on_stream)(void *ctx, const char *stream, const char *text, size_t len);
    /* A rich display produced while running (plots, tables). */
    void (*on_display)(void *ctx, const SessionBundle *bundle);
    /* The value of the chunk's trailing expression statement (not None). */
    void (*on_result)(void *ctx, int execution_count, const SessionBundle *bundle);
    /* An uncaught exception: ename ("IndexError"), evalue (the message), and the
     * traceback as lines (Python's format: "Traceback (most recent call last):", frames,
     * then "IndexError: index out of range in self", then an optional "hint: ..."). */
    void (*on_error)(void *ctx, const char *ename, const char *evalue,
                     const char *const *traceback, int traceback_lines);
    /* input(prompt): shows the prompt and reads one line, without its newline. On
     * SESSION_INPUT_OK, *line is a malloc'ed string the session frees with free().
     * NULL: input() is unsupported (NotImplementedError). */
    SessionInput (*on_input)(void *ctx, const char *prompt, bool password, char **line);
} SessionSink;

typedef struct SessionConfig {
    size_t tensor_limit;      /* bytes; 0: the default (4 GiB) */
    bool no_files;            /* open() raises PermissionError (fuzzing, sandboxes) */
} SessionConfig;

typedef struct SessionExecOptions {
    const char *chunk_name;   /* "<stdin>", "lesson.py", "<cell 3>"; NULL: "<stdin>" */
    bool silent;              /* no result, no execution count increment (Jupyter) */
    bool store_history;       /* count this execution (Jupyter's execution_count) */
} SessionExecOptions;

typedef enum SessionStatus {
    SESSION_OK = 0,        /* ran to the end */
    SESSION_ERROR = 1,     /* an uncaught exception was reported through on_error */
    SESSION_EXIT = 2       /* exit()/quit() was called */
} SessionStatus;

typedef enum SessionCompleteness {
    SESSION_COMPLETE,      /* can run as is */
    SESSION_INCOMPLETE,    /* needs more lines (indent suggests the next line's indent) */
    SESSION_INVALID        /* a syntax error no more input can fix */
} SessionCompleteness;

typedef struct SessionCompletion {
    char **matches;        /* owned; free with session_completion_free */
    int count;
    size_t cursor_start, cursor_end; /* byte range of the text the matches replace */
} SessionCompletion;

typedef struct SessionInfo {
    const char *implementation;          /* "embedlab" */
    const char *implementation_version;  /* EMBEDLAB_VERSION */
    const char *language;                /* "python" */
    const char *language_version;        /* "3.11" */
    const char *mimetype;                /* "text/x-python" */
    const char *file_extension;          /* ".py" */
    const char *pygments_lexer;          /* "ipython3" */
    const char *codemirror_mode;         /* "python" */
    const char *banner;
} SessionInfo;

/* "embedlab 0.1.0 (PyTorch 1.13 semantics)" — static storage. */
const char *session_version_string(void);
const SessionInfo *session_info(void);

/* A new session (NULL on allocation failure). cfg may be NULL. */
Session *session_new(const SessionConfig *cfg);
void session_free(Session *s);

/* Runs code (len bytes, need not be NUL-terminated) and reports through sink. Earlier
 * bindings survive any error. Returns a SessionStatus. */
int session_execute(Session *s, const char *code, size_t len, const SessionExecOptions *opts,
                    const SessionSink *sink);
/* The number of the last counted execution (Jupyter's execution_count). */
int session_execution_count(const Session *s);

/* Completions for the text before `cursor` (a byte offset into code). */
int session_complete(Session *s, const char *code, size_t cursor, SessionCompletion *out);
void session_completion_free(SessionCompletion *c);
/* Help text (signature + doc) for the name at the cursor, or NULL when none (owned;
 * free with session_free_string). detail 0: short, 1: full. */
char *session_inspect(Session *s, const char *code, size_t cursor, int detail);
/* Is the code a complete chunk? *indent (owned, may be NULL) suggests the next line's
 * indentation when incomplete. */
SessionCompleteness session_is_complete(Session *s, const char *code, size_t len,
                                        char **indent);
/* Makes running code stop at the next statement or loop iteration with KeyboardInterrupt.
 * Async-signal-safe. */
void session_interrupt(Session *s);
/* Stops any execution after `steps` statements and loop iterations with KeyboardInterrupt
 * (0: no limit). For fuzzing and tests. */
void session_set_step_limit(Session *s, unsigned long long steps);
void session_free_string(char *text);
/* A size from the environment variable `name`: bytes, or a number with K, M, G or T
 * (powers of 1024; "512M", "2GiB"). Returns 1 and *bytes when set and valid, 0 when unset
 * or empty, -1 when invalid (front ends report it and refuse to start).
 * EMBEDLAB_MAX_TENSOR_BYTES is the tensor memory budget session_new uses when its config
 * gives none (default 4 GiB); the kernel reads EMBEDLAB_MAX_OUTPUT_BYTES. */
int session_size_from_env(const char *name, size_t *bytes);

/* After session_execute returned SESSION_EXIT: the status exit()/SystemExit asked for
 * (exit() 0, exit(3) 3, exit("message") 1 with the message written to stderr). */
int session_exit_status(const Session *s);

/* ---- lessons (src/lesson.c, src/magic.c) ---- */

/* While a lesson plays in this session (%lesson NAME), its step indicator "[3/12] " for
 * the prompt; NULL otherwise. Then an empty input means "continue". */
const char *session_lesson_prompt(Session *s);
/* The command-line lesson players, each lesson in a fresh session, writing through sink:
 * mode "list" (name unused), "play" (solutions run, checks enforced), "check" (also
 * every check false before its solution; name "--all": every lesson), "ipynb" and
 * "ipynb-solutions" (writes the notebook to out_path). Returns an exit status: 0, 1 when
 * a check or a demo failed, 2 for an unknown lesson or an unwritable file. */
int session_lesson_main(const char *mode, const char *name, const char *out_path,
                        const SessionSink *sink);

#endif
