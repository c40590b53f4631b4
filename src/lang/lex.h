/*
 * src/lang/lex.h — the embedlab scanner: Python 3.11 tokens from UTF-8 source.
 * See LICENSE (GPL-3.0-or-later).
 *
 * The scanner follows CPython 3.11's tokenizer (Parser/tokenizer.c): INDENT/DEDENT from
 * indentation (tabs to multiples of 8, with CPython's tab/space consistency check),
 * NEWLINE only at the end of a logical line (blank and comment-only lines produce
 * nothing; newlines inside brackets are ignored), backslash continuation, an implicit
 * NEWLINE at the end of input when the last line lacks one, then the remaining DEDENTs
 * and ENDMARKER. Strings and numbers are returned as raw source text (the parser decodes
 * them); the scanner only finds their extent and reports CPython's tokenizer errors.
 *
 * Positions: lines are 1-based; Token columns are 0-based UTF-8 byte offsets from the
 * start of the line (CPython's col_offset convention). Error positions (Error.line/col)
 * are 1-based *character* columns like SyntaxError.offset.
 *
 * Ownership: a Lexer borrows the source buffer, which must outlive it; it allocates
 * nothing, so there is nothing to free.
 *
 * Use standalone (completion, highlighting) with `tolerant` set: errors are still
 * reported as TOK_ERROR tokens (lx->err describes the last one), but scanning goes on
 * after them, so every call returns a token and the stream always ends in ENDMARKER.
 * Without `tolerant`, the first error is final: TOK_ERROR is returned from then on.
 */
#ifndef EMBEDLAB_LEX_H
#define EMBEDLAB_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "lang/token.h"

/* CPython's limits: tokenizer.h MAXINDENT and MAXLEVEL. */
#define LEX_MAX_INDENT 100
#define LEX_MAX_LEVEL 200

typedef struct Token {
    TokKind kind;
    size_t start, end;     /* the token's text is src[start, end) */
    int line, col;         /* 1-based line, 0-based byte column of the first byte */
    int end_line, end_col; /* line and 0-based byte column just past the last byte
                            * (NEWLINE tokens are zero-width, like CPython's) */
    int level;             /* bracket depth after this token */
} Token;

/* How a scanning error interacts with the parser (CPython's distinction between errors
 * the tokenizer raises at once and error states the parser turns into exceptions). */
typedef enum LexErrClass {
    LEX_ERR_NONE = 0,
    LEX_ERR_RAISED,      /* raised by the tokenizer: it also overrides a parser error
                          * found earlier in the source (unterminated string, invalid
                          * character, unmatched bracket, bad number ...) */
    LEX_ERR_STATE,       /* reported only when the parser reaches it (bad dedent,
                          * TabError, too deep, bad continuation character) */
    LEX_ERR_EOF          /* the input ended too early: inside brackets (see
                          * eof_in_brackets), in a triple-quoted string or after a
                          * backslash continuation; more input could complete it */
} LexErrClass;

typedef struct Lexer {
    const char *src;       /* the whole source buffer (positions are relative to it) */
    size_t pos, end;       /* scanning [pos, end) */
    int line;              /* current line number */
    size_t line_start;     /* offset of the current line's first byte */
    bool tolerant;         /* keep going after errors */
    bool sub;              /* scanning an f-string replacement field: no NEWLINE/INDENT */
    bool at_bol;           /* at the beginning of a line (indentation not yet measured) */
    bool failed;           /* a non-tolerant error happened; TOK_ERROR from now on */
    bool done;             /* ENDMARKER returned */
    bool line_has_token;   /* the current logical line produced a token (NEWLINE due) */
    int indent;            /* top of the indentation stacks */
    int indstack[LEX_MAX_INDENT + 1];
    int altindstack[LEX_MAX_INDENT + 1];
    int pending;           /* > 0: INDENTs to emit; < 0: DEDENTs to emit */
    int level;             /* bracket depth */
    char paren[LEX_MAX_LEVEL + 1];
    int paren_line[LEX_MAX_LEVEL + 1];
    int paren_col[LEX_MAX_LEVEL + 1]; /* 0-based byte column of the open bracket */
    /* Last error (valid after TOK_ERROR). */
    Error err;
    LexErrClass err_class;
    bool eof_in_brackets;  /* LEX_ERR_EOF because brackets were open at the end */
    bool eof_in_string;    /* LEX_ERR_EOF inside a triple-quoted string */
    bool eof_after_backslash;
    int eof_blocks;        /* indentation levels still open when the input ended */
} Lexer;

/* Starts scanning src[0, len). A UTF-8 BOM at the start is skipped. */
void lex_init(Lexer *lx, const char *src, size_t len, bool tolerant);

/* Starts scanning src[start, end) as the inside of an f-string replacement field:
 * `line`/`line_start` give the position of `start` (line number and the offset of that
 * line's first byte in src). Newlines are ignored (as inside brackets); the stream is
 * the tokens then ENDMARKER. */
void lex_init_sub(Lexer *lx, const char *src, size_t start, size_t end, int line,
                  size_t line_start);

/* Scans the next token into *tok and returns its kind. On a scanning error returns
 * TOK_ERROR (tok covers the offending text) and fills lx->err / lx->err_class. */
TokKind lex_next(Lexer *lx, Token *tok);

/* "NAME", "LPAR", "if" ... (the X-macro name). */
const char *lex_token_name(TokKind kind);
/* The fixed spelling of an operator or keyword kind ("(", "if"), NULL otherwise. */
const char *lex_token_text(TokKind kind);
/* The keyword kind for the identifier s[0, len), or TOK_NAME. */
TokKind lex_keyword(const char *s, size_t len);

/* The 1-based character column of byte column `byte_col` (0-based) on the line that
 * starts at src[line_start]: what SyntaxError.offset would say. */
int lex_char_col(const char *src, size_t src_len, size_t line_start, int byte_col);
/* The offset of the first byte of 1-based line `line` in src (len when past the end). */
size_t lex_line_offset(const char *src, size_t len, int line);

#endif
