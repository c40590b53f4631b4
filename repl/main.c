/*
 * repl/main.c — the `embedlab` command: run a script (FILE.py, -c CODE, or stdin when it is
 * not a terminal) or start the interactive REPL. See LICENSE (GPL-3.0-or-later).
 *
 * Exit status as Python's: 0, 1 when an uncaught error ends a script (traceback on
 * stderr), 2 for a command-line usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl.h"
#include "session.h"

#define MAX_SCRIPT_BYTES ((size_t)64 << 20)

static void usage(FILE *out) {
    fprintf(out,
            "usage: embedlab [-q] [-i] [FILE.py | -c CODE | -]\n"
            "PyTorch 1.13 embedding layers, exactly, without Python.\n"
            "\n"
            "  (no argument)  the interactive REPL on a terminal; without a terminal on\n"
            "                 stdin, run what stdin holds as one script\n"
            "  FILE.py        run a script\n"
            "  -c CODE        run CODE\n"
            "  -              run the script read from stdin\n"
            "  -i             after FILE.py or -c CODE, stay interactive\n"
            "  -q             no banner in the REPL\n"
            "  --lessons      list the lessons with your progress\n"
            "  --lesson NAME  play a lesson interactively (resumes where you left it)\n"
            "  --play NAME    play a lesson non-interactively, solutions included\n"
            "  --check-lesson NAME|--all\n"
            "                 also prove every check false before its solution\n"
            "  --to-ipynb NAME OUT.ipynb [--solutions]\n"
            "                 write the lesson as a Jupyter notebook\n"
            "  -V, --version  print the version\n"
            "  -h, --help     this help\n"
            "\n"
            "Exit status: 0, 1 after an uncaught error (traceback on stderr), 2 for a\n"
            "command-line error, or the code given to exit().\n"
            "\n"
            "In the REPL: help(x), ?x and x? show documentation; Tab completes; %%lsmagic\n"
            "lists the magics (%%who, %%timeit, %%history, ...); Ctrl-C cancels a line or\n"
            "interrupts running code; Ctrl-D exits.\n"
            "\n"
            "Files: $XDG_STATE_HOME/embedlab/history (default ~/.local/state/embedlab/history).\n"
            "Environment: EMBEDLAB_HISTSIZE (history entries kept, default 1000, 0: no file),\n"
            "XDG_STATE_HOME, NO_COLOR, TERM, PAGER, LESS, INPUTRC. See embedlab(1).\n");
}

/* ---- script output: stdout/stderr, results printed as repr ---- */

static void script_stream(void *ctx, const char *stream, const char *text, size_t len) {
    (void)ctx;
    FILE *out = strcmp(stream, "stderr") == 0 ? stderr : stdout;
    fwrite(text, 1, len, out);
}

static void script_display(void *ctx, const SessionBundle *bundle) {
    (void)ctx;
    fputs(bundle->text_plain, stdout);
    fputc('\n', stdout);
}

/* Like `python3 FILE.py`, a script does not echo the value of its last expression. */
static void script_result(void *ctx, int count, const SessionBundle *bundle) {
    (void)ctx, (void)count, (void)bundle;
}

static void script_error(void *ctx, const char *ename, const char *evalue,
                         const char *const *traceback, int lines) {
    (void)ctx, (void)ename, (void)evalue;
    fflush(stdout);
    for (int i = 0; i < lines; i++) fprintf(stderr, "%s\n", traceback[i]);
    fflush(stderr);
}

/* input() in a script reads the script's standard input, like Python. */
static SessionInput script_input(void *ctx, const char *prompt, bool password, char **line) {
    (void)ctx, (void)password;
    fputs(prompt, stdout);
    fflush(stdout);
    size_t cap = 0;
    ssize_t n = getline(line, &cap, stdin);
    if (n < 0) {
        free(*line);
        *line = NULL;
        return SESSION_INPUT_EOF;
    }
    if (n > 0 && (*line)[n - 1] == '\n') (*line)[n - 1] = '\0';
    return SESSION_INPUT_OK;
}

static const SessionSink script_sink = {NULL,         script_stream, script_display,
                                        script_result, script_error, script_input};

/* A lesson fed from a pipe shows results as the REPL does. */
static void lesson_result(void *ctx, int count, const SessionBundle *bundle) {
    (void)ctx, (void)count;
    fputs(bundle->text_plain, stdout);
    fputc('\n', stdout);
}

static const SessionSink lesson_sink = {NULL, script_stream, script_display, lesson_result,
                                        script_error};

/* --lesson NAME without a terminal: every line of stdin is one input. */
static int lesson_from_pipe(Session *s) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    SessionExecOptions opts = {"<stdin>", false, true};
    while (session_lesson_prompt(s) && (n = getline(&line, &cap, stdin)) >= 0) {
        fputs(session_lesson_prompt(s), stdout);
        fputs(">>> ", stdout);
        fwrite(line, 1, (size_t)n, stdout);
        if (n == 0 || line[n - 1] != '\n') fputc('\n', stdout);
        session_execute(s, line, (size_t)n, &opts, &lesson_sink);
        fflush(stdout);
    }
    free(line);
    return 0;
}

/* The lesson options: --lessons, --lesson, --play, --check-lesson, --to-ipynb. -1 when a
 * is none of them, else the exit status (*interactive set for --lesson on a tty). */
static int lesson_option(int argc, char **argv, int i, Session **s, bool *interactive) {
    const char *a = argv[i];
    bool lessons = strcmp(a, "--lessons") == 0;
    if (!lessons && strcmp(a, "--lesson") != 0 && strcmp(a, "--play") != 0 &&
        strcmp(a, "--check-lesson") != 0 && strcmp(a, "--to-ipynb") != 0)
        return -1;
    if (lessons) return session_lesson_main("list", "", NULL, &lesson_sink);
    if (i + 1 >= argc) {
        fprintf(stderr, "embedlab: %s needs a lesson name (embedlab --lessons lists them)\n", a);
        return 2;
    }
    const char *name = argv[i + 1];
    if (strcmp(a, "--play") == 0) return session_lesson_main("play", name, NULL, &lesson_sink);
    if (strcmp(a, "--check-lesson") == 0)
        return session_lesson_main("check", name, NULL, &lesson_sink);
    if (strcmp(a, "--to-ipynb") == 0) {
        if (i + 2 >= argc) {
            fprintf(stderr, "embedlab: --to-ipynb NAME OUT.ipynb [--solutions]\n");
            return 2;
        }
        bool solutions = i + 3 < argc && strcmp(argv[i + 3], "--solutions") == 0;
        return session_lesson_main(solutions ? "ipynb-solutions" : "ipynb", name, argv[i + 2],
                                   &lesson_sink);
    }
    /* --lesson NAME */
    *s = session_new(NULL);
    if (!*s) {
        fprintf(stderr, "embedlab: out of memory\n");
        return 1;
    }
    char code[512];
    snprintf(code, sizeof code, "%%lesson %s", name);
    SessionExecOptions opts = {"<stdin>", false, false};
    int st = session_execute(*s, code, strlen(code), &opts, &lesson_sink);
    fflush(stdout);
    if (st != SESSION_OK) return 2;
    if (isatty(STDIN_FILENO) == 1) {
        *interactive = true;
        return 0;
    }
    return lesson_from_pipe(*s);
}

/* Reads all of f into a malloc'ed buffer; NULL on error (message printed). */
static char *read_all(FILE *f, const char *name, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fprintf(stderr, "embedlab: out of memory reading %s\n", name);
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_SCRIPT_BYTES) {
                fprintf(stderr, "embedlab: %s is larger than %zu MiB\n", name,
                        MAX_SCRIPT_BYTES >> 20);
                free(buf);
                return NULL;
            }
            cap *= 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fprintf(stderr, "embedlab: out of memory reading %s\n", name);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        fprintf(stderr, "embedlab: cannot read %s: %s\n", name, strerror(errno));
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* The exit status of a script: 0, 1 after an uncaught error, exit()'s code. */
static int run_code(Session *s, const char *code, size_t len, const char *chunk, bool *exited) {
    SessionExecOptions opts = {chunk, false, true};
    int status = session_execute(s, code, len, &opts, &script_sink);
    fflush(stdout);
    if (status == SESSION_EXIT) {
        *exited = true;
        return repl_exit_status(s);
    }
    return status == SESSION_ERROR ? 1 : 0;
}

/* The script's name as python3 shows it in tracebacks and errors: joined to the current
 * directory when relative ("/tmp/./z.py"), without resolving "." or "..". Caller frees. */
static char *script_name(const char *path) {
    char cwd[4096];
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd)) return strdup(path);
    size_t n = strlen(cwd) + 1 + strlen(path) + 1;
    char *full = malloc(n);
    if (full) snprintf(full, n, "%s/%s", cwd, path);
    return full;
}

static int run_file(Session *s, const char *path, bool *exited) {
    bool from_stdin = strcmp(path, "-") == 0;
    char *name = from_stdin ? strdup("<stdin>") : script_name(path);
    if (!name) {
        fprintf(stderr, "embedlab: out of memory\n");
        return 1;
    }
    FILE *f = from_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "embedlab: can't open file '%s': [Errno %d] %s\n", name, errno,
                strerror(errno));
        free(name);
        return 2;
    }
    size_t len;
    char *code = read_all(f, name, &len);
    if (f != stdin) fclose(f);
    int rc = 1;
    if (code) rc = run_code(s, code, len, name, exited);
    free(code);
    free(name);
    return rc;
}

int main(int argc, char **argv) {
    const char *file = NULL, *code = NULL;
    bool interactive_after = false, quiet = false, exited = false;
    size_t limit;
    if (session_size_from_env("EMBEDLAB_MAX_TENSOR_BYTES", &limit) < 0) {
        fprintf(stderr, "embedlab: EMBEDLAB_MAX_TENSOR_BYTES must be a size such as 512M or "
                        "2G, not '%s'\n",
                getenv("EMBEDLAB_MAX_TENSOR_BYTES"));
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            printf("%s\n", session_version_string());
            return 0;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "-c") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "Argument expected for the -c option\n");
                usage(stderr);
                return 2;
            }
            code = argv[++i];
            break; /* the rest are the script's arguments */
        }
        if (strcmp(a, "-i") == 0) {
            interactive_after = true;
            continue;
        }
        if (strcmp(a, "-q") == 0) {
            quiet = true;
            continue;
        }
        Session *ls = NULL;
        bool lesson_tty = false;
        int lrc = lesson_option(argc, argv, i, &ls, &lesson_tty);
        if (lrc >= 0) {
            if (lesson_tty && ls) {
                ReplOptions ro = {false, false, NULL}; /* history stays in memory */
                lrc = repl_run(ls, &ro);
            }
            if (ls) session_free(ls);
            return lrc;
        }
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "embedlab: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
        file = a;
        break;
    }
    Session *s = session_new(NULL);
    if (!s) {
        fprintf(stderr, "embedlab: out of memory\n");
        return 1;
    }
    int rc = 0;
    bool tty = isatty(STDIN_FILENO) == 1;
    if (code) rc = run_code(s, code, strlen(code), "<string>", &exited);
    else if (file) rc = run_file(s, file, &exited);
    else if (!tty) rc = run_file(s, "-", &exited);
    /* Like python3 -i, the REPL follows the script even after an error (not after exit()
     * or a missing file), when stdin is a terminal. */
    if (tty && !exited && rc != 2 && ((!code && !file) || interactive_after)) {
        ReplOptions ro = {!quiet && !code && !file, true, NULL};
        rc = repl_run(s, &ro);
    }
    session_free(s);
    return rc;
}
