/*
 * tests/unit/test_tensor_math.c — promotion, broadcasting binary/unary ops, clamp, where,
 * matmul, equal and allclose against torch-generated cases
 * (tests/data/tensor_ops_math.txt), plus allocation-failure injection.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "ops_golden.h"

static int find_binary(const char *name, BinaryOp *op) {
    for (int i = 0; i < BINARY_OP_COUNT; i++)
        if (strcmp(binary_op_name((BinaryOp)i), name) == 0) {
            *op = (BinaryOp)i;
            return 1;
        }
    return 0;
}

static int find_unary(const char *name, UnaryOp *op) {
    for (int i = 0; i < UNARY_OP_COUNT; i++)
        if (strcmp(unary_op_name((UnaryOp)i), name) == 0) {
            *op = (UnaryOp)i;
            return 1;
        }
    return 0;
}

static int status(Tensor *t, Error *err) { return t ? ERR_OK : (err->code ? (int)err->code : ERR_RUNTIME); }

static int run_math(const char *op, const char *params, Tensor **in, int nin, Tensor **out,
                    DType *dt, bool *flag, int *kind, Error *err) {
    (void)nin;
    char name[64];
    snprintf(name, sizeof name, "%s", op);
    size_t len = strlen(name);
    bool inplace = len > 1 && name[len - 1] == '_';
    if (inplace) name[len - 1] = '\0';
    BinaryOp bop = BIN_ADD;
    UnaryOp uop = UN_NEG;
    if (strcmp(name, "result_type") == 0) {
        *kind = 1;
        *dt = tensor_result_type(in[0], in[1]);
        return ERR_OK;
    }
    if (strcmp(name, "equal") == 0) {
        *kind = 2;
        *flag = tensor_equal(in[0], in[1]);
        return ERR_OK;
    }
    if (strcmp(name, "allclose") == 0) {
        *kind = 2;
        return tensor_allclose(in[0], in[1], 1e-5, 1e-8, gold_param_int(params, "equal_nan", 0),
                               flag, err);
    }
    if (strcmp(name, "strides") == 0) {
        char of[32] = "";
        gold_param(params, "of", of, sizeof of);
        Tensor *r = NULL;
        if (strcmp(of, "add") == 0) r = tensor_binary(BIN_ADD, in[0], in[1], err);
        else if (strcmp(of, "exp") == 0) r = tensor_unary(UN_EXP, in[0], err);
        else if (strcmp(of, "neg") == 0) r = tensor_unary(UN_NEG, in[0], err);
        else if (strcmp(of, "clamp") == 0) r = tensor_clamp(in[0], true, 0, false, 0, err);
        if (!r) return status(r, err);
        int64_t n = r->ndim;
        out[0] = tensor_from_int64s(DTYPE_INT64, 1, &n, r->stride, err);
        tensor_release(r);
        return status(out[0], err);
    }
    if (strcmp(name, "matmul") == 0) return status(out[0] = tensor_matmul(in[0], in[1], err), err);
    if (strcmp(name, "where") == 0) return status(out[0] = tensor_where(in[0], in[1], in[2], err), err);
    if (strcmp(name, "clamp") == 0) {
        if (!inplace) return status(out[0] = tensor_clamp_t(in[0], in[1], in[2], err), err);
        Tensor *c = tensor_clone(in[0], err);
        int rc = tensor_clamp_t_(c, in[1], in[2], err);
        if (rc == ERR_OK) out[0] = c;
        else tensor_release(c);
        return rc;
    }
    if (strcmp(name, "floor_divide") == 0) bop = BIN_FLOOR_DIV;
    else if (!find_binary(name, &bop) && !find_unary(name, &uop)) {
        return err_set(err, ERR_RUNTIME, "unknown op %s", op);
    }
    bool binary = strcmp(name, "floor_divide") == 0 || find_binary(name, &bop);
    if (!inplace) {
        if (binary) return status(out[0] = tensor_binary(bop, in[0], in[1], err), err);
        return status(out[0] = tensor_unary(uop, in[0], err), err);
    }
    Tensor *c = tensor_clone(in[0], err);
    int rc = binary ? tensor_binary_(bop, c, in[1], err) : tensor_unary_(uop, c, err);
    if (rc == ERR_OK) out[0] = c;
    else tensor_release(c);
    return rc;
}

static void test_tensor_math_golden_cases(void **state) {
    (void)state;
    GoldStats st;
    memset(&st, 0, sizeof st);
    gold_run_file("tests/data/tensor_ops_math.txt", run_math, &st);
    gold_report("tensor_ops_math", &st);
    assert_true(st.cases > 1000);
    assert_int_equal(st.failures, 0);
}

/* ---- hand-written checks of the API's own contracts ---- */

static Tensor *vec(DType dt, int n, const double *v) {
    int64_t shape[1] = {n};
    return tensor_from_doubles(dt, 1, shape, v, NULL);
}

static void test_tensor_math_wrapped_float_with_int_tensor_is_float32(void **state) {
    (void)state;
    Tensor *a = vec(DTYPE_INT64, 2, (double[]){1, 2});
    Tensor *w = tensor_wrap_number(DTYPE_FLOAT64, 2.5, NULL);
    Tensor *z = tensor_scalar(DTYPE_FLOAT64, 2.5, NULL);
    assert_int_equal(tensor_result_type(a, w), DTYPE_FLOAT32);
    assert_int_equal(tensor_result_type(a, z), DTYPE_FLOAT64);
    Tensor *r = tensor_binary(BIN_ADD, a, w, NULL);
    assert_int_equal(r->dtype, DTYPE_FLOAT32);
    assert_true(tensor_get(r, 1) == 4.5);
    tensor_release(r);
    tensor_release(a);
    tensor_release(w);
    tensor_release(z);
}

static void test_tensor_math_inplace_cast_error(void **state) {
    (void)state;
    Tensor *a = vec(DTYPE_INT64, 2, (double[]){1, 2});
    Tensor *f = vec(DTYPE_FLOAT32, 2, (double[]){1, 2});
    Error err;
    err_clear(&err);
    assert_int_equal(tensor_binary_(BIN_ADD, a, f, &err), ERR_RUNTIME);
    assert_string_equal(err.msg, "result type Float can't be cast to the desired output type Long");
    assert_int_equal(tensor_get_int(a, 0), 1);
    /* an in-place op whose operand aliases the target */
    Tensor *g = vec(DTYPE_FLOAT32, 2, (double[]){1.5, 2.5});
    assert_int_equal(tensor_binary_(BIN_MUL, g, g, &err), ERR_OK);
    assert_true(tensor_get(g, 1) == 6.25);
    tensor_release(a);
    tensor_release(f);
    tensor_release(g);
}

static void test_tensor_math_clamp_double_bounds(void **state) {
    (void)state;
    Tensor *a = vec(DTYPE_INT64, 3, (double[]){-2, 1, 7});
    Error err;
    err_clear(&err);
    Tensor *r = tensor_clamp(a, true, 0, true, 3, &err);
    assert_int_equal(r->dtype, DTYPE_INT64);
    assert_int_equal(tensor_get_int(r, 2), 3);
    tensor_release(r);
    r = tensor_clamp(a, true, 0.5, false, 0, &err);
    assert_int_equal(r->dtype, DTYPE_FLOAT32);
    assert_true(tensor_get(r, 0) == 0.5);
    tensor_release(r);
    assert_null(tensor_clamp(a, false, 0, false, 0, &err));
    assert_string_equal(err.msg, "torch.clamp: At least one of 'min' or 'max' must not be None");
    tensor_release(a);
}

/* ---- allocation failures ---- */

typedef Tensor *(*MathOp)(Tensor *a, Tensor *b, Error *err);

static Tensor *op_add_broadcast(Tensor *a, Tensor *b, Error *err) { return tensor_binary(BIN_ADD, a, b, err); }
static Tensor *op_matmul(Tensor *a, Tensor *b, Error *err) { return tensor_matmul(a, b, err); }

/* Runs op once to count its allocations, then fails each in turn: every run must fail
 * cleanly with ERR_MEMORY (leaks are caught by the sanitizer build). */
static void check_alloc_failures(MathOp op, Tensor *a, Tensor *b) {
    Error err;
    err_clear(&err);
    unsigned long before = mem_alloc_count();
    Tensor *r = op(a, b, &err);
    assert_non_null(r);
    tensor_release(r);
    unsigned long n = mem_alloc_count() - before;
    assert_true(n > 0);
    for (unsigned long i = 0; i < n; i++) {
        err_clear(&err);
        mem_fail_after((long)i);
        r = op(a, b, &err);
        mem_fail_after(-1);
        assert_null(r);
        assert_int_equal(err.code, ERR_MEMORY);
    }
}

static void test_tensor_math_alloc_failures(void **state) {
    (void)state;
    int64_t s23[2] = {2, 3}, s3[1] = {3}, s234[3] = {2, 3, 4}, s43[2] = {4, 3};
    Tensor *a = tensor_ones(DTYPE_FLOAT32, 2, s23, NULL);
    Tensor *b = tensor_ones(DTYPE_INT64, 1, s3, NULL);
    check_alloc_failures(op_add_broadcast, a, b);
    Tensor *c = tensor_ones(DTYPE_FLOAT32, 3, s234, NULL);
    Tensor *d = tensor_ones(DTYPE_FLOAT32, 2, s43, NULL);
    check_alloc_failures(op_matmul, c, d);   /* folded */
    Tensor *e = tensor_ones(DTYPE_FLOAT32, 1, s3, NULL);
    check_alloc_failures(op_matmul, e, c);   /* folded, transposed */
    Tensor *f = tensor_ones(DTYPE_FLOAT32, 3, (int64_t[]){2, 4, 3}, NULL);
    check_alloc_failures(op_matmul, c, f);   /* batched */
    tensor_release(a);
    tensor_release(b);
    tensor_release(c);
    tensor_release(d);
    tensor_release(e);
    tensor_release(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensor_math_golden_cases),
        cmocka_unit_test(test_tensor_math_wrapped_float_with_int_tensor_is_float32),
        cmocka_unit_test(test_tensor_math_inplace_cast_error),
        cmocka_unit_test(test_tensor_math_clamp_double_bounds),
        cmocka_unit_test(test_tensor_math_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
