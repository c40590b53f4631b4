/*
 * tests/unit/test_kernel_conn.c — connection-file parsing (kernel/conn.c) and the
 * kernelspec writer (kernel/install.c). See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../../kernel/conn.h"
#include "../../kernel/install.h"

/* The file Debian's jupyter_client 7.4.9 writes (with its extra kernel_name key). */
static const char jupyter_file[] =
    "{\"shell_port\": 51949, \"iopub_port\": 44163, \"stdin_port\": 40309,"
    " \"control_port\": 57763, \"hb_port\": 36367, \"ip\": \"127.0.0.1\","
    " \"key\": \"e44bd446-ccf03cbf498d842411dda08c\", \"transport\": \"tcp\","
    " \"signature_scheme\": \"hmac-sha256\", \"kernel_name\": \"embedlab\"}";

static void test_conn_parse_jupyter_client_file(void **state) {
    (void)state;
    Conn c;
    Error err;
    err_clear(&err);
    assert_int_equal(conn_parse(jupyter_file, strlen(jupyter_file), "k.json", &c, &err), 0);
    assert_string_equal(c.transport, "tcp");
    assert_string_equal(c.ip, "127.0.0.1");
    assert_int_equal(c.ports[CONN_SHELL], 51949);
    assert_int_equal(c.ports[CONN_IOPUB], 44163);
    assert_int_equal(c.ports[CONN_STDIN], 40309);
    assert_int_equal(c.ports[CONN_CONTROL], 57763);
    assert_int_equal(c.ports[CONN_HB], 36367);
    assert_int_equal(c.key_len, 33);
    assert_memory_equal(c.key, "e44bd446-ccf03cbf498d842411dda08c", 33);
    char ep[128];
    assert_int_equal(conn_endpoint(&c, CONN_CONTROL, ep, sizeof ep), 0);
    assert_string_equal(ep, "tcp://127.0.0.1:57763");
    assert_int_equal(conn_endpoint(&c, CONN_HB, ep, 10), -1);
    conn_free(&c);
}

static void test_conn_parse_ipc_ipv6_and_empty_key(void **state) {
    (void)state;
    const char *ipc = "{\"transport\": \"ipc\", \"ip\": \"/tmp/kernel-1\", \"shell_port\": 1,"
                      " \"iopub_port\": 2, \"stdin_port\": 3, \"control_port\": 4,"
                      " \"hb_port\": 5, \"key\": \"\"}";
    Conn c;
    Error err;
    assert_int_equal(conn_parse(ipc, strlen(ipc), "ipc.json", &c, &err), 0);
    char ep[128];
    assert_int_equal(conn_endpoint(&c, CONN_STDIN, ep, sizeof ep), 0);
    assert_string_equal(ep, "ipc:///tmp/kernel-1-3");
    assert_int_equal(c.key_len, 0);
    conn_free(&c);
    const char *v6 = "{\"ip\": \"::1\", \"shell_port\": 1, \"iopub_port\": 2,"
                     " \"stdin_port\": 3, \"control_port\": 4, \"hb_port\": 5}";
    assert_int_equal(conn_parse(v6, strlen(v6), "v6.json", &c, &err), 0);
    assert_int_equal(conn_endpoint(&c, CONN_SHELL, ep, sizeof ep), 0);
    assert_string_equal(ep, "tcp://[::1]:1");
    assert_int_equal(c.key_len, 0); /* no key: unsigned */
    conn_free(&c);
}

static void expect_error(const char *text, const char *message) {
    Conn c;
    Error err;
    err_clear(&err);
    assert_int_equal(conn_parse(text, strlen(text), "bad.json", &c, &err), ERR_VALUE);
    assert_string_equal(err.msg, message);
    assert_null(c.ip);
    assert_null(c.key);
}

static void test_conn_parse_errors(void **state) {
    (void)state;
    expect_error("{\"shell_port\": 1,", "connection file bad.json: invalid JSON at line 1: "
                                         "string or '}' expected near end of file");
    expect_error("[1, 2]", "connection file bad.json: expected a JSON object");
    expect_error("{\"shell_port\": 1, \"iopub_port\": 2, \"stdin_port\": 3,"
                 " \"control_port\": 4}",
                 "connection file bad.json: missing \"hb_port\"");
    expect_error("{\"shell_port\": \"1\", \"iopub_port\": 2, \"stdin_port\": 3,"
                 " \"control_port\": 4, \"hb_port\": 5}",
                 "connection file bad.json: \"shell_port\" must be an integer in 1..65535");
    expect_error("{\"shell_port\": 70000, \"iopub_port\": 2, \"stdin_port\": 3,"
                 " \"control_port\": 4, \"hb_port\": 5}",
                 "connection file bad.json: \"shell_port\" must be an integer in 1..65535");
    expect_error("{\"signature_scheme\": \"hmac-md5\", \"shell_port\": 1}",
                 "connection file bad.json: unsupported signature_scheme \"hmac-md5\" "
                 "(expected \"hmac-sha256\")");
    expect_error("{\"transport\": \"udp\"}", "connection file bad.json: unsupported transport "
                                             "\"udp\" (expected \"tcp\" or \"ipc\")");
    expect_error("{\"key\": 12}", "connection file bad.json: \"key\" must be a string");
}

static void test_conn_load_missing_file(void **state) {
    (void)state;
    Conn c;
    Error err;
    err_clear(&err);
    assert_int_equal(conn_load("/nonexistent/kernel-x.json", &c, &err), ERR_FILE_NOT_FOUND);
    assert_string_equal(err.msg, "cannot open connection file /nonexistent/kernel-x.json: "
                                 "No such file or directory");
}

static void test_install_kernel_json(void **state) {
    (void)state;
    char *text = install_kernel_json("/opt/bin/embedlab-kernel");
    assert_non_null(text);
    json_t *spec = json_loads(text, 0, NULL);
    assert_non_null(spec);
    json_t *argv = json_object_get(spec, "argv");
    assert_int_equal(json_array_size(argv), 3);
    assert_string_equal(json_string_value(json_array_get(argv, 0)), "/opt/bin/embedlab-kernel");
    assert_string_equal(json_string_value(json_array_get(argv, 1)), "-f");
    assert_string_equal(json_string_value(json_array_get(argv, 2)), "{connection_file}");
    assert_string_equal(json_string_value(json_object_get(spec, "display_name")),
                        "embedlab (PyTorch embeddings)");
    assert_string_equal(json_string_value(json_object_get(spec, "interrupt_mode")), "message");
    assert_string_equal(json_string_value(json_object_get(spec, "language")), "embedlab");
    json_decref(spec);
    free(text);
}

static void test_install_dirs_and_write(void **state) {
    (void)state;
    char dir[4096];
    Error err;
    assert_int_equal(install_dir(INSTALL_PREFIX, "/opt/x", dir, sizeof dir, &err), 0);
    assert_string_equal(dir, "/opt/x/share/jupyter/kernels/embedlab");
    setenv("JUPYTER_DATA_DIR", "/data/j", 1);
    assert_int_equal(install_dir(INSTALL_USER, NULL, dir, sizeof dir, &err), 0);
    assert_string_equal(dir, "/data/j/kernels/embedlab");
    unsetenv("JUPYTER_DATA_DIR");
    setenv("XDG_DATA_HOME", "/xdg", 1);
    assert_int_equal(install_dir(INSTALL_USER, NULL, dir, sizeof dir, &err), 0);
    assert_string_equal(dir, "/xdg/jupyter/kernels/embedlab");
    unsetenv("XDG_DATA_HOME");
    setenv("VIRTUAL_ENV", "/venv", 1);
    assert_int_equal(install_dir(INSTALL_SYS_PREFIX, NULL, dir, sizeof dir, &err), 0);
    assert_string_equal(dir, "/venv/share/jupyter/kernels/embedlab");
    unsetenv("VIRTUAL_ENV");
    assert_int_equal(install_dir(INSTALL_SYSTEM, NULL, dir, sizeof dir, &err), 0);
    assert_string_equal(dir, "/usr/local/share/jupyter/kernels/embedlab");
    assert_int_equal(install_dir(INSTALL_PREFIX, "", dir, sizeof dir, &err), ERR_VALUE);

    char tmpl[] = "/tmp/embedlab-install-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    assert_int_equal(install_dir(INSTALL_PREFIX, tmpl, dir, sizeof dir, &err), 0);
    assert_int_equal(install_write(dir, "/bin/k", &err), 0);
    assert_int_equal(install_write(dir, "/bin/k2", &err), 0); /* replaces */
    char path[4200];
    snprintf(path, sizeof path, "%s/kernel.json", dir);
    json_t *spec = json_load_file(path, 0, NULL);
    assert_non_null(spec);
    assert_string_equal(json_string_value(json_array_get(json_object_get(spec, "argv"), 0)),
                        "/bin/k2");
    json_decref(spec);
    snprintf(path, sizeof path, "%s/logo-svg.svg", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_parse_jupyter_client_file),
        cmocka_unit_test(test_conn_parse_ipc_ipv6_and_empty_key),
        cmocka_unit_test(test_conn_parse_errors),
        cmocka_unit_test(test_conn_load_missing_file),
        cmocka_unit_test(test_install_kernel_json),
        cmocka_unit_test(test_install_dirs_and_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
