/*
 * src/core/autograd.h — reverse-mode automatic differentiation on a tape, as PyTorch 1.13.
 * See LICENSE (GPL-3.0-or-later).
 *
 * The graph. Every differentiable operation run while grad mode is on, on inputs of which
 * at least one requires grad, gives its (floating-point) result a GradNode: the backward
 * function of the operation, named as torch names it ("AddBackward0", "MmBackward0"),
 * holding references to the nodes of its inputs (its next functions: the inputs' grad_fn,
 * or an AccumulateGrad node for a leaf that requires grad, or NULL for an input that needs
 * no gradient), the tensors the formula needs (saved with their storage version, as
 * torch's SavedVariable) and a few scalars. A result that is not floating point never
 * requires grad.
 *
 * Ownership, without cycles: a tensor owns its grad_fn; a node owns its next nodes and its
 * saved tensors. A node never owns the tensor whose grad_fn it is: a saved output is kept
 * as an alias (same storage, no history). An AccumulateGrad node owns its leaf (as torch);
 * the leaf finds its node through the context's table, which holds it weakly (the node
 * removes itself when freed). Saved tensors are released after a backward pass that does
 * not retain the graph; using such a node again fails with torch's "Trying to backward
 * through the graph a second time ..." error.
 *
 * The engine (ag_backward) runs torch's algorithm: dependency counts over the reachable
 * graph, a ready queue ordered by sequence number (newest first; AccumulateGrad before
 * everything), gradients summed per input in arrival order, each incoming gradient cast
 * to the input's dtype and summed down to its shape (at::sum_to), leaf gradients
 * accumulated in place after the first one. Gradient formulas are torch's
 * (derivatives.yaml / FunctionsManual.cpp), computed with the core's torch-exact kernels,
 * so values match torch bit for bit where its kernels are reproducible; the few places
 * where they are not are stated next to the functions below.
 *
 * Sparse COO tensors (embedding gradients with sparse=True) are Tensors whose grad_fn
 * slot holds a payload node (indices and values): see sparse.h. Such a tensor is never a
 * graph node; ag_* functions reject it.
 *
 * All functions follow the core conventions: results owned, arguments borrowed, errors in
 * the caller's Error with torch's messages; nothing prints, exits or aborts. The context
 * holds the per-session state (grad mode, the sequence counter, the AccumulateGrad table).
 */
#ifndef EMBEDLAB_AUTOGRAD_H
#define EMBEDLAB_AUTOGRAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/embedding_bag.h"
#include "core/err.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/tensor_math.h"
#include "core/tensor_reduce.h"

typedef struct AutogradCtx AutogradCtx;
typedef struct GradNode GradNode;

/* ---- context and grad mode ---- */

/* A new context with grad mode on. NULL + MemoryError on failure. */
AutogradCtx *ag_ctx_new(Error *err);
/* Frees the context; nodes still alive afterwards stay valid (they forget the table). */
void ag_ctx_free(AutogradCtx *ctx);
bool ag_grad_enabled(const AutogradCtx *ctx);
void ag_set_grad_enabled(AutogradCtx *ctx, bool enabled);
/* Number of nodes alive that were made in this context (for leak tests). */
long ag_live_nodes(const AutogradCtx *ctx);

/* True when grad mode is on and any of the n tensors (NULL entries allowed) requires
 * grad, i.e. when an operation on them records a node. */
bool ag_any_requires(const AutogradCtx *ctx, Tensor *const *ts, int n);

/* ---- nodes as seen from outside ---- */

/* The class name torch prints: "AddBackward0", "AccumulateGrad", "CopySlices". */
const char *grad_node_name(const GradNode *node);
/* next_functions: the node's inputs (count, then each may be NULL). */
int grad_node_next_count(const GradNode *node);
GradNode *grad_node_next(const GradNode *node, int i);
/* The leaf of an AccumulateGrad node (borrowed), else NULL. */
Tensor *grad_node_variable(const GradNode *node);
GradNode *grad_node_retain(GradNode *node);
void grad_node_release(GradNode *node);

/* True when t is a leaf: no history (requires_grad may be true or false). */
bool ag_is_leaf(const Tensor *t);
/* The gradient edge of t: its grad_fn, or (for a leaf that requires grad) its
 * AccumulateGrad node, created on first use; NULL when t needs no gradient. Owned. */
GradNode *ag_gradient_edge(AutogradCtx *ctx, Tensor *t, Error *err);

/* t.retain_grad(): a non-leaf keeps the gradient backward() computes for it (a contiguous
 * copy the first time, then `grad + new` as a new tensor); a no-op on a leaf. Error
 * "can't retain_grad on Tensor that has requires_grad=False". */
int ag_retain_grad(Tensor *t, Error *err);
/* t.retains_grad: true for a non-leaf after retain_grad(). */
bool ag_retains_grad(const Tensor *t);
/* The gradient kept for a non-leaf that retains it (borrowed; NULL when none yet). */
Tensor *ag_retained_grad(const Tensor *t);
/* t.grad = g (NULL: None) for a non-leaf that retains its gradient. */
void ag_set_retained_grad(Tensor *t, Tensor *g);

/* ---- backward ---- */

/* root.backward(gradient=grad, retain_graph): grad NULL means implicit (ones for a
 * one-element root). Errors, as torch: "grad can be implicitly created only for scalar
 * outputs", "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and
 * output[0] has a shape of torch.Size([3]).", "element 0 of tensors does not require
 * grad and does not have a grad_fn", the backward-twice and saved-tensor version errors,
 * the errors of the formulas (sparse embedding with scale_grad_by_freq, ...), MemoryError.
 * Gradients already accumulated into leaves before an error stay (as torch). */
int ag_backward(AutogradCtx *ctx, Tensor *root, Tensor *grad, bool retain_graph, Error *err);

/* ---- in-place bookkeeping ---- */

/* Checks that t may be modified in place with grad mode on: a leaf that requires grad
 * ("a leaf Variable that requires grad is being used in an in-place operation.") or a
 * view of one ("a view of a leaf Variable that requires grad is being used in an
 * in-place operation.") may not. OK when grad mode is off. */
int ag_check_inplace(AutogradCtx *ctx, Tensor *t, Error *err);
/* Gives t, just overwritten in place by fill_, zero_, normal_, uniform_ (`value` NULL)
 * or fill_ with a 0-d tensor `value`, the history torch gives it when grad mode is on and
 * t had a history (or value requires grad): a node `name` (FillBackward2, FillBackward3,
 * ZeroBackward0, NormalBackward0, ...) whose inputs are t's old history, which gets a
 * zero gradient, and value, which gets the gradient's sum. */
int ag_rebase_constant(AutogradCtx *ctx, Tensor *t, const char *name, Tensor *value,
                       Error *err);
/* dst.copy_(src) (values cast and broadcast as tensor_copy_) with torch's CopyBackwards
 * node when grad mode is on and dst has a history or src requires grad: dst's old history
 * gets zeros, src the gradient (cast to src's dtype, then summed to its shape). */
int ag_copy_(AutogradCtx *ctx, Tensor *dst, Tensor *src, Error *err);
/* Makes t take over the values and the history of `result` (an out-of-place result
 * computed from t's old value): t.op_() done as t.copy_(t.op()) for autograd. Copies
 * the values, bumps t's version, and moves result's grad_fn to t. */
int ag_commit_inplace(AutogradCtx *ctx, Tensor *t, Tensor *result, Error *err);
/* A fresh copy of t's current value carrying t's history (the input of an in-place op
 * replayed out of place). */
Tensor *ag_inplace_source(AutogradCtx *ctx, Tensor *t, Error *err);

/* ---- differentiable operations: forward through the core, then record ----
 *
 * Each returns the core result (owned) with grad_fn set when grad mode is on, the result
 * is floating point and an input requires grad. Errors are the core's, plus MemoryError
 * while recording (the result is then released). */

Tensor *ag_binary(AutogradCtx *ctx, BinaryOp op, Tensor *a, Tensor *b, Error *err);
/* a + alpha * b / a - alpha * b with torch's fused kernel (fma) for floating results. */
Tensor *ag_add_scaled(AutogradCtx *ctx, Tensor *a, Tensor *b, double alpha, bool subtract,
                      Error *err);
/* a + alpha * b with torch's add kernel (a fused multiply-add for floating types; alpha
 * 1 is a plain add), broadcasting, without recording; ag_axpy_ writes into a (its
 * version bumped) with the in-place add's shape and cast checks. */
Tensor *ag_axpy(const Tensor *a, const Tensor *b, double alpha, Error *err);
int ag_axpy_(Tensor *a, const Tensor *b, double alpha, Error *err);
/* 1 - t etc.: torch.rsub(t, scalar) (RsubBackward1): scalar - t. */
Tensor *ag_rsub(AutogradCtx *ctx, Tensor *t, Tensor *scalar, Error *err);
Tensor *ag_unary(AutogradCtx *ctx, UnaryOp op, Tensor *t, Error *err);
/* clamp with optional scalar bounds (ClampBackward1) or min only (ClampMinBackward0 when
 * `min_only_name`). */
Tensor *ag_clamp(AutogradCtx *ctx, Tensor *t, bool has_min, double min, bool has_max,
                 double max, Error *err);
Tensor *ag_clamp_min(AutogradCtx *ctx, Tensor *t, double min, Error *err);
Tensor *ag_where(AutogradCtx *ctx, Tensor *cond, Tensor *a, Tensor *b, Error *err);
Tensor *ag_masked_fill(AutogradCtx *ctx, Tensor *t, Tensor *mask, Tensor *value, Error *err);
/* Matrix products with torch's node chains: DotBackward0, MvBackward0, MmBackward0
 * (also for t.mm), 1-D @ 2-D (UnsqueezeBackward0 → MmBackward0 → SqueezeBackward4),
 * folded N-D @ 2-D (UnsafeViewBackward0 over MmBackward0), batched (UnsafeViewBackward0
 * over BmmBackward0 over expand/reshape views). */
Tensor *ag_matmul(AutogradCtx *ctx, Tensor *a, Tensor *b, Error *err);
/* t.mm(other) for two 2-D tensors (MmBackward0). */
Tensor *ag_mm_op(AutogradCtx *ctx, Tensor *a, Tensor *b, Error *err);

/* Reductions. dims NULL: all. */
Tensor *ag_sum(AutogradCtx *ctx, Tensor *t, const DimList *dims, bool keepdim, Error *err);
Tensor *ag_mean(AutogradCtx *ctx, Tensor *t, const DimList *dims, bool keepdim, Error *err);
Tensor *ag_prod(AutogradCtx *ctx, Tensor *t, const DimList *dims, bool keepdim, Error *err);
Tensor *ag_var(AutogradCtx *ctx, Tensor *t, const DimList *dims, int correction, bool keepdim,
               bool is_std, Error *err);
Tensor *ag_norm(AutogradCtx *ctx, Tensor *t, double p, const DimList *dims, bool keepdim,
                Error *err);
Tensor *ag_max_all(AutogradCtx *ctx, Tensor *t, bool is_max, Error *err);
/* max/min/sort/topk along a dim: values get a node that scatters the gradient back
 * through the indices (MaxBackward0, SortBackward0, TopkBackward0...). */
int ag_max_dim(AutogradCtx *ctx, Tensor *t, int64_t dim, bool keepdim, bool is_max,
               Tensor **values, Tensor **indices, Error *err);
int ag_sort(AutogradCtx *ctx, Tensor *t, int64_t dim, bool descending, Tensor **values,
            Tensor **indices, Error *err);
int ag_topk(AutogradCtx *ctx, Tensor *t, int64_t k, int64_t dim, bool largest, bool sorted,
            Tensor **values, Tensor **indices, Error *err);

/* Views and copies (shape errors as tensor.h). */
Tensor *ag_view(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err);
/* reshape: ViewBackward0 when a view is possible, else UnsafeViewBackward0 over a
 * CloneBackward0 copy, as torch. */
Tensor *ag_reshape(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err);
Tensor *ag_transpose(AutogradCtx *ctx, Tensor *t, int64_t d0, int64_t d1, Error *err);
Tensor *ag_permute(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *dims, Error *err);
Tensor *ag_t(AutogradCtx *ctx, Tensor *t, Error *err);
Tensor *ag_unsqueeze(AutogradCtx *ctx, Tensor *t, int64_t dim, Error *err);
Tensor *ag_squeeze(AutogradCtx *ctx, Tensor *t, Error *err);
Tensor *ag_squeeze_dim(AutogradCtx *ctx, Tensor *t, int64_t dim, Error *err);
Tensor *ag_expand(AutogradCtx *ctx, Tensor *t, int ndim, const int64_t *shape, Error *err);
Tensor *ag_select(AutogradCtx *ctx, Tensor *t, int64_t dim, int64_t index, Error *err);
Tensor *ag_slice(AutogradCtx *ctx, Tensor *t, int64_t dim, bool has_start, int64_t start,
                 bool has_stop, int64_t stop, int64_t step, Error *err);
/* t[...] / t.view_as(t): AliasBackward0. */
Tensor *ag_alias(AutogradCtx *ctx, Tensor *t, Error *err);
Tensor *ag_clone(AutogradCtx *ctx, Tensor *t, Error *err);
/* t.contiguous(): t itself (retained) when contiguous, else a CloneBackward0 copy. */
Tensor *ag_contiguous(AutogradCtx *ctx, Tensor *t, Error *err);
/* t.to(dtype) (ToCopyBackward0); t itself when the dtype is already dt. */
Tensor *ag_to_dtype(AutogradCtx *ctx, Tensor *t, DType dt, Error *err);
/* t.detach(): an alias without history and requires_grad false. */
Tensor *ag_detach(Tensor *t, Error *err);
Tensor *ag_index_select(AutogradCtx *ctx, Tensor *t, int64_t dim, Tensor *index, Error *err);
/* t[index] along `dim` for an int64 (any shape) or bool index (IndexBackward0): the
 * result is index.shape + t.shape without `dim` (bool: masked rows), with the index dims
 * placed at `dim` (as numpy/torch for a single advanced index). */
Tensor *ag_index(AutogradCtx *ctx, Tensor *t, int dim, Tensor *index, Error *err);
Tensor *ag_masked_select(AutogradCtx *ctx, Tensor *t, Tensor *mask, Error *err);
/* After t[key] = value was written (`view` is t's basic-indexing view that was written,
 * or the view an advanced index applies to at adv_dim): gives t torch's history for it
 * when grad mode is on and t or value requires grad — CopySlices (basic indexing) or
 * IndexPutBackward0 (an advanced index): t's old history gets the gradient with the
 * written region zeroed, value the gradient of that region. */
int ag_record_setitem(AutogradCtx *ctx, Tensor *t, const Tensor *view, int adv_dim,
                      Tensor *adv_index, Tensor *value, Error *err);
Tensor *ag_cat(AutogradCtx *ctx, Tensor *const *ts, int count, int64_t dim, Error *err);
Tensor *ag_stack(AutogradCtx *ctx, Tensor *const *ts, int count, int64_t dim, Error *err);

/* ---- nn.functional ---- */

/* F.linear with torch's chains: AddmmBackward0 (2-D input with bias; its mat2 is
 * weight.t(), a TBackward0), MmBackward0 (2-D, no bias), ViewBackward0 over
 * AddmmBackward0 (contiguous 3-D with bias), else matmul (+ AddBackward0). Values as
 * nnf_linear. */
Tensor *ag_linear(AutogradCtx *ctx, Tensor *input, Tensor *weight, Tensor *bias, Error *err);
/* F.embedding (EmbeddingBackward0): padding_idx (raw, as given) rows get no gradient;
 * scale_grad_by_freq scales each use by 1/count; sparse gives a sparse COO gradient
 * (padding entries dropped). The max_norm renorm runs under no_grad. The dense gradient
 * accumulates rows in index order with torch's fused add kernel (bit-exact). */
Tensor *ag_embedding(AutogradCtx *ctx, Tensor *weight, Tensor *indices, bool has_pad,
                     int64_t pad, bool has_max_norm, double max_norm, double norm_type,
                     bool scale_grad_by_freq, bool sparse, Error *err);
/* F.embedding_bag (EmbeddingBagBackward0), gradients for the weight (all modes, dense or
 * sparse) and per_sample_weights, replaying torch's CPU backward kernels. */
Tensor *ag_embedding_bag(AutogradCtx *ctx, Tensor *weight, Tensor *input, const BagOptions *opt,
                         Error *err);
/* F.softmax / F.log_softmax (SoftmaxBackward0 / LogSoftmaxBackward0). */
Tensor *ag_softmax(AutogradCtx *ctx, Tensor *t, int64_t dim, bool log, Error *err);
/* F.cosine_similarity composed as torch 1.13.1 (SumBackward1 at the top). */
Tensor *ag_cosine_similarity(AutogradCtx *ctx, Tensor *x1, Tensor *x2, int64_t dim, double eps,
                             Error *err);
/* F.normalize: input / norm.clamp_min(eps).expand_as(input) (DivBackward0). */
Tensor *ag_normalize(AutogradCtx *ctx, Tensor *t, double p, int64_t dim, double eps, Error *err);
/* F.dropout (MulBackward0 with the saved noise); arguments as nnf_dropout. */
Tensor *ag_dropout(AutogradCtx *ctx, Tensor *t, double p, const char *p_text, bool training,
                   Generator *g, Error *err);
/* Losses (reduction as loss.h's LossReduction). F.nll_loss (NllLossBackward0);
 * F.cross_entropy: log_softmax then nll_loss, or torch's compositions for class
 * probabilities and label smoothing; F.mse_loss (MseLossBackward0, broadcasting through
 * ExpandBackward0 nodes). */
Tensor *ag_nll_loss(AutogradCtx *ctx, Tensor *input, Tensor *target, Tensor *weight,
                    int reduction, int64_t ignore_index, Error *err);
Tensor *ag_cross_entropy(AutogradCtx *ctx, Tensor *input, Tensor *target, Tensor *weight,
                         int reduction, int64_t ignore_index, double label_smoothing,
                         Error *err);
Tensor *ag_mse_loss(AutogradCtx *ctx, Tensor *input, Tensor *target, int reduction, Error *err);

#endif
