/*
 * src/lang/embedlab_plot.c — embedlab.pca_plot (words on their first two principal
 * components) and embedlab.heatmap (a matrix as shaded cells): Unicode drawings in the
 * terminal, SVG in notebooks (through interp_display). See embedlab.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "core/pca.h"
#include "core/plot.h"
#include "lang/embedlab.h"
#include "lang/interp.h"
#include "lang/nn_module.h"
#include "lang/ops.h"
#include "lang/torch_value.h"

/* Shows text + SVG; the text loses its final newline (the display adds one). */
static void show(Interp *I, StrBuf *text, StrBuf *svg) {
    if (text->len && sb_str(text)[text->len - 1] == '\n') sb_truncate(text, text->len - 1);
    interp_display(I, sb_str(text), NULL, sb_str(svg));
}

/* A list of str labels from a sequence (TypeError otherwise); *n receives its length. */
static Value *label_list(Interp *I, Value *v, const char *fn, const char *name) {
    Value *l = op_to_list(I, v);
    if (!l) return NULL;
    ListValue *list = (ListValue *)l;
    for (int64_t i = 0; i < list->count; i++) {
        if (!val_is_str(list->items[i])) {
            interp_error(I, ERR_TYPE, "%s(): %s must be str, not %s", fn, name,
                         val_type_name(list->items[i]));
            val_release(l);
            return NULL;
        }
    }
    return l;
}

static const char **label_array(Interp *I, Value *list) {
    ListValue *l = (ListValue *)list;
    Error err;
    const char **a = mem_alloc((size_t)(l->count + 1) * sizeof *a, &err);
    if (!a) return interp_raise(I, &err), NULL;
    for (int64_t i = 0; i < l->count; i++) a[i] = val_str_data(l->items[i]);
    a[l->count] = NULL;
    return a;
}

/* pca_plot(vectors, words=None, vocab=None, width=64, height=20, title=None) */
static Value *e_pca_plot(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char fn[] = "pca_plot";
    int64_t width, height;
    if (arg_int(I, argv[3], fn, "width", &width) || arg_int(I, argv[4], fn, "height", &height))
        return NULL;
    const char *title_arg = NULL;
    if (!val_is_none(argv[5]) && !(title_arg = embedlab_arg_str(I, argv[5], fn, "title"))) return NULL;
    Value *obj = argv[0], *words = argv[1], *vocab = argv[2];
    bool lookup = val_is_vectors(obj) || !val_is_none(vocab);
    Value *labels = NULL;
    Tensor *x = NULL;
    Error err;
    Value *result = NULL;
    WordSpace ws;
    memset(&ws, 0, sizeof ws);
    if (lookup) {
        if (word_space_open(I, obj, val_is_none(vocab) ? NULL : vocab, fn, &ws)) return NULL;
        if (val_is_none(words)) {
            /* The first 50 words. */
            labels = val_list_new(I, 0);
            for (int64_t r = 0; labels && r < ws.rows && r < 50; r++)
                if (val_list_append_take(I, labels, word_space_word(I, &ws, r))) {
                    val_release(labels);
                    labels = NULL;
                }
        } else {
            labels = label_list(I, words, fn, "words");
        }
        if (!labels) goto done;
        ListValue *l = (ListValue *)labels;
        int64_t shape[2] = {l->count, ws.matrix->shape[1]};
        x = tensor_zeros(DTYPE_FLOAT64, 2, shape, &err);
        if (!x) {
            interp_raise(I, &err);
            goto done;
        }
        for (int64_t i = 0; i < l->count; i++) {
            int64_t row = val_is_none(words) ? i : word_space_row(I, &ws, l->items[i]);
            if (row < 0) goto done;
            for (int64_t k = 0; k < shape[1]; k++) {
                int64_t idx[2] = {row, k};
                ((double *)x->storage->data)[i * shape[1] + k] =
                    tensor_load(ws.matrix, tensor_index_offset(ws.matrix, idx));
            }
        }
    } else {
        Tensor *m = NULL;
        if (val_is_tensor(obj)) m = tensor_of(obj);
        else if (val_is_nn_module(obj)) {
            Value *w = op_getattr_opt(I, obj, "weight");
            if (w && val_is_tensor(w)) m = tensor_of(w);
            val_release(w); /* the module keeps the weight alive */
        }
        if (!m) {
            if (!interp_has_error(I))
                interp_error(I, ERR_TYPE, "%s() expects vectors, an embedding or a 2-D tensor, not %s",
                             fn, val_type_name(obj));
            goto done;
        }
        x = tensor_retain(m);
        if (!val_is_none(words)) {
            labels = label_list(I, words, fn, "words");
            if (!labels) goto done;
            if (m->ndim == 2 && ((ListValue *)labels)->count != m->shape[0]) {
                interp_error(I, ERR_VALUE, "%s(): %lld labels for %lld vectors", fn,
                             (long long)((ListValue *)labels)->count, (long long)m->shape[0]);
                interp_hint(I, "to pick words by name, pass vocab= (or load the vectors with "
                               "embedlab.load_vectors)");
                goto done;
            }
        }
    }
    if (x->ndim != 2 || x->shape[0] < 2) {
        interp_error(I, ERR_VALUE, "%s() needs at least 2 vectors in a 2-D matrix", fn);
        goto done;
    }
    Tensor *scores;
    double ratio[2];
    if (pca_fit(x, 2, &scores, ratio, &err)) {
        interp_raise(I, &err);
        goto done;
    }
    int64_t n = x->shape[0];
    double *xs = mem_alloc((size_t)n * sizeof *xs, &err), *ys = xs ? mem_alloc((size_t)n * sizeof *ys, &err) : NULL;
    const char **names = labels ? label_array(I, labels) : NULL;
    if (!ys || (labels && !names)) {
        if (!ys) interp_raise(I, &err);
        mem_free(xs);
        mem_free(ys);
        mem_free((void *)names);
        tensor_release(scores);
        goto done;
    }
    for (int64_t i = 0; i < n; i++) {
        xs[i] = ((double *)scores->storage->data)[i * 2];
        ys[i] = ((double *)scores->storage->data)[i * 2 + 1];
    }
    char xl[64], yl[64], title[160];
    snprintf(xl, sizeof xl, "PC1 (%.1f%% of variance)", 100 * ratio[0]);
    snprintf(yl, sizeof yl, "PC2 (%.1f%%)", 100 * ratio[1]);
    snprintf(title, sizeof title, "%s", title_arg ? title_arg : "");
    if (!title_arg) snprintf(title, sizeof title, "PCA of %lld %s", (long long)n, labels ? "words" : "vectors");
    PlotScatter p = {xs, ys, names, n, title, xl, yl};
    StrBuf text = SB_INIT, svg = SB_INIT;
    if (plot_scatter_text(&p, (int)width, (int)height, &text, &err) || plot_scatter_svg(&p, &svg, &err)) {
        interp_raise(I, &err);
    } else {
        show(I, &text, &svg);
        result = val_none(I);
    }
    sb_free(&text);
    sb_free(&svg);
    mem_free(xs);
    mem_free(ys);
    mem_free((void *)names);
    tensor_release(scores);
done:
    tensor_release(x);
    val_release(labels);
    if (lookup) word_space_close(&ws);
    return result;
}

/* heatmap(matrix, labels=None, col_labels=None, vmin=None, vmax=None, title=None) */
static Value *e_heatmap(Interp *I, Value *self, Value **argv) {
    (void)self;
    static const char fn[] = "heatmap";
    Tensor *m = arg_tensor(I, argv[0], fn, "matrix", 1);
    if (!m) return NULL;
    if (m->ndim != 2) {
        interp_error(I, ERR_VALUE, "%s() needs a 2-D matrix, got %d dimension%s", fn, m->ndim,
                     m->ndim == 1 ? "" : "s");
        return NULL;
    }
    double vmin = 0, vmax = 0;
    if ((!val_is_none(argv[3]) && arg_float(I, argv[3], fn, "vmin", &vmin)) ||
        (!val_is_none(argv[4]) && arg_float(I, argv[4], fn, "vmax", &vmax)))
        return NULL;
    const char *title = NULL;
    if (!val_is_none(argv[5]) && !(title = embedlab_arg_str(I, argv[5], fn, "title"))) return NULL;
    if (val_is_none(argv[3]) != val_is_none(argv[4])) {
        /* One bound given: the other comes from the data. */
        double lo = 0, hi = 0;
        int64_t n = tensor_numel(m);
        for (int64_t i = 0; i < n; i++) {
            double v = tensor_get(m, i);
            if (i == 0 || v < lo) lo = v;
            if (i == 0 || v > hi) hi = v;
        }
        if (val_is_none(argv[3])) vmin = lo;
        else vmax = hi;
    }
    Value *rows = NULL, *cols = NULL;
    const char **rl = NULL, **cl = NULL;
    Value *result = NULL;
    if (!val_is_none(argv[1])) {
        rows = label_list(I, argv[1], fn, "labels");
        if (!rows) goto done;
        if (((ListValue *)rows)->count != m->shape[0]) {
            interp_error(I, ERR_VALUE, "%s(): %lld labels for %lld rows", fn,
                         (long long)((ListValue *)rows)->count, (long long)m->shape[0]);
            goto done;
        }
        if (!(rl = label_array(I, rows))) goto done;
    }
    Value *col_src = !val_is_none(argv[2]) ? argv[2] : (rows && m->shape[0] == m->shape[1] ? argv[1] : NULL);
    if (col_src) {
        cols = label_list(I, col_src, fn, "col_labels");
        if (!cols) goto done;
        if (((ListValue *)cols)->count != m->shape[1]) {
            interp_error(I, ERR_VALUE, "%s(): %lld column labels for %lld columns", fn,
                         (long long)((ListValue *)cols)->count, (long long)m->shape[1]);
            goto done;
        }
        if (!(cl = label_array(I, cols))) goto done;
    }
    PlotHeatmap h = {m, rl, cl, title, vmin, vmax};
    StrBuf text = SB_INIT, svg = SB_INIT;
    Error err;
    if (plot_heatmap_text(&h, &text, &err) || plot_heatmap_svg(&h, &svg, &err)) {
        interp_raise(I, &err);
    } else {
        show(I, &text, &svg);
        result = val_none(I);
    }
    sb_free(&text);
    sb_free(&svg);
done:
    mem_free((void *)rl);
    mem_free((void *)cl);
    val_release(rows);
    val_release(cols);
    return result;
}

const BuiltinSpec embedlab_plot_functions[] = {
    {"pca_plot", e_pca_plot, "(vectors, words=None, vocab=None, width=64, height=20, title=None)",
     "Plots words on their first two principal components (PCA, signs as sklearn): a Unicode "
     "scatter in the terminal, an SVG in notebooks. vectors: a Vectors object or an embedding "
     "/ tensor with vocab= (then `words` are looked up; default: the first 50), or a 2-D "
     "tensor whose rows `words` label."},
    {"heatmap", e_heatmap, "(matrix, labels=None, col_labels=None, vmin=None, vmax=None, title=None)",
     "Draws a 2-D tensor as shaded cells (░▒▓█ in the terminal, a coloured SVG grid in "
     "notebooks), rows labelled by `labels` (also the columns of a square matrix)."},
    {NULL, NULL, NULL, NULL},
};
