/*
 * src/core/np_format.c — NumPy 1.24's float digits (Dragon4 semantics) and array printing
 * (arrayprint.py: FloatingFormat, IntegerFormat, BoolFormat, _formatArray, array_repr).
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/np_format.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* ---- a small fixed-size big unsigned integer (32-bit limbs, little endian) ---- */

#define BIG_LIMBS 96

typedef struct Big {
    int len; /* limbs in use; no leading zero limbs */
    uint32_t b[BIG_LIMBS];
} Big;

static void big_set(Big *x, uint64_t v) {
    x->len = 0;
    while (v) {
        x->b[x->len++] = (uint32_t)v;
        v >>= 32;
    }
}

static void big_trim(Big *x) {
    while (x->len > 0 && x->b[x->len - 1] == 0) x->len--;
}

static void big_shl(Big *x, int n) {
    if (x->len == 0 || n == 0) return;
    int limbs = n / 32, bits = n % 32;
    int newlen = x->len + limbs + 1;
    if (newlen > BIG_LIMBS) newlen = BIG_LIMBS;
    for (int i = newlen - 1; i >= 0; i--) {
        int src = i - limbs;
        uint64_t hi = (src >= 0 && src < x->len) ? x->b[src] : 0;
        uint64_t lo = (src - 1 >= 0 && src - 1 < x->len) ? x->b[src - 1] : 0;
        x->b[i] = bits ? (uint32_t)((hi << bits) | (lo >> (32 - bits))) : (uint32_t)hi;
    }
    x->len = newlen;
    big_trim(x);
}

static void big_pow2(Big *x, int n) {
    big_set(x, 1);
    big_shl(x, n);
}

static void big_mul_small(Big *x, uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < x->len; i++) {
        uint64_t p = (uint64_t)x->b[i] * m + carry;
        x->b[i] = (uint32_t)p;
        carry = p >> 32;
    }
    if (carry && x->len < BIG_LIMBS) x->b[x->len++] = (uint32_t)carry;
}

static void big_mul_pow10(Big *x, int n) {
    while (n >= 9) {
        big_mul_small(x, 1000000000u);
        n -= 9;
    }
    uint32_t p = 1;
    while (n-- > 0) p *= 10;
    if (p > 1) big_mul_small(x, p);
}

static int big_cmp(const Big *a, const Big *b) {
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    for (int i = a->len - 1; i >= 0; i--)
        if (a->b[i] != b->b[i]) return a->b[i] < b->b[i] ? -1 : 1;
    return 0;
}

static void big_add(Big *r, const Big *a, const Big *b) {
    const Big *l = a->len >= b->len ? a : b, *s = a->len >= b->len ? b : a;
    uint64_t carry = 0;
    int i;
    for (i = 0; i < l->len; i++) {
        uint64_t sum = carry + l->b[i] + (i < s->len ? s->b[i] : 0);
        r->b[i] = (uint32_t)sum;
        carry = sum >> 32;
    }
    r->len = l->len;
    if (carry && r->len < BIG_LIMBS) r->b[r->len++] = (uint32_t)carry;
}

/* a -= b (a >= b) */
static void big_sub(Big *a, const Big *b) {
    int64_t borrow = 0;
    for (int i = 0; i < a->len; i++) {
        int64_t d = (int64_t)a->b[i] - (i < b->len ? b->b[i] : 0) - borrow;
        borrow = d < 0;
        if (d < 0) d += (int64_t)1 << 32;
        a->b[i] = (uint32_t)d;
    }
    big_trim(a);
}

/* ---- digit generation ---- */

#define DIGITS_MAX 1200

/* Digits of mant * 2^exp2 with the stopping and rounding rules of NumPy's Dragon4:
 * unique mode stops at the shortest digits that identify the value (but not before
 * cutoff_min), both modes stop at cutoff_max; the last digit rounds to nearest, ties to
 * even. Returns the number of digits; *out_exp is the decimal exponent of the first. */
static int dragon4(uint64_t mant, int exp2, int mant_bit, bool unequal, bool unique,
                   bool total_length, int cutoff_max, int cutoff_min, char *digs, int bufsize,
                   int *out_exp) {
    if (mant == 0) {
        digs[0] = '0';
        *out_exp = 0;
        return 1;
    }
    bool even = (mant & 1) == 0;
    Big value, scale, mlow, mhigh, tmp;
    big_set(&value, mant);
    if (exp2 > 0) {
        big_shl(&value, exp2 + (unequal ? 2 : 1));
        big_set(&scale, unequal ? 4 : 2);
        big_pow2(&mlow, exp2);
    } else {
        big_shl(&value, unequal ? 2 : 1);
        big_pow2(&scale, -exp2 + (unequal ? 2 : 1));
        big_set(&mlow, 1);
    }
    int dexp = (int)ceil((double)(mant_bit + exp2) * 0.30102999566398119521373889472449 - 0.69);
    if (cutoff_max >= 0 && !total_length && dexp <= -cutoff_max) dexp = -cutoff_max + 1;
    if (dexp > 0) {
        big_mul_pow10(&scale, dexp);
    } else if (dexp < 0) {
        big_mul_pow10(&value, -dexp);
        big_mul_pow10(&mlow, -dexp);
    }
    if (big_cmp(&value, &scale) >= 0) {
        dexp++;
    } else {
        big_mul_small(&value, 10);
        big_mul_small(&mlow, 10);
    }
    int cmax = dexp - bufsize;
    if (cutoff_max >= 0) {
        int want = total_length ? dexp - cutoff_max : -cutoff_max;
        if (want > cmax) cmax = want;
    }
    int cmin = dexp;
    if (cutoff_min >= 0) {
        int want = total_length ? dexp - cutoff_min : -cutoff_min;
        if (want < cmin) cmin = want;
    }
    *out_exp = dexp - 1;

    int n = 0;
    uint32_t d = 0;
    bool low = false, high = false;
    for (;;) {
        dexp--;
        d = 0;
        while (big_cmp(&value, &scale) >= 0) {
            big_sub(&value, &scale);
            d++;
        }
        if (unique) {
            mhigh = mlow;
            if (unequal) big_mul_small(&mhigh, 2);
            big_add(&tmp, &value, &mhigh);
            int c = big_cmp(&value, &mlow);
            low = even ? c <= 0 : c < 0;
            c = big_cmp(&tmp, &scale);
            high = even ? c >= 0 : c > 0;
            if (((low || high) && dexp <= cmin) || dexp == cmax) break;
        } else if (value.len == 0 || dexp == cmax) {
            break;
        }
        if (n < DIGITS_MAX - 2) digs[n++] = (char)('0' + d);
        big_mul_small(&value, 10);
        if (unique) big_mul_small(&mlow, 10);
    }
    bool round_down = low;
    if (low == high) {
        big_mul_small(&value, 2);
        int c = big_cmp(&value, &scale);
        round_down = c < 0;
        if (c == 0) round_down = (d & 1) == 0;
    }
    if (round_down) {
        digs[n++] = (char)('0' + d);
    } else if (d == 9) {
        for (;;) {
            if (n == 0) {
                digs[n++] = '1';
                *out_exp += 1;
                break;
            }
            n--;
            if (digs[n] != '9') {
                digs[n]++;
                n++;
                break;
            }
        }
    } else {
        digs[n++] = (char)('0' + d + 1);
    }
    return n;
}

typedef struct FloatParts {
    bool neg, inf, nan;
    uint64_t mant;
    int exp2, mant_bit;
    bool unequal;
} FloatParts;

static int log2_u64(uint64_t v) {
    int r = 0;
    while (v >>= 1) r++;
    return r;
}

static FloatParts decompose(double v, bool is_f32) {
    FloatParts p = {0};
    if (is_f32) {
        float f = (float)v;
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        uint32_t m = bits & 0x7fffffu, e = (bits >> 23) & 0xffu;
        p.neg = bits >> 31;
        if (e == 0xff) {
            p.inf = m == 0;
            p.nan = m != 0;
        } else if (e != 0) {
            p.mant = (1u << 23) | m;
            p.exp2 = (int)e - 150;
            p.mant_bit = 23;
            p.unequal = e != 1 && m == 0;
        } else {
            p.mant = m;
            p.exp2 = -149;
            p.mant_bit = m ? log2_u64(m) : 0;
        }
    } else {
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        uint64_t m = bits & 0xfffffffffffffull;
        unsigned e = (unsigned)((bits >> 52) & 0x7ffu);
        p.neg = bits >> 63;
        if (e == 0x7ff) {
            p.inf = m == 0;
            p.nan = m != 0;
        } else if (e != 0) {
            p.mant = (1ull << 52) | m;
            p.exp2 = (int)e - 1075;
            p.mant_bit = 52;
            p.unequal = e != 1 && m == 0;
        } else {
            p.mant = m;
            p.exp2 = -1074;
            p.mant_bit = m ? log2_u64(m) : 0;
        }
    }
    return p;
}

/* Appends inf/nan as Dragon4 prints them; returns true when v was one. */
static bool special(const FloatParts *p, const NpFloatFmt *fmt, StrBuf *out) {
    if (p->nan) {
        sb_append(out, "nan");
        return true;
    }
    if (p->inf) {
        if (p->neg) sb_appendc(out, '-');
        else if (fmt->sign) sb_appendc(out, '+');
        sb_append(out, "inf");
        return true;
    }
    return false;
}

NpFloatFmt np_float_fmt_default(void) {
    NpFloatFmt f = {true, true, -1, -1, false, NP_TRIM_NONE, -1, -1, -1};
    return f;
}

void np_format_positional(double v, bool is_f32, const NpFloatFmt *fmt, StrBuf *out) {
    FloatParts p = decompose(v, is_f32);
    if (special(&p, fmt, out)) return;
    char digs[DIGITS_MAX];
    char buf[DIGITS_MAX * 2 + 64];
    int pos = 0, has_sign = 0;
    if (p.neg) {
        buf[pos++] = '-';
        has_sign = 1;
    } else if (fmt->sign) {
        buf[pos++] = '+';
        has_sign = 1;
    }
    int pexp;
    int nd = dragon4(p.mant, p.exp2, p.mant_bit, p.unequal, fmt->unique, !fmt->fractional,
                     fmt->precision, fmt->min_digits, digs, 1100, &pexp);
    int whole = 0, nfrac = 0;
    if (pexp >= 0) {
        whole = pexp + 1;
        if (nd <= whole) {
            memcpy(buf + pos, digs, (size_t)nd);
            pos += nd;
            for (int i = nd; i < whole; i++) buf[pos++] = '0';
        } else {
            memcpy(buf + pos, digs, (size_t)whole);
            pos += whole;
            buf[pos++] = '.';
            nfrac = nd - whole;
            memcpy(buf + pos, digs + whole, (size_t)nfrac);
            pos += nfrac;
        }
    } else {
        int zeros = -(pexp + 1);
        buf[pos++] = '0';
        buf[pos++] = '.';
        for (int i = 0; i < zeros && pos < (int)sizeof buf - DIGITS_MAX - 8; i++) buf[pos++] = '0';
        memcpy(buf + pos, digs, (size_t)nd);
        pos += nd;
        nfrac = nd + zeros;
        whole = 1;
    }
    if (fmt->trim != NP_TRIM_DPT && nfrac == 0) buf[pos++] = '.';
    int add = fmt->unique ? fmt->min_digits : fmt->precision;
    int desired = add < 0 ? 0 : add;
    if (!fmt->fractional) desired = add - whole;
    if (fmt->trim == NP_TRIM_ONE_ZERO) {
        if (nfrac == 0) {
            buf[pos++] = '0';
            nfrac++;
        }
    } else if (fmt->trim == NP_TRIM_NONE && desired > nfrac) {
        int count = desired - nfrac;
        if (pos + count > (int)sizeof buf - 8) count = (int)sizeof buf - 8 - pos;
        for (; count > 0; count--) {
            buf[pos++] = '0';
            nfrac++;
        }
    }
    if (fmt->trim != NP_TRIM_NONE && nfrac > 0) {
        while (buf[pos - 1] == '0') {
            pos--;
            nfrac--;
        }
        if (buf[pos - 1] == '.') {
            if (fmt->trim == NP_TRIM_ONE_ZERO) {
                buf[pos++] = '0';
                nfrac++;
            } else if (fmt->trim == NP_TRIM_DPT) {
                pos--;
            }
        }
    }
    int right = 0;
    bool dpt_space = false;
    if (fmt->pad_right >= nfrac) {
        right = fmt->pad_right - nfrac;
        if (fmt->trim == NP_TRIM_DPT && nfrac == 0) dpt_space = true;
    }
    if (fmt->pad_left > whole + has_sign) sb_repeat(out, ' ', (size_t)(fmt->pad_left - whole - has_sign));
    sb_appendn(out, buf, (size_t)pos);
    if (dpt_space) sb_appendc(out, ' ');
    sb_repeat(out, ' ', (size_t)right);
}

void np_format_scientific(double v, bool is_f32, const NpFloatFmt *fmt, StrBuf *out) {
    FloatParts p = decompose(v, is_f32);
    if (special(&p, fmt, out)) return;
    char digs[DIGITS_MAX];
    int leftchars = 1 + (p.neg || fmt->sign);
    if (fmt->pad_left > leftchars) sb_repeat(out, ' ', (size_t)(fmt->pad_left - leftchars));
    if (p.neg) sb_appendc(out, '-');
    else if (fmt->sign) sb_appendc(out, '+');
    int pexp;
    int nd = dragon4(p.mant, p.exp2, p.mant_bit, p.unequal, fmt->unique, true,
                     fmt->precision < 0 ? -1 : fmt->precision + 1,
                     fmt->min_digits < 0 ? -1 : fmt->min_digits + 1, digs, 1100, &pexp);
    char buf[DIGITS_MAX * 2 + 16];
    int pos = 0;
    buf[pos++] = digs[0];
    int nfrac = nd - 1;
    if (nfrac > 0) {
        buf[pos++] = '.';
        memcpy(buf + pos, digs + 1, (size_t)nfrac);
        pos += nfrac;
    }
    if (fmt->trim != NP_TRIM_DPT && nfrac == 0) buf[pos++] = '.';
    int add = fmt->unique ? fmt->min_digits : fmt->precision;
    if (add < 0) add = 0;
    if (fmt->trim == NP_TRIM_ONE_ZERO) {
        if (nfrac == 0) {
            buf[pos++] = '0';
            nfrac++;
        }
    } else if (fmt->trim == NP_TRIM_NONE) {
        for (; nfrac < add && pos < (int)sizeof buf - 2; nfrac++) buf[pos++] = '0';
    }
    if (fmt->trim != NP_TRIM_NONE && nfrac > 0) {
        while (buf[pos - 1] == '0') {
            pos--;
            nfrac--;
        }
        if (fmt->trim == NP_TRIM_ONE_ZERO && buf[pos - 1] == '.') {
            buf[pos++] = '0';
            nfrac++;
        }
    }
    sb_appendn(out, buf, (size_t)pos);
    int ed = fmt->exp_digits;
    if (ed > 5) ed = 5;
    if (ed < 0) ed = 2;
    sb_appendc(out, 'e');
    sb_appendc(out, pexp >= 0 ? '+' : '-');
    if (pexp < 0) pexp = -pexp;
    int dd[5];
    for (int i = 0; i < 5; i++) {
        dd[i] = pexp % 10;
        pexp /= 10;
    }
    int i = 5;
    while (i > ed && dd[i - 1] == 0) i--;
    for (; i > 0; i--) sb_appendc(out, (char)('0' + dd[i - 1]));
}

void np_scalar_float_repr(double v, bool is_f32, StrBuf *out) {
    NpFloatFmt f = np_float_fmt_default();
    f.fractional = false; /* CutoffMode_TotalLength, as scalartypes.c's format_<type> */
    bool positional;
    if (isnan(v) || v == 0) {
        positional = true;
    } else {
        long double a = fabsl((long double)v);
        positional = a < 1.e16L && a >= 1.e-4L;
    }
    if (positional) {
        f.trim = NP_TRIM_ONE_ZERO;
        np_format_positional(v, is_f32, &f, out);
    } else {
        f.trim = NP_TRIM_DPT;
        np_format_scientific(v, is_f32, &f, out);
    }
}

/* ---- arrays ---- */

NpPrintOptions np_print_options_default(void) {
    NpPrintOptions o = {8, 1000, 3, 75, false, 0, '-'};
    return o;
}

const char *np_dtype_name(DType dt) {
    switch (dt) {
    case DTYPE_BOOL: return "bool";
    case DTYPE_INT64: return "int64";
    case DTYPE_FLOAT32: return "float32";
    default: return "float64";
    }
}

/* Python's str() of a double (repr: shortest round-trip). */
static void py_float_str(double v, StrBuf *out) {
    if (isnan(v)) {
        sb_append(out, "nan");
        return;
    }
    if (isinf(v)) {
        sb_append(out, v < 0 ? "-inf" : "inf");
        return;
    }
    char buf[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v) break;
    }
    /* buf: d.ddde[+-]XX; Python uses positional for -4 <= exp < 16 */
    char *e = strchr(buf, 'e');
    int exp10 = atoi(e + 1);
    char mant[40];
    int ml = 0;
    bool neg = buf[0] == '-';
    for (char *q = buf + neg; q < e; q++)
        if (*q != '.') mant[ml++] = *q;
    while (ml > 1 && mant[ml - 1] == '0') ml--;
    mant[ml] = '\0';
    if (neg) sb_appendc(out, '-');
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 < 0) {
            sb_append(out, "0.");
            sb_repeat(out, '0', (size_t)(-exp10 - 1));
            sb_append(out, mant);
        } else if (ml <= exp10 + 1) {
            sb_append(out, mant);
            sb_repeat(out, '0', (size_t)(exp10 + 1 - ml));
            sb_append(out, ".0");
        } else {
            sb_appendn(out, mant, (size_t)(exp10 + 1));
            sb_appendc(out, '.');
            sb_append(out, mant + exp10 + 1);
        }
    } else {
        sb_appendc(out, mant[0]);
        if (ml > 1) {
            sb_appendc(out, '.');
            sb_append(out, mant + 1);
        }
        sb_appendf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    }
}

void np_scalar_str(const Tensor *a, int64_t flat, StrBuf *out) {
    int64_t off = tensor_flat_offset(a, flat);
    switch (a->dtype) {
    case DTYPE_BOOL: sb_append(out, tensor_load_int(a, off) ? "True" : "False"); break;
    case DTYPE_INT64: sb_appendf(out, "%lld", (long long)tensor_load_int(a, off)); break;
    case DTYPE_FLOAT32: np_scalar_float_repr(tensor_load(a, off), true, out); break;
    default: py_float_str(tensor_load(a, off), out); break;
    }
}

typedef struct ElemFormat {
    DType dt;
    bool zero_d;
    int int_width;
    bool exp_format;
    NpFloatFmt f;
    int pad_left, pad_right;
} ElemFormat;

typedef struct Printer {
    const Tensor *a;
    const NpPrintOptions *opt;
    bool summarize;
    const char *sep;
    ElemFormat ef;
    NpElemFn elem_fn; /* custom element text (string arrays); NULL: numbers */
    void *elem_ctx;
} Printer;

/* Storage offsets of the elements that will be printed (the edges when summarizing),
 * in row-major order. */
static void collect(const Printer *P, int axis, int64_t off, int64_t *offs, int64_t *n) {
    const Tensor *a = P->a;
    if (axis == a->ndim) {
        offs[(*n)++] = off;
        return;
    }
    int64_t len = a->shape[axis], e = P->opt->edgeitems;
    /* NumPy keeps a[:e] and a[-e:]; with e == 0, a[-0:] is the whole axis */
    bool summ = P->summarize && 2 * e < len && e > 0;
    for (int64_t i = 0; i < len; i++) {
        if (summ && i == e) i = len - e;
        collect(P, axis + 1, off + i * a->stride[axis], offs, n);
    }
}

static void format_elem(const Printer *P, int64_t off, StrBuf *out) {
    if (P->elem_fn) {
        P->elem_fn(P->elem_ctx, off, out);
        return;
    }
    const ElemFormat *ef = &P->ef;
    const Tensor *a = P->a;
    if (ef->dt == DTYPE_BOOL) {
        sb_append(out, tensor_load_int(a, off) ? (ef->zero_d ? "True" : " True") : "False");
        return;
    }
    if (ef->dt == DTYPE_INT64) {
        sb_appendf(out, "%*lld", ef->int_width, (long long)tensor_load_int(a, off));
        return;
    }
    double x = tensor_load(a, off);
    bool f32 = ef->dt == DTYPE_FLOAT32;
    if (!isfinite(x)) {
        const char *ret = isnan(x) ? "nan" : x < 0 ? "-inf" : "inf";
        int w = ef->pad_left + ef->pad_right + 1 - (int)strlen(ret);
        if (w > 0) sb_repeat(out, ' ', (size_t)w);
        if (isnan(x) && P->opt->sign == '+') sb_appendc(out, '+');
        else if (!isnan(x) && x > 0 && P->opt->sign == '+') sb_appendc(out, '+');
        sb_append(out, ret);
        return;
    }
    if (ef->exp_format) np_format_scientific(x, f32, &ef->f, out);
    else np_format_positional(x, f32, &ef->f, out);
}

static int setup_format(Printer *P, Error *err) {
    const Tensor *a = P->a;
    ElemFormat *ef = &P->ef;
    memset(ef, 0, sizeof *ef);
    ef->dt = a->dtype;
    ef->zero_d = a->ndim == 0;
    int64_t cap = 1;
    for (int d = 0; d < a->ndim; d++) {
        int64_t len = a->shape[d], e = P->opt->edgeitems;
        cap *= (P->summarize && len > 2 * e && e > 0) ? 2 * e : len;
    }
    int64_t *offs = mem_alloc((size_t)(cap > 0 ? cap : 1) * sizeof *offs, err);
    if (!offs) return ERR_MEMORY;
    int64_t n = 0;
    collect(P, 0, a->offset, offs, &n);
    if (a->dtype == DTYPE_BOOL) {
        mem_free(offs);
        return ERR_OK;
    }
    if (a->dtype == DTYPE_INT64) {
        if (n > 0) {
            int64_t mx = tensor_load_int(a, offs[0]), mn = mx;
            for (int64_t i = 1; i < n; i++) {
                int64_t v = tensor_load_int(a, offs[i]);
                if (v > mx) mx = v;
                if (v < mn) mn = v;
            }
            char b1[32], b2[32];
            int l1 = snprintf(b1, sizeof b1, "%lld", (long long)mx);
            int l2 = snprintf(b2, sizeof b2, "%lld", (long long)mn);
            ef->int_width = l1 > l2 ? l1 : l2;
        }
        mem_free(offs);
        return ERR_OK;
    }
    bool f32 = a->dtype == DTYPE_FLOAT32;
    const NpPrintOptions *o = P->opt;
    int precision = o->floatmode == 2 ? -1 : o->precision;
    /* exponential mode from the non-zero finite values */
    bool any_nz = false, any_finite = false, any_nonfinite = false, neg_inf = false;
    double mx = 0, mn = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = tensor_load(a, offs[i]);
        if (!isfinite(x)) {
            any_nonfinite = true;
            if (isinf(x) && x < 0) neg_inf = true;
            continue;
        }
        any_finite = true;
        if (x == 0) continue;
        double ax = fabs(x);
        if (!any_nz || ax > mx) mx = ax;
        if (!any_nz || ax < mn) mn = ax;
        any_nz = true;
    }
    if (any_nz) {
        double ratio = f32 ? (double)((float)mx / (float)mn) : mx / mn;
        if (mx >= 1.e8 || (!o->suppress && (mn < 0.0001 || ratio > 1000.)))
            ef->exp_format = true;
    }
    NpFloatFmt f = np_float_fmt_default();
    f.precision = precision;
    if (!any_finite) {
        ef->pad_left = 0;
        ef->pad_right = 0;
        f.trim = NP_TRIM_ZEROS;
        f.unique = true;
        f.min_digits = -1;
    } else if (ef->exp_format) {
        bool unique = o->floatmode != 1;
        NpFloatFmt s = np_float_fmt_default();
        s.precision = precision;
        s.unique = unique;
        s.trim = unique ? NP_TRIM_ZEROS : NP_TRIM_NONE;
        int max_frac = 0, max_int = 0, max_exp = 0;
        StrBuf sb = SB_INIT;
        for (int64_t i = 0; i < n; i++) {
            double x = tensor_load(a, offs[i]);
            if (!isfinite(x)) continue;
            sb_clear(&sb);
            np_format_scientific(x, f32, &s, &sb);
            if (sb.failed) break; /* out of memory: reported by sb_check below */
            const char *str = sb_str(&sb);
            const char *e = strchr(str, 'e');
            const char *dot = strchr(str, '.');
            int ilen = (int)(dot - str), flen = (int)(e - dot - 1), elen = (int)strlen(e + 1);
            if (ilen > max_int) max_int = ilen;
            if (flen > max_frac) max_frac = flen;
            if (elen > max_exp) max_exp = elen;
        }
        if (sb_check(&sb, err)) {
            sb_free(&sb);
            mem_free(offs);
            return ERR_MEMORY;
        }
        sb_free(&sb);
        f.exp_digits = max_exp - 1;
        f.trim = NP_TRIM_NONE;
        f.precision = max_frac;
        f.min_digits = max_frac;
        f.unique = unique;
        ef->pad_left = max_int;
        ef->pad_right = f.exp_digits + 2 + max_frac;
    } else {
        bool unique = o->floatmode != 1;
        NpFloatFmt s = np_float_fmt_default();
        s.precision = precision;
        s.unique = unique;
        s.trim = unique ? NP_TRIM_ZEROS : NP_TRIM_NONE;
        int max_frac = 0, max_int = 0;
        StrBuf sb = SB_INIT;
        for (int64_t i = 0; i < n; i++) {
            double x = tensor_load(a, offs[i]);
            if (!isfinite(x)) continue;
            sb_clear(&sb);
            np_format_positional(x, f32, &s, &sb);
            if (sb.failed) break; /* out of memory: reported by sb_check below */
            const char *str = sb_str(&sb);
            const char *dot = strchr(str, '.');
            int ilen = (int)(dot - str), flen = (int)strlen(dot + 1);
            if (ilen > max_int) max_int = ilen;
            if (flen > max_frac) max_frac = flen;
        }
        if (sb_check(&sb, err)) {
            sb_free(&sb);
            mem_free(offs);
            return ERR_MEMORY;
        }
        sb_free(&sb);
        ef->pad_left = max_int;
        ef->pad_right = max_frac;
        f.unique = unique;
        if (o->floatmode == 1 || o->floatmode == 3) {
            f.precision = f.min_digits = max_frac;
            f.trim = NP_TRIM_NONE;
        } else {
            f.trim = NP_TRIM_ZEROS;
            f.min_digits = 0;
        }
    }
    if (o->sign == ' ') {
        bool any_neg = false;
        for (int64_t i = 0; i < n; i++) {
            double x = tensor_load(a, offs[i]);
            if (isfinite(x) && signbit(x)) any_neg = true;
        }
        if (!any_neg) ef->pad_left += 1;
    }
    if (any_nonfinite) {
        bool ni = o->sign != '-' || neg_inf;
        int offset = ef->pad_right + 1;
        if (3 - offset > ef->pad_left) ef->pad_left = 3 - offset;
        if (3 + ni - offset > ef->pad_left) ef->pad_left = 3 + ni - offset;
    }
    f.sign = o->sign == '+';
    f.pad_left = ef->pad_left;
    f.pad_right = ef->exp_format ? -1 : ef->pad_right;
    ef->f = f;
    mem_free(offs);
    return ERR_OK;
}

/* _extendLine */
static void extend_line(StrBuf *s, StrBuf *line, const char *word, int line_width,
                        int indent) {
    bool wrap = (int)(line->len + strlen(word)) > line_width;
    if ((int)line->len <= indent) wrap = false;
    if (wrap) {
        size_t l = line->len;
        while (l > 0 && line->data[l - 1] == ' ') l--;
        sb_appendn(s, line->data, l);
        sb_appendc(s, '\n');
        sb_clear(line);
        sb_repeat(line, ' ', (size_t)indent);
    }
    sb_append(line, word);
}

/* recurser of _formatArray: appends the text of a[index...] (axis = len(index)). */
static void recurse(const Printer *P, int axis, int64_t off, int indent, int width,
                    StrBuf *out) {
    const Tensor *a = P->a;
    int axes_left = a->ndim - axis;
    if (axes_left == 0) {
        format_elem(P, off, out);
        return;
    }
    int next_indent = indent + 1, next_width = width - 1;
    int64_t len = a->shape[axis], e = P->opt->edgeitems;
    bool summ = P->summarize && 2 * e < len;
    int64_t lead = summ ? e : 0, trail = summ ? e : len;
    int64_t st = a->stride[axis];
    StrBuf s = SB_INIT;
    const char *sep = P->sep;
    size_t seplen = strlen(sep);
    while (seplen > 0 && sep[seplen - 1] == ' ') seplen--;
    if (axes_left == 1) {
        int elem_width = width - (seplen > 1 ? (int)seplen : 1);
        StrBuf line = SB_INIT, word = SB_INIT;
        sb_repeat(&line, ' ', (size_t)indent);
        for (int64_t i = 0; i < lead; i++) {
            sb_clear(&word);
            recurse(P, axis + 1, off + i * st, next_indent, next_width, &word);
            extend_line(&s, &line, sb_str(&word), elem_width, indent);
            sb_append(&line, sep);
        }
        if (summ) {
            extend_line(&s, &line, "...", elem_width, indent);
            sb_append(&line, sep);
        }
        for (int64_t i = trail; i > 1; i--) {
            sb_clear(&word);
            recurse(P, axis + 1, off + (len - i) * st, next_indent, next_width, &word);
            extend_line(&s, &line, sb_str(&word), elem_width, indent);
            sb_append(&line, sep);
        }
        sb_clear(&word);
        recurse(P, axis + 1, off + (len - 1) * st, next_indent, next_width, &word);
        extend_line(&s, &line, sb_str(&word), elem_width, indent);
        sb_appendn(&s, line.data ? line.data : "", line.len);
        if (line.failed || word.failed) s.failed = true;
        sb_free(&line);
        sb_free(&word);
    } else {
        StrBuf line_sep = SB_INIT;
        sb_appendn(&line_sep, sep, seplen);
        sb_repeat(&line_sep, '\n', (size_t)(axes_left - 1));
        for (int64_t i = 0; i < lead; i++) {
            sb_repeat(&s, ' ', (size_t)indent);
            recurse(P, axis + 1, off + i * st, next_indent, next_width, &s);
            sb_append(&s, sb_str(&line_sep));
        }
        if (summ) {
            sb_repeat(&s, ' ', (size_t)indent);
            sb_append(&s, "...");
            sb_append(&s, sb_str(&line_sep));
        }
        for (int64_t i = trail; i > 1; i--) {
            sb_repeat(&s, ' ', (size_t)indent);
            recurse(P, axis + 1, off + (len - i) * st, next_indent, next_width, &s);
            sb_append(&s, sb_str(&line_sep));
        }
        sb_repeat(&s, ' ', (size_t)indent);
        recurse(P, axis + 1, off + (len - 1) * st, next_indent, next_width, &s);
        sb_free(&line_sep);
    }
    sb_appendc(out, '[');
    if (s.len > (size_t)indent) sb_appendn(out, s.data + indent, s.len - (size_t)indent);
    sb_appendc(out, ']');
    if (s.failed) out->failed = true;
    sb_free(&s);
}

int np_array2string(const Tensor *a, const NpPrintOptions *opt, const char *separator,
                    const char *prefix, const char *suffix, StrBuf *out, Error *err) {
    int64_t size = tensor_numel(a);
    if (size == 0) {
        sb_append(out, "[]");
        return ERR_OK;
    }
    Printer P;
    memset(&P, 0, sizeof P);
    P.a = a;
    P.opt = opt;
    P.summarize = size > opt->threshold;
    P.sep = separator;
    int rc = setup_format(&P, err);
    if (rc) return rc;
    int width = opt->linewidth - (int)strlen(suffix);
    int indent = 1 + (int)strlen(prefix);
    recurse(&P, 0, a->offset, indent, width, out);
    return sb_check(out, err);
}

int np_array_repr(const Tensor *a, const NpPrintOptions *opt, StrBuf *out, Error *err) {
    int64_t size = tensor_numel(a);
    bool implied = a->dtype != DTYPE_FLOAT32;
    bool skipdtype = implied && size > 0;
    size_t start = out->len;
    sb_append(out, "array(");
    if (size > 0 || (a->ndim == 1 && a->shape[0] == 0)) {
        int rc = np_array2string(a, opt, ", ", "array(", skipdtype ? ")" : ",", out, err);
        if (rc) return rc;
    } else {
        sb_append(out, "[], shape=(");
        for (int d = 0; d < a->ndim; d++) {
            sb_appendf(out, "%lld", (long long)a->shape[d]);
            if (a->ndim == 1 || d + 1 < a->ndim) sb_append(out, d + 1 < a->ndim ? ", " : ",");
        }
        sb_appendc(out, ')');
    }
    if (skipdtype) {
        sb_appendc(out, ')');
        return sb_check(out, err);
    }
    sb_appendc(out, ',');
    char dtype_str[32];
    snprintf(dtype_str, sizeof dtype_str, "dtype=%s)", np_dtype_name(a->dtype));
    if (out->failed) return sb_check(out, err); /* out of memory: no text to measure */
    const char *text = out->data + start;
    const char *nl = strrchr(text, '\n');
    size_t last_line = nl ? strlen(nl + 1) : strlen(text);
    if ((int)(last_line + strlen(dtype_str) + 1) > opt->linewidth) sb_append(out, "\n      ");
    else sb_appendc(out, ' ');
    sb_append(out, dtype_str);
    return sb_check(out, err);
}

int np_array_str(const Tensor *a, const NpPrintOptions *opt, StrBuf *out, Error *err) {
    if (a->ndim == 0) {
        np_scalar_str(a, 0, out);
        return sb_check(out, err);
    }
    return np_array2string(a, opt, " ", "", "", out, err);
}

int np_array2string_custom(int ndim, const int64_t *shape, NpElemFn elem, void *ctx,
                           const NpPrintOptions *opt, const char *separator, const char *prefix,
                           const char *suffix, StrBuf *out, Error *err) {
    Tensor shape_only;
    memset(&shape_only, 0, sizeof shape_only);
    shape_only.ndim = ndim;
    int64_t size = 1, stride = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        shape_only.shape[d] = shape[d];
        shape_only.stride[d] = stride;
        stride *= shape[d];
    }
    for (int d = 0; d < ndim; d++) size *= shape[d];
    if (size == 0) {
        sb_append(out, "[]");
        return ERR_OK;
    }
    Printer P;
    memset(&P, 0, sizeof P);
    P.a = &shape_only;
    P.opt = opt;
    P.summarize = size > opt->threshold;
    P.sep = separator;
    P.elem_fn = elem;
    P.elem_ctx = ctx;
    int width = opt->linewidth - (int)strlen(suffix);
    recurse(&P, 0, 0, 1 + (int)strlen(prefix), width, out);
    return sb_check(out, err);
}
