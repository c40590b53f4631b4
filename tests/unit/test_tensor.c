/*
 * tests/unit/test_tensor.c — tensor creation, views, copies, tensor indexing and joining,
 * against torch-generated cases (tests/data/tensor_views.txt), plus the memory budget and
 * allocation-failure injection. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <math.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "core/tensor.h"
#include "core/tensor_math.h"

/* ---- the golden view cases ---- */

#define MAX_NUMS 64

/* Parses whitespace-separated integers ("_" → has[i] = false) up to max; returns count. */
static int parse_ints(const char *s, int64_t *out, bool *has, int max) {
    int n = 0;
    while (*s && n < max) {
        while (*s == ' ') s++;
        if (!*s) break;
        if (*s == '/') {
            s++;
            continue;
        }
        if (*s == '_') {
            if (has) has[n] = false;
            out[n++] = 0;
            s++;
            continue;
        }
        char *end;
        out[n] = strtoll(s, &end, 10);
        if (has) has[n] = true;
        n++;
        s = end;
    }
    return n;
}

static int parse_shape(const char *s, int64_t *shape) {
    if (strcmp(s, "-") == 0) return 0;
    int n = 0;
    while (*s) {
        char *end;
        shape[n++] = strtoll(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

/* Makes an int64 or bool tensor from a list of numbers; rows split by '/' when 2-D. */
static Tensor *make_index(const char *args, DType dt, bool two_d, Error *err) {
    int64_t nums[MAX_NUMS];
    int n = parse_ints(args, nums, NULL, MAX_NUMS);
    int64_t shape[2] = {n, 0};
    int ndim = 1;
    if (two_d) {
        int rows = 1;
        for (const char *p = args; *p; p++) rows += *p == '/';
        shape[0] = rows;
        shape[1] = n / rows;
        ndim = 2;
    }
    return tensor_from_int64s(dt, ndim, shape, nums, err);
}

/* Applies one operation of the case language to t (borrowed); returns an owned result. */
static Tensor *apply_op(Tensor *t, const char *op, Error *err) {
    char name[32];
    int consumed = 0;
    sscanf(op, "%31s%n", name, &consumed);
    const char *args = op + consumed;
    int64_t n[MAX_NUMS];
    bool has[MAX_NUMS];
    int count = parse_ints(args, n, has, MAX_NUMS);
    if (strcmp(name, "view") == 0) return tensor_view(t, count, n, err);
    if (strcmp(name, "reshape") == 0) return tensor_reshape(t, count, n, err);
    if (strcmp(name, "transpose") == 0) return tensor_transpose(t, n[0], n[1], err);
    if (strcmp(name, "permute") == 0) return tensor_permute(t, count, n, err);
    if (strcmp(name, "t") == 0) return tensor_t(t, err);
    if (strcmp(name, "unsqueeze") == 0) return tensor_unsqueeze(t, n[0], err);
    if (strcmp(name, "squeeze") == 0) return tensor_squeeze(t, err);
    if (strcmp(name, "squeeze_dim") == 0) return tensor_squeeze_dim(t, n[0], err);
    if (strcmp(name, "select") == 0) return tensor_select(t, n[0], n[1], err);
    if (strcmp(name, "slice") == 0)
        return tensor_slice(t, n[0], has[1], n[1], has[2], n[2], n[3], err);
    if (strcmp(name, "expand") == 0) return tensor_expand(t, count, n, err);
    if (strcmp(name, "contiguous") == 0) return tensor_contiguous(t, err);
    if (strcmp(name, "clone") == 0) return tensor_clone(t, err);
    Tensor *index = NULL, *out = NULL;
    if (strcmp(name, "index") == 0 || strcmp(name, "index2d") == 0) {
        index = make_index(args, DTYPE_INT64, name[5] == '2', err);
        out = index ? tensor_index(t, index, err) : NULL;
    } else if (strcmp(name, "mask") == 0 || strcmp(name, "mask2d") == 0) {
        index = make_index(args, DTYPE_BOOL, name[4] == '2', err);
        out = index ? tensor_index(t, index, err) : NULL;
    } else if (strcmp(name, "index_select") == 0) {
        int64_t len = count - 1;
        index = tensor_from_int64s(DTYPE_INT64, 1, &len, n + 1, err);
        out = index ? tensor_index_select(t, n[0], index, err) : NULL;
    } else {
        fail_msg("unknown op '%s'", name);
    }
    tensor_release(index);
    return out;
}

static void format_dims(StrBuf *sb, int ndim, const int64_t *v) {
    if (ndim == 0) sb_append(sb, "-");
    for (int i = 0; i < ndim; i++) sb_appendf(sb, "%s%lld", i ? "," : "", (long long)v[i]);
}

/* Runs one "case base | ops | expected" line; returns true when it matches. */
static bool run_view_case(char *line, int lineno) {
    char *base = line + strlen("case ");
    char *ops = strstr(base, " | ");
    char *expected = ops ? strstr(ops + 3, " | ") : NULL;
    if (!expected) {
        fail_msg("line %d: malformed case", lineno);
        return false;
    }
    *ops = '\0';
    ops += 3;
    *expected = '\0';
    expected += 3;

    int64_t shape[TENSOR_MAX_DIMS];
    int ndim = parse_shape(base, shape);
    int64_t numel = 1;
    for (int i = 0; i < ndim; i++) numel *= shape[i];
    Error err;
    err_clear(&err);
    Tensor *t = tensor_arange(0, (double)numel, 1, DTYPE_FLOAT32, &err);
    Tensor *shaped = t ? tensor_reshape(t, ndim, shape, &err) : NULL;
    tensor_release(t);
    t = shaped;
    assert_non_null(t);

    char *save = NULL;
    for (char *op = strtok_r(ops, ";", &save); op && t; op = strtok_r(NULL, ";", &save)) {
        while (*op == ' ') op++;
        Tensor *next = apply_op(t, op, &err);
        tensor_release(t);
        t = next;
    }

    StrBuf got = SB_INIT;
    if (t) {
        sb_append(&got, "ok ");
        format_dims(&got, t->ndim, t->shape);
        sb_append(&got, " ");
        format_dims(&got, t->ndim, t->stride);
        sb_appendf(&got, " %d", tensor_is_contiguous(t) ? 1 : 0);
        int64_t n = tensor_numel(t);
        for (int64_t i = 0; i < n; i++) sb_appendf(&got, " %.9g", tensor_get(t, i));
    } else {
        sb_appendf(&got, "error %s %s", err_name(err.code), err.msg);
    }
    bool same = strcmp(sb_str(&got), expected) == 0;
    if (!same)
        print_error("tensor_views.txt line %d: %s | %s\n  want: %s\n  got:  %s\n", lineno, base,
                    ops, expected, sb_str(&got));
    sb_free(&got);
    tensor_release(t);
    return same;
}

static void test_tensor_views_match_torch(void **state) {
    (void)state;
    char *text = test_read_file("tests/data/tensor_views.txt");
    int lineno = 0, cases = 0, failures = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (strncmp(line, "case ", 5) != 0) continue;
        /* strtok_r state is per line; run_view_case uses its own. */
        char *copy = strdup(line);
        cases++;
        if (!run_view_case(copy, lineno)) failures++;
        free(copy);
    }
    free(text);
    print_message("tensor views: %d cases against torch, %d failures\n", cases, failures);
    assert_true(cases >= 90);
    assert_int_equal(failures, 0);
    assert_int_equal(mem_tensor_in_use(), 0);
}

/* ---- creation ---- */

static void test_tensor_negative_dimension_message(void **state) {
    (void)state;
    Error err;
    int64_t shape[2] = {-1, 3};
    assert_null(tensor_zeros(DTYPE_FLOAT32, 2, shape, &err));
    assert_int_equal(err.code, ERR_RUNTIME);
    assert_string_equal(err.msg, "Trying to create tensor with negative dimension -1: [-1, 3]");
}

static void test_tensor_arange_sizes_and_errors(void **state) {
    (void)state;
    Error err;
    Tensor *t = tensor_arange(0, 1, 0.3, DTYPE_FLOAT32, &err);
    assert_non_null(t);
    assert_int_equal(t->shape[0], 4);
    assert_true(tensor_get(t, 3) == (double)(float)0.9);
    tensor_release(t);
    t = tensor_arange(5, 0, -2, DTYPE_INT64, &err);
    assert_int_equal(t->shape[0], 3);
    assert_int_equal(tensor_get_int(t, 2), 1);
    tensor_release(t);
    assert_null(tensor_arange(0, 1, 0, DTYPE_FLOAT32, &err));
    assert_string_equal(err.msg, "step must be nonzero");
    assert_null(tensor_arange(0, 5, -1, DTYPE_FLOAT32, &err));
    assert_string_equal(err.msg, "upper bound and larger bound inconsistent with step sign");
}

static void test_tensor_store_casts_like_torch(void **state) {
    (void)state;
    Error err;
    int64_t shape[1] = {4};
    double values[4] = {1.9, -1.9, 0.0, 3e9};
    Tensor *t = tensor_from_doubles(DTYPE_INT64, 1, shape, values, &err);
    assert_int_equal(tensor_get_int(t, 0), 1);
    assert_int_equal(tensor_get_int(t, 1), -1);
    assert_int_equal(tensor_get_int(t, 3), 3000000000LL);
    tensor_release(t);
    t = tensor_from_doubles(DTYPE_BOOL, 1, shape, values, &err);
    assert_int_equal(tensor_get_int(t, 0), 1);
    assert_int_equal(tensor_get_int(t, 2), 0);
    tensor_release(t);
    int64_t big[1] = {INT64_MAX};
    int64_t one = 1;
    t = tensor_from_int64s(DTYPE_INT64, 1, &one, big, &err);
    assert_true(tensor_get_int(t, 0) == INT64_MAX);
    tensor_release(t);
}

static void test_tensor_item_requires_one_element(void **state) {
    (void)state;
    Error err;
    int64_t shape[2] = {2, 3};
    Tensor *t = tensor_ones(DTYPE_FLOAT32, 2, shape, &err);
    double v;
    assert_int_equal(tensor_item(t, &v, &err), ERR_RUNTIME);
    assert_string_equal(err.msg, "a Tensor with 6 elements cannot be converted to Scalar");
    Tensor *row = tensor_select(t, 0, 1, &err);
    Tensor *one = tensor_select(row, 0, 2, &err);
    assert_int_equal(tensor_item(one, &v, &err), ERR_OK);
    assert_true(v == 1.0);
    tensor_release(one);
    tensor_release(row);
    tensor_release(t);
}

/* ---- aliasing ---- */

static void test_tensor_views_write_through(void **state) {
    (void)state;
    Error err;
    int64_t shape[2] = {3, 4};
    Tensor *w = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
    Tensor *row = tensor_select(w, 0, 1, &err);
    assert_int_equal(tensor_fill_(row, 7.0, &err), ERR_OK);
    assert_true(tensor_get(w, 4) == 7.0 && tensor_get(w, 7) == 7.0 && tensor_get(w, 8) == 0.0);
    Tensor *col = tensor_slice(w, 1, true, 3, false, 0, 1, &err);
    tensor_fill_(col, -1.0, &err);
    assert_true(tensor_get(w, 3) == -1.0 && tensor_get(w, 11) == -1.0);
    assert_true(w->storage->version >= 2);
    tensor_release(w); /* views keep the storage alive */
    assert_true(tensor_get(row, 0) == 7.0);
    tensor_release(row);
    tensor_release(col);
    assert_int_equal(mem_tensor_in_use(), 0);
}

static void test_tensor_copy_broadcasts_and_handles_overlap(void **state) {
    (void)state;
    Error err;
    int64_t shape[2] = {2, 3};
    Tensor *dst = tensor_zeros(DTYPE_INT64, 2, shape, &err);
    int64_t three = 3;
    double src_values[3] = {1.5, 2.5, -3.5};
    Tensor *src = tensor_from_doubles(DTYPE_FLOAT32, 1, &three, src_values, &err);
    assert_int_equal(tensor_copy_(dst, src, &err), ERR_OK);
    assert_int_equal(tensor_get_int(dst, 0), 1);
    assert_int_equal(tensor_get_int(dst, 5), -3);
    /* Partial overlap: copy_ refuses as torch; assign_ shifts through a temporary. */
    int64_t five = 5;
    double seq[5] = {0, 1, 2, 3, 4};
    Tensor *a = tensor_from_doubles(DTYPE_FLOAT32, 1, &five, seq, &err);
    Tensor *head = tensor_slice(a, 0, true, 0, true, 4, 1, &err);
    Tensor *tail = tensor_slice(a, 0, true, 1, true, 5, 1, &err);
    assert_int_equal(tensor_copy_(tail, head, &err), ERR_RUNTIME);
    assert_string_equal(err.msg, "unsupported operation: some elements of the input tensor and "
                                 "the written-to tensor refer to a single memory location. "
                                 "Please clone() the tensor before performing the operation.");
    assert_true(tensor_get(a, 1) == 1);
    assert_int_equal(tensor_assign_(tail, head, &err), ERR_OK);
    for (int i = 1; i < 5; i++) assert_true(tensor_get(a, i) == i - 1);
    /* The same elements in the same layout (another view of them) are fine. */
    Tensor *tail2 = tensor_slice(a, 0, true, 1, true, 5, 1, &err);
    assert_int_equal(tensor_copy_(tail, tail2, &err), ERR_OK);
    tensor_release(tail2);
    /* An expanded destination repeats elements: refused. */
    int64_t wide[2] = {3, 5};
    Tensor *expanded = tensor_expand(a, 2, wide, &err);
    Tensor *ones = tensor_ones(DTYPE_FLOAT32, 2, wide, &err);
    assert_int_equal(tensor_copy_(expanded, ones, &err), ERR_RUNTIME);
    assert_string_equal(err.msg, "unsupported operation: more than one element of the written-to "
                                 "tensor refers to a single memory location. Please clone() the "
                                 "tensor before performing the operation.");
    assert_int_equal(tensor_binary_(BIN_ADD, tail, head, &err), ERR_RUNTIME);
    tensor_release(expanded);
    tensor_release(ones);
    /* Shape mismatch. */
    int64_t four = 4;
    Tensor *bad = tensor_zeros(DTYPE_FLOAT32, 1, &four, &err);
    assert_int_not_equal(tensor_copy_(dst, bad, &err), ERR_OK);
    assert_string_equal(err.msg,
                        "The expanded size of the tensor (3) must match the existing size (4) at "
                        "non-singleton dimension 1.  Target sizes: [2, 3].  Tensor sizes: [4]");
    tensor_release(bad);
    tensor_release(head);
    tensor_release(tail);
    tensor_release(a);
    tensor_release(src);
    tensor_release(dst);
}

static void test_tensor_index_put_writes_rows(void **state) {
    (void)state;
    Error err;
    int64_t shape[2] = {4, 2};
    Tensor *w = tensor_zeros(DTYPE_FLOAT32, 2, shape, &err);
    int64_t two = 2;
    int64_t rows[2] = {3, -4};
    Tensor *index = tensor_from_int64s(DTYPE_INT64, 1, &two, rows, &err);
    Tensor *value = tensor_scalar(DTYPE_FLOAT32, 5.0, &err);
    assert_int_equal(tensor_index_put_(w, index, value, &err), ERR_OK);
    assert_true(tensor_get(w, 0) == 5.0 && tensor_get(w, 1) == 5.0);
    assert_true(tensor_get(w, 6) == 5.0 && tensor_get(w, 2) == 0.0);
    int64_t mask_values[4] = {0, 1, 0, 0};
    int64_t four = 4;
    Tensor *mask = tensor_from_int64s(DTYPE_BOOL, 1, &four, mask_values, &err);
    Tensor *minus = tensor_scalar(DTYPE_FLOAT32, -1.0, &err);
    assert_int_equal(tensor_index_put_(w, mask, minus, &err), ERR_OK);
    assert_true(tensor_get(w, 2) == -1.0 && tensor_get(w, 3) == -1.0);
    int64_t bad_rows[2] = {4, 0};
    Tensor *bad = tensor_from_int64s(DTYPE_INT64, 1, &two, bad_rows, &err);
    assert_int_equal(tensor_index_put_(w, bad, value, &err), ERR_INDEX);
    assert_string_equal(err.msg, "index 4 is out of bounds for dimension 0 with size 4");
    tensor_release(bad);
    tensor_release(mask);
    tensor_release(minus);
    tensor_release(index);
    tensor_release(value);
    tensor_release(w);
}

/* ---- joining ---- */

static void test_tensor_cat_and_stack(void **state) {
    (void)state;
    Error err;
    int64_t s23[2] = {2, 3}, s21[2] = {2, 1};
    Tensor *a = tensor_ones(DTYPE_FLOAT32, 2, s23, &err);
    Tensor *b = tensor_zeros(DTYPE_INT64, 2, s21, &err);
    Tensor *pair[2] = {a, b};
    Tensor *c = tensor_cat(pair, 2, 1, &err);
    assert_non_null(c);
    assert_int_equal(c->dtype, DTYPE_FLOAT32);
    assert_int_equal(c->shape[1], 4);
    assert_true(tensor_get(c, 3) == 0.0 && tensor_get(c, 4) == 1.0);
    tensor_release(c);
    assert_null(tensor_cat(pair, 2, 0, &err));
    assert_string_equal(err.msg, "Sizes of tensors must match except in dimension 0. Expected "
                                 "size 3 but got size 1 for tensor number 1 in the list.");
    assert_null(tensor_stack(pair, 2, 0, &err));
    assert_string_equal(err.msg, "stack expects each tensor to be equal size, but got [2, 3] at "
                                 "entry 0 and [2, 1] at entry 1");
    Tensor *same[2] = {a, a};
    Tensor *s = tensor_stack(same, 2, -1, &err);
    assert_non_null(s);
    assert_int_equal(s->ndim, 3);
    assert_int_equal(s->shape[2], 2);
    tensor_release(s);
    assert_null(tensor_cat(NULL, 0, 0, &err));
    assert_string_equal(err.msg, "torch.cat(): expected a non-empty list of Tensors");
    tensor_release(a);
    tensor_release(b);
}

/* ---- memory ---- */

static void test_tensor_budget_gives_memory_error(void **state) {
    (void)state;
    Error err;
    size_t old = mem_tensor_limit();
    mem_set_tensor_limit(1 << 20);
    int64_t shape[2] = {1000, 300};
    assert_null(tensor_zeros(DTYPE_FLOAT32, 2, shape, &err));
    assert_int_equal(err.code, ERR_MEMORY);
    assert_non_null(strstr(err.msg, "1200000 bytes"));
    mem_set_tensor_limit(old);
    int64_t big[2] = {1000000, 1000000};
    assert_null(tensor_zeros(DTYPE_FLOAT32, 2, big, &err));
    assert_int_equal(err.code, ERR_MEMORY);
    assert_non_null(strstr(err.msg, "4000000000000 bytes"));
    int64_t huge[3] = {1LL << 40, 1LL << 20, 1LL << 10};
    assert_null(tensor_zeros(DTYPE_FLOAT32, 3, huge, &err));
    assert_int_equal(err.code, ERR_RUNTIME);
    assert_string_equal(err.msg, "Storage size calculation overflowed with "
                                 "sizes=[1099511627776, 1048576, 1024]");
    assert_int_equal(mem_tensor_in_use(), 0);
}

typedef Tensor *(*TensorOp)(Error *err);

static Tensor *op_index(Error *err) {
    int64_t shape[2] = {5, 3}, three = 3, rows[3] = {4, 0, 2};
    Tensor *w = tensor_ones(DTYPE_FLOAT32, 2, shape, err);
    Tensor *idx = w ? tensor_from_int64s(DTYPE_INT64, 1, &three, rows, err) : NULL;
    Tensor *out = idx ? tensor_index(w, idx, err) : NULL;
    tensor_release(idx);
    tensor_release(w);
    return out;
}

static Tensor *op_reshape_copy(Error *err) {
    int64_t shape[2] = {4, 6}, flat[1] = {24};
    Tensor *w = tensor_ones(DTYPE_FLOAT32, 2, shape, err);
    Tensor *t = w ? tensor_transpose(w, 0, 1, err) : NULL;
    Tensor *out = t ? tensor_reshape(t, 1, flat, err) : NULL;
    tensor_release(t);
    tensor_release(w);
    return out;
}

static Tensor *op_stack(Error *err) {
    int64_t shape[2] = {2, 3};
    Tensor *a = tensor_ones(DTYPE_FLOAT32, 2, shape, err);
    Tensor *b = a ? tensor_zeros(DTYPE_FLOAT64, 2, shape, err) : NULL;
    Tensor *pair[2] = {a, b};
    Tensor *out = b ? tensor_stack(pair, 2, 1, err) : NULL;
    tensor_release(a);
    tensor_release(b);
    return out;
}

static Tensor *op_mask_select(Error *err) {
    int64_t shape[2] = {3, 2}, three = 3, mask_values[3] = {1, 0, 1};
    Tensor *w = tensor_ones(DTYPE_FLOAT32, 2, shape, err);
    Tensor *mask = w ? tensor_from_int64s(DTYPE_BOOL, 1, &three, mask_values, err) : NULL;
    Tensor *out = mask ? tensor_index(w, mask, err) : NULL;
    tensor_release(mask);
    tensor_release(w);
    return out;
}

/* Runs op once to count its allocations, then fails each one in turn: every run must
 * return NULL with ERR_MEMORY and leave no tensor bytes behind (leaks show under ASan). */
static void check_every_allocation_failure(TensorOp op) {
    Error err;
    unsigned long before = mem_alloc_count();
    Tensor *ok = op(&err);
    assert_non_null(ok);
    tensor_release(ok);
    unsigned long count = mem_alloc_count() - before;
    assert_true(count > 0);
    for (unsigned long i = 0; i < count; i++) {
        err_clear(&err);
        mem_fail_after((long)i);
        Tensor *t = op(&err);
        mem_fail_after(-1);
        assert_null(t);
        assert_int_equal(err.code, ERR_MEMORY);
        assert_int_equal(mem_tensor_in_use(), 0);
    }
}

static void test_tensor_allocation_failures_are_clean(void **state) {
    (void)state;
    check_every_allocation_failure(op_index);
    check_every_allocation_failure(op_reshape_copy);
    check_every_allocation_failure(op_stack);
    check_every_allocation_failure(op_mask_select);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tensor_views_match_torch),
        cmocka_unit_test(test_tensor_negative_dimension_message),
        cmocka_unit_test(test_tensor_arange_sizes_and_errors),
        cmocka_unit_test(test_tensor_store_casts_like_torch),
        cmocka_unit_test(test_tensor_item_requires_one_element),
        cmocka_unit_test(test_tensor_views_write_through),
        cmocka_unit_test(test_tensor_copy_broadcasts_and_handles_overlap),
        cmocka_unit_test(test_tensor_index_put_writes_rows),
        cmocka_unit_test(test_tensor_cat_and_stack),
        cmocka_unit_test(test_tensor_budget_gives_memory_error),
        cmocka_unit_test(test_tensor_allocation_failures_are_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
