/*
 * tests/unit/test_format.c — format() mini-language and float repr against CPython 3.11
 * (tests/data/format_cases.txt, made by tests/tools/gen_format.py).
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include "core/mem.h"
#include "lang/format.h"
#include "lang/interp.h"

/* Escapes control characters and backslashes like the generator does. */
static void escape(const char *s, size_t len, StrBuf *out) {
    for (const char *end = s + len; s < end; s++) {
        if (*s == '\\') sb_append(out, "\\\\");
        else if ((unsigned char)*s < 32) sb_appendf(out, "\\x%02x", (unsigned char)*s);
        else sb_appendc(out, *s);
    }
}

/* Decodes the JSON string literal the generator wrote for str values (\\uXXXX escapes). */
static void json_unquote(const char *s, StrBuf *out) {
    if (*s == '"') s++;
    for (; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1] == 'u') {
            unsigned cp = (unsigned)strtoul((char[5]){s[2], s[3], s[4], s[5], 0}, NULL, 16);
            char buf[4];
            extern int utf8_encode(uint32_t cp, char out[4]);
            int n = utf8_encode(cp, buf);
            sb_appendn(out, buf, (size_t)n);
            s += 5;
        } else {
            sb_appendc(out, *s);
        }
    }
}

static void test_format_matches_python(void **state) {
    (void)state;
    Interp *I = interp_new();
    assert_non_null(I);
    char *text = test_read_file("tests/data/format_cases.txt");
    int cases = 0, failures = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#') continue;
        char *fields[5] = {0};
        int n = 0;
        char *p = line;
        while (n < 5) {
            fields[n++] = p;
            char *tab = strchr(p, '\t');
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        if (n < 5) continue;
        const char *kind = fields[0], *value = fields[1], *spec = fields[2];
        const char *status = fields[3], *expected = fields[4];
        StrBuf got = SB_INIT, raw = SB_INIT, str = SB_INIT;
        int rc = 0;
        interp_clear_error(I);
        if (strcmp(kind, "int") == 0) rc = format_int(I, strtoll(value, NULL, 10), spec, &raw);
        else if (strcmp(kind, "float") == 0) rc = format_float(I, strtod(value, NULL), spec, &raw);
        else if (strcmp(kind, "bool") == 0) {
            Value *b = val_bool(I, value[0] == '1');
            rc = format_value(I, b, spec, &raw);
            val_release(b);
        } else if (strcmp(kind, "str") == 0) {
            json_unquote(value, &str);
            rc = format_str(I, sb_str(&str), str.len, spec, &raw);
        } else if (strcmp(kind, "repr") == 0) {
            val_format_float_repr(strtod(value, NULL), &raw);
        }
        if (rc == 0) {
            sb_append(&got, "ok\t");
            escape(sb_str(&raw), raw.len, &got);
        } else {
            sb_appendf(&got, "error\t%s: %s", err_name(I->error.code), I->error.msg);
        }
        StrBuf want = SB_INIT;
        sb_appendf(&want, "%s\t%s", status, expected);
        cases++;
        if (strcmp(sb_str(&got), sb_str(&want)) != 0) {
            failures++;
            print_error("format(%s %s, '%s'):\n  want: %s\n  got:  %s\n", kind, value, spec,
                        sb_str(&want), sb_str(&got));
        }
        sb_free(&want);
        sb_free(&got);
        sb_free(&raw);
        sb_free(&str);
    }
    free(text);
    interp_free(I);
    print_message("format: %d cases against CPython, %d failures\n", cases, failures);
    assert_true(cases > 2000);
    assert_int_equal(failures, 0);
}

/* Each allocation of a formatting fails in turn: the output buffer must then be failed
 * (a MemoryError at sb_check), never hold truncated text that passes as a result. */
static void test_allocation_failure_fails_the_output(void **state) {
    (void)state;
    Interp *I = interp_new();
    assert_non_null(I);
    const char *specs[] = {"010,.3f", "010,", ">12", "^9.2", "+,", ""};
    for (size_t k = 0; k < sizeof specs / sizeof *specs; k++) {
        for (int kind = 0; kind < 3; kind++) {
            for (long fail = 0; fail < 64; fail++) {
                StrBuf out = SB_INIT;
                interp_clear_error(I);
                unsigned long before = mem_alloc_count();
                mem_fail_after(fail);
                int rc = kind == 0   ? format_float(I, 1234567.891, specs[k], &out)
                         : kind == 1 ? format_int(I, -9876543, strchr(specs[k], '.') ? "" : specs[k], &out)
                                     : format_str(I, "w\xc3\xa4rter", 7, strchr(specs[k], ',') ? "" : specs[k], &out);
                mem_fail_after(-1);
                bool injected = mem_alloc_count() - before > (unsigned long)fail;
                if (rc == 0 && injected) assert_true(out.failed);
                sb_free(&out);
                if (!injected) break; /* every allocation of this call has failed once */
            }
        }
    }
    interp_free(I);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_matches_python),
        cmocka_unit_test(test_allocation_failure_fails_the_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
