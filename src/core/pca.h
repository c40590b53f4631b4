/*
 * src/core/pca.h — principal component analysis of a few hundred vectors, for plots.
 * See LICENSE (GPL-3.0-or-later).
 *
 * The rows of X [n, d] are centred; the components are the eigenvectors of the smaller of
 * Xc Xc^T (n x n) and Xc^T Xc (d x d), found with the cyclic Jacobi method in double
 * precision. Scores (the projections of the centred rows) therefore match numpy's SVD
 * (U * S) to rounding. Each component's sign is chosen as sklearn's svd_flip does: the
 * score with the largest magnitude is positive. Deterministic; no randomness.
 */
#ifndef EMBEDLAB_PCA_H
#define EMBEDLAB_PCA_H

#include "core/err.h"
#include "core/tensor.h"

/* The first k principal components of the rows of X (2-D, floating, n >= 1):
 * *scores is a new float64 tensor [n, k]; ratio[0..k) receives each component's share of
 * the total variance (0 when the data has no variance). k must be in [1, min(n, d)] unless
 * n or d is smaller, in which case the missing components are zero. Errors: ValueError
 * for a non-2-D or empty X, TypeError for a non-float X, MemoryError. */
int pca_fit(const Tensor *X, int k, Tensor **scores, double *ratio, Error *err);

/* Eigen-decomposition of the symmetric m x m matrix a (row-major, destroyed): w[m]
 * eigenvalues in descending order, v[m x m] row-major with eigenvector j in column j. */
int pca_symmetric_eigen(double *a, int64_t m, double *w, double *v, Error *err);

#endif
