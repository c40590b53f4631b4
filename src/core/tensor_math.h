/*
 * src/core/tensor_math.h — elementwise math with broadcasting and PyTorch 1.13's type
 * promotion, comparisons, where, clamp; matmul via tensor_linalg.h. See LICENSE (GPL-3.0-or-later).
 *
 * Ownership as in tensor.h: results are owned, arguments borrowed. Python numbers take
 * part as tensors made by tensor_wrap_number, so `int_tensor + 2.5` promotes exactly as
 * torch does (wrapped numbers < 0-d tensors < dimensioned tensors in priority; a higher
 * category — bool < integral < floating — always wins; a float wrapped number with an
 * integral tensor gives float32, the default dtype).
 */
#ifndef EMBEDLAB_TENSOR_MATH_H
#define EMBEDLAB_TENSOR_MATH_H

#include "core/tensor.h"

/* X(enum, torch function name used in messages) */
#define BINARY_OP_LIST(X)          \
    X(BIN_ADD, "add")              \
    X(BIN_SUB, "sub")              \
    X(BIN_MUL, "mul")              \
    X(BIN_DIV, "div")              \
    X(BIN_FLOOR_DIV, "floor_divide") \
    X(BIN_REMAINDER, "remainder")  \
    X(BIN_POW, "pow")              \
    X(BIN_EQ, "eq")                \
    X(BIN_NE, "ne")                \
    X(BIN_LT, "lt")                \
    X(BIN_LE, "le")                \
    X(BIN_GT, "gt")                \
    X(BIN_GE, "ge")                \
    X(BIN_AND, "bitwise_and")      \
    X(BIN_OR, "bitwise_or")        \
    X(BIN_XOR, "bitwise_xor")      \
    X(BIN_MAXIMUM, "maximum")      \
    X(BIN_MINIMUM, "minimum")

typedef enum BinaryOp {
#define BINARY_OP_ENUM(e, name) e,
    BINARY_OP_LIST(BINARY_OP_ENUM)
#undef BINARY_OP_ENUM
    BINARY_OP_COUNT
} BinaryOp;

#define UNARY_OP_LIST(X)              \
    X(UN_NEG, "neg")                  \
    X(UN_ABS, "abs")                  \
    X(UN_SQRT, "sqrt")                \
    X(UN_RSQRT, "rsqrt")              \
    X(UN_EXP, "exp")                  \
    X(UN_LOG, "log")                  \
    X(UN_LOG1P, "log1p")              \
    X(UN_SIN, "sin")                  \
    X(UN_COS, "cos")                  \
    X(UN_TANH, "tanh")                \
    X(UN_SIGMOID, "sigmoid")          \
    X(UN_RELU, "relu")                \
    X(UN_FLOOR, "floor")              \
    X(UN_CEIL, "ceil")                \
    X(UN_ROUND, "round")              \
    X(UN_TRUNC, "trunc")              \
    X(UN_SIGN, "sign")                \
    X(UN_RECIPROCAL, "reciprocal")    \
    X(UN_SQUARE, "square")            \
    X(UN_LOGICAL_NOT, "logical_not")  \
    X(UN_BITWISE_NOT, "bitwise_not")  \
    X(UN_ISNAN, "isnan")              \
    X(UN_ISINF, "isinf")              \
    X(UN_ISFINITE, "isfinite")

typedef enum UnaryOp {
#define UNARY_OP_ENUM(e, name) e,
    UNARY_OP_LIST(UNARY_OP_ENUM)
#undef UNARY_OP_ENUM
    UNARY_OP_COUNT
} UnaryOp;

const char *binary_op_name(BinaryOp op);
const char *unary_op_name(UnaryOp op);

/* The larger of two dtypes in promotion order (bool < int64 < float32 < float64). */
DType dtype_promote(DType a, DType b);
/* torch.result_type(a, b), honouring wrapped numbers and 0-d tensors as ATen does. b may
 * be NULL (the result type of one tensor). */
DType tensor_result_type(const Tensor *a, const Tensor *b);
/* The result type of up to three operands (b and c may be NULL), e.g. clamp(t, min, max). */
DType tensor_result_type3(const Tensor *a, const Tensor *b, const Tensor *c);
/* c10::canCast: floating → integral/bool and integral → bool are not allowed. */
bool dtype_can_cast(DType from, DType to);
/* Broadcast two shapes. Error: "The size of tensor a (3) must match the size of tensor b
 * (4) at non-singleton dimension 1". */
int tensor_broadcast_shapes(int na, const int64_t *sa, int nb, const int64_t *sb, int *nout,
                            int64_t *out, Error *err);

/* a <op> b with broadcasting; a Python number operand is a tensor_wrap_number tensor.
 * Result dtype: bool for comparisons; float32 for BIN_DIV of integers (true division);
 * otherwise tensor_result_type(a, b). The result keeps the memory layout of the first
 * operand that has the full result shape (as TensorIterator), else is contiguous.
 * Arithmetic is torch's, bit for bit on float32: integer ops wrap around; floor_divide and
 * remainder follow Python's signs (floor; remainder takes the divisor's sign); BIN_POW with
 * a wrapped-number exponent uses ATen's special cases (2, 3, -2, 0.5, -0.5, -1, 0, 1) and
 * SLEEF's powf where ATen vectorises. Errors (RuntimeError) as torch 1.13:
 *   "The size of tensor a (3) must match the size of tensor b (4) at non-singleton
 *    dimension 1";
 *   "ZeroDivisionError" (integer floor_divide/remainder by zero);
 *   "Integers to negative integer powers are not allowed." (integral base, negative
 *    integral wrapped-number exponent; a tensor exponent gives 0 / ±1 as torch);
 *   "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or
 *    `logical_xor()` operator instead." and "... with a bool tensor is not supported. If
 *    you are trying to invert a mask, use the `~` or `logical_not()` operator instead.";
 *   "\"bitwise_and_cpu\" not implemented for 'Float'", "\"div_floor_cpu\" ... 'Bool'",
 *   "\"remainder_cpu\" ... 'Bool'", "\"pow\" not implemented for 'Bool'".
 * (For `3 / t` Python calls t.reciprocal() * 3 and for `2 ** t` builds a 0-d tensor of
 * result_type: the interpreter does that, not this function.) */
Tensor *tensor_binary(BinaryOp op, const Tensor *a, const Tensor *b, Error *err);
/* In-place a <op>= b: b broadcasts to a's shape ("output with shape [3] doesn't match the
 * broadcast shape [2, 3]"); the result type must be castable to a's dtype ("result type
 * Float can't be cast to the desired output type Long"). b may alias a. */
int tensor_binary_(BinaryOp op, Tensor *a, const Tensor *b, Error *err);
/* Elementwise unary op with torch's dtype rules: sqrt/rsqrt/exp/log/log1p/sin/cos/tanh/
 * sigmoid/reciprocal of bool or int64 give float32; abs/neg/relu/sign/floor/ceil/round/
 * trunc/square keep int64 (square of bool gives int64); logical_not/isnan/isinf/isfinite
 * give bool. Errors as torch: neg of bool ("Negation, the `-` operator, on a bool tensor is
 * not supported. ..."), "\"abs_cpu\" not implemented for 'Bool'", "Boolean inputs not
 * supported for relu", "\"floor_vml_cpu\" not implemented for 'Bool'",
 * "\"bitwise_not_cpu\" not implemented for 'Float'". float32 exp/log/log1p/tanh/sin/cos
 * use SLEEF's algorithms (vmath.h) as torch does; float64 ones use libm. */
Tensor *tensor_unary(UnaryOp op, const Tensor *t, Error *err);
/* In place; errors when the result dtype cannot be cast back ("result type Float can't be
 * cast to the desired output type Long"; square_ of bool: "Found dtype Bool but expected
 * Long"; isnan_ & co. do not exist: AttributeError). */
int tensor_unary_(UnaryOp op, Tensor *t, Error *err);
/* clamp(min=, max=) with bounds as tensors (wrapped numbers for Python numbers, or
 * tensors, broadcast against t); NULL means no bound. Result dtype is
 * result_type(t, min, max) (an int tensor with a float bound gives float32). At least one
 * bound: "torch.clamp: At least one of 'min' or 'max' must not be None". The in-place form
 * fails when the result type cannot be cast to t's dtype, with ATen's wording ("result
 * type Float can't be cast to the desired output type long int"). */
Tensor *tensor_clamp_t(const Tensor *t, const Tensor *min, const Tensor *max, Error *err);
int tensor_clamp_t_(Tensor *t, const Tensor *min, const Tensor *max, Error *err);
/* clamp with double bounds: a bound is taken as a Python int when t is bool/int64 and the
 * value is integral, else as a Python float (use tensor_clamp_t to say which exactly). */
Tensor *tensor_clamp(const Tensor *t, bool has_min, double min, bool has_max, double max,
                     Error *err);
int tensor_clamp_(Tensor *t, bool has_min, double min, bool has_max, double max, Error *err);
/* where(cond, a, b) with broadcasting; result_type(a, b); cond must be bool ("where
 * expected condition to be a boolean tensor, but got a tensor with dtype Long"). */
Tensor *tensor_where(const Tensor *cond, const Tensor *a, const Tensor *b, Error *err);
/* torch.equal: same shape and equal values (compared after promotion; nan != nan). */
bool tensor_equal(const Tensor *a, const Tensor *b);
/* torch.allclose(a, b, rtol, atol, equal_nan): |a - b| <= atol + rtol * |b| in the
 * tensors' dtype, with broadcasting. The dtypes must match ("Long did not match Float"). */
int tensor_allclose(const Tensor *a, const Tensor *b, double rtol, double atol, bool equal_nan,
                    bool *out, Error *err);

/* tensor_matmul is declared in tensor_linalg.h (included here for existing callers). */
#include "core/tensor_linalg.h"

#endif
