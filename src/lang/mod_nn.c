/*
 * src/lang/mod_nn.c — the `torch.nn` module: Parameter, Module, Embedding,
 * EmbeddingBag, Linear, Dropout, ReLU, Identity, Sequential. Module state follows
 * PyTorch 1.13's __init__ and extra_repr; forwards call the core (embedding.h,
 * embedding_bag.h, tensor_math.h). See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/embedding.h"
#include "core/embedding_bag.h"
#include "core/nn_functional.h"
#include "core/rng.h"
#include "core/tensor_math.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/nn.h"
#include "lang/nn_module.h"
#include "lang/ops.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"


/* Constructor signatures: one text each for argument binding, help() and completion. */
#define EMBEDDING_PARAMS                                                                    \
    "num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0, "      \
    "scale_grad_by_freq=False, sparse=False, _weight=None, device=None, dtype=None"
#define EMBEDDING_BAG_PARAMS                                                                \
    "num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, " \
    "mode='mean', sparse=False, _weight=None, include_last_offset=False, padding_idx=None, "  \
    "device=None, dtype=None"
#define LINEAR_PARAMS "in_features, out_features, bias=True, device=None, dtype=None"
#define DROPOUT_PARAMS "p=0.5, inplace=False"
#define EMBEDDING_SIGNATURE "(" EMBEDDING_PARAMS ")"
#define EMBEDDING_BAG_SIGNATURE "(" EMBEDDING_BAG_PARAMS ")"
#define LINEAR_SIGNATURE "(" LINEAR_PARAMS ")"
#define DROPOUT_SIGNATURE "(" DROPOUT_PARAMS ")"

/* ---- shared helpers ---- */

/* Appends str(value) (Python's str of an attribute) for extra_repr. */
static int append_attr(Interp *I, NNModule *m, const char *name, StrBuf *out) {
    Value *v = nn_get_attr(I, m, name);
    if (!v) return interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute '%s'",
                                nn_type_of((Value *)m)->type.name, name);
    return val_str_of(I, v, out);
}

static bool attr_is_none(Interp *I, NNModule *m, const char *name) {
    Value *v = nn_get_attr(I, m, name);
    return !v || val_is_none(v);
}

static bool attr_truthy(Interp *I, NNModule *m, const char *name) {
    Value *v = nn_get_attr(I, m, name);
    return v && val_truth(I, v) > 0;
}

static double attr_float(Interp *I, NNModule *m, const char *name, double fallback) {
    Value *v = nn_get_attr(I, m, name);
    return v && val_is_number(v) ? val_as_float(v) : fallback;
}


static Value *module_value(NNModule *m) { return (Value *)m; }


/* Binds forward(self, input) of class `cls` with Python's messages
 * ("Embedding.forward() missing 1 required positional argument: 'input'"); returns the
 * input, borrowed from args, or NULL with the error set. */
static Value *forward_arg(Interp *I, CallArgs *args, const char *cls) {
    static const BuiltinSpec spec = {"forward", NULL, "(self, input)", NULL};
    char qualname[64];
    snprintf(qualname, sizeof qualname, "%s.forward", cls);
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, qualname, args, argv, &sig)) return NULL;
    Value *input = argv[0]; /* still referenced by args for the whole call */
    sig_release_bound(sig, argv);
    return input;
}

/* The single tensor argument of forward(input). */
static Tensor *forward_input(Interp *I, CallArgs *args, const char *cls, const char *fn,
                             int position) {
    Value *input = forward_arg(I, args, cls);
    if (!input) return NULL;
    if (!val_is_tensor(input)) {
        interp_error(I, ERR_TYPE, "%s(): argument '%s' (position %d) must be Tensor, not %s", fn,
                     position == 2 ? "indices" : "input", position, val_type_name(input));
        return NULL;
    }
    return tensor_of(input);
}

static Tensor *weight_of(Interp *I, NNModule *m, const char *name) {
    Value *w = nn_get_parameter(m, name);
    if (!w) w = nn_get_attr(I, m, name);
    if (!w || !val_is_tensor(w)) {
        interp_error(I, ERR_TYPE, "the module's '%s' is not a tensor", name);
        return NULL;
    }
    return tensor_of(w);
}

/* torch.empty((first, second)) as the modules call it, on the sizes as the user gave them,
 * with the argument parser's errors: no overload matches unless the first element is an
 * int (not a bool); a later element may be an int or a bool, anything else is "found
 * element of type float at pos 2". */
static int empty_size2(Interp *I, Value *first, Value *second, int64_t *a, int64_t *b) {
    if (val_is(first, &type_bool) || arg_int(I, first, "empty", "size", a)) {
        interp_clear_error(I);
        return interp_error(
            I, ERR_TYPE,
            "empty() received an invalid combination of arguments - got (tuple, dtype=NoneType, "
            "device=NoneType), but expected one of:\n"
            " * (tuple of ints size, *, tuple of names names, torch.memory_format memory_format, "
            "torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool "
            "requires_grad)\n"
            " * (tuple of SymInts size, *, torch.memory_format memory_format, Tensor out, "
            "torch.dtype dtype, torch.layout layout, torch.device device, bool pin_memory, bool "
            "requires_grad)\n");
    }
    if (val_is(second, &type_bool)) {
        *b = val_as_int(second);
        return 0;
    }
    if (arg_int(I, second, "empty", "size", b)) {
        interp_clear_error(I);
        return interp_error(I, ERR_TYPE,
                            "empty(): argument 'size' must be tuple of SymInts, but found element "
                            "of type %s at pos 2",
                            val_type_name(second));
    }
    return 0;
}

/* A size as list(_weight.shape) == [n, d] compares it: ints, bools and whole floats by
 * value; anything else can never equal a dimension (-1). */
static int64_t weight_size(Value *v) {
    if (val_is_int(v)) return val_as_int(v);
    if (val_is_number(v)) {
        double x = val_as_float(v);
        if (x == floor(x) && fabs(x) < 9e18) return (int64_t)x;
    }
    return -1;
}

/* The sizes and padding_idx of Embedding/EmbeddingBag(n, d, padding_idx=..., _weight=...),
 * checked in torch's order: the padding_idx assertion (message `pad_msg` style: core's
 * emb/bag check), then torch.empty((n, d)) when there is no _weight, then (for a float
 * padding_idx) the failing weight[padding_idx].fill_(0). *pad_value: a new reference to
 * the normalised padding_idx (or None). */
static int module_sizes(Interp *I, const char *cls, bool bag, Value *n, Value *d,
                        Value *padding_idx, Value *weight, int64_t *num, int64_t *dim,
                        bool *has_pad, int64_t *pad, Value **pad_value) {
    Error err;
    *has_pad = !val_is_none(padding_idx);
    *pad = 0;
    *pad_value = NULL;
    bool n_int = val_is_int(n) && !val_is(n, &type_bool);
    bool pad_float = *has_pad && val_is(padding_idx, &type_float);
    if (*has_pad && (pad_float || !n_int) && val_is_number(n) && val_is_number(padding_idx)) {
        double p = val_as_float(padding_idx), nn = val_as_float(n);
        if ((p > 0 && !(p < nn)) || (p < 0 && !(p >= -nn)))
            return interp_error(I, ERR_ASSERTION, "%s must be within num_embeddings",
                                bag ? "padding_idx" : "Padding_idx");
    } else if (*has_pad && (n_int || weight)) {
        int64_t raw;
        if (arg_int(I, n, cls, "num_embeddings", num) ||
            arg_int(I, padding_idx, cls, "padding_idx", &raw))
            return -1;
        if ((bag ? bag_check_padding_idx(*num, raw, pad, &err)
                 : emb_check_padding_idx(*num, raw, pad, &err)))
            return interp_raise(I, &err);
        *pad_value = val_int(I, *pad);
        if (!*pad_value) return -1;
    }
    if (!weight) {
        if (empty_size2(I, n, d, num, dim)) goto fail;
        if (pad_float) {
            interp_error(I, ERR_INDEX, "only integers, slices (`:`), ellipsis (`...`), None and "
                                       "long or byte Variables are valid indices (got float)");
            goto fail;
        }
    } else { /* list(_weight.shape) == [n, d]: sizes that are not whole numbers never match */
        *num = weight_size(n);
        *dim = weight_size(d);
    }
    if (*has_pad && !*pad_value) { /* checked after the sizes (num_embeddings not an int) */
        int64_t raw;
        if (arg_int(I, padding_idx, cls, "padding_idx", &raw)) goto fail;
        if ((bag ? bag_check_padding_idx(*num, raw, pad, &err)
                 : emb_check_padding_idx(*num, raw, pad, &err))) {
            interp_raise(I, &err);
            goto fail;
        }
        *pad_value = val_int(I, *pad);
        if (!*pad_value) return -1;
    }
    if (!*has_pad) *pad_value = val_none(I);
    return *pad_value ? 0 : -1;
fail:
    val_release(*pad_value);
    *pad_value = NULL;
    return -1;
}

static Generator *generator(Interp *I) {
    TorchState *ts = torch_state(I);
    return ts ? ts->generator : NULL;
}

/* ---- Embedding ---- */

static int embedding_extra_repr(Interp *I, NNModule *m, StrBuf *out) {
    if (append_attr(I, m, "num_embeddings", out)) return -1;
    sb_append(out, ", ");
    if (append_attr(I, m, "embedding_dim", out)) return -1;
    if (!attr_is_none(I, m, "padding_idx")) {
        sb_append(out, ", padding_idx=");
        if (append_attr(I, m, "padding_idx", out)) return -1;
    }
    if (!attr_is_none(I, m, "max_norm")) {
        sb_append(out, ", max_norm=");
        if (append_attr(I, m, "max_norm", out)) return -1;
    }
    if (attr_float(I, m, "norm_type", 2.0) != 2.0) {
        sb_append(out, ", norm_type=");
        if (append_attr(I, m, "norm_type", out)) return -1;
    }
    if (attr_truthy(I, m, "scale_grad_by_freq")) {
        sb_append(out, ", scale_grad_by_freq=");
        if (append_attr(I, m, "scale_grad_by_freq", out)) return -1;
    }
    if (attr_truthy(I, m, "sparse")) sb_append(out, ", sparse=True");
    return 0;
}

/* F.embedding(input, weight, padding_idx, max_norm, norm_type, ...) on Values. */
Value *nn_embedding(Interp *I, Value *input, Tensor *weight, Value *padding_idx,
                    Value *max_norm, Value *norm_type, Value *scale_grad_by_freq,
                    Value *sparse) {
    if (!val_is_tensor(input)) {
        interp_error(I, ERR_TYPE, "embedding(): argument 'indices' (position 2) must be Tensor, "
                                  "not %s",
                     val_type_name(input));
        return NULL;
    }
    int64_t pad = 0;
    bool has_pad = padding_idx && !val_is_none(padding_idx);
    if (has_pad && arg_int(I, padding_idx, "embedding", "padding_idx", &pad)) return NULL;
    double mn = 0, nt = 2.0;
    bool has_mn = max_norm && !val_is_none(max_norm);
    if (has_mn && arg_float(I, max_norm, "embedding", "max_norm", &mn)) return NULL;
    if (norm_type && !val_is_none(norm_type) &&
        arg_float(I, norm_type, "embedding", "norm_type", &nt))
        return NULL;
    int sgf = scale_grad_by_freq ? val_truth(I, scale_grad_by_freq) : 0;
    int sp = sgf >= 0 && sparse ? val_truth(I, sparse) : 0;
    if (sgf < 0 || sp < 0) return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    Tensor *out = ag_embedding(ctx, weight, tensor_of(input), has_pad, pad, has_mn, mn, nt, sgf, sp,
                               &err);
    return tensor_value_take(I, out, &err);
}

static Value *embedding_forward(Interp *I, NNModule *m, CallArgs *args) {
    Value *input = forward_arg(I, args, "Embedding");
    Tensor *weight = input ? weight_of(I, m, "weight") : NULL;
    if (!weight) return NULL;
    return nn_embedding(I, input, weight, nn_get_attr(I, m, "padding_idx"),
                        nn_get_attr(I, m, "max_norm"), nn_get_attr(I, m, "norm_type"),
                        nn_get_attr(I, m, "scale_grad_by_freq"), nn_get_attr(I, m, "sparse"));
}

static Value *embedding_reset_parameters(Interp *I, Value *self, Value **argv) {
    (void)argv;
    NNModule *m = (NNModule *)self;
    Tensor *weight = weight_of(I, m, "weight");
    Generator *g = generator(I);
    if (!weight || !g) return NULL;
    Value *pad = nn_get_attr(I, m, "padding_idx");
    bool has_pad = pad && !val_is_none(pad);
    Error err;
    if (emb_reset_parameters(weight, has_pad, has_pad ? val_as_int(pad) : 0, g, &err))
        return interp_raise(I, &err), NULL;
    return val_none(I);
}

static const BuiltinSpec embedding_methods[] = {
    {"reset_parameters", embedding_reset_parameters, "()",
     "Re-initialises the weight from N(0, 1) and zeroes the padding row."},
    {NULL, NULL, NULL, NULL},
};

/* Shared by Embedding(...) and Embedding.from_pretrained(...). `weight` is NULL for a
 * fresh N(0, 1) table. */
static Value *make_embedding(Interp *I, Value *n, Value *d, Value *padding_idx, Value *max_norm,
                             Value *norm_type, Value *scale_grad_by_freq, Value *sparse,
                             Value *weight) {
    int64_t num, dim, pad;
    bool has_pad;
    Value *pad_value;
    Error err;
    if (module_sizes(I, "Embedding", false, n, d, padding_idx, weight, &num, &dim, &has_pad,
                     &pad, &pad_value))
        return NULL;
    NNModule *m = nn_module_new(I, &nn_type_embedding);
    int rc = m ? 0 : -1;
    if (rc == 0) rc = nn_set_attr(I, m, "num_embeddings", n) || nn_set_attr(I, m, "embedding_dim", d) ||
                      nn_set_attr(I, m, "padding_idx", pad_value) ||
                      nn_set_attr(I, m, "max_norm", max_norm) ||
                      nn_set_attr(I, m, "norm_type", norm_type) ||
                      nn_set_attr(I, m, "scale_grad_by_freq", scale_grad_by_freq);
    val_release(pad_value);
    Value *param = NULL;
    if (rc == 0 && weight) {
        if (emb_check_weight_shape(tensor_of(weight), num, dim, &err)) rc = interp_raise(I, &err);
        else param = nn_parameter_new(I, weight, true);
    } else if (rc == 0) {
        Generator *g = generator(I);
        Tensor *w = g ? emb_new_weight(num, dim, has_pad, pad, g, &err) : NULL;
        Value *wv = w ? tensor_value_take(I, w, NULL) : (g ? interp_raise(I, &err), NULL : NULL);
        param = wv ? nn_parameter_new(I, wv, true) : NULL;
        val_release(wv);
    }
    if (rc == 0) rc = param ? nn_set_parameter(I, m, "weight", param) : -1;
    val_release(param);
    if (rc == 0) rc = nn_set_attr(I, m, "sparse", sparse);
    if (rc) {
        val_release(module_value(m));
        return NULL;
    }
    return module_value(m);
}

static Value *construct_embedding(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"Embedding", NULL, "(self, " EMBEDDING_PARAMS ")", NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "Embedding.__init__", args, argv, &sig)) return NULL;
    Value *weight = val_is_none(argv[7]) ? NULL : argv[7];
    Value *r = NULL;
    if (weight && !val_is_tensor(weight))
        interp_error(I, ERR_TYPE, "_weight must be a Tensor, not %s", val_type_name(weight));
    else
        r = make_embedding(I, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], weight);
    sig_release_bound(sig, argv);
    return r;
}

static Value *embedding_from_pretrained(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *embeddings = argv[0];
    if (!val_is_tensor(embeddings)) {
        interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute 'dim'",
                     val_type_name(embeddings));
        return NULL;
    }
    Error err;
    if (emb_check_pretrained(tensor_of(embeddings), &err)) return interp_raise(I, &err), NULL;
    Tensor *t = tensor_of(embeddings);
    Value *rows = val_int(I, t->shape[0]), *cols = val_int(I, t->shape[1]);
    Value *m = rows && cols ? make_embedding(I, rows, cols, argv[2], argv[3], argv[4], argv[5],
                                             argv[6], embeddings)
                            : NULL;
    val_release(rows);
    val_release(cols);
    if (!m) return NULL;
    int freeze = val_truth(I, argv[1]);
    Value *flag = freeze < 0 ? NULL : val_bool(I, !freeze);
    Value *w = nn_get_parameter((NNModule *)m, "weight");
    if (!flag || tensor_setattr(I, w, "requires_grad", flag)) {
        val_release(flag);
        val_release(m);
        return NULL;
    }
    val_release(flag);
    return m;
}

static const BuiltinSpec embedding_class_methods[] = {
    {"from_pretrained", embedding_from_pretrained,
     "(embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0, "
     "scale_grad_by_freq=False, sparse=False)",
     "Creates an Embedding from a 2-D tensor; frozen (requires_grad=False) by default."},
    {NULL, NULL, NULL, NULL},
};

/* ---- EmbeddingBag ---- */

static int bag_extra_repr(Interp *I, NNModule *m, StrBuf *out) {
    if (append_attr(I, m, "num_embeddings", out)) return -1;
    sb_append(out, ", ");
    if (append_attr(I, m, "embedding_dim", out)) return -1;
    if (!attr_is_none(I, m, "max_norm")) {
        sb_append(out, ", max_norm=");
        if (append_attr(I, m, "max_norm", out)) return -1;
    }
    if (attr_float(I, m, "norm_type", 2.0) != 2.0) {
        sb_append(out, ", norm_type=");
        if (append_attr(I, m, "norm_type", out)) return -1;
    }
    if (attr_truthy(I, m, "scale_grad_by_freq")) {
        sb_append(out, ", scale_grad_by_freq=");
        if (append_attr(I, m, "scale_grad_by_freq", out)) return -1;
    }
    sb_append(out, ", mode=");
    if (append_attr(I, m, "mode", out)) return -1;
    if (!attr_is_none(I, m, "padding_idx")) {
        sb_append(out, ", padding_idx=");
        if (append_attr(I, m, "padding_idx", out)) return -1;
    }
    return 0;
}

/* F.embedding_bag on Values (argv in F.embedding_bag's order after input and weight). */
Value *nn_embedding_bag(Interp *I, Value *input, Tensor *weight, Value *offsets,
                        Value *max_norm, Value *norm_type, Value *scale_grad_by_freq, Value *mode,
                        Value *sparse, Value *per_sample_weights, Value *include_last_offset,
                        Value *padding_idx) {
    /* torch/nn/functional.py's order: per_sample_weights' size, input.dim(), offsets. */
    bool has_psw = per_sample_weights && !val_is_none(per_sample_weights);
    Value *not_tensor = !val_is_tensor(input) ? input
                        : has_psw && !val_is_tensor(per_sample_weights) ? per_sample_weights
                                                                         : NULL;
    if (not_tensor) {
        interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute '%s'",
                     val_type_name(not_tensor), has_psw ? "size" : "dim");
        return NULL;
    }
    BagOptions opt = BAG_OPTIONS_INIT;
    if (has_psw) opt.per_sample_weights = tensor_of(per_sample_weights);
    if (offsets && !val_is_none(offsets)) {
        if (val_is_tensor(offsets)) {
            opt.offsets = tensor_of(offsets);
        } else {
            Tensor *in = tensor_of(input);
            bool psw_ok = !has_psw || tensor_same_shape(in, opt.per_sample_weights);
            /* Otherwise the core reports the per_sample_weights or dimension error. */
            if (psw_ok && in->ndim == 2) {
                const ValueType *t = offsets->type;
                interp_error(I, ERR_VALUE,
                             "if input is 2D, then offsets has to be None, as input is treated is "
                             "a mini-batch of fixed length sequences. However, found offsets of "
                             "type <class '%s%s%s'>",
                             t->module ? t->module : "", t->module ? "." : "", t->name);
                return NULL;
            }
            if (psw_ok && in->ndim == 1) {
                interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute 'dim'",
                             val_type_name(offsets));
                return NULL;
            }
        }
    }
    /* A mode that is not a string fails where torch compares it, as an unknown mode. */
    if (mode) opt.mode = val_is_str(mode) ? val_str_data(mode) : "";
    opt.include_last_offset = include_last_offset && val_truth(I, include_last_offset) > 0;
    opt.has_padding_idx = padding_idx && !val_is_none(padding_idx);
    if (opt.has_padding_idx && arg_int(I, padding_idx, "embedding_bag", "padding_idx",
                                       &opt.padding_idx))
        return NULL;
    opt.has_max_norm = max_norm && !val_is_none(max_norm);
    if (opt.has_max_norm && arg_float(I, max_norm, "embedding_bag", "max_norm", &opt.max_norm))
        return NULL;
    if (norm_type && !val_is_none(norm_type) &&
        arg_float(I, norm_type, "embedding_bag", "norm_type", &opt.norm_type))
        return NULL;
    opt.scale_grad_by_freq = scale_grad_by_freq && val_truth(I, scale_grad_by_freq) > 0;
    opt.sparse = sparse && val_truth(I, sparse) > 0;
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return tensor_value_take(I, ag_embedding_bag(ctx, weight, tensor_of(input), &opt, &err), &err);
}

static Value *bag_forward_module(Interp *I, NNModule *m, CallArgs *args) {
    static const BuiltinSpec spec = {"forward", NULL,
                                     "(self, input, offsets=None, per_sample_weights=None)", NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "EmbeddingBag.forward", args, argv, &sig)) return NULL;
    Tensor *weight = weight_of(I, m, "weight");
    Value *r = weight ? nn_embedding_bag(I, argv[0], weight, argv[1], nn_get_attr(I, m, "max_norm"),
                                 nn_get_attr(I, m, "norm_type"),
                                 nn_get_attr(I, m, "scale_grad_by_freq"),
                                 nn_get_attr(I, m, "mode"), nn_get_attr(I, m, "sparse"), argv[2],
                                 nn_get_attr(I, m, "include_last_offset"),
                                 nn_get_attr(I, m, "padding_idx"))
                      : NULL;
    sig_release_bound(sig, argv);
    return r;
}

static Value *make_bag(Interp *I, Value **argv, Value *weight) {
    /* argv: num_embeddings, embedding_dim, max_norm, norm_type, scale_grad_by_freq, mode,
     * sparse, include_last_offset, padding_idx */
    int64_t num, dim, pad;
    bool has_pad;
    Value *pad_value;
    Error err;
    if (module_sizes(I, "EmbeddingBag", true, argv[0], argv[1], argv[8], weight, &num, &dim,
                     &has_pad, &pad, &pad_value))
        return NULL;
    NNModule *m = nn_module_new(I, &nn_type_embedding_bag);
    int rc = m ? 0 : -1;
    if (rc == 0)
        rc = nn_set_attr(I, m, "num_embeddings", argv[0]) ||
             nn_set_attr(I, m, "embedding_dim", argv[1]) || nn_set_attr(I, m, "max_norm", argv[2]) ||
             nn_set_attr(I, m, "norm_type", argv[3]) ||
             nn_set_attr(I, m, "scale_grad_by_freq", argv[4]);
    Value *param = NULL;
    if (rc == 0 && weight) {
        if (emb_check_weight_shape(tensor_of(weight), num, dim, &err)) rc = interp_raise(I, &err);
        else param = nn_parameter_new(I, weight, true);
    } else if (rc == 0) {
        Generator *g = generator(I);
        Tensor *w = g ? emb_new_weight(num, dim, has_pad, pad, g, &err) : NULL;
        Value *wv = w ? tensor_value_take(I, w, NULL) : (g ? interp_raise(I, &err), NULL : NULL);
        param = wv ? nn_parameter_new(I, wv, true) : NULL;
        val_release(wv);
    }
    if (rc == 0) rc = param ? nn_set_parameter(I, m, "weight", param) : -1;
    val_release(param);
    /* mode is not checked here: torch stores any value and fails at forward. */
    if (rc == 0)
        rc = nn_set_attr(I, m, "mode", argv[5]) || nn_set_attr(I, m, "sparse", argv[6]) ||
             nn_set_attr(I, m, "include_last_offset", argv[7]) ||
             nn_set_attr(I, m, "padding_idx", pad_value);
    val_release(pad_value);
    if (rc) {
        val_release(module_value(m));
        return NULL;
    }
    return module_value(m);
}

static Value *construct_embedding_bag(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"EmbeddingBag", NULL, "(self, " EMBEDDING_BAG_PARAMS ")",
                                     NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "EmbeddingBag.__init__", args, argv, &sig)) return NULL;
    Value *ordered[9] = {argv[0], argv[1], argv[2], argv[3], argv[4],
                         argv[5], argv[6], argv[8], argv[9]};
    Value *weight = val_is_none(argv[7]) ? NULL : argv[7];
    Value *r = NULL;
    if (weight && !val_is_tensor(weight))
        interp_error(I, ERR_TYPE, "_weight must be a Tensor, not %s", val_type_name(weight));
    else
        r = make_bag(I, ordered, weight);
    sig_release_bound(sig, argv);
    return r;
}

static Value *bag_from_pretrained(Interp *I, Value *self, Value **argv) {
    (void)self;
    /* argv: embeddings, freeze, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
     * include_last_offset, padding_idx */
    Value *embeddings = argv[0];
    if (!val_is_tensor(embeddings)) {
        interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute 'dim'",
                     val_type_name(embeddings));
        return NULL;
    }
    Error err;
    if (emb_check_pretrained(tensor_of(embeddings), &err)) return interp_raise(I, &err), NULL;
    Tensor *t = tensor_of(embeddings);
    Value *rows = val_int(I, t->shape[0]), *cols = val_int(I, t->shape[1]);
    Value *ordered[9] = {rows, cols, argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], argv[8]};
    Value *m = rows && cols ? make_bag(I, ordered, embeddings) : NULL;
    val_release(rows);
    val_release(cols);
    if (!m) return NULL;
    int freeze = val_truth(I, argv[1]);
    Value *flag = freeze < 0 ? NULL : val_bool(I, !freeze);
    if (!flag || tensor_setattr(I, nn_get_parameter((NNModule *)m, "weight"), "requires_grad", flag)) {
        val_release(flag);
        val_release(m);
        return NULL;
    }
    val_release(flag);
    return m;
}

static const BuiltinSpec bag_class_methods[] = {
    {"from_pretrained", bag_from_pretrained,
     "(embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, "
     "mode='mean', sparse=False, include_last_offset=False, padding_idx=None)",
     "Creates an EmbeddingBag from a 2-D tensor; frozen by default."},
    {NULL, NULL, NULL, NULL},
};

static const BuiltinSpec bag_methods[] = {
    {"reset_parameters", embedding_reset_parameters, "()",
     "Re-initialises the weight from N(0, 1) and zeroes the padding row."},
    {NULL, NULL, NULL, NULL},
};

/* ---- Linear ---- */

static int linear_extra_repr(Interp *I, NNModule *m, StrBuf *out) {
    sb_append(out, "in_features=");
    if (append_attr(I, m, "in_features", out)) return -1;
    sb_append(out, ", out_features=");
    if (append_attr(I, m, "out_features", out)) return -1;
    Value *bias = nn_get_parameter(m, "bias");
    sb_appendf(out, ", bias=%s", bias && !val_is_none(bias) ? "True" : "False");
    return 0;
}

/* F.linear(input, weight, bias): input @ weight.T (+ bias), with torch's node chains. */
Value *nn_linear(Interp *I, Tensor *input, Tensor *weight, Tensor *bias) {
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return tensor_value_take(I, ag_linear(ctx, input, weight, bias, &err), &err);
}

static Value *linear_forward(Interp *I, NNModule *m, CallArgs *args) {
    Tensor *input = forward_input(I, args, "Linear", "linear", 1);
    Tensor *weight = input ? weight_of(I, m, "weight") : NULL;
    if (!weight) return NULL;
    Value *b = nn_get_parameter(m, "bias");
    return nn_linear(I, input, weight, b && val_is_tensor(b) ? tensor_of(b) : NULL);
}

/* kaiming_uniform_(W, a=sqrt(5)) then uniform_(bias, -1/sqrt(fan_in), 1/sqrt(fan_in)). */
static int linear_reset(Interp *I, Tensor *weight, Tensor *bias) {
    Generator *g = generator(I);
    if (!g) return -1;
    int64_t fan_in = weight->ndim > 1 ? weight->shape[1] : 0;
    double gain = sqrt(2.0 / (1.0 + 5.000000000000001));
    double std = fan_in > 0 ? gain / sqrt((double)fan_in) : 0.0;
    double bound = sqrt(3.0) * std;
    Error err;
    if (tensor_numel(weight) > 0 && rng_uniform_(g, weight, -bound, bound, &err))
        return interp_raise(I, &err);
    if (bias) {
        double b = fan_in > 0 ? 1.0 / sqrt((double)fan_in) : 0.0;
        if (rng_uniform_(g, bias, -b, b, &err)) return interp_raise(I, &err);
    }
    return 0;
}

static Value *construct_linear(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"Linear", NULL, "(self, " LINEAR_PARAMS ")", NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "Linear.__init__", args, argv, &sig)) return NULL;
    int64_t in, out;
    NNModule *m = NULL;
    if (empty_size2(I, argv[1], argv[0], &out, &in)) goto done;
    int with_bias = val_truth(I, argv[2]);
    if (with_bias < 0) goto done;
    Error err;
    int64_t wshape[2] = {out, in};
    Tensor *w = tensor_zeros(DTYPE_FLOAT32, 2, wshape, &err);
    Tensor *b = w && with_bias ? tensor_zeros(DTYPE_FLOAT32, 1, &out, &err) : NULL;
    if (!w || (with_bias && !b)) {
        tensor_release(w);
        interp_raise(I, &err);
        goto done;
    }
    int rc = linear_reset(I, w, b);
    Value *wv = rc ? (tensor_release(w), NULL) : tensor_value_take(I, w, NULL);
    Value *bv = !b ? NULL : rc ? (tensor_release(b), NULL) : tensor_value_take(I, b, NULL);
    Value *wp = wv ? nn_parameter_new(I, wv, true) : NULL;
    Value *bp = bv ? nn_parameter_new(I, bv, true) : NULL;
    val_release(wv);
    val_release(bv);
    m = (wp && (bp || !with_bias)) ? nn_module_new(I, &nn_type_linear) : NULL;
    if (m && (nn_set_attr(I, m, "in_features", argv[0]) ||
              nn_set_attr(I, m, "out_features", argv[1]) || nn_set_parameter(I, m, "weight", wp) ||
              nn_set_parameter(I, m, "bias", bp ? bp : I->none))) {
        val_release(module_value(m));
        m = NULL;
    }
    val_release(wp);
    val_release(bp);
done:
    sig_release_bound(sig, argv);
    return (Value *)m;
}

/* ---- Dropout, ReLU, Identity ---- */

/* F.dropout(input, p, training) (core: nnf_dropout draws exactly as torch). `p_value` is
 * the argument as given, for torch's message. */
Value *nn_dropout(Interp *I, Value *input, double p, Value *p_value, bool training,
                  bool inplace) {
    if (!val_is_tensor(input)) {
        interp_error(I, ERR_TYPE, "dropout(): argument 'input' (position 1) must be Tensor, not %s",
                     val_type_name(input));
        return NULL;
    }
    Generator *g = generator(I);
    if (!g) return NULL;
    StrBuf text = SB_INIT;
    if (p_value && val_str_of(I, p_value, &text)) {
        sb_free(&text);
        return NULL;
    }
    AutogradCtx *ctx = torch_autograd(I);
    Error err;
    err_clear(&err);
    Tensor *x = tensor_of(input);
    Tensor *src = x;
    /* dropout_ (ATen's _dropout<true>): input itself when nothing is dropped; otherwise the
     * same noise as the out-of-place form, multiplied into input (input.mul_(noise)). */
    bool write = inplace && training && p != 0.0 && tensor_numel(x) > 0 && p >= 0.0 && p <= 1.0;
    if (ctx && write) src = ag_inplace_source(ctx, x, &err);
    Tensor *out = ctx && src ? ag_dropout(ctx, src, p, p_value ? sb_str(&text) : NULL, training, g,
                                          &err)
                             : NULL;
    if (src != x) tensor_release(src);
    sb_free(&text);
    if (!ctx) return NULL;
    if (!inplace || !out) return tensor_value_take(I, out, &err);
    if (write) {
        int rc = torch_check_inplace(I, x) ? -1 : ag_commit_inplace(ctx, x, out, &err);
        tensor_release(out);
        if (rc > 0) interp_raise(I, &err);
        return rc ? NULL : val_retain(input);
    }
    tensor_release(out);
    return val_retain(input);
}

static int dropout_extra_repr(Interp *I, NNModule *m, StrBuf *out) {
    sb_append(out, "p=");
    if (append_attr(I, m, "p", out)) return -1;
    sb_append(out, ", inplace=");
    return append_attr(I, m, "inplace", out);
}

static Value *dropout_forward(Interp *I, NNModule *m, CallArgs *args) {
    Value *input = forward_arg(I, args, "Dropout");
    if (!input) return NULL;
    return nn_dropout(I, input, attr_float(I, m, "p", 0.5), nn_get_attr(I, m, "p"), m->training,
                      attr_truthy(I, m, "inplace"));
}

static Value *construct_dropout(Interp *I, CallArgs *args) {
    /* Dropout inherits __init__ from _DropoutNd, whose name Python's messages show. */
    static const BuiltinSpec spec = {"Dropout", NULL, "(self, " DROPOUT_PARAMS ")", NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "_DropoutNd.__init__", args, argv, &sig)) return NULL;
    double p;
    NNModule *m = NULL;
    if (arg_float(I, argv[0], "Dropout", "p", &p) == 0) {
        if (p < 0.0 || p > 1.0) {
            StrBuf sb = SB_INIT;
            val_str_of(I, argv[0], &sb);
            interp_error(I, ERR_VALUE, "dropout probability has to be between 0 and 1, but got %s",
                         sb_str(&sb));
            sb_free(&sb);
        } else {
            m = nn_module_new(I, &nn_type_dropout);
            if (m && (nn_set_attr(I, m, "p", argv[0]) || nn_set_attr(I, m, "inplace", argv[1]))) {
                val_release(module_value(m));
                m = NULL;
            }
        }
    }
    sig_release_bound(sig, argv);
    return (Value *)m;
}

static Value *relu_forward(Interp *I, NNModule *m, CallArgs *args) {
    Value *arg = forward_arg(I, args, "ReLU");
    if (!arg) return NULL;
    if (!val_is_tensor(arg)) {
        interp_error(I, ERR_TYPE, "relu(): argument 'input' (position 1) must be Tensor, not %s",
                     val_type_name(arg));
        return NULL;
    }
    if (attr_truthy(I, m, "inplace")) /* F.relu(input, inplace=True): torch.relu_ */
        return torch_inplace_unary(I, UN_RELU, tensor_of(arg)) ? NULL : val_retain(arg);
    return torch_unary(I, UN_RELU, tensor_of(arg));
}

static int relu_extra_repr(Interp *I, NNModule *m, StrBuf *out) {
    (void)I;
    if (attr_truthy(I, m, "inplace")) sb_append(out, "inplace=True");
    return 0;
}

static Value *identity_forward(Interp *I, NNModule *m, CallArgs *args) {
    (void)m;
    Value *input = forward_arg(I, args, "Identity");
    return input ? val_retain(input) : NULL;
}

static Value *construct_relu(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"ReLU", NULL, "(self, inplace=False)", NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "ReLU.__init__", args, argv, &sig)) return NULL;
    NNModule *m = nn_module_new(I, &nn_type_relu);
    if (m && nn_set_attr(I, m, "inplace", argv[0])) {
        val_release(module_value(m));
        m = NULL;
    }
    sig_release_bound(sig, argv);
    return (Value *)m;
}
/* Identity(*args, **kwargs) ignores its arguments, as torch's does. */
static Value *construct_identity(Interp *I, CallArgs *args) {
    (void)args;
    return (Value *)nn_module_new(I, &nn_type_identity);
}
static Value *construct_module(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"Module", NULL, "(self)", NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "Module.__init__", args, argv, &sig)) return NULL;
    sig_release_bound(sig, argv);
    return (Value *)nn_module_new(I, &nn_type_module);
}

/* ---- Sequential ---- */

static Value *sequential_forward(Interp *I, NNModule *m, CallArgs *args) {
    Value *x = forward_arg(I, args, "Sequential");
    if (!x) return NULL;
    val_retain(x);
    DictValue *d = (DictValue *)m->modules;
    for (int64_t i = 0; x && i < d->used; i++) {
        if (!d->entries[i].key || val_is_none(d->entries[i].value)) continue;
        Value *next = call_value(I, d->entries[i].value, &x, 1);
        val_release(x);
        x = next;
    }
    return x;
}

static Value *construct_sequential(Interp *I, CallArgs *args) {
    if (args->nkw) {
        interp_error(I, ERR_TYPE, "Sequential.__init__() got an unexpected keyword argument '%s'",
                     args->kwnames[0]);
        return NULL;
    }
    NNModule *m = nn_module_new(I, &nn_type_sequential);
    if (!m) return NULL;
    for (int64_t i = 0; i < args->nargs; i++) {
        Value *child = args->args[i];
        if (!val_is_nn_module(child)) {
            interp_error(I, ERR_TYPE, "%s is not a Module subclass", val_type_name(child));
            val_release(module_value(m));
            return NULL;
        }
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)i);
        if (nn_set_module(I, m, key, child)) {
            val_release(module_value(m));
            return NULL;
        }
    }
    return module_value(m);
}

static int64_t sequential_length(Interp *I, Value *self) {
    (void)I;
    return ((DictValue *)((NNModule *)self)->modules)->count;
}

static Value *sequential_getitem(Interp *I, Value *self, Value *key) {
    NNModule *m = (NNModule *)self;
    DictValue *d = (DictValue *)m->modules;
    int64_t n = d->count, index;
    if (val_is(key, &type_slice)) { /* a new Sequential of the selected (key, module) pairs */
        int64_t start, stop, step, count;
        if (op_slice_indices(I, key, n, &start, &stop, &step, &count)) return NULL;
        NNModule *out = nn_module_new(I, &nn_type_sequential);
        for (int64_t j = 0, pos = start; out && j < count; j++, pos += step) {
            for (int64_t i = 0, k = 0; i < d->used; i++) {
                if (!d->entries[i].key) continue;
                if (k++ != pos) continue;
                if (nn_set_module(I, out, val_str_data(d->entries[i].key), d->entries[i].value)) {
                    val_release(module_value(out));
                    out = NULL;
                }
                break;
            }
        }
        return out ? module_value(out) : NULL;
    }
    if (op_index_value(I, key, &index)) {
        interp_clear_error(I);
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(key));
        return NULL;
    }
    if (index < -n || index >= n) {
        interp_error(I, ERR_INDEX, "index %lld is out of range", (long long)index);
        return NULL;
    }
    if (index < 0) index += n;
    for (int64_t i = 0, k = 0; i < d->used; i++) {
        if (!d->entries[i].key) continue;
        if (k++ == index) return val_retain(d->entries[i].value);
    }
    return NULL;
}

static Value *sequential_iter(Interp *I, Value *self) {
    NNModule *m = (NNModule *)self;
    Value *list = val_list_new(I, 4);
    DictValue *d = (DictValue *)m->modules;
    for (int64_t i = 0; list && i < d->used; i++)
        if (d->entries[i].key && val_list_append(I, list, d->entries[i].value)) {
            val_release(list);
            return NULL;
        }
    if (!list) return NULL;
    Value *it = op_iter(I, list);
    val_release(list);
    return it;
}

static Value *sequential_append(Interp *I, Value *self, Value **argv) {
    if (!val_is_nn_module(argv[0])) {
        interp_error(I, ERR_TYPE, "%s is not a Module subclass", val_type_name(argv[0]));
        return NULL;
    }
    char key[32];
    snprintf(key, sizeof key, "%lld", (long long)sequential_length(I, self));
    if (nn_set_module(I, (NNModule *)self, key, argv[0])) return NULL;
    return val_retain(self);
}

static const BuiltinSpec sequential_methods[] = {
    {"append", sequential_append, "(module)", "Appends a given module to the end."},
    {NULL, NULL, NULL, NULL},
};

/* ---- the module classes ---- */

#define NN_CLASS(cls_name, cls_module, methods_table, class_methods_table, sig, text)   \
    {.name = cls_name, .module = cls_module, NN_MODULE_SLOTS, .methods = methods_table,   \
     .class_methods = class_methods_table, .base = &type_nn_module, .init_signature = sig, \
     .doc = text}

const NNType nn_type_embedding = {
    NN_CLASS("Embedding", "torch.nn.modules.sparse", embedding_methods, embedding_class_methods,
             EMBEDDING_SIGNATURE,
             "A lookup table: the embedding of index i is row i of weight (N(0, 1) at first; "
             "the padding_idx row starts at zero and gets no gradient)."),
    embedding_forward, embedding_extra_repr};
const NNType nn_type_embedding_bag = {
    NN_CLASS("EmbeddingBag", "torch.nn.modules.sparse", bag_methods, bag_class_methods,
             EMBEDDING_BAG_SIGNATURE,
             "Sums, means or maxes of bags of embeddings, without instantiating them."),
    bag_forward_module, bag_extra_repr};
const NNType nn_type_linear = {NN_CLASS("Linear", "torch.nn.modules.linear", NULL, NULL, LINEAR_SIGNATURE,
                                        "Applies y = x A^T + b."),
                               linear_forward, linear_extra_repr};
const NNType nn_type_dropout = {NN_CLASS("Dropout", "torch.nn.modules.dropout", NULL, NULL, DROPOUT_SIGNATURE,
                                         "Zeroes elements with probability p during training."),
                                dropout_forward, dropout_extra_repr};
const NNType nn_type_relu = {NN_CLASS("ReLU", "torch.nn.modules.activation", NULL, NULL, "(inplace=False)",
                                      "Applies max(0, x) element-wise."),
                             relu_forward, relu_extra_repr};
const NNType nn_type_identity = {NN_CLASS("Identity", "torch.nn.modules.linear", NULL, NULL, "()",
                                          "Returns its input unchanged."),
                                 identity_forward, NULL};
const NNType nn_type_sequential = {
    {.name = "Sequential", .module = "torch.nn.modules.container", NN_MODULE_SLOTS,
     .methods = sequential_methods, .base = &type_nn_module, .length = sequential_length,
     .getitem = sequential_getitem, .iter = sequential_iter, .init_signature = "(*args)",
     .doc = "A sequential container: modules run in the order they are passed."},
    sequential_forward, NULL};

/* ---- torch.nn.Parameter ---- */

static Value *construct_parameter(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"Parameter", NULL, "(cls, data=None, requires_grad=True)",
                                     NULL};
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, "Parameter.__new__", args, argv, &sig)) return NULL;
    Value *r = NULL;
    int flag = val_truth(I, argv[1]);
    if (flag >= 0) {
        if (!val_is_none(argv[0]) && !val_is_tensor(argv[0]))
            interp_error(I, ERR_TYPE, "_make_subclass(): argument 'data' (position 2) must be "
                                      "Tensor, not %s",
                         val_type_name(argv[0]));
        else
            r = nn_parameter_new(I, val_is_none(argv[0]) ? NULL : argv[0], flag);
    }
    sig_release_bound(sig, argv);
    return r;
}

/* ---- the torch.nn module ---- */

typedef struct ClassEntry {
    const NNType *type;
    Value *(*construct)(Interp *I, CallArgs *args);
} ClassEntry;

static const ClassEntry nn_classes[] = {
    {&nn_type_module, construct_module},
    {&nn_type_embedding, construct_embedding},
    {&nn_type_embedding_bag, construct_embedding_bag},
    {&nn_type_linear, construct_linear},
    {&nn_type_dropout, construct_dropout},
    {&nn_type_relu, construct_relu},
    {&nn_type_identity, construct_identity},
    {&nn_type_sequential, construct_sequential},
    {&nn_type_module_list, nn_construct_module_list},
    {&nn_type_cross_entropy_loss, nn_construct_cross_entropy_loss},
    {&nn_type_nll_loss, nn_construct_nll_loss},
    {&nn_type_mse_loss, nn_construct_mse_loss},
    {NULL, NULL},
};

static int set_value(Interp *I, Value *m, const char *name, Value *v) {
    int rc = v ? module_set(I, m, name, v) : -1;
    val_release(v);
    return rc;
}

static int init_nn(Interp *I, Value *m) {
    for (const ClassEntry *c = nn_classes; c->type; c++) {
        if (set_value(I, m, c->type->type.name, nn_class_value(I, c->type, c->construct)))
            return -1;
    }
    if (builtins_set_constructor(I, &type_parameter, construct_parameter)) return -1;
    if (set_value(I, m, "Parameter", builtins_type_value(I, &type_parameter))) return -1;
    Value *functional = module_import(I, "torch.nn.functional");
    if (set_value(I, m, "functional", functional)) return -1;
    Value *init = module_import(I, "torch.nn.init");
    if (!init) {
        if (I->error.code != ERR_MODULE_NOT_FOUND) return -1;
        interp_clear_error(I);
        return 0;
    }
    return set_value(I, m, "init", init);
}

const ModuleDef module_def_nn = {"torch.nn", NULL, init_nn,
                                 "Neural network building blocks (PyTorch 1.13)."};
