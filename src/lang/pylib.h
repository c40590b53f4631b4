/*
 * src/lang/pylib.h — modules written in Python (the .py files in src/lang/pylib),
 * compiled into the program; module.c runs one on its first import. See LICENSE
 * (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_PYLIB_H
#define EMBEDLAB_PYLIB_H

#include <stddef.h>

/* The source of library module `name` ("transformers"), or NULL when there is none. */
const char *pylib_source(const char *name, size_t *len);

#endif
