/*
 * tests/unit/test_kernel_reply.c — message content builders (kernel/reply.c): MIME
 * bundles, display_data / execute_result / error shapes, is_complete indents, text repair.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include "../../kernel/reply.h"

static const char *str_of(const json_t *obj, const char *key) {
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "(missing)";
}

static void test_reply_mime_bundle_keeps_rich_renderings(void **state) {
    (void)state;
    SessionBundle plain = {"tensor([1., 2.])", NULL, NULL};
    json_t *d = reply_mime_bundle(&plain);
    assert_int_equal(json_object_size(d), 1);
    assert_string_equal(str_of(d, "text/plain"), "tensor([1., 2.])");
    json_decref(d);
    SessionBundle rich = {"Embedding(10, 3)", "<pre>Embedding(10, 3)</pre>", "<svg/>"};
    json_t *r = reply_execute_result(7, &rich);
    assert_int_equal(json_integer_value(json_object_get(r, "execution_count")), 7);
    json_t *data = json_object_get(r, "data");
    assert_int_equal(json_object_size(data), 3);
    assert_string_equal(str_of(data, "text/html"), "<pre>Embedding(10, 3)</pre>");
    assert_string_equal(str_of(data, "image/svg+xml"), "<svg/>");
    assert_true(json_is_object(json_object_get(r, "metadata")));
    json_decref(r);
    json_t *disp = reply_display_data(&rich);
    assert_true(json_is_object(json_object_get(disp, "transient")));
    assert_null(json_object_get(disp, "execution_count"));
    json_decref(disp);
}

static void test_reply_error_shapes(void **state) {
    (void)state;
    const char *tb[] = {"Traceback (most recent call last):", "  File \"<cell 1>\", line 1",
                        "IndexError: index out of range in self"};
    json_t *out = reply_error_output("IndexError", "index out of range in self", tb, 3);
    assert_null(json_object_get(out, "status"));
    assert_int_equal(json_array_size(json_object_get(out, "traceback")), 3);
    json_decref(out);
    json_t *rep = reply_execute_error(4, reply_error("IndexError", "boom", tb, 3));
    assert_string_equal(str_of(rep, "status"), "error");
    assert_string_equal(str_of(rep, "ename"), "IndexError");
    assert_string_equal(str_of(rep, "evalue"), "boom");
    assert_int_equal(json_integer_value(json_object_get(rep, "execution_count")), 4);
    assert_true(json_is_object(json_object_get(rep, "user_expressions")));
    assert_true(json_is_array(json_object_get(rep, "payload")));
    json_decref(rep);
    assert_null(reply_execute_error(1, NULL));
}

static void test_reply_is_complete_indent_only_when_incomplete(void **state) {
    (void)state;
    json_t *r = reply_is_complete(SESSION_INCOMPLETE, "    ");
    assert_string_equal(str_of(r, "status"), "incomplete");
    assert_string_equal(str_of(r, "indent"), "    ");
    json_decref(r);
    r = reply_is_complete(SESSION_COMPLETE, "    ");
    assert_string_equal(str_of(r, "status"), "complete");
    assert_null(json_object_get(r, "indent"));
    json_decref(r);
    r = reply_is_complete(SESSION_INVALID, NULL);
    assert_string_equal(str_of(r, "status"), "invalid");
    json_decref(r);
}

static void test_reply_stream_repairs_text(void **state) {
    (void)state;
    json_t *s = reply_stream("stdout", "ok \xff\n", 5);
    assert_string_equal(str_of(s, "name"), "stdout");
    assert_string_equal(str_of(s, "text"), "ok \xef\xbf\xbd\n");
    json_decref(s);
    json_t *in = reply_execute_input("a\0b", 3, 2);
    assert_int_equal(json_string_length(json_object_get(in, "code")), 3);
    json_decref(in);
}

static void test_reply_complete_and_inspect(void **state) {
    (void)state;
    const char *m[] = {"print", "property"};
    json_t *c = reply_complete(m, 2, 0, 2);
    assert_int_equal(json_array_size(json_object_get(c, "matches")), 2);
    assert_int_equal(json_integer_value(json_object_get(c, "cursor_end")), 2);
    assert_true(json_is_object(json_object_get(c, "metadata")));
    json_decref(c);
    json_t *none = reply_inspect(NULL);
    assert_true(json_is_false(json_object_get(none, "found")));
    json_decref(none);
    json_t *ki = reply_kernel_info(session_info());
    assert_string_equal(str_of(ki, "protocol_version"), "5.3");
    assert_string_equal(str_of(json_object_get(ki, "language_info"), "name"), "embedlab");
    json_decref(ki);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reply_mime_bundle_keeps_rich_renderings),
        cmocka_unit_test(test_reply_error_shapes),
        cmocka_unit_test(test_reply_is_complete_indent_only_when_incomplete),
        cmocka_unit_test(test_reply_stream_repairs_text),
        cmocka_unit_test(test_reply_complete_and_inspect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
