/*
 * src/core/embedding.h — nn.Embedding / F.embedding as functional core operations.
 * See LICENSE (GPL-3.0-or-later).
 *
 * The language layer holds the module state (weight Parameter, padding_idx, max_norm,
 * norm_type, the flags) and calls these functions; they reproduce PyTorch 1.13 on CPU:
 * the same values bit for bit, the same errors in the same order, with PyTorch's exact
 * messages (/work/shared/reference/torch-semantics.md §2).
 *
 * Ownership as in tensor.h: results are owned, arguments borrowed. `weight` is not const
 * where max_norm may renormalise rows of it in place (as torch does, under no_grad; the
 * storage version is bumped). No function sets requires_grad, is_parameter or grad_fn:
 * that is the caller's (the autograd layer's) business.
 *
 * Indices are int64 or int32, as in torch; any other index dtype fails with torch's
 * RuntimeError for that dtype.
 */
#ifndef EMBEDLAB_EMBEDDING_H
#define EMBEDLAB_EMBEDDING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/rng.h"
#include "core/tensor.h"

/* nn.Embedding's padding_idx check and normalisation (also F.embedding's and
 * Embedding.from_pretrained's): a negative value becomes num_embeddings + padding_idx.
 * Out of range: AssertionError "Padding_idx must be within num_embeddings" (capital P).
 * padding_idx == 0 always passes, even with num_embeddings == 0, as in torch. */
int emb_check_padding_idx(int64_t num_embeddings, int64_t padding_idx, int64_t *normalized,
                          Error *err);

/* The weight nn.Embedding(num_embeddings, embedding_dim, padding_idx) creates: a new
 * float32 [n, dim] tensor filled by normal_(0, 1) from `g`, then the padding row (an
 * already normalised index, or has_padding_idx false) filled with 0, as
 * reset_parameters() does. Errors: "Trying to create tensor with negative dimension -1:
 * [-1, 3]" (RuntimeError); a padding row outside the table (possible only as
 * Embedding(0, d, padding_idx=0)) gives torch's IndexError "index 0 is out of bounds for
 * dimension 0 with size 0" after the draw. */
Tensor *emb_new_weight(int64_t num_embeddings, int64_t embedding_dim, bool has_padding_idx,
                       int64_t padding_idx, Generator *g, Error *err);

/* reset_parameters() on an existing weight: normal_(0, 1) from `g`, then the padding row
 * (normalised index) zeroed. */
int emb_reset_parameters(Tensor *weight, bool has_padding_idx, int64_t padding_idx,
                         Generator *g, Error *err);

/* nn.Embedding(n, d, _weight=w): AssertionError "Shape of weight does not match
 * num_embeddings and embedding_dim" unless w has shape [n, d]. */
int emb_check_weight_shape(const Tensor *weight, int64_t num_embeddings, int64_t embedding_dim,
                           Error *err);

/* from_pretrained(embeddings): AssertionError "Embeddings parameter is expected to be
 * 2-dimensional" unless embeddings is 2-D (Embedding and EmbeddingBag alike). */
int emb_check_pretrained(const Tensor *embeddings, Error *err);

/* torch.embedding_renorm_(weight, indices, max_norm, norm_type), the in-place max_norm
 * step: for each distinct index in sorted order, norm = ||weight[idx]||_p computed as
 * torch's float32 norm kernel (p = 1, 2, inf, any p), and when norm > max_norm the row
 * is multiplied by (float)(max_norm / (norm + 1e-7)) (scale computed in double).
 * Negative indices wrap (torch's self[idx]). Errors, as torch: "Expected 2-dimensional
 * tensor, but got 1-dimensional tensor for argument #1 'self' (while checking arguments
 * for embedding_renorm_)", the index dtype error naming "argument #2 'indices'" and
 * embedding_renorm_, and IndexError "select(): index 10 out of range for tensor of size
 * [10, 3] at dimension 0" for an index outside [-n, n) (rows before it in sorted order
 * are already renormalised, as in torch). */
int emb_renorm_(Tensor *weight, const Tensor *indices, double max_norm, double norm_type,
                Error *err);

/* F.embedding(indices, weight, padding_idx, max_norm, norm_type) — also what
 * nn.Embedding.forward computes. Returns a new contiguous tensor of shape
 * indices.shape + (weight.size(1),), dtype of weight, row k = weight[indices[k]]
 * (memcpy of whole rows when the weight's rows are contiguous). padding_idx (raw, as the
 * user gave it) is checked and normalised as emb_check_padding_idx but does not change
 * the values (it only matters for gradients). With has_max_norm, emb_renorm_ runs first
 * on `weight` (in place). Errors in torch's order: the padding_idx assertion; the renorm
 * errors; RuntimeError "'weight' must be 2-D"; RuntimeError "Expected tensor for
 * argument #1 'indices' to have one of the following scalar types: Long, Int; but got
 * torch.FloatTensor instead (while checking arguments for embedding)" (CPUBoolType for
 * bool); IndexError "index out of range in self" with a learner hint naming the first bad
 * index and the valid range. MemoryError when the output cannot be allocated. */
Tensor *emb_forward(Tensor *weight, const Tensor *indices, bool has_padding_idx,
                    int64_t padding_idx, bool has_max_norm, double max_norm, double norm_type,
                    Error *err);

/* The type name torch prints for a tensor of dtype dt in argument-type errors
 * ("torch.FloatTensor", but "CPUBoolType" for bool). Shared with embedding_bag.c. */
const char *emb_index_type_name(DType dt);

#endif
