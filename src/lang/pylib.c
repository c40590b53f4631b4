/*
 * src/lang/pylib.c — the sources of the library modules written in Python: each
 * NAME.py in src/lang/pylib becomes the byte array NAME.inc at build time (Makefile).
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/pylib.h"

#include <string.h>

static const unsigned char transformers_py[] = {
#include "transformers.inc"
};

static const struct {
    const char *name;
    const unsigned char *source;
    size_t len;
} pylib_modules[] = {
    {"transformers", transformers_py, sizeof transformers_py},
};

const char *pylib_source(const char *name, size_t *len) {
    for (size_t i = 0; i < sizeof pylib_modules / sizeof pylib_modules[0]; i++) {
        if (strcmp(pylib_modules[i].name, name) == 0) {
            *len = pylib_modules[i].len;
            return (const char *)pylib_modules[i].source;
        }
    }
    return NULL;
}
