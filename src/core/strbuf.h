/*
 * src/core/strbuf.h — a growable NUL-terminated string.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Appends never fail loudly: the first allocation failure makes the buffer "failed"
 * (sticky), later appends are ignored, and sb_check() reports ERR_MEMORY once at the end.
 * This keeps formatting code linear: append, append, append, then check.
 *
 *     StrBuf sb = SB_INIT;
 *     sb_append(&sb, "tensor(");
 *     sb_appendf(&sb, "%.4f", x);
 *     if (sb_check(&sb, err)) { sb_free(&sb); return ERR_MEMORY; }
 *     char *text = sb_take(&sb);   // caller owns text, frees with mem_free
 */
#ifndef EMBEDLAB_STRBUF_H
#define EMBEDLAB_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct StrBuf {
    char *data;  /* NUL-terminated when len > 0 or after any append; may be NULL when empty */
    size_t len;  /* bytes, excluding the NUL */
    size_t cap;  /* allocated bytes */
    bool failed; /* an allocation failed; contents are truncated */
} StrBuf;

#define SB_INIT {NULL, 0, 0, false}

void sb_init(StrBuf *sb);
void sb_append(StrBuf *sb, const char *s);
void sb_appendn(StrBuf *sb, const char *s, size_t n);
void sb_appendc(StrBuf *sb, char c);
/* Appends `c` `count` times. */
void sb_repeat(StrBuf *sb, char c, size_t count);
void sb_appendf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents ("" when empty); borrowed, valid until the next append or free. */
const char *sb_str(const StrBuf *sb);
/* Drops the contents, keeps the capacity and clears the failed flag. */
void sb_clear(StrBuf *sb);
/* Shortens to `len` bytes (no-op if already shorter). */
void sb_truncate(StrBuf *sb, size_t len);
/* Marks sb failed, as an allocation failure would: a temporary buffer's failure passed on
 * to the buffer its text was meant for. */
void sb_fail(StrBuf *sb);
/* ERR_OK, or ERR_MEMORY (recorded in err) when an append failed. */
int sb_check(const StrBuf *sb, Error *err);
/* Returns the contents as an owned string (mem_free) and resets sb; NULL if failed. */
char *sb_take(StrBuf *sb);
void sb_free(StrBuf *sb);

#endif
