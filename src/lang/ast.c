/*
 * src/lang/ast.c — AST arena, node names and ast.dump() compatible printing.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "lang/ast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "lang/unicode.h"

/* ---- arena ---- */

#define ARENA_CHUNK 16384

typedef struct ArenaChunk {
    struct ArenaChunk *next;
    size_t used, cap;
    max_align_t data[]; /* cap bytes */
} ArenaChunk;

struct AstArena {
    ArenaChunk *head;
};

AstArena *ast_arena_new(Error *err) { return mem_calloc(1, sizeof(AstArena), err); }

void ast_arena_free(AstArena *arena) {
    if (!arena) return;
    ArenaChunk *c = arena->head;
    while (c) {
        ArenaChunk *next = c->next;
        mem_free(c);
        c = next;
    }
    mem_free(arena);
}

void *ast_arena_alloc(AstArena *arena, size_t size, Error *err) {
    size = (size + 7) & ~(size_t)7;
    ArenaChunk *c = arena->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = mem_alloc(sizeof(ArenaChunk) + cap, err);
        if (!c) return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = arena->head;
        arena->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *ast_arena_strndup(AstArena *arena, const char *s, size_t len, Error *err) {
    char *p = ast_arena_alloc(arena, len + 1, err);
    if (!p) return NULL;
    if (len) memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

AstNode *ast_node_new(AstArena *arena, AstKind kind, int line, int col, int end_line,
                      int end_col, Error *err) {
    AstNode *n = ast_arena_alloc(arena, sizeof *n, err);
    if (!n) return NULL;
    n->kind = kind;
    n->line = line;
    n->col = col;
    n->end_line = end_line;
    n->end_col = end_col;
    return n;
}

int ast_list_push(AstArena *arena, AstList *list, int *cap, AstNode *node, Error *err) {
    if (list->count == *cap) {
        int ncap = *cap ? *cap * 2 : 4;
        AstNode **items = ast_arena_alloc(arena, sizeof(AstNode *) * (size_t)ncap, err);
        if (!items) return ERR_MEMORY;
        if (list->count) memcpy(items, list->items, sizeof(AstNode *) * (size_t)list->count);
        list->items = items;
        *cap = ncap;
    }
    list->items[list->count++] = node;
    return ERR_OK;
}

void ast_free(Ast *ast) {
    if (!ast) return;
    ast_arena_free(ast->arena);
    mem_free(ast);
}

/* ---- names ---- */

static const char *const kind_names[AST_KIND_COUNT] = {
#define AST_KIND_NAME(e, name, member) name,
    AST_NODE_LIST(AST_KIND_NAME)
#undef AST_KIND_NAME
};
static const char *const op_names[] = {
#define AST_OP_NAME(e, name, sym) name,
    AST_OP_LIST(AST_OP_NAME)
#undef AST_OP_NAME
};
static const char *const op_syms[] = {
#define AST_OP_SYM(e, name, sym) sym,
    AST_OP_LIST(AST_OP_SYM)
#undef AST_OP_SYM
};
static const char *const unary_names[] = {
#define AST_UNARY_NAME(e, name, sym) name,
    AST_UNARY_LIST(AST_UNARY_NAME)
#undef AST_UNARY_NAME
};
static const char *const unary_syms[] = {
#define AST_UNARY_SYM(e, name, sym) sym,
    AST_UNARY_LIST(AST_UNARY_SYM)
#undef AST_UNARY_SYM
};
static const char *const cmp_names[] = {
#define AST_CMP_NAME(e, name, sym) name,
    AST_CMP_LIST(AST_CMP_NAME)
#undef AST_CMP_NAME
};
static const char *const cmp_syms[] = {
#define AST_CMP_SYM(e, name, sym) sym,
    AST_CMP_LIST(AST_CMP_SYM)
#undef AST_CMP_SYM
};

const char *ast_kind_name(AstKind kind) {
    return (int)kind >= 0 && kind < AST_KIND_COUNT ? kind_names[kind] : "?";
}
const char *ast_op_name(AstOp op) { return op < AST_OP_COUNT ? op_names[op] : "?"; }
const char *ast_op_symbol(AstOp op) { return op < AST_OP_COUNT ? op_syms[op] : "?"; }
const char *ast_unary_name(AstUnaryOp op) { return op < AST_UNARY_COUNT ? unary_names[op] : "?"; }
const char *ast_unary_symbol(AstUnaryOp op) { return op < AST_UNARY_COUNT ? unary_syms[op] : "?"; }
const char *ast_cmp_name(AstCmpOp op) { return op < AST_CMP_COUNT ? cmp_names[op] : "?"; }
const char *ast_cmp_symbol(AstCmpOp op) { return op < AST_CMP_COUNT ? cmp_syms[op] : "?"; }

const char *ast_expr_name(const AstNode *n) {
    switch (n->kind) {
    case AST_ATTRIBUTE: return "attribute";
    case AST_SUBSCRIPT: return "subscript";
    case AST_STARRED: return "starred";
    case AST_NAME: return "name";
    case AST_LIST: return "list";
    case AST_TUPLE: return "tuple";
    case AST_LAMBDA: return "lambda";
    case AST_CALL: return "function call";
    case AST_BOOL_OP: case AST_BIN_OP: case AST_UNARY_OP: return "expression";
    case AST_GENERATOR_EXP: return "generator expression";
    case AST_LIST_COMP: return "list comprehension";
    case AST_SET_COMP: return "set comprehension";
    case AST_DICT_COMP: return "dict comprehension";
    case AST_DICT: return "dict literal";
    case AST_SET: return "set display";
    case AST_JOINED_STR: case AST_FORMATTED_VALUE: return "f-string expression";
    case AST_CONSTANT:
        switch (n->v.constant.value.type) {
        case AST_CONST_NONE: return "None";
        case AST_CONST_BOOL: return n->v.constant.value.b ? "True" : "False";
        case AST_CONST_ELLIPSIS: return "ellipsis";
        default: return "literal";
        }
    case AST_COMPARE: return "comparison";
    case AST_IF_EXP: return "conditional expression";
    default: return "expression";
    }
}

/* ---- repr of constants ---- */

void ast_repr_str(const char *s, size_t len, StrBuf *out) {
    bool has_sq = memchr(s, '\'', len) != NULL, has_dq = memchr(s, '"', len) != NULL;
    char q = has_sq && !has_dq ? '"' : '\'';
    sb_appendc(out, q);
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            if (c == (unsigned char)q || c == '\\') {
                sb_appendc(out, '\\');
                sb_appendc(out, (char)c);
            } else if (c == '\n') sb_append(out, "\\n");
            else if (c == '\r') sb_append(out, "\\r");
            else if (c == '\t') sb_append(out, "\\t");
            else if (c < 0x20 || c == 0x7f) sb_appendf(out, "\\x%02x", c);
            else sb_appendc(out, (char)c);
            continue;
        }
        size_t used = 1;
        uint32_t cp = utf8_decode(s + i, len - i, &used);
        if (unicode_is_printable(cp)) {
            sb_appendn(out, s + i, used);
        } else if (cp < 0x100) {
            sb_appendf(out, "\\x%02x", (unsigned)cp);
        } else if (cp < 0x10000) {
            sb_appendf(out, "\\u%04x", (unsigned)cp);
        } else {
            sb_appendf(out, "\\U%08x", (unsigned)cp);
        }
        i += used;
    }
    sb_appendc(out, q);
}

/* Python's float repr: the shortest digits that round-trip; exponent notation when the
 * decimal exponent is < -4 or >= 16. */
static void repr_float(double d, StrBuf *out) {
    if (isnan(d)) { sb_append(out, "nan"); return; }
    if (isinf(d)) { sb_append(out, d < 0 ? "-inf" : "inf"); return; }
    char buf[64];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d) break;
    }
    /* buf: [-]D[.DDD]e[+-]XX */
    char digits[32];
    int nd = 0;
    const char *p = buf;
    bool neg = false;
    if (*p == '-') { neg = true; p++; }
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    int exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    int decpt = exp10 + 1; /* value = 0.digits * 10^decpt */
    if (neg) sb_appendc(out, '-');
    if (decpt > 16 || decpt < -3) {
        sb_appendc(out, digits[0]);
        if (nd > 1) {
            sb_appendc(out, '.');
            sb_appendn(out, digits + 1, (size_t)nd - 1);
        }
        sb_appendf(out, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
        return;
    }
    if (decpt <= 0) {
        sb_append(out, "0.");
        sb_repeat(out, '0', (size_t)-decpt);
        sb_appendn(out, digits, (size_t)nd);
        return;
    }
    if (nd <= decpt) {
        sb_appendn(out, digits, (size_t)nd);
        sb_repeat(out, '0', (size_t)(decpt - nd));
        sb_append(out, ".0");
        return;
    }
    sb_appendn(out, digits, (size_t)decpt);
    sb_appendc(out, '.');
    sb_appendn(out, digits + decpt, (size_t)(nd - decpt));
}

static void dump_const(const AstConst *c, StrBuf *out) {
    switch (c->type) {
    case AST_CONST_NONE: sb_append(out, "None"); break;
    case AST_CONST_BOOL: sb_append(out, c->b ? "True" : "False"); break;
    case AST_CONST_INT: sb_append(out, c->digits ? c->digits : "0"); break;
    case AST_CONST_FLOAT: repr_float(c->f, out); break;
    case AST_CONST_STR: ast_repr_str(c->s, c->len, out); break;
    case AST_CONST_ELLIPSIS: sb_append(out, "Ellipsis"); break;
    }
}

/* ---- dump ---- */

typedef struct Dumper {
    StrBuf *out;
    bool attrs;
    int nfields; /* fields written in the current node */
} Dumper;

static void dump_node(Dumper *d, const AstNode *n);

static void field(Dumper *d, const char *name) {
    if (d->nfields++) sb_append(d->out, ", ");
    sb_append(d->out, name);
    sb_appendc(d->out, '=');
}

static void f_node(Dumper *d, const char *name, const AstNode *n) {
    field(d, name);
    if (n) dump_node(d, n);
    else sb_append(d->out, "None");
}

/* An optional field: omitted when absent (ast.dump skips None defaults). */
static void f_opt(Dumper *d, const char *name, const AstNode *n) {
    if (n) f_node(d, name, n);
}

static void f_list(Dumper *d, const char *name, const AstList *l) {
    field(d, name);
    sb_appendc(d->out, '[');
    for (int i = 0; i < l->count; i++) {
        if (i) sb_append(d->out, ", ");
        if (l->items[i]) dump_node(d, l->items[i]);
        else sb_append(d->out, "None");
    }
    sb_appendc(d->out, ']');
}

static void f_str(Dumper *d, const char *name, const char *s) {
    field(d, name);
    ast_repr_str(s, strlen(s), d->out);
}

static void f_opt_str(Dumper *d, const char *name, const char *s) {
    if (s) f_str(d, name, s);
}

static void f_raw(Dumper *d, const char *name, const char *text) {
    field(d, name);
    sb_append(d->out, text);
}

static void f_int(Dumper *d, const char *name, int v) {
    field(d, name);
    sb_appendf(d->out, "%d", v);
}

static void f_ctx(Dumper *d, AstCtx ctx) {
    f_raw(d, "ctx", ctx == AST_LOAD ? "Load()" : ctx == AST_STORE ? "Store()" : "Del()");
}

static void f_op_name(Dumper *d, const char *name) {
    field(d, "op");
    sb_append(d->out, name);
    sb_append(d->out, "()");
}

static bool has_attributes(AstKind k) {
    return k != AST_MODULE && k != AST_COMPREHENSION && k != AST_ARGUMENTS &&
           k != AST_WITHITEM;
}

static void dump_node(Dumper *d, const AstNode *n) {
    int saved = d->nfields;
    d->nfields = 0;
    sb_append(d->out, ast_kind_name(n->kind));
    sb_appendc(d->out, '(');
    switch (n->kind) {
    case AST_MODULE:
        f_list(d, "body", &n->v.module.body);
        f_raw(d, "type_ignores", "[]");
        break;
    case AST_FUNCTION_DEF:
        f_str(d, "name", n->v.function_def.name);
        f_node(d, "args", n->v.function_def.args);
        f_list(d, "body", &n->v.function_def.body);
        f_list(d, "decorator_list", &n->v.function_def.decorator_list);
        f_opt(d, "returns", n->v.function_def.returns);
        break;
    case AST_CLASS_DEF:
        f_str(d, "name", n->v.class_def.name);
        f_list(d, "bases", &n->v.class_def.bases);
        f_list(d, "keywords", &n->v.class_def.keywords);
        f_list(d, "body", &n->v.class_def.body);
        f_list(d, "decorator_list", &n->v.class_def.decorator_list);
        break;
    case AST_RETURN: f_opt(d, "value", n->v.return_.value); break;
    case AST_DELETE: f_list(d, "targets", &n->v.delete_.targets); break;
    case AST_ASSIGN:
        f_list(d, "targets", &n->v.assign.targets);
        f_node(d, "value", n->v.assign.value);
        break;
    case AST_AUG_ASSIGN:
        f_node(d, "target", n->v.aug_assign.target);
        f_op_name(d, ast_op_name(n->v.aug_assign.op));
        f_node(d, "value", n->v.aug_assign.value);
        break;
    case AST_ANN_ASSIGN:
        f_node(d, "target", n->v.ann_assign.target);
        f_node(d, "annotation", n->v.ann_assign.annotation);
        f_opt(d, "value", n->v.ann_assign.value);
        f_int(d, "simple", n->v.ann_assign.simple);
        break;
    case AST_FOR:
        f_node(d, "target", n->v.for_.target);
        f_node(d, "iter", n->v.for_.iter);
        f_list(d, "body", &n->v.for_.body);
        f_list(d, "orelse", &n->v.for_.orelse);
        break;
    case AST_WHILE:
        f_node(d, "test", n->v.while_.test);
        f_list(d, "body", &n->v.while_.body);
        f_list(d, "orelse", &n->v.while_.orelse);
        break;
    case AST_IF:
        f_node(d, "test", n->v.if_.test);
        f_list(d, "body", &n->v.if_.body);
        f_list(d, "orelse", &n->v.if_.orelse);
        break;
    case AST_WITH:
        f_list(d, "items", &n->v.with.items);
        f_list(d, "body", &n->v.with.body);
        break;
    case AST_RAISE:
        f_opt(d, "exc", n->v.raise.exc);
        f_opt(d, "cause", n->v.raise.cause);
        break;
    case AST_TRY:
        f_list(d, "body", &n->v.try_.body);
        f_list(d, "handlers", &n->v.try_.handlers);
        f_list(d, "orelse", &n->v.try_.orelse);
        f_list(d, "finalbody", &n->v.try_.finalbody);
        break;
    case AST_ASSERT:
        f_node(d, "test", n->v.assert_.test);
        f_opt(d, "msg", n->v.assert_.msg);
        break;
    case AST_IMPORT: f_list(d, "names", &n->v.import.names); break;
    case AST_IMPORT_FROM:
        f_opt_str(d, "module", n->v.import_from.module);
        f_list(d, "names", &n->v.import_from.names);
        f_int(d, "level", n->v.import_from.level);
        break;
    case AST_GLOBAL:
    case AST_NONLOCAL:
        field(d, "names");
        sb_appendc(d->out, '[');
        for (int i = 0; i < n->v.global.count; i++) {
            if (i) sb_append(d->out, ", ");
            ast_repr_str(n->v.global.names[i], strlen(n->v.global.names[i]), d->out);
        }
        sb_appendc(d->out, ']');
        break;
    case AST_EXPR: f_node(d, "value", n->v.expr.value); break;
    case AST_PASS: case AST_BREAK: case AST_CONTINUE: break;
    case AST_BOOL_OP:
        f_op_name(d, n->v.bool_op.op == AST_BOOL_AND ? "And" : "Or");
        f_list(d, "values", &n->v.bool_op.values);
        break;
    case AST_BIN_OP:
        f_node(d, "left", n->v.bin_op.left);
        f_op_name(d, ast_op_name(n->v.bin_op.op));
        f_node(d, "right", n->v.bin_op.right);
        break;
    case AST_UNARY_OP:
        f_op_name(d, ast_unary_name(n->v.unary_op.op));
        f_node(d, "operand", n->v.unary_op.operand);
        break;
    case AST_LAMBDA:
        f_node(d, "args", n->v.lambda.args);
        f_node(d, "body", n->v.lambda.body);
        break;
    case AST_IF_EXP:
        f_node(d, "test", n->v.if_exp.test);
        f_node(d, "body", n->v.if_exp.body);
        f_node(d, "orelse", n->v.if_exp.orelse);
        break;
    case AST_DICT:
        f_list(d, "keys", &n->v.dict.keys);
        f_list(d, "values", &n->v.dict.values);
        break;
    case AST_SET: f_list(d, "elts", &n->v.set.elts); break;
    case AST_LIST_COMP: case AST_SET_COMP: case AST_GENERATOR_EXP:
        f_node(d, "elt", n->v.comp.elt);
        f_list(d, "generators", &n->v.comp.generators);
        break;
    case AST_DICT_COMP:
        f_node(d, "key", n->v.dict_comp.key);
        f_node(d, "value", n->v.dict_comp.value);
        f_list(d, "generators", &n->v.dict_comp.generators);
        break;
    case AST_COMPARE:
        f_node(d, "left", n->v.compare.left);
        field(d, "ops");
        sb_appendc(d->out, '[');
        for (int i = 0; i < n->v.compare.comparators.count; i++) {
            if (i) sb_append(d->out, ", ");
            sb_append(d->out, ast_cmp_name(n->v.compare.ops[i]));
            sb_append(d->out, "()");
        }
        sb_appendc(d->out, ']');
        f_list(d, "comparators", &n->v.compare.comparators);
        break;
    case AST_CALL:
        f_node(d, "func", n->v.call.func);
        f_list(d, "args", &n->v.call.args);
        f_list(d, "keywords", &n->v.call.keywords);
        break;
    case AST_FORMATTED_VALUE:
        f_node(d, "value", n->v.formatted_value.value);
        f_int(d, "conversion", n->v.formatted_value.conversion);
        f_opt(d, "format_spec", n->v.formatted_value.format_spec);
        break;
    case AST_JOINED_STR: f_list(d, "values", &n->v.joined_str.values); break;
    case AST_CONSTANT:
        field(d, "value");
        dump_const(&n->v.constant.value, d->out);
        if (n->v.constant.value.kind) f_str(d, "kind", n->v.constant.value.kind);
        break;
    case AST_ATTRIBUTE:
        f_node(d, "value", n->v.attribute.value);
        f_str(d, "attr", n->v.attribute.attr);
        f_ctx(d, n->v.attribute.ctx);
        break;
    case AST_SUBSCRIPT:
        f_node(d, "value", n->v.subscript.value);
        f_node(d, "slice", n->v.subscript.slice);
        f_ctx(d, n->v.subscript.ctx);
        break;
    case AST_STARRED:
        f_node(d, "value", n->v.starred.value);
        f_ctx(d, n->v.starred.ctx);
        break;
    case AST_NAME:
        f_str(d, "id", n->v.name.id);
        f_ctx(d, n->v.name.ctx);
        break;
    case AST_LIST: case AST_TUPLE:
        f_list(d, "elts", &n->v.seq.elts);
        f_ctx(d, n->v.seq.ctx);
        break;
    case AST_SLICE:
        f_opt(d, "lower", n->v.slice.lower);
        f_opt(d, "upper", n->v.slice.upper);
        f_opt(d, "step", n->v.slice.step);
        break;
    case AST_COMPREHENSION:
        f_node(d, "target", n->v.comprehension.target);
        f_node(d, "iter", n->v.comprehension.iter);
        f_list(d, "ifs", &n->v.comprehension.ifs);
        f_int(d, "is_async", 0);
        break;
    case AST_EXCEPT_HANDLER:
        f_opt(d, "type", n->v.except_handler.type);
        f_opt_str(d, "name", n->v.except_handler.name);
        f_list(d, "body", &n->v.except_handler.body);
        break;
    case AST_ARGUMENTS:
        f_list(d, "posonlyargs", &n->v.arguments.posonlyargs);
        f_list(d, "args", &n->v.arguments.args);
        f_opt(d, "vararg", n->v.arguments.vararg);
        f_list(d, "kwonlyargs", &n->v.arguments.kwonlyargs);
        f_list(d, "kw_defaults", &n->v.arguments.kw_defaults);
        f_opt(d, "kwarg", n->v.arguments.kwarg);
        f_list(d, "defaults", &n->v.arguments.defaults);
        break;
    case AST_ARG:
        f_str(d, "arg", n->v.arg.arg);
        f_opt(d, "annotation", n->v.arg.annotation);
        break;
    case AST_KEYWORD:
        f_opt_str(d, "arg", n->v.keyword.arg);
        f_node(d, "value", n->v.keyword.value);
        break;
    case AST_ALIAS:
        f_str(d, "name", n->v.alias.name);
        f_opt_str(d, "asname", n->v.alias.asname);
        break;
    case AST_WITHITEM:
        f_node(d, "context_expr", n->v.withitem.context_expr);
        f_opt(d, "optional_vars", n->v.withitem.optional_vars);
        break;
    case AST_KIND_COUNT: break;
    }
    if (d->attrs && has_attributes(n->kind)) {
        field(d, "lineno");
        sb_appendf(d->out, "%d", n->line);
        field(d, "col_offset");
        sb_appendf(d->out, "%d", n->col);
        field(d, "end_lineno");
        sb_appendf(d->out, "%d", n->end_line);
        field(d, "end_col_offset");
        sb_appendf(d->out, "%d", n->end_col);
    }
    sb_appendc(d->out, ')');
    d->nfields = saved;
}

int ast_dump(const AstNode *node, bool include_attributes, StrBuf *out, Error *err) {
    Dumper d = {out, include_attributes, 0};
    dump_node(&d, node);
    return sb_check(out, err);
}
