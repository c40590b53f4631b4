/*
 * tests/unit/test_np.c — the core NumPy modules against NumPy 1.24's own values
 * (tests/data/numpy/expected.txt, written by tests/tools/gen_numpy_ref.py): Dragon4 digits
 * and scalar reprs (np_format), the legacy RandomState streams, bit for bit over 10 000
 * values per function (np_random), and pairwise sums (np_ops).
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <inttypes.h>
#include <math.h>

#include "core/np_format.h"
#include "core/np_ops.h"
#include "core/np_random.h"

static char *expected_text;

static int setup_all(void **state) {
    (void)state;
    expected_text = test_read_file("tests/data/numpy/expected.txt");
    return 0;
}

static int teardown_all(void **state) {
    (void)state;
    free(expected_text);
    return 0;
}

static double from_bits(uint64_t b) {
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t to_bits(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* Each "fmt" line: the scalar repr, format_float_positional(precision=8, trim='.') and
 * format_float_scientific(precision=8, trim='.') of one float32 or float64 value. */
static void test_np_format_matches_numpy(void **state) {
    (void)state;
    char *text = strdup(expected_text), *save = NULL;
    int checked = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "fmt ", 4) != 0) continue;
        uint64_t bits;
        int f32;
        char repr[128], pos[512], sci[128];
        assert_int_equal(sscanf(line, "fmt %" SCNx64 " %d %127s %511s %127s", &bits, &f32, repr, pos, sci), 5);
        double v = from_bits(bits);
        NpFloatFmt f = np_float_fmt_default();
        f.precision = 8;
        f.trim = NP_TRIM_ZEROS;
        StrBuf a = SB_INIT, b = SB_INIT, c = SB_INIT;
        np_scalar_float_repr(v, f32, &a);
        np_format_positional(v, f32, &f, &b);
        np_format_scientific(v, f32, &f, &c);
        if (strcmp(sb_str(&a), repr) || strcmp(sb_str(&b), pos) || strcmp(sb_str(&c), sci))
            fail_msg("%s: got %s %s %s", line, sb_str(&a), sb_str(&b), sb_str(&c));
        sb_free(&a);
        sb_free(&b);
        sb_free(&c);
        checked++;
    }
    free(text);
    assert_true(checked > 1000);
}

typedef struct Fold {
    uint64_t hash, sum;
} Fold;

static void fold_add(Fold *f, uint64_t b) {
    f->hash = (f->hash ^ b) * 0x100000001b3ull;
    f->sum += b;
}

/* Draws `count` values of the named stream after seeding, folding their bits. */
static Fold draw(const char *name, uint32_t seed, int count) {
    NpRandomState st;
    np_random_seed(&st, seed);
    Fold f = {0xcbf29ce484222325ull, 0};
    if (strcmp(name, "permutation") == 0) {
        int64_t *p = malloc((size_t)count * sizeof *p);
        for (int i = 0; i < count; i++) p[i] = i;
        for (int i = count - 1; i >= 1; i--) {
            int64_t j = (int64_t)np_random_interval(&st, (uint64_t)i), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        for (int i = 0; i < count; i++) fold_add(&f, (uint64_t)p[i]);
        free(p);
        return f;
    }
    for (int i = 0; i < count; i++) {
        uint64_t b = 0;
        if (strcmp(name, "randn") == 0) b = to_bits(np_random_gauss(&st));
        else if (strcmp(name, "rand") == 0) b = to_bits(np_random_double(&st));
        else if (strcmp(name, "randint10") == 0) b = np_random_bounded(&st, 9);
        else if (strcmp(name, "randint2p40") == 0)
            b = (uint64_t)-5 + np_random_bounded(&st, (1ull << 40) + 5 - 1);
        else if (strcmp(name, "normal") == 0) b = to_bits(5.0 + 2.0 * np_random_gauss(&st));
        else if (strcmp(name, "uniform") == 0) b = to_bits(-3.0 + 6.0 * np_random_double(&st));
        else if (strcmp(name, "choice100") == 0) b = np_random_bounded(&st, 99);
        else fail_msg("unknown stream %s", name);
        fold_add(&f, b);
    }
    return f;
}

static void test_np_random_streams_match_numpy(void **state) {
    (void)state;
    char *text = strdup(expected_text), *save = NULL;
    int checked = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "rng ", 4) != 0) continue;
        char name[64];
        unsigned seed;
        int count;
        uint64_t hash, sum;
        assert_int_equal(sscanf(line, "rng %63s %u %d %" SCNx64 " %" SCNx64, name, &seed, &count, &hash, &sum), 5);
        Fold f = draw(name, seed, count);
        if (f.hash != hash || f.sum != sum)
            fail_msg("%s: got %016" PRIx64 " %016" PRIx64, line, f.hash, f.sum);
        checked++;
    }
    free(text);
    assert_int_equal(checked, 9);
}

static void test_np_random_gauss_cache_and_reseed(void **state) {
    (void)state;
    NpRandomState a, b;
    np_random_seed(&a, 3);
    double x0 = np_random_gauss(&a);
    assert_true(a.has_gauss);
    double x1 = np_random_gauss(&a);
    assert_false(a.has_gauss);
    np_random_seed(&a, 3); /* reseeding drops the cached value */
    assert_false(a.has_gauss);
    assert_true(np_random_gauss(&a) == x0);
    np_random_seed(&b, 3);
    np_random_gauss(&b);
    assert_true(np_random_gauss(&b) == x1);
}

/* "sum" lines: randn(count).astype(dtype).sum() with NumPy's pairwise order. */
static void test_np_sum_is_pairwise_like_numpy(void **state) {
    (void)state;
    char *text = strdup(expected_text), *save = NULL;
    int checked = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "sum ", 4) != 0) continue;
        char dt[16];
        unsigned seed;
        int64_t count;
        uint64_t bits;
        assert_int_equal(sscanf(line, "sum %15s %u %" SCNd64 " %" SCNx64, dt, &seed, &count, &bits), 4);
        DType d = strcmp(dt, "float32") == 0 ? DTYPE_FLOAT32 : DTYPE_FLOAT64;
        Error err;
        Tensor *t = tensor_zeros(d, 1, &count, &err);
        assert_non_null(t);
        NpRandomState st;
        np_random_seed(&st, seed);
        for (int64_t i = 0; i < count; i++) tensor_set(t, i, np_random_gauss(&st));
        Tensor *s = np_sum(t, -1, false, d, &err);
        assert_non_null(s);
        if (to_bits(tensor_get(s, 0)) != bits) fail_msg("%s: got %.17g", line, tensor_get(s, 0));
        tensor_release(s);
        tensor_release(t);
        checked++;
    }
    free(text);
    assert_int_equal(checked, 4);
}

static void test_np_promotion_rules(void **state) {
    (void)state;
    assert_int_equal(np_promote(DTYPE_INT64, DTYPE_FLOAT32), DTYPE_FLOAT64);
    assert_int_equal(np_promote(DTYPE_BOOL, DTYPE_INT64), DTYPE_INT64);
    /* value-based casting: small scalars keep the array's float32 */
    assert_int_equal(np_promote_scalar(DTYPE_FLOAT32, DTYPE_FLOAT64, 0.01), DTYPE_FLOAT32);
    assert_int_equal(np_promote_scalar(DTYPE_FLOAT32, DTYPE_FLOAT64, 1e300), DTYPE_FLOAT64);
    assert_int_equal(np_promote_scalar(DTYPE_FLOAT32, DTYPE_INT64, 1000), DTYPE_FLOAT32);
    assert_int_equal(np_promote_scalar(DTYPE_FLOAT32, DTYPE_INT64, 1e12), DTYPE_FLOAT64);
    assert_int_equal(np_promote_scalar(DTYPE_FLOAT32, DTYPE_INT64, -40000), DTYPE_FLOAT64);
    assert_int_equal(np_promote_scalar(DTYPE_INT64, DTYPE_FLOAT64, 0.5), DTYPE_FLOAT64);
    assert_int_equal(np_promote_scalar(DTYPE_BOOL, DTYPE_INT64, 1), DTYPE_INT64);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_np_format_matches_numpy),
        cmocka_unit_test(test_np_random_streams_match_numpy),
        cmocka_unit_test(test_np_random_gauss_cache_and_reseed),
        cmocka_unit_test(test_np_sum_is_pairwise_like_numpy),
        cmocka_unit_test(test_np_promotion_rules),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
