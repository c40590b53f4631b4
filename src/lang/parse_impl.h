/*
 * src/lang/parse_impl.h — internals shared by parse.c (statements, driver) and
 * parse_expr.c (expressions, targets, literals). Not part of the parser's API.
 * See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_PARSE_IMPL_H
#define EMBEDLAB_PARSE_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "lang/ast.h"
#include "lang/lex.h"
#include "lang/parse.h"

typedef struct Parser {
    const char *src;       /* the whole source (f-string sub-parsers share it) */
    size_t len;
    const size_t *line_starts; /* offset of each line's first byte; [0] is line 1 */
    int nlines;
    Token *toks;           /* the whole token stream, ending in ENDMARKER or TOK_ERROR */
    int ntoks;
    int pos;               /* current token */
    int max_pos;           /* furthest token looked at (CPython's p->fill - 1) */
    Error lex_err;         /* the scanner's error when the stream ends in TOK_ERROR */
    LexErrClass lex_err_class;
    AstArena *arena;
    bool tier2;
    Error *err;            /* where errors go (never NULL inside the parser) */
    bool failed;           /* an error is recorded: every rule returns NULL */
    int depth;             /* expression nesting, bounded by PARSE_MAX_DEPTH */
    int blocks;            /* statically nested loop/with/try blocks in this scope */
    int probing;           /* > 0: inside a lookahead whose errors are discarded */
    bool fstring;          /* parsing an f-string replacement field */
} Parser;

/* ---- tokens ---- */

/* The token k places ahead (clamped to the last). Looking at a TOK_ERROR token records
 * the scanner's error (CPython raises tokenizer errors as soon as they are fetched). */
const Token *p_peek(Parser *p, int k);
static inline TokKind p_kind(Parser *p, int k) { return p_peek(p, k)->kind; }
static inline const Token *p_cur(Parser *p) { return p_peek(p, 0); }
static inline bool p_at(Parser *p, TokKind kind) { return p_kind(p, 0) == kind; }
/* The previous token (the last one consumed). */
static inline const Token *p_prev(Parser *p) { return &p->toks[p->pos > 0 ? p->pos - 1 : 0]; }
/* Consumes and returns the current token. */
const Token *p_advance(Parser *p);
/* Consumes the current token when it is `kind`. */
bool p_accept(Parser *p, TokKind kind);

/* ---- errors (all return NULL for convenience) ---- */

/* Records an error at byte columns (0-based) on the given lines; end_line 0: no end. A
 * second error never replaces the first. */
void *p_error_at(Parser *p, ErrCode code, int line, int col, int end_line, int end_col,
                 const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* At a token / a node / the span of two nodes (RAISE_SYNTAX_ERROR_KNOWN_LOCATION and
 * _KNOWN_RANGE). */
void *p_error_tok(Parser *p, const Token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void *p_error_node(Parser *p, const AstNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void *p_error_range(Parser *p, const AstNode *a, const AstNode *b, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A compiler's error at node n ("'return' outside function", "keyword argument repeated"):
 * CPython reports it only once the whole file parsed, so it is kept (the first one) and
 * reported when no syntax error comes up. */
void p_defer_error(Parser *p, const AstNode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "invalid syntax" at the furthest token looked at (or the scanner's/indentation
 * error CPython would report there). */
void *p_invalid_syntax(Parser *p);
/* "<what> is not supported yet" (tier 2 off) at token t; returns NULL if it recorded
 * the error, non-NULL (t) when tier 2 is on. */
const Token *p_tier2(Parser *p, const Token *t, const char *what);
/* "<what> are not supported by embedlab" at token t. */
void *p_unsupported(Parser *p, const Token *t, const char *what);
/* Depth guard: returns false (RecursionError recorded) when nesting is too deep. Every
 * successful p_enter is paired with p_leave. */
bool p_enter(Parser *p, const Token *t);
static inline void p_leave(Parser *p) { p->depth--; }

/* Lookahead with discarded errors: save, try, restore. */
typedef struct ParserMark {
    int pos;
    bool failed;
    int depth;
} ParserMark;
void p_probe_begin(Parser *p, ParserMark *m);
/* Ends the probe: restores position and error state; returns whether the probe parse
 * succeeded (no error). */
bool p_probe_end(Parser *p, ParserMark *m, bool keep_position);

/* ---- node helpers ---- */

AstNode *p_node(Parser *p, AstKind kind, const Token *start, const Token *end);
AstNode *p_node_span(Parser *p, AstKind kind, const AstNode *start, const AstNode *end);
bool p_push(Parser *p, AstList *list, int *cap, AstNode *n);
char *p_strdup(Parser *p, const char *s, size_t len);
char *p_tok_text(Parser *p, const Token *t);

/* ---- expressions (parse_expr.c) ---- */

AstNode *p_expression(Parser *p);            /* expression */
AstNode *p_named_expression(Parser *p);      /* named_expression */
AstNode *p_star_expressions(Parser *p);      /* star_expressions */
AstNode *p_star_named_expression(Parser *p); /* star_named_expression */
AstNode *p_disjunction(Parser *p);           /* disjunction */
AstNode *p_bitwise_or(Parser *p);            /* bitwise_or */
/* star_targets for `for`/comprehensions: targets up to 'in' (validated, ctx Store);
 * single: one star_target (with ... as target). */
AstNode *p_star_targets(Parser *p, bool single);
/* Lambda / def parameter lists: def_params true for `def` (annotations, '/' and '*'
 * forms with the def messages); the list ends before `close` (')' or ':'). */
AstNode *p_params(Parser *p, bool def_params, TokKind close);
/* Call arguments after '(' up to (not including) ')' into args/keywords. */
bool p_call_args(Parser *p, AstList *args, AstList *keywords, bool allow_genexp);

/* ---- literals (parse_lit.c) ---- */

/* NUMBER -> Constant (int with overflow flag and decimal digits, or float). */
AstNode *p_number(Parser *p);
/* strings: STRING+ -> Constant(str) or JoinedStr (f-strings), concatenated. */
AstNode *p_strings(Parser *p);
/* Parses the replacement-field expression src[start, end) of an f-string. */
AstNode *p_fstring_expr(Parser *p, size_t start, size_t end, const Token *string_tok);

/* Context setting and target validation (CPython's RAISE_SYNTAX_ERROR_INVALID_TARGET).
 * kind: 0 star targets (assignment), 1 for targets, 2 del targets. Returns the first
 * invalid sub-expression or NULL. */
const AstNode *p_invalid_target(const AstNode *e, int kind);
void p_set_ctx(AstNode *e, AstCtx ctx);
/* Records "cannot assign to X" / "cannot delete X" for e when it is not a valid target;
 * returns false then. */
bool p_check_target(Parser *p, AstNode *e, int kind);

#endif
