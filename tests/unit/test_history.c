/*
 * tests/unit/test_history.c — the REPL's history file (repl/history.[ch]): paths,
 * EMBEDLAB_HISTSIZE, escaping of multi-line entries, capping, merging of concurrent
 * writers, permissions and plain readline files. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../repl/history.h"

static char dir[64];
static char path[128];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/embedlab-hist-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/state/embedlab/history", dir);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_history_path_from_environment(void **state) {
    (void)state;
    char *p = hist_path("/x/state", "/home/u");
    assert_string_equal(p, "/x/state/embedlab/history");
    free(p);
    p = hist_path(NULL, "/home/u");
    assert_string_equal(p, "/home/u/.local/state/embedlab/history");
    free(p);
    p = hist_path("relative/dir", "/home/u"); /* the XDG spec ignores relative paths */
    assert_string_equal(p, "/home/u/.local/state/embedlab/history");
    free(p);
    assert_null(hist_path("", ""));
    assert_null(hist_path(NULL, NULL));
}

static void test_history_size_from_environment(void **state) {
    (void)state;
    assert_int_equal(hist_size(NULL), 1000);
    assert_int_equal(hist_size(""), 1000);
    assert_int_equal(hist_size("25"), 25);
    assert_int_equal(hist_size("0"), 0);
    assert_int_equal(hist_size("-3"), 1000);
    assert_int_equal(hist_size("12abc"), 1000);
    assert_int_equal(hist_size("99999999999999999999"), 1000000);
}

static void test_history_encode_round_trips(void **state) {
    (void)state;
    const char *cases[] = {"x = 1", "for i in range(3):\n    print(i)", "print('a\\nb')",
                           "s = 'tab\\\\'\r\n", "\\", "\\n literal", ""};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *line = hist_encode(cases[i]);
        assert_null(strchr(line, '\n'));
        assert_null(strchr(line, '\r'));
        char *back = hist_decode(line, strlen(line));
        assert_string_equal(back, cases[i]);
        free(line);
        free(back);
    }
    char *e = hist_encode("a\nb\\c");
    assert_string_equal(e, "a\\nb\\\\c");
    free(e);
}

static void test_history_missing_file_is_empty(void **state) {
    (void)state;
    HistList l = {0};
    assert_int_equal(hist_load(path, 1000, &l), 0);
    assert_int_equal(l.count, 0);
    hist_list_free(&l);
}

static void test_history_append_creates_private_file(void **state) {
    (void)state;
    const char *entries[] = {"x = 1", "for i in range(2):\n    print(i)"};
    assert_int_equal(hist_append(path, entries, 2, 1000), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char parent[160];
    snprintf(parent, sizeof parent, "%s/state/embedlab", dir);
    assert_int_equal(stat(parent, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char *text = test_read_file(path);
    assert_string_equal(text, "# embedlab history 1\nx = 1\nfor i in range(2):\\n    print(i)\n");
    free(text);
    HistList l = {0};
    assert_int_equal(hist_load(path, 1000, &l), 0);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.items[1], "for i in range(2):\n    print(i)");
    hist_list_free(&l);
    /* No temporary file is left behind. */
    char tmp[200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_int_equal(access(tmp, F_OK), -1);
}

static void test_history_cap_keeps_newest(void **state) {
    (void)state;
    char buf[16];
    for (int i = 0; i < 30; i++) {
        snprintf(buf, sizeof buf, "x = %d", i);
        const char *e[] = {buf};
        assert_int_equal(hist_append(path, e, 1, 10), 0);
    }
    HistList l = {0};
    assert_int_equal(hist_load(path, 1000, &l), 0);
    assert_int_equal(l.count, 10);
    assert_string_equal(l.items[0], "x = 20");
    assert_string_equal(l.items[9], "x = 29");
    hist_list_free(&l);
    assert_int_equal(hist_load(path, 3, &l), 0); /* loading caps too */
    assert_int_equal(l.count, 3);
    assert_string_equal(l.items[0], "x = 27");
    hist_list_free(&l);
    /* A zero size writes nothing. */
    const char *e[] = {"never"};
    assert_int_equal(hist_append(path, e, 1, 0), 0);
    assert_int_equal(hist_load(path, 1000, &l), 0);
    assert_string_equal(l.items[l.count - 1], "x = 29");
    hist_list_free(&l);
}

static void test_history_drops_consecutive_duplicates(void **state) {
    (void)state;
    const char *e[] = {"a", "a", "b", "", "a"};
    assert_int_equal(hist_append(path, e, 5, 100), 0);
    const char *again[] = {"a"};
    assert_int_equal(hist_append(path, again, 1, 100), 0);
    HistList l = {0};
    assert_int_equal(hist_load(path, 100, &l), 0);
    assert_int_equal(l.count, 3);
    assert_string_equal(l.items[0], "a");
    assert_string_equal(l.items[1], "b");
    assert_string_equal(l.items[2], "a");
    hist_list_free(&l);
}

static void test_history_reads_plain_readline_file(void **state) {
    (void)state;
    const char *e[] = {"seed"};
    assert_int_equal(hist_append(path, e, 1, 100), 0); /* creates the directory */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("print('a\\nb')\n\nimport torch\r\n", f);
    fclose(f);
    HistList l = {0};
    assert_int_equal(hist_load(path, 100, &l), 0);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.items[0], "print('a\\nb')"); /* no unescaping without the header */
    assert_string_equal(l.items[1], "import torch");
    hist_list_free(&l);
}

/* Several processes appending at once never lose or corrupt entries. */
static void test_history_concurrent_writers_merge(void **state) {
    (void)state;
    enum { WRITERS = 4, EACH = 25 };
    for (int w = 0; w < WRITERS; w++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char buf[32];
            for (int i = 0; i < EACH; i++) {
                snprintf(buf, sizeof buf, "w%d = %d\nmore", w, i);
                const char *e[] = {buf};
                if (hist_append(path, e, 1, 1000)) _exit(1);
            }
            _exit(0);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        int status;
        assert_true(wait(&status) > 0);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    HistList l = {0};
    assert_int_equal(hist_load(path, 1000, &l), 0);
    assert_int_equal(l.count, WRITERS * EACH);
    int next[WRITERS] = {0};
    for (int i = 0; i < l.count; i++) {
        int w, n;
        assert_int_equal(sscanf(l.items[i], "w%d = %d", &w, &n), 2);
        assert_int_equal(n, next[w]); /* each writer's entries in its order */
        next[w]++;
        assert_non_null(strstr(l.items[i], "\nmore"));
    }
    hist_list_free(&l);
}

/* A history file that cannot be read is left alone (not replaced by this session's
 * entries). A directory in its place stands for any read error (root reads mode 0 files). */
static void test_history_unreadable_file_is_not_clobbered(void **state) {
    (void)state;
    const char *e[] = {"seed"};
    assert_int_equal(hist_append(path, e, 1, 100), 0);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkdir(path, 0700), 0);
    char inside[200];
    snprintf(inside, sizeof inside, "%s/keep", path);
    FILE *f = fopen(inside, "w");
    assert_non_null(f);
    fclose(f);
    const char *more[] = {"new"};
    assert_int_equal(hist_append(path, more, 1, 100), -1);
    assert_int_equal(access(inside, F_OK), 0);
    HistList l = {0};
    assert_int_equal(hist_load(path, 100, &l), -1);
    assert_int_equal(l.count, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_path_from_environment),
        cmocka_unit_test(test_history_size_from_environment),
        cmocka_unit_test(test_history_encode_round_trips),
        cmocka_unit_test_setup_teardown(test_history_missing_file_is_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_append_creates_private_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_cap_keeps_newest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_drops_consecutive_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_reads_plain_readline_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_concurrent_writers_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_unreadable_file_is_not_clobbered, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
