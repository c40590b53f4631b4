/*
 * src/core/autograd_nn.c — embedding, embedding_bag, softmax, log_softmax,
 * cosine_similarity, normalize, dropout and the losses, with torch 1.13's node chains and
 * gradient kernels. See autograd.h. See LICENSE (GPL-3.0-or-later).
 */
#include <math.h>
#include <string.h>

#include "core/autograd_impl.h"
#include "core/embedding.h"
#include "core/kernels_f32.h"
#include "core/loss.h"
#include "core/mem.h"
#include "core/nn_functional.h"
#include "core/rng.h"
#include "core/sparse.h"

#define SAVED(n, slot)                                      \
    Tensor *saved_##slot = ag_saved((n), (slot), err);      \
    if (!saved_##slot) return err->code;

static double rnd(double v, bool f32) { return f32 ? (double)(float)v : v; }

/* ---- embedding ---- */

/* embedding_sparse_backward: the rows of grad as values, the indices as a [1, n] index
 * list; entries of padding_idx dropped. */
static Tensor *embedding_sparse_grad(const Tensor *g, const Tensor *indices, int64_t num_weights,
                                     int64_t pad, bool values_contiguous, Error *err) {
    int64_t d = g->ndim ? g->shape[g->ndim - 1] : 1, n = tensor_numel(indices), keep = 0;
    for (int64_t i = 0; i < n; i++) keep += tensor_get_int(indices, i) != pad;
    int64_t ishape[2] = {1, keep}, vshape[2] = {keep, d};
    Tensor *idx = tensor_zeros(DTYPE_INT64, 2, ishape, err);
    Tensor *gc = idx ? tensor_contiguous(g, err) : NULL;
    /* Every row kept and gc a fresh copy (g itself was not contiguous, as the expanded
     * gradient of sum()): the values are gc, viewed [n, d] (torch's reshape copies once
     * too). Otherwise a fresh [keep, d] tensor of the kept rows. */
    bool alias = gc && keep == n && gc != g;
    Tensor *vals = !gc ? NULL : alias ? tensor_view(gc, 2, vshape, err)
                                      : tensor_zeros(g->dtype, 2, vshape, err);
    if (!vals) {
        tensor_release(idx);
        tensor_release(gc);
        return NULL;
    }
    int64_t k = 0;
    size_t es = dtype_size(g->dtype); /* vals: contiguous, g's dtype, as gc */
    char *vp = (char *)vals->storage->data + (size_t)vals->offset * es;
    const char *gp = (const char *)gc->storage->data + (size_t)gc->offset * es;
    for (int64_t i = 0; i < n; i++) {
        int64_t row = tensor_get_int(indices, i);
        if (row == pad) continue;
        tensor_store_int(idx, k, row);
        if (!alias) memcpy(vp + (size_t)(k * d) * es, gp + (size_t)(i * d) * es, (size_t)d * es);
        k++;
    }
    int64_t wshape[2] = {num_weights, d};
    Tensor *r = sparse_coo_new(idx, vals, 2, wshape, false, err);
    if (r) sparse_set_values_contiguous(r, values_contiguous);
    tensor_release(idx);
    tensor_release(vals);
    tensor_release(gc);
    return r;
}

/* embedding_dense_backward_cpu: grad_weight[k] += scale * grad[i] in index order with
 * the fused add kernel; scale = 1 / count(k) with scale_grad_by_freq. */
static Tensor *embedding_dense_grad(const Tensor *g, const Tensor *indices, int64_t num_weights,
                                    int64_t pad, bool sgf, Error *err) {
    int64_t d = g->ndim ? g->shape[g->ndim - 1] : 1, n = tensor_numel(indices);
    int64_t shape[2] = {num_weights, d};
    Tensor *gw = tensor_zeros(g->dtype, 2, shape, err);
    Tensor *gc = gw ? tensor_contiguous(g, err) : NULL;
    int64_t *counts = gc && sgf ? mem_calloc((size_t)(num_weights > 0 ? num_weights : 1), sizeof *counts, err) : NULL;
    if (!gc || (sgf && !counts)) {
        tensor_release(gw);
        tensor_release(gc);
        return NULL;
    }
    for (int64_t i = 0; sgf && i < n; i++) counts[tensor_get_int(indices, i)]++;
    bool f32 = g->dtype == DTYPE_FLOAT32;
    const float *gf = (const float *)gc->storage->data + gc->offset;
    const double *gd = (const double *)gc->storage->data + gc->offset;
    float *wf = (float *)gw->storage->data;
    double *wd = (double *)gw->storage->data;
    for (int64_t i = 0; i < n; i++) {
        int64_t k = tensor_get_int(indices, i);
        if (k == pad) continue;
        double scale = 1.0;
        if (sgf) scale /= (double)counts[k];
        if (f32) {
            float s = (float)scale;
            kf32_axpy_fused(d, s, gf + i * d, wf + k * d);
        } else {
            for (int64_t j = 0; j < d; j++) wd[k * d + j] = fma(gd[i * d + j], scale, wd[k * d + j]);
        }
    }
    mem_free(counts);
    tensor_release(gc);
    return gw;
}

/* Whether torch's sparse gradient values, `grad.reshape({-1, d})` (after `grad.index(mask)`
 * when a padding_idx is set), are contiguous: a view of a non-contiguous gradient (the
 * expanded gradient of sum(), say) is not. Sparse additions depend on it (sparse.h). */
static bool torch_values_contiguous(const Tensor *g, int64_t pad) {
    if (pad != -1 || tensor_is_contiguous(g)) return true;
    int64_t shape[2] = {-1, g->ndim ? g->shape[g->ndim - 1] : 1};
    Tensor *v = tensor_view(g, 2, shape, NULL);
    bool contiguous = !v || tensor_is_contiguous(v); /* no view: reshape copies */
    tensor_release(v);
    return contiguous;
}

static int embedding_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* weight: only its version is checked, as torch saves it */
    SAVED(n, 1); /* indices */
    (void)saved_0;
    int64_t num = n->args.i[0], pad = n->args.i[1];
    bool sgf = n->args.b[0], sparse = n->args.b[1];
    if (sparse) {
        if (sgf)
            return err_set(err, ERR_RUNTIME, "embedding_backward: scale_grad_by_freq not supported "
                                             "with sparse gradients");
        gi[0] = embedding_sparse_grad(g, saved_1, num, pad, torch_values_contiguous(g, pad), err);
    } else {
        gi[0] = embedding_dense_grad(g, saved_1, num, pad, sgf, err);
    }
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_embedding(AutogradCtx *ctx, Tensor *weight, Tensor *indices, bool has_pad,
                     int64_t pad, bool has_max_norm, double max_norm, double norm_type,
                     bool scale_grad_by_freq, bool sparse, Error *err) {
    bool mode = ctx->grad_enabled;
    ctx->grad_enabled = false; /* the max_norm renorm writes the weight under no_grad */
    Tensor *r = emb_forward(weight, indices, has_pad, pad, has_max_norm, max_norm, norm_type, err);
    ctx->grad_enabled = mode;
    GradNode *n;
    if (ag_record1(ctx, "EmbeddingBackward0", embedding_bw, weight, &r, &n, err)) return NULL;
    if (!n) return r;
    int64_t p = -1;
    if (has_pad && emb_check_padding_idx(weight->shape[0], pad, &p, err) != ERR_OK)
        return ag_fail(r, n);
    n->args.i[0] = weight->shape[0];
    n->args.i[1] = has_pad ? p : -1;
    n->args.b[0] = scale_grad_by_freq;
    n->args.b[1] = sparse;
    if (ag_save(n, 0, weight, err) != ERR_OK || ag_save(n, 1, indices, err) != ERR_OK)
        return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- embedding_bag ---- */

/* slots: 0 weight, 1 flattened indices, 2 offset2bag, 3 bag_size, 4 max_indices,
 * 5 per_sample_weights; args: i[0] num_weights, i[1] mode, i[2] padding (-1 none),
 * b[0] scale_grad_by_freq, b[1] sparse, b[2] per_sample_weights given. */

/* _embedding_bag_dense_backward_cpu_sum_mean: the indices sorted with torch's sort, each
 * row's contributions axpy'd (unfused) in that order. Reproduces torch 1.13's use of
 * counts[indices_data[i]] (the i-th sorted index, not the row's) with scale_grad_by_freq. */
static Tensor *bag_dense_sum_mean(const Tensor *gc, const Tensor *indices, const Tensor *o2b,
                                  const Tensor *bag_size, const Tensor *psw, int64_t num,
                                  int64_t mode, int64_t pad, bool sgf, Error *err) {
    int64_t d = gc->shape[1], n = tensor_numel(indices);
    int64_t shape[2] = {num, d};
    Tensor *gw = tensor_zeros(gc->dtype, 2, shape, err);
    Tensor *sorted = NULL, *perm = NULL;
    int64_t *counts = NULL, *uniq = NULL;
    if (!gw) return NULL;
    if (n > 0 && tensor_sort(indices, 0, false, &sorted, &perm, err) != ERR_OK) goto fail;
    counts = mem_calloc((size_t)(num > 0 ? num : 1), sizeof *counts, err);
    uniq = counts ? mem_calloc((size_t)(n > 0 ? n : 1), sizeof *uniq, err) : NULL;
    if (!uniq) goto fail;
    for (int64_t i = 0; i < n; i++) counts[tensor_get_int(sorted, i)]++;
    int64_t groups = 0;
    for (int64_t i = 0; i < n; i += counts[tensor_get_int(sorted, i)]) {
        uniq[groups] = counts[tensor_get_int(sorted, i)] + (groups ? uniq[groups - 1] : 0);
        groups++;
    }
    bool f32 = gc->dtype == DTYPE_FLOAT32;
    for (int64_t i = 0; i < groups; i++) {
        int64_t start = i == 0 ? 0 : uniq[i - 1];
        int64_t index = tensor_get_int(sorted, start);
        if (index == pad) continue;
        for (int64_t j = start; j < uniq[i]; j++) {
            int64_t pos = tensor_get_int(perm, j);
            int64_t source = tensor_get_int(o2b, pos);
            double scale = 1.0;
            if (psw) scale = tensor_get(psw, pos);
            if (sgf) scale /= (double)counts[tensor_get_int(sorted, i)];
            if (mode == BAG_MEAN) {
                int64_t bs = tensor_get_int(bag_size, source);
                if (bs != 0) scale /= (double)bs;
            }
            if (source < 0 || source >= gc->shape[0]) continue; /* in no bag */
            double a = rnd(scale, f32);
            /* gw: fresh and contiguous; gc: contiguous (both of gc's dtype) */
            if (f32) {
                float *wp = (float *)gw->storage->data + index * d, af = (float)a;
                const float *xp = (const float *)gc->storage->data + gc->offset + source * d;
                kf32_axpy_fused(d, af, xp, wp);
            } else {
                double *wp = (double *)gw->storage->data + index * d;
                const double *xp = (const double *)gc->storage->data + gc->offset + source * d;
                for (int64_t e = 0; e < d; e++) wp[e] = fma(a, xp[e], wp[e]);
            }
        }
    }
    mem_free(counts);
    mem_free(uniq);
    tensor_release(sorted);
    tensor_release(perm);
    return gw;
fail:
    mem_free(counts);
    mem_free(uniq);
    tensor_release(sorted);
    tensor_release(perm);
    tensor_release(gw);
    return NULL;
}

/* _embedding_bag_dense_backward_cpu_max: column by column, index_add_ of the non-empty
 * bags' gradients at their max indices. */
static Tensor *bag_dense_max(const Tensor *gc, const Tensor *bag_size, const Tensor *maxi,
                             int64_t num, Error *err) {
    int64_t d = gc->shape[1], bags = gc->shape[0];
    int64_t shape[2] = {num, d};
    Tensor *gw = tensor_zeros(gc->dtype, 2, shape, err);
    if (!gw) return NULL;
    bool f32 = gc->dtype == DTYPE_FLOAT32;
    for (int64_t e = 0; e < d; e++)
        for (int64_t b = 0; b < bags; b++) {
            if (tensor_get_int(bag_size, b) == 0) continue;
            int64_t k = tensor_get_int(maxi, b * d + e);
            double y = tensor_get(gw, k * d + e), x = tensor_get(gc, b * d + e);
            tensor_set(gw, k * d + e, rnd(y + x, f32));
        }
    return gw;
}

/* _embedding_bag_sparse_backward: per-entry rows of grad (scaled for mean and
 * per_sample_weights), then embedding's sparse backward. */
static Tensor *bag_sparse(const Tensor *gc, const Tensor *indices, const Tensor *o2b,
                          const Tensor *bag_size, const Tensor *psw, int64_t num, int64_t mode,
                          int64_t pad, bool sgf, Error *err) {
    int64_t d = gc->shape[1], n = tensor_numel(indices);
    int64_t shape[2] = {n, d};
    Tensor *rows = tensor_zeros(gc->dtype, 2, shape, err);
    if (!rows) return NULL;
    bool f32 = gc->dtype == DTYPE_FLOAT32;
    for (int64_t i = 0; i < n; i++) {
        int64_t b = tensor_get_int(o2b, i);
        if (b < 0 || b >= gc->shape[0]) continue;
        double inv = 1.0;
        if (mode == BAG_MEAN) inv = rnd(1.0 / rnd((double)tensor_get_int(bag_size, b), f32), f32);
        for (int64_t e = 0; e < d; e++) {
            double v = tensor_get(gc, b * d + e);
            if (mode == BAG_MEAN) v = rnd(v * inv, f32);
            if (psw) v = rnd(v * tensor_get(psw, i), f32);
            tensor_set(rows, i * d + e, v);
        }
    }
    Tensor *r = NULL;
    if (sgf) err_set(err, ERR_RUNTIME, "embedding_backward: scale_grad_by_freq not supported with "
                                       "sparse gradients");
    else r = embedding_sparse_grad(rows, indices, num, pad, true, err); /* index_select rows */
    tensor_release(rows);
    return r;
}

static int bag_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 1);
    SAVED(n, 2);
    SAVED(n, 3);
    int64_t num = n->args.i[0], mode = n->args.i[1], pad = n->args.i[2];
    bool sgf = n->args.b[0], sparse = n->args.b[1];
    Tensor *psw = NULL;
    if (n->args.b[2]) {
        psw = ag_saved(n, 5, err);
        if (!psw) return err->code;
    }
    Tensor *gc = tensor_contiguous(g, err);
    if (!gc) return err->code;
    int rc = ERR_OK;
    if (ag_needs(n, 0)) {
        SAVED(n, 0); /* version check, as torch */
        (void)saved_0;
        if (sparse)
            gi[0] = bag_sparse(gc, saved_1, saved_2, saved_3, psw, num, mode, pad, sgf, err);
        else if (mode == BAG_MAX) {
            Tensor *maxi = ag_saved(n, 4, err);
            gi[0] = maxi ? bag_dense_max(gc, saved_3, maxi, num, err) : NULL;
        } else {
            gi[0] = bag_dense_sum_mean(gc, saved_1, saved_2, saved_3, psw, num, mode, pad, sgf, err);
        }
        if (!gi[0]) rc = err->code;
    }
    if (rc == ERR_OK && ag_needs(n, 1)) {
        /* _embedding_bag_per_sample_weights_backward: dot(grad[bag], weight[index]) */
        Tensor *w = ag_saved(n, 0, err);
        int64_t cnt = tensor_numel(saved_1), d = gc->shape[1];
        Tensor *out = w ? tensor_zeros(gc->dtype, 1, &cnt, err) : NULL;
        bool f32 = gc->dtype == DTYPE_FLOAT32;
        for (int64_t s = 0; out && s < cnt; s++) {
            int64_t b = tensor_get_int(saved_2, s), e = tensor_get_int(saved_1, s);
            if (e == pad || b < 0 || b >= gc->shape[0]) continue;
            double acc = 0;
            for (int64_t j = 0; j < d; j++) {
                double prod = rnd(tensor_get(gc, b * d + j) * tensor_load(w, w->offset + e * w->stride[0] + j * w->stride[1]), f32);
                acc = rnd(acc + prod, f32);
            }
            tensor_set(out, s, acc);
        }
        if (out && psw && !tensor_same_shape(out, psw)) {
            Tensor *v = tensor_view(out, psw->ndim, psw->shape, err);
            tensor_release(out);
            out = v;
        }
        gi[1] = out;
        if (!out) rc = err->code;
    }
    tensor_release(gc);
    return rc;
}

Tensor *ag_embedding_bag(AutogradCtx *ctx, Tensor *weight, Tensor *input, const BagOptions *opt,
                         Error *err) {
    BagAux aux;
    memset(&aux, 0, sizeof aux);
    Tensor *psw = (Tensor *)opt->per_sample_weights;
    Tensor *ins[2] = {weight, psw};
    bool record = ag_any_requires(ctx, ins, 2) && dtype_is_floating(weight->dtype);
    bool mode_on = ctx->grad_enabled;
    ctx->grad_enabled = false; /* the max_norm renorm writes the weight under no_grad */
    Tensor *r = bag_forward(weight, input, opt, record ? &aux : NULL, err);
    ctx->grad_enabled = mode_on;
    if (!r || !record) return r;
    GradNode *n = ag_node_new(ctx, "EmbeddingBagBackward0", bag_bw, ins, 2, err);
    if (!n) {
        bag_aux_release(&aux);
        return ag_fail(r, NULL);
    }
    BagMode mode = BAG_MEAN;
    bag_mode_parse(opt->mode, &mode, NULL);
    int64_t pad = -1;
    if (opt->has_padding_idx) {
        pad = opt->padding_idx < 0 ? opt->padding_idx + weight->shape[0] : opt->padding_idx;
    }
    n->args.i[0] = weight->shape[0];
    n->args.i[1] = mode;
    n->args.i[2] = pad;
    n->args.b[0] = opt->scale_grad_by_freq;
    n->args.b[1] = opt->sparse;
    n->args.b[2] = psw != NULL;
    int64_t len = tensor_numel(input);
    Tensor *flat = tensor_reshape(input, 1, &len, err);
    Tensor *flatc = flat ? tensor_contiguous(flat, err) : NULL;
    int rc = flatc ? ERR_OK : ERR_MEMORY;
    if (rc == ERR_OK) rc = ag_save(n, 0, weight, err);
    if (rc == ERR_OK) rc = ag_save(n, 1, flatc, err);
    if (rc == ERR_OK) rc = ag_save(n, 2, aux.offset2bag, err);
    if (rc == ERR_OK) rc = ag_save(n, 3, aux.bag_size, err);
    if (rc == ERR_OK && aux.max_indices) rc = ag_save(n, 4, aux.max_indices, err);
    if (rc == ERR_OK && psw) {
        Tensor *pf = tensor_reshape(psw, 1, &len, err);
        rc = pf ? ag_save(n, 5, pf, err) : ERR_MEMORY;
        tensor_release(pf);
    }
    tensor_release(flat);
    tensor_release(flatc);
    bag_aux_release(&aux);
    if (rc != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- softmax / log_softmax ---- */

/* Lane-wise vector reductions of ATen (8 floats or 4 doubles per vector): see
 * nn_functional.c. */
static double lane_add(double a, double b, bool f32) { return f32 ? (double)((float)a + (float)b) : a + b; }

static double fold8(const double *acc, int lanes, bool f32) {
    if (lanes == 8) {
        double w0 = lane_add(acc[0], acc[4], f32), w1 = lane_add(acc[1], acc[5], f32);
        double w2 = lane_add(acc[2], acc[6], f32), w3 = lane_add(acc[3], acc[7], f32);
        return lane_add(lane_add(w0, w2, f32), lane_add(w1, w3, f32), f32);
    }
    double r = acc[0];
    for (int k = 1; k < lanes; k++) r = lane_add(r, acc[k], f32);
    return r;
}

/* vec::reduce_all(+, vals) / map2_reduce_all(x*y, +, a, b) (b NULL: plain sum). */
static double vec_sum(const double *a, const double *b, int64_t n, bool f32) {
    int lanes = f32 ? 8 : 4;
#define MAP(i) (b ? rnd(a[i] * b[i], f32) : a[i])
    if (n < lanes) {
        double r = MAP(0);
        for (int64_t i = 1; i < n; i++) r = lane_add(r, MAP(i), f32);
        return r;
    }
    double acc[8];
    for (int k = 0; k < lanes; k++) acc[k] = MAP(k);
    int64_t d = lanes, full = n - n % lanes;
    /* acc + x * y: GCC contracts the map and the reduce into one fma in torch's AVX2 build */
#define ACC(k, i) (b ? (f32 ? (double)fmaf((float)a[i], (float)b[i], (float)acc[k]) : fma(a[i], b[i], acc[k])) \
                     : lane_add(acc[k], a[i], f32))
    for (; d < full; d += lanes)
        for (int k = 0; k < lanes; k++) acc[k] = ACC(k, d + k);
    for (int k = 0; d + k < n; k++) acc[k] = ACC(k, d + k);
#undef ACC
#undef MAP
    return fold8(acc, lanes, f32);
}

static double vexp(double x, bool f32) { return f32 ? (double)nnf_sleef_expf((float)x) : exp(x); }

static int softmax_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0); /* output */
    bool log = n->args.b[0], f32 = g->dtype == DTYPE_FLOAT32;
    int nd = saved_0->ndim ? saved_0->ndim : 1;
    int d = (int)n->args.i[0];
    Tensor *gc = tensor_contiguous(g, err);
    Tensor *oc = gc ? tensor_contiguous(saved_0, err) : NULL;
    Tensor *out = oc ? tensor_zeros(g->dtype, g->ndim, g->shape, err) : NULL;
    int64_t size = saved_0->ndim ? saved_0->shape[d] : 1, inner = 1, outer = 1;
    for (int i = d + 1; i < saved_0->ndim; i++) inner *= saved_0->shape[i];
    for (int i = 0; i < d; i++) outer *= saved_0->shape[i];
    double *buf = out ? mem_alloc((size_t)(2 * (size > 0 ? size : 1)) * sizeof *buf, err) : NULL;
    if (!buf) {
        tensor_release(gc);
        tensor_release(oc);
        tensor_release(out);
        return err->code;
    }
    double *gx = buf, *ox = buf + size;
    bool lastdim = d == nd - 1;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t c = 0; c < inner; c++) {
            int64_t base = o * size * inner + c;
            for (int64_t k = 0; k < size; k++) {
                gx[k] = tensor_get(gc, base + k * inner);
                ox[k] = tensor_get(oc, base + k * inner);
            }
            if (lastdim) {
                double sum = vec_sum(gx, log ? NULL : ox, size, f32);
                for (int64_t k = 0; k < size; k++) {
                    /* GCC fused x - exp(y) * sum into one fma in torch's AVX2 build */
                    double r = log ? (f32 ? (double)fmaf(-(float)vexp(ox[k], f32), (float)sum, (float)gx[k])
                                          : fma(-vexp(ox[k], f32), sum, gx[k]))
                                   : rnd(rnd(gx[k] - sum, f32) * ox[k], f32);
                    tensor_set(out, base + k * inner, r);
                }
            } else {
                /* _vec_softmax_backward: each column summed in order in the dtype; columns
                 * filling whole vectors take SLEEF's exp, the tail libm's */
                bool vec = c < inner - inner % (f32 ? 8 : 4);
                double sum = 0;
                for (int64_t k = 0; k < size; k++) {
                    if (log) sum = rnd(sum + gx[k], f32);
                    else /* sum + grad * output, contracted to an fma (vector and tail) */
                        sum = f32 ? (double)fmaf((float)gx[k], (float)ox[k], (float)sum) : fma(gx[k], ox[k], sum);
                }
                for (int64_t k = 0; k < size; k++) {
                    double r;
                    if (log) {
                        double e = vec ? vexp(ox[k], f32) : (f32 ? (double)expf((float)ox[k]) : exp(ox[k]));
                        r = f32 ? (double)fmaf(-(float)e, (float)sum, (float)gx[k]) : fma(-e, sum, gx[k]);
                    } else {
                        r = rnd(rnd(gx[k] - sum, f32) * ox[k], f32);
                    }
                    tensor_set(out, base + k * inner, r);
                }
            }
        }
    mem_free(buf);
    tensor_release(gc);
    tensor_release(oc);
    gi[0] = out;
    return ERR_OK;
}

Tensor *ag_softmax(AutogradCtx *ctx, Tensor *t, int64_t dim, bool log, Error *err) {
    Tensor *r = log ? nnf_log_softmax(t, dim, err) : nnf_softmax(t, dim, err);
    GradNode *n;
    if (ag_record1(ctx, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", softmax_bw, t, &r, &n, err))
        return NULL;
    if (!n) return r;
    int d = 0;
    if (t->ndim) tensor_wrap_dim(dim, t->ndim, &d, NULL);
    n->args.i[0] = d;
    n->args.b[0] = log;
    if (ag_save_output(n, 0, r, err) != ERR_OK) return ag_fail(r, n);
    ag_attach(n, r);
    return r;
}

/* ---- cosine_similarity, normalize, dropout: compositions of recorded ops ---- */

/* sqrt(clamp_min(sum(x^2, dim, keepdim), eps^2)) with the clamp done in place under
 * no_grad, as torch 1.13.1. */
static Tensor *cos_norm(AutogradCtx *ctx, Tensor *x, const DimList *dl, double eps, Error *err) {
    Tensor *sq = ag_unary(ctx, UN_SQUARE, x, err);
    Tensor *s = sq ? ag_sum(ctx, sq, dl, true, err) : NULL;
    tensor_release(sq);
    if (!s) return NULL;
    if (tensor_clamp_(s, true, eps * eps, false, 0.0, err) != ERR_OK) {
        tensor_release(s);
        return NULL;
    }
    Tensor *r = ag_unary(ctx, UN_SQRT, s, err);
    tensor_release(s);
    return r;
}

Tensor *ag_cosine_similarity(AutogradCtx *ctx, Tensor *x1, Tensor *x2, int64_t dim, double eps,
                             Error *err) {
    Tensor *ins[2] = {x1, x2};
    if (!ag_any_requires(ctx, ins, 2)) return nnf_cosine_similarity(x1, x2, dim, eps, err);
    /* validation and errors exactly as the plain op */
    Tensor *probe = nnf_cosine_similarity(x1, x2, dim, eps, err);
    if (!probe) return NULL;
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    tensor_broadcast_shapes(x1->ndim, x1->shape, x2->ndim, x2->shape, &nd, shape, NULL);
    DType common = probe->dtype;
    tensor_release(probe);
    DimList dl = {1, {dim}};
    Tensor *a = ag_to_dtype(ctx, x1, common, err);
    Tensor *b = a ? ag_to_dtype(ctx, x2, common, err) : NULL;
    Tensor *ae = b ? ag_expand(ctx, a, nd, shape, err) : NULL;
    Tensor *be = ae ? ag_expand(ctx, b, nd, shape, err) : NULL;
    Tensor *n1 = be ? cos_norm(ctx, ae, &dl, eps, err) : NULL;
    Tensor *n2 = n1 ? cos_norm(ctx, be, &dl, eps, err) : NULL;
    Tensor *q1 = n2 ? ag_binary(ctx, BIN_DIV, ae, n1, err) : NULL;
    Tensor *q2 = q1 ? ag_binary(ctx, BIN_DIV, be, n2, err) : NULL;
    Tensor *p = q2 ? ag_binary(ctx, BIN_MUL, q1, q2, err) : NULL;
    Tensor *out = p ? ag_sum(ctx, p, &dl, false, err) : NULL;
    Tensor *all[] = {a, b, ae, be, n1, n2, q1, q2, p};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_release(all[i]);
    return out;
}

Tensor *ag_normalize(AutogradCtx *ctx, Tensor *t, double p, int64_t dim, double eps, Error *err) {
    if (!ag_any_requires(ctx, &t, 1)) return nnf_normalize(t, p, dim, eps, err);
    if (!dtype_is_floating(t->dtype)) return nnf_normalize(t, p, dim, eps, err);
    DimList dl = {1, {dim}};
    Tensor *norm = ag_norm(ctx, t, p, &dl, true, err);
    Tensor *den = norm ? ag_clamp_min(ctx, norm, eps, err) : NULL;
    Tensor *ex = den ? ag_expand(ctx, den, t->ndim, t->shape, err) : NULL;
    Tensor *out = ex ? ag_binary(ctx, BIN_DIV, t, ex, err) : NULL;
    tensor_release(norm);
    tensor_release(den);
    tensor_release(ex);
    return out;
}

Tensor *ag_dropout(AutogradCtx *ctx, Tensor *t, double p, const char *p_text, bool training,
                   Generator *g, Error *err) {
    if (!ag_any_requires(ctx, &t, 1) || p < 0.0 || p > 1.0 || isnan(p) || !training || p == 0.0 ||
        tensor_numel(t) == 0)
        return nnf_dropout(t, p, p_text, training, g, err);
    Tensor *noise;
    if (p == 1.0) {
        noise = tensor_scalar(t->dtype, 0.0, err);
    } else {
        /* as nnf_dropout: bernoulli_(1 - p) noise divided by 1 - p, then input * noise */
        noise = tensor_zeros(t->dtype, t->ndim, t->shape, err);
        if (noise && rng_bernoulli_(g, noise, 1 - p, err) != ERR_OK) {
            tensor_release(noise);
            return NULL;
        }
        Tensor *scale = noise ? tensor_wrap_number(DTYPE_FLOAT64, 1 - p, err) : NULL;
        int rc = scale ? tensor_binary_(BIN_DIV, noise, scale, err) : ERR_MEMORY;
        tensor_release(scale);
        if (rc != ERR_OK) {
            tensor_release(noise);
            return NULL;
        }
    }
    if (!noise) return NULL;
    Tensor *r = ag_binary(ctx, BIN_MUL, t, noise, err);
    tensor_release(noise);
    return r;
}

/* ---- losses ---- */

/* slots: 0 self, 1 target, 2 weight, 3 total_weight; args i[0] reduction, i[1] ignore */
static int nll_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    SAVED(n, 1);
    SAVED(n, 3);
    Tensor *w = NULL;
    if (n->args.b[0] && !(w = ag_saved(n, 2, err))) return err->code;
    gi[0] = loss_nll_backward(g, saved_0, saved_1, w, (LossReduction)n->args.i[0], n->args.i[1],
                              saved_3, err);
    return gi[0] ? ERR_OK : err->code;
}

Tensor *ag_nll_loss(AutogradCtx *ctx, Tensor *input, Tensor *target, Tensor *weight,
                    int reduction, int64_t ignore_index, Error *err) {
    Tensor *out = NULL, *total = NULL;
    if (loss_nll_forward(input, target, weight, (LossReduction)reduction, ignore_index, &out,
                         &total, err) != ERR_OK)
        return NULL;
    GradNode *n;
    if (ag_record1(ctx, "NllLossBackward0", nll_bw, input, &out, &n, err)) {
        tensor_release(total);
        return NULL;
    }
    if (!n) {
        tensor_release(total);
        return out;
    }
    n->args.i[0] = reduction;
    n->args.i[1] = ignore_index;
    n->args.b[0] = weight != NULL;
    int rc = ag_save(n, 0, input, err);
    if (rc == ERR_OK) rc = ag_save(n, 1, target, err);
    if (rc == ERR_OK && weight) rc = ag_save(n, 2, weight, err);
    if (rc == ERR_OK) rc = ag_save(n, 3, total, err);
    tensor_release(total);
    if (rc != ERR_OK) return ag_fail(out, n);
    ag_attach(n, out);
    return out;
}

/* C++-internal tensor / scalar (DivBackward1) and scalar * tensor (MulBackward1). */
static int scalar_op_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    gi[0] = ag_bin_s(n->args.b[0] ? BIN_DIV : BIN_MUL, g, n->args.d[0], err);
    return gi[0] ? ERR_OK : err->code;
}

static Tensor *scalar_op(AutogradCtx *ctx, Tensor *t, double s, bool div, Error *err) {
    Tensor *r = ag_bin_s(div ? BIN_DIV : BIN_MUL, t, s, err);
    GradNode *n;
    if (ag_record1(ctx, div ? "DivBackward1" : "MulBackward1", scalar_op_bw, t, &r, &n, err))
        return NULL;
    if (n) {
        n->args.d[0] = s;
        n->args.b[0] = div;
        ag_attach(n, r);
    }
    return r;
}

/* cross_entropy with class probabilities as targets: -(log_softmax * target).sum() / N */
static Tensor *ce_probs(AutogradCtx *ctx, Tensor *input, Tensor *target, Tensor *weight,
                        int reduction, double ls, Error *err) {
    int cdim = input->ndim == 1 ? 0 : 1;
    int64_t classes = input->shape[cdim];
    if (!dtype_is_floating(target->dtype)) {
        err_set(err, ERR_RUNTIME, "Expected floating point type for target with class "
                                  "probabilities, got %s",
                dtype_scalar_name(target->dtype));
        return NULL;
    }
    Tensor *lsm = ag_softmax(ctx, input, cdim, true, err);
    Tensor *tgt = NULL;
    if (lsm && ls > 0.0) {
        Tensor *a = scalar_op(ctx, target, 1 - ls, false, err);
        Tensor *s = a ? ag_scalar(ls / (double)classes, err) : NULL;
        tgt = s ? ag_binary(ctx, BIN_ADD, a, s, err) : NULL;
        tensor_release(a);
        tensor_release(s);
    } else if (lsm) {
        tgt = tensor_retain(target);
    }
    Tensor *prod = tgt ? ag_binary(ctx, BIN_MUL, lsm, tgt, err) : NULL;
    if (prod && weight) {
        int64_t ws[TENSOR_MAX_DIMS];
        for (int i = 0; i < input->ndim; i++) ws[i] = 1;
        ws[cdim] = weight->shape[0];
        Tensor *wv = input->ndim > 1 ? ag_view(ctx, weight, input->ndim, ws, err) : tensor_retain(weight);
        Tensor *pw = wv ? ag_binary(ctx, BIN_MUL, prod, wv, err) : NULL;
        tensor_release(wv);
        tensor_release(prod);
        prod = pw;
    }
    Tensor *out = NULL;
    if (prod) {
        DimList cd = {1, {cdim}};
        Tensor *s = ag_sum(ctx, prod, reduction == LOSS_NONE ? &cd : NULL, false, err);
        Tensor *neg = s ? ag_unary(ctx, UN_NEG, s, err) : NULL;
        if (neg && reduction == LOSS_MEAN) {
            int64_t cnt = tensor_numel(input) / (classes ? classes : 1);
            out = scalar_op(ctx, neg, (double)cnt, true, err);
            tensor_release(neg);
        } else {
            out = neg;
        }
        tensor_release(s);
    }
    tensor_release(lsm);
    tensor_release(tgt);
    tensor_release(prod);
    return out;
}

/* cross_entropy with label smoothing and class indices */
static Tensor *ce_smooth(AutogradCtx *ctx, Tensor *input, Tensor *target, Tensor *weight,
                         int reduction, int64_t ignore, double ls, Error *err) {
    int cdim = input->ndim == 1 ? 0 : 1;
    int64_t classes = input->shape[cdim];
    Tensor *lsm = ag_softmax(ctx, input, cdim, true, err);
    Tensor *nll = lsm ? ag_nll_loss(ctx, lsm, target, weight, reduction, ignore, err) : NULL;
    DimList cd = {1, {cdim}};
    Tensor *base = NULL;
    if (nll && weight) {
        int64_t ws[TENSOR_MAX_DIMS];
        for (int i = 0; i < input->ndim; i++) ws[i] = 1;
        ws[cdim] = weight->shape[0];
        Tensor *wv = ag_view(ctx, weight, input->ndim, ws, err);
        base = wv ? ag_binary(ctx, BIN_MUL, lsm, wv, err) : NULL;
        tensor_release(wv);
    } else if (nll) {
        base = tensor_retain(lsm);
    }
    Tensor *s = base ? ag_sum(ctx, base, &cd, false, err) : NULL;
    Tensor *smooth = s ? ag_unary(ctx, UN_NEG, s, err) : NULL;
    /* smooth_loss.masked_fill_(target == ignore_index, 0.0) */
    Tensor *ig = NULL, *igw = NULL, *zero = NULL, *masked = NULL, *ret = NULL;
    if (smooth) {
        igw = tensor_wrap_number(DTYPE_INT64, 0, err);
        if (igw) tensor_store_int(igw, igw->offset, ignore);
        ig = igw ? tensor_binary(BIN_EQ, target, igw, err) : NULL;
        zero = ig ? ag_scalar(0.0, err) : NULL;
        masked = zero ? ag_masked_fill(ctx, smooth, ig, zero, err) : NULL;
    }
    if (masked) {
        if (reduction == LOSS_MEAN) {
            Tensor *tot = ag_sum(ctx, masked, NULL, false, err);
            Tensor *den = NULL;
            if (tot && weight) {
                Tensor *keep = tensor_unary(UN_LOGICAL_NOT, ig, err);
                Tensor *sel = keep ? tensor_masked_select(target, keep, err) : NULL;
                Tensor *gw = sel ? tensor_index_select(weight, 0, sel, err) : NULL;
                den = gw ? tensor_sum(gw, NULL, false, err) : NULL;
                tensor_release(keep);
                tensor_release(sel);
                tensor_release(gw);
            } else if (tot) {
                Tensor *keep = tensor_unary(UN_LOGICAL_NOT, ig, err);
                den = keep ? tensor_sum(keep, NULL, false, err) : NULL;
                tensor_release(keep);
            }
            ret = den ? ag_binary(ctx, BIN_DIV, tot, den, err) : NULL;
            tensor_release(tot);
            tensor_release(den);
        } else if (reduction == LOSS_SUM) {
            ret = ag_sum(ctx, masked, NULL, false, err);
        } else {
            ret = tensor_retain(masked);
        }
    }
    Tensor *out = NULL;
    if (ret) {
        Tensor *a = scalar_op(ctx, nll, 1 - ls, false, err);
        Tensor *b = a ? scalar_op(ctx, ret, ls / (double)classes, false, err) : NULL;
        out = b ? ag_binary(ctx, BIN_ADD, a, b, err) : NULL;
        tensor_release(a);
        tensor_release(b);
    }
    Tensor *all[] = {lsm, nll, base, s, smooth, ig, igw, zero, masked, ret};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_release(all[i]);
    return out;
}

Tensor *ag_cross_entropy(AutogradCtx *ctx, Tensor *input, Tensor *target, Tensor *weight,
                         int reduction, int64_t ignore_index, double label_smoothing,
                         Error *err) {
    if (input->ndim < 1) {
        err_set(err, ERR_INDEX, "Dimension out of range (expected to be in range of [-1, 0], but "
                                "got 1)");
        return NULL;
    }
    if (tensor_same_shape(input, target)) {
        if (dtype_is_floating(target->dtype) && ignore_index >= 0) {
            err_set(err, ERR_RUNTIME, "ignore_index is not supported for floating point target");
            return NULL;
        }
        return ce_probs(ctx, input, target, weight, reduction, label_smoothing, err);
    }
    if (label_smoothing > 0.0) {
        if (label_smoothing > 1.0) {
            err_set(err, ERR_RUNTIME, "label_smoothing must be between 0.0 and 1.0. Got: %g",
                    label_smoothing);
            return NULL;
        }
        return ce_smooth(ctx, input, target, weight, reduction, ignore_index, label_smoothing, err);
    }
    int cdim = input->ndim == 1 ? 0 : 1;
    Tensor *lsm = ag_softmax(ctx, input, cdim, true, err);
    Tensor *r = lsm ? ag_nll_loss(ctx, lsm, target, weight, reduction, ignore_index, err) : NULL;
    tensor_release(lsm);
    return r;
}

static int mse_bw(GradNode *n, Tensor *g, Tensor **gi, Error *err) {
    SAVED(n, 0);
    SAVED(n, 1);
    LossReduction red = (LossReduction)n->args.i[0];
    if (ag_needs(n, 0) && !(gi[0] = loss_mse_backward(g, saved_0, saved_1, red, err))) return err->code;
    if (ag_needs(n, 1) && !(gi[1] = loss_mse_backward(g, saved_1, saved_0, red, err))) return err->code;
    return ERR_OK;
}

Tensor *ag_mse_loss(AutogradCtx *ctx, Tensor *input, Tensor *target, int reduction, Error *err) {
    int nd;
    int64_t shape[TENSOR_MAX_DIMS];
    if (tensor_broadcast_shapes(input->ndim, input->shape, target->ndim, target->shape, &nd, shape,
                                err) != ERR_OK)
        return NULL;
    Tensor *a = tensor_same_shape(input, target) ? tensor_retain(input) : ag_expand(ctx, input, nd, shape, err);
    Tensor *b = a ? (tensor_same_shape(input, target) ? tensor_retain(target) : ag_expand(ctx, target, nd, shape, err)) : NULL;
    Tensor *r = b ? loss_mse_forward(a, b, (LossReduction)reduction, err) : NULL;
    Tensor *ins[2] = {a, b};
    if (r && dtype_is_floating(r->dtype) && ag_any_requires(ctx, ins, 2)) {
        GradNode *n = ag_node_new(ctx, "MseLossBackward0", mse_bw, ins, 2, err);
        if (!n || ag_save(n, 0, a, err) != ERR_OK || ag_save(n, 1, b, err) != ERR_OK) {
            r = ag_fail(r, n);
        } else {
            n->args.i[0] = reduction;
            ag_attach(n, r);
        }
    }
    tensor_release(a);
    tensor_release(b);
    return r;
}
