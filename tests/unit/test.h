/*
 * tests/unit/test.h — the cmocka prelude and small helpers shared by unit tests.
 * See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_TEST_H
#define EMBEDLAB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a whole file (path relative to the repository root, where tests run) into a
 * malloc'ed NUL-terminated buffer; fails the test when it cannot. */
static inline char *test_read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot open %s (run tests from the repository root)", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    buf[got] = '\0';
    return buf;
}

#endif
