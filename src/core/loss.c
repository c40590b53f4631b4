/*
 * src/core/loss.c — NLL and MSE loss kernels (see loss.h). See LICENSE (GPL-3.0-or-later).
 */
#include "core/loss.h"

#include <math.h>
#include <string.h>

#include "core/tensor_math.h"
#include "core/tensor_reduce.h"

int loss_reduction_parse(const char *name, LossReduction *out, Error *err) {
    if (strcmp(name, "none") == 0) *out = LOSS_NONE;
    else if (strcmp(name, "mean") == 0) *out = LOSS_MEAN;
    else if (strcmp(name, "sum") == 0) *out = LOSS_SUM;
    else return err_set(err, ERR_VALUE, "%s is not a valid value for reduction", name);
    return ERR_OK;
}

static int check_nll(const Tensor *input, const Tensor *target, const Tensor *weight, Error *err) {
    if (input->ndim < 1)
        return err_set(err, ERR_VALUE, "Expected 1 or more dimensions (got %d)", input->ndim);
    if (input->ndim != 1 && target->ndim >= 1 && input->shape[0] != target->shape[0])
        return err_set(err, ERR_VALUE, "Expected input batch_size (%lld) to match target batch_size "
                                       "(%lld).",
                       (long long)input->shape[0], (long long)target->shape[0]);
    if (input->ndim > 2)
        return err_set(err, ERR_NOT_IMPLEMENTED, "nll_loss of inputs with more than 2 dimensions "
                                                 "is not supported by embedlab");
    if (!dtype_is_floating(input->dtype))
        return err_set(err, ERR_RUNTIME, "\"nll_loss_out_frame\" not implemented for '%s'",
                       dtype_scalar_name(input->dtype));
    if (target->dtype != DTYPE_INT64)
        return err_set(err, ERR_RUNTIME, "expected scalar type Long but found %s",
                       dtype_scalar_name(target->dtype));
    if (target->ndim > 1)
        return err_set(err, ERR_RUNTIME, "0D or 1D target tensor expected, multi-target not "
                                         "supported");
    bool no_batch = input->ndim == 1 && target->ndim == 0;
    if (!no_batch && input->shape[0] != (target->ndim ? target->shape[0] : 1)) {
        char a[128], b[128];
        tensor_shape_str(input->ndim, input->shape, a, sizeof a);
        tensor_shape_str(target->ndim, target->shape, b, sizeof b);
        return err_set(err, ERR_RUNTIME, "size mismatch (got input: %s, target: %s)", a, b);
    }
    int64_t classes = input->shape[input->ndim - 1];
    if (weight && (weight->ndim != 1 || weight->shape[0] != classes)) {
        char w[128];
        tensor_shape_str(weight->ndim, weight->shape, w, sizeof w);
        return err_set(err, ERR_RUNTIME, "weight tensor should be defined either for all %lld "
                                         "classes or no classes but got weight tensor of shape: %s",
                       (long long)classes, w);
    }
    return ERR_OK;
}

/* Rounds to the input's precision. */
static double rnd(double v, bool f32) { return f32 ? (double)(float)v : v; }

int loss_nll_forward(const Tensor *input, const Tensor *target, const Tensor *weight,
                     LossReduction reduction, int64_t ignore_index, Tensor **out,
                     Tensor **total_weight, Error *err) {
    *out = *total_weight = NULL;
    if (check_nll(input, target, weight, err) != ERR_OK) return err->code;
    bool f32 = input->dtype == DTYPE_FLOAT32;
    int64_t classes = input->shape[input->ndim - 1];
    int64_t batch = input->ndim == 1 ? 1 : input->shape[0];
    *total_weight = tensor_zeros(input->dtype, 0, NULL, err);
    if (!*total_weight) return ERR_MEMORY;
    /* element (b, t) of the input */
#define IN(b, t) tensor_get(input, input->ndim == 1 ? (t) : (b) * classes + (t))
    if (reduction == LOSS_NONE && input->ndim == 2) {
        *out = tensor_zeros(input->dtype, 1, &batch, err);
        if (!*out) goto fail;
        for (int64_t b = 0; b < batch; b++) {
            int64_t t = tensor_get_int(target, b);
            if (t == ignore_index) continue;
            if (t < 0 || t >= classes) {
                err_set(err, ERR_INDEX, "Target %lld is out of bounds.", (long long)t);
                goto fail;
            }
            double w = weight ? tensor_get(weight, t) : 1.0;
            tensor_set(*out, b, rnd(-IN(b, t) * w, f32));
        }
        return ERR_OK;
    }
    *out = tensor_zeros(input->dtype, 0, NULL, err);
    if (!*out) goto fail;
    if (tensor_numel(target) == 0) {
        tensor_set(*out, 0, reduction == LOSS_MEAN ? NAN : 0.0);
        return ERR_OK;
    }
    enum { LEVELS = 8 };
    int64_t log2 = 0;
    while (((int64_t)1 << log2) < batch) log2++; /* CeilLog2 */
    int64_t power = log2 / LEVELS > 4 ? log2 / LEVELS : 4;
    int64_t mask = ((int64_t)1 << power) - 1;
    double wsum[LEVELS] = {0}, lsum[LEVELS] = {0};
    int64_t ignored = 0;
    for (int64_t b = 0; b < batch; b++) {
        int64_t t = tensor_get_int(target, b);
        if (t == ignore_index) {
            ignored++;
            continue;
        }
        if (t < 0 || t >= classes) {
            err_set(err, ERR_INDEX, "Target %lld is out of bounds.", (long long)t);
            goto fail;
        }
        double data = IN(b, t);
        if (weight) {
            double w = tensor_get(weight, t);
            lsum[0] = rnd(lsum[0] - rnd(data * w, f32), f32);
            wsum[0] = rnd(wsum[0] + w, f32);
        } else {
            lsum[0] = rnd(lsum[0] - data, f32);
        }
        for (int j = 0; j + 1 < LEVELS; j++) {
            if ((b & (mask << (j * power))) != 0) break;
            wsum[j + 1] = rnd(wsum[j + 1] + wsum[j], f32);
            lsum[j + 1] = rnd(lsum[j + 1] + lsum[j], f32);
            wsum[j] = lsum[j] = 0;
        }
    }
#undef IN
    double total = 0, loss = 0;
    if (!weight) total = rnd((double)(batch - ignored), f32);
    else
        for (int j = 0; j < LEVELS; j++) total = rnd(total + wsum[j], f32);
    for (int j = 0; j < LEVELS; j++) loss = rnd(loss + lsum[j], f32);
    if (reduction == LOSS_MEAN) loss = rnd(loss / total, f32);
    tensor_set(*out, 0, loss);
    tensor_set(*total_weight, 0, total);
    return ERR_OK;
fail:
    tensor_release(*out);
    tensor_release(*total_weight);
    *out = *total_weight = NULL;
    return err ? err->code : ERR_RUNTIME;
}

Tensor *loss_nll_backward(const Tensor *grad_output, const Tensor *input, const Tensor *target,
                          const Tensor *weight, LossReduction reduction, int64_t ignore_index,
                          const Tensor *total_weight, Error *err) {
    Tensor *gi = tensor_zeros(input->dtype, input->ndim, input->shape, err);
    if (!gi) return NULL;
    bool f32 = input->dtype == DTYPE_FLOAT32;
    int64_t classes = input->shape[input->ndim - 1];
    int64_t batch = input->ndim == 1 ? 1 : input->shape[0];
    if (reduction == LOSS_NONE && input->ndim == 2) {
        for (int64_t i = 0; i < batch; i++) {
            int64_t t = tensor_get_int(target, i);
            if (t == ignore_index) continue;
            double w = weight ? tensor_get(weight, t) : 1.0;
            tensor_set(gi, i * classes + t, rnd(-w * tensor_get(grad_output, i), f32));
        }
        return gi;
    }
    double tw = tensor_get(total_weight, 0), go = tensor_get(grad_output, 0);
    double g = -(reduction == LOSS_MEAN ? rnd(go / tw, f32) : go);
    for (int64_t i = 0; i < batch; i++) {
        int64_t t = tensor_get_int(target, i);
        if (t == ignore_index) continue;
        double v = weight ? rnd(tensor_get(weight, t) * g, f32) : g;
        tensor_set(gi, input->ndim == 1 ? t : i * classes + t, v);
    }
    return gi;
}

Tensor *loss_mse_forward(const Tensor *input, const Tensor *target, LossReduction reduction,
                         Error *err) {
    Tensor *d = tensor_binary(BIN_SUB, input, target, err);
    Tensor *sq = d ? tensor_binary(BIN_MUL, d, d, err) : NULL;
    tensor_release(d);
    if (!sq || reduction == LOSS_NONE) return sq;
    Tensor *r = reduction == LOSS_MEAN ? tensor_mean(sq, NULL, false, err) : tensor_sum(sq, NULL, false, err);
    tensor_release(sq);
    return r;
}

Tensor *loss_mse_backward(const Tensor *grad_output, const Tensor *a, const Tensor *b,
                          LossReduction reduction, Error *err) {
    double norm = reduction == LOSS_MEAN ? 2.0 / (double)tensor_numel(a) : 2.0;
    Tensor *out = tensor_empty_like(a, a->dtype, err);
    Tensor *g = out ? tensor_expand(grad_output, a->ndim, a->shape, err) : NULL;
    Tensor *bb = g ? tensor_expand(b, a->ndim, a->shape, err) : NULL;
    if (!bb) {
        tensor_release(out);
        tensor_release(g);
        return NULL;
    }
    bool f32 = a->dtype == DTYPE_FLOAT32;
    for (int64_t i = 0, n = tensor_numel(a); i < n; i++) {
        double x = tensor_get(a, i), y = tensor_get(bb, i), go = tensor_get(g, i), r;
        if (f32) r = (double)(((float)norm * ((float)x - (float)y)) * (float)go);
        else r = (norm * (x - y)) * go;
        tensor_set(out, i, r);
    }
    tensor_release(g);
    tensor_release(bb);
    return out;
}
