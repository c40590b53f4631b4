/*
 * src/lang/interp.h — the interpreter state shared by the language modules: the pending
 * Python exception, the object list, singletons, limits, the random generator and print
 * options. See LICENSE (GPL-3.0-or-later).
 *
 * One Interp per session; no globals. Errors: a failing operation records exactly one
 * pending exception (kind + message [+ hint]) with interp_error and returns NULL/non-zero;
 * callers propagate without overwriting it. The evaluator attaches source positions and
 * the traceback as the error travels up.
 */
#ifndef EMBEDLAB_INTERP_H
#define EMBEDLAB_INTERP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "lang/value.h"

#define INTERP_SMALL_INT_MIN (-5)
#define INTERP_SMALL_INT_MAX 256
#define INTERP_MAX_REPR_NEST 64

typedef struct Interp Interp;

struct Interp {
    Value objects;            /* sentinel of the circular list of live objects */
    Error error;              /* the pending exception (code ERR_OK when none) */
    Value *exception;         /* the pending exception's object when Python code raised one
                               * (owned; NULL for errors raised by C code) */
    Value *none, *true_value, *false_value, *ellipsis, *not_implemented;
    Value *small_ints[INTERP_SMALL_INT_MAX - INTERP_SMALL_INT_MIN + 1];
    Value *repr_active[INTERP_MAX_REPR_NEST]; /* containers being repr'ed (for [...]) */
    int repr_depth;
    volatile sig_atomic_t interrupt_requested; /* set by interp_interrupt (signal-safe) */
    uint64_t steps;           /* statements and loop iterations run so far */
    uint64_t step_limit;      /* 0: none; else KeyboardInterrupt after this many (fuzzing) */
    void *sig_cache;          /* parsed builtin signatures (owned by callable.c) */
    Value *type_values;       /* dict: id of a ValueType → its TypeValue (builtins.c) */
    Value *modules;           /* dict: imported modules by name (module.c) */
    /* Where print() and friends write: stream 1 stdout, 2 stderr. Set by the session. */
    void (*write)(void *ctx, int stream, const char *text, size_t len);
    void *write_ctx;
    /* A rich display (plots, tables): plain text for terminals plus optional HTML and SVG
     * for notebooks. Set by the session. */
    void (*display)(void *ctx, const char *text_plain, const char *text_html,
                    const char *image_svg);
    /* The innermost scope's variables (a dict), for dir() without arguments; set by the
     * evaluator. */
    Value *(*current_scope)(Interp *I);
    struct TorchState *torch; /* torch state (owned by torch_state.c), created on first use */
    void *host;               /* the evaluator's state (owned by eval.c) */
    /* User classes live as long as the interpreter: their instances' types must outlive
     * every instance, whatever order objects are freed in. */
    Value *classes;           /* list of every class object made (owned) */
    ValueType **heap_types;   /* their instance types, freed last by interp_free */
    size_t heap_type_count, heap_type_cap;
    /* input() asks the front end for a line: 0 and *line (mem_alloc'ed) on success;
     * INTERP_INPUT_EOF / _INTERRUPTED / _UNSUPPORTED otherwise. NULL: unsupported. */
    int (*input)(void *ctx, const char *prompt, bool password, char **line);
    /* open() is refused (SessionConfig.no_files). */
    bool files_denied;
};

enum { INTERP_INPUT_OK = 0, INTERP_INPUT_EOF, INTERP_INPUT_INTERRUPTED, INTERP_INPUT_UNSUPPORTED };

/* Before the language touches a file: -1 with PermissionError when the session has no
 * file access (SessionConfig.no_files), else 0. */
int interp_file_access(Interp *I, const char *path);

/* Keeps the class object `cls` and its instance type `heap` until interp_free. */
int interp_adopt_class(Interp *I, Value *cls, ValueType *heap);

/* Creates the interpreter core (singletons, object list). NULL on allocation failure. */
Interp *interp_new(void);
/* Frees every object still alive (breaking cycles) and the interpreter. */
void interp_free(Interp *I);

/* Records a pending exception; returns -1 so `return interp_error(...)` works for
 * status-returning functions. */
int interp_error(Interp *I, ErrCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Adds a learner hint to the pending exception. */
void interp_hint(Interp *I, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records a core Error as the pending exception (copying code, message and hint). */
int interp_raise(Interp *I, const Error *err);
bool interp_has_error(const Interp *I);

/* A pending exception set aside (while `finally` or `__exit__` code runs). */
typedef struct InterpSavedError {
    Error error;
    Value *exception; /* owned while saved */
} InterpSavedError;
/* Moves the pending exception (error and object) out of I, leaving none pending. */
InterpSavedError interp_save_error(Interp *I);
/* Makes `saved` pending again (replacing any error now pending). */
void interp_restore_error(Interp *I, InterpSavedError *saved);
/* Forgets a saved exception (its object is released). */
void interp_discard_error(InterpSavedError *saved);
/* Writes text to the session's stdout (stream 1) or stderr (2). */
void interp_write(Interp *I, int stream, const char *text, size_t len);
/* Shows a rich display; without a display hook the plain text goes to stdout. */
void interp_display(Interp *I, const char *text_plain, const char *text_html,
                    const char *image_svg);
void interp_clear_error(Interp *I);

#endif
