/*
 * src/lang/textfile.h — open(): UTF-8 text files (io.TextIOWrapper). See textfile.c.
 * See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_TEXTFILE_H
#define EMBEDLAB_TEXTFILE_H

#include "lang/callable.h"

extern const ValueType type_textfile;

/* The builtin open(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None).
 * argv as bound from that signature. */
Value *textfile_open(Interp *I, Value *self, Value **argv);

#endif
