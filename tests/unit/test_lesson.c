/*
 * tests/unit/test_lesson.c — the lesson format (src/lesson.[ch]): parsing, malformed
 * lessons reported with their line, checks evaluated on the session's state, saved
 * progress, and the players through the magics. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <unistd.h>

#include "lesson.h"
#include "session.h"

static const char good[] =
    "# ---\n"
    "# title: Padding\n"
    "# summary: Zero rows.\n"
    "# ---\n"
    "\n"
    "# %% [markdown]\n"
    "# Some **prose**.\n"
    "\n"
    "# %%\n"
    "import torch\n"
    "import torch.nn as nn\n"
    "\n"
    "# %% [markdown] tags=[\"exercise\"] id=\"pad-row\"\n"
    "# Make `e`.\n"
    "# hint: first hint\n"
    "# hint: second hint\n"
    "# check: e.num_embeddings == 5\n"
    "# check: e.padding_idx == 4\n"
    "# explain: e.padding_idx == 4 | padding_idx should be 4\n"
    "# success: Well done.\n"
    "# solution: e = nn.Embedding(5, 3,\n"
    "# solution:                  padding_idx=4)\n"
    "\n"
    "# %% tags=[\"raises\"]\n"
    "e(torch.tensor([7]))\n";

static void test_lesson_parse_structure(void **state) {
    (void)state;
    char err[256] = "";
    Lesson *l = lesson_parse("02-pad", good, strlen(good), err, sizeof err);
    assert_non_null(l);
    assert_string_equal(l->title, "Padding");
    assert_string_equal(l->summary, "Zero rows.");
    assert_int_equal(l->step_count, 3);
    assert_int_equal(l->exercise_count, 1);
    assert_false(l->steps[0].exercise);
    assert_string_equal(l->steps[0].prose, "Some **prose**.");
    assert_string_equal(l->steps[0].code, "import torch\nimport torch.nn as nn");
    const LessonStep *ex = &l->steps[1];
    assert_true(ex->exercise);
    assert_string_equal(ex->id, "pad-row");
    assert_string_equal(ex->prose, "Make `e`.");
    assert_int_equal(ex->hint_count, 2);
    assert_string_equal(ex->hints[1], "second hint");
    assert_int_equal(ex->check_count, 2);
    assert_int_equal(ex->explain_count, 1);
    assert_string_equal(ex->explains[0].cond, "e.padding_idx == 4");
    assert_string_equal(ex->explains[0].message, "padding_idx should be 4");
    assert_string_equal(ex->success, "Well done.");
    assert_string_equal(ex->solution, "e = nn.Embedding(5, 3,\n                 padding_idx=4)");
    assert_true(l->steps[2].raises);
    assert_string_equal(l->steps[2].prose, "");
    lesson_free(l);
}

static void expect_error(const char *text, const char *want) {
    char err[256] = "";
    Lesson *l = lesson_parse("bad", text, strlen(text), err, sizeof err);
    assert_null(l);
    if (!strstr(err, want)) fail_msg("error '%s' lacks '%s'", err, want);
}

static void test_lesson_malformed_reports_line(void **state) {
    (void)state;
    expect_error("x = 1\n", "bad:1: text before the first cell marker");
    expect_error("# ---\n# title: t\n", "bad:2: unterminated front matter");
    expect_error("# %%\nx = 1\n", "bad:1: the front matter has no title");
    expect_error("# ---\n# title: t\n# ---\n# %% [markdown] tags=[\"exercise\"]\n# x\n",
                 "bad:4: an exercise cell needs an id");
    expect_error("# ---\n# title: t\n# ---\n# %% [markdown] tags=[\"exercise\"] id=\"a\"\n"
                 "# hint: h\n# solution: x = 1\n",
                 "bad:4: exercise 'a' has no check");
    expect_error("# ---\n# title: t\n# ---\n# %% [markdown] tags=[\"exercise\"] id=\"a\"\n"
                 "# hint: h\n# check: x == 1\n",
                 "bad:4: exercise 'a' has no solution");
    expect_error("# ---\n# title: t\n# ---\n# %% [markdown]\nnot a comment\n",
                 "bad:5: a markdown line must start with '#'");
    expect_error("# ---\n# title: t\n# ---\n# %% [markdown] tags=[\"exercise\"] id=\"a\"\n"
                 "# hint: h\n# check: x\n# explain: no bar here\n# solution: x = 1\n",
                 "bad:7: explain: needs 'condition | message'");
    expect_error("# ---\n# title: t\n# ---\n# %% [markdown] tags=[\"exercise\"] id=\"a\"\n"
                 "# hint: h\n# check: x\n# solution: x = 1\n"
                 "# %% [markdown] tags=[\"exercise\"] id=\"a\"\n"
                 "# hint: h\n# check: x\n# solution: x = 1\n",
                 "bad:8: exercise id 'a' is used twice");
    expect_error("# ---\n# title: t\n# ---\n# %% [raw]\n", "bad:4: unknown cell type 'raw'");
}

typedef struct Out {
    char text[65536];
    size_t len;
} Out;

static void on_stream(void *ctx, const char *stream, const char *text, size_t len) {
    (void)stream;
    Out *o = ctx;
    if (o->len + len >= sizeof o->text) len = sizeof o->text - o->len - 1;
    memcpy(o->text + o->len, text, len);
    o->len += len;
    o->text[o->len] = '\0';
}

static void on_error(void *ctx, const char *ename, const char *evalue, const char *const *tb,
                     int lines) {
    (void)tb, (void)lines;
    on_stream(ctx, "stderr", ename, strlen(ename));
    on_stream(ctx, "stderr", ": ", 2);
    on_stream(ctx, "stderr", evalue, strlen(evalue));
    on_stream(ctx, "stderr", "\n", 1);
}

static void on_result(void *ctx, int count, const SessionBundle *b) {
    (void)count;
    on_stream(ctx, "stdout", b->text_plain, strlen(b->text_plain));
    on_stream(ctx, "stdout", "\n", 1);
}

static int run(Session *s, const char *code, Out *o) {
    SessionSink sink = {o, on_stream, NULL, on_result, on_error};
    o->len = 0;
    o->text[0] = '\0';
    SessionExecOptions opts = {"<test>", false, true};
    return session_execute(s, code, strlen(code), &opts, &sink);
}

static void test_lesson_checks_read_state(void **state) {
    (void)state;
    char err[256];
    Lesson *l = lesson_parse("02-pad", good, strlen(good), err, sizeof err);
    assert_non_null(l);
    Session *s = session_new(NULL);
    Out o;
    const LessonStep *ex = &l->steps[1];
    /* Undefined names and errors are false, never reported. */
    assert_int_equal(lesson_eval_check(s, "e.num_embeddings == 5"), 0);
    assert_int_equal(lesson_first_failing_check(s, ex), 0);
    assert_string_equal(lesson_first_failing_explain(s, ex), "padding_idx should be 4");
    run(s, "import torch.nn as nn\ne = nn.Embedding(5, 3)", &o);
    assert_int_equal(lesson_first_failing_check(s, ex), 1);
    /* A different spelling of the right answer passes: state, not text, is checked. */
    run(s, "e = nn.Embedding(num_embeddings=5, embedding_dim=3, padding_idx=-1)", &o);
    assert_int_equal(lesson_first_failing_check(s, ex), -1);
    assert_null(lesson_first_failing_explain(s, ex));
    /* A tensor condition is converted with bool(). */
    assert_int_equal(lesson_eval_check(s, "e.weight[4].sum() == 0"), 1);
    session_free(s);
    lesson_free(l);
}

static void test_lesson_progress_roundtrip(void **state) {
    (void)state;
    char dir[] = "/tmp/embedlab-lesson-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("XDG_STATE_HOME", dir, 1);
    bool finished = true;
    int solved = -1;
    assert_int_equal(lesson_progress_get("01-x", &finished, &solved), 0);
    assert_false(finished);
    assert_int_equal(lesson_progress_set("01-x", 4, false, 2), 0);
    assert_int_equal(lesson_progress_set("02-y", 7, true, 3), 0);
    assert_int_equal(lesson_progress_get("01-x", &finished, &solved), 4);
    assert_false(finished);
    assert_int_equal(solved, 2);
    assert_int_equal(lesson_progress_get("02-y", &finished, &solved), 7);
    assert_true(finished);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* The interactive player through the magics, on the real lesson 01-lookup (its step
 * numbers: exercises at steps 3, 6, 8 and 11 of 11; tests/lessons/run.py's pty test relies
 * on them too — update both when the lesson's steps change). */
static void test_lesson_player_through_magics(void **state) {
    (void)state;
    char dir[] = "/tmp/embedlab-lesson-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("XDG_STATE_HOME", dir, 1);
    Session *s = session_new(NULL);
    Out o;
    assert_int_equal(run(s, "%lesson lookup", &o), SESSION_OK);
    assert_non_null(strstr(o.text, "[1/"));
    assert_string_equal(session_lesson_prompt(s), "[1/11] ");
    run(s, "", &o); /* Enter */
    assert_non_null(strstr(o.text, "Embedding(10, 3)"));
    run(s, "", &o);
    assert_string_equal(session_lesson_prompt(s), "[3/11] ");
    run(s, "", &o); /* Enter does not skip an exercise */
    assert_non_null(strstr(o.text, "still open"));
    run(s, "hint", &o);
    assert_non_null(strstr(o.text, "hint 1/2"));
    run(s, "table = nn.Embedding(20, 5)", &o); /* wrong: nothing said */
    assert_null(strstr(o.text, "Correct"));
    run(s, "hint", &o);
    assert_non_null(strstr(o.text, "embedding_dim should be 4"));
    assert_non_null(strstr(o.text, "hint 2/2"));
    run(s, "table = nn.Embedding(embedding_dim=4, num_embeddings=20)", &o);
    assert_non_null(strstr(o.text, "Correct"));
    assert_non_null(strstr(o.text, ">>> table = nn.Embedding(20, 4)"));
    assert_string_equal(session_lesson_prompt(s), "[4/11] ");
    run(s, "", &o);
    run(s, "", &o);
    run(s, "skip", &o);
    assert_non_null(strstr(o.text, "It made: sentences, vectors"));
    assert_string_equal(session_lesson_prompt(s), "[7/11] ");
    /* Magics still work inside a lesson. */
    assert_int_equal(run(s, "%who Tensor", &o), SESSION_OK);
    assert_non_null(strstr(o.text, "sentences"));
    assert_int_equal(run(s, "emb?", &o), SESSION_OK); /* help shortcuts too */
    assert_null(strstr(o.text, "SyntaxError"));
    assert_string_equal(session_lesson_prompt(s), "[7/11] ");
    /* back shows the previous step without running it again. */
    run(s, "back", &o);
    assert_string_equal(session_lesson_prompt(s), "[6/11] ");
    run(s, "", &o);
    assert_non_null(strstr(o.text, "still open"));
    run(s, "skip", &o);
    assert_string_equal(session_lesson_prompt(s), "[7/11] ");
    run(s, "", &o);
    run(s, "back", &o);
    assert_non_null(strstr(o.text, "shown again, not run again"));
    assert_null(strstr(o.text, "tensor([[0., 1.")); /* the one-hot output is not shown */
    run(s, "", &o);
    assert_string_equal(session_lesson_prompt(s), "[8/11] ");
    run(s, "back", &o);
    run(s, "bye", &o);
    assert_null(session_lesson_prompt(s));
    session_free(s);
    /* A new session resumes at the saved step with the earlier state rebuilt. */
    s = session_new(NULL);
    run(s, "%lesson 1", &o);
    assert_non_null(strstr(o.text, "resuming at step 7"));
    assert_string_equal(session_lesson_prompt(s), "[7/11] ");
    run(s, "bye", &o);
    assert_int_equal(run(s, "print(vectors.shape)", &o), SESSION_OK);
    assert_string_equal(o.text, "torch.Size([3, 5, 3])\n");
    assert_int_equal(run(s, "%check lookup-onehot", &o), SESSION_OK);
    assert_non_null(strstr(o.text, "✗ lookup-onehot"));
    assert_non_null(strstr(o.text, "hint 1/2"));
    run(s, "picked = emb.weight[7]", &o);
    run(s, "%check lookup-onehot", &o);
    assert_non_null(strstr(o.text, "✓ lookup-onehot"));
    session_free(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* Terminal prose: wrapped to the width ($COLUMNS without a terminal), markdown markers
 * rendered (no colour here: bold markers dropped, code spans kept whole). */
static void test_lesson_prose_wrapped(void **state) {
    (void)state;
    char dir[] = "/tmp/embedlab-lesson-XXXXXX";
    assert_non_null(mkdtemp(dir));
    setenv("XDG_STATE_HOME", dir, 1);
    setenv("COLUMNS", "40", 1);
    Session *s = session_new(NULL);
    Out o;
    assert_int_equal(run(s, "%lesson 02-padding", &o), SESSION_OK);
    assert_non_null(strstr(o.text, "Sentences have different lengths, but a\nbatch"));
    assert_null(strstr(o.text, "**"));
    run(s, "", &o);
    /* `nn.Embedding(..., padding_idx=0)` is one unbreakable span */
    assert_non_null(strstr(o.text, "`nn.Embedding(..., padding_idx=0)`"));
    for (const char *line = o.text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        if (strncmp(line, ">>> ", 4) != 0 && strncmp(line, "... ", 4) != 0 &&
            strncmp(line, "tensor", 6) != 0 && line[0] != ' ' && line[0] != '(' && n > 40 &&
            !memchr(line, '`', n))
            fail_msg("line longer than 40 columns: %.*s", (int)n, line);
        line += n + (nl ? 1 : 0);
    }
    run(s, "bye", &o);
    session_free(s);
    unsetenv("COLUMNS");
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    setenv("EMBEDLAB_LESSONS", "lessons", 1);
    setenv("NO_COLOR", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lesson_parse_structure),
        cmocka_unit_test(test_lesson_malformed_reports_line),
        cmocka_unit_test(test_lesson_checks_read_state),
        cmocka_unit_test(test_lesson_progress_roundtrip),
        cmocka_unit_test(test_lesson_player_through_magics),
        cmocka_unit_test(test_lesson_prose_wrapped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
