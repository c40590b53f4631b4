/*
 * tests/tools/golden_runner.c — runs the language golden records (tests/golden/NAME.test)
 * through session_execute, exactly as the front ends do, and compares byte for byte.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Record format (see tests/tools/gen_golden.py, which regenerates the expected text from
 * PyTorch 1.13):
 *     === title            ("[embedlab]" at the end: hand-written, embedlab-specific)
 *     code lines
 *     --- output HASH      (HASH: sha256 of the code, first 16 hex digits)
 *     expected stdout
 *     --- error            (optional)
 *     Kind: message        (+ "hint: ..." in [embedlab] records)
 * A record whose code no longer matches HASH is stale: its output was not regenerated.
 * Each record runs in a fresh session. Ends with "N passed, N failed"; exit 1 on failure.
 *
 *     golden_runner [-v] FILE.test...
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "session.h"

typedef struct Buffer {
    char *data;
    size_t len, cap;
} Buffer;

static void buf_append(Buffer *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            fprintf(stderr, "golden_runner: out of memory\n");
            exit(2);
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_puts(Buffer *b, const char *s) { buf_append(b, s, strlen(s)); }
static const char *buf_str(const Buffer *b) { return b->data ? b->data : ""; }

typedef struct Captured {
    Buffer out;
    Buffer error_line; /* "Kind: message" */
    Buffer hint_line;  /* "hint: ..." or empty */
    Buffer traceback;
} Captured;

static void cap_stream(void *ctx, const char *stream, const char *text, size_t len) {
    Captured *c = ctx;
    if (strcmp(stream, "stdout") == 0) buf_append(&c->out, text, len);
}

static void cap_display(void *ctx, const SessionBundle *bundle) {
    Captured *c = ctx;
    buf_puts(&c->out, bundle->text_plain);
    buf_puts(&c->out, "\n");
}

static void cap_result(void *ctx, int count, const SessionBundle *bundle) {
    (void)count;
    cap_display(ctx, bundle);
}

static void cap_error(void *ctx, const char *ename, const char *evalue,
                      const char *const *traceback, int lines) {
    (void)ename, (void)evalue;
    Captured *c = ctx;
    int last = lines - 1;
    if (last >= 0 && strncmp(traceback[last], "hint: ", 6) == 0) {
        buf_puts(&c->hint_line, traceback[last]);
        last--;
    }
    if (last >= 0) buf_puts(&c->error_line, traceback[last]);
    for (int i = 0; i < lines; i++) {
        buf_puts(&c->traceback, traceback[i]);
        buf_puts(&c->traceback, "\n");
    }
}

typedef struct Record {
    char *title;
    int line;       /* line of the === header */
    Buffer code;
    Buffer output;
    bool has_error;
    Buffer error;   /* expected error section, one or two lines joined by \n */
    char hash[40];
    bool embedlab;
    bool no_final_newline;
} Record;

static void hash_hex(const char *code, char out[17]) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)code, strlen(code));
    for (int i = 0; i < 8; i++) sprintf(out + 2 * i, "%02x", digest[i]);
    out[16] = '\0';
}

static void free_record(Record *r) {
    free(r->title);
    free(r->code.data);
    free(r->output.data);
    free(r->error.data);
    memset(r, 0, sizeof *r);
}

/* Runs one record; prints a report on mismatch. Returns true when it passes. */
static bool run_record(const char *file, Record *r, int number, bool verbose) {
    char want_hash[17];
    /* The generator hashes the code without its final newline. */
    Buffer code_no_nl = {0};
    size_t code_len = r->code.len;
    while (code_len && r->code.data[code_len - 1] == '\n') code_len--;
    buf_append(&code_no_nl, buf_str(&r->code), code_len);
    hash_hex(buf_str(&code_no_nl), want_hash);
    free(code_no_nl.data);
    if (!r->embedlab && strcmp(want_hash, r->hash) != 0) {
        printf("Test #%d at %s:%d: %s\n  stale: the code changed but its expected output was "
               "not regenerated (run 'make goldens')\n",
               number, file, r->line, r->title);
        return false;
    }
    Session *s = session_new(NULL);
    if (!s) {
        printf("Test #%d: cannot create a session\n", number);
        return false;
    }
    Captured c = {0};
    SessionSink sink = {&c, cap_stream, cap_display, cap_result, cap_error};
    /* torch's default generator starts from a random seed; gen_golden.py runs every record
     * after torch.manual_seed(67280421310721), so the session does too (silently, leaving
     * no name behind). */
    static const char seed[] = "import torch as _golden_torch\n"
                               "_golden_torch.manual_seed(67280421310721)\n"
                               "del _golden_torch\n";
    SessionExecOptions quiet = {"<golden setup>", true, false};
    session_execute(s, seed, sizeof seed - 1, &quiet, &sink);
    SessionExecOptions opts = {"<stdin>", false, true};
    session_execute(s, buf_str(&r->code), r->code.len, &opts, &sink);
    session_free(s);
    Buffer want_out = {0};
    buf_puts(&want_out, buf_str(&r->output));
    if (r->no_final_newline && want_out.len && want_out.data[want_out.len - 1] == '\n')
        want_out.data[--want_out.len] = '\0';
    bool ok = strcmp(buf_str(&want_out), buf_str(&c.out)) == 0;
    Buffer got_error = {0};
    if (c.error_line.len) {
        buf_puts(&got_error, buf_str(&c.error_line));
        if (r->embedlab && c.hint_line.len) {
            buf_puts(&got_error, "\n");
            buf_puts(&got_error, buf_str(&c.hint_line));
        }
    }
    const char *want_error = r->has_error ? buf_str(&r->error) : "";
    if (strcmp(want_error, buf_str(&got_error)) != 0) ok = false;
    if (!ok || verbose) {
        printf("%s #%d at %s:%d: %s\n", ok ? "ok" : "Test", number, file, r->line, r->title);
        if (!ok) {
            printf("  --- expected output\n%s  --- got output\n%s", buf_str(&want_out),
                   buf_str(&c.out));
            printf("  --- expected error\n%s\n  --- got error\n%s\n", want_error,
                   buf_str(&got_error));
            if (c.traceback.len) printf("  --- traceback\n%s", buf_str(&c.traceback));
        }
    }
    free(want_out.data);
    free(got_error.data);
    free(c.out.data);
    free(c.error_line.data);
    free(c.hint_line.data);
    free(c.traceback.data);
    return ok;
}

/* Parses and runs every record of a file; adds to the counters. */
static void run_file(const char *path, int *passed, int *failed, bool verbose) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("golden_runner: cannot open %s\n", path);
        (*failed)++;
        return;
    }
    Record r = {0};
    bool in_record = false;
    enum { CODE, OUTPUT, ERROR, AFTER } section = CODE;
    bool ended = false; /* "--- end" closed the output explicitly */
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    while (true) {
        n = getline(&line, &cap, f);
        if (n >= 0) lineno++;
        if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
        bool header = n >= 0 && strncmp(line, "=== ", 4) == 0;
        if ((header || n < 0) && in_record) {
            /* Trailing blank lines separate records; they are not part of the output. */
            Buffer *b = section == ERROR ? &r.error : &r.output;
            if (!(b == &r.output && ended)) {
                while (b->len >= 2 && b->data[b->len - 1] == '\n' &&
                       b->data[b->len - 2] == '\n')
                    b->data[--b->len] = '\0';
                if (b->len == 1 && b->data[0] == '\n') b->data[--b->len] = '\0';
            }
            if (r.has_error) { /* the error section follows a closed output */
                while (r.error.len >= 2 && r.error.data[r.error.len - 1] == '\n' &&
                       r.error.data[r.error.len - 2] == '\n')
                    r.error.data[--r.error.len] = '\0';
            }
            if (r.has_error && r.error.len && r.error.data[r.error.len - 1] == '\n')
                r.error.data[--r.error.len] = '\0';
            int number = *passed + *failed + 1;
            if (run_record(path, &r, number, verbose)) (*passed)++;
            else (*failed)++;
            free_record(&r);
            in_record = false;
            ended = false;
        }
        if (n < 0) break;
        if (header) {
            in_record = true;
            section = CODE;
            r.title = strdup(line + 4);
            r.line = lineno;
            size_t tl = strlen(r.title);
            r.embedlab = tl >= 10 && strcmp(r.title + tl - 10, "[embedlab]") == 0;
            continue;
        }
        if (!in_record) continue;
        if (strncmp(line, "--- output", 10) == 0) {
            section = OUTPUT;
            snprintf(r.hash, sizeof r.hash, "%s", line[10] == ' ' ? line + 11 : "");
            continue;
        }
        if (strcmp(line, "--- end") == 0) {
            section = AFTER;
            ended = true;
            continue;
        }
        if (strcmp(line, "--- error") == 0) {
            section = ERROR;
            r.has_error = true;
            continue;
        }
        if (section == OUTPUT && strcmp(line, "\\ no newline at end") == 0) {
            r.no_final_newline = true;
            continue;
        }
        if (section == AFTER) continue; /* blank separator lines */
        Buffer *b = section == CODE ? &r.code : section == OUTPUT ? &r.output : &r.error;
        buf_append(b, line, (size_t)n);
        buf_puts(b, "\n");
    }
    free(line);
    fclose(f);
}

int main(int argc, char **argv) {
    if (sodium_init() < 0) {
        fprintf(stderr, "golden_runner: libsodium failed to initialise\n");
        return 2;
    }
    bool verbose = false;
    int passed = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            verbose = true;
            continue;
        }
        run_file(argv[i], &passed, &failed, verbose);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
