/*
 * src/session.c — the front-end API: sessions, execution with output sinks, tracebacks,
 * completion, inspection, completeness and interrupts. See session.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "session.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "lang/builtins.h"
#include "lang/callable.h"
#include "lang/classes.h"
#include "lang/eval.h"
#include "lang/exceptions.h"
#include "lang/interp.h"
#include "lang/lex.h"
#include "lang/module.h"
#include "lang/nn_module.h"
#include "lang/ops.h"
#include "lang/parse.h"
#include "lang/torch_value.h"
#include "magic.h"
#include "session_internal.h"


static const SessionInfo info = {
    .implementation = "embedlab",
    .implementation_version = EMBEDLAB_VERSION,
    .language = "python",
    .language_version = "3.11",
    .mimetype = "text/x-python",
    .file_extension = ".py",
    .pygments_lexer = "ipython3",
    .codemirror_mode = "python",
    .banner = "embedlab " EMBEDLAB_VERSION " — PyTorch 1.13 embedding layers, exactly, "
              "without Python.\nType help() for help, Ctrl-D to leave.",
};

const char *session_version_string(void) {
    return "embedlab " EMBEDLAB_VERSION " (PyTorch 1.13 semantics)";
}

const SessionInfo *session_info(void) { return &info; }

/* print() output goes to the active sink. */
static void write_to_sink(void *ctx, int stream, const char *text, size_t len) {
    Session *s = ctx;
    if (s->sink && s->sink->on_stream)
        s->sink->on_stream(s->sink->ctx, stream == 2 ? "stderr" : "stdout", text, len);
}

/* Rich displays go to the active sink (plain text to stdout without one). */
static void display_to_sink(void *ctx, const char *plain, const char *html, const char *svg) {
    Session *s = ctx;
    if (s->sink && s->sink->on_display) {
        SessionBundle bundle = {plain, html, svg};
        s->sink->on_display(s->sink->ctx, &bundle);
    } else if (s->sink && s->sink->on_stream) {
        s->sink->on_stream(s->sink->ctx, "stdout", plain, strlen(plain));
        s->sink->on_stream(s->sink->ctx, "stdout", "\n", 1);
    }
}

/* The interpreter's input() hook: asks the running execution's sink. */
static int input_from_sink(void *ctx, const char *prompt, bool password, char **line) {
    Session *s = ctx;
    *line = NULL;
    if (!s->sink || !s->sink->on_input) return INTERP_INPUT_UNSUPPORTED;
    char *text = NULL;
    SessionInput r = s->sink->on_input(s->sink->ctx, prompt, password, &text);
    if (r == SESSION_INPUT_OK) {
        *line = mem_strdup(text ? text : "", &s->interp->error);
        free(text);
        return *line ? INTERP_INPUT_OK : -1;
    }
    free(text);
    return r == SESSION_INPUT_EOF           ? INTERP_INPUT_EOF
           : r == SESSION_INPUT_INTERRUPTED ? INTERP_INPUT_INTERRUPTED
                                            : INTERP_INPUT_UNSUPPORTED;
}

int session_size_from_env(const char *name, size_t *bytes) {
    const char *text = getenv(name);
    if (!text || !*text) return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (end == text || errno || text[0] == '-') return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (shift && (*end == 'i' || *end == 'I')) end++;
    if (*end == 'b' || *end == 'B') end++;
    if (*end || n == 0 || (shift && n > (SIZE_MAX >> shift))) return -1;
    *bytes = (size_t)(n << shift);
    return 1;
}

Session *session_new(const SessionConfig *cfg) {
    Session *s = mem_calloc(1, sizeof *s, NULL);
    if (!s) return NULL;
    s->interp = interp_new();
    if (!s->interp) {
        mem_free(s);
        return NULL;
    }
    size_t env_limit;
    if (cfg && cfg->tensor_limit) mem_set_tensor_limit(cfg->tensor_limit);
    else if (session_size_from_env("EMBEDLAB_MAX_TENSOR_BYTES", &env_limit) == 1) mem_set_tensor_limit(env_limit);
    s->interp->files_denied = cfg && cfg->no_files;
    s->interp->write = write_to_sink;
    s->interp->display = display_to_sink;
    s->interp->write_ctx = s;
    s->interp->input = input_from_sink;
    s->parse.tier2 = true; /* classes, try/except, lambda, sets, ... (LANGUAGE.md tier 2) */
    if (eval_init(s->interp)) {
        session_free(s);
        return NULL;
    }
    return s;
}

void session_free(Session *s) {
    if (!s) return;
    magic_free(s);
    if (s->interp) {
        eval_free(s->interp);
        interp_free(s->interp);
    }
    mem_free(s);
}

int session_execution_count(const Session *s) { return s->execution_count; }

void session_interrupt(Session *s) {
    if (s && s->interp) s->interp->interrupt_requested = 1;
}

void session_set_step_limit(Session *s, unsigned long long steps) {
    s->interp->step_limit = steps;
    s->interp->steps = 0;
}

void session_free_string(char *text) { mem_free(text); }

/* ---- error reporting ---- */

typedef struct Lines {
    char **items;
    int count, cap;
} Lines;

static void lines_add(Lines *l, StrBuf *sb) {
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 8;
        char **grown = mem_realloc(l->items, (size_t)cap * sizeof *grown, NULL);
        if (!grown) {
            sb_free(sb);
            return;
        }
        l->items = grown;
        l->cap = cap;
    }
    char *text = sb_take(sb);
    if (text) l->items[l->count++] = text;
}

static void lines_free(Lines *l) {
    for (int i = 0; i < l->count; i++) mem_free(l->items[i]);
    mem_free(l->items);
}

/* The "Kind: message" line (just "Kind" for an empty message, as Python prints). */
static void exception_line(const Error *e, StrBuf *sb) {
    if (e->msg[0]) sb_appendf(sb, "%s: %s", err_kind(e), e->msg);
    else sb_append(sb, err_kind(e));
}

/* Line `line` (1-based) of src, without its newline. */
static void source_line_of(const char *src, size_t len, int line, StrBuf *out) {
    const char *p = src, *end = src + len;
    for (int l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return;
        p = nl + 1;
    }
    const char *e = p;
    while (e < end && *e != '\n') e++;
    if (e > p && e[-1] == '\r') e--;
    sb_appendn(out, p, (size_t)(e - p));
}

static void report_error(Session *s, const Error *e, const char *chunk, const char *src,
                         size_t len, bool syntax) {
    Lines lines = {0};
    StrBuf sb = SB_INIT;
    if (syntax) {
        sb_appendf(&sb, "  File \"%s\", line %d", chunk, e->line);
        lines_add(&lines, &sb);
        StrBuf text = SB_INIT;
        source_line_of(src, len, e->line, &text);
        const char *t = sb_str(&text);
        size_t skip = 0;
        while (t[skip] == ' ' || t[skip] == '\t') skip++;
        if (e->line > 0 && t[skip]) {
            sb_appendf(&sb, "    %s", t + skip);
            /* Python strips trailing whitespace of the shown line. */
            while (sb.len && (sb_str(&sb)[sb.len - 1] == ' ' || sb_str(&sb)[sb.len - 1] == '\t'))
                sb_truncate(&sb, sb.len - 1);
            lines_add(&lines, &sb);
            int col = e->col > 0 ? e->col - 1 - (int)skip : 0; /* 1-based chars → offset */
            if (col < 0) col = 0;
            int width = 1;
            if (e->end_line == e->line && e->end_col > e->col) width = e->end_col - e->col;
            sb_append(&sb, "    ");
            sb_repeat(&sb, ' ', (size_t)col);
            sb_repeat(&sb, '^', (size_t)width);
            lines_add(&lines, &sb);
        }
        sb_free(&text);
    } else {
        int count;
        const TraceEntry *trace = eval_traceback(s->interp, &count);
        sb_append(&sb, "Traceback (most recent call last):");
        lines_add(&lines, &sb);
        for (int i = 0; i < count; i++) {
            sb_appendf(&sb, "  File \"%s\", line %d, in %s", trace[i].chunk, trace[i].line,
                       trace[i].function);
            lines_add(&lines, &sb);
            /* Like Python, source lines are shown for real files only, not for
             * "<stdin>" or "<string>". */
            if (trace[i].source[0] && trace[i].chunk[0] != '<') {
                sb_appendf(&sb, "    %s", trace[i].source);
                lines_add(&lines, &sb);
            }
        }
    }
    exception_line(e, &sb);
    lines_add(&lines, &sb);
    if (e->hint[0]) {
        sb_appendf(&sb, "hint: %s", e->hint);
        lines_add(&lines, &sb);
    }
    if (s->sink && s->sink->on_error)
        s->sink->on_error(s->sink->ctx, err_kind(e), e->msg,
                          (const char *const *)lines.items, lines.count);
    lines_free(&lines);
}

/* ---- execution ---- */

/* v.<method>() when it exists and returns a str; NULL otherwise (errors cleared). */
static Value *rich_repr(Interp *I, Value *v, const char *method) {
    if (val_is_tensor(v) || val_is_str(v) || val_is_number(v)) return NULL;
    Value *fn = op_getattr_opt(I, v, method);
    Value *r = fn ? call_value(I, fn, NULL, 0) : NULL;
    val_release(fn);
    if (!r || !val_is_str(r)) {
        val_release(r);
        interp_clear_error(I);
        return NULL;
    }
    return r;
}

/* Appends text with HTML's special characters escaped. */
static void html_escape(const char *text, size_t len, StrBuf *out) {
    for (size_t i = 0; i < len; i++) {
        switch (text[i]) {
        case '<': sb_append(out, "&lt;"); break;
        case '>': sb_append(out, "&gt;"); break;
        case '&': sb_append(out, "&amp;"); break;
        case '"': sb_append(out, "&quot;"); break;
        default: sb_appendc(out, text[i]);
        }
    }
}

/* Appends n with thousands separators ("3,008"). */
static void append_count(int64_t n, StrBuf *out) {
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%lld", (long long)n);
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0) sb_appendc(out, ',');
        sb_appendc(out, digits[i]);
    }
}

/* A notebook's view of an nn.Module: the parameter table (name, shape, dtype,
 * requires_grad, count; tied parameters once, as parameters() yields them) above the
 * module's repr. NULL when it cannot be made (errors cleared). */
static Value *module_html(Interp *I, Value *module, const char *repr, size_t repr_len) {
    Value *method = op_getattr_opt(I, module, "named_parameters");
    Value *pairs = method ? call_value(I, method, NULL, 0) : NULL;
    Value *list = pairs ? op_to_list(I, pairs) : NULL;
    val_release(method);
    val_release(pairs);
    if (!list) {
        interp_clear_error(I);
        return NULL;
    }
    StrBuf rows = SB_INIT, out = SB_INIT;
    int64_t total = 0, trainable = 0;
    ListValue *l = (ListValue *)list;
    for (int64_t i = 0; i < l->count; i++) {
        ListValue *pair = (ListValue *)l->items[i];
        if (!val_is(l->items[i], &type_tuple) || pair->count != 2 || !val_is_tensor(pair->items[1]))
            continue;
        Tensor *t = tensor_of(pair->items[1]);
        int64_t n = tensor_numel(t);
        total += n;
        if (t->requires_grad) trainable += n;
        sb_append(&rows, "<tr><td><code>");
        html_escape(val_str_data(pair->items[0]), val_str_len(pair->items[0]), &rows);
        sb_append(&rows, "</code></td><td>(");
        for (int d = 0; d < t->ndim; d++)
            sb_appendf(&rows, "%s%lld", d ? ", " : "", (long long)t->shape[d]);
        sb_appendf(&rows, "%s)</td><td>%s</td><td>%s</td><td style=\"text-align:right\">",
                   t->ndim == 1 ? "," : "", dtype_name(t->dtype), t->requires_grad ? "True" : "False");
        append_count(n, &rows);
        sb_append(&rows, "</td></tr>\n");
    }
    val_release(list);
    sb_append(&out, "<div class=\"embedlab-module\"><p><b>");
    html_escape(module->type->name, strlen(module->type->name), &out);
    sb_append(&out, "</b>: ");
    append_count(total, &out);
    sb_append(&out, " parameters (");
    append_count(trainable, &out);
    sb_append(&out, " trainable)</p>\n");
    if (rows.len)
        sb_appendf(&out, "<table><thead><tr><th>parameter</th><th>shape</th><th>dtype</th>"
                         "<th>requires_grad</th><th>numel</th></tr></thead>\n<tbody>\n%s"
                         "</tbody></table>\n",
                   sb_str(&rows));
    sb_append(&out, "<pre>");
    html_escape(repr, repr_len, &out);
    sb_append(&out, "</pre></div>");
    sb_free(&rows);
    Value *html = sb_check(&out, &I->error) ? NULL : val_strn(I, sb_str(&out), out.len);
    sb_free(&out);
    if (!html) interp_clear_error(I);
    return html;
}

static void report_result(Session *s, Value *v) {
    Interp *I = s->interp;
    StrBuf sb = SB_INIT;
    if (val_repr(I, v, &sb)) {
        sb_free(&sb);
        return;
    }
    /* IPython's rich display protocol: _repr_html_() and _repr_svg_() when the value has
     * them (user classes, embedlab's tables and plots); a failing one is skipped. */
    Value *html = rich_repr(I, v, "_repr_html_");
    if (!html && val_is_nn_module(v)) html = module_html(I, v, sb_str(&sb), sb.len);
    Value *svg = rich_repr(I, v, "_repr_svg_");
    SessionBundle bundle = {sb_str(&sb), html ? val_str_data(html) : NULL,
                            svg ? val_str_data(svg) : NULL};
    if (s->sink && s->sink->on_result) s->sink->on_result(s->sink->ctx, s->execution_count, &bundle);
    val_release(html);
    val_release(svg);
    sb_free(&sb);
}

int session_execute(Session *s, const char *code, size_t len, const SessionExecOptions *opts,
                    const SessionSink *sink) {
    const char *chunk = opts && opts->chunk_name ? opts->chunk_name : "<stdin>";
    bool silent = opts && opts->silent;
    if (!silent && (!opts || opts->store_history)) s->execution_count++;
    int magic_status;
    if (magic_dispatch(s, code, len, opts, sink, &magic_status)) return magic_status;
    return session_run(s, code, len, chunk, silent, sink);
}

/* SystemExit reached the top (exit(), quit(), raise SystemExit): Python's exit status
 * is its code — None: 0; an int: itself; anything else is printed to stderr, status 1. */
static int system_exit(Session *s) {
    Interp *I = s->interp;
    Value *exc = exc_from_error(I);
    Value *args = exc ? op_getattr_opt(I, exc, "args") : NULL;
    Value *code = args && val_is(args, &type_tuple) && ((ListValue *)args)->count == 1
                      ? ((ListValue *)args)->items[0]
                      : NULL;
    s->exit_status = 0;
    /* Python prints any other code (str of one argument, repr of several) and exits 1. */
    Value *shown = code && !val_is_int(code) && !val_is_none(code) ? code
                   : !code && args && val_is(args, &type_tuple) && ((ListValue *)args)->count > 1
                       ? args
                       : NULL;
    if (code && val_is_int(code)) s->exit_status = (int)val_as_int(code);
    if (shown) {
        StrBuf text = SB_INIT;
        if (!(shown == code ? val_str_of(I, code, &text) : val_repr(I, args, &text))) {
            sb_appendc(&text, '\n');
            if (s->sink && s->sink->on_stream && !sb_check(&text, &I->error))
                s->sink->on_stream(s->sink->ctx, "stderr", sb_str(&text), text.len);
        }
        sb_free(&text);
        s->exit_status = 1;
    }
    val_release(args);
    val_release(exc);
    interp_clear_error(I);
    return SESSION_EXIT;
}

int session_exit_status(const Session *s) { return s->exit_status; }

int session_run(Session *s, const char *code, size_t len, const char *chunk, bool silent,
                const SessionSink *sink) {
    Interp *I = s->interp;
    const SessionSink *outer_sink = s->sink;
    s->sink = sink;
    interp_clear_error(I);
    I->interrupt_requested = 0;
    I->steps = 0;
    Error err;
    err_clear(&err);
    Ast *ast = parse_module(code, len, &s->parse, &err);
    if (!ast) {
        if (err.code == ERR_INCOMPLETE) err.code = ERR_SYNTAX;
        report_error(s, &err, chunk, code, len,
                     err.code == ERR_SYNTAX || err.code == ERR_INDENTATION ||
                         err.code == ERR_TAB);
        s->sink = outer_sink;
        return SESSION_ERROR;
    }
    Value *result = NULL;
    int rc = eval_module(I, ast, chunk, code, len, &result);
    int status = SESSION_OK;
    if (rc && I->error.code == ERR_SYSTEM_EXIT) {
        status = system_exit(s);
    } else if (rc) {
        Error e = I->error;
        interp_clear_error(I);
        report_error(s, &e, chunk, code, len, rc == EVAL_COMPILE_ERROR);
        status = SESSION_ERROR;
    } else if (result) {
        if (!silent) report_result(s, result);
        if (interp_has_error(I)) { /* repr itself failed */
            Error e = I->error;
            interp_clear_error(I);
            report_error(s, &e, chunk, code, len, false);
            status = SESSION_ERROR;
        }
    }
    val_release(result);
    I->interrupt_requested = 0;
    s->sink = outer_sink;
    return status;
}

/* ---- completeness ---- */

SessionCompleteness session_is_complete(Session *s, const char *code, size_t len,
                                        char **indent) {
    char *ind = NULL;
    ParseCompleteness c = parse_is_complete(code, len, &s->parse, &ind);
    if (indent) *indent = ind;
    else mem_free(ind);
    return c == PARSE_COMPLETE ? SESSION_COMPLETE
           : c == PARSE_INCOMPLETE ? SESSION_INCOMPLETE
                                   : SESSION_INVALID;
}

/* ---- completion and inspection ---- */

static bool is_ident_char(char c) {
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* The dotted name ending at `cursor` ("torch.nn.Emb"): start offset of the whole
 * expression and of its last part. */
static void dotted_name_at(const char *code, size_t cursor, size_t *start, size_t *last) {
    size_t i = cursor;
    while (i > 0 && is_ident_char(code[i - 1])) i--;
    *last = i;
    while (i > 0 && code[i - 1] == '.') {
        size_t j = i - 1;
        while (j > 0 && is_ident_char(code[j - 1])) j--;
        if (j == i - 1) break;
        i = j;
    }
    *start = i;
}

/* Resolves a dotted name ("torch.nn") by lookups only (no calls). NULL when unknown. */
static Value *resolve_dotted(Session *s, const char *text, size_t len) {
    Interp *I = s->interp;
    char part[128];
    Value *cur = NULL;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && text[j] != '.') j++;
        size_t n = j - i < sizeof part - 1 ? j - i : sizeof part - 1;
        memcpy(part, text + i, n);
        part[n] = '\0';
        Value *next;
        if (!cur) {
            next = val_dict_get_str(I, eval_globals(I), part);
            if (!next) next = val_dict_get_str(I, eval_builtins(I), part);
            next = val_retain(next);
        } else {
            next = op_getattr_opt(I, cur, part);
            val_release(cur);
        }
        interp_clear_error(I);
        if (!next) return NULL;
        cur = next;
        i = j + 1;
    }
    return cur;
}

typedef struct Matches {
    char **items;
    int count, cap;
} Matches;

static void add_match(Matches *m, const char *name, const char *prefix) {
    if (strncmp(name, prefix, strlen(prefix)) != 0) return;
    if (name[0] == '_' && prefix[0] != '_') return;
    for (int i = 0; i < m->count; i++)
        if (strcmp(m->items[i], name) == 0) return;
    if (m->count == m->cap) {
        int cap = m->cap ? m->cap * 2 : 32;
        char **grown = mem_realloc(m->items, (size_t)cap * sizeof *grown, NULL);
        if (!grown) return;
        m->items = grown;
        m->cap = cap;
    }
    char *copy = mem_strdup(name, NULL);
    if (copy) m->items[m->count++] = copy;
}

static void add_dict_keys(Matches *m, Value *dict, const char *prefix) {
    DictValue *d = (DictValue *)dict;
    for (int64_t i = 0; i < d->used; i++)
        if (d->entries[i].key && val_is_str(d->entries[i].key))
            add_match(m, val_str_data(d->entries[i].key), prefix);
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The signature text of a callable value (a builtin, or a class with a constructor
 * signature), or NULL. */
static const char *signature_of(Value *v) {
    if (val_is(v, &type_builtin)) return ((BuiltinValue *)v)->spec->signature;
    if (val_is(v, &type_type)) return ((TypeValue *)v)->of->init_signature;
    return NULL;
}

/* When the cursor is at an argument position inside a call (`f(1, pad` or `f(`), the
 * offset of the callee's last character + 1 (just before the '('); else 0. */
static size_t call_context(const char *code, size_t word_start) {
    size_t i = word_start;
    while (i > 0 && (code[i - 1] == ' ' || code[i - 1] == '\t')) i--;
    if (i == 0 || (code[i - 1] != '(' && code[i - 1] != ',')) return 0;
    int depth = 0;
    char quote = 0;
    for (size_t j = i; j-- > 0;) {
        char c = code[j];
        if (quote) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') quote = c;
        else if (c == ')' || c == ']' || c == '}') depth++;
        else if (c == '[' || c == '{') {
            if (depth == 0) return 0;
            depth--;
        } else if (c == '(') {
            if (depth == 0) return j;
            depth--;
        } else if (c == '\n' && depth == 0) {
            return 0;
        }
    }
    return 0;
}

/* Adds "name=" for each keyword-capable parameter of the callee before `paren` that
 * starts with prefix. */
static void add_keyword_matches(Session *s, const char *code, size_t paren, const char *prefix,
                                void *matches);

int session_complete(Session *s, const char *code, size_t cursor, SessionCompletion *out) {
    Interp *I = s->interp;
    memset(out, 0, sizeof *out);
    size_t len = strlen(code);
    if (cursor > len) cursor = len;
    size_t start, last;
    dotted_name_at(code, cursor, &start, &last);
    char prefix[128];
    size_t plen = cursor - last < sizeof prefix - 1 ? cursor - last : sizeof prefix - 1;
    memcpy(prefix, code + last, plen);
    prefix[plen] = '\0';
    Matches m = {0};
    if (last > start) {
        Value *obj = resolve_dotted(s, code + start, last - start - 1);
        if (obj) {
            Value *names = val_list_new(I, 32);
            if (names && obj->type->dir) obj->type->dir(I, obj, names);
            for (const BuiltinSpec *sp = obj->type->methods; sp && sp->name; sp++)
                add_match(&m, sp->name, prefix);
            for (int64_t i = 0; names && i < ((ListValue *)names)->count; i++)
                if (val_is_str(((ListValue *)names)->items[i]))
                    add_match(&m, val_str_data(((ListValue *)names)->items[i]), prefix);
            val_release(names);
            val_release(obj);
        }
        interp_clear_error(I);
    } else {
        /* Inside a call: keyword names of the callee come first. */
        size_t paren = call_context(code, last);
        if (paren) add_keyword_matches(s, code, paren, prefix, &m);
        add_dict_keys(&m, eval_globals(I), prefix);
        add_dict_keys(&m, eval_builtins(I), prefix);
        static const char *const keywords[] = {
            "and", "as", "assert", "break", "class", "continue", "def", "del", "elif", "else",
            "False", "for", "from", "global", "if", "import", "in", "is", "lambda", "None",
            "nonlocal", "not", "or", "pass", "return", "True", "while", "with", NULL};
        for (int i = 0; keywords[i]; i++) add_match(&m, keywords[i], prefix);
    }
    /* Keyword names ("padding_idx=") first, then the rest, each group sorted. */
    int keywords = 0;
    for (int i = 0; i < m.count; i++) {
        size_t n = strlen(m.items[i]);
        if (n && m.items[i][n - 1] == '=') {
            char *t = m.items[keywords];
            m.items[keywords++] = m.items[i];
            m.items[i] = t;
        }
    }
    if (m.count) { /* qsort must not see the NULL of an empty list */
        qsort(m.items, (size_t)keywords, sizeof *m.items, compare_names);
        qsort(m.items + keywords, (size_t)(m.count - keywords), sizeof *m.items, compare_names);
    }
    out->matches = m.items;
    out->count = m.count;
    out->cursor_start = last;
    out->cursor_end = cursor;
    return 0;
}

static void add_keyword_matches(Session *s, const char *code, size_t paren, const char *prefix,
                                void *matches) {
    Matches *m = matches;
    size_t start, last;
    dotted_name_at(code, paren, &start, &last);
    if (start == paren) return;
    Value *callee = resolve_dotted(s, code + start, paren - start);
    if (!callee) return;
    const char *text = signature_of(callee);
    Signature sig;
    if (text && sig_parse(s->interp, text, &sig) == 0) {
        for (int i = 0; i < sig.count; i++) {
            ParamKind kind = sig.params[i].kind;
            if (kind != PARAM_NORMAL && kind != PARAM_KEYWORD_ONLY) continue;
            if (sig.params[i].name[0] == '_' && prefix[0] != '_') continue;
            char name[80];
            snprintf(name, sizeof name, "%s=", sig.params[i].name);
            add_match(m, name, prefix);
        }
        sig_free(&sig);
    }
    interp_clear_error(s->interp);
    val_release(callee);
}

void session_completion_free(SessionCompletion *c) {
    for (int i = 0; i < c->count; i++) mem_free(c->matches[i]);
    mem_free(c->matches);
    memset(c, 0, sizeof *c);
}

/* IPython's ?-page fields for user functions, methods and classes (Python-defined). */
static bool inspect_user(Interp *I, Value *obj, StrBuf *sb) {
    bool bound = val_is(obj, &type_bound_method);
    Value *fn = bound ? op_getattr_opt(I, obj, "__func__") : NULL;
    bool is_class = val_is(obj, &type_type) && ((TypeValue *)obj)->dict;
    Value *target = is_class ? class_lookup(I, ((TypeValue *)obj)->of, "__init__")
                             : bound ? fn : obj;
    if (!is_class && !(target && val_is(target, &type_function))) {
        val_release(fn);
        return false;
    }
    Value *name = op_getattr_opt(I, is_class ? obj : target, "__name__");
    sb_append(sb, is_class ? "Init signature: " : "Signature: ");
    sb_append(sb, name && val_is_str(name) ? val_str_data(name) : "?");
    if (target && val_is(target, &type_function)) {
        if (eval_function_signature(I, target, is_class || bound, sb)) interp_clear_error(I);
    } else {
        sb_append(sb, "()");
    }
    sb_appendc(sb, '\n');
    Value *doc = op_getattr_opt(I, is_class ? obj : target, "__doc__");
    sb_appendf(sb, "%s%s\n", is_class ? "Docstring:      " : "Docstring: ",
               doc && val_is_str(doc) ? val_str_data(doc) : "<no docstring>");
    sb_appendf(sb, "%s%s\n", is_class ? "Type:           " : "Type:      ",
               is_class ? "type" : bound ? "method" : "function");
    val_release(doc);
    val_release(name);
    val_release(fn);
    interp_clear_error(I);
    return true;
}

char *session_inspect(Session *s, const char *code, size_t cursor, int detail) {
    (void)detail;
    size_t len = strlen(code);
    if (cursor > len) cursor = len;
    /* Extend to the end of the identifier under the cursor. */
    size_t end = cursor;
    while (end < len && is_ident_char(code[end])) end++;
    size_t start, last;
    dotted_name_at(code, end, &start, &last);
    if (end == start) return NULL;
    Value *obj = resolve_dotted(s, code + start, end - start);
    if (!obj) return NULL;
    StrBuf sb = SB_INIT;
    if (val_is(obj, &type_builtin)) {
        BuiltinValue *b = (BuiltinValue *)obj;
        sb_appendf(&sb, "%s%s\n", b->qualname ? b->qualname : b->spec->name,
                   b->spec->signature ? b->spec->signature : "()");
        if (b->spec->doc) sb_appendf(&sb, "    %s\n", b->spec->doc);
    } else if (val_is(obj, &type_type) && ((TypeValue *)obj)->of->init_signature) {
        const ValueType *of = ((TypeValue *)obj)->of;
        sb_appendf(&sb, "%s%s\n", of->name, of->init_signature);
        if (of->doc) sb_appendf(&sb, "    %s\n", of->doc);
    } else if (inspect_user(s->interp, obj, &sb)) {
        /* filled */
    } else {
        Interp *I = s->interp;
        sb_appendf(&sb, "Type:      %s\n", val_type_name(obj));
        StrBuf r = SB_INIT;
        if (val_repr(I, obj, &r) == 0) sb_appendf(&sb, "Value:     %s\n", sb_str(&r));
        sb_free(&r);
        interp_clear_error(I);
    }
    val_release(obj);
    return sb_take(&sb);
}
