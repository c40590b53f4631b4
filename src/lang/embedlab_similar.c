/*
 * src/lang/embedlab_similar.c — embedlab.most_similar, analogy and similarity, and the
 * Neighbors tables they return (a tuple of (word, score) pairs that prints as an aligned
 * table and has an HTML form for notebooks). See embedlab.h. See LICENSE
 * (GPL-3.0-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/plot.h"
#include "core/similarity.h"
#include "lang/embedlab.h"
#include "lang/interp.h"
#include "lang/ops.h"
#include "lang/torch_value.h"

/* ---- Neighbors ---- */

typedef struct NeighborsValue {
    ListValue tuple; /* a real tuple of (word, score) pairs: indexing and unpacking work */
    char *title;     /* owned */
} NeighborsValue;

static void neighbors_destroy(Value *self) {
    type_tuple.destroy(self);
    mem_free(((NeighborsValue *)self)->title);
}

static void neighbors_clear(Value *self) { type_tuple.clear(self); }

static int64_t neighbors_length(Interp *I, Value *self) {
    (void)I;
    return ((ListValue *)self)->count;
}

static int neighbors_truth(Interp *I, Value *self) {
    (void)I;
    return ((ListValue *)self)->count > 0;
}

static Value *neighbors_iter(Interp *I, Value *self) {
    ListValue *l = (ListValue *)self;
    Value *plain = val_tuple_new(I, l->count);
    if (!plain) return NULL;
    for (int64_t i = 0; i < l->count; i++) ((ListValue *)plain)->items[i] = val_retain(l->items[i]);
    Value *it = op_iter(I, plain);
    val_release(plain);
    return it;
}

static int neighbors_repr(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    NeighborsValue *n = (NeighborsValue *)self;
    ListValue *l = &n->tuple;
    int64_t width = 4;
    for (int64_t i = 0; i < l->count; i++) {
        int64_t w = plot_text_width(val_str_data(((ListValue *)l->items[i])->items[0]));
        if (w > width) width = w;
    }
    int rank_width = l->count >= 100 ? 3 : l->count >= 10 ? 2 : 1;
    sb_append(out, n->title ? n->title : "");
    for (int64_t i = 0; i < l->count; i++) {
        ListValue *pair = (ListValue *)l->items[i];
        const char *word = val_str_data(pair->items[0]);
        sb_appendf(out, "\n%*lld  %s", rank_width, (long long)(i + 1), word);
        sb_repeat(out, ' ', (size_t)(width - plot_text_width(word)));
        sb_appendf(out, "  %7.4f", val_as_float(pair->items[1]));
    }
    if (l->count == 0) sb_append(out, "\n(no other words)");
    return 0;
}

static void html_escaped(StrBuf *sb, const char *s) {
    for (; *s; s++) {
        if (*s == '&') sb_append(sb, "&amp;");
        else if (*s == '<') sb_append(sb, "&lt;");
        else if (*s == '>') sb_append(sb, "&gt;");
        else if (*s == '"') sb_append(sb, "&quot;");
        else sb_appendc(sb, *s);
    }
}

/* The table as HTML (IPython's _repr_html_ protocol). */
static Value *m_repr_html(Interp *I, Value *self, Value **argv) {
    (void)argv;
    NeighborsValue *n = (NeighborsValue *)self;
    StrBuf sb = SB_INIT;
    sb_append(&sb, "<table class=\"embedlab-neighbors\"><caption>");
    html_escaped(&sb, n->title ? n->title : "");
    sb_append(&sb, "</caption>\n<thead><tr><th>#</th><th>word</th><th>cosine</th></tr></thead>\n<tbody>\n");
    for (int64_t i = 0; i < n->tuple.count; i++) {
        ListValue *pair = (ListValue *)n->tuple.items[i];
        sb_appendf(&sb, "<tr><td>%lld</td><td>", (long long)(i + 1));
        html_escaped(&sb, val_str_data(pair->items[0]));
        sb_appendf(&sb, "</td><td style=\"text-align:right\">%.4f</td></tr>\n", val_as_float(pair->items[1]));
    }
    sb_append(&sb, "</tbody></table>");
    return val_str_from_sb(I, &sb);
}

static const BuiltinSpec neighbors_methods[] = {
    {"_repr_html_", m_repr_html, "()", "The table as HTML (for notebooks)."},
    {NULL, NULL, NULL, NULL},
};

static const ValueType type_neighbors = {
    .name = "Neighbors",
    .module = "embedlab",
    .destroy = neighbors_destroy,
    .clear = neighbors_clear,
    .repr = neighbors_repr,
    .truth = neighbors_truth,
    .length = neighbors_length,
    .iter = neighbors_iter,
    .methods = neighbors_methods,
    .base = &type_tuple,
    .doc = "Nearest words: a tuple of (word, cosine) pairs, printed as a table.",
};

/* A Neighbors table of rows idx[0..n) with their scores. */
static Value *neighbors_new(Interp *I, const WordSpace *ws, const int64_t *idx, int64_t n,
                            const double *scores, const char *title) {
    NeighborsValue *nv = (NeighborsValue *)val_alloc(I, &type_neighbors, sizeof *nv);
    Error err;
    if (!nv) return NULL;
    nv->title = mem_strdup(title, &err);
    nv->tuple.items = mem_calloc((size_t)(n ? n : 1), sizeof(Value *), &err);
    if (!nv->title || !nv->tuple.items) {
        val_release((Value *)nv);
        return interp_raise(I, &err), NULL;
    }
    nv->tuple.cap = n;
    for (int64_t i = 0; i < n; i++) {
        Value *pair = val_tuple_new(I, 2);
        Value *w = pair ? word_space_word(I, ws, idx[i]) : NULL;
        Value *s = w ? val_float(I, scores[idx[i]]) : NULL;
        if (!s) {
            val_release(w);
            if (pair) {
                ((ListValue *)pair)->count = 0;
                val_release(pair);
            }
            val_release((Value *)nv);
            return NULL;
        }
        ((ListValue *)pair)->items[0] = w;
        ((ListValue *)pair)->items[1] = s;
        nv->tuple.items[nv->tuple.count++] = pair;
    }
    return (Value *)nv;
}

/* ---- the computations ---- */

static int check_k(Interp *I, int64_t k) {
    if (k < 1) return interp_error(I, ERR_VALUE, "k must be at least 1, not %lld", (long long)k);
    return 0;
}

/* Ranks every row against q and builds the table. */
static Value *rank(Interp *I, WordSpace *ws, const double *q, const int64_t *exclude, int nexclude,
                   int64_t k, const char *title) {
    Error err;
    double *scores = mem_alloc((size_t)(ws->rows ? ws->rows : 1) * sizeof *scores, &err);
    int64_t *idx = scores ? mem_alloc((size_t)k * sizeof *idx, &err) : NULL;
    Value *out = NULL;
    if (!scores || !idx) interp_raise(I, &err);
    else if (sim_cosine_rows(ws->matrix, q, scores, &err)) interp_raise(I, &err);
    else {
        /* Only rows the vocabulary names are candidates. */
        for (int64_t r = 0; r < ws->rows; r++)
            if (ws->row_word[r] < 0) scores[r] = NAN;
        int64_t n = sim_top_k(scores, ws->rows, k, exclude, nexclude, idx, &err);
        out = n < 0 ? (interp_raise(I, &err), NULL) : neighbors_new(I, ws, idx, n, scores, title);
    }
    mem_free(scores);
    mem_free(idx);
    return out;
}

static double *alloc_vec(Interp *I, int64_t d) {
    Error err;
    double *v = mem_alloc((size_t)(d ? d : 1) * sizeof *v, &err);
    if (!v) interp_raise(I, &err);
    return v;
}

Value *embedlab_most_similar(Interp *I, Value *obj, Value *vocab, Value *word, int64_t k) {
    if (check_k(I, k)) return NULL;
    WordSpace ws;
    if (word_space_open(I, obj, vocab, "most_similar", &ws)) return NULL;
    int64_t d = ws.matrix->shape[1], row = -1;
    double *q = alloc_vec(I, d);
    Value *out = NULL;
    StrBuf title = SB_INIT;
    if (!q) goto done;
    if (word && val_is_tensor(word)) {
        Tensor *t = tensor_of(word);
        if (t->ndim != 1 || t->shape[0] != d) {
            char shape[64];
            tensor_shape_str(t->ndim, t->shape, shape, sizeof shape);
            interp_error(I, ERR_VALUE, "most_similar(): the query vector must have shape [%lld], "
                                       "not %s",
                         (long long)d, shape);
            goto done;
        }
        for (int64_t i = 0; i < d; i++) q[i] = tensor_get(t, i);
        sb_append(&title, "nearest to the vector (cosine similarity)");
    } else {
        if (!word || val_is_none(word)) {
            interp_error(I, ERR_TYPE, "most_similar() needs a word");
            goto done;
        }
        row = word_space_row(I, &ws, word);
        if (row < 0) goto done;
        sim_row(ws.matrix, row, q);
        sb_appendf(&title, "nearest to '%s' (cosine similarity)", val_str_data(word));
    }
    out = rank(I, &ws, q, &row, row >= 0 ? 1 : 0, k, sb_str(&title));
done:
    sb_free(&title);
    mem_free(q);
    word_space_close(&ws);
    return out;
}

/* Adds sign * v / |v| to acc. */
static void add_unit(double *acc, const double *v, int64_t d, double sign) {
    double n = 0;
    for (int64_t i = 0; i < d; i++) n += v[i] * v[i];
    n = fmax(sqrt(n), SIM_EPS);
    for (int64_t i = 0; i < d; i++) acc[i] += sign * v[i] / n;
}

Value *embedlab_analogy(Interp *I, Value *obj, Value *vocab, Value *a, Value *b, Value *c,
                        int64_t k) {
    if (check_k(I, k)) return NULL;
    if (!a || !b || !c || val_is_none(a) || val_is_none(b) || val_is_none(c)) {
        interp_error(I, ERR_TYPE, "analogy() needs three words: a is to b as c is to ?");
        return NULL;
    }
    WordSpace ws;
    if (word_space_open(I, obj, vocab, "analogy", &ws)) return NULL;
    int64_t d = ws.matrix->shape[1];
    int64_t rows[3] = {word_space_row(I, &ws, a), -1, -1};
    if (rows[0] >= 0) rows[1] = word_space_row(I, &ws, b);
    if (rows[1] >= 0) rows[2] = word_space_row(I, &ws, c);
    double *q = rows[2] >= 0 ? alloc_vec(I, d) : NULL, *v = q ? alloc_vec(I, d) : NULL;
    Value *out = NULL;
    if (v) {
        for (int64_t i = 0; i < d; i++) q[i] = 0;
        static const double signs[3] = {-1, 1, 1};
        for (int w = 0; w < 3; w++) {
            sim_row(ws.matrix, rows[w], v);
            add_unit(q, v, d, signs[w]);
        }
        StrBuf title = SB_INIT;
        sb_appendf(&title, "'%s' is to '%s' as '%s' is to (cosine similarity to %s - %s + %s)",
                   val_str_data(a), val_str_data(b), val_str_data(c), val_str_data(b),
                   val_str_data(a), val_str_data(c));
        out = rank(I, &ws, q, rows, 3, k, sb_str(&title));
        sb_free(&title);
    }
    mem_free(q);
    mem_free(v);
    word_space_close(&ws);
    return out;
}

Value *embedlab_similarity(Interp *I, Value *obj, Value *vocab, Value *w1, Value *w2) {
    if (!w1 || !w2 || val_is_none(w1) || val_is_none(w2)) {
        interp_error(I, ERR_TYPE, "similarity() needs two words");
        return NULL;
    }
    WordSpace ws;
    if (word_space_open(I, obj, vocab, "similarity", &ws)) return NULL;
    int64_t d = ws.matrix->shape[1];
    int64_t r1 = word_space_row(I, &ws, w1), r2 = r1 >= 0 ? word_space_row(I, &ws, w2) : -1;
    double *a = r2 >= 0 ? alloc_vec(I, d) : NULL, *b = a ? alloc_vec(I, d) : NULL;
    Value *out = NULL;
    if (b) {
        sim_row(ws.matrix, r1, a);
        sim_row(ws.matrix, r2, b);
        out = val_float(I, sim_cosine(a, b, d));
    }
    mem_free(a);
    mem_free(b);
    word_space_close(&ws);
    return out;
}

/* ---- module functions: the vocabulary argument may be left out for Vectors ---- */

static bool is_query(Value *v) { return v && (val_is_str(v) || val_is_tensor(v)); }

/* most_similar(emb_or_vectors, vocab=None, word=None, k=5) */
static Value *e_most_similar(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *vocab = argv[1], *word = argv[2], *kv = argv[3];
    if (is_query(vocab) && (val_is_none(word) || val_is_int(word))) {
        if (val_is_int(word)) kv = word;
        word = vocab;
        vocab = NULL;
    }
    int64_t k;
    if (arg_int(I, kv, "most_similar", "k", &k)) return NULL;
    return embedlab_most_similar(I, argv[0], vocab, word, k);
}

/* analogy(emb_or_vectors, vocab=None, a=None, b=None, c=None, k=5) */
static Value *e_analogy(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *vocab = argv[1], *a = argv[2], *b = argv[3], *c = argv[4], *kv = argv[5];
    if (vocab && val_is_str(vocab)) {
        if (val_is_int(c)) kv = c;
        c = b;
        b = a;
        a = vocab;
        vocab = NULL;
    }
    int64_t k;
    if (arg_int(I, kv, "analogy", "k", &k)) return NULL;
    return embedlab_analogy(I, argv[0], vocab, a, b, c, k);
}

/* similarity(emb_or_vectors, vocab=None, w1=None, w2=None) */
static Value *e_similarity(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *vocab = argv[1], *w1 = argv[2], *w2 = argv[3];
    if (vocab && val_is_str(vocab)) {
        w2 = w1;
        w1 = vocab;
        vocab = NULL;
    }
    return embedlab_similarity(I, argv[0], vocab, w1, w2);
}

const BuiltinSpec embedlab_similar_functions[] = {
    {"most_similar", e_most_similar, "(emb_or_vectors, vocab=None, word=None, k=5)",
     "The k words nearest to `word` (or to a 1-D query tensor) by cosine similarity, "
     "excluding the word itself, as a table of (word, cosine) pairs. emb_or_vectors: a "
     "Vectors object (then vocab may be left out: most_similar(v, 'king')), an nn.Embedding "
     "or a weight tensor with vocab= (a Vocab, a dict word -> index or a list of words)."},
    {"analogy", e_analogy, "(emb_or_vectors, vocab=None, a=None, b=None, c=None, k=5)",
     "a is to b as c is to ...: the words nearest to unit(b) - unit(a) + unit(c) (gensim's "
     "most_similar(positive=[b, c], negative=[a])), excluding a, b and c. analogy(v, 'man', "
     "'king', 'woman') should find 'queen'."},
    {"similarity", e_similarity, "(emb_or_vectors, vocab=None, w1=None, w2=None)",
     "The cosine similarity of two words' vectors (F.cosine_similarity's formula, eps=1e-8)."},
    {NULL, NULL, NULL, NULL},
};
