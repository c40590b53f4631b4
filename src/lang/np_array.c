/*
 * src/lang/np_array.c — numpy.ndarray and NumPy scalars as language values: printing,
 * attributes, indexing (basic, integer-list and boolean), arithmetic with NumPy 1.24's
 * promotion, and the ndarray methods. See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/np_ops.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/np_value.h"
#include "lang/ops.h"
#include "lang/torch_value.h"

#define ARR(v) (((NpArrayValue *)(v))->t)

static bool is_scalar_type(const ValueType *t) {
    return t == &type_np_float32 || t == &type_np_float64 || t == &type_np_int64 || t == &type_np_bool;
}
bool np_is_array(const Value *v) { return v && (v->type == &type_ndarray || is_scalar_type(v->type)); }
Tensor *np_tensor(Value *v) { return ARR(v); }

static void destroy_array(Value *self) { tensor_release(ARR(self)); }

Value *np_array_take(Interp *I, Tensor *t, const Error *err) {
    if (!t) {
        interp_raise(I, err);
        return NULL;
    }
    if (t->dtype == DTYPE_INT32) { /* would print and compute as float64 */
        tensor_release(t);
        interp_error(I, ERR_NOT_IMPLEMENTED, "embedlab's numpy has no int32 arrays; convert "
                                             "the tensor first, e.g. t.long().numpy()");
        return NULL;
    }
    NpArrayValue *a = (NpArrayValue *)val_alloc(I, &type_ndarray, sizeof *a);
    if (!a) {
        tensor_release(t);
        return NULL;
    }
    a->t = t;
    return (Value *)a;
}

Value *np_scalar_take(Interp *I, Tensor *t, const Error *err) {
    if (!t) {
        interp_raise(I, err);
        return NULL;
    }
    int64_t off = tensor_flat_offset(t, 0);
    Error e;
    Tensor *s = tensor_zeros(t->dtype, 0, NULL, &e);
    if (!s) {
        tensor_release(t);
        return interp_raise(I, &e), NULL;
    }
    if (dtype_is_floating(t->dtype)) tensor_store(s, 0, tensor_load(t, off));
    else tensor_store_int(s, 0, tensor_load_int(t, off));
    tensor_release(t);
    const ValueType *type = s->dtype == DTYPE_FLOAT32 ? &type_np_float32
                            : s->dtype == DTYPE_FLOAT64 ? &type_np_float64
                            : s->dtype == DTYPE_INT64   ? &type_np_int64
                                                        : &type_np_bool;
    NpArrayValue *a = (NpArrayValue *)val_alloc(I, type, sizeof *a);
    if (!a) {
        tensor_release(s);
        return NULL;
    }
    a->t = s;
    a->scalar = true;
    return (Value *)a;
}

/* A 0-d result of a reduction or ufunc becomes a scalar; others stay arrays. */
static Value *result(Interp *I, Tensor *t, const Error *err) {
    if (t && t->ndim == 0) return np_scalar_take(I, t, err);
    return np_array_take(I, t, err);
}

static void shape_text(int nd, const int64_t *shape, char *buf, size_t n);

/* ---- printing ---- */

static int repr_array(Interp *I, Value *self, StrBuf *out) {
    Tensor *t = ARR(self);
    if (is_scalar_type(self->type)) {
        np_scalar_str(t, 0, out);
        return 0;
    }
    Error err;
    if (np_array_repr(t, np_print_options(I), out, &err)) return interp_raise(I, &err);
    return 0;
}

static int str_array(Interp *I, Value *self, StrBuf *out) {
    Tensor *t = ARR(self);
    if (is_scalar_type(self->type)) return repr_array(I, self, out);
    Error err;
    if (np_array_str(t, np_print_options(I), out, &err)) return interp_raise(I, &err);
    return 0;
}

/* ---- conversions ---- */

static Value *shape_tuple(Interp *I, const Tensor *t) {
    Value *tup = val_tuple_new(I, t->ndim);
    if (!tup) return NULL;
    for (int i = 0; i < t->ndim; i++) {
        Value *n = val_int(I, t->shape[i]);
        if (!n) {
            val_release(tup);
            return NULL;
        }
        ((ListValue *)tup)->items[i] = n;
    }
    return tup;
}

static Value *elem_value(Interp *I, const Tensor *t, int64_t off) {
    switch (t->dtype) {
    case DTYPE_BOOL: return val_bool(I, tensor_load_int(t, off) != 0);
    case DTYPE_INT64: return val_int(I, tensor_load_int(t, off));
    default: return val_float(I, tensor_load(t, off));
    }
}

static Value *to_list(Interp *I, const Tensor *t, int axis, int64_t off) {
    if (axis == t->ndim) return elem_value(I, t, off);
    Value *list = val_list_new(I, t->shape[axis]);
    if (!list) return NULL;
    for (int64_t i = 0; i < t->shape[axis]; i++) {
        Value *item = to_list(I, t, axis + 1, off + i * t->stride[axis]);
        if (!item || val_list_append_take(I, list, item)) {
            val_release(list);
            return NULL;
        }
    }
    return list;
}

static int as_number_array(Interp *I, Value *self, int64_t *ival, double *fval, bool *is_int) {
    Tensor *t = ARR(self);
    if (tensor_numel(t) != 1)
        return interp_error(I, ERR_TYPE, "only size-1 arrays can be converted to Python scalars");
    int64_t off = tensor_flat_offset(t, 0);
    if (dtype_is_floating(t->dtype)) {
        *fval = tensor_load(t, off);
        *is_int = false;
    } else {
        *ival = tensor_load_int(t, off);
        *is_int = true;
    }
    return 0;
}

static int truth_array(Interp *I, Value *self) {
    Tensor *t = ARR(self);
    int64_t n = tensor_numel(t);
    if (n != 1) {
        if (n == 0) return 0;
        return interp_error(I, ERR_VALUE, "The truth value of an array with more than one element "
                                          "is ambiguous. Use a.any() or a.all()");
    }
    return tensor_get(t, 0) != 0;
}

static int64_t length_array(Interp *I, Value *self) {
    Tensor *t = ARR(self);
    if (t->ndim == 0) {
        interp_error(I, ERR_TYPE, "len() of unsized object");
        return -1;
    }
    return t->shape[0];
}

/* ---- views and indexing ---- */

static Tensor *make_view(const Tensor *t, int ndim, const int64_t *shape, const int64_t *stride,
                         int64_t offset, Error *err) {
    Tensor *v = tensor_alias(t, err);
    if (!v) return NULL;
    v->ndim = ndim;
    memcpy(v->shape, shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(v->stride, stride, sizeof(int64_t) * (size_t)ndim);
    v->offset = offset;
    return v;
}

static bool is_advanced(Value *v) {
    return val_is(v, &type_list) || (np_is_array(v) && ARR(v)->ndim > 0) || val_is_tensor(v);
}

/* Applies basic index items to t. *all_int: every dim was consumed by an integer. */
static Tensor *basic_index(Interp *I, Tensor *t, Value **items, int64_t n, bool *all_int) {
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS], offset = t->offset;
    int nd = 0, d = 0;
    int consumed = 0;
    for (int64_t i = 0; i < n; i++)
        if (!val_is_none(items[i]) && items[i]->type != &type_ellipsis) consumed++;
    if (consumed > t->ndim) {
        interp_error(I, ERR_INDEX, "too many indices for array: array is %d-dimensional, but %d "
                                   "were indexed", t->ndim, consumed);
        return NULL;
    }
    bool had_ellipsis = false;
    *all_int = true;
    for (int64_t i = 0; i < n; i++) {
        Value *it = items[i];
        if (val_is_none(it)) {
            shape[nd] = 1;
            stride[nd++] = 0;
            *all_int = false;
        } else if (it->type == &type_ellipsis) {
            if (had_ellipsis) {
                interp_error(I, ERR_INDEX, "an index can only have a single ellipsis ('...')");
                return NULL;
            }
            had_ellipsis = true;
            int skip = t->ndim - consumed;
            for (int k = 0; k < skip; k++, d++) {
                shape[nd] = t->shape[d];
                stride[nd++] = t->stride[d];
                *all_int = false;
            }
        } else if (it->type == &type_slice) {
            int64_t start, stop, step, count;
            if (op_slice_indices(I, it, t->shape[d], &start, &stop, &step, &count)) return NULL;
            offset += start * t->stride[d];
            shape[nd] = count;
            stride[nd++] = t->stride[d] * step;
            d++;
            *all_int = false;
        } else {
            int64_t k;
            if (val_is(it, &type_float) || val_is_str(it) || op_index_value(I, it, &k)) {
                interp_clear_error(I);
                interp_error(I, ERR_INDEX, "only integers, slices (`:`), ellipsis (`...`), "
                                           "numpy.newaxis (`None`) and integer or boolean arrays "
                                           "are valid indices");
                return NULL;
            }
            int64_t len = t->shape[d];
            if (k < -len || k >= len) {
                interp_error(I, ERR_INDEX, "index %lld is out of bounds for axis %d with size %lld",
                             (long long)k, d, (long long)len);
                return NULL;
            }
            if (k < 0) k += len;
            offset += k * t->stride[d];
            d++;
        }
    }
    for (; d < t->ndim; d++) {
        shape[nd] = t->shape[d];
        stride[nd++] = t->stride[d];
        *all_int = false;
    }
    Error err;
    Tensor *v = make_view(t, nd, shape, stride, offset, &err);
    if (!v) interp_raise(I, &err);
    return v;
}

/* An index array (list, ndarray, tensor) as a contiguous int64 or bool tensor. */
static Tensor *index_tensor(Interp *I, Value *v) {
    Tensor *t;
    if (val_is_tensor(v)) t = tensor_retain(tensor_of(v));
    else if (val_is(v, &type_list) && ((ListValue *)v)->count == 0) {
        Error err; /* an empty list indexes as an empty intp array */
        int64_t zero = 0;
        t = tensor_zeros(DTYPE_INT64, 1, &zero, &err);
        if (!t) interp_raise(I, &err);
    } else t = np_from_object(I, v, false, DTYPE_INT64);
    if (!t) return NULL;
    if (dtype_is_floating(t->dtype)) {
        tensor_release(t);
        interp_error(I, ERR_INDEX, "arrays used as indices must be of integer (or boolean) type");
        return NULL;
    }
    return t;
}

/* The list of storage offsets and the result shape for a[adv] where adv indexes axis 0. */
static Tensor *gather_rows(Interp *I, Tensor *t, Tensor *idx) {
    Error err;
    if (idx->dtype == DTYPE_BOOL) {
        /* boolean mask over the leading dims */
        if (idx->ndim > t->ndim) {
            interp_error(I, ERR_INDEX, "too many indices for array");
            return NULL;
        }
        for (int d = 0; d < idx->ndim; d++)
            if (idx->shape[d] != t->shape[d]) {
                interp_error(I, ERR_INDEX, "boolean index did not match indexed array along "
                                           "dimension %d; dimension is %lld but corresponding "
                                           "boolean dimension is %lld",
                             d, (long long)t->shape[d], (long long)idx->shape[d]);
                return NULL;
            }
        int64_t nm = tensor_numel(idx), count = 0;
        for (int64_t i = 0; i < nm; i++) count += tensor_get_int(idx, i) != 0;
        int64_t shape[TENSOR_MAX_DIMS];
        shape[0] = count;
        int nd = 1;
        int64_t inner = 1;
        for (int d = idx->ndim; d < t->ndim; d++) {
            shape[nd++] = t->shape[d];
            inner *= t->shape[d];
        }
        Tensor *out = tensor_zeros(t->dtype, nd, shape, &err);
        if (!out) return interp_raise(I, &err), NULL;
        Tensor *c = np_copy(t, t->dtype, &err);
        if (!c) {
            tensor_release(out);
            return interp_raise(I, &err), NULL;
        }
        int64_t o = 0;
        for (int64_t i = 0; i < nm; i++) {
            if (!tensor_get_int(idx, i)) continue;
            for (int64_t j = 0; j < inner; j++, o++) {
                if (dtype_is_floating(t->dtype)) tensor_set(out, o, tensor_get(c, i * inner + j));
                else tensor_store_int(out, o, tensor_get_int(c, i * inner + j));
            }
        }
        tensor_release(c);
        return out;
    }
    if (t->ndim == 0) {
        interp_error(I, ERR_INDEX, "too many indices for array: array is 0-dimensional, but 1 "
                                   "were indexed");
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < idx->ndim; d++) shape[nd++] = idx->shape[d];
    for (int d = 1; d < t->ndim; d++) shape[nd++] = t->shape[d];
    if (nd > TENSOR_MAX_DIMS) {
        interp_error(I, ERR_INDEX, "too many dimensions");
        return NULL;
    }
    Tensor *out = tensor_zeros(t->dtype, nd, shape, &err);
    if (!out) return interp_raise(I, &err), NULL;
    int64_t nidx = tensor_numel(idx), len = t->shape[0];
    int64_t inner = len ? tensor_numel(t) / len : 0;
    for (int64_t i = 0; i < nidx; i++) {
        int64_t k = tensor_get_int(idx, i);
        if (k < -len || k >= len) {
            tensor_release(out);
            interp_error(I, ERR_INDEX, "index %lld is out of bounds for axis 0 with size %lld",
                         (long long)k, (long long)len);
            return NULL;
        }
        if (k < 0) k += len;
        Tensor *row = make_view(t, t->ndim - 1, t->shape + 1, t->stride + 1,
                                t->offset + k * t->stride[0], &err);
        Tensor *dst = row ? make_view(out, t->ndim - 1, out->shape + idx->ndim,
                                      out->stride + idx->ndim, i * inner, &err)
                          : NULL;
        int rc = (row && dst) ? np_assign(dst, row, &err) : -1;
        tensor_release(row);
        tensor_release(dst);
        if (rc) {
            tensor_release(out);
            return interp_raise(I, &err), NULL;
        }
    }
    return out;
}

/* Splits a key into items (a tuple's items, or the key itself). */
static void key_items(Value *key, Value ***items, int64_t *n, Value **one) {
    if (val_is(key, &type_tuple)) {
        *items = ((ListValue *)key)->items;
        *n = ((ListValue *)key)->count;
    } else {
        *one = key;
        *items = one;
        *n = 1;
    }
}

static Value *getitem_array(Interp *I, Value *self, Value *key) {
    Tensor *t = ARR(self);
    Value **items, *one;
    int64_t n;
    key_items(key, &items, &n, &one);
    if (n >= 1 && is_advanced(items[0])) {
        Tensor *idx = index_tensor(I, items[0]);
        if (!idx) return NULL;
        Tensor *g = gather_rows(I, t, idx);
        tensor_release(idx);
        if (!g) return NULL;
        if (n == 1) return np_array_take(I, g, NULL);
        /* remaining items index the dims after the gathered ones */
        Value *tmp_items[TENSOR_MAX_DIMS + 1];
        int nidx = g->ndim - (t->ndim - 1);
        int64_t m = 0;
        Value *full = val_slice(I, val_none(I), val_none(I), val_none(I));
        for (int k = 0; k < nidx && m < TENSOR_MAX_DIMS; k++) tmp_items[m++] = full;
        for (int64_t k = 1; k < n && m < TENSOR_MAX_DIMS; k++) tmp_items[m++] = items[k];
        bool all_int;
        Tensor *v = basic_index(I, g, tmp_items, m, &all_int);
        val_release(full);
        tensor_release(g);
        if (!v) return NULL;
        return np_array_take(I, v, NULL);
    }
    for (int64_t i = 1; i < n; i++)
        if (is_advanced(items[i])) {
            interp_error(I, ERR_INDEX, "embedlab's numpy supports an index array only as the "
                                       "first index");
            return NULL;
        }
    bool all_int;
    Tensor *v = basic_index(I, t, items, n, &all_int);
    if (!v) return NULL;
    if (all_int && v->ndim == 0) return np_scalar_take(I, v, NULL);
    return np_array_take(I, v, NULL);
}

/* The value to assign as an array of dtype dt (strings convert as NumPy does). */
static Tensor *assign_source(Interp *I, Value *value, DType dt) {
    if (np_is_array(value)) return tensor_retain(ARR(value));
    if (val_is_tensor(value)) return tensor_retain(tensor_of(value));
    return np_from_object(I, value, true, dt);
}

static int setitem_array(Interp *I, Value *self, Value *key, Value *value) {
    Tensor *t = ARR(self);
    if (!value) return interp_error(I, ERR_VALUE, "cannot delete array elements");
    Value **items, *one;
    int64_t n;
    key_items(key, &items, &n, &one);
    Tensor *src = assign_source(I, value, t->dtype);
    if (!src) return -1;
    Error err;
    int rc = 0;
    if (n == 1 && is_advanced(items[0])) {
        Tensor *idx = index_tensor(I, items[0]);
        if (!idx) {
            tensor_release(src);
            return -1;
        }
        if (idx->dtype == DTYPE_BOOL) {
            Tensor *c = NULL;
            int64_t nm = tensor_numel(idx), pos = 0, inner = 1;
            for (int d = idx->ndim; d < t->ndim; d++) inner *= t->shape[d];
            if (idx->ndim > t->ndim) rc = interp_error(I, ERR_INDEX, "too many indices for array");
            for (int64_t i = 0; !rc && i < nm; i++) {
                if (!tensor_get_int(idx, i)) continue;
                int64_t multi[TENSOR_MAX_DIMS], r = i;
                for (int d = idx->ndim - 1; d >= 0; d--) {
                    multi[d] = r % idx->shape[d];
                    r /= idx->shape[d];
                }
                int64_t off = t->offset;
                for (int d = 0; d < idx->ndim; d++) off += multi[d] * t->stride[d];
                Tensor *dst = make_view(t, t->ndim - idx->ndim, t->shape + idx->ndim,
                                        t->stride + idx->ndim, off, &err);
                Tensor *s = src;
                /* values beyond a selected slot's dims run over the selections */
                if (dst && src->ndim > t->ndim - idx->ndim) {
                    if (!c) c = np_copy(src, src->dtype, &err);
                    int64_t k = c && c->shape[0] == 1 ? 0 : pos;
                    s = c && k < c->shape[0]
                            ? make_view(c, c->ndim - 1, c->shape + 1, c->stride + 1, k * c->stride[0], &err)
                            : NULL;
                    if (c && !s && k >= c->shape[0])
                        err_set(&err, ERR_VALUE, "NumPy boolean array indexing assignment cannot "
                                                 "assign %lld input values to the %lld output values "
                                                 "where the mask is true",
                                (long long)c->shape[0], (long long)(pos + 1));
                }
                if (!dst || !s || np_assign(dst, s, &err)) rc = interp_raise(I, &err);
                if (s != src) tensor_release(s);
                tensor_release(dst);
                pos++;
                (void)inner;
            }
            tensor_release(c);
        } else {
            int64_t nidx = tensor_numel(idx), len = t->ndim ? t->shape[0] : 0;
            for (int64_t i = 0; !rc && i < nidx; i++) {
                int64_t k = tensor_get_int(idx, i);
                if (k < -len || k >= len) {
                    rc = interp_error(I, ERR_INDEX, "index %lld is out of bounds for axis 0 with "
                                                    "size %lld", (long long)k, (long long)len);
                    break;
                }
                if (k < 0) k += len;
                Tensor *dst = make_view(t, t->ndim - 1, t->shape + 1, t->stride + 1,
                                        t->offset + k * t->stride[0], &err);
                Tensor *s = src;
                if (dst && src->ndim == t->ndim && src->ndim > 0 && src->shape[0] == nidx)
                    s = make_view(src, src->ndim - 1, src->shape + 1, src->stride + 1,
                                  src->offset + i * src->stride[0], &err);
                if (!dst || !s || np_assign(dst, s, &err)) rc = interp_raise(I, &err);
                if (s != src) tensor_release(s);
                tensor_release(dst);
            }
        }
        tensor_release(idx);
        tensor_release(src);
        return rc;
    }
    bool all_int;
    Tensor *v = basic_index(I, t, items, n, &all_int);
    if (!v) {
        tensor_release(src);
        return -1;
    }
    if (np_assign(v, src, &err)) rc = interp_raise(I, &err);
    tensor_release(v);
    tensor_release(src);
    return rc;
}

/* ---- iteration ---- */

typedef struct ArrayIter {
    Value base;
    Value *arr;
    int64_t i;
} ArrayIter;

static void destroy_iter(Value *self) { val_release(((ArrayIter *)self)->arr); }
static void clear_iter(Value *self) {
    ArrayIter *it = (ArrayIter *)self;
    Value *a = it->arr;
    it->arr = NULL;
    val_release(a);
}
static Value *iter_self(Interp *I, Value *self) {
    (void)I;
    return val_retain(self);
}
static Value *next_iter(Interp *I, Value *self) {
    ArrayIter *it = (ArrayIter *)self;
    if (!it->arr) return NULL;
    Tensor *t = ARR(it->arr);
    if (it->i >= t->shape[0]) return NULL;
    Value *k = val_int(I, it->i++);
    if (!k) return NULL;
    Value *r = getitem_array(I, it->arr, k);
    val_release(k);
    return r;
}
static const ValueType type_array_iter = {.name = "iterator",
                                          .destroy = destroy_iter,
                                          .clear = clear_iter,
                                          .iter = iter_self,
                                          .next = next_iter};

static Value *iter_array(Interp *I, Value *self) {
    if (ARR(self)->ndim == 0) {
        interp_error(I, ERR_TYPE, "iteration over a 0-d array");
        return NULL;
    }
    ArrayIter *it = (ArrayIter *)val_alloc(I, &type_array_iter, sizeof *it);
    if (!it) return NULL;
    it->arr = val_retain(self);
    return (Value *)it;
}

/* ---- arithmetic ---- */

/* An operand as a tensor (owned) plus whether it is a scalar for promotion. NULL with no
 * error: not an operand NumPy accepts here. */
static Tensor *operand(Interp *I, Value *v, bool *scalar) {
    Error err;
    if (np_is_array(v)) {
        *scalar = ARR(v)->ndim == 0;
        return tensor_retain(ARR(v));
    }
    Tensor *t = NULL;
    if (val_is(v, &type_bool)) {
        *scalar = true;
        if (!(t = tensor_scalar(DTYPE_BOOL, (double)val_as_int(v), &err))) interp_raise(I, &err);
        return t; /* NULL: out of memory, raised (not "not an operand") */
    }
    if (val_is_int(v)) {
        *scalar = true;
        if ((t = tensor_zeros(DTYPE_INT64, 0, NULL, &err))) tensor_store_int(t, 0, val_as_int(v));
        else interp_raise(I, &err);
        return t;
    }
    if (val_is(v, &type_float)) {
        *scalar = true;
        if (!(t = tensor_scalar(DTYPE_FLOAT64, val_as_float(v), &err))) interp_raise(I, &err);
        return t;
    }
    if (val_is(v, &type_list) || val_is(v, &type_tuple)) {
        t = np_from_object(I, v, false, DTYPE_FLOAT64);
        if (t) *scalar = t->ndim == 0;
        return t;
    }
    return NULL;
}

static DType op_dtype(const Tensor *a, bool as, const Tensor *b, bool bs) {
    if (as == bs) return np_promote(a->dtype, b->dtype);
    if (as) return np_promote_scalar(b->dtype, a->dtype, tensor_get(a, 0));
    return np_promote_scalar(a->dtype, b->dtype, tensor_get(b, 0));
}

static int map_op(int op) {
    switch (op) {
    case PYOP_ADD: return NP_ADD;
    case PYOP_SUB: return NP_SUB;
    case PYOP_MUL: return NP_MUL;
    case PYOP_DIV: return NP_DIV;
    case PYOP_FLOORDIV: return NP_FLOORDIV;
    case PYOP_MOD: return NP_MOD;
    case PYOP_POW: return NP_POW;
    case PYOP_AND: return NP_AND;
    case PYOP_OR: return NP_OR;
    case PYOP_XOR: return NP_XOR;
    default: return -1;
    }
}

Value *np_binary_values(Interp *I, int op, Value *a, Value *b) {
    bool as = false, bs = false;
    if (interp_has_error(I)) return NULL;
    Tensor *ta = operand(I, a, &as);
    if (!ta) return interp_has_error(I) ? NULL : val_not_implemented(I);
    Tensor *tb = operand(I, b, &bs);
    if (!tb) {
        tensor_release(ta);
        return interp_has_error(I) ? NULL : val_not_implemented(I);
    }
    Error err;
    Tensor *r;
    if (op == PYOP_MATMUL) {
        r = np_matmul(ta, tb, &err);
    } else if (op >= 100) { /* comparisons: 100 + PyCmp */
        static const int cmp[] = {NP_EQ, NP_NE, NP_LT, NP_LE, NP_GT, NP_GE};
        r = np_binary((NpBinOp)cmp[op - 100], ta, tb, op_dtype(ta, as, tb, bs), &err);
    } else {
        int nop = map_op(op);
        if (nop < 0) {
            tensor_release(ta);
            tensor_release(tb);
            return val_not_implemented(I);
        }
        DType dt = op_dtype(ta, as, tb, bs);
        if (nop == NP_POW && !dtype_is_floating(dt)) {
            for (int64_t i = 0, n = tensor_numel(tb); i < n; i++)
                if (tensor_get_int(tb, i) < 0) {
                    tensor_release(ta);
                    tensor_release(tb);
                    interp_error(I, ERR_VALUE, "Integers to negative integer powers are not allowed.");
                    return NULL;
                }
        }
        r = np_binary((NpBinOp)nop, ta, tb, dt, &err);
    }
    bool both_scalar = ta->ndim == 0 && tb->ndim == 0;
    tensor_release(ta);
    tensor_release(tb);
    if (!r) return interp_raise(I, &err), NULL;
    (void)both_scalar;
    if (r->ndim == 0) return np_scalar_take(I, r, NULL); /* ufuncs unwrap 0-d results */
    return np_array_take(I, r, NULL);
}

static const char *ufunc_name(int op) {
    switch (op) {
    case PYOP_ADD: return "add";
    case PYOP_SUB: return "subtract";
    case PYOP_MUL: return "multiply";
    case PYOP_DIV: return "divide";
    case PYOP_FLOORDIV: return "floor_divide";
    case PYOP_MOD: return "remainder";
    case PYOP_POW: return "power";
    case PYOP_MATMUL: return "matmul";
    default: return "bitwise";
    }
}

/* a <op>= b on an ndarray: computed as a <op> b, then written into a (NumPy's out=a with
 * casting='same_kind'). */
static Value *inplace_array(Interp *I, int op, Value *a, Value *b) {
    Value *r = np_binary_values(I, op, a, b);
    if (!r || val_is_not_implemented(I, r)) return r;
    Tensor *t = ARR(a), *rt = ARR(r);
    int kr = rt->dtype == DTYPE_BOOL ? 0 : rt->dtype == DTYPE_INT64 ? 1 : 2;
    int ka = t->dtype == DTYPE_BOOL ? 0 : t->dtype == DTYPE_INT64 ? 1 : 2;
    if (kr > ka) {
        interp_error(I, ERR_TYPE, "Cannot cast ufunc '%s' output from dtype('%s') to dtype('%s') "
                                  "with casting rule 'same_kind'",
                     ufunc_name(op), np_dtype_name(rt->dtype), np_dtype_name(t->dtype));
        val_release(r);
        return NULL;
    }
    Error err;
    int rc = np_assign(t, rt, &err);
    int64_t rshape[TENSOR_MAX_DIMS];
    int rnd = rt->ndim;
    memcpy(rshape, rt->shape, sizeof(int64_t) * (size_t)rnd);
    val_release(r);
    if (rc) {
        if (err.code == ERR_VALUE) {
            /* numpy words a non-broadcastable out differently */
            char s1[256], s2[256];
            shape_text(t->ndim, t->shape, s1, sizeof s1);
            shape_text(rnd, rshape, s2, sizeof s2);
            interp_error(I, ERR_VALUE, "non-broadcastable output operand with shape %s doesn't "
                                       "match the broadcast shape %s", s1, s2);
            return NULL;
        }
        return interp_raise(I, &err), NULL;
    }
    return val_retain(a);
}

static Value *binary_array(Interp *I, PyOp op, Value *a, Value *b, bool reflected) {
    if (val_is_tensor(a) || val_is_tensor(b)) return val_not_implemented(I);
    if ((int)op >= PYOP_COUNT) {
        int base = (int)op - PYOP_COUNT;
        if (!reflected && a->type == &type_ndarray) return inplace_array(I, base, a, b);
        return np_binary_values(I, base, a, b);
    }
    return np_binary_values(I, (int)op, a, b);
}

static Value *compare_array(Interp *I, PyCmp op, Value *a, Value *b) {
    if (val_is_tensor(b)) return val_not_implemented(I);
    if (val_is_none(b) && (op == PYCMP_EQ || op == PYCMP_NE) && !is_scalar_type(a->type)) {
        Error err;
        Tensor *t = ARR(a);
        return np_array_take(I, tensor_full(DTYPE_BOOL, t->ndim, t->shape, op == PYCMP_NE, &err), &err);
    }
    if (!np_is_array(b) && !val_is_number(b) && !val_is(b, &type_list) && !val_is(b, &type_tuple)) {
        if (op == PYCMP_EQ) return val_bool(I, false);
        if (op == PYCMP_NE) return val_bool(I, true);
        return val_not_implemented(I);
    }
    Value *r = np_binary_values(I, 100 + (int)op, a, b);
    if (!r && (op == PYCMP_EQ || op == PYCMP_NE) && I->error.code == ERR_VALUE &&
        strncmp(I->error.msg, "operands could not be broadcast", 31) == 0) {
        /* NumPy 1.24: elementwise comparison failed; returns a scalar (with a warning) */
        interp_clear_error(I);
        return val_bool(I, op == PYCMP_NE);
    }
    return r;
}

static Value *unary_array(Interp *I, PyUnary op, Value *self) {
    Tensor *t = ARR(self);
    Error err;
    Tensor *r;
    if (op == PYUNARY_POS) r = np_copy(t, t->dtype, &err);
    else if (op == PYUNARY_NEG) r = np_unary(NP_NEG, t, &err);
    else if (t->dtype == DTYPE_BOOL) r = np_unary(NP_NOT, t, &err);
    else if (t->dtype == DTYPE_INT64) {
        Tensor *m1 = tensor_zeros(DTYPE_INT64, 0, NULL, &err);
        if (m1) tensor_store_int(m1, 0, -1);
        r = m1 ? np_binary(NP_SUB, m1, t, DTYPE_INT64, &err) : NULL;
        tensor_release(m1);
    } else {
        interp_error(I, ERR_TYPE, "ufunc 'invert' not supported for the input types, and the "
                                  "inputs could not be safely coerced to any supported types "
                                  "according to the casting rule ''safe''");
        return NULL;
    }
    if (!r) return interp_raise(I, &err), NULL;
    if (t->ndim == 0) return np_scalar_take(I, r, NULL);
    return np_array_take(I, r, NULL);
}

/* ---- attributes ---- */

static Value *getattr_array(Interp *I, Value *self, const char *name) {
    Tensor *t = ARR(self);
    Error err;
    if (strcmp(name, "shape") == 0) return shape_tuple(I, t);
    if (strcmp(name, "dtype") == 0) return np_dtype_value(I, t->dtype, false);
    if (strcmp(name, "ndim") == 0) return val_int(I, t->ndim);
    if (strcmp(name, "size") == 0) return val_int(I, tensor_numel(t));
    if (strcmp(name, "itemsize") == 0) return val_int(I, (int64_t)dtype_size(t->dtype));
    if (strcmp(name, "nbytes") == 0)
        return val_int(I, tensor_numel(t) * (int64_t)dtype_size(t->dtype));
    if (strcmp(name, "T") == 0) {
        int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
        for (int i = 0; i < t->ndim; i++) {
            shape[i] = t->shape[t->ndim - 1 - i];
            stride[i] = t->stride[t->ndim - 1 - i];
        }
        if (is_scalar_type(self->type)) return val_retain(self);
        return np_array_take(I, make_view(t, t->ndim, shape, stride, t->offset, &err), &err);
    }
    if (strcmp(name, "strides") == 0) {
        Value *tup = val_tuple_new(I, t->ndim);
        if (!tup) return NULL;
        for (int i = 0; i < t->ndim; i++)
            ((ListValue *)tup)->items[i] = val_int(I, t->stride[i] * (int64_t)dtype_size(t->dtype));
        return tup;
    }
    return NULL;
}

/* `item in a`: (a == item).any(), as ndarray.__contains__. */
static int contains_array(Interp *I, Value *self, Value *item) {
    Value *eq = np_binary_values(I, 100 + PYCMP_EQ, self, item);
    if (!eq) return -1;
    if (val_is_not_implemented(I, eq)) {
        val_release(eq);
        return 0;
    }
    Tensor *e = ARR(eq);
    int found = 0;
    for (int64_t i = 0, n = tensor_numel(e); i < n && !found; i++) found = tensor_get_int(e, i) != 0;
    val_release(eq);
    return found;
}

static int setattr_array(Interp *I, Value *self, const char *name, Value *value) {
    Tensor *t = ARR(self);
    if (strcmp(name, "shape") == 0 && self->type == &type_ndarray) {
        int64_t shape[TENSOR_MAX_DIMS];
        int nd = 0;
        if (val_is_int(value)) {
            shape[nd++] = val_as_int(value);
        } else if (val_is_sequence(value)) {
            ListValue *l = (ListValue *)value;
            for (int64_t i = 0; i < l->count && nd < TENSOR_MAX_DIMS; i++) {
                int64_t k;
                if (op_index_value(I, l->items[i], &k)) return -1;
                shape[nd++] = k;
            }
        } else {
            return interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                                val_type_name(value));
        }
        int64_t n = 1;
        for (int i = 0; i < nd; i++) n *= shape[i];
        if (n != tensor_numel(t) || !tensor_is_contiguous(t))
            return interp_error(I, ERR_VALUE, "cannot reshape array of size %lld into the new shape",
                                (long long)tensor_numel(t));
        t->ndim = nd;
        int64_t s = 1;
        for (int i = nd - 1; i >= 0; i--) {
            t->shape[i] = shape[i];
            t->stride[i] = s;
            s *= shape[i];
        }
        return 0;
    }
    return interp_error(I, ERR_ATTRIBUTE, "'numpy.ndarray' object attribute '%s' is read-only",
                        name);
}

static int dir_array(Interp *I, Value *self, Value *names) {
    (void)self;
    static const char *const attrs[] = {"T", "dtype", "itemsize", "nbytes", "ndim", "shape",
                                        "size", "strides", NULL};
    for (int i = 0; attrs[i]; i++) {
        Value *s = val_str(I, attrs[i]);
        if (!s || val_list_append_take(I, names, s)) return -1;
    }
    return 0;
}

/* ---- methods ---- */

/* An axis argument (None → -1 meaning all); -2 with an error raised. */
static int axis_arg(Interp *I, Value *v, const Tensor *t, int *axis) {
    if (!v || val_is_none(v)) {
        *axis = -1;
        return 0;
    }
    int64_t k;
    if (op_index_value(I, v, &k)) return -1;
    int nd = t->ndim;
    if (k < -nd || k >= nd) {
        interp_error(I, ERR_VALUE, "axis %lld is out of bounds for array of dimension %d",
                     (long long)k, nd);
        /* numpy raises AxisError, a ValueError and IndexError subclass */
        return -1;
    }
    *axis = (int)(k < 0 ? k + nd : k);
    return 0;
}

static bool flag(Interp *I, Value *v) { return v && !val_is_none(v) && val_truth(I, v) > 0; }

static Value *m_sum(Interp *I, Value *self, Value **argv) {
    Tensor *t = ARR(self);
    int axis = -1;
    if (axis_arg(I, argv[0], t, &axis)) return NULL;
    DType dt = t->dtype == DTYPE_BOOL ? DTYPE_INT64 : t->dtype;
    bool given = false;
    if (np_arg_dtype(I, argv[1], &dt, &given)) return NULL;
    Error err;
    return result(I, np_sum(t, axis, flag(I, argv[2]), dt, &err), &err);
}

static Value *m_mean(Interp *I, Value *self, Value **argv) {
    Tensor *t = ARR(self);
    int axis = -1;
    if (axis_arg(I, argv[0], t, &axis)) return NULL;
    Error err;
    return result(I, np_mean(t, axis, flag(I, argv[1]), &err), &err);
}

static Value *var_like(Interp *I, Value *self, Value **argv, bool sq) {
    Tensor *t = ARR(self);
    int axis = -1;
    if (axis_arg(I, argv[0], t, &axis)) return NULL;
    int64_t ddof = 0;
    if (argv[1] && op_index_value(I, argv[1], &ddof)) return NULL;
    Error err;
    return result(I, np_var(t, axis, flag(I, argv[2]), (int)ddof, sq, &err), &err);
}
static Value *m_std(Interp *I, Value *self, Value **argv) { return var_like(I, self, argv, true); }
static Value *m_var(Interp *I, Value *self, Value **argv) { return var_like(I, self, argv, false); }

static Value *reduce_m(Interp *I, Value *self, Value **argv, NpReduce op, bool has_keep) {
    Tensor *t = ARR(self);
    int axis = -1;
    if (axis_arg(I, argv[0], t, &axis)) return NULL;
    Error err;
    return result(I, np_reduce(op, t, axis, has_keep && flag(I, argv[1]), &err), &err);
}
static Value *m_max(Interp *I, Value *self, Value **argv) { return reduce_m(I, self, argv, NP_MAX, true); }
static Value *m_min(Interp *I, Value *self, Value **argv) { return reduce_m(I, self, argv, NP_MIN, true); }
static Value *m_prod(Interp *I, Value *self, Value **argv) { return reduce_m(I, self, argv, NP_PROD, true); }
static Value *m_any(Interp *I, Value *self, Value **argv) { return reduce_m(I, self, argv, NP_ANY, true); }
static Value *m_all(Interp *I, Value *self, Value **argv) { return reduce_m(I, self, argv, NP_ALL, true); }
static Value *m_argmax(Interp *I, Value *self, Value **argv) { return reduce_m(I, self, argv, NP_ARGMAX, false); }
static Value *m_argmin(Interp *I, Value *self, Value **argv) { return reduce_m(I, self, argv, NP_ARGMIN, false); }

static Value *m_astype(Interp *I, Value *self, Value **argv) {
    DType dt;
    bool given;
    if (np_arg_dtype(I, argv[0], &dt, &given)) return NULL;
    Error err;
    return np_array_take(I, np_copy(ARR(self), dt, &err), &err);
}

static Value *m_copy(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    return np_array_take(I, np_copy(ARR(self), ARR(self)->dtype, &err), &err);
}

/* Reads a shape from *args (ints, or one sequence). */
static int shape_args(Interp *I, Value *args, int64_t *shape, int *nd) {
    ListValue *l = (ListValue *)args;
    Value **items = l->items;
    int64_t n = l->count;
    if (n == 1 && val_is_sequence(items[0])) {
        items = ((ListValue *)items[0])->items;
        n = ((ListValue *)l->items[0])->count;
    }
    if (n > TENSOR_MAX_DIMS) return interp_error(I, ERR_VALUE, "too many dimensions");
    for (int64_t i = 0; i < n; i++)
        if (op_index_value(I, items[i], &shape[i])) return -1;
    *nd = (int)n;
    return 0;
}

/* A shape as NumPy's reshape error prints it: "(4,2)", "(4,newaxis)", "(6,)". */
static void shape_text(int nd, const int64_t *shape, char *buf, size_t n) {
    size_t p = 0;
    p += (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < nd && p < n; i++) {
        if (shape[i] == -1) p += (size_t)snprintf(buf + p, n - p, "newaxis");
        else p += (size_t)snprintf(buf + p, n - p, "%lld", (long long)shape[i]);
        if (p < n && (i + 1 < nd || nd == 1)) p += (size_t)snprintf(buf + p, n - p, ",");
    }
    if (p < n) snprintf(buf + p, n - p, ")");
}

Tensor *np_reshape_tensor(Interp *I, Tensor *t, int nd, int64_t *shape);
Tensor *np_reshape_tensor(Interp *I, Tensor *t, int nd, int64_t *shape) {
    int64_t numel = tensor_numel(t), known = 1;
    int infer = -1;
    for (int i = 0; i < nd; i++) {
        if (shape[i] == -1) {
            if (infer >= 0) {
                interp_error(I, ERR_VALUE, "can only specify one unknown dimension");
                return NULL;
            }
            infer = i;
        } else if (shape[i] < 0) {
            interp_error(I, ERR_VALUE, "negative dimensions not allowed");
            return NULL;
        } else {
            known *= shape[i];
        }
    }
    if (infer >= 0 && known != 0 && numel % known == 0) shape[infer] = numel / known;
    int64_t total = 1;
    for (int i = 0; i < nd; i++) total *= shape[i];
    if (total != numel || (infer >= 0 && known == 0)) {
        char buf[256];
        if (infer >= 0) shape[infer] = -1;
        shape_text(nd, shape, buf, sizeof buf);
        interp_error(I, ERR_VALUE, "cannot reshape array of size %lld into shape %s",
                     (long long)numel, buf);
        return NULL;
    }
    Error err;
    Tensor *src = tensor_is_contiguous(t) ? tensor_retain(t) : np_copy(t, t->dtype, &err);
    if (!src) return interp_raise(I, &err), NULL;
    int64_t stride[TENSOR_MAX_DIMS], s = 1;
    for (int i = nd - 1; i >= 0; i--) {
        stride[i] = s;
        s *= shape[i];
    }
    Tensor *v = make_view(src, nd, shape, stride, src->offset, &err);
    tensor_release(src);
    if (!v) interp_raise(I, &err);
    return v;
}

static Value *m_reshape(Interp *I, Value *self, Value **argv) {
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (shape_args(I, argv[0], shape, &nd)) return NULL;
    Tensor *v = np_reshape_tensor(I, ARR(self), nd, shape);
    return v ? np_array_take(I, v, NULL) : NULL;
}

static Value *m_flatten(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    Tensor *c = np_copy(ARR(self), ARR(self)->dtype, &err);
    if (!c) return interp_raise(I, &err), NULL;
    c->ndim = 1;
    c->shape[0] = tensor_numel(ARR(self));
    c->stride[0] = 1;
    return np_array_take(I, c, NULL);
}

static Value *m_ravel(Interp *I, Value *self, Value **argv) {
    (void)argv;
    int64_t n = tensor_numel(ARR(self));
    Tensor *v = np_reshape_tensor(I, ARR(self), 1, &n);
    return v ? np_array_take(I, v, NULL) : NULL;
}

static Value *m_transpose(Interp *I, Value *self, Value **argv) {
    Tensor *t = ARR(self);
    int64_t perm[TENSOR_MAX_DIMS];
    int nd;
    if (shape_args(I, argv[0], perm, &nd)) return NULL;
    if (nd == 0) {
        for (int i = 0; i < t->ndim; i++) perm[i] = t->ndim - 1 - i;
        nd = t->ndim;
    }
    if (nd != t->ndim) {
        interp_error(I, ERR_VALUE, "axes don't match array");
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        int64_t p = perm[i] < 0 ? perm[i] + nd : perm[i];
        if (p < 0 || p >= nd) {
            interp_error(I, ERR_VALUE, "axis %lld is out of bounds for array of dimension %d",
                         (long long)perm[i], nd);
            return NULL;
        }
        shape[i] = t->shape[p];
        stride[i] = t->stride[p];
    }
    Error err;
    return np_array_take(I, make_view(t, nd, shape, stride, t->offset, &err), &err);
}

static Value *m_tolist(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Tensor *t = ARR(self);
    return to_list(I, t, 0, t->offset);
}

static Value *m_item(Interp *I, Value *self, Value **argv) {
    Tensor *t = ARR(self);
    if (argv[0] && ((ListValue *)argv[0])->count > 0) {
        Value *key = ((ListValue *)argv[0])->count == 1 ? ((ListValue *)argv[0])->items[0] : argv[0];
        Value *v = getitem_array(I, self, key);
        if (!v || !np_is_array(v)) return v;
        Tensor *e = ARR(v);
        Value *r = elem_value(I, e, tensor_flat_offset(e, 0));
        val_release(v);
        return r;
    }
    if (tensor_numel(t) != 1) {
        interp_error(I, ERR_VALUE, "can only convert an array of size 1 to a Python scalar");
        return NULL;
    }
    return elem_value(I, t, tensor_flat_offset(t, 0));
}

static Value *m_fill(Interp *I, Value *self, Value **argv) {
    Tensor *src = np_from_object(I, argv[0], true, ARR(self)->dtype);
    if (!src) return NULL;
    Error err;
    int rc = np_assign(ARR(self), src, &err);
    tensor_release(src);
    if (rc) return interp_raise(I, &err), NULL;
    return val_none(I);
}

static Value *m_dot(Interp *I, Value *self, Value **argv) {
    bool s;
    Tensor *b = operand(I, argv[0], &s);
    if (!b) {
        if (!interp_has_error(I)) interp_error(I, ERR_TYPE, "unsupported operand for dot");
        return NULL;
    }
    Error err;
    Tensor *r = np_dot(ARR(self), b, &err);
    tensor_release(b);
    return result(I, r, &err);
}

static Value *m_squeeze(Interp *I, Value *self, Value **argv) {
    Tensor *t = ARR(self);
    int axis = -1;
    if (axis_arg(I, argv[0], t, &axis)) return NULL;
    int64_t shape[TENSOR_MAX_DIMS], stride[TENSOR_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] == 1 && (axis < 0 || axis == d)) continue;
        if (axis == d) {
            interp_error(I, ERR_VALUE, "cannot select an axis to squeeze out which has size not "
                                       "equal to one");
            return NULL;
        }
        shape[nd] = t->shape[d];
        stride[nd++] = t->stride[d];
    }
    Error err;
    return np_array_take(I, make_view(t, nd, shape, stride, t->offset, &err), &err);
}

static Value *m_argsort(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    return np_array_take(I, np_argsort(ARR(self), &err), &err);
}

static Value *m_sort(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    Tensor *s = np_sort(ARR(self), &err);
    if (!s) return interp_raise(I, &err), NULL;
    int rc = np_assign(ARR(self), s, &err);
    tensor_release(s);
    if (rc) return interp_raise(I, &err), NULL;
    return val_none(I);
}

static Value *m_cumsum(Interp *I, Value *self, Value **argv) {
    Tensor *t = ARR(self);
    int axis = -1;
    if (axis_arg(I, argv[0], t, &axis)) return NULL;
    Error err;
    return np_array_take(I, np_cumsum(t, axis, &err), &err);
}

static Value *m_abs(Interp *I, Value *self, Value **argv) {
    (void)argv;
    Error err;
    return result(I, np_unary(NP_ABS, ARR(self), &err), &err);
}

static Value *m_round(Interp *I, Value *self, Value **argv) {
    Tensor *t = ARR(self);
    int64_t dec = 0;
    if (argv[0] && op_index_value(I, argv[0], &dec)) return NULL;
    Error err;
    Tensor *c = np_copy(t, t->dtype, &err);
    if (!c) return interp_raise(I, &err), NULL;
    if (dtype_is_floating(t->dtype)) {
        double f = pow(10.0, (double)(dec < 0 ? -dec : dec));
        for (int64_t i = 0, n = tensor_numel(c); i < n; i++) {
            double x = tensor_get(c, i), y;
            if (t->dtype == DTYPE_FLOAT32) {
                float ff = (float)f, xf = (float)x;
                y = dec >= 0 ? nearbyintf(xf * ff) / ff : nearbyintf(xf / ff) * ff;
            } else {
                y = dec >= 0 ? nearbyint(x * f) / f : nearbyint(x / f) * f;
            }
            tensor_set(c, i, y);
        }
    }
    return result(I, c, NULL);
}

const BuiltinSpec ndarray_methods[] = {
    {"sum", m_sum, "(axis=None, dtype=None, keepdims=False)", "Return the sum of the array elements over the given axis."},
    {"mean", m_mean, "(axis=None, keepdims=False)", "Returns the average of the array elements along given axis."},
    {"std", m_std, "(axis=None, ddof=0, keepdims=False)", "Returns the standard deviation of the array elements along given axis."},
    {"var", m_var, "(axis=None, ddof=0, keepdims=False)", "Returns the variance of the array elements, along given axis."},
    {"max", m_max, "(axis=None, keepdims=False)", "Return the maximum along a given axis."},
    {"min", m_min, "(axis=None, keepdims=False)", "Return the minimum along a given axis."},
    {"prod", m_prod, "(axis=None, keepdims=False)", "Return the product of the array elements over the given axis."},
    {"any", m_any, "(axis=None, keepdims=False)", "Returns True if any of the elements of a evaluate to True."},
    {"all", m_all, "(axis=None, keepdims=False)", "Returns True if all elements evaluate to True."},
    {"argmax", m_argmax, "(axis=None)", "Return indices of the maximum values along the given axis."},
    {"argmin", m_argmin, "(axis=None)", "Return indices of the minimum values along the given axis."},
    {"astype", m_astype, "(dtype)", "Copy of the array, cast to a specified type."},
    {"copy", m_copy, "()", "Return a copy of the array."},
    {"reshape", m_reshape, "(*shape)", "Returns an array containing the same data with a new shape."},
    {"flatten", m_flatten, "()", "Return a copy of the array collapsed into one dimension."},
    {"ravel", m_ravel, "()", "Return a flattened array."},
    {"transpose", m_transpose, "(*axes)", "Returns a view of the array with axes transposed."},
    {"tolist", m_tolist, "()", "Return the array as a nested list of Python scalars."},
    {"item", m_item, "(*args)", "Copy an element of an array to a standard Python scalar and return it."},
    {"fill", m_fill, "(value)", "Fill the array with a scalar value."},
    {"dot", m_dot, "(b)", "Dot product of two arrays."},
    {"squeeze", m_squeeze, "(axis=None)", "Remove axes of length one."},
    {"argsort", m_argsort, "()", "Returns the indices that would sort this array."},
    {"sort", m_sort, "()", "Sort an array in-place."},
    {"cumsum", m_cumsum, "(axis=None)", "Return the cumulative sum of the elements along the given axis."},
    {"__abs__", m_abs, "()", "abs(self)"},
    {"round", m_round, "(decimals=0)", "Return a with each element rounded to the given number of decimals."},
    {NULL, NULL, NULL, NULL},
};

const ValueType type_ndarray = {.name = "ndarray", .tp_name = "numpy.ndarray",
                                .module = "numpy",
                                .destroy = destroy_array,
                                .repr = repr_array,
                                .str = str_array,
                                .getattr = getattr_array,
                                .setattr = setattr_array,
                                .truth = truth_array,
                                .length = length_array,
                                .dir = dir_array,
                                .getitem = getitem_array,
                                .setitem = setitem_array,
                                .contains = contains_array,
                                .iter = iter_array,
                                .binary = binary_array,
                                .compare = compare_array,
                                .unary = unary_array,
                                .methods = ndarray_methods,
                                .as_number = as_number_array,
                                .doc = "ndarray(shape, dtype=float)\n\nAn array object represents "
                                       "a multidimensional, homogeneous array of fixed-size items."};

const ValueType type_np_float32 = {.name = "float32", .tp_name = "numpy.float32",
                                   .module = "numpy",
                                   .destroy = destroy_array,
                                   .repr = repr_array,
                                   .str = str_array,
                                   .getattr = getattr_array,
                                   .truth = truth_array,
                                   .binary = binary_array,
                                   .compare = compare_array,
                                   .unary = unary_array,
                                   .methods = ndarray_methods,
                                   .as_number = as_number_array,
                                   .doc = "Single-precision floating-point number type."};

const ValueType type_np_float64 = {.name = "float64", .tp_name = "numpy.float64",
                                   .module = "numpy",
                                   .destroy = destroy_array,
                                   .repr = repr_array,
                                   .str = str_array,
                                   .getattr = getattr_array,
                                   .truth = truth_array,
                                   .binary = binary_array,
                                   .compare = compare_array,
                                   .unary = unary_array,
                                   .methods = ndarray_methods,
                                   .as_number = as_number_array,
                                   .base = &type_float,
                                   .doc = "Double-precision floating-point number type, compatible with Python `float`."};

const ValueType type_np_int64 = {.name = "int64", .tp_name = "numpy.int64",
                                   .module = "numpy",
                                   .destroy = destroy_array,
                                   .repr = repr_array,
                                   .str = str_array,
                                   .getattr = getattr_array,
                                   .truth = truth_array,
                                   .binary = binary_array,
                                   .compare = compare_array,
                                   .unary = unary_array,
                                   .methods = ndarray_methods,
                                   .as_number = as_number_array,
                                   .doc = "Signed integer type, compatible with C ``long``."};

const ValueType type_np_bool = {.name = "bool_", .tp_name = "numpy.bool_",
                                   .module = "numpy",
                                   .destroy = destroy_array,
                                   .repr = repr_array,
                                   .str = str_array,
                                   .getattr = getattr_array,
                                   .truth = truth_array,
                                   .binary = binary_array,
                                   .compare = compare_array,
                                   .unary = unary_array,
                                   .methods = ndarray_methods,
                                   .as_number = as_number_array,
                                   .doc = "Boolean type (True or False), stored as a byte."};
