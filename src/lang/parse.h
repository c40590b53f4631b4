/*
 * src/lang/parse.h — the embedlab parser: Python 3.11 source to an AST (ast.h).
 * See LICENSE (GPL-3.0-or-later).
 *
 * A hand-written recursive-descent parser over the tokens of lex.h, following CPython
 * 3.11's grammar (Grammar/python.gram) rule for rule; each parse function carries its
 * rule. Syntax errors reproduce CPython 3.11's SyntaxError/IndentationError message and
 * position for the common mistakes (see tests/data/parse_errors.txt for the measured
 * agreement): Error.code is ERR_SYNTAX or ERR_INDENTATION, Error.line/col is
 * SyntaxError.lineno/offset (1-based line, 1-based character column), end_line/end_col
 * SyntaxError.end_lineno/end_offset where known (0 when not). The message has no
 * "SyntaxError: " prefix and no file name; the session adds `File "<stdin>", line N`.
 *
 * Subset rules (LANGUAGE.md):
 *  - second-tier constructs (class, lambda, try/except/finally, raise, generator
 *    expressions, set displays and comprehensions, *args and **kwargs and keyword-only
 *    parameters in def, type annotations, global/nonlocal, `import ... from typing`
 *    needs nothing special) are parsed only with ParseOptions.tier2; otherwise the first
 *    one found is `SyntaxError: 'class' is not supported yet` at its position.
 *  - never supported, in any mode, each a SyntaxError "... are not supported by
 *    embedlab": yield, async/await, decorators, the walrus operator :=, match
 *    statements, imaginary (complex) literals, bytes literals, \N{...} escapes.
 *  - star targets (`a, *b = x`, `for *a, b in ...`) ARE supported (Starred in Store).
 *
 * Limits: brackets nest at most 200 deep (CPython's "too many nested parentheses"),
 * indentation at most 99 levels ("too many levels of indentation"), loops/with/try at
 * most 20 statically nested per function ("too many statically nested blocks"), other
 * expression nesting (unary operators, `not`, `**`, lambda, conditional expressions) at
 * most PARSE_MAX_DEPTH (RecursionError "maximum recursion depth exceeded during
 * compilation"), so no input can overflow the C stack. Sources longer than
 * ParseOptions.max_source bytes (default PARSE_MAX_SOURCE) are refused; NUL bytes and
 * invalid UTF-8 are syntax errors at their position.
 *
 * Ownership: parse_module returns an owned Ast (ast_free); the source buffer is only
 * borrowed during the call (the tree copies what it needs).
 */
#ifndef EMBEDLAB_PARSE_H
#define EMBEDLAB_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "lang/ast.h"

#define PARSE_MAX_DEPTH 3000
#define PARSE_MAX_SOURCE ((size_t)16 << 20)
#define PARSE_MAX_BLOCKS 20

typedef struct ParseOptions {
    bool tier2;        /* accept the second tier (LANGUAGE.md) */
    size_t max_source; /* 0: PARSE_MAX_SOURCE */
    bool ast_only;     /* skip the compiler-stage checks, like Python's ast.parse: 'return'
                        * outside function, 'break'/'continue' outside loop, starred
                        * expression misuse, too many statically nested blocks,
                        * duplicate parameters */
} ParseOptions;

/* Parses a whole module (Python's 'exec' mode). src need not be NUL-terminated. opts may
 * be NULL (first tier only). Returns NULL and fills err on a syntax error (or
 * MemoryError / RecursionError). */
Ast *parse_module(const char *src, size_t len, const ParseOptions *opts, Error *err);

/* Parses one expression (Python's 'eval' mode: `expressions NEWLINE* ENDMARKER`), e.g.
 * for inspection at the cursor. Returns an Ast whose root is the expression. */
Ast *parse_expression(const char *src, size_t len, const ParseOptions *opts, Error *err);

typedef enum ParseCompleteness {
    PARSE_COMPLETE,   /* a chunk ready to run (it may still be empty) */
    PARSE_INCOMPLETE, /* more lines are needed */
    PARSE_INVALID     /* a syntax error that more input cannot fix */
} ParseCompleteness;

/* Is src a complete chunk for a REPL or Jupyter cell (codeop / IPython rules)?
 *  - INCOMPLETE when the input ends inside brackets, inside a triple-quoted string,
 *    after a backslash continuation, after a compound statement header (`if x:`)
 *    still waiting for its block, or inside an indented block that has not been
 *    closed by a blank line (the interactive rule: `if x:\n    y = 1` needs an empty
 *    line before it runs);
 *  - INVALID when the parser reports an error that more input cannot fix;
 *  - COMPLETE otherwise (including empty input and comment-only input).
 * When INCOMPLETE and indent is not NULL, *indent receives a mem_alloc'ed string (caller
 * frees with mem_free): the whitespace the next line should start with — the current
 * block's indentation, plus four spaces after a line ending in ':'; inside open brackets
 * the indentation of the line that opened the statement. Otherwise *indent is NULL.
 * opts as for parse_module (tier-2 constructs are INVALID when tier2 is off). */
ParseCompleteness parse_is_complete(const char *src, size_t len, const ParseOptions *opts,
                                    char **indent);

#endif
