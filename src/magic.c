/*
 * src/magic.c — magics and help shortcuts. See magic.h. See LICENSE (GPL-3.0-or-later).
 *
 * Output formats follow IPython 8 (%time, %timeit, %who, %whos, UsageError) so that
 * students meet what they will see in Jupyter with PyTorch.
 */
#include "magic.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "lang/eval.h"
#include "lang/interp.h"
#include "lang/value.h"
#include "lesson.h"
#include "session_internal.h"

extern char **environ;

#define MAGIC_HISTORY_MAX 10000
#define TIMEIT_FN "__embedlab_timeit__"

typedef struct HistoryEntry {
    int number; /* the execution count of the input */
    char *text;
} HistoryEntry;

typedef struct MagicState {
    HistoryEntry *history;
    int count, cap;
    LessonRun *lesson;      /* the lesson being played (%lesson), NULL when none */
    char check_id[128];     /* %check: the exercise of the last check ... */
    int check_hints;        /* ... and how many of its hints were shown */
} MagicState;

static MagicState *state_of(Session *s) {
    if (!s->magic_state) s->magic_state = mem_calloc(1, sizeof(MagicState), NULL);
    return s->magic_state;
}

/* ---- output helpers ---- */

static void emitn(const SessionSink *sink, const char *stream, const char *text, size_t len) {
    if (sink && sink->on_stream && len) sink->on_stream(sink->ctx, stream, text, len);
}

static void emit(const SessionSink *sink, const char *text) {
    emitn(sink, "stdout", text, strlen(text));
}

static void emit_sb(const SessionSink *sink, StrBuf *sb) {
    emitn(sink, "stdout", sb_str(sb), sb->len);
    sb_free(sb);
}

/* Reports IPython's UsageError (no traceback) and returns SESSION_ERROR. */
static int usage_error(const SessionSink *sink, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const SessionSink *sink, const char *fmt, ...) {
    char msg[512], line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "UsageError: %s", msg);
    const char *lines[1] = {line};
    if (sink && sink->on_error) sink->on_error(sink->ctx, "UsageError", msg, lines, 1);
    return SESSION_ERROR;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static bool blank(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!is_space(text[i])) return false;
    return true;
}

/* Trims ASCII whitespace from both ends of code[0, *len); returns the new start. */
static const char *trim(const char *code, size_t *len) {
    while (*len && is_space(code[0])) code++, (*len)--;
    while (*len && is_space(code[*len - 1])) (*len)--;
    return code;
}

/* ---- input history (%history) ---- */

static void history_record(Session *s, const char *code, size_t len) {
    MagicState *st = state_of(s);
    if (!st) return;
    while (len && (code[len - 1] == '\n' || code[len - 1] == '\r')) len--;
    if (st->count == MAGIC_HISTORY_MAX) {
        mem_free(st->history[0].text);
        memmove(st->history, st->history + 1, (size_t)(st->count - 1) * sizeof *st->history);
        st->count--;
    }
    if (st->count == st->cap) {
        int cap = st->cap ? st->cap * 2 : 64;
        HistoryEntry *grown = mem_realloc(st->history, (size_t)cap * sizeof *grown, NULL);
        if (!grown) return;
        st->history = grown;
        st->cap = cap;
    }
    char *text = mem_strndup(code, len, NULL);
    if (!text) return;
    st->history[st->count].number = s->execution_count;
    st->history[st->count].text = text;
    st->count++;
}

/* %history [-n] [N | M-N]: this session's inputs, oldest first. */
static int magic_history(Session *s, const char *args, const SessionSink *sink) {
    MagicState *st = state_of(s);
    bool numbers = false;
    long lo = 1, hi = -1;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", args);
    for (char *save = NULL, *tok = strtok_r(buf, " \t", &save); tok;
         tok = strtok_r(NULL, " \t", &save)) {
        char *end;
        if (strcmp(tok, "-n") == 0) {
            numbers = true;
            continue;
        }
        lo = strtol(tok, &end, 10);
        if (end == tok || lo < 0) return usage_error(sink, "%%history: invalid range '%s'", tok);
        if (*end == '-') {
            char *e2;
            hi = strtol(end + 1, &e2, 10);
            if (e2 == end + 1 || *e2) return usage_error(sink, "%%history: invalid range '%s'", tok);
        } else if (*end) {
            return usage_error(sink, "%%history: invalid range '%s'", tok);
        } else {
            hi = lo;
        }
    }
    if (!st) return SESSION_OK;
    int width = snprintf(NULL, 0, "%d", st->count ? st->history[st->count - 1].number : 0);
    StrBuf sb = SB_INIT;
    for (int i = 0; i < st->count; i++) {
        const HistoryEntry *e = &st->history[i];
        if (e->number < lo || (hi >= 0 && e->number > hi)) continue;
        if (numbers) sb_appendf(&sb, "%*d: ", width, e->number);
        for (const char *p = e->text; *p; p++) {
            sb_appendc(&sb, *p);
            if (*p == '\n' && numbers) sb_repeat(&sb, ' ', (size_t)width + 2);
        }
        sb_appendc(&sb, '\n');
    }
    emit_sb(sink, &sb);
    return SESSION_OK;
}

/* ---- %who, %whos, %reset ---- */

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names the user defined (not starting with '_'), sorted, optionally only those whose
 * type name is one of `types` (space-separated; "" for all). Borrowed strings, owned array
 * (mem_free) in *out; returns the count or -1. */
static int user_names(Session *s, const char *types, const char ***out) {
    DictValue *g = (DictValue *)eval_globals(s->interp);
    const char **names = mem_alloc((size_t)(g->used + 1) * sizeof *names, NULL);
    if (!names) return -1;
    int n = 0;
    for (int64_t i = 0; i < g->used; i++) {
        Value *k = g->entries[i].key;
        if (!k || !val_is_str(k) || val_str_data(k)[0] == '_') continue;
        if (types[0]) {
            const char *tn = val_type_name(g->entries[i].value);
            size_t tl = strlen(tn);
            bool match = false;
            for (const char *p = types; *p;) {
                while (*p == ' ' || *p == '\t') p++;
                size_t wl = strcspn(p, " \t");
                if (wl && wl == tl && strncmp(p, tn, tl) == 0) match = true;
                p += wl;
            }
            if (!match) continue;
        }
        names[n++] = val_str_data(k);
    }
    qsort(names, (size_t)n, sizeof *names, compare_strings);
    *out = names;
    return n;
}

static int magic_who(Session *s, const char *args, const SessionSink *sink) {
    const char **names;
    int n = user_names(s, args, &names);
    if (n < 0) return SESSION_ERROR;
    StrBuf sb = SB_INIT;
    if (n == 0) {
        sb_append(&sb, args[0] ? "No variables match your requested type.\n"
                               : "Interactive namespace is empty.\n");
    } else {
        for (int i = 0; i < n; i++) sb_appendf(&sb, "%s%s", i ? "\t " : "", names[i]);
        sb_appendc(&sb, '\n');
    }
    mem_free(names);
    emit_sb(sink, &sb);
    return SESSION_OK;
}

/* %whos: IPython's table (Variable, Type, Data/Info; values as str(), one line, long
 * values shortened to 25 + "<...>" + 25 characters). */
static int magic_whos(Session *s, const char *args, const SessionSink *sink) {
    const char **names;
    int n = user_names(s, args, &names);
    if (n < 0) return SESSION_ERROR;
    StrBuf sb = SB_INIT;
    if (n == 0) {
        sb_append(&sb, args[0] ? "No variables match your requested type.\n"
                               : "Interactive namespace is empty.\n");
        mem_free(names);
        emit_sb(sink, &sb);
        return SESSION_OK;
    }
    Interp *I = s->interp;
    Value *g = eval_globals(I);
    size_t varw = strlen("Variable"), typew = strlen("Type");
    for (int i = 0; i < n; i++) {
        Value *v = val_dict_get_str(I, g, names[i]);
        if (strlen(names[i]) > varw) varw = strlen(names[i]);
        if (v && strlen(val_type_name(v)) > typew) typew = strlen(val_type_name(v));
    }
    varw += 3, typew += 3;
    sb_appendf(&sb, "%-*s%-*s Data/Info\n", (int)varw, "Variable", (int)typew, "Type");
    sb_repeat(&sb, '-', varw + typew + strlen("Data/Info") + 1);
    sb_appendc(&sb, '\n');
    for (int i = 0; i < n; i++) {
        Value *v = val_dict_get_str(I, g, names[i]);
        if (!v) continue;
        sb_appendf(&sb, "%-*s%-*s ", (int)varw, names[i], (int)typew, val_type_name(v));
        StrBuf text = SB_INIT, one = SB_INIT;
        if (val_str_of(I, v, &text)) sb_append(&text, "<?>");
        interp_clear_error(I);
        for (const char *p = sb_str(&text); *p; p++) {
            if (*p == '\n') sb_append(&one, "\\n");
            else sb_appendc(&one, *p);
        }
        const char *o = sb_str(&one);
        size_t ol = one.len;
        if (ol > 50) {
            sb_appendn(&sb, o, 25);
            sb_append(&sb, "<...>");
            sb_appendn(&sb, o + ol - 25, 25);
        } else {
            sb_append(&sb, o);
        }
        sb_appendc(&sb, '\n');
        sb_free(&text);
        sb_free(&one);
    }
    mem_free(names);
    emit_sb(sink, &sb);
    return SESSION_OK;
}

static int magic_reset(Session *s, const char *args, const SessionSink *sink) {
    if (strcmp(args, "-f") != 0) {
        emit(sink, "Once deleted, variables cannot be recovered: type %reset -f to delete every "
                   "name you defined.\n");
        return SESSION_OK;
    }
    if (eval_reset(s->interp)) {
        interp_clear_error(s->interp);
        return usage_error(sink, "%%reset: out of memory");
    }
    return SESSION_OK;
}

/* ---- %time, %timeit ---- */

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double tv_seconds(struct timeval tv) { return (double)tv.tv_sec + tv.tv_usec * 1e-6; }

/* IPython's _format_time: "1.23 ms", "456 ns", "1min 3s". */
static void format_time(double t, StrBuf *out) {
    if (t >= 60.0) {
        static const struct { const char *suffix; double len; } parts[] = {
            {"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}};
        double left = t;
        bool first = true;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            long v = (long)(left / parts[i].len);
            if (v > 0) {
                left = fmod(left, parts[i].len);
                sb_appendf(out, "%s%ld%s", first ? "" : " ", v, parts[i].suffix);
                first = false;
            }
            if (left < 1) break;
        }
        return;
    }
    static const char *const units[] = {"s", "ms", "\xc2\xb5s", "ns"};
    static const double scale[] = {1, 1e3, 1e6, 1e9};
    int order = 3;
    if (t > 0.0) {
        /* Python: min(-int(math.floor(math.log10(t)) // 3), 3), floor division. */
        long e = (long)floor(log10(t));
        long q = e >= 0 ? e / 3 : -((-e + 2) / 3);
        order = (int)(-q < 3 ? -q : 3);
    }
    sb_appendf(out, "%.3g %s", t * scale[order], units[order]);
}

static int magic_time(Session *s, const char *stmt, size_t len, const char *chunk, bool silent,
                      const SessionSink *sink) {
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    double w0 = now_seconds();
    int status = session_run(s, stmt, len, chunk, silent, sink);
    double wall = now_seconds() - w0;
    getrusage(RUSAGE_SELF, &r1);
    if (status != SESSION_OK) return status;
    double user = tv_seconds(r1.ru_utime) - tv_seconds(r0.ru_utime);
    double sys = tv_seconds(r1.ru_stime) - tv_seconds(r0.ru_stime);
    StrBuf sb = SB_INIT;
    sb_append(&sb, "CPU times: user ");
    format_time(user, &sb);
    sb_append(&sb, ", sys: ");
    format_time(sys, &sb);
    sb_append(&sb, ", total: ");
    format_time(user + sys, &sb);
    sb_append(&sb, "\nWall time: ");
    format_time(wall, &sb);
    sb_appendc(&sb, '\n');
    emit_sb(sink, &sb);
    return SESSION_OK;
}

/* Runs the timing function with n loops; the elapsed seconds in *t. */
static int timeit_run(Session *s, long long n, const char *chunk, const SessionSink *sink,
                      double *t) {
    char call[96];
    int len = snprintf(call, sizeof call, TIMEIT_FN "(%lld)\n", n);
    double t0 = now_seconds();
    int status = session_run(s, call, (size_t)len, chunk, true, sink);
    *t = now_seconds() - t0;
    return status;
}

/* Parses "-n N", "-r R", "-q" (also "-nN") before the statement; returns the statement's
 * start or NULL after reporting a UsageError. */
static const char *timeit_options(const char *args, long long *number, int *repeat,
                                  bool *quiet, const SessionSink *sink) {
    const char *p = args;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        if (p[0] != '-' || !(p[1] == 'n' || p[1] == 'r' || p[1] == 'q') ||
            !(p[2] == ' ' || p[2] == '\t' || p[2] == '\0' || p[2] == '\n' ||
              (p[1] != 'q' && p[2] >= '0' && p[2] <= '9')))
            return p;
        char opt = p[1];
        p += 2;
        if (opt == 'q') {
            *quiet = true;
            continue;
        }
        while (*p == ' ' || *p == '\t') p++;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v <= 0 || v > 1000000000LL) {
            usage_error(sink, "%%timeit: option -%c needs a positive number", opt);
            return NULL;
        }
        if (opt == 'n') *number = v;
        else *repeat = (int)(v > 1000 ? 1000 : v);
        p = end;
    }
}

/* Appends the lines of text[0, len) to sb, each non-empty one indented by `indent`. */
static void append_indented(StrBuf *sb, const char *text, size_t len, const char *indent) {
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (!blank(p, ll)) sb_append(sb, indent);
        sb_appendn(sb, p, ll);
        sb_appendc(sb, '\n');
        p += ll + 1;
    }
}

/* Does text parse on its own? When not, runs it so that its SyntaxError is reported (the
 * parser fails before anything runs) and returns false with *status set. */
static bool parses(Session *s, const char *text, size_t len, const char *chunk,
                   const SessionSink *sink, int *status) {
    StrBuf check = SB_INIT;
    sb_appendn(&check, text, len);
    sb_append(&check, "\n\n");
    SessionCompleteness c = session_is_complete(s, sb_str(&check), check.len, NULL);
    sb_free(&check);
    if (c == SESSION_COMPLETE) return true;
    *status = session_run(s, text, len, chunk, true, sink);
    if (*status == SESSION_OK) *status = SESSION_ERROR;
    return false;
}

/* %timeit [options] STMT, or %%timeit [options] [SETUP] with the cell body as STMT (body
 * non-NULL). As IPython, STMT runs inside a function (its assignments are local) after
 * SETUP, with `number` loops per run chosen so that a run takes at least 0.2 s; 7 runs. */
static int magic_timeit(Session *s, const char *args, const char *body, const char *chunk,
                        const SessionSink *sink) {
    long long number = 0;
    int repeat = 7;
    bool quiet = false;
    const char *rest = timeit_options(args, &number, &repeat, &quiet, sink);
    if (!rest) return SESSION_ERROR;
    const char *stmt = body ? body : rest, *setup = body ? rest : "";
    size_t slen = strlen(stmt), setup_len = strlen(setup);
    while (slen && is_space(stmt[slen - 1])) slen--;
    while (setup_len && is_space(setup[setup_len - 1])) setup_len--;
    if (blank(stmt, slen)) return usage_error(sink, "%%timeit needs a statement to time");
    int status = SESSION_OK;
    if (!parses(s, stmt, slen, chunk, sink, &status) ||
        !parses(s, setup, setup_len, chunk, sink, &status))
        return status;

    StrBuf def = SB_INIT;
    sb_append(&def, "def " TIMEIT_FN "(_embedlab_n):\n");
    append_indented(&def, setup, setup_len, "    ");
    sb_append(&def, "    for _embedlab_i in range(_embedlab_n):\n");
    append_indented(&def, stmt, slen, "        ");
    if (sb_check(&def, NULL)) {
        sb_free(&def);
        return usage_error(sink, "%%timeit: out of memory");
    }
    status = session_run(s, sb_str(&def), def.len, chunk, true, sink);
    sb_free(&def);
    double *times = NULL;
    if (status != SESSION_OK) goto done;
    double t = 0;
    if (number == 0) {
        for (int i = 0; i < 10; i++) {
            number = 1;
            for (int k = 0; k < i; k++) number *= 10;
            if ((status = timeit_run(s, number, chunk, sink, &t)) != SESSION_OK) goto done;
            if (t >= 0.2) break;
        }
    }
    times = mem_alloc((size_t)repeat * sizeof *times, NULL);
    if (!times) {
        status = usage_error(sink, "%%timeit: out of memory");
        goto done;
    }
    for (int r = 0; r < repeat; r++) {
        if ((status = timeit_run(s, number, chunk, sink, &t)) != SESSION_OK) goto done;
        times[r] = t / (double)number;
    }
    double mean = 0, var = 0;
    for (int r = 0; r < repeat; r++) mean += times[r];
    mean /= repeat;
    for (int r = 0; r < repeat; r++) var += (times[r] - mean) * (times[r] - mean);
    double sd = sqrt(var / repeat);
    if (!quiet) {
        StrBuf sb = SB_INIT;
        format_time(mean, &sb);
        sb_append(&sb, " \xc2\xb1 ");
        format_time(sd, &sb);
        sb_appendf(&sb, " per loop (mean \xc2\xb1 std. dev. of %d run%s, ", repeat,
                   repeat == 1 ? "" : "s");
        char digits[32], grouped[48];
        int nd = snprintf(digits, sizeof digits, "%lld", number), g = 0;
        for (int i = 0; i < nd; i++) {
            if (i && (nd - i) % 3 == 0) grouped[g++] = ',';
            grouped[g++] = digits[i];
        }
        grouped[g] = '\0';
        sb_appendf(&sb, "%s loop%s each)\n", grouped, number == 1 ? "" : "s");
        emit_sb(sink, &sb);
    }
done:
    mem_free(times);
    Value *key = val_str(s->interp, TIMEIT_FN);
    if (key) val_dict_del(s->interp, eval_globals(s->interp), key);
    val_release(key);
    interp_clear_error(s->interp);
    return status;
}

/* ---- !COMMAND ---- */

/* Runs `sh -c command`, forwarding its stdout and stderr to the sink's streams as they
 * arrive. An interrupt of the session (session_interrupt) sends SIGINT to the command.
 * A failing command is not an error of the cell (as in IPython). */
static int run_shell(Session *s, const char *command, const SessionSink *sink) {
    int out[2] = {-1, -1}, err[2] = {-1, -1};
    if (pipe(out) || pipe(err)) {
        if (out[0] >= 0) close(out[0]), close(out[1]);
        return usage_error(sink, "cannot run a shell command: %s", strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, err[0]);
    posix_spawn_file_actions_addclose(&fa, out[1]);
    posix_spawn_file_actions_addclose(&fa, err[1]);
    /* The child starts with default signal dispositions (the REPL ignores SIGPIPE). */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    char *argv[] = {(char *)"sh", (char *)"-c", (char *)command, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(out[1]);
    close(err[1]);
    if (rc) {
        close(out[0]);
        close(err[0]);
        return usage_error(sink, "cannot run a shell command: %s", strerror(rc));
    }
    struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    bool interrupted = false;
    char buf[4096];
    while (open_fds) {
        int n = poll(fds, 2, 50);
        if (s->interp->interrupt_requested && !interrupted) {
            kill(pid, SIGINT);
            interrupted = true;
        }
        if (n <= 0) continue;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t got = read(fds[i].fd, buf, sizeof buf);
            if (got > 0) {
                emitn(sink, i ? "stderr" : "stdout", buf, (size_t)got);
            } else if (got == 0 || errno != EINTR) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    s->interp->interrupt_requested = 0;
    return SESSION_OK;
}

/* ---- lessons ---- */

int magic_lessons(Session *s, const char *name, const SessionSink *sink) {
    if (!name || !name[0]) return lesson_list(sink);
    MagicState *st = state_of(s);
    if (!st) return usage_error(sink, "out of memory");
    LessonRun *run = lesson_run_start(s, name, sink);
    if (!run) return SESSION_ERROR;
    lesson_run_free(st->lesson);
    st->lesson = run;
    return SESSION_OK;
}

/* %check ID: is the exercise solved in this session? */
static int magic_check(Session *s, const char *id, const SessionSink *sink) {
    MagicState *st = state_of(s);
    if (!st) return usage_error(sink, "out of memory");
    if (!id[0]) return usage_error(sink, "%%check needs an exercise id");
    if (strcmp(st->check_id, id) != 0) {
        snprintf(st->check_id, sizeof st->check_id, "%s", id);
        st->check_hints = 0;
    }
    return lesson_check_magic(s, id, &st->check_hints, sink);
}

const char *session_lesson_prompt(Session *s) {
    MagicState *st = s->magic_state;
    return st && st->lesson ? lesson_run_indicator(st->lesson) : NULL;
}

/* ---- dispatch ---- */

static const char *const line_magics[] = {"check", "history", "lesson", "lessons", "lsmagic", "reset",
                                          "time", "timeit", "who", "whos", NULL};

static int magic_lsmagic(const SessionSink *sink) {
    StrBuf sb = SB_INIT;
    sb_append(&sb, "Available line magics:\n");
    for (int i = 0; line_magics[i]; i++) sb_appendf(&sb, "%s%%%s", i ? "  " : "", line_magics[i]);
    sb_append(&sb, "\n\nAvailable cell magics:\n%%time  %%timeit\n\n"
                   "Help: ?name or name? shows the documentation of name; "
                   "!command runs a shell command.\n");
    emit_sb(sink, &sb);
    return SESSION_OK;
}

/* Runs one line magic: text is the line after '%' (no newline). */
static int run_line_magic(Session *s, const char *text, size_t len, const char *chunk,
                          bool silent, const SessionSink *sink) {
    size_t nl = 0;
    while (nl < len && (text[nl] == '_' || (text[nl] >= 'a' && text[nl] <= 'z') ||
                        (text[nl] >= 'A' && text[nl] <= 'Z') || (text[nl] >= '0' && text[nl] <= '9')))
        nl++;
    char name[32];
    if (nl == 0 || nl >= sizeof name) {
        return usage_error(sink, "Line magic function `%%%.*s` not found.",
                           (int)(len < 40 ? len : 40), text);
    }
    memcpy(name, text, nl);
    name[nl] = '\0';
    size_t alen = len - nl;
    const char *args = trim(text + nl, &alen);
    char *a = mem_strndup(args, alen, NULL);
    if (!a) return usage_error(sink, "out of memory");
    int status;
    if (strcmp(name, "who") == 0) status = magic_who(s, a, sink);
    else if (strcmp(name, "whos") == 0) status = magic_whos(s, a, sink);
    else if (strcmp(name, "reset") == 0) status = magic_reset(s, a, sink);
    else if (strcmp(name, "time") == 0) {
        if (!alen) status = usage_error(sink, "%%time needs a statement to time");
        else status = magic_time(s, a, alen, chunk, silent, sink);
    } else if (strcmp(name, "timeit") == 0) status = magic_timeit(s, a, NULL, chunk, sink);
    else if (strcmp(name, "history") == 0) status = magic_history(s, a, sink);
    else if (strcmp(name, "lessons") == 0) status = magic_lessons(s, NULL, sink);
    else if (strcmp(name, "lesson") == 0) {
        if (!alen) status = usage_error(sink, "%%lesson needs a lesson name (%%lessons lists them)");
        else status = magic_lessons(s, a, sink);
    } else if (strcmp(name, "check") == 0) status = magic_check(s, a, sink);
    else if (strcmp(name, "lsmagic") == 0) status = magic_lsmagic(sink);
    else status = usage_error(sink, "Line magic function `%%%s` not found.", name);
    mem_free(a);
    return status;
}

/* `%%name args\nbody`: the cell magics. */
static int run_cell_magic(Session *s, const char *code, size_t len, const char *chunk,
                          bool silent, const SessionSink *sink) {
    const char *nl = memchr(code, '\n', len);
    size_t first = nl ? (size_t)(nl - code) : len;
    const char *body = nl ? nl + 1 : code + len;
    size_t blen = (size_t)(code + len - body);
    size_t nlen = 0;
    while (2 + nlen < first && code[2 + nlen] != ' ' && code[2 + nlen] != '\t') nlen++;
    size_t alen = first - 2 - nlen;
    const char *args = trim(code + 2 + nlen, &alen);
    StrBuf sb = SB_INIT;
    int status;
    if (nlen == 4 && strncmp(code + 2, "time", 4) == 0) {
        /* Keep the body's line numbers those of the cell. */
        sb_appendc(&sb, '\n');
        sb_appendn(&sb, body, blen);
        status = sb_check(&sb, NULL) ? usage_error(sink, "out of memory")
                                     : magic_time(s, sb_str(&sb), sb.len, chunk, silent, sink);
    } else if (nlen == 6 && strncmp(code + 2, "timeit", 6) == 0) {
        /* The options line (its rest is the setup), then the body, each NUL-terminated. */
        sb_appendn(&sb, args, alen);
        sb_appendc(&sb, '\0');
        sb_appendn(&sb, body, blen);
        status = sb_check(&sb, NULL)
                     ? usage_error(sink, "out of memory")
                     : magic_timeit(s, sb_str(&sb), sb_str(&sb) + alen + 1, chunk, sink);
    } else {
        status = usage_error(sink, "Cell magic `%%%%%.*s` not found.", (int)nlen, code + 2);
    }
    sb_free(&sb);
    return status;
}

/* From the start of a top-level line at `pos`, the start of the next top-level line: skips
 * strings (with escapes and triple quotes), comments, bracketed continuation lines and
 * backslash continuations. Returns len at the end. */
static size_t next_top_line(const char *code, size_t len, size_t pos) {
    int depth = 0;
    char quote = 0;
    bool triple = false;
    size_t i = pos;
    while (i < len) {
        char c = code[i];
        if (quote) {
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '\n' && !triple) quote = 0; /* unterminated: the parser reports it */
            else if (c == quote) {
                if (!triple) quote = 0;
                else if (i + 2 < len && code[i + 1] == quote && code[i + 2] == quote) {
                    quote = 0;
                    i += 3;
                    continue;
                }
            }
            i++;
            continue;
        }
        if (c == '#') {
            while (i < len && code[i] != '\n') i++;
            continue;
        }
        if (c == '\\' && i + 1 < len && code[i + 1] == '\n') {
            i += 2;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            triple = i + 2 < len && code[i + 1] == c && code[i + 2] == c;
            i += triple ? 3 : 1;
            continue;
        }
        if (c == '(' || c == '[' || c == '{') depth++;
        else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
        else if (c == '\n' && depth == 0) return i + 1;
        i++;
    }
    return len;
}

static size_t line_end(const char *code, size_t len, size_t pos) {
    const char *nl = memchr(code + pos, '\n', len - pos);
    return nl ? (size_t)(nl - code) : len;
}

/* `name?` / `name??` (a dotted name, then question marks, then nothing). */
static bool is_help_suffix(const char *text, size_t len) {
    while (len && is_space(text[len - 1])) len--;
    if (len < 2 || text[len - 1] != '?') return false;
    while (len && text[len - 1] == '?') len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t')) len--;
    if (!len || (text[0] >= '0' && text[0] <= '9') || text[0] == '.') return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!(c == '_' || c == '.' || c >= 0x80 || (c >= '0' && c <= '9') ||
              (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
            return false;
    }
    return true;
}

/* A line magic, a !command or a help shortcut starting at the top-level line `pos`. */
static bool is_magic_line(const char *code, size_t len, size_t pos) {
    if (pos >= len) return false;
    if (code[pos] == '%' || code[pos] == '!' || code[pos] == '?') return true;
    return is_help_suffix(code + pos, line_end(code, len, pos) - pos);
}

static bool has_magic_line(const char *code, size_t len) {
    for (size_t pos = 0; pos < len;) {
        if (is_magic_line(code, len, pos)) return true;
        pos = next_top_line(code, len, pos);
    }
    return false;
}

/* Runs a Python segment code[from, to) with its line numbers those of the cell. */
static int run_python_segment(Session *s, const char *code, size_t from, size_t to,
                              const char *chunk, bool silent, const SessionSink *sink) {
    StrBuf sb = SB_INIT;
    for (size_t i = 0; i < from; i++)
        if (code[i] == '\n') sb_appendc(&sb, '\n');
    sb_appendn(&sb, code + from, to - from);
    if (sb_check(&sb, NULL)) {
        sb_free(&sb);
        return usage_error(sink, "out of memory");
    }
    int status = session_run(s, sb_str(&sb), sb.len, chunk, silent, sink);
    sb_free(&sb);
    return status;
}

static bool help_shortcut(Session *s, const char *text, size_t n, const SessionSink *sink);

static int run_magic_line(Session *s, const char *text, size_t len, const char *chunk,
                          bool silent, const SessionSink *sink) {
    size_t n = len - 1;
    const char *body = trim(text + 1, &n);
    if (text[0] != '%' && text[0] != '!') {
        size_t hl = len;
        const char *h = trim(text, &hl);
        return help_shortcut(s, h, hl, sink)
                   ? SESSION_OK
                   : usage_error(sink, "invalid help request `%.*s`", (int)(hl < 60 ? hl : 60), h);
    }
    if (text[0] == '%') return run_line_magic(s, text + 1, len - 1, chunk, silent, sink);
    if (n == 0) return SESSION_OK;
    char *command = mem_strndup(body, n, NULL);
    if (!command) return usage_error(sink, "out of memory");
    int status = run_shell(s, command, sink);
    mem_free(command);
    return status;
}

/* A cell of Python segments and magic lines, in order, stopping at the first error. */
static int run_segments(Session *s, const char *code, size_t len, const char *chunk,
                        bool silent, const SessionSink *sink) {
    size_t seg = 0, pos = 0;
    while (pos < len) {
        if (!is_magic_line(code, len, pos)) {
            pos = next_top_line(code, len, pos);
            continue;
        }
        size_t end = line_end(code, len, pos);
        bool last = blank(code + end, len - end);
        if (!blank(code + seg, pos - seg)) {
            int st = run_python_segment(s, code, seg, pos, chunk, true, sink);
            if (st != SESSION_OK) return st;
        }
        int st = run_magic_line(s, code + pos, end - pos, chunk, silent || !last, sink);
        if (st != SESSION_OK) return st;
        pos = seg = end < len ? end + 1 : len;
    }
    if (!blank(code + seg, len - seg))
        return run_python_segment(s, code, seg, len, chunk, silent, sink);
    return SESSION_OK;
}

/* ?name, name?, ??name, name??: the name's help; true when code is one. */
static bool help_shortcut(Session *s, const char *text, size_t n, const SessionSink *sink) {
    if (n < 2 || memchr(text, '\n', n) || text[0] == '#' || text[0] == '%' || text[0] == '!')
        return false;
    const char *name = text;
    size_t name_len = n;
    if (text[0] == '?') {
        while (name_len && name[0] == '?') name++, name_len--;
    } else if (text[n - 1] == '?') {
        while (name_len && name[name_len - 1] == '?') name_len--;
    } else {
        return false;
    }
    while (name_len && is_space(name[0])) name++, name_len--;
    while (name_len && is_space(name[name_len - 1])) name_len--;
    /* Only a (dotted) name: `x == 1?` is a syntax error, not help. */
    char probe[260];
    if (name_len == 0 || name_len >= 256) return false;
    memcpy(probe, name, name_len);
    probe[name_len] = '?';
    if (!is_help_suffix(probe, name_len + 1)) return false;
    char buf[256];
    memcpy(buf, name, name_len);
    buf[name_len] = '\0';
    char *help = session_inspect(s, buf, name_len, 1);
    if (help) {
        emit(sink, help);
        session_free_string(help);
    } else {
        StrBuf sb = SB_INIT;
        sb_appendf(&sb, "Object `%s` not found.\n", buf);
        emit_sb(sink, &sb);
    }
    return true;
}

bool magic_dispatch(Session *s, const char *code, size_t len, const SessionExecOptions *opts,
                    const SessionSink *sink, int *status) {
    bool silent = opts && opts->silent;
    if (!silent && (!opts || opts->store_history)) history_record(s, code, len);
    const char *chunk = opts && opts->chunk_name ? opts->chunk_name : "<stdin>";
    size_t n = len;
    const char *text = trim(code, &n);
    if (help_shortcut(s, text, n, sink)) {
        *status = SESSION_OK;
        return true;
    }
    if (n >= 2 && text[0] == '%' && text[1] == '%') {
        *status = run_cell_magic(s, text, n, chunk, silent, sink);
        return true;
    }
    bool magic_lines = has_magic_line(code, len);
    MagicState *ms = s->magic_state;
    if (ms && ms->lesson && !silent && !magic_lines) {
        /* A lesson is playing: its controls, or code that is then checked. */
        bool done = false;
        *status = lesson_run_input(ms->lesson, code, len, sink, &done);
        if (done) {
            lesson_run_free(ms->lesson);
            ms->lesson = NULL;
        }
        return true;
    }
    if (!magic_lines) return false;
    *status = run_segments(s, code, len, chunk, silent, sink);
    return true;
}

void magic_free(Session *s) {
    MagicState *st = s->magic_state;
    if (st) {
        for (int i = 0; i < st->count; i++) mem_free(st->history[i].text);
        mem_free(st->history);
        lesson_run_free(st->lesson);
    }
    mem_free(st);
    s->magic_state = NULL;
}
