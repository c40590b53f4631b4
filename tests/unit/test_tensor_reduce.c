/*
 * tests/unit/test_tensor_reduce.c — sum/mean (bit for bit, torch's cascade order),
 * std/var, norm, prod, all/any, min/max/argmax/argmin, sort and topk against
 * torch-generated cases (tests/data/tensor_ops_reduce.txt), plus allocation-failure
 * injection. See LICENSE (GPL-3.0-or-later).
 */
#include "ops_golden.h"

static int status(Tensor *t, Error *err) { return t ? ERR_OK : (err->code ? (int)err->code : ERR_RUNTIME); }

static int run_reduce(const char *op, const char *params, Tensor **in, int nin, Tensor **out,
                      DType *dt, bool *flag, int *kind, Error *err) {
    (void)nin, (void)dt, (void)flag, (void)kind;
    DimList dl;
    const DimList *dims = gold_dims(params, &dl) ? &dl : NULL;
    bool keep = gold_param_int(params, "keepdim", 0);
    Tensor *t = in[0];
    if (strcmp(op, "sum") == 0) return status(out[0] = tensor_sum(t, dims, keep, err), err);
    if (strcmp(op, "mean") == 0) return status(out[0] = tensor_mean(t, dims, keep, err), err);
    if (strcmp(op, "prod") == 0) return status(out[0] = tensor_prod(t, dims, keep, err), err);
    if (strcmp(op, "all") == 0) return status(out[0] = tensor_all(t, dims, keep, err), err);
    if (strcmp(op, "any") == 0) return status(out[0] = tensor_any(t, dims, keep, err), err);
    int corr = (int)gold_param_int(params, "correction", 1);
    if (strcmp(op, "std") == 0) return status(out[0] = tensor_std(t, dims, corr, keep, err), err);
    if (strcmp(op, "var") == 0) return status(out[0] = tensor_var(t, dims, corr, keep, err), err);
    if (strcmp(op, "norm") == 0) {
        char p[32] = "2";
        gold_param(params, "p", p, sizeof p);
        return status(out[0] = tensor_norm(t, strtod(p, NULL), dims, keep, err), err);
    }
    if (strcmp(op, "max_all") == 0) return status(out[0] = tensor_max_all(t, err), err);
    if (strcmp(op, "min_all") == 0) return status(out[0] = tensor_min_all(t, err), err);
    char v[32];
    bool has_dim = gold_param(params, "dim", v, sizeof v);
    int64_t dim = has_dim ? strtoll(v, NULL, 10) : -1;
    if (strcmp(op, "max_dim") == 0) return tensor_max_dim(t, dim, keep, &out[0], &out[1], err);
    if (strcmp(op, "min_dim") == 0) return tensor_min_dim(t, dim, keep, &out[0], &out[1], err);
    if (strcmp(op, "argmax") == 0) return status(out[0] = tensor_argmax(t, has_dim, dim, keep, err), err);
    if (strcmp(op, "argmin") == 0) return status(out[0] = tensor_argmin(t, has_dim, dim, keep, err), err);
    if (strcmp(op, "sort") == 0)
        return tensor_sort(t, dim, gold_param_int(params, "descending", 0), &out[0], &out[1], err);
    if (strcmp(op, "topk") == 0)
        return tensor_topk(t, gold_param_int(params, "k", 1), dim,
                           gold_param_int(params, "largest", 1), gold_param_int(params, "sorted", 1),
                           &out[0], &out[1], err);
    return err_set(err, ERR_RUNTIME, "unknown op %s", op);
}

static void test_tensor_reduce_golden_cases(void **state) {
    (void)state;
    GoldStats st;
    memset(&st, 0, sizeof st);
    gold_run_file("tests/data/tensor_ops_reduce.txt", run_reduce, &st);
    gold_report("tensor_ops_reduce", &st);
    assert_true(st.cases > 1000);
    assert_int_equal(st.failures, 0);
}

/* ---- allocation failures ---- */

typedef int (*RedOp)(const Tensor *t, Tensor **a, Tensor **b, Error *err);

static int op_sum_dim(const Tensor *t, Tensor **a, Tensor **b, Error *err) {
    (void)b;
    DimList dl = {1, {1}};
    *a = tensor_sum(t, &dl, false, err);
    return *a ? ERR_OK : err->code;
}

static int op_std_dim(const Tensor *t, Tensor **a, Tensor **b, Error *err) {
    (void)b;
    DimList dl = {1, {0}};
    *a = tensor_std(t, &dl, 1, true, err);
    return *a ? ERR_OK : err->code;
}

static int op_std_all(const Tensor *t, Tensor **a, Tensor **b, Error *err) {
    (void)b;
    *a = tensor_std(t, NULL, 1, false, err);
    return *a ? ERR_OK : err->code;
}

static int op_sort(const Tensor *t, Tensor **a, Tensor **b, Error *err) {
    return tensor_sort(t, -1, true, a, b, err);
}

static int op_argmax(const Tensor *t, Tensor **a, Tensor **b, Error *err) {
    (void)b;
    *a = tensor_argmax(t, false, 0, true, err);
    return *a ? ERR_OK : err->code;
}

static void check_alloc_failures(RedOp op, const Tensor *t) {
    Error err;
    err_clear(&err);
    Tensor *a = NULL, *b = NULL;
    unsigned long before = mem_alloc_count();
    assert_int_equal(op(t, &a, &b, &err), ERR_OK);
    tensor_release(a);
    tensor_release(b);
    unsigned long n = mem_alloc_count() - before;
    assert_true(n > 0);
    for (unsigned long i = 0; i < n; i++) {
        err_clear(&err);
        a = b = NULL;
        mem_fail_after((long)i);
        int rc = op(t, &a, &b, &err);
        mem_fail_after(-1);
        assert_int_equal(rc, ERR_MEMORY);
        assert_int_equal(err.code, ERR_MEMORY);
        assert_null(a);
        assert_null(b);
    }
}

static void test_tensor_reduce_alloc_failures(void **state) {
    (void)state;
    int64_t shape[2] = {5, 7};
    Tensor *t = tensor_arange(0, 35, 1, DTYPE_FLOAT32, NULL);
    Tensor *m = tensor_view(t, 2, shape, NULL);
    Tensor *mt = tensor_t(m, NULL);
    check_alloc_failures(op_sum_dim, m);
    check_alloc_failures(op_sum_dim, mt);
    check_alloc_failures(op_std_dim, m);
    check_alloc_failures(op_std_all, mt);
    check_alloc_failures(op_sort, m);
    check_alloc_failures(op_argmax, mt);
    tensor_release(t);
    tensor_release(m);
    tensor_release(mt);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensor_reduce_golden_cases),
        cmocka_unit_test(test_tensor_reduce_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
