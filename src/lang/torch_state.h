/*
 * src/lang/torch_state.h — per-session torch state (default generator, print options,
 * the autograd context with grad mode, dtype objects) and the tensor-op wrappers every
 * binding goes through, so that autograd recording, in-place checks and error reporting
 * live in one place. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_TORCH_STATE_H
#define EMBEDLAB_TORCH_STATE_H

#include <stdbool.h>

#include "core/autograd.h"
#include "core/tensor.h"
#include "core/tensor_fmt.h"
#include "core/tensor_math.h"
#include "lang/interp.h"

struct Generator;

typedef struct TorchState {
    struct Generator *generator; /* torch's default CPU generator (owned) */
    PrintOptions print_options;  /* torch.set_printoptions */
    AutogradCtx *autograd;       /* the graph's context: grad mode, AccumulateGrad nodes */
    Value *dtypes[DTYPE_COUNT];  /* one torch.dtype object per dtype (owned) */
} TorchState;

/* The session's torch state, created on first use (NULL + MemoryError on failure). */
TorchState *torch_state(Interp *I);
/* Frees the torch state (interp teardown). */
void torch_state_free(Interp *I);

/* The autograd context (NULL with the error raised when the state cannot be made). */
AutogradCtx *torch_autograd(Interp *I);
/* torch.is_grad_enabled() / set_grad_enabled(): false inside `with torch.no_grad():`. */
bool torch_grad_enabled(Interp *I);
void torch_set_grad_enabled(Interp *I, bool enabled);

/* ---- op wrappers: compute with the core, raise its error, record autograd ---- */

/* Wraps a core result as a tensor value, raising err when it is NULL. */
Value *torch_result(Interp *I, Tensor *t, const Error *err);
Value *torch_binary(Interp *I, BinaryOp op, Tensor *a, Tensor *b);
Value *torch_unary(Interp *I, UnaryOp op, Tensor *t);
Value *torch_matmul(Interp *I, Tensor *a, Tensor *b);

/* In-place write checks as torch: a leaf that requires grad (or a view of one) cannot be
 * modified in place while grad mode is on ("a leaf Variable that requires grad is being
 * used in an in-place operation."). */
int torch_check_inplace(Interp *I, Tensor *t);
/* Bookkeeping after an in-place write by a core function (which bumped the version
 * counter already): nothing more for ops without a differentiable history. */
void torch_after_inplace(Interp *I, Tensor *t);
/* t <op>= other (alpha scales other for add/sub): in place, with torch's history when
 * grad mode is on and t or other requires grad (t takes the op's node). Errors as the
 * core's in-place ops. */
int torch_inplace_binary(Interp *I, BinaryOp op, Tensor *t, Tensor *other, double alpha);
/* t.op_() for a unary op or clamp_ (has_min/has_max), in place with history. */
int torch_inplace_unary(Interp *I, UnaryOp op, Tensor *t);
int torch_inplace_clamp(Interp *I, Tensor *t, bool has_min, double min, bool has_max, double max);
/* Writes a warning ("UserWarning: ...") to the session's stderr. */
void torch_warn(Interp *I, const char *text);
/* The grad_fn class name to print for t ("AddBackward0"), or NULL. */
const char *torch_grad_fn_name(const Tensor *t);

#endif
