/*
 * src/lang/embedlab_vocab.c — embedlab.Vocab (token <-> index), embedlab.tokenize, and
 * word spaces (a matrix plus the words naming its rows) for the similarity and plot
 * helpers. See embedlab.h. See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "lang/builtins.h"
#include "lang/embedlab.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/nn_module.h"
#include "lang/ops.h"
#include "lang/torch_value.h"

/* ---- helpers ---- */

const char *embedlab_arg_str(Interp *I, Value *v, const char *fn, const char *name) {
    if (v && val_is_str(v)) return val_str_data(v);
    interp_error(I, ERR_TYPE, "%s() argument '%s' must be str, not %s", fn, name,
                 v ? val_type_name(v) : "NoneType");
    return NULL;
}

void embedlab_warn(Interp *I, const char *text) {
    interp_write(I, 2, "warning: ", 9);
    interp_write(I, 2, text, strlen(text));
    interp_write(I, 2, "\n", 1);
}

static int raise_err(Interp *I, const Error *err) { return interp_raise(I, err); }

/* ---- tokenize ---- */

static bool word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c >= 0x80;
}

int embedlab_tokenize(Interp *I, const char *s, size_t len, bool lower, Value *list) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    char *buf = NULL;
    size_t cap = 0;
    Error err;
    while (i < len) {
        unsigned char c = p[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        size_t j = i + 1;
        if (word_byte(c)) {
            /* A word: word bytes, with inner apostrophes and hyphens ("don't", "well-known"). */
            while (j < len && (word_byte(p[j]) ||
                               ((p[j] == '\'' || p[j] == '-') && j + 1 < len && word_byte(p[j + 1]))))
                j++;
        }
        size_t n = j - i;
        if (n + 1 > cap) {
            char *grown = mem_realloc(buf, n + 1, &err);
            if (!grown) {
                mem_free(buf);
                return raise_err(I, &err);
            }
            buf = grown;
            cap = n + 1;
        }
        for (size_t k = 0; k < n; k++) {
            char ch = s[i + k];
            buf[k] = lower && ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
        }
        if (val_list_append_take(I, list, val_strn(I, buf, n))) {
            mem_free(buf);
            return -1;
        }
        i = j;
    }
    mem_free(buf);
    return 0;
}

static Value *e_tokenize(Interp *I, Value *self, Value **argv) {
    (void)self;
    const char *text = embedlab_arg_str(I, argv[0], "tokenize", "text");
    bool lower;
    if (!text || arg_bool(I, argv[1], "tokenize", "lower", &lower)) return NULL;
    Value *list = val_list_new(I, 0);
    if (!list) return NULL;
    if (embedlab_tokenize(I, text, val_str_len(argv[0]), lower, list)) {
        val_release(list);
        return NULL;
    }
    return list;
}

const BuiltinSpec embedlab_vocab_functions[] = {
    {"tokenize", e_tokenize, "(text, lower=True)",
     "Splits text into tokens: words (letters, digits, _, and inner ' or -, e.g. \"don't\") "
     "and single punctuation marks; lowercased unless lower=False."},
    {NULL, NULL, NULL, NULL},
};

/* ---- the Vocab type ---- */

bool val_is_vocab(const Value *v) { return v && val_is(v, &type_vocab); }

static void vocab_drop_caches(VocabValue *v) {
    Value *a = v->stoi, *b = v->itos;
    v->stoi = v->itos = NULL;
    val_release(a);
    val_release(b);
}

static void vocab_destroy(Value *self) {
    VocabValue *v = (VocabValue *)self;
    vocab_drop_caches(v);
    wt_free(&v->words);
}

static void vocab_clear(Value *self) { vocab_drop_caches((VocabValue *)self); }

static void vocab_note_specials(VocabValue *v) {
    v->unk_index = vocab_find(v, "<unk>", 5);
    v->pad_index = vocab_find(v, "<pad>", 5);
}

static VocabValue *vocab_alloc(Interp *I) {
    VocabValue *v = (VocabValue *)val_alloc(I, &type_vocab, sizeof *v);
    if (!v) return NULL;
    wt_init(&v->words);
    v->unk_index = v->pad_index = -1;
    return v;
}

Value *vocab_from_wordtab(Interp *I, WordTab *words) {
    VocabValue *v = vocab_alloc(I);
    if (!v) {
        wt_free(words);
        return NULL;
    }
    v->words = *words;
    wt_init(words);
    vocab_note_specials(v);
    return (Value *)v;
}

int64_t vocab_find(const VocabValue *v, const char *token, size_t len) {
    int64_t e = wt_find(&v->words, token, len);
    return e < 0 ? -1 : wt_value(&v->words, e);
}

Value *vocab_token(Interp *I, const VocabValue *v, int64_t i) {
    size_t len;
    const char *w = wt_word(&v->words, i, &len);
    return val_strn(I, w, len);
}

/* Adds a token (a str value) unless present; *index receives its index. */
static int vocab_add_value(Interp *I, VocabValue *v, Value *token, const char *fn, int64_t *index) {
    if (!val_is_str(token))
        return interp_error(I, ERR_TYPE, "%s(): tokens must be str, not %s", fn, val_type_name(token));
    Error err;
    int64_t entry;
    int rc = wt_add(&v->words, val_str_data(token), val_str_len(token), wt_count(&v->words), &entry, &err);
    if (rc < 0) return raise_err(I, &err);
    if (rc == 1) vocab_drop_caches(v);
    if (index) *index = wt_value(&v->words, entry);
    return 0;
}

/* Adds every str of a list/tuple (or tokens of a str). */
static int vocab_add_all(Interp *I, VocabValue *v, Value *items, const char *fn) {
    if (!items || val_is_none(items)) return 0;
    Value *list = op_to_list(I, items);
    if (!list) return -1;
    ListValue *l = (ListValue *)list;
    for (int64_t i = 0; i < l->count; i++)
        if (vocab_add_value(I, v, l->items[i], fn, NULL)) {
            val_release(list);
            return -1;
        }
    val_release(list);
    return 0;
}

/* Vocab(tokens=(), specials=()) */
static Value *vocab_construct(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"Vocab", NULL, "(tokens=(), specials=())", NULL};
    Signature *sig = builtin_signature(I, &spec);
    Value *argv[SIG_MAX_PARAMS];
    if (!sig || sig_bind(I, sig, "Vocab", args, argv)) return NULL;
    VocabValue *v = vocab_alloc(I);
    Value *tokens = argv[0];
    int rc = !v;
    if (!rc && val_is_str(tokens)) {
        rc = interp_error(I, ERR_TYPE, "Vocab() takes a list of tokens, not a str");
        interp_hint(I, "use embedlab.Vocab.build(text) to count the words of a text");
    }
    if (!rc) rc = vocab_add_all(I, v, argv[1], "Vocab");
    if (!rc && val_is_instance(tokens, &type_dict)) {
        /* A dict word -> index: its indices must be 0..n-1, each once. */
        DictValue *d = (DictValue *)tokens;
        int64_t n = d->count;
        Error err;
        Value **by_index = mem_calloc((size_t)(n ? n : 1), sizeof *by_index, &err);
        rc = by_index ? 0 : raise_err(I, &err);
        for (int64_t i = 0; !rc && i < d->used; i++) {
            DictEntry *e = &d->entries[i];
            if (!e->key) continue;
            if (!val_is_str(e->key) || !val_is_int(e->value)) {
                rc = interp_error(I, ERR_TYPE, "Vocab(): a dict must map str tokens to int indices");
                break;
            }
            int64_t idx = val_as_int(e->value);
            if (idx < 0 || idx >= n || by_index[idx]) {
                rc = interp_error(I, ERR_VALUE, "Vocab(): the dict's indices must be 0..%lld, each "
                                                "once (got %lld for '%s')",
                                  (long long)(n - 1), (long long)idx, val_str_data(e->key));
                break;
            }
            by_index[idx] = e->key;
        }
        if (!rc && wt_count(&v->words)) rc = interp_error(I, ERR_VALUE, "Vocab(): specials cannot be combined with a dict");
        for (int64_t i = 0; !rc && i < n; i++) rc = vocab_add_value(I, v, by_index[i], "Vocab", NULL);
        mem_free(by_index);
    } else if (!rc) {
        rc = vocab_add_all(I, v, tokens, "Vocab");
    }
    sig_release_bound(sig, argv);
    if (rc) {
        val_release((Value *)v);
        return NULL;
    }
    vocab_note_specials(v);
    return (Value *)v;
}

typedef struct Counted {
    int64_t entry, count;
    const char *word;
    size_t len;
} Counted;

static int counted_cmp(const void *a, const void *b) {
    const Counted *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->word, y->word, n);
    if (c) return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Counts the tokens of a source: a str (tokenized), a list of str, or a list of lists. */
static int count_tokens(Interp *I, Value *source, bool lower, WordTab *counts) {
    Error err;
    Value *tokens = NULL;
    if (val_is_str(source)) {
        tokens = val_list_new(I, 0);
        if (!tokens || embedlab_tokenize(I, val_str_data(source), val_str_len(source), lower, tokens)) {
            val_release(tokens);
            return -1;
        }
    } else {
        tokens = op_to_list(I, source);
        if (!tokens) return -1;
    }
    ListValue *l = (ListValue *)tokens;
    int rc = 0;
    for (int64_t i = 0; i < l->count && !rc; i++) {
        Value *t = l->items[i];
        if (val_is_str(t)) {
            int64_t e;
            int added = wt_add(counts, val_str_data(t), val_str_len(t), 0, &e, &err);
            if (added < 0) rc = raise_err(I, &err);
            else wt_set_value(counts, e, wt_value(counts, e) + 1);
        } else if (val_is_sequence(t)) {
            rc = count_tokens(I, t, lower, counts);
        } else {
            rc = interp_error(I, ERR_TYPE, "Vocab.build() expects a text, a list of tokens or a "
                                           "list of token lists, found %s",
                              val_type_name(t));
        }
    }
    val_release(tokens);
    return rc;
}

/* Vocab.build(source, min_freq=1, specials=['<pad>', '<unk>'], max_size=None, lower=True) */
static Value *vocab_build(Interp *I, Value *cls, Value **argv) {
    (void)cls;
    int64_t min_freq, max_size = -1;
    bool lower;
    if (arg_int(I, argv[1], "build", "min_freq", &min_freq) ||
        (!val_is_none(argv[3]) && arg_int(I, argv[3], "build", "max_size", &max_size)) ||
        arg_bool(I, argv[4], "build", "lower", &lower))
        return NULL;
    WordTab counts;
    wt_init(&counts);
    if (count_tokens(I, argv[0], lower, &counts)) {
        wt_free(&counts);
        return NULL;
    }
    VocabValue *v = vocab_alloc(I);
    Counted *order = NULL;
    int rc = !v;
    if (!rc) rc = vocab_add_all(I, v, argv[2], "build");
    if (!rc) {
        int64_t n = wt_count(&counts);
        Error merr;
        order = mem_alloc((size_t)(n ? n : 1) * sizeof *order, &merr);
        if (!order) rc = raise_err(I, &merr);
        for (int64_t i = 0; !rc && i < n; i++) {
            order[i].entry = i;
            order[i].count = wt_value(&counts, i);
            order[i].word = wt_word(&counts, i, &order[i].len);
        }
        if (!rc) qsort(order, (size_t)n, sizeof *order, counted_cmp);
        Error err;
        for (int64_t i = 0; !rc && i < n; i++) {
            if (order[i].count < min_freq) break;
            if (max_size >= 0 && wt_count(&v->words) >= max_size) break;
            if (wt_add(&v->words, order[i].word, order[i].len, wt_count(&v->words), NULL, &err) < 0)
                rc = raise_err(I, &err);
        }
    }
    mem_free(order);
    wt_free(&counts);
    if (rc) {
        val_release((Value *)v);
        return NULL;
    }
    vocab_note_specials(v);
    return (Value *)v;
}

static Value *vocab_stoi(Interp *I, VocabValue *v) {
    if (v->stoi) return val_retain(v->stoi);
    Value *d = val_dict_new(I);
    for (int64_t i = 0; d && i < wt_count(&v->words); i++) {
        Value *k = vocab_token(I, v, i), *idx = k ? val_int(I, i) : NULL;
        int rc = idx ? val_dict_set(I, d, k, idx) : -1;
        val_release(k);
        val_release(idx);
        if (rc) {
            val_release(d);
            return NULL;
        }
    }
    if (d) v->stoi = val_retain(d);
    return d;
}

static Value *vocab_itos(Interp *I, VocabValue *v) {
    if (v->itos) return val_retain(v->itos);
    Value *l = val_list_new(I, wt_count(&v->words));
    for (int64_t i = 0; l && i < wt_count(&v->words); i++)
        if (val_list_append_take(I, l, vocab_token(I, v, i))) {
            val_release(l);
            return NULL;
        }
    if (l) v->itos = val_retain(l);
    return l;
}

static int vocab_repr(Interp *I, Value *self, StrBuf *out) {
    VocabValue *v = (VocabValue *)self;
    int64_t n = wt_count(&v->words);
    sb_appendf(out, "Vocab(%lld tokens: ", (long long)n);
    for (int64_t i = 0; i < n && i < 8; i++) {
        if (i) sb_append(out, ", ");
        Value *t = vocab_token(I, v, i);
        if (!t || val_repr(I, t, out)) {
            val_release(t);
            return -1;
        }
        val_release(t);
    }
    if (n > 8) sb_append(out, ", ...");
    sb_appendc(out, ')');
    return 0;
}

static Value *vocab_getattr(Interp *I, Value *self, const char *name) {
    VocabValue *v = (VocabValue *)self;
    if (strcmp(name, "stoi") == 0) return vocab_stoi(I, v);
    if (strcmp(name, "itos") == 0) return vocab_itos(I, v);
    if (strcmp(name, "unk_index") == 0) return v->unk_index < 0 ? val_none(I) : val_int(I, v->unk_index);
    if (strcmp(name, "pad_index") == 0) return v->pad_index < 0 ? val_none(I) : val_int(I, v->pad_index);
    return NULL;
}

static int vocab_dir(Interp *I, Value *self, Value *names) {
    (void)self;
    static const char *const attrs[] = {"stoi", "itos", "unk_index", "pad_index"};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (val_list_append_take(I, names, val_str(I, attrs[i]))) return -1;
    return 0;
}

static int64_t vocab_length(Interp *I, Value *self) {
    (void)I;
    return wt_count(&((VocabValue *)self)->words);
}

/* The index of a token with the <unk> fallback; KeyError without one. */
static int vocab_index_of(Interp *I, VocabValue *v, Value *token, int64_t *out) {
    if (!val_is_str(token))
        return interp_error(I, ERR_TYPE, "vocabulary tokens are str, not %s", val_type_name(token));
    int64_t i = vocab_find(v, val_str_data(token), val_str_len(token));
    if (i < 0) i = v->unk_index;
    if (i < 0) {
        StrBuf sb = SB_INIT;
        if (val_repr(I, token, &sb) == 0) interp_error(I, ERR_KEY, "%s", sb_str(&sb));
        sb_free(&sb);
        interp_hint(I, "the vocabulary has no '<unk>' token to stand for unknown words");
        return -1;
    }
    *out = i;
    return 0;
}

static Value *vocab_getitem(Interp *I, Value *self, Value *key) {
    int64_t i;
    if (vocab_index_of(I, (VocabValue *)self, key, &i)) return NULL;
    return val_int(I, i);
}

static int vocab_contains(Interp *I, Value *self, Value *item) {
    (void)I;
    if (!val_is_str(item)) return 0;
    return vocab_find((VocabValue *)self, val_str_data(item), val_str_len(item)) >= 0;
}

static Value *vocab_iter(Interp *I, Value *self) {
    Value *l = vocab_itos(I, (VocabValue *)self);
    if (!l) return NULL;
    Value *it = op_iter(I, l);
    val_release(l);
    return it;
}

/* Tokens of an argument: a str is tokenized (lowercased), a sequence is listed. */
static Value *tokens_of(Interp *I, Value *v) {
    if (val_is_str(v)) {
        Value *l = val_list_new(I, 0);
        if (l && embedlab_tokenize(I, val_str_data(v), val_str_len(v), true, l)) {
            val_release(l);
            return NULL;
        }
        return l;
    }
    return op_to_list(I, v);
}

static Value *m_lookup_indices(Interp *I, Value *self, Value **argv) {
    VocabValue *v = (VocabValue *)self;
    Value *tokens = tokens_of(I, argv[0]);
    if (!tokens) return NULL;
    ListValue *l = (ListValue *)tokens;
    Value *out = val_list_new(I, l->count);
    for (int64_t i = 0; out && i < l->count; i++) {
        int64_t idx;
        if (vocab_index_of(I, v, l->items[i], &idx) || val_list_append_take(I, out, val_int(I, idx))) {
            val_release(out);
            out = NULL;
        }
    }
    val_release(tokens);
    return out;
}

static Value *m_lookup_tokens(Interp *I, Value *self, Value **argv) {
    VocabValue *v = (VocabValue *)self;
    Value *indices;
    if (val_is_tensor(argv[0])) indices = tensor_to_list(I, tensor_of(argv[0]));
    else indices = op_to_list(I, argv[0]);
    if (!indices) return NULL;
    ListValue *l = (ListValue *)indices;
    Value *out = val_list_new(I, l->count);
    for (int64_t i = 0; out && i < l->count; i++) {
        int64_t idx;
        if (op_index_value(I, l->items[i], &idx)) {
            val_release(out);
            out = NULL;
            break;
        }
        if (idx < 0 || idx >= wt_count(&v->words)) {
            interp_error(I, ERR_INDEX, "index %lld is out of range for a vocabulary of %lld tokens",
                         (long long)idx, (long long)wt_count(&v->words));
            val_release(out);
            out = NULL;
            break;
        }
        if (val_list_append_take(I, out, vocab_token(I, v, idx))) {
            val_release(out);
            out = NULL;
        }
    }
    val_release(indices);
    return out;
}

static Value *m_add(Interp *I, Value *self, Value **argv) {
    VocabValue *v = (VocabValue *)self;
    int64_t idx;
    if (vocab_add_value(I, v, argv[0], "add", &idx)) return NULL;
    vocab_note_specials(v);
    return val_int(I, idx);
}

/* pad_batch(batch, max_len=None, pad_index=None) -> (padded int64 [B, T], lengths int64 [B]) */
static Value *m_pad_batch(Interp *I, Value *self, Value **argv) {
    VocabValue *v = (VocabValue *)self;
    int64_t max_len = -1, pad = v->pad_index;
    if ((!val_is_none(argv[1]) && arg_int(I, argv[1], "pad_batch", "max_len", &max_len)) ||
        (!val_is_none(argv[2]) && arg_int(I, argv[2], "pad_batch", "pad_index", &pad)))
        return NULL;
    if (pad < 0) {
        interp_error(I, ERR_VALUE, "pad_batch(): this vocabulary has no '<pad>' token");
        interp_hint(I, "build it with specials=['<pad>', '<unk>'], or pass pad_index=0");
        return NULL;
    }
    Value *batch = op_to_list(I, argv[0]);
    if (!batch) return NULL;
    ListValue *b = (ListValue *)batch;
    if (b->count == 0) {
        val_release(batch);
        interp_error(I, ERR_VALUE, "pad_batch(): the batch is empty");
        return NULL;
    }
    Error err;
    Value **seqs = mem_calloc((size_t)b->count, sizeof *seqs, &err);
    int64_t *lens = seqs ? mem_calloc((size_t)b->count, sizeof *lens, &err) : NULL;
    int64_t *data = NULL, longest = 0;
    Value *result = NULL;
    if (!seqs || !lens) {
        raise_err(I, &err);
        goto done;
    }
    for (int64_t i = 0; i < b->count; i++) {
        Value *item = b->items[i];
        if (val_is_tensor(item)) seqs[i] = tensor_to_list(I, tensor_of(item));
        else seqs[i] = tokens_of(I, item);
        if (!seqs[i]) goto done;
        int64_t n = ((ListValue *)seqs[i])->count;
        if (max_len >= 0 && n > max_len) n = max_len;
        lens[i] = n;
        if (n > longest) longest = n;
    }
    if (max_len >= 0) longest = max_len;
    data = mem_alloc((size_t)(b->count * (longest ? longest : 1)) * sizeof *data, &err);
    if (!data) {
        raise_err(I, &err);
        goto done;
    }
    for (int64_t i = 0; i < b->count; i++) {
        ListValue *s = (ListValue *)seqs[i];
        for (int64_t t = 0; t < longest; t++) {
            int64_t idx = pad;
            if (t < lens[i]) {
                Value *tok = s->items[t];
                if (val_is_int(tok)) idx = val_as_int(tok);
                else if (vocab_index_of(I, v, tok, &idx)) goto done;
            }
            data[i * longest + t] = idx;
        }
    }
    int64_t shape[2] = {b->count, longest}, lshape[1] = {b->count};
    Value *padded = tensor_value_take(I, tensor_from_int64s(DTYPE_INT64, 2, shape, data, &err), &err);
    Value *lengths = padded ? tensor_value_take(I, tensor_from_int64s(DTYPE_INT64, 1, lshape, lens, &err), &err) : NULL;
    if (!lengths) {
        val_release(padded);
        goto done;
    }
    result = val_tuple_new(I, 2);
    if (!result) {
        val_release(padded);
        val_release(lengths);
        goto done;
    }
    ((ListValue *)result)->items[0] = padded;
    ((ListValue *)result)->items[1] = lengths;
done:
    for (int64_t i = 0; seqs && i < b->count; i++) val_release(seqs[i]);
    mem_free(seqs);
    mem_free(lens);
    mem_free(data);
    val_release(batch);
    return result;
}

static const BuiltinSpec vocab_methods[] = {
    {"lookup_indices", m_lookup_indices, "(tokens)",
     "The index of each token (a list of str, or a str, which is tokenized); unknown tokens "
     "get the '<unk>' index (KeyError when the vocabulary has none)."},
    {"encode", m_lookup_indices, "(text)", "lookup_indices(tokenize(text)): a text as indices."},
    {"lookup_tokens", m_lookup_tokens, "(indices)",
     "The token of each index (a list of ints or a tensor)."},
    {"pad_batch", m_pad_batch, "(batch, max_len=None, pad_index=None)",
     "Indices for a batch of sequences (texts, token lists or index lists), padded with the "
     "'<pad>' index: returns (padded int64 tensor [batch, longest], lengths int64 tensor)."},
    {"add", m_add, "(token)", "Adds a token (if new) and returns its index."},
    {NULL, NULL, NULL, NULL},
};

static const BuiltinSpec vocab_class_methods[] = {
    {"build", vocab_build,
     "(source, min_freq=1, specials=['<pad>', '<unk>'], max_size=None, lower=True)",
     "A vocabulary counted from a text (tokenized with embedlab.tokenize), a list of tokens "
     "or a list of token lists: the specials first, then tokens seen at least min_freq times, "
     "most frequent first (ties in alphabetical order, as torchtext), at most max_size in all."},
    {NULL, NULL, NULL, NULL},
};

const ValueType type_vocab = {
    .name = "Vocab",
    .module = "embedlab",
    .destroy = vocab_destroy,
    .clear = vocab_clear,
    .repr = vocab_repr,
    .getattr = vocab_getattr,
    .dir = vocab_dir,
    .length = vocab_length,
    .getitem = vocab_getitem,
    .contains = vocab_contains,
    .iter = vocab_iter,
    .methods = vocab_methods,
    .class_methods = vocab_class_methods,
    .init_signature = "(tokens=(), specials=())",
    .doc = "A vocabulary: tokens <-> indices. vocab['cat'] is an index (unknown tokens get "
           "the '<unk>' index when there is one), len(vocab) the size, vocab.stoi / vocab.itos "
           "the mappings (snapshots: changing them does not change the vocabulary). "
           "Vocab(tokens) keeps the given order; Vocab.build(text) counts.",
};

int embedlab_vocab_init(Interp *I, Value *module) {
    if (builtins_set_constructor(I, &type_vocab, vocab_construct)) return -1;
    Value *t = builtins_type_value(I, &type_vocab);
    int rc = t ? module_set(I, module, "Vocab", t) : -1;
    val_release(t);
    return rc;
}

/* ---- word spaces ---- */

void word_space_close(WordSpace *ws) {
    tensor_release(ws->matrix);
    wt_free(&ws->own);
    mem_free(ws->row_word);
    val_release(ws->hold);
    memset(ws, 0, sizeof *ws);
}

int word_space_open(Interp *I, Value *obj, Value *vocab, const char *fn, WordSpace *ws) {
    memset(ws, 0, sizeof *ws);
    wt_init(&ws->own);
    Tensor *m = NULL;
    if (val_is_vectors(obj)) {
        m = tensor_retain(vectors_matrix(obj));
        if (!vocab || val_is_none(vocab)) vocab = vectors_vocab(obj);
    } else if (val_is_tensor(obj)) {
        m = tensor_retain(tensor_of(obj));
    } else if (val_is_nn_module(obj)) {
        Value *w = op_getattr_opt(I, obj, "weight");
        if (w && val_is_tensor(w)) m = tensor_retain(tensor_of(w));
        val_release(w);
        if (interp_has_error(I)) return -1;
    }
    if (!m)
        return interp_error(I, ERR_TYPE, "%s() expects vectors (from embedlab.load_vectors), an "
                                         "embedding module or a weight tensor, not %s",
                            fn, val_type_name(obj));
    ws->matrix = m;
    if (m->ndim != 2 || !dtype_is_floating(m->dtype)) {
        char shape[64];
        tensor_shape_str(m->ndim, m->shape, shape, sizeof shape);
        word_space_close(ws);
        return interp_error(I, ERR_VALUE, "%s() needs a 2-D float matrix of vectors, got shape %s "
                                          "(%s)",
                            fn, shape, dtype_name(m->dtype));
    }
    ws->rows = m->shape[0];
    if (!vocab || val_is_none(vocab)) {
        word_space_close(ws);
        interp_error(I, ERR_TYPE, "%s() needs a vocabulary to name the rows", fn);
        interp_hint(I, "pass vocab= (a Vocab, a dict word -> index, or a list of words)");
        return -1;
    }
    Error err;
    ws->row_word = mem_alloc((size_t)(ws->rows ? ws->rows : 1) * sizeof *ws->row_word, &err);
    if (!ws->row_word) {
        word_space_close(ws);
        return interp_raise(I, &err);
    }
    for (int64_t r = 0; r < ws->rows; r++) ws->row_word[r] = -1;
    if (val_is_vocab(vocab)) {
        VocabValue *v = (VocabValue *)vocab;
        ws->words = &v->words;
        for (int64_t r = 0; r < ws->rows && r < wt_count(&v->words); r++) ws->row_word[r] = r;
    } else if (val_is_instance(vocab, &type_dict)) {
        DictValue *d = (DictValue *)vocab;
        for (int64_t i = 0; i < d->used; i++) {
            DictEntry *e = &d->entries[i];
            if (!e->key) continue;
            if (!val_is_str(e->key) || !val_is_int(e->value)) {
                word_space_close(ws);
                return interp_error(I, ERR_TYPE, "%s(): the vocabulary dict must map str words "
                                                 "to int indices",
                                    fn);
            }
            int64_t row = val_as_int(e->value), entry;
            if (wt_add(&ws->own, val_str_data(e->key), val_str_len(e->key), row, &entry, &err) < 0) {
                word_space_close(ws);
                return interp_raise(I, &err);
            }
            if (row >= 0 && row < ws->rows && ws->row_word[row] < 0) ws->row_word[row] = entry;
        }
        ws->words = &ws->own;
    } else if (val_is_sequence(vocab)) {
        ListValue *l = (ListValue *)vocab;
        for (int64_t i = 0; i < l->count; i++) {
            if (!val_is_str(l->items[i])) {
                word_space_close(ws);
                return interp_error(I, ERR_TYPE, "%s(): the vocabulary list must hold str words, "
                                                 "not %s",
                                    fn, val_type_name(l->items[i]));
            }
            int64_t entry;
            int added = wt_add(&ws->own, val_str_data(l->items[i]), val_str_len(l->items[i]), i, &entry, &err);
            if (added < 0) {
                word_space_close(ws);
                return interp_raise(I, &err);
            }
            if (added && i < ws->rows) ws->row_word[i] = entry;
        }
        ws->words = &ws->own;
    } else {
        word_space_close(ws);
        return interp_error(I, ERR_TYPE, "%s(): vocab must be a Vocab, a dict or a list of words, "
                                         "not %s",
                            fn, val_type_name(vocab));
    }
    ws->hold = val_retain(vocab);
    return 0;
}

int64_t word_space_row(Interp *I, const WordSpace *ws, Value *word) {
    if (!val_is_str(word)) {
        interp_error(I, ERR_TYPE, "words are str, not %s", val_type_name(word));
        return -1;
    }
    int64_t e = wt_find(ws->words, val_str_data(word), val_str_len(word));
    if (e < 0) {
        interp_error(I, ERR_KEY, "'%s' is not in the vocabulary", val_str_data(word));
        int64_t n = wt_count(ws->words);
        if (n <= 20000) {
            const char **cands = mem_alloc((size_t)(n + 1) * sizeof *cands, NULL);
            if (cands) {
                for (int64_t i = 0; i < n; i++) cands[i] = wt_word(ws->words, i, NULL);
                cands[n] = NULL;
                const char *best = ops_suggest(val_str_data(word), cands);
                if (best) interp_hint(I, "did you mean '%s'?", best);
                mem_free((void *)cands);
            }
        }
        return -1;
    }
    int64_t row = wt_value(ws->words, e);
    if (row < 0 || row >= ws->rows) {
        interp_error(I, ERR_INDEX, "'%s' has index %lld, but the matrix has %lld rows",
                     val_str_data(word), (long long)row, (long long)ws->rows);
        return -1;
    }
    return row;
}

Value *word_space_word(Interp *I, const WordSpace *ws, int64_t row) {
    int64_t e = row >= 0 && row < ws->rows ? ws->row_word[row] : -1;
    if (e < 0) {
        char name[32];
        snprintf(name, sizeof name, "#%lld", (long long)row);
        return val_str(I, name);
    }
    size_t len;
    const char *w = wt_word(ws->words, e, &len);
    return val_strn(I, w, len);
}
