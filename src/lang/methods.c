/*
 * src/lang/methods.c — methods of the builtin types: str, list, tuple, dict and dict
 * views. One BuiltinSpec table per type (signature + doc), see callable.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "lang/callable.h"
#include "lang/exceptions.h"
#include "lang/format.h"
#include "lang/ops.h"
#include "lang/unicode.h"
#include "lang/methods.h"

/* ---- helpers ---- */

static int need_str(Interp *I, Value *v, const char *what) {
    if (val_is_str(v)) return 0;
    return interp_error(I, ERR_TYPE, "%s must be str, not %s", what, val_type_name(v));
}

static bool is_space_byte(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* ---- str ---- */

static Value *str_split_impl(Interp *I, Value *self, Value **argv, bool from_right) {
    const char *s = val_str_data(self);
    size_t len = val_str_len(self);
    Value *sep = argv[0];
    int64_t maxsplit = val_is_int(argv[1]) ? val_as_int(argv[1]) : -1;
    Value *out = val_list_new(I, 8);
    if (!out) return NULL;
    if (val_is_none(sep)) {
        /* Runs of whitespace separate; leading/trailing whitespace ignored. */
        size_t i = 0;
        int64_t splits = 0;
        if (!from_right) {
            while (i < len) {
                while (i < len && is_space_byte(s[i])) i++;
                if (i >= len) break;
                size_t start = i;
                if (maxsplit >= 0 && splits >= maxsplit) {
                    size_t end = len;
                    while (end > start && is_space_byte(s[end - 1])) end--;
                    i = len;
                    if (val_list_append_take(I, out, val_strn(I, s + start, end - start)))
                        goto fail;
                    break;
                }
                while (i < len && !is_space_byte(s[i])) i++;
                Value *word = val_strn(I, s + start, i - start);
                if (!word || val_list_append_take(I, out, word)) goto fail;
                splits++;
            }
            return out;
        }
        /* rsplit(None): collect from the right, then reverse. */
        size_t end = len;
        while (end > 0) {
            while (end > 0 && is_space_byte(s[end - 1])) end--;
            if (end == 0) break;
            size_t start = end;
            if (maxsplit >= 0 && splits >= maxsplit) {
                size_t b = 0;
                while (b < end && is_space_byte(s[b])) b++;
                if (val_list_append_take(I, out, val_strn(I, s + b, end - b))) goto fail;
                break;
            }
            while (start > 0 && !is_space_byte(s[start - 1])) start--;
            if (val_list_append_take(I, out, val_strn(I, s + start, end - start))) goto fail;
            end = start;
            splits++;
        }
    } else {
        if (!val_is_str(sep)) {
            interp_error(I, ERR_TYPE, "must be str or None, not %s", val_type_name(sep));
            goto fail;
        }
        const char *d = val_str_data(sep);
        size_t dl = val_str_len(sep);
        if (dl == 0) {
            interp_error(I, ERR_VALUE, "empty separator");
            goto fail;
        }
        int64_t splits = 0;
        if (!from_right) {
            size_t start = 0;
            for (size_t i = 0; i + dl <= len;) {
                if ((maxsplit < 0 || splits < maxsplit) && memcmp(s + i, d, dl) == 0) {
                    if (val_list_append_take(I, out, val_strn(I, s + start, i - start))) goto fail;
                    i += dl;
                    start = i;
                    splits++;
                } else {
                    i++;
                }
            }
            if (val_list_append_take(I, out, val_strn(I, s + start, len - start))) goto fail;
            return out;
        }
        size_t end = len;
        for (size_t i = len; i >= dl;) {
            if ((maxsplit < 0 || splits < maxsplit) && memcmp(s + i - dl, d, dl) == 0) {
                if (val_list_append_take(I, out, val_strn(I, s + i, end - i))) goto fail;
                i -= dl;
                end = i;
                splits++;
            } else {
                i--;
            }
        }
        if (val_list_append_take(I, out, val_strn(I, s, end))) goto fail;
    }
    /* Reverse (right-to-left collection). */
    ListValue *l = (ListValue *)out;
    for (int64_t a = 0, b = l->count - 1; a < b; a++, b--) {
        Value *t = l->items[a];
        l->items[a] = l->items[b];
        l->items[b] = t;
    }
    return out;
fail:
    val_release(out);
    return NULL;
}

static Value *str_split(Interp *I, Value *self, Value **argv) {
    return str_split_impl(I, self, argv, false);
}
static Value *str_rsplit(Interp *I, Value *self, Value **argv) {
    return str_split_impl(I, self, argv, true);
}

static Value *str_join(Interp *I, Value *self, Value **argv) {
    Value *items = op_to_list(I, argv[0]);
    if (!items) return NULL;
    ListValue *l = (ListValue *)items;
    StrBuf sb = SB_INIT;
    for (int64_t i = 0; i < l->count; i++) {
        if (!val_is_str(l->items[i])) {
            interp_error(I, ERR_TYPE, "sequence item %lld: expected str instance, %s found",
                         (long long)i, val_type_name(l->items[i]));
            sb_free(&sb);
            val_release(items);
            return NULL;
        }
        if (i) sb_appendn(&sb, val_str_data(self), val_str_len(self));
        sb_appendn(&sb, val_str_data(l->items[i]), val_str_len(l->items[i]));
    }
    val_release(items);
    return val_str_from_sb(I, &sb);
}

/* strip/lstrip/rstrip: which = 1 left, 2 right, 3 both. */
static Value *strip_impl(Interp *I, Value *self, Value *chars, int which) {
    const char *s = val_str_data(self);
    size_t a = 0, b = val_str_len(self);
    if (!val_is_none(chars) && need_str(I, chars, "strip arg")) return NULL;
    const char *set = val_is_none(chars) ? NULL : val_str_data(chars);
#define IN_SET(c) (set ? strchr(set, (c)) != NULL && (c) != '\0' : is_space_byte(c))
    if (which & 1)
        while (a < b && IN_SET(s[a])) a++;
    if (which & 2)
        while (b > a && IN_SET(s[b - 1])) b--;
#undef IN_SET
    return val_strn(I, s + a, b - a);
}
static Value *str_strip(Interp *I, Value *self, Value **argv) { return strip_impl(I, self, argv[0], 3); }
static Value *str_lstrip(Interp *I, Value *self, Value **argv) { return strip_impl(I, self, argv[0], 1); }
static Value *str_rstrip(Interp *I, Value *self, Value **argv) { return strip_impl(I, self, argv[0], 2); }

static Value *case_map(Interp *I, Value *self, int mode) {
    StrBuf sb = SB_INIT;
    const char *s = val_str_data(self);
    size_t n = val_str_len(self);
    bool start_word = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned char u = (unsigned char)c;
        if (u < 0x80) {
            if (mode == 0) c = (char)toupper(u);
            else if (mode == 1) c = (char)tolower(u);
            else if (mode == 2) c = (char)(i == 0 ? toupper(u) : tolower(u));
            else if (mode == 3) c = (char)(start_word ? toupper(u) : tolower(u));
            else if (mode == 4) c = (char)(isupper(u) ? tolower(u) : toupper(u));
            start_word = !isalpha(u);
        } else {
            start_word = false;
        }
        sb_appendc(&sb, c);
    }
    return val_str_from_sb(I, &sb);
}
static Value *str_upper(Interp *I, Value *self, Value **argv) { (void)argv; return case_map(I, self, 0); }
static Value *str_lower(Interp *I, Value *self, Value **argv) { (void)argv; return case_map(I, self, 1); }
static Value *str_capitalize(Interp *I, Value *self, Value **argv) { (void)argv; return case_map(I, self, 2); }
static Value *str_title(Interp *I, Value *self, Value **argv) { (void)argv; return case_map(I, self, 3); }
static Value *str_swapcase(Interp *I, Value *self, Value **argv) { (void)argv; return case_map(I, self, 4); }

static Value *str_replace(Interp *I, Value *self, Value **argv) {
    if (need_str(I, argv[0], "replace() argument 1") || need_str(I, argv[1], "replace() argument 2"))
        return NULL;
    const char *s = val_str_data(self), *old = val_str_data(argv[0]), *rep = val_str_data(argv[1]);
    size_t n = val_str_len(self), ol = val_str_len(argv[0]), rl = val_str_len(argv[1]);
    int64_t count = val_is_int(argv[2]) ? val_as_int(argv[2]) : -1;
    StrBuf sb = SB_INIT;
    if (ol == 0) {
        /* Python inserts the replacement between every character. */
        size_t i = 0;
        int64_t done = 0;
        while (i <= n) {
            if (count < 0 || done < count) {
                sb_appendn(&sb, rep, rl);
                done++;
            }
            if (i == n) break;
            size_t used = 1;
            if ((unsigned char)s[i] >= 0x80) utf8_decode(s + i, n - i, &used);
            sb_appendn(&sb, s + i, used);
            i += used;
        }
        return val_str_from_sb(I, &sb);
    }
    int64_t done = 0;
    for (size_t i = 0; i < n;) {
        if ((count < 0 || done < count) && i + ol <= n && memcmp(s + i, old, ol) == 0) {
            sb_appendn(&sb, rep, rl);
            i += ol;
            done++;
        } else {
            sb_appendc(&sb, s[i++]);
        }
    }
    return val_str_from_sb(I, &sb);
}

/* startswith/endswith with a str or a tuple of str. */
static Value *affix_test(Interp *I, Value *self, Value *affix, bool at_end, const char *name) {
    Value **options = &affix;
    int64_t count = 1;
    if (val_is(affix, &type_tuple)) {
        options = ((ListValue *)affix)->items;
        count = ((ListValue *)affix)->count;
    }
    const char *s = val_str_data(self);
    size_t n = val_str_len(self);
    for (int64_t i = 0; i < count; i++) {
        if (!val_is_str(options[i])) {
            interp_error(I, ERR_TYPE, "%s first arg must be str or a tuple of str, not %s", name,
                         val_type_name(options[i]));
            return NULL;
        }
        size_t m = val_str_len(options[i]);
        if (m > n) continue;
        if (memcmp(at_end ? s + n - m : s, val_str_data(options[i]), m) == 0)
            return val_bool(I, true);
    }
    return val_bool(I, false);
}
static Value *str_startswith(Interp *I, Value *self, Value **argv) {
    return affix_test(I, self, argv[0], false, "startswith");
}
static Value *str_endswith(Interp *I, Value *self, Value **argv) {
    return affix_test(I, self, argv[0], true, "endswith");
}

/* Byte offset of the first (or last) occurrence of sub in self, or -1. */
static int64_t find_bytes(Value *self, Value *sub, bool last) {
    const char *s = val_str_data(self), *t = val_str_data(sub);
    size_t n = val_str_len(self), m = val_str_len(sub);
    if (m > n) return -1;
    if (last) {
        for (size_t i = n - m + 1; i-- > 0;)
            if (memcmp(s + i, t, m) == 0) return (int64_t)i;
        return -1;
    }
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(s + i, t, m) == 0) return (int64_t)i;
    return -1;
}

static Value *find_impl(Interp *I, Value *self, Value *sub, bool last, bool raise) {
    if (need_str(I, sub, "must be str") != 0) {
        interp_clear_error(I);
        interp_error(I, ERR_TYPE, "must be str, not %s", val_type_name(sub));
        return NULL;
    }
    int64_t at = find_bytes(self, sub, last);
    if (at < 0 && raise) {
        interp_error(I, ERR_VALUE, "substring not found");
        return NULL;
    }
    if (at > 0) at = (int64_t)utf8_count(val_str_data(self), (size_t)at);
    return val_int(I, at);
}
static Value *str_find(Interp *I, Value *self, Value **argv) { return find_impl(I, self, argv[0], false, false); }
static Value *str_rfind(Interp *I, Value *self, Value **argv) { return find_impl(I, self, argv[0], true, false); }
static Value *str_index(Interp *I, Value *self, Value **argv) { return find_impl(I, self, argv[0], false, true); }

static Value *str_count(Interp *I, Value *self, Value **argv) {
    if (need_str(I, argv[0], "must be str")) return NULL;
    const char *s = val_str_data(self), *t = val_str_data(argv[0]);
    size_t n = val_str_len(self), m = val_str_len(argv[0]);
    if (m == 0) return val_int(I, (int64_t)utf8_count(s, n) + 1);
    int64_t count = 0;
    for (size_t i = 0; i + m <= n;) {
        if (memcmp(s + i, t, m) == 0) {
            count++;
            i += m;
        } else {
            i++;
        }
    }
    return val_int(I, count);
}

typedef int (*CharTest)(int);
static Value *char_class(Interp *I, Value *self, CharTest test) {
    const char *s = val_str_data(self);
    size_t n = val_str_len(self);
    if (n == 0) return val_bool(I, false);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80 || !test((unsigned char)s[i])) return val_bool(I, false);
    return val_bool(I, true);
}
static Value *str_isdigit(Interp *I, Value *self, Value **argv) { (void)argv; return char_class(I, self, isdigit); }
static Value *str_isalpha(Interp *I, Value *self, Value **argv) { (void)argv; return char_class(I, self, isalpha); }
static Value *str_isalnum(Interp *I, Value *self, Value **argv) { (void)argv; return char_class(I, self, isalnum); }
static Value *str_isspace(Interp *I, Value *self, Value **argv) { (void)argv; return char_class(I, self, isspace); }

static Value *case_test(Interp *I, Value *self, bool upper) {
    const char *s = val_str_data(self);
    bool cased = false;
    for (size_t i = 0; i < val_str_len(self); i++) {
        unsigned char c = (unsigned char)s[i];
        if (upper ? islower(c) : isupper(c)) return val_bool(I, false);
        if (isalpha(c)) cased = true;
    }
    return val_bool(I, cased);
}
static Value *str_isupper(Interp *I, Value *self, Value **argv) { (void)argv; return case_test(I, self, true); }
static Value *str_islower(Interp *I, Value *self, Value **argv) { (void)argv; return case_test(I, self, false); }

static Value *justify(Interp *I, Value *self, Value **argv, char align) {
    if (!val_is_int(argv[0])) {
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(argv[0]));
        return NULL;
    }
    const char *fill = " ";
    if (argv[1]) {
        if (!val_is_str(argv[1]) || ((StrValue *)argv[1])->nchars != 1) {
            interp_error(I, ERR_TYPE, "The fill character must be exactly one character long");
            return NULL;
        }
        fill = val_str_data(argv[1]);
    }
    int64_t width = val_as_int(argv[0]);
    int64_t len = (int64_t)((StrValue *)self)->nchars;
    int64_t pad = width > len ? width - len : 0;
    int64_t left = align == '>' ? pad : align == '^' ? (pad / 2 + (pad & width & 1)) : 0;
    int64_t right = pad - left;
    StrBuf sb = SB_INIT;
    for (int64_t i = 0; i < left; i++) sb_append(&sb, fill);
    sb_appendn(&sb, val_str_data(self), val_str_len(self));
    for (int64_t i = 0; i < right; i++) sb_append(&sb, fill);
    return val_str_from_sb(I, &sb);
}
static Value *str_ljust(Interp *I, Value *self, Value **argv) { return justify(I, self, argv, '<'); }
static Value *str_rjust(Interp *I, Value *self, Value **argv) { return justify(I, self, argv, '>'); }
static Value *str_center(Interp *I, Value *self, Value **argv) { return justify(I, self, argv, '^'); }

static Value *str_zfill(Interp *I, Value *self, Value **argv) {
    int64_t width = val_as_int(argv[0]);
    const char *s = val_str_data(self);
    size_t n = val_str_len(self);
    StrBuf sb = SB_INIT;
    size_t start = 0;
    if (n && (s[0] == '-' || s[0] == '+')) {
        sb_appendc(&sb, s[0]);
        start = 1;
    }
    for (int64_t i = (int64_t)((StrValue *)self)->nchars; i < width; i++) sb_appendc(&sb, '0');
    sb_appendn(&sb, s + start, n - start);
    return val_str_from_sb(I, &sb);
}

static Value *str_splitlines(Interp *I, Value *self, Value **argv) {
    bool keep = val_truth(I, argv[0]) > 0;
    const char *s = val_str_data(self);
    size_t n = val_str_len(self), start = 0;
    Value *out = val_list_new(I, 8);
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\n' && s[i] != '\r') continue;
        size_t eol = i;
        if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n') i++;
        Value *line = val_strn(I, s + start, (keep ? i + 1 : eol) - start);
        if (!line || val_list_append_take(I, out, line)) {
            val_release(out);
            return NULL;
        }
        start = i + 1;
    }
    if (start < n && val_list_append_take(I, out, val_strn(I, s + start, n - start))) {
        val_release(out);
        return NULL;
    }
    return out;
}

/* str.format: "{}", "{0}", "{name}", "{:>8}", "{0!r:^10}", "{{" and "}}". */
static Value *str_format(Interp *I, Value *self, Value **argv) {
    ListValue *args = (ListValue *)argv[0];
    Value *kwargs = argv[1];
    const char *s = val_str_data(self);
    size_t n = val_str_len(self);
    StrBuf sb = SB_INIT;
    int64_t auto_index = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '}') {
            if (i + 1 < n && s[i + 1] == '}') {
                sb_appendc(&sb, '}');
                i++;
                continue;
            }
            interp_error(I, ERR_VALUE, "Single '}' encountered in format string");
            goto fail;
        }
        if (c != '{') {
            sb_appendc(&sb, c);
            continue;
        }
        if (i + 1 < n && s[i + 1] == '{') {
            sb_appendc(&sb, '{');
            i++;
            continue;
        }
        size_t j = i + 1;
        int depth = 1;
        while (j < n && depth) {
            if (s[j] == '{') depth++;
            else if (s[j] == '}') depth--;
            if (depth) j++;
        }
        if (j >= n) {
            interp_error(I, ERR_VALUE, "expected '}' before end of string");
            goto fail;
        }
        char field[256];
        size_t flen = j - i - 1 < sizeof field - 1 ? j - i - 1 : sizeof field - 1;
        memcpy(field, s + i + 1, flen);
        field[flen] = '\0';
        i = j;
        char *spec = strchr(field, ':');
        if (spec) *spec++ = '\0';
        char *conv = strchr(field, '!');
        if (conv) *conv++ = '\0';
        /* field_name: arg_name ("." attribute | "[" index "]")* */
        char *access = field + strcspn(field, ".[");
        char accessors[256];
        snprintf(accessors, sizeof accessors, "%s", access);
        *access = '\0';
        Value *arg = NULL;
        if (field[0] == '\0') {
            if (auto_index >= args->count) {
                interp_error(I, ERR_INDEX, "Replacement index %lld out of range for positional "
                                           "args tuple",
                             (long long)auto_index);
                goto fail;
            }
            arg = args->items[auto_index++];
        } else if (isdigit((unsigned char)field[0])) {
            long k = strtol(field, NULL, 10);
            if (k >= args->count) {
                interp_error(I, ERR_INDEX, "Replacement index %ld out of range for positional "
                                           "args tuple",
                             k);
                goto fail;
            }
            arg = args->items[k];
        } else {
            arg = val_dict_get_str(I, kwargs, field);
            if (!arg) {
                if (!interp_has_error(I)) interp_error(I, ERR_KEY, "'%s'", field);
                goto fail;
            }
        }
        Value *held = NULL; /* the value after attribute and index accessors */
        for (const char *a = accessors; *a;) {
            char part[256];
            if (*a == '.') {
                size_t len = strcspn(a + 1, ".[");
                snprintf(part, sizeof part, "%.*s", (int)len, a + 1);
                a += 1 + len;
                if (!len) {
                    interp_error(I, ERR_VALUE, "Empty attribute in format string");
                    val_release(held);
                    goto fail;
                }
                Value *next = op_getattr(I, arg, part);
                val_release(held);
                if (!next) goto fail;
                held = arg = next;
            } else if (*a == '[') {
                const char *close = strchr(a, ']');
                if (!close) {
                    interp_error(I, ERR_VALUE, "Missing ']' in format string");
                    val_release(held);
                    goto fail;
                }
                snprintf(part, sizeof part, "%.*s", (int)(close - a - 1), a + 1);
                a = close + 1;
                bool numeric = part[0] != '\0' && strspn(part, "0123456789") == strlen(part);
                Value *key = numeric ? val_int(I, strtoll(part, NULL, 10)) : val_str(I, part);
                Value *next = key ? op_getitem(I, arg, key) : NULL;
                val_release(key);
                val_release(held);
                if (!next) goto fail;
                held = arg = next;
            } else {
                interp_error(I, ERR_VALUE, "Only '.' or '[' may follow ']' in format field "
                                           "specifier");
                val_release(held);
                goto fail;
            }
        }
        StrBuf piece = SB_INIT;
        int rc;
        if (conv && conv[0] == 'r') {
            rc = val_repr(I, arg, &piece);
        } else if (conv && conv[0] == 's') {
            rc = val_str_of(I, arg, &piece);
        } else {
            rc = format_value(I, arg, spec ? spec : "", &sb);
            sb_free(&piece);
            val_release(held);
            if (rc) goto fail;
            continue;
        }
        val_release(held);
        if (rc == 0 && spec) rc = format_str(I, sb_str(&piece), piece.len, spec, &sb);
        else if (rc == 0) sb_appendn(&sb, sb_str(&piece), piece.len);
        sb_free(&piece);
        if (rc) goto fail;
    }
    return val_str_from_sb(I, &sb);
fail:
    sb_free(&sb);
    return NULL;
}

const BuiltinSpec methods_str[] = {
    {"split", str_split, "(sep=None, maxsplit=-1)",
     "Return a list of the substrings in the string, using sep as the separator string."},
    {"rsplit", str_rsplit, "(sep=None, maxsplit=-1)",
     "Return a list of the substrings in the string, splitting from the right."},
    {"join", str_join, "(iterable, /)", "Concatenate any number of strings."},
    {"strip", str_strip, "(chars=None, /)",
     "Return a copy of the string with leading and trailing whitespace removed."},
    {"lstrip", str_lstrip, "(chars=None, /)", "Return a copy with leading whitespace removed."},
    {"rstrip", str_rstrip, "(chars=None, /)", "Return a copy with trailing whitespace removed."},
    {"upper", str_upper, "()", "Return a copy of the string converted to uppercase."},
    {"lower", str_lower, "()", "Return a copy of the string converted to lowercase."},
    {"capitalize", str_capitalize, "()", "Return a capitalized version of the string."},
    {"title", str_title, "()", "Return a version of the string where each word is titlecased."},
    {"swapcase", str_swapcase, "()", "Convert uppercase characters to lowercase and vice versa."},
    {"replace", str_replace, "(old, new, count=-1, /)",
     "Return a copy with all occurrences of substring old replaced by new."},
    {"startswith", str_startswith, "(prefix, /)",
     "Return True if the string starts with the specified prefix, False otherwise."},
    {"endswith", str_endswith, "(suffix, /)",
     "Return True if the string ends with the specified suffix, False otherwise."},
    {"find", str_find, "(sub, /)", "Return the lowest index where substring sub is found, or -1."},
    {"rfind", str_rfind, "(sub, /)", "Return the highest index where substring sub is found, or -1."},
    {"index", str_index, "(sub, /)",
     "Return the lowest index where substring sub is found; raise ValueError if not found."},
    {"count", str_count, "(sub, /)",
     "Return the number of non-overlapping occurrences of substring sub."},
    {"isdigit", str_isdigit, "()", "Return True if all characters are digits."},
    {"isalpha", str_isalpha, "()", "Return True if all characters are alphabetic."},
    {"isalnum", str_isalnum, "()", "Return True if all characters are alphanumeric."},
    {"isspace", str_isspace, "()", "Return True if all characters are whitespace."},
    {"isupper", str_isupper, "()", "Return True if all cased characters are uppercase."},
    {"islower", str_islower, "()", "Return True if all cased characters are lowercase."},
    {"ljust", str_ljust, "(width, fillchar=?, /)", "Return a left-justified string of length width."},
    {"rjust", str_rjust, "(width, fillchar=?, /)", "Return a right-justified string of length width."},
    {"center", str_center, "(width, fillchar=?, /)", "Return a centered string of length width."},
    {"zfill", str_zfill, "(width, /)", "Pad a numeric string with zeros on the left."},
    {"splitlines", str_splitlines, "(keepends=False)", "Return a list of the lines in the string."},
    {"format", str_format, "(*args, **kwargs)",
     "Return a formatted version of the string, using substitutions from args and kwargs."},
    {NULL, NULL, NULL, NULL},
};

/* ---- list and tuple ---- */

static Value *list_append(Interp *I, Value *self, Value **argv) {
    if (val_list_append(I, self, argv[0])) return NULL;
    return val_none(I);
}

static Value *list_extend(Interp *I, Value *self, Value **argv) {
    Value *items = op_to_list(I, argv[0]);
    if (!items) return NULL;
    ListValue *l = (ListValue *)items;
    for (int64_t i = 0; i < l->count; i++)
        if (val_list_append(I, self, l->items[i])) {
            val_release(items);
            return NULL;
        }
    val_release(items);
    return val_none(I);
}

static Value *list_insert(Interp *I, Value *self, Value **argv) {
    if (!val_is_int(argv[0])) {
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(argv[0]));
        return NULL;
    }
    ListValue *l = (ListValue *)self;
    int64_t at = val_as_int(argv[0]);
    if (at < 0) at += l->count;
    if (at < 0) at = 0;
    if (at > l->count) at = l->count;
    if (val_list_append(I, self, argv[1])) return NULL;
    Value *item = l->items[l->count - 1];
    memmove(l->items + at + 1, l->items + at, (size_t)(l->count - 1 - at) * sizeof *l->items);
    l->items[at] = item;
    return val_none(I);
}

static Value *list_pop(Interp *I, Value *self, Value **argv) {
    ListValue *l = (ListValue *)self;
    if (l->count == 0) {
        interp_error(I, ERR_INDEX, "pop from empty list");
        return NULL;
    }
    int64_t at = val_as_int(argv[0]);
    if (at < 0) at += l->count;
    if (at < 0 || at >= l->count) {
        interp_error(I, ERR_INDEX, "pop index out of range");
        return NULL;
    }
    Value *item = l->items[at];
    memmove(l->items + at, l->items + at + 1, (size_t)(l->count - at - 1) * sizeof *l->items);
    l->count--;
    return item;
}

static int64_t sequence_find(Interp *I, Value *self, Value *x) {
    ListValue *l = (ListValue *)self;
    for (int64_t i = 0; i < l->count; i++) {
        int eq = l->items[i] == x ? 1 : val_equal(I, l->items[i], x);
        if (eq < 0) return -2;
        if (eq) return i;
    }
    return -1;
}

static Value *list_remove(Interp *I, Value *self, Value **argv) {
    int64_t at = sequence_find(I, self, argv[0]);
    if (at == -2) return NULL;
    if (at < 0) {
        interp_error(I, ERR_VALUE, "list.remove(x): x not in list");
        return NULL;
    }
    ListValue *l = (ListValue *)self;
    val_release(l->items[at]);
    memmove(l->items + at, l->items + at + 1, (size_t)(l->count - at - 1) * sizeof *l->items);
    l->count--;
    return val_none(I);
}

static Value *seq_index(Interp *I, Value *self, Value **argv) {
    int64_t at = sequence_find(I, self, argv[0]);
    if (at == -2) return NULL;
    if (at < 0) {
        StrBuf sb = SB_INIT;
        if (val_is(self, &type_list) && val_repr(I, argv[0], &sb) == 0)
            interp_error(I, ERR_VALUE, "%s is not in list", sb_str(&sb));
        else if (!interp_has_error(I))
            interp_error(I, ERR_VALUE, "tuple.index(x): x not in tuple");
        sb_free(&sb);
        return NULL;
    }
    return val_int(I, at);
}

static Value *seq_count(Interp *I, Value *self, Value **argv) {
    ListValue *l = (ListValue *)self;
    int64_t count = 0;
    for (int64_t i = 0; i < l->count; i++) {
        int eq = l->items[i] == argv[0] ? 1 : val_equal(I, l->items[i], argv[0]);
        if (eq < 0) return NULL;
        count += eq;
    }
    return val_int(I, count);
}

static Value *list_reverse(Interp *I, Value *self, Value **argv) {
    (void)argv;
    ListValue *l = (ListValue *)self;
    for (int64_t a = 0, b = l->count - 1; a < b; a++, b--) {
        Value *t = l->items[a];
        l->items[a] = l->items[b];
        l->items[b] = t;
    }
    return val_none(I);
}

static Value *list_copy(Interp *I, Value *self, Value **argv) {
    (void)argv;
    ListValue *l = (ListValue *)self;
    Value *out = val_list_new(I, l->count);
    if (!out) return NULL;
    for (int64_t i = 0; i < l->count; i++) ((ListValue *)out)->items[i] = val_retain(l->items[i]);
    ((ListValue *)out)->count = l->count;
    return out;
}

static Value *list_clear(Interp *I, Value *self, Value **argv) {
    (void)argv;
    ListValue *l = (ListValue *)self;
    int64_t n = l->count;
    l->count = 0;
    for (int64_t i = 0; i < n; i++) val_release(l->items[i]);
    return val_none(I);
}

/* Stable merge sort of values by keys with Python's "<" (errors propagate). */
static int merge_sort(Interp *I, Value **items, Value **keys, Value **tmp_items, Value **tmp_keys,
                      int64_t n, bool reverse) {
    if (n < 2) return 0;
    int64_t mid = n / 2;
    if (merge_sort(I, items, keys, tmp_items, tmp_keys, mid, reverse) ||
        merge_sort(I, items + mid, keys + mid, tmp_items, tmp_keys, n - mid, reverse))
        return -1;
    int64_t a = 0, b = mid, w = 0;
    while (a < mid && b < n) {
        /* Take from the right only when it is strictly before the left (stability). */
        Value *lt = reverse ? op_compare(I, PYCMP_LT, keys[a], keys[b])
                            : op_compare(I, PYCMP_LT, keys[b], keys[a]);
        if (!lt) return -1;
        int before = val_truth(I, lt);
        val_release(lt);
        if (before < 0) return -1;
        if (before) tmp_items[w] = items[b], tmp_keys[w++] = keys[b++];
        else tmp_items[w] = items[a], tmp_keys[w++] = keys[a++];
    }
    while (a < mid) tmp_items[w] = items[a], tmp_keys[w++] = keys[a++];
    while (b < n) tmp_items[w] = items[b], tmp_keys[w++] = keys[b++];
    memcpy(items, tmp_items, (size_t)n * sizeof *items);
    memcpy(keys, tmp_keys, (size_t)n * sizeof *keys);
    return 0;
}

int methods_sort_list(Interp *I, Value *list, Value *key, bool reverse) {
    ListValue *l = (ListValue *)list;
    int64_t n = l->count;
    if (n < 2) return 0;
    Value **keys = mem_calloc((size_t)n * 3, sizeof *keys, NULL);
    Value **tmp_items = mem_calloc((size_t)n, sizeof *tmp_items, NULL);
    if (!keys || !tmp_items) {
        mem_free(keys);
        mem_free(tmp_items);
        return interp_error(I, ERR_MEMORY, "out of memory while sorting");
    }
    Value **items = mem_alloc((size_t)n * sizeof *items, NULL);
    int rc = items ? 0 : interp_error(I, ERR_MEMORY, "out of memory while sorting");
    if (items) memcpy(items, l->items, (size_t)n * sizeof *items);
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        keys[i] = key && !val_is_none(key) ? call_value(I, key, &items[i], 1) : val_retain(items[i]);
        if (!keys[i]) rc = -1;
    }
    if (rc == 0) {
        /* Sort a private copy so a failing comparison leaves the list untouched. */
        Value **key_copy = keys + n, **tmp_keys = keys + 2 * n;
        memcpy(key_copy, keys, (size_t)n * sizeof *keys);
        rc = merge_sort(I, items, key_copy, tmp_items, tmp_keys, n, reverse);
        if (rc == 0 && l->count == n) memcpy(l->items, items, (size_t)n * sizeof *items);
    }
    for (int64_t i = 0; i < n; i++) val_release(keys[i]);
    mem_free(keys);
    mem_free(tmp_items);
    mem_free(items);
    return rc;
}

static Value *list_sort(Interp *I, Value *self, Value **argv) {
    int reverse = val_truth(I, argv[1]);
    if (reverse < 0 || methods_sort_list(I, self, argv[0], reverse)) return NULL;
    return val_none(I);
}

const BuiltinSpec methods_list[] = {
    {"append", list_append, "(object, /)", "Append object to the end of the list."},
    {"extend", list_extend, "(iterable, /)", "Extend list by appending elements from the iterable."},
    {"insert", list_insert, "(index, object, /)", "Insert object before index."},
    {"pop", list_pop, "(index=-1, /)", "Remove and return item at index (default last)."},
    {"remove", list_remove, "(value, /)", "Remove first occurrence of value."},
    {"index", seq_index, "(value, /)", "Return first index of value."},
    {"count", seq_count, "(value, /)", "Return number of occurrences of value."},
    {"reverse", list_reverse, "()", "Reverse *IN PLACE*."},
    {"sort", list_sort, "(*, key=None, reverse=False)",
     "Sort the list in ascending order and return None (stable)."},
    {"copy", list_copy, "()", "Return a shallow copy of the list."},
    {"clear", list_clear, "()", "Remove all items from list."},
    {NULL, NULL, NULL, NULL},
};

const BuiltinSpec methods_tuple[] = {
    {"index", seq_index, "(value, /)", "Return first index of value."},
    {"count", seq_count, "(value, /)", "Return number of occurrences of value."},
    {NULL, NULL, NULL, NULL},
};

/* torch.Size adds numel(). */
static Value *size_numel(Interp *I, Value *self, Value **argv) {
    (void)argv;
    ListValue *l = (ListValue *)self;
    int64_t n = 1;
    for (int64_t i = 0; i < l->count; i++) n *= val_as_int(l->items[i]);
    return val_int(I, n);
}

const BuiltinSpec methods_size[] = {
    {"numel", size_numel, "()", "Number of elements a tensor of this size would contain."},
    {"index", seq_index, "(value, /)", "Return first index of value."},
    {"count", seq_count, "(value, /)", "Return number of occurrences of value."},
    {NULL, NULL, NULL, NULL},
};

/* ---- dict and its views ---- */

typedef struct DictView {
    Value base;
    Value *dict;
    int mode; /* 0 keys, 1 values, 2 items */
} DictView;

Value *ops_dict_iter(Interp *I, Value *dict, int mode);

static void destroy_view(Value *self) { val_release(((DictView *)self)->dict); }
static void clear_view(Value *self) {
    DictView *v = (DictView *)self;
    Value *d = v->dict;
    v->dict = NULL;
    val_release(d);
}

static int repr_view(Interp *I, Value *self, StrBuf *out) {
    DictView *v = (DictView *)self;
    static const char *const names[] = {"dict_keys", "dict_values", "dict_items"};
    /* An OrderedDict's views print as odict_keys([...]). */
    bool ordered = strcmp(v->dict->type->name, "OrderedDict") == 0;
    sb_appendf(out, "%s%s(", ordered ? "o" : "", names[v->mode]);
    Value *it = ops_dict_iter(I, v->dict, v->mode);
    if (!it) return -1;
    Value *list = op_to_list(I, it);
    val_release(it);
    if (!list) return -1;
    int rc = val_repr(I, list, out);
    val_release(list);
    sb_appendc(out, ')');
    return rc;
}

static Value *iter_view(Interp *I, Value *self) {
    DictView *v = (DictView *)self;
    return ops_dict_iter(I, v->dict, v->mode);
}

static int64_t length_view(Interp *I, Value *self) {
    (void)I;
    return ((DictValue *)((DictView *)self)->dict)->count;
}

static int contains_view(Interp *I, Value *self, Value *item) {
    DictView *v = (DictView *)self;
    if (v->mode == 0) {
        Value *found = val_dict_get(I, v->dict, item);
        if (!found && interp_has_error(I)) return -1;
        return found != NULL;
    }
    Value *it = iter_view(I, self);
    if (!it) return -1;
    int result = 0;
    for (;;) {
        Value *x = op_next(I, it);
        if (!x) {
            result = interp_has_error(I) ? -1 : 0;
            break;
        }
        int eq = val_equal(I, x, item);
        val_release(x);
        if (eq) {
            result = eq;
            break;
        }
    }
    val_release(it);
    return result;
}

const ValueType type_dict_view = {.name = "dict_view",
                                  .destroy = destroy_view,
                                  .clear = clear_view,
                                  .repr = repr_view,
                                  .iter = iter_view,
                                  .length = length_view,
                                  .contains = contains_view};

static Value *make_view(Interp *I, Value *dict, int mode) {
    DictView *v = (DictView *)val_alloc(I, &type_dict_view, sizeof *v);
    if (!v) return NULL;
    v->dict = val_retain(dict);
    v->mode = mode;
    return (Value *)v;
}

static Value *dict_keys(Interp *I, Value *self, Value **argv) { (void)argv; return make_view(I, self, 0); }
static Value *dict_values(Interp *I, Value *self, Value **argv) { (void)argv; return make_view(I, self, 1); }
static Value *dict_items(Interp *I, Value *self, Value **argv) { (void)argv; return make_view(I, self, 2); }

static Value *dict_get(Interp *I, Value *self, Value **argv) {
    Value *v = val_dict_get(I, self, argv[0]);
    if (!v && interp_has_error(I)) return NULL;
    return val_retain(v ? v : argv[1]);
}

static Value *dict_pop(Interp *I, Value *self, Value **argv) {
    Value *v = val_dict_get(I, self, argv[0]);
    if (!v) {
        if (interp_has_error(I)) return NULL;
        if (argv[1]) return val_retain(argv[1]);
        exc_raise_key(I, argv[0]);
        return NULL;
    }
    val_retain(v);
    if (val_dict_del(I, self, argv[0]) < 0) {
        val_release(v);
        return NULL;
    }
    return v;
}

static Value *dict_setdefault(Interp *I, Value *self, Value **argv) {
    Value *v = val_dict_get(I, self, argv[0]);
    if (v) return val_retain(v);
    if (interp_has_error(I) || val_dict_set(I, self, argv[0], argv[1])) return NULL;
    return val_retain(argv[1]);
}

static int dict_merge(Interp *I, Value *self, Value *other) {
    if (val_is_instance(other, &type_dict)) {
        DictValue *d = (DictValue *)other;
        for (int64_t i = 0; i < d->used; i++)
            if (d->entries[i].key && val_dict_set(I, self, d->entries[i].key, d->entries[i].value))
                return -1;
        return 0;
    }
    Value *pairs = op_to_list(I, other);
    if (!pairs) return -1;
    ListValue *l = (ListValue *)pairs;
    int rc = 0;
    for (int64_t i = 0; rc == 0 && i < l->count; i++) {
        Value *pair = l->items[i];
        if (!val_is_sequence(pair) || ((ListValue *)pair)->count != 2) {
            rc = interp_error(I, ERR_VALUE,
                              "dictionary update sequence element #%lld has length %lld; 2 is "
                              "required",
                              (long long)i,
                              (long long)(val_is_sequence(pair) ? ((ListValue *)pair)->count : 1));
            break;
        }
        rc = val_dict_set(I, self, ((ListValue *)pair)->items[0], ((ListValue *)pair)->items[1]);
    }
    val_release(pairs);
    return rc;
}

int methods_dict_update(Interp *I, Value *dict, Value *other, Value *kwargs) {
    if (other && !val_is_none(other) && dict_merge(I, dict, other)) return -1;
    if (kwargs && dict_merge(I, dict, kwargs)) return -1;
    return 0;
}

static Value *dict_update(Interp *I, Value *self, Value **argv) {
    if (methods_dict_update(I, self, argv[0], argv[1])) return NULL;
    return val_none(I);
}

static Value *dict_copy(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Value *out = val_dict_new(I);
    if (!out || dict_merge(I, out, self)) {
        val_release(out);
        return NULL;
    }
    return out;
}

static Value *dict_clear(Interp *I, Value *self, Value **argv) {
    (void)argv;
    if (self->type->clear) self->type->clear(self);
    return val_none(I);
}

const BuiltinSpec methods_dict[] = {
    {"keys", dict_keys, "()", "A set-like object providing a view on the dict's keys."},
    {"values", dict_values, "()", "An object providing a view on the dict's values."},
    {"items", dict_items, "()", "A set-like object providing a view on the dict's items."},
    {"get", dict_get, "(key, default=None, /)",
     "Return the value for key if key is in the dictionary, else default."},
    {"pop", dict_pop, "(key, default=?, /)",
     "Remove key and return its value; default if given and key is missing, else KeyError."},
    {"setdefault", dict_setdefault, "(key, default=None, /)",
     "Insert key with a value of default if key is not in the dictionary; return its value."},
    {"update", dict_update, "(other=None, /, **kwargs)",
     "Update the dictionary from a dict or an iterable of pairs, and keyword arguments."},
    {"copy", dict_copy, "()", "Return a shallow copy of the dict."},
    {"clear", dict_clear, "()", "Remove all items from the dict."},
    {NULL, NULL, NULL, NULL},
};


