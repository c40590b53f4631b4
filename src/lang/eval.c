/*
 * src/lang/eval.c — the tree-walking evaluator: statements, expressions, names and
 * scopes, user-defined functions, tracebacks. See eval.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/eval.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "lang/builtins.h"
#include "lang/callable.h"
#include "lang/classes.h"
#include "lang/exceptions.h"
#include "lang/format.h"
#include "lang/module.h"
#include "lang/ops.h"
#include "lang/set.h"
#include "lang/torch_value.h"

/* Bytes of C stack the evaluator may use before raising RecursionError. */
#define EVAL_STACK_BUDGET ((uintptr_t)6 << 20)

/* ---- the code of a chunk: keeps a parsed tree alive while functions use it ---- */

typedef struct CodeValue {
    Value base;
    Ast *ast;
    char *chunk;   /* "<stdin>", "lesson.py", "<cell 3>" */
    char *source;  /* the text, for traceback source lines */
    size_t len;
} CodeValue;

static void destroy_code(Value *self) {
    CodeValue *c = (CodeValue *)self;
    ast_free(c->ast);
    mem_free(c->chunk);
    mem_free(c->source);
}

static const ValueType type_code = {.name = "code", .destroy = destroy_code};

/* ---- evaluator state ---- */

typedef struct Frame Frame;

/* An exception being handled by an `except` block (innermost first), for bare `raise`. */
typedef struct Handling {
    Value *exc;               /* the exception object (owned) */
    TraceEntry *trace;        /* the frames it had unwound when caught (owned), innermost first */
    int trace_count;
    int line;                 /* the line of the handling frame where it was raised */
    struct Handling *prev;
} Handling;

typedef struct EvalState {
    Value *globals;      /* dict */
    Value *builtins;     /* dict */
    Frame *frame;        /* innermost frame */
    int depth;           /* Python call depth */
    uintptr_t stack_base;
    TraceEntry trace[EVAL_MAX_TRACEBACK];
    int trace_count;     /* entries collected while unwinding (innermost first) */
    bool trace_done;     /* the traceback is final (reversed) */
    Handling *handling;  /* exceptions being handled, innermost first */
} EvalState;

struct FunctionValue;

struct Frame {
    Frame *parent;
    struct FunctionValue *function; /* the function being run, NULL for module/class bodies */
    const char *qualname; /* the function's or class body's qualified name, NULL at module */
    bool is_class;       /* a class body: its namespace is not a closure for its methods */
    Value *locals;       /* dict; NULL at module level (globals are the locals) */
    Value *globals;      /* dict (borrowed) */
    Value *closure;      /* list of enclosing functions' locals dicts (borrowed) or NULL */
    Value *local_names;  /* dict used as a set of this function's local names, or NULL */
    Value *declared_global; /* dict set of names declared global/nonlocal, or NULL */
    CodeValue *code;     /* the chunk being run (borrowed) */
    const char *name;    /* "<module>", function name */
    int line;            /* the line being executed */
    Value *retval;       /* set by `return` */
};

static EvalState *state(Interp *I) { return (EvalState *)I->host; }

/* ---- errors and tracebacks ---- */

/* Copies the stripped text of `line` of the chunk's source into out. */
static void source_line(const CodeValue *code, int line, char *out, size_t size) {
    out[0] = '\0';
    if (!code || !code->source || line <= 0) return;
    const char *p = code->source, *end = code->source + code->len;
    for (int l = 1; l < line && p < end; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) return;
        p = nl + 1;
    }
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    const char *e = p;
    while (e < end && *e != '\n' && *e != '\r') e++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
    size_t n = (size_t)(e - p) < size - 1 ? (size_t)(e - p) : size - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

/* Records the frame's current position as a traceback entry (once per frame). */
static void trace_frame(Interp *I, Frame *f) {
    EvalState *es = state(I);
    if (es->trace_count >= EVAL_MAX_TRACEBACK) return;
    TraceEntry *e = &es->trace[es->trace_count++];
    snprintf(e->chunk, sizeof e->chunk, "%s", f->code ? f->code->chunk : "<stdin>");
    e->line = f->line;
    snprintf(e->function, sizeof e->function, "%s", f->name);
    source_line(f->code, f->line, e->source, sizeof e->source);
}

/* RecursionError when the C stack or the Python call depth runs out. */
static int check_stack(Interp *I) {
    EvalState *es = state(I);
    char here;
    uintptr_t now = (uintptr_t)&here;
    uintptr_t used = es->stack_base > now ? es->stack_base - now : now - es->stack_base;
    if (used > EVAL_STACK_BUDGET)
        return interp_error(I, ERR_RECURSION, "maximum recursion depth exceeded");
    return 0;
}

static int check_interrupt(Interp *I) {
    if (I->step_limit && ++I->steps > I->step_limit) I->interrupt_requested = 1;
    if (I->interrupt_requested) {
        I->interrupt_requested = 0;
        return interp_error(I, ERR_INTERRUPT, "%s", "");
    }
    return 0;
}

/* ---- names ---- */

static bool set_has(Interp *I, Value *set, const char *name) {
    if (!set) return false;
    Value *v = val_dict_get_str(I, set, name);
    return v != NULL;
}

static int name_set_add(Interp *I, Value *set, const char *name) {
    return val_dict_set_str(I, set, name, I->true_value);
}

/* All names visible as "globals + builtins" for did-you-mean hints. */
static void name_hint(Interp *I, Frame *f, const char *name) {
    Value *sources[4] = {0};
    int k = 0;
    if (f->locals) sources[k++] = f->locals;
    sources[k++] = f->globals;
    sources[k++] = state(I)->builtins;
    const char *candidates[512];
    int n = 0;
    for (int s = 0; sources[s]; s++) {
        DictValue *d = (DictValue *)sources[s];
        for (int64_t i = 0; i < d->used && n < 511; i++)
            if (d->entries[i].key && val_is_str(d->entries[i].key))
                candidates[n++] = val_str_data(d->entries[i].key);
    }
    candidates[n] = NULL;
    Error saved = I->error;
    const char *best = ops_suggest(name, candidates);
    I->error = saved;
    if (best) interp_hint(I, "did you mean '%s'?", best);
}

/* True when `name` is declared `global` (not `nonlocal`) in frame f. */
static bool is_declared_global(Interp *I, Frame *f, const char *name) {
    if (!f->declared_global) return false;
    Value *v = val_dict_get_str(I, f->declared_global, name);
    return v && val_is(v, &type_bool) && val_as_int(v);
}

static Value *lookup_name(Interp *I, Frame *f, const char *name) {
    Value *v;
    bool is_local = f->locals && set_has(I, f->local_names, name);
    if (is_local) {
        v = val_dict_get_str(I, f->locals, name);
        if (v) return val_retain(v);
        interp_error(I, ERR_UNBOUND_LOCAL,
                     "cannot access local variable '%s' where it is not associated with a value",
                     name);
        return NULL;
    }
    if (f->locals && !f->local_names) { /* comprehension scope */
        v = val_dict_get_str(I, f->locals, name);
        if (v) return val_retain(v);
    }
    if (f->closure && !is_declared_global(I, f, name)) {
        ListValue *chain = (ListValue *)f->closure;
        for (int64_t i = chain->count - 1; i >= 0; i--) {
            v = val_dict_get_str(I, chain->items[i], name);
            if (v) return val_retain(v);
        }
    }
    v = val_dict_get_str(I, f->globals, name);
    if (v) return val_retain(v);
    v = val_dict_get_str(I, state(I)->builtins, name);
    if (v) return val_retain(v);
    if (interp_has_error(I)) return NULL;
    interp_error(I, ERR_NAME, "name '%s' is not defined", name);
    name_hint(I, f, name);
    return NULL;
}

/* The dict a store to `name` goes to in frame f. */
static Value *store_target(Interp *I, Frame *f, const char *name) {
    if (!f->locals) return f->globals;
    if (f->declared_global && set_has(I, f->declared_global, name)) {
        /* nonlocal: the nearest enclosing function scope that has it; global: globals. */
        if (f->closure && !is_declared_global(I, f, name)) {
            ListValue *chain = (ListValue *)f->closure;
            for (int64_t i = chain->count - 1; i >= 0; i--)
                if (val_dict_get_str(I, chain->items[i], name)) return chain->items[i];
        }
        return f->globals;
    }
    return f->locals;
}

static int store_name(Interp *I, Frame *f, const char *name, Value *value) {
    return val_dict_set_str(I, store_target(I, f, name), name, value);
}

static int delete_name(Interp *I, Frame *f, const char *name) {
    Value *key = val_str(I, name);
    if (!key) return -1;
    int rc = val_dict_del(I, store_target(I, f, name), key);
    val_release(key);
    if (rc < 0) return -1;
    if (rc == 0) return interp_error(I, ERR_NAME, "name '%s' is not defined", name);
    return 0;
}

/* ---- scope analysis: which names a function body assigns ---- */

static int collect_target(Interp *I, const AstNode *t, Value *locals);

static int collect_targets_list(Interp *I, const AstList *list, Value *locals) {
    for (int i = 0; i < list->count; i++)
        if (collect_target(I, list->items[i], locals)) return -1;
    return 0;
}

static int collect_target(Interp *I, const AstNode *t, Value *locals) {
    if (!t) return 0;
    switch (t->kind) {
    case AST_NAME: return name_set_add(I, locals, t->v.name.id);
    case AST_TUPLE:
    case AST_LIST: return collect_targets_list(I, &t->v.seq.elts, locals);
    case AST_STARRED: return collect_target(I, t->v.starred.value, locals);
    default: return 0;
    }
}

static int collect_block(Interp *I, const AstList *body, Value *locals, Value *globals);

/* Adds the names statement s binds in the current function scope. */
static int collect_stmt(Interp *I, const AstNode *s, Value *locals, Value *globals) {
    switch (s->kind) {
    case AST_ASSIGN: return collect_targets_list(I, &s->v.assign.targets, locals);
    case AST_AUG_ASSIGN: return collect_target(I, s->v.aug_assign.target, locals);
    case AST_ANN_ASSIGN:
        return s->v.ann_assign.value || s->v.ann_assign.simple
                   ? collect_target(I, s->v.ann_assign.target, locals)
                   : 0;
    case AST_DELETE: return collect_targets_list(I, &s->v.delete_.targets, locals);
    case AST_FOR:
        if (collect_target(I, s->v.for_.target, locals)) return -1;
        return collect_block(I, &s->v.for_.body, locals, globals) ||
               collect_block(I, &s->v.for_.orelse, locals, globals);
    case AST_WHILE:
        return collect_block(I, &s->v.while_.body, locals, globals) ||
               collect_block(I, &s->v.while_.orelse, locals, globals);
    case AST_IF:
        return collect_block(I, &s->v.if_.body, locals, globals) ||
               collect_block(I, &s->v.if_.orelse, locals, globals);
    case AST_WITH:
        for (int i = 0; i < s->v.with.items.count; i++)
            if (collect_target(I, s->v.with.items.items[i]->v.withitem.optional_vars, locals))
                return -1;
        return collect_block(I, &s->v.with.body, locals, globals);
    case AST_TRY:
        for (int i = 0; i < s->v.try_.handlers.count; i++) {
            const AstNode *h = s->v.try_.handlers.items[i];
            if (h->v.except_handler.name && name_set_add(I, locals, h->v.except_handler.name))
                return -1;
            if (collect_block(I, &h->v.except_handler.body, locals, globals)) return -1;
        }
        return collect_block(I, &s->v.try_.body, locals, globals) ||
               collect_block(I, &s->v.try_.orelse, locals, globals) ||
               collect_block(I, &s->v.try_.finalbody, locals, globals);
    case AST_FUNCTION_DEF: return name_set_add(I, locals, s->v.function_def.name);
    case AST_CLASS_DEF: return name_set_add(I, locals, s->v.class_def.name);
    case AST_IMPORT:
    case AST_IMPORT_FROM: {
        const AstList *names = s->kind == AST_IMPORT ? &s->v.import.names
                                                     : &s->v.import_from.names;
        for (int i = 0; i < names->count; i++) {
            const AstNode *a = names->items[i];
            const char *bound = a->v.alias.asname;
            char first[128];
            if (!bound) {
                const char *dot = strchr(a->v.alias.name, '.');
                size_t n = dot && s->kind == AST_IMPORT ? (size_t)(dot - a->v.alias.name)
                                                        : strlen(a->v.alias.name);
                if (n >= sizeof first) n = sizeof first - 1;
                memcpy(first, a->v.alias.name, n);
                first[n] = '\0';
                bound = first;
            }
            if (strcmp(bound, "*") != 0 && name_set_add(I, locals, bound)) return -1;
        }
        return 0;
    }
    case AST_GLOBAL:
    case AST_NONLOCAL:
        /* declared names: True for global, False for nonlocal */
        for (int i = 0; i < s->v.global.count; i++)
            if (val_dict_set_str(I, globals, s->v.global.names[i],
                                 s->kind == AST_GLOBAL ? I->true_value : I->false_value))
                return -1;
        return 0;
    default: return 0;
    }
}

static int collect_block(Interp *I, const AstList *body, Value *locals, Value *globals) {
    for (int i = 0; i < body->count; i++)
        if (collect_stmt(I, body->items[i], locals, globals)) return -1;
    return 0;
}

/* ---- user-defined functions ---- */

typedef struct FunctionValue {
    Value base;
    Value *owner;           /* the class whose body defined it (owned), for super() */
    const AstNode *node;    /* FunctionDef or Lambda */
    CodeValue *code;        /* keeps the tree alive (owned reference) */
    Value *globals;         /* owned */
    Value *closure;         /* list of enclosing locals dicts (owned) or NULL */
    Value *local_names;     /* set (owned) */
    Value *declared_global; /* set (owned) */
    Value *defaults;        /* tuple of default values for positional params (owned) */
    Value *kw_defaults;     /* list, one per keyword-only param, None-or-value... (owned) */
    char *name;
    char *qualname;
} FunctionValue;

static void destroy_function(Value *self) {
    FunctionValue *fn = (FunctionValue *)self;
    val_release(fn->owner);
    val_release((Value *)fn->code);
    val_release(fn->globals);
    val_release(fn->closure);
    val_release(fn->local_names);
    val_release(fn->declared_global);
    val_release(fn->defaults);
    val_release(fn->kw_defaults);
    mem_free(fn->name);
    mem_free(fn->qualname);
}

static void clear_function(Value *self) {
    FunctionValue *fn = (FunctionValue *)self;
    Value *held[8] = {(Value *)fn->code, fn->globals, fn->closure, fn->local_names,
                      fn->declared_global, fn->defaults, fn->kw_defaults, fn->owner};
    fn->code = NULL;
    fn->globals = fn->closure = fn->local_names = fn->declared_global = NULL;
    fn->defaults = fn->kw_defaults = fn->owner = NULL;
    for (int i = 0; i < 8; i++) val_release(held[i]);
}

static int repr_function(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    FunctionValue *fn = (FunctionValue *)self;
    sb_appendf(out, "<function %s at %p>", fn->qualname, (void *)self);
    return 0;
}

static Value *getattr_function(Interp *I, Value *self, const char *name) {
    FunctionValue *fn = (FunctionValue *)self;
    if (strcmp(name, "__name__") == 0) return val_str(I, fn->name);
    if (strcmp(name, "__qualname__") == 0) return val_str(I, fn->qualname);
    if (strcmp(name, "__module__") == 0) {
        Value *m = fn->globals ? val_dict_get_str(I, fn->globals, "__name__") : NULL;
        return m ? val_retain(m) : val_str(I, "__main__");
    }
    if (strcmp(name, "__doc__") == 0) {
        const AstNode *n = fn->node;
        if (n->kind == AST_FUNCTION_DEF && n->v.function_def.body.count > 0) {
            const AstNode *first = n->v.function_def.body.items[0];
            if (first->kind == AST_EXPR && first->v.expr.value->kind == AST_CONSTANT &&
                first->v.expr.value->v.constant.value.type == AST_CONST_STR)
                return val_strn(I, first->v.expr.value->v.constant.value.s,
                                first->v.expr.value->v.constant.value.len);
        }
        return val_none(I);
    }
    return NULL;
}

static Value *call_function(Interp *I, Value *self, CallArgs *args);

/* A function found through an instance is a bound method; through its class, itself. */
static Value *descr_get_function(Interp *I, Value *self, Value *instance, Value *owner) {
    (void)owner;
    return instance ? bound_method_new(I, self, instance) : val_retain(self);
}

const ValueType type_function = {.name = "function",
                                 .destroy = destroy_function,
                                 .clear = clear_function,
                                 .repr = repr_function,
                                 .getattr = getattr_function,
                                 .call = call_function,
                                 .descr_get = descr_get_function};

/* The `arguments` node of a function or lambda. */
static const AstNode *function_args(const AstNode *node) {
    return node->kind == AST_LAMBDA ? node->v.lambda.args : node->v.function_def.args;
}

/* Binds a call's arguments into a fresh locals dict, as CPython does. */
static int bind_arguments(Interp *I, FunctionValue *fn, CallArgs *args, Value *locals) {
    const AstNode *a = function_args(fn->node);
    const AstList *posonly = &a->v.arguments.posonlyargs, *params = &a->v.arguments.args;
    const AstList *kwonly = &a->v.arguments.kwonlyargs;
    int npos = posonly->count + params->count;
    const char *fname = fn->qualname; /* CPython 3.10+ names the qualified name */
    ListValue *defaults = (ListValue *)fn->defaults;
    int first_default = npos - (int)defaults->count;
    const AstNode *vararg = a->v.arguments.vararg, *kwarg = a->v.arguments.kwarg;
#define PARAM_NAME(i) ((i) < posonly->count ? posonly->items[i]->v.arg.arg \
                                            : params->items[(i) - posonly->count]->v.arg.arg)
    if (args->nargs > npos && !vararg) {
        int required = first_default;
        if (required == npos)
            interp_error(I, ERR_TYPE, "%s() takes %d positional argument%s but %lld %s given",
                         fname, npos, npos == 1 ? "" : "s", (long long)args->nargs,
                         args->nargs == 1 ? "was" : "were");
        else
            interp_error(I, ERR_TYPE,
                         "%s() takes from %d to %d positional arguments but %lld %s given", fname,
                         required, npos, (long long)args->nargs, args->nargs == 1 ? "was" : "were");
        return -1;
    }
    int64_t take = args->nargs < npos ? args->nargs : npos;
    for (int64_t i = 0; i < take; i++)
        if (val_dict_set_str(I, locals, PARAM_NAME(i), args->args[i])) return -1;
    if (vararg) {
        int64_t extra = args->nargs > npos ? args->nargs - npos : 0;
        Value *rest = val_tuple_new(I, extra);
        if (!rest) return -1;
        for (int64_t i = 0; i < extra; i++)
            ((ListValue *)rest)->items[i] = val_retain(args->args[npos + i]);
        int rc = val_dict_set_str(I, locals, vararg->v.arg.arg, rest);
        val_release(rest);
        if (rc) return -1;
    }
    Value *kwdict = NULL;
    if (kwarg) {
        kwdict = val_dict_new(I);
        if (!kwdict || val_dict_set_str(I, locals, kwarg->v.arg.arg, kwdict)) {
            val_release(kwdict);
            return -1;
        }
        val_release(kwdict);
    }
    for (int64_t k = 0; k < args->nkw; k++) {
        const char *name = args->kwnames[k];
        bool known = false;
        for (int i = posonly->count; i < npos && !known; i++) known = strcmp(PARAM_NAME(i), name) == 0;
        for (int i = 0; i < kwonly->count && !known; i++)
            known = strcmp(kwonly->items[i]->v.arg.arg, name) == 0;
        if (!known) {
            if (kwdict) {
                if (val_dict_set_str(I, kwdict, name, args->kwvalues[k])) return -1;
                continue;
            }
            interp_error(I, ERR_TYPE, "%s() got an unexpected keyword argument '%s'", fname, name);
            return -1;
        }
        if (val_dict_get_str(I, locals, name)) {
            interp_error(I, ERR_TYPE, "%s() got multiple values for argument '%s'", fname, name);
            return -1;
        }
        if (val_dict_set_str(I, locals, name, args->kwvalues[k])) return -1;
    }
    const char *missing[SIG_MAX_PARAMS];
    int nmissing = 0;
    for (int i = 0; i < npos; i++) {
        if (val_dict_get_str(I, locals, PARAM_NAME(i))) continue;
        if (i >= first_default) {
            if (val_dict_set_str(I, locals, PARAM_NAME(i), defaults->items[i - first_default]))
                return -1;
        } else if (nmissing < SIG_MAX_PARAMS) {
            missing[nmissing++] = PARAM_NAME(i);
        }
    }
    if (nmissing) {
        StrBuf sb = SB_INIT;
        sb_appendf(&sb, "%s() missing %d required positional argument%s: ", fname, nmissing,
                   nmissing == 1 ? "" : "s");
        for (int i = 0; i < nmissing; i++) {
            if (i) sb_append(&sb, nmissing == 2 ? " and " : (i == nmissing - 1 ? ", and " : ", "));
            sb_appendf(&sb, "'%s'", missing[i]);
        }
        interp_error(I, ERR_TYPE, "%s", sb_str(&sb));
        sb_free(&sb);
        return -1;
    }
    ListValue *kwd = (ListValue *)fn->kw_defaults;
    for (int i = 0; i < kwonly->count; i++) {
        const char *name = kwonly->items[i]->v.arg.arg;
        if (val_dict_get_str(I, locals, name)) continue;
        if (kwd->items[i]) {
            if (val_dict_set_str(I, locals, name, kwd->items[i])) return -1;
        } else if (nmissing < SIG_MAX_PARAMS) {
            missing[nmissing++] = name;
        }
    }
    if (nmissing) {
        interp_error(I, ERR_TYPE, "%s() missing %d required keyword-only argument%s: '%s'", fname,
                     nmissing, nmissing == 1 ? "" : "s", missing[0]);
        return -1;
    }
#undef PARAM_NAME
    return 0;
}

typedef enum ExecStatus { EXEC_OK, EXEC_BREAK, EXEC_CONTINUE, EXEC_RETURN, EXEC_ERROR } ExecStatus;

static ExecStatus exec_block(Interp *I, Frame *f, const AstList *body);
static Value *eval_expr(Interp *I, Frame *f, const AstNode *e);

static Value *call_function(Interp *I, Value *self, CallArgs *args) {
    FunctionValue *fn = (FunctionValue *)self;
    EvalState *es = state(I);
    if (es->depth >= EVAL_RECURSION_LIMIT || check_stack(I)) {
        if (!interp_has_error(I))
            interp_error(I, ERR_RECURSION, "maximum recursion depth exceeded");
        return NULL;
    }
    Value *locals = val_dict_new(I);
    if (!locals) return NULL;
    if (bind_arguments(I, fn, args, locals)) {
        val_release(locals);
        return NULL;
    }
    Frame frame = {0};
    frame.parent = es->frame;
    frame.function = fn;
    frame.qualname = fn->qualname;
    frame.locals = locals;
    frame.globals = fn->globals;
    frame.closure = fn->closure;
    frame.local_names = fn->local_names;
    frame.declared_global = fn->declared_global;
    frame.code = fn->code;
    frame.name = fn->name;
    frame.line = fn->node->line;
    es->frame = &frame;
    es->depth++;
    Value *result = NULL;
    if (fn->node->kind == AST_LAMBDA) {
        result = eval_expr(I, &frame, fn->node->v.lambda.body);
        if (!result) trace_frame(I, &frame);
    } else {
        ExecStatus st = exec_block(I, &frame, &fn->node->v.function_def.body);
        if (st == EXEC_ERROR) {
            trace_frame(I, &frame);
            val_release(frame.retval);
        } else {
            result = frame.retval ? frame.retval : val_none(I);
        }
    }
    es->depth--;
    es->frame = frame.parent;
    val_release(locals);
    return result;
}

/* Creates the function object for a def or lambda evaluated in frame f. */
static Value *make_function(Interp *I, Frame *f, const AstNode *node) {
    const AstNode *a = function_args(node);
    Error err;
    FunctionValue *fn = (FunctionValue *)val_alloc(I, &type_function, sizeof *fn);
    if (!fn) return NULL;
    fn->node = node;
    fn->code = (CodeValue *)val_retain((Value *)f->code);
    fn->globals = val_retain(f->globals);
    const char *name = node->kind == AST_LAMBDA ? "<lambda>" : node->v.function_def.name;
    fn->name = mem_strdup(name, &err);
    if (!fn->name) goto fail_raise;
    if (f->qualname) {
        StrBuf q = SB_INIT;
        sb_appendf(&q, f->is_class ? "%s.%s" : "%s.<locals>.%s", f->qualname, name);
        fn->qualname = sb_take(&q);
        if (!fn->qualname) {
            interp_error(I, ERR_MEMORY, "out of memory");
            goto fail;
        }
    } else {
        fn->qualname = mem_strdup(name, &err);
    }
    if (!fn->qualname) goto fail_raise;
    /* Defaults are evaluated now, in the defining scope. */
    const AstList *defs = &a->v.arguments.defaults;
    fn->defaults = val_tuple_new(I, defs->count);
    if (!fn->defaults) goto fail;
    for (int i = 0; i < defs->count; i++) {
        Value *d = eval_expr(I, f, defs->items[i]);
        if (!d) goto fail;
        ((ListValue *)fn->defaults)->items[i] = d;
    }
    const AstList *kwd = &a->v.arguments.kw_defaults;
    fn->kw_defaults = val_list_new(I, kwd->count);
    if (!fn->kw_defaults) goto fail;
    for (int i = 0; i < kwd->count; i++) {
        Value *d = kwd->items[i] ? eval_expr(I, f, kwd->items[i]) : NULL;
        if (kwd->items[i] && !d) goto fail;
        ((ListValue *)fn->kw_defaults)->items[i] = d;
        ((ListValue *)fn->kw_defaults)->count++;
    }
    /* Then the annotations, in Python's order (their values are not kept). */
    if (node->kind == AST_FUNCTION_DEF) {
        const AstList *before[2] = {&a->v.arguments.posonlyargs, &a->v.arguments.args};
        int saved_line = f->line;
        for (int step = 0; step < 6; step++) {
            const AstList *group = step < 2 ? before[step] : step == 3 ? &a->v.arguments.kwonlyargs : NULL;
            const AstNode *single = step == 2 ? a->v.arguments.vararg
                                    : step == 4 ? a->v.arguments.kwarg
                                                : NULL;
            int count = group ? group->count : 1;
            for (int i = 0; i < count; i++) {
                const AstNode *ann;
                if (group) ann = group->items[i]->v.arg.annotation;
                else if (step == 5) ann = node->v.function_def.returns;
                else ann = single ? single->v.arg.annotation : NULL;
                if (!ann) continue;
                f->line = ann->line;
                Value *v = eval_expr(I, f, ann);
                if (!v) goto fail;
                val_release(v);
            }
        }
        f->line = saved_line;
    }
    /* Enclosing function scopes are visible through the closure chain; a class body's
     * namespace is not (methods see the module, not the class's names). */
    if (f->locals && (f->closure || !f->is_class)) {
        fn->closure = val_list_new(I, 4);
        if (!fn->closure) goto fail;
        if (f->closure) {
            ListValue *outer = (ListValue *)f->closure;
            for (int64_t i = 0; i < outer->count; i++)
                if (val_list_append(I, fn->closure, outer->items[i])) goto fail;
        }
        if (!f->is_class && val_list_append(I, fn->closure, f->locals)) goto fail;
    }
    fn->local_names = val_dict_new(I);
    fn->declared_global = val_dict_new(I);
    if (!fn->local_names || !fn->declared_global) goto fail;
    const AstList *groups[2] = {&a->v.arguments.posonlyargs, &a->v.arguments.args};
    for (int g = 0; g < 2; g++)
        for (int i = 0; i < groups[g]->count; i++)
            if (name_set_add(I, fn->local_names, groups[g]->items[i]->v.arg.arg)) goto fail;
    for (int i = 0; i < a->v.arguments.kwonlyargs.count; i++)
        if (name_set_add(I, fn->local_names, a->v.arguments.kwonlyargs.items[i]->v.arg.arg)) goto fail;
    if (a->v.arguments.vararg && name_set_add(I, fn->local_names, a->v.arguments.vararg->v.arg.arg))
        goto fail;
    if (a->v.arguments.kwarg && name_set_add(I, fn->local_names, a->v.arguments.kwarg->v.arg.arg))
        goto fail;
    if (node->kind == AST_FUNCTION_DEF &&
        collect_block(I, &node->v.function_def.body, fn->local_names, fn->declared_global))
        goto fail;
    /* A name declared global/nonlocal is not local even when assigned. */
    DictValue *declared = (DictValue *)fn->declared_global;
    for (int64_t i = 0; i < declared->used; i++)
        if (declared->entries[i].key && val_dict_del(I, fn->local_names, declared->entries[i].key) < 0)
            goto fail;
    return (Value *)fn;
fail_raise:
    interp_raise(I, &err);
fail:
    val_release((Value *)fn);
    return NULL;
}

/* ---- expressions ---- */

static Value *eval_constant(Interp *I, const AstConst *c) {
    switch (c->type) {
    case AST_CONST_NONE: return val_none(I);
    case AST_CONST_BOOL: return val_bool(I, c->b);
    case AST_CONST_INT:
        if (c->overflow) {
            interp_error(I, ERR_OVERFLOW, "integer literal %s does not fit in 64 bits", c->digits);
            interp_hint(I, "embedlab's ints are 64-bit; Python's are unbounded");
            return NULL;
        }
        return val_int(I, c->i);
    case AST_CONST_FLOAT: return val_float(I, c->f);
    case AST_CONST_STR: return val_strn(I, c->s, c->len);
    case AST_CONST_ELLIPSIS: return val_ellipsis(I);
    }
    return NULL;
}

/* Would CPython's compiler fold this expression to a constant? (literals, signed
 * numbers, tuples of constants) */
static bool is_constant_expr(const AstNode *e) {
    if (e->kind == AST_CONSTANT) return true;
    if (e->kind == AST_UNARY_OP)
        return (e->v.unary_op.op == AST_UNARY_USUB || e->v.unary_op.op == AST_UNARY_UADD ||
                e->v.unary_op.op == AST_UNARY_INVERT) &&
               e->v.unary_op.operand->kind == AST_CONSTANT;
    if (e->kind == AST_TUPLE) {
        for (int i = 0; i < e->v.seq.elts.count; i++)
            if (!is_constant_expr(e->v.seq.elts.items[i])) return false;
        return true;
    }
    return false;
}

/* A set display CPython builds from a frozenset constant: 3+ elements, all constant. */
static bool all_constant(const AstList *elts) {
    if (elts->count <= 2) return false;
    for (int i = 0; i < elts->count; i++)
        if (!is_constant_expr(elts->items[i])) return false;
    return true;
}

static Value *eval_sequence(Interp *I, Frame *f, const AstList *elts, bool tuple) {
    Value *list = val_list_new(I, elts->count);
    if (!list) return NULL;
    for (int i = 0; i < elts->count; i++) {
        const AstNode *e = elts->items[i];
        if (e->kind == AST_STARRED) {
            Value *src = eval_expr(I, f, e->v.starred.value);
            Value *items = src ? op_to_list(I, src) : NULL;
            val_release(src);
            if (!items) goto fail;
            ListValue *l = (ListValue *)items;
            for (int64_t k = 0; k < l->count; k++)
                if (val_list_append(I, list, l->items[k])) {
                    val_release(items);
                    goto fail;
                }
            val_release(items);
            continue;
        }
        Value *v = eval_expr(I, f, e);
        if (!v || val_list_append_take(I, list, v)) goto fail;
    }
    if (!tuple) return list;
    ListValue *l = (ListValue *)list;
    Value *t = val_tuple_new(I, l->count);
    if (t)
        for (int64_t i = 0; i < l->count; i++) ((ListValue *)t)->items[i] = val_retain(l->items[i]);
    val_release(list);
    return t;
fail:
    val_release(list);
    return NULL;
}

static Value *eval_dict(Interp *I, Frame *f, const AstNode *e) {
    Value *d = val_dict_new(I);
    if (!d) return NULL;
    for (int i = 0; i < e->v.dict.values.count; i++) {
        const AstNode *k = e->v.dict.keys.items[i];
        Value *value = eval_expr(I, f, e->v.dict.values.items[i]);
        if (!value) goto fail;
        if (!k) { /* {**mapping} */
            int rc = val_is_instance(value, &type_dict) ? 0 : -1;
            if (rc == 0) {
                DictValue *src = (DictValue *)value;
                for (int64_t j = 0; j < src->used && rc == 0; j++)
                    if (src->entries[j].key)
                        rc = val_dict_set(I, d, src->entries[j].key, src->entries[j].value);
            } else {
                interp_error(I, ERR_TYPE, "'%s' object is not a mapping", val_type_name(value));
            }
            val_release(value);
            if (rc) goto fail;
            continue;
        }
        Value *key = eval_expr(I, f, k);
        int rc = key ? val_dict_set(I, d, key, value) : -1;
        val_release(key);
        val_release(value);
        if (rc) goto fail;
    }
    return d;
fail:
    val_release(d);
    return NULL;
}

static int assign_target(Interp *I, Frame *f, const AstNode *t, Value *value);

/* Runs the comprehension clauses from `index` on, calling emit for each innermost
 * iteration. Comprehension variables live in their own scope (scope->locals). */
typedef int (*EmitFn)(Interp *I, Frame *scope, const AstNode *comp, Value *out);

static int run_generators(Interp *I, Frame *scope, const AstNode *comp, const AstList *gens,
                          int index, EmitFn emit, Value *out, Frame *outer) {
    if (index == gens->count) return emit(I, scope, comp, out);
    const AstNode *g = gens->items[index];
    /* The first iterable is evaluated in the enclosing scope, as Python does. */
    Value *iterable = eval_expr(I, index == 0 ? outer : scope, g->v.comprehension.iter);
    Value *it = iterable ? op_iter(I, iterable) : NULL;
    val_release(iterable);
    if (!it) return -1;
    int rc = 0;
    for (;;) {
        if (check_interrupt(I)) {
            rc = -1;
            break;
        }
        Value *x = op_next(I, it);
        if (!x) {
            rc = interp_has_error(I) ? -1 : 0;
            break;
        }
        rc = assign_target(I, scope, g->v.comprehension.target, x);
        val_release(x);
        if (rc) break;
        bool keep = true;
        for (int k = 0; k < g->v.comprehension.ifs.count && keep; k++) {
            Value *c = eval_expr(I, scope, g->v.comprehension.ifs.items[k]);
            int t = c ? val_truth(I, c) : -1;
            val_release(c);
            if (t < 0) {
                rc = -1;
                break;
            }
            keep = t;
        }
        if (rc) break;
        if (keep && run_generators(I, scope, comp, gens, index + 1, emit, out, outer)) {
            rc = -1;
            break;
        }
    }
    val_release(it);
    return rc;
}

static int emit_list(Interp *I, Frame *scope, const AstNode *comp, Value *out) {
    Value *v = eval_expr(I, scope, comp->v.comp.elt);
    return v ? val_list_append_take(I, out, v) : -1;
}

static int emit_dict(Interp *I, Frame *scope, const AstNode *comp, Value *out) {
    Value *k = eval_expr(I, scope, comp->v.dict_comp.key);
    Value *v = k ? eval_expr(I, scope, comp->v.dict_comp.value) : NULL;
    int rc = v ? val_dict_set(I, out, k, v) : -1;
    val_release(k);
    val_release(v);
    return rc;
}

static int emit_set(Interp *I, Frame *scope, const AstNode *comp, Value *out) {
    Value *v = eval_expr(I, scope, comp->v.comp.elt);
    int rc = v ? set_add(I, out, v) : -1;
    val_release(v);
    return rc;
}

static Value *eval_comprehension(Interp *I, Frame *f, const AstNode *e) {
    bool is_dict = e->kind == AST_DICT_COMP, is_set = e->kind == AST_SET_COMP;
    Value *out = is_dict ? val_dict_new(I) : is_set ? set_new(I) : val_list_new(I, 8);
    Value *locals = val_dict_new(I);
    Value *closure = val_list_new(I, 4);
    if (!out || !locals || !closure) goto fail;
    /* The comprehension sees the enclosing function's locals through its closure. */
    if (f->closure) {
        ListValue *outer = (ListValue *)f->closure;
        for (int64_t i = 0; i < outer->count; i++)
            if (val_list_append(I, closure, outer->items[i])) goto fail;
    }
    if (f->locals && val_list_append(I, closure, f->locals)) goto fail;
    Frame scope = *f;
    scope.locals = locals;
    scope.local_names = NULL;
    scope.declared_global = NULL;
    scope.closure = closure;
    const AstList *gens = is_dict ? &e->v.dict_comp.generators : &e->v.comp.generators;
    if (run_generators(I, &scope, e, gens, 0, is_dict ? emit_dict : is_set ? emit_set : emit_list,
                       out, f))
        goto fail;
    f->line = scope.line;
    val_release(locals);
    val_release(closure);
    return out;
fail:
    val_release(out);
    val_release(locals);
    val_release(closure);
    return NULL;
}

/* ---- generator expressions ----
 * (x for x in it if c): the first iterable is evaluated (and iterated) when the
 * expression is; everything else runs lazily, one element per next(), in the
 * expression's own scope, like Python's generator. Nested `for` clauses keep one
 * iterator per level. */

#define GENEXP_MAX_LEVELS 20

typedef struct GeneratorValue {
    Value base;
    const AstNode *node;        /* the GeneratorExp (kept alive by code) */
    CodeValue *code;            /* owned */
    Value *globals;             /* owned */
    Value *locals;              /* the expression's scope (owned) */
    Value *closure;             /* enclosing locals (owned) */
    Value *iters[GENEXP_MAX_LEVELS]; /* active iterators, [0..depth) (owned) */
    int depth;
    bool running;
} GeneratorValue;

static void clear_generator(Value *self) {
    GeneratorValue *g = (GeneratorValue *)self;
    Value *held[4] = {(Value *)g->code, g->globals, g->locals, g->closure};
    g->code = NULL;
    g->globals = g->locals = g->closure = NULL;
    for (int i = 0; i < g->depth; i++) {
        Value *it = g->iters[i];
        g->iters[i] = NULL;
        val_release(it);
    }
    g->depth = 0;
    for (int i = 0; i < 4; i++) val_release(held[i]);
}

static int repr_generator(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<generator object <genexpr> at %p>", (void *)self);
    return 0;
}

static Value *iter_generator(Interp *I, Value *self) {
    (void)I;
    return val_retain(self);
}

static Value *next_generator(Interp *I, Value *self) {
    GeneratorValue *g = (GeneratorValue *)self;
    if (!g->depth || !g->code) return NULL; /* exhausted */
    if (g->running) {
        interp_error(I, ERR_VALUE, "generator already executing");
        return NULL;
    }
    EvalState *es = state(I);
    Frame scope = {0};
    scope.parent = es->frame;
    scope.locals = g->locals;
    scope.globals = g->globals;
    scope.closure = g->closure;
    scope.code = g->code;
    scope.name = "<genexpr>";
    scope.line = g->node->line;
    const AstList *gens = &g->node->v.comp.generators;
    g->running = true;
    es->frame = &scope;
    Value *result = NULL;
    for (;;) {
        if (check_interrupt(I)) break;
        int level = g->depth - 1;
        const AstNode *clause = gens->items[level];
        Value *x = op_next(I, g->iters[level]);
        if (!x) {
            if (interp_has_error(I)) break;
            val_release(g->iters[level]);
            g->iters[level] = NULL;
            if (--g->depth == 0) break; /* exhausted */
            continue;
        }
        int rc = assign_target(I, &scope, clause->v.comprehension.target, x);
        val_release(x);
        if (rc) break;
        int keep = 1;
        for (int k = 0; k < clause->v.comprehension.ifs.count && keep > 0; k++) {
            Value *c = eval_expr(I, &scope, clause->v.comprehension.ifs.items[k]);
            keep = c ? val_truth(I, c) : -1;
            val_release(c);
        }
        if (keep < 0) break;
        if (!keep) continue;
        if (level + 1 == gens->count) {
            result = eval_expr(I, &scope, g->node->v.comp.elt);
            break;
        }
        Value *iterable = eval_expr(I, &scope, gens->items[level + 1]->v.comprehension.iter);
        Value *it = iterable ? op_iter(I, iterable) : NULL;
        val_release(iterable);
        if (!it) break;
        g->iters[g->depth++] = it;
    }
    if (!result && interp_has_error(I)) {
        trace_frame(I, &scope);
        clear_generator(self); /* a generator that raised is finished */
    }
    es->frame = scope.parent;
    g->running = false;
    return result;
}

static const ValueType type_generator = {.name = "generator",
                                         .destroy = clear_generator,
                                         .clear = clear_generator,
                                         .repr = repr_generator,
                                         .iter = iter_generator,
                                         .next = next_generator};

static Value *eval_generator_exp(Interp *I, Frame *f, const AstNode *e) {
    const AstList *gens = &e->v.comp.generators;
    if (gens->count > GENEXP_MAX_LEVELS) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "generator expressions with more than %d 'for' "
                                             "clauses are not supported by embedlab",
                     GENEXP_MAX_LEVELS);
        return NULL;
    }
    /* The first iterable is evaluated now, in the enclosing scope. */
    Value *iterable = eval_expr(I, f, gens->items[0]->v.comprehension.iter);
    Value *it = iterable ? op_iter(I, iterable) : NULL;
    val_release(iterable);
    if (!it) return NULL;
    GeneratorValue *g = (GeneratorValue *)val_alloc(I, &type_generator, sizeof *g);
    if (!g) {
        val_release(it);
        return NULL;
    }
    g->node = e;
    g->code = (CodeValue *)val_retain((Value *)f->code);
    g->globals = val_retain(f->globals);
    g->iters[0] = it;
    g->depth = 1;
    g->locals = val_dict_new(I);
    g->closure = val_list_new(I, 4);
    if (!g->locals || !g->closure) goto fail;
    if (f->closure) {
        ListValue *outer = (ListValue *)f->closure;
        for (int64_t i = 0; i < outer->count; i++)
            if (val_list_append(I, g->closure, outer->items[i])) goto fail;
    }
    if (f->locals && !f->is_class && val_list_append(I, g->closure, f->locals)) goto fail;
    return (Value *)g;
fail:
    val_release((Value *)g);
    return NULL;
}

/* Tensor.__format__: 0-d tensors format their item; others need an empty spec. */
static int format_any(Interp *I, Value *v, const char *spec, StrBuf *out) {
    if (val_is_tensor(v)) {
        Tensor *t = tensor_of(v);
        if (t->ndim == 0 && v->type == &type_tensor) {
            Value *item = tensor_item_value(I, t);
            if (!item) return -1;
            int rc = format_value(I, item, spec, out);
            val_release(item);
            return rc;
        }
        if (!*spec) return val_str_of(I, v, out);
        return interp_error(I, ERR_TYPE, "unsupported format string passed to %s.__format__",
                            val_type_name(v));
    }
    return format_value(I, v, spec, out);
}

static int eval_joined(Interp *I, Frame *f, const AstNode *e, StrBuf *out);

static int eval_formatted(Interp *I, Frame *f, const AstNode *e, StrBuf *out) {
    Value *v = eval_expr(I, f, e->v.formatted_value.value);
    if (!v) return -1;
    StrBuf spec = SB_INIT;
    int rc = 0;
    if (e->v.formatted_value.format_spec)
        rc = eval_joined(I, f, e->v.formatted_value.format_spec, &spec);
    if (rc == 0 && sb_check(&spec, &I->error)) rc = -1; /* the spec ran out of memory */
    if (rc == 0) {
        int conv = e->v.formatted_value.conversion;
        if (conv == 'r' || conv == 's' || conv == 'a') {
            StrBuf text = SB_INIT;
            rc = conv == 's' ? val_str_of(I, v, &text) : val_repr(I, v, &text);
            if (rc == 0) rc = format_str(I, sb_str(&text), text.len, sb_str(&spec), out);
            sb_free(&text);
        } else {
            rc = format_any(I, v, sb_str(&spec), out);
        }
    }
    sb_free(&spec);
    val_release(v);
    return rc;
}

static int eval_joined(Interp *I, Frame *f, const AstNode *e, StrBuf *out) {
    for (int i = 0; i < e->v.joined_str.values.count; i++) {
        const AstNode *part = e->v.joined_str.values.items[i];
        if (part->kind == AST_CONSTANT) {
            sb_appendn(out, part->v.constant.value.s, part->v.constant.value.len);
        } else if (part->kind == AST_FORMATTED_VALUE) {
            if (eval_formatted(I, f, part, out)) return -1;
        } else {
            Value *v = eval_expr(I, f, part);
            if (!v) return -1;
            int rc = val_str_of(I, v, out);
            val_release(v);
            if (rc) return -1;
        }
    }
    return 0;
}

static Value *eval_compare(Interp *I, Frame *f, const AstNode *e) {
    Value *left = eval_expr(I, f, e->v.compare.left);
    if (!left) return NULL;
    int n = e->v.compare.comparators.count;
    Value *result = NULL;
    for (int i = 0; i < n; i++) {
        Value *right = eval_expr(I, f, e->v.compare.comparators.items[i]);
        if (!right) {
            val_release(left);
            val_release(result);
            return NULL;
        }
        val_release(result);
        AstCmpOp op = e->v.compare.ops[i];
        switch (op) {
        case AST_CMP_IS: result = val_bool(I, op_is(left, right)); break;
        case AST_CMP_IS_NOT: result = val_bool(I, !op_is(left, right)); break;
        case AST_CMP_IN:
        case AST_CMP_NOT_IN: {
            int c = op_contains(I, right, left);
            result = c < 0 ? NULL : val_bool(I, op == AST_CMP_IN ? c : !c);
            break;
        }
        default: {
            static const PyCmp map[] = {PYCMP_EQ, PYCMP_NE, PYCMP_LT, PYCMP_LE, PYCMP_GT, PYCMP_GE};
            result = op_compare(I, map[op], left, right);
        }
        }
        val_release(left);
        left = right;
        if (!result) break;
        if (i + 1 < n) { /* a < b < c: stop at the first false link */
            int t = val_truth(I, result);
            if (t <= 0) {
                if (t < 0) {
                    val_release(result);
                    result = NULL;
                }
                break;
            }
        }
    }
    val_release(left);
    return result;
}

/* Evaluates call arguments, expanding *args and **kwargs. */
typedef struct ArgBuffer {
    Value *positional; /* list */
    Value *kwnames;    /* list of str */
    Value *kwvalues;   /* list */
} ArgBuffer;

static void args_free(ArgBuffer *b) {
    val_release(b->positional);
    val_release(b->kwnames);
    val_release(b->kwvalues);
}

static int eval_call_args(Interp *I, Frame *f, const AstNode *call, ArgBuffer *b) {
    b->positional = val_list_new(I, call->v.call.args.count);
    b->kwnames = val_list_new(I, call->v.call.keywords.count);
    b->kwvalues = val_list_new(I, call->v.call.keywords.count);
    if (!b->positional || !b->kwnames || !b->kwvalues) return -1;
    for (int i = 0; i < call->v.call.args.count; i++) {
        const AstNode *a = call->v.call.args.items[i];
        if (a->kind == AST_STARRED) {
            Value *src = eval_expr(I, f, a->v.starred.value);
            if (!src) return -1;
            Value *items = op_to_list(I, src);
            if (!items) {
                if (I->error.code == ERR_TYPE) {
                    interp_clear_error(I);
                    interp_error(I, ERR_TYPE, "Value after * must be an iterable, not %s",
                                 val_type_name(src));
                }
                val_release(src);
                return -1;
            }
            val_release(src);
            ListValue *l = (ListValue *)items;
            for (int64_t k = 0; k < l->count; k++)
                if (val_list_append(I, b->positional, l->items[k])) {
                    val_release(items);
                    return -1;
                }
            val_release(items);
            continue;
        }
        Value *v = eval_expr(I, f, a);
        if (!v || val_list_append_take(I, b->positional, v)) return -1;
    }
    for (int i = 0; i < call->v.call.keywords.count; i++) {
        const AstNode *k = call->v.call.keywords.items[i];
        Value *v = eval_expr(I, f, k->v.keyword.value);
        if (!v) return -1;
        if (k->v.keyword.arg) {
            Value *name = val_str(I, k->v.keyword.arg);
            if (!name || val_list_append_take(I, b->kwnames, name) ||
                val_list_append_take(I, b->kwvalues, v)) {
                if (!name) val_release(v);
                return -1;
            }
            continue;
        }
        if (!val_is_instance(v, &type_dict)) {
            interp_error(I, ERR_TYPE, "argument after ** must be a mapping, not %s",
                         val_type_name(v));
            val_release(v);
            return -1;
        }
        DictValue *d = (DictValue *)v;
        for (int64_t j = 0; j < d->used; j++) {
            if (!d->entries[j].key) continue;
            if (!val_is_str(d->entries[j].key)) {
                interp_error(I, ERR_TYPE, "keywords must be strings");
                val_release(v);
                return -1;
            }
            if (val_list_append(I, b->kwnames, d->entries[j].key) ||
                val_list_append(I, b->kwvalues, d->entries[j].value)) {
                val_release(v);
                return -1;
            }
        }
        val_release(v);
    }
    return 0;
}

static Value *eval_call(Interp *I, Frame *f, const AstNode *e) {
    Value *callee = eval_expr(I, f, e->v.call.func);
    if (!callee) return NULL;
    ArgBuffer b = {0};
    Value *result = NULL;
    if (eval_call_args(I, f, e, &b) == 0) {
        ListValue *names = (ListValue *)b.kwnames;
        const char *kwnames[256];
        if (names->count > 256) {
            interp_error(I, ERR_TYPE, "too many keyword arguments");
        } else {
            for (int64_t i = 0; i < names->count; i++) kwnames[i] = val_str_data(names->items[i]);
            /* Keyword names must be unique (f(a=1, **{'a': 2})). */
            for (int64_t i = 0; i < names->count; i++)
                for (int64_t j = 0; j < i; j++)
                    if (strcmp(kwnames[i], kwnames[j]) == 0 && !interp_has_error(I))
                        interp_error(I, ERR_TYPE, "got multiple values for keyword argument '%s'",
                                     kwnames[i]);
            if (!interp_has_error(I)) {
                CallArgs call = {((ListValue *)b.positional)->items,
                                 ((ListValue *)b.positional)->count, kwnames,
                                 ((ListValue *)b.kwvalues)->items, names->count};
                f->line = e->line;
                result = call_value_args(I, callee, &call);
            }
        }
    }
    args_free(&b);
    val_release(callee);
    return result;
}

static Value *eval_slice(Interp *I, Frame *f, const AstNode *e) {
    Value *parts[3] = {NULL, NULL, NULL};
    const AstNode *nodes[3] = {e->v.slice.lower, e->v.slice.upper, e->v.slice.step};
    for (int i = 0; i < 3; i++) {
        if (!nodes[i]) continue;
        parts[i] = eval_expr(I, f, nodes[i]);
        if (!parts[i]) {
            for (int j = 0; j < i; j++) val_release(parts[j]);
            return NULL;
        }
    }
    Value *s = val_slice(I, parts[0], parts[1], parts[2]);
    for (int i = 0; i < 3; i++) val_release(parts[i]);
    return s;
}

/* The subscript key: an expression, a slice, or a tuple of those. */
static Value *eval_subscript_key(Interp *I, Frame *f, const AstNode *k) {
    if (k->kind == AST_SLICE) return eval_slice(I, f, k);
    if (k->kind == AST_TUPLE) {
        Value *t = val_tuple_new(I, k->v.seq.elts.count);
        if (!t) return NULL;
        for (int i = 0; i < k->v.seq.elts.count; i++) {
            Value *part = eval_subscript_key(I, f, k->v.seq.elts.items[i]);
            if (!part) {
                val_release(t);
                return NULL;
            }
            ((ListValue *)t)->items[i] = part;
        }
        return t;
    }
    return eval_expr(I, f, k);
}

static Value *eval_bool_op(Interp *I, Frame *f, const AstNode *e) {
    Value *v = NULL;
    for (int i = 0; i < e->v.bool_op.values.count; i++) {
        val_release(v);
        v = eval_expr(I, f, e->v.bool_op.values.items[i]);
        if (!v) return NULL;
        if (i + 1 == e->v.bool_op.values.count) break;
        int t = val_truth(I, v);
        if (t < 0) {
            val_release(v);
            return NULL;
        }
        if (e->v.bool_op.op == AST_BOOL_AND ? !t : t) break;
    }
    return v;
}

static Value *eval_expr(Interp *I, Frame *f, const AstNode *e) {
    if (check_stack(I)) return NULL;
    switch (e->kind) {
    case AST_CONSTANT: return eval_constant(I, &e->v.constant.value);
    case AST_NAME: return lookup_name(I, f, e->v.name.id);
    case AST_BIN_OP: {
        Value *a = eval_expr(I, f, e->v.bin_op.left);
        Value *b = a ? eval_expr(I, f, e->v.bin_op.right) : NULL;
        Value *r = b ? op_binary(I, (PyOp)e->v.bin_op.op, a, b) : NULL;
        val_release(a);
        val_release(b);
        return r;
    }
    case AST_UNARY_OP: {
        Value *v = eval_expr(I, f, e->v.unary_op.operand);
        if (!v) return NULL;
        Value *r;
        if (e->v.unary_op.op == AST_UNARY_NOT) {
            int t = val_truth(I, v);
            r = t < 0 ? NULL : val_bool(I, !t);
        } else {
            PyUnary op = e->v.unary_op.op == AST_UNARY_USUB   ? PYUNARY_NEG
                         : e->v.unary_op.op == AST_UNARY_UADD ? PYUNARY_POS
                                                              : PYUNARY_INVERT;
            r = op_unary(I, op, v);
        }
        val_release(v);
        return r;
    }
    case AST_BOOL_OP: return eval_bool_op(I, f, e);
    case AST_COMPARE: return eval_compare(I, f, e);
    case AST_IF_EXP: {
        Value *c = eval_expr(I, f, e->v.if_exp.test);
        if (!c) return NULL;
        int t = val_truth(I, c);
        val_release(c);
        if (t < 0) return NULL;
        return eval_expr(I, f, t ? e->v.if_exp.body : e->v.if_exp.orelse);
    }
    case AST_CALL: return eval_call(I, f, e);
    case AST_ATTRIBUTE: {
        Value *obj = eval_expr(I, f, e->v.attribute.value);
        if (!obj) return NULL;
        Value *r = op_getattr(I, obj, e->v.attribute.attr);
        val_release(obj);
        return r;
    }
    case AST_SUBSCRIPT: {
        Value *obj = eval_expr(I, f, e->v.subscript.value);
        Value *key = obj ? eval_subscript_key(I, f, e->v.subscript.slice) : NULL;
        Value *r = key ? op_getitem(I, obj, key) : NULL;
        val_release(obj);
        val_release(key);
        return r;
    }
    case AST_SLICE: return eval_slice(I, f, e);
    case AST_LIST: return eval_sequence(I, f, &e->v.seq.elts, false);
    case AST_SET: {
        Value *items = eval_sequence(I, f, &e->v.set.elts, false);
        Value *set = items ? set_new(I) : NULL;
        /* CPython compiles a display of 3+ constants to a frozenset constant, which its
         * constant merging rebuilds once from its own iteration order, and merges that
         * into a new set; each step lays the table out anew, so do the same. */
        Value *folded = set && all_constant(&e->v.set.elts) ? set_new(I) : NULL;
        Value *order = NULL, *rebuilt = NULL;
        int rc;
        if (!set) rc = -1;
        else if (!folded) rc = set_update(I, set, items);
        else
            rc = set_update(I, folded, items) || !(order = op_to_list(I, folded)) ||
                 !(rebuilt = set_new(I)) || set_update(I, rebuilt, order) ||
                 set_update(I, set, rebuilt);
        val_release(rebuilt);
        val_release(order);
        val_release(folded);
        val_release(items);
        if (rc) {
            val_release(set);
            set = NULL;
        }
        return set;
    }
    case AST_TUPLE: return eval_sequence(I, f, &e->v.seq.elts, true);
    case AST_DICT: return eval_dict(I, f, e);
    case AST_LIST_COMP:
    case AST_SET_COMP:
    case AST_DICT_COMP: return eval_comprehension(I, f, e);
    case AST_GENERATOR_EXP: return eval_generator_exp(I, f, e);
    case AST_JOINED_STR: {
        StrBuf sb = SB_INIT;
        if (eval_joined(I, f, e, &sb)) {
            sb_free(&sb);
            return NULL;
        }
        return val_str_from_sb(I, &sb);
    }
    case AST_FORMATTED_VALUE: {
        StrBuf sb = SB_INIT;
        if (eval_formatted(I, f, e, &sb)) {
            sb_free(&sb);
            return NULL;
        }
        return val_str_from_sb(I, &sb);
    }
    case AST_LAMBDA: return make_function(I, f, e);
    case AST_STARRED:
        interp_error(I, ERR_SYNTAX, "can't use starred expression here");
        return NULL;
    default:
        interp_error(I, ERR_SYNTAX, "'%s' is not supported yet", ast_kind_name(e->kind));
        return NULL;
    }
}

/* ---- assignment ---- */

static int unpack_into(Interp *I, Frame *f, const AstList *targets, Value *value) {
    Value *items = NULL;
    if (val_is_sequence(value)) {
        items = val_retain(value);
    } else {
        Value *it = op_iter(I, value);
        if (!it) {
            /* Only "not iterable" becomes the unpacking message; MemoryError and errors
             * raised by a user __iter__ stay as they are. */
            if (I->error.code != ERR_TYPE || !strstr(I->error.msg, "is not iterable")) return -1;
            interp_clear_error(I);
            return interp_error(I, ERR_TYPE, "cannot unpack non-iterable %s object",
                                val_type_name(value));
        }
        val_release(it);
        items = op_to_list(I, value);
        if (!items) return -1;
    }
    ListValue *l = (ListValue *)items;
    int star = -1;
    for (int i = 0; i < targets->count; i++)
        if (targets->items[i]->kind == AST_STARRED) star = i;
    int n = targets->count;
    int rc = 0;
    if (star < 0) {
        if (l->count > n)
            rc = interp_error(I, ERR_VALUE, "too many values to unpack (expected %d)", n);
        else if (l->count < n)
            rc = interp_error(I, ERR_VALUE, "not enough values to unpack (expected %d, got %lld)",
                              n, (long long)l->count);
        for (int i = 0; rc == 0 && i < n; i++) rc = assign_target(I, f, targets->items[i], l->items[i]);
    } else {
        int after = n - star - 1;
        if (l->count < n - 1) {
            rc = interp_error(I, ERR_VALUE,
                              "not enough values to unpack (expected at least %d, got %lld)", n - 1,
                              (long long)l->count);
        }
        for (int i = 0; rc == 0 && i < star; i++) rc = assign_target(I, f, targets->items[i], l->items[i]);
        if (rc == 0) {
            int64_t mid = l->count - star - after;
            Value *rest = val_list_new(I, mid);
            for (int64_t k = 0; rest && k < mid; k++)
                if (val_list_append(I, rest, l->items[star + k])) {
                    val_release(rest);
                    rest = NULL;
                }
            rc = rest ? assign_target(I, f, targets->items[star]->v.starred.value, rest) : -1;
            val_release(rest);
        }
        for (int i = 0; rc == 0 && i < after; i++)
            rc = assign_target(I, f, targets->items[star + 1 + i], l->items[l->count - after + i]);
    }
    val_release(items);
    return rc;
}

static int assign_target(Interp *I, Frame *f, const AstNode *t, Value *value) {
    switch (t->kind) {
    case AST_NAME: return store_name(I, f, t->v.name.id, value);
    case AST_ATTRIBUTE: {
        Value *obj = eval_expr(I, f, t->v.attribute.value);
        if (!obj) return -1;
        int rc = op_setattr(I, obj, t->v.attribute.attr, value);
        val_release(obj);
        return rc;
    }
    case AST_SUBSCRIPT: {
        Value *obj = eval_expr(I, f, t->v.subscript.value);
        Value *key = obj ? eval_subscript_key(I, f, t->v.subscript.slice) : NULL;
        int rc = key ? op_setitem(I, obj, key, value) : -1;
        val_release(obj);
        val_release(key);
        return rc;
    }
    case AST_TUPLE:
    case AST_LIST: return unpack_into(I, f, &t->v.seq.elts, value);
    default: return interp_error(I, ERR_SYNTAX, "cannot assign to %s", ast_expr_name(t));
    }
}

static int delete_target(Interp *I, Frame *f, const AstNode *t) {
    switch (t->kind) {
    case AST_NAME: return delete_name(I, f, t->v.name.id);
    case AST_ATTRIBUTE: {
        Value *obj = eval_expr(I, f, t->v.attribute.value);
        int rc = obj ? class_delattr(I, obj, t->v.attribute.attr) : -1;
        val_release(obj);
        return rc;
    }
    case AST_SUBSCRIPT: {
        Value *obj = eval_expr(I, f, t->v.subscript.value);
        Value *key = obj ? eval_subscript_key(I, f, t->v.subscript.slice) : NULL;
        int rc = key ? op_setitem(I, obj, key, NULL) : -1;
        val_release(obj);
        val_release(key);
        return rc;
    }
    case AST_TUPLE:
    case AST_LIST:
        for (int i = 0; i < t->v.seq.elts.count; i++)
            if (delete_target(I, f, t->v.seq.elts.items[i])) return -1;
        return 0;
    default: return interp_error(I, ERR_SYNTAX, "cannot delete %s", ast_expr_name(t));
    }
}

/* ---- statements ---- */

/* class Name(Base): body — the body runs in its own namespace, which becomes the class's. */
static ExecStatus exec_class_def(Interp *I, Frame *f, const AstNode *s) {
    EvalState *es = state(I);
    const char *name = s->v.class_def.name;
    if (s->v.class_def.keywords.count) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "class keyword arguments (metaclass=...) are not "
                                             "supported by embedlab");
        return EXEC_ERROR;
    }
    if (s->v.class_def.bases.count > 1) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "multiple inheritance is not supported by embedlab");
        interp_hint(I, "give class %s one base class", name);
        return EXEC_ERROR;
    }
    Value *base = NULL;
    if (s->v.class_def.bases.count == 1) {
        if (s->v.class_def.bases.items[0]->kind == AST_STARRED) {
            interp_error(I, ERR_NOT_IMPLEMENTED, "starred base classes are not supported");
            return EXEC_ERROR;
        }
        base = eval_expr(I, f, s->v.class_def.bases.items[0]);
        if (!base) return EXEC_ERROR;
    }
    StrBuf qual = SB_INIT;
    if (f->qualname) sb_appendf(&qual, f->is_class ? "%s.%s" : "%s.<locals>.%s", f->qualname, name);
    else sb_append(&qual, name);
    Value *ns = val_dict_new(I);
    Value *module_name = val_dict_get_str(I, f->globals, "__name__");
    module_name = module_name && val_is_str(module_name) ? val_retain(module_name)
                                                         : val_str(I, "__main__");
    Value *qual_name = sb_check(&qual, &I->error) ? NULL : val_str(I, sb_str(&qual));
    ExecStatus st = ns && module_name && qual_name &&
                            !val_dict_set_str(I, ns, "__module__", module_name) &&
                            !val_dict_set_str(I, ns, "__qualname__", qual_name)
                        ? EXEC_OK
                        : EXEC_ERROR;
    val_release(module_name);
    val_release(qual_name);
    const AstList *body = &s->v.class_def.body;
    if (st == EXEC_OK && body->count && body->items[0]->kind == AST_EXPR &&
        body->items[0]->v.expr.value->kind == AST_CONSTANT &&
        body->items[0]->v.expr.value->v.constant.value.type == AST_CONST_STR) {
        const AstConst *c = &body->items[0]->v.expr.value->v.constant.value;
        Value *doc = val_strn(I, c->s, c->len);
        if (!doc || val_dict_set_str(I, ns, "__doc__", doc)) st = EXEC_ERROR;
        val_release(doc);
    }
    Value *closure = NULL;
    if (st == EXEC_OK && (f->closure || (f->locals && !f->is_class))) {
        /* The body sees enclosing function scopes, like a function would. */
        closure = val_list_new(I, 4);
        if (!closure) st = EXEC_ERROR;
        ListValue *outer = (ListValue *)f->closure;
        for (int64_t i = 0; st == EXEC_OK && outer && i < outer->count; i++)
            if (val_list_append(I, closure, outer->items[i])) st = EXEC_ERROR;
        if (st == EXEC_OK && f->locals && !f->is_class && val_list_append(I, closure, f->locals))
            st = EXEC_ERROR;
    }
    if (st == EXEC_OK) {
        Frame frame = {0};
        frame.parent = es->frame;
        frame.qualname = sb_str(&qual);
        frame.is_class = true;
        frame.locals = ns;
        frame.globals = f->globals;
        frame.closure = closure;
        frame.code = f->code;
        frame.name = name;
        frame.line = s->line;
        es->frame = &frame;
        st = exec_block(I, &frame, body);
        if (st == EXEC_ERROR) trace_frame(I, &frame);
        es->frame = frame.parent;
        if (st != EXEC_ERROR && st != EXEC_OK) st = EXEC_OK; /* the parser rejects the rest */
    }
    Value *cls = st == EXEC_OK ? class_new(I, name, base, ns) : NULL;
    if (cls) {
        /* Methods learn their class, for super() without arguments. */
        DictValue *d = (DictValue *)ns;
        for (int64_t i = 0; i < d->used; i++) {
            Value *v = d->entries[i].value;
            if (d->entries[i].key && v && val_is(v, &type_function) && !((FunctionValue *)v)->owner)
                ((FunctionValue *)v)->owner = val_retain(cls);
        }
    }
    int rc = cls ? store_name(I, f, name, cls) : -1;
    val_release(cls);
    val_release(closure);
    val_release(ns);
    val_release(base);
    sb_free(&qual);
    return rc ? EXEC_ERROR : EXEC_OK;
}

/* Runs an `except` block for the pending exception, which it takes over. */
static ExecStatus exec_handler(Interp *I, Frame *f, const AstNode *h, int mark, int error_line) {
    EvalState *es = state(I);
    Value *exc = exc_from_error(I);
    if (!exc) return EXEC_ERROR;
    Handling entry = {exc, NULL, 0, error_line, es->handling};
    int unwound = es->trace_count - mark;
    if (unwound > 0) {
        entry.trace = mem_alloc((size_t)unwound * sizeof *entry.trace, NULL);
        if (entry.trace) {
            memcpy(entry.trace, &es->trace[mark], (size_t)unwound * sizeof *entry.trace);
            entry.trace_count = unwound;
        }
    }
    interp_clear_error(I);
    es->trace_count = mark;
    es->handling = &entry;
    const char *name = h->v.except_handler.name;
    ExecStatus st = name && store_name(I, f, name, exc) ? EXEC_ERROR : EXEC_OK;
    if (st == EXEC_OK) st = exec_block(I, f, &h->v.except_handler.body);
    es->handling = entry.prev;
    if (name) { /* `except E as e` unbinds e when the block ends, as Python does */
        InterpSavedError pending = interp_save_error(I);
        Value *key = val_str(I, name);
        if (key) val_dict_del(I, store_target(I, f, name), key);
        val_release(key);
        interp_clear_error(I);
        interp_restore_error(I, &pending);
    }
    mem_free(entry.trace);
    val_release(exc);
    return st;
}

static ExecStatus exec_try(Interp *I, Frame *f, const AstNode *s) {
    EvalState *es = state(I);
    int mark = es->trace_count;
    ExecStatus st = exec_block(I, f, &s->v.try_.body);
    if (st == EXEC_ERROR) {
        int error_line = f->line;
        const AstList *handlers = &s->v.try_.handlers;
        for (int i = 0; i < handlers->count; i++) {
            const AstNode *h = handlers->items[i];
            int matched = 1;
            if (h->v.except_handler.type) {
                InterpSavedError pending = interp_save_error(I);
                int count = es->trace_count;
                f->line = h->line;
                Value *cls = eval_expr(I, f, h->v.except_handler.type);
                if (!cls) {
                    interp_discard_error(&pending); /* the new error replaces it */
                    matched = -1;
                } else {
                    interp_restore_error(I, &pending);
                    es->trace_count = count;
                    matched = exc_matches(I, cls);
                    val_release(cls);
                }
            }
            if (matched < 0) break;
            if (matched) {
                f->line = h->line;
                st = exec_handler(I, f, h, mark, error_line);
                break;
            }
        }
        if (st == EXEC_ERROR && interp_has_error(I) && f->line != error_line &&
            es->trace_count == mark)
            f->line = error_line; /* unhandled: the traceback shows where it was raised */
    } else if (st == EXEC_OK) {
        st = exec_block(I, f, &s->v.try_.orelse);
    }
    if (s->v.try_.finalbody.count) {
        bool pending_error = st == EXEC_ERROR;
        int line = f->line, count = es->trace_count;
        InterpSavedError pending = {0};
        if (pending_error) pending = interp_save_error(I);
        ExecStatus fst = exec_block(I, f, &s->v.try_.finalbody);
        if (fst == EXEC_OK) {
            if (pending_error) {
                interp_restore_error(I, &pending);
                es->trace_count = count;
                f->line = line;
            }
        } else {
            if (pending_error) interp_discard_error(&pending);
            st = fst; /* return/break/continue or a new error in finally wins */
        }
    }
    return st;
}

static ExecStatus exec_raise(Interp *I, Frame *f, const AstNode *s) {
    EvalState *es = state(I);
    if (!s->v.raise.exc) {
        Handling *h = es->handling;
        if (!h) {
            interp_error(I, ERR_RUNTIME, "No active exception to reraise");
            return EXEC_ERROR;
        }
        exc_raise(I, h->exc);
        for (int i = 0; i < h->trace_count && es->trace_count < EVAL_MAX_TRACEBACK; i++)
            es->trace[es->trace_count++] = h->trace[i];
        f->line = h->line;
        return EXEC_ERROR;
    }
    Value *exc = eval_expr(I, f, s->v.raise.exc);
    if (!exc) return EXEC_ERROR;
    if (s->v.raise.cause) {
        Value *cause = eval_expr(I, f, s->v.raise.cause);
        bool ok = cause && (val_is_none(cause) || val_is_exception(cause) || exc_is_class(cause));
        if (cause && !ok)
            interp_error(I, ERR_TYPE, "exception causes must derive from BaseException");
        val_release(cause);
        if (!ok) {
            val_release(exc);
            return EXEC_ERROR;
        }
    }
    exc_raise(I, exc);
    val_release(exc);
    return EXEC_ERROR;
}

static int exec_import(Interp *I, Frame *f, const AstNode *s) {
    for (int i = 0; i < s->v.import.names.count; i++) {
        const AstNode *a = s->v.import.names.items[i];
        const char *name = a->v.alias.name;
        Value *m = module_import(I, name);
        if (!m) return -1;
        int rc;
        if (a->v.alias.asname) {
            rc = store_name(I, f, a->v.alias.asname, m);
        } else {
            /* `import torch.nn` binds `torch`. */
            char top[128];
            const char *dot = strchr(name, '.');
            size_t n = dot ? (size_t)(dot - name) : strlen(name);
            if (n >= sizeof top) n = sizeof top - 1;
            memcpy(top, name, n);
            top[n] = '\0';
            Value *top_module = dot ? module_import(I, top) : val_retain(m);
            rc = top_module ? store_name(I, f, top, top_module) : -1;
            val_release(top_module);
        }
        val_release(m);
        if (rc) return -1;
    }
    return 0;
}

static int exec_import_from(Interp *I, Frame *f, const AstNode *s) {
    if (s->v.import_from.level > 0 || !s->v.import_from.module)
        return interp_error(I, ERR_IMPORT, "attempted relative import with no known parent package");
    const char *modname = s->v.import_from.module;
    Value *m = module_import(I, modname);
    if (!m) return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < s->v.import_from.names.count; i++) {
        const AstNode *a = s->v.import_from.names.items[i];
        const char *name = a->v.alias.name;
        if (strcmp(name, "*") == 0) {
            Value *names = val_list_new(I, 16);
            rc = names && m->type->dir ? m->type->dir(I, m, names) : -1;
            for (int64_t k = 0; rc == 0 && k < ((ListValue *)names)->count; k++) {
                const char *n = val_str_data(((ListValue *)names)->items[k]);
                if (n[0] == '_') continue;
                Value *v = op_getattr(I, m, n);
                rc = v ? store_name(I, f, n, v) : -1;
                val_release(v);
            }
            val_release(names);
            continue;
        }
        Value *v = op_getattr_opt(I, m, name);
        if (!v && !interp_has_error(I)) {
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", modname, name);
            Error saved = I->error;
            v = module_import(I, sub);
            if (!v) {
                I->error = saved;
                interp_clear_error(I);
                interp_error(I, ERR_IMPORT, "cannot import name '%s' from '%s' (unknown location)",
                             name, modname);
            }
        }
        if (!v) {
            rc = -1;
            break;
        }
        rc = store_name(I, f, a->v.alias.asname ? a->v.alias.asname : name, v);
        val_release(v);
    }
    val_release(m);
    return rc;
}

/* Calls obj.<method>(args...) and returns the result. */
static Value *call_method(Interp *I, Value *obj, const char *method, Value **args, int n) {
    Value *m = op_getattr_opt(I, obj, method);
    if (!m) {
        if (!interp_has_error(I))
            interp_error(I, ERR_ATTRIBUTE, "__enter__");
        return NULL;
    }
    Value *r = call_value(I, m, args, n);
    val_release(m);
    return r;
}

static ExecStatus exec_with(Interp *I, Frame *f, const AstNode *s, int index) {
    if (index == s->v.with.items.count) return exec_block(I, f, &s->v.with.body);
    const AstNode *item = s->v.with.items.items[index];
    Value *ctx = eval_expr(I, f, item->v.withitem.context_expr);
    if (!ctx) return EXEC_ERROR;
    Value *entered = call_method(I, ctx, "__enter__", NULL, 0);
    if (!entered) {
        if (I->error.code == ERR_ATTRIBUTE) {
            interp_clear_error(I);
            interp_error(I, ERR_ATTRIBUTE, "__enter__");
            interp_hint(I, "'%s' object does not support the context manager protocol",
                        val_type_name(ctx));
        }
        val_release(ctx);
        return EXEC_ERROR;
    }
    ExecStatus st = EXEC_OK;
    if (item->v.withitem.optional_vars &&
        assign_target(I, f, item->v.withitem.optional_vars, entered))
        st = EXEC_ERROR;
    val_release(entered);
    if (st == EXEC_OK) st = exec_with(I, f, s, index + 1);
    /* __exit__ runs on every way out; an error inside is kept over __exit__'s result. */
    InterpSavedError pending = interp_save_error(I);
    Value *none[3] = {I->none, I->none, I->none};
    Value *exited = call_method(I, ctx, "__exit__", none, 3);
    if (!exited) {
        if (st != EXEC_ERROR) {
            st = EXEC_ERROR;
            interp_discard_error(&pending);
        } else {
            interp_restore_error(I, &pending);
        }
    } else {
        val_release(exited);
        if (st == EXEC_ERROR) interp_restore_error(I, &pending);
        else interp_discard_error(&pending);
    }
    val_release(ctx);
    return st;
}

static ExecStatus exec_for(Interp *I, Frame *f, const AstNode *s) {
    Value *iterable = eval_expr(I, f, s->v.for_.iter);
    if (!iterable) return EXEC_ERROR;
    Value *it = op_iter(I, iterable);
    val_release(iterable);
    if (!it) return EXEC_ERROR;
    ExecStatus st = EXEC_OK;
    bool broke = false;
    for (;;) {
        if (check_interrupt(I)) {
            st = EXEC_ERROR;
            break;
        }
        f->line = s->line;
        Value *x = op_next(I, it);
        if (!x) {
            if (interp_has_error(I)) st = EXEC_ERROR;
            break;
        }
        int rc = assign_target(I, f, s->v.for_.target, x);
        val_release(x);
        if (rc) {
            st = EXEC_ERROR;
            break;
        }
        st = exec_block(I, f, &s->v.for_.body);
        if (st == EXEC_BREAK) {
            st = EXEC_OK;
            broke = true;
            break;
        }
        if (st == EXEC_CONTINUE) st = EXEC_OK;
        if (st != EXEC_OK) break;
    }
    val_release(it);
    if (st == EXEC_OK && !broke) st = exec_block(I, f, &s->v.for_.orelse);
    return st;
}

static ExecStatus exec_while(Interp *I, Frame *f, const AstNode *s) {
    for (;;) {
        if (check_interrupt(I)) return EXEC_ERROR;
        f->line = s->line;
        Value *c = eval_expr(I, f, s->v.while_.test);
        if (!c) return EXEC_ERROR;
        int t = val_truth(I, c);
        val_release(c);
        if (t < 0) return EXEC_ERROR;
        if (!t) return exec_block(I, f, &s->v.while_.orelse);
        ExecStatus st = exec_block(I, f, &s->v.while_.body);
        if (st == EXEC_BREAK) return EXEC_OK;
        if (st == EXEC_CONTINUE || st == EXEC_OK) continue;
        return st;
    }
}

static ExecStatus exec_stmt(Interp *I, Frame *f, const AstNode *s) {
    if (check_interrupt(I) || check_stack(I)) return EXEC_ERROR;
    f->line = s->line;
    switch (s->kind) {
    case AST_EXPR: {
        Value *v = eval_expr(I, f, s->v.expr.value);
        val_release(v);
        return v ? EXEC_OK : EXEC_ERROR;
    }
    case AST_ASSIGN: {
        Value *v = eval_expr(I, f, s->v.assign.value);
        if (!v) return EXEC_ERROR;
        int rc = 0;
        for (int i = 0; rc == 0 && i < s->v.assign.targets.count; i++)
            rc = assign_target(I, f, s->v.assign.targets.items[i], v);
        val_release(v);
        return rc ? EXEC_ERROR : EXEC_OK;
    }
    case AST_AUG_ASSIGN: {
        const AstNode *t = s->v.aug_assign.target;
        Value *current = eval_expr(I, f, t);
        Value *rhs = current ? eval_expr(I, f, s->v.aug_assign.value) : NULL;
        Value *r = rhs ? op_inplace(I, (PyOp)s->v.aug_assign.op, current, rhs) : NULL;
        int rc = r ? assign_target(I, f, t, r) : -1;
        val_release(current);
        val_release(rhs);
        val_release(r);
        return rc ? EXEC_ERROR : EXEC_OK;
    }
    case AST_ANN_ASSIGN: {
        int rc = 0;
        if (s->v.ann_assign.value) {
            Value *v = eval_expr(I, f, s->v.ann_assign.value);
            rc = v ? assign_target(I, f, s->v.ann_assign.target, v) : -1;
            val_release(v);
        }
        /* Module and class bodies evaluate the annotation; function bodies do not. */
        if (!rc && (!f->locals || f->is_class)) {
            Value *ann = eval_expr(I, f, s->v.ann_assign.annotation);
            rc = ann ? 0 : -1;
            val_release(ann);
        }
        return rc ? EXEC_ERROR : EXEC_OK;
    }
    case AST_DELETE:
        for (int i = 0; i < s->v.delete_.targets.count; i++)
            if (delete_target(I, f, s->v.delete_.targets.items[i])) return EXEC_ERROR;
        return EXEC_OK;
    case AST_PASS: return EXEC_OK;
    case AST_BREAK: return EXEC_BREAK;
    case AST_CONTINUE: return EXEC_CONTINUE;
    case AST_RETURN: {
        Value *v = s->v.return_.value ? eval_expr(I, f, s->v.return_.value) : val_none(I);
        if (!v) return EXEC_ERROR;
        val_release(f->retval);
        f->retval = v;
        return EXEC_RETURN;
    }
    case AST_IF: {
        Value *c = eval_expr(I, f, s->v.if_.test);
        if (!c) return EXEC_ERROR;
        int t = val_truth(I, c);
        val_release(c);
        if (t < 0) return EXEC_ERROR;
        return exec_block(I, f, t ? &s->v.if_.body : &s->v.if_.orelse);
    }
    case AST_FOR: return exec_for(I, f, s);
    case AST_WHILE: return exec_while(I, f, s);
    case AST_WITH: return exec_with(I, f, s, 0);
    case AST_FUNCTION_DEF: {
        Value *fn = make_function(I, f, s);
        int rc = fn ? store_name(I, f, s->v.function_def.name, fn) : -1;
        val_release(fn);
        return rc ? EXEC_ERROR : EXEC_OK;
    }
    case AST_ASSERT: {
        Value *c = eval_expr(I, f, s->v.assert_.test);
        if (!c) return EXEC_ERROR;
        int t = val_truth(I, c);
        val_release(c);
        if (t < 0) return EXEC_ERROR;
        if (t) return EXEC_OK;
        if (!s->v.assert_.msg) {
            interp_error(I, ERR_ASSERTION, "%s", "");
            return EXEC_ERROR;
        }
        Value *m = eval_expr(I, f, s->v.assert_.msg);
        if (!m) return EXEC_ERROR;
        StrBuf sb = SB_INIT;
        if (val_str_of(I, m, &sb) == 0) interp_error(I, ERR_ASSERTION, "%s", sb_str(&sb));
        sb_free(&sb);
        val_release(m);
        return EXEC_ERROR;
    }
    case AST_IMPORT: return exec_import(I, f, s) ? EXEC_ERROR : EXEC_OK;
    case AST_IMPORT_FROM: return exec_import_from(I, f, s) ? EXEC_ERROR : EXEC_OK;
    case AST_GLOBAL:
    case AST_NONLOCAL: return EXEC_OK; /* resolved when the function was defined */
    case AST_CLASS_DEF: return exec_class_def(I, f, s);
    case AST_TRY: return exec_try(I, f, s);
    case AST_RAISE: return exec_raise(I, f, s);
    default:
        interp_error(I, ERR_SYNTAX, "'%s' is not supported yet", ast_kind_name(s->kind));
        return EXEC_ERROR;
    }
}

static ExecStatus exec_block(Interp *I, Frame *f, const AstList *body) {
    for (int i = 0; i < body->count; i++) {
        ExecStatus st = exec_stmt(I, f, body->items[i]);
        if (st != EXEC_OK) return st;
    }
    return EXEC_OK;
}

/* ---- compile-time scope checks (CPython's symtable errors) ---- */

typedef struct ScopeLevel {
    Value *locals;               /* set of names bound in this function */
    const struct ScopeLevel *up; /* enclosing function, NULL at module level */
} ScopeLevel;

static int check_block(Interp *I, const AstList *body, const ScopeLevel *scope);

static int syntax_error_at(Interp *I, const AstNode *n, const char *fmt, const char *name) {
    interp_error(I, ERR_SYNTAX, fmt, name);
    I->error.line = n->line;
    I->error.col = n->col + 1;
    I->error.end_line = n->end_line;
    I->error.end_col = n->end_col + 1;
    return -1;
}

static int check_function(Interp *I, const AstNode *def, const ScopeLevel *outer) {
    const AstNode *a = def->v.function_def.args;
    Value *locals = val_dict_new(I), *declared = val_dict_new(I);
    int rc = locals && declared ? 0 : -1;
    const AstList *groups[3] = {&a->v.arguments.posonlyargs, &a->v.arguments.args,
                                &a->v.arguments.kwonlyargs};
    for (int g = 0; rc == 0 && g < 3; g++)
        for (int i = 0; rc == 0 && i < groups[g]->count; i++)
            rc = name_set_add(I, locals, groups[g]->items[i]->v.arg.arg);
    if (rc == 0 && a->v.arguments.vararg) rc = name_set_add(I, locals, a->v.arguments.vararg->v.arg.arg);
    if (rc == 0 && a->v.arguments.kwarg) rc = name_set_add(I, locals, a->v.arguments.kwarg->v.arg.arg);
    if (rc == 0) rc = collect_block(I, &def->v.function_def.body, locals, declared);
    ScopeLevel level = {locals, outer};
    if (rc == 0) rc = check_block(I, &def->v.function_def.body, &level);
    val_release(locals);
    val_release(declared);
    return rc;
}

static int check_stmt(Interp *I, const AstNode *s, const ScopeLevel *scope) {
    switch (s->kind) {
    case AST_FUNCTION_DEF: return check_function(I, s, scope);
    case AST_NONLOCAL:
        for (int i = 0; i < s->v.global.count; i++) {
            const char *name = s->v.global.names[i];
            if (!scope)
                return syntax_error_at(I, s, "nonlocal declaration not allowed at module level%s", "");
            bool found = false;
            for (const ScopeLevel *up = scope->up; up && !found; up = up->up)
                found = set_has(I, up->locals, name);
            if (!found) return syntax_error_at(I, s, "no binding for nonlocal '%s' found", name);
        }
        return 0;
    case AST_FOR:
        return check_block(I, &s->v.for_.body, scope) || check_block(I, &s->v.for_.orelse, scope);
    case AST_WHILE:
        return check_block(I, &s->v.while_.body, scope) ||
               check_block(I, &s->v.while_.orelse, scope);
    case AST_IF:
        return check_block(I, &s->v.if_.body, scope) || check_block(I, &s->v.if_.orelse, scope);
    case AST_WITH: return check_block(I, &s->v.with.body, scope);
    case AST_TRY:
        for (int i = 0; i < s->v.try_.handlers.count; i++)
            if (check_block(I, &s->v.try_.handlers.items[i]->v.except_handler.body, scope))
                return -1;
        return check_block(I, &s->v.try_.body, scope) || check_block(I, &s->v.try_.orelse, scope) ||
               check_block(I, &s->v.try_.finalbody, scope);
    default: return 0;
    }
}

static int check_block(Interp *I, const AstList *body, const ScopeLevel *scope) {
    for (int i = 0; i < body->count; i++)
        if (check_stmt(I, body->items[i], scope)) return -1;
    return 0;
}

/* ---- module execution ---- */

static Value *current_scope(Interp *I) {
    EvalState *es = state(I);
    if (es->frame && es->frame->locals) return es->frame->locals;
    return es->globals;
}

/* ---- inspection ---- */

int eval_function_signature(Interp *I, Value *value, bool skip_first, StrBuf *out) {
    if (!val_is(value, &type_function)) return interp_error(I, ERR_TYPE, "not a function");
    FunctionValue *fn = (FunctionValue *)value;
    const AstNode *a = function_args(fn->node);
    const AstList *posonly = &a->v.arguments.posonlyargs, *args = &a->v.arguments.args;
    ListValue *defaults = (ListValue *)fn->defaults;
    int npos = posonly->count + args->count;
    int first_default = npos - (int)(defaults ? defaults->count : 0);
    bool first = true;
    sb_appendc(out, '(');
    for (int i = 0; i < npos; i++) {
        const AstNode *arg = i < posonly->count ? posonly->items[i]
                                                : args->items[i - posonly->count];
        if (i == 0 && skip_first) continue;
        if (!first) sb_append(out, ", ");
        first = false;
        sb_append(out, arg->v.arg.arg);
        if (i >= first_default) {
            sb_appendc(out, '=');
            if (val_repr(I, defaults->items[i - first_default], out)) return -1;
        }
        if (posonly->count && i == posonly->count - 1) sb_append(out, ", /");
    }
    const AstList *kwonly = &a->v.arguments.kwonlyargs;
    if (a->v.arguments.vararg || kwonly->count) {
        if (!first) sb_append(out, ", ");
        first = false;
        sb_appendc(out, '*');
        if (a->v.arguments.vararg) sb_append(out, a->v.arguments.vararg->v.arg.arg);
    }
    ListValue *kwd = (ListValue *)fn->kw_defaults;
    for (int i = 0; i < kwonly->count; i++) {
        sb_appendf(out, ", %s", kwonly->items[i]->v.arg.arg);
        if (kwd && i < kwd->count && kwd->items[i]) {
            sb_appendc(out, '=');
            if (val_repr(I, kwd->items[i], out)) return -1;
        }
    }
    if (a->v.arguments.kwarg)
        sb_appendf(out, "%s**%s", first ? "" : ", ", a->v.arguments.kwarg->v.arg.arg);
    sb_appendc(out, ')');
    return 0;
}

/* ---- builtins that need the evaluator's frames ---- */

/* super() inside a method: the class whose body defined the running function and the
 * function's first argument; super(cls, obj) explicitly. */
static Value *bi_super(Interp *I, Value *self, Value **argv) {
    (void)self;
    ListValue *args = (ListValue *)argv[0];
    if (args->count == 2) return super_new(I, args->items[0], args->items[1]);
    if (args->count != 0) {
        interp_error(I, ERR_TYPE, args->count == 1
                                      ? "super() with one argument is not supported by embedlab"
                                      : "super() takes at most 2 arguments (%lld given)",
                     (long long)args->count);
        return NULL;
    }
    Frame *f = state(I)->frame;
    FunctionValue *fn = f ? f->function : NULL;
    if (!fn) {
        interp_error(I, ERR_RUNTIME, "super(): no arguments");
        return NULL;
    }
    if (!fn->owner) {
        interp_error(I, ERR_RUNTIME, "super(): __class__ cell not found");
        return NULL;
    }
    const AstNode *params = fn->node->kind == AST_LAMBDA ? fn->node->v.lambda.args
                                                           : fn->node->v.function_def.args;
    const AstList *first = params->v.arguments.posonlyargs.count ? &params->v.arguments.posonlyargs
                                                                 : &params->v.arguments.args;
    Value *obj = first->count && f->locals
                     ? val_dict_get_str(I, f->locals, first->items[0]->v.arg.arg)
                     : NULL;
    if (!obj) {
        interp_error(I, ERR_RUNTIME, "super(): no arguments");
        return NULL;
    }
    return super_new(I, fn->owner, obj);
}

static const BuiltinSpec evaluator_builtins[] = {
    {"super", bi_super, "(*args)",
     "super() -> same as super(__class__, <first argument>); super(type, obj) -> bound super "
     "object."},
    {NULL, NULL, NULL, NULL},
};

int eval_init(Interp *I) {
    EvalState *es = mem_calloc(1, sizeof *es, NULL);
    if (!es) return interp_error(I, ERR_MEMORY, "out of memory");
    I->host = es;
    I->current_scope = current_scope;
    es->globals = val_dict_new(I);
    es->builtins = val_dict_new(I);
    if (!es->globals || !es->builtins || builtins_install(I, es->builtins) ||
        exc_install(I, es->builtins) ||
        builtins_add_functions(I, es->builtins, evaluator_builtins))
        return -1;
    Value *main_name = val_str(I, "__main__");
    int rc = main_name ? val_dict_set_str(I, es->globals, "__name__", main_name) : -1;
    val_release(main_name);
    return rc;
}

void eval_free(Interp *I) {
    EvalState *es = state(I);
    if (!es) return;
    val_release(es->globals);
    val_release(es->builtins);
    mem_free(es);
    I->host = NULL;
}

Value *eval_globals(Interp *I) { return state(I)->globals; }
Value *eval_builtins(Interp *I) { return state(I)->builtins; }

int eval_reset(Interp *I) {
    EvalState *es = state(I);
    Value *fresh = val_dict_new(I);
    Value *main_name = fresh ? val_str(I, "__main__") : NULL;
    if (!main_name || val_dict_set_str(I, fresh, "__name__", main_name)) {
        val_release(fresh);
        val_release(main_name);
        return -1;
    }
    val_release(main_name);
    val_release(es->globals);
    es->globals = fresh;
    return 0;
}

const TraceEntry *eval_traceback(Interp *I, int *count) {
    EvalState *es = state(I);
    *count = es->trace_count;
    return es->trace;
}

int eval_module(Interp *I, Ast *ast, const char *chunk, const char *source, size_t len,
                Value **result) {
    return eval_module_in(I, ast, chunk, source, len, state(I)->globals, result);
}

int eval_module_in(Interp *I, Ast *ast, const char *chunk, const char *source, size_t len,
                   Value *globals, Value **result) {
    EvalState *es = state(I);
    *result = NULL;
    es->trace_count = 0;
    Error err;
    CodeValue *code = (CodeValue *)val_alloc(I, &type_code, sizeof *code);
    if (!code) {
        ast_free(ast);
        return -1;
    }
    code->ast = ast;
    code->chunk = mem_strdup(chunk ? chunk : "<stdin>", &err);
    code->source = mem_strndup(source ? source : "", source ? len : 0, &err);
    code->len = source ? len : 0;
    if (!code->chunk || !code->source) {
        val_release((Value *)code);
        return interp_raise(I, &err);
    }
    if (check_block(I, &ast->root->v.module.body, NULL)) {
        val_release((Value *)code);
        return EVAL_COMPILE_ERROR;
    }
    char here;
    if (!es->frame) es->stack_base = (uintptr_t)&here;
    Frame frame = {0};
    frame.parent = es->frame;
    frame.globals = globals;
    frame.code = code;
    frame.name = "<module>";
    es->frame = &frame;
    const AstList *body = &ast->root->v.module.body;
    int rc = 0;
    for (int i = 0; i < body->count; i++) {
        const AstNode *s = body->items[i];
        ExecStatus st;
        if (i == body->count - 1 && s->kind == AST_EXPR) {
            /* The trailing expression's value is the chunk's result. */
            if (check_interrupt(I)) {
                st = EXEC_ERROR;
            } else {
                frame.line = s->line;
                Value *v = eval_expr(I, &frame, s->v.expr.value);
                if (v && !val_is_none(v)) *result = v;
                else val_release(v);
                st = v ? EXEC_OK : EXEC_ERROR;
            }
        } else {
            st = exec_stmt(I, &frame, s);
        }
        if (st == EXEC_ERROR) {
            trace_frame(I, &frame);
            rc = -1;
            break;
        }
        if (st == EXEC_BREAK || st == EXEC_CONTINUE || st == EXEC_RETURN) {
            /* The parser rejects these outside loops/functions; be safe anyway. */
            val_release(frame.retval);
            frame.retval = NULL;
            interp_error(I, ERR_SYNTAX, "'%s' outside %s",
                         st == EXEC_RETURN ? "return" : st == EXEC_BREAK ? "break" : "continue",
                         st == EXEC_RETURN ? "function" : "loop");
            trace_frame(I, &frame);
            rc = -1;
            break;
        }
    }
    es->frame = frame.parent;
    if (rc) {
        val_release(*result);
        *result = NULL;
        /* Entries were collected innermost first: reverse to Python's order. */
        for (int a = 0, b = es->trace_count - 1; a < b; a++, b--) {
            TraceEntry tmp = es->trace[a];
            es->trace[a] = es->trace[b];
            es->trace[b] = tmp;
        }
    }
    val_release((Value *)code);
    return rc;
}
