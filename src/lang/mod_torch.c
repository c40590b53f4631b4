/*
 * src/lang/mod_torch.c — the `torch` module: tensor creation, functions that mirror
 * Tensor methods, dtypes, torch.Size, no_grad, print options. Random functions live in
 * torch_random.c. See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "core/tensor_math.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/nn.h"
#include "lang/ops.h"
#include "lang/np_value.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"

/* ---- creation ---- */

/* Applies requires_grad=True to a fresh tensor (error for non-float dtypes). */
static Value *finish(Interp *I, Tensor *t, Error *err, Value *requires_grad) {
    Value *v = tensor_value_take(I, t, err);
    if (!v || !requires_grad || val_is_none(requires_grad)) return v;
    int flag = val_truth(I, requires_grad);
    if (flag > 0 && !dtype_is_floating(tensor_of(v)->dtype)) {
        val_release(v);
        interp_error(I, ERR_RUNTIME, "Only Tensors of floating point and complex dtype can "
                                     "require gradients");
        return NULL;
    }
    if (flag < 0 || (flag && tensor_setattr(I, v, "requires_grad", requires_grad))) {
        val_release(v);
        return NULL;
    }
    return v;
}

static DType default_dtype(Interp *I) {
    TorchState *ts = torch_state(I);
    return ts ? ts->print_options.default_dtype : DTYPE_FLOAT32;
}

static Value *t_tensor(Interp *I, Value *self, Value **argv) {
    (void)self;
    DType dt = DTYPE_FLOAT32;
    bool given;
    if (arg_dtype(I, argv[1], "tensor", &dt, &given)) return NULL;
    Tensor *t = tensor_from_data(I, argv[0], given, dt);
    if (t && !given && t->dtype == DTYPE_FLOAT32 && default_dtype(I) != DTYPE_FLOAT32) {
        Error err;
        Tensor *c = tensor_to_dtype(t, default_dtype(I), &err);
        tensor_release(t);
        t = c;
        if (!t) return interp_raise(I, &err), NULL;
    }
    if (!t) return NULL;
    return finish(I, t, NULL, argv[2]);
}

/* zeros/ones/empty(*size, dtype=None, requires_grad=False) */
static Value *filled(Interp *I, Value **argv, const char *fn, double value) {
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    static const char *const kw_names[] = {"dtype", "requires_grad"};
    Value *kw[2] = {val_is_none(argv[1]) ? NULL : argv[1], non_default_flag(argv[2])};
    if (factory_size_missing(I, fn, argv[0], 2, kw_names, kw)) return NULL;
    if (arg_size(I, argv[0], fn, shape, &ndim)) return NULL;
    DType dt = default_dtype(I);
    if (arg_dtype(I, argv[1], fn, &dt, NULL)) return NULL;
    Error err;
    return finish(I, tensor_full(dt, ndim, shape, value, &err), &err, argv[2]);
}
static Value *t_zeros(Interp *I, Value *self, Value **argv) { (void)self; return filled(I, argv, "zeros", 0); }
static Value *t_ones(Interp *I, Value *self, Value **argv) { (void)self; return filled(I, argv, "ones", 1); }
static Value *t_empty(Interp *I, Value *self, Value **argv) { (void)self; return filled(I, argv, "empty", 0); }

static Value *t_full(Interp *I, Value *self, Value **argv) {
    (void)self;
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    if (arg_size(I, argv[0], "full", shape, &ndim)) return NULL;
    Value *fill = argv[1];
    DType dt = val_is(fill, &type_bool) ? DTYPE_BOOL
               : val_is_int(fill)       ? DTYPE_INT64
                                        : default_dtype(I);
    double value;
    if (arg_float(I, fill, "full", "fill_value", &value)) return NULL;
    if (arg_dtype(I, argv[2], "full", &dt, NULL) || arg_scalar_fits(I, fill, dt)) return NULL;
    Error err;
    Tensor *t = tensor_full(dt, ndim, shape, value, &err);
    if (t && dtype_is_integral(dt) && val_is_int(fill))
        for (int64_t i = 0, n = tensor_numel(t); i < n; i++) tensor_store_int(t, i, val_as_int(fill));
    return finish(I, t, &err, argv[3]);
}

/* zeros_like/ones_like/full_like/empty_like(input, [fill], *, dtype=None, requires_grad) */
static Value *like(Interp *I, Value **argv, const char *fn, bool has_fill, double value) {
    Tensor *src = arg_tensor(I, argv[0], fn, "input", 1);
    if (!src) return NULL;
    int k = has_fill ? 2 : 1;
    if (has_fill && arg_float(I, argv[1], fn, "fill_value", &value)) return NULL;
    DType dt = src->dtype;
    if (arg_dtype(I, argv[k], fn, &dt, NULL)) return NULL;
    Error err;
    return finish(I, tensor_full(dt, src->ndim, src->shape, value, &err), &err, argv[k + 1]);
}
static Value *t_zeros_like(Interp *I, Value *self, Value **argv) { (void)self; return like(I, argv, "zeros_like", false, 0); }
static Value *t_ones_like(Interp *I, Value *self, Value **argv) { (void)self; return like(I, argv, "ones_like", false, 1); }
static Value *t_empty_like(Interp *I, Value *self, Value **argv) { (void)self; return like(I, argv, "empty_like", false, 0); }
static Value *t_full_like(Interp *I, Value *self, Value **argv) { (void)self; return like(I, argv, "full_like", true, 0); }

static Value *t_arange(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *a = argv[0], *b = argv[1], *c = argv[2];
    double start = 0, end, step = 1;
    bool any_float = false;
    Value *nums[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (!nums[i]) continue;
        if (!val_is_number(nums[i]) && !val_is_tensor(nums[i])) {
            interp_error(I, ERR_TYPE, "arange() received an invalid combination of arguments - "
                                      "got (%s)",
                         val_type_name(nums[i]));
            return NULL;
        }
        if (val_is(nums[i], &type_float) ||
            (val_is_tensor(nums[i]) && dtype_is_floating(tensor_of(nums[i])->dtype)))
            any_float = true;
    }
    if (b) {
        if (arg_float(I, a, "arange", "start", &start) || arg_float(I, b, "arange", "end", &end))
            return NULL;
        if (c && arg_float(I, c, "arange", "step", &step)) return NULL;
    } else if (arg_float(I, a, "arange", "end", &end)) {
        return NULL;
    }
    DType dt = any_float ? default_dtype(I) : DTYPE_INT64;
    if (arg_dtype(I, argv[3], "arange", &dt, NULL)) return NULL;
    Error err;
    return finish(I, tensor_arange(start, end, step, dt, &err), &err, argv[4]);
}

static Value *t_eye(Interp *I, Value *self, Value **argv) {
    (void)self;
    int64_t n, m;
    if (arg_int(I, argv[0], "eye", "n", &n)) return NULL;
    m = n;
    if (!val_is_none(argv[1]) && arg_int(I, argv[1], "eye", "m", &m)) return NULL;
    DType dt = default_dtype(I);
    if (arg_dtype(I, argv[2], "eye", &dt, NULL)) return NULL;
    int64_t shape[2] = {n, m};
    Error err;
    Tensor *t = tensor_zeros(dt, 2, shape, &err);
    for (int64_t i = 0; t && i < n && i < m; i++) tensor_store(t, i * m + i, 1.0);
    return finish(I, t, &err, argv[3]);
}

static Value *t_linspace(Interp *I, Value *self, Value **argv) {
    (void)self;
    double start, end;
    int64_t steps;
    if (arg_float(I, argv[0], "linspace", "start", &start) ||
        arg_float(I, argv[1], "linspace", "end", &end) ||
        arg_int(I, argv[2], "linspace", "steps", &steps))
        return NULL;
    if (steps < 0) {
        interp_error(I, ERR_RUNTIME, "number of steps must be non-negative");
        return NULL;
    }
    DType dt = default_dtype(I);
    if (arg_dtype(I, argv[3], "linspace", &dt, NULL)) return NULL;
    Error err;
    Tensor *t = tensor_linspace(start, end, steps, dt, &err);
    return finish(I, t, &err, argv[4]);
}

/* ---- joining ---- */

static int tensor_list(Interp *I, Value *seq, const char *fn, Tensor ***out, int *count) {
    if (!val_is_sequence(seq)) {
        interp_error(I, ERR_TYPE, "%s(): argument 'tensors' (position 1) must be tuple of "
                                  "Tensors, not %s",
                     fn, val_is_tensor(seq) ? "Tensor" : val_type_name(seq));
        return -1;
    }
    ListValue *l = (ListValue *)seq;
    Tensor **ts = mem_calloc((size_t)l->count + 1, sizeof *ts, NULL);
    if (!ts) return interp_error(I, ERR_MEMORY, "out of memory");
    for (int64_t i = 0; i < l->count; i++) {
        if (!val_is_tensor(l->items[i])) {
            mem_free(ts);
            return interp_error(I, ERR_TYPE, "expected Tensor as element %lld in argument 0, but "
                                             "got %s",
                                (long long)i, val_type_name(l->items[i]));
        }
        ts[i] = tensor_of(l->items[i]);
    }
    *out = ts;
    *count = (int)l->count;
    return 0;
}

static Value *join(Interp *I, Value **argv, bool stack) {
    const char *fn = stack ? "stack" : "cat";
    Tensor **ts = NULL;
    int count = 0;
    int64_t dim;
    if (arg_int(I, argv[1], fn, "dim", &dim) || tensor_list(I, argv[0], fn, &ts, &count))
        return NULL;
    Error err;
    err_clear(&err);
    AutogradCtx *ctx = torch_autograd(I);
    Tensor *r = !ctx ? NULL
                : stack ? ag_stack(ctx, ts, count, dim, &err)
                        : ag_cat(ctx, ts, count, dim, &err);
    mem_free(ts);
    if (!ctx) return NULL;
    return tensor_value_take(I, r, &err);
}
static Value *t_cat(Interp *I, Value *self, Value **argv) { (void)self; return join(I, argv, false); }
static Value *t_stack(Interp *I, Value *self, Value **argv) { (void)self; return join(I, argv, true); }

/* ---- functions mirroring Tensor methods: torch.f(input, ...) == input.f(...) ---- */

/* Calls input.<name>(...) with the bound parameters after `input` passed by keyword (or
 * positionally for a *args parameter). */
static Value *forward(Interp *I, const char *name, Value **argv, const char *signature) {
    Value *input = argv[0];
    if (!val_is_tensor(input)) {
        interp_error(I, ERR_TYPE, "%s(): argument 'input' (position 1) must be Tensor, not %s",
                     name, val_type_name(input));
        return NULL;
    }
    Value *method = op_getattr(I, input, name);
    if (!method) return NULL;
    BuiltinSpec probe = {name, NULL, signature, NULL};
    Signature parsed;
    if (sig_parse(I, signature, &parsed)) {
        val_release(method);
        return NULL;
    }
    const char *kwnames[SIG_MAX_PARAMS];
    Value *kwvalues[SIG_MAX_PARAMS], *positional[SIG_MAX_PARAMS + 8];
    int64_t nkw = 0, npos = 0;
    for (int i = 1; i < parsed.count; i++) {
        if (!argv[i]) continue;
        if (parsed.params[i].kind == PARAM_VAR_POSITIONAL) {
            ListValue *rest = (ListValue *)argv[i];
            for (int64_t k = 0; k < rest->count && npos < SIG_MAX_PARAMS + 8; k++)
                positional[npos++] = rest->items[k];
        } else {
            kwnames[nkw] = parsed.params[i].name;
            kwvalues[nkw++] = argv[i];
        }
    }
    (void)probe;
    CallArgs call = {positional, npos, kwnames, kwvalues, nkw};
    Value *r = call_value_args(I, method, &call);
    sig_free(&parsed);
    val_release(method);
    return r;
}

#define FORWARD(fname, sig)                                             \
    static Value *f_##fname(Interp *I, Value *self, Value **argv) {   \
        (void)self;                                                     \
        return forward(I, #fname, argv, sig);                           \
    }
#define SIG_REDUCE "(input, dim=None, keepdim=False, *, dtype=None)"
#define SIG_VAR "(input, dim=None, unbiased=None, keepdim=False, *, correction=None)"
FORWARD(sum, SIG_REDUCE)
FORWARD(mean, SIG_REDUCE)
FORWARD(prod, SIG_REDUCE)
FORWARD(std, SIG_VAR)
FORWARD(var, SIG_VAR)
FORWARD(norm, "(input, p=None, dim=None, keepdim=False)")
FORWARD(max, "(input, dim=None, keepdim=False)")
FORWARD(min, "(input, dim=None, keepdim=False)")
FORWARD(argmax, "(input, dim=None, keepdim=False)")
FORWARD(argmin, "(input, dim=None, keepdim=False)")
FORWARD(all, "(input, dim=None, keepdim=False)")
FORWARD(any, "(input, dim=None, keepdim=False)")
FORWARD(topk, "(input, k, dim=-1, largest=True, sorted=True)")
FORWARD(sort, "(input, dim=-1, descending=False)")
FORWARD(abs, "(input)")
FORWARD(neg, "(input)")
FORWARD(sqrt, "(input)")
FORWARD(rsqrt, "(input)")
FORWARD(exp, "(input)")
FORWARD(log, "(input)")
FORWARD(log1p, "(input)")
FORWARD(sin, "(input)")
FORWARD(cos, "(input)")
FORWARD(tanh, "(input)")
FORWARD(sigmoid, "(input)")
FORWARD(relu, "(input)")
FORWARD(floor, "(input)")
FORWARD(ceil, "(input)")
FORWARD(round, "(input, *, decimals=None)")
FORWARD(sign, "(input)")
FORWARD(square, "(input)")
FORWARD(isnan, "(input)")
FORWARD(isinf, "(input)")
FORWARD(isfinite, "(input)")
FORWARD(logical_not, "(input)")
FORWARD(clamp, "(input, min=None, max=None)")
FORWARD(clip, "(input, min=None, max=None)")
FORWARD(add, "(input, other, *, alpha=1)")
FORWARD(sub, "(input, other, *, alpha=1)")
FORWARD(mul, "(input, other)")
FORWARD(div, "(input, other)")
FORWARD(pow, "(input, exponent)")
FORWARD(eq, "(input, other)")
FORWARD(ne, "(input, other)")
FORWARD(lt, "(input, other)")
FORWARD(le, "(input, other)")
FORWARD(gt, "(input, other)")
FORWARD(ge, "(input, other)")
FORWARD(maximum, "(input, other)")
FORWARD(minimum, "(input, other)")
FORWARD(remainder, "(input, other)")
FORWARD(floor_divide, "(input, other)")
FORWARD(matmul, "(input, other)")
FORWARD(mm, "(input, mat2)")
FORWARD(reshape, "(input, shape)")
FORWARD(transpose, "(input, dim0, dim1)")
FORWARD(permute, "(input, dims)")
FORWARD(t, "(input)")
FORWARD(squeeze, "(input, dim=None)")
FORWARD(unsqueeze, "(input, dim)")
FORWARD(flatten, "(input, start_dim=0, end_dim=-1)")
FORWARD(index_select, "(input, dim, index)")
FORWARD(masked_fill, "(input, mask, value)")
FORWARD(clone, "(input)")
FORWARD(detach, "(input)")
FORWARD(numel, "(input)")
FORWARD(is_floating_point, "(input)")

/* torch.where(condition) == condition.nonzero(as_tuple=True): one int64 index tensor per
 * dim, listing the positions of non-zero elements in row-major order. */
static Value *nonzero_tuple(Interp *I, Tensor *cond) {
    int64_t n = tensor_numel(cond), count = 0;
    for (int64_t i = 0; i < n; i++) count += tensor_get(cond, i) != 0;
    int dims = cond->ndim ? cond->ndim : 1;
    Value *tuple = val_tuple_new(I, dims);
    if (!tuple) return NULL;
    for (int d = 0; d < dims; d++) {
        Error err;
        Tensor *idx = tensor_zeros(DTYPE_INT64, 1, &count, &err);
        if (!idx) {
            val_release(tuple);
            return interp_raise(I, &err), NULL;
        }
        int64_t k = 0;
        for (int64_t i = 0; i < n; i++) {
            if (tensor_get(cond, i) == 0) continue;
            int64_t rest = i, coord = 0;
            for (int e = cond->ndim - 1; e >= d; e--) {
                coord = rest % cond->shape[e];
                rest /= cond->shape[e];
            }
            tensor_store_int(idx, k++, cond->ndim ? coord : 0);
        }
        Value *v = tensor_value_take(I, idx, NULL);
        if (!v) {
            val_release(tuple);
            return NULL;
        }
        ((ListValue *)tuple)->items[d] = v;
    }
    return tuple;
}

static Value *t_where(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *cond = arg_tensor(I, argv[0], "where", "condition", 1);
    if (!cond) return NULL;
    if (!argv[1] && !argv[2]) return nonzero_tuple(I, cond);
    if (!argv[1] || !argv[2]) {
        interp_error(I, ERR_TYPE, "where() missing required argument '%s'",
                     argv[1] ? "other" : "input");
        return NULL;
    }
    if (cond->dtype != DTYPE_BOOL && (argv[1] || argv[2])) {
        interp_error(I, ERR_RUNTIME, "where expected condition to be a boolean tensor, but got a "
                                     "tensor with dtype %s",
                     dtype_scalar_name(cond->dtype));
        return NULL;
    }
    Tensor *a = arg_tensor_or_number(I, argv[1], "where", "input");
    Tensor *b = a ? arg_tensor_or_number(I, argv[2], "where", "other") : NULL;
    Error err;
    err_clear(&err);
    AutogradCtx *ctx = b ? torch_autograd(I) : NULL;
    Tensor *r = ctx ? ag_where(ctx, cond, a, b, &err) : NULL;
    tensor_release(a);
    tensor_release(b);
    if (!r && interp_has_error(I)) return NULL;
    return tensor_value_take(I, r, &err);
}

static Value *t_allclose(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *a = arg_tensor(I, argv[0], "allclose", "input", 1);
    Tensor *b = a ? arg_tensor(I, argv[1], "allclose", "other", 2) : NULL;
    double rtol, atol;
    bool equal_nan, out;
    if (!b || arg_float(I, argv[2], "allclose", "rtol", &rtol) ||
        arg_float(I, argv[3], "allclose", "atol", &atol) ||
        arg_bool(I, argv[4], "allclose", "equal_nan", &equal_nan))
        return NULL;
    Error err;
    if (tensor_allclose(a, b, rtol, atol, equal_nan, &out, &err)) return interp_raise(I, &err), NULL;
    return val_bool(I, out);
}

static Value *t_equal(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *a = arg_tensor(I, argv[0], "equal", "input", 1);
    Tensor *b = a ? arg_tensor(I, argv[1], "equal", "other", 2) : NULL;
    return b ? val_bool(I, tensor_equal(a, b)) : NULL;
}

static Value *t_is_tensor(Interp *I, Value *self, Value **argv) {
    (void)self;
    return val_bool(I, val_is_tensor(argv[0]));
}

/* ---- grad mode ---- */

typedef struct GradModeValue {
    Value base;
    bool enable;   /* the mode inside the block */
    bool previous; /* restored on exit */
    bool fixed;    /* set_grad_enabled: `previous` was taken at the call, not at entry */
} GradModeValue;

static int repr_grad_mode(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<torch.autograd.grad_mode.%s object at %p>",
               ((GradModeValue *)self)->enable ? "enable_grad" : "no_grad", (void *)self);
    return 0;
}

static Value *grad_enter(Interp *I, Value *self, Value **argv) {
    (void)argv;
    if (!torch_state(I)) return NULL;
    GradModeValue *g = (GradModeValue *)self;
    if (!g->fixed) g->previous = torch_grad_enabled(I);
    torch_set_grad_enabled(I, g->enable);
    return val_none(I);
}

static Value *grad_exit(Interp *I, Value *self, Value **argv) {
    (void)argv;
    if (!torch_state(I)) return NULL;
    torch_set_grad_enabled(I, ((GradModeValue *)self)->previous);
    return val_bool(I, false);
}

static const BuiltinSpec grad_mode_methods[] = {
    {"__enter__", grad_enter, "()", "Enter the grad-mode block."},
    {"__exit__", grad_exit, "(*exc)", "Restore the previous grad mode."},
    {NULL, NULL, NULL, NULL},
};

static const ValueType type_grad_mode = {
    .name = "no_grad", .repr = repr_grad_mode, .methods = grad_mode_methods};

static Value *make_grad_mode(Interp *I, bool enable) {
    GradModeValue *g = (GradModeValue *)val_alloc(I, &type_grad_mode, sizeof *g);
    if (g) g->enable = enable;
    return (Value *)g;
}

static Value *t_no_grad(Interp *I, Value *self, Value **argv) {
    (void)self, (void)argv;
    return make_grad_mode(I, false);
}
static Value *t_enable_grad(Interp *I, Value *self, Value **argv) {
    (void)self, (void)argv;
    return make_grad_mode(I, true);
}

static Value *t_is_grad_enabled(Interp *I, Value *self, Value **argv) {
    (void)self, (void)argv;
    if (!torch_state(I)) return NULL;
    return val_bool(I, torch_grad_enabled(I));
}

static Value *t_set_grad_enabled(Interp *I, Value *self, Value **argv) {
    (void)self;
    int flag = val_truth(I, argv[0]);
    if (!torch_state(I) || flag < 0) return NULL;
    bool previous = torch_grad_enabled(I);
    torch_set_grad_enabled(I, flag);
    GradModeValue *g = (GradModeValue *)make_grad_mode(I, flag);
    if (g) {
        g->previous = previous;
        g->fixed = true;
    }
    return (Value *)g;
}

/* ---- print options and dtypes ---- */

static Value *t_set_printoptions(Interp *I, Value *self, Value **argv) {
    (void)self;
    TorchState *ts = torch_state(I);
    if (!ts) return NULL;
    PrintOptions opts = ts->print_options;
    if (!val_is_none(argv[4])) {
        if (!val_is_str(argv[4])) {
            interp_error(I, ERR_TYPE, "set_printoptions(): profile must be a string");
            return NULL;
        }
        tensor_fmt_apply_profile(&opts, val_str_data(argv[4]));
    }
    int64_t n;
    double d;
    if (!val_is_none(argv[0])) {
        if (arg_int(I, argv[0], "set_printoptions", "precision", &n)) return NULL;
        opts.precision = (int)n;
    }
    if (!val_is_none(argv[1])) {
        if (arg_float(I, argv[1], "set_printoptions", "threshold", &d)) return NULL;
        opts.threshold = d;
    }
    if (!val_is_none(argv[2])) {
        if (arg_int(I, argv[2], "set_printoptions", "edgeitems", &n)) return NULL;
        opts.edgeitems = n;
    }
    if (!val_is_none(argv[3])) {
        if (arg_int(I, argv[3], "set_printoptions", "linewidth", &n)) return NULL;
        opts.linewidth = n;
    }
    /* torch always sets sci_mode to its argument (None when omitted). */
    if (val_is_none(argv[5])) opts.sci_mode = TENSOR_SCI_AUTO;
    else {
        int flag = val_truth(I, argv[5]);
        if (flag < 0) return NULL;
        opts.sci_mode = flag ? TENSOR_SCI_ON : TENSOR_SCI_OFF;
    }
    ts->print_options = opts;
    return val_none(I);
}

static Value *t_get_default_dtype(Interp *I, Value *self, Value **argv) {
    (void)self, (void)argv;
    return dtype_value(I, default_dtype(I));
}

static Value *t_set_default_dtype(Interp *I, Value *self, Value **argv) {
    (void)self;
    DType dt = DTYPE_FLOAT32;
    bool given;
    if (arg_dtype(I, argv[0], "set_default_dtype", &dt, &given)) return NULL;
    if (!dtype_is_floating(dt)) {
        interp_error(I, ERR_TYPE, "only floating-point types are supported as the default type");
        return NULL;
    }
    TorchState *ts = torch_state(I);
    if (!ts) return NULL;
    ts->print_options.default_dtype = dt;
    return val_none(I);
}

static Value *construct_size(Interp *I, CallArgs *args) {
    if (args->nargs == 0) return val_torch_size_new(I, 0, NULL);
    Value *list = op_to_list(I, args->args[0]);
    if (!list) return NULL;
    ListValue *l = (ListValue *)list;
    int64_t dims[TENSOR_MAX_DIMS];
    if (l->count > TENSOR_MAX_DIMS) {
        val_release(list);
        interp_error(I, ERR_VALUE, "torch.Size of more than %d dims", TENSOR_MAX_DIMS);
        return NULL;
    }
    for (int64_t i = 0; i < l->count; i++) {
        if (!val_is_int(l->items[i])) {
            interp_error(I, ERR_TYPE, "torch.Size() takes an iterable of 'int' (item %lld is '%s')",
                         (long long)i, val_type_name(l->items[i]));
            val_release(list);
            return NULL;
        }
        dims[i] = val_as_int(l->items[i]);
    }
    Value *size = val_torch_size_new(I, (int)l->count, dims);
    val_release(list);
    return size;
}

static Value *t_cosine_similarity(Interp *I, Value *self, Value **argv) {
    (void)self;
    return nn_cosine_similarity(I, argv);
}

static Value *t_softmax(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *F = module_import(I, "torch.nn.functional");
    Value *fn = F ? op_getattr(I, F, "softmax") : NULL;
    val_release(F);
    if (!fn) return NULL;
    const char *names[2] = {"dim", "dtype"};
    Value *kw[2] = {argv[1], argv[2]};
    CallArgs call = {argv, 1, names, kw, 2};
    Value *r = call_value_args(I, fn, &call);
    val_release(fn);
    return r;
}

static const BuiltinSpec torch_functions[] = {
    {"cosine_similarity", t_cosine_similarity, "(x1, x2, dim=1, eps=1e-08)",
     "Cosine similarity between x1 and x2 along dim."},
    {"softmax", t_softmax, "(input, dim, dtype=None)", "exp(x_i) / sum_j exp(x_j) along dim."},
    {"from_numpy", np_torch_from_numpy, "(ndarray)",
     "Creates a Tensor from a numpy.ndarray; they share memory."},
    {"tensor", t_tensor, "(data, *, dtype=None, requires_grad=False)",
     "Constructs a tensor with no autograd history by copying data."},
    {"zeros", t_zeros, "(*size, dtype=None, requires_grad=False)",
     "Returns a tensor filled with the scalar value 0, with the shape given by size."},
    {"ones", t_ones, "(*size, dtype=None, requires_grad=False)",
     "Returns a tensor filled with the scalar value 1, with the shape given by size."},
    {"empty", t_empty, "(*size, dtype=None, requires_grad=False)",
     "Returns a tensor with uninitialized data (embedlab fills it with zeros)."},
    {"full", t_full, "(size, fill_value, *, dtype=None, requires_grad=False)",
     "Creates a tensor of size size filled with fill_value."},
    {"zeros_like", t_zeros_like, "(input, *, dtype=None, requires_grad=False)",
     "Returns a tensor filled with 0, with the same size as input."},
    {"ones_like", t_ones_like, "(input, *, dtype=None, requires_grad=False)",
     "Returns a tensor filled with 1, with the same size as input."},
    {"empty_like", t_empty_like, "(input, *, dtype=None, requires_grad=False)",
     "Returns an uninitialized tensor with the same size as input (zeros in embedlab)."},
    {"full_like", t_full_like, "(input, fill_value, *, dtype=None, requires_grad=False)",
     "Returns a tensor with the same size as input filled with fill_value."},
    {"arange", t_arange, "(start, end=?, step=?, *, dtype=None, requires_grad=False)",
     "Returns a 1-D tensor of size ceil((end - start) / step) with values from [start, end)."},
    {"eye", t_eye, "(n, m=None, *, dtype=None, requires_grad=False)",
     "Returns a 2-D tensor with ones on the diagonal and zeros elsewhere."},
    {"linspace", t_linspace, "(start, end, steps, *, dtype=None, requires_grad=False)",
     "Creates a one-dimensional tensor of size steps evenly spaced from start to end."},
    {"cat", t_cat, "(tensors, dim=0)", "Concatenates the given sequence of tensors in dim."},
    {"concat", t_cat, "(tensors, dim=0)", "Alias of torch.cat()."},
    {"stack", t_stack, "(tensors, dim=0)", "Concatenates tensors along a new dimension."},
    {"where", t_where, "(condition, input=?, other=?)",
     "Return a tensor of elements selected from either input or other, depending on condition."},
    {"allclose", t_allclose, "(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)",
     "Checks if all input and other satisfy |input - other| <= atol + rtol * |other|."},
    {"equal", t_equal, "(input, other)", "True if two tensors have the same size and elements."},
    {"is_tensor", t_is_tensor, "(obj)", "Returns True if obj is a PyTorch tensor."},
    {"no_grad", t_no_grad, "()", "Context-manager that disables gradient calculation."},
    {"enable_grad", t_enable_grad, "()", "Context-manager that enables gradient calculation."},
    {"is_grad_enabled", t_is_grad_enabled, "()", "Returns True if grad mode is enabled."},
    {"set_grad_enabled", t_set_grad_enabled, "(mode)", "Sets gradient calculation on or off."},
    {"set_printoptions", t_set_printoptions,
     "(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, "
     "sci_mode=None)",
     "Set options for printing (precision, threshold, edgeitems, linewidth, profile, sci_mode)."},
    {"get_default_dtype", t_get_default_dtype, "()", "Get the current default floating point dtype."},
    {"set_default_dtype", t_set_default_dtype, "(d)", "Sets the default floating point dtype."},
    {"sum", f_sum, SIG_REDUCE, "Returns the sum of all elements (or along dim)."},
    {"mean", f_mean, SIG_REDUCE, "Returns the mean of all elements (or along dim)."},
    {"prod", f_prod, SIG_REDUCE, "Returns the product of all elements (or along dim)."},
    {"std", f_std, SIG_VAR, "Standard deviation (unbiased by default)."},
    {"var", f_var, SIG_VAR, "Variance (unbiased by default)."},
    {"norm", f_norm, "(input, p=None, dim=None, keepdim=False)", "Returns the p-norm."},
    {"max", f_max, "(input, dim=None, keepdim=False)", "Maximum value(s)."},
    {"min", f_min, "(input, dim=None, keepdim=False)", "Minimum value(s)."},
    {"argmax", f_argmax, "(input, dim=None, keepdim=False)", "Indices of the maximum values."},
    {"argmin", f_argmin, "(input, dim=None, keepdim=False)", "Indices of the minimum values."},
    {"all", f_all, "(input, dim=None, keepdim=False)", "Tests if all elements are True."},
    {"any", f_any, "(input, dim=None, keepdim=False)", "Tests if any element is True."},
    {"topk", f_topk, "(input, k, dim=-1, largest=True, sorted=True)",
     "Returns the k largest elements along a dimension."},
    {"sort", f_sort, "(input, dim=-1, descending=False)", "Sorts the elements along a dimension."},
    {"abs", f_abs, "(input)", "Absolute value of each element."},
    {"neg", f_neg, "(input)", "Negative of each element."},
    {"sqrt", f_sqrt, "(input)", "Square root of each element."},
    {"rsqrt", f_rsqrt, "(input)", "Reciprocal square root of each element."},
    {"exp", f_exp, "(input)", "Exponential of each element."},
    {"log", f_log, "(input)", "Natural logarithm of each element."},
    {"log1p", f_log1p, "(input)", "log(1 + x) of each element."},
    {"sin", f_sin, "(input)", "Sine of each element."},
    {"cos", f_cos, "(input)", "Cosine of each element."},
    {"tanh", f_tanh, "(input)", "Hyperbolic tangent of each element."},
    {"sigmoid", f_sigmoid, "(input)", "Logistic sigmoid of each element."},
    {"relu", f_relu, "(input)", "max(0, x) of each element."},
    {"floor", f_floor, "(input)", "Floor of each element."},
    {"ceil", f_ceil, "(input)", "Ceiling of each element."},
    {"round", f_round, "(input, *, decimals=None)", "Rounds each element (half to even)."},
    {"sign", f_sign, "(input)", "Sign of each element."},
    {"square", f_square, "(input)", "Square of each element."},
    {"isnan", f_isnan, "(input)", "Which elements are NaN."},
    {"isinf", f_isinf, "(input)", "Which elements are infinite."},
    {"isfinite", f_isfinite, "(input)", "Which elements are finite."},
    {"logical_not", f_logical_not, "(input)", "Element-wise logical NOT."},
    {"clamp", f_clamp, "(input, min=None, max=None)", "Clamps all elements into [min, max]."},
    {"clip", f_clip, "(input, min=None, max=None)", "Alias for clamp()."},
    {"add", f_add, "(input, other, *, alpha=1)", "Adds other, scaled by alpha, to input."},
    {"sub", f_sub, "(input, other, *, alpha=1)", "Subtracts other, scaled by alpha, from input."},
    {"mul", f_mul, "(input, other)", "Multiplies input by other."},
    {"div", f_div, "(input, other)", "Divides input by other."},
    {"pow", f_pow, "(input, exponent)", "Takes the power of each element."},
    {"eq", f_eq, "(input, other)", "input == other element-wise."},
    {"ne", f_ne, "(input, other)", "input != other element-wise."},
    {"lt", f_lt, "(input, other)", "input < other element-wise."},
    {"le", f_le, "(input, other)", "input <= other element-wise."},
    {"gt", f_gt, "(input, other)", "input > other element-wise."},
    {"ge", f_ge, "(input, other)", "input >= other element-wise."},
    {"maximum", f_maximum, "(input, other)", "Element-wise maximum."},
    {"minimum", f_minimum, "(input, other)", "Element-wise minimum."},
    {"remainder", f_remainder, "(input, other)", "Python-style modulus."},
    {"floor_divide", f_floor_divide, "(input, other)", "Floor division."},
    {"matmul", f_matmul, "(input, other)", "Matrix product of two tensors."},
    {"mm", f_mm, "(input, mat2)", "Matrix multiplication of two 2-D tensors."},
    {"reshape", f_reshape, "(input, shape)", "Returns a tensor with the given shape."},
    {"transpose", f_transpose, "(input, dim0, dim1)", "Swaps dim0 and dim1."},
    {"permute", f_permute, "(input, dims)", "Permutes the dimensions."},
    {"t", f_t, "(input)", "Transposes a tensor of at most 2 dims."},
    {"squeeze", f_squeeze, "(input, dim=None)", "Removes dimensions of size 1."},
    {"unsqueeze", f_unsqueeze, "(input, dim)", "Inserts a dimension of size one."},
    {"flatten", f_flatten, "(input, start_dim=0, end_dim=-1)", "Flattens a range of dims."},
    {"index_select", f_index_select, "(input, dim, index)", "Selects entries along dim."},
    {"masked_fill", f_masked_fill, "(input, mask, value)", "Fills where mask is True."},
    {"clone", f_clone, "(input)", "Returns a copy of input."},
    {"detach", f_detach, "(input)", "Returns a tensor detached from the graph."},
    {"numel", f_numel, "(input)", "Returns the total number of elements in input."},
    {"is_floating_point", f_is_floating_point, "(input)", "True if input is floating point."},
    {NULL, NULL, NULL, NULL},
};

extern int torch_random_init(Interp *I, Value *module);
extern const BuiltinSpec torch_random_functions[];

static int set_value(Interp *I, Value *m, const char *name, Value *v) {
    int rc = v ? module_set(I, m, name, v) : -1;
    val_release(v);
    return rc;
}

static int init_torch(Interp *I, Value *m) {
    static const struct {
        const char *name;
        DType dt;
    } dtypes[] = {{"float32", DTYPE_FLOAT32}, {"float", DTYPE_FLOAT32},
                  {"float64", DTYPE_FLOAT64}, {"double", DTYPE_FLOAT64},
                  {"int64", DTYPE_INT64},     {"long", DTYPE_INT64},
                  {"int32", DTYPE_INT32},     {"int", DTYPE_INT32},
                  {"bool", DTYPE_BOOL},       {NULL, DTYPE_BOOL}};
    for (int i = 0; dtypes[i].name; i++)
        if (set_value(I, m, dtypes[i].name, dtype_value(I, dtypes[i].dt))) return -1;
    if (set_value(I, m, "__version__", val_str(I, "1.13.0a0"))) return -1;
    if (builtins_set_constructor(I, &type_torch_size, construct_size)) return -1;
    if (set_value(I, m, "Size", builtins_type_value(I, &type_torch_size))) return -1;
    if (set_value(I, m, "Tensor", builtins_type_value(I, &type_tensor))) return -1;
    if (set_value(I, m, "dtype", builtins_type_value(I, &type_dtype))) return -1;
    if (module_add_functions(I, m, torch_random_functions) || torch_random_init(I, m)) return -1;
    /* torch.nn is an attribute of torch once torch is imported, as in PyTorch. */
    Value *nn = module_import(I, "torch.nn");
    if (set_value(I, m, "nn", nn)) return -1;
    Value *optim = module_import(I, "torch.optim");
    if (set_value(I, m, "optim", optim)) return -1;
    return 0;
}

const ModuleDef module_def_torch = {"torch", torch_functions, init_torch,
                                    "PyTorch 1.13, for embedding layers (embedlab)."};
