/*
 * src/core/autograd_impl.h — the inside of the autograd module, shared by its files
 * (autograd.c: nodes, saved tensors, the context; autograd_engine.c: backward;
 * autograd_math.c, autograd_reduce.c, autograd_view.c, autograd_linalg.c, autograd_nn.c:
 * the operations and their gradient formulas; sparse.c: the sparse payload). Not for use
 * outside src/core/autograd*.c and sparse.c. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_AUTOGRAD_IMPL_H
#define EMBEDLAB_AUTOGRAD_IMPL_H

#include "core/autograd.h"

/* Computes the gradients of a node's inputs from the gradient of its output. `grad` is
 * borrowed (never NULL; the output's shape and dtype). grads_in[i] (owned, NULL = zero
 * / not needed) need only be computed where ag_needs(node, i). */
typedef int (*GradApplyFn)(GradNode *node, Tensor *grad, Tensor **grads_in, Error *err);

/* Shape and dtype of a tensor the graph refers to. */
typedef struct GradMeta {
    DType dtype;
    int ndim;
    int64_t shape[TENSOR_MAX_DIMS];
    int64_t stride[TENSOR_MAX_DIMS];
} GradMeta;

#define GRAD_MAX_SAVED 8

typedef struct GradSaved {
    Tensor *tensor;    /* owned; NULL when nothing is saved here or after release */
    uint64_t version;  /* the storage version when saved */
    bool is_output;    /* an alias of the node's own output */
    bool used;         /* a tensor was saved here (released ones raise backward-twice) */
} GradSaved;

/* Op-specific scalars (dims, flags, alphas). */
typedef struct GradArgs {
    int64_t i[8];
    double d[4];
    DimList dims;
    bool b[4];
} GradArgs;

typedef enum GradKind { GRAD_KIND_FUNCTION, GRAD_KIND_ACCUMULATE, GRAD_KIND_SPARSE } GradKind;

struct GradNode {
    long refcount;
    GradKind kind;
    const char *name;         /* static */
    GradApplyFn apply;
    uint64_t seq;             /* creation order; UINT64_MAX for AccumulateGrad */
    int n_next;
    GradNode **next;          /* n_next owned references (NULL: no gradient needed) */
    GradMeta *in;             /* metadata of each input (n_next entries) */
    GradMeta out;             /* metadata of the output */
    GradSaved saved[GRAD_MAX_SAVED];
    GradArgs args;
    Tensor *variable;         /* AccumulateGrad: the leaf (owned) */
    AutogradCtx *ctx;         /* the context whose table lists this node (AccumulateGrad) */
    Tensor *view_base;        /* a view's base (owned) for in-place checks */
    GradNode *inner;          /* CopySlices: the node of the op applied to the view (owned) */
    /* engine scratch, valid during one backward pass */
    uint64_t epoch;
    int deps;
    Tensor *buffer;
    bool released;            /* saved tensors freed by a backward without retain_graph */
    GradNode *free_next;      /* grad_node_release's work list */
    /* t.retain_grad() on the tensor whose grad_fn this is: the gradient of the output is
     * kept here (owned) each time the node runs (torch's retain_grad hook). */
    bool retains_grad;
    Tensor *retained_grad;
};

struct AutogradCtx {
    bool grad_enabled;
    uint64_t next_seq;
    uint64_t epoch;
    long live_nodes;
    /* open-addressing table: leaf tensor → its AccumulateGrad node (weak) */
    Tensor **keys;
    GradNode **vals;
    size_t cap, used, tombstones;
};

/* ---- recording helpers (autograd.c) ---- */

/* A new function node with n inputs taken from ts (their gradient edges; NULL entries
 * allowed), named `name`. The output metadata is set by ag_attach. */
GradNode *ag_node_new(AutogradCtx *ctx, const char *name, GradApplyFn apply, Tensor *const *ts,
                      int n, Error *err);
/* Saves t (an input; kept itself) or the node's output (kept as an alias) in a slot. */
int ag_save(GradNode *n, int slot, Tensor *t, Error *err);
int ag_save_output(GradNode *n, int slot, Tensor *out, Error *err);
/* The saved tensor of a slot, checked: the backward-twice error after release, torch's
 * version error after an in-place change. */
Tensor *ag_saved(GradNode *n, int slot, Error *err);
/* Frees the saved tensors after a backward pass that does not retain the graph. */
void ag_release_saved(GradNode *n);
/* Makes n the grad_fn of out (takes the caller's reference to n): sets requires_grad and
 * the output metadata. */
void ag_attach(GradNode *n, Tensor *out);
/* True when input i needs a gradient. */
bool ag_needs(const GradNode *n, int i);
/* Records a one-input node on out when needed: the common case of every unary op.
 * Returns 0, or -1 with out released and err set (then *out is NULL). */
int ag_record1(AutogradCtx *ctx, const char *name, GradApplyFn apply, Tensor *in, Tensor **out,
               GradNode **node, Error *err);
/* Fails the op: releases *out and n, returns NULL. */
Tensor *ag_fail(Tensor *out, GradNode *n);
/* Copies t's shape into m. */
void ag_meta_of(GradMeta *m, const Tensor *t);
/* The payload of a sparse COO tensor (sparse.c): saved[0] indices, saved[1] values,
 * args.b[0] coalesced. */
GradNode *ag_payload_new(Tensor *indices, Tensor *values, bool coalesced, Error *err);
/* The AccumulateGrad table. */
GradNode *ag_accumulator_find(AutogradCtx *ctx, Tensor *leaf);

/* ---- small tensor helpers for formulas (autograd_math.c) ---- */

/* A wrapped Python float (for scalar arithmetic as torch's Scalar). */
Tensor *ag_scalar(double v, Error *err);
/* a op b, or a op scalar. */
Tensor *ag_bin(BinaryOp op, const Tensor *a, const Tensor *b, Error *err);
Tensor *ag_bin_s(BinaryOp op, const Tensor *a, double s, Error *err);
/* zeros of a shape and dtype */
Tensor *ag_zeros_meta(const GradMeta *m, Error *err);
/* at::sum_to(t, shape): sum over leading and broadcast dims (keepdim), then view. */
Tensor *ag_sum_to(const Tensor *t, int ndim, const int64_t *shape, Error *err);
/* grad unsqueezed at each reduced dim (sum_backward's unsqueeze_multiple), then expanded
 * to the input shape (a view). */
Tensor *ag_expand_reduced(const Tensor *grad, const GradMeta *in, const DimList *dims,
                          bool keepdim, Error *err);
/* grad unsqueezed at the reduced dims when !keepdim (no expand). */
Tensor *ag_unsqueeze_reduced(const Tensor *grad, int in_ndim, const DimList *dims, bool keepdim,
                             Error *err);

#endif
