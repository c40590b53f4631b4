/*
 * src/lang/parse.c — the parser driver, error reporting, statements and the REPL
 * completeness check (parse.h). Expressions are in parse_expr.c, literals in
 * parse_lit.c. Grammar comments quote CPython 3.11's Grammar/python.gram.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/parse.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "lang/parse_impl.h"

/* ---- tokens ---- */

static void lex_error_reached(Parser *p);

const Token *p_peek(Parser *p, int k) {
    int i = p->pos + k;
    if (i >= p->ntoks) i = p->ntoks - 1;
    if (i > p->max_pos) p->max_pos = i;
    const Token *t = &p->toks[i];
    if (t->kind == TOK_ERROR) lex_error_reached(p);
    return t;
}

const Token *p_advance(Parser *p) {
    const Token *t = p_peek(p, 0);
    if (p->pos < p->ntoks - 1) p->pos++;
    return t;
}

bool p_accept(Parser *p, TokKind kind) {
    if (p_kind(p, 0) != kind) return false;
    p_advance(p);
    return true;
}

/* ---- errors ---- */

typedef struct ParseState {
    bool err_from_lexer; /* the recorded error is the scanner's */
    bool err_indent;     /* "unexpected indent/unindent": no later scanner override */
    bool err_final;      /* MemoryError/RecursionError: never overridden */
    Error deferred;      /* first compiler-stage error (raised when parsing succeeds) */
} ParseState;

/* The state lives right after the Error the parser writes (one box per parse call). */
typedef struct ParseBox {
    Error e;
    ParseState st;
} ParseBox;

static ParseState *state_of(Parser *p) { return &((ParseBox *)(void *)p->err)->st; }

static int char_col(Parser *p, int line, int byte_col) {
    if (line < 1 || line > p->nlines) return byte_col + 1;
    return lex_char_col(p->src, p->len, p->line_starts[line - 1], byte_col);
}

static void lex_error_reached(Parser *p) {
    if (p->failed) return;
    p->failed = true;
    if (p->probing) return;
    *p->err = p->lex_err;
    state_of(p)->err_from_lexer = true;
}

void *p_error_at(Parser *p, ErrCode code, int line, int col, int end_line, int end_col,
                 const char *fmt, ...) {
    if (p->failed) return NULL;
    p->failed = true;
    if (p->probing) return NULL;
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->fstring && code == ERR_SYNTAX && strncmp(msg, "f-string", 8) != 0)
        err_set(p->err, code, "f-string: %s", msg);
    else
        err_set(p->err, code, "%s", msg);
    p->err->line = line;
    p->err->col = char_col(p, line, col);
    p->err->end_line = end_line;
    p->err->end_col = end_line > 0 ? (end_col < 0 ? -1 : char_col(p, end_line, end_col)) : 0;
    return NULL;
}

static void *p_verror_at(Parser *p, int line, int col, int end_line, int end_col,
                         const char *fmt, va_list ap) {
    char msg[ERR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return p_error_at(p, ERR_SYNTAX, line, col, end_line, end_col, "%s", msg);
}

void *p_error_tok(Parser *p, const Token *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    p_verror_at(p, t->line, t->col, t->end_line, t->end_col, fmt, ap);
    va_end(ap);
    return NULL;
}

void *p_error_node(Parser *p, const AstNode *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    p_verror_at(p, n->line, n->col, n->end_line, n->end_col, fmt, ap);
    va_end(ap);
    return NULL;
}

void *p_error_range(Parser *p, const AstNode *a, const AstNode *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    p_verror_at(p, a->line, a->col, b->end_line, b->end_col, fmt, ap);
    va_end(ap);
    return NULL;
}

/* An IndentationError at token t. */
static void *indent_error_tok(Parser *p, const Token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void *indent_error_tok(Parser *p, const Token *t, const char *fmt, ...) {
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return p_error_at(p, ERR_INDENTATION, t->line, t->col, t->end_line, t->end_col, "%s", msg);
}

void *p_invalid_syntax(Parser *p) {
    if (p->failed) return NULL;
    const Token *t = &p->toks[p->max_pos];
    if (t->kind == TOK_ERROR) {
        lex_error_reached(p);
        return NULL;
    }
    if (t->kind == TOK_INDENT || t->kind == TOK_DEDENT) {
        /* CPython: the position is the tokenizer's cursor after the indentation */
        const Token *next = t + 1 < p->toks + p->ntoks ? t + 1 : t;
        int line = t->kind == TOK_INDENT ? t->line : next->line;
        int col = t->kind == TOK_INDENT ? next->col : next->col;
        p_error_at(p, ERR_INDENTATION, line, col - 1, line, -1,
                   t->kind == TOK_INDENT ? "unexpected indent" : "unexpected unindent");
        if (!p->probing) state_of(p)->err_indent = true;
        return NULL;
    }
    return p_error_tok(p, t, "invalid syntax");
}

static bool ends_with_s(const char *what) {
    size_t n = strlen(what);
    return n > 0 && what[n - 1] == 's';
}

const Token *p_tier2(Parser *p, const Token *t, const char *what) {
    if (p->tier2) return t;
    p_error_tok(p, t, "%s %s not supported yet", what, ends_with_s(what) ? "are" : "is");
    return NULL;
}

void *p_unsupported(Parser *p, const Token *t, const char *what) {
    return p_error_tok(p, t, "%s %s not supported by embedlab", what,
                       ends_with_s(what) ? "are" : "is");
}

bool p_enter(Parser *p, const Token *t) {
    if (p->depth >= PARSE_MAX_DEPTH) {
        if (!p->failed) {
            p_error_tok(p, t, "maximum recursion depth exceeded during compilation");
            if (!p->probing) {
                p->err->code = ERR_RECURSION;
                state_of(p)->err_final = true;
            }
        }
        return false;
    }
    p->depth++;
    return true;
}

void p_probe_begin(Parser *p, ParserMark *m) {
    m->pos = p->pos;
    m->failed = p->failed;
    m->depth = p->max_pos; /* reused: the furthest token before the probe */
    p->probing++;
}

bool p_probe_end(Parser *p, ParserMark *m, bool keep_position) {
    bool ok = !p->failed;
    p->probing--;
    p->failed = m->failed;
    p->max_pos = m->depth;
    if (!keep_position) p->pos = m->pos;
    return ok;
}

/* A compiler-stage error (CPython reports it only when the whole source parses). The
 * compiler meets them in source order, so the earliest one is kept. */
void p_defer_error(Parser *p, const AstNode *n, const char *fmt, ...) {
    ParseState *st = state_of(p);
    if (p->probing) return;
    if (st->deferred.code != ERR_OK) {
        int col = char_col(p, n->line, n->col);
        if (st->deferred.line < n->line || (st->deferred.line == n->line && st->deferred.col <= col))
            return;
    }
    va_list ap;
    va_start(ap, fmt);
    err_setv(&st->deferred, ERR_SYNTAX, fmt, ap);
    va_end(ap);
    st->deferred.line = n->line;
    st->deferred.col = char_col(p, n->line, n->col);
    st->deferred.end_line = n->end_line;
    st->deferred.end_col = char_col(p, n->end_line, n->end_col);
}

/* ---- nodes ---- */

AstNode *p_node(Parser *p, AstKind kind, const Token *start, const Token *end) {
    AstNode *n = ast_node_new(p->arena, kind, start->line, start->col, end->end_line,
                              end->end_col, p->err);
    if (!n) p->failed = true;
    return n;
}

AstNode *p_node_span(Parser *p, AstKind kind, const AstNode *start, const AstNode *end) {
    AstNode *n = ast_node_new(p->arena, kind, start->line, start->col, end->end_line,
                              end->end_col, p->err);
    if (!n) p->failed = true;
    return n;
}

bool p_push(Parser *p, AstList *list, int *cap, AstNode *n) {
    if (ast_list_push(p->arena, list, cap, n, p->err)) {
        p->failed = true;
        return false;
    }
    return true;
}

char *p_strdup(Parser *p, const char *s, size_t len) {
    char *r = ast_arena_strndup(p->arena, s, len, p->err);
    if (!r) p->failed = true;
    return r;
}

char *p_tok_text(Parser *p, const Token *t) {
    return p_strdup(p, p->src + t->start, t->end - t->start);
}

static AstNode *node_from(Parser *p, AstKind kind, int start) {
    return p_node(p, kind, &p->toks[start], p_prev(p));
}

/* ---- tokenizing ---- */

/* Scans src[start, end) (whole source or an f-string field) into p->toks. */
static bool tokenize(Parser *p, Lexer *lx) {
    int cap = 0;
    for (;;) {
        Token t;
        TokKind k = lex_next(lx, &t);
        if (p->ntoks == cap) {
            int ncap = cap ? cap * 2 : 256;
            Token *nt = mem_realloc(p->toks, sizeof(Token) * (size_t)ncap, p->err);
            if (!nt) return false;
            p->toks = nt;
            cap = ncap;
        }
        p->toks[p->ntoks++] = t;
        if (k == TOK_ERROR) {
            p->lex_err = lx->err;
            p->lex_err_class = lx->err_class;
            return true;
        }
        if (k == TOK_ENDMARKER) return true;
    }
}

/* Line index of byte offset off (1-based line). */
static int line_of(Parser *p, size_t off, size_t *line_start) {
    int lo = 0, hi = p->nlines - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (p->line_starts[mid] <= off) lo = mid;
        else hi = mid - 1;
    }
    *line_start = p->line_starts[lo];
    return lo + 1;
}

AstNode *p_fstring_expr(Parser *p, size_t start, size_t end, const Token *string_tok) {
    (void)string_tok;
    size_t line_start;
    int line = line_of(p, start, &line_start);
    Lexer lx;
    lex_init_sub(&lx, p->src, start, end, line, line_start);
    Parser sub = *p;
    sub.toks = NULL;
    sub.ntoks = 0;
    sub.pos = sub.max_pos = 0;
    sub.fstring = true;
    if (!tokenize(&sub, &lx)) {
        mem_free(sub.toks);
        p->failed = true;
        return NULL;
    }
    /* the field is parsed as if parenthesized */
    for (int i = 0; i < sub.ntoks; i++) sub.toks[i].level++;
    AstNode *e = p_star_expressions(&sub);
    if (e && !p_at(&sub, TOK_ENDMARKER)) e = p_invalid_syntax(&sub);
    if (sub.failed) p->failed = true;
    p->depth = p->depth > sub.depth ? p->depth : sub.depth;
    mem_free(sub.toks);
    return sub.failed ? NULL : e;
}

/* ---- statements ---- */

static bool statement(Parser *p, AstList *body, int *cap);
static bool simple_stmts(Parser *p, AstList *body, int *cap);

/* block: NEWLINE INDENT statements DEDENT | simple_stmts
 * (invalid_*: NEWLINE !INDENT -> "expected an indented block after <what> on line N") */
static bool block(Parser *p, AstList *body, const char *what, const Token *kw) {
    int cap = 0;
    if (!p_at(p, TOK_NEWLINE)) return simple_stmts(p, body, &cap);
    p_advance(p);
    if (!p_at(p, TOK_INDENT)) {
        if (p->failed) return false;
        indent_error_tok(p, p_cur(p), "expected an indented block after %s on line %d", what,
                         kw->line);
        return false;
    }
    p_advance(p);
    while (!p_at(p, TOK_DEDENT) && !p_at(p, TOK_ENDMARKER)) {
        if (p->failed || !statement(p, body, &cap)) return false;
    }
    if (p->failed) return false;
    p_accept(p, TOK_DEDENT);
    return true;
}

/* Expects ':' before a block whose header ended; a NEWLINE there is "expected ':'". */
static bool expect_colon(Parser *p) {
    if (p_accept(p, TOK_COLON)) return true;
    if (p_at(p, TOK_NEWLINE)) p_error_tok(p, p_cur(p), "expected ':'");
    else p_invalid_syntax(p);
    return false;
}

/* &&':' — a forced token: anything else is "expected ':'" at that token. */
static bool force_token(Parser *p, TokKind kind) {
    if (p_accept(p, kind)) return true;
    if (!p->failed) p_error_tok(p, p_cur(p), "expected '%s'", lex_token_text(kind));
    return false;
}

static void end_at_prev(Parser *p, AstNode *n) {
    n->end_line = p_prev(p)->end_line;
    n->end_col = p_prev(p)->end_col;
}

/* The last statement of a body, for node ends (CPython ends compound statements with
 * their last child statement). */
static void end_at_body(AstNode *n, const AstList *body) {
    if (body->count == 0) return;
    AstNode *last = body->items[body->count - 1];
    n->end_line = last->end_line;
    n->end_col = last->end_col;
}

static void count_block(Parser *p, AstNode *n) {
    if (p->blocks > PARSE_MAX_BLOCKS) p_defer_error(p, n, "too many statically nested blocks");
}

/* if_stmt: 'if' named_expression ':' block (elif_stmt | [else_block])
 * elif_stmt: 'elif' named_expression ':' block (elif_stmt | [else_block])
 * else_block: 'else' &&':' block */
static AstNode *if_stmt(Parser *p) {
    int start = p->pos;
    const Token *kw = p_advance(p);
    bool is_elif = kw->kind == TOK_KW_ELIF;
    AstNode *n = p_node(p, AST_IF, kw, kw);
    if (!n) return NULL;
    n->v.if_.test = p_named_expression(p);
    if (!n->v.if_.test || !expect_colon(p)) return NULL;
    if (!block(p, &n->v.if_.body, is_elif ? "'elif' statement" : "'if' statement", kw)) return NULL;
    end_at_body(n, &n->v.if_.body);
    if (p_at(p, TOK_KW_ELIF)) {
        AstNode *e = if_stmt(p);
        if (!e) return NULL;
        int cap = 0;
        if (!p_push(p, &n->v.if_.orelse, &cap, e)) return NULL;
        end_at_body(n, &n->v.if_.orelse);
    } else if (p_at(p, TOK_KW_ELSE)) {
        const Token *ekw = p_advance(p);
        if (!force_token(p, TOK_COLON) || !block(p, &n->v.if_.orelse, "'else' statement", ekw))
            return NULL;
        end_at_body(n, &n->v.if_.orelse);
    }
    (void)start;
    return n;
}

/* while_stmt: 'while' named_expression ':' block [else_block] */
static AstNode *while_stmt(Parser *p) {
    const Token *kw = p_advance(p);
    AstNode *n = p_node(p, AST_WHILE, kw, kw);
    if (!n) return NULL;
    n->v.while_.test = p_named_expression(p);
    if (!n->v.while_.test || !expect_colon(p)) return NULL;
    p->blocks++;
    bool ok = block(p, &n->v.while_.body, "'while' statement", kw);
    if (ok) end_at_body(n, &n->v.while_.body);
    if (ok) count_block(p, n);
    p->blocks--;
    if (!ok) return NULL;
    if (p_at(p, TOK_KW_ELSE)) {
        const Token *ekw = p_advance(p);
        if (!force_token(p, TOK_COLON) || !block(p, &n->v.while_.orelse, "'else' statement", ekw))
            return NULL;
        end_at_body(n, &n->v.while_.orelse);
    }
    return n;
}

/* for_stmt: 'for' star_targets 'in' ~ star_expressions ':' block [else_block]
 *         | invalid_for_target: 'for' star_expressions -> "cannot assign to ..." */
static AstNode *for_stmt(Parser *p) {
    const Token *kw = p_advance(p);
    AstNode *n = p_node(p, AST_FOR, kw, kw);
    if (!n) return NULL;
    n->v.for_.target = p_star_targets(p, false);
    if (!n->v.for_.target) return NULL;
    if (!p_accept(p, TOK_KW_IN)) return p_invalid_syntax(p);
    n->v.for_.iter = p_star_expressions(p);
    if (!n->v.for_.iter || !expect_colon(p)) return NULL;
    p->blocks++;
    bool ok = block(p, &n->v.for_.body, "'for' statement", kw);
    if (ok) end_at_body(n, &n->v.for_.body);
    if (ok) count_block(p, n);
    p->blocks--;
    if (!ok) return NULL;
    if (p_at(p, TOK_KW_ELSE)) {
        const Token *ekw = p_advance(p);
        if (!force_token(p, TOK_COLON) || !block(p, &n->v.for_.orelse, "'else' statement", ekw))
            return NULL;
        end_at_body(n, &n->v.for_.orelse);
    }
    return n;
}

/* with_stmt: 'with' ','.with_item+ ':' block
 *          | 'with' '(' ','.with_item+ ','? ')' ':' block
 * with_item: expression 'as' star_target &(',' | ')' | ':') | expression */
static AstNode *with_stmt(Parser *p) {
    const Token *kw = p_advance(p);
    AstNode *n = p_node(p, AST_WITH, kw, kw);
    if (!n) return NULL;
    int cap = 0;
    /* the parenthesized form: '(' items ')' ':' — decided by the token after ')' */
    bool parens = false;
    if (p_at(p, TOK_LPAR)) {
        int depth = 0, i = p->pos;
        for (; i < p->ntoks; i++) {
            TokKind k = p->toks[i].kind;
            if (k == TOK_LPAR || k == TOK_LSQB || k == TOK_LBRACE) depth++;
            else if (k == TOK_RPAR || k == TOK_RSQB || k == TOK_RBRACE) {
                if (--depth == 0) break;
            } else if (k == TOK_NEWLINE || k == TOK_ENDMARKER || k == TOK_ERROR) break;
        }
        parens = i + 1 < p->ntoks && p->toks[i].kind == TOK_RPAR && p->toks[i + 1].kind == TOK_COLON;
        /* `with (a, b):` alone is a tuple expression in CPython only if no `as` appears */
        if (parens) p_advance(p);
    }
    for (;;) {
        AstNode *item = ast_node_new(p->arena, AST_WITHITEM, 0, 0, 0, 0, p->err);
        if (!item) { p->failed = true; return NULL; }
        item->v.withitem.context_expr = p_expression(p);
        if (!item->v.withitem.context_expr) return NULL;
        if (p_accept(p, TOK_KW_AS)) {
            AstNode *t = p_star_targets(p, true);
            if (!t) return NULL;
            item->v.withitem.optional_vars = t;
        }
        if (!p_push(p, &n->v.with.items, &cap, item)) return NULL;
        if (!p_accept(p, TOK_COMMA)) break;
        if (parens && p_at(p, TOK_RPAR)) break;
    }
    if (parens && !p_accept(p, TOK_RPAR)) return p_invalid_syntax(p);
    if (!expect_colon(p)) return NULL;
    p->blocks++;
    bool ok = block(p, &n->v.with.body, "'with' statement", kw);
    if (ok) end_at_body(n, &n->v.with.body);
    if (ok) count_block(p, n);
    p->blocks--;
    return ok ? n : NULL;
}

/* try_stmt:
 *     | 'try' &&':' block finally_block
 *     | 'try' &&':' block except_block+ [else_block] [finally_block]
 * except_block: 'except' expression ['as' NAME] ':' block | 'except' ':' block
 * finally_block: 'finally' &&':' block */
static AstNode *try_stmt(Parser *p) {
    const Token *kw = p_cur(p);
    if (!p_tier2(p, kw, "'try'")) return NULL;
    p_advance(p);
    AstNode *n = p_node(p, AST_TRY, kw, kw);
    if (!n) return NULL;
    if (!force_token(p, TOK_COLON)) return NULL;
    p->blocks++;
    bool ok = block(p, &n->v.try_.body, "'try' statement", kw);
    p->blocks--;
    if (!ok) return NULL;
    end_at_body(n, &n->v.try_.body);
    int hcap = 0;
    while (p_at(p, TOK_KW_EXCEPT)) {
        const Token *ekw = p_advance(p);
        AstNode *h = p_node(p, AST_EXCEPT_HANDLER, ekw, ekw);
        if (!h) return NULL;
        if (p_at(p, TOK_STAR)) return p_unsupported(p, p_cur(p), "'except*' clauses");
        if (!p_at(p, TOK_COLON)) {
            if (p_at(p, TOK_NEWLINE)) return p_error_tok(p, p_cur(p), "expected ':'");
            h->v.except_handler.type = p_expression(p);
            if (!h->v.except_handler.type) return NULL;
            if (p_at(p, TOK_COMMA)) {
                AstNode *a = h->v.except_handler.type;
                return p_error_at(p, ERR_SYNTAX, a->line, a->col, a->line, -1,
                                  "multiple exception types must be parenthesized");
            }
            if (p_accept(p, TOK_KW_AS)) {
                const Token *name = p_cur(p);
                if (name->kind != TOK_NAME) return p_invalid_syntax(p);
                p_advance(p);
                h->v.except_handler.name = p_tok_text(p, name);
            }
        }
        if (!expect_colon(p)) return NULL;
        p->blocks++;
        ok = block(p, &h->v.except_handler.body, "'except' statement", ekw);
        p->blocks--;
        if (!ok) return NULL;
        end_at_body(h, &h->v.except_handler.body);
        if (!p_push(p, &n->v.try_.handlers, &hcap, h)) return NULL;
        end_at_body(n, &n->v.try_.handlers);
    }
    if (n->v.try_.handlers.count && p_at(p, TOK_KW_ELSE)) {
        const Token *ekw = p_advance(p);
        if (!force_token(p, TOK_COLON) || !block(p, &n->v.try_.orelse, "'else' statement", ekw))
            return NULL;
        end_at_body(n, &n->v.try_.orelse);
    }
    if (p_at(p, TOK_KW_FINALLY)) {
        const Token *fkw = p_advance(p);
        if (!force_token(p, TOK_COLON) ||
            !block(p, &n->v.try_.finalbody, "'finally' statement", fkw))
            return NULL;
        end_at_body(n, &n->v.try_.finalbody);
    } else if (n->v.try_.handlers.count == 0) {
        if (p->failed) return NULL;
        p_peek(p, 0);
        return p_error_tok(p, &p->toks[p->max_pos], "expected 'except' or 'finally' block");
    }
    return n;
}

/* function_def_raw: 'def' NAME &&'(' [params] ')' ['->' expression] &&':' block */
static AstNode *function_def(Parser *p) {
    const Token *kw = p_advance(p);
    AstNode *n = p_node(p, AST_FUNCTION_DEF, kw, kw);
    if (!n) return NULL;
    const Token *name = p_cur(p);
    if (name->kind != TOK_NAME) return p_invalid_syntax(p);
    p_advance(p);
    n->v.function_def.name = p_tok_text(p, name);
    if (!force_token(p, TOK_LPAR)) return NULL;
    n->v.function_def.args = p_params(p, true, TOK_RPAR);
    if (!n->v.function_def.args || !p_accept(p, TOK_RPAR)) return p_invalid_syntax(p);
    if (p_at(p, TOK_RARROW)) {
        if (!p_tier2(p, p_cur(p), "annotations")) return NULL;
        p_advance(p);
        n->v.function_def.returns = p_expression(p);
        if (!n->v.function_def.returns) return NULL;
    }
    if (!force_token(p, TOK_COLON)) return NULL;
    int saved_blocks = p->blocks;
    p->blocks = 0;
    bool ok = block(p, &n->v.function_def.body, "function definition", kw);
    p->blocks = saved_blocks;
    if (!ok) return NULL;
    end_at_body(n, &n->v.function_def.body);
    return n;
}

/* class_def_raw: 'class' NAME ['(' [arguments] ')'] ':' block */
static AstNode *class_def(Parser *p) {
    const Token *kw = p_cur(p);
    if (!p_tier2(p, kw, "'class'")) return NULL;
    p_advance(p);
    AstNode *n = p_node(p, AST_CLASS_DEF, kw, kw);
    if (!n) return NULL;
    const Token *name = p_cur(p);
    if (name->kind != TOK_NAME) return p_invalid_syntax(p);
    p_advance(p);
    n->v.class_def.name = p_tok_text(p, name);
    if (p_accept(p, TOK_LPAR)) {
        if (!p_call_args(p, &n->v.class_def.bases, &n->v.class_def.keywords, false)) return NULL;
        p_advance(p);
    }
    if (!expect_colon(p)) return NULL;
    int saved_blocks = p->blocks;
    p->blocks = 0;
    bool ok = block(p, &n->v.class_def.body, "class definition", kw);
    p->blocks = saved_blocks;
    if (!ok) return NULL;
    end_at_body(n, &n->v.class_def.body);
    return n;
}

/* Decorators are never part of the language (LANGUAGE.md): '@' at the start of a statement
 * is a clear error naming them. */
static AstNode *decorated(Parser *p) {
    return p_unsupported(p, p_cur(p), "decorators");
}

/* dotted_name: dotted_name '.' NAME | NAME  (as one "a.b.c" string) */
static char *dotted_name(Parser *p) {
    StrBuf sb = SB_INIT;
    for (;;) {
        const Token *t = p_cur(p);
        if (t->kind != TOK_NAME) {
            sb_free(&sb);
            return p_invalid_syntax(p);
        }
        p_advance(p);
        sb_appendn(&sb, p->src + t->start, t->end - t->start);
        if (!p_at(p, TOK_DOT)) break;
        p_advance(p);
        sb_appendc(&sb, '.');
    }
    char *r = sb_check(&sb, p->err) ? NULL : p_strdup(p, sb_str(&sb), sb.len);
    if (!r) p->failed = true;
    sb_free(&sb);
    return r;
}

/* import_name: 'import' dotted_as_names
 * dotted_as_name: dotted_name ['as' NAME] */
static AstNode *import_name(Parser *p) {
    const Token *kw = p_advance(p);
    AstNode *n = p_node(p, AST_IMPORT, kw, kw);
    if (!n) return NULL;
    int cap = 0;
    do {
        int start = p->pos;
        char *name = dotted_name(p);
        if (!name) return NULL;
        char *asname = NULL;
        if (p_accept(p, TOK_KW_AS)) {
            const Token *t = p_cur(p);
            if (t->kind != TOK_NAME) return p_invalid_syntax(p);
            p_advance(p);
            asname = p_tok_text(p, t);
        }
        AstNode *a = node_from(p, AST_ALIAS, start);
        if (!a) return NULL;
        a->v.alias.name = name;
        a->v.alias.asname = asname;
        if (!p_push(p, &n->v.import.names, &cap, a)) return NULL;
    } while (p_accept(p, TOK_COMMA));
    end_at_prev(p, n);
    return n;
}

/* import_from: 'from' ('.' | '...')* dotted_name 'import' import_from_targets
 *            | 'from' ('.' | '...')+ 'import' import_from_targets
 * import_from_targets: '(' import_from_as_names [','] ')' | import_from_as_names !',' | '*' */
static AstNode *import_from(Parser *p) {
    const Token *kw = p_advance(p);
    AstNode *n = p_node(p, AST_IMPORT_FROM, kw, kw);
    if (!n) return NULL;
    int level = 0;
    for (;;) {
        if (p_accept(p, TOK_DOT)) level++;
        else if (p_accept(p, TOK_ELLIPSIS)) level += 3;
        else break;
    }
    if (!p_at(p, TOK_KW_IMPORT) || level == 0) {
        n->v.import_from.module = dotted_name(p);
        if (!n->v.import_from.module) return NULL;
    }
    n->v.import_from.level = level;
    if (!p_accept(p, TOK_KW_IMPORT)) return p_invalid_syntax(p);
    int cap = 0;
    if (p_at(p, TOK_STAR)) {
        const Token *t = p_advance(p);
        AstNode *a = p_node(p, AST_ALIAS, t, t);
        if (!a) return NULL;
        a->v.alias.name = "*";
        if (!p_push(p, &n->v.import_from.names, &cap, a)) return NULL;
        end_at_prev(p, n);
        return n;
    }
    bool parens = p_accept(p, TOK_LPAR);
    for (;;) {
        const Token *t = p_cur(p);
        if (t->kind != TOK_NAME) return p_invalid_syntax(p);
        int start = p->pos;
        p_advance(p);
        char *asname = NULL;
        if (p_accept(p, TOK_KW_AS)) {
            const Token *as = p_cur(p);
            if (as->kind != TOK_NAME) return p_invalid_syntax(p);
            p_advance(p);
            asname = p_tok_text(p, as);
        }
        AstNode *a = node_from(p, AST_ALIAS, start);
        if (!a) return NULL;
        a->v.alias.name = p_tok_text(p, t);
        a->v.alias.asname = asname;
        if (!p_push(p, &n->v.import_from.names, &cap, a)) return NULL;
        if (!p_accept(p, TOK_COMMA)) break;
        if (parens && p_at(p, TOK_RPAR)) break;
        if (!parens && p_at(p, TOK_NEWLINE))
            return p_error_tok(p, p_cur(p),
                               "trailing comma not allowed without surrounding parentheses");
    }
    if (parens && !p_accept(p, TOK_RPAR)) return p_invalid_syntax(p);
    end_at_prev(p, n);
    return n;
}

/* global_stmt: 'global' ','.NAME+      nonlocal_stmt: 'nonlocal' ','.NAME+ */
static AstNode *global_stmt(Parser *p) {
    const Token *kw = p_cur(p);
    bool global = kw->kind == TOK_KW_GLOBAL; /* first tier: plain Python scoping */
    p_advance(p);
    AstNode *n = p_node(p, global ? AST_GLOBAL : AST_NONLOCAL, kw, kw);
    if (!n) return NULL;
    int cap = 0;
    do {
        const Token *t = p_cur(p);
        if (t->kind != TOK_NAME) return p_invalid_syntax(p);
        p_advance(p);
        if (n->v.global.count == cap) {
            int ncap = cap ? cap * 2 : 4;
            const char **names = ast_arena_alloc(p->arena, sizeof(char *) * (size_t)ncap, p->err);
            if (!names) { p->failed = true; return NULL; }
            if (cap) memcpy(names, n->v.global.names, sizeof(char *) * (size_t)cap);
            n->v.global.names = names;
            cap = ncap;
        }
        n->v.global.names[n->v.global.count] = p_tok_text(p, t);
        if (!n->v.global.names[n->v.global.count++]) return NULL;
    } while (p_accept(p, TOK_COMMA));
    end_at_prev(p, n);
    return n;
}

static bool is_augassign(TokKind k, AstOp *op) {
    switch (k) {
    case TOK_PLUSEQUAL: *op = AST_OP_ADD; return true;
    case TOK_MINEQUAL: *op = AST_OP_SUB; return true;
    case TOK_STAREQUAL: *op = AST_OP_MULT; return true;
    case TOK_ATEQUAL: *op = AST_OP_MAT_MULT; return true;
    case TOK_SLASHEQUAL: *op = AST_OP_DIV; return true;
    case TOK_PERCENTEQUAL: *op = AST_OP_MOD; return true;
    case TOK_AMPEREQUAL: *op = AST_OP_BIT_AND; return true;
    case TOK_VBAREQUAL: *op = AST_OP_BIT_OR; return true;
    case TOK_CIRCUMFLEXEQUAL: *op = AST_OP_BIT_XOR; return true;
    case TOK_LEFTSHIFTEQUAL: *op = AST_OP_LSHIFT; return true;
    case TOK_RIGHTSHIFTEQUAL: *op = AST_OP_RSHIFT; return true;
    case TOK_DOUBLESTAREQUAL: *op = AST_OP_POW; return true;
    case TOK_DOUBLESLASHEQUAL: *op = AST_OP_FLOOR_DIV; return true;
    default: return false;
    }
}

/* Is e a sequence written without parentheses (its span starts at its first element)? */
static bool unparenthesized_tuple(const AstNode *e) {
    if (e->kind != AST_TUPLE || e->v.seq.elts.count == 0) return false;
    const AstNode *f = e->v.seq.elts.items[0];
    return f->line == e->line && f->col == e->col;
}

/* The leftmost atom of an expression (CPython's lookaheads test it). */
static const AstNode *leftmost(const AstNode *e) {
    for (;;) {
        const AstNode *next = NULL;
        switch (e->kind) {
        case AST_BIN_OP: next = e->v.bin_op.left; break;
        case AST_ATTRIBUTE: next = e->v.attribute.value; break;
        case AST_SUBSCRIPT: next = e->v.subscript.value; break;
        case AST_CALL: next = e->v.call.func; break;
        default: break;
        }
        if (!next || next->line != e->line || next->col != e->col) return e;
        e = next;
    }
}

/* The invalid_named_expression checks CPython applies to the element just before the
 * first '=' of an assignment whose first target is invalid (see parse.h). eq is the
 * index of that '=' token. Returns true when it recorded an error. */
static bool check_assign_here(Parser *p, AstNode *t1, int eq) {
    const AstNode *en = t1;
    if (unparenthesized_tuple(t1)) {
        en = t1->v.seq.elts.items[t1->v.seq.elts.count - 1];
        if (en->end_line != t1->end_line || en->end_col != t1->end_col) return false;
    }
    const Token *before = &p->toks[eq - 1];
    bool bare_name = en->kind == AST_NAME && before->kind == TOK_NAME &&
                     before->line == en->line && before->col == en->col;
    bool bitwise = !(en->kind == AST_COMPARE || en->kind == AST_BOOL_OP ||
                     en->kind == AST_IF_EXP || en->kind == AST_LAMBDA ||
                     en->kind == AST_STARRED ||
                     (en->kind == AST_UNARY_OP && en->v.unary_op.op == AST_UNARY_NOT));
    const AstNode *lm = leftmost(en);
    bool excluded = lm->kind == AST_LIST || lm->kind == AST_GENERATOR_EXP ||
                    (lm->kind == AST_TUPLE && !unparenthesized_tuple(lm)) ||
                    (lm->kind == AST_CONSTANT && (lm->v.constant.value.type == AST_CONST_NONE ||
                                                 lm->v.constant.value.type == AST_CONST_BOOL));
    if (!bare_name && (!bitwise || excluded)) return false;
    /* b=bitwise_or !('='|':=') after the '=' */
    ParserMark m;
    int saved = p->pos;
    p->pos = eq + 1;
    p_probe_begin(p, &m);
    AstNode *b = p_bitwise_or(p);
    bool ok = b && !p_at(p, TOK_EQUAL) && !p_at(p, TOK_COLONEQUAL);
    ok = p_probe_end(p, &m, false) && ok;
    p->pos = saved;
    if (!ok) return false;
    if (bare_name)
        p_error_range(p, en, b, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
    else
        p_error_node(p, en, "cannot assign to %s here. Maybe you meant '==' instead of '='?",
                     ast_expr_name(en));
    return true;
}

/* assignment:
 *     | NAME ':' expression ['=' annotated_rhs]
 *     | ('(' single_target ')' | single_subscript_attribute_target) ':' expression ['=' annotated_rhs]
 *     | (star_targets '=')+ (yield_expr | star_expressions) !'='
 *     | single_target augassign ~ (yield_expr | star_expressions)
 *     | invalid_assignment
 * and star_expressions (an expression statement), decided after the first expression. */
static AstNode *expr_or_assign(Parser *p) {
    int start = p->pos;
    AstNode *e1 = p_star_expressions(p);
    if (!e1) return NULL;
    AstOp op;
    TokKind k = p_kind(p, 0);
    if (k == TOK_COLON) {
        const Token *colon = p_cur(p);
        if (!p_tier2(p, colon, "annotations")) return NULL;
        p_advance(p);
        AstNode *ann = p_expression(p);
        if (!ann) return NULL;
        if (e1->kind == AST_LIST || e1->kind == AST_TUPLE) {
            const AstNode *at = unparenthesized_tuple(e1) ? e1->v.seq.elts.items[0] : e1;
            return p_error_node(p, at, "only single target (not %s) can be annotated",
                                e1->kind == AST_LIST ? "list" : "tuple");
        }
        if (e1->kind != AST_NAME && e1->kind != AST_ATTRIBUTE && e1->kind != AST_SUBSCRIPT)
            return p_error_node(p, e1, "illegal target for annotation");
        AstNode *n = node_from(p, AST_ANN_ASSIGN, start);
        if (!n) return NULL;
        p_set_ctx(e1, AST_STORE);
        n->v.ann_assign.target = e1;
        n->v.ann_assign.annotation = ann;
        n->v.ann_assign.simple = e1->kind == AST_NAME && p->toks[start].kind == TOK_NAME;
        if (p_accept(p, TOK_EQUAL)) {
            if (p_at(p, TOK_KW_YIELD)) return p_unsupported(p, p_cur(p), "'yield' expressions");
            n->v.ann_assign.value = p_star_expressions(p);
            if (!n->v.ann_assign.value) return NULL;
        }
        end_at_prev(p, n);
        return n;
    }
    if (k == TOK_EQUAL) {
        AstList targets = {0};
        int cap = 0, first_eq = p->pos;
        AstNode *value = e1;
        while (p_at(p, TOK_EQUAL)) {
            if (!p_push(p, &targets, &cap, value)) return NULL;
            p_advance(p);
            if (p_at(p, TOK_KW_YIELD)) return p_unsupported(p, p_cur(p), "'yield' expressions");
            value = p_star_expressions(p);
            if (!value) return NULL;
        }
        for (int i = 0; i < targets.count; i++) {
            const AstNode *bad = p_invalid_target(targets.items[i], 0);
            if (!bad) continue;
            if (i == 0 && check_assign_here(p, targets.items[0], first_eq)) return NULL;
            return p_error_node(p, bad, "cannot assign to %s", ast_expr_name(bad));
        }
        for (int i = 0; i < targets.count; i++) {
            if (!p_check_target(p, targets.items[i], 0)) return NULL;
        }
        AstNode *n = node_from(p, AST_ASSIGN, start);
        if (!n) return NULL;
        if (value->kind == AST_STARRED) p_defer_error(p, value, "can't use starred expression here");
        n->v.assign.targets = targets;
        n->v.assign.value = value;
        return n;
    }
    if (is_augassign(k, &op)) {
        if (e1->kind != AST_NAME && e1->kind != AST_ATTRIBUTE && e1->kind != AST_SUBSCRIPT)
            return p_error_node(p, e1, "'%s' is an illegal expression for augmented assignment",
                                ast_expr_name(e1));
        p_advance(p);
        if (p_at(p, TOK_KW_YIELD)) return p_unsupported(p, p_cur(p), "'yield' expressions");
        AstNode *value = p_star_expressions(p);
        if (!value) return NULL;
        p_set_ctx(e1, AST_STORE);
        AstNode *n = node_from(p, AST_AUG_ASSIGN, start);
        if (!n) return NULL;
        n->v.aug_assign.target = e1;
        n->v.aug_assign.op = op;
        n->v.aug_assign.value = value;
        return n;
    }
    /* invalid_legacy_expression: a=NAME !'(' b=star_expressions (print / exec) */
    if (e1->kind == AST_NAME && k != TOK_NEWLINE && k != TOK_SEMI &&
        (strcmp(e1->v.name.id, "print") == 0 || strcmp(e1->v.name.id, "exec") == 0)) {
        ParserMark m;
        p_probe_begin(p, &m);
        AstNode *b = p_star_expressions(p);
        bool ok = p_probe_end(p, &m, false) && b;
        if (ok)
            return p_error_range(p, e1, b, "Missing parentheses in call to '%s'. Did you mean %s(...)?",
                                 e1->v.name.id, e1->v.name.id);
    }
    AstNode *n = node_from(p, AST_EXPR, start);
    if (n) n->v.expr.value = e1;
    if (e1->kind == AST_STARRED) p_defer_error(p, e1, "can't use starred expression here");
    return n;
}

/* del_stmt: 'del' del_targets &(';' | NEWLINE) | invalid_del_stmt */
static AstNode *del_stmt(Parser *p) {
    int start = p->pos;
    p_advance(p);
    AstNode *e = p_star_expressions(p);
    if (!e) return NULL;
    if (!p_check_target(p, e, 2)) return NULL;
    AstNode *n = node_from(p, AST_DELETE, start);
    if (!n) return NULL;
    int cap = 0;
    if (unparenthesized_tuple(e)) {
        for (int i = 0; i < e->v.seq.elts.count; i++)
            if (!p_push(p, &n->v.delete_.targets, &cap, e->v.seq.elts.items[i])) return NULL;
    } else if (!p_push(p, &n->v.delete_.targets, &cap, e)) {
        return NULL;
    }
    return n;
}

/* simple_stmt:
 *     | assignment | star_expressions | return_stmt | import_stmt | raise_stmt | 'pass'
 *     | del_stmt | yield_stmt | assert_stmt | 'break' | 'continue' | global_stmt
 *     | nonlocal_stmt */
static AstNode *simple_stmt(Parser *p) {
    const Token *t = p_cur(p);
    int start = p->pos;
    switch (t->kind) {
    case TOK_KW_PASS:
    case TOK_KW_BREAK:
    case TOK_KW_CONTINUE: {
        p_advance(p);
        AstNode *n = node_from(p, t->kind == TOK_KW_PASS ? AST_PASS
                                  : t->kind == TOK_KW_BREAK ? AST_BREAK : AST_CONTINUE, start);
        return n;
    }
    case TOK_KW_RETURN: {
        /* return_stmt: 'return' [star_expressions] */
        p_advance(p);
        AstNode *value = NULL;
        if (!p_at(p, TOK_NEWLINE) && !p_at(p, TOK_SEMI)) {
            value = p_star_expressions(p);
            if (!value) return NULL;
        }
        AstNode *n = node_from(p, AST_RETURN, start);
        if (n) n->v.return_.value = value;
        return n;
    }
    case TOK_KW_RAISE: {
        /* raise_stmt: 'raise' expression ['from' expression] | 'raise' */
        if (!p_tier2(p, t, "'raise'")) return NULL;
        p_advance(p);
        AstNode *exc = NULL, *cause = NULL;
        if (!p_at(p, TOK_NEWLINE) && !p_at(p, TOK_SEMI)) {
            exc = p_expression(p);
            if (!exc) return NULL;
            if (p_accept(p, TOK_KW_FROM)) {
                cause = p_expression(p);
                if (!cause) return NULL;
            }
        }
        AstNode *n = node_from(p, AST_RAISE, start);
        if (n) {
            n->v.raise.exc = exc;
            n->v.raise.cause = cause;
        }
        return n;
    }
    case TOK_KW_ASSERT: {
        /* assert_stmt: 'assert' expression [',' expression] */
        p_advance(p);
        AstNode *test = p_expression(p), *msg = NULL;
        if (!test) return NULL;
        if (p_accept(p, TOK_COMMA)) {
            msg = p_expression(p);
            if (!msg) return NULL;
        }
        AstNode *n = node_from(p, AST_ASSERT, start);
        if (n) {
            n->v.assert_.test = test;
            n->v.assert_.msg = msg;
        }
        return n;
    }
    case TOK_KW_DEL: return del_stmt(p);
    case TOK_KW_IMPORT: return import_name(p);
    case TOK_KW_FROM: return import_from(p);
    case TOK_KW_GLOBAL:
    case TOK_KW_NONLOCAL: return global_stmt(p);
    case TOK_KW_YIELD: return p_unsupported(p, t, "'yield' expressions");
    default: return expr_or_assign(p);
    }
}

/* simple_stmts: simple_stmt !';' NEWLINE | ';'.simple_stmt+ [';'] NEWLINE */
static bool simple_stmts(Parser *p, AstList *body, int *cap) {
    for (;;) {
        AstNode *s = simple_stmt(p);
        if (!s || !p_push(p, body, cap, s)) return false;
        if (p_accept(p, TOK_SEMI)) {
            if (p_at(p, TOK_NEWLINE)) break;
            continue;
        }
        break;
    }
    if (!p_at(p, TOK_NEWLINE)) {
        p_invalid_syntax(p);
        return false;
    }
    p_advance(p);
    return true;
}

/* Is this `match <subject>:` (a match statement)? */
static bool looks_like_match(Parser *p) {
    const Token *t = p_cur(p);
    if (t->kind != TOK_NAME || t->end - t->start != 5 || memcmp(p->src + t->start, "match", 5))
        return false;
    TokKind k = p->pos + 1 < p->ntoks ? p->toks[p->pos + 1].kind : TOK_ENDMARKER;
    if (k == TOK_EQUAL || k == TOK_DOT || k == TOK_NEWLINE || k == TOK_COLON || k == TOK_COMMA ||
        k == TOK_SEMI || k == TOK_RPAR || k == TOK_ERROR)
        return false;
    AstOp op;
    if (is_augassign(k, &op)) return false;
    int i = p->pos + 1;
    while (i < p->ntoks && p->toks[i].kind != TOK_NEWLINE && p->toks[i].kind != TOK_ENDMARKER &&
           p->toks[i].kind != TOK_ERROR)
        i++;
    return i < p->ntoks && p->toks[i].kind == TOK_NEWLINE && p->toks[i - 1].kind == TOK_COLON &&
           p->toks[i - 1].level == 0;
}

/* statement: compound_stmt | simple_stmts
 * compound_stmt: function_def | if_stmt | class_def | with_stmt | for_stmt | try_stmt
 *              | while_stmt | match_stmt */
static bool statement(Parser *p, AstList *body, int *cap) {
    const Token *t = p_cur(p);
    AstNode *s = NULL;
    switch (t->kind) {
    case TOK_KW_IF: s = if_stmt(p); break;
    case TOK_KW_WHILE: s = while_stmt(p); break;
    case TOK_KW_FOR: s = for_stmt(p); break;
    case TOK_KW_WITH: s = with_stmt(p); break;
    case TOK_KW_TRY: s = try_stmt(p); break;
    case TOK_KW_DEF: s = function_def(p); break;
    case TOK_KW_CLASS: s = class_def(p); break;
    case TOK_AT: s = decorated(p); break;
    case TOK_KW_ASYNC: p_unsupported(p, t, "'async' statements"); return false;
    case TOK_INDENT: case TOK_DEDENT: p_invalid_syntax(p); return false;
    case TOK_KW_ELSE: case TOK_KW_ELIF: case TOK_KW_EXCEPT: case TOK_KW_FINALLY:
        p_invalid_syntax(p);
        return false;
    default:
        if (looks_like_match(p)) {
            p_unsupported(p, t, "match statements");
            return false;
        }
        return simple_stmts(p, body, cap);
    }
    return s && p_push(p, body, cap, s);
}

/* ---- compiler-stage checks (break/continue/return placement) ---- */

static void check_placement(Parser *p, AstList *body, int loops, bool in_func);

static void check_stmt(Parser *p, AstNode *s, int loops, bool in_func) {
    switch (s->kind) {
    case AST_BREAK:
        if (!loops) p_defer_error(p, s, "'break' outside loop");
        break;
    case AST_CONTINUE:
        if (!loops) p_defer_error(p, s, "'continue' not properly in loop");
        break;
    case AST_RETURN:
        if (!in_func) p_defer_error(p, s, "'return' outside function");
        break;
    case AST_FUNCTION_DEF: check_placement(p, &s->v.function_def.body, 0, true); break;
    case AST_CLASS_DEF: check_placement(p, &s->v.class_def.body, 0, false); break;
    case AST_FOR:
        check_placement(p, &s->v.for_.body, loops + 1, in_func);
        check_placement(p, &s->v.for_.orelse, loops, in_func);
        break;
    case AST_WHILE:
        check_placement(p, &s->v.while_.body, loops + 1, in_func);
        check_placement(p, &s->v.while_.orelse, loops, in_func);
        break;
    case AST_IF:
        check_placement(p, &s->v.if_.body, loops, in_func);
        check_placement(p, &s->v.if_.orelse, loops, in_func);
        break;
    case AST_WITH: check_placement(p, &s->v.with.body, loops, in_func); break;
    case AST_TRY:
        check_placement(p, &s->v.try_.body, loops, in_func);
        for (int i = 0; i < s->v.try_.handlers.count; i++)
            check_placement(p, &s->v.try_.handlers.items[i]->v.except_handler.body, loops, in_func);
        check_placement(p, &s->v.try_.orelse, loops, in_func);
        check_placement(p, &s->v.try_.finalbody, loops, in_func);
        break;
    default: break;
    }
}

static void check_placement(Parser *p, AstList *body, int loops, bool in_func) {
    for (int i = 0; i < body->count; i++) check_stmt(p, body->items[i], loops, in_func);
}

/* ---- driver ---- */

/* Rejects NUL bytes and invalid UTF-8 up front (clear errors at their position). */
static bool check_source(Parser *p) {
    const unsigned char *s = (const unsigned char *)p->src;
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < p->len;) {
        unsigned c = s[i];
        if (c == '\n') { line++; line_start = i + 1; i++; continue; }
        if (c == 0) {
            p_error_at(p, ERR_SYNTAX, line, (int)(i - line_start), line, (int)(i - line_start) + 1,
                       "source code cannot contain null bytes");
            return false;
        }
        if (c < 0x80) { i++; continue; }
        size_t used = 0;
        int len = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 && c < 0xF0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
        bool ok = len > 0 && i + (size_t)len <= p->len;
        for (int k = 1; ok && k < len; k++) ok = (s[i + (size_t)k] & 0xC0) == 0x80;
        if (ok && len == 3) {
            unsigned cp = ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
            ok = cp >= 0x800 && !(cp >= 0xD800 && cp <= 0xDFFF);
        }
        if (ok && len == 4) {
            unsigned cp = ((c & 0x07) << 18) | ((s[i + 1] & 0x3F) << 12);
            ok = cp >= 0x10000 && cp <= 0x10FFFF;
        }
        if (!ok) {
            p_error_at(p, ERR_SYNTAX, line, (int)(i - line_start), line, (int)(i - line_start) + 1,
                       "invalid UTF-8 byte 0x%02x in source (embedlab reads UTF-8 only)", c);
            return false;
        }
        used = (size_t)len;
        i += used;
    }
    return true;
}

typedef enum ParseMode { MODE_MODULE, MODE_EXPRESSION } ParseMode;

/* What parse_is_complete needs to know about a run. */
typedef struct RunInfo {
    bool eof_in_brackets, eof_in_string, eof_after_backslash;
    int eof_blocks;         /* blocks open at the end of input */
    int bracket_line;       /* line of the outermost bracket left open */
    bool lexer_error;       /* the reported error is the scanner's */
    bool fail_at_eof;       /* the parser failed at the end of the input */
} RunInfo;

/* file: [statements] ENDMARKER      eval: expressions NEWLINE* ENDMARKER */
static Ast *parse_run(const char *src, size_t len, const ParseOptions *opts, ParseMode mode,
                      Error *err, RunInfo *info) {
    Parser p;
    memset(&p, 0, sizeof p);
    p.src = src;
    p.len = len;
    p.tier2 = opts && opts->tier2;
    ParseBox box;
    memset(&box, 0, sizeof box);
    p.err = &box.e;
    Ast *ast = NULL;
    size_t *lines = NULL;
    Lexer lx;
    memset(&lx, 0, sizeof lx);
    size_t max = opts && opts->max_source ? opts->max_source : PARSE_MAX_SOURCE;
    if (len > max) {
        err_set(&box.e, ERR_SYNTAX, "source too long: %zu bytes (the limit is %zu)", len, max);
        goto done;
    }
    /* line table */
    int nlines = 1;
    for (size_t i = 0; i < len; i++) nlines += src[i] == '\n';
    lines = mem_alloc(sizeof(size_t) * (size_t)nlines, &box.e);
    if (!lines) goto done;
    lines[0] = 0;
    for (size_t i = 0, l = 1; i < len; i++)
        if (src[i] == '\n') lines[l++] = i + 1;
    p.line_starts = lines;
    p.nlines = nlines;
    if (!check_source(&p)) goto done;
    p.arena = ast_arena_new(&box.e);
    if (!p.arena) goto done;
    lex_init(&lx, src, len, false);
    if (!tokenize(&p, &lx)) goto done;
    AstNode *root = NULL;
    if (mode == MODE_MODULE) {
        root = ast_node_new(p.arena, AST_MODULE, 0, 0, 0, 0, &box.e);
        if (!root) goto done;
        int cap = 0;
        while (!p.failed && !p_at(&p, TOK_ENDMARKER)) {
            if (!statement(&p, &root->v.module.body, &cap)) break;
        }
        if (!p.failed) check_placement(&p, &root->v.module.body, 0, false);
    } else {
        root = p_star_expressions(&p);
        while (root && p_at(&p, TOK_NEWLINE)) p_advance(&p);
        if (root && !p_at(&p, TOK_ENDMARKER)) root = p_invalid_syntax(&p);
    }
    if (p.failed) {
        ParseState *st = &box.st;
        if (!st->err_from_lexer && !st->err_indent && !st->err_final &&
            box.e.code != ERR_MEMORY && p.ntoks > 0 && p.toks[p.ntoks - 1].kind == TOK_ERROR) {
            /* CPython then scans the rest of the source: a scanner error found there
             * replaces the parser's error; brackets left open replace it when they
             * were opened on an earlier line than the error. */
            if (p.lex_err_class == LEX_ERR_RAISED) {
                box.e = p.lex_err;
            } else if (p.lex_err_class == LEX_ERR_EOF && lx.eof_in_brackets &&
                       p.lex_err.line < p.toks[p.max_pos].line) {
                box.e = p.lex_err;
            }
        }
        goto done;
    }
    if (box.st.deferred.code != ERR_OK && !(opts && opts->ast_only)) {
        box.e = box.st.deferred;
        goto done;
    }
    ast = mem_alloc(sizeof *ast, &box.e);
    if (!ast) goto done;
    ast->arena = p.arena;
    ast->root = root;
    p.arena = NULL;
done:
    if (err) *err = box.e;
    if (info) {
        info->eof_in_brackets = lx.eof_in_brackets;
        info->eof_in_string = lx.eof_in_string;
        info->eof_after_backslash = lx.eof_after_backslash;
        info->eof_blocks = lx.eof_blocks;
        info->bracket_line = lx.eof_in_brackets ? lx.paren_line[0] : 0;
        info->lexer_error = box.st.err_from_lexer;
        info->fail_at_eof = p.toks && p.failed && p.toks[p.max_pos].start >= len;
    }
    mem_free(p.toks);
    ast_arena_free(p.arena);
    mem_free(lines);
    return ast;
}

Ast *parse_module(const char *src, size_t len, const ParseOptions *opts, Error *err) {
    return parse_run(src, len, opts, MODE_MODULE, err, NULL);
}

Ast *parse_expression(const char *src, size_t len, const ParseOptions *opts, Error *err) {
    return parse_run(src, len, opts, MODE_EXPRESSION, err, NULL);
}

/* ---- completeness (REPL / Jupyter is_complete) ---- */

/* The leading whitespace of 1-based line `line`. */
static char *line_indent(const char *src, size_t len, int line, const char *extra) {
    if (line < 1) return mem_strdup(extra, NULL);
    size_t off = lex_line_offset(src, len, line), end = off;
    while (end < len && (src[end] == ' ' || src[end] == '\t')) end++;
    StrBuf sb = SB_INIT;
    sb_appendn(&sb, src + off, end - off);
    sb_append(&sb, extra);
    return sb_take(&sb);
}

/* The last line holding something other than whitespace (0 when none). */
static int last_content_line(const char *src, size_t len) {
    int line = 1, last = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\n') line++;
        else if (src[i] != ' ' && src[i] != '\t' && src[i] != '\r' && src[i] != '\f') last = line;
    }
    return last;
}

ParseCompleteness parse_is_complete(const char *src, size_t len, const ParseOptions *opts,
                                    char **indent) {
    if (indent) *indent = NULL;
    Error err;
    RunInfo info;
    memset(&info, 0, sizeof info);
    Ast *ast = parse_run(src, len, opts, MODE_MODULE, &err, &info);
    int last = last_content_line(src, len);
    if (ast) {
        ast_free(ast);
        /* an indented block is still open unless a blank line closed it */
        size_t i = len;
        int newlines = 0;
        while (i > 0 && (src[i - 1] == ' ' || src[i - 1] == '\t' || src[i - 1] == '\n' ||
                         src[i - 1] == '\r' || src[i - 1] == '\f'))
            newlines += src[--i] == '\n';
        if (info.eof_blocks > 0 && newlines < 2) {
            if (indent) *indent = line_indent(src, len, last, "");
            return PARSE_INCOMPLETE;
        }
        return PARSE_COMPLETE;
    }
    if (err.code == ERR_MEMORY) return PARSE_INVALID;
    if (info.lexer_error && info.eof_in_string) {
        if (indent) *indent = line_indent(src, len, 0, "");
        return PARSE_INCOMPLETE;
    }
    if (info.lexer_error && info.eof_in_brackets) {
        if (indent) *indent = line_indent(src, len, info.bracket_line, "");
        return PARSE_INCOMPLETE;
    }
    if (info.lexer_error && info.eof_after_backslash) {
        if (indent) *indent = line_indent(src, len, last, "");
        return PARSE_INCOMPLETE;
    }
    if (err.code == ERR_INDENTATION && info.fail_at_eof &&
        strncmp(err.msg, "expected an indented block", 26) == 0) {
        if (indent) *indent = line_indent(src, len, last, "    ");
        return PARSE_INCOMPLETE;
    }
    return PARSE_INVALID;
}
