/*
 * src/lang/lex.c — the scanner: CPython 3.11's tokenizer rules for the embedlab subset.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/lex.h"

#include <stdio.h>
#include <string.h>

static const char *const token_names[TOK_COUNT] = {
#define TOKEN_NAME_ENTRY(e, name, text) name,
    TOKEN_LIST(TOKEN_NAME_ENTRY)
#undef TOKEN_NAME_ENTRY
};

static const char *const token_texts[TOK_COUNT] = {
#define TOKEN_TEXT_ENTRY(e, name, text) text,
    TOKEN_LIST(TOKEN_TEXT_ENTRY)
#undef TOKEN_TEXT_ENTRY
};

const char *lex_token_name(TokKind kind) {
    return (int)kind >= 0 && kind < TOK_COUNT ? token_names[kind] : "?";
}

const char *lex_token_text(TokKind kind) {
    return (int)kind >= 0 && kind < TOK_COUNT ? token_texts[kind] : NULL;
}

TokKind lex_keyword(const char *s, size_t len) {
    for (int k = TOK_FIRST_KEYWORD; k <= TOK_LAST_KEYWORD; k++) {
        const char *t = token_texts[k];
        if (strlen(t) == len && memcmp(t, s, len) == 0) return (TokKind)k;
    }
    return TOK_NAME;
}

int lex_char_col(const char *src, size_t src_len, size_t line_start, int byte_col) {
    int chars = 0;
    size_t end = line_start + (size_t)(byte_col < 0 ? 0 : byte_col);
    if (end > src_len) end = src_len;
    for (size_t i = line_start; i < end; i++)
        if (((unsigned char)src[i] & 0xC0) != 0x80) chars++;
    return chars + 1;
}

size_t lex_line_offset(const char *src, size_t len, int line) {
    size_t off = 0;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(src + off, '\n', len - off);
        if (!nl) return len;
        off = (size_t)(nl - src) + 1;
    }
    return off;
}

/* ---- character access ---- */

static int peekc(const Lexer *lx, size_t k) {
    return lx->pos + k < lx->end ? (unsigned char)lx->src[lx->pos + k] : -1;
}

/* Characters on the current line before byte offset `off`. */
static int chars_before(const Lexer *lx, size_t off) {
    return lex_char_col(lx->src, lx->end, lx->line_start, (int)(off - lx->line_start)) - 1;
}

static void newline_at(Lexer *lx, size_t next_line_start) {
    lx->line++;
    lx->line_start = next_line_start;
}

/* ---- errors ---- */

/* Records an error at 1-based character columns col..end_col on line `line`. */
static TokKind lex_fail(Lexer *lx, Token *tok, LexErrClass cls, ErrCode code, int line,
                        int col, int end_line, int end_col, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

static TokKind lex_fail(Lexer *lx, Token *tok, LexErrClass cls, ErrCode code, int line,
                        int col, int end_line, int end_col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err_setv(&lx->err, code, fmt, ap);
    va_end(ap);
    lx->err.line = line;
    lx->err.col = col;
    lx->err.end_line = end_line;
    lx->err.end_col = end_col;
    lx->err_class = cls;
    if (!lx->tolerant) lx->failed = true;
    tok->kind = TOK_ERROR;
    if (tok->end < tok->start) tok->end = tok->start;
    return TOK_ERROR;
}

/* CPython's syntaxerror(tok, ...): the position is the character count up to `cur`. */
#define FAIL_AT_CUR(lx, tok, cur, ...)                                                    \
    lex_fail((lx), (tok), LEX_ERR_RAISED, ERR_SYNTAX, (lx)->line, chars_before((lx), (cur)), \
             (lx)->line, chars_before((lx), (cur)), __VA_ARGS__)

/* ---- init ---- */

void lex_init(Lexer *lx, const char *src, size_t len, bool tolerant) {
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->end = len;
    lx->line = 1;
    lx->tolerant = tolerant;
    lx->at_bol = true;
    if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) lx->pos = lx->line_start = 3;
}

void lex_init_sub(Lexer *lx, const char *src, size_t start, size_t end, int line,
                  size_t line_start) {
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->pos = start;
    lx->end = end;
    lx->line = line;
    lx->line_start = line_start;
    lx->sub = true;
}

/* ---- helpers for identifiers ---- */

static bool is_ident_start(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 128;
}

static bool is_ident_char(int c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

static bool is_xdigit(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Decodes one UTF-8 code point at src[i] (up to end); *n gets its length (1 for invalid
 * bytes, which decode as -1). */
static long decode_cp(const char *src, size_t i, size_t end, int *n) {
    const unsigned char *s = (const unsigned char *)src + i;
    size_t avail = end - i;
    unsigned c = s[0];
    *n = 1;
    if (c < 0x80) return c;
    int len = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (len == 0 || c >= 0xF5 || (size_t)len > avail) return -1;
    long cp = c & (0x3F >> (len - 1));
    for (int k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *n = len;
    return cp;
}

/* Code points >= 128 that cannot be part of an identifier (an approximation of
 * Unicode's XID classes covering the punctuation and symbols people paste: typographic
 * quotes, dashes, arrows, math symbols, box drawing, CJK punctuation, NBSP, BOM). */
static bool cp_is_non_identifier(long cp) {
    if (cp >= 0x80 && cp <= 0xBF)
        return !(cp == 0xAA || cp == 0xB5 || cp == 0xBA);
    if (cp == 0xD7 || cp == 0xF7) return true;
    if (cp >= 0x2000 && cp <= 0x206F) return true;  /* general punctuation */
    if (cp >= 0x20A0 && cp <= 0x20CF) return true;  /* currency */
    if (cp >= 0x2190 && cp <= 0x2BFF) return true;  /* arrows, math, technical, boxes */
    if (cp >= 0x3000 && cp <= 0x3003) return true;  /* CJK space and punctuation */
    if (cp >= 0x3008 && cp <= 0x3020) return true;
    if (cp >= 0xFF01 && cp <= 0xFF0F) return true;  /* fullwidth punctuation */
    if (cp >= 0xFF1A && cp <= 0xFF20) return true;
    if (cp == 0xFEFF || cp == 0xFFFD) return true;
    if (cp >= 0x1F000 && cp <= 0x1FAFF) return true; /* emoji and pictographs */
    return false;
}

/* ---- the scanner ---- */

static void set_tok(Lexer *lx, Token *tok, TokKind kind, size_t start, int line,
                    size_t line_start) {
    tok->kind = kind;
    tok->start = start;
    tok->end = lx->pos;
    tok->line = line;
    tok->col = (int)(start - line_start);
    tok->end_line = lx->line;
    tok->end_col = (int)(lx->pos - lx->line_start);
}

/* verify_end_of_number: a number directly followed by an identifier character is an
 * "invalid <kind> literal", except before the keywords CPython tolerates with a
 * warning (and, else, for, if, in, is, not, or). Returns false after recording. */
static bool end_of_number_ok(Lexer *lx, Token *tok, const char *kind) {
    int c = peekc(lx, 0);
    if (c < 0 || !is_ident_char(c)) return true;
    static const char *const kws[] = {"and", "else", "for", "if", "in", "is", "not", "or"};
    for (size_t k = 0; k < sizeof kws / sizeof *kws; k++) {
        size_t n = strlen(kws[k]);
        if (lx->pos + n <= lx->end && memcmp(lx->src + lx->pos, kws[k], n) == 0) return true;
    }
    FAIL_AT_CUR(lx, tok, lx->pos, "invalid %s literal", kind);
    return false;
}

/* Scans decimal digits with single underscores between them (tok_decimal_tail).
 * Returns false (error recorded) on a misplaced underscore. */
static bool decimal_tail(Lexer *lx, Token *tok) {
    for (;;) {
        while (is_digit(peekc(lx, 0))) lx->pos++;
        if (peekc(lx, 0) != '_') return true;
        lx->pos++;
        if (!is_digit(peekc(lx, 0))) {
            FAIL_AT_CUR(lx, tok, lx->pos, "invalid decimal literal");
            return false;
        }
    }
}

/* Radix digits (hex/octal/binary) after the prefix. */
static TokKind scan_radix(Lexer *lx, Token *tok, int radix, const char *kind) {
    lx->pos++; /* x/o/b */
    for (;;) {
        if (peekc(lx, 0) == '_') lx->pos++;
        int c = peekc(lx, 0);
        bool ok = radix == 16 ? is_xdigit(c) : radix == 8 ? (c >= '0' && c <= '7')
                                                          : (c == '0' || c == '1');
        if (!ok) {
            if (radix != 16 && is_digit(c)) {
                lx->pos++;
                return FAIL_AT_CUR(lx, tok, lx->pos, "invalid digit '%c' in %s literal", c,
                                   kind);
            }
            return FAIL_AT_CUR(lx, tok, lx->pos, "invalid %s literal", kind);
        }
        for (;;) {
            c = peekc(lx, 0);
            ok = radix == 16 ? is_xdigit(c) : radix == 8 ? (c >= '0' && c <= '7')
                                                         : (c == '0' || c == '1');
            if (!ok) break;
            lx->pos++;
        }
        if (peekc(lx, 0) != '_') break;
    }
    int c = peekc(lx, 0);
    if (radix != 16 && is_digit(c)) {
        lx->pos++;
        return FAIL_AT_CUR(lx, tok, lx->pos, "invalid digit '%c' in %s literal", c, kind);
    }
    return end_of_number_ok(lx, tok, kind) ? TOK_NUMBER : TOK_ERROR;
}

/* Fraction, exponent and imaginary suffix after the integer part; pos at '.', 'e' or
 * 'j' (or anything else: plain integer). */
static TokKind scan_number_rest(Lexer *lx, Token *tok) {
    int c = peekc(lx, 0);
    if (c == '.') {
        lx->pos++;
        if (is_digit(peekc(lx, 0)) && !decimal_tail(lx, tok)) return TOK_ERROR;
        c = peekc(lx, 0);
    }
    if (c == 'e' || c == 'E') {
        size_t e_pos = lx->pos;
        lx->pos++;
        c = peekc(lx, 0);
        if (c == '+' || c == '-') {
            lx->pos++;
            if (!is_digit(peekc(lx, 0)))
                return FAIL_AT_CUR(lx, tok, lx->pos, "invalid decimal literal");
        } else if (!is_digit(c)) {
            lx->pos = e_pos;
            return end_of_number_ok(lx, tok, "decimal") ? TOK_NUMBER : TOK_ERROR;
        }
        if (!decimal_tail(lx, tok)) return TOK_ERROR;
        c = peekc(lx, 0);
    }
    if (c == 'j' || c == 'J') {
        lx->pos++;
        return end_of_number_ok(lx, tok, "imaginary") ? TOK_NUMBER : TOK_ERROR;
    }
    return end_of_number_ok(lx, tok, "decimal") ? TOK_NUMBER : TOK_ERROR;
}

static TokKind scan_number(Lexer *lx, Token *tok) {
    size_t start = lx->pos;
    int c = peekc(lx, 0);
    if (c == '.') return scan_number_rest(lx, tok);
    if (c == '0') {
        int x = peekc(lx, 1);
        if (x == 'x' || x == 'X') { lx->pos++; return scan_radix(lx, tok, 16, "hexadecimal"); }
        if (x == 'o' || x == 'O') { lx->pos++; return scan_radix(lx, tok, 8, "octal"); }
        if (x == 'b' || x == 'B') { lx->pos++; return scan_radix(lx, tok, 2, "binary"); }
        bool nonzero = false;
        lx->pos++;
        for (;;) {
            while (peekc(lx, 0) == '0') lx->pos++;
            if (peekc(lx, 0) != '_') break;
            lx->pos++;
            if (!is_digit(peekc(lx, 0)))
                return FAIL_AT_CUR(lx, tok, lx->pos, "invalid decimal literal");
        }
        size_t zeros_end = lx->pos;
        if (is_digit(peekc(lx, 0))) {
            nonzero = true;
            if (!decimal_tail(lx, tok)) return TOK_ERROR;
        }
        c = peekc(lx, 0);
        if (c == '.' || c == 'e' || c == 'E' || c == 'j' || c == 'J')
            return scan_number_rest(lx, tok);
        if (nonzero)
            return lex_fail(lx, tok, LEX_ERR_RAISED, ERR_SYNTAX, lx->line,
                            chars_before(lx, start) + 1, lx->line, chars_before(lx, zeros_end),
                            "leading zeros in decimal integer literals are not permitted; "
                            "use an 0o prefix for octal integers");
        return end_of_number_ok(lx, tok, "decimal") ? TOK_NUMBER : TOK_ERROR;
    }
    if (!decimal_tail(lx, tok)) return TOK_ERROR;
    return scan_number_rest(lx, tok);
}

/* A string literal; pos at the opening quote, `start` at its prefix. */
static TokKind scan_string(Lexer *lx, Token *tok, size_t start) {
    int start_line = lx->line;
    size_t start_line_start = lx->line_start;
    int quote = peekc(lx, 0);
    int quote_size = 1;
    lx->pos++;
    if (peekc(lx, 0) == quote && peekc(lx, 1) == quote) {
        quote_size = 3;
        lx->pos += 2;
    }
    int end_quote = 0;
    while (end_quote != quote_size) {
        int c = peekc(lx, 0);
        if (c < 0 || (quote_size == 1 && c == '\n')) {
            int detected = lx->line;
            if (c < 0 && lx->end > 0 && lx->src[lx->end - 1] == '\n' && !lx->sub) {
                /* the input ended after a newline: CPython counts the line it read */
                detected = lx->line - 1;
                if (detected < start_line) detected = start_line;
            }
            int col = lex_char_col(lx->src, lx->end, start_line_start, (int)(start - start_line_start));
            lx->line = start_line;
            lx->line_start = start_line_start;
            if (quote_size == 3) {
                lex_fail(lx, tok, c < 0 ? LEX_ERR_EOF : LEX_ERR_RAISED, ERR_SYNTAX, start_line,
                         col, start_line, col,
                         "unterminated triple-quoted string literal (detected at line %d)",
                         detected);
                lx->eof_in_string = c < 0;
                lx->err_class = LEX_ERR_RAISED; /* still overrides like CPython */
                /* tolerant: the string runs to the end */
                lx->pos = lx->end;
                return TOK_ERROR;
            }
            lex_fail(lx, tok, LEX_ERR_RAISED, ERR_SYNTAX, start_line, col, start_line, col,
                     "unterminated string literal (detected at line %d)", detected);
            return TOK_ERROR; /* tolerant: resume at the newline */
        }
        lx->pos++;
        if (c == quote) {
            end_quote++;
        } else {
            end_quote = 0;
            if (c == '\\' && peekc(lx, 0) >= 0) {
                if (peekc(lx, 0) == '\n') newline_at(lx, lx->pos + 1);
                lx->pos++;
            } else if (c == '\n') {
                newline_at(lx, lx->pos);
            }
        }
    }
    set_tok(lx, tok, TOK_STRING, start, start_line, start_line_start);
    return TOK_STRING;
}

/* Operators: longest match of the fixed spellings. */
static TokKind scan_operator(Lexer *lx) {
    static const struct { const char *text; TokKind kind; } ops[] = {
        {"**=", TOK_DOUBLESTAREQUAL}, {"//=", TOK_DOUBLESLASHEQUAL},
        {">>=", TOK_RIGHTSHIFTEQUAL}, {"<<=", TOK_LEFTSHIFTEQUAL}, {"...", TOK_ELLIPSIS},
        {"!=", TOK_NOTEQUAL}, {"%=", TOK_PERCENTEQUAL}, {"&=", TOK_AMPEREQUAL},
        {"**", TOK_DOUBLESTAR}, {"*=", TOK_STAREQUAL}, {"+=", TOK_PLUSEQUAL},
        {"-=", TOK_MINEQUAL}, {"->", TOK_RARROW}, {"//", TOK_DOUBLESLASH},
        {"/=", TOK_SLASHEQUAL}, {":=", TOK_COLONEQUAL}, {"<<", TOK_LEFTSHIFT},
        {"<=", TOK_LESSEQUAL}, {"==", TOK_EQEQUAL}, {">=", TOK_GREATEREQUAL},
        {">>", TOK_RIGHTSHIFT}, {"@=", TOK_ATEQUAL}, {"^=", TOK_CIRCUMFLEXEQUAL},
        {"|=", TOK_VBAREQUAL}, {"<>", TOK_OP},
        {"%", TOK_PERCENT}, {"&", TOK_AMPER}, {"(", TOK_LPAR}, {")", TOK_RPAR},
        {"*", TOK_STAR}, {"+", TOK_PLUS}, {",", TOK_COMMA}, {"-", TOK_MINUS},
        {".", TOK_DOT}, {"/", TOK_SLASH}, {":", TOK_COLON}, {";", TOK_SEMI},
        {"<", TOK_LESS}, {"=", TOK_EQUAL}, {">", TOK_GREATER}, {"@", TOK_AT},
        {"[", TOK_LSQB}, {"]", TOK_RSQB}, {"^", TOK_CIRCUMFLEX}, {"{", TOK_LBRACE},
        {"|", TOK_VBAR}, {"}", TOK_RBRACE}, {"~", TOK_TILDE},
    };
    for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
        size_t n = strlen(ops[k].text);
        if (lx->pos + n <= lx->end && memcmp(lx->src + lx->pos, ops[k].text, n) == 0) {
            lx->pos += n;
            return ops[k].kind;
        }
    }
    lx->pos++; /* '$', '?', '!', '`' ...: an OP the parser rejects */
    return TOK_OP;
}

/* Measures the indentation of a new line and queues INDENT/DEDENT tokens. Skips blank
 * and comment-only lines. Returns TOK_ENDMARKER when nothing is to report, TOK_ERROR
 * on an indentation error. */
static TokKind measure_indent(Lexer *lx, Token *tok) {
    for (;;) {
        int col = 0, altcol = 0, cont_col = 0;
        for (;;) {
            int c = peekc(lx, 0);
            if (c == ' ') {
                col++, altcol++;
            } else if (c == '\t') {
                col = (col / 8 + 1) * 8;
                altcol++;
            } else if (c == '\f') {
                col = altcol = 0;
            } else if (c == '\\' && peekc(lx, 1) == '\n') {
                cont_col = cont_col ? cont_col : col;
                lx->pos++;
                newline_at(lx, lx->pos + 1);
            } else {
                break;
            }
            lx->pos++;
        }
        int c = peekc(lx, 0);
        if (c == '#' || c == '\n' || c == '\r') {
            /* blank line: skip it entirely */
            while (lx->pos < lx->end && lx->src[lx->pos] != '\n') lx->pos++;
            if (lx->pos < lx->end) {
                lx->pos++;
                newline_at(lx, lx->pos);
                continue;
            }
            c = -1;
        }
        if (c < 0) {
            col = altcol = 0; /* end of input: close every block */
            lx->eof_blocks = lx->indent;
        }
        if (cont_col) col = altcol = cont_col;
        lx->at_bol = false;
        if (col == lx->indstack[lx->indent]) {
            if (altcol != lx->altindstack[lx->indent]) goto tab_error;
        } else if (col > lx->indstack[lx->indent]) {
            if (lx->indent + 1 >= LEX_MAX_INDENT) {
                set_tok(lx, tok, TOK_ERROR, lx->line_start, lx->line, lx->line_start);
                lex_fail(lx, tok, LEX_ERR_STATE, ERR_INDENTATION, lx->line, 1, lx->line, 0,
                         "too many levels of indentation");
                if (lx->tolerant) return TOK_ERROR;
                return TOK_ERROR;
            }
            if (altcol <= lx->altindstack[lx->indent]) goto tab_error;
            lx->pending++;
            lx->indent++;
            lx->indstack[lx->indent] = col;
            lx->altindstack[lx->indent] = altcol;
        } else {
            while (lx->indent > 0 && col < lx->indstack[lx->indent]) {
                lx->pending--;
                lx->indent--;
            }
            if (col != lx->indstack[lx->indent]) {
                /* CPython reports the end of the offending line */
                size_t eol = lx->pos;
                while (eol < lx->end && lx->src[eol] != '\n') eol++;
                int n = chars_before(lx, eol) + 1;
                set_tok(lx, tok, TOK_ERROR, lx->line_start, lx->line, lx->line_start);
                lex_fail(lx, tok, LEX_ERR_STATE, ERR_INDENTATION, lx->line, n, lx->line, -1,
                         "unindent does not match any outer indentation level");
                if (lx->tolerant) lx->indstack[lx->indent] = col; /* carry on */
                return TOK_ERROR;
            }
            if (altcol != lx->altindstack[lx->indent]) goto tab_error;
        }
        return TOK_ENDMARKER;
    tab_error:
        set_tok(lx, tok, TOK_ERROR, lx->line_start, lx->line, lx->line_start);
        return lex_fail(lx, tok, LEX_ERR_STATE, ERR_TAB, lx->line, 1, lx->line, 0,
                        "inconsistent use of tabs and spaces in indentation");
    }
}

/* DEDENT/ENDMARKER at the end of input sit where CPython's cursor is: at the end of
 * the last line, newline included. */
static void eof_position(Lexer *lx, Token *tok) {
    if (lx->sub || lx->end == 0) return;
    size_t last = lx->end;
    if (lx->src[lx->end - 1] == '\n') last--;
    size_t ls = last;
    while (ls > 0 && lx->src[ls - 1] != '\n') ls--;
    int line = lx->line - (lx->src[lx->end - 1] == '\n' ? 1 : 0);
    if (line < 1) line = 1;
    tok->line = tok->end_line = line;
    tok->col = tok->end_col = (int)(last - ls);
}

static TokKind lex_next_raw(Lexer *lx, Token *tok) {
    memset(tok, 0, sizeof *tok);
    if (lx->failed) {
        tok->kind = TOK_ERROR;
        tok->start = tok->end = lx->pos;
        tok->line = tok->end_line = lx->line;
        tok->col = tok->end_col = (int)(lx->pos - lx->line_start);
        return TOK_ERROR;
    }
    if (lx->done) {
        set_tok(lx, tok, TOK_ENDMARKER, lx->pos, lx->line, lx->line_start);
        return TOK_ENDMARKER;
    }
again:
    if (lx->pending < 0) {
        lx->pending++;
        set_tok(lx, tok, TOK_DEDENT, lx->pos, lx->line, lx->line_start);
        if (lx->pos >= lx->end) eof_position(lx, tok);
        return TOK_DEDENT;
    }
    if (lx->pending > 0) {
        lx->pending--;
        set_tok(lx, tok, TOK_INDENT, lx->line_start, lx->line, lx->line_start);
        return TOK_INDENT;
    }
    if (lx->at_bol && !lx->sub && lx->level == 0) {
        TokKind k = measure_indent(lx, tok);
        if (k == TOK_ERROR) return k;
        if (lx->pending) goto again;
    }
    /* skip whitespace and comments */
    for (;;) {
        int c = peekc(lx, 0);
        if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
            lx->pos++;
        } else if (c == '#') {
            while (lx->pos < lx->end && lx->src[lx->pos] != '\n') lx->pos++;
        } else {
            break;
        }
    }
    size_t start = lx->pos;
    int c = peekc(lx, 0);
    if (c < 0) {
        if (lx->sub) {
            lx->done = true;
            set_tok(lx, tok, TOK_ENDMARKER, start, lx->line, lx->line_start);
            return TOK_ENDMARKER;
        }
        if (lx->level > 0 && !lx->eof_in_brackets) {
            int l = lx->level - 1;
            set_tok(lx, tok, TOK_ERROR, start, lx->line, lx->line_start);
            lx->eof_in_brackets = true;
            size_t ls = lex_line_offset(lx->src, lx->end, lx->paren_line[l]);
            int col = lex_char_col(lx->src, lx->end, ls, lx->paren_col[l]);
            lex_fail(lx, tok, LEX_ERR_EOF, ERR_SYNTAX, lx->paren_line[l], col,
                     lx->paren_line[l], col + 1, "'%c' was never closed", lx->paren[l]);
            if (lx->tolerant) lx->level = 0;
            return TOK_ERROR;
        }
        if (lx->line_has_token) {
            /* the implicit newline CPython adds to a last line without one */
            lx->line_has_token = false;
            set_tok(lx, tok, TOK_NEWLINE, start, lx->line, lx->line_start);
            return TOK_NEWLINE;
        }
        if (lx->indent > 0) {
            lx->eof_blocks = lx->indent;
            lx->pending = -lx->indent;
            lx->indent = 0;
            goto again;
        }
        lx->done = true;
        set_tok(lx, tok, TOK_ENDMARKER, start, lx->line, lx->line_start);
        eof_position(lx, tok);
        return TOK_ENDMARKER;
    }
    if (c == '\n') {
        lx->pos++;
        if (lx->sub || lx->level > 0) {
            newline_at(lx, lx->pos);
            goto again;
        }
        set_tok(lx, tok, TOK_NEWLINE, start, lx->line, lx->line_start);
        tok->end = start;
        tok->end_col = tok->col;
        newline_at(lx, lx->pos);
        lx->at_bol = true;
        lx->line_has_token = false;
        return TOK_NEWLINE;
    }
    if (c == '\\') {
        int n = peekc(lx, 1);
        if (n == '\r' && peekc(lx, 2) == '\n') { lx->pos++; n = '\n'; }
        if (n == '\n') {
            lx->pos += 2;
            newline_at(lx, lx->pos);
            if (lx->pos >= lx->end && !lx->sub) {
                set_tok(lx, tok, TOK_ERROR, start, lx->line, lx->line_start);
                lx->eof_after_backslash = true;
                /* CPython points just past the last line (its length plus newline) */
                int len = lex_char_col(lx->src, lx->end, lex_line_offset(lx->src, lx->end, lx->line - 1),
                                       (int)(lx->line_start - lex_line_offset(lx->src, lx->end, lx->line - 1)));
                return lex_fail(lx, tok, LEX_ERR_EOF, ERR_SYNTAX, lx->line - 1, len - 1,
                                lx->line - 1, len - 1, "unexpected EOF while parsing");
            }
            goto again;
        }
        if (n < 0 && !lx->sub) {
            lx->pos++;
            set_tok(lx, tok, TOK_ERROR, start, lx->line, lx->line_start);
            lx->eof_after_backslash = true;
            int len = chars_before(lx, lx->pos) + 1;
            return lex_fail(lx, tok, LEX_ERR_EOF, ERR_SYNTAX, lx->line, len, lx->line, len,
                            "unexpected EOF while parsing");
        }
        lx->pos += 2;
        set_tok(lx, tok, TOK_ERROR, start, lx->line, lx->line_start);
        lx->line_has_token = true;
        int col = chars_before(lx, start) + 2;
        return lex_fail(lx, tok, LEX_ERR_STATE, ERR_SYNTAX, lx->line, col, lx->line, col,
                        "unexpected character after line continuation character");
    }
    lx->line_has_token = true;
    int line = lx->line;
    size_t line_start = lx->line_start;
    if (is_ident_start(c)) {
        /* string prefixes: any of b r u f, in combinations CPython accepts */
        size_t p = lx->pos;
        bool saw_b = false, saw_r = false, saw_u = false, saw_f = false;
        for (;;) {
            int d = p < lx->end ? (unsigned char)lx->src[p] : -1;
            if ((d == 'b' || d == 'B') && !saw_b && !saw_u && !saw_f) saw_b = true;
            else if ((d == 'r' || d == 'R') && !saw_r && !saw_u) saw_r = true;
            else if ((d == 'u' || d == 'U') && !saw_b && !saw_r && !saw_u && !saw_f) saw_u = true;
            else if ((d == 'f' || d == 'F') && !saw_f && !saw_b && !saw_u) saw_f = true;
            else break;
            p++;
            if (p < lx->end && (lx->src[p] == '\'' || lx->src[p] == '"')) {
                lx->pos = p;
                TokKind k = scan_string(lx, tok, start);
                if (k == TOK_ERROR) set_tok(lx, tok, TOK_ERROR, start, line, line_start);
                return k;
            }
        }
        while (lx->pos < lx->end && is_ident_char((unsigned char)lx->src[lx->pos])) {
            if ((unsigned char)lx->src[lx->pos] >= 128) {
                int n;
                long cp = decode_cp(lx->src, lx->pos, lx->end, &n);
                if (cp < 0) {
                    lx->pos++;
                    set_tok(lx, tok, TOK_ERROR, start, line, line_start);
                    return FAIL_AT_CUR(lx, tok, lx->pos, "invalid UTF-8 byte 0x%02x in source",
                                       (unsigned char)lx->src[lx->pos - 1]);
                }
                if (cp_is_non_identifier(cp)) {
                    if (lx->pos > start) break; /* ends the name; the next token fails */
                    lx->pos += (size_t)n;
                    set_tok(lx, tok, TOK_ERROR, start, line, line_start);
                    if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200F) || cp == 0xFEFF ||
                        (cp >= 0x2028 && cp <= 0x202F) || cp == 0x3000)
                        return FAIL_AT_CUR(lx, tok, lx->pos,
                                           "invalid non-printable character U+%04lX", cp);
                    return FAIL_AT_CUR(lx, tok, lx->pos, "invalid character '%.*s' (U+%04lX)",
                                       n, lx->src + start, cp);
                }
                lx->pos += (size_t)n;
            } else {
                lx->pos++;
            }
        }
        set_tok(lx, tok, TOK_NAME, start, line, line_start);
        tok->kind = lex_keyword(lx->src + start, lx->pos - start);
        return tok->kind;
    }
    if (is_digit(c) || (c == '.' && is_digit(peekc(lx, 1)))) {
        TokKind k = scan_number(lx, tok);
        if (k == TOK_ERROR) {
            if (lx->pos == start) lx->pos++;
            set_tok(lx, tok, TOK_ERROR, start, line, line_start);
            return TOK_ERROR;
        }
        set_tok(lx, tok, TOK_NUMBER, start, line, line_start);
        return TOK_NUMBER;
    }
    if (c == '\'' || c == '"') {
        TokKind k = scan_string(lx, tok, start);
        if (k == TOK_ERROR) set_tok(lx, tok, TOK_ERROR, start, line, line_start);
        return k;
    }
    if (c < 32 || c == 127) {
        lx->pos++;
        set_tok(lx, tok, TOK_ERROR, start, line, line_start);
        if (c == 0)
            return FAIL_AT_CUR(lx, tok, lx->pos, "source code cannot contain null bytes");
        return FAIL_AT_CUR(lx, tok, lx->pos, "invalid non-printable character U+%04X", c);
    }
    TokKind kind = scan_operator(lx);
    set_tok(lx, tok, kind, start, line, line_start);
    if (kind == TOK_LPAR || kind == TOK_LSQB || kind == TOK_LBRACE) {
        if (lx->level >= LEX_MAX_LEVEL) {
            tok->kind = TOK_ERROR;
            return FAIL_AT_CUR(lx, tok, lx->pos, "too many nested parentheses");
        }
        lx->paren[lx->level] = (char)c;
        lx->paren_line[lx->level] = line;
        lx->paren_col[lx->level] = tok->col;
        lx->level++;
    } else if (kind == TOK_RPAR || kind == TOK_RSQB || kind == TOK_RBRACE) {
        if (lx->sub && lx->level == 0) return kind; /* the caller checks f-string nesting */
        if (lx->level == 0) {
            tok->kind = TOK_ERROR;
            return FAIL_AT_CUR(lx, tok, lx->pos, "unmatched '%c'", c);
        }
        lx->level--;
        int open = lx->paren[lx->level];
        if (!((open == '(' && c == ')') || (open == '[' && c == ']') || (open == '{' && c == '}'))) {
            tok->kind = TOK_ERROR;
            if (lx->paren_line[lx->level] != line)
                return FAIL_AT_CUR(lx, tok, lx->pos,
                                   "closing parenthesis '%c' does not match opening parenthesis "
                                   "'%c' on line %d",
                                   c, open, lx->paren_line[lx->level]);
            return FAIL_AT_CUR(lx, tok, lx->pos,
                               "closing parenthesis '%c' does not match opening parenthesis '%c'",
                               c, open);
        }
    }
    return kind;
}

TokKind lex_next(Lexer *lx, Token *tok) {
    TokKind k = lex_next_raw(lx, tok);
    tok->level = lx->level;
    return k;
}
