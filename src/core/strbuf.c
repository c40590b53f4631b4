/*
 * src/core/strbuf.c — growable string with a sticky failure flag.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

void sb_init(StrBuf *sb) {
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = false;
}

/* Makes room for `extra` more bytes plus the NUL; false (and failed set) if impossible. */
static bool reserve(StrBuf *sb, size_t extra) {
    if (sb->failed) return false;
    if (extra > SIZE_MAX - sb->len - 1) {
        sb->failed = true;
        return false;
    }
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap) return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *grown = mem_realloc(sb->data, cap, NULL);
    if (!grown) {
        sb->failed = true;
        return false;
    }
    sb->data = grown;
    sb->cap = cap;
    return true;
}

void sb_appendn(StrBuf *sb, const char *s, size_t n) {
    if (!reserve(sb, n)) return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void sb_append(StrBuf *sb, const char *s) { sb_appendn(sb, s, strlen(s)); }

void sb_appendc(StrBuf *sb, char c) { sb_appendn(sb, &c, 1); }

void sb_repeat(StrBuf *sb, char c, size_t count) {
    if (!reserve(sb, count)) return;
    memset(sb->data + sb->len, c, count);
    sb->len += count;
    sb->data[sb->len] = '\0';
}

void sb_appendf(StrBuf *sb, const char *fmt, ...) {
    if (sb->failed) return;
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        sb->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        sb_appendn(sb, small, (size_t)n);
        return;
    }
    if (!reserve(sb, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *sb_str(const StrBuf *sb) { return sb->data ? sb->data : ""; }

void sb_clear(StrBuf *sb) {
    sb->len = 0;
    sb->failed = false;
    if (sb->data) sb->data[0] = '\0';
}

void sb_truncate(StrBuf *sb, size_t len) {
    if (len >= sb->len) return;
    sb->len = len;
    sb->data[len] = '\0';
}

void sb_fail(StrBuf *sb) { sb->failed = true; }

int sb_check(const StrBuf *sb, Error *err) {
    if (!sb->failed) return ERR_OK;
    return err_set(err, ERR_MEMORY, "out of memory while building a string");
}

char *sb_take(StrBuf *sb) {
    if (sb->failed) {
        sb_free(sb);
        return NULL;
    }
    char *s = sb->data;
    if (!s) s = mem_strdup("", NULL);
    sb_init(sb);
    return s;
}

void sb_free(StrBuf *sb) {
    mem_free(sb->data);
    sb_init(sb);
}
