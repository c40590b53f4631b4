/*
 * src/lang/embedlab_io.c — embedlab.save / load (safetensors) and save_npy / load_npy
 * (NumPy .npy). See embedlab.h. See LICENSE (GPL-3.0-or-later).
 *
 * What save writes, and what load gives back:
 *  - a tensor: one entry "tensor", metadata {"format": "pt", "embedlab": "tensor"}; load
 *    returns the tensor;
 *  - a dict of str -> tensor: its entries, {"format": "pt"}; load returns a dict (keys
 *    sorted, as safetensors' load_file);
 *  - a module: its state_dict(), {"format": "pt", "embedlab": "state_dict"}; load returns
 *    the dict, ready for module.load_state_dict;
 *  - a Vectors object: "vectors", with the words in the metadata ("itos", a JSON list);
 *    load returns a Vectors object again.
 * Python reads all of them with safetensors.torch.load_file.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/npy.h"
#include "lang/embedlab.h"
#include "lang/interp.h"
#include "lang/nn_module.h"
#include "lang/ops.h"
#include "lang/safetensors.h"
#include "lang/torch_value.h"

typedef struct Saved {
    int64_t count, cap;
    const char **names;
    Tensor **tensors;
    const char *keys[8];
    const char *values[8];
    int64_t nmeta;
} Saved;

static int saved_add(Interp *I, Saved *s, const char *name, Tensor *t) {
    if (s->count == s->cap) {
        int64_t cap = s->cap ? s->cap * 2 : 8;
        Error err;
        const char **names = mem_realloc((void *)s->names, (size_t)cap * sizeof *names, &err);
        if (!names) return interp_raise(I, &err);
        s->names = names;
        Tensor **tensors = mem_realloc(s->tensors, (size_t)cap * sizeof *tensors, &err);
        if (!tensors) return interp_raise(I, &err);
        s->tensors = tensors;
        s->cap = cap;
    }
    s->names[s->count] = name;
    s->tensors[s->count] = t;
    s->count++;
    return 0;
}

static void saved_meta(Saved *s, const char *k, const char *v) {
    if (s->nmeta < 8) {
        s->keys[s->nmeta] = k;
        s->values[s->nmeta] = v;
        s->nmeta++;
    }
}

/* Adds every entry of a dict str -> tensor. */
static int saved_dict(Interp *I, Saved *s, Value *dict) {
    DictValue *d = (DictValue *)dict;
    for (int64_t i = 0; i < d->used; i++) {
        DictEntry *e = &d->entries[i];
        if (!e->key) continue;
        if (!val_is_str(e->key))
            return interp_error(I, ERR_TYPE, "save(): dict keys must be str, not %s", val_type_name(e->key));
        if (!val_is_tensor(e->value))
            return interp_error(I, ERR_TYPE, "save(): the value of '%s' is %s; safetensors holds only "
                                             "tensors",
                                val_str_data(e->key), val_type_name(e->value));
        if (saved_add(I, s, val_str_data(e->key), tensor_of(e->value))) return -1;
    }
    return 0;
}

/* save(obj, path, metadata=None) */
static Value *e_save(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char fn[] = "save";
    Value *obj = argv[0];
    const char *path = embedlab_arg_str(I, argv[1], fn, "path");
    if (!path || interp_file_access(I, path)) return NULL;
    Saved s;
    memset(&s, 0, sizeof s);
    Value *hold = NULL;
    char *itos_json = NULL;
    int rc = 0;
    saved_meta(&s, "format", "pt");
    if (val_is_tensor(obj)) {
        saved_meta(&s, "embedlab", "tensor");
        rc = saved_add(I, &s, "tensor", tensor_of(obj));
    } else if (val_is_instance(obj, &type_dict)) {
        rc = saved_dict(I, &s, obj);
    } else if (val_is_nn_module(obj)) {
        Value *method = op_getattr(I, obj, "state_dict");
        hold = method ? call_value(I, method, NULL, 0) : NULL;
        val_release(method);
        saved_meta(&s, "embedlab", "state_dict");
        rc = hold ? saved_dict(I, &s, hold) : -1;
    } else if (val_is_vectors(obj)) {
        saved_meta(&s, "embedlab", "vectors");
        WordSpace ws;
        rc = word_space_open(I, obj, NULL, fn, &ws);
        json_t *list = rc ? NULL : json_array();
        for (int64_t r = 0; list && r < ws.rows; r++) {
            size_t len;
            const char *w = ws.row_word[r] >= 0 ? wt_word(ws.words, ws.row_word[r], &len) : "";
            if (ws.row_word[r] < 0) len = 0;
            json_array_append_new(list, json_stringn(w, len));
        }
        if (!rc) {
            itos_json = list ? json_dumps(list, JSON_COMPACT) : NULL;
            json_decref(list);
            word_space_close(&ws);
            if (!itos_json) rc = interp_error(I, ERR_MEMORY, "out of memory while saving the words");
        }
        if (!rc) {
            saved_meta(&s, "itos", itos_json);
            rc = saved_add(I, &s, "vectors", vectors_matrix(obj));
        }
    } else {
        rc = interp_error(I, ERR_TYPE, "save() expects a tensor, a dict of tensors, a module or "
                                       "vectors, not %s",
                          val_type_name(obj));
    }
    if (!rc && !val_is_none(argv[2])) {
        if (!val_is_instance(argv[2], &type_dict)) {
            rc = interp_error(I, ERR_TYPE, "save(): metadata must be a dict of str -> str");
        } else {
            DictValue *d = (DictValue *)argv[2];
            for (int64_t i = 0; !rc && i < d->used; i++) {
                DictEntry *e = &d->entries[i];
                if (!e->key) continue;
                if (!val_is_str(e->key) || !val_is_str(e->value))
                    rc = interp_error(I, ERR_TYPE, "save(): metadata must be a dict of str -> str");
                else if (s.nmeta == 8)
                    rc = interp_error(I, ERR_VALUE, "save(): at most 5 metadata entries");
                else
                    saved_meta(&s, val_str_data(e->key), val_str_data(e->value));
            }
        }
    }
    Error err;
    if (!rc && st_save(path, s.names, s.tensors, s.count, s.keys, s.values, s.nmeta, &err))
        rc = interp_raise(I, &err);
    free(itos_json);
    mem_free((void *)s.names);
    mem_free(s.tensors);
    val_release(hold);
    return rc ? NULL : val_none(I);
}

static const char *meta_get(const StFile *f, const char *key) {
    for (int64_t i = 0; i < f->nmeta; i++)
        if (strcmp(f->meta_keys[i], key) == 0) return f->meta_values[i];
    return NULL;
}

/* A Vocab from the JSON list saved with vectors. */
static Value *vocab_from_json(Interp *I, const char *text) {
    json_error_t jerr;
    json_t *list = json_loads(text, 0, &jerr);
    if (!json_is_array(list)) {
        json_decref(list);
        interp_error(I, ERR_VALUE, "load(): the saved word list is damaged");
        return NULL;
    }
    WordTab t;
    wt_init(&t);
    Error err;
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *w = json_array_get(list, i);
        bool is_str = json_is_string(w); /* read before the decref below frees w */
        if (!is_str ||
            wt_add(&t, json_string_value(w), json_string_length(w), wt_count(&t), NULL, &err) < 0) {
            json_decref(list);
            wt_free(&t);
            if (!is_str) interp_error(I, ERR_VALUE, "load(): the saved word list is damaged");
            else interp_raise(I, &err);
            return NULL;
        }
    }
    json_decref(list);
    return vocab_from_wordtab(I, &t);
}

/* load(path) */
static Value *e_load(Interp *I, Value *self, Value **argv) {
    (void)self;
    const char *path = embedlab_arg_str(I, argv[0], "load", "path");
    if (!path || interp_file_access(I, path)) return NULL;
    StFile f;
    Error err;
    if (st_load(path, &f, &err)) return interp_raise(I, &err), NULL;
    for (int64_t i = 0; i < f.count; i++) {
        const char *src = f.source_dtypes[i];
        if (strcmp(src, "F32") && strcmp(src, "F64") && strcmp(src, "I64") && strcmp(src, "BOOL")) {
            char line[300];
            snprintf(line, sizeof line, "'%s' is %s in the file; embedlab holds it as %s", f.names[i],
                     src, dtype_name(f.tensors[i]->dtype));
            embedlab_warn(I, line);
        }
    }
    const char *kind = meta_get(&f, "embedlab");
    Value *out = NULL;
    if (kind && strcmp(kind, "tensor") == 0 && f.count == 1) {
        out = tensor_value_take(I, tensor_retain(f.tensors[0]), NULL);
    } else if (kind && strcmp(kind, "vectors") == 0 && f.count == 1 && meta_get(&f, "itos")) {
        Value *vocab = vocab_from_json(I, meta_get(&f, "itos"));
        Value *m = vocab ? tensor_value_take(I, tensor_retain(f.tensors[0]), NULL) : NULL;
        if (m && ((VocabValue *)vocab)->words.count != f.tensors[0]->shape[0])
            interp_error(I, ERR_VALUE, "load(): %lld words for %lld vectors",
                         (long long)((VocabValue *)vocab)->words.count, (long long)f.tensors[0]->shape[0]);
        else if (m)
            out = vectors_new(I, vocab, m, "glove", path);
        val_release(vocab);
        val_release(m);
    } else {
        out = val_dict_new(I);
        for (int64_t i = 0; out && i < f.count; i++) {
            Value *t = tensor_value_take(I, tensor_retain(f.tensors[i]), NULL);
            int rc = t ? val_dict_set_str(I, out, f.names[i], t) : -1;
            val_release(t);
            if (rc) {
                val_release(out);
                out = NULL;
            }
        }
    }
    st_file_free(&f);
    return out;
}

/* save_npy(tensor, path) */
static Value *e_save_npy(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = arg_tensor(I, argv[0], "save_npy", "tensor", 1);
    const char *path = t ? embedlab_arg_str(I, argv[1], "save_npy", "path") : NULL;
    if (!path || interp_file_access(I, path)) return NULL;
    Error err;
    if (npy_save(path, t, &err)) return interp_raise(I, &err), NULL;
    return val_none(I);
}

/* load_npy(path) */
static Value *e_load_npy(Interp *I, Value *self, Value **argv) {
    (void)self;
    const char *path = embedlab_arg_str(I, argv[0], "load_npy", "path");
    if (!path || interp_file_access(I, path)) return NULL;
    Error err;
    Tensor *t = npy_load(path, &err);
    return tensor_value_take(I, t, &err);
}

const BuiltinSpec embedlab_io_functions[] = {
    {"save", e_save, "(obj, path, metadata=None)",
     "Saves a tensor, a dict of tensors, a module's state_dict or a Vectors object in the "
     "safetensors format (readable by Python's safetensors.torch.load_file and the Hugging "
     "Face tools); metadata: an optional dict of str -> str. Atomic: a temporary file is "
     "renamed into place."},
    {"load", e_load, "(path)",
     "Loads a safetensors file: what embedlab.save saved (a tensor, a dict, a state_dict, "
     "Vectors), or any safetensors file as a dict name -> tensor (F16/BF16 become float32, "
     "other integer types int64)."},
    {"save_npy", e_save_npy, "(tensor, path)",
     "Saves a tensor as a NumPy .npy file, byte for byte what np.save writes (atomic)."},
    {"load_npy", e_load_npy, "(path)",
     "Loads a NumPy .npy file (float16/32/64, integer and bool arrays; C or Fortran order) "
     "as a tensor."},
    {NULL, NULL, NULL, NULL},
};
