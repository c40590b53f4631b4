/*
 * src/core/np_format.h — NumPy 1.24's number and array printing (numpy/core/arrayprint.py
 * and the Dragon4 digit generator behind np.format_float_positional / _scientific).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Arrays are core Tensors (dtypes bool, int64, float32, float64) read with NumPy's
 * semantics: any strides (negative ones too), row-major logical order. Every function
 * appends text to a StrBuf and never prints. Floats are formatted with exact digit
 * generation (a big-integer Dragon4 written for embedlab): "unique" mode gives the
 * shortest digits that round-trip in the value's own type (float32 or float64), with the
 * cutoffs and trim modes of NumPy's Dragon4 options.
 */
#ifndef EMBEDLAB_NP_FORMAT_H
#define EMBEDLAB_NP_FORMAT_H

#include <stdbool.h>

#include "core/strbuf.h"
#include "core/tensor.h"

/* Trim modes, as the `trim` argument of np.format_float_positional. */
typedef enum NpTrim {
    NP_TRIM_NONE,     /* 'k': keep trailing zeros and the decimal point */
    NP_TRIM_ONE_ZERO, /* '0': trim zeros but keep one after the point ("1.0") */
    NP_TRIM_ZEROS,    /* '.': trim trailing zeros, keep the point ("1.") */
    NP_TRIM_DPT       /* '-': trim zeros and the point ("1") */
} NpTrim;

typedef struct NpFloatFmt {
    bool unique;      /* shortest round-trip digits (else exact digits up to precision) */
    bool fractional;  /* positional: precision counts digits after the point (else total) */
    int precision;    /* -1: none */
    int min_digits;   /* -1: none */
    bool sign;        /* always print a sign */
    NpTrim trim;
    int pad_left;     /* -1: none */
    int pad_right;    /* -1: none (positional only) */
    int exp_digits;   /* -1: at least 2 (scientific only) */
} NpFloatFmt;

/* The defaults of np.format_float_positional(x) (unique, fractional, trim 'k'). */
NpFloatFmt np_float_fmt_default(void);

/* dragon4_positional / dragon4_scientific of `v` as a float32 (is_f32) or float64. */
void np_format_positional(double v, bool is_f32, const NpFloatFmt *fmt, StrBuf *out);
void np_format_scientific(double v, bool is_f32, const NpFloatFmt *fmt, StrBuf *out);

/* repr()/str() of a NumPy float scalar (np.float32(0.1) → "0.1"; 1e-05 → "1e-05"). */
void np_scalar_float_repr(double v, bool is_f32, StrBuf *out);

/* np.set_printoptions state. */
typedef struct NpPrintOptions {
    int precision;  /* 8 */
    int threshold;  /* 1000 */
    int edgeitems;  /* 3 */
    int linewidth;  /* 75 */
    bool suppress;  /* false */
    int floatmode;  /* 0 maxprec (default), 1 fixed, 2 unique, 3 maxprec_equal */
    char sign;      /* '-' (default), '+' or ' ' */
} NpPrintOptions;

NpPrintOptions np_print_options_default(void);

/* repr(a): "array([1., 2.])", "array([1, 2], dtype=...)". */
int np_array_repr(const Tensor *a, const NpPrintOptions *opt, StrBuf *out, Error *err);
/* str(a) / print(a): "[1. 2.]" (a 0-d array prints as its scalar). */
int np_array_str(const Tensor *a, const NpPrintOptions *opt, StrBuf *out, Error *err);
/* np.array2string(a, separator=sep, prefix=prefix) with the given suffix width. */
int np_array2string(const Tensor *a, const NpPrintOptions *opt, const char *separator,
                    const char *prefix, const char *suffix, StrBuf *out, Error *err);
/* array2string for arrays whose elements are not numbers (NumPy string arrays): elem
 * appends the text of the element at row-major position `flat`. */
typedef void (*NpElemFn)(void *ctx, int64_t flat, StrBuf *out);
int np_array2string_custom(int ndim, const int64_t *shape, NpElemFn elem, void *ctx,
                           const NpPrintOptions *opt, const char *separator, const char *prefix,
                           const char *suffix, StrBuf *out, Error *err);
/* The element `flat` (row-major) of a 0-d or any array formatted as its scalar's str. */
void np_scalar_str(const Tensor *a, int64_t flat, StrBuf *out);
/* "float64", "float32", "int64", "bool" */
const char *np_dtype_name(DType dt);

#endif
