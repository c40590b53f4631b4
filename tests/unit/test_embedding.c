/*
 * tests/unit/test_embedding.c — nn.Embedding / F.embedding (src/core/embedding.c) against
 * real PyTorch 1.13: tests/data/embedding_cases.txt (tests/tools/gen_embedding.py) holds
 * lookups of every index shape and layout, max_norm renormalisation for several norms,
 * seeded weights, padding_idx rules and every error message. Also the learner hints and
 * allocation-failure injection. See LICENSE (GPL-3.0-or-later).
 */
#include "nn_cases.h"

#include "core/embedding.h"
#include "core/embedding_bag.h"
#include "core/tensor_math.h"

/* ---- the torch cases ---- */

static void run_emb(const CaseLine *cl) {
    Tensor *w = case_arg_tensor(cl, "weight");
    Tensor *idx = case_arg_tensor(cl, "idx");
    const char *pad = case_arg(cl, "pad"), *mn = case_arg(cl, "max_norm");
    Error err;
    err_clear(&err);
    Tensor *out = emb_forward(w, idx, !case_none(pad), case_none(pad) ? 0 : case_int(pad),
                              !case_none(mn), case_none(mn) ? 0 : case_double(mn),
                              case_double(case_arg(cl, "p")), &err);
    if (case_outcome(cl, out ? ERR_OK : err.code, &err)) {
        case_check_result(cl, "out", out);
        case_check_result(cl, "weight", w);
        assert_true(tensor_is_contiguous(out));
    }
    tensor_release(out);
    tensor_release(w);
    tensor_release(idx);
}

static void run_renorm(const CaseLine *cl) {
    Tensor *w = case_arg_tensor(cl, "weight");
    Tensor *idx = case_arg_tensor(cl, "idx");
    Error err;
    err_clear(&err);
    int rc = emb_renorm_(w, idx, case_double(case_arg(cl, "max_norm")),
                         case_double(case_arg(cl, "p")), &err);
    if (case_outcome(cl, rc, &err)) case_check_result(cl, "weight", w);
    tensor_release(w);
    tensor_release(idx);
}

/* nn.Embedding(n, 2, padding_idx=pad) / nn.EmbeddingBag: the check, then the weight. */
static void run_padcheck(const CaseLine *cl) {
    int64_t n = case_int(case_arg(cl, "n")), pad = case_int(case_arg(cl, "pad")), norm = -99;
    bool bag = case_int(case_arg(cl, "bag")) != 0;
    Error err;
    err_clear(&err);
    int rc = bag ? bag_check_padding_idx(n, pad, &norm, &err) : emb_check_padding_idx(n, pad, &norm, &err);
    if (rc == ERR_OK) {
        Generator g;
        rng_init(&g, 0);
        Tensor *w = emb_new_weight(n, 2, true, norm, &g, &err);
        rc = w ? ERR_OK : err.code;
        tensor_release(w);
    }
    if (case_outcome(cl, rc, &err)) {
        const char *want = case_find(cl, "pad", true);
        assert_non_null(want);
        assert_int_equal(norm, case_int(want));
    }
}

static void run_newweight(const CaseLine *cl) {
    int64_t n = case_int(case_arg(cl, "n")), d = case_int(case_arg(cl, "d"));
    const char *pad = case_arg(cl, "pad");
    Error err;
    err_clear(&err);
    int64_t norm = 0;
    int rc = case_none(pad) ? ERR_OK : emb_check_padding_idx(n, case_int(pad), &norm, &err);
    Tensor *w = NULL;
    if (rc == ERR_OK) {
        Generator g;
        rng_init(&g, (uint64_t)case_int(case_arg(cl, "seed")));
        w = emb_new_weight(n, d, !case_none(pad), norm, &g, &err);
        rc = w ? ERR_OK : err.code;
    }
    if (case_outcome(cl, rc, &err)) case_check_result(cl, "weight", w);
    tensor_release(w);
}

static void run_shapecheck(const CaseLine *cl) {
    Tensor *w = case_arg_tensor(cl, "w");
    Error err;
    err_clear(&err);
    int rc = emb_check_weight_shape(w, case_int(case_arg(cl, "n")), case_int(case_arg(cl, "d")), &err);
    case_outcome(cl, rc, &err);
    tensor_release(w);
}

static void run_pretrained(const CaseLine *cl) {
    Tensor *w = case_arg_tensor(cl, "w");
    Error err;
    err_clear(&err);
    case_outcome(cl, emb_check_pretrained(w, &err), &err);
    tensor_release(w);
}

static void test_embedding_torch_cases(void **state) {
    (void)state;
    CaseFile cf;
    case_open(&cf, "tests/data/embedding_cases.txt");
    CaseLine cl;
    int cases = 0;
    case_values_checked = 0;
    while (case_next(&cf, &cl)) {
        if (strcmp(cl.op, "emb") == 0) run_emb(&cl);
        else if (strcmp(cl.op, "renorm") == 0) run_renorm(&cl);
        else if (strcmp(cl.op, "padcheck") == 0) run_padcheck(&cl);
        else if (strcmp(cl.op, "newweight") == 0) run_newweight(&cl);
        else if (strcmp(cl.op, "shapecheck") == 0) run_shapecheck(&cl);
        else if (strcmp(cl.op, "pretrained") == 0) run_pretrained(&cl);
        else fail_msg("%s: unknown op", cl.ctx);
        cases++;
    }
    case_close(&cf);
    assert_true(cases >= 80);
    printf("    embedding: %d torch cases, %ld values bit-identical\n", cases, case_values_checked);
}

/* ---- hints ---- */

static Tensor *make_weight(int64_t n, int64_t d) {
    int64_t shape[2] = {n, d};
    Tensor *w = tensor_zeros(DTYPE_FLOAT32, 2, shape, NULL);
    assert_non_null(w);
    for (int64_t i = 0; i < n * d; i++) tensor_set(w, i, (double)i);
    return w;
}

static Tensor *make_index(int64_t count, const int64_t *values) {
    int64_t shape[1] = {count};
    Tensor *t = tensor_from_int64s(DTYPE_INT64, 1, shape, values, NULL);
    assert_non_null(t);
    return t;
}

static void test_embedding_out_of_range_hint_names_index(void **state) {
    (void)state;
    Tensor *w = make_weight(10, 3);
    const int64_t bad[] = {3, 10, 11};
    Tensor *idx = make_index(3, bad);
    Error err;
    err_clear(&err);
    assert_null(emb_forward(w, idx, false, 0, false, 0, 2, &err));
    assert_int_equal(err.code, ERR_INDEX);
    assert_string_equal(err.msg, "index out of range in self");
    assert_string_equal(err.hint,
                        "index 10 is out of range for an embedding with num_embeddings=10 "
                        "(valid: 0..9)");
    tensor_release(idx);

    const int64_t neg[] = {-1};
    idx = make_index(1, neg);
    assert_null(emb_forward(w, idx, false, 0, false, 0, 2, &err));
    assert_string_equal(err.hint,
                        "index -1 is out of range for an embedding with num_embeddings=10 "
                        "(valid: 0..9; negative indices do not wrap)");
    tensor_release(idx);
    tensor_release(w);

    /* an empty table: torch's index_select message, still with a hint */
    w = make_weight(0, 3);
    const int64_t zero[] = {0};
    idx = make_index(1, zero);
    assert_null(emb_forward(w, idx, false, 0, false, 0, 2, &err));
    assert_int_equal(err.code, ERR_RUNTIME);
    assert_string_equal(err.msg, "index_select(): self indexing axis dim should be positive");
    assert_true(strstr(err.hint, "num_embeddings=0") != NULL);
    tensor_release(idx);
    tensor_release(w);
}

/* ---- robustness ---- */

/* Every allocation of emb_forward (with and without max_norm) fails in turn: a clean
 * MemoryError, no output, no leak, and the weight untouched when the failure comes before
 * any renormalisation. */
static void test_embedding_forward_allocation_failures(void **state) {
    (void)state;
    for (int with_norm = 0; with_norm < 2; with_norm++) {
        const int64_t vals[] = {4, 1, 4, 7, 0, 2};
        Tensor *idx0 = make_index(6, vals);
        int64_t shape2[2] = {2, 3};
        Tensor *idx = tensor_reshape(idx0, 2, shape2, NULL);
        Tensor *idx_t = tensor_transpose(idx, 0, 1, NULL); /* non-contiguous: a copy is made */
        assert_non_null(idx_t);
        Error err;
        err_clear(&err);
        Tensor *ref_w = make_weight(8, 5);
        Tensor *ref = emb_forward(ref_w, idx_t, false, 0, with_norm, 3.0, 2.0, &err);
        assert_non_null(ref);
        unsigned long before = mem_alloc_count();
        Tensor *w = make_weight(8, 5);
        Tensor *out = emb_forward(w, idx_t, false, 0, with_norm, 3.0, 2.0, &err);
        unsigned long allocs = mem_alloc_count() - before;
        assert_non_null(out);
        tensor_release(out);
        tensor_release(w);
        for (unsigned long k = 0; k < allocs; k++) {
            w = make_weight(8, 5);
            err_clear(&err);
            mem_fail_after((long)k);
            out = emb_forward(w, idx_t, false, 0, with_norm, 3.0, 2.0, &err);
            mem_fail_after(-1);
            if (out) {
                /* the failing attempt was make_weight's own (counted in `allocs`) */
                assert_true(tensor_equal(out, ref));
                tensor_release(out);
            } else {
                assert_int_equal(err.code, ERR_MEMORY);
            }
            tensor_release(w);
        }
        tensor_release(ref);
        tensor_release(ref_w);
        tensor_release(idx_t);
        tensor_release(idx);
        tensor_release(idx0);
    }
}

/* The memcpy fast path and the strided path give the same rows; max_norm bumps the
 * weight's version, a plain lookup does not. */
static void test_embedding_layouts_and_version(void **state) {
    (void)state;
    Error err;
    err_clear(&err);
    Tensor *w = make_weight(6, 4);
    Tensor *wt_base = make_weight(4, 6);
    Tensor *wt = tensor_transpose(wt_base, 0, 1, &err); /* [6, 4] with strides (1, 6) */
    Tensor *wt_copy = tensor_contiguous(wt, &err);
    const int64_t vals[] = {5, 0, 5, 3};
    Tensor *idx = make_index(4, vals);
    Tensor *a = emb_forward(wt, idx, false, 0, false, 0, 2, &err);
    Tensor *b = emb_forward(wt_copy, idx, false, 0, false, 0, 2, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(tensor_equal(a, b));
    assert_true(tensor_get(a, 0) == tensor_get(wt, 5 * 4));
    uint64_t v0 = w->storage->version;
    Tensor *c = emb_forward(w, idx, false, 0, false, 0, 2, &err);
    assert_int_equal(w->storage->version, v0);
    Tensor *d = emb_forward(w, idx, false, 0, true, 1.0, 2, &err);
    assert_true(w->storage->version > v0);
    for (int i = 0; i < 4; i++) assert_true(fabs(tensor_get(d, i) - tensor_get(w, 20 + i)) == 0);
    tensor_release(a);
    tensor_release(b);
    tensor_release(c);
    tensor_release(d);
    tensor_release(idx);
    tensor_release(wt_copy);
    tensor_release(wt);
    tensor_release(wt_base);
    tensor_release(w);
}

/* reset_parameters() draws again and re-zeroes the padding row; a NULL Error is fine. */
static void test_embedding_reset_parameters(void **state) {
    (void)state;
    Generator g;
    rng_init(&g, 3);
    Tensor *w = emb_new_weight(5, 3, true, 4, &g, NULL);
    assert_non_null(w);
    for (int j = 0; j < 3; j++) assert_true(tensor_get(w, 12 + j) == 0.0);
    tensor_fill_(w, 7.0, NULL);
    assert_int_equal(emb_reset_parameters(w, true, 4, &g, NULL), ERR_OK);
    for (int j = 0; j < 3; j++) assert_true(tensor_get(w, 12 + j) == 0.0);
    assert_true(tensor_get(w, 0) != 7.0);
    tensor_release(w);
}

/* A lookup whose output exceeds 16 MiB goes around the cache (non-temporal stores) when
 * its rows are 16-byte multiples, and by memcpy otherwise. Either way every element of
 * the output is written: the output is not zero-filled first, and here it lands in a
 * recycled block that was filled with 0xff (NaN) bytes. */
static void check_big_lookup(int64_t rows, int64_t dim) {
    Error err;
    err_clear(&err);
    Tensor *w = make_weight(rows, dim);
    int64_t count = ((int64_t)17 << 20) / (dim * 4) + 3, shape[1] = {count};
    Tensor *idx = tensor_zeros(DTYPE_INT64, 1, shape, &err);
    assert_non_null(idx);
    int64_t *iv = (int64_t *)idx->storage->data;
    for (int64_t k = 0; k < count; k++) iv[k] = (k * 7919) % rows;
    size_t out_bytes = (size_t)(count * dim) * 4;
    void *garbage = mem_alloc(out_bytes, &err);
    assert_non_null(garbage);
    memset(garbage, 0xff, out_bytes);
    mem_free(garbage);
    Tensor *out = emb_forward(w, idx, false, 0, false, 0, 2, &err);
    assert_non_null(out);
    const float *o = (const float *)out->storage->data, *wv = (const float *)w->storage->data;
    for (int64_t k = 0; k < count; k++)
        if (memcmp(o + k * dim, wv + iv[k] * dim, (size_t)dim * 4) != 0)
            fail_msg("row %lld of the %lld x %lld lookup differs", (long long)k,
                     (long long)count, (long long)dim);
    tensor_release(out);
    tensor_release(idx);
    tensor_release(w);
}

static void test_embedding_big_output_every_row(void **state) {
    (void)state;
    check_big_lookup(1000, 64); /* 256-byte rows: streamed */
    check_big_lookup(997, 67);  /* 268-byte rows: memcpy */
    check_big_lookup(50, 300);  /* 1 200-byte rows, as bench/embedding_bench.c */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedding_big_output_every_row),
        cmocka_unit_test(test_embedding_torch_cases),
        cmocka_unit_test(test_embedding_out_of_range_hint_names_index),
        cmocka_unit_test(test_embedding_forward_allocation_failures),
        cmocka_unit_test(test_embedding_layouts_and_version),
        cmocka_unit_test(test_embedding_reset_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
