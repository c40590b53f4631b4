/*
 * fuzz/faultinject.c — allocation fault injection over code snippets (the golden corpus):
 * every allocation an execution makes fails in turn (mem_fail_after, the core's one
 * chokepoint), and the session must survive. See LICENSE (GPL-3.0-or-later).
 *
 *   faultinject [-m MAX_POINTS] [-v] FILE...
 *
 * A FILE is a golden record file (tests/golden/NAME.test: each "=== title" record's code,
 * up to its "--- " line, is one snippet) or, for any other name, one snippet. For each
 * snippet: run it once in a fresh session to count the allocations n it makes; then, for
 * each k in 0..n-1 (at most MAX_POINTS of them, evenly spread; default 64), run it in a
 * fresh session with allocation k failing, then run a follow-up (`__fi_ok = 1 + 1`) that
 * must succeed, then free the session. Build it under SANITIZE=address,undefined so a
 * crash, a use-after-free or a leak on any of these paths is reported (make fault-inject).
 *
 * Verdicts printed at the end: runs, failures reported as MemoryError, failures reported as
 * another error (listed with -v: an allocation failure surfacing as, say, NameError is a
 * bug in error propagation), runs whose failure was absorbed (no error: fine when the
 * allocation was optional), and sessions that did not survive (a follow-up that failed —
 * these make the exit status 1, as does any sanitizer report).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "session.h"

typedef struct Outcome {
    char ename[64];
    char evalue[160];
    bool error;
} Outcome;

static void on_stream(void *ctx, const char *stream, const char *text, size_t len) {
    (void)ctx, (void)stream, (void)text, (void)len;
}
static void on_display(void *ctx, const SessionBundle *b) { (void)ctx, (void)b; }
static void on_result(void *ctx, int n, const SessionBundle *b) { (void)ctx, (void)n, (void)b; }
static void on_error(void *ctx, const char *ename, const char *evalue, const char *const *tb,
                     int n) {
    (void)tb, (void)n;
    Outcome *o = ctx;
    o->error = true;
    snprintf(o->ename, sizeof o->ename, "%s", ename ? ename : "?");
    snprintf(o->evalue, sizeof o->evalue, "%s", evalue ? evalue : "");
}

static long long runs, as_memory, as_other, absorbed, broken, skipped;
static bool verbose;

/* Runs code in a fresh session with allocation `fail_at` (from the start of the
 * execution) failing; -1: none. Returns the allocations the execution made, or -1 when
 * the session could not be created. */
static long run_once(const char *code, size_t len, long fail_at, Outcome *o, bool *survived) {
    memset(o, 0, sizeof *o);
    Session *s = session_new(NULL);
    if (!s) return -1;
    session_set_step_limit(s, 200000);
    SessionSink sink = {o, on_stream, on_display, on_result, on_error, NULL};
    SessionExecOptions opts = {"<faultinject>", false, true};
    unsigned long before = mem_alloc_count();
    if (fail_at >= 0) mem_fail_after(fail_at);
    session_execute(s, code, len, &opts, &sink);
    mem_fail_after(-1);
    long used = (long)(mem_alloc_count() - before);
    if (survived) {
        Outcome follow;
        memset(&follow, 0, sizeof follow);
        SessionSink fs = {&follow, on_stream, on_display, on_result, on_error, NULL};
        static const char probe[] = "__fi_ok = 1 + 1\n";
        *survived = session_execute(s, probe, sizeof probe - 1, &opts, &fs) == SESSION_OK;
    }
    session_free(s);
    return used;
}

static void inject(const char *where, const char *code, size_t len, long max_points) {
    Outcome base;
    long n = run_once(code, len, -1, &base, NULL);
    if (n <= 0) {
        skipped++;
        return;
    }
    long points = n < max_points ? n : max_points;
    for (long p = 0; p < points; p++) {
        long k = points == n ? p : (long)((double)p * (double)n / (double)points);
        Outcome o;
        bool survived = false;
        run_once(code, len, k, &o, &survived);
        runs++;
        if (!survived) {
            broken++;
            printf("BROKEN %s: allocation %ld of %ld: the session did not survive\n", where, k, n);
        }
        if (!o.error) {
            absorbed++;
        } else if (strcmp(o.ename, "MemoryError") == 0 || strcmp(o.ename, base.ename) == 0) {
            as_memory += strcmp(o.ename, "MemoryError") == 0;
            absorbed += strcmp(o.ename, "MemoryError") != 0; /* the snippet's own error */
        } else {
            as_other++;
            if (verbose)
                printf("OTHER %s: allocation %ld of %ld: %s: %.120s\n", where, k, n, o.ename,
                       o.evalue);
        }
    }
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *grown = realloc(buf, cap * 2 + 1);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = n;
    return buf;
}

/* Each "=== " record's code (up to its "--- " line) of a golden file. */
static void inject_golden(const char *path, char *text, long max_points) {
    char *p = text;
    int record = 0;
    while ((p = strstr(p, "=== ")) != NULL) {
        if (p != text && p[-1] != '\n') {
            p += 4;
            continue;
        }
        char *code = strchr(p, '\n');
        if (!code) break;
        code++;
        char *end = code;
        while (*end && strncmp(end, "--- ", 4) != 0) {
            char *nl = strchr(end, '\n');
            if (!nl) {
                end += strlen(end);
                break;
            }
            end = nl + 1;
        }
        record++;
        char where[600];
        snprintf(where, sizeof where, "%s record %d", path, record);
        inject(where, code, (size_t)(end - code), max_points);
        p = end;
    }
}

int main(int argc, char **argv) {
    long max_points = 64;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) max_points = atol(argv[++i]);
        else if (strcmp(argv[i], "-v") == 0) verbose = true;
        else break;
    }
    if (i >= argc || max_points < 1) {
        fprintf(stderr, "usage: faultinject [-m MAX_POINTS] [-v] FILE...\n");
        return 2;
    }
    for (; i < argc; i++) {
        size_t len;
        char *text = read_file(argv[i], &len);
        if (!text) {
            perror(argv[i]);
            return 2;
        }
        size_t nl = strlen(argv[i]);
        if (nl > 5 && strcmp(argv[i] + nl - 5, ".test") == 0) inject_golden(argv[i], text, max_points);
        else inject(argv[i], text, len, max_points);
        free(text);
        fflush(stdout);
    }
    printf("fault injection: %lld runs; MemoryError %lld, other error %lld, absorbed %lld, "
           "session lost %lld; %lld snippets skipped (no allocations)\n",
           runs, as_memory, as_other, absorbed, broken, skipped);
    return broken ? 1 : 0;
}
