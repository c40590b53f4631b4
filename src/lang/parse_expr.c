/*
 * src/lang/parse_expr.c — expressions, targets, parameters and call arguments of the
 * parser (parse.h). String and number literals are decoded in parse_lit.c. Grammar
 * comments quote CPython 3.11's Grammar/python.gram.
 * See LICENSE (GPL-3.0-or-later).
 */
#include <string.h>

#include "lang/parse_impl.h"

static AstNode *atom(Parser *p);
static AstNode *primary(Parser *p);
static AstNode *factor(Parser *p);
static AstNode *lambdef(Parser *p);
static AstNode *inversion(Parser *p);

/* The node for the tokens from index `start` to the last consumed token (EXTRA). */
static AstNode *node_from(Parser *p, AstKind kind, int start) {
    return p_node(p, kind, &p->toks[start], p_prev(p));
}

/* Can this token start an expression (for the "forgot a comma" check)? */
static bool starts_expression(TokKind k) {
    switch (k) {
    case TOK_NAME: case TOK_NUMBER: case TOK_STRING: case TOK_LPAR: case TOK_LSQB:
    case TOK_LBRACE: case TOK_MINUS: case TOK_PLUS: case TOK_TILDE: case TOK_ELLIPSIS:
    case TOK_KW_NONE: case TOK_KW_TRUE: case TOK_KW_FALSE: case TOK_KW_NOT:
    case TOK_KW_LAMBDA: case TOK_KW_AWAIT:
        return true;
    default:
        return false;
    }
}

/* ---- targets ---- */

const AstNode *p_invalid_target(const AstNode *e, int kind) {
    switch (e->kind) {
    case AST_LIST:
    case AST_TUPLE:
        for (int i = 0; i < e->v.seq.elts.count; i++) {
            const AstNode *c = p_invalid_target(e->v.seq.elts.items[i], kind);
            if (c) return c;
        }
        return NULL;
    case AST_STARRED:
        if (kind == 2) return e;
        return p_invalid_target(e->v.starred.value, kind);
    case AST_COMPARE:
        if (kind == 1) {
            if (e->v.compare.ops[0] == AST_CMP_IN) return p_invalid_target(e->v.compare.left, kind);
            return NULL;
        }
        return e;
    case AST_NAME:
    case AST_SUBSCRIPT:
    case AST_ATTRIBUTE:
        return NULL;
    default:
        return e;
    }
}

void p_set_ctx(AstNode *e, AstCtx ctx) {
    switch (e->kind) {
    case AST_NAME: e->v.name.ctx = ctx; break;
    case AST_ATTRIBUTE: e->v.attribute.ctx = ctx; break;
    case AST_SUBSCRIPT: e->v.subscript.ctx = ctx; break;
    case AST_STARRED:
        e->v.starred.ctx = ctx;
        p_set_ctx(e->v.starred.value, ctx);
        break;
    case AST_LIST:
    case AST_TUPLE:
        e->v.seq.ctx = ctx;
        for (int i = 0; i < e->v.seq.elts.count; i++) p_set_ctx(e->v.seq.elts.items[i], ctx);
        break;
    default: break;
    }
}

/* Compiler checks on starred targets: a lone `*a = ...` and two stars in one list. */
static bool check_starred(Parser *p, AstNode *e) {
    if (e->kind == AST_STARRED) {
        p_error_node(p, e, "starred assignment target must be in a list or tuple");
        return false;
    }
    if (e->kind != AST_LIST && e->kind != AST_TUPLE) return true;
    int stars = 0;
    for (int i = 0; i < e->v.seq.elts.count; i++) {
        AstNode *c = e->v.seq.elts.items[i];
        if (c->kind == AST_STARRED) {
            if (++stars > 1) {
                p_error_node(p, e, "multiple starred expressions in assignment");
                return false;
            }
            if (!check_starred(p, c->v.starred.value) && c->v.starred.value->kind != AST_STARRED)
                return false;
        } else if (!check_starred(p, c)) {
            return false;
        }
    }
    return true;
}

bool p_check_target(Parser *p, AstNode *e, int kind) {
    const AstNode *bad = p_invalid_target(e, kind);
    if (bad) {
        p_error_node(p, bad, kind == 2 ? "cannot delete %s" : "cannot assign to %s",
                     ast_expr_name(bad));
        return false;
    }
    if (kind != 2 && !check_starred(p, e)) return false;
    p_set_ctx(e, kind == 2 ? AST_DEL : AST_STORE);
    return true;
}

/* star_targets (for `for` and comprehensions):
 *     star_target (',' star_target)* [',']
 * parsed as bitwise_or expressions (so `in` ends them), then validated. */
AstNode *p_star_targets(Parser *p, bool single) {
    int start = p->pos;
    AstList elts = {0};
    int cap = 0;
    bool comma = false;
    for (;;) {
        AstNode *e;
        int es = p->pos;
        if (p_accept(p, TOK_STAR)) {
            AstNode *v = p_bitwise_or(p);
            if (!v) return NULL;
            e = node_from(p, AST_STARRED, es);
            if (!e) return NULL;
            e->v.starred.value = v;
        } else {
            e = p_bitwise_or(p);
            if (!e) return NULL;
        }
        if (!p_push(p, &elts, &cap, e)) return NULL;
        if (single || !p_at(p, TOK_COMMA)) break;
        p_advance(p);
        comma = true;
        if (!starts_expression(p_kind(p, 0)) && !p_at(p, TOK_STAR)) break;
    }
    AstNode *t;
    if (!comma) {
        t = elts.items[0];
    } else {
        t = node_from(p, AST_TUPLE, start);
        if (!t) return NULL;
        t->v.seq.elts = elts;
    }
    /* `for x in y` with a comparison target is reported by the caller's FOR rule */
    if (!p_check_target(p, t, 1)) return NULL;
    return t;
}

/* ---- the "invalid_expression" checks ---- */

/* invalid_expression:
 *     !(NAME STRING | SOFT_KEYWORD) a=disjunction b=expression_without_invalid
 *         (inside brackets) -> "invalid syntax. Perhaps you forgot a comma?"
 * Called after a disjunction `a` that started at token index `start`. */
static void check_forgot_comma(Parser *p, AstNode *a, int start) {
    if (p->failed || !starts_expression(p_kind(p, 0))) return;
    const Token *first = &p->toks[start];
    if (first->kind == TOK_NAME) {
        if (start + 1 < p->ntoks && p->toks[start + 1].kind == TOK_STRING) return;
        size_t n = first->end - first->start;
        const char *s = p->src + first->start;
        if ((n == 5 && memcmp(s, "match", 5) == 0) || (n == 4 && memcmp(s, "case", 4) == 0) ||
            (n == 1 && s[0] == '_'))
            return;
    }
    if (a->kind == AST_NAME &&
        (strcmp(a->v.name.id, "print") == 0 || strcmp(a->v.name.id, "exec") == 0))
        return; /* the legacy print statement message wins (statement level) */
    ParserMark m;
    p_probe_begin(p, &m);
    AstNode *b = p_disjunction(p);
    if (b && p_at(p, TOK_KW_IF)) {
        /* expression_without_invalid: disjunction 'if' disjunction 'else' expression */
        p_advance(p);
        b = p_disjunction(p) && p_accept(p, TOK_KW_ELSE) ? p_expression(p) : NULL;
        if (b) b = (AstNode *)b;
    }
    int level = p->pos > 0 ? p->toks[p->pos - 1].level : 0;
    bool ok = p_probe_end(p, &m, false) && b;
    if (ok && level > 0) p_error_range(p, a, b, "invalid syntax. Perhaps you forgot a comma?");
}

/* ---- expressions ---- */

/* expression:
 *     | disjunction 'if' disjunction 'else' expression
 *     | disjunction
 *     | lambdef */
AstNode *p_expression(Parser *p) {
    if (p_at(p, TOK_KW_LAMBDA)) return lambdef(p);
    if (!p_enter(p, p_cur(p))) return NULL;
    int start = p->pos;
    AstNode *a = p_disjunction(p);
    if (!a) goto out;
    if (!p_at(p, TOK_KW_IF)) {
        check_forgot_comma(p, a, start);
        if (p->failed) a = NULL;
        goto out;
    }
    p_advance(p);
    AstNode *test = p_disjunction(p);
    if (!test) { a = NULL; goto out; }
    if (!p_at(p, TOK_KW_ELSE)) {
        /* invalid_expression: a=disjunction 'if' b=disjunction !('else'|':') */
        if (!p_at(p, TOK_COLON))
            p_error_range(p, a, test, "expected 'else' after 'if' expression");
        else
            p_invalid_syntax(p);
        a = NULL;
        goto out;
    }
    p_advance(p);
    AstNode *orelse = p_expression(p);
    if (!orelse) { a = NULL; goto out; }
    AstNode *n = node_from(p, AST_IF_EXP, start);
    if (n) {
        n->v.if_exp.test = test;
        n->v.if_exp.body = a;
        n->v.if_exp.orelse = orelse;
    }
    a = n;
out:
    p_leave(p);
    return a;
}

/* named_expression:
 *     | NAME ':=' expression      (not supported by embedlab)
 *     | expression !':=' */
AstNode *p_named_expression(Parser *p) {
    if (p_at(p, TOK_NAME) && p_kind(p, 1) == TOK_COLONEQUAL)
        return p_unsupported(p, p_peek(p, 1), "':=' assignment expressions");
    int start = p->pos;
    AstNode *e = p_expression(p);
    if (e && p_at(p, TOK_EQUAL)) {
        /* invalid_named_expression:
         *   a=NAME '=' b=bitwise_or !('='|':=')   -> "Maybe you meant '==' or ':='"
         *   a=bitwise_or '=' bitwise_or !('='|':=') -> "cannot assign to %s here" */
        bool bare_name = e->kind == AST_NAME && p->pos == start + 1;
        bool bitwise = !(e->kind == AST_COMPARE || e->kind == AST_BOOL_OP || e->kind == AST_IF_EXP ||
                         e->kind == AST_LAMBDA || e->kind == AST_LIST || e->kind == AST_TUPLE ||
                         e->kind == AST_GENERATOR_EXP ||
                         (e->kind == AST_CONSTANT && (e->v.constant.value.type == AST_CONST_NONE ||
                                                      e->v.constant.value.type == AST_CONST_BOOL)) ||
                         (e->kind == AST_UNARY_OP && e->v.unary_op.op == AST_UNARY_NOT));
        if (bare_name || bitwise) {
            ParserMark m;
            p_probe_begin(p, &m);
            p_advance(p);
            AstNode *b = p_bitwise_or(p);
            bool ok = b && !p_at(p, TOK_EQUAL) && !p_at(p, TOK_COLONEQUAL);
            ok = p_probe_end(p, &m, false) && ok;
            if (ok && bare_name)
                return p_error_range(p, e, b, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
            if (ok)
                return p_error_node(p, e, "cannot assign to %s here. Maybe you meant '==' instead of '='?",
                                    ast_expr_name(e));
        }
    }
    if (e && p_at(p, TOK_COLONEQUAL)) {
        if (e->kind != AST_NAME)
            return p_error_node(p, e, "cannot use assignment expressions with %s",
                                ast_expr_name(e));
        return p_unsupported(p, p_cur(p), "':=' assignment expressions");
    }
    return e;
}

/* star_named_expression: '*' bitwise_or | named_expression */
AstNode *p_star_named_expression(Parser *p) {
    int start = p->pos;
    if (p_accept(p, TOK_STAR)) {
        AstNode *v = p_bitwise_or(p);
        if (!v) return NULL;
        AstNode *n = node_from(p, AST_STARRED, start);
        if (n) n->v.starred.value = v;
        return n;
    }
    return p_named_expression(p);
}

/* star_expression: '*' bitwise_or | expression */
static AstNode *star_expression(Parser *p) {
    int start = p->pos;
    if (p_accept(p, TOK_STAR)) {
        AstNode *v = p_bitwise_or(p);
        if (!v) return NULL;
        AstNode *n = node_from(p, AST_STARRED, start);
        if (n) n->v.starred.value = v;
        return n;
    }
    return p_expression(p);
}

/* star_expressions:
 *     | star_expression (',' star_expression)+ [',']   -> Tuple
 *     | star_expression ','                            -> Tuple
 *     | star_expression */
AstNode *p_star_expressions(Parser *p) {
    int start = p->pos;
    AstNode *first = star_expression(p);
    if (!first || !p_at(p, TOK_COMMA)) return first;
    AstList elts = {0};
    int cap = 0;
    if (!p_push(p, &elts, &cap, first)) return NULL;
    while (p_at(p, TOK_COMMA)) {
        p_advance(p);
        if (!starts_expression(p_kind(p, 0)) && !p_at(p, TOK_STAR)) break;
        AstNode *e = star_expression(p);
        if (!e || !p_push(p, &elts, &cap, e)) return NULL;
    }
    AstNode *t = node_from(p, AST_TUPLE, start);
    if (t) t->v.seq.elts = elts;
    return t;
}

/* disjunction: conjunction ('or' conjunction)+ | conjunction
 * conjunction: inversion ('and' inversion)+ | inversion */
static AstNode *bool_chain(Parser *p, bool is_or) {
    int start = p->pos;
    TokKind op = is_or ? TOK_KW_OR : TOK_KW_AND;
    AstNode *first = is_or ? bool_chain(p, false) : NULL;
    if (!is_or) first = inversion(p);
    if (!first || !p_at(p, op)) return first;
    AstList values = {0};
    int cap = 0;
    if (!p_push(p, &values, &cap, first)) return NULL;
    while (p_accept(p, op)) {
        AstNode *e;
        e = is_or ? bool_chain(p, false) : inversion(p);
        if (!e || !p_push(p, &values, &cap, e)) return NULL;
    }
    AstNode *n = node_from(p, AST_BOOL_OP, start);
    if (n) {
        n->v.bool_op.op = is_or ? AST_BOOL_OR : AST_BOOL_AND;
        n->v.bool_op.values = values;
    }
    return n;
}

AstNode *p_disjunction(Parser *p) { return bool_chain(p, true); }

/* comparison: bitwise_or compare_op_bitwise_or_pair+ | bitwise_or
 * compare_op: '==' | '!=' | '<=' | '<' | '>=' | '>' | 'not' 'in' | 'in' | 'is' 'not' | 'is' */
static AstNode *comparison(Parser *p) {
    int start = p->pos;
    AstNode *left = p_bitwise_or(p);
    if (!left) return NULL;
    AstList comps = {0};
    int cap = 0, opcap = 0;
    AstCmpOp *ops = NULL;
    for (;;) {
        AstCmpOp op;
        int width = 1;
        switch (p_kind(p, 0)) {
        case TOK_EQEQUAL: op = AST_CMP_EQ; break;
        case TOK_NOTEQUAL: op = AST_CMP_NOT_EQ; break;
        case TOK_LESSEQUAL: op = AST_CMP_LT_E; break;
        case TOK_LESS: op = AST_CMP_LT; break;
        case TOK_GREATEREQUAL: op = AST_CMP_GT_E; break;
        case TOK_GREATER: op = AST_CMP_GT; break;
        case TOK_KW_IN: op = AST_CMP_IN; break;
        case TOK_KW_NOT:
            if (p_kind(p, 1) != TOK_KW_IN) goto done;
            op = AST_CMP_NOT_IN;
            width = 2;
            break;
        case TOK_KW_IS:
            op = AST_CMP_IS;
            if (p_kind(p, 1) == TOK_KW_NOT) { op = AST_CMP_IS_NOT; width = 2; }
            break;
        case TOK_OP:
            if (p_cur(p)->end - p_cur(p)->start == 2 &&
                memcmp(p->src + p_cur(p)->start, "<>", 2) == 0)
                return p_invalid_syntax(p);
            goto done;
        default:
            goto done;
        }
        while (width--) p_advance(p);
        AstNode *right = p_bitwise_or(p);
        if (!right) return NULL;
        if (comps.count == opcap) {
            int ncap = opcap ? opcap * 2 : 4;
            AstCmpOp *nops = ast_arena_alloc(p->arena, sizeof *nops * (size_t)ncap, p->err);
            if (!nops) { p->failed = true; return NULL; }
            if (opcap) memcpy(nops, ops, sizeof *ops * (size_t)opcap);
            ops = nops;
            opcap = ncap;
        }
        ops[comps.count] = op;
        if (!p_push(p, &comps, &cap, right)) return NULL;
    }
done:
    if (comps.count == 0) return left;
    AstNode *n = node_from(p, AST_COMPARE, start);
    if (n) {
        n->v.compare.left = left;
        n->v.compare.ops = ops;
        n->v.compare.comparators = comps;
    }
    return n;
}

/* inversion: 'not' inversion | comparison */
static AstNode *inversion(Parser *p) {
    if (!p_at(p, TOK_KW_NOT)) return comparison(p);
    int start = p->pos;
    if (!p_enter(p, p_cur(p))) return NULL;
    p_advance(p);
    AstNode *operand = inversion(p);
    p_leave(p);
    if (!operand) return NULL;
    AstNode *n = node_from(p, AST_UNARY_OP, start);
    if (n) {
        n->v.unary_op.op = AST_UNARY_NOT;
        n->v.unary_op.operand = operand;
    }
    return n;
}

/* Binary operator levels, loosest first:
 *   bitwise_or: bitwise_or '|' bitwise_xor     bitwise_xor: '^'    bitwise_and: '&'
 *   shift_expr: '<<' '>>'    sum: '+' '-'    term: '*' '/' '//' '%' '@'
 * all left-associative over the next level; term's operands are factors. */
static bool binop_of(int level, TokKind k, AstOp *op) {
    switch (level) {
    case 0: if (k == TOK_VBAR) { *op = AST_OP_BIT_OR; return true; } return false;
    case 1: if (k == TOK_CIRCUMFLEX) { *op = AST_OP_BIT_XOR; return true; } return false;
    case 2: if (k == TOK_AMPER) { *op = AST_OP_BIT_AND; return true; } return false;
    case 3:
        if (k == TOK_LEFTSHIFT) { *op = AST_OP_LSHIFT; return true; }
        if (k == TOK_RIGHTSHIFT) { *op = AST_OP_RSHIFT; return true; }
        return false;
    case 4:
        if (k == TOK_PLUS) { *op = AST_OP_ADD; return true; }
        if (k == TOK_MINUS) { *op = AST_OP_SUB; return true; }
        return false;
    default:
        switch (k) {
        case TOK_STAR: *op = AST_OP_MULT; return true;
        case TOK_SLASH: *op = AST_OP_DIV; return true;
        case TOK_DOUBLESLASH: *op = AST_OP_FLOOR_DIV; return true;
        case TOK_PERCENT: *op = AST_OP_MOD; return true;
        case TOK_AT: *op = AST_OP_MAT_MULT; return true;
        default: return false;
        }
    }
}

static AstNode *binary_level(Parser *p, int level) {
    int start = p->pos;
    AstNode *left = level == 5 ? factor(p) : binary_level(p, level + 1);
    AstOp op;
    while (left && binop_of(level, p_kind(p, 0), &op)) {
        p_advance(p);
        AstNode *right = level == 5 ? factor(p) : binary_level(p, level + 1);
        if (!right) return NULL;
        AstNode *n = node_from(p, AST_BIN_OP, start);
        if (!n) return NULL;
        n->v.bin_op.left = left;
        n->v.bin_op.op = op;
        n->v.bin_op.right = right;
        left = n;
    }
    return left;
}

AstNode *p_bitwise_or(Parser *p) { return binary_level(p, 0); }

/* factor: '+' factor | '-' factor | '~' factor | power
 * power: await_primary '**' factor | await_primary */
static AstNode *factor(Parser *p) {
    int start = p->pos;
    TokKind k = p_kind(p, 0);
    if (k == TOK_PLUS || k == TOK_MINUS || k == TOK_TILDE) {
        if (!p_enter(p, p_cur(p))) return NULL;
        p_advance(p);
        AstNode *operand = factor(p);
        p_leave(p);
        if (!operand) return NULL;
        AstNode *n = node_from(p, AST_UNARY_OP, start);
        if (n) {
            n->v.unary_op.op = k == TOK_PLUS ? AST_UNARY_UADD
                             : k == TOK_MINUS ? AST_UNARY_USUB : AST_UNARY_INVERT;
            n->v.unary_op.operand = operand;
        }
        return n;
    }
    if (k == TOK_KW_AWAIT) return p_unsupported(p, p_cur(p), "'await' expressions");
    AstNode *base = primary(p);
    if (!base || !p_at(p, TOK_DOUBLESTAR)) return base;
    if (!p_enter(p, p_cur(p))) return NULL;
    p_advance(p);
    AstNode *exp = factor(p);
    p_leave(p);
    if (!exp) return NULL;
    AstNode *n = node_from(p, AST_BIN_OP, start);
    if (n) {
        n->v.bin_op.left = base;
        n->v.bin_op.op = AST_OP_POW;
        n->v.bin_op.right = exp;
    }
    return n;
}

/* ---- comprehensions ---- */

/* for_if_clauses: for_if_clause+
 * for_if_clause: 'for' star_targets 'in' ~ disjunction ('if' disjunction)* */
static bool for_if_clauses(Parser *p, AstList *gens) {
    int cap = 0;
    while (p_at(p, TOK_KW_FOR) || p_at(p, TOK_KW_ASYNC)) {
        if (p_at(p, TOK_KW_ASYNC)) {
            p_unsupported(p, p_cur(p), "'async' comprehensions");
            return false;
        }
        p_advance(p);
        AstNode *target = p_star_targets(p, false);
        if (!target) return false;
        if (!p_accept(p, TOK_KW_IN)) {
            p_invalid_syntax(p);
            return false;
        }
        AstNode *iter = p_disjunction(p);
        if (!iter) return false;
        AstNode *c = ast_node_new(p->arena, AST_COMPREHENSION, 0, 0, 0, 0, p->err);
        if (!c) { p->failed = true; return false; }
        c->v.comprehension.target = target;
        c->v.comprehension.iter = iter;
        int icap = 0;
        while (p_accept(p, TOK_KW_IF)) {
            AstNode *cond = p_disjunction(p);
            if (!cond || !p_push(p, &c->v.comprehension.ifs, &icap, cond)) return false;
        }
        if (!p_push(p, gens, &cap, c)) return false;
    }
    return true;
}

/* The last item of the last clause (for error ranges). */
static AstNode *last_comprehension_item(const AstList *gens) {
    AstNode *c = gens->items[gens->count - 1];
    if (c->v.comprehension.ifs.count)
        return c->v.comprehension.ifs.items[c->v.comprehension.ifs.count - 1];
    return c->v.comprehension.iter;
}

/* A comprehension whose element (already parsed) is `elt`, now at 'for'. */
static AstNode *comprehension(Parser *p, AstKind kind, int start, AstNode *elt,
                              AstNode *value, TokKind close) {
    if (elt->kind == AST_STARRED)
        return p_error_node(p, elt, "iterable unpacking cannot be used in comprehension");
    AstList gens = {0};
    if (!for_if_clauses(p, &gens)) return NULL;
    if (!p_at(p, close)) return p_invalid_syntax(p);
    p_advance(p);
    AstNode *n = node_from(p, kind, start);
    if (!n) return NULL;
    if (kind == AST_DICT_COMP) {
        n->v.dict_comp.key = elt;
        n->v.dict_comp.value = value;
        n->v.dict_comp.generators = gens;
    } else {
        n->v.comp.elt = elt;
        n->v.comp.generators = gens;
    }
    return n;
}

/* ---- atoms ---- */

/* Elements of a display after the first: (',' star_named_expression)* [','] close. */
static bool display_rest(Parser *p, AstList *elts, int *cap, TokKind close) {
    while (p_accept(p, TOK_COMMA)) {
        if (p_at(p, close)) break;
        AstNode *e = p_star_named_expression(p);
        if (!e || !p_push(p, elts, cap, e)) return false;
    }
    if (!p_at(p, close)) {
        p_invalid_syntax(p);
        return false;
    }
    p_advance(p);
    return true;
}

/* tuple | group | genexp:
 *   tuple: '(' [star_named_expression ',' [star_named_expressions]] ')'
 *   group: '(' (yield_expr | named_expression) ')'
 *   genexp: '(' (assignment_expression | expression !':=') for_if_clauses ')' */
static AstNode *paren_atom(Parser *p) {
    int start = p->pos;
    p_advance(p);
    if (p_accept(p, TOK_RPAR)) {
        AstNode *t = node_from(p, AST_TUPLE, start);
        return t;
    }
    if (p_at(p, TOK_KW_YIELD)) return p_unsupported(p, p_cur(p), "'yield' expressions");
    if (p_at(p, TOK_DOUBLESTAR)) {
        /* invalid_group: '(' a='**' expression ')' */
        const Token *t = p_cur(p);
        ParserMark m;
        p_probe_begin(p, &m);
        p_advance(p);
        bool ok = p_expression(p) && p_at(p, TOK_RPAR);
        p_probe_end(p, &m, false);
        if (ok) return p_error_tok(p, t, "cannot use double starred expression here");
        return p_invalid_syntax(p);
    }
    AstNode *first = p_star_named_expression(p);
    if (!first) return NULL;
    if (p_at(p, TOK_KW_FOR) || p_at(p, TOK_KW_ASYNC)) {
        if (!p_tier2(p, p_cur(p), "generator expressions")) return NULL;
        return comprehension(p, AST_GENERATOR_EXP, start, first, NULL, TOK_RPAR);
    }
    if (p_at(p, TOK_RPAR)) {
        if (first->kind == AST_STARRED)
            return p_error_node(p, first, "cannot use starred expression here");
        p_advance(p);
        return first;
    }
    if (!p_at(p, TOK_COMMA)) return p_invalid_syntax(p);
    AstList elts = {0};
    int cap = 0;
    if (!p_push(p, &elts, &cap, first) || !display_rest(p, &elts, &cap, TOK_RPAR)) return NULL;
    AstNode *t = node_from(p, AST_TUPLE, start);
    if (t) t->v.seq.elts = elts;
    return t;
}

/* list | listcomp:
 *   list: '[' [star_named_expressions] ']'
 *   listcomp: '[' named_expression for_if_clauses ']' */
static AstNode *list_atom(Parser *p) {
    int start = p->pos;
    p_advance(p);
    AstList elts = {0};
    int cap = 0;
    if (!p_accept(p, TOK_RSQB)) {
        AstNode *first = p_star_named_expression(p);
        if (!first) return NULL;
        if (p_at(p, TOK_KW_FOR) || p_at(p, TOK_KW_ASYNC))
            return comprehension(p, AST_LIST_COMP, start, first, NULL, TOK_RSQB);
        if (!p_push(p, &elts, &cap, first) || !display_rest(p, &elts, &cap, TOK_RSQB))
            return NULL;
    }
    AstNode *l = node_from(p, AST_LIST, start);
    if (l) l->v.seq.elts = elts;
    return l;
}

/* dict | set | dictcomp | setcomp:
 *   dict: '{' [double_starred_kvpairs] '}'
 *   set: '{' star_named_expressions '}'
 *   dictcomp: '{' kvpair for_if_clauses '}'
 *   setcomp: '{' named_expression for_if_clauses '}'
 *   double_starred_kvpair: '**' bitwise_or | expression ':' expression */
static AstNode *brace_atom(Parser *p) {
    int start = p->pos;
    const Token *open = p_advance(p);
    if (p_accept(p, TOK_RBRACE)) return node_from(p, AST_DICT, start);
    AstList keys = {0}, values = {0};
    int kcap = 0, vcap = 0;
    AstNode *first_key = NULL, *first_val = NULL;
    if (p_at(p, TOK_DOUBLESTAR)) {
        const Token *ds = p_advance(p);
        first_val = p_bitwise_or(p);
        if (!first_val) return NULL;
        if (p_at(p, TOK_KW_FOR))
            return p_error_tok(p, ds, "dict unpacking cannot be used in dict comprehension");
    } else {
        first_key = p_star_named_expression(p);
        if (!first_key) return NULL;
        if (first_key->kind != AST_STARRED && p_at(p, TOK_COLON)) {
            const Token *colon = p_advance(p);
            if (p_at(p, TOK_RBRACE) || p_at(p, TOK_COMMA))
                return p_error_tok(p, colon, "expression expected after dictionary key and ':'");
            if (p_at(p, TOK_STAR))
                return p_error_at(p, ERR_SYNTAX, p_cur(p)->line, p_cur(p)->col, 0, 0,
                                  "cannot use a starred expression in a dictionary value");
            first_val = p_expression(p);
            if (!first_val) return NULL;
            if (p_at(p, TOK_KW_FOR))
                return comprehension(p, AST_DICT_COMP, start, first_key, first_val, TOK_RBRACE);
        } else {
            /* a set */
            if (!p_tier2(p, open, "set displays")) return NULL;
            if (p_at(p, TOK_KW_FOR))
                return comprehension(p, AST_SET_COMP, start, first_key, NULL, TOK_RBRACE);
            AstList elts = {0};
            int cap = 0;
            if (!p_push(p, &elts, &cap, first_key) || !display_rest(p, &elts, &cap, TOK_RBRACE))
                return NULL;
            AstNode *s = node_from(p, AST_SET, start);
            if (s) s->v.set.elts = elts;
            return s;
        }
    }
    if (!p_push(p, &keys, &kcap, first_key) || !p_push(p, &values, &vcap, first_val))
        return NULL;
    while (p_accept(p, TOK_COMMA)) {
        if (p_at(p, TOK_RBRACE)) break;
        AstNode *k = NULL, *v;
        if (p_accept(p, TOK_DOUBLESTAR)) {
            v = p_bitwise_or(p);
            if (!v) return NULL;
        } else {
            k = p_expression(p);
            if (!k) return NULL;
            if (!p_at(p, TOK_COLON)) {
                if (p_at(p, TOK_COMMA) || p_at(p, TOK_RBRACE)) {
                    /* invalid_kvpair: a=expression !(':') */
                    return p_error_at(p, ERR_SYNTAX, k->line, k->end_col - 1, k->end_line, -1,
                                      "':' expected after dictionary key");
                }
                return p_invalid_syntax(p);
            }
            const Token *colon = p_advance(p);
            if (p_at(p, TOK_RBRACE) || p_at(p, TOK_COMMA))
                return p_error_tok(p, colon, "expression expected after dictionary key and ':'");
            if (p_at(p, TOK_STAR))
                return p_error_at(p, ERR_SYNTAX, p_cur(p)->line, p_cur(p)->col, 0, 0,
                                  "cannot use a starred expression in a dictionary value");
            v = p_expression(p);
            if (!v) return NULL;
        }
        if (!p_push(p, &keys, &kcap, k) || !p_push(p, &values, &vcap, v)) return NULL;
    }
    if (!p_at(p, TOK_RBRACE)) return p_invalid_syntax(p);
    p_advance(p);
    AstNode *d = node_from(p, AST_DICT, start);
    if (d) {
        d->v.dict.keys = keys;
        d->v.dict.values = values;
    }
    return d;
}

/* atom:
 *     | NAME | 'True' | 'False' | 'None' | strings | NUMBER
 *     | (tuple | group | genexp) | (list | listcomp)
 *     | (dict | set | dictcomp | setcomp) | '...' */
static AstNode *atom(Parser *p) {
    const Token *t = p_cur(p);
    int start = p->pos;
    switch (t->kind) {
    case TOK_NAME: {
        p_advance(p);
        AstNode *n = node_from(p, AST_NAME, start);
        if (!n) return NULL;
        n->v.name.id = p_tok_text(p, t);
        return n->v.name.id ? n : NULL;
    }
    case TOK_KW_TRUE:
    case TOK_KW_FALSE:
    case TOK_KW_NONE:
    case TOK_ELLIPSIS: {
        p_advance(p);
        AstNode *n = node_from(p, AST_CONSTANT, start);
        if (!n) return NULL;
        AstConst *c = &n->v.constant.value;
        if (t->kind == TOK_KW_NONE) c->type = AST_CONST_NONE;
        else if (t->kind == TOK_ELLIPSIS) c->type = AST_CONST_ELLIPSIS;
        else { c->type = AST_CONST_BOOL; c->b = t->kind == TOK_KW_TRUE; }
        return n;
    }
    case TOK_NUMBER: return p_number(p);
    case TOK_STRING: return p_strings(p);
    case TOK_LPAR: {
        if (!p_enter(p, t)) return NULL;
        AstNode *n = paren_atom(p);
        p_leave(p);
        return n;
    }
    case TOK_LSQB: {
        if (!p_enter(p, t)) return NULL;
        AstNode *n = list_atom(p);
        p_leave(p);
        return n;
    }
    case TOK_LBRACE: {
        if (!p_enter(p, t)) return NULL;
        AstNode *n = brace_atom(p);
        p_leave(p);
        return n;
    }
    case TOK_KW_YIELD: return p_unsupported(p, t, "'yield' expressions");
    case TOK_KW_LAMBDA: return lambdef(p);
    default: return p_invalid_syntax(p);
    }
}

/* slice: [expression] ':' [expression] [':' [expression]] | named_expression */
static AstNode *slice(Parser *p) {
    int start = p->pos;
    AstNode *lower = NULL;
    if (!p_at(p, TOK_COLON)) {
        if (p_at(p, TOK_STAR)) {
            /* starred_expression: '*' expression */
            p_advance(p);
            AstNode *v = p_expression(p);
            if (!v) return NULL;
            AstNode *s = node_from(p, AST_STARRED, start);
            if (s) s->v.starred.value = v;
            return s;
        }
        lower = p_named_expression(p);
        if (!lower || !p_at(p, TOK_COLON)) return lower;
    }
    p_advance(p);
    AstNode *upper = NULL, *step = NULL;
    TokKind k = p_kind(p, 0);
    if (k != TOK_COLON && k != TOK_COMMA && k != TOK_RSQB) {
        upper = p_expression(p);
        if (!upper) return NULL;
    }
    if (p_accept(p, TOK_COLON)) {
        k = p_kind(p, 0);
        if (k != TOK_COMMA && k != TOK_RSQB) {
            step = p_expression(p);
            if (!step) return NULL;
        }
    }
    AstNode *n = node_from(p, AST_SLICE, start);
    if (n) {
        n->v.slice.lower = lower;
        n->v.slice.upper = upper;
        n->v.slice.step = step;
    }
    return n;
}

/* slices: slice !',' | ','.(slice | starred_expression)+ [','] */
static AstNode *slices(Parser *p) {
    int start = p->pos;
    AstNode *first = slice(p);
    if (!first) return NULL;
    if (!p_at(p, TOK_COMMA)) {
        if (first->kind != AST_STARRED) return first;
        AstNode *t = node_from(p, AST_TUPLE, start);
        if (t && !p_push(p, &t->v.seq.elts, &(int){0}, first)) return NULL;
        return t;
    }
    AstList elts = {0};
    int cap = 0;
    if (!p_push(p, &elts, &cap, first)) return NULL;
    while (p_accept(p, TOK_COMMA)) {
        if (p_at(p, TOK_RSQB)) break;
        AstNode *e = slice(p);
        if (!e || !p_push(p, &elts, &cap, e)) return NULL;
    }
    AstNode *t = node_from(p, AST_TUPLE, start);
    if (t) t->v.seq.elts = elts;
    return t;
}

/* primary:
 *     | primary '.' NAME
 *     | primary genexp
 *     | primary '(' [arguments] ')'
 *     | primary '[' slices ']'
 *     | atom */
static AstNode *primary(Parser *p) {
    int start = p->pos;
    AstNode *e = atom(p);
    while (e) {
        TokKind k = p_kind(p, 0);
        if (k == TOK_DOT) {
            p_advance(p);
            const Token *name = p_cur(p);
            if (name->kind != TOK_NAME) return p_invalid_syntax(p);
            p_advance(p);
            AstNode *n = node_from(p, AST_ATTRIBUTE, start);
            if (!n) return NULL;
            n->v.attribute.value = e;
            n->v.attribute.attr = p_tok_text(p, name);
            e = n;
        } else if (k == TOK_LPAR) {
            if (!p_enter(p, p_cur(p))) return NULL;
            p_advance(p);
            AstNode *n = node_from(p, AST_CALL, start);
            bool ok = n && p_call_args(p, &n->v.call.args, &n->v.call.keywords, true);
            p_leave(p);
            if (!ok) return NULL;
            p_advance(p); /* ')' */
            n->end_line = p_prev(p)->end_line;
            n->end_col = p_prev(p)->end_col;
            n->v.call.func = e;
            e = n;
        } else if (k == TOK_LSQB) {
            if (!p_enter(p, p_cur(p))) return NULL;
            p_advance(p);
            AstNode *s = slices(p);
            p_leave(p);
            if (!s) return NULL;
            if (!p_at(p, TOK_RSQB)) return p_invalid_syntax(p);
            p_advance(p);
            AstNode *n = node_from(p, AST_SUBSCRIPT, start);
            if (!n) return NULL;
            n->v.subscript.value = e;
            n->v.subscript.slice = s;
            e = n;
        } else {
            break;
        }
    }
    return e;
}

/* ---- call arguments ---- */

/* arguments: args [','] &')'
 * args: ','.(starred_expression | (assignment_expression | expression !':=') !'=')+
 *       [',' kwargs] | kwargs
 * kwargs: kwarg_or_starred (',' kwarg_or_starred)* [',' kwarg_or_double_starred ...]
 * kwarg_or_starred: NAME '=' expression | starred_expression
 * kwarg_or_double_starred: NAME '=' expression | '**' expression
 * On return (true) the current token is ')'. */
bool p_call_args(Parser *p, AstList *args, AstList *keywords, bool allow_genexp) {
    int acap = 0, kcap = 0;
    const Token *open = p_prev(p);
    bool seen_keyword = false, seen_double = false;
    AstNode *first_arg = NULL, *last_arg = NULL;
    int nitems = 0;
    while (!p_at(p, TOK_RPAR)) {
        int start = p->pos;
        const Token *t = p_cur(p);
        nitems++;
        if (t->kind == TOK_STAR || t->kind == TOK_DOUBLESTAR) {
            bool dbl = t->kind == TOK_DOUBLESTAR;
            p_advance(p);
            AstNode *v = p_expression(p);
            if (!v) return false;
            if (dbl) {
                if (!p_tier2(p, t, "'**kwargs' arguments")) return false;
                AstNode *kw = node_from(p, AST_KEYWORD, start);
                if (!kw) return false;
                kw->v.keyword.value = v;
                if (!p_push(p, keywords, &kcap, kw)) return false;
                seen_double = true;
                if (!first_arg) first_arg = kw;
                last_arg = kw;
            } else {
                if (seen_double) {
                    AstNode span = *first_arg;
                    span.end_line = last_arg->end_line;
                    span.end_col = last_arg->end_col;
                    p_error_node(p, &span,
                                 "iterable argument unpacking follows keyword argument unpacking");
                    return false;
                }
                AstNode *s = node_from(p, AST_STARRED, start);
                if (!s) return false;
                s->v.starred.value = v;
                if (!p_push(p, args, &acap, s)) return false;
                if (!first_arg) first_arg = s;
                last_arg = s;
            }
        } else if (t->kind == TOK_NAME && p_kind(p, 1) == TOK_EQUAL) {
            p_advance(p);
            const Token *eq = p_advance(p);
            if (p_at(p, TOK_RPAR) || p_at(p, TOK_COMMA)) {
                p_invalid_syntax(p);
                return false;
            }
            AstNode *v = p_expression(p);
            if (!v) return false;
            if (p_at(p, TOK_KW_FOR)) {
                AstNode a = {0};
                a.line = t->line; a.col = t->col; a.end_line = eq->end_line; a.end_col = eq->end_col;
                p_error_node(p, &a, "invalid syntax. Maybe you meant '==' or ':=' instead of '='?");
                return false;
            }
            AstNode *kw = node_from(p, AST_KEYWORD, start);
            if (!kw) return false;
            kw->v.keyword.arg = p_tok_text(p, t);
            kw->v.keyword.value = v;
            for (int k = 0; k < keywords->count; k++) {
                const char *other = keywords->items[k]->v.keyword.arg;
                if (other && kw->v.keyword.arg && strcmp(other, kw->v.keyword.arg) == 0)
                    p_defer_error(p, kw, "keyword argument repeated: %s", kw->v.keyword.arg);
            }
            if (!p_push(p, keywords, &kcap, kw)) return false;
            seen_keyword = true;
            if (!first_arg) first_arg = kw;
            last_arg = kw;
        } else if ((t->kind == TOK_KW_TRUE || t->kind == TOK_KW_FALSE || t->kind == TOK_KW_NONE) &&
                   p_kind(p, 1) == TOK_EQUAL) {
            const Token *eq = p_peek(p, 1);
            AstNode a = {0};
            a.line = t->line; a.col = t->col; a.end_line = eq->end_line; a.end_col = eq->end_col;
            p_error_node(p, &a, "cannot assign to %s", lex_token_text(t->kind));
            return false;
        } else {
            if (p_at(p, TOK_NAME) && p_kind(p, 1) == TOK_COLONEQUAL) {
                p_unsupported(p, p_peek(p, 1), "':=' assignment expressions");
                return false;
            }
            AstNode *e = p_expression(p);
            if (!e) return false;
            if (p_at(p, TOK_EQUAL)) {
                /* invalid_kwarg: !(NAME '=') a=expression b='=' */
                const Token *eq = p_cur(p);
                AstNode a = *e;
                a.end_line = eq->end_line;
                a.end_col = eq->end_col;
                p_error_node(p, &a, "expression cannot contain assignment, perhaps you meant \"==\"?");
                return false;
            }
            if ((p_at(p, TOK_KW_FOR) || p_at(p, TOK_KW_ASYNC)) && !allow_genexp) {
                p_invalid_syntax(p);
                return false;
            }
            if (p_at(p, TOK_KW_FOR) || p_at(p, TOK_KW_ASYNC)) {
                /* a generator expression argument: alone it is f(x for x in y) */
                if (!p_tier2(p, p_cur(p), "generator expressions")) return false;
                AstList gens = {0};
                if (!for_if_clauses(p, &gens)) return false;
                if (nitems > 1 || p_at(p, TOK_COMMA)) {
                    p_error_range(p, e, last_comprehension_item(&gens),
                                  "Generator expression must be parenthesized");
                    return false;
                }
                if (!p_at(p, TOK_RPAR)) {
                    p_invalid_syntax(p);
                    return false;
                }
                /* the generator expression spans the call's parentheses */
                AstNode *g = p_node(p, AST_GENERATOR_EXP, open, p_cur(p));
                if (!g) return false;
                g->v.comp.elt = e;
                g->v.comp.generators = gens;
                e = g;
            } else if (seen_keyword || seen_double) {
                /* _PyPegen_arguments_parsing_error, reported at the furthest token */
                p_peek(p, 0);
                p_error_tok(p, &p->toks[p->max_pos],
                            seen_double ? "positional argument follows keyword argument unpacking"
                                        : "positional argument follows keyword argument");
                return false;
            }
            if (!p_push(p, args, &acap, e)) return false;
            if (!first_arg) first_arg = e;
            last_arg = e;
        }
        if (p_at(p, TOK_RPAR)) break;
        if (!p_at(p, TOK_COMMA)) {
            p_invalid_syntax(p);
            return false;
        }
        p_advance(p);
    }
    return !p->failed;
}

/* ---- lambda and parameters ---- */

/* lambdef: 'lambda' [lambda_params] ':' expression */
static AstNode *lambdef(Parser *p) {
    int start = p->pos;
    const Token *kw = p_cur(p);
    if (!p_tier2(p, kw, "'lambda'")) return NULL;
    if (!p_enter(p, kw)) return NULL;
    p_advance(p);
    AstNode *args = p_params(p, false, TOK_COLON);
    AstNode *n = NULL;
    if (args) {
        if (!p_accept(p, TOK_COLON)) {
            p_invalid_syntax(p);
        } else {
            AstNode *body = p_expression(p);
            if (body) {
                n = node_from(p, AST_LAMBDA, start);
                if (n) {
                    n->v.lambda.args = args;
                    n->v.lambda.body = body;
                }
            }
        }
    }
    p_leave(p);
    return n;
}

/* A parameter name [annotation]: param: NAME annotation?  annotation: ':' expression */
static AstNode *param(Parser *p, bool def_params, bool star) {
    int start = p->pos;
    const Token *name = p_cur(p);
    if (name->kind != TOK_NAME) return p_invalid_syntax(p);
    p_advance(p);
    AstNode *annotation = NULL;
    if (def_params && p_at(p, TOK_COLON)) {
        if (!p_tier2(p, p_cur(p), "annotations")) return NULL;
        p_advance(p);
        annotation = star ? star_expression(p) : p_expression(p);
        if (!annotation) return NULL;
    }
    AstNode *a = node_from(p, AST_ARG, start);
    if (!a) return NULL;
    a->v.arg.arg = p_tok_text(p, name);
    a->v.arg.annotation = annotation;
    return a;
}

static bool arg_name_seen(AstNode *args, const char *name) {
    AstList *lists[] = {&args->v.arguments.posonlyargs, &args->v.arguments.args,
                        &args->v.arguments.kwonlyargs};
    for (int l = 0; l < 3; l++)
        for (int i = 0; i < lists[l]->count; i++)
            if (strcmp(lists[l]->items[i]->v.arg.arg, name) == 0) return true;
    if (args->v.arguments.vararg && strcmp(args->v.arguments.vararg->v.arg.arg, name) == 0)
        return true;
    if (args->v.arguments.kwarg && strcmp(args->v.arguments.kwarg->v.arg.arg, name) == 0)
        return true;
    return false;
}

/* params / lambda_params (the parameters of a def or lambda, up to `close`):
 *     [param_no_default+ '/' ','] param_no_default* param_with_default*
 *     ['*' [param_no_default] param_maybe_default* ] ['**' param_no_default]
 * with CPython's invalid_parameters / invalid_star_etc / invalid_kwds messages. */
AstNode *p_params(Parser *p, bool def_params, TokKind close) {
    AstNode *args = ast_node_new(p->arena, AST_ARGUMENTS, 0, 0, 0, 0, p->err);
    if (!args) { p->failed = true; return NULL; }
    int pcap = 0, dcap = 0, kcap = 0, kdcap = 0;
    AstList positional = {0};
    bool seen_slash = false, seen_star = false, seen_default = false;
    const char *kind_name = def_params ? "function definition" : "lambda";
    (void)kind_name;
    while (!p_at(p, close)) {
        const Token *t = p_cur(p);
        if (args->v.arguments.kwarg) {
            if (t->kind == TOK_NAME || t->kind == TOK_STAR || t->kind == TOK_DOUBLESTAR ||
                t->kind == TOK_SLASH)
                return p_error_tok(p, t, "arguments cannot follow var-keyword argument");
            return p_invalid_syntax(p);
        }
        if (t->kind == TOK_SLASH) {
            if (!p_tier2(p, t, "positional-only parameters")) return NULL;
            if (seen_star) return p_error_tok(p, t, "/ must be ahead of *");
            if (seen_slash) return p_error_tok(p, t, "/ may appear only once");
            if (positional.count == 0) {
                bool comma = p->pos + 1 < p->ntoks && p->toks[p->pos + 1].kind == TOK_COMMA;
                return p_error_tok(p, t, comma ? "at least one argument must precede /" : "invalid syntax");
            }
            p_advance(p);
            seen_slash = true;
            args->v.arguments.posonlyargs = positional;
            positional = (AstList){0};
            pcap = 0;
        } else if (t->kind == TOK_STAR) {
            if (!p_tier2(p, t, "'*args' parameters")) return NULL;
            if (seen_star) return p_error_tok(p, t, "* argument may appear only once");
            p_advance(p);
            seen_star = true;
            if (p_at(p, TOK_NAME)) {
                AstNode *a = param(p, def_params, true);
                if (!a) return NULL;
                if (p_at(p, TOK_EQUAL))
                    return p_error_tok(p, p_cur(p), "var-positional argument cannot have default value");
                if (arg_name_seen(args, a->v.arg.arg) || (positional.count && 0))
                    return p_error_node(p, a, "duplicate argument '%s' in function definition", a->v.arg.arg);
                args->v.arguments.vararg = a;
            } else {
                bool bare_end = p_at(p, close) ||
                                (p_at(p, TOK_COMMA) && (p_kind(p, 1) == close ||
                                                        p_kind(p, 1) == TOK_DOUBLESTAR));
                if (bare_end) {
                    if (def_params) return p_error_tok(p, t, "named arguments must follow bare *");
                    p_peek(p, 1);
                    return p_error_tok(p, &p->toks[p->max_pos], "named arguments must follow bare *");
                }
                if (!p_at(p, TOK_COMMA)) return p_invalid_syntax(p);
            }
        } else if (t->kind == TOK_DOUBLESTAR) {
            if (!p_tier2(p, t, "'**kwargs' parameters")) return NULL;
            p_advance(p);
            AstNode *a = param(p, def_params, false);
            if (!a) return NULL;
            if (p_at(p, TOK_EQUAL))
                return p_error_tok(p, p_cur(p), "var-keyword argument cannot have default value");
            args->v.arguments.kwarg = a;
        } else if (t->kind == TOK_NAME) {
            AstNode *a = param(p, def_params, false);
            if (!a) return NULL;
            AstNode *def = NULL;
            if (p_at(p, TOK_EQUAL)) {
                const Token *eq = p_advance(p);
                if (p_at(p, TOK_COMMA) || p_at(p, TOK_RPAR))
                    return p_error_tok(p, eq, "expected default value expression");
                def = p_expression(p);
                if (!def) return NULL;
            }
            if (arg_name_seen(args, a->v.arg.arg)) {
                p_error_node(p, a, "duplicate argument '%s' in function definition", a->v.arg.arg);
                return NULL;
            }
            for (int i = 0; i < positional.count; i++)
                if (strcmp(positional.items[i]->v.arg.arg, a->v.arg.arg) == 0)
                    return p_error_node(p, a, "duplicate argument '%s' in function definition",
                                        a->v.arg.arg);
            if (seen_star) {
                if (!p_push(p, &args->v.arguments.kwonlyargs, &kcap, a) ||
                    !p_push(p, &args->v.arguments.kw_defaults, &kdcap, def))
                    return NULL;
            } else {
                if (!def && seen_default)
                    return p_error_node(p, a, "non-default argument follows default argument");
                if (def) {
                    seen_default = true;
                    if (!p_push(p, &args->v.arguments.defaults, &dcap, def)) return NULL;
                }
                if (!p_push(p, &positional, &pcap, a)) return NULL;
            }
        } else if (t->kind == TOK_LPAR) {
            /* invalid_parameters: param_no_default* '(' param_no_default+ ','? ')' */
            ParserMark m;
            p_probe_begin(p, &m);
            p_advance(p);
            bool ok = p_at(p, TOK_NAME);
            while (ok && p_at(p, TOK_NAME)) {
                p_advance(p);
                if (!p_accept(p, TOK_COMMA)) break;
            }
            ok = ok && p_at(p, TOK_RPAR);
            const Token *closep = p_cur(p);
            p_probe_end(p, &m, false);
            if (ok) {
                AstNode a = {0};
                a.line = t->line; a.col = t->col; a.end_line = closep->end_line; a.end_col = closep->end_col;
                return p_error_node(p, &a, def_params ? "Function parameters cannot be parenthesized"
                                                      : "Lambda expression parameters cannot be parenthesized");
            }
            return p_invalid_syntax(p);
        } else {
            return p_invalid_syntax(p);
        }
        if (p_at(p, close)) break;
        if (!p_at(p, TOK_COMMA)) return p_invalid_syntax(p);
        p_advance(p);
    }
    if (seen_star && !args->v.arguments.vararg && args->v.arguments.kwonlyargs.count == 0)
        return p_error_tok(p, p_cur(p), "named arguments must follow bare *");
    if (seen_slash) args->v.arguments.args = positional;
    else args->v.arguments.args = positional;
    return args;
}
