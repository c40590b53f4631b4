/*
 * tests/unit/test_safetensors.c — the safetensors format (src/lang/safetensors.c): a file
 * laid out as the reference implementation writes it, with every dtype embedlab reads
 * (tests/tools/gen_vectors_npy.py), the reference validation errors, and round trips.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <math.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/tensor_math.h"
#include "lang/safetensors.h"

#define DIR_S "tests/data/safetensors/"

static void test_safetensors_reads_reference_file(void **state) {
    (void)state;
    char *expected = test_read_file(DIR_S "expected.txt");
    StFile f;
    Error err;
    err_clear(&err);
    if (st_load(DIR_S "ref.safetensors", &f, &err)) fail_msg("%s", err.msg);
    const char *p = expected;
    int64_t i = 0;
    while ((p = strstr(p, "\ntensor ")) != NULL) {
        char name[64], src[16], dt[16], shape_text[64];
        assert_int_equal(sscanf(p + 8, "%63s %15s %15s %63s", name, src, dt, shape_text), 4);
        assert_true(i < f.count);
        assert_string_equal(f.names[i], name); /* sorted by name */
        assert_string_equal(f.source_dtypes[i], src);
        Tensor *t = f.tensors[i];
        assert_string_equal(dtype_name(t->dtype), dt);
        int ndim = 0;
        int64_t shape[8];
        if (strcmp(shape_text, "-") != 0)
            for (char *s = shape_text; *s;) {
                shape[ndim++] = strtoll(s, &s, 10);
                if (*s == ',') s++;
            }
        assert_int_equal(t->ndim, ndim);
        for (int d = 0; d < ndim; d++) assert_int_equal(t->shape[d], shape[d]);
        p = strstr(p, "\nvalues") + 7;
        for (int64_t k = 0; k < tensor_numel(t); k++) {
            char *end;
            if (t->dtype == DTYPE_INT64) {
                assert_int_equal(tensor_get_int(t, k), strtoll(p, &end, 10));
            } else {
                double want = strtod(p, &end);
                if (tensor_get(t, k) != want) fail_msg("%s[%lld] = %.17g, expected %.17g", name, (long long)k, tensor_get(t, k), want);
            }
            p = end;
        }
        i++;
    }
    assert_int_equal(i, f.count);
    assert_int_equal(f.nmeta, 2);
    assert_string_equal(f.meta_keys[0], "format");
    assert_string_equal(f.meta_values[0], "pt");
    assert_string_equal(f.meta_keys[1], "source");
    st_file_free(&f);
    free(expected);
}

static void test_safetensors_reference_validation(void **state) {
    (void)state;
    static const struct {
        const char *name;
        ErrCode code;
        const char *msg;
    } cases[] = {
        {"bad_too_large", ERR_VALUE, "Error while deserializing header: HeaderTooLarge"},
        {"bad_start", ERR_VALUE, "Error while deserializing header: InvalidHeaderStart"},
        {"bad_length", ERR_VALUE, "Error while deserializing header: InvalidHeaderLength"},
        {"bad_incomplete", ERR_VALUE, "Error while deserializing header: MetadataIncompleteBuffer"},
        {"bad_offset", ERR_VALUE, "Error while deserializing header: InvalidOffset(\"a\")"},
        {"bad_info", ERR_VALUE, "Error while deserializing header: TensorInvalidInfo"},
        {"bad_dtype", ERR_TYPE, "tensor 'a' has dtype F8_E4M3, which embedlab cannot hold"},
        {"bad_short", ERR_VALUE, "Error while deserializing header: HeaderTooSmall"},
        {"missing", ERR_FILE_NOT_FOUND,
         "[Errno 2] No such file or directory: 'tests/data/safetensors/missing.safetensors'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, DIR_S "%s.safetensors", cases[i].name);
        StFile f;
        Error err;
        err_clear(&err);
        assert_int_not_equal(st_load(path, &f, &err), ERR_OK);
        if (err.code != cases[i].code || strcmp(err.msg, cases[i].msg))
            fail_msg("%s: %s: %s", cases[i].name, err_name(err.code), err.msg);
        assert_int_equal(f.count, 0);
    }
}

static void test_safetensors_round_trip(void **state) {
    (void)state;
    char tmp[] = "/tmp/embedlab-test-st-XXXXXX";
    int fd = mkstemp(tmp);
    close(fd);
    double w[6] = {0.5, -1, 2, 3, 1e-3, 7};
    int64_t ids[3] = {1, -2, INT64_MAX};
    Tensor *a = tensor_from_doubles(DTYPE_FLOAT32, 2, (int64_t[]){2, 3}, w, NULL);
    Tensor *at = tensor_t(a, NULL); /* a view: written in its logical order */
    Tensor *b = tensor_from_int64s(DTYPE_INT64, 1, (int64_t[]){3}, ids, NULL);
    Tensor *c = tensor_from_doubles(DTYPE_BOOL, 1, (int64_t[]){2}, (double[]){1, 0}, NULL);
    Tensor *d = tensor_from_doubles(DTYPE_FLOAT64, 0, NULL, (double[]){0.1}, NULL);
    const char *names[4] = {"weight.t", "ids", "mask", "scalar"};
    Tensor *tensors[4] = {at, b, c, d};
    const char *keys[1] = {"format"}, *values[1] = {"pt"};
    Error err;
    assert_int_equal(st_save(tmp, names, tensors, 4, keys, values, 1, &err), ERR_OK);
    /* The header: 8-byte length, JSON starting with '{', padded to 8 with spaces. */
    char *raw = test_read_file(tmp);
    uint64_t n = 0;
    for (int i = 0; i < 8; i++) n |= (uint64_t)(unsigned char)raw[i] << (8 * i);
    assert_int_equal(n % 8, 0);
    assert_int_equal(raw[8], '{');
    assert_memory_equal(raw + 8, "{\"__metadata__\":{\"format\":\"pt\"},\"ids\":", 38);
    free(raw);
    StFile f;
    assert_int_equal(st_load(tmp, &f, &err), ERR_OK);
    assert_int_equal(f.count, 4);
    assert_string_equal(f.names[0], "ids");
    assert_string_equal(f.names[3], "weight.t");
    assert_true(tensor_equal(f.tensors[0], b));
    assert_true(tensor_equal(f.tensors[1], c));
    assert_true(tensor_equal(f.tensors[2], d));
    assert_true(tensor_equal(f.tensors[3], at));
    assert_int_equal(f.tensors[3]->shape[0], 3);
    st_file_free(&f);
    /* Duplicate names and the reserved name are refused; nothing is written. */
    const char *dup[2] = {"x", "x"};
    Tensor *two[2] = {b, c};
    unlink(tmp);
    assert_int_equal(st_save(tmp, dup, two, 2, NULL, NULL, 0, &err), ERR_VALUE);
    assert_string_equal(err.msg, "duplicate tensor name 'x'");
    assert_int_equal(access(tmp, F_OK), -1);
    const char *reserved[1] = {"__metadata__"};
    assert_int_equal(st_save(tmp, reserved, two, 1, NULL, NULL, 0, &err), ERR_VALUE);
    tensor_release(a);
    tensor_release(at);
    tensor_release(b);
    tensor_release(c);
    tensor_release(d);
}

static void test_safetensors_allocation_failures_are_clean(void **state) {
    (void)state;
    for (long n = 0; n < 100; n++) {
        StFile f;
        Error err;
        mem_fail_after(n);
        int rc = st_load(DIR_S "ref.safetensors", &f, &err);
        mem_fail_after(-1);
        if (rc == ERR_OK) {
            st_file_free(&f);
            break;
        }
        assert_int_equal(err.code, ERR_MEMORY);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safetensors_reads_reference_file),
        cmocka_unit_test(test_safetensors_reference_validation),
        cmocka_unit_test(test_safetensors_round_trip),
        cmocka_unit_test(test_safetensors_allocation_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
