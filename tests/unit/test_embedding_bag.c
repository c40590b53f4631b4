/*
 * tests/unit/test_embedding_bag.c — nn.EmbeddingBag / F.embedding_bag
 * (src/core/embedding_bag.c) against real PyTorch 1.13: tests/data/embedding_bag_cases.txt
 * (tests/tools/gen_embedding.py) covers sum/mean/max on 1-D + offsets and 2-D inputs,
 * empty bags, include_last_offset, padding_idx, per_sample_weights (fused and unfused
 * kernels), strided and float64 weights, max_norm, 4096-bag sums at scale, torch's offset
 * quirks and every error. Also aux outputs and allocation-failure injection.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "nn_cases.h"

#include "core/embedding_bag.h"
#include "core/tensor_math.h"

static void run_bag(const CaseLine *cl) {
    Tensor *w = case_arg_tensor(cl, "weight");
    Tensor *in = case_arg_tensor(cl, "input");
    Tensor *offs = case_arg_tensor(cl, "offsets");
    Tensor *psw = case_arg_tensor(cl, "psw");
    const char *pad = case_arg(cl, "pad"), *mn = case_arg(cl, "max_norm");
    BagOptions opt = BAG_OPTIONS_INIT;
    opt.offsets = offs;
    opt.mode = case_arg(cl, "mode");
    opt.per_sample_weights = psw;
    opt.include_last_offset = case_int(case_arg(cl, "last")) != 0;
    opt.has_padding_idx = !case_none(pad);
    opt.padding_idx = opt.has_padding_idx ? case_int(pad) : 0;
    opt.has_max_norm = !case_none(mn);
    opt.max_norm = opt.has_max_norm ? case_double(mn) : 0.0;
    opt.norm_type = case_double(case_arg(cl, "p"));
    opt.scale_grad_by_freq = case_int(case_arg(cl, "sgf")) != 0;
    opt.sparse = case_int(case_arg(cl, "sparse")) != 0;
    Error err;
    err_clear(&err);
    BagAux aux = {NULL, NULL, NULL};
    Tensor *out = bag_forward(w, in, &opt, &aux, &err);
    if (case_outcome(cl, out ? ERR_OK : err.code, &err)) {
        case_check_result(cl, "out", out);
        case_check_result(cl, "weight", w);
        if (strcmp(opt.mode, "max") == 0) case_check_result(cl, "maxidx", aux.max_indices);
        else assert_null(aux.max_indices);
        assert_non_null(aux.offset2bag);
        assert_int_equal(aux.bag_size->shape[0], out->shape[0]);
    }
    bag_aux_release(&aux);
    tensor_release(out);
    tensor_release(w);
    tensor_release(in);
    tensor_release(offs);
    tensor_release(psw);
}

static void test_embedding_bag_torch_cases(void **state) {
    (void)state;
    CaseFile cf;
    case_open(&cf, "tests/data/embedding_bag_cases.txt");
    CaseLine cl;
    int cases = 0;
    case_values_checked = 0;
    while (case_next(&cf, &cl)) {
        if (strcmp(cl.op, "bag") == 0) run_bag(&cl);
        else fail_msg("%s: unknown op", cl.ctx);
        cases++;
    }
    case_close(&cf);
    assert_true(cases >= 140);
    printf("    embedding_bag: %d torch cases, %ld values bit-identical\n", cases,
           case_values_checked);
}

/* ---- helpers ---- */

static Tensor *table(int64_t n, int64_t d) {
    int64_t shape[2] = {n, d};
    Tensor *w = tensor_zeros(DTYPE_FLOAT32, 2, shape, NULL);
    assert_non_null(w);
    for (int64_t i = 0; i < n * d; i++) tensor_set(w, i, (double)(i + 1));
    return w;
}

static Tensor *ints(int64_t count, const int64_t *values) {
    int64_t shape[1] = {count};
    Tensor *t = tensor_from_int64s(DTYPE_INT64, 1, shape, values, NULL);
    assert_non_null(t);
    return t;
}

/* The documented example: rows [2i+1, 2i+2], input [0,2,4,5,1], offsets [0,3]; also the
 * aux tensors the backward pass will use (padding entries leave the divisor). */
static void test_embedding_bag_modes_and_aux(void **state) {
    (void)state;
    Tensor *w = table(6, 2);
    const int64_t iv[] = {0, 2, 4, 5, 1}, ov[] = {0, 3};
    Tensor *in = ints(5, iv), *offs = ints(2, ov);
    static const double want[3][4] = {{15, 18, 14, 16}, {5, 6, 7, 8}, {9, 10, 11, 12}};
    static const char *const modes[3] = {"sum", "mean", "max"};
    for (int m = 0; m < 3; m++) {
        BagOptions opt = BAG_OPTIONS_INIT;
        opt.offsets = offs;
        opt.mode = modes[m];
        BagAux aux;
        Tensor *out = bag_forward(w, in, &opt, &aux, NULL);
        assert_non_null(out);
        for (int i = 0; i < 4; i++) assert_true(tensor_get(out, i) == want[m][i]);
        assert_int_equal(tensor_get_int(aux.offset2bag, 3), 1);
        assert_int_equal(tensor_get_int(aux.bag_size, 0), 3);
        if (m == 2) {
            assert_int_equal(tensor_get_int(aux.max_indices, 0), 4);
            assert_int_equal(tensor_get_int(aux.max_indices, 3), 5);
        }
        bag_aux_release(&aux);
        tensor_release(out);
    }
    /* padding_idx=2: bag 0 is rows 0 and 4, the mean divides by 2 */
    BagOptions opt = BAG_OPTIONS_INIT;
    opt.offsets = offs;
    opt.has_padding_idx = true;
    opt.padding_idx = 2;
    BagAux aux;
    Tensor *out = bag_forward(w, in, &opt, &aux, NULL);
    assert_non_null(out);
    assert_true(tensor_get(out, 0) == (1.0 + 9.0) / 2);
    assert_int_equal(tensor_get_int(aux.bag_size, 0), 2);
    bag_aux_release(&aux);
    tensor_release(out);
    /* NULL options are torch's defaults (mean) — which needs offsets: an error */
    Error err;
    err_clear(&err);
    assert_null(bag_forward(w, in, NULL, NULL, &err));
    assert_string_equal(err.msg, "offsets has to be a 1D Tensor but got None");
    tensor_release(in);
    tensor_release(offs);
    tensor_release(w);
}

/* Every allocation of bag_forward fails in turn, in each mode and path: MemoryError, no
 * output, no leak (checked under ASan), aux left empty. */
static void test_embedding_bag_allocation_failures(void **state) {
    (void)state;
    const int64_t iv[] = {0, 2, 4, 5, 1, 3}, ov[] = {0, 2, 2};
    static const char *const modes[3] = {"sum", "mean", "max"};
    for (int variant = 0; variant < 6; variant++) {
        Tensor *w = table(6, 3);
        Tensor *in0 = ints(6, iv), *offs = ints(3, ov);
        int64_t shape2[2] = {3, 2};
        Tensor *in = variant >= 3 ? tensor_reshape(in0, 2, shape2, NULL) : tensor_retain(in0);
        BagOptions opt = BAG_OPTIONS_INIT;
        opt.offsets = variant >= 3 ? NULL : offs;
        opt.mode = modes[variant % 3];
        opt.has_padding_idx = variant == 1;
        opt.padding_idx = 2;
        opt.has_max_norm = variant == 4;
        opt.max_norm = 5.0;
        Error err;
        err_clear(&err);
        BagAux aux;
        unsigned long before = mem_alloc_count();
        Tensor *ref = bag_forward(w, in, &opt, &aux, &err);
        unsigned long allocs = mem_alloc_count() - before;
        assert_non_null(ref);
        bag_aux_release(&aux);
        for (unsigned long k = 0; k < allocs; k++) {
            Tensor *w2 = table(6, 3);
            err_clear(&err);
            mem_fail_after((long)k);
            memset(&aux, 0, sizeof aux);
            Tensor *out = bag_forward(w2, in, &opt, &aux, &err);
            mem_fail_after(-1);
            if (out) {
                /* the injected failure hit table()'s allocation, before the call */
                assert_true(tensor_equal(out, ref));
                bag_aux_release(&aux);
                tensor_release(out);
            } else {
                assert_int_equal(err.code, ERR_MEMORY);
                assert_null(aux.offset2bag);
            }
            tensor_release(w2);
        }
        tensor_release(ref);
        tensor_release(in);
        tensor_release(in0);
        tensor_release(offs);
        tensor_release(w);
    }
}

static void test_embedding_bag_mode_names(void **state) {
    (void)state;
    BagMode m;
    Error err;
    err_clear(&err);
    assert_int_equal(bag_mode_parse("max", &m, &err), ERR_OK);
    assert_int_equal(m, BAG_MAX);
    assert_string_equal(bag_mode_name(BAG_MEAN), "mean");
    assert_int_equal(bag_mode_parse("Sum", &m, &err), ERR_VALUE);
    assert_string_equal(err.msg, "mode has to be one of sum, mean or max");
    int64_t norm;
    assert_int_equal(bag_check_padding_idx(6, -1, &norm, &err), ERR_OK);
    assert_int_equal(norm, 5);
    assert_int_equal(bag_check_padding_idx(6, 6, &norm, &err), ERR_ASSERTION);
    assert_string_equal(err.msg, "padding_idx must be within num_embeddings");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedding_bag_torch_cases),
        cmocka_unit_test(test_embedding_bag_modes_and_aux),
        cmocka_unit_test(test_embedding_bag_allocation_failures),
        cmocka_unit_test(test_embedding_bag_mode_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
