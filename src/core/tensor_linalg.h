/*
 * src/core/tensor_linalg.h — matrix products. See LICENSE (GPL-3.0-or-later).
 *
 * Ownership as in tensor.h: results are owned, arguments borrowed.
 */
#ifndef EMBEDLAB_TENSOR_LINALG_H
#define EMBEDLAB_TENSOR_LINALG_H

#include "core/tensor.h"
#include "core/tensor_math.h"

/* torch.matmul for 1-D/2-D/batched operands: dot (1-D·1-D), mv (2-D@1-D), 1-D@2-D, mm,
 * the folded forms of a >= 3-D operand with a 1-D/2-D one, and batched products with
 * broadcast batch dims. Operands must share a dtype (bool is not supported), as torch.
 * Errors are torch's: "both arguments to matmul need to be at least 1D, but they are 0D
 * and 1D", "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", "size mismatch, got
 * 2, 2x3,4", "inconsistent tensor size, expected tensor [3] and src [4] to have the same
 * number of elements, but got 3 and 4 elements respectively", "Expected size for first two
 * dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].", "expected scalar type Long
 * but found Float", "dot : expected both vectors to have same dtype, but found Long and
 * Float", "\"addmm_impl_cpu_\" not implemented for 'Bool'". Float results are bit-identical
 * to torch (k terms summed in order, unfused). */
Tensor *tensor_matmul(const Tensor *a, const Tensor *b, Error *err);

#endif
