/*
 * src/core/autograd_engine.c — the backward pass (torch's Engine::execute for one root,
 * single-threaded) and AccumulateGrad. See autograd.h. See LICENSE (GPL-3.0-or-later).
 */
#include <stdio.h>
#include <string.h>

#include "core/autograd_impl.h"
#include "core/mem.h"
#include "core/sparse.h"
#include "core/tensor_fmt.h"

/* ---- the ready queue: a max-heap on sequence numbers ---- */

typedef struct Heap {
    GradNode **items;
    size_t len, cap;
} Heap;

static int heap_push(Heap *h, GradNode *n, Error *err) {
    if (h->len == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        GradNode **items = mem_realloc(h->items, cap * sizeof *items, err);
        if (!items) return ERR_MEMORY;
        h->items = items;
        h->cap = cap;
    }
    size_t i = h->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->items[parent]->seq >= n->seq) break;
        h->items[i] = h->items[parent];
        i = parent;
    }
    h->items[i] = n;
    return ERR_OK;
}

static GradNode *heap_pop(Heap *h) {
    GradNode *top = h->items[0];
    GradNode *last = h->items[--h->len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->len) break;
        if (c + 1 < h->len && h->items[c + 1]->seq > h->items[c]->seq) c++;
        if (h->items[c]->seq <= last->seq) break;
        h->items[i] = h->items[c];
        i = c;
    }
    if (h->len) h->items[i] = last;
    return top;
}

/* ---- gradient arithmetic ---- */

/* a + b for two incoming gradients (dense or sparse), a new tensor. */
static Tensor *grad_sum(const Tensor *a, const Tensor *b, Error *err) {
    bool sa = sparse_is(a), sb = sparse_is(b);
    if (sa && sb) return sparse_add(a, b, 1.0, err);
    if (sa) return sparse_dense_add(b, a, 1.0, err);
    if (sb) return sparse_dense_add(a, b, 1.0, err);
    return tensor_binary(BIN_ADD, a, b, err);
}

static bool same_shape_meta(const Tensor *t, const GradMeta *m) {
    if (t->ndim != m->ndim) return false;
    for (int i = 0; i < m->ndim; i++)
        if (t->shape[i] != m->shape[i]) return false;
    return true;
}

/* validate_outputs: sums a broadcast gradient down to the input's shape and casts it to
 * the input's dtype. Takes *g and replaces it. */
static int validate(const GradNode *n, int i, Tensor **g, Error *err) {
    const GradMeta *m = &n->in[i];
    Tensor *t = *g;
    if (!same_shape_meta(t, m)) {
        bool ok = !sparse_is(t) && t->ndim >= m->ndim;
        for (int d = 0; ok && d < m->ndim; d++) {
            int64_t gs = t->shape[t->ndim - m->ndim + d];
            ok = m->shape[d] == gs || m->shape[d] == 1;
        }
        if (!ok) {
            char got[256], want[256];
            tensor_shape_str(t->ndim, t->shape, got, sizeof got);
            tensor_shape_str(m->ndim, m->shape, want, sizeof want);
            return err_set(err, ERR_RUNTIME,
                           "Function %s returned an invalid gradient at index %d - got %s but "
                           "expected shape compatible with %s",
                           n->name, i, got, want);
        }
        Tensor *r = ag_sum_to(t, m->ndim, m->shape, err);
        if (!r) return err ? err->code : ERR_RUNTIME;
        tensor_release(t);
        *g = t = r;
    }
    if (t->dtype != m->dtype && !sparse_is(t)) {
        Tensor *r = tensor_to_dtype(t, m->dtype, err);
        if (!r) return err ? err->code : ERR_RUNTIME;
        tensor_release(t);
        *g = r;
    }
    return ERR_OK;
}

/* ---- AccumulateGrad ---- */

/* True when t's elements cover its storage range densely without overlap. */
static bool dense_non_overlapping(const Tensor *t) {
    int order[TENSOR_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < t->ndim; i++)
        if (t->shape[i] != 1) order[n++] = i;
    /* insertion sort by stride */
    for (int i = 1; i < n; i++) {
        int k = order[i], j = i;
        while (j > 0 && t->stride[order[j - 1]] > t->stride[k]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    int64_t expected = 1;
    for (int i = 0; i < n; i++) {
        if (t->stride[order[i]] != expected) return false;
        expected *= t->shape[order[i]];
    }
    return true;
}

/* utils::obeys_layout_contract(grad, variable). */
static bool obeys_layout(const Tensor *g, const Tensor *v) {
    if (dense_non_overlapping(v)) {
        for (int i = 0; i < g->ndim; i++) {
            if (g->shape[i] != 1) {
                if (g->stride[i] != v->stride[i]) return false;
            } else if (g->stride[i] == 0) {
                return false;
            }
        }
        return true;
    }
    return tensor_is_contiguous(g);
}

/* utils::clone_obey_contract(grad, variable). */
static Tensor *clone_obeying(const Tensor *g, const Tensor *v, Error *err) {
    Tensor *r = dense_non_overlapping(v) ? tensor_empty_like(v, g->dtype, err)
                                         : tensor_zeros(g->dtype, g->ndim, g->shape, err);
    if (r && tensor_copy_(r, g, err) != ERR_OK) {
        tensor_release(r);
        return NULL;
    }
    return r;
}

/* AccumulateGrad::accumulateGrad with grad mode off. Takes `g`. */
static int accumulate(GradNode *n, Tensor *g, Error *err) {
    Tensor *v = n->variable;
    if (!v->requires_grad) {
        tensor_release(g);
        return ERR_OK;
    }
    Tensor *cur = v->grad;
    if (!cur) {
        Tensor *keep = NULL;
        if (sparse_is(g)) {
            /* torch keeps a shallow copy when the values are contiguous, else a clone:
             * contiguous values either way. */
            keep = g->refcount == 1 ? tensor_retain(g) : sparse_clone(g, err);
            if (keep) sparse_set_values_contiguous(keep, true);
        } else if (g->refcount == 1 && obeys_layout(g, v)) {
            keep = tensor_retain(g);
        } else {
            keep = clone_obeying(g, v, err);
        }
        tensor_release(g);
        if (!keep) return err ? err->code : ERR_MEMORY;
        v->grad = keep;
        return ERR_OK;
    }
    int rc = ERR_OK;
    if (sparse_is(cur) && !sparse_is(g)) {
        Tensor *sum = sparse_dense_add(g, cur, 1.0, err);
        if (sum) {
            v->grad = sum;
            tensor_release(cur);
        } else {
            rc = err ? err->code : ERR_MEMORY;
        }
    } else if (sparse_is(cur)) {
        rc = sparse_add_(cur, g, 1.0, err);
    } else if (sparse_is(g)) {
        rc = sparse_dense_add_(cur, g, 1.0, err);
    } else {
        rc = tensor_binary_(BIN_ADD, cur, g, err);
    }
    tensor_release(g);
    return rc;
}

/* ---- retain_grad ---- */

int ag_retain_grad(Tensor *t, Error *err) {
    if (!t->requires_grad)
        return err_set(err, ERR_RUNTIME, "can't retain_grad on Tensor that has requires_grad=False");
    if (ag_is_leaf(t) || sparse_is(t)) return ERR_OK;
    t->grad_fn->retains_grad = true;
    return ERR_OK;
}

bool ag_retains_grad(const Tensor *t) {
    return !ag_is_leaf(t) && !sparse_is(t) && t->grad_fn->retains_grad;
}

Tensor *ag_retained_grad(const Tensor *t) {
    return ag_retains_grad(t) ? t->grad_fn->retained_grad : NULL;
}

void ag_set_retained_grad(Tensor *t, Tensor *g) {
    if (!ag_retains_grad(t)) return;
    tensor_retain(g);
    tensor_release(t->grad_fn->retained_grad);
    t->grad_fn->retained_grad = g;
}

/* The retain_grad hook: runs with the gradient of n's output before n's formula. */
static int retain(GradNode *n, Tensor *g, Error *err) {
    Tensor *kept;
    if (sparse_is(g) && !n->retained_grad) kept = sparse_clone(g, err);
    else if (!n->retained_grad) /* grad.clone(at::MemoryFormat::Contiguous): never an alias */
        kept = tensor_is_contiguous(g) ? tensor_clone(g, err) : tensor_contiguous(g, err);
    else kept = grad_sum(n->retained_grad, g, err);
    if (!kept) return err_is_set(err) ? err->code : ERR_MEMORY;
    tensor_release(n->retained_grad);
    n->retained_grad = kept;
    return ERR_OK;
}

/* ---- the engine ---- */

typedef struct Pass {
    GradNode **nodes; /* every node reached (for cleanup) */
    size_t len, cap;
} Pass;

static int pass_add(Pass *p, GradNode *n, Error *err) {
    if (p->len == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        GradNode **nodes = mem_realloc(p->nodes, cap * sizeof *nodes, err);
        if (!nodes) return ERR_MEMORY;
        p->nodes = nodes;
        p->cap = cap;
    }
    p->nodes[p->len++] = n;
    return ERR_OK;
}

/* Counts, for every node reachable from root, the edges that lead to it. */
static int compute_dependencies(AutogradCtx *ctx, GradNode *root, Pass *p, Error *err) {
    uint64_t epoch = ++ctx->epoch;
    root->epoch = epoch;
    root->deps = 0;
    root->buffer = NULL;
    if (pass_add(p, root, err) != ERR_OK) return ERR_MEMORY;
    for (size_t k = 0; k < p->len; k++) {
        GradNode *n = p->nodes[k];
        for (int i = 0; i < n->n_next; i++) {
            GradNode *c = n->next[i];
            if (!c) continue;
            if (c->epoch != epoch) {
                c->epoch = epoch;
                c->deps = 0;
                c->buffer = NULL;
                if (pass_add(p, c, err) != ERR_OK) return ERR_MEMORY;
            }
            c->deps++;
        }
    }
    return ERR_OK;
}

/* Runs one node: its formula on the summed gradient (or nothing when no gradient
 * arrived), then hands each input gradient to the next node. */
static int run_node(GradNode *n, Heap *ready, bool retain_graph, Error *err) {
    Tensor *g = n->buffer;
    n->buffer = NULL;
    if (n->kind == GRAD_KIND_ACCUMULATE) return g ? accumulate(n, g, err) : ERR_OK;
    Tensor *stack_grads[4] = {NULL, NULL, NULL, NULL};
    Tensor **grads = stack_grads;
    if (n->n_next > 4) {
        grads = mem_calloc((size_t)n->n_next, sizeof *grads, err);
        if (!grads) {
            tensor_release(g);
            return ERR_MEMORY;
        }
    }
    int rc = ERR_OK;
    if (g && n->retains_grad) rc = retain(n, g, err);
    if (g && rc == ERR_OK) {
        rc = n->apply(n, g, grads, err);
        if (rc == ERR_OK && err_is_set(err)) rc = err->code;
    }
    tensor_release(g);
    if (!retain_graph) ag_release_saved(n);
    for (int i = 0; i < n->n_next; i++) {
        GradNode *c = n->next[i];
        Tensor *gi = grads[i];
        grads[i] = NULL;
        if (!c || rc != ERR_OK) {
            tensor_release(gi);
            continue;
        }
        if (gi) rc = validate(n, i, &gi, err);
        if (gi && rc == ERR_OK) {
            if (c->buffer) {
                Tensor *sum = grad_sum(c->buffer, gi, err);
                tensor_release(gi);
                if (!sum) rc = err ? err->code : ERR_MEMORY;
                else {
                    tensor_release(c->buffer);
                    c->buffer = sum;
                }
            } else {
                c->buffer = gi;
            }
        } else {
            tensor_release(gi);
        }
        if (rc == ERR_OK && --c->deps == 0) rc = heap_push(ready, c, err);
    }
    if (grads != stack_grads) mem_free(grads);
    return rc;
}

int ag_backward(AutogradCtx *ctx, Tensor *root, Tensor *grad, bool retain_graph, Error *err) {
    Error scratch;
    if (!err) err = &scratch;
    err_clear(err);
    if (sparse_is(root))
        return err_set(err, ERR_RUNTIME, "element 0 of tensors does not require grad and does "
                                         "not have a grad_fn");
    Tensor *g = NULL;
    if (grad) {
        if (!tensor_same_shape(grad, root)) {
            StrBuf a = SB_INIT, b = SB_INIT;
            tensor_fmt_size(grad->ndim, grad->shape, &a);
            tensor_fmt_size(root->ndim, root->shape, &b);
            err_set(err, ERR_RUNTIME,
                    "Mismatch in shape: grad_output[0] has a shape of %s and output[0] has a "
                    "shape of %s.",
                    sb_str(&a), sb_str(&b));
            sb_free(&a);
            sb_free(&b);
            return ERR_RUNTIME;
        }
        g = tensor_retain(grad);
    } else if (root->requires_grad) {
        if (tensor_numel(root) != 1)
            return err_set(err, ERR_RUNTIME, "grad can be implicitly created only for scalar "
                                             "outputs");
        g = tensor_empty_like(root, root->dtype, err);
        if (!g || tensor_fill_(g, 1.0, err) != ERR_OK) {
            tensor_release(g);
            return ERR_MEMORY;
        }
    }
    if (!root->requires_grad) {
        tensor_release(g);
        return err_set(err, ERR_RUNTIME, "element 0 of tensors does not require grad and does "
                                         "not have a grad_fn");
    }
    GradNode *rootn = ag_gradient_edge(ctx, root, err);
    if (!rootn) {
        tensor_release(g);
        return err_is_set(err) ? err->code : ERR_RUNTIME;
    }
    if (g->dtype != root->dtype) {
        Tensor *c = tensor_to_dtype(g, root->dtype, err);
        tensor_release(g);
        if (!c) {
            grad_node_release(rootn);
            return ERR_MEMORY;
        }
        g = c;
    }
    bool mode = ctx->grad_enabled;
    ctx->grad_enabled = false; /* the engine runs without recording (no create_graph) */
    Pass pass = {NULL, 0, 0};
    Heap ready = {NULL, 0, 0};
    int rc = compute_dependencies(ctx, rootn, &pass, err);
    if (rc == ERR_OK) {
        rootn->buffer = g;
        g = NULL;
        rc = heap_push(&ready, rootn, err);
    }
    while (rc == ERR_OK && ready.len) {
        GradNode *n = heap_pop(&ready);
        rc = run_node(n, &ready, retain_graph, err);
    }
    /* Gradients that arrived at nodes never run (after an error) are dropped. */
    for (size_t i = 0; i < pass.len; i++) {
        tensor_release(pass.nodes[i]->buffer);
        pass.nodes[i]->buffer = NULL;
    }
    tensor_release(g);
    mem_free(pass.nodes);
    mem_free(ready.items);
    ctx->grad_enabled = mode;
    grad_node_release(rootn);
    return rc;
}
