/*
 * src/lang/tensor_methods.c — torch.Tensor attributes and methods (shape, dtype,
 * requires_grad, size(), view(), sum(), max(), ...), one table entry each.
 * See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <string.h>

#include "core/autograd.h"
#include "core/sparse.h"
#include "core/tensor_math.h"
#include "core/tensor_reduce.h"
#include "lang/interp.h"
#include "lang/ops.h"
#include "lang/return_types.h"
#include "lang/torch_state.h"
#include "lang/np_value.h"
#include "lang/torch_value.h"

#define SELF (tensor_of(self))

/* Wraps a core result, raising err when it is NULL. */
static Value *wrap(Interp *I, Tensor *t, Error *err) { return tensor_value_take(I, t, err); }

/* The autograd context; every method below runs its op through it (ag_*), so results
 * carry torch's grad_fn. NULL only when the torch state cannot be created (raised). */
#define CTX_OR_NULL                                  \
    AutogradCtx *ctx = torch_autograd(I);            \
    if (!ctx) return NULL;                           \
    Error err;                                       \
    err_clear(&err);

/* ---- argument helpers ---- */

/* dim: None (all dims), an int, or a tuple/list of ints. */
static int parse_dims(Interp *I, Value *v, const char *fn, DimList *dims, bool *all) {
    *all = val_is_none(v);
    if (*all) return 0;
    if (val_is_int(v)) {
        dims->count = 1;
        dims->dims[0] = val_as_int(v);
        return 0;
    }
    if (val_is_sequence(v)) {
        ListValue *l = (ListValue *)v;
        if (l->count > TENSOR_MAX_DIMS)
            return interp_error(I, ERR_RUNTIME, "%s(): too many dims", fn);
        for (int64_t i = 0; i < l->count; i++) {
            if (!val_is_int(l->items[i]))
                return interp_error(I, ERR_TYPE, "%s(): argument 'dim' must be tuple of ints, but "
                                                 "found element of type %s at pos %lld",
                                    fn, val_type_name(l->items[i]), (long long)i);
            dims->dims[i] = val_as_int(l->items[i]);
        }
        dims->count = (int)l->count;
        if (dims->count == 0) *all = true;
        return 0;
    }
    return interp_error(I, ERR_TYPE, "%s(): argument 'dim' must be tuple of ints, not %s", fn,
                        val_type_name(v));
}

static int want_bool(Interp *I, Value *v, const char *fn, const char *name, bool *out) {
    return arg_bool(I, v, fn, name, out);
}

/* Sizes from *args: view(2, 3), view((2, 3)), view(-1). */
static int shape_args(Interp *I, Value *args, const char *fn, int64_t *shape, int *ndim) {
    return arg_size(I, args, fn, shape, ndim);
}

/* ---- attributes ---- */

static Value *grad_fn_value(Interp *I, Tensor *t);

static const char T_WARNING[] =
    "UserWarning: The use of `x.T` on tensors of dimension other than 2 to reverse their shape "
    "is deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
    "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
    "dimensions of a tensor. (Triggered internally at  "
    "./aten/src/ATen/native/TensorShape.cpp:3277.)";

static const char GRAD_WARNING[] =
    "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
    "Its .grad attribute won't be populated during autograd.backward(). If you indeed want the "
    ".grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf "
    "Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more informations. (Triggered "
    "internally at  ./build/aten/src/ATen/core/TensorBody.h:480.)";

Value *tensor_getattr(Interp *I, Value *self, const char *name) {
    Tensor *t = SELF;
    if (strcmp(name, "shape") == 0) return val_torch_size_new(I, t->ndim, t->shape);
    if (strcmp(name, "dtype") == 0) return dtype_value(I, t->dtype);
    if (strcmp(name, "ndim") == 0) return val_int(I, t->ndim);
    if (strcmp(name, "requires_grad") == 0) return val_bool(I, t->requires_grad);
    if (strcmp(name, "is_leaf") == 0) return val_bool(I, ag_is_leaf(t));
    if (strcmp(name, "grad_fn") == 0) return grad_fn_value(I, t);
    if (strcmp(name, "_version") == 0) return val_int(I, (int64_t)t->storage->version);
    if (strcmp(name, "grad") == 0) {
        if (ag_retains_grad(t)) {
            Tensor *g = ag_retained_grad(t);
            return g ? tensor_value_take(I, tensor_retain(g), NULL) : val_none(I);
        }
        if (!ag_is_leaf(t) && !t->grad) torch_warn(I, GRAD_WARNING);
        if (!t->grad) return val_none(I);
        return tensor_value_take(I, tensor_retain(t->grad), NULL);
    }
    if (strcmp(name, "retains_grad") == 0) return val_bool(I, ag_retains_grad(t));
    if (strcmp(name, "data") == 0) {
        Error err;
        return wrap(I, ag_detach(t, &err), &err);
    }
    if (strcmp(name, "T") == 0 || strcmp(name, "mT") == 0) {
        CTX_OR_NULL
        if (name[0] == 'm') {
            if (t->ndim < 2) {
                interp_error(I, ERR_RUNTIME, "tensor.mT is only supported on matrices or batches "
                                             "of matrices. Got %d-D tensor.",
                             t->ndim);
                return NULL;
            }
            return wrap(I, ag_transpose(ctx, t, -2, -1, &err), &err);
        }
        if (t->ndim != 2) torch_warn(I, T_WARNING);
        int64_t perm[TENSOR_MAX_DIMS];
        for (int i = 0; i < t->ndim; i++) perm[i] = t->ndim - 1 - i;
        return wrap(I, ag_permute(ctx, t, t->ndim, perm, &err), &err);
    }
    if (strcmp(name, "device") == 0) return torch_device_cpu(I);
    if (strcmp(name, "is_cuda") == 0) return val_bool(I, false);
    if (strcmp(name, "is_sparse") == 0) return val_bool(I, false);
    if (strcmp(name, "layout") == 0) return val_str(I, "torch.strided");
    const BuiltinSpec *spec = builtin_find(tensor_random_methods, name);
    if (spec) return builtin_new(I, spec, "Tensor", self);
    return NULL;
}

int tensor_setattr(Interp *I, Value *self, const char *name, Value *value) {
    Tensor *t = SELF;
    if (strcmp(name, "requires_grad") == 0) {
        int flag = val_truth(I, value);
        if (flag < 0) return -1;
        if (!ag_is_leaf(t)) {
            if (flag) return 0; /* a result of a graph already requires grad */
            return interp_error(I, ERR_RUNTIME,
                                "you can only change requires_grad flags of leaf variables. If "
                                "you want to use a computed variable in a subgraph that doesn't "
                                "require differentiation use var_no_grad = var.detach().");
        }
        if (flag && !dtype_is_floating(t->dtype))
            return interp_error(I, ERR_RUNTIME, "only Tensors of floating point and complex "
                                                "dtype can require gradients");
        t->requires_grad = flag;
        return 0;
    }
    if (strcmp(name, "grad") == 0) {
        if (ag_retains_grad(t) && val_is_none(value)) {
            ag_set_retained_grad(t, NULL);
            return 0;
        }
        if (val_is_none(value)) {
            tensor_release(t->grad);
            t->grad = NULL;
            return 0;
        }
        if (!val_is_instance(value, &type_tensor))
            return interp_error(I, ERR_TYPE, "assigned grad expected to be a Tensor or None but "
                                             "got grad of type %s",
                                val_type_name(value));
        Tensor *g = tensor_of(value);
        if (g->dtype != t->dtype)
            return interp_error(I, ERR_TYPE, "assigned grad has data of a different type");
        if (!tensor_same_shape(g, t))
            return interp_error(I, ERR_RUNTIME, "assigned grad has data of a different size");
        if (ag_retains_grad(t)) {
            ag_set_retained_grad(t, g);
            return 0;
        }
        tensor_retain(g);
        tensor_release(t->grad);
        t->grad = g;
        return 0;
    }
    if (strcmp(name, "data") == 0) {
        if (!val_is_tensor(value))
            return interp_error(I, ERR_TYPE, "Variable data has to be a tensor, but got %s",
                                val_type_name(value));
        /* x.data = y: x (the same Python object) now shows y's storage and shape. */
        Tensor *src = tensor_of(value);
        if (t->requires_grad && !dtype_is_floating(src->dtype))
            return interp_error(I, ERR_RUNTIME, "data set to a tensor that requires gradients "
                                                "must be floating point or complex dtype");
        tensor_set_data(t, src);
        return 0;
    }
    if (tensor_getattr(I, self, name) || interp_has_error(I)) {
        interp_clear_error(I);
        return interp_error(I, ERR_ATTRIBUTE, "attribute '%s' of 'torch._C._TensorBase' objects "
                                              "is not writable",
                            name);
    }
    return interp_error(I, ERR_ATTRIBUTE, "'Tensor' object has no attribute '%s'", name);
}

int tensor_dir(Interp *I, Value *self, Value *names) {
    (void)self;
    static const char *const attrs[] = {"shape", "dtype", "ndim", "requires_grad", "is_leaf",
                                        "grad_fn", "grad", "retains_grad", "data", "T", "mT", "device",
                                        "is_sparse", "layout", "_version", NULL};
    for (int i = 0; attrs[i]; i++) {
        Value *s = val_str(I, attrs[i]);
        if (!s || val_list_append_take(I, names, s)) return -1;
    }
    for (const BuiltinSpec *m = tensor_random_methods; m->name; m++) {
        Value *s = val_str(I, m->name);
        if (!s || val_list_append_take(I, names, s)) return -1;
    }
    return 0;
}

/* grad_fn objects print as <AddBackward0 object at 0x...>; name() gives torch's C++ name
 * for the engine's own nodes ("torch::autograd::AccumulateGrad"). */
typedef struct GradFnValue {
    Value base;
    GradNode *node;
} GradFnValue;

static void destroy_grad_fn(Value *self) { grad_node_release(((GradFnValue *)self)->node); }

static int repr_grad_fn(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    GradFnValue *g = (GradFnValue *)self;
    sb_appendf(out, "<%s object at %p>", grad_node_name(g->node), (void *)g->node);
    return 0;
}

static Value *node_value(Interp *I, GradNode *node);

static Value *getattr_grad_fn(Interp *I, Value *self, const char *name) {
    GradNode *node = ((GradFnValue *)self)->node;
    if (strcmp(name, "next_functions") == 0) {
        int n = grad_node_next_count(node);
        Value *tuple = val_tuple_new(I, n);
        for (int i = 0; tuple && i < n; i++) {
            Value *pair = val_tuple_new(I, 2);
            Value *fn = pair ? node_value(I, grad_node_next(node, i)) : NULL;
            Value *nr = fn ? val_int(I, 0) : NULL;
            if (!nr) {
                val_release(fn);
                val_release(pair);
                val_release(tuple);
                return NULL;
            }
            ((ListValue *)pair)->items[0] = fn;
            ((ListValue *)pair)->items[1] = nr;
            ((ListValue *)tuple)->items[i] = pair;
        }
        return tuple;
    }
    if (strcmp(name, "variable") == 0 && grad_node_variable(node))
        return tensor_value_take(I, tensor_retain(grad_node_variable(node)), NULL);
    return NULL;
}

static Value *grad_fn_name(Interp *I, Value *self, Value **argv) {
    (void)argv;
    const char *name = grad_node_name(((GradFnValue *)self)->node);
    if (strcmp(name, "AccumulateGrad") == 0 || strcmp(name, "CopySlices") == 0 ||
        strcmp(name, "CopyBackwards") == 0) {
        StrBuf sb = SB_INIT;
        sb_appendf(&sb, "torch::autograd::%s", name);
        return val_str_from_sb(I, &sb);
    }
    return val_str(I, name);
}

static const BuiltinSpec grad_fn_methods[] = {
    {"name", grad_fn_name, "()", "The name of the backward function (\"SumBackward0\")."},
    {NULL, NULL, NULL, NULL},
};

/* Each backward function is its own class in torch: 'MulBackward0' object. */
static const char *tp_name_of_grad_fn(const Value *self) {
    return grad_node_name(((const GradFnValue *)self)->node);
}

static const ValueType type_grad_fn = {.name = "Node",
                                       .tp_name_of = tp_name_of_grad_fn,
                                       .destroy = destroy_grad_fn,
                                       .repr = repr_grad_fn,
                                       .getattr = getattr_grad_fn,
                                       .methods = grad_fn_methods};

static Value *node_value(Interp *I, GradNode *node) {
    if (!node) return val_none(I);
    GradFnValue *g = (GradFnValue *)val_alloc(I, &type_grad_fn, sizeof *g);
    if (!g) return NULL;
    g->node = grad_node_retain(node);
    return (Value *)g;
}

static Value *grad_fn_value(Interp *I, Tensor *t) {
    return node_value(I, ag_is_leaf(t) || sparse_is(t) ? NULL : t->grad_fn);
}

/* ---- shape and conversion methods ---- */

static Value *m_size(Interp *I, Value *self, Value **argv) {
    Tensor *t = SELF;
    if (val_is_none(argv[0])) return val_torch_size_new(I, t->ndim, t->shape);
    int64_t dim;
    if (arg_int(I, argv[0], "size", "dim", &dim)) return NULL;
    int d;
    Error err;
    if (tensor_wrap_dim(dim, t->ndim, &d, &err)) return interp_raise(I, &err), NULL;
    return val_int(I, t->ndim ? t->shape[d] : 1);
}

static Value *m_stride(Interp *I, Value *self, Value **argv) {
    Tensor *t = SELF;
    if (!val_is_none(argv[0])) {
        int64_t dim;
        int d;
        Error err;
        if (arg_int(I, argv[0], "stride", "dim", &dim)) return NULL;
        if (tensor_wrap_dim(dim, t->ndim, &d, &err)) return interp_raise(I, &err), NULL;
        return val_int(I, t->ndim ? t->stride[d] : 1);
    }
    Value *tuple = val_tuple_new(I, t->ndim);
    for (int i = 0; tuple && i < t->ndim; i++) {
        Value *s = val_int(I, t->stride[i]);
        if (!s) {
            val_release(tuple);
            return NULL;
        }
        ((ListValue *)tuple)->items[i] = s;
    }
    return tuple;
}

static Value *m_dim(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return val_int(I, SELF->ndim);
}

static Value *m_numel(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return val_int(I, tensor_numel(SELF));
}

static Value *m_element_size(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return val_int(I, (int64_t)dtype_size(SELF->dtype));
}

static Value *m_is_contiguous(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return val_bool(I, tensor_is_contiguous(SELF));
}

static Value *m_is_floating_point(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return val_bool(I, dtype_is_floating(SELF->dtype));
}

static Value *m_item(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return tensor_item_value(I, SELF);
}

static Value *m_tolist(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return tensor_to_list(I, SELF);
}

static Value *convert(Interp *I, Value *self, DType dt) {
    Tensor *t = SELF;
    if (t->dtype == dt) return val_retain(self);
    CTX_OR_NULL
    return wrap(I, ag_to_dtype(ctx, t, dt, &err), &err);
}

static Value *m_float(Interp *I, Value *self, Value **argv) { (void)argv; return convert(I, self, DTYPE_FLOAT32); }
static Value *m_double(Interp *I, Value *self, Value **argv) { (void)argv; return convert(I, self, DTYPE_FLOAT64); }
static Value *m_long(Interp *I, Value *self, Value **argv) { (void)argv; return convert(I, self, DTYPE_INT64); }
static Value *m_int(Interp *I, Value *self, Value **argv) { (void)argv; return convert(I, self, DTYPE_INT32); }
static Value *m_bool(Interp *I, Value *self, Value **argv) { (void)argv; return convert(I, self, DTYPE_BOOL); }

static Value *m_to(Interp *I, Value *self, Value **argv) {
    /* to(dtype) / to(device) / to(other tensor) */
    ListValue *args = (ListValue *)argv[0];
    DType dt = SELF->dtype;
    bool given = false;
    for (int64_t i = 0; i < args->count; i++) {
        Value *a = args->items[i];
        if (val_is_dtype(a)) dt = ((DTypeValue *)a)->dtype, given = true;
        else if (val_is_tensor(a)) dt = tensor_of(a)->dtype, given = true;
        else if (torch_is_cpu_device(I, a)) continue;
        else {
            interp_error(I, ERR_TYPE, "to() received an invalid combination of arguments - got (%s)",
                         val_type_name(a));
            return NULL;
        }
    }
    if (argv[1] && !val_is_none(argv[1])) {
        if (arg_dtype(I, argv[1], "to", &dt, &given)) return NULL;
    }
    if (!given) return val_retain(self);
    return convert(I, self, dt);
}

static Value *m_type(Interp *I, Value *self, Value **argv) {
    if (!argv[0] || val_is_none(argv[0])) return val_str(I, dtype_legacy_name(SELF->dtype));
    if (val_is_dtype(argv[0])) return convert(I, self, ((DTypeValue *)argv[0])->dtype);
    interp_error(I, ERR_TYPE, "type(): expected a torch.dtype");
    return NULL;
}

static Value *m_cpu(Interp *I, Value *self, Value **argv) {
    (void)I, (void)argv;
    return val_retain(self);
}

static Value *m_view(Interp *I, Value *self, Value **argv) {
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    if (val_is(argv[0], &type_tuple) && ((ListValue *)argv[0])->count == 1 &&
        val_is_dtype(((ListValue *)argv[0])->items[0])) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "view(dtype) is not supported by embedlab");
        return NULL;
    }
    if (shape_args(I, argv[0], "view", shape, &ndim)) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_view(ctx, SELF, ndim, shape, &err), &err);
}

static Value *m_reshape(Interp *I, Value *self, Value **argv) {
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    if (shape_args(I, argv[0], "reshape", shape, &ndim)) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_reshape(ctx, SELF, ndim, shape, &err), &err);
}

static Value *m_flatten(Interp *I, Value *self, Value **argv) {
    Tensor *t = SELF;
    int64_t start, end;
    if (arg_int(I, argv[0], "flatten", "start_dim", &start) ||
        arg_int(I, argv[1], "flatten", "end_dim", &end))
        return NULL;
    CTX_OR_NULL
    int s = 0, e = 0;
    if (tensor_wrap_dim(start, t->ndim, &s, &err) || tensor_wrap_dim(end, t->ndim, &e, &err))
        return interp_raise(I, &err), NULL;
    if (t->ndim == 0) {
        int64_t one = 1;
        return wrap(I, ag_reshape(ctx, t, 1, &one, &err), &err);
    }
    if (s > e) {
        interp_error(I, ERR_RUNTIME, "flatten() has invalid args: start_dim cannot come after "
                                     "end_dim");
        return NULL;
    }
    if (s == e) return val_retain(self);
    int64_t shape[TENSOR_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < s; i++) shape[n++] = t->shape[i];
    int64_t merged = 1;
    for (int i = s; i <= e; i++) merged *= t->shape[i];
    shape[n++] = merged;
    for (int i = e + 1; i < t->ndim; i++) shape[n++] = t->shape[i];
    return wrap(I, ag_reshape(ctx, t, n, shape, &err), &err);
}

static Value *m_transpose(Interp *I, Value *self, Value **argv) {
    int64_t d0, d1;
    if (arg_int(I, argv[0], "transpose", "dim0", &d0) || arg_int(I, argv[1], "transpose", "dim1", &d1))
        return NULL;
    CTX_OR_NULL
    return wrap(I, ag_transpose(ctx, SELF, d0, d1, &err), &err);
}

static Value *m_permute(Interp *I, Value *self, Value **argv) {
    int64_t dims[TENSOR_MAX_DIMS];
    int n;
    if (shape_args(I, argv[0], "permute", dims, &n)) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_permute(ctx, SELF, n, dims, &err), &err);
}

static Value *m_t(Interp *I, Value *self, Value **argv) {
    (void)argv;
    CTX_OR_NULL
    return wrap(I, ag_t(ctx, SELF, &err), &err);
}

static Value *m_unsqueeze(Interp *I, Value *self, Value **argv) {
    int64_t dim;
    if (arg_int(I, argv[0], "unsqueeze", "dim", &dim)) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_unsqueeze(ctx, SELF, dim, &err), &err);
}

static Value *m_squeeze(Interp *I, Value *self, Value **argv) {
    CTX_OR_NULL
    if (val_is_none(argv[0])) return wrap(I, ag_squeeze(ctx, SELF, &err), &err);
    int64_t dim;
    if (arg_int(I, argv[0], "squeeze", "dim", &dim)) return NULL;
    return wrap(I, ag_squeeze_dim(ctx, SELF, dim, &err), &err);
}

static Value *m_expand(Interp *I, Value *self, Value **argv) {
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    if (shape_args(I, argv[0], "expand", shape, &ndim)) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_expand(ctx, SELF, ndim, shape, &err), &err);
}

static Value *m_expand_as(Interp *I, Value *self, Value **argv) {
    Tensor *other = arg_tensor(I, argv[0], "expand_as", "other", 1);
    if (!other) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_expand(ctx, SELF, other->ndim, other->shape, &err), &err);
}

static Value *m_contiguous(Interp *I, Value *self, Value **argv) {
    (void)argv;
    if (tensor_is_contiguous(SELF)) return val_retain(self);
    CTX_OR_NULL
    return wrap(I, ag_contiguous(ctx, SELF, &err), &err);
}

static Value *m_clone(Interp *I, Value *self, Value **argv) {
    (void)argv;
    CTX_OR_NULL
    return wrap(I, ag_clone(ctx, SELF, &err), &err);
}

static Value *m_detach(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    return wrap(I, ag_detach(SELF, &err), &err);
}

/* detach_(): the tensor itself leaves the graph (a leaf with requires_grad false). */
static Value *m_detach_(Interp *I, Value *self, Value **argv) {
    (void)I, (void)argv;
    Tensor *t = SELF;
    if (!ag_is_leaf(t)) {
        GradNode *old = t->grad_fn;
        t->grad_fn = NULL;
        grad_node_release(old);
    }
    t->requires_grad = false;
    return val_retain(self);
}

static Value *m_retain_grad(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    err_clear(&err);
    if (ag_retain_grad(SELF, &err) != ERR_OK) return interp_raise(I, &err), NULL;
    return val_none(I);
}

static Value *m_requires_grad_(Interp *I, Value *self, Value **argv) {
    int flag = val_truth(I, argv[0]);
    if (flag < 0) return NULL;
    if (flag && !dtype_is_floating(SELF->dtype)) {
        interp_error(I, ERR_RUNTIME, "only Tensors of floating point dtype can require gradients");
        return NULL;
    }
    if (tensor_setattr(I, self, "requires_grad", argv[0])) return NULL;
    return val_retain(self);
}

/* t.backward(gradient=None, retain_graph=None, create_graph=False, inputs=None) */
static Value *m_backward(Interp *I, Value *self, Value **argv) {
    Tensor *grad = NULL;
    if (!val_is_none(argv[0])) {
        if (!val_is_tensor(argv[0])) {
            interp_error(I, ERR_TYPE, "gradients can be either Tensors or None, but got %s",
                         val_type_name(argv[0]));
            return NULL;
        }
        grad = tensor_of(argv[0]);
    }
    int create = val_truth(I, argv[2]);
    if (create < 0) return NULL;
    if (create) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "backward(create_graph=True) (higher-order "
                                             "gradients) is not supported by embedlab");
        return NULL;
    }
    int retain = val_is_none(argv[1]) ? create : val_truth(I, argv[1]);
    if (retain < 0) return NULL;
    if (!val_is_none(argv[3])) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "backward(inputs=...) is not supported by embedlab");
        return NULL;
    }
    CTX_OR_NULL
    if (ag_backward(ctx, SELF, grad, retain, &err) != ERR_OK) return interp_raise(I, &err), NULL;
    return val_none(I);
}

static Value *m_index_select(Interp *I, Value *self, Value **argv) {
    int64_t dim;
    if (arg_int(I, argv[0], "index_select", "dim", &dim)) return NULL;
    Tensor *index = arg_tensor(I, argv[1], "index_select", "index", 2);
    if (!index) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_index_select(ctx, SELF, dim, index, &err), &err);
}

static Value *m_masked_select(Interp *I, Value *self, Value **argv) {
    Tensor *mask = arg_tensor(I, argv[0], "masked_select", "mask", 1);
    if (!mask) return NULL;
    if (mask->dtype != DTYPE_BOOL) {
        interp_error(I, ERR_RUNTIME, "masked_select: expected BoolTensor for mask");
        return NULL;
    }
    CTX_OR_NULL
    return wrap(I, ag_masked_select(ctx, SELF, mask, &err), &err);
}

static Value *m_masked_fill(Interp *I, Value *self, Value **argv, bool inplace) {
    Tensor *mask = arg_tensor(I, argv[0], "masked_fill", "mask", 1);
    if (!mask) return NULL;
    if (!val_is_tensor(argv[1]) && arg_scalar_fits(I, argv[1], SELF->dtype)) return NULL;
    if (mask->dtype != DTYPE_BOOL) {
        interp_error(I, ERR_RUNTIME, "masked_fill_ only supports boolean masks, but got mask with "
                                     "dtype %s",
                     dtype_scalar_name(mask->dtype));
        return NULL;
    }
    Tensor *value = arg_tensor_or_number(I, argv[1], "masked_fill", "value");
    if (!value) return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    Error err;
    err_clear(&err);
    Value *result = NULL;
    if (!ctx) {
        /* raised */
    } else if (!inplace) {
        /* the mask must broadcast to self's shape (not the other way) */
        Tensor *r = ag_masked_fill(ctx, SELF, mask, value, &err);
        if (r && !tensor_same_shape(r, SELF)) {
            char a[128], b[128];
            tensor_shape_str(SELF->ndim, SELF->shape, a, sizeof a);
            tensor_shape_str(r->ndim, r->shape, b, sizeof b);
            tensor_release(r);
            r = NULL;
            err_set(&err, ERR_RUNTIME, "output with shape %s doesn't match the broadcast shape %s", a, b);
        }
        result = wrap(I, r, &err);
    } else if (torch_check_inplace(I, SELF) == 0) {
        Tensor *ins[2] = {SELF, value};
        if (ag_any_requires(ctx, ins, 2)) {
            Tensor *src = ag_inplace_source(ctx, SELF, &err);
            Tensor *r = src ? ag_masked_fill(ctx, src, mask, value, &err) : NULL;
            tensor_release(src);
            if (r && ag_commit_inplace(ctx, SELF, r, &err) == ERR_OK) result = val_retain(self);
            else interp_raise(I, &err);
            tensor_release(r);
        } else {
            Tensor *vd = tensor_to_dtype(value, SELF->dtype, &err);
            Tensor *filled = vd ? tensor_where(mask, vd, SELF, &err) : NULL;
            if (filled && tensor_assign_(SELF, filled, &err) == ERR_OK) result = val_retain(self);
            else interp_raise(I, &err);
            tensor_release(vd);
            tensor_release(filled);
        }
    }
    tensor_release(value);
    return result;
}
static Value *m_masked_fill_out(Interp *I, Value *self, Value **argv) { return m_masked_fill(I, self, argv, false); }
static Value *m_masked_fill_(Interp *I, Value *self, Value **argv) { return m_masked_fill(I, self, argv, true); }

/* ---- in-place fills ---- */

/* After a constant overwrite of t: torch's node for it when t has a history (value: the
 * 0-d tensor fill_ took, or NULL). */
static Value *constant_done(Interp *I, Value *self, const char *node, Tensor *value) {
    CTX_OR_NULL
    if (ag_rebase_constant(ctx, SELF, node, value, &err) != ERR_OK)
        return interp_raise(I, &err), NULL;
    return val_retain(self);
}

static Value *m_fill_(Interp *I, Value *self, Value **argv) {
    double v;
    if (val_is_tensor(argv[0])) {
        Tensor *src = tensor_of(argv[0]);
        if (src->ndim != 0) {
            interp_error(I, ERR_RUNTIME, "fill_ only supports 0-dimension value tensor but got "
                                         "tensor with %d dimensions.",
                         src->ndim);
            return NULL;
        }
        v = tensor_get(src, 0);
    } else if (arg_float(I, argv[0], "fill_", "value", &v)) {
        return NULL;
    }
    if (arg_scalar_fits(I, argv[0], SELF->dtype) || torch_check_inplace(I, SELF)) return NULL;
    Error err;
    if (val_is_int(argv[0]) && dtype_is_integral(SELF->dtype)) {
        for (int64_t i = 0, n = tensor_numel(SELF); i < n; i++)
            tensor_store_int(SELF, tensor_flat_offset(SELF, i), val_as_int(argv[0]));
        tensor_bump_version(SELF);
    } else if (tensor_fill_(SELF, v, &err)) {
        return interp_raise(I, &err), NULL;
    }
    /* fill_.Scalar is FillBackward2, fill_.Tensor FillBackward3 */
    if (val_is_tensor(argv[0])) return constant_done(I, self, "FillBackward3", tensor_of(argv[0]));
    return constant_done(I, self, "FillBackward2", NULL);
}

static Value *m_zero_(Interp *I, Value *self, Value **argv) {
    (void)argv;
    if (torch_check_inplace(I, SELF)) return NULL;
    Error err;
    if (tensor_fill_(SELF, 0.0, &err)) return interp_raise(I, &err), NULL;
    return constant_done(I, self, "ZeroBackward0", NULL);
}

static Value *m_copy_(Interp *I, Value *self, Value **argv) {
    Tensor *src = arg_tensor(I, argv[0], "copy_", "src", 1);
    if (!src || torch_check_inplace(I, SELF)) return NULL;
    CTX_OR_NULL
    if (ag_copy_(ctx, SELF, src, &err) != ERR_OK) return interp_raise(I, &err), NULL;
    return val_retain(self);
}

/* ---- arithmetic methods ---- */

static Value *method_binary(Interp *I, Value *self, Value *other, BinaryOp op, const char *fn,
                            bool inplace, Value *alpha) {
    Tensor *b = NULL;
    if (val_is_instance(other, &type_tensor)) b = tensor_retain(tensor_of(other)); /* sparse too */
    else b = arg_tensor_or_number(I, other, fn, "other");
    if (!b) return NULL;
    double al = 1.0;
    if (alpha && !val_is_none(alpha)) {
        if (!val_is_number(alpha)) {
            tensor_release(b);
            interp_error(I, ERR_TYPE, "%s(): argument 'alpha' must be Number, not %s", fn,
                         val_type_name(alpha));
            return NULL;
        }
        al = val_as_float(alpha);
    }
    Value *result = NULL;
    if (inplace) {
        if (torch_inplace_binary(I, op, SELF, b, al) == 0) result = val_retain(self);
    } else if ((op == BIN_ADD || op == BIN_SUB) && (al != 1.0 || sparse_is(b))) {
        AutogradCtx *ctx = torch_autograd(I);
        Error err;
        err_clear(&err);
        if (ctx && sparse_is(b))
            result = wrap(I, sparse_dense_add(SELF, b, op == BIN_SUB ? -al : al, &err), &err);
        else if (ctx)
            result = wrap(I, ag_add_scaled(ctx, SELF, b, al, op == BIN_SUB, &err), &err);
    } else if (sparse_is(b)) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "%s(dense, sparse) is not supported by embedlab", fn);
    } else {
        result = torch_binary(I, op, SELF, b);
    }
    tensor_release(b);
    return result;
}

#define BINARY_METHOD(fname, op, inplace)                                          \
    static Value *m_##fname(Interp *I, Value *self, Value **argv) {              \
        return method_binary(I, self, argv[0], op, #fname, inplace, NULL);       \
    }
#define BINARY_METHOD_ALPHA(fname, op, inplace)                                    \
    static Value *m_##fname(Interp *I, Value *self, Value **argv) {              \
        return method_binary(I, self, argv[0], op, #fname, inplace, argv[1]);    \
    }
BINARY_METHOD_ALPHA(add, BIN_ADD, false)
BINARY_METHOD_ALPHA(add_, BIN_ADD, true)
BINARY_METHOD_ALPHA(sub, BIN_SUB, false)
BINARY_METHOD_ALPHA(sub_, BIN_SUB, true)
BINARY_METHOD(mul, BIN_MUL, false)
BINARY_METHOD(mul_, BIN_MUL, true)
BINARY_METHOD(div, BIN_DIV, false)
BINARY_METHOD(div_, BIN_DIV, true)
BINARY_METHOD(pow, BIN_POW, false)
BINARY_METHOD(pow_, BIN_POW, true)
BINARY_METHOD(eq, BIN_EQ, false)
BINARY_METHOD(ne, BIN_NE, false)
BINARY_METHOD(lt, BIN_LT, false)
BINARY_METHOD(le, BIN_LE, false)
BINARY_METHOD(gt, BIN_GT, false)
BINARY_METHOD(ge, BIN_GE, false)
BINARY_METHOD(maximum, BIN_MAXIMUM, false)
BINARY_METHOD(minimum, BIN_MINIMUM, false)
BINARY_METHOD(remainder, BIN_REMAINDER, false)
BINARY_METHOD(floor_divide, BIN_FLOOR_DIV, false)

static Value *m_matmul(Interp *I, Value *self, Value **argv) {
    Tensor *other = arg_tensor(I, argv[0], "matmul", "other", 1);
    return other ? torch_matmul(I, SELF, other) : NULL;
}

static Value *m_equal(Interp *I, Value *self, Value **argv) {
    Tensor *other = arg_tensor(I, argv[0], "equal", "other", 1);
    return other ? val_bool(I, tensor_equal(SELF, other)) : NULL;
}

static Value *m_mm(Interp *I, Value *self, Value **argv) {
    Tensor *other = arg_tensor(I, argv[0], "mm", "mat2", 1);
    if (!other) return NULL;
    if (SELF->ndim != 2) {
        interp_error(I, ERR_RUNTIME, "self must be a matrix");
        return NULL;
    }
    if (other->ndim != 2) {
        interp_error(I, ERR_RUNTIME, "mat2 must be a matrix");
        return NULL;
    }
    return torch_matmul(I, SELF, other);
}

#define UNARY_METHOD(fname, op)                                       \
    static Value *m_##fname(Interp *I, Value *self, Value **argv) { \
        (void)argv;                                                   \
        return torch_unary(I, op, SELF);                              \
    }
UNARY_METHOD(abs, UN_ABS)
UNARY_METHOD(neg, UN_NEG)
UNARY_METHOD(sqrt, UN_SQRT)
UNARY_METHOD(rsqrt, UN_RSQRT)
UNARY_METHOD(exp, UN_EXP)
UNARY_METHOD(log, UN_LOG)
UNARY_METHOD(log1p, UN_LOG1P)
UNARY_METHOD(sin, UN_SIN)
UNARY_METHOD(cos, UN_COS)
UNARY_METHOD(tanh, UN_TANH)
UNARY_METHOD(sigmoid, UN_SIGMOID)
UNARY_METHOD(relu, UN_RELU)
UNARY_METHOD(floor, UN_FLOOR)
UNARY_METHOD(ceil, UN_CEIL)
UNARY_METHOD(trunc, UN_TRUNC)
UNARY_METHOD(sign, UN_SIGN)
UNARY_METHOD(reciprocal, UN_RECIPROCAL)
UNARY_METHOD(square, UN_SQUARE)
UNARY_METHOD(logical_not, UN_LOGICAL_NOT)
UNARY_METHOD(isnan, UN_ISNAN)
UNARY_METHOD(isinf, UN_ISINF)
UNARY_METHOD(isfinite, UN_ISFINITE)

#define UNARY_INPLACE(fname, op)                                                \
    static Value *m_##fname(Interp *I, Value *self, Value **argv) {           \
        (void)argv;                                                             \
        return torch_inplace_unary(I, op, SELF) ? NULL : val_retain(self);     \
    }
UNARY_INPLACE(relu_, UN_RELU)
UNARY_INPLACE(exp_, UN_EXP)
UNARY_INPLACE(neg_, UN_NEG)
UNARY_INPLACE(abs_, UN_ABS)
UNARY_INPLACE(sqrt_, UN_SQRT)
UNARY_INPLACE(tanh_, UN_TANH)
UNARY_INPLACE(sigmoid_, UN_SIGMOID)

static Value *m_round(Interp *I, Value *self, Value **argv) {
    if (!val_is_none(argv[0]) && val_as_int(argv[0]) != 0) {
        /* round(decimals=n): x * 10^n rounded half-even, then divided back. */
        Error err;
        double scale = pow(10.0, (double)val_as_int(argv[0]));
        Tensor *f = tensor_scalar(SELF->dtype, scale, &err);
        Tensor *up = f ? tensor_binary(BIN_MUL, SELF, f, &err) : NULL;
        Tensor *r = up ? tensor_unary(UN_ROUND, up, &err) : NULL;
        Tensor *out = r ? tensor_binary(BIN_DIV, r, f, &err) : NULL;
        tensor_release(f);
        tensor_release(up);
        tensor_release(r);
        return wrap(I, out, &err);
    }
    return torch_unary(I, UN_ROUND, SELF);
}

static Value *m_clamp(Interp *I, Value *self, Value **argv, bool inplace) {
    bool has_min = !val_is_none(argv[0]), has_max = !val_is_none(argv[1]);
    double lo = 0, hi = 0;
    if ((has_min && arg_float(I, argv[0], "clamp", "min", &lo)) ||
        (has_max && arg_float(I, argv[1], "clamp", "max", &hi)))
        return NULL;
    if (!has_min && !has_max) {
        interp_error(I, ERR_RUNTIME, "torch.clamp: At least one of 'min' or 'max' must not be None");
        return NULL;
    }
    if (inplace)
        return torch_inplace_clamp(I, SELF, has_min, lo, has_max, hi) ? NULL : val_retain(self);
    CTX_OR_NULL
    return wrap(I, ag_clamp(ctx, SELF, has_min, lo, has_max, hi, &err), &err);
}
static Value *m_clamp_out(Interp *I, Value *self, Value **argv) { return m_clamp(I, self, argv, false); }
static Value *m_clamp_(Interp *I, Value *self, Value **argv) { return m_clamp(I, self, argv, true); }

static Value *m_clamp_min(Interp *I, Value *self, Value **argv) {
    double lo;
    if (arg_float(I, argv[0], "clamp_min", "min", &lo)) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_clamp_min(ctx, SELF, lo, &err), &err);
}

/* ---- reductions ---- */

typedef enum { RED_SUM, RED_MEAN, RED_PROD, RED_ALL, RED_ANY } RedKind;

static Value *reduce(Interp *I, Value *self, Value *dim, Value *keepdim, RedKind kind,
                     const char *name, Value *dtype) {
    DimList dims;
    bool all, keep;
    if (parse_dims(I, dim, name, &dims, &all) || want_bool(I, keepdim, name, "keepdim", &keep))
        return NULL;
    CTX_OR_NULL
    Tensor *input = tensor_retain(SELF);
    DType dt = SELF->dtype;
    bool cast = dtype && !val_is_none(dtype);
    if (cast) {
        bool given;
        if (arg_dtype(I, dtype, name, &dt, &given)) {
            tensor_release(input);
            return NULL;
        }
        Tensor *converted = ag_to_dtype(ctx, input, dt, &err);
        tensor_release(input);
        if (!converted) return interp_raise(I, &err), NULL;
        input = converted;
    }
    const DimList *dl = all ? NULL : &dims;
    Tensor *r = NULL;
    switch (kind) {
    case RED_SUM: r = ag_sum(ctx, input, dl, keep, &err); break;
    case RED_MEAN: r = ag_mean(ctx, input, dl, keep, &err); break;
    case RED_PROD: r = ag_prod(ctx, input, dl, keep, &err); break;
    case RED_ALL: r = tensor_all(input, dl, keep, &err); break;
    case RED_ANY: r = tensor_any(input, dl, keep, &err); break;
    }
    tensor_release(input);
    if (r && cast && r->dtype != dt && dtype_is_integral(dt)) { /* sum(dtype=torch.int32) */
        Tensor *c = ag_to_dtype(ctx, r, dt, &err);
        tensor_release(r);
        r = c;
    }
    return wrap(I, r, &err);
}

static Value *m_sum(Interp *I, Value *self, Value **argv) {
    return reduce(I, self, argv[0], argv[1], RED_SUM, "sum", argv[2]);
}
static Value *m_mean(Interp *I, Value *self, Value **argv) {
    return reduce(I, self, argv[0], argv[1], RED_MEAN, "mean", argv[2]);
}
static Value *m_prod(Interp *I, Value *self, Value **argv) {
    return reduce(I, self, argv[0], argv[1], RED_PROD, "prod", argv[2]);
}
static Value *m_all(Interp *I, Value *self, Value **argv) {
    return reduce(I, self, argv[0], argv[1], RED_ALL, "all", NULL);
}
static Value *m_any(Interp *I, Value *self, Value **argv) {
    return reduce(I, self, argv[0], argv[1], RED_ANY, "any", NULL);
}

static Value *var_std(Interp *I, Value *self, Value **argv, bool is_std) {
    const char *name = is_std ? "std" : "var";
    DimList dims;
    bool all, keep, unbiased = true;
    Value *dim = argv[0], *unbiased_arg = argv[1];
    /* std(True) / std(False): a bool first argument is `unbiased`. */
    if (val_is(dim, &type_bool)) {
        unbiased_arg = dim;
        dim = I->none;
    }
    if (parse_dims(I, dim, name, &dims, &all) ||
        want_bool(I, argv[2], name, "keepdim", &keep))
        return NULL;
    if (!val_is_none(unbiased_arg) && want_bool(I, unbiased_arg, name, "unbiased", &unbiased))
        return NULL;
    int correction = unbiased ? 1 : 0;
    if (argv[3] && !val_is_none(argv[3])) {
        int64_t c;
        if (arg_int(I, argv[3], name, "correction", &c)) return NULL;
        correction = (int)c;
    }
    CTX_OR_NULL
    return wrap(I, ag_var(ctx, SELF, all ? NULL : &dims, correction, keep, is_std, &err), &err);
}
static Value *m_std(Interp *I, Value *self, Value **argv) { return var_std(I, self, argv, true); }
static Value *m_var(Interp *I, Value *self, Value **argv) { return var_std(I, self, argv, false); }

static Value *m_norm(Interp *I, Value *self, Value **argv) {
    double p = 2.0;
    if (val_is_str(argv[0])) {
        const char *s = val_str_data(argv[0]);
        if (strcmp(s, "fro") != 0) {
            interp_error(I, ERR_RUNTIME, "norm(): only p='fro' is supported among string norms");
            return NULL;
        }
    } else if (!val_is_none(argv[0]) && arg_float(I, argv[0], "norm", "p", &p)) {
        return NULL;
    }
    if (!dtype_is_floating(SELF->dtype)) {
        interp_error(I, ERR_RUNTIME, "norm(): input dtype should be either floating point or "
                                     "complex. Got %s instead.",
                     dtype_scalar_name(SELF->dtype));
        return NULL;
    }
    DimList dims;
    bool all, keep;
    if (parse_dims(I, argv[1], "norm", &dims, &all) ||
        want_bool(I, argv[2], "norm", "keepdim", &keep))
        return NULL;
    CTX_OR_NULL
    return wrap(I, ag_norm(ctx, SELF, p, all ? NULL : &dims, keep, &err), &err);
}

static Value *pair_result(Interp *I, const char *type_name, int rc, Tensor *values,
                          Tensor *indices, Error *err) {
    if (rc) {
        tensor_release(values);
        tensor_release(indices);
        interp_raise(I, err);
        return NULL;
    }
    Value *v = tensor_value_take(I, values, NULL);
    Value *ix = v ? tensor_value_take(I, indices, NULL) : (tensor_release(indices), NULL);
    if (!ix) {
        val_release(v);
        return NULL;
    }
    return return_types_pair(I, type_name, v, ix);
}

static Value *max_min(Interp *I, Value *self, Value **argv, bool is_max) {
    const char *name = is_max ? "max" : "min";
    if (val_is_tensor(argv[0]))
        return torch_binary(I, is_max ? BIN_MAXIMUM : BIN_MINIMUM, SELF, tensor_of(argv[0]));
    CTX_OR_NULL
    if (val_is_none(argv[0])) return wrap(I, ag_max_all(ctx, SELF, is_max, &err), &err);
    int64_t dim;
    bool keep;
    if (arg_int(I, argv[0], name, "dim", &dim) || want_bool(I, argv[1], name, "keepdim", &keep))
        return NULL;
    Tensor *values = NULL, *indices = NULL;
    int rc = ag_max_dim(ctx, SELF, dim, keep, is_max, &values, &indices, &err);
    return pair_result(I, name, rc, values, indices, &err);
}
static Value *m_max(Interp *I, Value *self, Value **argv) { return max_min(I, self, argv, true); }
static Value *m_min(Interp *I, Value *self, Value **argv) { return max_min(I, self, argv, false); }

static Value *arg_extreme(Interp *I, Value *self, Value **argv, bool is_max) {
    const char *name = is_max ? "argmax" : "argmin";
    bool has_dim = !val_is_none(argv[0]), keep;
    int64_t dim = 0;
    if ((has_dim && arg_int(I, argv[0], name, "dim", &dim)) ||
        want_bool(I, argv[1], name, "keepdim", &keep))
        return NULL;
    Error err;
    Tensor *r = is_max ? tensor_argmax(SELF, has_dim, dim, keep, &err)
                       : tensor_argmin(SELF, has_dim, dim, keep, &err);
    return wrap(I, r, &err);
}
static Value *m_argmax(Interp *I, Value *self, Value **argv) { return arg_extreme(I, self, argv, true); }
static Value *m_argmin(Interp *I, Value *self, Value **argv) { return arg_extreme(I, self, argv, false); }

static Value *m_sort(Interp *I, Value *self, Value **argv) {
    int64_t dim;
    bool descending;
    if (arg_int(I, argv[0], "sort", "dim", &dim) ||
        want_bool(I, argv[1], "sort", "descending", &descending))
        return NULL;
    CTX_OR_NULL
    Tensor *values = NULL, *indices = NULL;
    int rc = ag_sort(ctx, SELF, dim, descending, &values, &indices, &err);
    return pair_result(I, "sort", rc, values, indices, &err);
}

static Value *m_topk(Interp *I, Value *self, Value **argv) {
    int64_t k, dim;
    bool largest, sorted;
    if (arg_int(I, argv[0], "topk", "k", &k) || arg_int(I, argv[1], "topk", "dim", &dim) ||
        want_bool(I, argv[2], "topk", "largest", &largest) ||
        want_bool(I, argv[3], "topk", "sorted", &sorted))
        return NULL;
    CTX_OR_NULL
    Tensor *values = NULL, *indices = NULL;
    int rc = ag_topk(ctx, SELF, k, dim, largest, sorted, &values, &indices, &err);
    return pair_result(I, "topk", rc, values, indices, &err);
}

/* t.softmax(dim) / t.log_softmax(dim) */
static Value *softmax_method(Interp *I, Value *self, Value **argv, bool log) {
    int64_t dim;
    if (arg_int(I, argv[0], log ? "log_softmax" : "softmax", "dim", &dim)) return NULL;
    CTX_OR_NULL
    return wrap(I, ag_softmax(ctx, SELF, dim, log, &err), &err);
}
static Value *m_softmax(Interp *I, Value *self, Value **argv) { return softmax_method(I, self, argv, false); }
static Value *m_log_softmax(Interp *I, Value *self, Value **argv) { return softmax_method(I, self, argv, true); }

static Value *m_to_dense(Interp *I, Value *self, Value **argv) {
    (void)I, (void)argv;
    return val_retain(self);
}

static Value *m_numpy(Interp *I, Value *self, Value **argv) {
    (void)self, (void)argv;
    interp_error(I, ERR_NOT_IMPLEMENTED, "Tensor.numpy() needs the NumPy subset, which embedlab "
                                         "does not provide yet");
    return NULL;
}

const BuiltinSpec tensor_methods[] = {
    {"size", m_size, "(dim=None)", "Returns the size of the tensor (a torch.Size), or of one dim."},
    {"stride", m_stride, "(dim=None)", "Returns the stride of the tensor."},
    {"dim", m_dim, "()", "Returns the number of dimensions of the tensor."},
    {"ndimension", m_dim, "()", "Alias for dim()."},
    {"numel", m_numel, "()", "Returns the total number of elements in the tensor."},
    {"nelement", m_numel, "()", "Alias for numel()."},
    {"element_size", m_element_size, "()", "Returns the size in bytes of an individual element."},
    {"is_contiguous", m_is_contiguous, "()", "Returns True if the tensor is contiguous in memory."},
    {"is_floating_point", m_is_floating_point, "()", "Returns True if the dtype is floating point."},
    {"item", m_item, "()", "Returns the value of a one-element tensor as a Python number."},
    {"tolist", m_tolist, "()", "Returns the tensor as a (nested) list of Python numbers."},
    {"numpy", np_tensor_numpy, "()", "Returns the tensor as a NumPy ndarray sharing its memory."},
    {"float", m_float, "()", "self.float() is equivalent to self.to(torch.float32)."},
    {"double", m_double, "()", "self.double() is equivalent to self.to(torch.float64)."},
    {"long", m_long, "()", "self.long() is equivalent to self.to(torch.int64)."},
    {"int", m_int, "()", "self.int() is equivalent to self.to(torch.int32)."},
    {"bool", m_bool, "()", "self.bool() is equivalent to self.to(torch.bool)."},
    {"to", m_to, "(*args, dtype=None)", "Performs Tensor dtype and/or device conversion."},
    {"type", m_type, "(dtype=?)", "Returns the type if dtype is not provided, else casts."},
    {"cpu", m_cpu, "()", "Returns this tensor (embedlab runs on the CPU)."},
    {"view", m_view, "(*shape)", "Returns a new tensor with the same data and a different shape."},
    {"reshape", m_reshape, "(*shape)", "Returns a tensor with the same data and the given shape."},
    {"flatten", m_flatten, "(start_dim=0, end_dim=-1)", "Flattens a contiguous range of dims."},
    {"transpose", m_transpose, "(dim0, dim1)", "Returns a tensor with dim0 and dim1 swapped."},
    {"permute", m_permute, "(*dims)", "Returns a view with its dimensions permuted."},
    {"t", m_t, "()", "Transposes dimensions 0 and 1 of a tensor of at most 2 dims."},
    {"unsqueeze", m_unsqueeze, "(dim)", "Returns a tensor with a dimension of size one inserted."},
    {"squeeze", m_squeeze, "(dim=None)", "Returns a tensor with dimensions of size 1 removed."},
    {"expand", m_expand, "(*sizes)", "Returns a view with singleton dimensions expanded."},
    {"expand_as", m_expand_as, "(other)", "Expand this tensor to the size of other."},
    {"contiguous", m_contiguous, "()", "Returns a contiguous tensor containing the same data."},
    {"clone", m_clone, "()", "Returns a copy of the tensor."},
    {"detach", m_detach, "()", "Returns a new tensor, detached from the current graph."},
    {"retain_grad", m_retain_grad, "()",
     "Enables this non-leaf tensor to have its .grad populated during backward()."},
    {"detach_", m_detach_, "()", "Detaches the tensor from the graph that created it (in place)."},
    {"backward", m_backward, "(gradient=None, retain_graph=None, create_graph=False, inputs=None)",
     "Computes the gradient of current tensor w.r.t. graph leaves."},
    {"requires_grad_", m_requires_grad_, "(requires_grad=True)",
     "Change if autograd should record operations on this tensor (in place)."},
    {"index_select", m_index_select, "(dim, index)",
     "Returns the entries along dim at the positions in index."},
    {"masked_select", m_masked_select, "(mask)", "The elements where mask is True, as a 1-D tensor."},
    {"masked_fill", m_masked_fill_out, "(mask, value)", "Out-of-place masked_fill_."},
    {"masked_fill_", m_masked_fill_, "(mask, value)",
     "Fills elements of self with value where mask is True."},
    {"fill_", m_fill_, "(value)", "Fills self tensor with the specified value."},
    {"zero_", m_zero_, "()", "Fills self tensor with zeros."},
    {"copy_", m_copy_, "(src, non_blocking=False)", "Copies the elements from src into self."},
    {"add", m_add, "(other, *, alpha=1)", "Adds other, scaled by alpha, to self."},
    {"add_", m_add_, "(other, *, alpha=1)", "In-place version of add()."},
    {"sub", m_sub, "(other, *, alpha=1)", "Subtracts other, scaled by alpha, from self."},
    {"sub_", m_sub_, "(other, *, alpha=1)", "In-place version of sub()."},
    {"mul", m_mul, "(other)", "Multiplies self by other."},
    {"mul_", m_mul_, "(other)", "In-place version of mul()."},
    {"div", m_div, "(other)", "Divides self by other."},
    {"div_", m_div_, "(other)", "In-place version of div()."},
    {"pow", m_pow, "(exponent)", "Takes the power of each element."},
    {"pow_", m_pow_, "(exponent)", "In-place version of pow()."},
    {"eq", m_eq, "(other)", "Computes self == other element-wise."},
    {"ne", m_ne, "(other)", "Computes self != other element-wise."},
    {"lt", m_lt, "(other)", "Computes self < other element-wise."},
    {"le", m_le, "(other)", "Computes self <= other element-wise."},
    {"gt", m_gt, "(other)", "Computes self > other element-wise."},
    {"ge", m_ge, "(other)", "Computes self >= other element-wise."},
    {"maximum", m_maximum, "(other)", "Element-wise maximum."},
    {"minimum", m_minimum, "(other)", "Element-wise minimum."},
    {"remainder", m_remainder, "(other)", "Python-style modulus."},
    {"floor_divide", m_floor_divide, "(other)", "Floor division."},
    {"matmul", m_matmul, "(other)", "Matrix product of two tensors."},
    {"equal", m_equal, "(other)", "True if the two tensors have the same size and elements."},
    {"mm", m_mm, "(mat2)", "Matrix multiplication of two 2-D tensors."},
    {"abs", m_abs, "()", "Computes the absolute value of each element."},
    {"neg", m_neg, "()", "Returns the negative of each element."},
    {"sqrt", m_sqrt, "()", "Square root of each element."},
    {"rsqrt", m_rsqrt, "()", "Reciprocal of the square root of each element."},
    {"exp", m_exp, "()", "Exponential of each element."},
    {"log", m_log, "()", "Natural logarithm of each element."},
    {"log1p", m_log1p, "()", "log(1 + x) of each element."},
    {"sin", m_sin, "()", "Sine of each element."},
    {"cos", m_cos, "()", "Cosine of each element."},
    {"tanh", m_tanh, "()", "Hyperbolic tangent of each element."},
    {"sigmoid", m_sigmoid, "()", "Logistic sigmoid of each element."},
    {"relu", m_relu, "()", "max(0, x) of each element."},
    {"relu_", m_relu_, "()", "In-place version of relu()."},
    {"exp_", m_exp_, "()", "In-place version of exp()."},
    {"neg_", m_neg_, "()", "In-place version of neg()."},
    {"abs_", m_abs_, "()", "In-place version of abs()."},
    {"sqrt_", m_sqrt_, "()", "In-place version of sqrt()."},
    {"tanh_", m_tanh_, "()", "In-place version of tanh()."},
    {"sigmoid_", m_sigmoid_, "()", "In-place version of sigmoid()."},
    {"softmax", m_softmax, "(dim)", "Alias for torch.softmax()."},
    {"log_softmax", m_log_softmax, "(dim)", "Alias for torch.log_softmax()."},
    {"floor", m_floor, "()", "Floor of each element."},
    {"ceil", m_ceil, "()", "Ceiling of each element."},
    {"round", m_round, "(decimals=None)", "Rounds each element to the nearest integer (half even)."},
    {"trunc", m_trunc, "()", "Truncated integer part of each element."},
    {"sign", m_sign, "()", "Sign of each element."},
    {"reciprocal", m_reciprocal, "()", "1/x of each element."},
    {"square", m_square, "()", "Square of each element."},
    {"logical_not", m_logical_not, "()", "Element-wise logical NOT."},
    {"isnan", m_isnan, "()", "Which elements are NaN."},
    {"isinf", m_isinf, "()", "Which elements are infinite."},
    {"isfinite", m_isfinite, "()", "Which elements are finite."},
    {"clamp", m_clamp_out, "(min=None, max=None)", "Clamps all elements into [min, max]."},
    {"clip", m_clamp_out, "(min=None, max=None)", "Alias for clamp()."},
    {"clamp_", m_clamp_, "(min=None, max=None)", "In-place version of clamp()."},
    {"clamp_min", m_clamp_min, "(min)", "Clamps all elements to at least min."},
    {"sum", m_sum, "(dim=None, keepdim=False, *, dtype=None)", "Sum of the elements."},
    {"mean", m_mean, "(dim=None, keepdim=False, *, dtype=None)", "Mean of the elements."},
    {"prod", m_prod, "(dim=None, keepdim=False, *, dtype=None)", "Product of the elements."},
    {"std", m_std, "(dim=None, unbiased=None, keepdim=False, *, correction=None)",
     "Standard deviation (unbiased by default)."},
    {"var", m_var, "(dim=None, unbiased=None, keepdim=False, *, correction=None)",
     "Variance (unbiased by default)."},
    {"norm", m_norm, "(p=None, dim=None, keepdim=False)", "The p-norm (2 by default)."},
    {"max", m_max, "(dim=None, keepdim=False)",
     "Maximum of all elements, or (values, indices) along dim."},
    {"min", m_min, "(dim=None, keepdim=False)",
     "Minimum of all elements, or (values, indices) along dim."},
    {"argmax", m_argmax, "(dim=None, keepdim=False)", "Indices of the maximum values."},
    {"argmin", m_argmin, "(dim=None, keepdim=False)", "Indices of the minimum values."},
    {"all", m_all, "(dim=None, keepdim=False)", "Tests if all elements evaluate to True."},
    {"any", m_any, "(dim=None, keepdim=False)", "Tests if any element evaluates to True."},
    {"sort", m_sort, "(dim=-1, descending=False)", "Sorts along a dim: (values, indices)."},
    {"topk", m_topk, "(k, dim=-1, largest=True, sorted=True)",
     "The k largest (or smallest) elements along a dim: (values, indices)."},
    {"to_dense", m_to_dense, "()", "A dense tensor's to_dense() is the tensor itself."},
    {"numpy", m_numpy, "()", "Returns the tensor as a NumPy ndarray."},
    {NULL, NULL, NULL, NULL},
};
