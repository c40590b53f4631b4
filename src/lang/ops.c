/*
 * src/lang/ops.c — Python operator semantics for values. See ops.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "lang/callable.h"
#include "lang/exceptions.h"
#include "lang/format.h"
#include "lang/interp.h"
#include "lang/unicode.h"

static const char *const pyop_symbols[PYOP_COUNT] = {
#define PYOP_SYMBOL(e, sym, name) sym,
    PYOP_LIST(PYOP_SYMBOL)
#undef PYOP_SYMBOL
};

/* ---- numbers ---- */

static bool is_float(const Value *v) { return val_is(v, &type_float); }

static Value *int_result(Interp *I, bool overflow, int64_t r) {
    if (overflow) {
        interp_error(I, ERR_OVERFLOW, "integer result does not fit in 64 bits");
        interp_hint(I, "embedlab's ints are 64-bit; Python's are unbounded");
        return NULL;
    }
    return val_int(I, r);
}

/* Python's floor division and modulo on int64. */
static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b) {
    int64_t m = a % b;
    if (m != 0 && ((m < 0) != (b < 0))) m += b;
    return m;
}

static Value *int_pow(Interp *I, int64_t base, int64_t exp) {
    if (exp < 0) {
        if (base == 0) {
            interp_error(I, ERR_ZERO_DIVISION, "0.0 cannot be raised to a negative power");
            return NULL;
        }
        return val_float(I, pow((double)base, (double)exp));
    }
    int64_t result = 1;
    bool overflow = false;
    while (exp > 0) {
        if (exp & 1) overflow |= __builtin_mul_overflow(result, base, &result);
        exp >>= 1;
        if (exp) overflow |= __builtin_mul_overflow(base, base, &base);
    }
    return int_result(I, overflow, result);
}

static Value *int_binary(Interp *I, PyOp op, int64_t a, int64_t b) {
    int64_t r = 0;
    bool overflow = false;
    switch (op) {
    case PYOP_ADD: overflow = __builtin_add_overflow(a, b, &r); break;
    case PYOP_SUB: overflow = __builtin_sub_overflow(a, b, &r); break;
    case PYOP_MUL: overflow = __builtin_mul_overflow(a, b, &r); break;
    case PYOP_DIV:
        if (b == 0) {
            interp_error(I, ERR_ZERO_DIVISION, "division by zero");
            return NULL;
        }
        return val_float(I, (double)a / (double)b);
    case PYOP_FLOORDIV:
    case PYOP_MOD:
        if (b == 0) {
            interp_error(I, ERR_ZERO_DIVISION, op == PYOP_MOD ? "integer modulo by zero"
                                                              : "integer division or modulo by zero");
            return NULL;
        }
        if (a == INT64_MIN && b == -1) return int_result(I, op == PYOP_FLOORDIV, 0);
        r = op == PYOP_FLOORDIV ? floor_div(a, b) : floor_mod(a, b);
        break;
    case PYOP_POW: return int_pow(I, a, b);
    case PYOP_LSHIFT:
    case PYOP_RSHIFT:
        if (b < 0) {
            interp_error(I, ERR_VALUE, "negative shift count");
            return NULL;
        }
        if (op == PYOP_RSHIFT) r = b >= 64 ? (a < 0 ? -1 : 0) : a >> b;
        else {
            overflow = b >= 63 ? a != 0 : (a > (INT64_MAX >> b) || a < (INT64_MIN >> b));
            if (!overflow) r = (int64_t)((uint64_t)a << b);
        }
        break;
    case PYOP_AND: r = a & b; break;
    case PYOP_OR: r = a | b; break;
    case PYOP_XOR: r = a ^ b; break;
    default: return NULL;
    }
    return int_result(I, overflow, r);
}

static Value *float_binary(Interp *I, PyOp op, double a, double b) {
    switch (op) {
    case PYOP_ADD: return val_float(I, a + b);
    case PYOP_SUB: return val_float(I, a - b);
    case PYOP_MUL: return val_float(I, a * b);
    case PYOP_DIV:
        if (b == 0) {
            interp_error(I, ERR_ZERO_DIVISION, "float division by zero");
            return NULL;
        }
        return val_float(I, a / b);
    case PYOP_FLOORDIV:
    case PYOP_MOD: {
        if (b == 0) {
            interp_error(I, ERR_ZERO_DIVISION, op == PYOP_MOD ? "float modulo"
                                                              : "float floor division by zero");
            return NULL;
        }
        /* CPython's float_divmod. */
        double mod = fmod(a, b);
        double div = (a - mod) / b;
        if (mod != 0) {
            if ((b < 0) != (mod < 0)) {
                mod += b;
                div -= 1.0;
            }
        } else {
            mod = copysign(0.0, b);
        }
        double floordiv;
        if (div != 0) {
            floordiv = floor(div);
            if (div - floordiv > 0.5) floordiv += 1.0;
        } else {
            floordiv = copysign(0.0, a / b);
        }
        return val_float(I, op == PYOP_MOD ? mod : floordiv);
    }
    case PYOP_POW: {
        if (a == 0 && b < 0) {
            interp_error(I, ERR_ZERO_DIVISION, "0.0 cannot be raised to a negative power");
            return NULL;
        }
        if (a < 0 && b != floor(b) && isfinite(b)) {
            interp_error(I, ERR_VALUE, "complex results are not supported by embedlab");
            interp_hint(I, "Python would return a complex number here");
            return NULL;
        }
        double r = pow(a, b);
        if (isinf(r) && isfinite(a) && isfinite(b)) {
            interp_error(I, ERR_OVERFLOW, "(34, 'Numerical result out of range')");
            return NULL;
        }
        return val_float(I, r);
    }
    default: return NULL;
    }
}

/* ---- sequences ---- */

static bool is_tuple_like(const Value *v) {
    return val_is(v, &type_tuple) || val_is(v, &type_torch_size);
}

/* a + b for lists and tuples; torch.Size + tuple stays a torch.Size (Size.__add__). */
static Value *sequence_concat(Interp *I, Value *a, Value *b) {
    ListValue *x = (ListValue *)a, *y = (ListValue *)b;
    int64_t n = x->count + y->count;
    Value *out = val_is(a, &type_list) ? val_list_new(I, n) : val_tuple_new(I, n);
    if (out && val_is(a, &type_torch_size)) out->type = &type_torch_size;
    if (!out) return NULL;
    ListValue *o = (ListValue *)out;
    for (int64_t i = 0; i < x->count; i++) o->items[i] = val_retain(x->items[i]);
    for (int64_t i = 0; i < y->count; i++) o->items[x->count + i] = val_retain(y->items[i]);
    o->count = n;
    return out;
}

static Value *sequence_repeat(Interp *I, Value *seq, int64_t times) {
    ListValue *x = (ListValue *)seq;
    if (times < 0) times = 0;
    int64_t n;
    if (__builtin_mul_overflow(x->count, times, &n) || n > ((int64_t)1 << 27)) {
        interp_error(I, ERR_MEMORY, "repeated sequence would be too large");
        return NULL;
    }
    Value *out = val_is(seq, &type_list) ? val_list_new(I, n) : val_tuple_new(I, n);
    if (!out) return NULL;
    if (val_is(seq, &type_torch_size)) out->type = &type_torch_size;
    ListValue *o = (ListValue *)out;
    for (int64_t t = 0; t < times; t++)
        for (int64_t i = 0; i < x->count; i++) o->items[t * x->count + i] = val_retain(x->items[i]);
    o->count = n;
    return out;
}

static Value *str_repeat(Interp *I, Value *s, int64_t times) {
    size_t len = val_str_len(s);
    if (times <= 0 || len == 0) return val_str(I, "");
    if ((uint64_t)times > ((uint64_t)1 << 30) / len) {
        interp_error(I, ERR_MEMORY, "repeated string would be too large");
        return NULL;
    }
    StrBuf sb = SB_INIT;
    for (int64_t i = 0; i < times; i++) sb_appendn(&sb, val_str_data(s), len);
    return val_str_from_sb(I, &sb);
}

static bool is_list_or_tuple(const Value *v) {
    return val_is(v, &type_list) || val_is(v, &type_tuple);
}

/* The builtin rules for a <op> b, or NotImplemented. */
static Value *builtin_binary(Interp *I, PyOp op, Value *a, Value *b) {
    if (val_is_int(a) && val_is_int(b)) {
        if (val_is(a, &type_bool) && val_is(b, &type_bool) &&
            (op == PYOP_AND || op == PYOP_OR || op == PYOP_XOR)) {
            Value *r = int_binary(I, op, val_as_int(a), val_as_int(b));
            if (!r) return NULL;
            bool bit = val_as_int(r) != 0;
            val_release(r);
            return val_bool(I, bit);
        }
        if (op != PYOP_MATMUL) return int_binary(I, op, val_as_int(a), val_as_int(b));
    }
    if (val_is_number(a) && val_is_number(b) && (is_float(a) || is_float(b)) &&
        op != PYOP_MATMUL && op != PYOP_LSHIFT && op != PYOP_RSHIFT && op != PYOP_AND &&
        op != PYOP_OR && op != PYOP_XOR)
        return float_binary(I, op, val_as_float(a), val_as_float(b));
    if (op == PYOP_ADD) {
        if (val_is_str(a) && val_is_str(b)) {
            StrBuf sb = SB_INIT;
            sb_appendn(&sb, val_str_data(a), val_str_len(a));
            sb_appendn(&sb, val_str_data(b), val_str_len(b));
            return val_str_from_sb(I, &sb);
        }
        if ((val_is(a, &type_list) && val_is(b, &type_list)) ||
            (is_tuple_like(a) && is_tuple_like(b)))
            return sequence_concat(I, a, b);
    }
    if (op == PYOP_MUL) {
        if (val_is_str(a) && val_is_int(b)) return str_repeat(I, a, val_as_int(b));
        if (val_is_int(a) && val_is_str(b)) return str_repeat(I, b, val_as_int(a));
        if ((is_list_or_tuple(a) || val_is(a, &type_torch_size)) && val_is_int(b))
            return sequence_repeat(I, a, val_as_int(b));
        if (val_is_int(a) && (is_list_or_tuple(b) || val_is(b, &type_torch_size)))
            return sequence_repeat(I, b, val_as_int(a));
    }
    return val_not_implemented(I);
}

Value *op_binary(Interp *I, PyOp op, Value *a, Value *b) {
    if (a->type->binary) {
        Value *r = a->type->binary(I, op, a, b, false);
        if (!r || !val_is_not_implemented(I, r)) return r;
        val_release(r);
    }
    if (b->type != a->type && b->type->binary) {
        Value *r = b->type->binary(I, op, a, b, true);
        if (!r || !val_is_not_implemented(I, r)) return r;
        val_release(r);
    }
    Value *r = builtin_binary(I, op, a, b);
    if (!r || !val_is_not_implemented(I, r)) return r;
    val_release(r);
    if (op == PYOP_MOD && val_is_str(a)) {
        StrBuf text = SB_INIT;
        Value *formatted = NULL;
        if (!format_percent(I, a, b, &text)) {
            if (sb_check(&text, &I->error)) interp_error(I, ERR_MEMORY, "out of memory");
            else formatted = val_strn(I, sb_str(&text), text.len);
        }
        sb_free(&text);
        return formatted;
    }
    if (op == PYOP_POW)
        interp_error(I, ERR_TYPE, "unsupported operand type(s) for ** or pow(): '%s' and '%s'",
                     val_type_name(a), val_type_name(b));
    else if (op == PYOP_ADD && val_is_str(a))
        interp_error(I, ERR_TYPE, "can only concatenate str (not \"%s\") to str",
                     val_type_name(b));
    else if (op == PYOP_ADD && val_is(a, &type_list))
        interp_error(I, ERR_TYPE, "can only concatenate list (not \"%s\") to list",
                     val_type_name(b));
    else if (op == PYOP_ADD && val_is(a, &type_tuple))
        interp_error(I, ERR_TYPE, "can only concatenate tuple (not \"%s\") to tuple",
                     val_type_name(b));
    else if (op == PYOP_MUL && (val_is_str(a) || is_list_or_tuple(a)) && !val_is_int(b))
        interp_error(I, ERR_TYPE, "can't multiply sequence by non-int of type '%s'",
                     val_type_name(b));
    else
        interp_error(I, ERR_TYPE, "unsupported operand type(s) for %s: '%s' and '%s'",
                     pyop_symbols[op], val_type_name(a), val_type_name(b));
    return NULL;
}

static int list_extend(Interp *I, Value *list, Value *iterable) {
    Value *items = op_to_list(I, iterable);
    if (!items) return -1;
    ListValue *src = (ListValue *)items;
    for (int64_t i = 0; i < src->count; i++) {
        if (val_list_append(I, list, src->items[i])) {
            val_release(items);
            return -1;
        }
    }
    val_release(items);
    return 0;
}

Value *op_inplace(Interp *I, PyOp op, Value *a, Value *b) {
    if (val_is(a, &type_list) && op == PYOP_ADD) {
        if (list_extend(I, a, b)) return NULL;
        return val_retain(a);
    }
    if (val_is(a, &type_list) && op == PYOP_MUL && val_is_int(b)) {
        ListValue *l = (ListValue *)a;
        int64_t n = l->count, times = val_as_int(b);
        if (times <= 0) {
            for (int64_t i = 0; i < n; i++) val_release(l->items[i]);
            l->count = 0;
            return val_retain(a);
        }
        for (int64_t t = 1; t < times; t++)
            for (int64_t i = 0; i < n; i++)
                if (val_list_append(I, a, l->items[i])) return NULL;
        return val_retain(a);
    }
    if (a->type->binary) {
        /* Types with in-place semantics (tensors) receive op | PYOP_COUNT. */
        Value *r = a->type->binary(I, (PyOp)(op + PYOP_COUNT), a, b, false);
        if (!r || !val_is_not_implemented(I, r)) return r;
        val_release(r);
    }
    return op_binary(I, op, a, b);
}

Value *op_unary(Interp *I, PyUnary op, Value *v) {
    if (v->type->unary) return v->type->unary(I, op, v);
    if (val_is_int(v)) {
        int64_t x = val_as_int(v);
        if (op == PYUNARY_POS) return val_int(I, x);
        if (op == PYUNARY_INVERT) return val_int(I, ~x);
        if (x == INT64_MIN) return int_result(I, true, 0);
        return val_int(I, -x);
    }
    if (is_float(v)) {
        if (op == PYUNARY_NEG) return val_float(I, -val_as_float(v));
        if (op == PYUNARY_POS) return val_retain(v);
    }
    static const char *const names[] = {"unary -", "unary +", "unary ~"};
    interp_error(I, ERR_TYPE, "bad operand type for %s: '%s'", names[op], val_type_name(v));
    return NULL;
}

/* ---- comparison ---- */

bool op_is(Value *a, Value *b) { return a == b; }

/* Three-way comparison for orderable builtin values; *ok false when not comparable. */
static int builtin_order(Interp *I, Value *a, Value *b, bool *ok, int *error) {
    *ok = true;
    if (val_is_number(a) && val_is_number(b)) {
        if (val_is_int(a) && val_is_int(b)) {
            int64_t x = val_as_int(a), y = val_as_int(b);
            return (x > y) - (x < y);
        }
        double x = val_as_float(a), y = val_as_float(b);
        if (isnan(x) || isnan(y)) return 2; /* unordered */
        return (x > y) - (x < y);
    }
    if (val_is_str(a) && val_is_str(b)) {
        size_t la = val_str_len(a), lb = val_str_len(b);
        int c = memcmp(val_str_data(a), val_str_data(b), la < lb ? la : lb);
        if (c == 0) c = (la > lb) - (la < lb);
        return (c > 0) - (c < 0);
    }
    if ((val_is(a, &type_list) && val_is(b, &type_list)) ||
        ((val_is(a, &type_tuple) || val_is(a, &type_torch_size)) &&
         (val_is(b, &type_tuple) || val_is(b, &type_torch_size)))) {
        ListValue *x = (ListValue *)a, *y = (ListValue *)b;
        int64_t n = x->count < y->count ? x->count : y->count;
        for (int64_t i = 0; i < n; i++) {
            int eq = val_equal(I, x->items[i], y->items[i]);
            if (eq < 0) {
                *error = 1;
                return 0;
            }
            if (!eq) return builtin_order(I, x->items[i], y->items[i], ok, error);
        }
        return (x->count > y->count) - (x->count < y->count);
    }
    *ok = false;
    return 0;
}

Value *op_compare(Interp *I, PyCmp op, Value *a, Value *b) {
    if (a->type->compare) {
        Value *r = a->type->compare(I, op, a, b);
        if (!r || !val_is_not_implemented(I, r)) return r;
        val_release(r);
    }
    if (b->type != a->type && b->type->compare) {
        static const PyCmp swapped[] = {PYCMP_EQ, PYCMP_NE, PYCMP_GT, PYCMP_GE, PYCMP_LT, PYCMP_LE};
        Value *r = b->type->compare(I, swapped[op], b, a);
        if (!r || !val_is_not_implemented(I, r)) return r;
        val_release(r);
    }
    if (op == PYCMP_EQ || op == PYCMP_NE) {
        int eq = val_equal(I, a, b);
        if (eq < 0) return NULL;
        return val_bool(I, op == PYCMP_EQ ? eq : !eq);
    }
    bool ok;
    int error = 0;
    int c = builtin_order(I, a, b, &ok, &error);
    if (error) return NULL;
    if (!ok) {
        static const char *const symbols[] = {"==", "!=", "<", "<=", ">", ">="};
        interp_error(I, ERR_TYPE, "'%s' not supported between instances of '%s' and '%s'",
                     symbols[op], val_type_name(a), val_type_name(b));
        return NULL;
    }
    bool r;
    if (c == 2) r = false;
    else if (op == PYCMP_LT) r = c < 0;
    else if (op == PYCMP_LE) r = c <= 0;
    else if (op == PYCMP_GT) r = c > 0;
    else r = c >= 0;
    return val_bool(I, r);
}

int op_contains(Interp *I, Value *container, Value *item) {
    if (container->type->contains) return container->type->contains(I, container, item);
    if (val_is_str(container)) {
        if (!val_is_str(item)) {
            interp_error(I, ERR_TYPE, "'in <string>' requires string as left operand, not %s",
                         val_type_name(item));
            return -1;
        }
        size_t n = val_str_len(item), h = val_str_len(container);
        if (n == 0) return 1;
        const char *hay = val_str_data(container), *needle = val_str_data(item);
        for (size_t i = 0; i + n <= h; i++)
            if (memcmp(hay + i, needle, n) == 0) return 1;
        return 0;
    }
    if (val_is_instance(container, &type_dict)) {
        Value *v = val_dict_get(I, container, item);
        if (!v && interp_has_error(I)) return -1;
        return v != NULL;
    }
    if (val_is(container, &type_range) && val_is_int(item)) {
        RangeValue *r = (RangeValue *)container;
        int64_t x = val_as_int(item);
        if (r->step > 0 ? (x < r->start || x >= r->stop) : (x > r->start || x <= r->stop))
            return 0;
        return (x - r->start) % r->step == 0;
    }
    Value *it = op_iter(I, container);
    if (!it) {
        if (I->error.code != ERR_TYPE) return -1; /* MemoryError, KeyboardInterrupt: as is */
        interp_clear_error(I);
        interp_error(I, ERR_TYPE, "argument of type '%s' is not iterable",
                     val_type_name(container));
        return -1;
    }
    int found = 0;
    for (;;) {
        Value *x = op_next(I, it);
        if (!x) {
            if (interp_has_error(I)) found = -1;
            break;
        }
        int eq = x == item ? 1 : val_equal(I, x, item);
        val_release(x);
        if (eq) {
            found = eq < 0 ? -1 : 1;
            break;
        }
    }
    val_release(it);
    return found;
}

/* ---- subscripts ---- */

int op_index_value(Interp *I, Value *v, int64_t *out) {
    if (val_is_int(v)) {
        *out = val_as_int(v);
        return 0;
    }
    if (v->type->as_number) {
        double f;
        bool is_int;
        Error saved = I->error;
        if (v->type->as_number(I, v, out, &f, &is_int) == 0 && is_int) return 0;
        I->error = saved;
    }
    return -1;
}

int op_slice_indices(Interp *I, Value *slice, int64_t length, int64_t *start, int64_t *stop,
                     int64_t *step, int64_t *count) {
    SliceValue *s = (SliceValue *)slice;
    int64_t st = 1;
    if (!val_is_none(s->step)) {
        if (!val_is_int(s->step))
            return interp_error(I, ERR_TYPE, "slice indices must be integers or None or have "
                                             "an __index__ method");
        st = val_as_int(s->step);
        if (st == 0) return interp_error(I, ERR_VALUE, "slice step cannot be zero");
    }
    int64_t lower = st < 0 ? -1 : 0, upper = st < 0 ? length - 1 : length;
    int64_t a, b;
    Value *bounds[2] = {s->start, s->stop};
    int64_t *targets[2] = {&a, &b};
    for (int i = 0; i < 2; i++) {
        if (val_is_none(bounds[i])) {
            *targets[i] = i == 0 ? (st < 0 ? upper : lower) : (st < 0 ? lower : upper);
            continue;
        }
        if (!val_is_int(bounds[i]))
            return interp_error(I, ERR_TYPE, "slice indices must be integers or None or have an "
                                             "__index__ method");
        int64_t x = val_as_int(bounds[i]);
        if (x < 0) {
            x += length;
            if (x < lower) x = lower;
        } else if (x > upper) {
            x = upper;
        }
        *targets[i] = x;
    }
    int64_t n = 0;
    if (st > 0 && b > a) n = (b - a + st - 1) / st;
    else if (st < 0 && a > b) n = (a - b - st - 1) / -st;
    *start = a;
    *stop = b;
    *step = st;
    *count = n;
    return 0;
}

static Value *sequence_getitem(Interp *I, Value *seq, Value *key, const char *what) {
    ListValue *l = (ListValue *)seq;
    if (val_is(key, &type_slice)) {
        int64_t start, stop, step, n;
        if (op_slice_indices(I, key, l->count, &start, &stop, &step, &n)) return NULL;
        Value *out;
        if (val_is(seq, &type_list)) out = val_list_new(I, n);
        else if (val_is(seq, &type_torch_size)) out = NULL;
        else out = val_tuple_new(I, n);
        if (val_is(seq, &type_torch_size)) {
            int64_t dims[64];
            int64_t m = n < 64 ? n : 64;
            for (int64_t i = 0; i < m; i++) dims[i] = val_as_int(l->items[start + i * step]);
            return val_torch_size_new(I, (int)m, dims);
        }
        if (!out) return NULL;
        ListValue *o = (ListValue *)out;
        for (int64_t i = 0; i < n; i++) o->items[i] = val_retain(l->items[start + i * step]);
        o->count = n;
        return out;
    }
    int64_t index;
    if (op_index_value(I, key, &index)) {
        interp_error(I, ERR_TYPE, "%s indices must be integers or slices, not %s", what,
                     val_type_name(key));
        return NULL;
    }
    if (index < 0) index += l->count;
    if (index < 0 || index >= l->count) {
        interp_error(I, ERR_INDEX, "%s index out of range", what);
        return NULL;
    }
    return val_retain(l->items[index]);
}

static Value *str_getitem(Interp *I, Value *s, Value *key) {
    const char *data = val_str_data(s);
    size_t len = val_str_len(s);
    StrValue *sv = (StrValue *)s;
    int64_t nchars = (int64_t)sv->nchars;
    if (val_is(key, &type_slice)) {
        int64_t start, stop, step, n;
        if (op_slice_indices(I, key, nchars, &start, &stop, &step, &n)) return NULL;
        StrBuf sb = SB_INIT;
        if (sv->ascii) {
            for (int64_t i = 0; i < n; i++) sb_appendc(&sb, data[start + i * step]);
        } else {
            for (int64_t i = 0; i < n; i++) {
                size_t off = utf8_offset(data, len, (size_t)(start + i * step)), used;
                utf8_decode(data + off, len - off, &used);
                sb_appendn(&sb, data + off, used);
            }
        }
        return val_str_from_sb(I, &sb);
    }
    int64_t index;
    if (op_index_value(I, key, &index)) {
        interp_error(I, ERR_TYPE, "string indices must be integers, not '%s'", val_type_name(key));
        return NULL;
    }
    if (index < 0) index += nchars;
    if (index < 0 || index >= nchars) {
        interp_error(I, ERR_INDEX, "string index out of range");
        return NULL;
    }
    size_t off = sv->ascii ? (size_t)index : utf8_offset(data, len, (size_t)index), used = 1;
    if (!sv->ascii) utf8_decode(data + off, len - off, &used);
    return val_strn(I, data + off, used);
}

static Value *range_getitem(Interp *I, Value *r, Value *key) {
    RangeValue *rv = (RangeValue *)r;
    int64_t n = op_len(I, r);
    if (val_is(key, &type_slice)) {
        int64_t start, stop, step, count;
        if (op_slice_indices(I, key, n, &start, &stop, &step, &count)) return NULL;
        return val_range(I, rv->start + start * rv->step, rv->start + stop * rv->step,
                         rv->step * step);
    }
    int64_t index;
    if (op_index_value(I, key, &index)) {
        interp_error(I, ERR_TYPE, "range indices must be integers or slices, not %s",
                     val_type_name(key));
        return NULL;
    }
    if (index < 0) index += n;
    if (index < 0 || index >= n) {
        interp_error(I, ERR_INDEX, "range object index out of range");
        return NULL;
    }
    return val_int(I, rv->start + index * rv->step);
}

Value *op_getitem(Interp *I, Value *obj, Value *key) {
    if (obj->type->getitem) return obj->type->getitem(I, obj, key);
    if (val_is(obj, &type_list)) return sequence_getitem(I, obj, key, "list");
    if (val_is_instance(obj, &type_tuple)) return sequence_getitem(I, obj, key, "tuple");
    if (val_is_str(obj)) return str_getitem(I, obj, key);
    if (val_is(obj, &type_range)) return range_getitem(I, obj, key);
    if (val_is_instance(obj, &type_dict)) {
        Value *v = val_dict_get(I, obj, key);
        if (v) return val_retain(v);
        if (!interp_has_error(I)) {
            exc_raise_key(I, key);
        }
        return NULL;
    }
    if (val_is(obj, &type_type))
        interp_error(I, ERR_TYPE, "type '%s' is not subscriptable", ((TypeValue *)obj)->of->name);
    else
        interp_error(I, ERR_TYPE, "'%s' object is not subscriptable", val_type_name(obj));
    return NULL;
}

static int list_setitem(Interp *I, Value *list, Value *key, Value *value) {
    ListValue *l = (ListValue *)list;
    if (val_is(key, &type_slice)) {
        int64_t start, stop, step, n;
        if (op_slice_indices(I, key, l->count, &start, &stop, &step, &n)) return -1;
        if (!value) { /* del l[a:b:c] */
            bool *drop = mem_calloc((size_t)l->count + 1, 1, NULL);
            if (!drop) return interp_error(I, ERR_MEMORY, "out of memory");
            for (int64_t i = 0; i < n; i++) drop[start + i * step] = true;
            int64_t w = 0;
            for (int64_t r = 0; r < l->count; r++) {
                if (drop[r]) val_release(l->items[r]);
                else l->items[w++] = l->items[r];
            }
            l->count = w;
            mem_free(drop);
            return 0;
        }
        Value *items = op_to_list(I, value);
        if (!items) return -1;
        ListValue *src = (ListValue *)items;
        if (step != 1) {
            if (src->count != n) {
                interp_error(I, ERR_VALUE,
                             "attempt to assign sequence of size %lld to extended slice of size "
                             "%lld",
                             (long long)src->count, (long long)n);
                val_release(items);
                return -1;
            }
            for (int64_t i = 0; i < n; i++) {
                Value *old = l->items[start + i * step];
                l->items[start + i * step] = val_retain(src->items[i]);
                val_release(old);
            }
            val_release(items);
            return 0;
        }
        if (stop < start) stop = start;
        /* Replace l[start:stop] by src: build the new item array. */
        int64_t total = l->count - (stop - start) + src->count;
        Value **fresh = mem_calloc((size_t)(total > 0 ? total : 1), sizeof *fresh, NULL);
        if (!fresh) {
            val_release(items);
            return interp_error(I, ERR_MEMORY, "out of memory");
        }
        int64_t w = 0;
        for (int64_t i = 0; i < start; i++) fresh[w++] = l->items[i];
        for (int64_t i = 0; i < src->count; i++) fresh[w++] = val_retain(src->items[i]);
        for (int64_t i = stop; i < l->count; i++) fresh[w++] = l->items[i];
        for (int64_t i = start; i < stop; i++) val_release(l->items[i]);
        mem_free(l->items);
        l->items = fresh;
        l->count = l->cap = total;
        val_release(items);
        return 0;
    }
    int64_t index;
    if (op_index_value(I, key, &index))
        return interp_error(I, ERR_TYPE, "list indices must be integers or slices, not %s",
                            val_type_name(key));
    if (index < 0) index += l->count;
    if (index < 0 || index >= l->count)
        return interp_error(I, ERR_INDEX, value ? "list assignment index out of range"
                                                : "list assignment index out of range");
    if (!value) {
        val_release(l->items[index]);
        memmove(l->items + index, l->items + index + 1,
                (size_t)(l->count - index - 1) * sizeof *l->items);
        l->count--;
        return 0;
    }
    Value *old = l->items[index];
    l->items[index] = val_retain(value);
    val_release(old);
    return 0;
}

int op_setitem(Interp *I, Value *obj, Value *key, Value *value) {
    if (obj->type->setitem) return obj->type->setitem(I, obj, key, value);
    if (val_is(obj, &type_list)) return list_setitem(I, obj, key, value);
    if (val_is_instance(obj, &type_dict)) {
        if (value) return val_dict_set(I, obj, key, value);
        int rc = val_dict_del(I, obj, key);
        if (rc < 0) return -1;
        if (rc == 0) {
            exc_raise_key(I, key);
            return -1;
        }
        return 0;
    }
    if (value)
        return interp_error(I, ERR_TYPE, "'%s' object does not support item assignment",
                            val_type_name(obj));
    return interp_error(I, ERR_TYPE, "'%s' object doesn't support item deletion",
                        val_type_name(obj));
}

/* ---- attributes ---- */

Value *op_getattr_opt(Interp *I, Value *obj, const char *name) {
    if (obj->type->getattr) {
        Value *v = obj->type->getattr(I, obj, name);
        if (v || interp_has_error(I)) return v;
    }
    const BuiltinSpec *spec = builtin_find(obj->type->methods, name);
    if (spec) return builtin_new(I, spec, NULL, obj);
    return NULL;
}

/* Levenshtein distance, capped for speed. */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t prev[41], cur[41];
    for (size_t j = 0; j <= lb; j++) prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, sizeof prev);
    }
    return prev[lb];
}

const char *ops_suggest(const char *name, const char *const *candidates) {
    const char *best = NULL;
    size_t best_distance = 99, limit = strlen(name) <= 4 ? 1 : (strlen(name) <= 8 ? 2 : 3);
    for (; candidates && *candidates; candidates++) {
        if (strcmp(*candidates, name) == 0) continue;
        size_t d = edit_distance(name, *candidates);
        if (d < best_distance) {
            best_distance = d;
            best = *candidates;
        }
    }
    return best_distance <= limit ? best : NULL;
}

/* Collects attribute names of obj (dir) into a NULL-terminated array of borrowed
 * strings held by `names` (a list of str values). */
static const char **attribute_names(Interp *I, Value *obj, Value **names_out) {
    Value *names = val_list_new(I, 16);
    if (!names) return NULL;
    if (obj->type->dir && obj->type->dir(I, obj, names)) {
        val_release(names);
        return NULL;
    }
    for (const BuiltinSpec *m = obj->type->methods; m && m->name; m++) {
        Value *s = val_str(I, m->name);
        if (!s || val_list_append_take(I, names, s)) {
            val_release(names);
            return NULL;
        }
    }
    ListValue *l = (ListValue *)names;
    const char **arr = mem_calloc((size_t)l->count + 1, sizeof *arr, NULL);
    if (!arr) {
        val_release(names);
        return NULL;
    }
    for (int64_t i = 0; i < l->count; i++) arr[i] = val_str_data(l->items[i]);
    *names_out = names;
    return arr;
}

Value *op_getattr(Interp *I, Value *obj, const char *name) {
    Value *v = op_getattr_opt(I, obj, name);
    if (v || interp_has_error(I)) return v;
    if (val_is(obj, &type_type))
        interp_error(I, ERR_ATTRIBUTE, "type object '%s' has no attribute '%s'",
                     ((TypeValue *)obj)->of->name, name);
    else if (strcmp(val_type_name(obj), "module") == 0 && obj->type->getattr) {
        Value *modname = obj->type->getattr(I, obj, "__name__");
        interp_error(I, ERR_ATTRIBUTE, "module '%s' has no attribute '%s'",
                     modname && val_is_str(modname) ? val_str_data(modname) : "?", name);
        val_release(modname);
    } else
        interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute '%s'", val_type_name(obj),
                     name);
    Error saved = I->error;
    Value *names = NULL;
    const char **candidates = attribute_names(I, obj, &names);
    I->error = saved;
    const char *suggestion = candidates ? ops_suggest(name, candidates) : NULL;
    if (suggestion) interp_hint(I, "did you mean '%s'?", suggestion);
    mem_free(candidates);
    val_release(names);
    return NULL;
}

int op_setattr(Interp *I, Value *obj, const char *name, Value *value) {
    if (obj->type->setattr) return obj->type->setattr(I, obj, name, value);
    Value *existing = op_getattr_opt(I, obj, name);
    if (interp_has_error(I)) return -1;
    if (existing) {
        val_release(existing);
        if (val_is_str(obj) || val_is_int(obj) || val_is(obj, &type_float) ||
            val_is(obj, &type_list) || val_is(obj, &type_dict) || val_is(obj, &type_tuple))
            return interp_error(I, ERR_ATTRIBUTE, "'%s' object attribute '%s' is read-only",
                                val_type_name(obj), name);
    }
    return interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute '%s'", val_type_name(obj),
                        name);
}

/* ---- iteration ---- */

typedef struct SeqIter {
    Value base;
    Value *seq;   /* list/tuple/str/dict/range being walked */
    int64_t index;
    int mode;     /* dicts: 0 keys, 1 values, 2 items */
} SeqIter;

static void destroy_seqiter(Value *self) { val_release(((SeqIter *)self)->seq); }
static void clear_seqiter(Value *self) {
    SeqIter *it = (SeqIter *)self;
    Value *seq = it->seq;
    it->seq = NULL;
    val_release(seq);
}

static Value *iter_self(Interp *I, Value *self) {
    (void)I;
    return val_retain(self);
}

static Value *next_seqiter(Interp *I, Value *self) {
    SeqIter *it = (SeqIter *)self;
    Value *seq = it->seq;
    if (!seq) return NULL;
    if (val_is(seq, &type_list) || val_is_instance(seq, &type_tuple) || val_is(seq, &type_torch_size)) {
        ListValue *l = (ListValue *)seq;
        if (it->index >= l->count) return NULL;
        return val_retain(l->items[it->index++]);
    }
    if (val_is_str(seq)) {
        size_t len = val_str_len(seq), off = (size_t)it->index;
        if (off >= len) return NULL;
        size_t used = 1;
        if ((unsigned char)val_str_data(seq)[off] >= 0x80)
            utf8_decode(val_str_data(seq) + off, len - off, &used);
        it->index += (int64_t)used;
        return val_strn(I, val_str_data(seq) + off, used);
    }
    if (val_is(seq, &type_range)) {
        RangeValue *r = (RangeValue *)seq;
        int64_t n = op_len(I, seq);
        if (it->index >= n) return NULL;
        return val_int(I, r->start + (it->index++) * r->step);
    }
    if (val_is_instance(seq, &type_dict)) {
        DictValue *d = (DictValue *)seq;
        while (it->index < d->used && !d->entries[it->index].key) it->index++;
        if (it->index >= d->used) return NULL;
        DictEntry *e = &d->entries[it->index++];
        if (it->mode == 0) return val_retain(e->key);
        if (it->mode == 1) return val_retain(e->value);
        Value *pair = val_tuple_new(I, 2);
        if (!pair) return NULL;
        ((ListValue *)pair)->items[0] = val_retain(e->key);
        ((ListValue *)pair)->items[1] = val_retain(e->value);
        return pair;
    }
    return NULL;
}

static const ValueType type_seqiter = {.name = "iterator",
                                       .destroy = destroy_seqiter,
                                       .clear = clear_seqiter,
                                       .iter = iter_self,
                                       .next = next_seqiter};

Value *ops_dict_iter(Interp *I, Value *dict, int mode);
Value *ops_dict_iter(Interp *I, Value *dict, int mode) {
    SeqIter *it = (SeqIter *)val_alloc(I, &type_seqiter, sizeof *it);
    if (!it) return NULL;
    it->seq = val_retain(dict);
    it->mode = mode;
    return (Value *)it;
}

Value *op_iter(Interp *I, Value *v) {
    if (v->type->iter) return v->type->iter(I, v);
    if (val_is_sequence(v) || val_is_str(v) || val_is(v, &type_range) || val_is_instance(v, &type_dict)) {
        SeqIter *it = (SeqIter *)val_alloc(I, &type_seqiter, sizeof *it);
        if (!it) return NULL;
        it->seq = val_retain(v);
        return (Value *)it;
    }
    interp_error(I, ERR_TYPE, "'%s' object is not iterable", val_type_name(v));
    return NULL;
}

Value *op_next(Interp *I, Value *iterator) {
    if (I->interrupt_requested) {
        interp_error(I, ERR_INTERRUPT, "%s", "");
        return NULL;
    }
    if (!iterator->type->next) {
        interp_error(I, ERR_TYPE, "'%s' object is not an iterator", val_type_name(iterator));
        return NULL;
    }
    return iterator->type->next(I, iterator);
}

Value *op_to_list(Interp *I, Value *iterable) {
    Value *it = op_iter(I, iterable);
    if (!it) return NULL;
    Value *list = val_list_new(I, 8);
    if (!list) {
        val_release(it);
        return NULL;
    }
    for (;;) {
        Value *x = op_next(I, it);
        if (!x) break;
        if (val_list_append_take(I, list, x)) break;
    }
    val_release(it);
    if (interp_has_error(I)) {
        val_release(list);
        return NULL;
    }
    return list;
}

int64_t op_len(Interp *I, Value *v) {
    if (v->type->length) return v->type->length(I, v);
    interp_error(I, ERR_TYPE, "object of type '%s' has no len()", val_type_name(v));
    return -1;
}
