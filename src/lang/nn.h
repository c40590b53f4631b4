/*
 * src/lang/nn.h — the torch.nn module classes and the functional forms they share with
 * torch.nn.functional. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_NN_H
#define EMBEDLAB_NN_H

#include <stdbool.h>

#include "core/tensor.h"
#include "lang/nn_module.h"

extern const NNType nn_type_embedding, nn_type_embedding_bag,
    nn_type_linear, nn_type_dropout, nn_type_relu, nn_type_identity, nn_type_sequential;

/* torch.nn.ModuleList (nn_modulelist.c). */
extern const NNType nn_type_module_list;
Value *nn_construct_module_list(Interp *I, CallArgs *args);

/* ---- losses (mod_nn_loss.c) ---- */

extern const NNType nn_type_cross_entropy_loss, nn_type_nll_loss, nn_type_mse_loss;
Value *nn_construct_cross_entropy_loss(Interp *I, CallArgs *args);
Value *nn_construct_nll_loss(Interp *I, CallArgs *args);
Value *nn_construct_mse_loss(Interp *I, CallArgs *args);
/* F.cross_entropy, F.nll_loss, F.mse_loss (merged into torch.nn.functional). */
extern const BuiltinSpec nn_loss_functions[];

/* A module's buffer (borrowed; NULL when absent) and registering one (register_buffer). */
Value *nn_get_buffer(NNModule *m, const char *name);
int nn_set_buffer(Interp *I, NNModule *m, const char *name, Value *value);

/* F.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq,
 * sparse) (Values may be None/NULL). */
Value *nn_embedding(Interp *I, Value *input, Tensor *weight, Value *padding_idx,
                    Value *max_norm, Value *norm_type, Value *scale_grad_by_freq,
                    Value *sparse);
/* F.embedding_bag(input, weight, offsets, ...) (Values may be None/NULL). */
Value *nn_embedding_bag(Interp *I, Value *input, Tensor *weight, Value *offsets,
                        Value *max_norm, Value *norm_type, Value *scale_grad_by_freq, Value *mode,
                        Value *sparse, Value *per_sample_weights, Value *include_last_offset,
                        Value *padding_idx);
/* F.cosine_similarity(x1, x2, dim, eps) on bound arguments (also torch.cosine_similarity). */
Value *nn_cosine_similarity(Interp *I, Value **argv);
/* F.linear(input, weight, bias): input @ weight.T (+ bias), torch's grad_fn names. */
Value *nn_linear(Interp *I, Tensor *input, Tensor *weight, Tensor *bias);
/* F.dropout(input, p, training, inplace), drawing from the session's generator as torch
 * does; p_value (may be NULL) is p as the user gave it, for the error message. With
 * inplace the result is written into input (torch's dropout_), which is returned. */
Value *nn_dropout(Interp *I, Value *input, double p, Value *p_value, bool training,
                  bool inplace);

#endif
