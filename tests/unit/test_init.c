/*
 * tests/unit/test_init.c — torch.nn.init (src/core/init.c) against real PyTorch 1.13:
 * tests/data/init_cases.txt (tests/tools/gen_nn.py) holds gains, fans, every initialiser
 * on seeded generators (values bit for bit, including trunc_normal_'s erfinv and
 * orthogonal_'s QR) and every error. See LICENSE (GPL-3.0-or-later).
 */
#include "nn_cases.h"

#include "core/init.h"

static bool has_arg(const CaseLine *cl, const char *key) { return case_find(cl, key, false) != NULL; }

static double arg_or(const CaseLine *cl, const char *key, double dflt) {
    return has_arg(cl, key) ? case_double(case_arg(cl, key)) : dflt;
}

static const char *str_or(const CaseLine *cl, const char *key, const char *dflt) {
    return has_arg(cl, key) ? case_arg(cl, key) : dflt;
}

static void run_gain(const CaseLine *cl) {
    const char *p = case_arg(cl, "param");
    const char *bad = strncmp(p, "bad:", 4) == 0 ? p + 4 : NULL;
    double g = 0;
    Error err;
    err_clear(&err);
    int rc = init_calculate_gain(case_arg(cl, "nl"), !case_none(p), bad || case_none(p) ? 0 : case_double(p),
                                 bad, &g, &err);
    if (case_outcome(cl, rc, &err)) {
        double want = case_double(case_find(cl, "gain", true));
        if (memcmp(&g, &want, sizeof g) != 0) fail_msg("%s: gain %a, torch %a", cl->ctx, g, want);
        case_values_checked++;
    }
}

static void run_fans(const CaseLine *cl) {
    Tensor *t = case_arg_tensor(cl, "t");
    int64_t fi = -1, fo = -1;
    Error err;
    err_clear(&err);
    if (case_outcome(cl, init_fans(t, &fi, &fo, &err), &err)) {
        assert_int_equal(fi, case_int(case_find(cl, "fan_in", true)));
        assert_int_equal(fo, case_int(case_find(cl, "fan_out", true)));
    }
    tensor_release(t);
}

static void run_init(const CaseLine *cl) {
    Tensor *t = case_arg_tensor(cl, "t");
    const char *fn = case_arg(cl, "fn");
    Generator g;
    rng_init(&g, (uint64_t)case_int(case_arg(cl, "seed")));
    Error err;
    err_clear(&err);
    int rc;
    bool noop = false;
    const char *a_str = str_or(cl, "a", NULL);
    const char *a_bad = a_str && strncmp(a_str, "bad:", 4) == 0 ? a_str + 4 : NULL;
    double a_num = a_str && !a_bad ? case_double(a_str) : 0.0;
    if (strcmp(fn, "uniform") == 0) rc = init_uniform_(t, arg_or(cl, "a", 0), arg_or(cl, "b", 1), &g, &err);
    else if (strcmp(fn, "normal") == 0) rc = init_normal_(t, arg_or(cl, "mean", 0), arg_or(cl, "std", 1), &g, &err);
    else if (strcmp(fn, "constant") == 0) rc = init_constant_(t, arg_or(cl, "val", 0), &err);
    else if (strcmp(fn, "zeros") == 0) rc = init_zeros_(t, &err);
    else if (strcmp(fn, "ones") == 0) rc = init_ones_(t, &err);
    else if (strcmp(fn, "eye") == 0) rc = init_eye_(t, &err);
    else if (strcmp(fn, "xavier_uniform") == 0) rc = init_xavier_uniform_(t, arg_or(cl, "gain", 1), &g, &err);
    else if (strcmp(fn, "xavier_normal") == 0) rc = init_xavier_normal_(t, arg_or(cl, "gain", 1), &g, &err);
    else if (strcmp(fn, "kaiming_uniform") == 0 || strcmp(fn, "kaiming_normal") == 0)
        rc = (fn[8] == 'u' ? init_kaiming_uniform_ : init_kaiming_normal_)(
            t, a_num, a_bad, str_or(cl, "mode", "fan_in"), str_or(cl, "nl", "leaky_relu"), &g, &noop, &err);
    else if (strcmp(fn, "trunc_normal") == 0)
        rc = init_trunc_normal_(t, arg_or(cl, "mean", 0), arg_or(cl, "std", 1), arg_or(cl, "a", -2),
                                arg_or(cl, "b", 2), &g, &err);
    else {
        fail_msg("%s: unknown init %s", cl->ctx, fn);
        rc = ERR_RUNTIME;
    }
    if (case_outcome(cl, rc, &err)) {
        case_check_result(cl, "t", t);
        assert_int_equal(noop, case_find(cl, "noop", true) != NULL);
    }
    tensor_release(t);
}

static void run_orth(const CaseLine *cl) {
    Tensor *t = case_arg_tensor(cl, "t");
    Generator g;
    rng_init(&g, (uint64_t)case_int(case_arg(cl, "seed")));
    Error err;
    err_clear(&err);
    int rc = init_orthogonal_(t, case_double(case_arg(cl, "gain")), &g, &err);
    if (case_outcome(cl, rc, &err)) case_check_result(cl, "t", t);
    tensor_release(t);
}

static void test_init_torch_cases(void **state) {
    (void)state;
    CaseFile cf;
    case_open(&cf, "tests/data/init_cases.txt");
    CaseLine cl;
    int cases = 0;
    case_values_checked = 0;
    while (case_next(&cf, &cl)) {
        if (strcmp(cl.op, "gain") == 0) run_gain(&cl);
        else if (strcmp(cl.op, "fans") == 0) run_fans(&cl);
        else if (strcmp(cl.op, "init") == 0) run_init(&cl);
        else if (strcmp(cl.op, "orth") == 0) run_orth(&cl);
        else fail_msg("%s: unknown op", cl.ctx);
        cases++;
    }
    case_close(&cf);
    assert_true(cases >= 120);
    printf("    init: %d torch cases, %ld values bit-identical\n", cases, case_values_checked);
}

/* orthogonal_'s scratch allocations fail in turn: MemoryError, the tensor untouched. */
static void test_init_orthogonal_allocation_failures(void **state) {
    (void)state;
    int64_t shape[2] = {6, 4};
    Tensor *t = tensor_zeros(DTYPE_FLOAT32, 2, shape, NULL);
    Generator g;
    rng_init(&g, 0);
    unsigned long before = mem_alloc_count();
    assert_int_equal(init_orthogonal_(t, 1.0, &g, NULL), ERR_OK);
    unsigned long allocs = mem_alloc_count() - before;
    assert_true(allocs >= 2);
    for (unsigned long k = 0; k < allocs; k++) {
        Tensor *u = tensor_zeros(DTYPE_FLOAT32, 2, shape, NULL);
        Error err;
        err_clear(&err);
        mem_fail_after((long)k);
        int rc = init_orthogonal_(u, 1.0, &g, &err);
        mem_fail_after(-1);
        assert_int_equal(rc, ERR_MEMORY);
        for (int i = 0; i < 24; i++) assert_true(tensor_get(u, i) == 0.0);
        tensor_release(u);
    }
    tensor_release(t);
}

/* The warning predicate of trunc_normal_ and the erfinv edge values. */
static void test_init_trunc_normal_warning_and_erfinv_edges(void **state) {
    (void)state;
    assert_true(init_trunc_normal_warns(10.0, 1.0, -2.0, 2.0));
    assert_true(init_trunc_normal_warns(-10.0, 1.0, -2.0, 2.0));
    assert_false(init_trunc_normal_warns(0.0, 1.0, -2.0, 2.0));
    assert_true(isinf(init_erfinv_f(1.0f)) && init_erfinv_f(-1.0f) < 0);
    assert_true(isnan(init_erfinv_f(1.5f)));
    assert_true(init_erfinv_f(0.0f) == 0.0f);
    assert_true(isinf(init_erfinv_d(-1.0)));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_torch_cases),
        cmocka_unit_test(test_init_orthogonal_allocation_failures),
        cmocka_unit_test(test_init_trunc_normal_warning_and_erfinv_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
