/*
 * tests/unit/test_hist.c — the histogram drawings of src/core/hist.c (embedlab's own
 * format; torch.histc's counts are checked against torch in test_nn_functional.c).
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include "core/hist.h"
#include "core/mem.h"

/* counts and edges of [0,1,1,2,2,2,3,3,3,3] in 4 bins over the data range */
static void make_hist(Tensor **counts, Tensor **edges) {
    static const double v[10] = {0, 1, 1, 2, 2, 2, 3, 3, 3, 3};
    int64_t shape[1] = {10};
    Tensor *t = tensor_from_doubles(DTYPE_FLOAT32, 1, shape, v, NULL);
    assert_non_null(t);
    Error err;
    err_clear(&err);
    assert_int_equal(hist_counts(t, 4, 0, 0, counts, edges, &err), ERR_OK);
    tensor_release(t);
}

static void test_hist_text_bars(void **state) {
    (void)state;
    Tensor *c, *e;
    make_hist(&c, &e);
    StrBuf sb = SB_INIT;
    sb_append(&sb, ">");
    Error err;
    err_clear(&err);
    assert_int_equal(hist_render_text(c, e, 10, &sb, &err), ERR_OK);
    assert_string_equal(sb_str(&sb),
                        ">[0.00, 0.75)  \u2588\u2588\u258c        1\n"
                        "[0.75, 1.50)  \u2588\u2588\u2588\u2588\u2588      2\n"
                        "[1.50, 2.25)  \u2588\u2588\u2588\u2588\u2588\u2588\u2588\u258c   3\n"
                        "[2.25, 3.00]  \u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588 4\n");
    /* deterministic: the same call draws the same text */
    StrBuf again = SB_INIT;
    assert_int_equal(hist_render_text(c, e, 10, &again, &err), ERR_OK);
    assert_string_equal(sb_str(&sb) + 1, sb_str(&again));
    sb_free(&again);
    sb_free(&sb);
    tensor_release(c);
    tensor_release(e);
}

/* Empty bins draw no bar, tiny ones at least an eighth, and "-0.00" reads "0.00". */
static void test_hist_text_small_and_empty_bins(void **state) {
    (void)state;
    static const double cv[3] = {0, 1, 1000}, ev[4] = {-1e-9, 0.5, 1.0, 1.5};
    int64_t s3[1] = {3}, s4[1] = {4};
    Tensor *c = tensor_from_doubles(DTYPE_FLOAT32, 1, s3, cv, NULL);
    Tensor *e = tensor_from_doubles(DTYPE_FLOAT64, 1, s4, ev, NULL);
    StrBuf sb = SB_INIT;
    assert_int_equal(hist_render_text(c, e, 4, &sb, NULL), ERR_OK);
    assert_string_equal(sb_str(&sb),
                        "[0.00, 0.50)          0\n"
                        "[0.50, 1.00)  \u258f       1\n"
                        "[1.00, 1.50]  \u2588\u2588\u2588\u2588 1000\n");
    sb_free(&sb);
    tensor_release(c);
    tensor_release(e);
}

static void test_hist_svg_is_self_contained(void **state) {
    (void)state;
    Tensor *c, *e;
    make_hist(&c, &e);
    StrBuf sb = SB_INIT;
    Error err;
    err_clear(&err);
    assert_int_equal(hist_render_svg(c, e, &sb, &err), ERR_OK);
    const char *svg = sb_str(&sb);
    assert_true(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"240\"", 64) == 0);
    assert_true(strcmp(svg + strlen(svg) - 7, "</svg>\n") == 0);
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "href"));
    int bars = 0;
    for (const char *p = svg; (p = strstr(p, "<title>")) != NULL; p++) bars++;
    assert_int_equal(bars, 4);
    assert_non_null(strstr(svg, "<title>4</title>"));
    assert_non_null(strstr(svg, ">0.00</text>"));
    assert_non_null(strstr(svg, ">3.00</text>"));
    sb_free(&sb);
    tensor_release(c);
    tensor_release(e);
}

static void test_hist_errors_and_allocation_failures(void **state) {
    (void)state;
    Tensor *c, *e;
    make_hist(&c, &e);
    StrBuf sb = SB_INIT;
    Error err;
    err_clear(&err);
    assert_int_equal(hist_render_text(c, c, 10, &sb, &err), ERR_VALUE);
    assert_int_equal(hist_render_svg(e, e, &sb, &err), ERR_VALUE);
    assert_int_equal(sb.len, 0);
    /* a failing append leaves the buffer as it was (and reports MemoryError) */
    for (int which = 0; which < 2; which++) {
        StrBuf small = SB_INIT;
        sb_append(&small, "kept");
        mem_fail_after(0);
        int rc = which ? hist_render_svg(c, e, &small, &err) : hist_render_text(c, e, 10, &small, &err);
        mem_fail_after(-1);
        assert_int_equal(rc, ERR_MEMORY);
        sb_clear(&small); /* the failure is sticky: start over */
        sb_free(&small);
    }
    /* counts: allocation failures give MemoryError and no tensors */
    static const double v[3] = {1, 2, 3};
    int64_t shape[1] = {3};
    Tensor *t = tensor_from_doubles(DTYPE_FLOAT32, 1, shape, v, NULL);
    for (int k = 0; k < 6; k++) {
        Tensor *cc = (Tensor *)1, *ee = (Tensor *)1;
        err_clear(&err);
        mem_fail_after(k);
        int rc = hist_counts(t, 3, 0, 0, &cc, &ee, &err);
        mem_fail_after(-1);
        if (rc == ERR_OK) {
            tensor_release(cc);
            tensor_release(ee);
        } else {
            assert_int_equal(rc, ERR_MEMORY);
            assert_null(cc);
            assert_null(ee);
        }
    }
    tensor_release(t);
    sb_free(&sb);
    tensor_release(c);
    tensor_release(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_text_bars),
        cmocka_unit_test(test_hist_text_small_and_empty_bins),
        cmocka_unit_test(test_hist_svg_is_self_contained),
        cmocka_unit_test(test_hist_errors_and_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
