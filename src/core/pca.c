/*
 * src/core/pca.c — PCA through a Jacobi eigen-decomposition. See pca.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/pca.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "core/mem.h"

int pca_symmetric_eigen(double *a, int64_t m, double *w, double *v, Error *err) {
    (void)err;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < m; j++) v[i * m + j] = i == j;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0, diag = 0;
        for (int64_t i = 0; i < m; i++) {
            diag += a[i * m + i] * a[i * m + i];
            for (int64_t j = i + 1; j < m; j++) off += a[i * m + j] * a[i * m + j];
        }
        if (off == 0 || off <= 1e-30 * diag) break;
        for (int64_t p = 0; p < m; p++) {
            for (int64_t q = p + 1; q < m; q++) {
                double apq = a[p * m + q];
                if (apq == 0) continue;
                double app = a[p * m + p], aqq = a[q * m + q];
                /* The rotation that zeroes a[p][q] (Rutishauser's stable form). */
                double theta = (aqq - app) / (2 * apq);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int64_t k = 0; k < m; k++) {
                    double akp = a[k * m + p], akq = a[k * m + q];
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for (int64_t k = 0; k < m; k++) {
                    double apk = a[p * m + k], aqk = a[q * m + k];
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
                for (int64_t k = 0; k < m; k++) {
                    double vkp = v[k * m + p], vkq = v[k * m + q];
                    v[k * m + p] = c * vkp - s * vkq;
                    v[k * m + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    for (int64_t i = 0; i < m; i++) w[i] = a[i * m + i];
    /* Sort eigenpairs by descending eigenvalue (selection sort: m is small). */
    for (int64_t i = 0; i < m; i++) {
        int64_t best = i;
        for (int64_t j = i + 1; j < m; j++)
            if (w[j] > w[best]) best = j;
        if (best == i) continue;
        double tw = w[i];
        w[i] = w[best];
        w[best] = tw;
        for (int64_t k = 0; k < m; k++) {
            double tv = v[k * m + i];
            v[k * m + i] = v[k * m + best];
            v[k * m + best] = tv;
        }
    }
    return ERR_OK;
}

int pca_fit(const Tensor *X, int k, Tensor **scores, double *ratio, Error *err) {
    *scores = NULL;
    if (X->ndim != 2) return err_set(err, ERR_VALUE, "PCA needs a 2-D matrix, got %d dimensions", X->ndim);
    if (!dtype_is_floating(X->dtype))
        return err_set(err, ERR_TYPE, "PCA needs float vectors, got %s", dtype_name(X->dtype));
    int64_t n = X->shape[0], d = X->shape[1];
    if (n < 1 || d < 1) return err_set(err, ERR_VALUE, "PCA needs at least one vector of at least one value");
    if (k < 1) return err_set(err, ERR_VALUE, "PCA needs k >= 1");
    int64_t m = n <= d ? n : d;
    double *xc = mem_alloc((size_t)(n * d) * sizeof *xc, err);
    double *a = mem_alloc((size_t)(m * m) * sizeof *a, err);
    double *v = mem_alloc((size_t)(m * m) * sizeof *v, err);
    double *w = mem_alloc((size_t)m * sizeof *w, err);
    double *mean = mem_calloc((size_t)d, sizeof *mean, err);
    int64_t shape[2] = {n, k};
    Tensor *out = (xc && a && v && w && mean) ? tensor_zeros(DTYPE_FLOAT64, 2, shape, err) : NULL;
    if (!out) {
        mem_free(xc), mem_free(a), mem_free(v), mem_free(w), mem_free(mean);
        return err ? err->code : ERR_MEMORY;
    }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) {
            int64_t idx[2] = {i, j};
            xc[i * d + j] = tensor_load(X, tensor_index_offset(X, idx));
            mean[j] += xc[i * d + j];
        }
    for (int64_t j = 0; j < d; j++) mean[j] /= (double)n;
    double total = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < d; j++) {
            xc[i * d + j] -= mean[j];
            total += xc[i * d + j] * xc[i * d + j];
        }
    bool gram = n <= d;
    for (int64_t p = 0; p < m; p++)
        for (int64_t q = p; q < m; q++) {
            double s = 0;
            if (gram)
                for (int64_t j = 0; j < d; j++) s += xc[p * d + j] * xc[q * d + j];
            else
                for (int64_t i = 0; i < n; i++) s += xc[i * d + p] * xc[i * d + q];
            a[p * m + q] = a[q * m + p] = s;
        }
    pca_symmetric_eigen(a, m, w, v, err);
    double *sc = (double *)out->storage->data;
    for (int c = 0; c < k; c++) {
        ratio[c] = 0;
        if (c >= m) continue;
        double lambda = w[c] > 0 ? w[c] : 0;
        ratio[c] = total > 0 ? lambda / total : 0;
        for (int64_t i = 0; i < n; i++) {
            double s = 0;
            if (gram) s = v[i * m + c] * sqrt(lambda);
            else
                for (int64_t j = 0; j < d; j++) s += xc[i * d + j] * v[j * m + c];
            sc[i * k + c] = s;
        }
        /* svd_flip: the largest |score| is positive. */
        int64_t big = 0;
        for (int64_t i = 1; i < n; i++)
            if (fabs(sc[i * k + c]) > fabs(sc[big * k + c])) big = i;
        if (sc[big * k + c] < 0)
            for (int64_t i = 0; i < n; i++) sc[i * k + c] = -sc[i * k + c];
    }
    mem_free(xc), mem_free(a), mem_free(v), mem_free(w), mem_free(mean);
    *scores = out;
    return ERR_OK;
}
