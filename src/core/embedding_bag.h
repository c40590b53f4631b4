/*
 * src/core/embedding_bag.h — nn.EmbeddingBag / F.embedding_bag as one functional core
 * operation. See LICENSE (GPL-3.0-or-later).
 *
 * bag_forward reproduces F.embedding_bag of PyTorch 1.13 on CPU (Debian's build: no
 * fbgemm, caffe2's perfkernels with the AVX2+FMA kernel) — values bit for bit and errors
 * with torch's messages, in torch's order (torch-semantics.md §3):
 *
 *  - Summation order: each bag is a sequential float32 (float64) sum of its rows in input
 *    order, starting from zero. With per_sample_weights the kernel torch picks decides the
 *    rounding: the fast path (float32 weight with unit column stride, contiguous weights,
 *    no padding_idx) accumulates fmaf(w, row, acc); the slow path (padding_idx given, a
 *    strided weight or per_sample_weights, float64) rounds the product first.
 *  - mean divides each bag sum by (float)max(bag_size, 1), where bag_size is the offset
 *    difference (for the last bag: input length - last offset, even with
 *    include_last_offset) minus the padding entries of the bag.
 *  - max is the column-wise max (first occurrence wins; NaN is kept only when first);
 *    empty bags are zero rows in every mode.
 *  - Torch's quirks are reproduced where they are defined: decreasing offsets and offsets
 *    outside [0, len] give caffe2's enforce errors on the fast sum path and IndexError
 *    "index out of range in self" where torch builds offset2bag (mean, max, slow sum);
 *    entries after the last offset with include_last_offset are ignored. Where torch 1.13
 *    writes outside its output (undefined behaviour, e.g. such entries on the slow path or
 *    empty offsets with a non-empty input in max mode) those entries are dropped.
 *
 * Ownership as in tensor.h. `weight` is written only by max_norm (in place, as torch).
 */
#ifndef EMBEDLAB_EMBEDDING_BAG_H
#define EMBEDLAB_EMBEDDING_BAG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tensor.h"

typedef enum BagMode { BAG_SUM = 0, BAG_MEAN = 1, BAG_MAX = 2 } BagMode;

/* "sum" / "mean" / "max" → mode; anything else: ValueError "mode has to be one of sum,
 * mean or max". */
int bag_mode_parse(const char *name, BagMode *mode, Error *err);
const char *bag_mode_name(BagMode mode);

/* nn.EmbeddingBag's padding_idx assertion (lower-case "padding_idx must be within
 * num_embeddings", AssertionError) and normalisation of negative values. */
int bag_check_padding_idx(int64_t num_embeddings, int64_t padding_idx, int64_t *normalized,
                          Error *err);

/* The optional arguments of F.embedding_bag; BAG_OPTIONS_INIT gives torch's defaults. */
typedef struct BagOptions {
    const Tensor *offsets;            /* NULL: None */
    const char *mode;                 /* "sum", "mean" (default) or "max"; checked in order */
    const Tensor *per_sample_weights; /* NULL: None */
    bool include_last_offset;
    bool has_padding_idx;
    int64_t padding_idx;              /* as given (negative values wrap) */
    bool has_max_norm;
    double max_norm;
    double norm_type;                 /* 2.0 */
    bool scale_grad_by_freq;          /* only checked: max mode rejects it */
    bool sparse;                      /* only checked: max mode rejects it */
} BagOptions;

#define BAG_OPTIONS_INIT {NULL, "mean", NULL, false, false, 0, false, 0.0, 2.0, false, false}

/* What the backward pass needs (all int64, owned; fields NULL when not produced):
 *  offset2bag  [len]      the bag of each (flattened) input position, as torch's
 *                         make_offset2bag computes it (-1 or >= bags: in no bag)
 *  bag_size    [bags]     the mean divisor before max(., 1): offset difference minus the
 *                         padding entries (computed for every mode)
 *  max_indices [bags, d]  mode max only: the row chosen for each output element (0 for
 *                         empty bags), torch's max_indices */
typedef struct BagAux {
    Tensor *offset2bag;
    Tensor *bag_size;
    Tensor *max_indices;
} BagAux;

void bag_aux_release(BagAux *aux);

/* F.embedding_bag(input, weight, **opt) → a new [bags, dim] tensor of weight's dtype.
 * input: 1-D with 1-D offsets, or 2-D [B, N] (B bags of N) with offsets None. aux may be
 * NULL; on success its fields are set (the caller releases them with bag_aux_release).
 * Errors, in torch's order (first the Python-level checks of F.embedding_bag, then
 * ATen's):
 *  ValueError "embedding_bag: If per_sample_weights (torch.Size([3])) is not None, then it
 *    must have the same shape as the input (torch.Size([5]))";
 *  ValueError "if input is 2D, then offsets has to be None, as input is treated is a
 *    mini-batch of fixed length sequences. However, found offsets of type <class
 *    'torch.Tensor'>", "offsets has to be a 1D Tensor but got None", "offsets has to be a
 *    1D Tensor", "input has to be 1D or 2D Tensor, but got Tensor of dimension 3";
 *    RuntimeError "step must be nonzero" for a [B, 0] input;
 *  ValueError "mode has to be one of sum, mean or max", "max mode does not support scaling
 *    the gradient by the frequency", "max mode does not support sparse weights";
 *  the max_norm renormalisation (emb_renorm_; it happens before the next check);
 *  NotImplementedError "embedding_bag: per_sample_weights was not None.
 *    per_sample_weights is only supported for mode='sum' (got mode='mean'). Please open a
 *    feature request on GitHub.";
 *  RuntimeError "padding_idx must be within the number of embeddings, -10 through 9, but
 *    got 10";
 *  RuntimeError index/offsets/weight dtype errors "(while checking arguments for
 *    embedding_bag)", "offsets[0] has to be 0, ... However, got 1\n[ torch.LongTensor{}
 *    ]", "offsets[-1] can not be greater than input's length 5 but got offsets[-1] of 7",
 *    "include_last_offset: number of offset should be at least 1";
 *  IndexError for a weight of fewer than 2 dims;
 *  IndexError "index out of range in self" for offsets outside [0, len] (mean, max, slow
 *    sum);
 *  RuntimeError "[enforce fail at embedding_lookup_idx.cc:214] 0 <= idx && idx <
 *    data_size. Index 1 is out of bounds: 12, range 0 to 10" (fast path sum/mean; position
 *    as with one thread) or "embedding_bag: Expected idx >= 0 && idx < num_embeddings but
 *    found idx to be 12" (max mode, float64, slow path);
 *  MemoryError. */
Tensor *bag_forward(Tensor *weight, const Tensor *input, const BagOptions *opt, BagAux *aux,
                    Error *err);

#endif
