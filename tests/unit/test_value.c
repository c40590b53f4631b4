/*
 * tests/unit/test_value.c — the value model: dict semantics, equality and hashing across
 * numeric types, float repr, reference cycles freed at teardown, str methods.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include "core/mem.h"
#include "lang/callable.h"
#include "lang/interp.h"
#include "lang/ops.h"

static int setup(void **state) {
    Interp *I = interp_new();
    if (!I) return -1;
    *state = I;
    return 0;
}

static int teardown(void **state) {
    interp_free(*state);
    return 0;
}

static char *repr_of(Interp *I, Value *v) {
    StrBuf sb = SB_INIT;
    assert_int_equal(val_repr(I, v, &sb), 0);
    return sb_take(&sb);
}

static void test_value_dict_keeps_insertion_order_and_numeric_keys_collide(void **state) {
    Interp *I = *state;
    Value *d = val_dict_new(I);
    for (int i = 0; i < 100; i++) {
        Value *k = val_int(I, i * 7 % 101), *v = val_int(I, i);
        assert_int_equal(val_dict_set(I, d, k, v), 0);
        val_release(k);
        val_release(v);
    }
    /* 1.0 and True are the same key as 1 in Python. */
    Value *one_f = val_float(I, 7.0), *t = val_bool(I, true), *seven = val_int(I, 7);
    Value *got = val_dict_get(I, d, one_f);
    assert_non_null(got);
    assert_int_equal(val_as_int(got), 1);
    assert_int_equal(val_dict_del(I, d, seven), 1);
    assert_null(val_dict_get(I, d, one_f));
    assert_int_equal(val_dict_del(I, d, seven), 0);
    assert_int_equal(((DictValue *)d)->count, 99);
    Value *first = ((DictValue *)d)->entries[0].key;
    assert_int_equal(val_as_int(first), 0);
    Value *list = val_list_new(I, 1);
    assert_int_equal(val_dict_set(I, d, list, t), -1);
    assert_string_equal(I->error.msg, "unhashable type: 'list'");
    interp_clear_error(I);
    val_release(list);
    val_release(one_f);
    val_release(t);
    val_release(seven);
    val_release(d);
}

static void test_value_repr_of_containers(void **state) {
    Interp *I = *state;
    Value *l = val_list_new(I, 4);
    Value *s = val_str(I, "it's");
    Value *t = val_tuple_new(I, 1);
    ((ListValue *)t)->items[0] = val_float(I, 1e-5);
    val_list_append_take(I, l, s);
    val_list_append_take(I, l, t);
    val_list_append(I, l, l); /* a list containing itself */
    char *text = repr_of(I, l);
    assert_string_equal(text, "[\"it's\", (1e-05,), [...]]");
    mem_free(text);
    val_release(l); /* the cycle keeps it alive: teardown must free it */
}

static void test_value_cycles_are_freed_at_teardown(void **state) {
    (void)state;
    Interp *I = interp_new();
    Value *a = val_list_new(I, 1), *b = val_dict_new(I);
    val_list_append(I, a, b);
    val_dict_set_str(I, b, "a", a);
    val_release(a);
    val_release(b);
    interp_free(I); /* ASan reports a leak if the cycle survives */
}

static void test_value_equality_across_numbers_and_sequences(void **state) {
    Interp *I = *state;
    Value *i = val_int(I, 3), *f = val_float(I, 3.0), *b = val_bool(I, true), *one = val_int(I, 1);
    assert_int_equal(val_equal(I, i, f), 1);
    assert_int_equal(val_equal(I, b, one), 1);
    assert_int_equal(val_hash(I, i), val_hash(I, f));
    Value *t1 = val_tuple_new(I, 1), *l1 = val_list_new(I, 1);
    ((ListValue *)t1)->items[0] = val_retain(i);
    val_list_append(I, l1, i);
    assert_int_equal(val_equal(I, t1, l1), 0); /* (3,) != [3] */
    Value *lt = op_compare(I, PYCMP_LT, one, f);
    assert_true(val_as_int(lt) == 1);
    val_release(lt);
    Value *s = val_str(I, "a");
    assert_null(op_compare(I, PYCMP_LT, s, one));
    assert_string_equal(I->error.msg, "'<' not supported between instances of 'str' and 'int'");
    interp_clear_error(I);
    val_release(s);
    val_release(t1);
    val_release(l1);
    val_release(i);
    val_release(f);
    val_release(b);
    val_release(one);
}

static Value *call_method(Interp *I, Value *obj, const char *name, Value **args, int n) {
    Value *m = op_getattr(I, obj, name);
    assert_non_null(m);
    Value *r = call_value(I, m, args, n);
    val_release(m);
    return r;
}

static void test_value_str_split_and_join(void **state) {
    Interp *I = *state;
    Value *s = val_str(I, "  the cat  sat ");
    Value *words = call_method(I, s, "split", NULL, 0);
    char *text = repr_of(I, words);
    assert_string_equal(text, "['the', 'cat', 'sat']");
    mem_free(text);
    Value *sep = val_str(I, "-");
    Value *joined = call_method(I, sep, "join", &words, 1);
    assert_string_equal(val_str_data(joined), "the-cat-sat");
    Value *comma = val_str(I, ",");
    Value *csv = val_str(I, "a,,b");
    Value *parts = call_method(I, csv, "split", &comma, 1);
    text = repr_of(I, parts);
    assert_string_equal(text, "['a', '', 'b']");
    mem_free(text);
    Value *bad = call_method(I, s, "split", &s, 1);
    assert_non_null(bad); /* a str separator is fine */
    val_release(bad);
    assert_null(op_getattr(I, s, "splt"));
    assert_string_equal(I->error.msg, "'str' object has no attribute 'splt'");
    assert_string_equal(I->error.hint, "did you mean 'split'?");
    interp_clear_error(I);
    val_release(parts);
    val_release(csv);
    val_release(comma);
    val_release(joined);
    val_release(sep);
    val_release(words);
    val_release(s);
}

static void test_value_list_sort_is_stable_and_keeps_list_on_error(void **state) {
    Interp *I = *state;
    Value *l = val_list_new(I, 4);
    Value *items[4] = {val_int(I, 3), val_str(I, "x"), val_int(I, 1), val_int(I, 2)};
    for (int i = 0; i < 4; i++) val_list_append_take(I, l, items[i]);
    Value *sort = op_getattr(I, l, "sort");
    assert_null(call_value(I, sort, NULL, 0));
    interp_clear_error(I);
    char *text = repr_of(I, l);
    assert_string_equal(text, "[3, 'x', 1, 2]");
    mem_free(text);
    val_release(sort);
    val_release(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_value_dict_keeps_insertion_order_and_numeric_keys_collide,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_repr_of_containers, setup, teardown),
        cmocka_unit_test(test_value_cycles_are_freed_at_teardown),
        cmocka_unit_test_setup_teardown(test_value_equality_across_numbers_and_sequences, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_value_str_split_and_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_list_sort_is_stable_and_keeps_list_on_error,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
