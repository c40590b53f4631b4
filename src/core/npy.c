/*
 * src/core/npy.c — NumPy .npy files. See npy.h. See LICENSE (GPL-3.0-or-later).
 */
#include "core/npy.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/mem.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64
#define NPY_GROWTH_DIGITS 21 /* numpy's GROWTH_AXIS_MAX_DIGITS */
#define NPY_MAX_HEADER 10000 /* numpy's _MAX_HEADER_SIZE */

static bool little_endian_host(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static const char *descr_of(DType dt) {
    switch (dt) {
    case DTYPE_FLOAT32: return "'<f4'";
    case DTYPE_FLOAT64: return "'<f8'";
    case DTYPE_INT64: return "'<i8'";
    case DTYPE_INT32: return "'<i4'";
    default: return "'|b1'";
    }
}

/* Python's repr of a shape tuple: (), (5,), (2, 3). */
static void shape_repr(StrBuf *sb, int ndim, const int64_t *shape, const char *sep) {
    sb_appendc(sb, '(');
    for (int i = 0; i < ndim; i++) sb_appendf(sb, "%s%lld", i ? sep : "", (long long)shape[i]);
    if (ndim == 1) sb_appendc(sb, ',');
    sb_appendc(sb, ')');
}

int npy_header(const Tensor *t, StrBuf *sb, Error *err) {
    StrBuf dict = SB_INIT;
    sb_appendf(&dict, "{'descr': %s, 'fortran_order': False, 'shape': ", descr_of(t->dtype));
    shape_repr(&dict, t->ndim, t->shape, ", ");
    sb_append(&dict, ", }");
    if (t->ndim > 0) {
        char first[32];
        int n = snprintf(first, sizeof first, "%lld", (long long)t->shape[0]);
        sb_repeat(&dict, ' ', (size_t)(NPY_GROWTH_DIGITS - n));
    }
    if (sb_check(&dict, err)) {
        sb_free(&dict);
        return ERR_MEMORY;
    }
    /* numpy's _wrap_header: version 1.0 unless the padded length overflows its u16. */
    size_t hlen = dict.len + 1;
    int major = 1;
    size_t pad = NPY_ALIGN - (NPY_MAGIC_LEN + 2 + 2 + hlen) % NPY_ALIGN;
    if (hlen + pad > 65535) {
        major = 2;
        pad = NPY_ALIGN - (NPY_MAGIC_LEN + 2 + 4 + hlen) % NPY_ALIGN;
    }
    size_t total = hlen + pad;
    sb_appendn(sb, NPY_MAGIC, NPY_MAGIC_LEN);
    sb_appendc(sb, (char)major);
    sb_appendc(sb, 0);
    for (int i = 0; i < (major == 1 ? 2 : 4); i++) sb_appendc(sb, (char)((total >> (8 * i)) & 0xff));
    sb_appendn(sb, sb_str(&dict), dict.len);
    sb_repeat(sb, ' ', pad);
    sb_appendc(sb, '\n');
    sb_free(&dict);
    return sb_check(sb, err);
}

int npy_save(const char *path, const Tensor *t, Error *err) {
    Error local;
    if (!err) err = &local;
    StrBuf head = SB_INIT;
    if (npy_header(t, &head, err)) {
        sb_free(&head);
        return err->code;
    }
    Tensor *c = tensor_contiguous(t, err);
    if (!c) {
        sb_free(&head);
        return err->code;
    }
    FioWriter w;
    int rc = fio_writer_open(&w, path, err);
    if (!rc) rc = fio_write(&w, sb_str(&head), head.len, err);
    sb_free(&head);
    size_t esize = dtype_size(c->dtype);
    const unsigned char *data = (const unsigned char *)c->storage->data + (size_t)c->offset * esize;
    size_t nbytes = (size_t)tensor_numel(c) * esize;
    if (!rc && (little_endian_host() || esize == 1)) {
        rc = fio_write(&w, data, nbytes, err);
    } else if (!rc) {
        unsigned char tmp[8];
        for (size_t i = 0; i < nbytes && !rc; i += esize) {
            for (size_t k = 0; k < esize; k++) tmp[k] = data[i + esize - 1 - k];
            rc = fio_write(&w, tmp, esize, err);
        }
    }
    tensor_release(c);
    if (rc) {
        if (w.fd >= 0 || w.path) fio_writer_abort(&w);
        return rc;
    }
    return fio_writer_commit(&w, err);
}

/* ---- reading ---- */

typedef struct HeaderScan {
    const char *p, *e;
} HeaderScan;

static void skip_ws(HeaderScan *h) {
    while (h->p < h->e && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r')) h->p++;
}

static bool take(HeaderScan *h, char c) {
    skip_ws(h);
    if (h->p < h->e && *h->p == c) {
        h->p++;
        return true;
    }
    return false;
}

/* A quoted string into out (at most size - 1 bytes). */
static bool scan_string(HeaderScan *h, char *out, size_t size) {
    skip_ws(h);
    if (h->p >= h->e || (*h->p != '\'' && *h->p != '"')) return false;
    char q = *h->p++;
    size_t n = 0;
    while (h->p < h->e && *h->p != q) {
        if (n + 1 < size) out[n++] = *h->p;
        h->p++;
    }
    if (h->p >= h->e) return false;
    h->p++;
    out[n] = '\0';
    return true;
}

static bool scan_word(HeaderScan *h, const char *w) {
    skip_ws(h);
    size_t n = strlen(w);
    if ((size_t)(h->e - h->p) >= n && memcmp(h->p, w, n) == 0) {
        h->p += n;
        return true;
    }
    return false;
}

static bool scan_shape(HeaderScan *h, int *ndim, int64_t *shape) {
    if (!take(h, '(')) return false;
    *ndim = 0;
    for (;;) {
        if (take(h, ')')) return true;
        skip_ws(h);
        if (h->p >= h->e || (unsigned)(*h->p - '0') >= 10) return false;
        int64_t v = 0;
        while (h->p < h->e && (unsigned)(*h->p - '0') < 10) {
            if (v > (INT64_MAX - 9) / 10) return false;
            v = v * 10 + (*h->p++ - '0');
        }
        if (h->p < h->e && *h->p == 'L') h->p++; /* Python 2 longs */
        if (*ndim == TENSOR_MAX_DIMS) return false;
        shape[(*ndim)++] = v;
        if (!take(h, ',')) return take(h, ')');
    }
}

typedef struct Descr {
    char kind;      /* 'f', 'i', 'u', 'b' */
    int size;       /* bytes */
    bool swap;      /* byte order differs from the host's */
} Descr;

static int parse_descr(const char *text, Descr *d, Error *err) {
    char order = text[0];
    const char *rest = text + 1;
    if (order != '<' && order != '>' && order != '|' && order != '=') {
        order = '=';
        rest = text;
    }
    if (strcmp(rest, "O") == 0 || strcmp(rest, "O8") == 0)
        return err_set(err, ERR_VALUE, "Object arrays cannot be loaded when allow_pickle=False");
    char kind = rest[0];
    int size = 0;
    if (kind && rest[1]) size = (int)strtol(rest + 1, NULL, 10);
    bool ok = (kind == 'f' && (size == 2 || size == 4 || size == 8)) ||
              ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
              (kind == 'b' && size == 1);
    if (!ok)
        return err_set(err, ERR_TYPE, "embedlab cannot load arrays of dtype '%s'", text);
    d->kind = kind;
    d->size = size;
    bool file_little = order == '<' || (order != '>' && little_endian_host());
    d->swap = size > 1 && file_little != little_endian_host();
    return ERR_OK;
}

/* IEEE half to float. */
static float half_to_float(uint16_t h) {
    int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    float v;
    if (exp == 0) v = ldexpf((float)frac, -24);
    else if (exp == 31) v = frac ? NAN : INFINITY;
    else v = ldexpf((float)(frac | 0x400), exp - 25);
    return sign ? -v : v;
}

/* Converts n raw elements into the tensor's storage. */
static int convert(const unsigned char *raw, int64_t n, const Descr *d, Tensor *t, Error *err) {
    unsigned char tmp[8];
    for (int64_t i = 0; i < n; i++) {
        const unsigned char *src = raw + (size_t)i * (size_t)d->size;
        if (d->swap) {
            for (int k = 0; k < d->size; k++) tmp[k] = src[d->size - 1 - k];
            src = tmp;
        }
        switch (d->kind) {
        case 'f':
            if (d->size == 2) {
                uint16_t h;
                memcpy(&h, src, 2);
                ((float *)t->storage->data)[i] = half_to_float(h);
            } else if (d->size == 4) {
                memcpy((float *)t->storage->data + i, src, 4);
            } else {
                memcpy((double *)t->storage->data + i, src, 8);
            }
            break;
        case 'b': ((bool *)t->storage->data)[i] = src[0] != 0; break;
        default: {
            int64_t v = 0;
            if (d->kind == 'i') {
                if (d->size == 1) v = (int8_t)src[0];
                else if (d->size == 2) { int16_t x; memcpy(&x, src, 2); v = x; }
                else if (d->size == 4) { int32_t x; memcpy(&x, src, 4); v = x; }
                else memcpy(&v, src, 8);
            } else {
                uint64_t u = 0;
                if (d->size == 1) u = src[0];
                else if (d->size == 2) { uint16_t x; memcpy(&x, src, 2); u = x; }
                else if (d->size == 4) { uint32_t x; memcpy(&x, src, 4); u = x; }
                else memcpy(&u, src, 8);
                if (u > (uint64_t)INT64_MAX)
                    return err_set(err, ERR_OVERFLOW,
                                   "value %llu of a uint64 array does not fit in int64",
                                   (unsigned long long)u);
                v = (int64_t)u;
            }
            ((int64_t *)t->storage->data)[i] = v;
        }
        }
    }
    return ERR_OK;
}

static void magic_repr(char *out, size_t size, const unsigned char *b, size_t n) {
    size_t o = 0;
    o += (size_t)snprintf(out + o, size - o, "b'");
    for (size_t i = 0; i < n && o + 6 < size; i++) {
        unsigned c = b[i];
        if (c == '\\' || c == '\'') o += (size_t)snprintf(out + o, size - o, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f) out[o++] = (char)c;
        else o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
    }
    snprintf(out + o, size - o, "'");
}

Tensor *npy_load(const char *path, Error *err) {
    Error local;
    if (!err) err = &local;
    int fd;
    uint64_t fsize;
    if (fio_open_read(path, &fd, &fsize, err)) return NULL;
    char shown[300];
    fio_repr_path(path, shown, sizeof shown);
    unsigned char pre[12];
    size_t got;
    Tensor *t = NULL, *result = NULL;
    char *header = NULL;
    unsigned char *raw = NULL;
    if (fio_read(fd, pre, 8, &got, path, err)) goto done;
    if (got < 8 || memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0) {
        char m[64];
        magic_repr(m, sizeof m, pre, got < NPY_MAGIC_LEN ? got : NPY_MAGIC_LEN);
        err_set(err, ERR_VALUE, "%s is not a NumPy .npy file: the magic string is not correct; "
                                "expected b'\\x93NUMPY', got %s",
                shown, m);
        goto done;
    }
    int major = pre[6], minor = pre[7];
    if (!((major == 1 || major == 2 || major == 3) && minor == 0)) {
        err_set(err, ERR_VALUE, "we only support format version (1,0), (2,0), and (3,0), not (%d, %d)",
                major, minor);
        goto done;
    }
    size_t lenbytes = major == 1 ? 2 : 4, hlen = 0;
    if (fio_read(fd, pre + 8, lenbytes, &got, path, err)) goto done;
    if (got < lenbytes) {
        err_set(err, ERR_EOF, "EOF: reading array header length, expected %zu bytes got %zu",
                lenbytes, got);
        goto done;
    }
    for (size_t i = 0; i < lenbytes; i++) hlen |= (size_t)pre[8 + i] << (8 * i);
    if (hlen > NPY_MAX_HEADER * 4) {
        err_set(err, ERR_VALUE, "Header info length (%zu) is large and may not be safe to load securely.",
                hlen);
        goto done;
    }
    header = mem_alloc(hlen + 1, err);
    if (!header) goto done;
    if (fio_read(fd, header, hlen, &got, path, err)) goto done;
    if (got < hlen) {
        err_set(err, ERR_EOF, "EOF: reading array header, expected %zu bytes got %zu", hlen, got);
        goto done;
    }
    header[hlen] = '\0';
    HeaderScan h = {header, header + hlen};
    char descr_text[32] = "", key[32];
    bool fortran = false, have_descr = false, have_order = false, have_shape = false;
    int ndim = 0;
    int64_t shape[TENSOR_MAX_DIMS];
    bool ok = take(&h, '{');
    while (ok && !take(&h, '}')) {
        ok = scan_string(&h, key, sizeof key) && take(&h, ':');
        if (!ok) break;
        if (strcmp(key, "descr") == 0) {
            skip_ws(&h);
            if (h.p < h.e && h.p[0] == '[') {
                err_set(err, ERR_TYPE, "embedlab cannot load structured arrays");
                goto done;
            }
            ok = have_descr = scan_string(&h, descr_text, sizeof descr_text);
        } else if (strcmp(key, "fortran_order") == 0) {
            if (scan_word(&h, "True")) fortran = true;
            else ok = scan_word(&h, "False");
            have_order = ok;
        } else if (strcmp(key, "shape") == 0) {
            ok = have_shape = scan_shape(&h, &ndim, shape);
        } else {
            ok = false;
        }
        if (ok && !take(&h, ',')) ok = take(&h, '}') ? (h.p--, true) : false;
    }
    if (!ok || !have_descr || !have_order || !have_shape) {
        char shown_header[160];
        size_t n = hlen < 120 ? hlen : 120;
        while (n > 0 && (header[n - 1] == ' ' || header[n - 1] == '\n')) n--;
        snprintf(shown_header, sizeof shown_header, "%.*s", (int)n, header);
        err_set(err, ERR_VALUE, "Cannot parse header: '%s'", shown_header);
        goto done;
    }
    Descr d = {0, 0, false};
    if (parse_descr(descr_text, &d, err)) goto done;
    DType dt = d.kind == 'f' ? (d.size == 8 ? DTYPE_FLOAT64 : DTYPE_FLOAT32)
               : d.kind == 'b' ? DTYPE_BOOL : DTYPE_INT64;
    /* Fortran order: the data is the C-order array of the reversed shape, transposed. */
    int64_t cshape[TENSOR_MAX_DIMS];
    for (int i = 0; i < ndim; i++) cshape[i] = fortran ? shape[ndim - 1 - i] : shape[i];
    t = tensor_zeros(dt, ndim, cshape, err);
    if (!t) goto done;
    int64_t numel = tensor_numel(t);
    size_t nbytes = (size_t)numel * (size_t)d.size;
    /* Read straight into the tensor when the file holds its exact element type. */
    bool direct = !d.swap && (size_t)d.size == dtype_size(dt) && d.kind != 'u';
    unsigned char *dest = direct ? (unsigned char *)t->storage->data : NULL;
    if (!direct) {
        raw = mem_alloc(nbytes ? nbytes : 1, err);
        if (!raw) goto done;
        dest = raw;
    }
    if (fio_read(fd, dest, nbytes, &got, path, err)) goto done;
    if (got < nbytes) {
        StrBuf s = SB_INIT;
        shape_repr(&s, ndim, shape, ",");
        err_set(err, ERR_VALUE, "cannot reshape array of size %zu into shape %s",
                got / (size_t)d.size, sb_str(&s));
        err_hint(err, "%s is shorter than its header says: was it cut short?", shown);
        sb_free(&s);
        goto done;
    }
    if (!direct && convert(raw, numel, &d, t, err)) goto done;
    if (fortran && ndim > 1) {
        int64_t perm[TENSOR_MAX_DIMS];
        for (int i = 0; i < ndim; i++) perm[i] = ndim - 1 - i;
        Tensor *p = tensor_permute(t, ndim, perm, err);
        if (!p) goto done;
        result = tensor_zeros(dt, ndim, shape, err);
        if (result && tensor_copy_(result, p, err)) {
            tensor_release(result);
            result = NULL;
        }
        tensor_release(p);
    } else {
        result = t;
        t = NULL;
    }
done:
    fio_close(fd);
    mem_free(header);
    mem_free(raw);
    tensor_release(t);
    return result;
}
