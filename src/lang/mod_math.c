/*
 * src/lang/mod_math.c — the `math` and `typing` modules. See LICENSE (GPL-3.0-or-later).
 */
#include <errno.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/module.h"

/* ---- math ---- */

static int number_arg(Interp *I, Value *v, double *out) {
    if (val_is_number(v)) {
        *out = val_as_float(v);
        return 0;
    }
    if (v->type->as_number) return builtins_to_float(I, v, out);
    return interp_error(I, ERR_TYPE, "must be real number, not %s", val_type_name(v));
}

/* Applies f with Python's math error rules: a domain error (nan from a non-nan input) is
 * ValueError, an overflow (inf from finite input) OverflowError. */
static Value *math_unary(Interp *I, Value *arg, double (*f)(double)) {
    double x;
    if (number_arg(I, arg, &x)) return NULL;
    double r = f(x);
    if (isnan(r) && !isnan(x)) {
        interp_error(I, ERR_VALUE, "math domain error");
        return NULL;
    }
    if (isinf(r) && isfinite(x)) {
        if (f == log || f == log2 || f == log10) interp_error(I, ERR_VALUE, "math domain error");
        else interp_error(I, ERR_OVERFLOW, "math range error");
        return NULL;
    }
    return val_float(I, r);
}

#define MATH_UNARY(name)                                             \
    static Value *m_##name(Interp *I, Value *self, Value **argv) { \
        (void)self;                                                  \
        return math_unary(I, argv[0], name);                         \
    }
MATH_UNARY(sqrt)
MATH_UNARY(exp)
MATH_UNARY(log2)
MATH_UNARY(log10)
MATH_UNARY(sin)
MATH_UNARY(cos)
MATH_UNARY(tan)
MATH_UNARY(tanh)
MATH_UNARY(fabs)
MATH_UNARY(atan)
MATH_UNARY(asin)
MATH_UNARY(acos)

static Value *m_log(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!argv[1]) return math_unary(I, argv[0], log);
    double x, b;
    if (number_arg(I, argv[0], &x) || number_arg(I, argv[1], &b)) return NULL;
    if (x <= 0 || b <= 0) {
        interp_error(I, ERR_VALUE, "math domain error");
        return NULL;
    }
    if (b == 1) {
        interp_error(I, ERR_ZERO_DIVISION, "float division by zero");
        return NULL;
    }
    return val_float(I, log(x) / log(b));
}

static Value *round_to_int(Interp *I, Value *arg, double (*f)(double)) {
    if (val_is_int(arg)) return val_int(I, val_as_int(arg));
    double x;
    if (number_arg(I, arg, &x)) return NULL;
    if (isnan(x)) {
        interp_error(I, ERR_VALUE, "cannot convert float NaN to integer");
        return NULL;
    }
    if (isinf(x)) {
        interp_error(I, ERR_OVERFLOW, "cannot convert float infinity to integer");
        return NULL;
    }
    return val_int(I, (int64_t)f(x));
}
static Value *m_floor(Interp *I, Value *self, Value **argv) { (void)self; return round_to_int(I, argv[0], floor); }
static Value *m_ceil(Interp *I, Value *self, Value **argv) { (void)self; return round_to_int(I, argv[0], ceil); }
static Value *m_trunc(Interp *I, Value *self, Value **argv) { (void)self; return round_to_int(I, argv[0], trunc); }

static Value *m_pow(Interp *I, Value *self, Value **argv) {
    (void)self;
    double x, y;
    if (number_arg(I, argv[0], &x) || number_arg(I, argv[1], &y)) return NULL;
    if (x == 0 && y < 0) {
        interp_error(I, ERR_VALUE, "math domain error");
        return NULL;
    }
    double r = pow(x, y);
    if (isnan(r) && !isnan(x) && !isnan(y)) {
        interp_error(I, ERR_VALUE, "math domain error");
        return NULL;
    }
    if (isinf(r) && isfinite(x) && isfinite(y)) {
        interp_error(I, ERR_OVERFLOW, "math range error");
        return NULL;
    }
    return val_float(I, r);
}

static Value *m_isnan(Interp *I, Value *self, Value **argv) {
    (void)self;
    double x;
    return number_arg(I, argv[0], &x) ? NULL : val_bool(I, isnan(x));
}
static Value *m_isinf(Interp *I, Value *self, Value **argv) {
    (void)self;
    double x;
    return number_arg(I, argv[0], &x) ? NULL : val_bool(I, isinf(x));
}
static Value *m_isfinite(Interp *I, Value *self, Value **argv) {
    (void)self;
    double x;
    return number_arg(I, argv[0], &x) ? NULL : val_bool(I, isfinite(x));
}

static Value *m_isclose(Interp *I, Value *self, Value **argv) {
    (void)self;
    double a, b, rel, abs_tol;
    if (number_arg(I, argv[0], &a) || number_arg(I, argv[1], &b) ||
        number_arg(I, argv[2], &rel) || number_arg(I, argv[3], &abs_tol))
        return NULL;
    if (rel < 0 || abs_tol < 0) {
        interp_error(I, ERR_VALUE, "tolerances must be non-negative");
        return NULL;
    }
    if (a == b) return val_bool(I, true);
    if (isinf(a) || isinf(b)) return val_bool(I, false);
    double diff = fabs(b - a);
    bool close = diff <= fabs(rel * b) || diff <= fabs(rel * a) || diff <= abs_tol;
    return val_bool(I, close);
}

static Value *m_gcd(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is_int(argv[0]) || !val_is_int(argv[1])) {
        interp_error(I, ERR_TYPE, "'float' object cannot be interpreted as an integer");
        return NULL;
    }
    int64_t a = llabs(val_as_int(argv[0])), b = llabs(val_as_int(argv[1]));
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return val_int(I, a);
}

static const BuiltinSpec math_functions[] = {
    {"sqrt", m_sqrt, "(x, /)", "Return the square root of x."},
    {"exp", m_exp, "(x, /)", "Return e raised to the power of x."},
    {"log", m_log, "(x, base=?, /)", "Return the logarithm of x to the given base (default e)."},
    {"log2", m_log2, "(x, /)", "Return the base 2 logarithm of x."},
    {"log10", m_log10, "(x, /)", "Return the base 10 logarithm of x."},
    {"sin", m_sin, "(x, /)", "Return the sine of x (measured in radians)."},
    {"cos", m_cos, "(x, /)", "Return the cosine of x (measured in radians)."},
    {"tan", m_tan, "(x, /)", "Return the tangent of x (measured in radians)."},
    {"tanh", m_tanh, "(x, /)", "Return the hyperbolic tangent of x."},
    {"atan", m_atan, "(x, /)", "Return the arc tangent (measured in radians) of x."},
    {"asin", m_asin, "(x, /)", "Return the arc sine (measured in radians) of x."},
    {"acos", m_acos, "(x, /)", "Return the arc cosine (measured in radians) of x."},
    {"fabs", m_fabs, "(x, /)", "Return the absolute value of the float x."},
    {"floor", m_floor, "(x, /)", "Return the floor of x as an Integral."},
    {"ceil", m_ceil, "(x, /)", "Return the ceiling of x as an Integral."},
    {"trunc", m_trunc, "(x, /)", "Truncates the Real x to the nearest Integral toward 0."},
    {"pow", m_pow, "(x, y, /)", "Return x**y (x to the power of y)."},
    {"isnan", m_isnan, "(x, /)", "Return True if x is a NaN (not a number), and False otherwise."},
    {"isinf", m_isinf, "(x, /)", "Return True if x is a positive or negative infinity."},
    {"isfinite", m_isfinite, "(x, /)", "Return True if x is neither an infinity nor a NaN."},
    {"isclose", m_isclose, "(a, b, *, rel_tol=1e-09, abs_tol=0.0)",
     "Determine whether two floating point numbers are close in value."},
    {"gcd", m_gcd, "(a, b, /)", "Greatest Common Divisor."},
    {NULL, NULL, NULL, NULL},
};

static int set_float(Interp *I, Value *m, const char *name, double v) {
    Value *f = val_float(I, v);
    int rc = f ? module_set(I, m, name, f) : -1;
    val_release(f);
    return rc;
}

static int init_math(Interp *I, Value *m) {
    return set_float(I, m, "pi", 3.141592653589793) || set_float(I, m, "e", 2.718281828459045) ||
           set_float(I, m, "tau", 6.283185307179586) || set_float(I, m, "inf", INFINITY) ||
           set_float(I, m, "nan", NAN);
}

const ModuleDef module_def_math = {"math", math_functions, init_math,
                                   "Mathematical functions (a subset of Python's math)."};

/* ---- typing: names usable in annotations (Dict[str, int] evaluates to a marker) ---- */

typedef struct TypingValue {
    Value base;
    const char *name;
} TypingValue;

static int repr_typing(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "typing.%s", ((TypingValue *)self)->name);
    return 0;
}

static Value *getitem_typing(Interp *I, Value *self, Value *key) {
    (void)I, (void)key;
    return val_retain(self);
}

static const ValueType type_typing = {
    .name = "_SpecialForm", .module = "typing", .repr = repr_typing, .getitem = getitem_typing};

static int init_typing(Interp *I, Value *m) {
    static const char *const names[] = {"Dict", "List", "Tuple", "Optional", "Union", "Any",
                                        "Callable", "Iterable", "Sequence", "Set", NULL};
    for (int i = 0; names[i]; i++) {
        TypingValue *t = (TypingValue *)val_alloc(I, &type_typing, sizeof *t);
        if (!t) return -1;
        t->name = names[i];
        int rc = module_set(I, m, names[i], (Value *)t);
        val_release((Value *)t);
        if (rc) return -1;
    }
    return 0;
}

const ModuleDef module_def_typing = {"typing", NULL, init_typing,
                                     "Type hints (accepted and ignored, as Python does)."};
