/*
 * repl/repl.c — the interactive loop on a terminal. See repl.h. See LICENSE
 * (GPL-3.0-or-later).
 *
 * Input goes through readline's callback interface (rl_callback_handler_install +
 * rl_callback_read_char driven by poll), so that signals are seen between keystrokes:
 *   - Ctrl-C at a prompt discards the line and any pending continuation lines and shows a
 *     fresh `>>> `; Ctrl-C while code runs calls session_interrupt (KeyboardInterrupt at
 *     the next statement or loop iteration); Ctrl-Z at a prompt restores the terminal
 *     before stopping; SIGWINCH resizes; SIGTERM/SIGHUP save the history and leave.
 *     Signal handlers only set flags and write to a self-pipe that wakes poll.
 *   - `... ` continuation prompts while session_is_complete says INCOMPLETE, with the
 *     suggested indentation typed in advance; an empty (or blank) line ends a block.
 *   - A line that contains newlines (a bracketed paste, or a multi-line entry recalled
 *     from history) runs statement by statement, stopping at the first error.
 *   - Tab: indentation at the start of a line, inside a string literal file names,
 *     elsewhere session_complete (never file names). Backspace in leading spaces removes
 *     one indentation level.
 *   - help(...), ?name and name? output goes through $PAGER (default `less`, with
 *     LESS=FRX when unset) when it does not fit on the screen; PAGER= (empty) disables.
 *   - Colour (prompts, tracebacks) only when the stream is a terminal, NO_COLOR is unset
 *     or empty and TERM is set and not "dumb"; prompt escapes are wrapped in \001 \002.
 */
#include "repl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "history.h"

#define COLOR_PROMPT "\033[1;32m"
#define COLOR_ERROR "\033[1;31m"
#define COLOR_CARET "\033[31m"
#define COLOR_HINT "\033[33m"
#define COLOR_RESET "\033[0m"

typedef struct Buf {
    char *data;
    size_t len, cap;
} Buf;

typedef struct Repl {
    Session *s;
    ReplOptions opts;
    bool color_out, color_err; /* colour on stdout (prompts) / stderr (tracebacks) */
    bool tty_out;
    Buf pending;               /* continuation lines typed so far */
    char *indent;              /* typed in advance on the next continuation line */
    /* persistent history */
    char *hist_path;
    int hist_max;
    HistList unsaved;          /* entries of this session not yet in the file */
    /* output of help() and ?name, shown through the pager when long */
    bool capture;
    Buf captured;
    bool exiting;
    int status;
} Repl;

/* Readline's callbacks carry no context. */
static Repl *the_repl;

/* ---- small buffers ---- */

static bool buf_append(Buf *b, const char *text, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) return false;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, text, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

static void buf_clear(Buf *b) {
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

static bool is_blank(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r' &&
            text[i] != '\f')
            return false;
    return true;
}

/* ---- signals ---- */

static volatile sig_atomic_t sig_int, sig_winch, sig_tstp, sig_quit;
static volatile sig_atomic_t executing, paging;
static Session *volatile signal_session;
static int wake_pipe[2] = {-1, -1};

static void on_signal(int sig) {
    int saved = errno;
    switch (sig) {
    case SIGINT:
        if (paging) break; /* the pager handles it */
        if (executing && signal_session) session_interrupt(signal_session);
        else sig_int = 1;
        break;
    case SIGWINCH: sig_winch = 1; break;
    case SIGTSTP: sig_tstp = 1; break;
    default: /* SIGTERM, SIGHUP */
        sig_quit = sig;
        if (executing && signal_session) session_interrupt(signal_session);
        break;
    }
    if (wake_pipe[1] >= 0) {
        ssize_t ignored = write(wake_pipe[1], "", 1);
        (void)ignored;
    }
    errno = saved;
}

static const int handled_signals[] = {SIGINT, SIGWINCH, SIGTERM, SIGHUP};
#define N_HANDLED (sizeof handled_signals / sizeof handled_signals[0])
static struct sigaction saved_actions[N_HANDLED], saved_tstp, saved_pipe;

static void set_handler(int sig, void (*handler)(int), struct sigaction *old) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* output interrupted by Ctrl-C must not be lost */
    sigaction(sig, &sa, old);
}

static void install_signals(void) {
    if (pipe(wake_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    for (size_t i = 0; i < N_HANDLED; i++) set_handler(handled_signals[i], on_signal, &saved_actions[i]);
    sigaction(SIGTSTP, NULL, &saved_tstp);
    set_handler(SIGPIPE, SIG_IGN, &saved_pipe); /* a pager that quits early */
}

static void restore_signals(void) {
    for (size_t i = 0; i < N_HANDLED; i++) sigaction(handled_signals[i], &saved_actions[i], NULL);
    sigaction(SIGTSTP, &saved_tstp, NULL);
    sigaction(SIGPIPE, &saved_pipe, NULL);
    for (int i = 0; i < 2; i++) {
        if (wake_pipe[i] >= 0) close(wake_pipe[i]);
        wake_pipe[i] = -1;
    }
}

static void drain_wake_pipe(void) {
    char buf[64];
    while (wake_pipe[0] >= 0 && read(wake_pipe[0], buf, sizeof buf) > 0) {
    }
}

/* ---- colour and output ---- */

static bool color_allowed(int fd) {
    const char *no_color = getenv("NO_COLOR");
    if (no_color && no_color[0]) return false;
    const char *term = getenv("TERM");
    if (!term || !term[0] || strcmp(term, "dumb") == 0) return false;
    return isatty(fd) == 1;
}

static void repl_stream(void *ctx, const char *stream, const char *text, size_t len) {
    Repl *r = ctx;
    bool err = strcmp(stream, "stderr") == 0;
    if (!err && r->capture && buf_append(&r->captured, text, len)) return;
    if (!err) fflush(stderr);
    else fflush(stdout);
    fwrite(text, 1, len, err ? stderr : stdout);
    if (err) fflush(stderr);
}

static void flush_captured(Repl *r) {
    if (r->captured.len) fwrite(r->captured.data, 1, r->captured.len, stdout);
    buf_clear(&r->captured);
    r->capture = false;
}

static void repl_display(void *ctx, const SessionBundle *bundle) {
    repl_stream(ctx, "stdout", bundle->text_plain, strlen(bundle->text_plain));
    repl_stream(ctx, "stdout", "\n", 1);
}

static void repl_result(void *ctx, int count, const SessionBundle *bundle) {
    (void)count;
    repl_display(ctx, bundle);
}

/* Tracebacks on stderr; in colour the exception line is bold red, carets red, hints
 * yellow. */
static void repl_error(void *ctx, const char *ename, const char *evalue,
                       const char *const *traceback, int lines) {
    (void)evalue;
    Repl *r = ctx;
    flush_captured(r);
    fflush(stdout);
    size_t elen = strlen(ename);
    int exc = -1;
    for (int i = 0; i < lines; i++)
        if (strncmp(traceback[i], ename, elen) == 0 &&
            (traceback[i][elen] == ':' || traceback[i][elen] == '\0'))
            exc = i;
    for (int i = 0; i < lines; i++) {
        const char *line = traceback[i], *color = NULL;
        if (r->color_err) {
            if (i == exc) color = COLOR_ERROR;
            else if (exc >= 0 && i > exc && strncmp(line, "hint:", 5) == 0) color = COLOR_HINT;
            else if (line[strspn(line, " ")] == '^' && line[strspn(line, " ^~")] == '\0')
                color = COLOR_CARET;
        }
        if (color) fprintf(stderr, "%s%s%s\n", color, line, COLOR_RESET);
        else fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
}

/* ---- the pager ---- */

/* Display rows text needs on a terminal `cols` wide (UTF-8 aware, escapes skipped). */
static long display_rows(const char *text, size_t len, int cols) {
    long rows = 0, width = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            rows += 1 + (width > 0 ? (width - 1) / cols : 0);
            width = 0;
        } else if (c == 033) {
            while (i + 1 < len && !((text[i + 1] >= 'A' && text[i + 1] <= 'Z') ||
                                    (text[i + 1] >= 'a' && text[i + 1] <= 'z')))
                i++;
            i++;
        } else if ((c & 0xC0) != 0x80) {
            width += c == '\t' ? 8 - width % 8 : 1;
        }
    }
    if (width) rows += 1 + (width - 1) / cols;
    return rows;
}

/* Shows text through $PAGER; false when it could not (then the caller prints it). */
static bool run_pager(const char *text, size_t len) {
    const char *pager = getenv("PAGER");
    if (pager && !pager[0]) return false;
    if (!pager) pager = "less";
    if (!getenv("LESS")) setenv("LESS", "FRX", 0);
    fflush(stdout);
    paging = 1;
    FILE *p = popen(pager, "w");
    if (!p) {
        paging = 0;
        return false;
    }
    fwrite(text, 1, len, p);
    int st = pclose(p);
    paging = 0;
    sig_int = 0;
    return !(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 127); /* 127: no such pager */
}

static void show_captured(Repl *r) {
    r->capture = false;
    int rows = 0, cols = 0;
    rl_get_screen_size(&rows, &cols);
    if (rows <= 0) rows = 24;
    if (cols <= 0) cols = 80;
    if (r->captured.len && display_rows(r->captured.data, r->captured.len, cols) >= rows - 1 &&
        run_pager(r->captured.data, r->captured.len)) {
        buf_clear(&r->captured);
        return;
    }
    flush_captured(r);
}

/* help(...), ?name, name?: the inputs whose output may be paged. */
static bool wants_pager(const char *code, size_t len) {
    while (len && is_blank(code, 1)) code++, len--;
    while (len && is_blank(code + len - 1, 1)) len--;
    if (!len || memchr(code, '\n', len)) return false;
    if (code[0] == '?' || code[len - 1] == '?') return true;
    return len > 6 && strncmp(code, "help(", 5) == 0 && code[len - 1] == ')';
}

/* ---- history ---- */

static void history_save(Repl *r) {
    if (!r->hist_path || r->hist_max <= 0 || !r->unsaved.count) return;
    if (hist_append(r->hist_path, (const char *const *)r->unsaved.items, r->unsaved.count,
                    r->hist_max) == 0)
        hist_list_free(&r->unsaved);
}

/* Remembers an input (without trailing blank lines) in readline's list and the file. */
static void history_add(Repl *r, const char *code, size_t len) {
    while (len && (code[len - 1] == '\n' || code[len - 1] == ' ' || code[len - 1] == '\t' ||
                   code[len - 1] == '\r'))
        len--;
    if (is_blank(code, len)) return;
    char *entry = strndup(code, len);
    if (!entry) return;
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (!last || strcmp(last->line, entry) != 0) {
        add_history(entry);
        if (r->hist_path && r->hist_max > 0) hist_list_add(&r->unsaved, entry);
        history_save(r);
    }
    free(entry);
}

static void history_start(Repl *r) {
    using_history();
    r->hist_max = hist_size(getenv("EMBEDLAB_HISTSIZE"));
    if (r->hist_max > 0) stifle_history(r->hist_max);
    if (!r->opts.save_history || r->hist_max <= 0) return;
    r->hist_path = r->opts.history_path ? strdup(r->opts.history_path)
                                        : hist_path(getenv("XDG_STATE_HOME"), getenv("HOME"));
    if (!r->hist_path) return;
    HistList l = {0};
    if (hist_load(r->hist_path, r->hist_max, &l) == 0) {
        for (int i = 0; i < l.count; i++) add_history(l.items[i]);
    } else {
        fprintf(stderr, "embedlab: cannot read the history file %s: %s\n", r->hist_path,
                strerror(errno));
        free(r->hist_path); /* never overwrite a file we could not read */
        r->hist_path = NULL;
    }
    hist_list_free(&l);
}

/* ---- running code ---- */

int repl_exit_status(const Session *s) { return session_exit_status(s); }

static SessionInput repl_input(void *ctx, const char *prompt, bool password, char **line);
static const SessionSink repl_sink_template = {NULL,        repl_stream, repl_display,
                                               repl_result, repl_error,  repl_input};

static int execute(Repl *r, const char *code, size_t len) {
    SessionSink sink = repl_sink_template;
    sink.ctx = r;
    SessionExecOptions opts = {"<stdin>", false, true};
    r->capture = r->tty_out && wants_pager(code, len);
    buf_clear(&r->captured);
    signal_session = r->s;
    executing = 1;
    int status = session_execute(r->s, code, len, &opts, &sink);
    executing = 0;
    if (r->capture) show_captured(r);
    fflush(stdout);
    fflush(stderr);
    if (status == SESSION_EXIT) {
        r->exiting = true;
        r->status = repl_exit_status(r->s);
    }
    if (sig_quit) r->exiting = true;
    return status;
}

/* Sets the indentation typed in advance on the next continuation line. */
static void set_indent(Repl *r, char *indent) {
    free(r->indent);
    r->indent = indent && indent[0] ? strdup(indent) : NULL;
    session_free_string(indent);
}

/* Would a line starting here begin a new top-level statement (column 0, not a comment,
 * not the else/elif/except/finally of the statement before)? */
static bool starts_statement(const char *line, size_t len) {
    if (!len || line[0] == ' ' || line[0] == '\t' || line[0] == '#' || line[0] == '\n' ||
        line[0] == '\r')
        return false;
    static const char *const clauses[] = {"else", "elif", "except", "finally", NULL};
    for (int i = 0; clauses[i]; i++) {
        size_t n = strlen(clauses[i]);
        if (len >= n && strncmp(line, clauses[i], n) == 0 &&
            (len == n || !(line[n] == '_' || (line[n] >= 'a' && line[n] <= 'z') ||
                           (line[n] >= 'A' && line[n] <= 'Z') || (line[n] >= '0' && line[n] <= '9'))))
            return false;
    }
    return true;
}

static SessionCompleteness completeness_with_newline(Repl *r, const char *code, size_t len,
                                                     char **indent) {
    Buf b = {0};
    if (!buf_append(&b, code, len) || !buf_append(&b, "\n", 1)) {
        free(b.data);
        return SESSION_COMPLETE;
    }
    SessionCompleteness c = session_is_complete(r->s, b.data, b.len, indent);
    free(b.data);
    return c;
}

/* Runs the pending text (ending in a newline), which came as one multi-line line, one
 * top-level statement at a time; stops at the first error. An unfinished last statement
 * (open bracket, header without a body) stays pending for continuation lines. */
static void run_block(Repl *r) {
    const char *code = r->pending.data;
    size_t len = r->pending.len, start = 0, pos = 0;
    while (pos < len) {
        const char *nl = memchr(code + pos, '\n', len - pos);
        size_t next = nl ? (size_t)(nl - code) + 1 : len;
        if (next < len && starts_statement(code + next, len - next) &&
            completeness_with_newline(r, code + start, next - start, NULL) == SESSION_COMPLETE) {
            if (!is_blank(code + start, next - start)) {
                if (execute(r, code + start, next - start) != SESSION_OK || r->exiting) {
                    buf_clear(&r->pending);
                    return;
                }
            }
            start = next;
        }
        pos = next;
    }
    if (is_blank(code + start, len - start)) {
        buf_clear(&r->pending);
        return;
    }
    char *indent = NULL;
    if (completeness_with_newline(r, code + start, len - start, NULL) == SESSION_INCOMPLETE) {
        session_is_complete(r->s, code + start, len - start, &indent);
        set_indent(r, indent);
        memmove(r->pending.data, code + start, len - start + 1);
        r->pending.len = len - start;
        return;
    }
    execute(r, code + start, len - start);
    buf_clear(&r->pending);
}

/* An accepted line (without its newline). */
static void handle_line(Repl *r, const char *line) {
    size_t n = strlen(line);
    bool multi = memchr(line, '\n', n) != NULL;
    if (!multi && is_blank(line, n)) {
        if (!r->pending.len) {
            if (session_lesson_prompt(r->s)) execute(r, "", 0); /* Enter: the next step */
            return;
        }
        n = 0; /* a blank line ends a block */
    }
    if (!buf_append(&r->pending, line, n) || !buf_append(&r->pending, "\n", 1)) {
        fprintf(stderr, "embedlab: out of memory\n");
        buf_clear(&r->pending);
        return;
    }
    if (multi) {
        history_add(r, r->pending.data, r->pending.len);
        run_block(r);
        return;
    }
    char *indent = NULL;
    SessionCompleteness c = session_is_complete(r->s, r->pending.data, r->pending.len, &indent);
    if (c == SESSION_INCOMPLETE) {
        set_indent(r, indent);
        return;
    }
    session_free_string(indent);
    history_add(r, r->pending.data, r->pending.len);
    execute(r, r->pending.data, r->pending.len);
    buf_clear(&r->pending);
}

/* ---- completion ---- */

/* Does code end inside a string literal (quotes, triple quotes, escapes, comments)? */
static bool ends_in_string(const char *code, size_t len) {
    char quote = 0;
    bool triple = false;
    for (size_t i = 0; i < len; i++) {
        char c = code[i];
        if (quote) {
            if (c == '\\') i++;
            else if (c == '\n' && !triple) quote = 0;
            else if (c == quote) {
                if (!triple) quote = 0;
                else if (i + 2 < len && code[i + 1] == quote && code[i + 2] == quote) quote = 0, i += 2;
            }
        } else if (c == '#') {
            while (i < len && code[i] != '\n') i++;
        } else if (c == '\'' || c == '"') {
            quote = c;
            triple = i + 2 < len && code[i + 1] == c && code[i + 2] == c;
            if (triple) i += 2;
        }
    }
    return quote != 0;
}

/* The pending lines plus the current line up to `end`; malloc'ed. */
static char *code_before(Repl *r, int end, size_t *len) {
    Buf b = {0};
    if (r->pending.len) buf_append(&b, r->pending.data, r->pending.len);
    if (!buf_append(&b, rl_line_buffer, (size_t)end)) {
        free(b.data);
        return NULL;
    }
    *len = b.len;
    return b.data;
}

static const char code_word_breaks[] = " \t\n`~!@#$%^&*()-=+[{]}\\|;:'\",<>/?.";
static const char string_word_breaks[] = " \t\n\"'";

static char *word_break_hook(void) {
    size_t len;
    char *code = code_before(the_repl, rl_point, &len);
    bool in_string = code && ends_in_string(code, len);
    free(code);
    return (char *)(in_string ? string_word_breaks : code_word_breaks);
}

static HistList completions; /* for the generator below */
static int completion_next;

static char *next_completion(const char *text, int state) {
    (void)text;
    if (state == 0) completion_next = 0;
    if (completion_next < completions.count) return strdup(completions.items[completion_next++]);
    return NULL;
}

/* Keywords that are followed by a space. */
static bool spaced_keyword(const char *word) {
    static const char *const words[] = {"and", "as", "assert", "class", "def", "del", "elif",
                                        "for", "from", "global", "if", "import", "in", "is",
                                        "lambda", "nonlocal", "not", "or", "raise", "return",
                                        "while", "with", "yield", NULL};
    for (int i = 0; words[i]; i++)
        if (strcmp(word, words[i]) == 0) return true;
    return false;
}

static char **attempt_completion(const char *text, int start, int end) {
    Repl *r = the_repl;
    rl_attempted_completion_over = 1; /* never readline's file-name fallback */
    rl_completion_append_character = '\0';
    size_t len;
    char *code = code_before(r, end, &len);
    if (!code) return NULL;
    if (ends_in_string(code, len)) {
        free(code);
        rl_filename_completion_desired = 1;
        return rl_completion_matches(text, rl_filename_completion_function);
    }
    SessionCompletion c;
    if (session_complete(r->s, code, len, &c) != 0) {
        free(code);
        return NULL;
    }
    free(code);
    hist_list_free(&completions);
    size_t base = r->pending.len;
    if (c.cursor_start >= base) {
        size_t cs = c.cursor_start - base;
        for (int i = 0; i < c.count; i++) {
            Buf m = {0};
            if (cs >= (size_t)start) {
                buf_append(&m, rl_line_buffer + start, cs - (size_t)start);
                buf_append(&m, c.matches[i], strlen(c.matches[i]));
            } else if (strncmp(c.matches[i], rl_line_buffer + cs, (size_t)start - cs) == 0) {
                const char *rest = c.matches[i] + ((size_t)start - cs);
                buf_append(&m, rest, strlen(rest));
            }
            if (m.data) hist_list_add(&completions, m.data);
            free(m.data);
        }
    }
    session_completion_free(&c);
    if (!completions.count) return NULL;
    if (completions.count == 1 && spaced_keyword(completions.items[0]))
        rl_completion_append_character = ' ';
    rl_sort_completion_matches = 0; /* the session's order (keyword arguments first) */
    char **matches = rl_completion_matches(text, next_completion);
    hist_list_free(&completions);
    return matches;
}

/* Start of the current line within rl_line_buffer (after the last newline before point). */
static int line_start(void) {
    int i = rl_point;
    while (i > 0 && rl_line_buffer[i - 1] != '\n') i--;
    return i;
}

static bool blank_before_point(void) {
    for (int i = line_start(); i < rl_point; i++)
        if (rl_line_buffer[i] != ' ' && rl_line_buffer[i] != '\t') return false;
    return true;
}

/* Tab: indentation at the start of a line, else completion (a second Tab lists). */
static int indent_or_complete(int count, int key) {
    if (blank_before_point()) {
        int col = rl_point - line_start();
        rl_insert_text("    " + col % 4);
        return 0;
    }
    if (rl_last_func == indent_or_complete) rl_last_func = rl_complete;
    return rl_complete(count, key);
}

/* Backspace in leading spaces removes one indentation level (back to a multiple of 4). */
static int dedent_or_rubout(int count, int key) {
    int ls = line_start();
    if (rl_point > ls && count == 1 && blank_before_point()) {
        bool spaces = true;
        for (int i = ls; i < rl_point; i++)
            if (rl_line_buffer[i] != ' ') spaces = false;
        if (spaces) {
            int col = rl_point - ls, to = ls + ((col - 1) / 4) * 4;
            rl_delete_text(to, rl_point);
            rl_point = to;
            return 0;
        }
    }
    return rl_rubout(count, key);
}

/* ---- reading a line ---- */

enum { INPUT_LINE, INPUT_EOF, INPUT_CANCEL, INPUT_QUIT };

static char *accepted_line;
static int accepted_state = -1;

static void on_line(char *line) {
    accepted_line = line;
    accepted_state = line ? INPUT_LINE : INPUT_EOF;
    rl_callback_handler_remove();
}

/* readline binds the terminal's erase character to rl_rubout whenever it prepares the
 * terminal (bind-tty-special-chars): take Backspace back, unless the user bound it. */
static void bind_backspace(void) {
    Keymap maps[] = {emacs_standard_keymap, vi_insertion_keymap};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        for (int key = 0x08; key <= 0x7f; key += 0x7f - 0x08) {
            KEYMAP_ENTRY *e = &maps[i][key];
            if (e->type == ISFUNC && e->function == rl_rubout) e->function = dedent_or_rubout;
        }
    }
}

/* Runs when readline has prepared the terminal, before the prompt is shown. */
static int insert_indent_hook(void) {
    bind_backspace();
    Repl *r = the_repl;
    if (r && r->indent) {
        rl_insert_text(r->indent);
        free(r->indent);
        r->indent = NULL;
    }
    return 0;
}

/* Ctrl-C (sig SIGINT) or leaving at a prompt: show ^C after the line, forget it, leave the
 * terminal as it was. */
static void cancel_line(int sig) {
    rl_point = rl_end;
    rl_redisplay();
    if (sig == SIGINT) rl_echo_signal_char(SIGINT);
    rl_crlf();
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_replace_line("", 1);
    rl_callback_handler_remove();
    fflush(rl_outstream);
}

static void suspend(void) {
    if (rl_deprep_term_function) (*rl_deprep_term_function)();
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, NULL);
    raise(SIGTSTP); /* stopped here until SIGCONT */
    set_handler(SIGTSTP, on_signal, NULL);
    if (rl_prep_term_function) (*rl_prep_term_function)(1);
    rl_forced_update_display();
}

/* Reads one line with prompt; *line (malloc'ed) when INPUT_LINE. */
static int read_input(Repl *r, const char *prompt, char **line) {
    (void)r;
    sig_int = 0; /* a Ctrl-C between two executions was meant for the code */
    drain_wake_pipe();
    if (sig_winch) { /* resized while code ran */
        sig_winch = 0;
        rl_reset_screen_size();
    }
    accepted_state = -1;
    accepted_line = NULL;
    set_handler(SIGTSTP, on_signal, NULL);
    rl_callback_handler_install(prompt, on_line);
    int result = -1, hangups = 0;
    while (result < 0) {
        if (accepted_state >= 0) {
            result = accepted_state;
            break;
        }
        struct pollfd fds[2] = {{fileno(rl_instream), POLLIN, 0}, {wake_pipe[0], POLLIN, 0}};
        int n = poll(fds, wake_pipe[0] >= 0 ? 2 : 1, -1);
        if (n > 0 && (fds[1].revents & POLLIN)) drain_wake_pipe();
        if (sig_quit) {
            cancel_line(sig_quit);
            result = INPUT_QUIT;
            break;
        }
        if (sig_int) {
            sig_int = 0;
            cancel_line(SIGINT);
            result = INPUT_CANCEL;
            break;
        }
        if (sig_winch) {
            sig_winch = 0;
            rl_resize_terminal();
        }
        if (sig_tstp) {
            sig_tstp = 0;
            suspend();
        }
        if (n > 0 && (fds[0].revents & POLLIN)) {
            hangups = 0;
            rl_callback_read_char();
        } else if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))) {
            if (++hangups > 3) { /* the terminal went away */
                cancel_line(0);
                result = INPUT_EOF;
            }
        }
    }
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, NULL); /* running code stops as any program */
    *line = result == INPUT_LINE ? accepted_line : NULL;
    if (result != INPUT_LINE) free(accepted_line);
    return result;
}

/* input() while code runs: a line edited with readline, as at the prompt; Ctrl-C while
 * waiting interrupts the code. */
static SessionInput repl_input(void *ctx, const char *prompt, bool password, char **line) {
    Repl *r = ctx;
    (void)password;
    fflush(stdout);
    *line = NULL;
    char *saved_indent = r->indent;
    r->indent = NULL;
    executing = 0; /* Ctrl-C now cancels the line, as at the prompt */
    int got = read_input(r, prompt, line);
    executing = 1;
    r->indent = saved_indent;
    switch (got) {
    case INPUT_LINE: return SESSION_INPUT_OK;
    case INPUT_EOF: return SESSION_INPUT_EOF;
    default: return SESSION_INPUT_INTERRUPTED;
    }
}

/* ---- setup ---- */

static void setup_readline(void) {
    rl_readline_name = "embedlab";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0; /* do not export LINES/COLUMNS to commands and pagers */
    rl_attempted_completion_function = attempt_completion;
    rl_completion_word_break_hook = word_break_hook;
    rl_completer_word_break_characters = (char *)code_word_breaks;
    rl_startup_hook = insert_indent_hook;
    rl_add_defun("embedlab-indent-or-complete", indent_or_complete, -1);
    rl_add_defun("embedlab-dedent-or-rubout", dedent_or_rubout, -1);
    rl_bind_key_in_map('\t', indent_or_complete, emacs_standard_keymap);
    rl_bind_key_in_map('\t', indent_or_complete, vi_insertion_keymap);
    rl_initialize(); /* reads ~/.inputrc ($if embedlab sections); it may rebind the keys */
}

int repl_run(Session *s, const ReplOptions *opts) {
    static const ReplOptions defaults = {true, true, NULL};
    Repl r;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.opts = opts ? *opts : defaults;
    r.tty_out = isatty(STDOUT_FILENO) == 1;
    r.color_out = color_allowed(STDOUT_FILENO);
    r.color_err = color_allowed(STDERR_FILENO);
    the_repl = &r;
    sig_quit = 0;

    char ps1[64], ps2[64];
    if (r.color_out) {
        snprintf(ps1, sizeof ps1, "\001%s\002>>> \001%s\002", COLOR_PROMPT, COLOR_RESET);
        snprintf(ps2, sizeof ps2, "\001%s\002... \001%s\002", COLOR_PROMPT, COLOR_RESET);
    } else {
        snprintf(ps1, sizeof ps1, ">>> ");
        snprintf(ps2, sizeof ps2, "... ");
    }
    install_signals();
    setup_readline();
    history_start(&r);
    if (r.opts.banner) {
        printf("%s\nType help() for help, %%lessons for lessons, Ctrl-D to exit.\n",
               session_version_string());
        fflush(stdout);
    }
    while (!r.exiting) {
        char *line = NULL;
        /* While a lesson plays, its step indicator leads the prompt: "[3/12] >>> ". */
        const char *tag = session_lesson_prompt(r.s);
        char lp[96];
        if (tag && tag[0] && !r.pending.len) snprintf(lp, sizeof lp, "%s%s", tag, ps1);
        int got = read_input(&r, tag && tag[0] && !r.pending.len ? lp : r.pending.len ? ps2 : ps1,
                             &line);
        if (got == INPUT_EOF) {
            fputc('\n', stdout);
            break;
        }
        if (got == INPUT_QUIT) break;
        if (got == INPUT_CANCEL) {
            buf_clear(&r.pending);
            set_indent(&r, NULL);
            continue;
        }
        handle_line(&r, line);
        free(line);
    }
    if (sig_quit) r.status = 128 + sig_quit;
    history_save(&r);
    fflush(stdout);
    rl_callback_handler_remove();
    restore_signals();
    hist_list_free(&r.unsaved);
    free(r.hist_path);
    free(r.pending.data);
    free(r.captured.data);
    free(r.indent);
    clear_history();
    the_repl = NULL;
    return r.status;
}
