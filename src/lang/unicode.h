/*
 * src/lang/unicode.h — the little UTF-8 and code point knowledge strings need:
 * decoding, counting, indexing, and Python's notion of a printable character for repr().
 * See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_UNICODE_H
#define EMBEDLAB_UNICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s (at most len bytes); *used gets the bytes consumed (>= 1).
 * Invalid sequences decode as U+FFFD consuming one byte. */
uint32_t utf8_decode(const char *s, size_t len, size_t *used);
/* Number of code points in s (invalid bytes count one each). */
size_t utf8_count(const char *s, size_t len);
/* Byte offset of code point number `index` (0-based; index == count gives len). */
size_t utf8_offset(const char *s, size_t len, size_t index);
/* Appends the UTF-8 encoding of cp to out (1-4 bytes); returns the byte count. */
int utf8_encode(uint32_t cp, char out[4]);
/* Python's str.isprintable() for one code point, as repr() uses it: false for control
 * characters, separators other than ASCII space, format characters and unassigned
 * ranges that embedlab knows of. */
bool unicode_is_printable(uint32_t cp);

#endif
