/*
 * src/core/vectors.c — word-vector files: the loaders and writers. See vectors.h.
 * See LICENSE (GPL-3.0-or-later).
 *
 * The loader reads the file in large blocks (never the whole file at once) and parses
 * lines in place. The matrix is allocated once: its row count comes from the header, or
 * from a first pass that counts newlines (a memchr scan, far cheaper than parsing), so
 * peak memory is the matrix plus the word table plus one block.
 */
#include "core/vectors.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/mem.h"
#include "core/rng.h"

#define BLOCK_SIZE ((size_t)2 << 20)
#define PROGRESS_STEP ((uint64_t)4 << 20)
#define MAX_BINARY_WORD 65536

/* ---- names ---- */

const char *vec_format_name(VecFormat f) {
    switch (f) {
    case VEC_FORMAT_GLOVE: return "glove";
    case VEC_FORMAT_WORD2VEC: return "word2vec";
    case VEC_FORMAT_WORD2VEC_BINARY: return "word2vec-binary";
    case VEC_FORMAT_FASTTEXT: return "fasttext";
    default: return "auto";
    }
}

const char *vec_format_label(VecFormat f) {
    switch (f) {
    case VEC_FORMAT_GLOVE: return "GloVe";
    case VEC_FORMAT_WORD2VEC: return "word2vec";
    case VEC_FORMAT_WORD2VEC_BINARY: return "word2vec binary";
    case VEC_FORMAT_FASTTEXT: return "fastText";
    default: return "auto";
    }
}

int vec_format_parse(const char *name, VecFormat *out, Error *err) {
    static const struct {
        const char *name;
        VecFormat f;
    } names[] = {{"auto", VEC_FORMAT_AUTO},
                 {"glove", VEC_FORMAT_GLOVE},
                 {"word2vec", VEC_FORMAT_WORD2VEC},
                 {"w2v", VEC_FORMAT_WORD2VEC},
                 {"word2vec-binary", VEC_FORMAT_WORD2VEC_BINARY},
                 {"word2vec_binary", VEC_FORMAT_WORD2VEC_BINARY},
                 {"bin", VEC_FORMAT_WORD2VEC_BINARY},
                 {"fasttext", VEC_FORMAT_FASTTEXT},
                 {"vec", VEC_FORMAT_FASTTEXT}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].f;
            return ERR_OK;
        }
    }
    return err_set(err, ERR_VALUE,
                   "unknown format '%s' (expected 'auto', 'glove', 'word2vec', "
                   "'word2vec-binary' or 'fasttext')",
                   name);
}

void vec_load_options_init(VecLoadOptions *o) {
    memset(o, 0, sizeof *o);
    o->format = VEC_FORMAT_AUTO;
    o->limit = -1;
    o->strict = true;
    o->unicode_errors = VEC_UTF8_STRICT;
    o->init_scale = 0.01;
}

/* ---- numbers ---- */

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static bool ieq(const char *s, size_t len, const char *word) {
    size_t n = strlen(word);
    if (len != n) return false;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != word[i]) return false;
    return true;
}

/* strtof on a copy of the field, with the C locale's decimal point. */
static float slow_strtof(const char *s, size_t len) {
    char buf[512];
    char *text = len < sizeof buf ? buf : mem_alloc(len + 1, NULL);
    if (!text) return NAN; /* unreachable in practice: only for fields over 511 bytes */
    memcpy(text, s, len);
    text[len] = '\0';
    const char *point = localeconv()->decimal_point;
    if (point && point[0] && point[0] != '.' && !point[1]) {
        char *dot = strchr(text, '.');
        if (dot) *dot = point[0];
    }
    float v = strtof(text, NULL);
    if (text != buf) mem_free(text);
    return v;
}

/* Parses the number starting at p (stopping at the first byte that cannot continue it):
 * returns the end of the number, or NULL when p does not start a decimal number (nan and
 * inf are left to vec_parse_float). */
static inline const char *scan_decimal(const char *p, const char *e, float *out) {
    const char *s = p;
    bool neg = false;
    if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    bool any = false, inexact = false;
    while (p < e && (unsigned)(*p - '0') < 10) {
        any = true;
        unsigned d = (unsigned)(*p - '0');
        if (digits < 19) {
            m = m * 10 + d;
            digits += m != 0; /* leading zeros are not significant */
        } else {
            exp10++;
            inexact |= d != 0;
        }
        p++;
    }
    if (p < e && *p == '.') {
        p++;
        while (p < e && (unsigned)(*p - '0') < 10) {
            any = true;
            unsigned d = (unsigned)(*p - '0');
            if (digits < 19) {
                m = m * 10 + d;
                digits += m != 0;
                exp10--;
            } else {
                inexact |= d != 0;
            }
            p++;
        }
    }
    if (!any) return NULL;
    if (p < e && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        bool eneg = false;
        if (q < e && (*q == '-' || *q == '+')) eneg = *q++ == '-';
        if (q == e || (unsigned)(*q - '0') >= 10) return NULL;
        int x = 0;
        while (q < e && (unsigned)(*q - '0') < 10) {
            if (x < 100000) x = x * 10 + (*q - '0');
            q++;
        }
        exp10 += eneg ? -x : x;
        p = q;
    }
    if (m == 0) {
        *out = neg ? -0.0f : 0.0f;
        return p;
    }
    if (!inexact && m <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
        /* Clinger's fast path: m and 10^|exp10| are exact doubles, so d is the correctly
         * rounded double of the exact value. Rounding d to float is then correct unless d
         * sits exactly on a midpoint between two floats (the value is a normal float:
         * 1e-22 <= |x| < 2^53 * 1e22). */
        double d = exp10 < 0 ? (double)m / pow10_exact[-exp10] : (double)m * pow10_exact[exp10];
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        if ((bits & UINT64_C(0x1fffffff)) != UINT64_C(0x10000000)) {
            float f = (float)d;
            *out = neg ? -f : f;
            return p;
        }
    }
    *out = slow_strtof(s, (size_t)(p - s));
    return p;
}

int vec_parse_float(const char *s, size_t len, float *out) {
    const char *e = s + len;
    const char *end = scan_decimal(s, e, out);
    if (end == e) return 0;
    if (end) return -1;
    const char *w = s + (len && (*s == '-' || *s == '+'));
    bool neg = len && *s == '-';
    size_t n = (size_t)(e - w);
    if (ieq(w, n, "nan")) {
        *out = neg ? -NAN : NAN;
        return 0;
    }
    if (ieq(w, n, "inf") || ieq(w, n, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    return -1;
}

int vec_format_float(float v, char out[32]) {
    int n = 0;
    for (int prec = 6; prec <= 9; prec++) {
        n = snprintf(out, 32, "%.*g", prec, (double)v);
        if (isnan(v) || isinf(v) || strtof(out, NULL) == v) break;
    }
    return n;
}

/* ---- UTF-8 ---- */

int vec_utf8_check(const char *s, size_t len, size_t *pos, const char **reason) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int need;
        unsigned lo = 0x80, hi = 0xbf; /* allowed range of the first continuation byte */
        if (c >= 0xc2 && c <= 0xdf) need = 1;
        else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else {
            *pos = i;
            *reason = "invalid start byte";
            return -1;
        }
        for (int k = 1; k <= need; k++) {
            if (i + (size_t)k >= len) {
                *pos = i;
                *reason = "unexpected end of data";
                return -1;
            }
            unsigned b = p[i + (size_t)k];
            unsigned blo = k == 1 ? lo : 0x80, bhi = k == 1 ? hi : 0xbf;
            if (b < blo || b > bhi) {
                *pos = i;
                *reason = "invalid continuation byte";
                return -1;
            }
        }
        i += (size_t)need + 1;
    }
    return 0;
}

/* The length of the valid prefix of the invalid sequence at s (the bytes Python's
 * decoder consumes as one error): at least 1. */
static size_t utf8_bad_length(const unsigned char *p, size_t len) {
    unsigned c = p[0];
    int need;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 1;
    }
    size_t k = 1;
    for (; k <= (size_t)need && k < len; k++) {
        unsigned b = p[k];
        unsigned blo = k == 1 ? lo : 0x80, bhi = k == 1 ? hi : 0xbf;
        if (b < blo || b > bhi) break;
    }
    return k;
}

/* Python's errors='replace' / 'ignore' decoding of s into out (re-encoded as UTF-8). */
static size_t utf8_repair(const char *s, size_t len, char *out, bool replace) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len) {
        size_t pos;
        const char *reason;
        if (vec_utf8_check(s + i, len - i, &pos, &reason) == 0) {
            memcpy(out + o, s + i, len - i);
            o += len - i;
            break;
        }
        memcpy(out + o, s + i, pos);
        o += pos;
        i += pos;
        i += utf8_bad_length(p + i, len - i);
        if (replace) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
        }
    }
    return o;
}

/* Copies at most 63 bytes of a word into an issue example, cut at a character boundary
 * and with invalid bytes shown as '?'. */
static void example_word(char dst[64], const char *w, size_t len) {
    size_t o = 0, i = 0;
    while (i < len && o < 63) {
        size_t pos;
        const char *reason;
        size_t chunk = len - i < 63 - o ? len - i : 63 - o;
        if (vec_utf8_check(w + i, chunk, &pos, &reason) == 0) pos = chunk;
        if (pos == 0) {
            /* Invalid here, or a character cut by the limit. */
            if (strcmp(reason, "unexpected end of data") == 0 && chunk < len - i) break;
            dst[o++] = '?';
            i++;
            continue;
        }
        memcpy(dst + o, w + i, pos);
        o += pos;
        i += pos;
    }
    dst[o] = '\0';
}

static void note(VecIssue *is, int64_t line, const char *w, size_t len) {
    if (is->count < VEC_EXAMPLES) {
        is->line[is->count] = line;
        example_word(is->word[is->count], w, len);
    }
    is->count++;
}

/* ---- buffered reading ---- */

typedef struct Reader {
    int fd;
    const char *path;
    char *buf;
    size_t cap, start, end; /* valid bytes are buf[start, end) */
    size_t scanned;         /* bytes after start already searched for a newline */
    bool eof;
    uint64_t consumed;      /* file offset of buf[start] */
} Reader;

/* Makes at least n bytes available from start (fewer only at end of file). */
static int reader_ensure(Reader *r, size_t n, Error *err) {
    while (r->end - r->start < n && !r->eof) {
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->cap - r->end < BLOCK_SIZE / 2 || r->cap < n) {
            size_t cap = r->cap * 2 > n + BLOCK_SIZE ? r->cap * 2 : n + BLOCK_SIZE;
            char *grown = mem_realloc(r->buf, cap, err);
            if (!grown) return ERR_MEMORY;
            r->buf = grown;
            r->cap = cap;
        }
        size_t got;
        if (fio_read(r->fd, r->buf + r->end, r->cap - r->end, &got, r->path, err)) return err->code;
        if (got == 0) r->eof = true;
        r->end += got;
    }
    return ERR_OK;
}

static void reader_skip(Reader *r, size_t n) {
    r->start += n;
    r->consumed += n;
    r->scanned = 0;
}

/* The next line (without its newline): returns 1 with the line, its length and whether a
 * newline ended it; 0 at end of file; -1 on a read error (err set). */
static int reader_line(Reader *r, const char **line, size_t *len, bool *newline, Error *err) {
    for (;;) {
        char *from = r->buf + r->start + r->scanned;
        size_t avail = r->end - r->start - r->scanned;
        char *nl = avail ? memchr(from, '\n', avail) : NULL;
        if (nl) {
            *line = r->buf + r->start;
            *len = (size_t)(nl - *line);
            *newline = true;
            return 1;
        }
        r->scanned = r->end - r->start;
        if (r->eof) {
            if (r->end == r->start) return 0;
            *line = r->buf + r->start;
            *len = r->end - r->start;
            *newline = false;
            return 1;
        }
        if (reader_ensure(r, r->end - r->start + 1, err)) return -1;
    }
}

/* ---- the loader ---- */

typedef struct Loader {
    const VecLoadOptions *o;
    VecLoad *out;
    const char *path;
    char shown[300];        /* repr(path) */
    Reader r;
    int64_t lineno;
    int64_t dim;
    bool dim_from_header;
    int64_t cap_rows;       /* full mode: rows allocated */
    float *data;            /* the matrix */
    float *row;             /* vocabulary mode: one parsed row */
    char *fixed;            /* a word repaired under 'replace'/'ignore' */
    size_t fixed_cap;
    const char **fstart, **fend; /* fields of the slow path */
    size_t fcap;
    bool want_spaces;       /* some wanted word contains a space */
    uint64_t next_progress, total;
} Loader;

static int progress(Loader *L, Error *err) {
    uint64_t done = L->r.consumed;
    if (!L->o->progress || done < L->next_progress) return ERR_OK;
    L->next_progress = done + PROGRESS_STEP;
    if (L->o->progress(L->o->progress_ctx, done, L->total))
        return err_set(err, ERR_INTERRUPT, "%s", "");
    return ERR_OK;
}

static bool is_space_end(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool all_digits(const char *s, size_t n) {
    if (n == 0 || n > 18) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned)(s[i] - '0') >= 10) return false;
    return true;
}

/* Is the (stripped) line a "count dim" header? */
static bool parse_header(const char *s, size_t len, int64_t *count, int64_t *dim) {
    size_t i = 0;
    while (i < len && s[i] == ' ') i++;
    size_t a = i;
    while (i < len && s[i] != ' ' && s[i] != '\t') i++;
    size_t alen = i - a;
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    size_t b = i;
    while (i < len && s[i] != ' ' && s[i] != '\t') i++;
    size_t blen = i - b;
    if (i != len || !all_digits(s + a, alen) || !all_digits(s + b, blen)) return false;
    /* The digits within the line only (strtoll would read on past `len`: the line need
     * not be terminated); at most 18 of them, so no overflow. */
    int64_t v = 0, w = 0;
    for (size_t k = 0; k < alen; k++) v = v * 10 + (s[a + k] - '0');
    for (size_t k = 0; k < blen; k++) w = w * 10 + (s[b + k] - '0');
    *count = v;
    *dim = w;
    return true;
}

/* Splits [s, s+len) into fields separated by runs of spaces (no leading empty field:
 * a line starting with spaces has its word start at the first non-space). */
static int split_fields(Loader *L, const char *s, size_t len, size_t *nfields, Error *err) {
    size_t n = 0, i = 0;
    while (i < len) {
        while (i < len && s[i] == ' ') i++;
        if (i == len) break;
        size_t j = i;
        while (j < len && s[j] != ' ') j++;
        if (n == L->fcap) {
            size_t cap = L->fcap ? L->fcap * 2 : 512;
            const char **a = mem_realloc((void *)L->fstart, cap * sizeof *a, err);
            if (!a) return ERR_MEMORY;
            L->fstart = a;
            const char **b = mem_realloc((void *)L->fend, cap * sizeof *b, err);
            if (!b) return ERR_MEMORY;
            L->fend = b;
            L->fcap = cap;
        }
        L->fstart[n] = s + i;
        L->fend[n] = s + j;
        n++;
        i = j;
    }
    *nfields = n;
    return ERR_OK;
}

static bool is_number(const char *s, const char *e) {
    float f;
    return vec_parse_float(s, (size_t)(e - s), &f) == 0;
}

/* Shows at most 40 bytes of a field (for "could not convert string to float: '...'"). */
static void field_text(char out[64], const char *s, const char *e) {
    size_t n = (size_t)(e - s);
    bool cut = n > 40;
    example_word(out, s, cut ? 40 : n);
    if (cut) strcat(out, "...");
}

/* A malformed line: error (strict) or skipped and counted. */
static int malformed(Loader *L, const char *word, size_t wlen, bool truncated, int64_t have,
                     Error *err) {
    if (!L->o->strict) {
        if (truncated) {
            L->out->truncated = true;
            L->out->truncated_line = L->lineno;
        } else {
            note(&L->out->malformed, L->lineno, word, wlen);
        }
        return ERR_OK;
    }
    char w[64];
    example_word(w, word, wlen);
    if (truncated) {
        err_set(err, ERR_VALUE,
                "line %lld of %s is cut short: '%s' has %lld of %lld values (the file ends "
                "there)",
                (long long)L->lineno, L->shown, w, (long long)have, (long long)L->dim);
        err_hint(err, "an interrupted download? pass strict=False to load the lines before it");
        return ERR_VALUE;
    }
    err_set(err, ERR_VALUE, "line %lld of %s: '%s' has %lld values, expected %lld%s",
            (long long)L->lineno, L->shown, w, (long long)have, (long long)L->dim,
            L->dim_from_header ? " (the header's dimension)" : " (as the first line)");
    err_hint(err, "pass strict=False to skip malformed lines");
    return ERR_VALUE;
}

static int bad_number(Loader *L, const char *s, const char *e, Error *err) {
    char shown[64];
    field_text(shown, s, e);
    if (!L->o->strict) {
        note(&L->out->malformed, L->lineno, s, (size_t)(e - s));
        return ERR_OK;
    }
    err_set(err, ERR_VALUE, "line %lld of %s: could not convert string to float: '%s'",
            (long long)L->lineno, L->shown, shown);
    err_hint(err, "pass strict=False to skip malformed lines");
    return ERR_VALUE;
}

/* Checks and (under 'replace'/'ignore') repairs the UTF-8 of a word. *skip is set when
 * the line must be dropped. */
static int check_word(Loader *L, const char **word, size_t *wlen, Error *err) {
    size_t pos;
    const char *reason;
    /* ASCII fast path. */
    const unsigned char *p = (const unsigned char *)*word;
    size_t i = 0;
    while (i < *wlen && p[i] < 0x80) i++;
    if (i == *wlen || vec_utf8_check(*word, *wlen, &pos, &reason) == 0) return ERR_OK;
    if (L->o->unicode_errors == VEC_UTF8_STRICT) {
        /* Python's wording: one byte, or the run of bytes the data ends inside. */
        if (strcmp(reason, "unexpected end of data") == 0 && *wlen - pos > 1)
            err_set(err, ERR_UNICODE_DECODE, "'utf-8' codec can't decode bytes in position %zu-%zu: %s",
                    pos, *wlen - 1, reason);
        else
            err_set(err, ERR_UNICODE_DECODE, "'utf-8' codec can't decode byte 0x%02x in position %zu: %s",
                    (unsigned)p[pos], pos, reason);
        err_hint(err, "in the word on %s %lld of %s; pass unicode_errors='replace' or 'ignore' "
                      "to load it anyway",
                 L->out->format == VEC_FORMAT_WORD2VEC_BINARY ? "entry" : "line",
                 (long long)L->lineno, L->shown);
        return ERR_UNICODE_DECODE;
    }
    note(&L->out->bad_utf8, L->lineno, *word, *wlen);
    if (L->fixed_cap < *wlen * 3 + 1) {
        char *grown = mem_realloc(L->fixed, *wlen * 3 + 1, err);
        if (!grown) return ERR_MEMORY;
        L->fixed = grown;
        L->fixed_cap = *wlen * 3 + 1;
    }
    *wlen = utf8_repair(*word, *wlen, L->fixed, L->o->unicode_errors == VEC_UTF8_REPLACE);
    *word = L->fixed;
    return ERR_OK;
}

static int64_t count_nonfinite(const float *v, int64_t n) {
    int64_t bad = 0;
    for (int64_t i = 0; i < n; i++) bad += !isfinite(v[i]);
    return bad;
}

/* Stores a parsed vector `vec` for `word` (full mode: vec is already row `count`). */
static int accept(Loader *L, const char *word, size_t wlen, const float *vec, Error *err) {
    VecLoad *out = L->out;
    int64_t bad = count_nonfinite(vec, L->dim);
    if (bad) {
        out->nonfinite_values += bad;
        note(&out->nonfinite, L->lineno, word, wlen);
    }
    out->rows++;
    if (L->o->want) {
        int64_t e = wt_find(L->o->want, word, wlen);
        if (e < 0) return ERR_OK;
        int64_t r = wt_value(L->o->want, e);
        if (out->found[r]) {
            note(&out->duplicates, L->lineno, word, wlen);
            return ERR_OK;
        }
        memcpy(L->data + r * L->dim, vec, (size_t)L->dim * sizeof(float));
        out->found[r] = 1;
        out->found_words++;
        return ERR_OK;
    }
    if (check_word(L, &word, &wlen, err)) return err->code;
    int added = wt_add(&out->words, word, wlen, out->count, NULL, err);
    if (added < 0) return err->code;
    if (added == 0) {
        note(&out->duplicates, L->lineno, word, wlen);
        return ERR_OK;
    }
    out->count++;
    return ERR_OK;
}

/* The slow path for a line the fast path could not take: words with spaces, too few or
 * too many values, bad numbers, odd spacing. */
static int slow_line(Loader *L, const char *s, size_t len, bool newline, float *dest, Error *err) {
    size_t n;
    if (split_fields(L, s, len, &n, err)) return err->code;
    const char *word = L->fstart[0];
    size_t wlen = (size_t)(L->fend[0] - L->fstart[0]);
    int64_t values = (int64_t)n - 1;
    if (values < L->dim) /* a last line without newline was cut short */
        return malformed(L, word, wlen, !newline, values, err);
    size_t first = n - (size_t)L->dim; /* the first value field */
    if (first > 1) {
        bool numeric = true;
        for (size_t k = 1; k < first && numeric; k++) numeric = is_number(L->fstart[k], L->fend[k]);
        if (numeric) return malformed(L, word, wlen, false, values, err);
        const char *wend = L->fstart[first];
        while (wend > word && wend[-1] == ' ') wend--;
        wlen = (size_t)(wend - word);
    }
    for (size_t k = first; k < n; k++) {
        if (vec_parse_float(L->fstart[k], (size_t)(L->fend[k] - L->fstart[k]), &dest[k - first])) {
            /* The file ends inside this (last) number: "0.12" cut to "-" or "1e". */
            if (!newline && k == n - 1)
                return malformed(L, word, wlen, true, (int64_t)(k - first), err);
            return bad_number(L, L->fstart[k], L->fend[k], err);
        }
    }
    if (first > 1) note(&L->out->spaced, L->lineno, word, wlen);
    return accept(L, word, wlen, dest, err);
}

static float *row_slot(Loader *L) {
    return L->o->want ? L->row : L->data + L->out->count * L->dim;
}

/* One data line (stripped, non-empty). */
static int data_line(Loader *L, const char *s, size_t len, bool newline, Error *err) {
    const char *e = s + len;
    const char *sp = memchr(s, ' ', len);
    if (!sp || sp == s) {
        /* No values at all, or a line starting with spaces: the slow path sorts it out. */
        return slow_line(L, s, len, newline, row_slot(L), err);
    }
    if (L->o->want && !L->want_spaces && wt_find(L->o->want, s, (size_t)(sp - s)) < 0) {
        L->out->rows++;
        return ERR_OK;
    }
    float *dest = row_slot(L);
    const char *p = sp;
    int64_t d = L->dim;
    for (int64_t k = 0; k < d; k++) {
        while (p < e && *p == ' ') p++;
        const char *q = scan_decimal(p, e, &dest[k]);
        if (!q || (q < e && *q != ' ')) return slow_line(L, s, len, newline, dest, err);
        p = q;
    }
    if (p != e) return slow_line(L, s, len, newline, dest, err);
    return accept(L, s, (size_t)(sp - s), dest, err);
}

/* Sets D from the first data line: the numeric fields after the word, counted back from
 * the end of the line. */
static int first_line_dim(Loader *L, const char *s, size_t len, Error *err) {
    size_t n;
    if (split_fields(L, s, len, &n, err)) return err->code;
    size_t k = n;
    while (k > 1 && is_number(L->fstart[k - 1], L->fend[k - 1])) k--;
    int64_t dim = (int64_t)(n - k);
    if (dim == 0) {
        char w[64];
        field_text(w, s, s + len);
        err_set(err, ERR_VALUE, "line %lld of %s has no vector: '%s'", (long long)L->lineno,
                L->shown, w);
        err_hint(err, "is this a word-vector file (GloVe, word2vec or fastText text)?");
        return ERR_VALUE;
    }
    L->dim = dim;
    return ERR_OK;
}

/* Rows to allocate for a header-less text file: its newlines (+1 for a last line
 * without one), counted with pread so the reader is undisturbed. */
static int count_lines(Loader *L, int64_t *lines, Error *err) {
    char *buf = mem_alloc(BLOCK_SIZE, err);
    if (!buf) return ERR_MEMORY;
    int64_t n = 0;
    off_t off = 0;
    char last = '\n';
    for (;;) {
        ssize_t got = pread(L->r.fd, buf, BLOCK_SIZE, off);
        if (got < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            mem_free(buf);
            return fio_set_errno(err, e, L->path);
        }
        if (got == 0) break;
        const char *p = buf, *end = buf + got;
        while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            n++;
            p++;
        }
        last = buf[got - 1];
        off += got;
    }
    mem_free(buf);
    *lines = n + (last != '\n');
    return ERR_OK;
}

static int check_dim(Loader *L, Error *err) {
    if (L->dim <= 0)
        return err_set(err, ERR_VALUE, "%s: the header gives dimension %lld", L->shown,
                       (long long)L->dim);
    if (L->o->dim > 0 && L->dim != L->o->dim) {
        err_set(err, ERR_VALUE, "%s has %lld-dimensional vectors, but %lld were asked for",
                L->shown, (long long)L->dim, (long long)L->o->dim);
        err_hint(err, "pass the file's dimension (%lld), or use the file made for %lld",
                 (long long)L->dim, (long long)L->o->dim);
        return ERR_VALUE;
    }
    return ERR_OK;
}

/* Allocates the matrix once D (and, in full mode, an upper bound on rows) is known. */
static int allocate(Loader *L, int64_t rows, Error *err) {
    VecLoad *out = L->out;
    if (L->o->want) {
        rows = L->o->want_rows;
    } else if (L->o->limit >= 0 && rows > L->o->limit) {
        rows = L->o->limit;
    }
    /* The matrix first: the tensor budget refuses a header's absurd dimension before the
     * row buffer below would ask malloc for it. */
    int64_t shape[2] = {rows, L->dim};
    out->vectors = tensor_zeros(DTYPE_FLOAT32, 2, shape, err);
    if (!out->vectors) return err->code;
    if (L->o->want) {
        out->found = mem_calloc(rows > 0 ? (size_t)rows : 1, 1, err);
        L->row = mem_alloc((size_t)L->dim * sizeof(float), err);
        if (!out->found || !L->row) return ERR_MEMORY;
    }
    L->cap_rows = rows;
    L->data = (float *)out->vectors->storage->data;
    if (L->o->want && L->o->init_random && rows > 0) {
        Generator *g = L->o->gen;
        if (!g) return err_set(err, ERR_VALUE, "random initialisation needs a generator");
        if (rng_normal_(g, out->vectors, 0.0, 1.0, err)) return err->code;
        float scale = (float)L->o->init_scale;
        int64_t n = rows * L->dim;
        for (int64_t i = 0; i < n; i++) L->data[i] *= scale;
    }
    if (!L->o->want &&
        wt_reserve(&out->words, rows, (size_t)rows * 10 + 64, err))
        return err->code;
    return ERR_OK;
}

static bool want_has_spaces(const WordTab *t) {
    for (int64_t i = 0; i < wt_count(t); i++) {
        size_t len;
        const char *w = wt_word(t, i, &len);
        if (memchr(w, ' ', len)) return true;
    }
    return false;
}

static bool reached_limit(Loader *L) {
    VecLoad *out = L->out;
    if (L->o->limit >= 0 && out->rows >= L->o->limit) return true;
    if (out->header && out->rows >= out->header_count) return true;
    if (!L->o->want && out->count >= L->cap_rows) return true;
    return false;
}

static int load_text(Loader *L, Error *err) {
    VecLoad *out = L->out;
    const char *line;
    size_t len;
    bool newline;
    bool first = true;
    int rc;
    while ((rc = reader_line(&L->r, &line, &len, &newline, err)) == 1) {
        L->lineno++;
        size_t used = len + newline;
        while (len > 0 && is_space_end(line[len - 1])) len--;
        if (L->lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
            line += 3;
            len -= 3;
        }
        if (len == 0) {
            out->blank_lines++;
            reader_skip(&L->r, used);
            continue;
        }
        if (first) {
            first = false;
            int64_t count, dim;
            if (parse_header(line, len, &count, &dim)) {
                out->header = true;
                out->header_count = count;
                L->dim = dim;
                L->dim_from_header = true;
                if (check_dim(L, err)) return err->code;
                /* Each text vector takes at least 2 bytes per value. */
                int64_t bound = (int64_t)(L->total / (uint64_t)(2 * dim)) + 1;
                if (allocate(L, count < bound ? count : bound, err)) return err->code;
                reader_skip(&L->r, used);
                continue;
            }
            if (first_line_dim(L, line, len, err) || check_dim(L, err)) return err->code;
            /* Rows to allocate: the lines (counted) or, with a limit, the limit (no need to
             * read a huge file twice to load its first words). */
            int64_t lines = 0, bound = (int64_t)(L->total / (uint64_t)(2 * L->dim)) + 1;
            if (!L->o->want && L->o->limit >= 0 && L->o->limit <= bound) lines = L->o->limit;
            else if (!L->o->want && count_lines(L, &lines, err)) return err->code;
            if (allocate(L, lines, err)) return err->code;
        }
        if (reached_limit(L)) {
            out->limited = true;
            break;
        }
        if (data_line(L, line, len, newline, err)) return err->code;
        reader_skip(&L->r, used);
        if (progress(L, err)) return err->code;
    }
    if (rc < 0) return err->code;
    if (out->header && out->rows < out->header_count && !out->limited &&
        (L->o->limit < 0 || out->rows < L->o->limit))
        out->short_count = true;
    return ERR_OK;
}

static int binary_eof(Loader *L, Error *err) {
    if (!L->o->strict) {
        L->out->truncated = true;
        L->out->truncated_line = L->lineno;
        return ERR_OK;
    }
    err_set(err, ERR_EOF, "unexpected end of input; is count incorrect or file otherwise damaged?");
    err_hint(err, "%s ends inside entry %lld of %lld; pass strict=False to load the entries before it",
             L->shown, (long long)L->lineno, (long long)L->out->header_count);
    return ERR_EOF;
}

static bool host_is_little_endian(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static int load_binary(Loader *L, Error *err) {
    VecLoad *out = L->out;
    Reader *r = &L->r;
    size_t vbytes = (size_t)L->dim * 4;
    bool swap = !host_is_little_endian();
    while (!reached_limit(L)) {
        /* Skip the newline word2vec.c writes after each vector (gensim's lstrip('\n')). */
        for (;;) {
            if (reader_ensure(r, 1, err)) return err->code;
            if (r->end == r->start) break;
            if (r->buf[r->start] != '\n') break;
            reader_skip(r, 1);
        }
        if (r->end == r->start) {
            if (out->rows >= out->header_count) break;
            if (!L->o->strict) {
                out->short_count = true;
                break;
            }
            L->lineno = out->rows + 1;
            return binary_eof(L, err);
        }
        L->lineno = out->rows + 1;
        /* The word runs to the first space. */
        const char *sp = NULL;
        size_t look = 0;
        for (;;) {
            size_t avail = r->end - r->start;
            sp = avail > look ? memchr(r->buf + r->start + look, ' ', avail - look) : NULL;
            if (sp) break;
            look = avail;
            if (avail > MAX_BINARY_WORD) {
                err_set(err, ERR_VALUE,
                        "entry %lld of %s: no space after the word within %d bytes; is this "
                        "really word2vec binary?",
                        (long long)L->lineno, L->shown, MAX_BINARY_WORD);
                return ERR_VALUE;
            }
            if (r->eof) return binary_eof(L, err);
            if (reader_ensure(r, avail + 1, err)) return err->code;
        }
        size_t wlen = (size_t)(sp - (r->buf + r->start));
        if (reader_ensure(r, wlen + 1 + vbytes, err)) return err->code;
        if (r->end - r->start < wlen + 1 + vbytes) return binary_eof(L, err);
        const char *word = r->buf + r->start;
        float *dest = row_slot(L);
        memcpy(dest, word + wlen + 1, vbytes);
        if (swap) {
            for (int64_t k = 0; k < L->dim; k++) {
                uint32_t u;
                memcpy(&u, &dest[k], 4);
                u = (u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) | (u << 24);
                memcpy(&dest[k], &u, 4);
            }
        }
        if (L->o->want && !L->want_spaces && wt_find(L->o->want, word, wlen) < 0) out->rows++;
        else if (accept(L, word, wlen, dest, err)) return err->code;
        reader_skip(r, wlen + 1 + vbytes);
        if (progress(L, err)) return err->code;
    }
    if (reached_limit(L) && out->rows < out->header_count) out->limited = true;
    return ERR_OK;
}

/* Does the text after the header look like raw float bytes? */
static bool looks_binary(Reader *r, size_t from, int64_t dim) {
    const char *p = r->buf + r->start + from;
    size_t avail = r->end - r->start - from;
    size_t window = avail < 4096 ? avail : 4096;
    const char *sp = memchr(p, ' ', window);
    if (!sp) return false;
    size_t off = (size_t)(sp - p) + 1;
    size_t n = (size_t)dim * 4;
    if (off + n > avail) n = avail - off;
    /* Text: number characters up to the end of the line, with at least one digit. */
    static const char text_chars[] = "0123456789.-+eEnNaAiIfFtTyY \t\r";
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[off + i];
        if (c == '\n') break;
        if (c == '\0' || !strchr(text_chars, c)) return true;
        digit |= c >= '0' && c <= '9';
    }
    return !digit;
}

static int refuse_archive(Loader *L, const unsigned char *b, size_t n, Error *err) {
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
        err_set(err, ERR_VALUE, "%s is gzip-compressed", L->shown);
        err_hint(err, "decompress it first: gunzip -k FILE");
        return ERR_VALUE;
    }
    if (n >= 3 && memcmp(b, "BZh", 3) == 0) {
        err_set(err, ERR_VALUE, "%s is bzip2-compressed", L->shown);
        err_hint(err, "decompress it first: bunzip2 -k FILE");
        return ERR_VALUE;
    }
    if (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0) {
        err_set(err, ERR_VALUE, "%s is a zip archive", L->shown);
        err_hint(err, "unzip it first and load one of the .txt files inside");
        return ERR_VALUE;
    }
    if (n >= 4 && b[0] == 0xba && b[1] == 0x16 && b[2] == 0x4f && b[3] == 0x2f) {
        err_set(err, ERR_VALUE, "%s is a fastText model (.bin), not a vector file", L->shown);
        err_hint(err, "load the .vec file fastText writes next to it");
        return ERR_VALUE;
    }
    return ERR_OK;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Reads the header line of a binary file (into L) and leaves the reader after it. */
static int binary_header(Loader *L, Error *err) {
    const char *line;
    size_t len;
    bool newline;
    int rc = reader_line(&L->r, &line, &len, &newline, err);
    if (rc < 0) return err->code;
    L->lineno = 1;
    size_t used = len + newline;
    while (len > 0 && is_space_end(line[len - 1])) len--;
    int64_t count, dim;
    if (rc == 0 || !parse_header(line, len, &count, &dim)) {
        char shown[64];
        field_text(shown, line, line + (rc ? len : 0));
        err_set(err, ERR_VALUE, "line 1 of %s: expected the header 'count dim' of word2vec "
                                "binary, found '%s'",
                L->shown, shown);
        return ERR_VALUE;
    }
    L->out->header = true;
    L->out->header_count = count;
    L->dim = dim;
    L->dim_from_header = true;
    reader_skip(&L->r, used);
    if (check_dim(L, err)) return err->code;
    int64_t bound = (int64_t)(L->total / (uint64_t)(4 * dim + 1)) + 1;
    return allocate(L, count < bound ? count : bound, err);
}

/* Shrinks the full-mode matrix to the rows loaded (a view when little is unused). */
static int finish(Loader *L, Error *err) {
    VecLoad *out = L->out;
    if (L->o->want || out->count == L->cap_rows) return ERR_OK;
    Tensor *t = out->vectors, *smaller;
    if (out->count * 8 >= L->cap_rows * 7) {
        smaller = tensor_slice(t, 0, true, 0, true, out->count, 1, err);
    } else {
        int64_t shape[2] = {out->count, L->dim};
        smaller = tensor_zeros(DTYPE_FLOAT32, 2, shape, err);
        if (smaller)
            memcpy(smaller->storage->data, L->data, (size_t)(out->count * L->dim) * sizeof(float));
    }
    if (!smaller) return err->code;
    tensor_release(t);
    out->vectors = smaller;
    return ERR_OK;
}

static void loader_free(Loader *L) {
    fio_close(L->r.fd);
    mem_free(L->r.buf);
    mem_free(L->row);
    mem_free(L->fixed);
    mem_free((void *)L->fstart);
    mem_free((void *)L->fend);
}

void vec_load_free(VecLoad *r) {
    if (!r) return;
    tensor_release(r->vectors);
    wt_free(&r->words);
    mem_free(r->found);
    memset(r, 0, sizeof *r);
}

int vec_load(const char *path, const VecLoadOptions *opts, VecLoad *out, Error *err) {
    Error local;
    if (!err) err = &local;
    err_clear(err);
    memset(out, 0, sizeof *out);
    wt_init(&out->words);
    VecLoadOptions defaults;
    if (!opts) {
        vec_load_options_init(&defaults);
        opts = &defaults;
    }
    Loader L;
    memset(&L, 0, sizeof L);
    L.o = opts;
    L.out = out;
    L.path = path;
    L.r.fd = -1;
    L.r.path = path;
    fio_repr_path(path, L.shown, sizeof L.shown);
    if (opts->want && opts->want_rows < 0) {
        err_set(err, ERR_VALUE, "want_rows must be >= 0");
        return ERR_VALUE;
    }
    if (opts->want) L.want_spaces = want_has_spaces(opts->want);
    if (fio_open_read(path, &L.r.fd, &L.total, err)) return err->code;
    int rc = reader_ensure(&L.r, 4096, err);
    if (rc) goto fail;
    if (L.r.end == 0) {
        err_set(err, ERR_VALUE, "%s is empty: there are no vectors to load", L.shown);
        rc = ERR_VALUE;
        goto fail;
    }
    if ((rc = refuse_archive(&L, (const unsigned char *)L.r.buf, L.r.end, err))) goto fail;
    VecFormat f = opts->format;
    /* Sniff a header and, after it, binary data. */
    const char *nl = memchr(L.r.buf, '\n', L.r.end);
    int64_t hcount = 0, hdim = 0;
    bool has_header = false;
    if (nl) {
        size_t hl = (size_t)(nl - L.r.buf);
        while (hl > 0 && is_space_end(L.r.buf[hl - 1])) hl--;
        has_header = parse_header(L.r.buf, hl, &hcount, &hdim);
    }
    bool binary = has_header && hdim > 0 && looks_binary(&L.r, (size_t)(nl - L.r.buf) + 1, hdim);
    if (f == VEC_FORMAT_AUTO) {
        if (binary) f = VEC_FORMAT_WORD2VEC_BINARY;
        else if (!has_header) f = VEC_FORMAT_GLOVE;
        else f = ends_with(path, ".vec") ? VEC_FORMAT_FASTTEXT : VEC_FORMAT_WORD2VEC;
    } else if (f == VEC_FORMAT_WORD2VEC_BINARY && has_header && !binary) {
        err_set(err, ERR_VALUE, "%s looks like word2vec text, not binary", L.shown);
        err_hint(err, "pass format='word2vec' (or format='auto')");
        rc = ERR_VALUE;
        goto fail;
    } else if (binary && f != VEC_FORMAT_WORD2VEC_BINARY) {
        err_set(err, ERR_VALUE, "%s looks like word2vec binary, not %s text", L.shown,
                vec_format_label(f));
        err_hint(err, "pass format='word2vec-binary' (or format='auto')");
        rc = ERR_VALUE;
        goto fail;
    }
    out->format = f;
    if (f == VEC_FORMAT_WORD2VEC_BINARY) {
        if ((rc = binary_header(&L, err)) || (rc = load_binary(&L, err))) goto fail;
    } else {
        if ((rc = load_text(&L, err))) goto fail;
    }
    if (L.dim == 0 || (!opts->want && out->count == 0)) {
        err_set(err, ERR_VALUE, "%s holds no vectors", L.shown);
        if (out->malformed.count) err_hint(err, "every line was malformed and skipped");
        rc = ERR_VALUE;
        goto fail;
    }
    out->dim = L.dim;
    if ((rc = finish(&L, err))) goto fail;
    loader_free(&L);
    return ERR_OK;
fail:
    loader_free(&L);
    vec_load_free(out);
    return rc ? rc : ERR_VALUE;
}

/* ---- writing ---- */

int vec_save_word2vec(const char *path, const Tensor *vectors, const char *const *words,
                      const size_t *lens, int64_t count, bool binary, Error *err) {
    Error local;
    if (!err) err = &local;
    if (vectors->ndim != 2)
        return err_set(err, ERR_VALUE, "expected a 2-D matrix of vectors, got %d dimensions",
                       vectors->ndim);
    if (!dtype_is_floating(vectors->dtype))
        return err_set(err, ERR_TYPE, "expected float vectors, got %s", dtype_name(vectors->dtype));
    int64_t rows = vectors->shape[0], dim = vectors->shape[1];
    if (rows != count)
        return err_set(err, ERR_VALUE, "%lld words for %lld vectors", (long long)count,
                       (long long)rows);
    for (int64_t i = 0; i < count; i++) {
        if (lens[i] == 0) return err_set(err, ERR_VALUE, "word %lld is empty", (long long)i);
        bool bad = memchr(words[i], '\n', lens[i]) || (binary && memchr(words[i], ' ', lens[i]));
        if (bad) {
            char w[64];
            example_word(w, words[i], lens[i]);
            err_set(err, ERR_VALUE, "word %lld ('%s') contains a %s, which the word2vec%s "
                                    "format cannot store",
                    (long long)i, w, memchr(words[i], '\n', lens[i]) ? "newline" : "space",
                    binary ? " binary" : "");
            return ERR_VALUE;
        }
    }
    FioWriter w;
    if (fio_writer_open(&w, path, err)) return err->code;
    char line[64];
    int n = snprintf(line, sizeof line, "%lld %lld\n", (long long)rows, (long long)dim);
    int rc = fio_write(&w, line, (size_t)n, err);
    bool swap = !host_is_little_endian();
    for (int64_t i = 0; i < rows && !rc; i++) {
        rc = fio_write(&w, words[i], lens[i], err);
        if (!rc && binary) rc = fio_write(&w, " ", 1, err);
        for (int64_t k = 0; k < dim && !rc; k++) {
            int64_t idx[2] = {i, k};
            float v = (float)tensor_load(vectors, tensor_index_offset(vectors, idx));
            if (binary) {
                uint32_t u;
                memcpy(&u, &v, 4);
                if (swap)
                    u = (u >> 24) | ((u >> 8) & 0xff00u) | ((u << 8) & 0xff0000u) | (u << 24);
                rc = fio_write(&w, &u, 4, err);
            } else {
                char num[33];
                num[0] = ' ';
                int len = vec_format_float(v, num + 1);
                rc = fio_write(&w, num, (size_t)len + 1, err);
            }
        }
        if (!rc && !binary) rc = fio_write(&w, "\n", 1, err);
    }
    if (rc) {
        fio_writer_abort(&w);
        return rc;
    }
    return fio_writer_commit(&w, err);
}
