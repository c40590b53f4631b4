/*
 * src/lang/embedlab_vectors.c — embedlab.load_vectors, load_glove (the seed lesson's
 * function), save_word2vec, and the Vectors objects load_vectors returns.
 * See embedlab.h. See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/mem.h"
#include "core/rng.h"
#include "core/vectors.h"
#include "lang/builtins.h"
#include "lang/embedlab.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/ops.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"

typedef struct VectorsValue {
    Value base;
    Value *vocab;     /* a Vocab, or the dict given as vocab= (owned) */
    Value *vectors;   /* the matrix, a tensor value (owned) */
    Value *warnings;  /* list of str (owned) */
    VecFormat format;
    char *path;       /* owned */
    int64_t found, wanted; /* vocabulary mode: words found / asked for; wanted -1 otherwise */
} VectorsValue;

bool val_is_vectors(const Value *v) { return v && val_is(v, &type_vectors); }
Value *vectors_vocab(Value *v) { return ((VectorsValue *)v)->vocab; }
Tensor *vectors_matrix(Value *v) { return tensor_of(((VectorsValue *)v)->vectors); }

static void vectors_clear(Value *self) {
    VectorsValue *v = (VectorsValue *)self;
    Value *a = v->vocab, *b = v->vectors, *c = v->warnings;
    v->vocab = v->vectors = v->warnings = NULL;
    val_release(a);
    val_release(b);
    val_release(c);
}

static void vectors_destroy(Value *self) {
    vectors_clear(self);
    mem_free(((VectorsValue *)self)->path);
}

static int vectors_repr(Interp *I, Value *self, StrBuf *out) {
    VectorsValue *v = (VectorsValue *)self;
    if (!v->vectors) {
        sb_append(out, "Vectors()");
        return 0;
    }
    Tensor *m = tensor_of(v->vectors);
    char path[300];
    fio_repr_path(v->path ? v->path : "", path, sizeof path);
    sb_appendf(out, "Vectors(%lld words, dim %lld, %s, %s", (long long)m->shape[0],
               (long long)m->shape[1], vec_format_label(v->format), path);
    if (v->wanted >= 0) sb_appendf(out, ", found %lld/%lld", (long long)v->found, (long long)v->wanted);
    sb_appendc(out, ')');
    (void)I;
    return 0;
}

static Value *vectors_getattr(Interp *I, Value *self, const char *name) {
    VectorsValue *v = (VectorsValue *)self;
    if (!v->vectors) return NULL;
    if (strcmp(name, "vocab") == 0) return val_retain(v->vocab);
    if (strcmp(name, "vectors") == 0) return val_retain(v->vectors);
    if (strcmp(name, "dim") == 0) return val_int(I, tensor_of(v->vectors)->shape[1]);
    if (strcmp(name, "warnings") == 0) return val_retain(v->warnings);
    if (strcmp(name, "format") == 0) return val_str(I, vec_format_name(v->format));
    if (strcmp(name, "path") == 0) return val_str(I, v->path ? v->path : "");
    if (strcmp(name, "stoi") == 0 || strcmp(name, "itos") == 0) {
        if (val_is_vocab(v->vocab)) return op_getattr(I, v->vocab, name);
        if (strcmp(name, "stoi") == 0) return val_retain(v->vocab);
    }
    return NULL;
}

static int vectors_dir(Interp *I, Value *self, Value *names) {
    (void)self;
    static const char *const attrs[] = {"vocab", "vectors", "dim", "warnings", "format", "path",
                                        "stoi", "itos"};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (val_list_append_take(I, names, val_str(I, attrs[i]))) return -1;
    return 0;
}

static int64_t vectors_length(Interp *I, Value *self) {
    (void)I;
    VectorsValue *v = (VectorsValue *)self;
    return v->vectors ? tensor_of(v->vectors)->shape[0] : 0;
}

/* v['king']: the word's row (a view of the matrix). */
static Value *vectors_getitem(Interp *I, Value *self, Value *key) {
    WordSpace ws;
    if (word_space_open(I, self, NULL, "Vectors.__getitem__", &ws)) return NULL;
    int64_t row;
    if (val_is_int(key)) {
        row = val_as_int(key);
        if (row < 0) row += ws.rows;
        if (row < 0 || row >= ws.rows) {
            word_space_close(&ws);
            interp_error(I, ERR_INDEX, "index %lld is out of range for %lld vectors",
                         (long long)val_as_int(key), (long long)ws.rows);
            return NULL;
        }
    } else {
        row = word_space_row(I, &ws, key);
    }
    Value *out = NULL;
    if (row >= 0) {
        Error err;
        Tensor *t = tensor_select(ws.matrix, 0, row, &err);
        out = tensor_value_take(I, t, &err);
    }
    word_space_close(&ws);
    return out;
}

static int vectors_contains(Interp *I, Value *self, Value *item) {
    if (!val_is_str(item)) return 0;
    WordSpace ws;
    if (word_space_open(I, self, NULL, "Vectors.__contains__", &ws)) return -1;
    int64_t e = wt_find(ws.words, val_str_data(item), val_str_len(item));
    word_space_close(&ws);
    return e >= 0;
}

static Value *m_most_similar(Interp *I, Value *self, Value **argv) {
    int64_t k;
    if (arg_int(I, argv[1], "most_similar", "k", &k)) return NULL;
    return embedlab_most_similar(I, self, NULL, argv[0], k);
}

static Value *m_similarity(Interp *I, Value *self, Value **argv) {
    return embedlab_similarity(I, self, NULL, argv[0], argv[1]);
}

static Value *m_analogy(Interp *I, Value *self, Value **argv) {
    int64_t k;
    if (arg_int(I, argv[3], "analogy", "k", &k)) return NULL;
    return embedlab_analogy(I, self, NULL, argv[0], argv[1], argv[2], k);
}

/* to_embedding(freeze=True, padding_idx=None): nn.Embedding.from_pretrained(vectors, ...). */
static Value *m_to_embedding(Interp *I, Value *self, Value **argv) {
    VectorsValue *v = (VectorsValue *)self;
    Value *nn = module_import(I, "torch.nn");
    Value *cls = nn ? op_getattr(I, nn, "Embedding") : NULL;
    Value *fp = cls ? op_getattr(I, cls, "from_pretrained") : NULL;
    val_release(nn);
    val_release(cls);
    if (!fp) return NULL;
    Value *args[1] = {v->vectors};
    const char *const kwnames[2] = {"freeze", "padding_idx"};
    Value *kwvalues[2] = {argv[0], argv[1]};
    CallArgs ca = {args, 1, kwnames, kwvalues, 2};
    Value *out = call_value_args(I, fp, &ca);
    val_release(fp);
    return out;
}

static const BuiltinSpec vectors_methods[] = {
    {"most_similar", m_most_similar, "(word, k=5)",
     "The k words nearest to a word (or a vector) by cosine similarity, excluding the word."},
    {"similarity", m_similarity, "(w1, w2)", "The cosine similarity of two words' vectors."},
    {"analogy", m_analogy, "(a, b, c, k=5)",
     "a is to b as c is to ...: the words nearest to b - a + c (unit vectors)."},
    {"to_embedding", m_to_embedding, "(freeze=True, padding_idx=None)",
     "nn.Embedding.from_pretrained(self.vectors, freeze=freeze, padding_idx=padding_idx)."},
    {NULL, NULL, NULL, NULL},
};

const ValueType type_vectors = {
    .name = "Vectors",
    .module = "embedlab",
    .destroy = vectors_destroy,
    .clear = vectors_clear,
    .repr = vectors_repr,
    .getattr = vectors_getattr,
    .dir = vectors_dir,
    .length = vectors_length,
    .getitem = vectors_getitem,
    .contains = vectors_contains,
    .methods = vectors_methods,
    .doc = "Word vectors loaded by embedlab.load_vectors: .vectors (float32 [words, dim]), "
           ".vocab, .dim, .warnings; v['king'] is a word's vector.",
};

Value *vectors_new(Interp *I, Value *vocab, Value *matrix, const char *format, const char *path) {
    VectorsValue *v = (VectorsValue *)val_alloc(I, &type_vectors, sizeof *v);
    if (!v) return NULL;
    Error err;
    v->wanted = -1;
    v->vocab = val_retain(vocab);
    v->vectors = val_retain(matrix);
    v->warnings = val_list_new(I, 0);
    v->path = mem_strdup(path, &err);
    if (vec_format_parse(format, &v->format, &err) || v->format == VEC_FORMAT_AUTO)
        v->format = VEC_FORMAT_GLOVE;
    if (!v->warnings || !v->path) {
        if (!v->path) interp_raise(I, &err);
        val_release((Value *)v);
        return NULL;
    }
    return (Value *)v;
}

int embedlab_vectors_init(Interp *I, Value *module) {
    Value *t = builtins_type_value(I, &type_vectors);
    int rc = t ? module_set(I, module, "Vectors", t) : -1;
    val_release(t);
    return rc;
}

/* ---- progress ---- */

typedef struct Progress {
    Interp *I;
    double start;
    bool tty, shown;
    uint64_t total;
    char label[64];
} Progress;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A bar on stderr once a load has taken a second, only when stderr is a terminal; stops
 * the load on Ctrl-C. */
static int progress_cb(void *ctx, uint64_t done, uint64_t total) {
    Progress *p = ctx;
    p->total = total;
    if (p->I->interrupt_requested) return 1;
    if (!p->tty || now_seconds() - p->start < 1.0) return 0;
    int pct = total ? (int)((double)done * 100.0 / (double)total) : 0;
    if (pct > 100) pct = 100;
    char line[256];
    int filled = pct * 30 / 100, n = 0;
    n += snprintf(line + n, sizeof line - (size_t)n, "\r%s %3d%% |", p->label, pct);
    for (int i = 0; i < 30 && n < 200; i++) n += snprintf(line + n, sizeof line - (size_t)n, "%s", i < filled ? "█" : " ");
    n += snprintf(line + n, sizeof line - (size_t)n, "| %.0f/%.0f MB", (double)done / 1e6, (double)total / 1e6);
    interp_write(p->I, 2, line, (size_t)n);
    p->shown = true;
    return 0;
}

static void progress_end(Progress *p, bool ok) {
    if (!p->shown) return;
    if (ok) progress_cb(p, p->total, p->total);
    interp_write(p->I, 2, "\n", 1);
}

/* ---- load_vectors ---- */

/* The words to look for: a Vocab (borrowed table), a dict word -> index or a list of words
 * (a table built in `own`). *rows is len(vocab). */
static int want_table(Interp *I, Value *vocab, WordTab *own, const WordTab **want, int64_t *rows,
                      const char *fn) {
    Error err;
    if (val_is_vocab(vocab)) {
        *want = &((VocabValue *)vocab)->words;
        *rows = wt_count(*want);
        return 0;
    }
    if (val_is_instance(vocab, &type_dict)) {
        DictValue *d = (DictValue *)vocab;
        *rows = d->count;
        for (int64_t i = 0; i < d->used; i++) {
            DictEntry *e = &d->entries[i];
            if (!e->key) continue;
            if (!val_is_str(e->key) || !val_is_int(e->value))
                return interp_error(I, ERR_TYPE, "%s(): vocab must map str words to int indices", fn);
            int64_t idx = val_as_int(e->value);
            if (idx < 0 || idx >= *rows) {
                /* What the seed's numpy indexing says for it. */
                interp_error(I, ERR_INDEX, "index %lld is out of bounds for axis 0 with size %lld",
                             (long long)idx, (long long)*rows);
                interp_hint(I, "vocab['%s'] is %lld; a vocab of %lld words needs indices 0..%lld",
                            val_str_data(e->key), (long long)idx, (long long)*rows,
                            (long long)(*rows - 1));
                return -1;
            }
            if (wt_add(own, val_str_data(e->key), val_str_len(e->key), idx, NULL, &err) < 0)
                return interp_raise(I, &err);
        }
        *want = own;
        return 0;
    }
    if (val_is_sequence(vocab)) {
        ListValue *l = (ListValue *)vocab;
        *rows = l->count;
        for (int64_t i = 0; i < l->count; i++) {
            if (!val_is_str(l->items[i]))
                return interp_error(I, ERR_TYPE, "%s(): vocab words must be str, not %s", fn,
                                    val_type_name(l->items[i]));
            if (wt_add(own, val_str_data(l->items[i]), val_str_len(l->items[i]), i, NULL, &err) < 0)
                return interp_raise(I, &err);
        }
        *want = own;
        return 0;
    }
    return interp_error(I, ERR_TYPE, "%s(): vocab must be a Vocab, a dict word -> index or a list of "
                                     "words, not %s",
                        fn, val_type_name(vocab));
}

static void issue_examples(StrBuf *sb, const VecIssue *is, const char *unit) {
    for (int64_t i = 0; i < is->count && i < VEC_EXAMPLES; i++)
        sb_appendf(sb, "%s'%s' (%s %lld)", i ? ", " : "", is->word[i], unit, (long long)is->line[i]);
    if (is->count > VEC_EXAMPLES) sb_append(sb, ", ...");
}

static int add_warning(Interp *I, Value *list, StrBuf *sb) {
    return val_list_append_take(I, list, val_str_from_sb(I, sb));
}

/* The report's warnings as str values. */
static Value *warnings_of(Interp *I, const VecLoad *r, const VecLoadOptions *o) {
    Value *list = val_list_new(I, 0);
    if (!list) return NULL;
    const char *unit = r->format == VEC_FORMAT_WORD2VEC_BINARY ? "entry" : "line";
    StrBuf sb = SB_INIT;
    int rc = 0;
    if (r->duplicates.count) {
        sb_appendf(&sb, "%lld duplicate word%s skipped (the first one wins): ",
                   (long long)r->duplicates.count, r->duplicates.count == 1 ? "" : "s");
        issue_examples(&sb, &r->duplicates, unit);
        rc |= add_warning(I, list, &sb);
    }
    if (r->malformed.count) {
        sb_appendf(&sb, "%lld malformed line%s skipped: ", (long long)r->malformed.count,
                   r->malformed.count == 1 ? "" : "s");
        issue_examples(&sb, &r->malformed, unit);
        rc |= add_warning(I, list, &sb);
    }
    if (r->nonfinite.count) {
        sb_appendf(&sb, "%lld vector%s hold%s nan or inf (%lld value%s): ", (long long)r->nonfinite.count,
                   r->nonfinite.count == 1 ? "" : "s", r->nonfinite.count == 1 ? "s" : "",
                   (long long)r->nonfinite_values, r->nonfinite_values == 1 ? "" : "s");
        issue_examples(&sb, &r->nonfinite, unit);
        rc |= add_warning(I, list, &sb);
    }
    if (r->bad_utf8.count) {
        sb_appendf(&sb, "%lld word%s had invalid UTF-8 (unicode_errors='%s'): ",
                   (long long)r->bad_utf8.count, r->bad_utf8.count == 1 ? "" : "s",
                   o->unicode_errors == VEC_UTF8_REPLACE ? "replace" : "ignore");
        issue_examples(&sb, &r->bad_utf8, unit);
        rc |= add_warning(I, list, &sb);
    }
    if (r->spaced.count) {
        sb_appendf(&sb, "%lld word%s contain%s spaces (kept whole): ", (long long)r->spaced.count,
                   r->spaced.count == 1 ? "" : "s", r->spaced.count == 1 ? "s" : "");
        issue_examples(&sb, &r->spaced, unit);
        rc |= add_warning(I, list, &sb);
    }
    if (r->truncated) {
        sb_appendf(&sb, "the file ends inside %s %lld, which was skipped: was the file cut short?",
                   unit, (long long)r->truncated_line);
        rc |= add_warning(I, list, &sb);
    }
    if (r->short_count) {
        sb_appendf(&sb, "the header promises %lld vectors, but the file holds %lld",
                   (long long)r->header_count, (long long)r->rows);
        rc |= add_warning(I, list, &sb);
    }
    sb_free(&sb);
    if (rc) {
        val_release(list);
        return NULL;
    }
    return list;
}

typedef struct LoadArgs {
    const char *path;
    VecLoadOptions o;
    Value *vocab;          /* None or the vocabulary */
    bool verbose;
    const char *label;     /* the coverage line's format name; NULL: the format's */
} LoadArgs;

static int parse_unicode_errors(Interp *I, Value *v, VecUnicodeErrors *out) {
    const char *s = embedlab_arg_str(I, v, "load_vectors", "unicode_errors");
    if (!s) return -1;
    if (strcmp(s, "strict") == 0) *out = VEC_UTF8_STRICT;
    else if (strcmp(s, "replace") == 0) *out = VEC_UTF8_REPLACE;
    else if (strcmp(s, "ignore") == 0) *out = VEC_UTF8_IGNORE;
    else
        return interp_error(I, ERR_VALUE, "unicode_errors must be 'strict', 'replace' or 'ignore', "
                                          "not '%s'",
                            s);
    return 0;
}

/* Runs a load; on success *out holds the Vectors object (vocabulary mode: vocab is kept as
 * given, or a Vocab for a list). */
static Value *run_load(Interp *I, LoadArgs *a, const char *fn) {
    WordTab own;
    wt_init(&own);
    bool vocab_mode = a->vocab && !val_is_none(a->vocab);
    if (vocab_mode) {
        if (want_table(I, a->vocab, &own, &a->o.want, &a->o.want_rows, fn)) {
            wt_free(&own);
            return NULL;
        }
        if (a->o.init_random && !a->o.gen) {
            TorchState *ts = torch_state(I);
            if (!ts) {
                wt_free(&own);
                return NULL;
            }
            a->o.gen = ts->generator;
        }
    }
    if (interp_file_access(I, a->path)) {
        wt_free(&own);
        return NULL;
    }
    Progress p = {I, now_seconds(), isatty(STDERR_FILENO) == 1, false, 0, ""};
    const char *base = strrchr(a->path, '/');
    snprintf(p.label, sizeof p.label, "loading %.40s", base ? base + 1 : a->path);
    a->o.progress = progress_cb;
    a->o.progress_ctx = &p;
    VecLoad r;
    Error err;
    int rc = vec_load(a->path, &a->o, &r, &err);
    progress_end(&p, rc == 0);
    if (rc) {
        wt_free(&own);
        return interp_raise(I, &err), NULL;
    }
    VectorsValue *v = (VectorsValue *)val_alloc(I, &type_vectors, sizeof *v);
    Value *warnings = v ? warnings_of(I, &r, &a->o) : NULL;
    if (!warnings) goto fail;
    v->warnings = warnings;
    v->format = r.format;
    v->path = mem_strdup(a->path, &err);
    if (!v->path) {
        interp_raise(I, &err);
        goto fail;
    }
    Tensor *m = r.vectors;
    r.vectors = NULL;
    v->vectors = tensor_value_take(I, m, NULL);
    if (!v->vectors) goto fail;
    if (vocab_mode) {
        v->found = r.found_words;
        v->wanted = wt_count(a->o.want);
        if (val_is_sequence(a->vocab)) {
            v->vocab = vocab_from_wordtab(I, &own);
            if (!v->vocab) goto fail;
        } else {
            v->vocab = val_retain(a->vocab);
        }
    } else {
        v->wanted = -1;
        v->vocab = vocab_from_wordtab(I, &r.words);
        if (!v->vocab) goto fail;
    }
    wt_free(&own);
    if (a->verbose) {
        char line[512], shown[300];
        const char *label = a->label ? a->label : vec_format_label(r.format);
        fio_repr_path(a->path, shown, sizeof shown);
        if (vocab_mode) {
            double pct = v->wanted ? 100.0 * (double)v->found / (double)v->wanted : 0.0;
            snprintf(line, sizeof line, "Found %lld/%lld words in %s (%.1f%%)\n", (long long)v->found,
                     (long long)v->wanted, label, pct);
        } else {
            snprintf(line, sizeof line, "Loaded %lld words, dimension %lld (%s, %s)%s\n",
                     (long long)r.count, (long long)r.dim, label, shown,
                     r.limited && a->o.limit >= 0 ? ", stopped at the limit" : "");
        }
        interp_write(I, 1, line, strlen(line));
        ListValue *w = (ListValue *)v->warnings;
        for (int64_t i = 0; i < w->count; i++) embedlab_warn(I, val_str_data(w->items[i]));
    }
    vec_load_free(&r);
    return (Value *)v;
fail:
    wt_free(&own);
    vec_load_free(&r);
    val_release((Value *)v);
    return NULL;
}

/* load_vectors(path, format='auto', vocab=None, limit=None, unk_init='random', seed=None,
 *              strict=True, unicode_errors='strict', dim=None, verbose=True) */
static Value *e_load_vectors(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char fn[] = "load_vectors";
    LoadArgs a;
    memset(&a, 0, sizeof a);
    vec_load_options_init(&a.o);
    a.path = embedlab_arg_str(I, argv[0], fn, "path");
    const char *format = a.path ? embedlab_arg_str(I, argv[1], fn, "format") : NULL;
    Error ferr;
    if (!format) return NULL;
    if (vec_format_parse(format, &a.o.format, &ferr)) return interp_raise(I, &ferr), NULL;
    a.vocab = argv[2];
    if (!val_is_none(argv[3])) {
        if (arg_int(I, argv[3], fn, "limit", &a.o.limit)) return NULL;
        if (a.o.limit < 1) {
            interp_error(I, ERR_VALUE, "limit must be a positive number of words or None, not %lld",
                         (long long)a.o.limit);
            return NULL;
        }
    }
    const char *unk = embedlab_arg_str(I, argv[4], fn, "unk_init");
    if (!unk) return NULL;
    if (strcmp(unk, "random") == 0) a.o.init_random = true;
    else if (strcmp(unk, "zeros") != 0) {
        interp_error(I, ERR_VALUE, "unk_init must be 'random' or 'zeros', not '%s'", unk);
        return NULL;
    }
    Generator *gen = NULL;
    if (!val_is_none(argv[5])) {
        int64_t seed;
        if (arg_int(I, argv[5], fn, "seed", &seed)) return NULL;
        Error err;
        gen = rng_new((uint64_t)seed, &err);
        if (!gen) return interp_raise(I, &err), NULL;
        a.o.gen = gen;
    }
    Value *out = NULL;
    if (arg_bool(I, argv[6], fn, "strict", &a.o.strict) ||
        parse_unicode_errors(I, argv[7], &a.o.unicode_errors) ||
        (!val_is_none(argv[8]) && arg_int(I, argv[8], fn, "dim", &a.o.dim)) ||
        arg_bool(I, argv[9], fn, "verbose", &a.verbose))
        goto done;
    out = run_load(I, &a, fn);
done:
    rng_free(gen);
    return out;
}

/* load_glove(glove_path, vocab, embedding_dim): the seed lesson's function. */
static Value *e_load_glove(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char fn[] = "load_glove";
    LoadArgs a;
    memset(&a, 0, sizeof a);
    vec_load_options_init(&a.o);
    a.path = embedlab_arg_str(I, argv[0], fn, "glove_path");
    if (!a.path || arg_int(I, argv[2], fn, "embedding_dim", &a.o.dim)) return NULL;
    if (a.o.dim < 1) {
        interp_error(I, ERR_VALUE, "embedding_dim must be positive, not %lld", (long long)a.o.dim);
        return NULL;
    }
    if (val_is_none(argv[1])) {
        interp_error(I, ERR_TYPE, "load_glove() argument 'vocab' must be a dict word -> index");
        return NULL;
    }
    a.vocab = argv[1];
    a.o.init_random = true;
    a.verbose = true;
    a.label = "GloVe";
    Value *v = run_load(I, &a, fn);
    if (!v) return NULL;
    Value *m = val_retain(((VectorsValue *)v)->vectors);
    val_release(v);
    return m;
}

/* save_word2vec(vectors, path, binary=False, vocab=None) */
static Value *e_save_word2vec(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char fn[] = "save_word2vec";
    const char *path = embedlab_arg_str(I, argv[1], fn, "path");
    bool binary;
    if (!path || arg_bool(I, argv[2], fn, "binary", &binary)) return NULL;
    WordSpace ws;
    if (word_space_open(I, argv[0], argv[3], fn, &ws)) return NULL;
    Error err;
    const char **words = mem_alloc((size_t)(ws.rows ? ws.rows : 1) * sizeof *words, &err);
    size_t *lens = words ? mem_alloc((size_t)(ws.rows ? ws.rows : 1) * sizeof *lens, &err) : NULL;
    int rc = (!words || !lens) ? interp_raise(I, &err) : 0;
    for (int64_t r = 0; !rc && r < ws.rows; r++) {
        if (ws.row_word[r] < 0) {
            rc = interp_error(I, ERR_VALUE, "%s(): row %lld of the matrix has no word in the "
                                            "vocabulary",
                              fn, (long long)r);
            break;
        }
        words[r] = wt_word(ws.words, ws.row_word[r], &lens[r]);
    }
    if (!rc && interp_file_access(I, path)) rc = -1;
    if (!rc && vec_save_word2vec(path, ws.matrix, words, lens, ws.rows, binary, &err))
        rc = interp_raise(I, &err);
    mem_free((void *)words);
    mem_free(lens);
    word_space_close(&ws);
    return rc ? NULL : val_none(I);
}

const BuiltinSpec embedlab_vectors_functions[] = {
    {"load_vectors", e_load_vectors,
     "(path, format='auto', vocab=None, limit=None, unk_init='random', seed=None, strict=True, "
     "unicode_errors='strict', dim=None, verbose=True)",
     "Loads word vectors from a GloVe, word2vec (text or binary) or fastText .vec file (format "
     "'auto' detects it) and returns a Vectors object (.vectors float32 [words, dim], .vocab, "
     ".dim, .warnings). With vocab= (a Vocab, a dict word -> index or a list of words) it "
     "builds the matrix for that vocabulary instead: found words get their vectors, the "
     "others randn * 0.01 rows (unk_init='random'; torch's generator, or a fresh one seeded "
     "with seed=) or zeros, and it prints 'Found 4/5 words in GloVe (80.0%)' as the seed "
     "lesson does. limit=N reads the first N vectors; strict=False skips malformed lines "
     "(counted in .warnings) instead of failing; unicode_errors='replace'/'ignore' repairs "
     "words that are not UTF-8; dim= checks the dimension."},
    {"load_glove", e_load_glove, "(glove_path, vocab, embedding_dim)",
     "The seed lesson's load_glove: the [len(vocab), embedding_dim] matrix for a dict word -> "
     "index, from a GloVe file, printing 'Found 4/5 words in GloVe (80.0%)'. Differences: it "
     "returns a float32 tensor, not a NumPy array; missing words' rows are torch.randn(...) * "
     "0.01 from torch's generator, not np.random.randn(...) * 0.01; a duplicated word counts "
     "once (the first wins)."},
    {"save_word2vec", e_save_word2vec, "(vectors, path, binary=False, vocab=None)",
     "Writes vectors (a Vectors object, or an embedding / weight tensor with vocab=) in the "
     "word2vec text format (binary=False) or binary format, readable by gensim's "
     "KeyedVectors.load_word2vec_format; atomic (a temporary file renamed into place)."},
    {NULL, NULL, NULL, NULL},
};
