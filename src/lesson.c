/*
 * src/lesson.c — lesson files: parsing, checking, progress, playback, notebook export.
 * See lesson.h and lessons/README.md. See LICENSE (GPL-3.0-or-later).
 *
 * How it works:
 *   - A check is evaluated as `bool((EXPR))` through session_run with a capturing sink: its
 *     repr "True" passes; anything else (False, an exception, a syntax error) fails and
 *     nothing reaches the student.
 *   - Demos and solutions run one top-level statement at a time (split_statements), each
 *     echoed as the REPL shows it, the value of an expression statement printed as its
 *     repr, an error as "Kind: message" in --play: tests/tools/play_lesson.py produces the
 *     same transcript under PyTorch, which is how lessons/NN-topic.out is made.
 *   - Lesson code runs in the directory above lessons/ (enter_lesson_dir), the student's
 *     own code where they started embedlab.
 *   - Progress is one JSON file {"version": 1, "lessons": {NAME: {"step", "finished",
 *     "solved"}}} rewritten through a temporary file and rename().
 */
#include "lesson.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "lang/eval.h"
#include "lang/value.h"
#include "session_internal.h"

#define LESSON_MAX_BYTES ((size_t)4 << 20)

/* ---- small helpers ---- */

static char *dup_n(const char *s, size_t n) {
    char *d = mem_strndup(s, n, NULL);
    return d;
}

static char *dup_s(const char *s) { return dup_n(s, strlen(s)); }

static void fmt_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fmt_err(char *err, size_t size, const char *fmt, ...) {
    if (!err || !size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

static bool starts_with(const char *s, size_t n, const char *prefix) {
    size_t p = strlen(prefix);
    return n >= p && memcmp(s, prefix, p) == 0;
}

static bool blank_n(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return false;
    return true;
}

/* Appends to a growable array of strings. */
static int push_str(char ***arr, int *count, char *s) {
    if (!s) return -1;
    char **grown = mem_realloc(*arr, (size_t)(*count + 1) * sizeof **arr, NULL);
    if (!grown) {
        mem_free(s);
        return -1;
    }
    grown[(*count)++] = s;
    *arr = grown;
    return 0;
}

/* ---- parsing ---- */

typedef struct Cell {
    int kind; /* 0 markdown, 1 code, 2 exercise */
    int line;
    bool raises;
    char id[128];
    StrBuf body; /* markdown: prose; code: code */
} Cell;

/* Parses the metadata after "# %%": [markdown], tags=[...], id="...". */
static int parse_marker(const char *s, size_t n, Cell *c, char *why, size_t why_size) {
    size_t i = 0;
    c->kind = 1;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
        if (i >= n) break;
        if (s[i] == '[') {
            size_t j = i;
            while (j < n && s[j] != ']') j++;
            if (j >= n) return fmt_err(why, why_size, "unclosed '[' in the cell marker"), -1;
            if (j - i - 1 == 8 && memcmp(s + i + 1, "markdown", 8) == 0) c->kind = 0;
            else if (!(j - i - 1 == 2 && memcmp(s + i + 1, "md", 2) == 0))
                return fmt_err(why, why_size, "unknown cell type '%.*s'", (int)(j - i - 1),
                               s + i + 1), -1;
            else c->kind = 0;
            i = j + 1;
            continue;
        }
        size_t k = i;
        while (k < n && s[k] != '=' && s[k] != ' ') k++;
        if (k >= n || s[k] != '=')
            return fmt_err(why, why_size, "expected key=value in the cell marker, got '%.*s'",
                           (int)(n - i), s + i), -1;
        const char *key = s + i;
        size_t klen = k - i;
        size_t v = k + 1, e = v;
        if (v < n && s[v] == '[') {
            while (e < n && s[e] != ']') e++;
            if (e >= n) return fmt_err(why, why_size, "unclosed '[' in the cell marker"), -1;
            e++;
        } else if (v < n && s[v] == '"') {
            e = v + 1;
            while (e < n && s[e] != '"') e++;
            if (e >= n) return fmt_err(why, why_size, "unclosed '\"' in the cell marker"), -1;
            e++;
        } else {
            while (e < n && s[e] != ' ') e++;
        }
        const char *val = s + v;
        size_t vlen = e - v;
        if (klen == 4 && memcmp(key, "tags", 4) == 0) {
            /* tags=["exercise", "raises"] */
            for (size_t p = 0; p < vlen; p++) {
                if (val[p] != '"') continue;
                size_t q = p + 1;
                while (q < vlen && val[q] != '"') q++;
                if (q - p - 1 == 8 && memcmp(val + p + 1, "exercise", 8) == 0) c->kind = 2;
                else if (q - p - 1 == 6 && memcmp(val + p + 1, "raises", 6) == 0) c->raises = true;
                p = q;
            }
        } else if (klen == 2 && memcmp(key, "id", 2) == 0) {
            const char *iv = val;
            size_t il = vlen;
            if (il >= 2 && iv[0] == '"') iv++, il -= 2;
            if (il == 0 || il >= sizeof c->id)
                return fmt_err(why, why_size, "bad id in the cell marker"), -1;
            memcpy(c->id, iv, il);
            c->id[il] = '\0';
        }
        /* other keys (Jupytext metadata) are ignored */
        i = e;
    }
    if (c->kind == 2 && !c->id[0])
        return fmt_err(why, why_size, "an exercise cell needs an id=\"...\""), -1;
    return 0;
}

/* The text of a markdown comment line: "# text" -> "text", "#" -> "". */
static bool comment_text(const char *s, size_t n, const char **out, size_t *out_len) {
    if (n == 0) {
        *out = s, *out_len = 0;
        return true;
    }
    if (s[0] != '#') return false;
    if (n >= 2 && s[1] == ' ') *out = s + 2, *out_len = n - 2;
    else *out = s + 1, *out_len = n - 1;
    return true;
}

static void step_free(LessonStep *st) {
    mem_free(st->prose);
    mem_free(st->code);
    mem_free(st->id);
    mem_free(st->success);
    for (int i = 0; i < st->hint_count; i++) mem_free(st->hints[i]);
    mem_free(st->hints);
    for (int i = 0; i < st->check_count; i++) mem_free(st->checks[i]);
    mem_free(st->checks);
    for (int i = 0; i < st->explain_count; i++) {
        mem_free(st->explains[i].cond);
        mem_free(st->explains[i].message);
    }
    mem_free(st->explains);
    mem_free(st->solution);
}

void lesson_free(Lesson *l) {
    if (!l) return;
    for (int i = 0; i < l->step_count; i++) step_free(&l->steps[i]);
    mem_free(l->steps);
    mem_free(l->name);
    mem_free(l->path);
    mem_free(l->title);
    mem_free(l->summary);
    mem_free(l);
}

/* Removes trailing blank lines (and the final newline) of a buffer. */
static char *take_trimmed(StrBuf *sb) {
    while (sb->len && (sb_str(sb)[sb->len - 1] == '\n' || sb_str(sb)[sb->len - 1] == ' ' ||
                       sb_str(sb)[sb->len - 1] == '\r'))
        sb_truncate(sb, sb->len - 1);
    const char *t = sb_str(sb);
    size_t skip = 0;
    while (skip < sb->len && t[skip] == '\n') skip++;
    char *out = dup_n(t + skip, sb->len - skip);
    sb_free(sb);
    return out;
}

static LessonStep *new_step(Lesson *l) {
    LessonStep *grown = mem_realloc(l->steps, (size_t)(l->step_count + 1) * sizeof *grown, NULL);
    if (!grown) return NULL;
    l->steps = grown;
    LessonStep *st = &l->steps[l->step_count++];
    memset(st, 0, sizeof *st);
    return st;
}

/* Turns a finished cell into (part of) a step. */
static int add_cell(Lesson *l, Cell *c, const char *name, char *err, size_t err_size) {
    if (c->kind == 1) {
        char *code = take_trimmed(&c->body);
        if (!code) return -1;
        if (!code[0]) {
            mem_free(code);
            return 0;
        }
        LessonStep *last = l->step_count ? &l->steps[l->step_count - 1] : NULL;
        if (!last || last->exercise || last->code) {
            last = new_step(l);
            if (!last) return mem_free(code), -1;
            last->line = c->line;
            last->prose = dup_s("");
        }
        last->code = code;
        last->raises = c->raises;
        return 0;
    }
    if (c->kind == 0) {
        char *prose = take_trimmed(&c->body);
        if (!prose) return -1;
        if (!prose[0]) {
            mem_free(prose);
            return 0;
        }
        LessonStep *st = new_step(l);
        if (!st) return mem_free(prose), -1;
        st->line = c->line;
        st->prose = prose;
        return 0;
    }
    /* an exercise: split the prose from the hint:/check:/explain:/solution: lines */
    LessonStep *st = new_step(l);
    if (!st) return sb_free(&c->body), -1;
    st->exercise = true;
    st->line = c->line;
    st->id = dup_s(c->id);
    StrBuf prose = SB_INIT, solution = SB_INIT;
    const char *text = sb_str(&c->body);
    size_t n = c->body.len;
    int line = c->line;
    int rc = 0;
    for (size_t pos = 0; pos < n && rc == 0;) {
        line++;
        const char *nl = memchr(text + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - text) : n;
        const char *s = text + pos;
        size_t len = end - pos;
        pos = nl ? end + 1 : n;
        const char *val;
        size_t vlen;
#define FIELD(word) \
    (starts_with(s, len, word ":") && (val = s + strlen(word) + 1, vlen = len - strlen(word) - 1, \
                                       (vlen && val[0] == ' ' ? (val++, vlen--) : 0), true))
        if (FIELD("hint")) {
            rc = push_str(&st->hints, &st->hint_count, dup_n(val, vlen));
        } else if (FIELD("check")) {
            rc = push_str(&st->checks, &st->check_count, dup_n(val, vlen));
        } else if (FIELD("success")) {
            mem_free(st->success);
            st->success = dup_n(val, vlen);
        } else if (FIELD("solution")) {
            sb_appendn(&solution, val, vlen);
            sb_appendc(&solution, '\n');
        } else if (FIELD("explain")) {
            const char *bar = NULL;
            for (size_t i = 0; i + 2 < vlen; i++)
                if (val[i] == ' ' && val[i + 1] == '|' && val[i + 2] == ' ') bar = val + i;
            if (!bar) {
                fmt_err(err, err_size, "%s:%d: explain: needs 'condition | message'", name, line);
                rc = 1;
                break;
            }
            LessonExplain *g = mem_realloc(st->explains,
                                           (size_t)(st->explain_count + 1) * sizeof *g, NULL);
            if (!g) {
                rc = -1;
                break;
            }
            st->explains = g;
            g[st->explain_count].cond = dup_n(val, (size_t)(bar - val));
            g[st->explain_count].message = dup_n(bar + 3, vlen - (size_t)(bar - val) - 3);
            st->explain_count++;
        } else {
            sb_appendn(&prose, s, len);
            sb_appendc(&prose, '\n');
        }
#undef FIELD
    }
    sb_free(&c->body);
    st->prose = take_trimmed(&prose);
    st->solution = take_trimmed(&solution);
    if (rc) {
        if (rc < 0) fmt_err(err, err_size, "%s: out of memory", name);
        return -1;
    }
    if (!st->check_count) {
        fmt_err(err, err_size, "%s:%d: exercise '%s' has no check: line", name, c->line, c->id);
        return -1;
    }
    if (!st->solution || !st->solution[0]) {
        fmt_err(err, err_size, "%s:%d: exercise '%s' has no solution: line", name, c->line,
                c->id);
        return -1;
    }
    if (!st->hint_count) {
        fmt_err(err, err_size, "%s:%d: exercise '%s' has no hint: line", name, c->line, c->id);
        return -1;
    }
    l->exercise_count++;
    return 0;
}

Lesson *lesson_parse(const char *name, const char *text, size_t len, char *err,
                     size_t err_size) {
    Lesson *l = mem_calloc(1, sizeof *l, NULL);
    if (!l) return fmt_err(err, err_size, "%s: out of memory", name), NULL;
    l->name = dup_s(name);
    l->path = dup_s("");
    Cell cell;
    memset(&cell, 0, sizeof cell);
    bool in_cell = false, front = false, front_done = false;
    int line = 0;
    char why[256];
    for (size_t pos = 0; pos < len;) {
        line++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *s = text + pos;
        size_t n = end - pos;
        pos = nl ? end + 1 : len;
        if (n && s[n - 1] == '\r') n--;
        if (!in_cell && !front_done && !front && n == 5 && memcmp(s, "# ---", 5) == 0 &&
            blank_n(text, (size_t)(s - text))) {
            front = true;
            continue;
        }
        if (front) {
            if (n == 5 && memcmp(s, "# ---", 5) == 0) {
                front = false;
                front_done = true;
                continue;
            }
            const char *t;
            size_t tn;
            if (!comment_text(s, n, &t, &tn)) {
                fmt_err(err, err_size, "%s:%d: front matter lines must start with '#'", name,
                        line);
                goto fail;
            }
            if (starts_with(t, tn, "title:")) {
                size_t k = 6;
                while (k < tn && t[k] == ' ') k++;
                mem_free(l->title);
                l->title = dup_n(t + k, tn - k);
            } else if (starts_with(t, tn, "summary:")) {
                size_t k = 8;
                while (k < tn && t[k] == ' ') k++;
                mem_free(l->summary);
                l->summary = dup_n(t + k, tn - k);
            }
            continue;
        }
        if (starts_with(s, n, "# %%") && (n == 4 || s[4] == ' ')) {
            if (in_cell && add_cell(l, &cell, name, err, err_size)) goto fail_cell;
            memset(&cell, 0, sizeof cell);
            cell.line = line;
            in_cell = true;
            if (parse_marker(s + 4, n - 4, &cell, why, sizeof why)) {
                fmt_err(err, err_size, "%s:%d: %s", name, line, why);
                goto fail;
            }
            continue;
        }
        if (!in_cell) {
            if (blank_n(s, n)) continue;
            fmt_err(err, err_size, "%s:%d: text before the first cell marker '# %%%%'", name,
                    line);
            goto fail;
        }
        if (cell.kind == 1) {
            sb_appendn(&cell.body, s, n);
            sb_appendc(&cell.body, '\n');
        } else {
            const char *t;
            size_t tn;
            if (!comment_text(s, n, &t, &tn)) {
                fmt_err(err, err_size, "%s:%d: a markdown line must start with '#'", name, line);
                goto fail;
            }
            sb_appendn(&cell.body, t, tn);
            sb_appendc(&cell.body, '\n');
        }
    }
    if (front) {
        fmt_err(err, err_size, "%s:%d: unterminated front matter (no closing '# ---')", name,
                line);
        goto fail;
    }
    if (in_cell && add_cell(l, &cell, name, err, err_size)) goto fail_cell;
    if (!l->title) {
        fmt_err(err, err_size, "%s:1: the front matter has no title:", name);
        goto fail;
    }
    if (!l->summary) l->summary = dup_s("");
    if (!l->step_count) {
        fmt_err(err, err_size, "%s:%d: the lesson has no cells", name, line);
        goto fail;
    }
    for (int i = 0; i < l->step_count; i++)
        for (int j = 0; j < i; j++)
            if (l->steps[i].exercise && l->steps[j].exercise &&
                strcmp(l->steps[i].id, l->steps[j].id) == 0) {
                fmt_err(err, err_size, "%s:%d: exercise id '%s' is used twice", name,
                        l->steps[i].line, l->steps[i].id);
                goto fail;
            }
    return l;
fail:
    sb_free(&cell.body);
fail_cell:
    lesson_free(l);
    return NULL;
}

Lesson *lesson_load(const char *path, char *err, size_t err_size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fmt_err(err, err_size, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    StrBuf sb = SB_INIT;
    char buf[8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        sb_appendn(&sb, buf, got);
        if (sb.len > LESSON_MAX_BYTES) break;
    }
    bool bad = ferror(f) || sb.len > LESSON_MAX_BYTES || sb_check(&sb, NULL);
    fclose(f);
    if (bad) {
        sb_free(&sb);
        fmt_err(err, err_size, "cannot read %s", path);
        return NULL;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t bl = strlen(base);
    if (bl > 3 && strcmp(base + bl - 3, ".py") == 0) bl -= 3;
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)bl, base);
    Lesson *l = lesson_parse(name, sb_str(&sb), sb.len, err, err_size);
    sb_free(&sb);
    if (l) {
        mem_free(l->path);
        l->path = dup_s(path);
    }
    return l;
}

/* ---- finding lessons ---- */

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *lesson_dir(void) {
    static char found[4096];
    const char *env = getenv("EMBEDLAB_LESSONS");
    if (env && env[0]) {
        snprintf(found, sizeof found, "%s", env);
        return found;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        /* build/embedlab -> lessons/, build/sanitize/embedlab -> lessons/,
         * PREFIX/bin/embedlab -> PREFIX/share/embedlab/lessons */
        static const char *const rel[] = {"/../lessons", "/../../lessons",
                                          "/../share/embedlab/lessons", NULL};
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        size_t el = strlen(exe);
        for (int i = 0; rel[i]; i++) {
            size_t rl = strlen(rel[i]);
            if (el + rl + 1 > sizeof found) continue;
            memcpy(found, exe, el);
            memcpy(found + el, rel[i], rl + 1);
            if (is_dir(found)) return found;
        }
    }
    static const char *const fixed[] = {"/usr/local/share/embedlab/lessons",
                                        "/usr/share/embedlab/lessons", NULL};
    for (int i = 0; fixed[i]; i++)
        if (is_dir(fixed[i])) return fixed[i];
    return NULL;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **lesson_names(int *count) {
    *count = 0;
    const char *dir = lesson_dir();
    if (!dir) return NULL;
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 3, ".py") != 0 || e->d_name[0] == '.') continue;
        if (!(e->d_name[0] >= '0' && e->d_name[0] <= '9')) continue; /* NN-topic.py */
        if (push_str(&names, count, dup_n(e->d_name, n - 3))) break;
    }
    closedir(d);
    if (*count) qsort(names, (size_t)*count, sizeof *names, compare_names);
    return names;
}

void lesson_names_free(char **names, int count) {
    for (int i = 0; i < count; i++) mem_free(names[i]);
    mem_free(names);
}

/* Does the file name `file` ("02-padding") answer to `name` ("02-padding", "padding",
 * "2", "02")? */
static bool name_matches(const char *file, const char *name) {
    if (strcmp(file, name) == 0) return true;
    const char *dash = strchr(file, '-');
    if (dash && strcmp(dash + 1, name) == 0) return true;
    char *end;
    long want = strtol(name, &end, 10);
    if (name[0] && !*end && dash) {
        long have = strtol(file, &end, 10);
        if (end == dash && have == want) return true;
    }
    return false;
}

Lesson *lesson_find(const char *name, char *err, size_t err_size) {
    int count;
    char **names = lesson_names(&count);
    const char *dir = lesson_dir();
    Lesson *l = NULL;
    int i = 0;
    for (; i < count; i++)
        if (name_matches(names[i], name)) break;
    if (i == count) {
        if (!count) fmt_err(err, err_size, "no lessons are installed (looked in %s)",
                            dir ? dir : "lessons/");
        else fmt_err(err, err_size, "no lesson named '%s' (%%lessons lists them)", name);
    } else {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.py", dir, names[i]);
        l = lesson_load(path, err, err_size);
    }
    lesson_names_free(names, count);
    return l;
}

/* ---- output ---- */

static void emitn(const SessionSink *sink, const char *text, size_t len) {
    if (sink && sink->on_stream && len) sink->on_stream(sink->ctx, "stdout", text, len);
}

static void emit(const SessionSink *sink, const char *text) { emitn(sink, text, strlen(text)); }

static void emit_sb(const SessionSink *sink, StrBuf *sb) {
    emitn(sink, sb_str(sb), sb->len);
    sb_free(sb);
}

/* ---- running code in the session ---- */

typedef struct Capture {
    const SessionSink *outer; /* where streams go (NULL: swallowed) */
    bool results_as_text;     /* trailing-expression values written as repr lines */
    bool short_errors;        /* errors as one "ename: evalue" line on stdout */
    StrBuf result;            /* the last result's repr */
    bool has_result;
    bool error;
    char ename[64];
} Capture;

static void cap_stream(void *ctx, const char *stream, const char *text, size_t len) {
    Capture *c = ctx;
    if (c->outer && c->outer->on_stream) c->outer->on_stream(c->outer->ctx, stream, text, len);
}

static void cap_display(void *ctx, const SessionBundle *b) {
    Capture *c = ctx;
    if (c->outer && c->outer->on_display) c->outer->on_display(c->outer->ctx, b);
}

static void cap_result(void *ctx, int count, const SessionBundle *b) {
    Capture *c = ctx;
    (void)count;
    sb_clear(&c->result);
    sb_append(&c->result, b->text_plain);
    c->has_result = true;
    if (c->outer && c->results_as_text) {
        emit(c->outer, b->text_plain);
        emit(c->outer, "\n");
    }
}

static void cap_error(void *ctx, const char *ename, const char *evalue,
                      const char *const *tb, int lines) {
    Capture *c = ctx;
    c->error = true;
    snprintf(c->ename, sizeof c->ename, "%s", ename);
    if (!c->outer) return;
    if (c->short_errors) {
        StrBuf sb = SB_INIT;
        sb_appendf(&sb, "%s: %s\n", ename, evalue);
        emit_sb(c->outer, &sb);
    } else if (c->outer->on_error) {
        c->outer->on_error(c->outer->ctx, ename, evalue, tb, lines);
    }
}

/* Runs code with a capturing sink; 0 when it ran without error. */
static int run_captured(Session *s, const char *code, Capture *c) {
    SessionSink sink = {c, cap_stream, cap_display, cap_result, cap_error};
    c->has_result = false;
    c->error = false;
    int st = session_run(s, code, strlen(code), "<lesson>", false, &sink);
    return st == SESSION_OK && !c->error ? 0 : -1;
}

int lesson_eval_check(Session *s, const char *expr) {
    StrBuf code = SB_INIT;
    sb_append(&code, "bool((\n");
    sb_append(&code, expr);
    sb_append(&code, "\n))\n");
    Capture c;
    memset(&c, 0, sizeof c);
    int ok = 0;
    if (!sb_check(&code, NULL) && run_captured(s, sb_str(&code), &c) == 0 && c.has_result)
        ok = strcmp(sb_str(&c.result), "True") == 0;
    sb_free(&c.result);
    sb_free(&code);
    return ok;
}

int lesson_first_failing_check(Session *s, const LessonStep *ex) {
    for (int i = 0; i < ex->check_count; i++)
        if (!lesson_eval_check(s, ex->checks[i])) return i;
    return -1;
}

const char *lesson_first_failing_explain(Session *s, const LessonStep *ex) {
    for (int i = 0; i < ex->explain_count; i++)
        if (!lesson_eval_check(s, ex->explains[i].cond)) return ex->explains[i].message;
    return NULL;
}

/* Is code[0, len) complete as the text before a new top-level line? A block (a compound
 * statement) is complete there too: a dedent ends it as an empty line does at a prompt. */
static bool chunk_complete(Session *s, const char *code, size_t len) {
    StrBuf sb = SB_INIT;
    sb_appendn(&sb, code, len);
    sb_append(&sb, "\n\n");
    bool ok = !sb_check(&sb, NULL) && session_is_complete(s, sb_str(&sb), sb.len, NULL) ==
                                          SESSION_COMPLETE;
    sb_free(&sb);
    return ok;
}

/* Splits code into top-level statements: [starts[i], starts[i+1]). A statement starts on
 * a column-0 line that is not a comment or a clause (else/elif/except/finally) when the
 * text before it is complete; blank and comment lines just before a statement belong to
 * it. Returns the count (starts has count+1 entries, the last = len). */
static int split_statements(Session *s, const char *code, size_t len, size_t **out) {
    size_t cap = 8;
    size_t *starts = mem_alloc(cap * sizeof *starts, NULL);
    if (!starts) return -1;
    int count = 0;
    starts[count++] = 0;
    size_t cur = 0;
    bool has_code = false;
    size_t lead = 0; /* start of the run of blank/comment lines before pos */
    bool in_lead = false;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(code + pos, '\n', len - pos);
        size_t next = nl ? (size_t)(nl - code) + 1 : len;
        const char *line = code + pos;
        size_t n = next - pos;
        size_t k = 0;
        while (k < n && (line[k] == ' ' || line[k] == '\t')) k++;
        bool trivia = k == n || line[k] == '\n' || line[k] == '#';
        if (!trivia && pos > cur && has_code && k == 0) {
            static const char *const clauses[] = {"else", "elif", "except", "finally", NULL};
            bool clause = false;
            for (int i = 0; clauses[i]; i++) {
                size_t cl = strlen(clauses[i]);
                if (n >= cl && memcmp(line, clauses[i], cl) == 0 &&
                    (n == cl || !(line[cl] == '_' || (line[cl] >= 'a' && line[cl] <= 'z') ||
                                  (line[cl] >= 'A' && line[cl] <= 'Z') ||
                                  (line[cl] >= '0' && line[cl] <= '9'))))
                    clause = true;
            }
            size_t boundary = in_lead ? lead : pos;
            if (!clause && chunk_complete(s, code + cur, pos - cur)) {
                if ((size_t)count + 1 >= cap) {
                    cap *= 2;
                    size_t *g = mem_realloc(starts, cap * sizeof *g, NULL);
                    if (!g) return mem_free(starts), -1;
                    starts = g;
                }
                starts[count++] = boundary;
                cur = boundary;
            }
        }
        if (trivia) {
            if (!in_lead) lead = pos, in_lead = true;
        } else {
            in_lead = false;
            has_code = true;
        }
        pos = next;
    }
    starts[count] = len;
    *out = starts;
    return count;
}

/* Echoes a statement as the REPL shows it: ">>> " first line, "... " after; blank lines
 * left out. */
static void echo_statement(StrBuf *sb, const char *code, size_t len, bool color) {
    bool first = true;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(code + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - code) : len;
        if (!blank_n(code + pos, end - pos)) {
            if (color) sb_append(sb, "\033[1;32m");
            sb_append(sb, first ? ">>> " : "... ");
            if (color) sb_append(sb, "\033[0m");
            sb_appendn(sb, code + pos, end - pos);
            sb_appendc(sb, '\n');
            first = false;
        }
        pos = nl ? end + 1 : len;
    }
}

/* Echoes code statement by statement, without running it. */
static void echo_code(Session *s, StrBuf *sb, const char *code, bool color) {
    size_t len = strlen(code);
    size_t *starts = NULL;
    int count = split_statements(s, code, len, &starts);
    if (count < 0) {
        echo_statement(sb, code, len, color);
        return;
    }
    for (int i = 0; i < count; i++)
        echo_statement(sb, code + starts[i], starts[i + 1] - starts[i], color);
    mem_free(starts);
}

/* Runs code statement by statement, echoing each (when echo) with its output; results as
 * repr lines. short_errors: errors as "ename: evalue". Stops at the first error; returns
 * 0, or -1 after an error (*ename set). */
static int run_echoed(Session *s, const char *code, bool echo, bool color, bool short_errors,
                      const SessionSink *sink, char *ename, size_t ename_size) {
    size_t len = strlen(code);
    size_t *starts = NULL;
    int count = split_statements(s, code, len, &starts);
    if (count < 0) return -1;
    Capture c;
    memset(&c, 0, sizeof c);
    c.outer = sink;
    c.results_as_text = true;
    c.short_errors = short_errors;
    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        size_t a = starts[i], b = starts[i + 1];
        if (blank_n(code + a, b - a)) continue;
        if (echo && sink) {
            StrBuf sb = SB_INIT;
            echo_statement(&sb, code + a, b - a, color);
            emit_sb(sink, &sb);
        }
        char *stmt = dup_n(code + a, b - a);
        if (!stmt) {
            rc = -1;
            break;
        }
        if (run_captured(s, stmt, &c)) {
            rc = -1;
            if (ename) snprintf(ename, ename_size, "%s", c.ename);
        }
        mem_free(stmt);
    }
    sb_free(&c.result);
    mem_free(starts);
    return rc;
}

/* Lesson code runs in the directory above the lessons (a checkout's top, or
 * share/embedlab when installed), so that paths such as 'lessons/data/kjv_50d.txt' work
 * wherever the student started embedlab. Saves the current directory in saved. */
static void enter_lesson_dir(const Lesson *l, char *saved, size_t size) {
    saved[0] = '\0';
    if (!l->path[0] || !getcwd(saved, size)) {
        saved[0] = '\0';
        return;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", l->path);
    for (int up = 0; up < 2; up++) { /* dirname, twice */
        char *slash = strrchr(dir, '/');
        if (slash == dir) dir[1] = '\0';
        else if (slash) *slash = '\0';
        else snprintf(dir, sizeof dir, "%s", up && strcmp(dir, ".") == 0 ? ".." : ".");
    }
    if (!dir[0] || chdir(dir) != 0) saved[0] = '\0';
}

static void leave_lesson_dir(const char *saved) {
    if (saved[0] && chdir(saved) != 0) {
        /* nothing better to do: the directory went away */
    }
}

/* ---- progress ---- */

const char *lesson_progress_path(void) {
    static char path[4096];
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    if (state && state[0] == '/') snprintf(path, sizeof path, "%s/embedlab/progress.json", state);
    else if (home && home[0]) snprintf(path, sizeof path, "%s/.local/state/embedlab/progress.json", home);
    else return NULL;
    return path;
}

static json_t *progress_read(void) {
    const char *path = lesson_progress_path();
    json_t *root = path ? json_load_file(path, 0, NULL) : NULL;
    if (!json_is_object(root)) {
        json_decref(root);
        root = json_object();
    }
    return root;
}

int lesson_progress_get(const char *lesson, bool *finished, int *solved) {
    json_t *root = progress_read();
    json_t *entry = json_object_get(json_object_get(root, "lessons"), lesson);
    int step = (int)json_integer_value(json_object_get(entry, "step"));
    if (finished) *finished = json_is_true(json_object_get(entry, "finished"));
    if (solved) *solved = (int)json_integer_value(json_object_get(entry, "solved"));
    json_decref(root);
    return step < 0 ? 0 : step;
}

/* mkdir -p of the directories leading to path. */
static void make_parents(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        mkdir(buf, 0700);
        *p = '/';
    }
}

int lesson_progress_set(const char *lesson, int step, bool finished, int solved) {
    const char *path = lesson_progress_path();
    if (!path) return -1;
    json_t *root = progress_read();
    json_t *lessons = json_object_get(root, "lessons");
    if (!json_is_object(lessons)) {
        lessons = json_object();
        json_object_set_new(root, "lessons", lessons);
    }
    json_object_set_new(root, "version", json_integer(1));
    json_t *entry = json_object();
    json_object_set_new(entry, "step", json_integer(step));
    json_object_set_new(entry, "finished", json_boolean(finished));
    json_object_set_new(entry, "solved", json_integer(solved));
    json_object_set_new(lessons, lesson, entry);
    make_parents(path);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    int rc = json_dump_file(root, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (rc == 0 && rename(tmp, path) != 0) rc = -1;
    if (rc) unlink(tmp);
    return rc;
}

/* ---- prose rendering ---- */

static int terminal_width(void) {
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col > 100 ? 100 : ws.ws_col;
    const char *cols = getenv("COLUMNS");
    int c = cols ? atoi(cols) : 0;
    return c > 20 ? (c > 100 ? 100 : c) : 80;
}

/* Display width of UTF-8 text (one column per code point). */
static size_t columns(const char *s, size_t n) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
    return w;
}

/* Renders inline markdown of one word-run: **bold** and `code`, with ANSI when color, else
 * the markers kept for code and dropped for bold. */
/* A single '*' that opens (word start) or closes (word end, or before punctuation) an
 * *italic* span. */
static bool italic_marker(const char *s, size_t n, size_t i) {
    if (s[i] != '*' || (i + 1 < n && s[i + 1] == '*') || (i > 0 && s[i - 1] == '*')) return false;
    if (i == 0) return n > 1;
    return i == n - 1 || s[i + 1] == ',' || s[i + 1] == '.' || s[i + 1] == ';' ||
           s[i + 1] == ':' || s[i + 1] == ')' || s[i + 1] == '!' || s[i + 1] == '?';
}

static void inline_md(StrBuf *out, const char *s, size_t n, bool color, bool *bold, bool *code) {
    for (size_t i = 0; i < n; i++) {
        if (!*code && i + 1 < n && s[i] == '*' && s[i + 1] == '*') {
            *bold = !*bold;
            if (color) sb_append(out, *bold ? "\033[1m" : "\033[0m");
            i++;
            continue;
        }
        if (!*code && italic_marker(s, n, i)) {
            if (color) sb_append(out, i == 0 ? "\033[3m" : "\033[23m");
            continue;
        }
        if (s[i] == '`') {
            *code = !*code;
            if (color) sb_append(out, *code ? "\033[36m" : (*bold ? "\033[0m\033[1m" : "\033[0m"));
            else sb_appendc(out, '`');
            continue;
        }
        sb_appendc(out, s[i]);
    }
}

/* Visible width of a word after markdown rendering. */
static size_t visible_width(const char *s, size_t n, bool color) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && s[i] == '*' && s[i + 1] == '*') {
            i++;
            continue;
        }
        if (italic_marker(s, n, i)) continue;
        if (s[i] == '`' && color) continue;
        if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
    }
    return w;
}

/* Wraps a paragraph (words separated by spaces/newlines) to width with the given first
 * and continuation indents. */
static void wrap_paragraph(StrBuf *out, const char *s, size_t n, int width, const char *first,
                           const char *rest, bool color) {
    bool bold = false, code = false;
    size_t col = columns(first, strlen(first));
    sb_append(out, first);
    bool line_empty = true;
    for (size_t i = 0; i < n;) {
        while (i < n && (s[i] == ' ' || s[i] == '\n')) i++;
        if (i >= n) break;
        size_t j = i;
        /* A word; a `code span` with spaces stays on one line. */
        bool span = code;
        while (j < n && (span || (s[j] != ' ' && s[j] != '\n'))) {
            if (s[j] == '`') span = !span;
            j++;
        }
        size_t w = visible_width(s + i, j - i, color);
        if (!line_empty && col + 1 + w > (size_t)width) {
            if (color && (bold || code)) sb_append(out, "\033[0m");
            sb_appendc(out, '\n');
            sb_append(out, rest);
            col = columns(rest, strlen(rest));
            if (color && bold) sb_append(out, "\033[1m");
            if (color && code) sb_append(out, "\033[36m");
            line_empty = true;
        }
        if (!line_empty) {
            sb_appendc(out, ' ');
            col++;
        }
        inline_md(out, s + i, j - i, color, &bold, &code);
        col += w;
        line_empty = false;
        i = j;
    }
    if (color && (bold || code)) sb_append(out, "\033[0m");
    sb_appendc(out, '\n');
}

/* Renders markdown prose for a terminal: paragraphs wrapped, list items with a hanging
 * indent, ``` blocks verbatim, headings bold. */
static void render_prose(StrBuf *out, const char *prose, bool color) {
    int width = terminal_width();
    size_t n = strlen(prose);
    StrBuf para = SB_INIT;
    char first[16] = "", rest[16] = "";
    bool fence = false;
    for (size_t pos = 0; pos <= n;) {
        const char *nl = pos < n ? memchr(prose + pos, '\n', n - pos) : NULL;
        size_t end = nl ? (size_t)(nl - prose) : n;
        const char *s = prose + pos;
        size_t len = end - pos;
        bool at_end = pos >= n;
        pos = nl ? end + 1 : n + 1;
        if (!at_end && starts_with(s, len, "```")) {
            if (para.len) {
                wrap_paragraph(out, sb_str(&para), para.len, width, first, rest, color);
                sb_clear(&para);
            }
            fence = !fence;
            continue;
        }
        if (fence) {
            sb_append(out, "    ");
            if (color) sb_append(out, "\033[36m");
            sb_appendn(out, s, len);
            if (color) sb_append(out, "\033[0m");
            sb_appendc(out, '\n');
            continue;
        }
        bool item = !at_end && (starts_with(s, len, "- ") || starts_with(s, len, "* "));
        size_t num = 0;
        while (num < len && s[num] >= '0' && s[num] <= '9') num++;
        bool numbered = !at_end && num && num + 1 < len && s[num] == '.' && s[num + 1] == ' ';
        bool heading = !at_end && len && s[0] == '#';
        if (at_end || blank_n(s, len) || item || numbered || heading) {
            if (para.len) {
                wrap_paragraph(out, sb_str(&para), para.len, width, first, rest, color);
                sb_clear(&para);
            }
            if (!at_end && blank_n(s, len)) sb_appendc(out, '\n');
            first[0] = rest[0] = '\0';
        }
        if (at_end || blank_n(s, len)) continue;
        if (heading) {
            size_t k = 0;
            while (k < len && s[k] == '#') k++;
            while (k < len && s[k] == ' ') k++;
            if (color) sb_append(out, "\033[1m");
            sb_appendn(out, s + k, len - k);
            if (color) sb_append(out, "\033[0m");
            sb_appendc(out, '\n');
            continue;
        }
        if (item) {
            snprintf(first, sizeof first, "  • ");
            snprintf(rest, sizeof rest, "    ");
            sb_appendn(&para, s + 2, len - 2);
        } else if (numbered) {
            snprintf(first, sizeof first, "  %.*s ", (int)(num + 1), s);
            snprintf(rest, sizeof rest, "%*s", (int)(num + 4), "");
            sb_appendn(&para, s + num + 2, len - num - 2);
        } else {
            if (para.len) sb_appendc(&para, ' ');
            sb_appendn(&para, s, len);
        }
    }
    if (para.len) wrap_paragraph(out, sb_str(&para), para.len, width, first, rest, color);
    sb_free(&para);
}

/* ---- non-interactive playback ---- */

static int play_steps(Session *s, const Lesson *l, int mode, const SessionSink *sink);

static void play_header(StrBuf *sb, const Lesson *l) {
    sb_appendf(sb, "# %s: %s\n", l->name, l->title);
    if (l->summary[0]) sb_appendf(sb, "# %s\n", l->summary);
}

int lesson_play(Session *s, const Lesson *l, int mode, const SessionSink *sink) {
    char saved[4096];
    enter_lesson_dir(l, saved, sizeof saved);
    int failures = play_steps(s, l, mode, sink);
    leave_lesson_dir(saved);
    return failures;
}

static int play_steps(Session *s, const Lesson *l, int mode, const SessionSink *sink) {
    int failures = 0;
    StrBuf sb = SB_INIT;
    play_header(&sb, l);
    emit_sb(sink, &sb);
    for (int i = 0; i < l->step_count; i++) {
        const LessonStep *st = &l->steps[i];
        sb_appendf(&sb, "\n[%d/%d]%s%s\n", i + 1, l->step_count, st->exercise ? " exercise " : "",
                   st->exercise ? st->id : "");
        if (st->prose[0]) sb_appendf(&sb, "%s\n", st->prose);
        emit_sb(sink, &sb);
        char ename[64] = "";
        if (!st->exercise) {
            if (!st->code) continue;
            emit(sink, "\n");
            int rc = run_echoed(s, st->code, true, false, true, sink, ename, sizeof ename);
            if (mode == LESSON_CHECK && rc != 0 && !st->raises) {
                sb_appendf(&sb, "✗ step %d (line %d): the demo raised %s\n", i + 1, st->line, ename);
                failures++;
            } else if (mode == LESSON_CHECK && rc == 0 && st->raises) {
                sb_appendf(&sb, "✗ step %d (line %d): the demo is tagged \"raises\" but ran "
                                "without error\n", i + 1, st->line);
                failures++;
            }
            emit_sb(sink, &sb);
            continue;
        }
        if (mode == LESSON_CHECK) {
            for (int k = 0; k < st->check_count; k++)
                if (lesson_eval_check(s, st->checks[k])) {
                    sb_appendf(&sb, "✗ %s (line %d): check is already true before the "
                                    "solution: %s\n", st->id, st->line, st->checks[k]);
                    failures++;
                }
            emit_sb(sink, &sb);
        }
        emit(sink, "\n");
        if (run_echoed(s, st->solution, true, false, true, sink, ename, sizeof ename)) {
            sb_appendf(&sb, "✗ %s (line %d): the solution raised %s\n", st->id, st->line, ename);
            failures++;
        }
        int bad = lesson_first_failing_check(s, st);
        if (bad >= 0) {
            sb_appendf(&sb, "✗ %s (line %d): check false after the solution: %s\n", st->id,
                       st->line, st->checks[bad]);
            failures++;
        } else {
            const char *why = lesson_first_failing_explain(s, st);
            if (why) {
                sb_appendf(&sb, "✗ %s (line %d): explain: condition false after the "
                                "solution (%s)\n", st->id, st->line, why);
                failures++;
            } else {
                sb_appendf(&sb, "✓ %s\n", st->id);
            }
        }
        emit_sb(sink, &sb);
    }
    return failures;
}

/* ---- notebook export ---- */

static json_t *source_lines(const char *text) {
    json_t *arr = json_array();
    size_t n = strlen(text);
    for (size_t pos = 0; pos < n;) {
        const char *nl = memchr(text + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : n;
        json_array_append_new(arr, json_stringn(text + pos, end - pos));
        pos = end;
    }
    return arr;
}

static json_t *nb_cell(const char *type, const char *text, const char *id, json_t *tags) {
    json_t *cell = json_object();
    json_object_set_new(cell, "cell_type", json_string(type));
    json_object_set_new(cell, "id", json_string(id));
    json_t *meta = json_object();
    if (tags) json_object_set_new(meta, "tags", tags);
    json_object_set_new(cell, "metadata", meta);
    json_object_set_new(cell, "source", source_lines(text));
    if (strcmp(type, "code") == 0) {
        json_object_set_new(cell, "execution_count", json_null());
        json_object_set_new(cell, "outputs", json_array());
    }
    return cell;
}

int lesson_to_ipynb(const Lesson *l, const char *out_path, bool solutions, char *err,
                    size_t err_size) {
    json_t *cells = json_array();
    int serial = 0;
    char id[64];
#define NEXT_ID() (snprintf(id, sizeof id, "%s-%d", l->name, ++serial), id)
    StrBuf sb = SB_INIT;
    sb_appendf(&sb, "# %s\n", l->title);
    if (l->summary[0]) sb_appendf(&sb, "\n%s\n", l->summary);
    json_array_append_new(cells, nb_cell("markdown", sb_str(&sb), NEXT_ID(), NULL));
    sb_free(&sb);
    for (int i = 0; i < l->step_count; i++) {
        const LessonStep *st = &l->steps[i];
        if (!st->exercise) {
            if (st->prose[0])
                json_array_append_new(cells, nb_cell("markdown", st->prose, NEXT_ID(), NULL));
            if (st->code) {
                json_t *tags = NULL;
                if (st->raises) { /* nbclient runs on past it */
                    tags = json_array();
                    json_array_append_new(tags, json_string("raises-exception"));
                }
                json_array_append_new(cells, nb_cell("code", st->code, NEXT_ID(), tags));
            }
            continue;
        }
        json_t *tags = json_array();
        json_array_append_new(tags, json_string("exercise"));
        sb_appendf(&sb, "%s\n\n*Write your code in the next cell and run it, then run "
                        "`%%check %s` below: it says ✓, or what is still wrong and a hint.*",
                   st->prose, st->id);
        json_array_append_new(cells, nb_cell("markdown", sb_str(&sb), NEXT_ID(), tags));
        sb_free(&sb);
        tags = json_array();
        json_array_append_new(tags, json_string(solutions ? "solution" : "answer"));
        json_array_append_new(cells, nb_cell("code", solutions ? st->solution : "", NEXT_ID(),
                                             tags));
        sb_appendf(&sb, "%%check %s", st->id);
        tags = json_array();
        json_array_append_new(tags, json_string("check"));
        json_array_append_new(cells, nb_cell("code", sb_str(&sb), NEXT_ID(), tags));
        sb_free(&sb);
    }
#undef NEXT_ID
    json_t *nb = json_object();
    json_object_set_new(nb, "cells", cells);
    json_t *meta = json_object();
    json_t *ks = json_object();
    json_object_set_new(ks, "display_name", json_string("embedlab (PyTorch embeddings)"));
    json_object_set_new(ks, "language", json_string("python"));
    json_object_set_new(ks, "name", json_string("embedlab"));
    json_object_set_new(meta, "kernelspec", ks);
    json_t *li = json_object(); /* as the kernel's kernel_info_reply says */
    json_t *cm = json_object();
    json_object_set_new(cm, "name", json_string("ipython"));
    json_object_set_new(cm, "version", json_integer(3));
    json_object_set_new(li, "codemirror_mode", cm);
    json_object_set_new(li, "file_extension", json_string(".py"));
    json_object_set_new(li, "mimetype", json_string("text/x-python"));
    json_object_set_new(li, "name", json_string("embedlab"));
    json_object_set_new(li, "nbconvert_exporter", json_string("python"));
    json_object_set_new(li, "pygments_lexer", json_string("python3"));
    json_object_set_new(li, "version", json_string(EMBEDLAB_VERSION));
    json_object_set_new(meta, "language_info", li);
    json_object_set_new(meta, "title", json_string(l->title));
    json_object_set_new(nb, "metadata", meta);
    json_object_set_new(nb, "nbformat", json_integer(4));
    json_object_set_new(nb, "nbformat_minor", json_integer(5));
    char *text = json_dumps(nb, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(nb);
    if (!text) return fmt_err(err, err_size, "out of memory"), -1;
    FILE *f = strcmp(out_path, "-") == 0 ? stdout : fopen(out_path, "wb");
    if (!f) {
        fmt_err(err, err_size, "cannot write %s: %s", out_path, strerror(errno));
        free(text);
        return -1;
    }
    fputs(text, f);
    fputc('\n', f);
    free(text);
    int bad = f == stdout ? fflush(f) : fclose(f);
    if (bad) return fmt_err(err, err_size, "cannot write %s", out_path), -1;
    return 0;
}

/* ---- the interactive player ---- */

struct LessonRun {
    Session *s;
    Lesson *l;
    int step;          /* the current step (0-based); step_count when finished */
    int solved;        /* exercises solved or skipped in this lesson */
    int hints_shown;   /* of the current exercise */
    int last_exercise; /* the last exercise solved or skipped (for `solution`), -1 */
    bool color;
    char indicator[32];
};

static bool use_color(void) {
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return isatty(STDOUT_FILENO) && !(nc && nc[0]) && term && term[0] &&
           strcmp(term, "dumb") != 0;
}

static void save(LessonRun *r) {
    lesson_progress_set(r->l->name, r->step, r->step >= r->l->step_count, r->solved);
}

static const char *dim(const LessonRun *r) { return r->color ? "\033[2m" : ""; }
static const char *reset(const LessonRun *r) { return r->color ? "\033[0m" : ""; }

/* Shows the current step; demos are run (echoed, with output) when run, else only shown
 * (going back must not run code twice: a second backward() would fail). */
static void show_step_as(LessonRun *r, const SessionSink *sink, bool run) {
    const Lesson *l = r->l;
    StrBuf sb = SB_INIT;
    r->hints_shown = 0;
    if (r->step >= l->step_count) return;
    const LessonStep *st = &l->steps[r->step];
    snprintf(r->indicator, sizeof r->indicator, "[%d/%d] ", r->step + 1, l->step_count);
    sb_appendf(&sb, "\n%s[%d/%d]%s%s\n", r->color ? "\033[1;34m" : "", r->step + 1,
               l->step_count, st->exercise ? " ✎ Exercise" : "", reset(r));
    if (st->prose[0]) render_prose(&sb, st->prose, r->color);
    if (st->exercise) {
        sb_appendf(&sb, "%s(type code at the prompt; `hint` for a hint, `skip` to see the "
                        "answer)%s\n", dim(r), reset(r));
        emit_sb(sink, &sb);
        return;
    }
    emit_sb(sink, &sb);
    if (st->code && run) {
        emit(sink, "\n");
        char saved[4096];
        enter_lesson_dir(l, saved, sizeof saved);
        run_echoed(r->s, st->code, true, r->color, false, sink, NULL, 0);
        leave_lesson_dir(saved);
    } else if (st->code) {
        sb_append(&sb, "\n");
        echo_code(r->s, &sb, st->code, r->color);
        sb_appendf(&sb, "%s(shown again, not run again: its results are already in your "
                        "session)%s\n", dim(r), reset(r));
    }
    sb_appendf(&sb, "%s(Enter or `next` to continue · `back` · `bye` to leave; or try some code)%s\n",
               dim(r), reset(r));
    emit_sb(sink, &sb);
}

static void show_step(LessonRun *r, const SessionSink *sink) { show_step_as(r, sink, true); }

static void finish(LessonRun *r, const SessionSink *sink) {
    StrBuf sb = SB_INIT;
    r->step = r->l->step_count;
    save(r);
    snprintf(r->indicator, sizeof r->indicator, "%s", "");
    sb_appendf(&sb, "\n%s✓ Lesson complete: %s%s (%d exercise%s). `%%lessons` lists the "
                    "others; your variables are still here.\n",
               r->color ? "\033[1;32m" : "", r->l->title, reset(r), r->l->exercise_count,
               r->l->exercise_count == 1 ? "" : "s");
    emit_sb(sink, &sb);
}

static void advance(LessonRun *r, const SessionSink *sink) {
    r->step++;
    save(r);
    if (r->step >= r->l->step_count) finish(r, sink);
    else show_step(r, sink);
}

/* Replays steps [0, upto) silently (demos and solutions) to rebuild the session. */
static void replay_silently(LessonRun *r, int upto) {
    char saved[4096];
    enter_lesson_dir(r->l, saved, sizeof saved);
    for (int i = 0; i < upto && i < r->l->step_count; i++) {
        const LessonStep *st = &r->l->steps[i];
        const char *code = st->exercise ? st->solution : st->code;
        if (code) run_echoed(r->s, code, false, false, true, NULL, NULL, 0);
    }
    leave_lesson_dir(saved);
}

LessonRun *lesson_run_start(Session *s, const char *name, const SessionSink *sink) {
    char err[512];
    Lesson *l = lesson_find(name, err, sizeof err);
    if (!l) {
        const char *line[1] = {err};
        if (sink && sink->on_error) sink->on_error(sink->ctx, "UsageError", err, line, 1);
        return NULL;
    }
    LessonRun *r = mem_calloc(1, sizeof *r, NULL);
    if (!r) return lesson_free(l), NULL;
    r->s = s;
    r->l = l;
    r->last_exercise = -1;
    r->color = use_color();
    bool finished = false;
    int solved = 0;
    int step = lesson_progress_get(l->name, &finished, &solved);
    if (finished || step >= l->step_count) step = 0, solved = 0;
    StrBuf sb = SB_INIT;
    sb_appendf(&sb, "%s── %s ──%s\n", r->color ? "\033[1m" : "", l->title, reset(r));
    if (l->summary[0]) sb_appendf(&sb, "%s\n", l->summary);
    sb_appendf(&sb, "%sControls: Enter next · hint · skip · solution · back · restart · "
                    "bye (or Ctrl-D) · %%lessons%s\n", dim(r), reset(r));
    if (step > 0)
        sb_appendf(&sb, "Welcome back: resuming at step %d of %d (replaying the earlier "
                        "steps...)\n", step + 1, l->step_count);
    emit_sb(sink, &sb);
    replay_silently(r, step);
    r->step = step;
    r->solved = solved;
    save(r);
    show_step(r, sink);
    return r;
}

void lesson_run_free(LessonRun *r) {
    if (!r) return;
    lesson_free(r->l);
    mem_free(r);
}

const char *lesson_run_indicator(const LessonRun *r) { return r ? r->indicator : ""; }

/* The control word of an input line, or NULL when it is code. */
static const char *control_word(const char *code, size_t len) {
    static const char *const words[] = {"next", "hint", "skip", "solution", "back",
                                        "restart", "bye", NULL};
    while (len && (code[0] == ' ' || code[0] == '\t' || code[0] == '\n')) code++, len--;
    while (len && (code[len - 1] == ' ' || code[len - 1] == '\t' || code[len - 1] == '\n' ||
                   code[len - 1] == '\r'))
        len--;
    if (len == 0) return "next";
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == len && memcmp(words[i], code, len) == 0) return words[i];
    return NULL;
}

/* Lists the names bound (or rebound) between two snapshots. */
typedef struct Snapshot {
    char **names;
    void **values;
    int count;
} Snapshot;

static void snapshot_take(Session *s, Snapshot *snap) {
    memset(snap, 0, sizeof *snap);
    DictValue *g = (DictValue *)eval_globals(s->interp);
    snap->names = mem_calloc((size_t)g->used + 1, sizeof *snap->names, NULL);
    snap->values = mem_calloc((size_t)g->used + 1, sizeof *snap->values, NULL);
    if (!snap->names || !snap->values) return;
    for (int64_t i = 0; i < g->used; i++) {
        Value *k = g->entries[i].key;
        if (!k || !val_is_str(k) || val_str_data(k)[0] == '_') continue;
        snap->names[snap->count] = dup_s(val_str_data(k));
        snap->values[snap->count] = g->entries[i].value;
        snap->count++;
    }
}

static void snapshot_free(Snapshot *snap) {
    for (int i = 0; i < snap->count; i++) mem_free(snap->names[i]);
    mem_free(snap->names);
    mem_free(snap->values);
}

static void list_new_names(const Snapshot *before, const Snapshot *after, StrBuf *sb) {
    int n = 0;
    for (int i = 0; i < after->count; i++) {
        bool same = false;
        for (int j = 0; j < before->count; j++)
            if (strcmp(before->names[j], after->names[i]) == 0 &&
                before->values[j] == after->values[i])
                same = true;
        if (same) continue;
        sb_appendf(sb, "%s%s", n ? ", " : "", after->names[i]);
        n++;
    }
    if (!n) sb_append(sb, "(none)");
}

static void show_solution(LessonRun *r, const LessonStep *st, StrBuf *sb) {
    sb_append(sb, "Reference solution:\n");
    echo_code(r->s, sb, st->solution, r->color);
}

static int exercise_solved(LessonRun *r, const SessionSink *sink) {
    const LessonStep *st = &r->l->steps[r->step];
    StrBuf sb = SB_INIT;
    sb_appendf(&sb, "\n%s✓ Correct!%s %s\n", r->color ? "\033[1;32m" : "", reset(r),
               st->success ? st->success : "");
    show_solution(r, st, &sb);
    emit_sb(sink, &sb);
    r->solved++;
    r->last_exercise = r->step;
    advance(r, sink);
    return SESSION_OK;
}

int lesson_run_input(LessonRun *r, const char *code, size_t len, const SessionSink *sink,
                     bool *done) {
    *done = false;
    const Lesson *l = r->l;
    const LessonStep *st = r->step < l->step_count ? &l->steps[r->step] : NULL;
    const char *word = control_word(code, len);
    StrBuf sb = SB_INIT;
    if (!st) {
        *done = true;
        return SESSION_OK;
    }
    if (word && strcmp(word, "bye") == 0) {
        save(r);
        sb_appendf(&sb, "Progress saved at step %d of %d; `%%lesson %s` resumes here.\n",
                   r->step + 1, l->step_count, l->name);
        emit_sb(sink, &sb);
        *done = true;
        return SESSION_OK;
    }
    if (word && strcmp(word, "next") == 0) {
        if (st->exercise) {
            sb_appendf(&sb, "%s(this exercise is still open: `hint`, `skip`, or `bye`)%s\n",
                       dim(r), reset(r));
            emit_sb(sink, &sb);
            return SESSION_OK;
        }
        advance(r, sink);
        *done = r->step >= l->step_count;
        return SESSION_OK;
    }
    if (word && strcmp(word, "back") == 0) {
        if (r->step > 0) r->step--;
        save(r);
        show_step_as(r, sink, false);
        return SESSION_OK;
    }
    if (word && strcmp(word, "restart") == 0) {
        eval_reset(r->s->interp);
        r->step = 0;
        r->solved = 0;
        save(r);
        emit(sink, "Restarted: your variables were cleared.\n");
        show_step(r, sink);
        return SESSION_OK;
    }
    if (word && strcmp(word, "hint") == 0) {
        if (!st->exercise) {
            emit(sink, "No exercise here: press Enter (or type `next`) to continue.\n");
            return SESSION_OK;
        }
        const char *why = lesson_first_failing_explain(r->s, st);
        if (why) sb_appendf(&sb, "Not yet: %s\n", why);
        int k = r->hints_shown < st->hint_count ? r->hints_shown : st->hint_count - 1;
        StrBuf h = SB_INIT;
        sb_appendf(&h, "hint %d/%d: %s", k + 1, st->hint_count, st->hints[k]);
        render_prose(&sb, sb_str(&h), r->color);
        sb_free(&h);
        if (r->hints_shown < st->hint_count) r->hints_shown++;
        if (r->hints_shown >= st->hint_count && k == st->hint_count - 1)
            sb_appendf(&sb, "%s(no more hints: `skip` shows the answer)%s\n", dim(r), reset(r));
        emit_sb(sink, &sb);
        return SESSION_OK;
    }
    if (word && strcmp(word, "skip") == 0) {
        if (!st->exercise) {
            advance(r, sink);
            *done = r->step >= l->step_count;
            return SESSION_OK;
        }
        Snapshot before, after;
        snapshot_take(r->s, &before);
        emit(sink, "Skipped. The solution:\n");
        char saved[4096];
        enter_lesson_dir(l, saved, sizeof saved);
        run_echoed(r->s, st->solution, true, r->color, false, sink, NULL, 0);
        leave_lesson_dir(saved);
        snapshot_take(r->s, &after);
        sb_append(&sb, "It made: ");
        list_new_names(&before, &after, &sb);
        sb_appendc(&sb, '\n');
        snapshot_free(&before);
        snapshot_free(&after);
        emit_sb(sink, &sb);
        r->solved++;
        r->last_exercise = r->step;
        advance(r, sink);
        *done = r->step >= l->step_count;
        return SESSION_OK;
    }
    if (word && strcmp(word, "solution") == 0) {
        if (r->last_exercise < 0) {
            emit(sink, st->exercise ? "Solve the exercise first (or `skip` it).\n"
                                    : "No exercise solved yet in this run.\n");
            return SESSION_OK;
        }
        show_solution(r, &l->steps[r->last_exercise], &sb);
        emit_sb(sink, &sb);
        return SESSION_OK;
    }
    /* student code */
    int status = session_run(r->s, code, len, "<stdin>", false, sink);
    if (st->exercise && lesson_first_failing_check(r->s, st) < 0) {
        exercise_solved(r, sink);
        *done = r->step >= l->step_count;
    }
    return status;
}

/* ---- %check ---- */

int lesson_check_magic(Session *s, const char *id, int *hint_counter,
                       const SessionSink *sink) {
    int count;
    char **names = lesson_names(&count);
    const char *dir = lesson_dir();
    const LessonStep *found = NULL;
    Lesson *l = NULL;
    for (int i = 0; i < count && !found; i++) {
        char path[4096], err[256];
        snprintf(path, sizeof path, "%s/%s.py", dir, names[i]);
        l = lesson_load(path, err, sizeof err);
        if (!l) continue;
        for (int k = 0; k < l->step_count; k++)
            if (l->steps[k].exercise && strcmp(l->steps[k].id, id) == 0) found = &l->steps[k];
        if (!found) {
            lesson_free(l);
            l = NULL;
        }
    }
    lesson_names_free(names, count);
    if (!found) {
        char msg[300];
        snprintf(msg, sizeof msg, "no exercise with id '%s'", id);
        const char *line[1] = {msg};
        if (sink && sink->on_error) sink->on_error(sink->ctx, "UsageError", msg, line, 1);
        return SESSION_ERROR;
    }
    StrBuf sb = SB_INIT;
    if (lesson_first_failing_check(s, found) < 0) {
        sb_appendf(&sb, "✓ %s%s%s\n", id, found->success ? ": " : "",
                   found->success ? found->success : "");
        *hint_counter = 0;
    } else {
        const char *why = lesson_first_failing_explain(s, found);
        sb_appendf(&sb, "✗ %s: not yet.%s%s\n", id, why ? " " : "", why ? why : "");
        int k = *hint_counter < found->hint_count ? *hint_counter : found->hint_count - 1;
        sb_appendf(&sb, "hint %d/%d: %s\n", k + 1, found->hint_count, found->hints[k]);
        if (*hint_counter < found->hint_count) (*hint_counter)++;
    }
    emit_sb(sink, &sb);
    lesson_free(l);
    return SESSION_OK;
}

/* ---- listing and the command-line players ---- */

int lesson_list(const SessionSink *sink) {
    int count;
    char **names = lesson_names(&count);
    StrBuf sb = SB_INIT;
    if (!count) {
        const char *dir = lesson_dir();
        sb_appendf(&sb, "No lessons found (looked in %s).\n", dir ? dir : "lessons/");
        lesson_names_free(names, count);
        emit_sb(sink, &sb);
        return SESSION_OK;
    }
    Lesson **ls = mem_calloc((size_t)count, sizeof *ls, NULL);
    char (*errs)[256] = mem_calloc((size_t)count, sizeof *errs, NULL);
    if (!ls || !errs) {
        mem_free(ls);
        mem_free(errs);
        lesson_names_free(names, count);
        return SESSION_ERROR;
    }
    size_t name_w = 0, title_w = 0;
    for (int i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.py", lesson_dir(), names[i]);
        ls[i] = lesson_load(path, errs[i], sizeof errs[i]);
        if (strlen(names[i]) > name_w) name_w = strlen(names[i]);
        if (ls[i] && columns(ls[i]->title, strlen(ls[i]->title)) > title_w)
            title_w = columns(ls[i]->title, strlen(ls[i]->title));
    }
    const char *dash = strchr(names[0], '-');
    sb_appendf(&sb, "Start a lesson with %%lesson NAME (REPL, notebook) or embedlab --lesson "
                    "NAME;\nNAME can be %s, %s or 1.\n", names[0], dash ? dash + 1 : names[0]);
    for (int i = 0; i < count; i++) {
        if (!ls[i]) {
            sb_appendf(&sb, "  %-*s  (does not parse: %s)\n", (int)name_w, names[i], errs[i]);
            continue;
        }
        const Lesson *l = ls[i];
        bool finished = false;
        int solved = 0;
        int step = lesson_progress_get(l->name, &finished, &solved);
        char progress[96];
        if (finished) snprintf(progress, sizeof progress, "done");
        else if (step > 0)
            snprintf(progress, sizeof progress, "step %d/%d, %d/%d exercises", step + 1,
                     l->step_count, solved, l->exercise_count);
        else snprintf(progress, sizeof progress, "new (%d steps, %d exercises)", l->step_count,
                      l->exercise_count);
        sb_appendf(&sb, "  %-*s  %s", (int)name_w, l->name, l->title);
        sb_repeat(&sb, ' ', title_w - columns(l->title, strlen(l->title)) + 2);
        sb_appendf(&sb, "%s\n", progress);
        lesson_free(ls[i]);
    }
    mem_free(ls);
    mem_free(errs);
    lesson_names_free(names, count);
    emit_sb(sink, &sb);
    return SESSION_OK;
}

static int play_one(const char *name, int mode, const SessionSink *sink) {
    char err[512];
    Lesson *l = lesson_find(name, err, sizeof err);
    if (!l) {
        StrBuf sb = SB_INIT;
        sb_appendf(&sb, "embedlab: %s\n", err);
        if (sink && sink->on_stream) sink->on_stream(sink->ctx, "stderr", sb_str(&sb), sb.len);
        sb_free(&sb);
        return 2;
    }
    Session *s = session_new(NULL);
    if (!s) return lesson_free(l), 1;
    int failures = lesson_play(s, l, mode, sink);
    session_free(s);
    lesson_free(l);
    return failures ? 1 : 0;
}

int session_lesson_main(const char *mode, const char *name, const char *out_path,
                        const SessionSink *sink) {
    if (strcmp(mode, "list") == 0) return lesson_list(sink) == SESSION_OK ? 0 : 1;
    if (strcmp(mode, "play") == 0) return play_one(name, LESSON_PLAY, sink);
    if (strcmp(mode, "check") == 0 && strcmp(name, "--all") != 0)
        return play_one(name, LESSON_CHECK, sink);
    if (strcmp(mode, "check") == 0) {
        int count, worst = 0;
        char **names = lesson_names(&count);
        /* Transcripts are not wanted here: only the failures and one line per lesson. */
        for (int i = 0; i < count; i++) {
            StrBuf out = SB_INIT;
            int rc = play_one(names[i], LESSON_CHECK, NULL);
            if (rc) play_one(names[i], LESSON_CHECK, sink); /* again, to show what failed */
            sb_appendf(&out, "%s %s\n", rc ? "FAIL" : "ok  ", names[i]);
            emit_sb(sink, &out);
            if (rc > worst) worst = rc;
        }
        if (!count) emit(sink, "no lessons found\n");
        lesson_names_free(names, count);
        return count ? worst : 2;
    }
    if (strcmp(mode, "ipynb") == 0 || strcmp(mode, "ipynb-solutions") == 0) {
        char err[512];
        Lesson *l = lesson_find(name, err, sizeof err);
        int rc = l ? lesson_to_ipynb(l, out_path, strcmp(mode, "ipynb-solutions") == 0, err,
                                     sizeof err)
                   : -1;
        lesson_free(l);
        if (rc) {
            StrBuf sb = SB_INIT;
            sb_appendf(&sb, "embedlab: %s\n", err);
            if (sink && sink->on_stream) sink->on_stream(sink->ctx, "stderr", sb_str(&sb), sb.len);
            sb_free(&sb);
            return 2;
        }
        return 0;
    }
    return 2;
}
