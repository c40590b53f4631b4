/*
 * src/lang/mod_numpy.c — the `numpy` module (a subset of NumPy 1.24: array creation,
 * dtypes, arithmetic, reductions, numpy.linalg.norm, .npy files, print options);
 * `numpy.random` is in mod_numpy_random.c. See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/np_ops.h"
#include "core/npy.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/np_value.h"
#include "lang/ops.h"
#include "lang/torch_value.h"

Tensor *np_reshape_tensor(Interp *I, Tensor *t, int nd, int64_t *shape);

/* ---- session state ---- */

typedef struct NpOptsValue {
    Value base;
    NpPrintOptions opt;
} NpOptsValue;

/* dst's element i = src's element j, for arrays of the same dtype (exact for int64); dst
 * fresh and contiguous. */
static void copy_element(Tensor *dst, int64_t i, const Tensor *src, int64_t j) {
    if (dtype_is_floating(dst->dtype)) tensor_set(dst, i, tensor_get(src, j));
    else tensor_store_int(dst, i, tensor_get_int(src, j));
}

static const ValueType type_np_opts = {.name = "printoptions", .module = "numpy"};

static Value *module_attr(Interp *I, const char *module, const char *name) {
    if (!I->modules) return NULL;
    Value *m = val_dict_get_str(I, I->modules, module);
    if (!m) return NULL;
    return val_dict_get_str(I, ((ModuleValue *)m)->dict, name);
}

NpPrintOptions *np_print_options(Interp *I) {
    static const NpPrintOptions defaults = {8, 1000, 3, 75, false, 0, '-'};
    Value *o = module_attr(I, "numpy", "_format_options");
    if (o && o->type == &type_np_opts) return &((NpOptsValue *)o)->opt;
    interp_clear_error(I);
    return (NpPrintOptions *)&defaults;
}

NpRandomState *np_global_random(Interp *I) {
    Value *r = module_attr(I, "numpy.random", "_rand");
    if (r && r->type == &type_np_random_state) return &((NpRandomValue *)r)->st;
    Value *m = module_import(I, "numpy.random");
    if (!m) return NULL;
    val_release(m);
    r = module_attr(I, "numpy.random", "_rand");
    if (r && r->type == &type_np_random_state) return &((NpRandomValue *)r)->st;
    interp_error(I, ERR_RUNTIME, "numpy.random is not available");
    return NULL;
}

/* ---- dtypes ---- */

static int repr_dtype(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    NpDTypeValue *d = (NpDTypeValue *)self;
    const char *name = np_dtype_name(d->dtype);
    if (d->is_class) sb_appendf(out, "<class 'numpy.%s'>", d->dtype == DTYPE_BOOL ? "bool_" : name);
    else sb_appendf(out, "dtype('%s')", name);
    return 0;
}

static int str_dtype(Interp *I, Value *self, StrBuf *out) {
    NpDTypeValue *d = (NpDTypeValue *)self;
    if (d->is_class) return repr_dtype(I, self, out);
    sb_append(out, np_dtype_name(d->dtype));
    return 0;
}

static Value *compare_dtype(Interp *I, PyCmp op, Value *a, Value *b) {
    if (op != PYCMP_EQ && op != PYCMP_NE) return val_not_implemented(I);
    DType da = ((NpDTypeValue *)a)->dtype, db;
    bool given;
    if (val_is_str(b) || b->type == &type_np_dtype || b->type == &type_type) {
        if (np_arg_dtype(I, b, &db, &given)) {
            interp_clear_error(I);
            return val_bool(I, op == PYCMP_NE);
        }
        return val_bool(I, (da == db) == (op == PYCMP_EQ));
    }
    return val_bool(I, op == PYCMP_NE);
}

static Value *getattr_dtype(Interp *I, Value *self, const char *name) {
    NpDTypeValue *d = (NpDTypeValue *)self;
    if (strcmp(name, "name") == 0) return val_str(I, np_dtype_name(d->dtype));
    if (strcmp(name, "itemsize") == 0) return val_int(I, (int64_t)dtype_size(d->dtype));
    if (strcmp(name, "kind") == 0)
        return val_str(I, d->dtype == DTYPE_BOOL ? "b" : d->dtype == DTYPE_INT64 ? "i" : "f");
    if (strcmp(name, "type") == 0) return np_dtype_value(I, d->dtype, true);
    if (strcmp(name, "__name__") == 0)
        return val_str(I, d->dtype == DTYPE_BOOL ? "bool_" : np_dtype_name(d->dtype));
    return NULL;
}

static int64_t hash_dtype(const Value *v) { return 7 + ((const NpDTypeValue *)v)->dtype; }

/* np.float32(x): a scalar of that type. */
static Value *call_dtype(Interp *I, Value *self, CallArgs *args) {
    NpDTypeValue *d = (NpDTypeValue *)self;
    if (!d->is_class) {
        interp_error(I, ERR_TYPE, "'numpy.dtype[%s]' object is not callable", np_dtype_name(d->dtype));
        return NULL;
    }
    if (args->nkw > 0 || args->nargs > 1) {
        interp_error(I, ERR_TYPE, "%s() takes at most 1 argument", np_dtype_name(d->dtype));
        return NULL;
    }
    Error err;
    if (args->nargs == 0) return np_scalar_take(I, tensor_zeros(d->dtype, 0, NULL, &err), &err);
    Tensor *t = np_from_object(I, args->args[0], true, d->dtype);
    if (!t) return NULL;
    if (t->ndim == 0) return np_scalar_take(I, t, NULL);
    return np_array_take(I, t, NULL);
}

/* np.float32 itself is a type; np.dtype('float32') a numpy.dtype[float32]. */
static const char *tp_name_of_dtype(const Value *self) {
    const NpDTypeValue *d = (const NpDTypeValue *)self;
    if (d->is_class) return "type";
    switch (d->dtype) {
    case DTYPE_BOOL: return "numpy.dtype[bool_]";
    case DTYPE_INT64: return "numpy.dtype[int64]";
    case DTYPE_FLOAT32: return "numpy.dtype[float32]";
    default: return "numpy.dtype[float64]";
    }
}

/* len(dtype): the number of fields, 0 for these unstructured dtypes (which are still
 * true, as NumPy's); the scalar types themselves (np.float32) have no len(). */
static int64_t length_dtype(Interp *I, Value *self) {
    if (((NpDTypeValue *)self)->is_class)
        return interp_error(I, ERR_TYPE, "object of type 'type' has no len()");
    return 0;
}

static int truth_dtype(Interp *I, Value *self) {
    (void)I, (void)self;
    return 1;
}

const ValueType type_np_dtype = {.name = "dtype", .tp_name_of = tp_name_of_dtype,
                                 .length = length_dtype,
                                 .truth = truth_dtype,
                                 .module = "numpy",
                                 .repr = repr_dtype,
                                 .str = str_dtype,
                                 .getattr = getattr_dtype,
                                 .compare = compare_dtype,
                                 .call = call_dtype,
                                 .doc = "A NumPy data type: float64, float32, int64 or bool."};

Value *np_dtype_value(Interp *I, DType dt, bool is_class) {
    NpDTypeValue *d = (NpDTypeValue *)val_alloc(I, &type_np_dtype, sizeof *d);
    if (!d) return NULL;
    d->dtype = dt;
    d->is_class = is_class;
    (void)hash_dtype;
    return (Value *)d;
}

static int dtype_from_name(const char *s, DType *out) {
    static const struct {
        const char *name;
        DType dt;
    } names[] = {{"float64", DTYPE_FLOAT64}, {"f8", DTYPE_FLOAT64}, {"float", DTYPE_FLOAT64},
                 {"double", DTYPE_FLOAT64},  {"d", DTYPE_FLOAT64},  {"<f8", DTYPE_FLOAT64},
                 {"float32", DTYPE_FLOAT32}, {"f4", DTYPE_FLOAT32}, {"f", DTYPE_FLOAT32},
                 {"single", DTYPE_FLOAT32},  {"<f4", DTYPE_FLOAT32}, {"int64", DTYPE_INT64},
                 {"i8", DTYPE_INT64},        {"int", DTYPE_INT64},  {"long", DTYPE_INT64},
                 {"<i8", DTYPE_INT64},       {"int_", DTYPE_INT64}, {"bool", DTYPE_BOOL},
                 {"?", DTYPE_BOOL},          {"bool_", DTYPE_BOOL}, {"b1", DTYPE_BOOL},
                 {NULL, DTYPE_BOOL}};
    for (int i = 0; names[i].name; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].dt;
            return 0;
        }
    return -1;
}

int np_arg_dtype(Interp *I, Value *v, DType *out, bool *given) {
    *given = false;
    if (!v || val_is_none(v)) return 0;
    *given = true;
    if (v->type == &type_np_dtype) {
        *out = ((NpDTypeValue *)v)->dtype;
        return 0;
    }
    if (val_is_dtype(v)) {
        *out = ((DTypeValue *)v)->dtype;
        return 0;
    }
    if (val_is_str(v)) {
        if (dtype_from_name(val_str_data(v), out) == 0) return 0;
        return interp_error(I, ERR_TYPE, "data type '%s' not understood", val_str_data(v));
    }
    if (v->type == &type_type) {
        const ValueType *of = ((TypeValue *)v)->of;
        if (of == &type_float) *out = DTYPE_FLOAT64;
        else if (of == &type_int) *out = DTYPE_INT64;
        else if (of == &type_bool) *out = DTYPE_BOOL;
        else return interp_error(I, ERR_TYPE, "embedlab's numpy has no dtype %s", of->name);
        return 0;
    }
    return interp_error(I, ERR_TYPE, "Cannot interpret '%s' as a data type", val_type_name(v));
}

/* ---- array construction from Python objects ---- */

typedef struct Scan {
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    bool shape_set;
    DType dt;      /* promoted element dtype */
    bool any_elem; /* dt is meaningful */
    bool has_str;
} Scan;

static void scan_dtype(Scan *s, DType d) {
    s->dt = s->any_elem ? np_promote(s->dt, d) : d;
    s->any_elem = true;
}

static int scan(Interp *I, Value *v, int depth, Scan *s) {
    if (depth > TENSOR_MAX_DIMS) return interp_error(I, ERR_VALUE, "too many dimensions");
    if (val_is(v, &type_list) || val_is(v, &type_tuple) || np_is_array(v) || val_is_tensor(v)) {
        int64_t n;
        int sub_nd = 0;
        const int64_t *sub = NULL;
        if (np_is_array(v) || val_is_tensor(v)) {
            Tensor *t = np_is_array(v) ? np_tensor(v) : tensor_of(v);
            if (val_is_tensor(v) && t->requires_grad)
                return interp_error(I, ERR_RUNTIME, "Can't call numpy() on Tensor that requires "
                                                    "grad. Use tensor.detach().numpy() instead.");
            scan_dtype(s, t->dtype);
            sub_nd = t->ndim;
            sub = t->shape;
            n = -1;
        } else {
            n = ((ListValue *)v)->count;
        }
        if (n < 0) { /* an array element: its whole shape lands at this depth */
            if (!s->shape_set) {
                if (depth + sub_nd > TENSOR_MAX_DIMS) return interp_error(I, ERR_VALUE, "too many dimensions");
                s->ndim = depth + sub_nd;
                for (int i = 0; i < sub_nd; i++) s->shape[depth + i] = sub[i];
                s->shape_set = true;
                return 0;
            }
            bool ok = s->ndim == depth + sub_nd;
            for (int i = 0; ok && i < sub_nd; i++) ok = s->shape[depth + i] == sub[i];
            if (!ok) goto ragged;
            return 0;
        }
        if (!s->shape_set) {
            s->shape[depth] = n;
        } else if (depth >= s->ndim || s->shape[depth] != n) {
            goto ragged;
        }
        if (n == 0 && !s->shape_set) {
            s->ndim = depth + 1;
            s->shape_set = true;
            return 0;
        }
        for (int64_t i = 0; i < n; i++)
            if (scan(I, ((ListValue *)v)->items[i], depth + 1, s)) return -1;
        return 0;
    }
    if (!s->shape_set) {
        s->ndim = depth;
        s->shape_set = true;
    } else if (s->ndim != depth) {
        goto ragged;
    }
    if (val_is(v, &type_bool)) scan_dtype(s, DTYPE_BOOL);
    else if (val_is_int(v)) scan_dtype(s, DTYPE_INT64);
    else if (val_is(v, &type_float)) scan_dtype(s, DTYPE_FLOAT64);
    else if (val_is_str(v)) s->has_str = true;
    else if (v->type->as_number) scan_dtype(s, DTYPE_FLOAT64);
    else if (val_is_none(v))
        return interp_error(I, ERR_TYPE, "embedlab's numpy has no object arrays (an element is None)");
    else
        return interp_error(I, ERR_TYPE, "embedlab's numpy cannot make an array of '%s' objects",
                            val_type_name(v));
    return 0;
ragged:
    {
        char buf[256];
        size_t p = 0;
        p += (size_t)snprintf(buf, sizeof buf, "(");
        for (int i = 0; i < depth && p < sizeof buf; i++)
            p += (size_t)snprintf(buf + p, sizeof buf - p, "%lld%s", (long long)s->shape[i],
                                  depth == 1 ? "," : i + 1 < depth ? ", " : "");
        if (p < sizeof buf) snprintf(buf + p, sizeof buf - p, ")");
        return interp_error(I, ERR_VALUE, "setting an array element with a sequence. The "
                                          "requested array has an inhomogeneous shape after %d "
                                          "dimensions. The detected shape was %s + "
                                          "inhomogeneous part.",
                            depth, buf);
    }
}

static int parse_str_elem(Interp *I, Value *v, DType dt, double *out, int64_t *iout) {
    const char *s = val_str_data(v);
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    char *end;
    if (dt == DTYPE_INT64) {
        long long k = strtoll(s, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\n') end++;
        if (end == s || *end)
            return interp_error(I, ERR_VALUE, "invalid literal for int() with base 10: '%s'",
                                val_str_data(v));
        *iout = k;
        return 0;
    }
    if (dt == DTYPE_BOOL) {
        *iout = val_str_len(v) > 0;
        return 0;
    }
    double d = strtod(s, &end);
    while (*end == ' ' || *end == '\t' || *end == '\n') end++;
    if (end == s || *end)
        return interp_error(I, ERR_VALUE, "could not convert string to float: '%s'", val_str_data(v));
    *out = d;
    return 0;
}

static int fill(Interp *I, Value *v, Tensor *t, int64_t *pos) {
    if (val_is(v, &type_list) || val_is(v, &type_tuple)) {
        ListValue *l = (ListValue *)v;
        for (int64_t i = 0; i < l->count; i++)
            if (fill(I, l->items[i], t, pos)) return -1;
        return 0;
    }
    if (np_is_array(v) || val_is_tensor(v)) {
        Tensor *src = np_is_array(v) ? np_tensor(v) : tensor_of(v);
        int64_t n = tensor_numel(src);
        Error err;
        Tensor *dst = tensor_alias(t, &err);
        if (!dst) return interp_raise(I, &err);
        dst->ndim = src->ndim;
        memcpy(dst->shape, src->shape, sizeof(int64_t) * (size_t)src->ndim);
        int64_t s = 1;
        for (int i = src->ndim - 1; i >= 0; i--) {
            dst->stride[i] = s;
            s *= src->shape[i];
        }
        dst->offset = *pos;
        int rc = np_assign(dst, src, &err);
        tensor_release(dst);
        if (rc) return interp_raise(I, &err);
        *pos += n;
        return 0;
    }
    int64_t off = (*pos)++;
    if (val_is_str(v)) {
        double d = 0;
        int64_t k = 0;
        if (parse_str_elem(I, v, t->dtype, &d, &k)) return -1;
        if (t->dtype == DTYPE_INT64 || t->dtype == DTYPE_BOOL) tensor_store_int(t, off, k);
        else tensor_store(t, off, d);
        return 0;
    }
    if (val_is_int(v)) {
        int64_t k = val_as_int(v);
        if (t->dtype == DTYPE_BOOL) tensor_store_int(t, off, k != 0);
        else if (t->dtype == DTYPE_INT64) tensor_store_int(t, off, k);
        else tensor_store(t, off, (double)k);
        return 0;
    }
    double d;
    if (val_is(v, &type_float)) d = val_as_float(v);
    else if (builtins_to_float(I, v, &d)) return -1;
    if (t->dtype == DTYPE_BOOL) tensor_store_int(t, off, d != 0);
    else if (t->dtype == DTYPE_INT64) {
        if (isnan(d) || isinf(d)) {
            tensor_store_int(t, off, INT64_MIN);
        } else {
            tensor_store_int(t, off, (int64_t)d);
        }
    } else tensor_store(t, off, d);
    return 0;
}

Tensor *np_from_object(Interp *I, Value *obj, bool has_dtype, DType dtype) {
    Scan s;
    memset(&s, 0, sizeof s);
    if (scan(I, obj, 0, &s)) return NULL;
    if (s.has_str && !has_dtype) {
        interp_error(I, ERR_TYPE, "this numpy function needs numbers, not strings (give a "
                                  "numeric dtype: np.array(values, dtype=np.float32))");
        return NULL;
    }
    DType dt = has_dtype ? dtype : s.any_elem ? s.dt : DTYPE_FLOAT64;
    Error err;
    Tensor *t = tensor_zeros(dt, s.ndim, s.shape, &err);
    if (!t) return interp_raise(I, &err), NULL;
    int64_t pos = 0;
    if (fill(I, obj, t, &pos)) {
        tensor_release(t);
        return NULL;
    }
    return t;
}

/* ---- argument helpers ---- */

int np_shape_arg(Interp *I, Value *v, int64_t *shape, int *nd) {
    if (val_is_int(v) || (np_is_array(v) && np_tensor(v)->ndim == 0)) {
        if (op_index_value(I, v, &shape[0])) return -1;
        *nd = 1;
    } else if (val_is_sequence(v)) {
        ListValue *l = (ListValue *)v;
        if (l->count > TENSOR_MAX_DIMS) return interp_error(I, ERR_VALUE, "too many dimensions");
        for (int64_t i = 0; i < l->count; i++)
            if (op_index_value(I, l->items[i], &shape[i])) return -1;
        *nd = (int)l->count;
    } else {
        return interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                            val_type_name(v));
    }
    for (int i = 0; i < *nd; i++)
        if (shape[i] < 0) return interp_error(I, ERR_VALUE, "negative dimensions are not allowed");
    return 0;
}

/* An array-like argument as a tensor (owned). */
Tensor *np_arr_arg(Interp *I, Value *v) {
    if (np_is_array(v)) return tensor_retain(np_tensor(v));
    return np_from_object(I, v, false, DTYPE_FLOAT64);
}

static int axis_of(Interp *I, Value *v, const Tensor *t, int *axis) {
    if (!v || val_is_none(v)) {
        *axis = -1;
        return 0;
    }
    int64_t k;
    if (op_index_value(I, v, &k)) return -1;
    if (k < -t->ndim || k >= t->ndim)
        return interp_error(I, ERR_VALUE, "axis %lld is out of bounds for array of dimension %d",
                            (long long)k, t->ndim);
    *axis = (int)(k < 0 ? k + t->ndim : k);
    return 0;
}

static Value *wrap(Interp *I, Tensor *t, const Error *err) {
    if (t && t->ndim == 0) return np_scalar_take(I, t, err);
    return np_array_take(I, t, err);
}

bool np_truthy(Interp *I, Value *v) { return v && !val_is_none(v) && val_truth(I, v) > 0; }

/* ---- creation functions ---- */

/* A string dtype argument: str, 'str', 'U', '<U5', 'U5' (*width 0 when unsized). */
static bool str_dtype_arg(Value *v, int64_t *width) {
    *width = 0;
    if (!v) return false;
    if (v->type == &type_type && ((TypeValue *)v)->of == &type_str) return true;
    if (!val_is_str(v)) return false;
    const char *s = val_str_data(v);
    if (strcmp(s, "str") == 0) return true;
    if (*s == '<') s++;
    if (*s != 'U') return false;
    s++;
    if (!*s) return true;
    char *end;
    long long w = strtoll(s, &end, 10);
    if (*end || w <= 0) return false;
    *width = w;
    return true;
}

static Value *f_array(Interp *I, Value *self, Value **argv) {
    (void)self;
    DType dt = DTYPE_FLOAT64;
    bool given;
    int64_t width;
    if (str_dtype_arg(argv[1], &width) ||
        ((!argv[1] || val_is_none(argv[1])) && np_object_has_str(argv[0]))) {
        if (np_is_str_array(argv[0]) && width == 0 && argv[2] && !np_truthy(I, argv[2]))
            return val_retain(argv[0]);
        return np_str_array_from(I, argv[0], width);
    }
    if (np_arg_dtype(I, argv[1], &dt, &given)) return NULL;
    Tensor *t;
    if (np_is_array(argv[0]) && (!np_truthy(I, argv[2]) && argv[2]) && (!given || dt == np_tensor(argv[0])->dtype))
        t = tensor_retain(np_tensor(argv[0]));
    else
        t = np_from_object(I, argv[0], given, dt);
    if (!t) return NULL;
    int64_t ndmin = 0;
    if (argv[3] && op_index_value(I, argv[3], &ndmin)) {
        tensor_release(t);
        return NULL;
    }
    while (t->ndim < ndmin && t->ndim < TENSOR_MAX_DIMS) {
        memmove(t->shape + 1, t->shape, sizeof(int64_t) * (size_t)t->ndim);
        memmove(t->stride + 1, t->stride, sizeof(int64_t) * (size_t)t->ndim);
        t->shape[0] = 1;
        t->stride[0] = 0;
        t->ndim++;
    }
    return np_array_take(I, t, NULL);
}

static Value *f_asarray(Interp *I, Value *self, Value **argv) {
    Value *args[4] = {argv[0], argv[1], NULL, NULL};
    Value *f = val_bool(I, false);
    args[2] = f;
    Value *r = f_array(I, self, args);
    val_release(f);
    return r;
}

static Value *filled(Interp *I, Value *shape_v, Value *dtype_v, double value, DType def) {
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (np_shape_arg(I, shape_v, shape, &nd)) return NULL;
    DType dt = def;
    bool given;
    if (np_arg_dtype(I, dtype_v, &dt, &given)) return NULL;
    Error err;
    return np_array_take(I, tensor_full(dt, nd, shape, value, &err), &err);
}

static Value *f_zeros(Interp *I, Value *self, Value **argv) {
    (void)self;
    return filled(I, argv[0], argv[1], 0, DTYPE_FLOAT64);
}
static Value *f_ones(Interp *I, Value *self, Value **argv) {
    (void)self;
    return filled(I, argv[0], argv[1], 1, DTYPE_FLOAT64);
}

static Value *f_full(Interp *I, Value *self, Value **argv) {
    (void)self;
    DType def = val_is(argv[1], &type_bool) ? DTYPE_BOOL : val_is_int(argv[1]) ? DTYPE_INT64 : DTYPE_FLOAT64;
    if (np_is_array(argv[1])) def = np_tensor(argv[1])->dtype;
    double v;
    if (builtins_to_float(I, argv[1], &v)) return NULL;
    return filled(I, argv[0], argv[2], v, def);
}

static Value *like(Interp *I, Value **argv, double value, bool use_fill) {
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    DType dt = t->dtype;
    bool given;
    Value *dv = use_fill ? argv[2] : argv[1];
    int rc = np_arg_dtype(I, dv, &dt, &given);
    Error err;
    Tensor *r = rc ? NULL : tensor_full(dt, t->ndim, t->shape, value, &err);
    tensor_release(t);
    if (rc) return NULL;
    return np_array_take(I, r, &err);
}
static Value *f_zeros_like(Interp *I, Value *self, Value **argv) { (void)self; return like(I, argv, 0, false); }
static Value *f_ones_like(Interp *I, Value *self, Value **argv) { (void)self; return like(I, argv, 1, false); }
static Value *f_full_like(Interp *I, Value *self, Value **argv) {
    (void)self;
    double v;
    if (builtins_to_float(I, argv[1], &v)) return NULL;
    return like(I, argv, v, true);
}

static Value *f_arange(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *a = argv[0], *b = argv[1], *c = argv[2];
    bool all_int = val_is_int(a) && (!b || val_is_none(b) || val_is_int(b)) &&
                   (!c || val_is_none(c) || val_is_int(c));
    double start = 0, stop, step = 1;
    if (!b || val_is_none(b)) {
        if (builtins_to_float(I, a, &stop)) return NULL;
    } else {
        if (builtins_to_float(I, a, &start) || builtins_to_float(I, b, &stop)) return NULL;
    }
    if (c && !val_is_none(c) && builtins_to_float(I, c, &step)) return NULL;
    if (step == 0) {
        interp_error(I, ERR_ZERO_DIVISION, "division by zero");
        return NULL;
    }
    DType dt = all_int ? DTYPE_INT64 : DTYPE_FLOAT64;
    bool given;
    if (np_arg_dtype(I, argv[3], &dt, &given)) return NULL;
    double lenf = ceil((stop - start) / step);
    int64_t len = lenf > 0 ? (int64_t)lenf : 0;
    Error err;
    Tensor *t = tensor_zeros(dt, 1, &len, &err);
    if (!t) return interp_raise(I, &err), NULL;
    if (all_int && dt == DTYPE_INT64) {
        int64_t s0 = (int64_t)start, d = (int64_t)step;
        for (int64_t i = 0; i < len; i++) tensor_store_int(t, i, s0 + i * d);
    } else if (dt == DTYPE_FLOAT32) {
        float s0 = (float)start, s1 = (float)(start + step), d = s1 - s0;
        for (int64_t i = 0; i < len; i++) tensor_set(t, i, i == 0 ? s0 : i == 1 ? s1 : s0 + (float)i * d);
    } else if (dt == DTYPE_FLOAT64) {
        double s1 = start + step, d = s1 - start;
        for (int64_t i = 0; i < len; i++) tensor_set(t, i, i == 0 ? start : i == 1 ? s1 : start + (double)i * d);
    } else {
        for (int64_t i = 0; i < len; i++) tensor_set(t, i, start + (double)i * step);
    }
    return np_array_take(I, t, NULL);
}

static Value *f_linspace(Interp *I, Value *self, Value **argv) {
    (void)self;
    double start, stop;
    int64_t num;
    if (builtins_to_float(I, argv[0], &start) || builtins_to_float(I, argv[1], &stop) ||
        op_index_value(I, argv[2], &num))
        return NULL;
    if (num < 0) {
        interp_error(I, ERR_VALUE, "Number of samples, %lld, must be non-negative.", (long long)num);
        return NULL;
    }
    bool endpoint = !argv[3] || np_truthy(I, argv[3]);
    DType dt = DTYPE_FLOAT64;
    bool given;
    if (np_arg_dtype(I, argv[4], &dt, &given)) return NULL;
    double div = endpoint ? (double)(num - 1) : (double)num;
    double delta = stop - start, step = div > 0 ? delta / div : NAN;
    Error err;
    Tensor *t = tensor_zeros(DTYPE_FLOAT64, 1, &num, &err);
    if (!t) return interp_raise(I, &err), NULL;
    for (int64_t i = 0; i < num; i++) {
        double y = (double)i;
        if (div > 0) {
            if (step == 0) y = y / div * delta;
            else y = y * step;
        } else {
            y = y * delta;
        }
        tensor_set(t, i, y + start);
    }
    if (endpoint && num > 1) tensor_set(t, num - 1, stop);
    if (dt != DTYPE_FLOAT64) {
        Tensor *c = np_copy(t, dt, &err);
        tensor_release(t);
        if (!c) return interp_raise(I, &err), NULL;
        t = c;
    }
    return np_array_take(I, t, NULL);
}

static Value *f_eye(Interp *I, Value *self, Value **argv) {
    (void)self;
    int64_t n, m, k = 0;
    if (op_index_value(I, argv[0], &n)) return NULL;
    m = n;
    if (argv[1] && !val_is_none(argv[1]) && op_index_value(I, argv[1], &m)) return NULL;
    if (argv[2] && op_index_value(I, argv[2], &k)) return NULL;
    DType dt = DTYPE_FLOAT64;
    bool given;
    if (np_arg_dtype(I, argv[3], &dt, &given)) return NULL;
    int64_t shape[2] = {n, m};
    Error err;
    Tensor *t = tensor_zeros(dt, 2, shape, &err);
    if (!t) return interp_raise(I, &err), NULL;
    for (int64_t i = 0; i < n; i++)
        if (i + k >= 0 && i + k < m) tensor_set(t, i * m + i + k, 1);
    return np_array_take(I, t, NULL);
}

static Value *f_identity(Interp *I, Value *self, Value **argv) {
    Value *args[4] = {argv[0], NULL, NULL, argv[1]};
    return f_eye(I, self, args);
}

/* ---- functions mirroring methods ---- */

static Value *call_method(Interp *I, Value *arr_like, const char *name, Value **args, int64_t n,
                          const char *const *kwnames, Value **kwvalues, int64_t nkw) {
    Value *a;
    if (np_is_array(arr_like)) {
        a = val_retain(arr_like);
    } else {
        Tensor *t = np_arr_arg(I, arr_like);
        if (!t) return NULL;
        a = np_array_take(I, t, NULL);
        if (!a) return NULL;
    }
    Value *m = op_getattr(I, a, name);
    val_release(a);
    if (!m) return NULL;
    CallArgs ca = {args, n, kwnames, kwvalues, nkw};
    Value *r = call_value_args(I, m, &ca);
    val_release(m);
    return r;
}

#define AXIS_KEEP_FN(fname, method)                                               \
    static Value *fname(Interp *I, Value *self, Value **argv) {                   \
        (void)self;                                                               \
        static const char *const kw[] = {"axis", "keepdims"};                     \
        Value *kv[2] = {argv[1], argv[2]};                                        \
        return call_method(I, argv[0], method, NULL, 0, kw, kv, 2);               \
    }
AXIS_KEEP_FN(f_mean, "mean")
AXIS_KEEP_FN(f_max, "max")
AXIS_KEEP_FN(f_min, "min")
AXIS_KEEP_FN(f_prod, "prod")
AXIS_KEEP_FN(f_any, "any")
AXIS_KEEP_FN(f_all, "all")

static Value *f_sum(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char *const kw[] = {"axis", "dtype", "keepdims"};
    Value *kv[3] = {argv[1], argv[2], argv[3]};
    return call_method(I, argv[0], "sum", NULL, 0, kw, kv, 3);
}

static Value *f_std(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char *const kw[] = {"axis", "ddof", "keepdims"};
    Value *kv[3] = {argv[1], argv[2], argv[3]};
    return call_method(I, argv[0], "std", NULL, 0, kw, kv, 3);
}
static Value *f_var(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char *const kw[] = {"axis", "ddof", "keepdims"};
    Value *kv[3] = {argv[1], argv[2], argv[3]};
    return call_method(I, argv[0], "var", NULL, 0, kw, kv, 3);
}

#define AXIS_FN(fname, method)                                                    \
    static Value *fname(Interp *I, Value *self, Value **argv) {                   \
        (void)self;                                                               \
        static const char *const kw[] = {"axis"};                                 \
        Value *kv[1] = {argv[1]};                                                 \
        return call_method(I, argv[0], method, NULL, 0, kw, kv, 1);               \
    }
AXIS_FN(f_argmax, "argmax")
AXIS_FN(f_argmin, "argmin")
AXIS_FN(f_cumsum, "cumsum")
AXIS_FN(f_squeeze, "squeeze")

static Value *f_argsort(Interp *I, Value *self, Value **argv) {
    (void)self;
    return call_method(I, argv[0], "argsort", NULL, 0, NULL, NULL, 0);
}

static Value *f_sort(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    Error err;
    Tensor *s = np_sort(t, &err);
    tensor_release(t);
    return np_array_take(I, s, &err);
}

static Value *f_reshape(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *args[1] = {argv[1]};
    return call_method(I, argv[0], "reshape", args, 1, NULL, NULL, 0);
}

static Value *f_transpose(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (argv[1] && !val_is_none(argv[1])) {
        Value *args[1] = {argv[1]};
        return call_method(I, argv[0], "transpose", args, 1, NULL, NULL, 0);
    }
    return call_method(I, argv[0], "transpose", NULL, 0, NULL, NULL, 0);
}

static Value *f_round(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *args[1] = {argv[1]};
    if (!np_is_array(argv[0]) && val_is_number(argv[0]) && !val_is_int(argv[0])) {
        Tensor *t = np_arr_arg(I, argv[0]);
        if (!t) return NULL;
        Value *a = np_array_take(I, t, NULL);
        if (!a) return NULL;
        Value *m = op_getattr(I, a, "round");
        val_release(a);
        if (!m) return NULL;
        Value *r = call_value(I, m, args, 1);
        val_release(m);
        return r;
    }
    return call_method(I, argv[0], "round", args, 1, NULL, NULL, 0);
}

/* ---- ufuncs ---- */

static Value *unary_fn(Interp *I, Value *x, NpUnOp op) {
    Tensor *t = np_arr_arg(I, x);
    if (!t) return NULL;
    Error err;
    Tensor *r = np_unary(op, t, &err);
    bool scalar = t->ndim == 0;
    tensor_release(t);
    if (scalar) return np_scalar_take(I, r, &err);
    return np_array_take(I, r, &err);
}

#define UNARY(fname, op)                                                \
    static Value *fname(Interp *I, Value *self, Value **argv) {         \
        (void)self;                                                     \
        return unary_fn(I, argv[0], op);                                \
    }
UNARY(f_sqrt, NP_SQRT)
UNARY(f_exp, NP_EXP)
UNARY(f_log, NP_LOG)
UNARY(f_log2, NP_LOG2)
UNARY(f_log10, NP_LOG10)
UNARY(f_log1p, NP_LOG1P)
UNARY(f_expm1, NP_EXPM1)
UNARY(f_abs, NP_ABS)
UNARY(f_tanh, NP_TANH)
UNARY(f_sin, NP_SIN)
UNARY(f_cos, NP_COS)
UNARY(f_floor, NP_FLOOR)
UNARY(f_ceil, NP_CEIL)
UNARY(f_square, NP_SQUARE)
UNARY(f_sign, NP_SIGN)
UNARY(f_negative, NP_NEG)
UNARY(f_logical_not, NP_NOT)

static Value *binop_fn(Interp *I, Value *a, Value *b, int op) {
    Value *r = np_binary_values(I, op, a, b);
    if (r && val_is_not_implemented(I, r)) {
        val_release(r);
        /* force array conversion of both */
        Tensor *ta = np_arr_arg(I, a);
        if (!ta) return NULL;
        Value *va = np_array_take(I, ta, NULL);
        if (!va) return NULL;
        r = np_binary_values(I, op, va, b);
        val_release(va);
        if (r && val_is_not_implemented(I, r)) {
            val_release(r);
            interp_error(I, ERR_TYPE, "unsupported operand types for numpy function");
            return NULL;
        }
    }
    return r;
}

#define BINARY(fname, op)                                               \
    static Value *fname(Interp *I, Value *self, Value **argv) {         \
        (void)self;                                                     \
        return binop_fn(I, argv[0], argv[1], op);                       \
    }
BINARY(f_add, PYOP_ADD)
BINARY(f_subtract, PYOP_SUB)
BINARY(f_multiply, PYOP_MUL)
BINARY(f_divide, PYOP_DIV)
BINARY(f_power, PYOP_POW)
BINARY(f_floor_divide, PYOP_FLOORDIV)
BINARY(f_mod, PYOP_MOD)
BINARY(f_greater, 100 + PYCMP_GT)
BINARY(f_less, 100 + PYCMP_LT)
BINARY(f_equal, 100 + PYCMP_EQ)

static Value *maxmin(Interp *I, Value **argv, NpBinOp op) {
    Tensor *a = np_arr_arg(I, argv[0]);
    if (!a) return NULL;
    Tensor *b = np_arr_arg(I, argv[1]);
    if (!b) {
        tensor_release(a);
        return NULL;
    }
    bool as = !np_is_array(argv[0]) ? a->ndim == 0 : np_tensor(argv[0])->ndim == 0;
    bool bs = b->ndim == 0;
    DType dt = as == bs ? np_promote(a->dtype, b->dtype)
               : as     ? np_promote_scalar(b->dtype, a->dtype, tensor_get(a, 0))
                        : np_promote_scalar(a->dtype, b->dtype, tensor_get(b, 0));
    if (val_is(argv[0], &type_float) && !np_is_array(argv[0])) as = true;
    Error err;
    Tensor *r = np_binary(op, a, b, dt, &err);
    bool scalar = a->ndim == 0 && b->ndim == 0;
    tensor_release(a);
    tensor_release(b);
    return scalar ? np_scalar_take(I, r, &err) : np_array_take(I, r, &err);
}
static Value *f_maximum(Interp *I, Value *self, Value **argv) { (void)self; return maxmin(I, argv, NP_MAXIMUM); }
static Value *f_minimum(Interp *I, Value *self, Value **argv) { (void)self; return maxmin(I, argv, NP_MINIMUM); }

static Value *f_clip(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *cur = val_retain(argv[0]);
    if (argv[1] && !val_is_none(argv[1])) {
        Value *args[2] = {cur, argv[1]};
        Value *r = maxmin(I, args, NP_MAXIMUM);
        val_release(cur);
        if (!r) return NULL;
        cur = r;
    }
    if (argv[2] && !val_is_none(argv[2])) {
        Value *args[2] = {cur, argv[2]};
        Value *r = maxmin(I, args, NP_MINIMUM);
        val_release(cur);
        if (!r) return NULL;
        cur = r;
    }
    return cur;
}

static Value *f_dot(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *a = np_arr_arg(I, argv[0]);
    if (!a) return NULL;
    Tensor *b = np_arr_arg(I, argv[1]);
    if (!b) {
        tensor_release(a);
        return NULL;
    }
    Error err;
    Tensor *r = np_dot(a, b, &err);
    tensor_release(a);
    tensor_release(b);
    return wrap(I, r, &err);
}

static Value *f_matmul(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *a = np_arr_arg(I, argv[0]);
    if (!a) return NULL;
    Tensor *b = np_arr_arg(I, argv[1]);
    if (!b) {
        tensor_release(a);
        return NULL;
    }
    Error err;
    Tensor *r = np_matmul(a, b, &err);
    tensor_release(a);
    tensor_release(b);
    return wrap(I, r, &err);
}

static Value *f_where(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!argv[1] || !argv[2]) {
        interp_error(I, ERR_VALUE, "embedlab's numpy supports np.where(condition, x, y)");
        return NULL;
    }
    Tensor *c = np_arr_arg(I, argv[0]);
    Tensor *x = c ? np_arr_arg(I, argv[1]) : NULL;
    Tensor *y = x ? np_arr_arg(I, argv[2]) : NULL;
    Value *r = NULL;
    if (y) {
        Error err;
        DType dt = np_promote(x->dtype, y->dtype);
        if (val_is_number(argv[1]) && !val_is_number(argv[2])) dt = np_promote_scalar(y->dtype, x->dtype, tensor_get(x, 0));
        if (!val_is_number(argv[1]) && val_is_number(argv[2])) dt = np_promote_scalar(x->dtype, y->dtype, tensor_get(y, 0));
        /* out = x*c + y*(!c) computed by selection */
        Tensor *cb = np_copy(c, DTYPE_BOOL, &err);
        Tensor *zero = cb ? tensor_zeros(DTYPE_BOOL, 0, NULL, &err) : NULL;
        Tensor *shape1 = zero ? np_binary(NP_EQ, cb, x, DTYPE_FLOAT64, &err) : NULL;
        Tensor *shape2 = shape1 ? np_binary(NP_EQ, shape1, y, DTYPE_FLOAT64, &err) : NULL;
        Tensor *out = shape2 ? tensor_zeros(dt, shape2->ndim, shape2->shape, &err) : NULL;
        if (out) {
            Tensor *xs = np_copy(x, dt, &err), *ys = np_copy(y, dt, &err);
            Tensor *bx = tensor_zeros(dt, out->ndim, out->shape, &err), *by = tensor_zeros(dt, out->ndim, out->shape, &err);
            Tensor *bc = tensor_zeros(DTYPE_BOOL, out->ndim, out->shape, &err);
            if (xs && ys && bx && by && bc && !np_assign(bx, xs, &err) && !np_assign(by, ys, &err) &&
                !np_assign(bc, cb, &err)) {
                for (int64_t i = 0, n = tensor_numel(out); i < n; i++) {
                    Tensor *src = tensor_get_int(bc, i) ? bx : by;
                    copy_element(out, i, src, i);
                }
                r = np_array_take(I, tensor_retain(out), NULL);
            } else {
                interp_raise(I, &err);
            }
            tensor_release(xs);
            tensor_release(ys);
            tensor_release(bx);
            tensor_release(by);
            tensor_release(bc);
        } else {
            interp_raise(I, &err);
        }
        tensor_release(out);
        tensor_release(shape2);
        tensor_release(shape1);
        tensor_release(zero);
        tensor_release(cb);
    }
    tensor_release(c);
    tensor_release(x);
    tensor_release(y);
    return r;
}

static int close_elems(Interp *I, Value **argv, Tensor **out) {
    Tensor *a = np_arr_arg(I, argv[0]);
    Tensor *b = a ? np_arr_arg(I, argv[1]) : NULL;
    if (!b) {
        tensor_release(a);
        return -1;
    }
    double rtol = 1e-05, atol = 1e-08;
    if ((argv[2] && builtins_to_float(I, argv[2], &rtol)) || (argv[3] && builtins_to_float(I, argv[3], &atol))) {
        tensor_release(a);
        tensor_release(b);
        return -1;
    }
    bool equal_nan = np_truthy(I, argv[4]);
    Error err;
    Tensor *probe = np_binary(NP_EQ, a, b, DTYPE_FLOAT64, &err);
    if (!probe) {
        tensor_release(a);
        tensor_release(b);
        return interp_raise(I, &err);
    }
    int64_t st[2][TENSOR_MAX_DIMS];
    (void)st;
    Tensor *ba = tensor_zeros(DTYPE_FLOAT64, probe->ndim, probe->shape, &err);
    Tensor *bb = tensor_zeros(DTYPE_FLOAT64, probe->ndim, probe->shape, &err);
    if (ba && bb && !np_assign(ba, a, &err) && !np_assign(bb, b, &err)) {
        for (int64_t i = 0, n = tensor_numel(probe); i < n; i++) {
            double x = tensor_get(ba, i), y = tensor_get(bb, i);
            bool c;
            if (isnan(x) || isnan(y)) c = equal_nan && isnan(x) && isnan(y);
            else if (isinf(x) || isinf(y)) c = x == y;
            else c = fabs(x - y) <= atol + rtol * fabs(y);
            tensor_store_int(probe, i, c);
        }
    }
    tensor_release(ba);
    tensor_release(bb);
    tensor_release(a);
    tensor_release(b);
    *out = probe;
    return 0;
}

static Value *f_allclose(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *c;
    if (close_elems(I, argv, &c)) return NULL;
    bool all = true;
    for (int64_t i = 0, n = tensor_numel(c); i < n; i++) all = all && tensor_get_int(c, i);
    tensor_release(c);
    return val_bool(I, all);
}

static Value *f_isclose(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *c;
    if (close_elems(I, argv, &c)) return NULL;
    return wrap(I, c, NULL);
}

static Value *f_array_equal(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *a = np_arr_arg(I, argv[0]);
    Tensor *b = a ? np_arr_arg(I, argv[1]) : NULL;
    if (!b) {
        tensor_release(a);
        return NULL;
    }
    bool eq = a->ndim == b->ndim;
    for (int d = 0; eq && d < a->ndim; d++) eq = a->shape[d] == b->shape[d];
    if (eq) {
        Error err;
        Tensor *c = np_binary(NP_EQ, a, b, np_promote(a->dtype, b->dtype), &err);
        for (int64_t i = 0, n = c ? tensor_numel(c) : 0; i < n; i++) eq = eq && tensor_get_int(c, i);
        tensor_release(c);
    }
    tensor_release(a);
    tensor_release(b);
    return val_bool(I, eq);
}

/* ---- joining ---- */

static int array_list(Interp *I, Value *seq, Tensor ***out, int *n) {
    Value *list = op_to_list(I, seq);
    if (!list) return -1;
    ListValue *l = (ListValue *)list;
    Error err;
    Tensor **arr = mem_calloc((size_t)(l->count ? l->count : 1), sizeof *arr, &err);
    if (!arr) {
        val_release(list);
        return interp_raise(I, &err);
    }
    for (int64_t i = 0; i < l->count; i++) {
        arr[i] = np_arr_arg(I, l->items[i]);
        if (!arr[i]) {
            for (int64_t j = 0; j < i; j++) tensor_release(arr[j]);
            mem_free(arr);
            val_release(list);
            return -1;
        }
    }
    *n = (int)l->count;
    *out = arr;
    val_release(list);
    return 0;
}

static void free_list(Tensor **arr, int n) {
    for (int i = 0; i < n; i++) tensor_release(arr[i]);
    mem_free(arr);
}

static Value *f_concatenate(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor **arr;
    int n;
    int64_t axis = 0;
    if (argv[1] && !val_is_none(argv[1]) && op_index_value(I, argv[1], &axis)) return NULL;
    if (array_list(I, argv[0], &arr, &n)) return NULL;
    Error err;
    Tensor *r = np_concatenate(arr, n, (int)axis, &err);
    free_list(arr, n);
    return np_array_take(I, r, &err);
}

/* Inserts a size-1 axis at `axis` into views of each array, then concatenates. */
static Value *stack_impl(Interp *I, Value *seq, int64_t axis, int mode) {
    Tensor **arr;
    int n;
    if (array_list(I, seq, &arr, &n)) return NULL;
    Error err;
    if (n == 0) {
        free_list(arr, n);
        interp_error(I, ERR_VALUE, "need at least one array to stack");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        Tensor *t = arr[i];
        int want = mode == 0 ? t->ndim + 1 : mode == 1 ? (t->ndim < 2 ? 2 : t->ndim) : (t->ndim < 1 ? 1 : t->ndim);
        if (mode == 0) {
            int64_t ax = axis < 0 ? axis + want : axis;
            if (ax < 0 || ax >= want) {
                free_list(arr, n);
                interp_error(I, ERR_VALUE, "axis %lld is out of bounds for array of dimension %d",
                             (long long)axis, want);
                return NULL;
            }
            Tensor *v = tensor_alias(t, &err);
            if (!v) {
                free_list(arr, n);
                return interp_raise(I, &err), NULL;
            }
            memmove(v->shape + ax + 1, v->shape + ax, sizeof(int64_t) * (size_t)(t->ndim - ax));
            memmove(v->stride + ax + 1, v->stride + ax, sizeof(int64_t) * (size_t)(t->ndim - ax));
            v->shape[ax] = 1;
            v->stride[ax] = 0;
            v->ndim++;
            tensor_release(arr[i]);
            arr[i] = v;
        } else if (t->ndim < want) {
            Tensor *v = tensor_alias(t, &err);
            if (!v) {
                free_list(arr, n);
                return interp_raise(I, &err), NULL;
            }
            int add = want - t->ndim;
            memmove(v->shape + add, v->shape, sizeof(int64_t) * (size_t)t->ndim);
            memmove(v->stride + add, v->stride, sizeof(int64_t) * (size_t)t->ndim);
            for (int k = 0; k < add; k++) {
                v->shape[k] = 1;
                v->stride[k] = 0;
            }
            v->ndim = want;
            tensor_release(arr[i]);
            arr[i] = v;
        }
        if (i > 0 && mode == 0) {
            bool same = arr[i]->ndim == arr[0]->ndim;
            for (int d = 0; same && d < arr[i]->ndim; d++) same = arr[i]->shape[d] == arr[0]->shape[d];
            if (!same) {
                free_list(arr, n);
                interp_error(I, ERR_VALUE, "all input arrays must have the same shape");
                return NULL;
            }
        }
    }
    int cat_axis = mode == 0 ? (int)axis : mode == 1 ? 0 : (arr[0]->ndim == 1 ? 0 : 1);
    Tensor *r = np_concatenate(arr, n, cat_axis, &err);
    free_list(arr, n);
    return np_array_take(I, r, &err);
}

static Value *f_stack(Interp *I, Value *self, Value **argv) {
    (void)self;
    int64_t axis = 0;
    if (argv[1] && op_index_value(I, argv[1], &axis)) return NULL;
    return stack_impl(I, argv[0], axis, 0);
}
static Value *f_vstack(Interp *I, Value *self, Value **argv) { (void)self; return stack_impl(I, argv[0], 0, 1); }
static Value *f_hstack(Interp *I, Value *self, Value **argv) { (void)self; return stack_impl(I, argv[0], 0, 2); }

static Value *f_expand_dims(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int64_t axis;
    if (op_index_value(I, argv[1], &axis)) {
        tensor_release(t);
        return NULL;
    }
    int nd = t->ndim + 1;
    if (axis < 0) axis += nd;
    if (axis < 0 || axis >= nd) {
        tensor_release(t);
        interp_error(I, ERR_VALUE, "axis %lld is out of bounds for array of dimension %d",
                     (long long)axis, nd);
        return NULL;
    }
    Error err;
    Tensor *v = tensor_alias(t, &err);
    tensor_release(t);
    if (!v) return interp_raise(I, &err), NULL;
    memmove(v->shape + axis + 1, v->shape + axis, sizeof(int64_t) * (size_t)(v->ndim - axis));
    memmove(v->stride + axis + 1, v->stride + axis, sizeof(int64_t) * (size_t)(v->ndim - axis));
    v->shape[axis] = 1;
    v->stride[axis] = 0;
    v->ndim++;
    return np_array_take(I, v, NULL);
}


/* ---- order statistics and counting ---- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    if (isnan(x)) return isnan(y) ? 0 : 1;
    if (isnan(y)) return -1;
    return x < y ? -1 : x > y;
}

/* The values of t (flattened) sorted ascending, as doubles; NULL on error. */
static double *sorted_values(Interp *I, const Tensor *t, int64_t *n) {
    Error err;
    *n = tensor_numel(t);
    double *v = mem_alloc((size_t)(*n ? *n : 1) * sizeof *v, &err);
    if (!v) return interp_raise(I, &err), NULL;
    for (int64_t i = 0; i < *n; i++) v[i] = tensor_get(t, i);
    qsort(v, (size_t)*n, sizeof *v, cmp_double);
    return v;
}

/* np.median of the flattened array or along axis (mean of the middle one or two). */
static Value *f_median(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int axis = -1;
    if (axis_of(I, argv[1], t, &axis)) {
        tensor_release(t);
        return NULL;
    }
    Error err;
    DType dt = t->dtype == DTYPE_FLOAT32 ? DTYPE_FLOAT32 : DTYPE_FLOAT64;
    Tensor *src = np_copy(t, t->dtype, &err);
    tensor_release(t);
    if (!src) return interp_raise(I, &err), NULL;
    int64_t len = axis < 0 ? tensor_numel(src) : src->shape[axis];
    int64_t shape[TENSOR_MAX_DIMS], inner = 1, outer = 1;
    int nd = 0;
    if (axis >= 0) {
        for (int d = 0; d < src->ndim; d++) {
            if (d == axis) continue;
            shape[nd++] = src->shape[d];
            if (d > axis) inner *= src->shape[d];
            else outer *= src->shape[d];
        }
    }
    Tensor *out = tensor_zeros(dt, nd, shape, &err);
    double *col = out ? mem_alloc((size_t)(len ? len : 1) * sizeof *col, &err) : NULL;
    if (!col) {
        tensor_release(out);
        tensor_release(src);
        return interp_raise(I, &err), NULL;
    }
    for (int64_t o = 0; o < outer; o++)
        for (int64_t in = 0; in < inner; in++) {
            for (int64_t k = 0; k < len; k++)
                col[k] = tensor_get(src, axis < 0 ? k : (o * len + k) * inner + in);
            qsort(col, (size_t)len, sizeof *col, cmp_double);
            double r;
            if (len == 0) r = NAN;
            else if (isnan(col[len - 1])) r = NAN;
            else if (len % 2) r = col[len / 2];
            else {
                double x = col[len / 2 - 1], y = col[len / 2];
                if (dt == DTYPE_FLOAT32) {
                    float sum = 0.0f + (float)x;
                    sum += (float)y;
                    r = axis < 0 ? (double)sum / 2.0 : (double)(sum / 2.0f);
                } else {
                    r = (0.0 + x + y) / 2.0;
                }
            }
            tensor_set(out, o * inner + in, r);
        }
    mem_free(col);
    tensor_release(src);
    return wrap(I, out, NULL);
}

/* np.percentile / np.quantile with the default 'linear' method. */
static Value *quantile_impl(Interp *I, Value *arr, Value *qv, double scale) {
    Tensor *t = np_arr_arg(I, arr);
    if (!t) return NULL;
    Tensor *q = np_from_object(I, qv, true, DTYPE_FLOAT64);
    if (!q) {
        tensor_release(t);
        return NULL;
    }
    int64_t n;
    double *v = sorted_values(I, t, &n);
    bool f32 = t->dtype == DTYPE_FLOAT32;
    tensor_release(t);
    if (!v) {
        tensor_release(q);
        return NULL;
    }
    Error err;
    Tensor *out = tensor_zeros(DTYPE_FLOAT64, q->ndim, q->shape, &err);
    int rc = out ? 0 : interp_raise(I, &err);
    if (!rc && n == 0)
        rc = interp_error(I, ERR_INDEX, "cannot do a non-empty take from an empty axes.");
    for (int64_t i = 0; !rc && i < tensor_numel(q); i++) {
        double qq = tensor_get(q, i) / scale;
        if (!(qq >= 0 && qq <= 1)) {
            rc = interp_error(I, ERR_VALUE, scale == 100 ? "Percentiles must be in the range [0, 100]"
                                                         : "Quantiles must be in the range [0, 1]");
            break;
        }
        double vi = (double)(n - 1) * qq;
        int64_t prev = (int64_t)floor(vi), next = prev + 1;
        if (vi >= (double)(n - 1)) prev = next = n - 1;
        if (vi < 0) prev = next = 0;
        double gamma = vi - floor(vi);
        double a = v[prev], b = v[next];
        double diff = f32 ? (double)((float)b - (float)a) : b - a;
        double r = a + diff * gamma;
        if (gamma >= 0.5) r = b - diff * (1 - gamma);
        if (isnan(v[n - 1])) r = NAN;
        tensor_set(out, i, r);
    }
    mem_free(v);
    tensor_release(q);
    if (rc) {
        tensor_release(out);
        return NULL;
    }
    return wrap(I, out, NULL);
}

static Value *f_percentile(Interp *I, Value *self, Value **argv) {
    (void)self;
    return quantile_impl(I, argv[0], argv[1], 100.0);
}
static Value *f_quantile(Interp *I, Value *self, Value **argv) {
    (void)self;
    return quantile_impl(I, argv[0], argv[1], 1.0);
}

static Value *f_bincount(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int64_t minlength = 0;
    if (argv[1] && op_index_value(I, argv[1], &minlength)) {
        tensor_release(t);
        return NULL;
    }
    if (t->ndim != 1 || dtype_is_floating(t->dtype)) {
        tensor_release(t);
        interp_error(I, t->ndim != 1 ? ERR_VALUE : ERR_TYPE,
                     t->ndim != 1 ? "object too deep for desired array"
                                  : "Cannot cast array data from dtype('float64') to "
                                    "dtype('int64') according to the rule 'safe'");
        return NULL;
    }
    int64_t n = tensor_numel(t), mx = -1;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = tensor_get_int(t, i);
        if (k < 0) {
            tensor_release(t);
            interp_error(I, ERR_VALUE, "'list' argument must have no negative elements");
            return NULL;
        }
        if (k > mx) mx = k;
    }
    int64_t len = mx + 1 > minlength ? mx + 1 : minlength;
    Error err;
    Tensor *out = tensor_zeros(DTYPE_INT64, 1, &len, &err);
    for (int64_t i = 0; out && i < n; i++) {
        int64_t k = tensor_get_int(t, i);
        tensor_store_int(out, k, tensor_get_int(out, k) + 1);
    }
    tensor_release(t);
    return np_array_take(I, out, &err);
}

static Value *f_count_nonzero(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int64_t c = 0;
    for (int64_t i = 0, n = tensor_numel(t); i < n; i++) c += tensor_get(t, i) != 0;
    tensor_release(t);
    return val_int(I, c);
}

static Value *f_nonzero(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int nd = t->ndim ? t->ndim : 1;
    int64_t n = tensor_numel(t), c = 0;
    for (int64_t i = 0; i < n; i++) c += tensor_get(t, i) != 0;
    Value *tup = val_tuple_new(I, nd);
    Error err;
    for (int d = 0; tup && d < nd; d++) {
        Tensor *idx = tensor_zeros(DTYPE_INT64, 1, &c, &err);
        if (!idx) {
            val_release(tup);
            tensor_release(t);
            return interp_raise(I, &err), NULL;
        }
        int64_t o = 0;
        for (int64_t i = 0; i < n; i++) {
            if (tensor_get(t, i) == 0) continue;
            int64_t r = i, k = 0;
            for (int e = t->ndim - 1; e >= 0; e--) {
                if (e == d) k = r % t->shape[e];
                r /= t->shape[e];
            }
            tensor_store_int(idx, o++, t->ndim ? k : 0);
        }
        ((ListValue *)tup)->items[d] = np_array_take(I, idx, NULL);
    }
    tensor_release(t);
    return tup;
}

static Value *f_outer(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *a = np_arr_arg(I, argv[0]);
    Tensor *b = a ? np_arr_arg(I, argv[1]) : NULL;
    if (!b) {
        tensor_release(a);
        return NULL;
    }
    Error err;
    int64_t na = tensor_numel(a), nb = tensor_numel(b);
    Tensor *x = np_copy(a, a->dtype, &err), *y = np_copy(b, b->dtype, &err);
    Tensor *r = NULL;
    if (x && y) {
        x->ndim = 2;
        x->shape[0] = na;
        x->shape[1] = 1;
        x->stride[0] = 1;
        x->stride[1] = 0;
        y->ndim = 2;
        y->shape[0] = 1;
        y->shape[1] = nb;
        y->stride[0] = 0;
        y->stride[1] = 1;
        r = np_binary(NP_MUL, x, y, np_promote(a->dtype, b->dtype), &err);
    }
    tensor_release(x);
    tensor_release(y);
    tensor_release(a);
    tensor_release(b);
    return np_array_take(I, r, &err);
}

/* np.unique: sorted distinct values, with optional first indices, inverse and counts. */
/* np.unique's result: the unique values `u` alone, or the tuple of u and the asked-for
 * index, inverse and counts arrays. Takes u (NULL: out of memory, the error set) and the
 * three tensors. */
static Value *unique_result(Interp *I, Value *u, Tensor *first, Tensor *inv, Tensor *cnt,
                            bool want_index, bool want_inverse, bool want_counts) {
    int k = 1 + want_index + want_inverse + want_counts;
    Value *tup = u && k > 1 ? val_tuple_new(I, k) : NULL;
    if (!tup) {
        tensor_release(first);
        tensor_release(inv);
        tensor_release(cnt);
        if (u && k == 1) return u;
        val_release(u);
        return NULL;
    }
    int pos = 0;
    ((ListValue *)tup)->items[pos++] = u;
    if (want_index) ((ListValue *)tup)->items[pos++] = np_array_take(I, tensor_retain(first), NULL);
    if (want_inverse) ((ListValue *)tup)->items[pos++] = np_array_take(I, tensor_retain(inv), NULL);
    if (want_counts) ((ListValue *)tup)->items[pos++] = np_array_take(I, tensor_retain(cnt), NULL);
    tensor_release(first);
    tensor_release(inv);
    tensor_release(cnt);
    bool failed = false; /* an np_array_take above ran out of memory (its error is set) */
    for (int i = 0; i < pos; i++)
        if (!((ListValue *)tup)->items[i]) {
            ((ListValue *)tup)->items[i] = val_retain(I->none);
            failed = true;
        }
    if (failed) {
        val_release(tup);
        return NULL;
    }
    return tup;
}

static Value *f_unique(Interp *I, Value *self, Value **argv) {
    (void)self;
    bool want_index = np_truthy(I, argv[1]), want_inverse = np_truthy(I, argv[2]),
         want_counts = np_truthy(I, argv[3]);
    bool strs = np_object_has_str(argv[0]);
    Value *words = NULL;
    Tensor *t = NULL;
    int64_t n;
    Error err;
    if (strs) {
        words = np_str_array_from(I, argv[0], -1);
        if (!words) return NULL;
        Value *flat = op_getattr(I, words, "tolist");
        Value *list = flat ? call_value(I, flat, NULL, 0) : NULL;
        val_release(flat);
        if (!list) {
            val_release(words);
            return NULL;
        }
        /* flatten nested lists */
        Value *all = val_list_new(I, 8);
        Value *stack[TENSOR_MAX_DIMS + 1];
        (void)stack;
        if (np_str_array_ndim(words) == 1) {
            val_release(all);
            all = list;
        } else {
            ListValue *l = (ListValue *)list;
            for (int64_t i = 0; i < l->count; i++) {
                ListValue *row = (ListValue *)l->items[i];
                for (int64_t j = 0; j < row->count; j++) val_list_append(I, all, row->items[j]);
            }
            val_release(list);
        }
        n = ((ListValue *)all)->count;
        /* stable sort of indices by string */
        int64_t *order = mem_alloc((size_t)(n ? n : 1) * sizeof *order, &err);
        if (!order) {
            val_release(all);
            val_release(words);
            return interp_raise(I, &err), NULL;
        }
        for (int64_t i = 0; i < n; i++) order[i] = i;
        Value **items = ((ListValue *)all)->items;
        for (int64_t i = 1; i < n; i++) /* insertion sort: stable */
            for (int64_t j = i; j > 0 && strcmp(val_str_data(items[order[j - 1]]), val_str_data(items[order[j]])) > 0; j--) {
                int64_t tmp = order[j];
                order[j] = order[j - 1];
                order[j - 1] = tmp;
            }
        Value *uniq = val_list_new(I, 8);
        int64_t m = 0;
        Tensor *first = tensor_zeros(DTYPE_INT64, 1, &n, &err), *inv = tensor_zeros(DTYPE_INT64, 1, &n, &err),
               *cnt = tensor_zeros(DTYPE_INT64, 1, &n, &err);
        bool appended = uniq != NULL;
        for (int64_t i = 0; appended && first && inv && cnt && i < n; i++) {
            Value *cur = items[order[i]];
            if (i == 0 || strcmp(val_str_data(items[order[i - 1]]), val_str_data(cur)) != 0) {
                if (val_list_append(I, uniq, cur)) {
                    appended = false; /* out of memory (the error is set) */
                    break;
                }
                tensor_store_int(first, m, order[i]);
                m++;
            }
            tensor_store_int(inv, order[i], m - 1);
            tensor_store_int(cnt, m - 1, tensor_get_int(cnt, m - 1) + 1);
        }
        Value *u = appended ? np_str_array_from(I, uniq, -1) : NULL;
        val_release(uniq);
        val_release(all);
        val_release(words);
        mem_free(order);
        if (!u || !first || !inv || !cnt) {
            val_release(u);
            tensor_release(first);
            tensor_release(inv);
            tensor_release(cnt);
            if (!interp_has_error(I)) interp_raise(I, &err);
            return NULL;
        }
        first->shape[0] = m;
        cnt->shape[0] = m;
        return unique_result(I, u, first, inv, cnt, want_index, want_inverse, want_counts);
    }
    t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    Tensor *flat = np_copy(t, t->dtype, &err);
    tensor_release(t);
    if (!flat) return interp_raise(I, &err), NULL;
    n = tensor_numel(flat);
    flat->ndim = 1;
    flat->shape[0] = n;
    flat->stride[0] = 1;
    Tensor *order = np_argsort(flat, &err);
    Tensor *vals = order ? tensor_zeros(flat->dtype, 1, &n, &err) : NULL;
    Tensor *first = vals ? tensor_zeros(DTYPE_INT64, 1, &n, &err) : NULL;
    Tensor *inv = first ? tensor_zeros(DTYPE_INT64, 1, &n, &err) : NULL;
    Tensor *cnt = inv ? tensor_zeros(DTYPE_INT64, 1, &n, &err) : NULL;
    if (!cnt) {
        tensor_release(flat);
        tensor_release(order);
        tensor_release(vals);
        tensor_release(first);
        tensor_release(inv);
        return interp_raise(I, &err), NULL;
    }
    bool fl = dtype_is_floating(flat->dtype);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t oi = tensor_get_int(order, i);
        bool is_new;
        if (i == 0) is_new = true;
        else {
            int64_t op = tensor_get_int(order, i - 1);
            is_new = fl ? tensor_get(flat, op) != tensor_get(flat, oi)
                        : tensor_get_int(flat, op) != tensor_get_int(flat, oi);
        }
        if (is_new) {
            copy_element(vals, m, flat, oi);
            tensor_store_int(first, m, oi);
            m++;
        }
        tensor_store_int(inv, oi, m - 1);
        tensor_store_int(cnt, m - 1, tensor_get_int(cnt, m - 1) + 1);
    }
    vals->shape[0] = m;
    first->shape[0] = m;
    cnt->shape[0] = m;
    tensor_release(flat);
    tensor_release(order);
    return unique_result(I, np_array_take(I, vals, NULL), first, inv, cnt, want_index,
                         want_inverse, want_counts);
}


/* ---- rearranging ---- */

static Value *f_flip(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int axis = -1;
    if (axis_of(I, argv[1], t, &axis)) {
        tensor_release(t);
        return NULL;
    }
    Error err;
    Tensor *v = tensor_alias(t, &err);
    tensor_release(t);
    if (!v) return interp_raise(I, &err), NULL;
    for (int d = 0; d < v->ndim; d++) {
        if (axis >= 0 && d != axis) continue;
        if (v->shape[d] > 0) v->offset += (v->shape[d] - 1) * v->stride[d];
        v->stride[d] = -v->stride[d];
    }
    return np_array_take(I, v, NULL);
}

static Value *f_repeat(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int64_t reps;
    int axis = -1;
    if (op_index_value(I, argv[1], &reps) || axis_of(I, argv[2], t, &axis)) {
        tensor_release(t);
        return NULL;
    }
    if (reps < 0) {
        tensor_release(t);
        interp_error(I, ERR_VALUE, "negative dimensions are not allowed");
        return NULL;
    }
    Error err;
    Tensor *c = np_copy(t, t->dtype, &err);
    tensor_release(t);
    if (!c) return interp_raise(I, &err), NULL;
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    int64_t outer = 1, len, inner = 1;
    if (axis < 0) {
        nd = 1;
        len = tensor_numel(c);
        shape[0] = len * reps;
    } else {
        nd = c->ndim;
        memcpy(shape, c->shape, sizeof(int64_t) * (size_t)nd);
        shape[axis] *= reps;
        for (int d = 0; d < axis; d++) outer *= c->shape[d];
        for (int d = axis + 1; d < nd; d++) inner *= c->shape[d];
        len = c->shape[axis];
    }
    Tensor *out = tensor_zeros(c->dtype, nd, shape, &err);
    int64_t o = 0;
    for (int64_t a = 0; out && a < outer; a++)
        for (int64_t j = 0; j < len; j++)
            for (int64_t r = 0; r < reps; r++)
                for (int64_t k = 0; k < inner; k++, o++) {
                    int64_t src = (a * len + j) * inner + k;
                    copy_element(out, o, c, src);
                }
    tensor_release(c);
    return np_array_take(I, out, &err);
}

static Value *f_tile(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int64_t reps[TENSOR_MAX_DIMS];
    int nr;
    if (np_shape_arg(I, argv[1], reps, &nr)) {
        tensor_release(t);
        return NULL;
    }
    int nd = t->ndim > nr ? t->ndim : nr;
    int64_t src_shape[TENSOR_MAX_DIMS], rep[TENSOR_MAX_DIMS], shape[TENSOR_MAX_DIMS];
    for (int d = 0; d < nd; d++) {
        int ts = d - (nd - t->ndim), rs = d - (nd - nr);
        src_shape[d] = ts >= 0 ? t->shape[ts] : 1;
        rep[d] = rs >= 0 ? reps[rs] : 1;
        shape[d] = src_shape[d] * rep[d];
    }
    Error err;
    Tensor *c = np_copy(t, t->dtype, &err);
    tensor_release(t);
    Tensor *out = c ? tensor_zeros(c->dtype, nd, shape, &err) : NULL;
    int64_t n = out ? tensor_numel(out) : 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = i, src = 0, mul = 1;
        for (int d = nd - 1; d >= 0; d--) {
            int64_t k = r % shape[d];
            r /= shape[d];
            src += (k % src_shape[d]) * mul;
            mul *= src_shape[d];
        }
        copy_element(out, i, c, src);
    }
    tensor_release(c);
    return np_array_take(I, out, &err);
}

static Value *f_diag(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int64_t k = 0;
    if (argv[1] && op_index_value(I, argv[1], &k)) {
        tensor_release(t);
        return NULL;
    }
    Error err;
    Tensor *out = NULL;
    if (t->ndim == 1) {
        int64_t n = t->shape[0] + (k < 0 ? -k : k), shape[2] = {n, n};
        out = tensor_zeros(t->dtype, 2, shape, &err);
        for (int64_t i = 0; out && i < t->shape[0]; i++) {
            int64_t r = k >= 0 ? i : i - k, c = k >= 0 ? i + k : i;
            int64_t src = t->offset + i * t->stride[0];
            if (dtype_is_floating(t->dtype)) tensor_set(out, r * n + c, tensor_load(t, src));
            else tensor_store_int(out, r * n + c, tensor_load_int(t, src));
        }
    } else if (t->ndim == 2) {
        int64_t r0 = k >= 0 ? 0 : -k, c0 = k >= 0 ? k : 0;
        int64_t n = t->shape[0] - r0 < t->shape[1] - c0 ? t->shape[0] - r0 : t->shape[1] - c0;
        if (n < 0) n = 0;
        out = tensor_zeros(t->dtype, 1, &n, &err);
        for (int64_t i = 0; out && i < n; i++) {
            int64_t src = t->offset + (r0 + i) * t->stride[0] + (c0 + i) * t->stride[1];
            if (dtype_is_floating(t->dtype)) tensor_set(out, i, tensor_load(t, src));
            else tensor_store_int(out, i, tensor_load_int(t, src));
        }
    } else {
        tensor_release(t);
        interp_error(I, ERR_VALUE, "Input must be 1- or 2-d.");
        return NULL;
    }
    tensor_release(t);
    return np_array_take(I, out, &err);
}

static Value *tri(Interp *I, Value **argv, bool upper) {
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    int64_t k = 0;
    if (argv[1] && op_index_value(I, argv[1], &k)) {
        tensor_release(t);
        return NULL;
    }
    if (t->ndim < 2) {
        tensor_release(t);
        interp_error(I, ERR_VALUE, "embedlab's numpy supports triu/tril of 2-d arrays");
        return NULL;
    }
    Error err;
    Tensor *out = np_copy(t, t->dtype, &err);
    tensor_release(t);
    if (!out) return interp_raise(I, &err), NULL;
    int64_t rows = out->shape[out->ndim - 2], cols = out->shape[out->ndim - 1];
    int64_t n = tensor_numel(out);
    for (int64_t i = 0; i < n; i++) {
        int64_t c = i % cols, r = (i / cols) % rows;
        bool zero = upper ? c - r < k : c - r > k;
        if (zero) tensor_set(out, i, 0);
    }
    return np_array_take(I, out, NULL);
}
static Value *f_triu(Interp *I, Value *self, Value **argv) { (void)self; return tri(I, argv, true); }
static Value *f_tril(Interp *I, Value *self, Value **argv) { (void)self; return tri(I, argv, false); }

static Value *f_trace(Interp *I, Value *self, Value **argv) {
    Value *d = f_diag(I, self, argv);
    if (!d) return NULL;
    Value *r = call_method(I, d, "sum", NULL, 0, NULL, NULL, 0);
    val_release(d);
    return r;
}

/* ---- files ---- */

static Value *f_save(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is_str(argv[0])) {
        interp_error(I, ERR_TYPE, "expected str, bytes or os.PathLike object, not %s",
                     val_type_name(argv[0]));
        return NULL;
    }
    if (interp_file_access(I, val_str_data(argv[0]))) return NULL;
    Tensor *t = np_arr_arg(I, argv[1]);
    if (!t) return NULL;
    StrBuf path = SB_INIT;
    sb_append(&path, val_str_data(argv[0]));
    size_t n = path.len;
    if (n < 4 || strcmp(path.data + n - 4, ".npy") != 0) sb_append(&path, ".npy");
    if (sb_check(&path, &I->error)) {
        tensor_release(t);
        sb_free(&path);
        return NULL;
    }
    Error err;
    Tensor *c = np_copy(t, t->dtype, &err);
    int rc = c ? npy_save(sb_str(&path), c, &err) : -1;
    tensor_release(c);
    tensor_release(t);
    sb_free(&path);
    if (rc) return interp_raise(I, &err), NULL;
    return val_none(I);
}

static Value *f_load(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is_str(argv[0])) {
        interp_error(I, ERR_TYPE, "expected str, bytes or os.PathLike object, not %s",
                     val_type_name(argv[0]));
        return NULL;
    }
    if (interp_file_access(I, val_str_data(argv[0]))) return NULL;
    Error err;
    return np_array_take(I, npy_load(val_str_data(argv[0]), &err), &err);
}

/* ---- print options ---- */

static Value *f_set_printoptions(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *o = module_attr(I, "numpy", "_format_options");
    if (!o || o->type != &type_np_opts) {
        interp_error(I, ERR_RUNTIME, "numpy print options are missing");
        return NULL;
    }
    NpPrintOptions *p = &((NpOptsValue *)o)->opt, n = *p;
    int64_t k;
    if (argv[0] && !val_is_none(argv[0])) {
        if (op_index_value(I, argv[0], &k)) return NULL;
        if (k < 0) {
            interp_error(I, ERR_VALUE, "precision must be >= 0");
            return NULL;
        }
        n.precision = (int)k;
    }
    if (argv[1] && !val_is_none(argv[1])) {
        double th;
        if (builtins_to_float(I, argv[1], &th)) return NULL;
        n.threshold = th > 2e9 ? 2000000000 : (int)th;
    }
    if (argv[2] && !val_is_none(argv[2])) {
        if (op_index_value(I, argv[2], &k)) return NULL;
        n.edgeitems = (int)k;
    }
    if (argv[3] && !val_is_none(argv[3])) {
        if (op_index_value(I, argv[3], &k)) return NULL;
        n.linewidth = (int)k;
    }
    if (argv[4] && !val_is_none(argv[4])) n.suppress = np_truthy(I, argv[4]);
    if (argv[5] && !val_is_none(argv[5])) {
        const char *s = val_is_str(argv[5]) ? val_str_data(argv[5]) : "";
        if (strcmp(s, "-") && strcmp(s, "+") && strcmp(s, " ")) {
            interp_error(I, ERR_VALUE, "sign option must be one of ' ', '+', or '-'");
            return NULL;
        }
        n.sign = s[0];
    }
    if (argv[6] && !val_is_none(argv[6])) {
        static const char *const modes[] = {"maxprec", "fixed", "unique", "maxprec_equal"};
        const char *s = val_is_str(argv[6]) ? val_str_data(argv[6]) : "";
        int m = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(s, modes[i]) == 0) m = i;
        if (m < 0) {
            interp_error(I, ERR_VALUE, "floatmode option must be one of 'fixed', 'unique', "
                                       "'maxprec', 'maxprec_equal'");
            return NULL;
        }
        n.floatmode = m;
    }
    *p = n;
    return val_none(I);
}

static int dict_set_int(Interp *I, Value *d, const char *k, int64_t v) {
    Value *x = val_int(I, v);
    int rc = x ? val_dict_set_str(I, d, k, x) : -1;
    val_release(x);
    return rc;
}

static int dict_set_take(Interp *I, Value *d, const char *k, Value *v) {
    int rc = v ? val_dict_set_str(I, d, k, v) : -1;
    val_release(v);
    return rc;
}

static Value *f_get_printoptions(Interp *I, Value *self, Value **argv) {
    (void)self;
    (void)argv;
    const NpPrintOptions *p = np_print_options(I);
    static const char *const modes[] = {"maxprec", "fixed", "unique", "maxprec_equal"};
    Value *d = val_dict_new(I);
    if (!d) return NULL;
    char sign[2] = {p->sign, 0};
    int rc = dict_set_int(I, d, "edgeitems", p->edgeitems) ||
             dict_set_int(I, d, "threshold", p->threshold) ||
             dict_set_take(I, d, "floatmode", val_str(I, modes[p->floatmode])) ||
             dict_set_int(I, d, "precision", p->precision) ||
             dict_set_take(I, d, "suppress", val_bool(I, p->suppress)) ||
             dict_set_int(I, d, "linewidth", p->linewidth) ||
             dict_set_take(I, d, "nanstr", val_str(I, "nan")) ||
             dict_set_take(I, d, "infstr", val_str(I, "inf")) ||
             dict_set_take(I, d, "sign", val_str(I, sign)) ||
             dict_set_take(I, d, "formatter", val_none(I)) ||
             dict_set_take(I, d, "legacy", val_bool(I, false));
    if (rc) {
        val_release(d);
        return NULL;
    }
    return d;
}

static Value *f_dtype(Interp *I, Value *self, Value **argv) {
    (void)self;
    DType dt;
    bool given;
    if (np_arg_dtype(I, argv[0], &dt, &given)) return NULL;
    if (!given) dt = DTYPE_FLOAT64;
    return np_dtype_value(I, dt, false);
}

static Value *f_shape(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    Value *tup = val_tuple_new(I, t->ndim);
    for (int i = 0; tup && i < t->ndim; i++) ((ListValue *)tup)->items[i] = val_int(I, t->shape[i]);
    tensor_release(t);
    return tup;
}

static Value *f_isnan(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    Error err;
    Tensor *r = np_binary(NP_NE, t, t, dtype_is_floating(t->dtype) ? t->dtype : DTYPE_FLOAT64, &err);
    bool scalar = t->ndim == 0;
    tensor_release(t);
    return scalar ? np_scalar_take(I, r, &err) : np_array_take(I, r, &err);
}

/* ---- numpy.linalg ---- */

static Value *f_norm(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = np_arr_arg(I, argv[0]);
    if (!t) return NULL;
    double ord = 2;
    bool ord_given = argv[1] && !val_is_none(argv[1]);
    if (ord_given) {
        if (val_is_str(argv[1]) && strcmp(val_str_data(argv[1]), "fro") == 0) {
            ord_given = false;
        } else if (builtins_to_float(I, argv[1], &ord)) {
            tensor_release(t);
            return NULL;
        }
    }
    int axis = -1;
    if (axis_of(I, argv[2], t, &axis)) {
        tensor_release(t);
        return NULL;
    }
    if (ord_given && axis < 0 && t->ndim == 2 && ord != 1 && !isinf(ord)) {
        tensor_release(t);
        interp_error(I, ERR_VALUE, "embedlab's numpy supports matrix norms 'fro', 1 and inf only");
        return NULL;
    }
    Error err;
    Tensor *r;
    if (ord_given && axis < 0 && t->ndim == 2 && (ord == 1 || isinf(ord))) {
        /* matrix norms: max column / row abs sum */
        Tensor *ab = np_unary(NP_ABS, t, &err);
        Tensor *s = ab ? np_sum(ab, ord == 1 ? 0 : 1, false, ab->dtype, &err) : NULL;
        r = s ? np_reduce(ord > 0 ? NP_MAX : NP_MIN, s, -1, np_truthy(I, argv[3]), &err) : NULL;
        tensor_release(ab);
        tensor_release(s);
    } else if (ord_given && axis < 0 && t->ndim == 1) {
        r = np_norm(t, ord, true, 0, np_truthy(I, argv[3]), &err);
    } else {
        r = np_norm(t, ord, ord_given, axis, np_truthy(I, argv[3]), &err);
    }
    tensor_release(t);
    return wrap(I, r, &err);
}

static const BuiltinSpec linalg_functions[] = {
    {"norm", f_norm, "(x, ord=None, axis=None, keepdims=False)", "Matrix or vector norm."},
    {NULL, NULL, NULL, NULL},
};

const ModuleDef module_def_numpy_linalg = {"numpy.linalg", linalg_functions, NULL,
                                           "Linear algebra (embedlab: norm only)."};

/* ---- torch bridges ---- */

Value *np_torch_from_numpy(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!np_is_array(argv[0]) || argv[0]->type != &type_ndarray) {
        interp_error(I, ERR_TYPE, "expected np.ndarray (got %s)", val_type_name(argv[0]));
        return NULL;
    }
    Tensor *a = np_tensor(argv[0]);
    for (int d = 0; d < a->ndim; d++)
        if (a->stride[d] < 0) {
            interp_error(I, ERR_VALUE, "At least one stride in the given numpy array is negative, "
                                       "and tensors with negative strides are not currently "
                                       "supported. (You can probably work around this by making a "
                                       "copy of your array  with array.copy().) ");
            return NULL;
        }
    Error err;
    Tensor *t = tensor_alias(a, &err);
    if (t) t->lang_object = NULL;
    return tensor_value_take(I, t, &err);
}

Value *np_tensor_numpy(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Tensor *t = tensor_of(self);
    if (t->requires_grad) {
        interp_error(I, ERR_RUNTIME, "Can't call numpy() on Tensor that requires grad. Use "
                                     "tensor.detach().numpy() instead.");
        return NULL;
    }
    Error err;
    Tensor *a = tensor_alias(t, &err);
    if (a) {
        a->lang_object = NULL;
        a->requires_grad = false;
        a->is_parameter = false;
    }
    return np_array_take(I, a, &err);
}

/* ---- the module ---- */

static const BuiltinSpec numpy_functions[] = {
    {"array", f_array, "(object, dtype=None, copy=True, ndmin=0)", "Create an array."},
    {"asarray", f_asarray, "(a, dtype=None)", "Convert the input to an array."},
    {"zeros", f_zeros, "(shape, dtype=None)", "Return a new array of given shape and type, filled with zeros."},
    {"ones", f_ones, "(shape, dtype=None)", "Return a new array of given shape and type, filled with ones."},
    {"empty", f_zeros, "(shape, dtype=None)", "Return a new array of given shape and type (embedlab fills it with zeros)."},
    {"full", f_full, "(shape, fill_value, dtype=None)", "Return a new array of given shape and type, filled with `fill_value`."},
    {"zeros_like", f_zeros_like, "(a, dtype=None)", "Return an array of zeros with the same shape and type as a given array."},
    {"ones_like", f_ones_like, "(a, dtype=None)", "Return an array of ones with the same shape and type as a given array."},
    {"empty_like", f_zeros_like, "(a, dtype=None)", "Return a new array with the same shape and type as a given array."},
    {"full_like", f_full_like, "(a, fill_value, dtype=None)", "Return a full array with the same shape and type as a given array."},
    {"arange", f_arange, "(start, stop=None, step=None, dtype=None)", "Return evenly spaced values within a given interval."},
    {"linspace", f_linspace, "(start, stop, num=50, endpoint=True, dtype=None)", "Return evenly spaced numbers over a specified interval."},
    {"eye", f_eye, "(N, M=None, k=0, dtype=None)", "Return a 2-D array with ones on the diagonal and zeros elsewhere."},
    {"identity", f_identity, "(n, dtype=None)", "Return the identity array."},
    {"sum", f_sum, "(a, axis=None, dtype=None, keepdims=False)", "Sum of array elements over a given axis."},
    {"mean", f_mean, "(a, axis=None, keepdims=False)", "Compute the arithmetic mean along the specified axis."},
    {"std", f_std, "(a, axis=None, ddof=0, keepdims=False)", "Compute the standard deviation along the specified axis."},
    {"var", f_var, "(a, axis=None, ddof=0, keepdims=False)", "Compute the variance along the specified axis."},
    {"max", f_max, "(a, axis=None, keepdims=False)", "Return the maximum of an array or maximum along an axis."},
    {"amax", f_max, "(a, axis=None, keepdims=False)", "Return the maximum of an array or maximum along an axis."},
    {"min", f_min, "(a, axis=None, keepdims=False)", "Return the minimum of an array or minimum along an axis."},
    {"amin", f_min, "(a, axis=None, keepdims=False)", "Return the minimum of an array or minimum along an axis."},
    {"prod", f_prod, "(a, axis=None, keepdims=False)", "Return the product of array elements over a given axis."},
    {"any", f_any, "(a, axis=None, keepdims=False)", "Test whether any array element along a given axis evaluates to True."},
    {"all", f_all, "(a, axis=None, keepdims=False)", "Test whether all array elements along a given axis evaluate to True."},
    {"argmax", f_argmax, "(a, axis=None)", "Returns the indices of the maximum values along an axis."},
    {"argmin", f_argmin, "(a, axis=None)", "Returns the indices of the minimum values along an axis."},
    {"argsort", f_argsort, "(a)", "Returns the indices that would sort an array."},
    {"sort", f_sort, "(a)", "Return a sorted copy of an array."},
    {"cumsum", f_cumsum, "(a, axis=None)", "Return the cumulative sum of the elements along a given axis."},
    {"reshape", f_reshape, "(a, newshape)", "Gives a new shape to an array without changing its data."},
    {"transpose", f_transpose, "(a, axes=None)", "Returns an array with axes transposed."},
    {"squeeze", f_squeeze, "(a, axis=None)", "Remove axes of length one from `a`."},
    {"expand_dims", f_expand_dims, "(a, axis)", "Expand the shape of an array."},
    {"round", f_round, "(a, decimals=0)", "Evenly round to the given number of decimals."},
    {"around", f_round, "(a, decimals=0)", "Evenly round to the given number of decimals."},
    {"sqrt", f_sqrt, "(x)", "Return the non-negative square-root of an array, element-wise."},
    {"exp", f_exp, "(x)", "Calculate the exponential of all elements in the input array."},
    {"log", f_log, "(x)", "Natural logarithm, element-wise."},
    {"log2", f_log2, "(x)", "Base-2 logarithm of `x`."},
    {"log10", f_log10, "(x)", "Return the base 10 logarithm of the input array, element-wise."},
    {"log1p", f_log1p, "(x)", "Return the natural logarithm of one plus the input array, element-wise."},
    {"expm1", f_expm1, "(x)", "Calculate ``exp(x) - 1`` for all elements in the array."},
    {"abs", f_abs, "(x)", "Calculate the absolute value element-wise."},
    {"absolute", f_abs, "(x)", "Calculate the absolute value element-wise."},
    {"tanh", f_tanh, "(x)", "Compute hyperbolic tangent element-wise."},
    {"sin", f_sin, "(x)", "Trigonometric sine, element-wise."},
    {"cos", f_cos, "(x)", "Cosine element-wise."},
    {"floor", f_floor, "(x)", "Return the floor of the input, element-wise."},
    {"ceil", f_ceil, "(x)", "Return the ceiling of the input, element-wise."},
    {"square", f_square, "(x)", "Return the element-wise square of the input."},
    {"sign", f_sign, "(x)", "Returns an element-wise indication of the sign of a number."},
    {"negative", f_negative, "(x)", "Numerical negative, element-wise."},
    {"logical_not", f_logical_not, "(x)", "Compute the truth value of NOT x element-wise."},
    {"isnan", f_isnan, "(x)", "Test element-wise for NaN and return result as a boolean array."},
    {"add", f_add, "(x1, x2)", "Add arguments element-wise."},
    {"subtract", f_subtract, "(x1, x2)", "Subtract arguments, element-wise."},
    {"multiply", f_multiply, "(x1, x2)", "Multiply arguments element-wise."},
    {"divide", f_divide, "(x1, x2)", "Divide arguments element-wise."},
    {"true_divide", f_divide, "(x1, x2)", "Divide arguments element-wise."},
    {"floor_divide", f_floor_divide, "(x1, x2)", "Return the largest integer smaller or equal to the division of the inputs."},
    {"mod", f_mod, "(x1, x2)", "Returns the element-wise remainder of division."},
    {"power", f_power, "(x1, x2)", "First array elements raised to powers from second array, element-wise."},
    {"greater", f_greater, "(x1, x2)", "Return the truth value of (x1 > x2) element-wise."},
    {"less", f_less, "(x1, x2)", "Return the truth value of (x1 < x2) element-wise."},
    {"equal", f_equal, "(x1, x2)", "Return (x1 == x2) element-wise."},
    {"maximum", f_maximum, "(x1, x2)", "Element-wise maximum of array elements."},
    {"minimum", f_minimum, "(x1, x2)", "Element-wise minimum of array elements."},
    {"clip", f_clip, "(a, a_min, a_max)", "Clip (limit) the values in an array."},
    {"where", f_where, "(condition, x=?, y=?)", "Return elements chosen from `x` or `y` depending on `condition`."},
    {"dot", f_dot, "(a, b)", "Dot product of two arrays."},
    {"matmul", f_matmul, "(x1, x2)", "Matrix product of two arrays."},
    {"allclose", f_allclose, "(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)", "Returns True if two arrays are element-wise equal within a tolerance."},
    {"isclose", f_isclose, "(a, b, rtol=1e-05, atol=1e-08, equal_nan=False)", "Returns a boolean array where two arrays are element-wise equal within a tolerance."},
    {"array_equal", f_array_equal, "(a1, a2)", "True if two arrays have the same shape and elements, False otherwise."},
    {"concatenate", f_concatenate, "(arrays, axis=0)", "Join a sequence of arrays along an existing axis."},
    {"stack", f_stack, "(arrays, axis=0)", "Join a sequence of arrays along a new axis."},
    {"vstack", f_vstack, "(tup)", "Stack arrays in sequence vertically (row wise)."},
    {"hstack", f_hstack, "(tup)", "Stack arrays in sequence horizontally (column wise)."},
    {"shape", f_shape, "(a)", "Return the shape of an array."},
    {"median", f_median, "(a, axis=None)", "Compute the median along the specified axis."},
    {"percentile", f_percentile, "(a, q)", "Compute the q-th percentile of the data (method 'linear')."},
    {"quantile", f_quantile, "(a, q)", "Compute the q-th quantile of the data (method 'linear')."},
    {"bincount", f_bincount, "(x, minlength=0)", "Count number of occurrences of each value in array of non-negative ints."},
    {"count_nonzero", f_count_nonzero, "(a)", "Counts the number of non-zero values in the array."},
    {"nonzero", f_nonzero, "(a)", "Return the indices of the elements that are non-zero."},
    {"outer", f_outer, "(a, b)", "Compute the outer product of two vectors."},
    {"unique", f_unique, "(ar, return_index=False, return_inverse=False, return_counts=False)", "Find the unique elements of an array."},
    {"flip", f_flip, "(m, axis=None)", "Reverse the order of elements in an array along the given axis."},
    {"repeat", f_repeat, "(a, repeats, axis=None)", "Repeat each element of an array after themselves."},
    {"tile", f_tile, "(A, reps)", "Construct an array by repeating A the number of times given by reps."},
    {"diag", f_diag, "(v, k=0)", "Extract a diagonal or construct a diagonal array."},
    {"trace", f_trace, "(a, offset=0)", "Return the sum along diagonals of the array."},
    {"triu", f_triu, "(m, k=0)", "Upper triangle of an array."},
    {"tril", f_tril, "(m, k=0)", "Lower triangle of an array."},
    {"save", f_save, "(file, arr)", "Save an array to a binary file in NumPy ``.npy`` format."},
    {"load", f_load, "(file)", "Load an array from a ``.npy`` file."},
    {"set_printoptions", f_set_printoptions, "(precision=None, threshold=None, edgeitems=None, linewidth=None, suppress=None, sign=None, floatmode=None)", "Set printing options."},
    {"get_printoptions", f_get_printoptions, "()", "Return the current print options."},
    {"dtype", f_dtype, "(dtype)", "Create a data type object."},
    {NULL, NULL, NULL, NULL},
};

static int set_val(Interp *I, Value *m, const char *name, Value *v) {
    if (!v) return -1;
    int rc = module_set(I, m, name, v);
    val_release(v);
    return rc;
}

extern const ModuleDef module_def_numpy;

static int init_numpy(Interp *I, Value *m) {
    NpOptsValue *o = (NpOptsValue *)val_alloc(I, &type_np_opts, sizeof *o);
    if (!o) return -1;
    o->opt = np_print_options_default();
    if (set_val(I, m, "_format_options", (Value *)o)) return -1;
    static const struct {
        const char *name;
        DType dt;
    } types[] = {{"float64", DTYPE_FLOAT64}, {"float_", DTYPE_FLOAT64}, {"double", DTYPE_FLOAT64},
                 {"float32", DTYPE_FLOAT32}, {"single", DTYPE_FLOAT32}, {"int64", DTYPE_INT64},
                 {"int_", DTYPE_INT64},      {"intp", DTYPE_INT64},     {"bool_", DTYPE_BOOL},
                 {NULL, DTYPE_BOOL}};
    for (int i = 0; types[i].name; i++)
        if (set_val(I, m, types[i].name, np_dtype_value(I, types[i].dt, true))) return -1;
    if (set_val(I, m, "pi", val_float(I, 3.141592653589793)) ||
        set_val(I, m, "e", val_float(I, 2.718281828459045)) ||
        set_val(I, m, "inf", val_float(I, INFINITY)) || set_val(I, m, "nan", val_float(I, NAN)) ||
        set_val(I, m, "newaxis", val_none(I)) || set_val(I, m, "__version__", val_str(I, "1.24.2")) ||
        set_val(I, m, "ndarray", builtins_type_value(I, &type_ndarray)))
        return -1;
    if (set_val(I, m, "__doc__", val_str(I, module_def_numpy.doc))) return -1;
    if (set_val(I, m, "random", module_import(I, "numpy.random")) ||
        set_val(I, m, "linalg", module_import(I, "numpy.linalg")))
        return -1;
    return 0;
}

const ModuleDef module_def_numpy = {
    "numpy", numpy_functions, init_numpy,
    "NumPy 1.24, an embedlab subset: what the embedding lessons use.\n"
    "\n"
    "Arrays (dtypes float64 by default, float32, int64, bool, and strings '<U<n>'): array,\n"
    "asarray, zeros, ones, empty, full, *_like, arange, linspace, eye, identity; shape,\n"
    "dtype, ndim, size, T, astype, reshape, copy, indexing, slicing, integer and boolean\n"
    "index arrays, assignment (strings convert to numbers), in-place operators.\n"
    "Math: + - * / // % ** @ and comparisons with broadcasting and NumPy 1.24's promotion;\n"
    "sum, mean, std, var, min, max, argmax, argmin, prod, cumsum, any, all, argsort, sort;\n"
    "dot, matmul, linalg.norm; sqrt, exp, log, abs, tanh, maximum, minimum, clip, where,\n"
    "round; median, percentile, quantile, unique, bincount, count_nonzero, nonzero, outer;\n"
    "concatenate, stack, vstack, hstack, flip, repeat, tile, diag, trace, triu, tril;\n"
    "allclose, isclose, array_equal.\n"
    "Files and printing: save, load (.npy); repr/str exactly as NumPy 1.24; set_printoptions.\n"
    "np.random: the legacy RandomState, bit-exact (seed, rand, randn, randint, random,\n"
    "normal, uniform, choice, permutation, shuffle, RandomState).\n"
    "PyTorch: torch.from_numpy(a) and t.numpy() share memory; torch.tensor(a) copies.\n"
    "Not provided: other dtypes, object/complex arrays, np.random.Generator,\n"
    "linalg beyond norm."};
