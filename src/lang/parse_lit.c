/*
 * src/lang/parse_lit.c — literals for the parser (parse.h): numbers, string escapes,
 * implicit concatenation and f-strings (CPython 3.11's Parser/string_parser.c rules:
 * replacement fields are found by scanning, then their text is parsed as an expression).
 * See LICENSE (GPL-3.0-or-later).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "lang/parse_impl.h"

/* CPython's sys.int_info.default_max_str_digits. */
#define INT_MAX_STR_DIGITS 4300

/* ---- numbers ---- */

/* Multiplies the little-endian decimal digit array by `base` and adds `add`. */
static void dec_mul_add(unsigned char *d, size_t *n, unsigned base, unsigned add) {
    unsigned carry = add;
    for (size_t i = 0; i < *n; i++) {
        unsigned v = d[i] * base + carry;
        d[i] = (unsigned char)(v % 10);
        carry = v / 10;
    }
    while (carry) {
        d[(*n)++] = (unsigned char)(carry % 10);
        carry /= 10;
    }
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

/* NUMBER: an int (decimal, 0x, 0o, 0b; underscores allowed) or a float. */
AstNode *p_number(Parser *p) {
    const Token *t = p_advance(p);
    const char *text = p->src + t->start;
    size_t n = t->end - t->start;
    char last = text[n - 1];
    if (last == 'j' || last == 'J') return p_unsupported(p, t, "complex numbers");
    char *clean = ast_arena_alloc(p->arena, n + 1, p->err);
    if (!clean) { p->failed = true; return NULL; }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (text[i] != '_') clean[m++] = text[i];
    clean[m] = '\0';
    AstNode *node = p_node(p, AST_CONSTANT, t, t);
    if (!node) return NULL;
    AstConst *c = &node->v.constant.value;
    unsigned base = 10;
    const char *digits = clean;
    if (m > 1 && clean[0] == '0' && (clean[1] == 'x' || clean[1] == 'X')) base = 16;
    else if (m > 1 && clean[0] == '0' && (clean[1] == 'o' || clean[1] == 'O')) base = 8;
    else if (m > 1 && clean[0] == '0' && (clean[1] == 'b' || clean[1] == 'B')) base = 2;
    if (base != 10) {
        digits = clean + 2;
    } else if (strpbrk(clean, ".eE")) {
        c->type = AST_CONST_FLOAT;
        c->f = strtod(clean, NULL); /* overflow gives inf, like Python */
        return node;
    }
    c->type = AST_CONST_INT;
    size_t nd = strlen(digits);
    while (nd > 1 && digits[0] == '0') { digits++; nd--; }
    if (base == 10 && nd > INT_MAX_STR_DIGITS)
        return p_error_tok(p, t,
                           "Exceeds the limit (%d digits) for integer string conversion: value has "
                           "%zu digits; use sys.set_int_max_str_digits() to increase the limit - "
                           "Consider hexadecimal for huge integer literals to avoid decimal "
                           "conversion limits.",
                           INT_MAX_STR_DIGITS, nd);
    if (base != 10 && nd * 4 > INT_MAX_STR_DIGITS * 3)
        return p_error_tok(p, t, "integer literal too large for embedlab");
    /* int64 value with overflow detection */
    uint64_t v = 0;
    bool overflow = false;
    for (size_t i = 0; i < nd; i++) {
        unsigned dv = (unsigned)hexval(digits[i]);
        if (v > (UINT64_MAX - dv) / base) overflow = true;
        v = v * base + dv;
    }
    if (v > (uint64_t)INT64_MAX) overflow = true;
    c->overflow = overflow;
    c->i = overflow ? 0 : (int64_t)v;
    if (base == 10) {
        c->digits = p_strdup(p, digits, nd);
    } else {
        /* decimal digits by base conversion */
        size_t cap = nd * 2 + 4, dn = 0;
        unsigned char *d = mem_alloc(cap, p->err);
        if (!d) { p->failed = true; return NULL; }
        for (size_t i = 0; i < nd; i++) dec_mul_add(d, &dn, base, (unsigned)hexval(digits[i]));
        if (dn == 0) d[dn++] = 0;
        char *out = ast_arena_alloc(p->arena, dn + 1, p->err);
        if (out) {
            for (size_t i = 0; i < dn; i++) out[i] = (char)('0' + d[dn - 1 - i]);
            out[dn] = '\0';
        }
        mem_free(d);
        c->digits = out;
    }
    if (!c->digits) { p->failed = true; return NULL; }
    return node;
}

/* ---- string escapes ---- */

static void append_cp(StrBuf *out, uint32_t cp) {
    char b[4];
    int n;
    if (cp < 0x80) { b[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    sb_appendn(out, b, (size_t)n);
}

/* Appends the decoded literal text s[0, n) (escapes processed unless raw; newlines
 * normalised). `body` is the start of the whole literal body, for CPython's byte
 * positions in unicode-escape errors. Returns false after recording an error at t. */
static bool decode_text(Parser *p, const Token *t, const Token *str_tok, const char *s,
                        size_t n, bool raw, StrBuf *out, const char *body) {
    size_t i = 0;
    while (i < n) {
        char ch = s[i];
        if (ch == '\r') {
            sb_appendc(out, '\n');
            i += (i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (ch != '\\' || raw) {
            if (raw && ch == '\\' && i + 1 < n) {
                /* a raw string keeps backslash pairs as they are */
                sb_appendc(out, ch);
                i++;
                if (s[i] == '\r') continue;
                sb_appendc(out, s[i]);
                i++;
                continue;
            }
            sb_appendc(out, ch);
            i++;
            continue;
        }
        size_t esc = i;
        i++;
        if (i >= n) { sb_appendc(out, '\\'); break; }
        char e = s[i++];
        switch (e) {
        case '\n': break;
        case '\r': if (i < n && s[i] == '\n') i++; break;
        case '\\': sb_appendc(out, '\\'); break;
        case '\'': sb_appendc(out, '\''); break;
        case '"': sb_appendc(out, '"'); break;
        case 'a': sb_appendc(out, '\a'); break;
        case 'b': sb_appendc(out, '\b'); break;
        case 'f': sb_appendc(out, '\f'); break;
        case 'n': sb_appendc(out, '\n'); break;
        case 'r': sb_appendc(out, '\r'); break;
        case 't': sb_appendc(out, '\t'); break;
        case 'v': sb_appendc(out, '\v'); break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            uint32_t v = (uint32_t)(e - '0');
            for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; k++)
                v = v * 8 + (uint32_t)(s[i++] - '0');
            append_cp(out, v);
            break;
        }
        case 'x': case 'u': case 'U': {
            int want = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            uint32_t v = 0;
            int got = 0;
            while (got < want && i < n &&
                   ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                    (s[i] >= 'A' && s[i] <= 'F'))) {
                v = v * 16 + (uint32_t)hexval(s[i++]);
                got++;
            }
            size_t pos0 = (size_t)(s + esc - body), pos1 = (size_t)(s + i - body) - 1;
            if (got < want) {
                p_error_tok(p, t,
                            "(unicode error) 'unicodeescape' codec can't decode bytes in position "
                            "%zu-%zu: truncated \\%s escape",
                            pos0, pos1, e == 'x' ? "xXX" : e == 'u' ? "uXXXX" : "UXXXXXXXX");
                return false;
            }
            if (v > 0x10FFFF) {
                p_error_tok(p, t,
                            "(unicode error) 'unicodeescape' codec can't decode bytes in position "
                            "%zu-%zu: illegal Unicode character",
                            pos0, pos1);
                return false;
            }
            append_cp(out, v);
            break;
        }
        case 'N':
            p_unsupported(p, str_tok, "\\N{...} escapes");
            return false;
        default:
            /* unknown escapes stay as written (CPython warns) */
            sb_appendc(out, '\\');
            i--;
            break;
        }
    }
    return true;
}

/* ---- f-strings ---- */

typedef struct FBuild {
    StrBuf lit;       /* pending literal text */
    AstList values;
    int cap;
} FBuild;

static bool flush_literal(Parser *p, FBuild *b, const Token *first, const Token *last) {
    if (b->lit.len == 0) return true;
    if (sb_check(&b->lit, p->err)) { p->failed = true; return false; }
    AstNode *c = p_node(p, AST_CONSTANT, first, last);
    if (!c) return false;
    c->v.constant.value.type = AST_CONST_STR;
    c->v.constant.value.len = b->lit.len;
    c->v.constant.value.s = p_strdup(p, sb_str(&b->lit), b->lit.len);
    if (!c->v.constant.value.s) return false;
    sb_clear(&b->lit);
    return p_push(p, &b->values, &b->cap, c);
}

typedef struct FCtx {
    Parser *p;
    const Token *first, *last; /* the string tokens (node positions) */
    const Token *err_tok;      /* where CPython reports f-string errors */
    const Token *tok;          /* the string token being parsed */
    const char *body;          /* this token's body (for escape positions) */
    bool raw;
} FCtx;

#define FERR(fc, ...) (p_error_tok((fc)->p, (fc)->err_tok, __VA_ARGS__), false)

static bool fstring_body(FCtx *fc, size_t *pos, size_t end, int recurse, FBuild *b);

/* A replacement field; *pos just after '{'. */
static bool fstring_field(FCtx *fc, size_t *pos, size_t end, int recurse, FBuild *b) {
    Parser *p = fc->p;
    const char *src = p->src;
    if (recurse >= 2) return FERR(fc, "f-string: expressions nested too deeply");
    size_t i = *pos, expr_start = i;
    char quote = 0;
    int quote_size = 0, depth = 0;
    char stack[200];
    for (; i < end; i++) {
        char ch = src[i];
        if (ch == '\\') return FERR(fc, "f-string expression part cannot include a backslash");
        if (quote) {
            if (ch == quote) {
                if (quote_size == 3) {
                    if (i + 2 < end && src[i + 1] == ch && src[i + 2] == ch) {
                        i += 2;
                        quote = 0;
                    }
                } else {
                    quote = 0;
                }
            }
            continue;
        }
        if (ch == '\'' || ch == '"') {
            if (i + 2 < end && src[i + 1] == ch && src[i + 2] == ch) {
                quote_size = 3;
                i += 2;
            } else {
                quote_size = 1;
            }
            quote = ch;
            continue;
        }
        if (ch == '[' || ch == '{' || ch == '(') {
            if (depth >= 200) return FERR(fc, "f-string: too many nested parenthesis");
            stack[depth++] = ch;
            continue;
        }
        if (ch == '#') return FERR(fc, "f-string expression part cannot include '#'");
        if (depth == 0 && (ch == '!' || ch == ':' || ch == '}' || ch == '=' || ch == '>' || ch == '<')) {
            if (i + 1 < end) {
                char next = src[i + 1];
                if ((ch == '!' && next == '=') || (ch == '=' && next == '=') ||
                    (ch == '<' && next == '=') || (ch == '>' && next == '=')) {
                    i++;
                    continue;
                }
            }
            if (ch == '>' || ch == '<') continue;
            break;
        }
        if (ch == ']' || ch == '}' || ch == ')') {
            if (depth == 0) return FERR(fc, "f-string: unmatched '%c'", ch);
            char open = stack[--depth];
            if (!((open == '[' && ch == ']') || (open == '{' && ch == '}') || (open == '(' && ch == ')')))
                return FERR(fc, "f-string: closing parenthesis '%c' does not match opening parenthesis '%c'",
                            ch, open);
        }
    }
    if (quote) return FERR(fc, "f-string: unterminated string");
    if (depth) return FERR(fc, "f-string: unmatched '%c'", stack[depth - 1]);
    if (i >= end) return FERR(fc, "f-string: expecting '}'");
    size_t expr_end = i;
    bool blank = true;
    for (size_t k = expr_start; k < expr_end; k++)
        if (src[k] != ' ' && src[k] != '\t' && src[k] != '\n' && src[k] != '\r' && src[k] != '\f')
            blank = false;
    if (blank) return FERR(fc, "f-string: empty expression not allowed");
    AstNode *value = p_fstring_expr(p, expr_start, expr_end, fc->err_tok);
    if (!value) return false;
    bool debug = false;
    size_t debug_end = 0;
    if (src[i] == '=') {
        debug = true;
        i++;
        while (i < end && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r' || src[i] == '\f')) i++;
        debug_end = i;
    }
    int conversion = -1;
    if (i < end && src[i] == '!') {
        i++;
        if (i >= end) return FERR(fc, "f-string: expecting '}'");
        char conv = src[i++];
        if (conv != 's' && conv != 'r' && conv != 'a')
            return FERR(fc, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
        conversion = conv;
    }
    AstNode *spec = NULL;
    if (i < end && src[i] == ':') {
        i++;
        FBuild sb = {SB_INIT, {0}, 0};
        bool ok = fstring_body(fc, &i, end, recurse + 1, &sb) &&
                  flush_literal(p, &sb, fc->first, fc->last);
        sb_free(&sb.lit);
        if (!ok) return false;
        spec = p_node(p, AST_JOINED_STR, fc->first, fc->last);
        if (!spec) return false;
        spec->v.joined_str.values = sb.values;
    }
    if (i >= end || src[i] != '}') return FERR(fc, "f-string: expecting '}'");
    i++;
    if (debug) {
        sb_appendn(&b->lit, src + expr_start, debug_end - expr_start);
        if (conversion == -1 && !spec) conversion = 'r';
    }
    if (!flush_literal(p, b, fc->first, fc->last)) return false;
    AstNode *fv = p_node(p, AST_FORMATTED_VALUE, fc->first, fc->last);
    if (!fv) return false;
    fv->v.formatted_value.value = value;
    fv->v.formatted_value.conversion = conversion;
    fv->v.formatted_value.format_spec = spec;
    if (!p_push(p, &b->values, &b->cap, fv)) return false;
    *pos = i;
    return true;
}

/* Literal text and fields up to `end` (recurse 0) or up to the '}' closing a format spec
 * (recurse > 0; *pos is left on it). */
static bool fstring_body(FCtx *fc, size_t *pos, size_t end, int recurse, FBuild *b) {
    Parser *p = fc->p;
    const char *src = p->src;
    size_t i = *pos;
    while (i < end) {
        size_t run = i;
        while (i < end && src[i] != '{' && src[i] != '}') {
            if (src[i] == '\\' && !fc->raw && i + 1 < end) {
                if (src[i + 1] == 'N' && i + 2 < end && src[i + 2] == '{') {
                    while (i < end && src[i] != '}') i++;
                    if (i < end) i++;
                    continue;
                }
                i += 2;
                continue;
            }
            i++;
        }
        if (i > run && !decode_text(p, fc->err_tok, fc->tok, src + run, i - run, fc->raw, &b->lit, fc->body))
            return false;
        if (i >= end) break;
        char ch = src[i];
        if (ch == '{') {
            if (recurse == 0 && i + 1 < end && src[i + 1] == '{') {
                sb_appendc(&b->lit, '{');
                i += 2;
                continue;
            }
            i++;
            if (!fstring_field(fc, &i, end, recurse, b)) return false;
            continue;
        }
        /* '}' */
        if (recurse > 0) break;
        if (i + 1 < end && src[i + 1] == '}') {
            sb_appendc(&b->lit, '}');
            i += 2;
            continue;
        }
        return FERR(fc, "f-string: single '}' is not allowed");
    }
    *pos = i;
    return true;
}

/* strings: STRING+   (implicit concatenation; any f-string makes a JoinedStr) */
AstNode *p_strings(Parser *p) {
    int first_i = p->pos;
    while (p_at(p, TOK_STRING)) p_advance(p);
    int last_i = p->pos - 1;
    const Token *first = &p->toks[first_i], *last = &p->toks[last_i];
    const Token *after = p_cur(p); /* CPython reports f-string errors at the next token */
    if (p->failed) return NULL;
    bool any_f = false;
    const char *kind = NULL;
    for (int k = first_i; k <= last_i; k++) {
        const Token *t = &p->toks[k];
        for (size_t i = t->start; p->src[i] != '\'' && p->src[i] != '"'; i++) {
            char c = p->src[i];
            if (c == 'f' || c == 'F') any_f = true;
            if (c == 'b' || c == 'B') return p_unsupported(p, t, "bytes literals");
            if ((c == 'u' || c == 'U') && k == first_i) kind = "u";
        }
    }
    FBuild b = {SB_INIT, {0}, 0};
    bool ok = true;
    for (int k = first_i; k <= last_i && ok; k++) {
        const Token *t = &p->toks[k];
        size_t i = t->start;
        bool raw = false, fstr = false;
        for (; p->src[i] != '\'' && p->src[i] != '"'; i++) {
            char c = p->src[i];
            if (c == 'r' || c == 'R') raw = true;
            if (c == 'f' || c == 'F') fstr = true;
        }
        char q = p->src[i];
        size_t qn = (i + 2 < t->end && p->src[i + 1] == q && p->src[i + 2] == q &&
                     t->end - i >= 6) ? 3 : 1;
        size_t body = i + qn, body_end = t->end - qn;
        if (!fstr) {
            ok = decode_text(p, after, t, p->src + body, body_end - body, raw, &b.lit, p->src + body);
        } else {
            FCtx fc = {p, first, last, after, t, p->src + body, raw};
            size_t pos = body;
            ok = fstring_body(&fc, &pos, body_end, 0, &b);
        }
    }
    AstNode *n = NULL;
    if (ok && !any_f) {
        if (sb_check(&b.lit, p->err)) {
            p->failed = true;
        } else {
            n = p_node(p, AST_CONSTANT, first, last);
            if (n) {
                n->v.constant.value.type = AST_CONST_STR;
                n->v.constant.value.len = b.lit.len;
                n->v.constant.value.s = p_strdup(p, sb_str(&b.lit), b.lit.len);
                n->v.constant.value.kind = kind;
                if (!n->v.constant.value.s) n = NULL;
            }
        }
    } else if (ok) {
        if (flush_literal(p, &b, first, last)) {
            n = p_node(p, AST_JOINED_STR, first, last);
            if (n) n->v.joined_str.values = b.values;
        }
    }
    sb_free(&b.lit);
    if (!n) p->failed = true;
    return n;
}
