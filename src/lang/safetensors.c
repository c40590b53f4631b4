/*
 * src/lang/safetensors.c — the safetensors format. See safetensors.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/safetensors.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/mem.h"

#define ST_MAX_HEADER 100000000u /* the reference MAX_HEADER_SIZE */

static bool little_endian_host(void) {
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static const char *st_dtype_name(DType dt) {
    switch (dt) {
    case DTYPE_FLOAT32: return "F32";
    case DTYPE_FLOAT64: return "F64";
    case DTYPE_INT64: return "I64";
    case DTYPE_INT32: return "I32";
    default: return "BOOL";
    }
}

/* ---- writing ---- */

typedef struct Order {
    const char *name;
    Tensor *t;
} Order;

static int order_cmp(const void *a, const void *b) {
    const Order *x = a, *y = b;
    size_t sx = dtype_size(x->t->dtype), sy = dtype_size(y->t->dtype);
    if (sx != sy) return sx > sy ? -1 : 1;
    return strcmp(x->name, y->name);
}

int st_save(const char *path, const char *const *names, Tensor *const *tensors, int64_t count,
            const char *const *meta_keys, const char *const *meta_values, int64_t nmeta,
            Error *err) {
    Error local;
    if (!err) err = &local;
    Order *order = mem_alloc((size_t)(count > 0 ? count : 1) * sizeof *order, err);
    if (!order) return ERR_MEMORY;
    for (int64_t i = 0; i < count; i++) {
        if (!names[i][0]) {
            mem_free(order);
            return err_set(err, ERR_VALUE, "tensor names must not be empty");
        }
        if (strcmp(names[i], "__metadata__") == 0) {
            mem_free(order);
            return err_set(err, ERR_VALUE, "'__metadata__' is reserved and cannot name a tensor");
        }
        order[i].name = names[i];
        order[i].t = tensors[i];
    }
    qsort(order, (size_t)count, sizeof *order, order_cmp);
    for (int64_t i = 1; i < count; i++) {
        if (strcmp(order[i].name, order[i - 1].name) == 0) {
            err_set(err, ERR_VALUE, "duplicate tensor name '%s'", order[i].name);
            mem_free(order);
            return ERR_VALUE;
        }
    }
    json_t *root = json_object();
    int rc = root ? ERR_OK : err_set(err, ERR_MEMORY, "out of memory");
    if (!rc && nmeta > 0) {
        json_t *meta = json_object();
        for (int64_t i = 0; meta && i < nmeta; i++)
            if (json_object_set_new(meta, meta_keys[i], json_string(meta_values[i]))) {
                json_decref(meta);
                meta = NULL;
            }
        if (!meta || json_object_set_new(root, "__metadata__", meta))
            rc = err_set(err, ERR_VALUE, "metadata keys and values must be valid UTF-8 text");
    }
    uint64_t offset = 0;
    for (int64_t i = 0; i < count && !rc; i++) {
        Tensor *t = order[i].t;
        uint64_t nbytes = (uint64_t)tensor_numel(t) * dtype_size(t->dtype);
        json_t *shape = json_array();
        for (int d = 0; shape && d < t->ndim; d++) json_array_append_new(shape, json_integer(t->shape[d]));
        json_t *offsets = json_pack("[II]", (json_int_t)offset, (json_int_t)(offset + nbytes));
        json_t *info = json_pack("{s:s, s:o, s:o}", "dtype", st_dtype_name(t->dtype), "shape",
                                 shape, "data_offsets", offsets);
        if (!info || json_object_set_new(root, order[i].name, info))
            rc = err_set(err, ERR_VALUE, "tensor name '%s' is not valid UTF-8 text", order[i].name);
        offset += nbytes;
    }
    char *text = rc ? NULL : json_dumps(root, JSON_COMPACT);
    json_decref(root);
    if (!rc && !text) rc = err_set(err, ERR_MEMORY, "out of memory while writing the header");
    FioWriter w;
    if (!rc) rc = fio_writer_open(&w, path, err);
    if (!rc) {
        size_t n = strlen(text), padded = (n + 7) / 8 * 8;
        unsigned char len8[8];
        for (int i = 0; i < 8; i++) len8[i] = (unsigned char)(((uint64_t)padded >> (8 * i)) & 0xff);
        rc = fio_write(&w, len8, 8, err);
        if (!rc) rc = fio_write(&w, text, n, err);
        for (size_t k = n; k < padded && !rc; k++) rc = fio_write(&w, " ", 1, err);
        for (int64_t i = 0; i < count && !rc; i++) {
            Tensor *c = tensor_contiguous(order[i].t, err);
            if (!c) {
                rc = err->code;
                break;
            }
            size_t es = dtype_size(c->dtype);
            const unsigned char *data = (const unsigned char *)c->storage->data + (size_t)c->offset * es;
            size_t nbytes = (size_t)tensor_numel(c) * es;
            if (little_endian_host() || es == 1) {
                rc = fio_write(&w, data, nbytes, err);
            } else {
                unsigned char tmp[8];
                for (size_t b = 0; b < nbytes && !rc; b += es) {
                    for (size_t k = 0; k < es; k++) tmp[k] = data[b + es - 1 - k];
                    rc = fio_write(&w, tmp, es, err);
                }
            }
            tensor_release(c);
        }
        if (rc) fio_writer_abort(&w);
        else rc = fio_writer_commit(&w, err);
    }
    free(text);
    mem_free(order);
    return rc;
}

/* ---- reading ---- */

static int header_error(Error *err, const char *what) {
    return err_set(err, ERR_VALUE, "Error while deserializing header: %s", what);
}

typedef struct StDtype {
    const char *name;
    int size;
    DType dt;
    char kind; /* 'f' float, 'h' half, 'b' bfloat16, 'i' signed, 'u' unsigned, 'B' bool */
} StDtype;

static const StDtype st_dtypes[] = {
    {"F64", 8, DTYPE_FLOAT64, 'f'}, {"F32", 4, DTYPE_FLOAT32, 'f'}, {"F16", 2, DTYPE_FLOAT32, 'h'},
    {"BF16", 2, DTYPE_FLOAT32, 'b'}, {"I64", 8, DTYPE_INT64, 'i'},  {"I32", 4, DTYPE_INT64, 'i'},
    {"I16", 2, DTYPE_INT64, 'i'},    {"I8", 1, DTYPE_INT64, 'i'},    {"U64", 8, DTYPE_INT64, 'u'},
    {"U32", 4, DTYPE_INT64, 'u'},    {"U16", 2, DTYPE_INT64, 'u'},   {"U8", 1, DTYPE_INT64, 'u'},
    {"BOOL", 1, DTYPE_BOOL, 'B'},
};

static const StDtype *find_dtype(const char *name) {
    for (size_t i = 0; i < sizeof st_dtypes / sizeof st_dtypes[0]; i++)
        if (strcmp(st_dtypes[i].name, name) == 0) return &st_dtypes[i];
    return NULL;
}

static float half_bits_to_float(uint16_t h) {
    int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
    float v;
    if (exp == 0) v = ldexpf((float)frac, -24);
    else if (exp == 31) v = frac ? NAN : INFINITY;
    else v = ldexpf((float)(frac | 0x400), exp - 25);
    return sign ? -v : v;
}

/* Converts raw little-endian elements into t. */
static int st_convert(const unsigned char *raw, int64_t n, const StDtype *d, Tensor *t,
                      const char *name, Error *err) {
    for (int64_t i = 0; i < n; i++) {
        const unsigned char *s = raw + (size_t)i * (size_t)d->size;
        uint64_t u = 0;
        for (int k = 0; k < d->size; k++) u |= (uint64_t)s[k] << (8 * k);
        switch (d->kind) {
        case 'f':
            if (d->size == 4) {
                uint32_t b = (uint32_t)u;
                float f;
                memcpy(&f, &b, 4);
                ((float *)t->storage->data)[i] = f;
            } else {
                double f;
                memcpy(&f, &u, 8);
                ((double *)t->storage->data)[i] = f;
            }
            break;
        case 'h': ((float *)t->storage->data)[i] = half_bits_to_float((uint16_t)u); break;
        case 'b': {
            uint32_t b = (uint32_t)u << 16;
            float f;
            memcpy(&f, &b, 4);
            ((float *)t->storage->data)[i] = f;
            break;
        }
        case 'B': ((bool *)t->storage->data)[i] = u != 0; break;
        case 'i': {
            int shift = 64 - 8 * d->size;
            int64_t v = (int64_t)(u << shift) >> shift;
            ((int64_t *)t->storage->data)[i] = v;
            break;
        }
        default:
            if (u > (uint64_t)INT64_MAX)
                return err_set(err, ERR_OVERFLOW, "tensor '%s': value %llu does not fit in int64",
                               name, (unsigned long long)u);
            ((int64_t *)t->storage->data)[i] = (int64_t)u;
        }
    }
    return ERR_OK;
}

typedef struct Item {
    const char *name;
    const StDtype *d;
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    uint64_t begin, end;
} Item;

static int item_by_offset(const void *a, const void *b) {
    const Item *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

typedef struct Loaded {
    char *name;
    Tensor *t;
    char *dtype;
} Loaded;

static int loaded_cmp(const void *a, const void *b) {
    return strcmp(((const Loaded *)a)->name, ((const Loaded *)b)->name);
}

void st_file_free(StFile *f) {
    if (!f) return;
    for (int64_t i = 0; i < f->count; i++) {
        mem_free(f->names ? f->names[i] : NULL);
        tensor_release(f->tensors ? f->tensors[i] : NULL);
        mem_free(f->source_dtypes ? f->source_dtypes[i] : NULL);
    }
    for (int64_t i = 0; i < f->nmeta; i++) {
        mem_free(f->meta_keys[i]);
        mem_free(f->meta_values[i]);
    }
    mem_free(f->names);
    mem_free(f->tensors);
    mem_free(f->source_dtypes);
    mem_free(f->meta_keys);
    mem_free(f->meta_values);
    memset(f, 0, sizeof *f);
}

/* Parses the JSON header into items (borrowing names from root) and metadata. */
static int parse_header(json_t *root, StFile *out, Item **items_out, int64_t *nitems, Error *err) {
    size_t n = json_object_size(root);
    Item *items = mem_calloc(n ? n : 1, sizeof *items, err);
    if (!items) return ERR_MEMORY;
    int64_t k = 0;
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value) {
        if (strcmp(key, "__metadata__") == 0) {
            if (!json_is_object(value)) {
                mem_free(items);
                return header_error(err, "InvalidHeaderDeserialization");
            }
            size_t m = json_object_size(value);
            out->meta_keys = mem_calloc(m ? m : 1, sizeof(char *), err);
            out->meta_values = mem_calloc(m ? m : 1, sizeof(char *), err);
            if (!out->meta_keys || !out->meta_values) {
                mem_free(items);
                return ERR_MEMORY;
            }
            const char *mk;
            json_t *mv;
            json_object_foreach(value, mk, mv) {
                if (!json_is_string(mv)) {
                    mem_free(items);
                    return header_error(err, "InvalidHeaderDeserialization");
                }
                out->meta_keys[out->nmeta] = mem_strdup(mk, err);
                out->meta_values[out->nmeta] = mem_strdup(json_string_value(mv), err);
                out->nmeta++;
                if (!out->meta_keys[out->nmeta - 1] || !out->meta_values[out->nmeta - 1]) {
                    mem_free(items);
                    return ERR_MEMORY;
                }
            }
            continue;
        }
        json_t *dtype = json_object_get(value, "dtype"), *shape = json_object_get(value, "shape"),
               *offs = json_object_get(value, "data_offsets");
        if (!json_is_string(dtype) || !json_is_array(shape) || !json_is_array(offs) ||
            json_array_size(offs) != 2 || json_array_size(shape) > TENSOR_MAX_DIMS) {
            mem_free(items);
            return header_error(err, "InvalidHeaderDeserialization");
        }
        Item *it = &items[k++];
        it->name = key;
        it->d = find_dtype(json_string_value(dtype));
        if (!it->d) {
            err_set(err, ERR_TYPE, "tensor '%s' has dtype %s, which embedlab cannot hold", key,
                    json_string_value(dtype));
            mem_free(items);
            return ERR_TYPE;
        }
        it->ndim = (int)json_array_size(shape);
        for (int d = 0; d < it->ndim; d++) {
            json_t *s = json_array_get(shape, (size_t)d);
            if (!json_is_integer(s) || json_integer_value(s) < 0) {
                mem_free(items);
                return header_error(err, "InvalidHeaderDeserialization");
            }
            it->shape[d] = json_integer_value(s);
        }
        json_t *b = json_array_get(offs, 0), *e = json_array_get(offs, 1);
        if (!json_is_integer(b) || !json_is_integer(e) || json_integer_value(b) < 0 ||
            json_integer_value(e) < json_integer_value(b)) {
            mem_free(items);
            return header_error(err, "InvalidHeaderDeserialization");
        }
        it->begin = (uint64_t)json_integer_value(b);
        it->end = (uint64_t)json_integer_value(e);
    }
    *items_out = items;
    *nitems = k;
    return ERR_OK;
}

int st_load(const char *path, StFile *out, Error *err) {
    Error local;
    if (!err) err = &local;
    memset(out, 0, sizeof *out);
    int fd;
    uint64_t fsize;
    if (fio_open_read(path, &fd, &fsize, err)) return err->code;
    unsigned char len8[8];
    size_t got;
    char *header = NULL;
    json_t *root = NULL;
    Item *items = NULL;
    unsigned char *raw = NULL;
    int64_t nitems = 0;
    int rc = fio_read(fd, len8, 8, &got, path, err);
    if (rc) goto done;
    if (got < 8) {
        rc = header_error(err, "HeaderTooSmall");
        goto done;
    }
    uint64_t n = 0;
    for (int i = 0; i < 8; i++) n |= (uint64_t)len8[i] << (8 * i);
    if (n > ST_MAX_HEADER) {
        rc = header_error(err, "HeaderTooLarge");
        goto done;
    }
    if (n + 8 > fsize) {
        rc = header_error(err, "InvalidHeaderLength");
        goto done;
    }
    header = mem_alloc((size_t)n + 1, err);
    if (!header) {
        rc = ERR_MEMORY;
        goto done;
    }
    if ((rc = fio_read(fd, header, (size_t)n, &got, path, err))) goto done;
    header[n] = '\0';
    if (got < n) {
        rc = header_error(err, "InvalidHeaderLength");
        goto done;
    }
    if (n == 0 || header[0] != '{') {
        rc = header_error(err, "InvalidHeaderStart");
        goto done;
    }
    json_error_t jerr;
    root = json_loadb(header, (size_t)n, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        rc = header_error(err, "InvalidHeaderDeserialization");
        goto done;
    }
    if ((rc = parse_header(root, out, &items, &nitems, err))) goto done;
    /* The reference validation: offsets contiguous from 0, sizes matching the shapes, and
     * the buffer covered exactly. */
    qsort(items, (size_t)nitems, sizeof *items, item_by_offset);
    uint64_t expect = 0, buffer = fsize - 8 - n;
    for (int64_t i = 0; i < nitems; i++) {
        Item *it = &items[i];
        uint64_t numel = 1;
        for (int d = 0; d < it->ndim; d++) {
            if (it->shape[d] != 0 && numel > UINT64_MAX / (uint64_t)it->shape[d]) {
                err_set(err, ERR_VALUE, "Error while deserializing header: TensorInvalidInfo");
                rc = ERR_VALUE;
                goto done;
            }
            numel *= (uint64_t)it->shape[d];
        }
        if (it->begin != expect) {
            rc = err_set(err, ERR_VALUE, "Error while deserializing header: InvalidOffset(\"%s\")", it->name);
            goto done;
        }
        if (it->end - it->begin != numel * (uint64_t)it->d->size) {
            rc = err_set(err, ERR_VALUE, "Error while deserializing header: TensorInvalidInfo");
            goto done;
        }
        expect = it->end;
    }
    if (expect != buffer) {
        rc = header_error(err, "MetadataIncompleteBuffer");
        goto done;
    }
    out->names = mem_calloc((size_t)(nitems ? nitems : 1), sizeof(char *), err);
    out->tensors = mem_calloc((size_t)(nitems ? nitems : 1), sizeof(Tensor *), err);
    out->source_dtypes = mem_calloc((size_t)(nitems ? nitems : 1), sizeof(char *), err);
    if (!out->names || !out->tensors || !out->source_dtypes) {
        rc = ERR_MEMORY;
        goto done;
    }
    for (int64_t i = 0; i < nitems; i++) {
        Item *it = &items[i];
        Tensor *t = tensor_zeros(it->d->dt, it->ndim, it->shape, err);
        if (!t) {
            rc = err->code;
            goto done;
        }
        out->tensors[out->count] = t;
        out->names[out->count] = mem_strdup(it->name, err);
        out->source_dtypes[out->count] = mem_strdup(it->d->name, err);
        out->count++;
        if (!out->names[out->count - 1] || !out->source_dtypes[out->count - 1]) {
            rc = ERR_MEMORY;
            goto done;
        }
        size_t nbytes = (size_t)(it->end - it->begin);
        bool direct = it->d->kind == 'f' || it->d->kind == 'B' ||
                      (it->d->kind == 'i' && it->d->size == 8);
        direct = direct && little_endian_host();
        unsigned char *dest = (unsigned char *)t->storage->data;
        if (!direct) {
            raw = mem_alloc(nbytes ? nbytes : 1, err);
            if (!raw) {
                rc = ERR_MEMORY;
                goto done;
            }
            dest = raw;
        }
        if ((rc = fio_read(fd, dest, nbytes, &got, path, err))) goto done;
        if (got < nbytes) {
            rc = header_error(err, "MetadataIncompleteBuffer");
            goto done;
        }
        if (it->d->kind == 'B' && direct) {
            for (size_t b = 0; b < nbytes; b++) dest[b] = dest[b] != 0;
        }
        if (!direct && (rc = st_convert(raw, tensor_numel(t), it->d, t, it->name, err))) goto done;
        mem_free(raw);
        raw = NULL;
    }
    /* Sorted by name, as safetensors' load_file returns them. */
    {
        Loaded *all = mem_alloc((size_t)(out->count ? out->count : 1) * sizeof *all, err);
        if (!all) {
            rc = ERR_MEMORY;
            goto done;
        }
        for (int64_t i = 0; i < out->count; i++)
            all[i] = (Loaded){out->names[i], out->tensors[i], out->source_dtypes[i]};
        qsort(all, (size_t)out->count, sizeof *all, loaded_cmp);
        for (int64_t i = 0; i < out->count; i++) {
            out->names[i] = all[i].name;
            out->tensors[i] = all[i].t;
            out->source_dtypes[i] = all[i].dtype;
        }
        mem_free(all);
    }
done:
    fio_close(fd);
    mem_free(header);
    mem_free(items);
    mem_free(raw);
    json_decref(root);
    if (rc) st_file_free(out);
    return rc;
}
