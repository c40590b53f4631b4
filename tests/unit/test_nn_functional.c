/*
 * tests/unit/test_nn_functional.c — torch.nn.functional (src/core/nn_functional.c)
 * against real PyTorch 1.13: tests/data/nnf_cases.txt (tests/tools/gen_nn.py) covers
 * one_hot, cosine_similarity, normalize, linear, relu, softmax/log_softmax (many row
 * lengths, dims and special values) and dropout on seeded generators, with every error.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "nn_cases.h"

#include "core/hist.h"
#include "core/mem.h"
#include "core/nn_functional.h"

static void run_case(const CaseLine *cl) {
    const char *op = cl->op;
    Error err;
    err_clear(&err);
    Tensor *a = NULL, *b = NULL, *c = NULL, *out = NULL;
    if (strcmp(op, "onehot") == 0) {
        a = case_arg_tensor(cl, "t");
        out = nnf_one_hot(a, case_int(case_arg(cl, "n")), &err);
    } else if (strcmp(op, "cos") == 0) {
        a = case_arg_tensor(cl, "x1");
        b = case_arg_tensor(cl, "x2");
        out = nnf_cosine_similarity(a, b, case_int(case_arg(cl, "dim")), case_double(case_arg(cl, "eps")), &err);
    } else if (strcmp(op, "normalize") == 0) {
        a = case_arg_tensor(cl, "t");
        out = nnf_normalize(a, case_double(case_arg(cl, "p")), case_int(case_arg(cl, "dim")),
                            case_double(case_arg(cl, "eps")), &err);
    } else if (strcmp(op, "linear") == 0) {
        a = case_arg_tensor(cl, "x");
        b = case_arg_tensor(cl, "w");
        c = case_arg_tensor(cl, "b");
        out = nnf_linear(a, b, c, &err);
    } else if (strcmp(op, "relu") == 0) {
        a = case_arg_tensor(cl, "t");
        out = nnf_relu(a, &err);
    } else if (strcmp(op, "softmax") == 0) {
        a = case_arg_tensor(cl, "t");
        int64_t dim = case_int(case_arg(cl, "dim"));
        out = case_int(case_arg(cl, "log")) ? nnf_log_softmax(a, dim, &err) : nnf_softmax(a, dim, &err);
    } else if (strcmp(op, "dropout") == 0) {
        a = case_arg_tensor(cl, "t");
        Generator g;
        rng_init(&g, (uint64_t)case_int(case_arg(cl, "seed")));
        out = nnf_dropout(a, case_double(case_arg(cl, "p")), case_find(cl, "ptext", false),
                          case_int(case_arg(cl, "train")) != 0, &g, &err);
    } else if (strcmp(op, "hist") == 0) {
        a = case_arg_tensor(cl, "t");
        Tensor *edges = NULL;
        int rc = hist_counts(a, case_int(case_arg(cl, "bins")), case_double(case_arg(cl, "min")),
                             case_double(case_arg(cl, "max")), &out, &edges, &err);
        if (case_outcome(cl, rc, &err)) {
            case_check_result(cl, "counts", out);
            case_check_result(cl, "edges", edges);
        }
        tensor_release(edges);
        tensor_release(out);
        tensor_release(a);
        return;
    } else {
        fail_msg("%s: unknown op", cl->ctx);
    }
    if (case_outcome(cl, out ? ERR_OK : err.code, &err)) case_check_result(cl, "out", out);
    tensor_release(out);
    tensor_release(a);
    tensor_release(b);
    tensor_release(c);
}

static void test_nn_functional_torch_cases(void **state) {
    (void)state;
    CaseFile cf;
    case_open(&cf, "tests/data/nnf_cases.txt");
    CaseLine cl;
    int cases = 0;
    case_values_checked = 0;
    while (case_next(&cf, &cl)) {
        run_case(&cl);
        cases++;
    }
    case_close(&cf);
    printf("    nn.functional: %d torch cases, %ld values bit-identical\n", cases, case_values_checked);
}

/* dim=None picks torch's legacy dim; dropout formats p as Python's str(float). */
static void test_nn_functional_defaults_and_messages(void **state) {
    (void)state;
    assert_int_equal(nnf_softmax_default_dim(0), 0);
    assert_int_equal(nnf_softmax_default_dim(1), 0);
    assert_int_equal(nnf_softmax_default_dim(2), 1);
    assert_int_equal(nnf_softmax_default_dim(3), 0);
    assert_int_equal(nnf_softmax_default_dim(4), 1);
    int64_t shape[1] = {3};
    Tensor *t = tensor_ones(DTYPE_FLOAT32, 1, shape, NULL);
    Generator g;
    memset(&g, 0, sizeof g); /* padding too: the whole struct is compared below */
    rng_init(&g, 0);
    static const struct { double p; const char *text; } cases[] = {
        {1.5, "1.5"}, {2.0, "2.0"}, {-1e-05, "-1e-05"}, {1e16, "1e+16"}, {-0.1, "-0.1"},
        {1.0000001, "1.0000001"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Error err;
        err_clear(&err);
        assert_null(nnf_dropout(t, cases[i].p, NULL, true, &g, &err));
        char want[128];
        snprintf(want, sizeof want, "dropout probability has to be between 0 and 1, but got %s", cases[i].text);
        assert_string_equal(err.msg, want);
    }
    /* eval mode: the input itself, nothing drawn */
    Generator before;
    memcpy(&before, &g, sizeof g);
    Tensor *same = nnf_dropout(t, 0.5, NULL, false, &g, NULL);
    assert_ptr_equal(same, t);
    assert_memory_equal(&before, &g, sizeof g);
    tensor_release(same);
    tensor_release(t);
}

/* The SLEEF lanes at their edges (bit patterns checked against libsleef in development). */
static void test_nn_functional_sleef_edges(void **state) {
    (void)state;
    assert_true(nnf_sleef_expf(0.0f) == 1.0f);
    assert_true(nnf_sleef_expf(-105.0f) == 0.0f);
    assert_true(isinf(nnf_sleef_expf(101.0f)));
    assert_true(isnan(nnf_sleef_expf(NAN)));
    assert_true(nnf_sleef_logf(1.0f) == 0.0f);
    assert_true(isinf(nnf_sleef_logf(0.0f)) && nnf_sleef_logf(0.0f) < 0);
    assert_true(isnan(nnf_sleef_logf(-1.0f)));
    assert_true(isinf(nnf_sleef_logf(INFINITY)));
    assert_true(fabsf(nnf_sleef_logf(1e-40f) - logf(1e-40f)) < 1e-4f);
}

/* Each allocation of each operation fails in turn: NULL and MemoryError, no leak (ASan). */
static Tensor *call_op(int op, const Tensor *x, const Tensor *w, Generator *g, Error *err) {
    switch (op) {
    case 0: return nnf_softmax(x, 0, err);
    case 1: return nnf_log_softmax(x, 1, err);
    case 2: return nnf_cosine_similarity(x, x, 1, 1e-8, err);
    case 3: return nnf_normalize(x, 2.0, 1, 1e-12, err);
    case 4: return nnf_linear(w, w, NULL, err);
    case 5: return nnf_relu(x, err);
    case 6: return nnf_dropout(x, 0.5, NULL, true, g, err);
    default: {
        int64_t shape[2] = {3, 4};
        Tensor *idx = tensor_zeros(DTYPE_INT64, 2, shape, err);
        Tensor *out = idx ? nnf_one_hot(idx, 3, err) : NULL;
        tensor_release(idx);
        return out;
    }
    }
}

static void test_nn_functional_allocation_failures(void **state) {
    (void)state;
    int64_t shape[2] = {3, 4};
    Tensor *x = tensor_zeros(DTYPE_FLOAT32, 2, shape, NULL);
    Generator g;
    rng_init(&g, 1);
    assert_int_equal(rng_normal_(&g, x, 0, 1, NULL), ERR_OK);
    Tensor *xt = tensor_transpose(x, 0, 1, NULL); /* non-contiguous: copies are made */
    for (int op = 0; op < 8; op++) {
        Error err;
        err_clear(&err);
        unsigned long before = mem_alloc_count();
        Tensor *ref = call_op(op, xt, x, &g, &err);
        unsigned long allocs = mem_alloc_count() - before;
        assert_non_null(ref);
        tensor_release(ref);
        for (unsigned long k = 0; k < allocs; k++) {
            err_clear(&err);
            mem_fail_after((long)k);
            Tensor *out = call_op(op, xt, x, &g, &err);
            mem_fail_after(-1);
            if (out) fail_msg("op %d: allocation %lu failed but the call succeeded", op, k);
            assert_int_equal(err.code, ERR_MEMORY);
        }
    }
    tensor_release(xt);
    tensor_release(x);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nn_functional_torch_cases),
        cmocka_unit_test(test_nn_functional_defaults_and_messages),
        cmocka_unit_test(test_nn_functional_sleef_edges),
        cmocka_unit_test(test_nn_functional_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
