/*
 * src/core/autograd.c — autograd nodes, saved tensors, the context and its AccumulateGrad
 * table, in-place bookkeeping. See autograd.h. See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>
#include <string.h>

#include "core/autograd_impl.h"
#include "core/mem.h"

/* ---- context ---- */

AutogradCtx *ag_ctx_new(Error *err) {
    AutogradCtx *ctx = mem_calloc(1, sizeof *ctx, err);
    if (!ctx) return NULL;
    ctx->grad_enabled = true;
    return ctx;
}

void ag_ctx_free(AutogradCtx *ctx) {
    if (!ctx) return;
    for (size_t i = 0; i < ctx->cap; i++)
        if (ctx->keys[i] && ctx->vals[i]) ctx->vals[i]->ctx = NULL;
    mem_free(ctx->keys);
    mem_free(ctx->vals);
    mem_free(ctx);
}

bool ag_grad_enabled(const AutogradCtx *ctx) { return ctx->grad_enabled; }
void ag_set_grad_enabled(AutogradCtx *ctx, bool enabled) { ctx->grad_enabled = enabled; }
long ag_live_nodes(const AutogradCtx *ctx) { return ctx->live_nodes; }

/* ---- the AccumulateGrad table (pointer keys, linear probing; a deleted slot keeps its
 * key with a NULL value as a tombstone) ---- */

static size_t slot_of(const void *p, size_t cap) {
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & (cap - 1);
}

GradNode *ag_accumulator_find(AutogradCtx *ctx, Tensor *leaf) {
    if (!ctx->cap) return NULL;
    for (size_t i = slot_of(leaf, ctx->cap);; i = (i + 1) & (ctx->cap - 1)) {
        if (!ctx->keys[i]) return NULL;
        if (ctx->keys[i] == leaf && ctx->vals[i]) return ctx->vals[i];
    }
}

static int table_grow(AutogradCtx *ctx, Error *err) {
    size_t cap = ctx->cap ? ctx->cap * 2 : 16;
    while ((ctx->used - ctx->tombstones + 1) * 2 > cap) cap *= 2;
    Tensor **keys = mem_calloc(cap, sizeof *keys, err);
    GradNode **vals = keys ? mem_calloc(cap, sizeof *vals, err) : NULL;
    if (!vals) {
        mem_free(keys);
        return ERR_MEMORY;
    }
    size_t used = 0;
    for (size_t i = 0; i < ctx->cap; i++) {
        if (!ctx->keys[i] || !ctx->vals[i]) continue;
        size_t j = slot_of(ctx->keys[i], cap);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = ctx->keys[i];
        vals[j] = ctx->vals[i];
        used++;
    }
    mem_free(ctx->keys);
    mem_free(ctx->vals);
    ctx->keys = keys;
    ctx->vals = vals;
    ctx->cap = cap;
    ctx->used = used;
    ctx->tombstones = 0;
    return ERR_OK;
}

static int table_insert(AutogradCtx *ctx, Tensor *leaf, GradNode *node, Error *err) {
    if ((ctx->used + 1) * 4 > ctx->cap * 3 && table_grow(ctx, err) != ERR_OK) return ERR_MEMORY;
    size_t i = slot_of(leaf, ctx->cap);
    while (ctx->keys[i] && ctx->vals[i]) i = (i + 1) & (ctx->cap - 1);
    if (ctx->keys[i]) ctx->tombstones--; /* reuse a tombstone */
    else ctx->used++;
    ctx->keys[i] = leaf;
    ctx->vals[i] = node;
    return ERR_OK;
}

static void table_remove(AutogradCtx *ctx, GradNode *node) {
    if (!ctx->cap) return;
    Tensor *leaf = node->variable;
    for (size_t i = slot_of(leaf, ctx->cap);; i = (i + 1) & (ctx->cap - 1)) {
        if (!ctx->keys[i]) return;
        if (ctx->vals[i] == node) {
            ctx->vals[i] = NULL;
            ctx->tombstones++;
            return;
        }
    }
}

/* ---- nodes ---- */

const char *grad_node_name(const GradNode *node) { return node->name; }
int grad_node_next_count(const GradNode *node) { return node->n_next; }
GradNode *grad_node_next(const GradNode *node, int i) {
    return i >= 0 && i < node->n_next ? node->next[i] : NULL;
}
Tensor *grad_node_variable(const GradNode *node) {
    return node->kind == GRAD_KIND_ACCUMULATE ? node->variable : NULL;
}

GradNode *grad_node_retain(GradNode *node) {
    if (node) node->refcount++;
    return node;
}

static void release_saved(GradNode *n) {
    for (int i = 0; i < GRAD_MAX_SAVED; i++) {
        Tensor *t = n->saved[i].tensor;
        n->saved[i].tensor = NULL;
        tensor_release(t);
    }
}

/* Frees a node whose count reached zero, and (iteratively, so deep graphs cannot
 * overflow the stack) every next node that this leaves unreferenced. */
void grad_node_release(GradNode *node) {
    if (!node || --node->refcount > 0) return;
    GradNode *pending = node;
    node->free_next = NULL;
    while (pending) {
        GradNode *n = pending;
        pending = n->free_next;
        for (int i = 0; i < n->n_next; i++) {
            GradNode *c = n->next[i];
            if (c && --c->refcount == 0) {
                c->free_next = pending;
                pending = c;
            }
        }
        if (n->kind == GRAD_KIND_ACCUMULATE && n->ctx) table_remove(n->ctx, n);
        if (n->ctx) n->ctx->live_nodes--;
        release_saved(n);
        tensor_release(n->buffer);
        tensor_release(n->retained_grad);
        tensor_release(n->variable);
        tensor_release(n->view_base);
        grad_node_release(n->inner);
        mem_free(n->next);
        mem_free(n->in);
        mem_free(n);
    }
}

static GradNode *node_alloc(AutogradCtx *ctx, GradKind kind, const char *name, int n_next,
                            Error *err) {
    GradNode *n = mem_calloc(1, sizeof *n, err);
    if (!n) return NULL;
    if (n_next > 0) {
        n->next = mem_calloc((size_t)n_next, sizeof *n->next, err);
        n->in = n->next ? mem_calloc((size_t)n_next, sizeof *n->in, err) : NULL;
        if (!n->in) {
            mem_free(n->next);
            mem_free(n);
            return NULL;
        }
    }
    n->refcount = 1;
    n->kind = kind;
    n->name = name;
    n->n_next = n_next;
    n->ctx = ctx;
    if (ctx) ctx->live_nodes++;
    return n;
}

void ag_meta_of(GradMeta *m, const Tensor *t) {
    m->dtype = t->dtype;
    m->ndim = t->ndim;
    for (int i = 0; i < t->ndim; i++) {
        m->shape[i] = t->shape[i];
        m->stride[i] = t->stride[i];
    }
}

static GradNode *history(const Tensor *t) {
    return t->grad_fn && t->grad_fn->kind == GRAD_KIND_FUNCTION ? t->grad_fn : NULL;
}

bool ag_is_leaf(const Tensor *t) { return history(t) == NULL; }

GradNode *ag_gradient_edge(AutogradCtx *ctx, Tensor *t, Error *err) {
    GradNode *h = history(t);
    if (h) return grad_node_retain(h);
    if (!t->requires_grad) return NULL;
    GradNode *acc = ag_accumulator_find(ctx, t);
    if (acc) return grad_node_retain(acc);
    acc = node_alloc(ctx, GRAD_KIND_ACCUMULATE, "AccumulateGrad", 0, err);
    if (!acc) return NULL;
    acc->seq = UINT64_MAX;
    acc->variable = tensor_retain(t);
    ag_meta_of(&acc->out, t);
    if (table_insert(ctx, t, acc, err) != ERR_OK) {
        acc->ctx = NULL;
        ctx->live_nodes--;
        grad_node_release(acc);
        return NULL;
    }
    return acc;
}

bool ag_any_requires(const AutogradCtx *ctx, Tensor *const *ts, int n) {
    if (!ctx->grad_enabled) return false;
    for (int i = 0; i < n; i++)
        if (ts[i] && ts[i]->requires_grad && (!ts[i]->grad_fn || history(ts[i]))) return true;
    return false;
}

GradNode *ag_node_new(AutogradCtx *ctx, const char *name, GradApplyFn apply, Tensor *const *ts,
                      int n, Error *err) {
    GradNode *node = node_alloc(ctx, GRAD_KIND_FUNCTION, name, n, err);
    if (!node) return NULL;
    node->apply = apply;
    node->seq = ctx->next_seq++;
    for (int i = 0; i < n; i++) {
        if (!ts[i]) continue;
        ag_meta_of(&node->in[i], ts[i]);
        if (!ts[i]->requires_grad) continue;
        err_clear(err);
        node->next[i] = ag_gradient_edge(ctx, ts[i], err);
        if (!node->next[i] && err_is_set(err)) {
            grad_node_release(node);
            return NULL;
        }
    }
    return node;
}

bool ag_needs(const GradNode *n, int i) { return i < n->n_next && n->next[i] != NULL; }

int ag_save(GradNode *n, int slot, Tensor *t, Error *err) {
    (void)err;
    GradSaved *s = &n->saved[slot];
    s->tensor = tensor_retain(t);
    s->version = t->storage->version;
    s->is_output = false;
    s->used = true;
    return ERR_OK;
}

int ag_save_output(GradNode *n, int slot, Tensor *out, Error *err) {
    GradSaved *s = &n->saved[slot];
    s->tensor = tensor_alias(out, err);
    if (!s->tensor) return ERR_MEMORY;
    s->version = out->storage->version;
    s->is_output = true;
    s->used = true;
    return ERR_OK;
}

#define BACKWARD_TWICE                                                                        \
    "Trying to backward through the graph a second time (or directly access saved tensors " \
    "after they have already been freed). Saved intermediate values of the graph are freed " \
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to " \
    "backward through the graph a second time or if you need to access saved tensors after " \
    "calling backward."

Tensor *ag_saved(GradNode *n, int slot, Error *err) {
    GradSaved *s = &n->saved[slot];
    if (!s->tensor) {
        err_set(err, ERR_RUNTIME, s->used ? BACKWARD_TWICE : "internal error: no tensor saved");
        return NULL;
    }
    uint64_t now = s->tensor->storage->version;
    if (now != s->version) {
        char shape[256];
        tensor_shape_str(s->tensor->ndim, s->tensor->shape, shape, sizeof shape);
        const GradNode *owner = s->is_output ? n : history(s->tensor);
        char which[160] = "";
        if (owner) snprintf(which, sizeof which, ", which is output 0 of %s,", owner->name);
        err_set(err, ERR_RUNTIME,
                "one of the variables needed for gradient computation has been modified by an "
                "inplace operation: [%s %s]%s is at version %llu; expected version %llu instead. "
                "Hint: enable anomaly detection to find the operation that failed to compute its "
                "gradient, with torch.autograd.set_detect_anomaly(True).",
                dtype_legacy_name(s->tensor->dtype), shape, which, (unsigned long long)now,
                (unsigned long long)s->version);
        return NULL;
    }
    return s->tensor;
}

void ag_release_saved(GradNode *n) {
    release_saved(n);
    n->released = true;
}

void ag_attach(GradNode *n, Tensor *out) {
    GradNode *old = out->grad_fn;
    out->grad_fn = n;
    out->requires_grad = true;
    ag_meta_of(&n->out, out);
    grad_node_release(old);
}

Tensor *ag_fail(Tensor *out, GradNode *n) {
    tensor_release(out);
    grad_node_release(n);
    return NULL;
}

int ag_record1(AutogradCtx *ctx, const char *name, GradApplyFn apply, Tensor *in, Tensor **out,
               GradNode **node, Error *err) {
    *node = NULL;
    if (!*out || !dtype_is_floating((*out)->dtype) || !ag_any_requires(ctx, &in, 1)) return 0;
    *node = ag_node_new(ctx, name, apply, &in, 1, err);
    if (!*node) {
        tensor_release(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

GradNode *ag_payload_new(Tensor *indices, Tensor *values, bool coalesced, Error *err) {
    GradNode *n = node_alloc(NULL, GRAD_KIND_SPARSE, "SparseCOO", 0, err);
    if (!n) return NULL;
    n->saved[0].tensor = tensor_retain(indices);
    n->saved[1].tensor = tensor_retain(values);
    n->args.b[0] = coalesced;
    return n;
}

/* ---- in-place bookkeeping ---- */

int ag_check_inplace(AutogradCtx *ctx, Tensor *t, Error *err) {
    if (!ctx->grad_enabled) return ERR_OK;
    GradNode *h = history(t);
    if (!h && t->requires_grad)
        return err_set(err, ERR_RUNTIME, "a leaf Variable that requires grad is being used in an "
                                         "in-place operation.");
    if (h && h->view_base && h->view_base->requires_grad && ag_is_leaf(h->view_base))
        return err_set(err, ERR_RUNTIME, "a view of a leaf Variable that requires grad is being "
                                         "used in an in-place operation.");
    return ERR_OK;
}

/* Backward of an overwrite (fill_, zero_, normal_, copy_): the old value gets a zero
 * gradient (derivatives.yaml "self: zeros_like(grad)"); a second input, when there is
 * one, is the source: copy_'s src gets the gradient cast to its dtype (the engine sums it
 * to its shape), fill_'s 0-d value tensor the sum of the gradient. */
static int overwrite_backward(GradNode *n, Tensor *grad, Tensor **gi, Error *err) {
    if (ag_needs(n, 0) && !(gi[0] = ag_zeros_meta(&n->in[0], err))) return err->code;
    if (n->n_next > 1 && ag_needs(n, 1)) {
        if (n->args.b[0]) /* fill_(value tensor) */
            gi[1] = tensor_sum(grad, NULL, false, err);
        else
            gi[1] = tensor_to_dtype(grad, n->in[1].dtype, err);
        if (!gi[1]) return err->code;
    }
    return ERR_OK;
}

int ag_rebase_constant(AutogradCtx *ctx, Tensor *t, const char *name, Tensor *value,
                       Error *err) {
    Tensor *ins[1] = {value};
    if (!ctx->grad_enabled || (!history(t) && !(value && ag_any_requires(ctx, ins, 1))))
        return ERR_OK;
    Tensor *ts[2] = {t, value};
    GradNode *n = ag_node_new(ctx, name, overwrite_backward, ts, value ? 2 : 1, err);
    if (!n) return ERR_MEMORY;
    n->args.b[0] = value != NULL;
    ag_attach(n, t);
    return ERR_OK;
}

int ag_copy_(AutogradCtx *ctx, Tensor *dst, Tensor *src, Error *err) {
    Tensor *ins[1] = {src};
    GradNode *n = NULL;
    if (ctx->grad_enabled && (history(dst) || ag_any_requires(ctx, ins, 1))) {
        Tensor *ts[2] = {dst, src};
        n = ag_node_new(ctx, "CopyBackwards", overwrite_backward, ts, 2, err);
        if (!n) return ERR_MEMORY;
    }
    if (tensor_copy_(dst, src, err) != ERR_OK) {
        grad_node_release(n);
        return err ? err->code : ERR_RUNTIME;
    }
    if (n) ag_attach(n, dst);
    return ERR_OK;
}

Tensor *ag_inplace_source(AutogradCtx *ctx, Tensor *t, Error *err) {
    (void)ctx;
    Tensor *copy = tensor_clone(t, err);
    if (!copy) return NULL;
    copy->grad_fn = grad_node_retain(history(t));
    copy->requires_grad = t->requires_grad;
    return copy;
}

int ag_commit_inplace(AutogradCtx *ctx, Tensor *t, Tensor *result, Error *err) {
    (void)ctx;
    if (tensor_copy_(t, result, err) != ERR_OK) return err ? err->code : ERR_RUNTIME;
    GradNode *h = history(result);
    if (h) {
        GradNode *old = t->grad_fn;
        t->grad_fn = grad_node_retain(h);
        t->requires_grad = true;
        grad_node_release(old);
    }
    return ERR_OK;
}
