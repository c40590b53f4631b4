/*
 * src/lang/np_strarray.c — NumPy string arrays (dtype '<U<n>'): np.array(['the', 'cat']),
 * printing as NumPy 1.24, indexing (ints, slices, index and boolean arrays), assignment
 * (truncated to the dtype's width), == / != against strings, iteration, tolist, and
 * np.random.choice / permutation of words. Elements are Python str values; the array owns
 * a row-major copy (slices copy rather than view). See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/np_value.h"
#include "lang/ops.h"

typedef struct NpStrArray {
    Value base;
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t count;
    Value **items; /* count str values (owned) */
    int64_t width; /* the dtype's length in characters */
} NpStrArray;

typedef struct NpStrDType {
    Value base;
    int64_t width;
} NpStrDType;

#define SA(v) ((NpStrArray *)(v))

bool np_is_str_array(const Value *v) { return v && v->type == &type_np_str_array; }

static void destroy_sa(Value *self) {
    NpStrArray *a = SA(self);
    for (int64_t i = 0; i < a->count; i++) val_release(a->items[i]);
    mem_free(a->items);
}

static void clear_sa(Value *self) {
    NpStrArray *a = SA(self);
    for (int64_t i = 0; i < a->count; i++) {
        Value *v = a->items[i];
        a->items[i] = NULL;
        val_release(v);
    }
}

/* A new array of the shape with `count` NULL slots (fill them all). */
static NpStrArray *new_sa(Interp *I, int ndim, const int64_t *shape, int64_t width) {
    NpStrArray *a = (NpStrArray *)val_alloc(I, &type_np_str_array, sizeof *a);
    if (!a) return NULL;
    a->ndim = ndim;
    a->count = 1;
    for (int d = 0; d < ndim; d++) {
        a->shape[d] = shape[d];
        a->count *= shape[d];
    }
    a->width = width < 1 ? 1 : width;
    Error err;
    a->items = mem_calloc((size_t)(a->count ? a->count : 1), sizeof *a->items, &err);
    if (!a->items) {
        interp_raise(I, &err);
        a->count = 0;
        val_release((Value *)a);
        return NULL;
    }
    return a;
}

/* The first `width` characters of s (NumPy truncates on assignment). */
static Value *truncated(Interp *I, Value *s, int64_t width) {
    StrValue *sv = (StrValue *)s;
    if ((int64_t)sv->nchars <= width) return val_retain(s);
    const char *p = sv->data;
    for (int64_t k = 0; k < width; k++) {
        unsigned char c = (unsigned char)*p++;
        if (c >= 0xC0) while (((unsigned char)*p & 0xC0) == 0x80) p++;
    }
    return val_strn(I, sv->data, (size_t)(p - sv->data));
}

/* str() of a leaf as NumPy converts it into a string array. */
static Value *leaf_str(Interp *I, Value *v) {
    if (val_is_str(v)) return val_retain(v);
    StrBuf sb = SB_INIT;
    if (val_str_of(I, v, &sb)) {
        sb_free(&sb);
        return NULL;
    }
    return val_str_from_sb(I, &sb);
}

typedef struct SScan {
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    bool shaped;
    int64_t count, width;
} SScan;

static int sscan(Interp *I, Value *v, int depth, SScan *s) {
    if (val_is(v, &type_list) || val_is(v, &type_tuple) || np_is_str_array(v)) {
        int64_t n = np_is_str_array(v) ? (SA(v)->ndim ? SA(v)->shape[0] : 1)
                                       : ((ListValue *)v)->count;
        if (np_is_str_array(v)) {
            NpStrArray *a = SA(v);
            if (!s->shaped) {
                s->ndim = depth + a->ndim;
                memcpy(s->shape + depth, a->shape, sizeof(int64_t) * (size_t)a->ndim);
                s->shaped = true;
            }
            for (int64_t i = 0; i < a->count; i++) {
                int64_t w = (int64_t)((StrValue *)a->items[i])->nchars;
                if (w > s->width) s->width = w;
            }
            s->count += a->count;
            return 0;
        }
        if (depth >= TENSOR_MAX_DIMS) return interp_error(I, ERR_VALUE, "too many dimensions");
        if (!s->shaped) s->shape[depth] = n;
        else if (depth >= s->ndim || s->shape[depth] != n)
            return interp_error(I, ERR_VALUE, "setting an array element with a sequence. The "
                                              "requested array has an inhomogeneous shape after %d "
                                              "dimensions.", depth);
        if (n == 0 && !s->shaped) {
            s->ndim = depth + 1;
            s->shaped = true;
        }
        for (int64_t i = 0; i < n; i++)
            if (sscan(I, ((ListValue *)v)->items[i], depth + 1, s)) return -1;
        return 0;
    }
    if (!s->shaped) {
        s->ndim = depth;
        s->shaped = true;
    } else if (s->ndim != depth) {
        return interp_error(I, ERR_VALUE, "setting an array element with a sequence. The "
                                          "requested array has an inhomogeneous shape after %d "
                                          "dimensions.", depth);
    }
    Value *str = leaf_str(I, v);
    if (!str) return -1;
    int64_t w = (int64_t)((StrValue *)str)->nchars;
    val_release(str);
    if (w > s->width) s->width = w;
    s->count++;
    return 0;
}

static int sfill(Interp *I, Value *v, NpStrArray *a, int64_t *pos) {
    if (np_is_str_array(v)) {
        for (int64_t i = 0; i < SA(v)->count; i++) a->items[(*pos)++] = val_retain(SA(v)->items[i]);
        return 0;
    }
    if (val_is(v, &type_list) || val_is(v, &type_tuple)) {
        for (int64_t i = 0; i < ((ListValue *)v)->count; i++)
            if (sfill(I, ((ListValue *)v)->items[i], a, pos)) return -1;
        return 0;
    }
    Value *s = leaf_str(I, v);
    if (!s) return -1;
    a->items[(*pos)++] = s;
    return 0;
}

bool np_object_has_str(Value *v) {
    if (val_is_str(v) || np_is_str_array(v)) return true;
    if (val_is(v, &type_list) || val_is(v, &type_tuple)) {
        ListValue *l = (ListValue *)v;
        for (int64_t i = 0; i < l->count; i++)
            if (np_object_has_str(l->items[i])) return true;
    }
    return false;
}

Value *np_str_array_from(Interp *I, Value *obj, int64_t width) {
    SScan s;
    memset(&s, 0, sizeof s);
    if (sscan(I, obj, 0, &s)) return NULL;
    NpStrArray *a = new_sa(I, s.ndim, s.shape, width > 0 ? width : s.width);
    if (!a) return NULL;
    int64_t pos = 0;
    if (sfill(I, obj, a, &pos)) {
        for (int64_t i = pos; i < a->count; i++) a->items[i] = val_str(I, "");
        val_release((Value *)a);
        return NULL;
    }
    if (width > 0)
        for (int64_t i = 0; i < a->count; i++) {
            Value *t = truncated(I, a->items[i], a->width);
            val_release(a->items[i]);
            a->items[i] = t;
        }
    return (Value *)a;
}

/* ---- printing ---- */

typedef struct ReprCtx {
    Interp *I;
    NpStrArray *a;
} ReprCtx;

static void elem_repr(void *ctx, int64_t flat, StrBuf *out) {
    ReprCtx *c = ctx;
    val_repr(c->I, c->a->items[flat], out);
}

static int repr_sa(Interp *I, Value *self, StrBuf *out) {
    NpStrArray *a = SA(self);
    ReprCtx c = {I, a};
    Error err;
    size_t start = out->len;
    sb_append(out, "array(");
    if (a->count > 0 || (a->ndim == 1 && a->shape[0] == 0)) {
        if (np_array2string_custom(a->ndim, a->shape, elem_repr, &c, np_print_options(I), ", ",
                                   "array(", ",", out, &err))
            return interp_raise(I, &err);
    } else {
        sb_append(out, "[], shape=(");
        for (int d = 0; d < a->ndim; d++)
            sb_appendf(out, "%lld%s", (long long)a->shape[d], d + 1 < a->ndim ? ", " : "");
        sb_appendc(out, ')');
    }
    sb_appendc(out, ',');
    char dt[48];
    snprintf(dt, sizeof dt, "dtype='<U%lld')", (long long)a->width);
    const char *text = out->data + start;
    const char *nl = strrchr(text, '\n');
    size_t last = nl ? strlen(nl + 1) : strlen(text);
    if ((int)(last + strlen(dt) + 1) > np_print_options(I)->linewidth) sb_append(out, "\n      ");
    else sb_appendc(out, ' ');
    sb_append(out, dt);
    return 0;
}

static int str_sa(Interp *I, Value *self, StrBuf *out) {
    NpStrArray *a = SA(self);
    if (a->ndim == 0) return val_str_of(I, a->items[0], out);
    ReprCtx c = {I, a};
    Error err;
    if (np_array2string_custom(a->ndim, a->shape, elem_repr, &c, np_print_options(I), " ", "", "",
                               out, &err))
        return interp_raise(I, &err);
    return 0;
}

/* ---- dtype ---- */

static int repr_sdt(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "dtype('<U%lld')", (long long)((NpStrDType *)self)->width);
    return 0;
}
static int str_sdt(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<U%lld", (long long)((NpStrDType *)self)->width);
    return 0;
}
static Value *compare_sdt(Interp *I, PyCmp op, Value *a, Value *b) {
    if (op != PYCMP_EQ && op != PYCMP_NE) return val_not_implemented(I);
    bool eq = false;
    if (b->type == a->type) eq = ((NpStrDType *)a)->width == ((NpStrDType *)b)->width;
    else if (val_is_str(b)) {
        char buf[48];
        snprintf(buf, sizeof buf, "<U%lld", (long long)((NpStrDType *)a)->width);
        eq = strcmp(buf, val_str_data(b)) == 0;
    }
    return val_bool(I, eq == (op == PYCMP_EQ));
}
static int64_t length_sdt(Interp *I, Value *self) { /* no fields */
    (void)I, (void)self;
    return 0;
}
static int truth_sdt(Interp *I, Value *self) {
    (void)I, (void)self;
    return 1;
}
static const ValueType type_np_str_dtype = {.name = "dtype", .tp_name = "numpy.dtype[str_]",
                                            .length = length_sdt,
                                            .truth = truth_sdt,
                                            .module = "numpy",
                                            .repr = repr_sdt,
                                            .str = str_sdt,
                                            .compare = compare_sdt};

/* ---- attributes, len, iteration ---- */

static Value *shape_of(Interp *I, NpStrArray *a) {
    Value *t = val_tuple_new(I, a->ndim);
    for (int d = 0; t && d < a->ndim; d++) ((ListValue *)t)->items[d] = val_int(I, a->shape[d]);
    return t;
}

static Value *getattr_sa(Interp *I, Value *self, const char *name) {
    NpStrArray *a = SA(self);
    if (strcmp(name, "shape") == 0) return shape_of(I, a);
    if (strcmp(name, "ndim") == 0) return val_int(I, a->ndim);
    if (strcmp(name, "size") == 0) return val_int(I, a->count);
    if (strcmp(name, "dtype") == 0) {
        NpStrDType *d = (NpStrDType *)val_alloc(I, &type_np_str_dtype, sizeof *d);
        if (d) d->width = a->width;
        return (Value *)d;
    }
    if (strcmp(name, "itemsize") == 0) return val_int(I, 4 * a->width);
    return NULL;
}

static int64_t length_sa(Interp *I, Value *self) {
    if (SA(self)->ndim == 0) {
        interp_error(I, ERR_TYPE, "len() of unsized object");
        return -1;
    }
    return SA(self)->shape[0];
}

static int truth_sa(Interp *I, Value *self) {
    NpStrArray *a = SA(self);
    if (a->count != 1) {
        if (a->count == 0) return 0;
        return interp_error(I, ERR_VALUE, "The truth value of an array with more than one element "
                                          "is ambiguous. Use a.any() or a.all()");
    }
    return ((StrValue *)a->items[0])->len > 0;
}

/* ---- indexing ---- */

/* Rows of a along axis 0 chosen by idx (n entries), as a new array (or a str for 1-d). */
static Value *take_rows(Interp *I, NpStrArray *a, const int64_t *idx, int64_t n, bool keep_dim) {
    int64_t inner = 1;
    for (int d = 1; d < a->ndim; d++) inner *= a->shape[d];
    int64_t shape[TENSOR_MAX_DIMS];
    int nd = 0;
    if (keep_dim) shape[nd++] = n;
    for (int d = 1; d < a->ndim; d++) shape[nd++] = a->shape[d];
    if (!keep_dim && nd == 0) return val_retain(a->items[idx[0]]);
    NpStrArray *r = new_sa(I, nd, shape, a->width);
    if (!r) return NULL;
    int64_t o = 0;
    for (int64_t k = 0; k < n; k++)
        for (int64_t j = 0; j < inner; j++) r->items[o++] = val_retain(a->items[idx[k] * inner + j]);
    return (Value *)r;
}

/* Row numbers selected by a key on axis 0: -1 with an error; *keep false for an int key. */
static int64_t *rows_for_key(Interp *I, NpStrArray *a, Value *key, int64_t *n, bool *keep) {
    Error err;
    int64_t len = a->ndim ? a->shape[0] : 0;
    if (a->ndim == 0) {
        interp_error(I, ERR_INDEX, "too many indices for array: array is 0-dimensional, but 1 "
                                   "were indexed");
        return NULL;
    }
    int64_t *idx;
    if (key->type == &type_slice) {
        int64_t start, stop, step, count;
        if (op_slice_indices(I, key, len, &start, &stop, &step, &count)) return NULL;
        idx = mem_alloc((size_t)(count ? count : 1) * sizeof *idx, &err);
        if (!idx) return interp_raise(I, &err), NULL;
        for (int64_t i = 0; i < count; i++) idx[i] = start + i * step;
        *n = count;
        *keep = true;
        return idx;
    }
    if (val_is(key, &type_list) || (np_is_array(key) && np_tensor(key)->ndim > 0)) {
        Tensor *t = np_is_array(key) ? tensor_retain(np_tensor(key))
                                     : np_from_object(I, key, false, DTYPE_INT64);
        if (!t) return NULL;
        int64_t m = tensor_numel(t), c = 0;
        idx = mem_alloc((size_t)(m ? m : 1) * sizeof *idx, &err);
        if (!idx) {
            tensor_release(t);
            return interp_raise(I, &err), NULL;
        }
        if (t->dtype == DTYPE_BOOL) {
            if (m != len) {
                mem_free(idx);
                tensor_release(t);
                interp_error(I, ERR_INDEX, "boolean index did not match indexed array along "
                                           "dimension 0; dimension is %lld but corresponding "
                                           "boolean dimension is %lld",
                             (long long)len, (long long)m);
                return NULL;
            }
            for (int64_t i = 0; i < m; i++)
                if (tensor_get_int(t, i)) idx[c++] = i;
        } else if (dtype_is_floating(t->dtype)) {
            mem_free(idx);
            tensor_release(t);
            interp_error(I, ERR_INDEX, "arrays used as indices must be of integer (or boolean) type");
            return NULL;
        } else {
            for (int64_t i = 0; i < m; i++) {
                int64_t k = tensor_get_int(t, i);
                if (k < -len || k >= len) {
                    mem_free(idx);
                    tensor_release(t);
                    interp_error(I, ERR_INDEX, "index %lld is out of bounds for axis 0 with size %lld",
                                 (long long)k, (long long)len);
                    return NULL;
                }
                idx[c++] = k < 0 ? k + len : k;
            }
        }
        tensor_release(t);
        *n = c;
        *keep = true;
        return idx;
    }
    int64_t k;
    if (op_index_value(I, key, &k)) {
        interp_clear_error(I);
        interp_error(I, ERR_INDEX, "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis "
                                   "(`None`) and integer or boolean arrays are valid indices");
        return NULL;
    }
    if (k < -len || k >= len) {
        interp_error(I, ERR_INDEX, "index %lld is out of bounds for axis 0 with size %lld",
                     (long long)k, (long long)len);
        return NULL;
    }
    idx = mem_alloc(sizeof *idx, &err);
    if (!idx) return interp_raise(I, &err), NULL;
    idx[0] = k < 0 ? k + len : k;
    *n = 1;
    *keep = false;
    return idx;
}

static Value *getitem_sa(Interp *I, Value *self, Value *key) {
    NpStrArray *a = SA(self);
    if (val_is(key, &type_tuple)) {
        ListValue *t = (ListValue *)key;
        Value *cur = val_retain(self);
        /* apply item by item: each int drops the leading dim, so later items index the rest */
        int64_t consumed_slices = 0;
        for (int64_t i = 0; i < t->count && cur; i++) {
            if (!np_is_str_array(cur)) {
                val_release(cur);
                interp_error(I, ERR_INDEX, "too many indices for array");
                return NULL;
            }
            if (t->items[i]->type == &type_slice && consumed_slices == 0 && i + 1 < t->count) {
                interp_error(I, ERR_INDEX, "embedlab's numpy string arrays take a slice only as "
                                           "the last index");
                val_release(cur);
                return NULL;
            }
            Value *next = getitem_sa(I, cur, t->items[i]);
            val_release(cur);
            cur = next;
        }
        return cur;
    }
    int64_t n;
    bool keep;
    int64_t *idx = rows_for_key(I, a, key, &n, &keep);
    if (!idx) return NULL;
    Value *r = take_rows(I, a, idx, n, keep);
    mem_free(idx);
    return r;
}

static int setitem_sa(Interp *I, Value *self, Value *key, Value *value) {
    NpStrArray *a = SA(self);
    if (!value) return interp_error(I, ERR_VALUE, "cannot delete array elements");
    int64_t n;
    bool keep;
    int64_t *idx = rows_for_key(I, a, key, &n, &keep);
    if (!idx) return -1;
    int64_t inner = 1;
    for (int d = 1; d < a->ndim; d++) inner *= a->shape[d];
    Value *src = np_is_str_array(value) ? val_retain(value) : np_str_array_from(I, value, -1);
    int rc = 0;
    if (!src) rc = -1;
    int64_t sc = src ? SA(src)->count : 0;
    if (!rc && sc != 1 && sc != n * inner)
        rc = interp_error(I, ERR_VALUE, "could not broadcast input array of %lld strings into "
                                        "%lld places", (long long)sc, (long long)(n * inner));
    for (int64_t k = 0, o = 0; !rc && k < n; k++)
        for (int64_t j = 0; j < inner; j++, o++) {
            Value *s = truncated(I, SA(src)->items[sc == 1 ? 0 : o], a->width);
            if (!s) {
                rc = -1;
                break;
            }
            val_release(a->items[idx[k] * inner + j]);
            a->items[idx[k] * inner + j] = s;
        }
    val_release(src);
    mem_free(idx);
    return rc;
}

typedef struct SIter {
    Value base;
    Value *arr;
    int64_t i;
} SIter;
static void destroy_siter(Value *self) { val_release(((SIter *)self)->arr); }
static void clear_siter(Value *self) {
    Value *a = ((SIter *)self)->arr;
    ((SIter *)self)->arr = NULL;
    val_release(a);
}
static Value *siter_self(Interp *I, Value *self) {
    (void)I;
    return val_retain(self);
}
static Value *siter_next(Interp *I, Value *self) {
    SIter *it = (SIter *)self;
    if (!it->arr || it->i >= SA(it->arr)->shape[0]) return NULL;
    Value *k = val_int(I, it->i++);
    Value *r = k ? getitem_sa(I, it->arr, k) : NULL;
    val_release(k);
    return r;
}
static const ValueType type_siter = {.name = "iterator",
                                     .destroy = destroy_siter,
                                     .clear = clear_siter,
                                     .iter = siter_self,
                                     .next = siter_next};
static Value *iter_sa(Interp *I, Value *self) {
    if (SA(self)->ndim == 0) {
        interp_error(I, ERR_TYPE, "iteration over a 0-d array");
        return NULL;
    }
    SIter *it = (SIter *)val_alloc(I, &type_siter, sizeof *it);
    if (it) it->arr = val_retain(self);
    return (Value *)it;
}

/* ---- comparisons ---- */

static Value *compare_sa(Interp *I, PyCmp op, Value *a, Value *b) {
    if (op != PYCMP_EQ && op != PYCMP_NE) return val_not_implemented(I);
    NpStrArray *x = SA(a);
    Error err;
    Tensor *t = tensor_zeros(DTYPE_BOOL, x->ndim, x->shape, &err);
    if (!t) return interp_raise(I, &err), NULL;
    for (int64_t i = 0; i < x->count; i++) {
        Value *other = NULL;
        if (val_is_str(b)) other = b;
        else if (np_is_str_array(b) && SA(b)->count == x->count) other = SA(b)->items[i];
        else if (np_is_str_array(b) && SA(b)->count == 1) other = SA(b)->items[0];
        int eq = other ? val_equal(I, x->items[i], other) : 0;
        tensor_store_int(t, i, (eq == 1) == (op == PYCMP_EQ));
    }
    return np_array_take(I, t, NULL);
}

static int contains_sa(Interp *I, Value *self, Value *item) {
    NpStrArray *a = SA(self);
    if (!val_is_str(item)) return 0;
    for (int64_t i = 0; i < a->count; i++)
        if (val_equal(I, a->items[i], item) == 1) return 1;
    return 0;
}

/* ---- methods ---- */

static Value *to_list(Interp *I, NpStrArray *a, int d, int64_t *pos) {
    if (d == a->ndim) return val_retain(a->items[(*pos)++]);
    Value *l = val_list_new(I, a->shape[d]);
    for (int64_t i = 0; l && i < a->shape[d]; i++) {
        Value *x = to_list(I, a, d + 1, pos);
        if (!x || val_list_append_take(I, l, x)) {
            val_release(l);
            return NULL;
        }
    }
    return l;
}

static Value *sm_tolist(Interp *I, Value *self, Value **argv) {
    (void)argv;
    int64_t pos = 0;
    return to_list(I, SA(self), 0, &pos);
}

static Value *sm_copy(Interp *I, Value *self, Value **argv) {
    (void)argv;
    NpStrArray *a = SA(self);
    NpStrArray *r = new_sa(I, a->ndim, a->shape, a->width);
    for (int64_t i = 0; r && i < a->count; i++) r->items[i] = val_retain(a->items[i]);
    return (Value *)r;
}

static Value *sm_reshape(Interp *I, Value *self, Value **argv) {
    NpStrArray *a = SA(self);
    ListValue *l = (ListValue *)argv[0];
    Value **items = l->items;
    int64_t n = l->count;
    if (n == 1 && val_is_sequence(items[0])) {
        n = ((ListValue *)items[0])->count;
        items = ((ListValue *)items[0])->items;
    }
    int64_t shape[TENSOR_MAX_DIMS], known = 1;
    int infer = -1;
    if (n > TENSOR_MAX_DIMS) {
        interp_error(I, ERR_VALUE, "too many dimensions");
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) {
        if (op_index_value(I, items[i], &shape[i])) return NULL;
        if (shape[i] == -1) infer = (int)i;
        else known *= shape[i];
    }
    if (infer >= 0 && known) shape[infer] = a->count / known;
    int64_t total = 1;
    for (int64_t i = 0; i < n; i++) total *= shape[i];
    if (total != a->count) {
        interp_error(I, ERR_VALUE, "cannot reshape array of size %lld into the requested shape",
                     (long long)a->count);
        return NULL;
    }
    NpStrArray *r = new_sa(I, (int)n, shape, a->width);
    for (int64_t i = 0; r && i < a->count; i++) r->items[i] = val_retain(a->items[i]);
    return (Value *)r;
}

static const BuiltinSpec str_array_methods[] = {
    {"tolist", sm_tolist, "()", "Return the array as a nested list of Python strings."},
    {"copy", sm_copy, "()", "Return a copy of the array."},
    {"reshape", sm_reshape, "(*shape)", "Returns an array containing the same data with a new shape."},
    {NULL, NULL, NULL, NULL},
};

const ValueType type_np_str_array = {.name = "ndarray", .tp_name = "numpy.ndarray",
                                     .module = "numpy",
                                     .destroy = destroy_sa,
                                     .clear = clear_sa,
                                     .repr = repr_sa,
                                     .str = str_sa,
                                     .getattr = getattr_sa,
                                     .truth = truth_sa,
                                     .length = length_sa,
                                     .getitem = getitem_sa,
                                     .setitem = setitem_sa,
                                     .contains = contains_sa,
                                     .iter = iter_sa,
                                     .compare = compare_sa,
                                     .methods = str_array_methods,
                                     .doc = "A NumPy array of strings (dtype '<U<n>')."};

/* ---- random choices of words ---- */

Value *np_str_array_take(Interp *I, Value *arr, const int64_t *idx, int nd, const int64_t *shape) {
    NpStrArray *a = SA(arr);
    if (nd < 0) return val_retain(a->items[idx[0]]);
    NpStrArray *r = new_sa(I, nd, shape, a->width);
    for (int64_t i = 0; r && i < r->count; i++) r->items[i] = val_retain(a->items[idx[i]]);
    return (Value *)r;
}

int64_t np_str_array_len(Value *arr) { return SA(arr)->ndim ? SA(arr)->shape[0] : 0; }
int np_str_array_ndim(Value *arr) { return SA(arr)->ndim; }
