/*
 * src/lang/torch_tensor.c — the torch.Tensor value type: wrapping, conversions between
 * Python data and tensors, operators, truth, iteration and indexing (t[...] and
 * t[...] = v with torch's semantics). Methods live in tensor_methods.c.
 * See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/sparse.h"
#include "core/tensor_fmt.h"
#include "core/tensor_math.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/ops.h"
#include "lang/return_types.h"
#include "lang/torch_state.h"
#include "core/np_ops.h"
#include "lang/np_value.h"
#include "lang/torch_value.h"

/* ---- wrapping ---- */

bool val_is_tensor(const Value *v) {
    return v && (v->type == &type_tensor || v->type == &type_parameter);
}

Tensor *tensor_of(Value *v) { return ((TensorValue *)v)->tensor; }

static void destroy_tensor_value(Value *self) {
    TensorValue *tv = (TensorValue *)self;
    if (tv->tensor) {
        if (tv->tensor->lang_object == self) tv->tensor->lang_object = NULL;
        tensor_release(tv->tensor);
    }
}

Value *tensor_value_take(Interp *I, Tensor *t, const Error *err) {
    if (!t) {
        interp_raise(I, err);
        return NULL;
    }
    if (t->lang_object) {
        Value *existing = val_retain((Value *)t->lang_object);
        tensor_release(t);
        return existing;
    }
    const ValueType *type = sparse_is(t)       ? &type_sparse_tensor
                            : t->is_parameter ? &type_parameter
                                              : &type_tensor;
    TensorValue *tv = (TensorValue *)val_alloc(I, type, sizeof *tv);
    if (!tv) {
        tensor_release(t);
        return NULL;
    }
    tv->tensor = t;
    t->lang_object = tv;
    return (Value *)tv;
}

/* ---- dtype values ---- */

bool val_is_dtype(const Value *v) { return val_is(v, &type_dtype); }

static int repr_dtype(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "torch.%s", dtype_name(((DTypeValue *)self)->dtype));
    return 0;
}

static Value *getattr_dtype(Interp *I, Value *self, const char *name) {
    DType dt = ((DTypeValue *)self)->dtype;
    if (strcmp(name, "is_floating_point") == 0) return val_bool(I, dtype_is_floating(dt));
    if (strcmp(name, "is_complex") == 0) return val_bool(I, false);
    if (strcmp(name, "is_signed") == 0) return val_bool(I, dt != DTYPE_BOOL);
    if (strcmp(name, "itemsize") == 0) return val_int(I, (int64_t)dtype_size(dt));
    return NULL;
}

const ValueType type_dtype = {
    .name = "dtype", .module = "torch", .tp_name = "torch.dtype", .repr = repr_dtype, .getattr = getattr_dtype};

Value *dtype_value(Interp *I, DType dt) {
    TorchState *ts = torch_state(I);
    if (!ts) return NULL;
    if (!ts->dtypes[dt]) {
        DTypeValue *v = (DTypeValue *)val_alloc(I, &type_dtype, sizeof *v);
        if (!v) return NULL;
        v->dtype = dt;
        ts->dtypes[dt] = (Value *)v;
    }
    return val_retain(ts->dtypes[dt]);
}

/* ---- argument conversions ---- */

static const char *arg_type_name(Value *v) {
    if (val_is_tensor(v)) return "Tensor";
    return val_type_name(v);
}

/* The overloads torch 1.13's python_arg_parser lists for the factories taking *size, and
 * how many arguments each needs (size, plus keyword-only ones without a default). */
typedef struct FactoryOverloads {
    const char *fn;
    int count;
    int min_args[4];
    const char *text[4];
} FactoryOverloads;

#define SIZE_TAIL "torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool requires_grad)"
static const FactoryOverloads factory_overloads[] = {
    {"randn", 4, {3, 2, 1, 2},
     {"(tuple of ints size, *, torch.Generator generator, tuple of names names, " SIZE_TAIL,
      "(tuple of ints size, *, torch.Generator generator, Tensor out, " SIZE_TAIL,
      "(tuple of ints size, *, Tensor out, " SIZE_TAIL,
      "(tuple of ints size, *, tuple of names names, " SIZE_TAIL}},
    {"rand", 4, {3, 2, 1, 2},
     {"(tuple of ints size, *, torch.Generator generator, tuple of names names, " SIZE_TAIL,
      "(tuple of ints size, *, torch.Generator generator, Tensor out, " SIZE_TAIL,
      "(tuple of ints size, *, Tensor out, " SIZE_TAIL,
      "(tuple of ints size, *, tuple of names names, " SIZE_TAIL}},
    {"zeros", 2, {2, 1},
     {"(tuple of ints size, *, tuple of names names, " SIZE_TAIL,
      "(tuple of SymInts size, *, Tensor out, " SIZE_TAIL}},
    {"ones", 2, {2, 1},
     {"(tuple of ints size, *, tuple of names names, " SIZE_TAIL,
      "(tuple of SymInts size, *, Tensor out, " SIZE_TAIL}},
    {"empty", 2, {2, 1},
     {"(tuple of ints size, *, tuple of names names, torch.memory_format memory_format, " SIZE_TAIL,
      "(tuple of SymInts size, *, torch.memory_format memory_format, Tensor out, " SIZE_TAIL}},
};
#undef SIZE_TAIL

/* A value's type as python_arg_parser names it: Tensor, int, torch.dtype, ... */
static const char *parser_type_name(Value *v, char *buf, size_t size) {
    if (val_is_tensor(v)) return "Tensor";
    if (v->type->module) {
        snprintf(buf, size, "%s.%s", v->type->module, v->type->name);
        return buf;
    }
    return val_type_name(v);
}

Value *non_default_flag(Value *flag) {
    return !flag || val_is_none(flag) || (val_is(flag, &type_bool) && !val_as_int(flag)) ? NULL : flag;
}

bool factory_size_missing(Interp *I, const char *fn, Value *size_args, int nkw,
                          const char *const *kw_names, Value *const *kw_values) {
    if (!val_is(size_args, &type_tuple) || ((ListValue *)size_args)->count != 0) return false;
    const FactoryOverloads *o = NULL;
    for (size_t i = 0; i < sizeof factory_overloads / sizeof *factory_overloads; i++)
        if (strcmp(factory_overloads[i].fn, fn) == 0) o = &factory_overloads[i];
    if (!o) return false;
    int given = 0, plausible = 0;
    for (int k = 0; k < nkw; k++) given += kw_values[k] != NULL;
    for (int i = 0; i < o->count; i++) plausible += given >= o->min_args[i];
    if (plausible == 1) {
        interp_error(I, ERR_TYPE, "%s() missing 1 required positional arguments: \"size\"", fn);
        return true;
    }
    StrBuf msg = SB_INIT;
    sb_appendf(&msg, "%s() received an invalid combination of arguments - got (", fn);
    for (int k = nkw - 1; k >= 0; k--) { /* torch lists the keywords last to first */
        char buf[64];
        if (kw_values[k])
            sb_appendf(&msg, "%s=%s, ", kw_names[k], parser_type_name(kw_values[k], buf, sizeof buf));
    }
    sb_append(&msg, "), but expected one of:");
    for (int i = 0; i < o->count; i++) sb_appendf(&msg, "\n * %s", o->text[i]);
    sb_append(&msg, "\n");
    if (!sb_check(&msg, &I->error)) interp_error(I, ERR_TYPE, "%s", sb_str(&msg));
    sb_free(&msg);
    return true;
}

int arg_size(Interp *I, Value *v, const char *fn, int64_t *shape, int *ndim) {
    /* torch 1.13 names sizes "SymInts" in most factories, "ints" in the random ones. */
    static const char *const int_functions[] = {"randn", "rand", "randint", "randperm",
                                                "normal", "permute", NULL};
    const char *noun = "SymInts";
    for (int i = 0; int_functions[i]; i++)
        if (strcmp(fn, int_functions[i]) == 0) noun = "ints";
    Value **items = &v;
    int64_t count = 1;
    /* A *args tuple holding one non-sequence: zeros('a') names the whole argument. */
    if (val_is(v, &type_tuple) && ((ListValue *)v)->count == 1) {
        Value *only = ((ListValue *)v)->items[0];
        if (!val_is_sequence(only) && (!val_is_int(only) || val_is(only, &type_bool)) &&
            !(val_is_tensor(only) && tensor_numel(tensor_of(only)) == 1) &&
            !(only->type == &type_np_int64))
            return interp_error(I, ERR_TYPE, "%s(): argument 'size' (position 1) must be tuple of "
                                             "%s, not %s",
                                fn, noun, arg_type_name(only));
    }
    if (val_is_sequence(v)) {
        ListValue *l = (ListValue *)v;
        items = l->items;
        count = l->count;
        /* zeros((2, 3)) arrives as a *args tuple holding one tuple. */
        if (count == 1 && val_is_sequence(items[0])) {
            l = (ListValue *)items[0];
            items = l->items;
            count = l->count;
        }
    }
    if (count > TENSOR_MAX_DIMS)
        return interp_error(I, ERR_RUNTIME, "%s(): too many dimensions (%lld > %d)", fn,
                            (long long)count, TENSOR_MAX_DIMS);
    for (int64_t i = 0; i < count; i++) {
        if (!val_is_int(items[i]) || val_is(items[i], &type_bool)) {
            int64_t n;
            if ((val_is_tensor(items[i]) || items[i]->type == &type_np_int64) &&
                op_index_value(I, items[i], &n) == 0) {
                shape[i] = n;
                continue;
            }
            return interp_error(I, ERR_TYPE,
                                "%s(): argument 'size' must be tuple of %s, but found element "
                                "of type %s at pos %lld",
                                fn, noun, arg_type_name(items[i]), (long long)i + 1);
        }
        shape[i] = val_as_int(items[i]);
    }
    *ndim = (int)count;
    return 0;
}

int arg_dtype(Interp *I, Value *v, const char *fn, DType *out, bool *given) {
    if (given) *given = false;
    if (!v || val_is_none(v)) return 0;
    if (!val_is_dtype(v))
        return interp_error(I, ERR_TYPE, "%s(): argument 'dtype' must be torch.dtype, not %s", fn,
                            arg_type_name(v));
    *out = ((DTypeValue *)v)->dtype;
    if (given) *given = true;
    return 0;
}

int arg_int(Interp *I, Value *v, const char *fn, const char *name, int64_t *out) {
    if (val_is_int(v) && !val_is(v, &type_bool)) {
        *out = val_as_int(v);
        return 0;
    }
    if (val_is_tensor(v) && op_index_value(I, v, out) == 0) return 0;
    if (np_is_array(v) && np_tensor(v)->ndim == 0 && np_tensor(v)->dtype == DTYPE_INT64) {
        *out = tensor_get_int(np_tensor(v), 0); /* a NumPy integer scalar */
        return 0;
    }
    return interp_error(I, ERR_TYPE, "%s(): argument '%s' must be int, not %s", fn, name,
                        arg_type_name(v));
}

int arg_float(Interp *I, Value *v, const char *fn, const char *name, double *out) {
    if (val_is_number(v)) {
        *out = val_as_float(v);
        return 0;
    }
    if ((val_is_tensor(v) && tensor_numel(tensor_of(v)) == 1) ||
        (np_is_array(v) && np_tensor(v)->ndim == 0 && v->type != &type_ndarray)) {
        *out = tensor_get(val_is_tensor(v) ? tensor_of(v) : np_tensor(v), 0);
        return 0;
    }
    return interp_error(I, ERR_TYPE, "%s(): argument '%s' must be float, not %s", fn, name,
                        arg_type_name(v));
}

int arg_bool(Interp *I, Value *v, const char *fn, const char *name, bool *out) {
    if (val_is(v, &type_bool)) {
        *out = val_as_int(v) != 0;
        return 0;
    }
    return interp_error(I, ERR_TYPE, "%s(): argument '%s' must be bool, not %s", fn, name,
                        arg_type_name(v));
}

Tensor *arg_tensor(Interp *I, Value *v, const char *fn, const char *name, int position) {
    if (val_is_tensor(v)) return tensor_of(v);
    interp_error(I, ERR_TYPE, "%s(): argument '%s' (position %d) must be Tensor, not %s", fn, name,
                 position, arg_type_name(v));
    return NULL;
}

/* c10::overflows<To, From>: an int64 outside To's range, or a double below lowest() or
 * above max() (NaN always; the integer types have no infinity). */
static bool value_overflows(Value *v, DType dt) {
    if (!dtype_is_integral(dt) || val_is(v, &type_bool)) return false;
    bool i32 = dt == DTYPE_INT32;
    if (val_is_tensor(v) && tensor_numel(tensor_of(v)) == 1) {
        Tensor *t = tensor_of(v);
        if (t->dtype == DTYPE_BOOL) return false;
        if (dtype_is_integral(t->dtype)) {
            int64_t x = tensor_get_int(t, 0);
            return i32 && (x < INT32_MIN || x > INT32_MAX);
        }
        double f = tensor_get(t, 0);
        return f != f || f < (i32 ? -2147483648.0 : -9223372036854775808.0) ||
               f > (i32 ? 2147483647.0 : 9223372036854775807.0);
    }
    if (val_is_int(v)) {
        int64_t x = val_as_int(v);
        return i32 && (x < INT32_MIN || x > INT32_MAX);
    }
    if (!val_is_number(v)) return false;
    double f = val_as_float(v);
    return f != f || f < (i32 ? -2147483648.0 : -9223372036854775808.0) ||
           f > (i32 ? 2147483647.0 : 9223372036854775807.0);
}

int arg_scalar_fits(Interp *I, Value *v, DType dt) {
    if (!value_overflows(v, dt)) return 0;
    return interp_error(I, ERR_RUNTIME, "value cannot be converted to type %s without overflow",
                        dt == DTYPE_INT32 ? "int" : "int64_t");
}

/* torch.tensor(data, dtype=int32/int64): every leaf must fit ("int32", "int64"). */
static int data_fits(Interp *I, Value *v, DType dt) {
    if (val_is_sequence(v)) {
        ListValue *l = (ListValue *)v;
        for (int64_t i = 0; i < l->count; i++)
            if (data_fits(I, l->items[i], dt)) return -1;
        return 0;
    }
    if (val_is_tensor(v) || !value_overflows(v, dt)) return 0;
    return interp_error(I, ERR_RUNTIME, "value cannot be converted to type %s without overflow",
                        dtype_name(dt));
}

Tensor *arg_tensor_or_number(Interp *I, Value *v, const char *fn, const char *name) {
    Error err;
    Tensor *t = NULL;
    if (val_is_tensor(v)) return tensor_retain(tensor_of(v));
    if (np_is_array(v)) {
        /* NumPy scalars act as Python numbers; arrays as tensors of their dtype */
        Tensor *a = np_tensor(v);
        if (a->ndim == 0 && v->type != &type_ndarray) {
            DType k = a->dtype == DTYPE_FLOAT32 ? DTYPE_FLOAT64 : a->dtype;
            t = tensor_wrap_number(k, 0, &err);
            if (t && k == DTYPE_FLOAT64) tensor_store(t, t->offset, tensor_get(a, 0));
            else if (t) tensor_store_int(t, t->offset, tensor_get_int(a, 0));
        } else {
            t = np_copy(a, a->dtype, &err);
        }
    } else if (val_is(v, &type_bool)) t = tensor_wrap_number(DTYPE_BOOL, (double)val_as_int(v), &err);
    else if (val_is_int(v)) {
        t = tensor_wrap_number(DTYPE_INT64, 0, &err);
        if (t) tensor_store_int(t, t->offset, val_as_int(v));
    } else if (val_is(v, &type_float)) t = tensor_wrap_number(DTYPE_FLOAT64, val_as_float(v), &err);
    else {
        interp_error(I, ERR_TYPE, "%s(): argument '%s' must be Tensor or Number, not %s", fn, name,
                     arg_type_name(v));
        return NULL;
    }
    if (!t) interp_raise(I, &err);
    return t;
}

/* ---- torch.tensor(data) ---- */

typedef struct DataScan {
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    bool has_float, has_int, has_bool;
    int64_t count;
} DataScan;

/* Walks nested sequences, fixing the shape from the first element at each depth and
 * checking the rest (torch: "expected sequence of length 3 at dim 1 (got 2)"). */
static int scan_data(Interp *I, Value *v, int depth, DataScan *scan) {
    if (I->interrupt_requested) return interp_error(I, ERR_INTERRUPT, "%s", "");
    /* The shape is fixed by the first element at each depth (torch's _infer_sizes); it
     * is complete once the first leaf has been seen. */
    bool shaping = scan->count == 0 && depth == scan->ndim;
    if (val_is_sequence(v)) {
        ListValue *l = (ListValue *)v;
        if (depth >= TENSOR_MAX_DIMS)
            return interp_error(I, ERR_VALUE, "too many dimensions in torch.tensor data");
        if (shaping) {
            scan->shape[depth] = l->count;
            scan->ndim = depth + 1;
        } else if (depth >= scan->ndim) {
            return interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                                val_type_name(v));
        } else if (scan->shape[depth] != l->count) {
            return interp_error(I, ERR_VALUE, "expected sequence of length %lld at dim %d (got %lld)",
                                (long long)scan->shape[depth], depth, (long long)l->count);
        }
        for (int64_t i = 0; i < l->count; i++)
            if (scan_data(I, l->items[i], depth + 1, scan)) return -1;
        return 0;
    }
    if (val_is_str(v) && shaping && depth > 0)
        return interp_error(I, ERR_VALUE, "too many dimensions 'str'");
    if (val_is_none(v)) return interp_error(I, ERR_RUNTIME, "Could not infer dtype of NoneType");
    if (depth < scan->ndim) {
        if (val_is_number(v) || val_is_tensor(v)) return interp_error(I, ERR_TYPE, "not a sequence");
        return interp_error(I, ERR_TYPE, "new(): invalid data type '%s'", val_type_name(v));
    }
    if (val_is(v, &type_bool)) scan->has_bool = true;
    else if (val_is_int(v)) scan->has_int = true;
    else if (val_is(v, &type_float)) scan->has_float = true;
    else if (val_is_tensor(v) && tensor_numel(tensor_of(v)) == 1 && tensor_of(v)->ndim == 0) {
        DType dt = tensor_of(v)->dtype;
        if (dtype_is_floating(dt)) scan->has_float = true;
        else if (dt == DTYPE_BOOL) scan->has_bool = true;
        else scan->has_int = true;
    } else if (val_is_tensor(v)) {
        return interp_error(I, ERR_VALUE, "only one element tensors can be converted to Python "
                                          "scalars");
    } else {
        return interp_error(I, ERR_TYPE, "new(): invalid data type '%s'", val_type_name(v));
    }
    scan->count++;
    return 0;
}

/* Stores the leaves of v in row-major order into t. */
static void fill_data(Value *v, Tensor *t, int64_t *pos) {
    if (val_is_sequence(v)) {
        ListValue *l = (ListValue *)v;
        for (int64_t i = 0; i < l->count; i++) fill_data(l->items[i], t, pos);
        return;
    }
    if (val_is_tensor(v)) {
        Tensor *src = tensor_of(v);
        if (dtype_is_integral(src->dtype) || src->dtype == DTYPE_BOOL)
            tensor_store_int(t, (*pos)++, tensor_get_int(src, 0));
        else
            tensor_store(t, (*pos)++, tensor_get(src, 0));
        return;
    }
    if (val_is_int(v)) tensor_store_int(t, (*pos)++, val_as_int(v));
    else tensor_store(t, (*pos)++, val_as_float(v));
}

Tensor *tensor_from_data(Interp *I, Value *data, bool has_dtype, DType dtype) {
    DataScan scan;
    memset(&scan, 0, sizeof scan);
    if (val_is_tensor(data) || np_is_array(data)) {
        Error err;
        Tensor *src = val_is_tensor(data) ? tensor_of(data) : np_tensor(data);
        Tensor *t = has_dtype ? np_copy(src, dtype, &err) : np_copy(src, src->dtype, &err);
        if (!t) interp_raise(I, &err);
        return t;
    }
    if (scan_data(I, data, 0, &scan)) return NULL;
    DType dt = has_dtype ? dtype
               : scan.has_float ? DTYPE_FLOAT32
               : scan.has_int   ? DTYPE_INT64
               : scan.has_bool  ? DTYPE_BOOL
                                : DTYPE_FLOAT32;
    if (dtype_is_integral(dt) && data_fits(I, data, dt)) return NULL;
    Error err;
    Tensor *t = tensor_zeros(dt, scan.ndim, scan.shape, &err);
    if (!t) {
        interp_raise(I, &err);
        return NULL;
    }
    int64_t pos = 0;
    fill_data(data, t, &pos);
    return t;
}

Value *tensor_item_value(Interp *I, Tensor *t) {
    Error err;
    double v;
    if (tensor_item(t, &v, &err)) {
        err_set(&err, ERR_VALUE,
                "only one element tensors can be converted to Python scalars");
        interp_raise(I, &err);
        return NULL;
    }
    if (t->dtype == DTYPE_BOOL) return val_bool(I, v != 0);
    if (dtype_is_integral(t->dtype)) return val_int(I, tensor_get_int(t, 0));
    return val_float(I, v);
}

/* tolist() of the sub-tensor starting at storage offset `off` from dim `d`. */
static Value *to_list_at(Interp *I, Tensor *t, int d, int64_t off) {
    if (d == t->ndim) {
        if (t->dtype == DTYPE_BOOL) return val_bool(I, tensor_load_int(t, off) != 0);
        if (dtype_is_integral(t->dtype)) return val_int(I, tensor_load_int(t, off));
        return val_float(I, tensor_load(t, off));
    }
    Value *list = val_list_new(I, t->shape[d]);
    if (!list) return NULL;
    for (int64_t i = 0; i < t->shape[d]; i++) {
        Value *item = to_list_at(I, t, d + 1, off + i * t->stride[d]);
        if (!item || val_list_append_take(I, list, item)) {
            val_release(list);
            return NULL;
        }
    }
    return list;
}

Value *tensor_to_list(Interp *I, Tensor *t) { return to_list_at(I, t, 0, t->offset); }

/* ---- repr ---- */

static int repr_tensor(Interp *I, Value *self, StrBuf *out) {
    Tensor *t = tensor_of(self);
    TorchState *ts = torch_state(I);
    TensorReprExtras extras = {0};
    extras.requires_grad = t->requires_grad && ag_is_leaf(t);
    extras.grad_fn = torch_grad_fn_name(t);
    extras.is_parameter = self->type == &type_parameter;
    Error err;
    if (tensor_repr(t, ts ? &ts->print_options : NULL, &extras, out, &err))
        return interp_raise(I, &err);
    return 0;
}

/* ---- operators ---- */

static BinaryOp binary_for(PyOp op) {
    switch (op) {
    case PYOP_ADD: return BIN_ADD;
    case PYOP_SUB: return BIN_SUB;
    case PYOP_MUL: return BIN_MUL;
    case PYOP_DIV: return BIN_DIV;
    case PYOP_FLOORDIV: return BIN_FLOOR_DIV;
    case PYOP_MOD: return BIN_REMAINDER;
    case PYOP_POW: return BIN_POW;
    case PYOP_AND: return BIN_AND;
    case PYOP_OR: return BIN_OR;
    case PYOP_XOR: return BIN_XOR;
    default: return BINARY_OP_COUNT;
    }
}

static bool operand_ok(const Value *v) {
    return val_is_tensor(v) || val_is_number(v) || np_is_array(v);
}

static Value *binary_tensor(Interp *I, PyOp op, Value *a, Value *b, bool reflected) {
    bool inplace = op >= PYOP_COUNT;
    if (inplace) op = (PyOp)(op - PYOP_COUNT);
    if (!operand_ok(a) || !operand_ok(b)) return val_not_implemented(I);
    Tensor *x = arg_tensor_or_number(I, a, binary_op_name(BIN_ADD), "other");
    Tensor *y = x ? arg_tensor_or_number(I, b, binary_op_name(BIN_ADD), "other") : NULL;
    if (!y) {
        tensor_release(x);
        return NULL;
    }
    Error err;
    err_clear(&err);
    Value *result = NULL;
    if (op == PYOP_MATMUL) {
        result = torch_matmul(I, x, y);
    } else {
        BinaryOp bop = binary_for(op);
        if (bop == BINARY_OP_COUNT) {
            tensor_release(x);
            tensor_release(y);
            return val_not_implemented(I);
        }
        if (inplace) {
            if (torch_inplace_binary(I, bop, x, y, 1.0) == 0) result = val_retain(a);
        } else if (reflected && bop == BIN_DIV && x->wrapped_number) {
            /* number / t is t.__rdiv__(number): t.reciprocal() * number, as torch */
            Value *rec = torch_unary(I, UN_RECIPROCAL, y);
            result = rec ? torch_binary(I, BIN_MUL, tensor_of(rec), x) : NULL;
            val_release(rec);
        } else {
            result = torch_binary(I, bop, x, y);
        }
    }
    tensor_release(x);
    tensor_release(y);
    return result;
}

static Value *compare_tensor(Interp *I, PyCmp op, Value *a, Value *b) {
    if (!operand_ok(b)) {
        if (op == PYCMP_EQ) return val_bool(I, false);
        if (op == PYCMP_NE) return val_bool(I, true);
        return val_not_implemented(I);
    }
    static const BinaryOp map[] = {BIN_EQ, BIN_NE, BIN_LT, BIN_LE, BIN_GT, BIN_GE};
    Tensor *x = arg_tensor_or_number(I, a, "eq", "other");
    Tensor *y = x ? arg_tensor_or_number(I, b, "eq", "other") : NULL;
    Value *result = y ? torch_binary(I, map[op], x, y) : NULL;
    tensor_release(x);
    tensor_release(y);
    return result;
}

static Value *unary_tensor(Interp *I, PyUnary op, Value *self) {
    Tensor *t = tensor_of(self);
    if (op == PYUNARY_POS) return val_retain(self);
    if (op == PYUNARY_INVERT) {
        if (dtype_is_floating(t->dtype)) {
            interp_error(I, ERR_TYPE, "~ (operator.invert) is only implemented on integer and "
                                      "Boolean-type tensors");
            return NULL;
        }
        return torch_unary(I, t->dtype == DTYPE_BOOL ? UN_LOGICAL_NOT : UN_BITWISE_NOT, t);
    }
    if (t->dtype == DTYPE_BOOL) {
        interp_error(I, ERR_RUNTIME, "Negation, the `-` operator, on a bool tensor is not "
                                     "supported. If you are trying to invert a mask, use the `~` "
                                     "or `logical_not()` operator instead.");
        return NULL;
    }
    return torch_unary(I, UN_NEG, t);
}

static int truth_tensor(Interp *I, Value *self) {
    Tensor *t = tensor_of(self);
    int64_t n = tensor_numel(t);
    if (n == 0)
        return interp_error(I, ERR_RUNTIME, "Boolean value of Tensor with no values is ambiguous");
    if (n > 1)
        return interp_error(I, ERR_RUNTIME,
                            "Boolean value of Tensor with more than one value is ambiguous");
    return tensor_get(t, 0) != 0.0;
}

static int64_t length_tensor(Interp *I, Value *self) {
    Tensor *t = tensor_of(self);
    if (t->ndim == 0) {
        interp_error(I, ERR_TYPE, "len() of a 0-d tensor");
        return -1;
    }
    return t->shape[0];
}

static int as_number_tensor(Interp *I, Value *self, int64_t *ival, double *fval, bool *is_int) {
    Tensor *t = tensor_of(self);
    if (tensor_numel(t) != 1)
        return interp_error(I, ERR_VALUE,
                            "only one element tensors can be converted to Python scalars");
    *is_int = !dtype_is_floating(t->dtype);
    if (*is_int) *ival = tensor_get_int(t, 0);
    else *fval = tensor_get(t, 0);
    return 0;
}

typedef struct TensorIter {
    Value base;
    Value *tensor;
    int64_t index;
} TensorIter;

static void destroy_tensor_iter(Value *self) { val_release(((TensorIter *)self)->tensor); }
static void clear_tensor_iter(Value *self) {
    TensorIter *it = (TensorIter *)self;
    Value *t = it->tensor;
    it->tensor = NULL;
    val_release(t);
}

static Value *iter_self(Interp *I, Value *self) {
    (void)I;
    return val_retain(self);
}

static Value *next_tensor_iter(Interp *I, Value *self) {
    TensorIter *it = (TensorIter *)self;
    if (!it->tensor) return NULL;
    Tensor *t = tensor_of(it->tensor);
    if (it->index >= t->shape[0]) return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return tensor_value_take(I, ag_select(ctx, t, 0, it->index++, &err), &err);
}

static const ValueType type_tensor_iter = {.name = "iterator",
                                           .destroy = destroy_tensor_iter,
                                           .clear = clear_tensor_iter,
                                           .iter = iter_self,
                                           .next = next_tensor_iter};

static Value *iter_tensor(Interp *I, Value *self) {
    if (tensor_of(self)->ndim == 0) {
        interp_error(I, ERR_TYPE, "iteration over a 0-d tensor");
        return NULL;
    }
    TensorIter *it = (TensorIter *)val_alloc(I, &type_tensor_iter, sizeof *it);
    if (!it) return NULL;
    it->tensor = val_retain(self);
    return (Value *)it;
}

static int contains_tensor(Interp *I, Value *self, Value *item) {
    if (!operand_ok(item))
        return interp_error(I, ERR_RUNTIME, "Tensor.__contains__ only supports Tensor or scalar, "
                                            "but you passed in a %s.",
                            val_type_name(item));
    Value *eq = compare_tensor(I, PYCMP_EQ, self, item);
    if (!eq) return -1;
    Tensor *e = tensor_of(eq);
    int found = 0;
    for (int64_t i = 0, n = tensor_numel(e); i < n && !found; i++) found = tensor_get(e, i) != 0;
    val_release(eq);
    return found;
}

/* ---- indexing ---- */

/* Applies one index item to t at dim *d (basic indexing); advances *d. Returns the new
 * tensor (owned) or NULL; *recorded says whether a view was made (torch skips a slice
 * that spells out the whole dim, "0:n" with step 1). Advanced (tensor/list) items are
 * handled by the caller. */
static Tensor *apply_basic_index(Interp *I, AutogradCtx *ctx, Tensor *t, Value *item, int *d) {
    Error err;
    err_clear(&err);
    Tensor *out = NULL;
    if (val_is_none(item)) {
        out = ag_unsqueeze(ctx, t, *d, &err);
        (*d)++;
    } else if (val_is(item, &type_slice)) {
        SliceValue *s = (SliceValue *)item;
        int64_t start = 0, stop = 0, step = 1;
        bool has_start = !val_is_none(s->start), has_stop = !val_is_none(s->stop);
        if ((has_start && op_index_value(I, s->start, &start)) ||
            (has_stop && op_index_value(I, s->stop, &stop)) ||
            (!val_is_none(s->step) && op_index_value(I, s->step, &step))) {
            interp_error(I, ERR_TYPE, "slice indices must be integers or None or have an "
                                      "__index__ method");
            return NULL;
        }
        if (*d >= t->ndim) {
            interp_error(I, ERR_INDEX, "too many indices for tensor of dimension %d", t->ndim);
            return NULL;
        }
        if (has_start && has_stop && start == 0 && stop == t->shape[*d] && step == 1) {
            (*d)++;
            return tensor_retain(t); /* applySlice's "whole dim" shortcut: no view */
        }
        out = ag_slice(ctx, t, *d, has_start, start, has_stop, stop, step, &err);
        (*d)++;
    } else {
        int64_t index;
        if (op_index_value(I, item, &index)) {
            interp_error(I, ERR_INDEX, "only integers, slices (`:`), ellipsis (`...`), None and "
                                       "long or byte Variables are valid indices (got %s)",
                         val_type_name(item));
            return NULL;
        }
        if (t->ndim == 0) {
            interp_error(I, ERR_INDEX, "invalid index of a 0-dim tensor. Use `tensor.item()` in "
                                       "Python or `tensor.item<T>()` in C++ to convert a 0-dim "
                                       "tensor to a number");
            return NULL;
        }
        if (*d >= t->ndim) {
            interp_error(I, ERR_INDEX, "too many indices for tensor of dimension %d", t->ndim);
            return NULL;
        }
        int64_t size = t->shape[*d];
        if (index < -size || index >= size) {
            interp_error(I, ERR_INDEX, "index %lld is out of bounds for dimension %d with size %lld",
                         (long long)index, *d, (long long)size);
            return NULL;
        }
        out = ag_select(ctx, t, *d, index, &err);
    }
    if (!out) interp_raise(I, &err);
    return out;
}

static bool is_advanced(Value *item) {
    return val_is_tensor(item) || val_is(item, &type_list) ||
           (val_is(item, &type_bool));
}

/* Converts an advanced index item (tensor, list, bool) to an index tensor (owned). */
static Tensor *advanced_index_tensor(Interp *I, Value *item) {
    if (val_is_tensor(item)) {
        Tensor *t = tensor_of(item);
        if (dtype_is_floating(t->dtype)) {
            interp_error(I, ERR_INDEX, "tensors used as indices must be long, byte or bool "
                                       "tensors");
            return NULL;
        }
        return tensor_retain(t);
    }
    if (val_is(item, &type_bool)) {
        Error err;
        Tensor *t = tensor_scalar(DTYPE_BOOL, (double)val_as_int(item), &err);
        if (!t) interp_raise(I, &err);
        return t;
    }
    Tensor *t = tensor_from_data(I, item, false, DTYPE_INT64);
    if (t && dtype_is_floating(t->dtype)) {
        tensor_release(t);
        interp_error(I, ERR_INDEX, "tensors used as indices must be long, byte or bool "
                                   "tensors");
        return NULL;
    }
    return t;
}

typedef struct IndexPlan {
    Tensor *view;      /* after basic indexing (owned; t itself, retained, when no view) */
    Tensor *advanced;  /* the single advanced index (owned), or NULL */
    int adv_dim;       /* the dim of `view` the advanced index applies to */
} IndexPlan;

static void plan_free(IndexPlan *plan) {
    tensor_release(plan->view);
    tensor_release(plan->advanced);
}

/* Resolves t[key] into a basic-indexing view (recorded for autograd when `record`) and
 * at most one advanced index. */
static int plan_index(Interp *I, Tensor *t, Value *key, IndexPlan *plan, bool record) {
    memset(plan, 0, sizeof *plan);
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return -1;
    bool mode = ag_grad_enabled(ctx);
    if (!record) ag_set_grad_enabled(ctx, false);
    Value **items = &key;
    int64_t count = 1;
    if (val_is(key, &type_tuple)) {
        items = ((ListValue *)key)->items;
        count = ((ListValue *)key)->count;
    }
    /* Count the dims the index consumes, to expand the ellipsis. */
    int consumed = 0, ellipses = 0;
    int rc = 0;
    for (int64_t i = 0; i < count; i++) {
        if (val_is(items[i], &type_ellipsis)) ellipses++;
        else if (!val_is_none(items[i])) {
            if (val_is_tensor(items[i]) && tensor_of(items[i])->dtype == DTYPE_BOOL)
                consumed += tensor_of(items[i])->ndim > 0 ? tensor_of(items[i])->ndim : 0;
            else
                consumed++;
        }
    }
    if (ellipses > 1) {
        rc = interp_error(I, ERR_INDEX, "an index can only have a single ellipsis ('...')");
        goto done;
    }
    if (t->ndim == 0 && count == 1 && !val_is_tensor(items[0]) && !val_is_none(items[0]) &&
        !val_is(items[0], &type_ellipsis) && !val_is(items[0], &type_slice) &&
        !val_is(items[0], &type_list)) {
        rc = interp_error(I, ERR_INDEX, "invalid index of a 0-dim tensor. Use `tensor.item()` "
                                        "in Python or `tensor.item<T>()` in C++ to convert a "
                                        "0-dim tensor to a number");
        goto done;
    }
    if (consumed > t->ndim && !(t->ndim == 0 && consumed == 1 && val_is_tensor(key))) {
        rc = interp_error(I, ERR_INDEX, "too many indices for tensor of dimension %d", t->ndim);
        goto done;
    }
    Tensor *cur = tensor_retain(t);
    int d = 0;
    for (int64_t i = 0; i < count; i++) {
        Value *item = items[i];
        if (val_is(item, &type_ellipsis)) {
            d += t->ndim - consumed;
            continue;
        }
        if (is_advanced(item)) {
            if (plan->advanced) {
                tensor_release(cur);
                plan_free(plan);
                rc = interp_error(I, ERR_NOT_IMPLEMENTED,
                                  "indexing with more than one tensor or list is not supported "
                                  "by embedlab yet");
                goto done;
            }
            plan->advanced = advanced_index_tensor(I, item);
            if (!plan->advanced) {
                tensor_release(cur);
                rc = -1;
                goto done;
            }
            plan->adv_dim = d;
            d += plan->advanced->dtype == DTYPE_BOOL ? plan->advanced->ndim : 1;
            continue;
        }
        Tensor *next = apply_basic_index(I, ctx, cur, item, &d);
        tensor_release(cur);
        if (!next) {
            plan_free(plan);
            rc = -1;
            goto done;
        }
        cur = next;
    }
    plan->view = cur;
done:
    ag_set_grad_enabled(ctx, mode);
    return rc;
}

static Value *getitem_tensor(Interp *I, Value *self, Value *key) {
    Tensor *t = tensor_of(self);
    IndexPlan plan;
    if (plan_index(I, t, key, &plan, true)) return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    Error err;
    err_clear(&err);
    if (!plan.advanced) {
        Tensor *view = plan.view;
        plan.view = NULL;
        if (view == t) { /* t[...] returns a new alias */
            tensor_release(view);
            view = ag_alias(ctx, t, &err);
        }
        return tensor_value_take(I, view, &err);
    }
    Tensor *result = ag_index(ctx, plan.view, plan.adv_dim, plan.advanced, &err);
    plan_free(&plan);
    return tensor_value_take(I, result, &err);
}

/* True when key (or an item of a tuple key) is a 0-d integer tensor, which torch's
 * assignment treats as a plain int (a select view). */
static bool has_scalar_int_index(Value *key) {
    Value **items = &key;
    int64_t count = 1;
    if (val_is(key, &type_tuple)) {
        items = ((ListValue *)key)->items;
        count = ((ListValue *)key)->count;
    }
    for (int64_t i = 0; i < count; i++) {
        if (!val_is_tensor(items[i])) continue;
        Tensor *x = tensor_of(items[i]);
        if (x->ndim == 0 && !dtype_is_floating(x->dtype) && x->dtype != DTYPE_BOOL) return true;
    }
    return false;
}

static int setitem_tensor(Interp *I, Value *self, Value *key, Value *value) {
    if (!value) return interp_error(I, ERR_TYPE, "'Tensor' object doesn't support item deletion");
    Tensor *t = tensor_of(self);
    if (!val_is_tensor(value) && arg_scalar_fits(I, value, t->dtype)) return -1;
    Tensor *src = arg_tensor_or_number(I, value, "__setitem__", "value");
    if (!src) {
        if (val_is_sequence(value)) {
            interp_clear_error(I);
            src = tensor_from_data(I, value, true, t->dtype);
        }
        if (!src) return -1;
    }
    IndexPlan plan;
    if (plan_index(I, t, key, &plan, false)) {
        tensor_release(src);
        return -1;
    }
    AutogradCtx *ctx = torch_autograd(I);
    Error err;
    err_clear(&err);
    /* The write goes through the basic-indexing view when there is one (t[0] = v is
     * t[0].copy_(v)), so a leaf that requires grad is reported as "a view of a leaf". */
    int rc = ctx ? ag_check_inplace(ctx, t, &err) : -1;
    if (rc && (plan.view != t || has_scalar_int_index(key)) && t->requires_grad && ag_is_leaf(t))
        err_set(&err, ERR_RUNTIME, "a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.");
    if (rc) {
        plan_free(&plan);
        tensor_release(src);
        return ctx ? interp_raise(I, &err) : -1;
    }
    if (!plan.advanced) {
        /* ATen's copy_to: a 0-d value of another shape is fill_ (no overlap check) */
        bool fill = src->ndim == 0 && !tensor_same_shape(src, plan.view);
        rc = fill ? tensor_assign_(plan.view, src, &err) : tensor_copy_(plan.view, src, &err);
    } else {
        int64_t perm[TENSOR_MAX_DIMS];
        perm[0] = plan.adv_dim;
        for (int i = 0, j = 1; i < plan.view->ndim; i++)
            if (i != plan.adv_dim) perm[j++] = i;
        Tensor *front = tensor_permute(plan.view, plan.view->ndim, perm, &err);
        rc = front ? tensor_index_put_(front, plan.advanced, src, &err) : -1;
        tensor_release(front);
    }
    if (rc == ERR_OK && ctx)
        rc = ag_record_setitem(ctx, t, plan.view, plan.adv_dim, plan.advanced, src, &err);
    plan_free(&plan);
    tensor_release(src);
    if (rc) {
        if (err.code == ERR_RUNTIME && strncmp(err.msg, "The expanded size", 17) == 0) {
            /* torch words a failed broadcast in assignment as a shape mismatch. */
            char m[ERR_MSG_MAX];
            snprintf(m, sizeof m, "%s", err.msg);
            err_set(&err, ERR_RUNTIME, "%s", m);
        }
        return interp_raise(I, &err);
    }
    return 0;
}

/* ---- attributes ---- */

const ValueType type_tensor = {.name = "Tensor",
                               .module = "torch",
                               .destroy = destroy_tensor_value,
                               .repr = repr_tensor,
                               .getattr = tensor_getattr,
                               .setattr = tensor_setattr,
                               .truth = truth_tensor,
                               .length = length_tensor,
                               .dir = tensor_dir,
                               .getitem = getitem_tensor,
                               .setitem = setitem_tensor,
                               .contains = contains_tensor,
                               .iter = iter_tensor,
                               .binary = binary_tensor,
                               .compare = compare_tensor,
                               .unary = unary_tensor,
                               .methods = tensor_methods,
                               .as_number = as_number_tensor};

const ValueType type_parameter = {.name = "Parameter",
                                  .module = "torch.nn.parameter",
                                  .destroy = destroy_tensor_value,
                                  .repr = repr_tensor,
                                  .getattr = tensor_getattr,
                                  .setattr = tensor_setattr,
                                  .truth = truth_tensor,
                                  .length = length_tensor,
                                  .dir = tensor_dir,
                                  .getitem = getitem_tensor,
                                  .setitem = setitem_tensor,
                                  .contains = contains_tensor,
                                  .iter = iter_tensor,
                                  .binary = binary_tensor,
                                  .compare = compare_tensor,
                                  .unary = unary_tensor,
                                  .methods = tensor_methods,
                                  .as_number = as_number_tensor,
                                  .base = &type_tensor};

/* ---- sparse COO tensors (core/sparse.h): the gradient of sparse embeddings ---- */

#define SP (tensor_of(self))

/* _tensor_str(part, indent) of torch/_tensor_str.py: the dense repr body of `part` laid
 * out as if it started at column `indent` (rows re-indented, linewidth reduced by the
 * extra indent), without "tensor(", ")" or a dtype suffix; "size=(...)" stays for empty
 * parts, as the sparse repr wants it. */
static int part_str(Interp *I, const Tensor *part, int indent, StrBuf *out) {
    if (tensor_numel(part) == 0) { /* torch: "[]" then ", size=" + the shape tuple */
        sb_append(out, "[], size=(");
        for (int i = 0; i < part->ndim; i++)
            sb_appendf(out, i ? ", %lld" : "%lld", (long long)part->shape[i]);
        sb_append(out, part->ndim == 1 ? ",)" : ")");
        return 0;
    }
    TorchState *ts = torch_state(I);
    PrintOptions opts = ts ? ts->print_options : TENSOR_FMT_DEFAULTS;
    int extra = indent - 7;
    opts.linewidth -= extra;
    TensorReprExtras none = {0};
    StrBuf body = SB_INIT;
    Error err;
    if (tensor_repr(part, &opts, &none, &body, &err)) {
        sb_free(&body);
        return interp_raise(I, &err);
    }
    const char *s = sb_str(&body);
    size_t len = body.len;
    /* strip "tensor(" ... ")" and a trailing dtype suffix */
    if (len >= 8) {
        s += 7;
        len -= 8;
    }
    const char *dt = NULL;
    for (const char *p = s; p + 7 <= s + len; p++)
        if (strncmp(p, "dtype=", 6) == 0) dt = p;
    if (dt) {
        const char *q = dt;
        while (q > s && (q[-1] == ' ' || q[-1] == '\n')) q--;
        if (q > s && q[-1] == ',') q--;
        len = (size_t)(q - s);
    }
    for (size_t i = 0; i < len; i++) {
        sb_appendc(out, s[i]);
        if (s[i] == '\n') sb_repeat(out, ' ', (size_t)extra);
    }
    sb_free(&body);
    return 0;
}

static int repr_sparse(Interp *I, Value *self, StrBuf *out) {
    Tensor *t = SP;
    TorchState *ts = torch_state(I);
    int64_t linewidth = ts ? ts->print_options.linewidth : 80;
    DType def = ts ? ts->print_options.default_dtype : DTYPE_FLOAT32;
    StrBuf text = SB_INIT;
    sb_append(&text, "tensor(indices=tensor(");
    if (part_str(I, sparse_indices(t), 7 + 15, &text)) goto fail;
    sb_append(&text, "),\n       values=tensor(");
    if (part_str(I, sparse_values(t), 7 + 14, &text)) goto fail;
    sb_append(&text, ")");
    /* suffixes: size, nnz, dtype when not inferable, layout; the first on a new line */
    char suffix[4][96];
    int n = 0;
    StrBuf size = SB_INIT;
    sb_appendc(&size, '(');
    for (int i = 0; i < t->ndim; i++) sb_appendf(&size, i ? ", %lld" : "%lld", (long long)t->shape[i]);
    sb_append(&size, t->ndim == 1 ? ",)" : ")");
    snprintf(suffix[n++], sizeof suffix[0], "size=%s", sb_str(&size));
    sb_free(&size);
    snprintf(suffix[n++], sizeof suffix[0], "nnz=%lld", (long long)sparse_nnz(t));
    if (t->dtype != def && t->dtype != DTYPE_INT64 && t->dtype != DTYPE_BOOL)
        snprintf(suffix[n++], sizeof suffix[0], "dtype=torch.%s", dtype_name(t->dtype));
    snprintf(suffix[n++], sizeof suffix[0], "layout=torch.sparse_coo");
    const char *last = strrchr(sb_str(&text), '\n');
    int64_t last_len = (int64_t)(text.len - (size_t)(last - sb_str(&text))) + 1;
    bool force = true;
    for (int i = 0; i < n; i++) {
        int64_t sl = (int64_t)strlen(suffix[i]);
        if (force || last_len + sl + 2 > linewidth) {
            sb_appendf(&text, ",\n       %s", suffix[i]);
            last_len = 7 + sl;
            force = false;
        } else {
            sb_appendf(&text, ", %s", suffix[i]);
            last_len += sl + 2;
        }
    }
    sb_appendc(&text, ')');
    sb_append(out, sb_str(&text));
    sb_free(&text);
    return 0;
fail:
    sb_free(&text);
    return -1;
}

static Value *getattr_sparse(Interp *I, Value *self, const char *name) {
    Tensor *t = SP;
    if (strcmp(name, "shape") == 0) return val_torch_size_new(I, t->ndim, t->shape);
    if (strcmp(name, "dtype") == 0) return dtype_value(I, t->dtype);
    if (strcmp(name, "ndim") == 0) return val_int(I, t->ndim);
    if (strcmp(name, "is_sparse") == 0) return val_bool(I, true);
    if (strcmp(name, "layout") == 0) return val_str(I, "torch.sparse_coo");
    if (strcmp(name, "requires_grad") == 0) return val_bool(I, false);
    if (strcmp(name, "is_leaf") == 0) return val_bool(I, true);
    if (strcmp(name, "grad_fn") == 0 || strcmp(name, "grad") == 0) return val_none(I);
    if (strcmp(name, "device") == 0) return torch_device_cpu(I);
    if (strcmp(name, "is_cuda") == 0) return val_bool(I, false);
    return NULL;
}

static Value *sp_size(Interp *I, Value *self, Value **argv) {
    Tensor *t = SP;
    if (val_is_none(argv[0])) return val_torch_size_new(I, t->ndim, t->shape);
    int64_t dim;
    int d;
    Error err;
    if (arg_int(I, argv[0], "size", "dim", &dim)) return NULL;
    if (tensor_wrap_dim(dim, t->ndim, &d, &err)) return interp_raise(I, &err), NULL;
    return val_int(I, t->shape[d]);
}
static Value *sp_dim(Interp *I, Value *self, Value **argv) { (void)argv; return val_int(I, SP->ndim); }
static Value *sp_nnz(Interp *I, Value *self, Value **argv) { (void)argv; return val_int(I, sparse_nnz(SP)); }
static Value *sp_sparse_dim(Interp *I, Value *self, Value **argv) { (void)argv; return val_int(I, sparse_sparse_dim(SP)); }
static Value *sp_dense_dim(Interp *I, Value *self, Value **argv) { (void)argv; return val_int(I, sparse_dense_dim(SP)); }
static Value *sp_is_coalesced(Interp *I, Value *self, Value **argv) { (void)argv; return val_bool(I, sparse_is_coalesced(SP)); }
static Value *sp_numel(Interp *I, Value *self, Value **argv) { (void)argv; return val_int(I, tensor_numel(SP)); }

static Value *sp_to_dense(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    return tensor_value_take(I, sparse_to_dense(SP, &err), &err);
}
static Value *sp_coalesce(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    return tensor_value_take(I, sparse_coalesce(SP, &err), &err);
}
static Value *sp_clone(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    return tensor_value_take(I, sparse_clone(SP, &err), &err);
}
static Value *sp_detach(Interp *I, Value *self, Value **argv) {
    (void)I, (void)argv;
    return val_retain(self);
}

static Value *sp_part(Interp *I, Value *self, bool values, bool checked) {
    if (checked && !sparse_is_coalesced(SP)) {
        interp_error(I, ERR_RUNTIME, "Cannot get %s on an uncoalesced tensor, please call "
                                     ".coalesce() first",
                     values ? "values" : "indices");
        return NULL;
    }
    Error err;
    Tensor *p = values ? sparse_values(SP) : sparse_indices(SP);
    return tensor_value_take(I, tensor_alias(p, &err), &err);
}
static Value *sp_indices_u(Interp *I, Value *self, Value **argv) { (void)argv; return sp_part(I, self, false, false); }
static Value *sp_values_u(Interp *I, Value *self, Value **argv) { (void)argv; return sp_part(I, self, true, false); }
static Value *sp_indices(Interp *I, Value *self, Value **argv) { (void)argv; return sp_part(I, self, false, true); }
static Value *sp_values(Interp *I, Value *self, Value **argv) { (void)argv; return sp_part(I, self, true, true); }

static Value *sp_zero_(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    if (sparse_zero_(SP, &err) != ERR_OK) return interp_raise(I, &err), NULL;
    return val_retain(self);
}

/* a (sparse) + alpha * b: b sparse (a sparse result) or dense (TypeError as torch). */
static Value *sp_add_impl(Interp *I, Value *self, Value *other, double alpha, bool inplace) {
    Error err;
    err_clear(&err);
    if (!val_is(other, &type_sparse_tensor)) {
        interp_error(I, ERR_RUNTIME, "add(sparse, dense) is not supported. Use add(dense, sparse) "
                                     "instead.");
        return NULL;
    }
    if (inplace) {
        if (sparse_add_(SP, tensor_of(other), alpha, &err) != ERR_OK) return interp_raise(I, &err), NULL;
        return val_retain(self);
    }
    return tensor_value_take(I, sparse_add(SP, tensor_of(other), alpha, &err), &err);
}

static double alpha_of(Value *v) { return v && !val_is_none(v) ? val_as_float(v) : 1.0; }
static Value *sp_add(Interp *I, Value *self, Value **argv) { return sp_add_impl(I, self, argv[0], alpha_of(argv[1]), false); }
static Value *sp_add_(Interp *I, Value *self, Value **argv) { return sp_add_impl(I, self, argv[0], alpha_of(argv[1]), true); }

static Value *sp_mul_impl(Interp *I, Value *self, Value *other, bool inplace) {
    double s;
    if (arg_float(I, other, "mul", "other", &s)) return NULL;
    Error err;
    err_clear(&err);
    if (inplace) {
        if (sparse_mul_scalar_(SP, s, &err) != ERR_OK) return interp_raise(I, &err), NULL;
        return val_retain(self);
    }
    return tensor_value_take(I, sparse_mul_scalar(SP, s, &err), &err);
}
static Value *sp_mul(Interp *I, Value *self, Value **argv) { return sp_mul_impl(I, self, argv[0], false); }
static Value *sp_mul_(Interp *I, Value *self, Value **argv) { return sp_mul_impl(I, self, argv[0], true); }

static Value *binary_sparse(Interp *I, PyOp op, Value *a, Value *b, bool reflected) {
    bool inplace = op >= PYOP_COUNT;
    if (inplace) op = (PyOp)(op - PYOP_COUNT);
    Value *self = reflected ? b : a, *other = reflected ? a : b;
    Error err;
    err_clear(&err);
    if ((op == PYOP_ADD || op == PYOP_SUB) && val_is(other, &type_sparse_tensor) && !reflected)
        return sp_add_impl(I, self, other, op == PYOP_SUB ? -1.0 : 1.0, inplace);
    if ((op == PYOP_ADD || (op == PYOP_SUB && reflected)) && val_is_tensor(other)) {
        /* dense + sparse is dense */
        return tensor_value_take(I, sparse_dense_add(tensor_of(other), SP, op == PYOP_SUB ? -1.0 : 1.0, &err),
                                 &err);
    }
    if (op == PYOP_MUL && val_is_number(other)) return sp_mul_impl(I, self, other, inplace);
    if (op == PYOP_DIV && val_is_number(other) && !reflected) {
        double s = val_as_float(other);
        if (inplace) {
            if (sparse_mul_scalar_(SP, 1.0 / s, &err) != ERR_OK) return interp_raise(I, &err), NULL;
            return val_retain(self);
        }
        Tensor *f = tensor_wrap_number(DTYPE_FLOAT64, s, &err);
        Tensor *v = f ? tensor_binary(BIN_DIV, sparse_values(SP), f, &err) : NULL;
        Tensor *i = v ? tensor_clone(sparse_indices(SP), &err) : NULL;
        Tensor *r = i ? sparse_coo_new(i, v, SP->ndim, SP->shape, sparse_is_coalesced(SP), &err) : NULL;
        tensor_release(f);
        tensor_release(v);
        tensor_release(i);
        return tensor_value_take(I, r, &err);
    }
    return val_not_implemented(I);
}

static Value *sp_sub(Interp *I, Value *self, Value **argv) { return sp_add_impl(I, self, argv[0], -alpha_of(argv[1]), false); }
static Value *sp_sub_(Interp *I, Value *self, Value **argv) { return sp_add_impl(I, self, argv[0], -alpha_of(argv[1]), true); }

/* A new sparse tensor with the same indices and values `values_take`. */
static Value *sp_with_values(Interp *I, Tensor *t, Tensor *values_take, Error *err) {
    Tensor *i = values_take ? tensor_clone(sparse_indices(t), err) : NULL;
    Tensor *r = i ? sparse_coo_new(i, values_take, t->ndim, t->shape, sparse_is_coalesced(t), err) : NULL;
    tensor_release(i);
    tensor_release(values_take);
    return tensor_value_take(I, r, err);
}

static Value *sp_div(Interp *I, Value *self, Value **argv) {
    double s;
    if (arg_float(I, argv[0], "div", "other", &s)) return NULL;
    Error err;
    err_clear(&err);
    Tensor *f = tensor_wrap_number(DTYPE_FLOAT64, s, &err);
    Tensor *v = f ? tensor_binary(BIN_DIV, sparse_values(SP), f, &err) : NULL;
    tensor_release(f);
    return sp_with_values(I, SP, v, &err);
}

static Value *sp_to_dtype(Interp *I, Value *self, DType dt) {
    if (SP->dtype == dt) return val_retain(self);
    Error err;
    err_clear(&err);
    return sp_with_values(I, SP, tensor_to_dtype(sparse_values(SP), dt, &err), &err);
}
static Value *sp_float(Interp *I, Value *self, Value **argv) { (void)argv; return sp_to_dtype(I, self, DTYPE_FLOAT32); }
static Value *sp_double(Interp *I, Value *self, Value **argv) { (void)argv; return sp_to_dtype(I, self, DTYPE_FLOAT64); }

/* t.sum(): torch 1.13 has no sparse kernel for it (torch.sparse.sum is another function). */
static Value *sp_sum(Interp *I, Value *self, Value **argv) {
    (void)self, (void)argv;
    interp_error(I, ERR_NOT_IMPLEMENTED,
                 "Could not run 'aten::sum' with arguments from the 'SparseCPU' backend.");
    interp_hint(I, "use g.to_dense().sum() or g.coalesce().values().sum()");
    return NULL;
}

static Value *unary_sparse(Interp *I, PyUnary op, Value *self) {
    if (op == PYUNARY_POS) return val_retain(self);
    if (op != PYUNARY_NEG) return val_not_implemented(I);
    Error err;
    err_clear(&err);
    return tensor_value_take(I, sparse_mul_scalar(SP, -1.0, &err), &err);
}

static int64_t length_sparse(Interp *I, Value *self) {
    if (SP->ndim == 0) {
        interp_error(I, ERR_TYPE, "len() of a 0-d tensor");
        return -1;
    }
    return SP->shape[0];
}

static const BuiltinSpec sparse_methods[] = {
    {"size", sp_size, "(dim=None)", "Returns the size of the tensor."},
    {"dim", sp_dim, "()", "Returns the number of dimensions."},
    {"numel", sp_numel, "()", "Returns the number of elements (dense count)."},
    {"_nnz", sp_nnz, "()", "Number of specified entries."},
    {"sparse_dim", sp_sparse_dim, "()", "Number of sparse dimensions."},
    {"dense_dim", sp_dense_dim, "()", "Number of dense dimensions."},
    {"is_coalesced", sp_is_coalesced, "()", "True when indices are unique and sorted."},
    {"coalesce", sp_coalesce, "()", "Returns a coalesced copy (duplicate indices summed)."},
    {"to_dense", sp_to_dense, "()", "Returns the dense tensor."},
    {"_indices", sp_indices_u, "()", "The indices tensor (uncoalesced allowed)."},
    {"_values", sp_values_u, "()", "The values tensor (uncoalesced allowed)."},
    {"indices", sp_indices, "()", "The indices of a coalesced sparse tensor."},
    {"values", sp_values, "()", "The values of a coalesced sparse tensor."},
    {"clone", sp_clone, "()", "Returns a copy."},
    {"detach", sp_detach, "()", "Returns the tensor (sparse tensors carry no history)."},
    {"zero_", sp_zero_, "()", "Removes every entry."},
    {"add", sp_add, "(other, *, alpha=1)", "Sparse addition."},
    {"add_", sp_add_, "(other, *, alpha=1)", "In-place sparse addition."},
    {"mul", sp_mul, "(other)", "Multiplies the values by a number."},
    {"mul_", sp_mul_, "(other)", "In-place version of mul()."},
    {"sub", sp_sub, "(other, *, alpha=1)", "Sparse subtraction."},
    {"sub_", sp_sub_, "(other, *, alpha=1)", "In-place sparse subtraction."},
    {"div", sp_div, "(other)", "Divides the values by a number."},
    {"float", sp_float, "()", "The tensor as float32."},
    {"double", sp_double, "()", "The tensor as float64."},
    {"sum", sp_sum, "(*args, **kwargs)", "Not available for sparse tensors in torch 1.13."},
    {NULL, NULL, NULL, NULL},
};

const ValueType type_sparse_tensor = {.name = "Tensor",
                                      .module = "torch",
                                      .destroy = destroy_tensor_value,
                                      .repr = repr_sparse,
                                      .getattr = getattr_sparse,
                                      .binary = binary_sparse,
                                      .unary = unary_sparse,
                                      .length = length_sparse,
                                      .methods = sparse_methods,
                                      .base = &type_tensor};
