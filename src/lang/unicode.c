/*
 * src/lang/unicode.c — UTF-8 helpers. See unicode.h. See LICENSE (GPL-3.0-or-later).
 */
#include "lang/unicode.h"

uint32_t utf8_decode(const char *s, size_t len, size_t *used) {
    const unsigned char *u = (const unsigned char *)s;
    *used = 1;
    if (len == 0) return 0xFFFD;
    if (u[0] < 0x80) return u[0];
    int n;
    uint32_t cp;
    if ((u[0] & 0xE0) == 0xC0) n = 2, cp = u[0] & 0x1F;
    else if ((u[0] & 0xF0) == 0xE0) n = 3, cp = u[0] & 0x0F;
    else if ((u[0] & 0xF8) == 0xF0) n = 4, cp = u[0] & 0x07;
    else return 0xFFFD;
    if ((size_t)n > len) return 0xFFFD;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    static const uint32_t min_for_length[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
    *used = (size_t)n;
    return cp;
}

size_t utf8_count(const char *s, size_t len) {
    size_t count = 0, i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
        } else {
            size_t n;
            utf8_decode(s + i, len - i, &n);
            i += n;
        }
        count++;
    }
    return count;
}

size_t utf8_offset(const char *s, size_t len, size_t index) {
    size_t i = 0;
    while (index > 0 && i < len) {
        size_t n = 1;
        if ((unsigned char)s[i] >= 0x80) utf8_decode(s + i, len - i, &n);
        i += n;
        index--;
    }
    return i;
}

int utf8_encode(uint32_t cp, char out[4]) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

bool unicode_is_printable(uint32_t cp) {
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD) return false;
    if (cp >= 0x2000 && cp <= 0x200F) return false; /* spaces and zero-width/format marks */
    if (cp >= 0x2028 && cp <= 0x202F) return false; /* line/paragraph separators, embeddings */
    if (cp >= 0x205F && cp <= 0x206F) return false;
    if (cp == 0x1680 || cp == 0x3000 || cp == 0xFEFF || cp == 0x180E) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    if (cp >= 0xE000 && cp <= 0xF8FF) return false; /* private use */
    if (cp >= 0xFFF0 && cp <= 0xFFFB) return false;
    if (cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF) return false;
    if (cp >= 0xF0000) return false; /* supplementary private use */
    return true;
}
