/*
 * tests/unit/test_npy.c — NumPy .npy files (src/core/npy.c) against files numpy 1.24 wrote
 * (tests/tools/gen_vectors_npy.py): every loadable file reads back with numpy's values, and
 * embedlab's writer reproduces np.save's bytes. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <math.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/npy.h"

#define DIR_N "tests/data/npy/"

static char *expected_text;

static int setup_all(void **state) {
    (void)state;
    expected_text = test_read_file(DIR_N "expected.txt");
    return 0;
}

static int teardown_all(void **state) {
    (void)state;
    free(expected_text);
    return 0;
}

static DType dtype_named(const char *name) {
    if (strcmp(name, "float32") == 0) return DTYPE_FLOAT32;
    if (strcmp(name, "float64") == 0) return DTYPE_FLOAT64;
    if (strcmp(name, "int64") == 0) return DTYPE_INT64;
    return DTYPE_BOOL;
}

static char *read_bytes(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    fclose(f);
    return buf;
}

/* Every "npy" record: load and compare values; for writer records, save the tensor and
 * compare the bytes with numpy's file. */
static void test_npy_reads_numpy_files_and_writes_their_bytes(void **state) {
    (void)state;
    char tmp[] = "/tmp/embedlab-test-npy-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    close(fd);
    const char *p = expected_text;
    int files = 0, written = 0;
    while ((p = strstr(p, "\nnpy ")) != NULL) {
        p += 5;
        char name[64], dt[16], shape_text[64], mode[16];
        assert_int_equal(sscanf(p, "%63s %15s %63s %15s", name, dt, shape_text, mode), 4);
        int64_t shape[8];
        int ndim = 0;
        if (strcmp(shape_text, "-") != 0)
            for (char *s = shape_text; *s;) {
                shape[ndim++] = strtoll(s, &s, 10);
                if (*s == ',') s++;
            }
        p = strstr(p, "\nvalues") + 7;
        char path[128];
        snprintf(path, sizeof path, DIR_N "%s.npy", name);
        Error err;
        err_clear(&err);
        Tensor *t = npy_load(path, &err);
        if (!t) fail_msg("%s: %s", name, err.msg);
        assert_int_equal(t->dtype, dtype_named(dt));
        assert_int_equal(t->ndim, ndim);
        for (int i = 0; i < ndim; i++) assert_int_equal(t->shape[i], shape[i]);
        assert_true(tensor_is_contiguous(t));
        int64_t n = tensor_numel(t);
        for (int64_t i = 0; i < n; i++) {
            char *end;
            if (t->dtype == DTYPE_INT64) {
                long long want = strtoll(p, &end, 10);
                assert_int_equal(tensor_get_int(t, i), want);
            } else {
                double want = strtod(p, &end);
                double got = tensor_get(t, i);
                if (!(got == want && signbit(got) == signbit(want)))
                    fail_msg("%s[%lld] = %.17g, numpy %.17g", name, (long long)i, got, want);
            }
            p = end;
        }
        if (strcmp(mode, "writer") == 0) {
            assert_int_equal(npy_save(tmp, t, &err), ERR_OK);
            size_t a_len, b_len;
            char *a = read_bytes(tmp, &a_len), *b = read_bytes(path, &b_len);
            assert_int_equal(a_len, b_len);
            assert_memory_equal(a, b, a_len);
            free(a);
            free(b);
            written++;
        }
        tensor_release(t);
        files++;
    }
    assert_int_equal(files, 18);
    assert_int_equal(written, 7);
    unlink(tmp);
}

/* A transposed (non-contiguous) tensor is written in its logical row-major order. */
static void test_npy_writes_views_in_logical_order(void **state) {
    (void)state;
    double v[6] = {0, 1, 2, 3, 4, 5};
    Tensor *t = tensor_from_doubles(DTYPE_FLOAT64, 2, (int64_t[]){2, 3}, v, NULL);
    Tensor *tt = tensor_t(t, NULL);
    char tmp[] = "/tmp/embedlab-test-npy-XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    Error err;
    assert_int_equal(npy_save(tmp, tt, &err), ERR_OK);
    Tensor *back = npy_load(tmp, &err);
    assert_non_null(back);
    assert_int_equal(back->shape[0], 3);
    assert_int_equal(back->shape[1], 2);
    static const double want[6] = {0, 3, 1, 4, 2, 5};
    for (int i = 0; i < 6; i++) assert_true(tensor_get(back, i) == want[i]);
    /* The header numpy would write for this shape. */
    StrBuf sb = SB_INIT;
    assert_int_equal(npy_header(tt, &sb, &err), ERR_OK);
    assert_int_equal(sb.len, 128);
    assert_memory_equal(sb_str(&sb), "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", 69);
    sb_free(&sb);
    tensor_release(back);
    tensor_release(tt);
    tensor_release(t);
    unlink(tmp);
}

static void test_npy_errors(void **state) {
    (void)state;
    static const struct {
        const char *name;
        ErrCode code;
        const char *msg;
    } cases[] = {
        {"missing", ERR_FILE_NOT_FOUND, "[Errno 2] No such file or directory: 'tests/data/npy/missing.npy'"},
        {"notnpy", ERR_VALUE,
         "'tests/data/npy/notnpy.npy' is not a NumPy .npy file: the magic string is not correct; "
         "expected b'\\x93NUMPY', got b'hello,'"},
        {"v4", ERR_VALUE, "we only support format version (1,0), (2,0), and (3,0), not (4, 0)"},
        {"object", ERR_VALUE, "Object arrays cannot be loaded when allow_pickle=False"},
        {"complex", ERR_TYPE, "embedlab cannot load arrays of dtype '<c8'"},
        {"truncated", ERR_VALUE, "cannot reshape array of size 5 into shape (2,3)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, DIR_N "%s.npy", cases[i].name);
        Error err;
        err_clear(&err);
        assert_null(npy_load(path, &err));
        if (err.code != cases[i].code || strcmp(err.msg, cases[i].msg))
            fail_msg("%s: %s: %s", cases[i].name, err_name(err.code), err.msg);
    }
    Error err;
    Tensor *t = tensor_zeros(DTYPE_FLOAT32, 1, (int64_t[]){2}, NULL);
    assert_int_equal(npy_save("/nonexistent-dir/a.npy", t, &err), ERR_FILE_NOT_FOUND);
    assert_string_equal(err.msg, "[Errno 2] No such file or directory: '/nonexistent-dir/a.npy'");
    tensor_release(t);
}

static void test_npy_allocation_failures_are_clean(void **state) {
    (void)state;
    for (long n = 0; n < 50; n++) {
        Error err;
        mem_fail_after(n);
        Tensor *t = npy_load(DIR_N "fortran_2x3.npy", &err);
        mem_fail_after(-1);
        if (t) {
            tensor_release(t);
            break;
        }
        assert_int_equal(err.code, ERR_MEMORY);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_npy_reads_numpy_files_and_writes_their_bytes),
        cmocka_unit_test(test_npy_writes_views_in_logical_order),
        cmocka_unit_test(test_npy_errors),
        cmocka_unit_test(test_npy_allocation_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
