/*
 * src/lang/format.h — Python's format-specification mini-language for int, float, bool,
 * str and None: format(value, spec) and f-string `{x:.4f}`, `{n:,}`, `{s:>8}`, `{p:.1%}`.
 * See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_FORMAT_H
#define EMBEDLAB_FORMAT_H

#include <stdint.h>

#include "core/strbuf.h"
#include "lang/interp.h"

/* Appends format(v, spec) for int/bool/float/str/None values. Errors are Python's
 * ValueError/TypeError ("Unknown format code 'd' for object of type 'float'"). Other
 * types are the caller's business (tensors format through .item()). */
int format_value(Interp *I, Value *v, const char *spec, StrBuf *out);
int format_int(Interp *I, int64_t v, const char *spec, StrBuf *out);
int format_float(Interp *I, double v, const char *spec, StrBuf *out);
int format_str(Interp *I, const char *s, size_t len, const char *spec, StrBuf *out);

/* printf-style formatting: appends `format % argument` (argument: a tuple of values, a
 * mapping for %(key)s, or a single value). Python's TypeError/ValueError messages. */
int format_percent(Interp *I, Value *format, Value *argument, StrBuf *out);

#endif
