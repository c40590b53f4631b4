/*
 * src/core/tensor_fmt.h — repr() of tensors, torch.Size and dtypes, byte for byte as
 * PyTorch 1.13 prints them (torch/_tensor_str.py, nn.Parameter.__repr__).
 * See LICENSE (GPL-3.0-or-later).
 *
 *     StrBuf sb = SB_INIT;
 *     if (tensor_repr(t, &TENSOR_FMT_DEFAULTS, NULL, &sb, err) == ERR_OK)
 *         ... sb_str(&sb) is "tensor([[0., 1.],\n        [2., 3.]])" ...
 *     sb_free(&sb);
 *
 * Ownership: every function BORROWS its arguments and APPENDS to the caller's StrBuf; on
 * an error nothing is appended (the buffer is cut back to its length at the call).
 *
 * What is reproduced (all of _tensor_str.py for strided CPU tensors of the four dtypes):
 *  - the _Formatter: integer mode for floats whose finite non-zero values are all
 *    integers ("1.", "-3."), scientific mode when max/min of |finite non-zero| > 1000,
 *    max > 1e8, or (not integer mode) min < 1e-4, fixed "{:.4f}" otherwise; a common width
 *    from the displayed finite non-zero values only (so "nan" and "-0.0000" may stick
 *    out); the sci_mode option overrides the choice except when no finite non-zero value
 *    exists; min/max/ceil are computed on the stored float32 values, and each element is
 *    formatted as Python formats the double of that value ('{:.4e}' → "1.0000e-05");
 *  - rows wrapped to linewidth, nested brackets and blank lines between 3-d blocks,
 *    summarisation ("...") of every dim longer than 2*edgeitems when numel > threshold;
 *  - the suffixes, in torch's order: "size=(0, 3)" (empty tensors that are not 1-d),
 *    "dtype=torch.float64" (when not inferable: not the default dtype, int64 or bool; for
 *    empty tensors whenever it is not the default dtype), then "grad_fn=<AddBackward0>"
 *    or else "requires_grad=True"; a suffix moves to a new line indented by 7 when the
 *    last line would pass linewidth;
 *  - "Parameter containing:\n" before the repr of an nn.Parameter.
 * str(t) is the same text as repr(t).
 */
#ifndef EMBEDLAB_TENSOR_FMT_H
#define EMBEDLAB_TENSOR_FMT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "core/tensor.h"

/* torch.set_printoptions(sci_mode=None | False | True). */
typedef enum TensorSciMode {
    TENSOR_SCI_AUTO, /* None: the formatter decides (the default) */
    TENSOR_SCI_OFF,  /* False */
    TENSOR_SCI_ON    /* True */
} TensorSciMode;

/* The state torch.set_printoptions changes (torch._tensor_str.PRINT_OPTS), plus the
 * default dtype (torch.set_default_dtype), which decides when "dtype=" is printed. The
 * interpreter owns one of these per session. Values are taken as Python would take them:
 * a negative precision makes float formatting fail with ValueError "Format specifier
 * missing precision", edgeitems <= 0 follows Python's slicing (and fails like torch on
 * summarised tensors of 2 or more dims), a tiny linewidth gives one element per line. */
typedef struct PrintOptions {
    int precision;          /* digits after the point, fixed and scientific (4) */
    double threshold;       /* summarise when numel > threshold; INFINITY: never (1000) */
    int64_t edgeitems;      /* items kept at each end of a summarised dim (3) */
    int64_t linewidth;      /* characters per line for rows and suffixes (80) */
    TensorSciMode sci_mode; /* TENSOR_SCI_AUTO */
    DType default_dtype;    /* torch.get_default_dtype(): DTYPE_FLOAT32 or DTYPE_FLOAT64 */
} PrintOptions;

/* Initializer and constant for torch's defaults (profile='default', sci_mode=None). */
#define TENSOR_FMT_DEFAULTS_INIT {4, 1000.0, 3, 80, TENSOR_SCI_AUTO, DTYPE_FLOAT32}
extern const PrintOptions TENSOR_FMT_DEFAULTS;

/* set_printoptions(profile=NAME): "default" (4, 1000, 3, 80), "short" (2, 1000, 2, 80),
 * "full" (4, inf, 3, 80) set precision, threshold, edgeitems and linewidth; the other
 * fields are untouched. Returns false, changing nothing, for any other name (torch
 * ignores unknown profiles silently). Note for callers: torch's set_printoptions then
 * applies the explicit arguments and ALWAYS sets sci_mode to its argument (None when
 * omitted), so any call without sci_mode= resets it to TENSOR_SCI_AUTO. */
bool tensor_fmt_apply_profile(PrintOptions *opts, const char *profile);

/* What repr shows beyond the values, and which the tensor alone does not say. */
typedef struct TensorReprExtras {
    bool is_parameter;   /* nn.Parameter: "Parameter containing:\n" + the repr */
    bool requires_grad;  /* "requires_grad=True" (only when grad_fn is NULL) */
    const char *grad_fn; /* the grad_fn's class name, e.g. "AddBackward0" ("grad_fn=<...>");
                            NULL for none */
} TensorReprExtras;

/* Extras from the tensor's own flags: is_parameter and requires_grad, no grad_fn name
 * (the autograd layer, which knows node names, fills grad_fn itself). */
TensorReprExtras tensor_fmt_extras_of(const Tensor *t);

/* Appends repr(t) to `out`. `opts` NULL means TENSOR_FMT_DEFAULTS; `extras` NULL means
 * tensor_fmt_extras_of(t). Any strides work (views, expanded tensors). Errors, as torch:
 * ValueError "Format specifier missing precision" (precision < 0 and a float needs '.Nf'
 * or '.Ne'), RuntimeError "stack expects a non-empty TensorList" (a summarised tensor of
 * 2 or more dims with edgeitems <= 0), MemoryError. Returns ERR_OK or the error code. */
int tensor_repr(const Tensor *t, const PrintOptions *opts, const TensorReprExtras *extras,
                StrBuf *out, Error *err);

/* Appends repr(torch.Size(shape)): "torch.Size([2, 3])", "torch.Size([])". */
void tensor_fmt_size(int ndim, const int64_t *shape, StrBuf *out);

/* Appends repr(dtype): "torch.float32", "torch.int64", "torch.bool", "torch.float64". */
void tensor_fmt_dtype(DType dt, StrBuf *out);

#endif
