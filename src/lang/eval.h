/*
 * src/lang/eval.h — the tree-walking evaluator: runs parsed modules (ast.h) in a
 * session's global namespace with Python 3 semantics. See LICENSE (GPL-3.0-or-later).
 *
 * The evaluator keeps its state on the Interp (I->host): the global and builtin
 * namespaces, the call depth, the stack guard and the traceback of the last error.
 * Errors follow interp.h: the failing construct records a Python exception; the
 * evaluator adds a traceback entry per frame as the error unwinds.
 */
#ifndef EMBEDLAB_EVAL_H
#define EMBEDLAB_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lang/ast.h"
#include "lang/interp.h"

#define EVAL_MAX_TRACEBACK 64
#define EVAL_RECURSION_LIMIT 1000

/* One line of a traceback: File "<chunk>", line N, in <function>, and the source line. */
typedef struct TraceEntry {
    char chunk[128];
    int line;
    char function[96];
    char source[256]; /* the stripped source line, "" when unknown */
} TraceEntry;

/* Sets up the evaluator on I (globals with __name__ '__main__', builtins). */
int eval_init(Interp *I);
/* Releases the evaluator's state (called before interp_free). */
void eval_free(Interp *I);

/* eval_module's result when a compile-time check (CPython's symtable: "no binding for
 * nonlocal 'x' found") rejects the chunk before anything runs: a syntax error whose
 * position is in I->error. */
#define EVAL_COMPILE_ERROR (-2)

/* Runs `ast` (parsed from `source`, len bytes, named `chunk` in tracebacks) in the global
 * namespace. `ast` ownership passes to the evaluator (functions defined in it keep it
 * alive). When the last statement is an expression statement, *result receives its value
 * (a new reference; NULL when it is None or there is none). Returns 0, or -1 with the
 * exception pending and the traceback available through eval_traceback, or
 * EVAL_COMPILE_ERROR. */
int eval_module(Interp *I, Ast *ast, const char *chunk, const char *source, size_t len,
                Value **result);
/* eval_module with another global namespace (a module written in Python: its dict). */
int eval_module_in(Interp *I, Ast *ast, const char *chunk, const char *source, size_t len,
                   Value *globals, Value **result);

/* Appends a user function's signature as inspect shows it: "(a, b=2, *args, c=None)"
 * (defaults by repr; skip_first leaves out `self` for a bound method). */
int eval_function_signature(Interp *I, Value *fn, bool skip_first, StrBuf *out);

/* The traceback entries of the last uncaught error, outermost first. */
const TraceEntry *eval_traceback(Interp *I, int *count);

/* The global namespace dict (borrowed). */
Value *eval_globals(Interp *I);
/* The builtins namespace dict (borrowed). */
Value *eval_builtins(Interp *I);
/* Drops every user variable (the %reset magic): globals go back to their start. */
int eval_reset(Interp *I);

#endif
