/*
 * src/core/err.h — error codes and the Error record every fallible function fills.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Contract: a fallible core function returns a status (ERR_OK == 0 on success) or NULL,
 * and fills the caller's Error. `err` is always the last parameter and may be NULL, in
 * which case nothing is recorded. Messages are PyTorch/Python's own text, without the
 * kind prefix: code ERR_INDEX + msg "index out of range in self" is rendered by the
 * front end as "IndexError: index out of range in self". `hint` is an optional second
 * line for learners ("index 10 >= num_embeddings 10"), empty when there is none.
 */
#ifndef EMBEDLAB_ERR_H
#define EMBEDLAB_ERR_H

#include <stdarg.h>

/* X(code, Python exception name). The names map 1:1 to Jupyter's `ename`. */
#define ERR_CODE_LIST(X)                              \
    X(ERR_OK, "OK")                                   \
    X(ERR_MEMORY, "MemoryError")                      \
    X(ERR_INDEX, "IndexError")                        \
    X(ERR_KEY, "KeyError")                            \
    X(ERR_VALUE, "ValueError")                        \
    X(ERR_TYPE, "TypeError")                          \
    X(ERR_RUNTIME, "RuntimeError")                    \
    X(ERR_ZERO_DIVISION, "ZeroDivisionError")         \
    X(ERR_OVERFLOW, "OverflowError")                  \
    X(ERR_ASSERTION, "AssertionError")                \
    X(ERR_NOT_IMPLEMENTED, "NotImplementedError")     \
    X(ERR_ATTRIBUTE, "AttributeError")                \
    X(ERR_NAME, "NameError")                          \
    X(ERR_UNBOUND_LOCAL, "UnboundLocalError")         \
    X(ERR_SYNTAX, "SyntaxError")                      \
    X(ERR_INDENTATION, "IndentationError")            \
    X(ERR_TAB, "TabError")                            \
    X(ERR_INCOMPLETE, "SyntaxError")                  \
    X(ERR_IMPORT, "ImportError")                      \
    X(ERR_MODULE_NOT_FOUND, "ModuleNotFoundError")    \
    X(ERR_RECURSION, "RecursionError")                \
    X(ERR_STOP_ITERATION, "StopIteration")            \
    X(ERR_OS, "OSError")                              \
    X(ERR_FILE_NOT_FOUND, "FileNotFoundError")        \
    X(ERR_PERMISSION, "PermissionError")              \
    X(ERR_IS_A_DIRECTORY, "IsADirectoryError")        \
    X(ERR_NOT_A_DIRECTORY, "NotADirectoryError")      \
    X(ERR_FILE_EXISTS, "FileExistsError")             \
    X(ERR_UNICODE_DECODE, "UnicodeDecodeError")       \
    X(ERR_EOF, "EOFError")                            \
    X(ERR_INTERRUPT, "KeyboardInterrupt")             \
    X(ERR_SYSTEM_EXIT, "SystemExit")                  \
    X(ERR_UNICODE_ENCODE, "UnicodeEncodeError")       \
    X(ERR_EXCEPTION, "Exception")

typedef enum ErrCode {
#define ERR_ENUM_ENTRY(code, name) code,
    ERR_CODE_LIST(ERR_ENUM_ENTRY)
#undef ERR_ENUM_ENTRY
    ERR_CODE_COUNT
} ErrCode;

#define ERR_MSG_MAX 1024
#define ERR_HINT_MAX 256

typedef struct Error {
    ErrCode code;            /* ERR_OK when no error is recorded */
    int line, col;           /* 1-based source position, 0 when unknown */
    int end_line, end_col;   /* end of the offending range (exclusive col), 0 when unknown */
    char msg[ERR_MSG_MAX];   /* the message after "Kind: " */
    char hint[ERR_HINT_MAX]; /* optional learner hint, "" when none */
    char name[64];           /* the exception class name when it is not the code's own
                                (a user-defined subclass); "" otherwise */
} Error;

/* Resets `err` to ERR_OK with empty texts. No-op on NULL. */
void err_clear(Error *err);

/* Records `code` and a printf-formatted message (truncated to fit); clears the hint and
 * the position. Returns `code`, so `return err_set(err, ERR_INDEX, "...")` reads well.
 * No-op (but still returns `code`) on NULL. */
int err_set(Error *err, ErrCode code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int err_setv(Error *err, ErrCode code, const char *fmt, va_list ap);

/* Adds a printf-formatted learner hint to an error already set. No-op on NULL. */
void err_hint(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The Python exception name of `code` ("IndexError"); "Exception" for unknown codes. */
const char *err_name(ErrCode code);
/* The name to show for a recorded error: its class name override, else err_name. */
const char *err_kind(const Error *err);

/* True when `err` is non-NULL and holds an error. */
int err_is_set(const Error *err);

#endif
