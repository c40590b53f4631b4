/*
 * src/lang/mod_embedlab.c — the `embedlab` module: teaching helpers that are clearly not
 * PyTorch. This file holds hist and memory and assembles the module from its parts:
 * embedlab_vocab.c (Vocab, tokenize), embedlab_vectors.c (load_vectors, load_glove,
 * save_word2vec, Vectors), embedlab_similar.c (most_similar, analogy, similarity),
 * embedlab_plot.c (pca_plot, heatmap) and embedlab_io.c (save, load, save_npy, load_npy).
 * See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>
#include <string.h>

#include "core/hist.h"
#include "core/mem.h"
#include "lang/embedlab.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/nn_module.h"
#include "lang/ops.h"
#include "lang/torch_value.h"

/* embedlab.hist(t, bins=20, min=0, max=0, width=40): draws the histogram (Unicode bars in
 * a terminal, an SVG in a notebook) and returns the counts (torch.histc's). */
static Value *e_hist(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = arg_tensor(I, argv[0], "hist", "input", 1);
    int64_t bins, width;
    double lo, hi;
    if (!t || arg_int(I, argv[1], "hist", "bins", &bins) || arg_float(I, argv[2], "hist", "min", &lo) ||
        arg_float(I, argv[3], "hist", "max", &hi) || arg_int(I, argv[4], "hist", "width", &width))
        return NULL;
    Tensor *source = t, *converted = NULL;
    Error err;
    if (!dtype_is_floating(t->dtype)) {
        converted = tensor_to_dtype(t, DTYPE_FLOAT32, &err);
        if (!converted) return interp_raise(I, &err), NULL;
        source = converted;
    }
    Tensor *counts = NULL, *edges = NULL;
    int rc = hist_counts(source, bins, lo, hi, &counts, &edges, &err);
    tensor_release(converted);
    if (rc) return interp_raise(I, &err), NULL;
    StrBuf text = SB_INIT, svg = SB_INIT;
    if (hist_render_text(counts, edges, (int)width, &text, &err) ||
        hist_render_svg(counts, edges, &svg, &err)) {
        sb_free(&text);
        sb_free(&svg);
        tensor_release(counts);
        tensor_release(edges);
        return interp_raise(I, &err), NULL;
    }
    /* The text ends with a newline; the display adds its own. */
    if (text.len && sb_str(&text)[text.len - 1] == '\n') sb_truncate(&text, text.len - 1);
    interp_display(I, sb_str(&text), NULL, sb_str(&svg));
    sb_free(&text);
    sb_free(&svg);
    tensor_release(edges);
    return tensor_value_take(I, counts, NULL);
}

/* Total bytes of a tensor or of a module's parameters and buffers (shared ones once). */
static int64_t bytes_of(Interp *I, Value *v, bool *ok) {
    *ok = true;
    if (val_is_tensor(v)) {
        Tensor *t = tensor_of(v);
        return tensor_numel(t) * (int64_t)dtype_size(t->dtype);
    }
    if (!val_is_nn_module(v)) {
        *ok = false;
        return 0;
    }
    Value *method = op_getattr(I, v, "parameters");
    Value *params = method ? call_value(I, method, NULL, 0) : NULL;
    val_release(method);
    Value *list = params ? op_to_list(I, params) : NULL;
    val_release(params);
    if (!list) {
        *ok = false;
        return 0;
    }
    int64_t total = 0;
    ListValue *l = (ListValue *)list;
    for (int64_t i = 0; i < l->count; i++) {
        Tensor *t = tensor_of(l->items[i]);
        total += tensor_numel(t) * (int64_t)dtype_size(t->dtype);
    }
    val_release(list);
    return total;
}

/* embedlab.memory(x): bytes of a tensor or a module's parameters, and a human reading. */
static Value *e_memory(Interp *I, Value *self, Value **argv) {
    (void)self;
    bool ok;
    int64_t bytes = bytes_of(I, argv[0], &ok);
    if (!ok) {
        if (!interp_has_error(I))
            interp_error(I, ERR_TYPE, "memory() expects a tensor or an nn.Module, not %s",
                         val_type_name(argv[0]));
        return NULL;
    }
    char human[32];
    /* Decimal units (60 MB for 50,000 x 300 float32), as lessons count them. */
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1000.0 && u < 4) v /= 1000.0, u++;
    if (u == 0) snprintf(human, sizeof human, "%lld B", (long long)bytes);
    else snprintf(human, sizeof human, "%.1f %s", v, units[u]);
    char line[96];
    snprintf(line, sizeof line, "%lld bytes (%s)", (long long)bytes, human);
    interp_display(I, line, NULL, NULL);
    return val_int(I, bytes);
}

static const BuiltinSpec embedlab_functions[] = {
    {"hist", e_hist, "(input, bins=20, min=0, max=0, width=40)",
     "Draws a histogram of the values (Unicode bars; an SVG in notebooks) and returns the "
     "counts, as torch.histc."},
    {"memory", e_memory, "(obj)",
     "Shows and returns the bytes held by a tensor or by a module's parameters."},
    {NULL, NULL, NULL, NULL},
};

/* Adds the other parts' functions and the classes. */
static int embedlab_init(Interp *I, Value *module) {
    const BuiltinSpec *const parts[] = {embedlab_vectors_functions, embedlab_vocab_functions,
                                        embedlab_similar_functions, embedlab_plot_functions,
                                        embedlab_io_functions};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (module_add_functions(I, module, parts[i])) return -1;
    if (embedlab_vocab_init(I, module) || embedlab_vectors_init(I, module)) return -1;
    return 0;
}

const ModuleDef module_def_embedlab = {"embedlab", embedlab_functions, embedlab_init,
                                       "embedlab's teaching helpers (not part of PyTorch)."};
