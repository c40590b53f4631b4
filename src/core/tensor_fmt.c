/*
 * src/core/tensor_fmt.c — repr() of tensors as torch 1.13's torch/_tensor_str.py.
 * See LICENSE (GPL-3.0-or-later).
 *
 * The Python code builds a _Formatter from the elements that will be displayed
 * (get_summarized_data), then prints recursively (_tensor_str_with_formatter,
 * _vector_str) and finally appends the suffixes (_add_suffixes). This file follows the
 * same three steps. Instead of building the summarised tensor, a walker visits the
 * displayed elements in place (the same rows get_summarized_data keeps), reading each
 * through its storage offset, so any strides work.
 *
 * Python's '{:.4f}', '{:.4e}' and '{:.0f}' on a float are correctly rounded, as glibc's
 * printf; they differ only for nan (Python never prints a sign) and in the precision
 * check, which are handled here.
 */
#include "core/tensor_fmt.h"

#include <math.h>
#include <string.h>

const PrintOptions TENSOR_FMT_DEFAULTS = TENSOR_FMT_DEFAULTS_INIT;

/* The prefix "tensor(" sets the indent of nested rows and of wrapped suffixes. */
static const char REPR_PREFIX[] = "tensor(";
#define REPR_INDENT ((int64_t)(sizeof REPR_PREFIX - 1))

#define MAX_SUFFIXES 3

bool tensor_fmt_apply_profile(PrintOptions *opts, const char *profile) {
    if (strcmp(profile, "default") == 0) {
        opts->precision = 4;
        opts->threshold = 1000;
        opts->edgeitems = 3;
        opts->linewidth = 80;
    } else if (strcmp(profile, "short") == 0) {
        opts->precision = 2;
        opts->threshold = 1000;
        opts->edgeitems = 2;
        opts->linewidth = 80;
    } else if (strcmp(profile, "full") == 0) {
        opts->precision = 4;
        opts->threshold = INFINITY;
        opts->edgeitems = 3;
        opts->linewidth = 80;
    } else {
        return false;
    }
    return true;
}

TensorReprExtras tensor_fmt_extras_of(const Tensor *t) {
    TensorReprExtras ex = {t->is_parameter, t->requires_grad, NULL};
    return ex;
}

void tensor_fmt_dtype(DType dt, StrBuf *out) {
    sb_append(out, "torch.");
    sb_append(out, dtype_name(dt));
}

void tensor_fmt_size(int ndim, const int64_t *shape, StrBuf *out) {
    sb_append(out, "torch.Size([");
    for (int i = 0; i < ndim; i++) sb_appendf(out, "%s%lld", i ? ", " : "", (long long)shape[i]);
    sb_append(out, "])");
}

/* str(tuple(shape)): "(0, 3)", "(0,)", "()". */
static void fmt_shape_tuple(int ndim, const int64_t *shape, StrBuf *out) {
    sb_appendc(out, '(');
    for (int i = 0; i < ndim; i++) sb_appendf(out, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (ndim == 1) sb_appendc(out, ',');
    sb_appendc(out, ')');
}

/* ------------------------------------------------------------ Python float formatting */

/* '{:.{prec}f}'.format(v) (fixed = true) or '{:.{prec}e}'.format(v) for a Python float:
 * correctly rounded like glibc, but nan is always "nan" and inf "inf"/"-inf". The caller
 * has checked prec >= 0. */
static void fmt_float(StrBuf *sb, double v, int prec, bool fixed) {
    if (isnan(v))
        sb_append(sb, "nan");
    else if (isinf(v))
        sb_append(sb, v < 0 ? "-inf" : "inf");
    else if (fixed)
        sb_appendf(sb, "%.*f", prec, v);
    else
        sb_appendf(sb, "%.*e", prec, v);
}

/* ------------------------------------------------------------ the printer state */

/* torch's _Formatter: how every element of one tensor is written. */
typedef struct Formatter {
    bool floating; /* dtype is float32/float64 */
    bool int_mode; /* floats that are all integers: "{:.0f}" + "." */
    bool sci_mode; /* "{:.Ne}" */
    size_t max_width;
} Formatter;

typedef struct Printer {
    const Tensor *t;
    const PrintOptions *opts;
    bool summarize;  /* numel > threshold */
    Formatter fmt;
    StrBuf *out;
    StrBuf scratch;  /* one formatted element */
    bool scratch_failed; /* an allocation of scratch failed (sb_clear forgets it) */
    /* statistics of the finite non-zero displayed values (floats only) */
    int64_t nonzero_count;
    double nonzero_min, nonzero_max; /* of |v| */
} Printer;

/* The displayed positions along one dim of size n: [0, head_end), then, when `ellipsis`,
 * a "..." and [tail_start, n). */
typedef struct Span {
    int64_t head_end, tail_start;
    bool ellipsis;
} Span;

/* Which rows torch shows. The last dim is a vector, sliced as Python slices it
 * (self[:e] and self[-e:], so e == 0 keeps all of it after the "..."); the other dims
 * take range(0, e) and range(n - e, n). Outer dims with e <= 0 never get here (see
 * check_summary). */
static Span span_of(const Printer *p, int64_t n, bool last_dim) {
    Span s = {n, n, false};
    int64_t e = p->opts->edgeitems;
    if (!p->summarize || (e >= 0 && (e >= n || n <= 2 * e))) return s;
    s.ellipsis = true;
    if (!last_dim) {
        s.head_end = e;
        s.tail_start = n - e;
    } else if (e >= 0) {
        s.head_end = e;
        s.tail_start = e == 0 ? 0 : n - e;
    } else {
        s.head_end = n + e > 0 ? n + e : 0;
        s.tail_start = e <= -n ? n : -e;
    }
    return s;
}

/* Empties the scratch buffer for the next element, remembering a failed allocation. */
static void scratch_reset(Printer *p) {
    if (p->scratch.failed) p->scratch_failed = true;
    sb_clear(&p->scratch);
}

typedef void (*VisitFn)(Printer *p, int64_t off);

/* Calls fn on the storage offset of every displayed element, in display order. */
static void visit(Printer *p, int d, int64_t off, VisitFn fn) {
    const Tensor *t = p->t;
    if (d == t->ndim) {
        fn(p, off);
        return;
    }
    int64_t n = t->shape[d], stride = t->stride[d];
    Span s = span_of(p, n, d == t->ndim - 1);
    for (int64_t i = 0; i < s.head_end; i++) visit(p, d + 1, off + i * stride, fn);
    if (s.ellipsis)
        for (int64_t i = s.tail_start; i < n; i++) visit(p, d + 1, off + i * stride, fn);
}

/* ------------------------------------------------------------ building the formatter */

/* Pass 1 over floats: min/max of |finite non-zero| and whether all of them are integers
 * (torch: value != torch.ceil(value) on the stored dtype, exact in double). */
static void collect_stats(Printer *p, int64_t off) {
    double v = tensor_load(p->t, off);
    if (!isfinite(v) || v == 0) return;
    double a = fabs(v);
    if (p->nonzero_count == 0 || a < p->nonzero_min) p->nonzero_min = a;
    if (p->nonzero_count == 0 || a > p->nonzero_max) p->nonzero_max = a;
    p->nonzero_count++;
    if (v != ceil(v)) p->fmt.int_mode = false;
}

/* Pass 2 over floats: the widest '{:.Ne}', '{:.0f}'+1 or '{:.Nf}' of a finite non-zero. */
static void measure_float(Printer *p, int64_t off) {
    double v = tensor_load(p->t, off);
    if (!isfinite(v) || v == 0) return;
    Formatter *f = &p->fmt;
    scratch_reset(p);
    size_t extra = 0;
    if (f->sci_mode) {
        fmt_float(&p->scratch, v, p->opts->precision, false);
    } else if (f->int_mode) {
        fmt_float(&p->scratch, v, 0, true);
        extra = 1; /* room for the "." */
    } else {
        fmt_float(&p->scratch, v, p->opts->precision, true);
    }
    if (p->scratch.len + extra > f->max_width) f->max_width = p->scratch.len + extra;
}

/* '{}'.format(value) of an int64 or bool element. */
static void fmt_integral(const Printer *p, int64_t off, StrBuf *sb) {
    int64_t v = tensor_load_int(p->t, off);
    if (p->t->dtype == DTYPE_BOOL)
        sb_append(sb, v ? "True" : "False");
    else
        sb_appendf(sb, "%lld", (long long)v);
}

static void measure_integral(Printer *p, int64_t off) {
    scratch_reset(p);
    fmt_integral(p, off, &p->scratch);
    if (p->scratch.len > p->fmt.max_width) p->fmt.max_width = p->scratch.len;
}

/* _Formatter.__init__ over the displayed elements, including the failure of a negative
 * precision in '{:.{}e}'/'{:.{}f}' (raised there or later in format()). */
static int build_formatter(Printer *p, Error *err) {
    Formatter *f = &p->fmt;
    f->floating = dtype_is_floating(p->t->dtype);
    f->int_mode = true;
    f->sci_mode = false;
    f->max_width = 1;
    if (!f->floating) {
        visit(p, 0, p->t->offset, measure_integral);
        return ERR_OK;
    }
    visit(p, 0, p->t->offset, collect_stats);
    if (p->nonzero_count == 0) return ERR_OK; /* no valid number: sci_mode is not applied */
    double lo = p->nonzero_min, hi = p->nonzero_max;
    bool auto_sci = hi / lo > 1000.0 || hi > 1.0e8 || (!f->int_mode && lo < 1.0e-4);
    bool final_sci = p->opts->sci_mode == TENSOR_SCI_AUTO ? auto_sci
                                                          : p->opts->sci_mode == TENSOR_SCI_ON;
    if (p->opts->precision < 0 && (auto_sci || !f->int_mode || final_sci))
        return err_set(err, ERR_VALUE, "Format specifier missing precision");
    f->sci_mode = auto_sci;
    visit(p, 0, p->t->offset, measure_float);
    f->sci_mode = final_sci;
    return ERR_OK;
}

/* get_summarized_data stacks the kept rows of every dim but the last; with edgeitems <= 0
 * there are none and torch.stack fails. */
static int check_summary(const Printer *p, Error *err) {
    if (p->summarize && p->t->ndim >= 2 && p->opts->edgeitems <= 0)
        return err_set(err, ERR_RUNTIME, "stack expects a non-empty TensorList");
    return ERR_OK;
}

/* ------------------------------------------------------------ printing */

/* _Formatter.format(value): the element, right-aligned to the common width. */
static void write_elem(Printer *p, int64_t off) {
    const Formatter *f = &p->fmt;
    StrBuf *sb = &p->scratch;
    scratch_reset(p);
    if (!f->floating) {
        fmt_integral(p, off, sb);
    } else {
        double v = tensor_load(p->t, off);
        if (f->sci_mode) {
            fmt_float(sb, v, p->opts->precision, false);
        } else if (f->int_mode) {
            fmt_float(sb, v, 0, true);
            if (isfinite(v)) sb_appendc(sb, '.');
        } else {
            fmt_float(sb, v, p->opts->precision, true);
        }
    }
    if (sb->len < f->max_width) sb_repeat(p->out, ' ', f->max_width - sb->len);
    sb_appendn(p->out, sb_str(sb), sb->len);
}

/* The separator before item k of a vector: ", " within a line, ",\n" + indent between. */
static void vector_sep(Printer *p, int64_t k, int64_t per_line, int64_t indent) {
    if (k == 0) return;
    if (k % per_line == 0) {
        sb_append(p->out, ",\n");
        sb_repeat(p->out, ' ', (size_t)(indent + 1));
    } else {
        sb_append(p->out, ", ");
    }
}

/* _vector_str: one bracketed row of elements, `per_line` to a line. */
static void write_vector(Printer *p, int64_t off, int64_t indent) {
    const Tensor *t = p->t;
    int64_t n = t->shape[t->ndim - 1], stride = t->stride[t->ndim - 1];
    double element_length = (double)p->fmt.max_width + 2;
    double fit = floor(((double)p->opts->linewidth - (double)indent) / element_length);
    int64_t per_line = fit < 1 ? 1 : fit > 1e18 ? INT64_MAX : (int64_t)fit;
    Span s = span_of(p, n, true);
    int64_t k = 0;
    sb_appendc(p->out, '[');
    for (int64_t i = 0; i < s.head_end; i++) {
        vector_sep(p, k++, per_line, indent);
        write_elem(p, off + i * stride);
    }
    if (s.ellipsis) {
        vector_sep(p, k++, per_line, indent);
        sb_append(p->out, " ...");
        for (int64_t i = s.tail_start; i < n; i++) {
            vector_sep(p, k++, per_line, indent);
            write_elem(p, off + i * stride);
        }
    }
    sb_appendc(p->out, ']');
}

/* The separator between slices of a tensor with `dims` dims: ",", dims-1 newlines, indent. */
static void slice_sep(Printer *p, int dims, int64_t indent) {
    sb_appendc(p->out, ',');
    sb_repeat(p->out, '\n', (size_t)(dims - 1));
    sb_repeat(p->out, ' ', (size_t)(indent + 1));
}

/* _tensor_str_with_formatter for the sub-tensor of dims d.. at storage offset `off`. */
static void write_tensor(Printer *p, int d, int64_t off, int64_t indent) {
    const Tensor *t = p->t;
    int dims = t->ndim - d;
    if (dims == 0) {
        write_elem(p, off);
        return;
    }
    if (dims == 1) {
        write_vector(p, off, indent);
        return;
    }
    int64_t n = t->shape[d], stride = t->stride[d];
    Span s = span_of(p, n, false);
    sb_appendc(p->out, '[');
    for (int64_t i = 0; i < s.head_end; i++) {
        if (i > 0) slice_sep(p, dims, indent);
        write_tensor(p, d + 1, off + i * stride, indent + 1);
    }
    if (s.ellipsis) {
        slice_sep(p, dims, indent);
        sb_append(p->out, "...");
        for (int64_t i = s.tail_start; i < n; i++) {
            slice_sep(p, dims, indent);
            write_tensor(p, d + 1, off + i * stride, indent + 1);
        }
    }
    sb_appendc(p->out, ']');
}

/* _tensor_str for a non-empty tensor: the formatter, then the nested text. */
static int write_values(const Tensor *t, const PrintOptions *opts, StrBuf *out, Error *err) {
    Printer p;
    memset(&p, 0, sizeof p);
    p.t = t;
    p.opts = opts;
    p.out = out;
    sb_init(&p.scratch);
    p.summarize = (double)tensor_numel(t) > opts->threshold;
    int rc = check_summary(&p, err);
    if (rc == ERR_OK) rc = build_formatter(&p, err);
    if (rc == ERR_OK) {
        write_tensor(&p, 0, t->offset, REPR_INDENT);
        scratch_reset(&p);
        if (p.scratch_failed)
            rc = err_set(err, ERR_MEMORY, "out of memory while building a string");
    }
    sb_free(&p.scratch);
    return rc;
}

/* ------------------------------------------------------------ suffixes and the whole */

/* _add_suffixes: each suffix after ", " or, when the line would pass linewidth, after
 * ",\n" and the indent. torch measures the last line as len - rfind("\n") + 1 (two more
 * than its length), and this is reproduced. `body` is where "tensor(" starts in out. */
static void add_suffixes(StrBuf *out, size_t body, StrBuf *suffixes, int count,
                         int64_t linewidth) {
    const char *text = sb_str(out) + body;
    size_t len = out->len - body;
    const char *nl = NULL;
    for (const char *c = text; *c; c++)
        if (*c == '\n') nl = c;
    int64_t last_line_len = (int64_t)len - (nl ? (int64_t)(nl - text) : -1) + 1;
    for (int i = 0; i < count; i++) {
        int64_t suffix_len = (int64_t)suffixes[i].len;
        if (last_line_len + suffix_len + 2 > linewidth) {
            sb_append(out, ",\n");
            sb_repeat(out, ' ', (size_t)REPR_INDENT);
            last_line_len = REPR_INDENT + suffix_len;
        } else {
            sb_append(out, ", ");
            last_line_len += suffix_len + 2;
        }
        sb_appendn(out, sb_str(&suffixes[i]), suffixes[i].len);
    }
    sb_appendc(out, ')');
}

int tensor_repr(const Tensor *t, const PrintOptions *opts, const TensorReprExtras *extras,
                StrBuf *out, Error *err) {
    if (!opts) opts = &TENSOR_FMT_DEFAULTS;
    TensorReprExtras ex = extras ? *extras : tensor_fmt_extras_of(t);
    size_t start = out->len;
    StrBuf suffixes[MAX_SUFFIXES];
    int count = 0;
    for (int i = 0; i < MAX_SUFFIXES; i++) sb_init(&suffixes[i]);

    if (ex.is_parameter) sb_append(out, "Parameter containing:\n");
    size_t body = out->len;
    sb_append(out, REPR_PREFIX);
    int rc = ERR_OK;
    if (tensor_numel(t) == 0) {
        /* the shape is printed unless it is (0,); the dtype unless it is the default */
        if (t->ndim != 1) {
            sb_append(&suffixes[count], "size=");
            fmt_shape_tuple(t->ndim, t->shape, &suffixes[count++]);
        }
        if (t->dtype != opts->default_dtype) {
            sb_append(&suffixes[count], "dtype=");
            tensor_fmt_dtype(t->dtype, &suffixes[count++]);
        }
        sb_append(out, "[]");
    } else {
        if (t->dtype != opts->default_dtype && t->dtype != DTYPE_INT64 &&
            t->dtype != DTYPE_BOOL) {
            sb_append(&suffixes[count], "dtype=");
            tensor_fmt_dtype(t->dtype, &suffixes[count++]);
        }
        rc = write_values(t, opts, out, err);
    }
    if (ex.grad_fn)
        sb_appendf(&suffixes[count++], "grad_fn=<%s>", ex.grad_fn);
    else if (ex.requires_grad)
        sb_append(&suffixes[count++], "requires_grad=True");

    if (rc == ERR_OK) {
        add_suffixes(out, body, suffixes, count, opts->linewidth);
        for (int i = 0; i < count && rc == ERR_OK; i++) rc = sb_check(&suffixes[i], err);
        if (rc == ERR_OK) rc = sb_check(out, err);
    }
    for (int i = 0; i < MAX_SUFFIXES; i++) sb_free(&suffixes[i]);
    if (rc != ERR_OK) sb_truncate(out, start);
    return rc;
}
