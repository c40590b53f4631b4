/*
 * src/core/similarity.h — cosine similarity of one vector against every row of a matrix,
 * and the top-k selection most_similar / analogy need. See LICENSE (GPL-3.0-or-later).
 *
 * Cosine as F.cosine_similarity (eps = 1e-8): dot(a, b) / (max(|a|, eps) * max(|b|, eps)),
 * accumulated in double over float32 or float64 data (so a score agrees with torch's
 * float32 result to about 1e-7, not bit for bit). One pass over the matrix per query.
 */
#ifndef EMBEDLAB_SIMILARITY_H
#define EMBEDLAB_SIMILARITY_H

#include <stdint.h>

#include "core/err.h"
#include "core/tensor.h"

#define SIM_EPS 1e-8

/* out[i] = cosine(row i of matrix [n, d], query[0..d)) for every row. matrix: 2-D floating
 * tensor, any layout. TypeError for a non-float matrix, ValueError for a non-2-D one. */
int sim_cosine_rows(const Tensor *matrix, const double *query, double *out, Error *err);

/* Row `row` of matrix as doubles into out[0..d). */
void sim_row(const Tensor *matrix, int64_t row, double *out);

/* Cosine of two vectors of length d. */
double sim_cosine(const double *a, const double *b, int64_t d);

/* Indices of the k largest scores (descending; equal scores keep the lower index first),
 * skipping the `nexclude` indices in `exclude` and NaN scores. Returns how many were
 * written to idx (at most k), or -1 with MemoryError. */
int64_t sim_top_k(const double *scores, int64_t n, int64_t k, const int64_t *exclude,
                  int nexclude, int64_t *idx, Error *err);

#endif
