/*
 * src/lang/format.c — the format-specification mini-language (PEP 3101), as CPython 3.11
 * implements it for int, float and str. See LICENSE (GPL-3.0-or-later).
 */
#include "lang/format.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "lang/np_value.h"
#include "lang/unicode.h"

/* [[fill]align][sign][z][#][0][width][grouping][.precision][type] */
typedef struct Spec {
    char fill[5];   /* UTF-8 of the fill character */
    char align;     /* '<' '>' '^' '=' or 0 */
    char sign;      /* '+' '-' ' ' or 0 */
    bool no_neg_zero;
    bool alternate;
    int64_t width;  /* -1 when absent */
    char grouping;  /* ',' '_' or 0 */
    int64_t precision; /* -1 when absent */
    char type;      /* 0 when absent */
} Spec;

static bool is_align(char c) { return c == '<' || c == '>' || c == '^' || c == '='; }

static int parse_spec(Interp *I, const char *s, Spec *spec) {
    memset(spec, 0, sizeof *spec);
    strcpy(spec->fill, " ");
    spec->width = spec->precision = -1;
    size_t n;
    uint32_t first = *s ? utf8_decode(s, strlen(s), &n) : 0;
    (void)first;
    if (*s && s[n] && is_align(s[n])) {
        memcpy(spec->fill, s, n);
        spec->fill[n] = '\0';
        spec->align = s[n];
        s += n + 1;
    } else if (is_align(*s)) {
        spec->align = *s++;
    }
    if (*s == '+' || *s == '-' || *s == ' ') spec->sign = *s++;
    if (*s == 'z') {
        spec->no_neg_zero = true;
        s++;
    }
    if (*s == '#') {
        spec->alternate = true;
        s++;
    }
    if (*s == '0') {
        if (!spec->align) {
            strcpy(spec->fill, "0");
            spec->align = '=';
        }
        s++;
    }
    if (isdigit((unsigned char)*s)) {
        char *end;
        spec->width = strtoll(s, &end, 10);
        if (spec->width > 100000000)
            return interp_error(I, ERR_VALUE, "Too many decimal digits in format string");
        s = end;
    }
    if (*s == ',' || *s == '_') {
        spec->grouping = *s++;
        if (*s == ',' || *s == '_')
            return interp_error(I, ERR_VALUE, "Cannot specify both ',' and '_'.");
    }
    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char)*s))
            return interp_error(I, ERR_VALUE, "Format specifier missing precision");
        char *end;
        spec->precision = strtoll(s, &end, 10);
        if (spec->precision > 100000000)
            return interp_error(I, ERR_VALUE, "Too many decimal digits in format string");
        s = end;
    }
    if (*s) spec->type = *s++;
    if (*s) return interp_error(I, ERR_VALUE, "Invalid format specifier");
    return 0;
}

/* Inserts grouping separators into the run of digits digits[0..n). */
static void append_grouped(StrBuf *out, const char *digits, size_t n, char sep, int every) {
    for (size_t i = 0; i < n; i++) {
        if (sep && i > 0 && (n - i) % (size_t)every == 0) sb_appendc(out, sep);
        sb_appendc(out, digits[i]);
    }
}

/* Pads `body` (with sign/prefix `head` for '=' alignment) to the spec's width. */
static void emit_padded(const Spec *spec, const char *head, const char *body, char default_align,
                        StrBuf *out) {
    size_t len = utf8_count(head, strlen(head)) + utf8_count(body, strlen(body));
    int64_t pad = spec->width > (int64_t)len ? spec->width - (int64_t)len : 0;
    char align = spec->align ? spec->align : default_align;
    int64_t left = 0, right = 0;
    if (align == '<') right = pad;
    else if (align == '>') left = pad;
    else if (align == '^') left = pad / 2, right = pad - pad / 2;
    if (align == '=') {
        sb_append(out, head);
        for (int64_t i = 0; i < pad; i++) sb_append(out, spec->fill);
        sb_append(out, body);
        return;
    }
    for (int64_t i = 0; i < left; i++) sb_append(out, spec->fill);
    sb_append(out, head);
    sb_append(out, body);
    for (int64_t i = 0; i < right; i++) sb_append(out, spec->fill);
}

static const char *sign_text(const Spec *spec, bool negative) {
    if (negative) return "-";
    if (spec->sign == '+') return "+";
    if (spec->sign == ' ') return " ";
    return "";
}

/* Zero padding with grouping ("{:010,}") puts separators into the padding too. */
static void emit_number(const Spec *spec, const char *sign, const char *prefix,
                        const char *intpart, const char *rest, int every, StrBuf *out) {
    StrBuf body = SB_INIT, head = SB_INIT;
    sb_append(&head, sign);
    sb_append(&head, prefix);
    size_t nint = strlen(intpart);
    if (spec->grouping && spec->align == '=' && strcmp(spec->fill, "0") == 0 && spec->width > 0) {
        /* Grow the integer part with zeros until the whole reaches the width. */
        StrBuf digits = SB_INIT;
        sb_append(&digits, intpart);
        for (;;) {
            StrBuf trial = SB_INIT;
            append_grouped(&trial, sb_str(&digits), digits.len, spec->grouping, every);
            int64_t total = (int64_t)(head.len + trial.len + strlen(rest));
            bool failed = trial.failed || digits.failed;
            sb_free(&trial);
            if (failed) {
                sb_fail(&body);
                break;
            }
            if (total >= spec->width) break;
            StrBuf grown = SB_INIT;
            sb_appendc(&grown, '0');
            sb_append(&grown, sb_str(&digits));
            sb_free(&digits);
            digits = grown;
        }
        append_grouped(&body, sb_str(&digits), digits.len, spec->grouping, every);
        sb_free(&digits);
    } else {
        append_grouped(&body, intpart, nint, spec->grouping, every);
    }
    sb_append(&body, rest);
    if (body.failed || head.failed) sb_fail(out);
    else emit_padded(spec, sb_str(&head), sb_str(&body), '>', out);
    sb_free(&body);
    sb_free(&head);
}

/* format_int for a value whose Python type is `type_name` ("int" or "bool"). */
static int format_integer(Interp *I, int64_t v, const char *spec_text, const char *type_name,
                          StrBuf *out) {
    Spec spec;
    if (parse_spec(I, spec_text, &spec)) return -1;
    char type = spec.type ? spec.type : 'd';
    if (strchr("eEfFgG%", type)) return format_float(I, (double)v, spec_text, out);
    if (spec.precision >= 0)
        return interp_error(I, ERR_VALUE, "Precision not allowed in integer format specifier");
    if (type == 'c') {
        if (spec.sign) return interp_error(I, ERR_VALUE, "Sign not allowed with integer format specifier 'c'");
        if (v < 0 || v > 0x10FFFF)
            return interp_error(I, ERR_OVERFLOW, "%%c arg not in range(0x110000)");
        if (v == 0 && spec.width <= 1) { /* the NUL character cannot pass through padding */
            sb_appendn(out, "", 1);
            return 0;
        }
        char buf[5] = {0};
        utf8_encode((uint32_t)v, buf);
        emit_padded(&spec, "", buf, '<', out);
        return 0;
    }
    if (!strchr("dnbBoxX", type))
        return interp_error(I, ERR_VALUE, "Unknown format code '%c' for object of type '%s'",
                            type, type_name);
    if (spec.grouping == ',' && strchr("bBoxXn", type))
        return interp_error(I, ERR_VALUE, "Cannot specify ',' with '%c'.", type);
    bool negative = v < 0;
    uint64_t mag = negative ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char digits[80];
    int base = type == 'b' ? 2 : type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
    const char *alphabet = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    char rev[80];
    do {
        rev[n++] = alphabet[mag % (uint64_t)base];
        mag /= (uint64_t)base;
    } while (mag);
    for (int i = 0; i < n; i++) digits[i] = rev[n - 1 - i];
    digits[n] = '\0';
    const char *prefix = "";
    if (spec.alternate) {
        if (type == 'b') prefix = "0b";
        else if (type == 'o') prefix = "0o";
        else if (type == 'x') prefix = "0x";
        else if (type == 'X') prefix = "0X";
    }
    emit_number(&spec, sign_text(&spec, negative), prefix, digits, "", base == 10 ? 3 : 4, out);
    return 0;
}

int format_int(Interp *I, int64_t v, const char *spec, StrBuf *out) {
    return format_integer(I, v, spec, "int", out);
}

/* Splits "[-]123.456e+07" produced by snprintf into integer part and the rest. */
static void split_number(const char *text, bool *negative, char *intpart, char *rest) {
    if (*text == '-') {
        *negative = true;
        text++;
    }
    size_t i = 0;
    while (isdigit((unsigned char)text[i])) i++;
    memcpy(intpart, text, i);
    intpart[i] = '\0';
    strcpy(rest, text + i);
}

/* Removes trailing zeros (and a bare '.') from the fraction of a %g-style result. */
static void strip_trailing_zeros(char *s) {
    char *e = strpbrk(s, "eE");
    char exponent[16] = "";
    if (e) {
        strcpy(exponent, e);
        *e = '\0';
    }
    if (strchr(s, '.')) {
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == '0') s[--n] = '\0';
        if (n > 0 && s[n - 1] == '.') s[--n] = '\0';
    }
    strcat(s, exponent);
}

int format_float(Interp *I, double v, const char *spec_text, StrBuf *out) {
    Spec spec;
    if (parse_spec(I, spec_text, &spec)) return -1;
    char type = spec.type;
    if (type && !strchr("eEfFgGn%", type))
        return interp_error(I, ERR_VALUE, "Unknown format code '%c' for object of type 'float'",
                            type);
    if (spec.no_neg_zero && v == 0.0) v = 0.0;
    char *text = NULL;
    size_t cap = 400 + (spec.precision > 0 ? (size_t)spec.precision : 0);
    text = mem_alloc(cap, NULL);
    if (!text) return interp_error(I, ERR_MEMORY, "out of memory formatting a float");
    int64_t prec = spec.precision;
    const char *suffix = "";
    double x = v;
    bool is_finite = isfinite(v);
    if (!is_finite) {
        bool upper = type == 'E' || type == 'F' || type == 'G';
        snprintf(text, cap, "%s%s", signbit(v) && !isnan(v) ? "-" : "",
                 isnan(v) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf"));
        if (type == '%') suffix = "%";
    } else if (type == 'e' || type == 'E') {
        snprintf(text, cap, spec.alternate ? "%#.*e" : "%.*e", (int)(prec < 0 ? 6 : prec), x);
        if (type == 'E')
            for (char *p = text; *p; p++) *p = (char)toupper((unsigned char)*p);
    } else if (type == 'f' || type == 'F') {
        snprintf(text, cap, spec.alternate ? "%#.*f" : "%.*f", (int)(prec < 0 ? 6 : prec), x);
    } else if (type == '%') {
        snprintf(text, cap, spec.alternate ? "%#.*f" : "%.*f", (int)(prec < 0 ? 6 : prec),
                 x * 100.0);
        suffix = "%";
    } else if (type == 'g' || type == 'G' || type == 'n') {
        int p = (int)(prec < 0 ? 6 : (prec == 0 ? 1 : prec));
        snprintf(text, cap, spec.alternate ? "%#.*g" : "%.*g", p, x);
        if (type == 'G')
            for (char *q = text; *q; q++) *q = (char)toupper((unsigned char)*q);
    } else if (prec < 0) {
        /* No type, no precision: repr. */
        StrBuf r = SB_INIT;
        val_format_float_repr(x, &r);
        snprintf(text, cap, "%s", sb_str(&r));
        if (r.failed) sb_fail(out);
        sb_free(&r);
    } else {
        /* No type with precision: like 'g' but fixed notation keeps a digit after '.'. */
        int p = (int)(prec == 0 ? 1 : prec);
        snprintf(text, cap, "%.*e", p - 1, x);
        int exp10 = atoi(strchr(text, 'e') + 1);
        if (exp10 >= -4 && exp10 < p - 1) {
            snprintf(text, cap, "%.*f", p - 1 - exp10, x);
            strip_trailing_zeros(text);
            if (!strchr(text, '.')) strcat(text, ".0");
        } else {
            snprintf(text, cap, "%.*e", p - 1, x);
            strip_trailing_zeros(text);
        }
    }
    bool negative = false;
    char *intpart = mem_alloc(cap, NULL), *rest = mem_alloc(cap + 2, NULL);
    if (!intpart || !rest) {
        mem_free(text);
        mem_free(intpart);
        mem_free(rest);
        return interp_error(I, ERR_MEMORY, "out of memory formatting a float");
    }
    split_number(text, &negative, intpart, rest);
    if (spec.no_neg_zero && negative && is_finite) {
        /* 'z': a value that rounds to zero loses its minus sign. */
        bool all_zero = true;
        for (const char *p = text; *p && *p != 'e' && *p != 'E'; p++)
            if (*p >= '1' && *p <= '9') all_zero = false;
        if (all_zero) negative = false;
    }
    strcat(rest, suffix);
    if (!*intpart && !is_finite) { /* inf/nan: the letters are the "integer part" */
        strcpy(intpart, rest);
        rest[0] = '\0';
        Spec plain = spec;
        plain.grouping = 0;
        emit_number(&plain, sign_text(&spec, negative), "", intpart, rest, 3, out);
    } else {
        emit_number(&spec, sign_text(&spec, negative), "", intpart, rest, 3, out);
    }
    mem_free(text);
    mem_free(intpart);
    mem_free(rest);
    return 0;
}

int format_str(Interp *I, const char *s, size_t len, const char *spec_text, StrBuf *out) {
    Spec spec;
    if (parse_spec(I, spec_text, &spec)) return -1;
    if (spec.type && spec.type != 's')
        return interp_error(I, ERR_VALUE, "Unknown format code '%c' for object of type 'str'",
                            spec.type);
    if (spec.sign) return interp_error(I, ERR_VALUE, "Sign not allowed in string format specifier");
    if (spec.alternate)
        return interp_error(I, ERR_VALUE, "Alternate form (#) not allowed in string format specifier");
    if (spec.grouping)
        return interp_error(I, ERR_VALUE, "Cannot specify '%c' with 's'.", spec.grouping);
    if (spec.align == '=')
        return interp_error(I, ERR_VALUE, "'=' alignment not allowed in string format specifier");
    size_t take = len;
    if (spec.precision >= 0) take = utf8_offset(s, len, (size_t)spec.precision);
    StrBuf body = SB_INIT;
    sb_appendn(&body, s, take);
    if (body.failed) sb_fail(out);
    else emit_padded(&spec, "", sb_str(&body), '<', out);
    sb_free(&body);
    return 0;
}

int format_value(Interp *I, Value *v, const char *spec, StrBuf *out) {
    if (val_is(v, &type_bool) && !*spec) {
        sb_append(out, val_as_int(v) ? "True" : "False");
        return 0;
    }
    if (val_is_int(v)) return format_integer(I, val_as_int(v), spec, val_type_name(v), out);
    if (val_is(v, &type_float)) return format_float(I, val_as_float(v), spec, out);
    if (val_is_str(v)) return format_str(I, val_str_data(v), val_str_len(v), spec, out);
    if (*spec && np_is_array(v) && tensor_numel(np_tensor(v)) == 1 && np_tensor(v)->ndim == 0) {
        Tensor *t = np_tensor(v);
        if (dtype_is_floating(t->dtype)) return format_float(I, tensor_get(t, 0), spec, out);
        return format_integer(I, tensor_get_int(t, 0), spec, "int", out);
    }
    if (!*spec) return val_str_of(I, v, out);
    return interp_error(I, ERR_TYPE, "unsupported format string passed to %s.__format__",
                        val_type_name(v));
}
