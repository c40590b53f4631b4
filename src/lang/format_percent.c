/*
 * src/lang/format_percent.c — printf-style string formatting, `"%s: %.2f" % (name, x)`,
 * as CPython 3.11's PyUnicode_Format does it: %s %r %a %d %i %u %x %X %o %e %E %f %F %g %G
 * %c %%, flags "-+ #0", width and precision (also `*`), and `%(key)s` with a mapping.
 * Each conversion is delegated to the format-spec mini-language (format.c), which shares
 * CPython's number formatting. See LICENSE (GPL-3.0-or-later).
 */
#include "lang/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/callable.h"
#include "lang/ops.h"
#include "lang/unicode.h"

typedef struct Conversion {
    bool left, plus, space, alternate, zero;
    int64_t width;     /* -1: none */
    int64_t precision; /* -1: none */
    char code;
} Conversion;

/* The spec-language text for a conversion: [align][sign][#][0][width][.precision][type]. */
static void build_spec(const Conversion *c, bool numeric, const char *type, char *spec,
                       size_t size) {
    int n = 0;
    spec[0] = '\0';
    if (c->left) n += snprintf(spec + n, size - (size_t)n, "<");
    else if (!numeric || !c->zero) n += snprintf(spec + n, size - (size_t)n, ">");
    if (numeric && c->plus) n += snprintf(spec + n, size - (size_t)n, "+");
    else if (numeric && c->space) n += snprintf(spec + n, size - (size_t)n, " ");
    if (numeric && c->alternate) n += snprintf(spec + n, size - (size_t)n, "#");
    if (numeric && c->zero && !c->left) n += snprintf(spec + n, size - (size_t)n, "0");
    if (c->width >= 0) n += snprintf(spec + n, size - (size_t)n, "%lld", (long long)c->width);
    if (c->precision >= 0)
        n += snprintf(spec + n, size - (size_t)n, ".%lld", (long long)c->precision);
    snprintf(spec + n, size - (size_t)n, "%s", type);
}

/* Converts v with the builtin int() or float() (tensors, user classes); new reference. */
static Value *convert_with(Interp *I, const ValueType *type, Value *v) {
    Value *ctor = builtins_type_value(I, type);
    Value *r = ctor ? call_value(I, ctor, &v, 1) : NULL;
    val_release(ctor);
    return r;
}

static int format_integer(Interp *I, const Conversion *c, Value *v, StrBuf *out) {
    Value *owned = NULL;
    bool hex = c->code == 'x' || c->code == 'X' || c->code == 'o';
    if (hex && val_is(v, &type_float))
        return interp_error(I, ERR_TYPE, "%%%c format: an integer is required, not float",
                            c->code);
    if (val_is(v, &type_float)) { /* int(v): NaN, infinity and out-of-range errors */
        owned = convert_with(I, &type_int, v);
        if (!owned) return -1;
        v = owned;
    } else if (!val_is_int(v)) {
        if (val_is_str(v) || val_is_none(v) || val_is_sequence(v) || val_is(v, &type_dict)) {
            if (hex)
                return interp_error(I, ERR_TYPE, "%%%c format: an integer is required, not %s",
                                    c->code, val_type_name(v));
            return interp_error(I, ERR_TYPE, "%%%c format: a real number is required, not %s",
                                c->code, val_type_name(v));
        }
        owned = convert_with(I, &type_int, v);
        if (!owned) return -1;
        v = owned;
    }
    char type[2] = {c->code == 'i' || c->code == 'u' ? 'd' : c->code, '\0'};
    /* %.3d: at least 3 digits (the spec language has no such precision). */
    Conversion plain = *c;
    plain.precision = -1;
    char spec[64];
    int rc;
    if (c->precision > 0) {
        StrBuf digits = SB_INIT;
        Conversion bare = {.alternate = c->alternate, .width = -1, .precision = -1};
        build_spec(&bare, true, type, spec, sizeof spec);
        int64_t x = val_as_int(v);
        Value *mag = val_int(I, x < 0 ? -x : x);
        rc = mag ? format_value(I, mag, spec, &digits) : -1;
        val_release(mag);
        if (!rc) {
            StrBuf padded = SB_INIT;
            if (x < 0) sb_appendc(&padded, '-');
            else if (c->plus) sb_appendc(&padded, '+');
            else if (c->space) sb_appendc(&padded, ' ');
            const char *d = sb_str(&digits);
            size_t prefix = c->alternate && c->code != 'd' && c->code != 'i' && c->code != 'u' ? 2 : 0;
            sb_appendn(&padded, d, prefix);
            for (size_t k = digits.len - prefix; (int64_t)k < c->precision; k++) sb_appendc(&padded, '0');
            sb_append(&padded, d + prefix);
            Conversion text = {.left = c->left, .width = c->width, .precision = -1};
            build_spec(&text, false, "", spec, sizeof spec);
            rc = format_str(I, sb_str(&padded), padded.len, spec, out);
            sb_free(&padded);
        }
        sb_free(&digits);
    } else {
        build_spec(&plain, true, type, spec, sizeof spec);
        rc = format_value(I, v, spec, out);
    }
    val_release(owned);
    return rc;
}

static int format_real(Interp *I, const Conversion *c, Value *v, StrBuf *out) {
    Value *owned = NULL;
    if (!val_is_number(v)) {
        if (val_is_str(v) || val_is_none(v) || val_is_sequence(v) || val_is(v, &type_dict))
            return interp_error(I, ERR_TYPE, "must be real number, not %s", val_type_name(v));
        owned = convert_with(I, &type_float, v);
        if (!owned) return -1;
        v = owned;
    }
    Conversion real = *c;
    if (real.precision < 0) real.precision = 6;
    char type[2] = {c->code, '\0'};
    char spec[64];
    build_spec(&real, true, type, spec, sizeof spec);
    Value *f = val_is(v, &type_float) ? val_retain(v) : val_float(I, val_as_float(v));
    int rc = f ? format_value(I, f, spec, out) : -1;
    val_release(f);
    val_release(owned);
    return rc;
}

static int format_text(Interp *I, const Conversion *c, Value *v, StrBuf *out) {
    StrBuf text = SB_INIT;
    int rc;
    if (c->code == 's') rc = val_str_of(I, v, &text);
    else rc = val_repr(I, v, &text);
    if (!rc && c->code == 'a') {
        /* ascii(): non-ASCII characters as escapes. */
        StrBuf esc = SB_INIT;
        const unsigned char *p = (const unsigned char *)sb_str(&text);
        for (size_t i = 0; i < text.len;) {
            if (p[i] < 0x80) {
                sb_appendc(&esc, (char)p[i++]);
                continue;
            }
            uint32_t cp = 0;
            int extra = p[i] >= 0xF0 ? 3 : p[i] >= 0xE0 ? 2 : 1;
            cp = p[i] & (0x3F >> extra);
            for (int k = 1; k <= extra && i + (size_t)k < text.len; k++) cp = (cp << 6) | (p[i + k] & 0x3F);
            i += (size_t)extra + 1;
            if (cp <= 0xFF) sb_appendf(&esc, "\\x%02x", cp);
            else if (cp <= 0xFFFF) sb_appendf(&esc, "\\u%04x", cp);
            else sb_appendf(&esc, "\\U%08x", cp);
        }
        sb_free(&text);
        text = esc;
    }
    if (!rc) {
        char spec[64];
        build_spec(c, false, "", spec, sizeof spec);
        rc = format_str(I, sb_str(&text), text.len, spec, out);
    }
    sb_free(&text);
    return rc;
}

static int format_char(Interp *I, const Conversion *c, Value *v, StrBuf *out) {
    char buf[8];
    size_t n;
    if (val_is_str(v)) {
        if (utf8_count(val_str_data(v), val_str_len(v)) != 1)
            return interp_error(I, ERR_TYPE, "%%c requires int or char");
        n = val_str_len(v);
        memcpy(buf, val_str_data(v), n);
    } else if (val_is_int(v)) {
        int64_t cp = val_as_int(v);
        if (cp < 0 || cp > 0x10FFFF)
            return interp_error(I, ERR_OVERFLOW, "%%c arg not in range(0x110000)");
        n = (size_t)utf8_encode((uint32_t)cp, buf);
    } else {
        return interp_error(I, ERR_TYPE, "%%c requires int or char");
    }
    Conversion text = *c;
    text.precision = -1;
    char spec[64];
    build_spec(&text, false, "", spec, sizeof spec);
    return format_str(I, buf, n, spec, out);
}

/* Reads a width or precision: digits, or '*' taking the next argument. */
static int read_number(Interp *I, const char **p, const char *end, Value **args, int64_t nargs,
                       int64_t *next, int64_t *value) {
    if (*p < end && **p == '*') {
        (*p)++;
        if (*next >= nargs)
            return interp_error(I, ERR_TYPE, "not enough arguments for format string");
        Value *v = args[(*next)++];
        if (!val_is_int(v)) return interp_error(I, ERR_TYPE, "* wants int");
        *value = val_as_int(v);
        return 0;
    }
    int64_t n = -1;
    while (*p < end && **p >= '0' && **p <= '9') {
        n = (n < 0 ? 0 : n) * 10 + (**p - '0');
        if (n > 100000000) return interp_error(I, ERR_VALUE, "width too big");
        (*p)++;
    }
    *value = n;
    return 0;
}

int format_percent(Interp *I, Value *format, Value *argument, StrBuf *out) {
    const char *p = val_str_data(format), *end = p + val_str_len(format);
    Value **args = &argument;
    int64_t nargs = 1, next = 0;
    bool tuple = val_is(argument, &type_tuple);
    if (tuple) {
        args = ((ListValue *)argument)->items;
        nargs = ((ListValue *)argument)->count;
    }
    /* A mapping argument may be used by %(key)s; it never counts as unconverted. */
    bool mapping = val_is(argument, &type_dict) ||
                   (!tuple && !val_is_str(argument) && argument->type->getitem &&
                    !val_is_sequence(argument));
    bool used_mapping = false;
    while (p < end) {
        const char *pct = memchr(p, '%', (size_t)(end - p));
        if (!pct) {
            sb_appendn(out, p, (size_t)(end - p));
            break;
        }
        sb_appendn(out, p, (size_t)(pct - p));
        p = pct + 1;
        Value *item = NULL;
        Value *keyed = NULL;
        if (p < end && *p == '(') {
            if (!mapping) return interp_error(I, ERR_TYPE, "format requires a mapping");
            int depth = 1;
            const char *key = ++p;
            while (p < end && depth) {
                if (*p == '(') depth++;
                else if (*p == ')') depth--;
                if (depth) p++;
            }
            if (p >= end) return interp_error(I, ERR_VALUE, "incomplete format key");
            Value *k = val_strn(I, key, (size_t)(p - key));
            p++;
            keyed = k ? op_getitem(I, argument, k) : NULL;
            val_release(k);
            if (!keyed) return -1;
            used_mapping = true;
        }
        Conversion c = {.width = -1, .precision = -1};
        for (; p < end; p++) {
            if (*p == '-') c.left = true;
            else if (*p == '+') c.plus = true;
            else if (*p == ' ') c.space = true;
            else if (*p == '#') c.alternate = true;
            else if (*p == '0') c.zero = true;
            else break;
        }
        int rc = read_number(I, &p, end, args, tuple ? nargs : 1, &next, &c.width);
        if (!rc && c.width < -1) {
            c.left = true;
            c.width = -c.width;
        }
        if (!rc && p < end && *p == '.') {
            p++;
            rc = read_number(I, &p, end, args, tuple ? nargs : 1, &next, &c.precision);
            if (!rc && c.precision < 0) c.precision = 0;
        }
        while (!rc && p < end && (*p == 'h' || *p == 'l' || *p == 'L')) p++;
        if (rc) {
            val_release(keyed);
            return -1;
        }
        if (p >= end) {
            val_release(keyed);
            return interp_error(I, ERR_VALUE, "incomplete format");
        }
        c.code = *p++;
        if (c.code == '%') {
            val_release(keyed);
            sb_appendc(out, '%');
            continue;
        }
        if (keyed) {
            item = keyed;
        } else {
            if (next >= nargs)
                return interp_error(I, ERR_TYPE, "not enough arguments for format string");
            item = val_retain(args[next++]);
        }
        switch (c.code) {
        case 's': case 'r': case 'a': rc = format_text(I, &c, item, out); break;
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
            rc = format_integer(I, &c, item, out);
            break;
        case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
            rc = format_real(I, &c, item, out);
            break;
        case 'c': rc = format_char(I, &c, item, out); break;
        default:
            if ((unsigned char)c.code >= 0x20 && (unsigned char)c.code < 0x7F)
                rc = interp_error(I, ERR_VALUE,
                                  "unsupported format character '%c' (0x%x) at index %lld",
                                  c.code, (unsigned)(unsigned char)c.code,
                                  (long long)(p - 1 - val_str_data(format)));
            else
                rc = interp_error(I, ERR_VALUE, "unsupported format character at index %lld",
                                  (long long)(p - 1 - val_str_data(format)));
        }
        val_release(item);
        if (rc) return -1;
    }
    if (next < nargs && !used_mapping && !(mapping && next == 0))
        return interp_error(I, ERR_TYPE, "not all arguments converted during string formatting");
    return 0;
}
