/*
 * src/core/similarity.c — cosine similarity and top-k. See similarity.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/similarity.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/mem.h"

void sim_row(const Tensor *m, int64_t row, double *out) {
    int64_t d = m->shape[1];
    int64_t base = m->offset + row * m->stride[0], step = m->stride[1];
    if (m->dtype == DTYPE_FLOAT32) {
        const float *p = (const float *)m->storage->data + base;
        for (int64_t k = 0; k < d; k++) out[k] = p[k * step];
    } else {
        const double *p = (const double *)m->storage->data + base;
        for (int64_t k = 0; k < d; k++) out[k] = p[k * step];
    }
}

double sim_cosine(const double *a, const double *b, int64_t d) {
    double dot = 0, na = 0, nb = 0;
    for (int64_t k = 0; k < d; k++) {
        dot += a[k] * b[k];
        na += a[k] * a[k];
        nb += b[k] * b[k];
    }
    return dot / (fmax(sqrt(na), SIM_EPS) * fmax(sqrt(nb), SIM_EPS));
}

int sim_cosine_rows(const Tensor *m, const double *q, double *out, Error *err) {
    if (m->ndim != 2)
        return err_set(err, ERR_VALUE, "expected a 2-D matrix of vectors, got %d dimension%s",
                       m->ndim, m->ndim == 1 ? "" : "s");
    if (!dtype_is_floating(m->dtype))
        return err_set(err, ERR_TYPE, "expected float vectors, got %s", dtype_name(m->dtype));
    int64_t n = m->shape[0], d = m->shape[1];
    double qn = 0;
    for (int64_t k = 0; k < d; k++) qn += q[k] * q[k];
    qn = fmax(sqrt(qn), SIM_EPS);
    bool dense32 = m->dtype == DTYPE_FLOAT32 && m->stride[1] == 1;
    double *row = dense32 ? NULL : mem_alloc((size_t)(d > 0 ? d : 1) * sizeof *row, err);
    if (!dense32 && !row) return ERR_MEMORY;
    for (int64_t i = 0; i < n; i++) {
        double dot = 0, nn = 0;
        if (dense32) {
            const float *p = (const float *)m->storage->data + m->offset + i * m->stride[0];
            for (int64_t k = 0; k < d; k++) {
                double v = p[k];
                dot += v * q[k];
                nn += v * v;
            }
        } else {
            sim_row(m, i, row);
            for (int64_t k = 0; k < d; k++) {
                dot += row[k] * q[k];
                nn += row[k] * row[k];
            }
        }
        out[i] = dot / (fmax(sqrt(nn), SIM_EPS) * qn);
    }
    mem_free(row);
    return ERR_OK;
}

/* Is score a (index ia) ranked before b (index ib)? */
static bool before(double a, int64_t ia, double b, int64_t ib) {
    return a > b || (a == b && ia < ib);
}

int64_t sim_top_k(const double *scores, int64_t n, int64_t k, const int64_t *exclude,
                  int nexclude, int64_t *idx, Error *err) {
    (void)err;
    if (k <= 0) return 0;
    int64_t have = 0;
    /* Insertion into a sorted list of at most k: fine for the small k of a lesson. */
    for (int64_t i = 0; i < n; i++) {
        double s = scores[i];
        if (isnan(s)) continue;
        bool skip = false;
        for (int e = 0; e < nexclude && !skip; e++) skip = exclude[e] == i;
        if (skip) continue;
        if (have == k && !before(s, i, scores[idx[k - 1]], idx[k - 1])) continue;
        int64_t pos = have < k ? have++ : k - 1;
        while (pos > 0 && before(s, i, scores[idx[pos - 1]], idx[pos - 1])) {
            idx[pos] = idx[pos - 1];
            pos--;
        }
        idx[pos] = i;
    }
    return have;
}
