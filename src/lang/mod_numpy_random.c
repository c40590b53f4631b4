/*
 * src/lang/mod_numpy_random.c — the `numpy.random` module: NumPy 1.24's legacy
 * RandomState (MT19937, bit-exact streams from core/np_random) and the module-level
 * functions bound to the global one. See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <time.h>

#include "core/mem.h"
#include "core/np_ops.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/np_value.h"
#include "lang/ops.h"

#define RS(self) (&((NpRandomValue *)(self))->st)

static const ValueType *random_state_type(void);

/* An optional size (None → *nd = -1 meaning "one Python scalar"). */
static int size_arg(Interp *I, Value *v, int64_t *shape, int *nd) {
    if (!v || val_is_none(v)) {
        *nd = -1;
        return 0;
    }
    return np_shape_arg(I, v, shape, nd);
}

typedef double (*Draw)(NpRandomState *st, double a, double b);

static double draw_double(NpRandomState *st, double a, double b) {
    (void)a;
    (void)b;
    return np_random_double(st);
}
static double draw_gauss(NpRandomState *st, double a, double b) { return a + b * np_random_gauss(st); }
static double draw_uniform(NpRandomState *st, double a, double b) { return a + b * np_random_double(st); }

static Value *draw_values(Interp *I, NpRandomState *st, int nd, const int64_t *shape, Draw f,
                          double a, double b) {
    if (nd < 0) return val_float(I, f(st, a, b));
    Error err;
    Tensor *t = tensor_zeros(DTYPE_FLOAT64, nd, shape, &err);
    if (!t) return interp_raise(I, &err), NULL;
    for (int64_t i = 0, n = tensor_numel(t); i < n; i++) tensor_set(t, i, f(st, a, b));
    return np_array_take(I, t, NULL);
}

/* *args dims for rand/randn (no args: one float). */
static int dims_args(Interp *I, Value *args, int64_t *shape, int *nd) {
    ListValue *l = (ListValue *)args;
    if (l->count == 0) {
        *nd = -1;
        return 0;
    }
    if (l->count > TENSOR_MAX_DIMS) return interp_error(I, ERR_VALUE, "too many dimensions");
    for (int64_t i = 0; i < l->count; i++) {
        if (!val_is_int(l->items[i]) && !(np_is_array(l->items[i]) && !dtype_is_floating(np_tensor(l->items[i])->dtype)))
            return interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                                val_type_name(l->items[i]));
        if (op_index_value(I, l->items[i], &shape[i])) return -1;
        if (shape[i] < 0) return interp_error(I, ERR_VALUE, "negative dimensions are not allowed");
    }
    *nd = (int)l->count;
    return 0;
}

static Value *r_seed(Interp *I, Value *self, Value **argv) {
    NpRandomState *st = RS(self);
    Value *s = argv[0];
    if (!s || val_is_none(s)) {
        uint32_t k[4] = {(uint32_t)time(NULL), (uint32_t)clock(), (uint32_t)(uintptr_t)st,
                         (uint32_t)((uintptr_t)st >> 32)};
        np_random_seed_array(st, k, 4);
        st->key[0] = 0x80000000u;
        return val_none(I);
    }
    if (val_is_int(s) || (np_is_array(s) && np_tensor(s)->ndim == 0 && !dtype_is_floating(np_tensor(s)->dtype))) {
        int64_t k;
        if (op_index_value(I, s, &k)) return NULL;
        if (k < 0 || k > 4294967295LL) {
            interp_error(I, ERR_VALUE, "Seed must be between 0 and 2**32 - 1");
            return NULL;
        }
        np_random_seed(st, (uint32_t)k);
        return val_none(I);
    }
    if (val_is(s, &type_float)) {
        interp_error(I, ERR_TYPE, "Cannot cast scalar from dtype('float64') to dtype('int64') "
                                  "according to the rule 'safe'");
        return NULL;
    }
    Tensor *t = np_from_object(I, s, false, DTYPE_INT64);
    if (!t) return NULL;
    int64_t n = tensor_numel(t);
    if (n == 0 || t->ndim != 1 || dtype_is_floating(t->dtype)) {
        tensor_release(t);
        interp_error(I, ERR_VALUE, n == 0 ? "Seed must be non-empty" : "Seed array must be 1-d");
        return NULL;
    }
    Error err;
    uint32_t *keys = mem_alloc((size_t)n * sizeof *keys, &err);
    if (!keys) {
        tensor_release(t);
        return interp_raise(I, &err), NULL;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t k = tensor_get_int(t, i);
        if (k < 0 || k > 4294967295LL) {
            mem_free(keys);
            tensor_release(t);
            interp_error(I, ERR_VALUE, "Seed must be between 0 and 2**32 - 1");
            return NULL;
        }
        keys[i] = (uint32_t)k;
    }
    np_random_seed_array(st, keys, (int)n);
    mem_free(keys);
    tensor_release(t);
    return val_none(I);
}

static Value *r_rand(Interp *I, Value *self, Value **argv) {
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (dims_args(I, argv[0], shape, &nd)) return NULL;
    return draw_values(I, RS(self), nd, shape, draw_double, 0, 0);
}

static Value *r_randn(Interp *I, Value *self, Value **argv) {
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (dims_args(I, argv[0], shape, &nd)) return NULL;
    return draw_values(I, RS(self), nd, shape, draw_gauss, 0, 1);
}

static Value *r_random_sample(Interp *I, Value *self, Value **argv) {
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (size_arg(I, argv[0], shape, &nd)) return NULL;
    return draw_values(I, RS(self), nd, shape, draw_double, 0, 0);
}

static Value *r_standard_normal(Interp *I, Value *self, Value **argv) {
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (size_arg(I, argv[0], shape, &nd)) return NULL;
    return draw_values(I, RS(self), nd, shape, draw_gauss, 0, 1);
}

static Value *r_normal(Interp *I, Value *self, Value **argv) {
    double loc, scale;
    if (builtins_to_float(I, argv[0], &loc) || builtins_to_float(I, argv[1], &scale)) return NULL;
    if (scale < 0) {
        interp_error(I, ERR_VALUE, "scale < 0");
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (size_arg(I, argv[2], shape, &nd)) return NULL;
    return draw_values(I, RS(self), nd, shape, draw_gauss, loc, scale);
}

static Value *r_uniform(Interp *I, Value *self, Value **argv) {
    double lo, hi;
    if (builtins_to_float(I, argv[0], &lo) || builtins_to_float(I, argv[1], &hi)) return NULL;
    double range = hi - lo;
    if (!isfinite(range)) {
        interp_error(I, ERR_OVERFLOW, "Range exceeds valid bounds");
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (size_arg(I, argv[2], shape, &nd)) return NULL;
    return draw_values(I, RS(self), nd, shape, draw_uniform, lo, range);
}

/* randint(low, high) values into t (or one Python int when t is NULL). */
static Value *randint_impl(Interp *I, NpRandomState *st, int64_t low, int64_t high, int nd,
                           const int64_t *shape, DType dt) {
    if (low >= high) {
        interp_error(I, ERR_VALUE, "high <= low");
        return NULL;
    }
    uint64_t rng = (uint64_t)high - (uint64_t)low - 1;
    if (nd < 0) return val_int(I, (int64_t)((uint64_t)low + np_random_bounded(st, rng)));
    Error err;
    Tensor *t = tensor_zeros(dt, nd, shape, &err);
    if (!t) return interp_raise(I, &err), NULL;
    for (int64_t i = 0, n = tensor_numel(t); i < n; i++)
        tensor_store_int(t, i, (int64_t)((uint64_t)low + np_random_bounded(st, rng)));
    return np_array_take(I, t, NULL);
}

static Value *r_randint(Interp *I, Value *self, Value **argv) {
    int64_t low, high;
    if (op_index_value(I, argv[0], &low)) return NULL;
    if (!argv[1] || val_is_none(argv[1])) {
        high = low;
        low = 0;
    } else if (op_index_value(I, argv[1], &high)) {
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (size_arg(I, argv[2], shape, &nd)) return NULL;
    DType dt = DTYPE_INT64;
    bool given;
    if (np_arg_dtype(I, argv[3], &dt, &given)) return NULL;
    if (dt == DTYPE_BOOL) {
        if (low < 0 || high > 2) {
            interp_error(I, ERR_VALUE, low < 0 ? "low is out of bounds for bool" : "high is out of bounds for bool");
            return NULL;
        }
    } else if (dt != DTYPE_INT64) {
        interp_error(I, ERR_TYPE, "Unsupported dtype dtype('%s') for randint", np_dtype_name(dt));
        return NULL;
    }
    if (dt == DTYPE_BOOL && low < high) {
        /* _rand_bool: rng = high - low - 1, masked draws on a buffered 32-bit stream */
        uint64_t rng = (uint64_t)(high - low - 1);
        NpRandomState *st = RS(self);
        if (nd < 0) {
            bool v = rng == 0 ? (bool)low : (bool)(low + (np_random_next32(st) & 1));
            return val_bool(I, v);
        }
        Error err;
        Tensor *t = tensor_zeros(DTYPE_BOOL, nd, shape, &err);
        if (!t) return interp_raise(I, &err), NULL;
        uint32_t buf = 0;
        int bcnt = 0;
        for (int64_t i = 0, n = tensor_numel(t); i < n; i++) {
            int64_t v = low;
            if (rng) {
                if (bcnt == 0) {
                    buf = np_random_next32(st);
                    bcnt = 31;
                } else {
                    buf >>= 1;
                    bcnt--;
                }
                v = low + (buf & 1);
            }
            tensor_store_int(t, i, v);
        }
        return np_array_take(I, t, NULL);
    }
    return randint_impl(I, RS(self), low, high, nd, shape, dt);
}

/* shuffle of rows [0, n) of t (or of a Python list) with NumPy's random_interval steps. */
static int shuffle_tensor(Interp *I, NpRandomState *st, Tensor *t) {
    if (t->ndim == 0) return interp_error(I, ERR_TYPE, "object of type 'numpy.int64' has no len()");
    int64_t n = t->shape[0];
    Error err;
    Tensor *tmp = NULL;
    for (int64_t i = n - 1; i >= 1; i--) {
        int64_t j = (int64_t)np_random_interval(st, (uint64_t)i);
        if (i == j) continue;
        if (t->ndim == 1) {
            int64_t oi = t->offset + i * t->stride[0], oj = t->offset + j * t->stride[0];
            if (dtype_is_floating(t->dtype)) {
                double a = tensor_load(t, oi);
                tensor_store(t, oi, tensor_load(t, oj));
                tensor_store(t, oj, a);
            } else {
                int64_t a = tensor_load_int(t, oi);
                tensor_store_int(t, oi, tensor_load_int(t, oj));
                tensor_store_int(t, oj, a);
            }
            continue;
        }
        Tensor *ri = tensor_select(t, 0, i, &err), *rj = ri ? tensor_select(t, 0, j, &err) : NULL;
        if (!tmp && rj) tmp = np_copy(rj, t->dtype, &err);
        int rc = (!ri || !rj || !tmp || np_assign(tmp, rj, &err) || np_assign(rj, ri, &err) ||
                  np_assign(ri, tmp, &err));
        tensor_release(ri);
        tensor_release(rj);
        if (rc) {
            tensor_release(tmp);
            return interp_raise(I, &err);
        }
    }
    tensor_release(tmp);
    tensor_bump_version(t);
    return 0;
}

static Value *r_shuffle(Interp *I, Value *self, Value **argv) {
    NpRandomState *st = RS(self);
    Value *x = argv[0];
    if (np_is_array(x)) {
        if (shuffle_tensor(I, st, np_tensor(x))) return NULL;
        return val_none(I);
    }
    if (val_is(x, &type_list)) {
        ListValue *l = (ListValue *)x;
        for (int64_t i = l->count - 1; i >= 1; i--) {
            int64_t j = (int64_t)np_random_interval(st, (uint64_t)i);
            Value *a = l->items[i];
            l->items[i] = l->items[j];
            l->items[j] = a;
        }
        return val_none(I);
    }
    interp_error(I, ERR_TYPE, "embedlab's numpy shuffles arrays and lists, not %s", val_type_name(x));
    return NULL;
}

static Value *r_permutation(Interp *I, Value *self, Value **argv) {
    Value *x = argv[0];
    Tensor *t;
    Error err;
    if (np_is_str_array(x) || (val_is(x, &type_list) && np_object_has_str(x))) {
        Value *words = np_str_array_from(I, x, -1);
        if (!words) return NULL;
        int64_t n = np_str_array_len(words);
        if (np_str_array_ndim(words) != 1) {
            val_release(words);
            interp_error(I, ERR_VALUE, "embedlab's numpy permutes 1-d string arrays only");
            return NULL;
        }
        Tensor *p = tensor_zeros(DTYPE_INT64, 1, &n, &err);
        if (!p) {
            val_release(words);
            return interp_raise(I, &err), NULL;
        }
        for (int64_t i = 0; i < n; i++) tensor_store_int(p, i, i);
        Value *r = NULL;
        if (!shuffle_tensor(I, RS(self), p))
            r = np_str_array_take(I, words, (const int64_t *)p->storage->data, 1, &n);
        tensor_release(p);
        val_release(words);
        return r;
    }
    if (val_is_int(x)) {
        int64_t n = val_as_int(x);
        if (n < 0) n = 0; /* np.arange(-1) is empty */
        t = tensor_zeros(DTYPE_INT64, 1, &n, &err);
        if (!t) return interp_raise(I, &err), NULL;
        for (int64_t i = 0; i < n; i++) tensor_store_int(t, i, i);
    } else {
        Tensor *a = np_arr_arg(I, x);
        if (!a) return NULL;
        if (a->ndim < 1) {
            tensor_release(a);
            interp_error(I, ERR_INDEX, "x must be an integer or at least 1-dimensional");
            return NULL;
        }
        t = np_copy(a, a->dtype, &err);
        tensor_release(a);
        if (!t) return interp_raise(I, &err), NULL;
    }
    if (shuffle_tensor(I, RS(self), t)) {
        tensor_release(t);
        return NULL;
    }
    return np_array_take(I, t, NULL);
}

static Value *r_choice(Interp *I, Value *self, Value **argv) {
    NpRandomState *st = RS(self);
    Value *a = argv[0];
    int64_t pop;
    Tensor *pool = NULL;
    if (val_is_int(a)) {
        pop = val_as_int(a);
        if (pop <= 0) {
            interp_error(I, ERR_VALUE, "a must be greater than 0 unless no samples are taken");
            return NULL;
        }
    } else {
        bool strs = np_object_has_str(a);
        Value *words = NULL;
        if (strs) {
            words = np_str_array_from(I, a, -1);
            if (!words) return NULL;
            if (np_str_array_ndim(words) != 1) {
                val_release(words);
                interp_error(I, ERR_VALUE, "a must be 1-dimensional");
                return NULL;
            }
            pop = np_str_array_len(words);
            val_release(words);
        }
        if (!strs) {
            pool = np_arr_arg(I, a);
            if (!pool) return NULL;
            if (pool->ndim != 1) {
                tensor_release(pool);
                interp_error(I, ERR_VALUE, "a must be 1-dimensional");
                return NULL;
            }
            pop = pool->shape[0];
        }
        if (pop == 0) {
            tensor_release(pool);
            interp_error(I, ERR_VALUE, "'a' cannot be empty unless no samples are taken");
            return NULL;
        }
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int nd;
    if (size_arg(I, argv[1], shape, &nd)) {
        tensor_release(pool);
        return NULL;
    }
    int64_t count = 1;
    for (int i = 0; i < nd; i++) count *= shape[i];
    bool replace = !argv[2] || np_truthy(I, argv[2]);
    Value *p = argv[3];
    Error err;
    int64_t one = 1;
    Tensor *idx = tensor_zeros(DTYPE_INT64, nd < 0 ? 0 : nd, nd < 0 ? &one : shape, &err);
    if (!idx) {
        tensor_release(pool);
        return interp_raise(I, &err), NULL;
    }
    int rc = 0;
    if (p && !val_is_none(p)) {
        Tensor *pt = np_from_object(I, p, true, DTYPE_FLOAT64);
        if (!pt) rc = -1;
        else if (pt->ndim != 1) rc = interp_error(I, ERR_VALUE, "'p' must be 1-dimensional");
        else if (pt->shape[0] != pop) rc = interp_error(I, ERR_VALUE, "'a' and 'p' must have same size");
        if (!rc) {
            bool neg = false;
            for (int64_t i = 0; i < pop; i++) {
                double v = tensor_get(pt, i);
                if (v < 0) neg = true;
            }
            Tensor *cdf = np_cumsum(pt, -1, &err);
            if (!cdf) rc = interp_raise(I, &err);
            if (!rc && neg) rc = interp_error(I, ERR_VALUE, "probabilities are not non-negative");
            if (!rc) {
                Tensor *ps = np_sum(pt, -1, false, DTYPE_FLOAT64, &err);
                double psum = ps ? tensor_get(ps, 0) : 0;
                tensor_release(ps);
                if (!ps) rc = interp_raise(I, &err);
                else if (fabs(psum - 1.0) > sqrt(2.220446049250313e-16))
                    rc = interp_error(I, ERR_VALUE, "probabilities do not sum to 1");
            }
            if (!rc && !replace) rc = interp_error(I, ERR_NOT_IMPLEMENTED, "embedlab's numpy has no choice(replace=False, p=...)");
            if (!rc) {
                double last = tensor_get(cdf, pop - 1);
                for (int64_t i = 0; i < pop; i++) tensor_set(cdf, i, tensor_get(cdf, i) / last);
                for (int64_t k = 0; k < count; k++) {
                    double u = np_random_double(st);
                    int64_t lo = 0, hi = pop; /* searchsorted side='right' */
                    while (lo < hi) {
                        int64_t mid = (lo + hi) / 2;
                        if (tensor_get(cdf, mid) <= u) lo = mid + 1;
                        else hi = mid;
                    }
                    tensor_store_int(idx, k, lo);
                }
            }
            tensor_release(cdf);
        }
        tensor_release(pt);
    } else if (replace) {
        for (int64_t k = 0; k < count; k++)
            tensor_store_int(idx, k, (int64_t)np_random_bounded(st, (uint64_t)(pop - 1)));
    } else {
        if (count > pop) {
            rc = interp_error(I, ERR_VALUE, "Cannot take a larger sample than population when 'replace=False'");
        } else {
            Tensor *perm = tensor_zeros(DTYPE_INT64, 1, &pop, &err);
            if (!perm) rc = interp_raise(I, &err);
            for (int64_t i = 0; !rc && i < pop; i++) tensor_store_int(perm, i, i);
            if (!rc && shuffle_tensor(I, st, perm)) rc = -1;
            for (int64_t k = 0; !rc && k < count; k++) tensor_store_int(idx, k, tensor_get_int(perm, k));
            tensor_release(perm);
        }
    }
    if (rc) {
        tensor_release(idx);
        tensor_release(pool);
        return NULL;
    }
    Value *r;
    if (val_is_int(a)) {
        r = nd < 0 ? val_int(I, tensor_get_int(idx, 0)) : np_array_take(I, tensor_retain(idx), NULL);
    } else if (!pool) {
        Value *words = np_str_array_from(I, a, -1);
        const int64_t *ip = (const int64_t *)idx->storage->data + idx->offset;
        r = words ? np_str_array_take(I, words, ip, nd, shape) : NULL;
        val_release(words);
    } else {
        Value *pv = np_array_take(I, tensor_retain(pool), NULL);
        Value *key = pv ? (nd < 0 ? val_int(I, tensor_get_int(idx, 0)) : np_array_take(I, tensor_retain(idx), NULL)) : NULL;
        r = key ? op_getitem(I, pv, key) : NULL;
        val_release(key);
        val_release(pv);
    }
    tensor_release(idx);
    tensor_release(pool);
    return r;
}

static const BuiltinSpec random_methods[] = {
    {"seed", r_seed, "(seed=None)", "Reseed the legacy MT19937 generator (NumPy's RandomState)."},
    {"rand", r_rand, "(*args)", "Random values in a given shape, uniform over [0, 1)."},
    {"randn", r_randn, "(*args)", "Return a sample (or samples) from the \"standard normal\" distribution."},
    {"randint", r_randint, "(low, high=None, size=None, dtype=None)", "Return random integers from low (inclusive) to high (exclusive)."},
    {"random_sample", r_random_sample, "(size=None)", "Return random floats in the half-open interval [0.0, 1.0)."},
    {"random", r_random_sample, "(size=None)", "Return random floats in the half-open interval [0.0, 1.0)."},
    {"standard_normal", r_standard_normal, "(size=None)", "Draw samples from a standard Normal distribution (mean=0, stdev=1)."},
    {"normal", r_normal, "(loc=0.0, scale=1.0, size=None)", "Draw random samples from a normal (Gaussian) distribution."},
    {"uniform", r_uniform, "(low=0.0, high=1.0, size=None)", "Draw samples from a uniform distribution."},
    {"choice", r_choice, "(a, size=None, replace=True, p=None)", "Generates a random sample from a given 1-D array."},
    {"permutation", r_permutation, "(x)", "Randomly permute a sequence, or return a permuted range."},
    {"shuffle", r_shuffle, "(x)", "Modify a sequence in-place by shuffling its contents."},
    {NULL, NULL, NULL, NULL},
};

static int repr_random_state(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    (void)self;
    sb_append(out, "RandomState(MT19937)");
    return 0;
}

const ValueType type_np_random_state = {.name = "RandomState",
                                        .module = "numpy.random.mtrand",
                                        .repr = repr_random_state,
                                        .methods = random_methods,
                                        .init_signature = "(seed=None)",
                                        .doc = "Container for the slow Mersenne Twister pseudo-random "
                                               "number generator (NumPy's legacy RandomState)."};

static const ValueType *random_state_type(void) { return &type_np_random_state; }

static Value *new_random_state(Interp *I, Value *seed) {
    NpRandomValue *r = (NpRandomValue *)val_alloc(I, random_state_type(), sizeof *r);
    if (!r) return NULL;
    Value *args[1] = {seed};
    Value *ok = r_seed(I, (Value *)r, args);
    if (!ok) {
        val_release((Value *)r);
        return NULL;
    }
    val_release(ok);
    return (Value *)r;
}

static Value *construct_random_state(Interp *I, CallArgs *args) {
    if (args->nargs > 1 || args->nkw > (args->nargs ? 0 : 1)) {
        interp_error(I, ERR_TYPE, "RandomState() takes at most 1 argument");
        return NULL;
    }
    Value *seed = args->nargs ? args->args[0] : args->nkw ? args->kwvalues[0] : NULL;
    return new_random_state(I, seed);
}

static int init_random(Interp *I, Value *m) {
    Value *r = new_random_state(I, NULL);
    if (!r) return -1;
    int rc = module_set(I, m, "_rand", r);
    static const char *const qualnames[] = {
        "numpy.random.seed", "numpy.random.rand", "numpy.random.randn", "numpy.random.randint",
        "numpy.random.random_sample", "numpy.random.random", "numpy.random.standard_normal",
        "numpy.random.normal", "numpy.random.uniform", "numpy.random.choice",
        "numpy.random.permutation", "numpy.random.shuffle", NULL};
    for (int i = 0; !rc && random_methods[i].name; i++) {
        Value *fn = builtin_new(I, &random_methods[i], qualnames[i] ? qualnames[i] : "numpy.random", r);
        rc = fn ? module_set(I, m, random_methods[i].name, fn) : -1;
        val_release(fn);
    }
    val_release(r);
    if (rc) return -1;
    if (builtins_set_constructor(I, &type_np_random_state, construct_random_state)) return -1;
    Value *t = builtins_type_value(I, &type_np_random_state);
    rc = t ? module_set(I, m, "RandomState", t) : -1;
    val_release(t);
    return rc;
}

const ModuleDef module_def_numpy_random = {
    "numpy.random", NULL, init_random,
    "NumPy's legacy random numbers (np.random.seed, rand, randn, randint, random, normal, "
    "uniform, choice, permutation, shuffle, RandomState), bit-exact with NumPy 1.24."};
