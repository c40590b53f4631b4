/*
 * src/lang/mod_nn_functional.c — `torch.nn.functional` (F): embedding, embedding_bag,
 * linear, relu, dropout (and the rest of the embedding toolbox as the core grows).
 * See LICENSE (GPL-3.0-or-later).
 */
#include <string.h>

#include "core/nn_functional.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/nn.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"

static Value *f_embedding(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *weight = arg_tensor(I, argv[1], "embedding", "weight", 1);
    if (!weight) return NULL;
    return nn_embedding(I, argv[0], weight, argv[2], argv[3], argv[4], argv[5], argv[6]);
}

static Value *f_embedding_bag(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *input = argv[0], *weight_value = argv[1];
    /* Legacy order F.embedding_bag(weight, input, ...): torch warns and swaps them. */
    if (val_is_tensor(input) && val_is_tensor(weight_value) &&
        dtype_is_floating(tensor_of(input)->dtype) && !dtype_is_floating(tensor_of(weight_value)->dtype)) {
        Value *t = input;
        input = weight_value;
        weight_value = t;
    }
    Tensor *weight = arg_tensor(I, weight_value, "embedding_bag", "weight", 1);
    if (!weight) return NULL;
    return nn_embedding_bag(I, input, weight, argv[2], argv[3], argv[4], argv[5], argv[6],
                            argv[7], argv[8], argv[9], argv[10]);
}

static Value *f_linear(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *input = arg_tensor(I, argv[0], "linear", "input", 1);
    Tensor *weight = input ? arg_tensor(I, argv[1], "linear", "weight", 2) : NULL;
    if (!weight) return NULL;
    Tensor *bias = NULL;
    if (!val_is_none(argv[2]) && !(bias = arg_tensor(I, argv[2], "linear", "bias", 3))) return NULL;
    return nn_linear(I, input, weight, bias);
}

static Value *f_relu(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *input = arg_tensor(I, argv[0], "relu", "input", 1);
    int inplace = input ? val_truth(I, argv[1]) : -1;
    if (inplace < 0) return NULL;
    if (inplace) /* torch.relu_(input) */
        return torch_inplace_unary(I, UN_RELU, input) ? NULL : val_retain(argv[0]);
    return torch_unary(I, UN_RELU, input);
}

static Value *f_dropout(Interp *I, Value *self, Value **argv) {
    (void)self;
    double p;
    int training = val_truth(I, argv[2]);
    int inplace = training < 0 ? -1 : val_truth(I, argv[3]);
    if (inplace < 0 || arg_float(I, argv[1], "dropout", "p", &p)) return NULL;
    return nn_dropout(I, argv[0], p, argv[1], training, inplace);
}


static Value *f_one_hot(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *input = arg_tensor(I, argv[0], "one_hot", "input", 1);
    int64_t n;
    if (!input || arg_int(I, argv[1], "one_hot", "num_classes", &n)) return NULL;
    Error err;
    return tensor_value_take(I, nnf_one_hot(input, n, &err), &err);
}

Value *nn_cosine_similarity(Interp *I, Value **argv) {
    Tensor *x1 = arg_tensor(I, argv[0], "cosine_similarity", "x1", 1);
    Tensor *x2 = x1 ? arg_tensor(I, argv[1], "cosine_similarity", "x2", 2) : NULL;
    int64_t dim;
    double eps;
    if (!x2 || arg_int(I, argv[2], "cosine_similarity", "dim", &dim) ||
        arg_float(I, argv[3], "cosine_similarity", "eps", &eps))
        return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return tensor_value_take(I, ag_cosine_similarity(ctx, x1, x2, dim, eps, &err), &err);
}

static Value *f_cosine_similarity(Interp *I, Value *self, Value **argv) {
    (void)self;
    return nn_cosine_similarity(I, argv);
}

static Value *f_normalize(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *input = arg_tensor(I, argv[0], "normalize", "input", 1);
    double p, eps;
    int64_t dim;
    if (!input || arg_float(I, argv[1], "normalize", "p", &p) ||
        arg_int(I, argv[2], "normalize", "dim", &dim) || arg_float(I, argv[3], "normalize", "eps", &eps))
        return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return tensor_value_take(I, ag_normalize(ctx, input, p, dim, eps, &err), &err);
}

/* F.softmax / F.log_softmax (dim=None picks torch's implicit dim, with its warning). */
static Value *softmax_like(Interp *I, Value **argv, bool log) {
    const char *fn = log ? "log_softmax" : "softmax";
    Tensor *input = arg_tensor(I, argv[0], fn, "input", 1);
    if (!input) return NULL;
    int64_t dim;
    if (val_is_none(argv[1])) {
        const char *warning = "UserWarning: Implicit dimension choice for softmax has been "
                              "deprecated. Change the call to include dim=X as an argument.\n";
        if (log) warning = "UserWarning: Implicit dimension choice for log_softmax has been "
                           "deprecated. Change the call to include dim=X as an argument.\n";
        interp_write(I, 2, warning, strlen(warning));
        dim = nnf_softmax_default_dim(input->ndim);
    } else if (arg_int(I, argv[1], fn, "dim", &dim)) {
        return NULL;
    }
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    Tensor *src = tensor_retain(input);
    if (argv[3] && !val_is_none(argv[3])) {
        DType dt;
        bool given;
        if (arg_dtype(I, argv[3], fn, &dt, &given)) {
            tensor_release(src);
            return NULL;
        }
        /* softmax(dtype=...) casts first (the cast is recorded: ToCopyBackward0) */
        Tensor *converted = ag_to_dtype(ctx, input, dt, &err);
        tensor_release(src);
        if (!converted) return interp_raise(I, &err), NULL;
        src = converted;
    }
    Tensor *out = ag_softmax(ctx, src, dim, log, &err);
    tensor_release(src);
    return tensor_value_take(I, out, &err);
}

static Value *f_softmax(Interp *I, Value *self, Value **argv) {
    (void)self;
    return softmax_like(I, argv, false);
}

static Value *f_log_softmax(Interp *I, Value *self, Value **argv) {
    (void)self;
    return softmax_like(I, argv, true);
}

static const BuiltinSpec functional_functions[] = {
    {"one_hot", f_one_hot, "(tensor, num_classes=-1)",
     "One-hot encodes an int64 tensor: shape + (num_classes,), 1 at each index."},
    {"cosine_similarity", f_cosine_similarity, "(x1, x2, dim=1, eps=1e-08)",
     "Cosine similarity between x1 and x2 along dim: x1·x2 / max(|x1| |x2|, eps)."},
    {"normalize", f_normalize, "(input, p=2.0, dim=1, eps=1e-12)",
     "Divides input by its p-norm along dim (at least eps)."},
    {"softmax", f_softmax, "(input, dim=None, _stacklevel=3, dtype=None)",
     "exp(x_i) / sum_j exp(x_j) along dim."},
    {"log_softmax", f_log_softmax, "(input, dim=None, _stacklevel=3, dtype=None)",
     "log(softmax(x)) along dim, computed stably."},
    {"embedding", f_embedding,
     "(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, "
     "sparse=False)",
     "Looks up rows of weight for the indices in input (a lookup table)."},
    {"embedding_bag", f_embedding_bag,
     "(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, "
     "mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False, "
     "padding_idx=None)",
     "Computes sums, means or maxes of bags of embeddings, without the intermediate rows."},
    {"linear", f_linear, "(input, weight, bias=None)",
     "Applies a linear transformation: y = x A^T + b."},
    {"relu", f_relu, "(input, inplace=False)", "Applies max(0, x) element-wise."},
    {"dropout", f_dropout, "(input, p=0.5, training=True, inplace=False)",
     "Zeroes elements with probability p (and scales the rest by 1/(1-p)) when training."},
    {NULL, NULL, NULL, NULL},
};

/* The losses live in mod_nn_loss.c. */
static int init_functional(Interp *I, Value *module) {
    return module_add_functions(I, module, nn_loss_functions);
}

const ModuleDef module_def_nn_functional = {"torch.nn.functional", functional_functions,
                                            init_functional,
                                            "Functional forms of the torch.nn layers."};
