/*
 * src/lang/mod_nn_loss.c — the losses of torch.nn.functional (cross_entropy, nll_loss,
 * mse_loss) and their modules (nn.CrossEntropyLoss, nn.NLLLoss, nn.MSELoss), recorded
 * for autograd through core/autograd.h and computed by core/loss.h. Argument handling,
 * the legacy size_average/reduce arguments and the warnings follow torch 1.13's
 * torch/nn/functional.py and torch/nn/modules/loss.py. See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>
#include <string.h>

#include "core/loss.h"
#include "lang/interp.h"
#include "lang/nn.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"

#define CE_SIGNATURE                                                                       \
    "(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, "    \
    "reduction='mean', label_smoothing=0.0)"
#define NLL_SIGNATURE                                                                      \
    "(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, "    \
    "reduction='mean')"
#define MSE_SIGNATURE "(input, target, size_average=None, reduce=None, reduction='mean')"

/* _Reduction.legacy_get_string / get_enum: the reduction from the arguments, with the
 * deprecation warning for size_average/reduce. */
static int reduction_of(Interp *I, Value *size_average, Value *reduce, Value *reduction,
                        LossReduction *out) {
    if ((size_average && !val_is_none(size_average)) || (reduce && !val_is_none(reduce))) {
        int sa = size_average && !val_is_none(size_average) ? val_truth(I, size_average) : 1;
        int rd = reduce && !val_is_none(reduce) ? val_truth(I, reduce) : 1;
        if (sa < 0 || rd < 0) return -1;
        const char *r = !rd ? "none" : sa ? "mean" : "sum";
        char msg[160];
        snprintf(msg, sizeof msg, "UserWarning: size_average and reduce args will be deprecated, "
                                  "please use reduction='%s' instead.",
                 r);
        torch_warn(I, msg);
        return loss_reduction_parse(r, out, NULL);
    }
    if (!val_is_str(reduction)) {
        StrBuf sb = SB_INIT;
        val_str_of(I, reduction, &sb);
        int rc = interp_error(I, ERR_VALUE, "%s is not a valid value for reduction", sb_str(&sb));
        sb_free(&sb);
        return rc;
    }
    Error err;
    if (loss_reduction_parse(val_str_data(reduction), out, &err)) return interp_raise(I, &err);
    return 0;
}

static Tensor *loss_tensor(Interp *I, Value *v, const char *fn, const char *name, int pos) {
    if (val_is_tensor(v)) return tensor_of(v);
    interp_error(I, ERR_TYPE, "%s(): argument '%s' (position %d) must be Tensor, not %s", fn, name,
                 pos, val_type_name(v));
    return NULL;
}

static Tensor *optional_weight(Interp *I, Value *v, const char *fn, bool *ok) {
    *ok = true;
    if (!v || val_is_none(v)) return NULL;
    Tensor *w = loss_tensor(I, v, fn, "weight", 3);
    *ok = w != NULL;
    return w;
}

/* cross_entropy on bound arguments in CE_SIGNATURE order. */
static Value *cross_entropy(Interp *I, Value **argv) {
    Tensor *input = loss_tensor(I, argv[0], "cross_entropy_loss", "input", 1);
    Tensor *target = input ? loss_tensor(I, argv[1], "cross_entropy_loss", "target", 2) : NULL;
    bool ok;
    Tensor *weight = target ? optional_weight(I, argv[2], "cross_entropy_loss", &ok) : NULL;
    int64_t ignore;
    double ls;
    LossReduction red;
    if (!target || !ok || reduction_of(I, argv[3], argv[5], argv[6], &red) ||
        arg_int(I, argv[4], "cross_entropy_loss", "ignore_index", &ignore) ||
        arg_float(I, argv[7], "cross_entropy_loss", "label_smoothing", &ls))
        return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return torch_result(I, ag_cross_entropy(ctx, input, target, weight, red, ignore, ls, &err), &err);
}

static Value *nll_loss(Interp *I, Value **argv) {
    Tensor *input = loss_tensor(I, argv[0], "nll_loss_nd", "input", 1);
    Tensor *target = input ? loss_tensor(I, argv[1], "nll_loss_nd", "target", 2) : NULL;
    bool ok;
    Tensor *weight = target ? optional_weight(I, argv[2], "nll_loss_nd", &ok) : NULL;
    int64_t ignore;
    LossReduction red;
    if (!target || !ok || reduction_of(I, argv[3], argv[5], argv[6], &red) ||
        arg_int(I, argv[4], "nll_loss_nd", "ignore_index", &ignore))
        return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return torch_result(I, ag_nll_loss(ctx, input, target, weight, red, ignore, &err), &err);
}

static Value *mse_loss(Interp *I, Value **argv) {
    Tensor *input = loss_tensor(I, argv[0], "mse_loss", "input", 1);
    Tensor *target = input ? loss_tensor(I, argv[1], "mse_loss", "target", 2) : NULL;
    if (!target) return NULL;
    if (!tensor_same_shape(input, target)) {
        char a[160], b[160], msg[640];
        tensor_shape_str(target->ndim, target->shape, a, sizeof a);
        tensor_shape_str(input->ndim, input->shape, b, sizeof b);
        snprintf(msg, sizeof msg,
                 "UserWarning: Using a target size (torch.Size(%s)) that is different to the input "
                 "size (torch.Size(%s)). This will likely lead to incorrect results due to "
                 "broadcasting. Please ensure they have the same size.",
                 a, b);
        torch_warn(I, msg);
    }
    LossReduction red;
    if (reduction_of(I, argv[2], argv[3], argv[4], &red)) return NULL;
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    Error err;
    err_clear(&err);
    return torch_result(I, ag_mse_loss(ctx, input, target, red, &err), &err);
}

static Value *f_cross_entropy(Interp *I, Value *self, Value **argv) {
    (void)self;
    return cross_entropy(I, argv);
}
static Value *f_nll_loss(Interp *I, Value *self, Value **argv) {
    (void)self;
    return nll_loss(I, argv);
}
static Value *f_mse_loss(Interp *I, Value *self, Value **argv) {
    (void)self;
    return mse_loss(I, argv);
}

const BuiltinSpec nn_loss_functions[] = {
    {"cross_entropy", f_cross_entropy, CE_SIGNATURE,
     "The cross entropy between logits and class indices (or class probabilities)."},
    {"nll_loss", f_nll_loss, NLL_SIGNATURE, "The negative log likelihood loss of log-probabilities."},
    {"mse_loss", f_mse_loss, MSE_SIGNATURE, "The mean squared error between input and target."},
    {NULL, NULL, NULL, NULL},
};

/* ---- the modules ---- */

/* forward(input, target): the functional form with the module's stored arguments. */
static Value *loss_forward(Interp *I, NNModule *m, CallArgs *args, int kind) {
    static const BuiltinSpec spec = {"forward", NULL, "(self, input, target)", NULL};
    static const char *const qualnames[] = {"CrossEntropyLoss.forward", "NLLLoss.forward",
                                            "MSELoss.forward"};
    Signature *sig;
    Value *bound[SIG_MAX_PARAMS];
    if (nn_bind_method(I, &spec, qualnames[kind], args, bound, &sig)) return NULL;
    Value *argv[8] = {bound[0], bound[1], NULL, NULL, NULL, NULL, NULL, NULL};
    Value *r = NULL;
    Value *none = I->none;
    Value *reduction = nn_get_attr(I, m, "reduction");
    if (!reduction) reduction = none;
    if (kind == 2) { /* MSELoss */
        argv[2] = none, argv[3] = none, argv[4] = reduction;
        r = mse_loss(I, argv);
    } else {
        Value *w = nn_get_buffer(m, "weight");
        Value *ignore = nn_get_attr(I, m, "ignore_index");
        argv[2] = w ? w : none, argv[3] = none, argv[4] = ignore ? ignore : none, argv[5] = none;
        argv[6] = reduction;
        if (kind == 0) {
            Value *ls = nn_get_attr(I, m, "label_smoothing");
            argv[7] = ls ? ls : none;
            r = cross_entropy(I, argv);
        } else {
            r = nll_loss(I, argv);
        }
    }
    sig_release_bound(sig, bound);
    return r;
}

static Value *ce_forward(Interp *I, NNModule *m, CallArgs *args) { return loss_forward(I, m, args, 0); }
static Value *nll_forward(Interp *I, NNModule *m, CallArgs *args) { return loss_forward(I, m, args, 1); }
static Value *mse_forward(Interp *I, NNModule *m, CallArgs *args) { return loss_forward(I, m, args, 2); }

/* _Loss.__init__: the legacy arguments become `reduction` (with the warning). */
static int set_reduction(Interp *I, NNModule *m, Value *size_average, Value *reduce,
                         Value *reduction) {
    if (!val_is_none(size_average) || !val_is_none(reduce)) {
        LossReduction red;
        if (reduction_of(I, size_average, reduce, reduction, &red)) return -1;
        Value *s = val_str(I, red == LOSS_NONE ? "none" : red == LOSS_MEAN ? "mean" : "sum");
        int rc = s ? nn_set_attr(I, m, "reduction", s) : -1;
        val_release(s);
        return rc;
    }
    return nn_set_attr(I, m, "reduction", reduction);
}

/* spec: a static entry naming the class and its __init__ signature (the signature cache
 * is keyed by the entry's address). */
static Value *construct_loss(Interp *I, CallArgs *args, const NNType *type, const BuiltinSpec *spec,
                             int kind) {
    char qualname[64];
    snprintf(qualname, sizeof qualname, "%s.__init__", type->type.name);
    Signature *sig;
    Value *argv[SIG_MAX_PARAMS];
    if (nn_bind_method(I, spec, qualname, args, argv, &sig)) return NULL;
    NNModule *m = nn_module_new(I, type);
    int rc = m ? 0 : -1;
    if (rc == 0 && kind == 2) {
        rc = set_reduction(I, m, argv[0], argv[1], argv[2]);
    } else if (rc == 0) {
        /* weight (a buffer), size_average, ignore_index, reduce, reduction[, label_smoothing] */
        if (!val_is_none(argv[0]) && !val_is_tensor(argv[0]))
            rc = interp_error(I, ERR_TYPE, "cannot assign '%s' as buffer 'weight' (torch.Tensor or "
                                           "None expected)",
                              val_type_name(argv[0]));
        if (rc == 0) rc = nn_set_buffer(I, m, "weight", argv[0]);
        if (rc == 0) rc = set_reduction(I, m, argv[1], argv[3], argv[4]);
        if (rc == 0) rc = nn_set_attr(I, m, "ignore_index", argv[2]);
        if (rc == 0 && kind == 0) rc = nn_set_attr(I, m, "label_smoothing", argv[5]);
    }
    sig_release_bound(sig, argv);
    if (rc) {
        val_release((Value *)m);
        return NULL;
    }
    return (Value *)m;
}

#define CE_INIT_PARAMS                                                                      \
    "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', "   \
    "label_smoothing=0.0"
#define NLL_INIT_PARAMS "weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'"
#define MSE_INIT_PARAMS "size_average=None, reduce=None, reduction='mean'"
#define CE_INIT "(" CE_INIT_PARAMS ")"
#define NLL_INIT "(" NLL_INIT_PARAMS ")"
#define MSE_INIT "(" MSE_INIT_PARAMS ")"

#define LOSS_CLASS(cls_name, sig, text)                                                     \
    {.name = cls_name, .module = "torch.nn.modules.loss", NN_MODULE_SLOTS,                 \
     .base = &type_nn_module, .init_signature = sig, .doc = text}

const NNType nn_type_cross_entropy_loss = {
    LOSS_CLASS("CrossEntropyLoss", CE_INIT,
               "The cross entropy loss between input logits and target (class indices or "
               "probabilities)."),
    ce_forward, NULL};
const NNType nn_type_nll_loss = {
    LOSS_CLASS("NLLLoss", NLL_INIT, "The negative log likelihood loss."), nll_forward, NULL};
const NNType nn_type_mse_loss = {
    LOSS_CLASS("MSELoss", MSE_INIT,
               "The mean squared error (squared L2 norm) between each element of input and target."),
    mse_forward, NULL};

Value *nn_construct_cross_entropy_loss(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"CrossEntropyLoss", NULL, "(self, " CE_INIT_PARAMS ")", NULL};
    return construct_loss(I, args, &nn_type_cross_entropy_loss, &spec, 0);
}
Value *nn_construct_nll_loss(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"NLLLoss", NULL, "(self, " NLL_INIT_PARAMS ")", NULL};
    return construct_loss(I, args, &nn_type_nll_loss, &spec, 1);
}
Value *nn_construct_mse_loss(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"MSELoss", NULL, "(self, " MSE_INIT_PARAMS ")", NULL};
    return construct_loss(I, args, &nn_type_mse_loss, &spec, 2);
}
