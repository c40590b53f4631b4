/*
 * src/lang/ast.h — the abstract syntax tree of the embedlab language: Python 3.11's `ast`
 * module, node for node. See LICENSE (GPL-3.0-or-later).
 *
 * This header is the contract between the parser (parse.h) and the evaluator.
 *
 * Shape. Every node is an AstNode whose `kind` selects one member of the union `v`; the
 * member names follow the kind (AST_BIN_OP -> v.bin_op). Field names and meanings are
 * those of Python's ast module (https://docs.python.org/3.11/library/ast.html), so
 * `ast_dump` prints exactly what `ast.dump(ast.parse(src))` prints in Python 3.11.
 * Optional fields (`expr?` in Python's ASDL) are NULL when absent. Lists are AstList
 * (an array of node pointers and a count; items may be NULL only where Python allows
 * None: Dict.keys for `**mapping`, arguments.kw_defaults for a keyword-only parameter
 * without default).
 *
 * Positions. Every node has line, col, end_line, end_col exactly like CPython's lineno,
 * col_offset, end_lineno, end_col_offset: lines are 1-based, columns are 0-based UTF-8
 * BYTE offsets from the start of the line, the end is exclusive. A caret for a node
 * spans source bytes [col, end_col) of line `line` (when end_line == line). Nodes
 * without positions in Python (Module, arguments, comprehension, withitem, contexts,
 * operators) have them zeroed, except arguments and comprehension which are zero too.
 *
 * Ownership. All nodes, lists, identifiers and constant payloads live in one AstArena
 * owned by the Ast returned by the parser and are freed at once by ast_free. Nothing in
 * a tree is individually freed or shared between trees. Identifiers are NUL-terminated
 * UTF-8 strings.
 *
 * Constants. AST_CONSTANT holds an AstConst: None, bool, int (int64 value, plus the
 * decimal digits text; `overflow` is set when the value does not fit int64 — the
 * evaluator decides; `i` is then unspecified), float (double; literals too large are
 * inf like Python), str (UTF-8 bytes + length, may contain NUL), Ellipsis. Imaginary and
 * bytes literals are rejected by the parser.
 *
 * f-strings: JoinedStr(values=[Constant(str) | FormattedValue]); FormattedValue has the
 * expression, `conversion` (-1 none, 's' 115, 'r' 114, 'a' 97) and an optional
 * format_spec that is itself a JoinedStr. `f"{x=}"` becomes Constant('x=') then
 * FormattedValue(x, 'r') as in CPython.
 */
#ifndef EMBEDLAB_AST_H
#define EMBEDLAB_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"

/* X(enum suffix, Python class name, union member) */
#define AST_NODE_LIST(X)                             \
    /* mod */                                        \
    X(MODULE, "Module", module)                      \
    /* stmt */                                       \
    X(FUNCTION_DEF, "FunctionDef", function_def)     \
    X(CLASS_DEF, "ClassDef", class_def)              \
    X(RETURN, "Return", return_)                     \
    X(DELETE, "Delete", delete_)                     \
    X(ASSIGN, "Assign", assign)                      \
    X(AUG_ASSIGN, "AugAssign", aug_assign)           \
    X(ANN_ASSIGN, "AnnAssign", ann_assign)           \
    X(FOR, "For", for_)                              \
    X(WHILE, "While", while_)                        \
    X(IF, "If", if_)                                 \
    X(WITH, "With", with)                            \
    X(RAISE, "Raise", raise)                         \
    X(TRY, "Try", try_)                              \
    X(ASSERT, "Assert", assert_)                     \
    X(IMPORT, "Import", import)                      \
    X(IMPORT_FROM, "ImportFrom", import_from)        \
    X(GLOBAL, "Global", global)                      \
    X(NONLOCAL, "Nonlocal", global)                  \
    X(EXPR, "Expr", expr)                            \
    X(PASS, "Pass", none)                            \
    X(BREAK, "Break", none)                          \
    X(CONTINUE, "Continue", none)                    \
    /* expr */                                       \
    X(BOOL_OP, "BoolOp", bool_op)                    \
    X(BIN_OP, "BinOp", bin_op)                       \
    X(UNARY_OP, "UnaryOp", unary_op)                 \
    X(LAMBDA, "Lambda", lambda)                      \
    X(IF_EXP, "IfExp", if_exp)                       \
    X(DICT, "Dict", dict)                            \
    X(SET, "Set", set)                               \
    X(LIST_COMP, "ListComp", comp)                   \
    X(SET_COMP, "SetComp", comp)                     \
    X(DICT_COMP, "DictComp", dict_comp)              \
    X(GENERATOR_EXP, "GeneratorExp", comp)           \
    X(COMPARE, "Compare", compare)                   \
    X(CALL, "Call", call)                            \
    X(FORMATTED_VALUE, "FormattedValue", formatted_value) \
    X(JOINED_STR, "JoinedStr", joined_str)           \
    X(CONSTANT, "Constant", constant)                \
    X(ATTRIBUTE, "Attribute", attribute)             \
    X(SUBSCRIPT, "Subscript", subscript)             \
    X(STARRED, "Starred", starred)                   \
    X(NAME, "Name", name)                            \
    X(LIST, "List", seq)                             \
    X(TUPLE, "Tuple", seq)                           \
    X(SLICE, "Slice", slice)                         \
    /* helper nodes */                               \
    X(COMPREHENSION, "comprehension", comprehension) \
    X(EXCEPT_HANDLER, "ExceptHandler", except_handler) \
    X(ARGUMENTS, "arguments", arguments)             \
    X(ARG, "arg", arg)                               \
    X(KEYWORD, "keyword", keyword)                   \
    X(ALIAS, "alias", alias)                         \
    X(WITHITEM, "withitem", withitem)

typedef enum AstKind {
#define AST_KIND_ENUM(e, name, member) AST_##e,
    AST_NODE_LIST(AST_KIND_ENUM)
#undef AST_KIND_ENUM
    AST_KIND_COUNT
} AstKind;

/* Binary operators, in the order of Python's ast.operator (same order as value.h's
 * PyOp, so the evaluator may convert by value). X(enum suffix, class name, symbol) */
#define AST_OP_LIST(X)              \
    X(ADD, "Add", "+")              \
    X(SUB, "Sub", "-")              \
    X(MULT, "Mult", "*")            \
    X(MAT_MULT, "MatMult", "@")     \
    X(DIV, "Div", "/")              \
    X(MOD, "Mod", "%")              \
    X(POW, "Pow", "**")             \
    X(LSHIFT, "LShift", "<<")       \
    X(RSHIFT, "RShift", ">>")       \
    X(BIT_OR, "BitOr", "|")         \
    X(BIT_XOR, "BitXor", "^")       \
    X(BIT_AND, "BitAnd", "&")       \
    X(FLOOR_DIV, "FloorDiv", "//")

typedef enum AstOp {
#define AST_OP_ENUM(e, name, sym) AST_OP_##e,
    AST_OP_LIST(AST_OP_ENUM)
#undef AST_OP_ENUM
    AST_OP_COUNT
} AstOp;

#define AST_UNARY_LIST(X)           \
    X(INVERT, "Invert", "~")        \
    X(NOT, "Not", "not")            \
    X(UADD, "UAdd", "+")            \
    X(USUB, "USub", "-")

typedef enum AstUnaryOp {
#define AST_UNARY_ENUM(e, name, sym) AST_UNARY_##e,
    AST_UNARY_LIST(AST_UNARY_ENUM)
#undef AST_UNARY_ENUM
    AST_UNARY_COUNT
} AstUnaryOp;

#define AST_CMP_LIST(X)             \
    X(EQ, "Eq", "==")               \
    X(NOT_EQ, "NotEq", "!=")        \
    X(LT, "Lt", "<")                \
    X(LT_E, "LtE", "<=")            \
    X(GT, "Gt", ">")                \
    X(GT_E, "GtE", ">=")            \
    X(IS, "Is", "is")               \
    X(IS_NOT, "IsNot", "is not")    \
    X(IN, "In", "in")               \
    X(NOT_IN, "NotIn", "not in")

typedef enum AstCmpOp {
#define AST_CMP_ENUM(e, name, sym) AST_CMP_##e,
    AST_CMP_LIST(AST_CMP_ENUM)
#undef AST_CMP_ENUM
    AST_CMP_COUNT
} AstCmpOp;

typedef enum AstBoolOp { AST_BOOL_AND, AST_BOOL_OR } AstBoolOp;

/* Expression context: how a Name/Attribute/Subscript/Starred/List/Tuple is used. */
typedef enum AstCtx { AST_LOAD, AST_STORE, AST_DEL } AstCtx;

typedef enum AstConstType {
    AST_CONST_NONE,
    AST_CONST_BOOL,
    AST_CONST_INT,
    AST_CONST_FLOAT,
    AST_CONST_STR,
    AST_CONST_ELLIPSIS
} AstConstType;

typedef struct AstConst {
    AstConstType type;
    bool b;             /* BOOL */
    int64_t i;          /* INT when !overflow */
    bool overflow;      /* INT: the value does not fit int64 (see digits) */
    const char *digits; /* INT: decimal digits of the value, no sign, no underscores */
    double f;           /* FLOAT */
    const char *s;      /* STR: UTF-8 bytes, NUL-terminated, may contain NUL */
    size_t len;         /* STR: length in bytes */
    const char *kind;   /* STR: "u" for u'...' literals (Python's Constant.kind), else NULL */
} AstConst;

typedef struct AstNode AstNode;

typedef struct AstList {
    AstNode **items;
    int count;
} AstList;

struct AstNode {
    AstKind kind;
    int line, col, end_line, end_col; /* see "Positions" above */
    union {
        struct { AstList body; } module;
        /* def name(args) -> returns: body   (decorator_list is always empty) */
        struct { const char *name; AstNode *args; AstList body; AstList decorator_list;
                 AstNode *returns; } function_def;
        /* class name(bases, keywords): body */
        struct { const char *name; AstList bases, keywords, body, decorator_list; } class_def;
        struct { AstNode *value; } return_;                  /* value may be NULL */
        struct { AstList targets; } delete_;                 /* ctx Del */
        struct { AstList targets; AstNode *value; } assign;  /* t1 = t2 = value */
        struct { AstNode *target; AstOp op; AstNode *value; } aug_assign;
        /* target: annotation = value; simple: target is a plain Name not in parens */
        struct { AstNode *target, *annotation, *value; int simple; } ann_assign;
        struct { AstNode *target, *iter; AstList body, orelse; } for_;
        struct { AstNode *test; AstList body, orelse; } while_;
        struct { AstNode *test; AstList body, orelse; } if_;    /* elif: orelse=[If] */
        struct { AstList items; AstList body; } with;           /* items: AST_WITHITEM */
        struct { AstNode *exc, *cause; } raise;                 /* both may be NULL */
        /* handlers: AST_EXCEPT_HANDLER */
        struct { AstList body, handlers, orelse, finalbody; } try_;
        struct { AstNode *test, *msg; } assert_;
        struct { AstList names; } import;                       /* AST_ALIAS */
        /* from <level dots><module> import names; module NULL for `from . import x` */
        struct { const char *module; AstList names; int level; } import_from;
        /* Global and Nonlocal */
        struct { const char **names; int count; } global;
        struct { AstNode *value; } expr;
        struct { char unused; } none;                           /* Pass/Break/Continue */

        struct { AstBoolOp op; AstList values; } bool_op;       /* >= 2 values */
        struct { AstNode *left; AstOp op; AstNode *right; } bin_op;
        struct { AstUnaryOp op; AstNode *operand; } unary_op;
        struct { AstNode *args; AstNode *body; } lambda;        /* args: AST_ARGUMENTS */
        struct { AstNode *test, *body, *orelse; } if_exp;       /* body if test else orelse */
        /* keys[i] NULL: values[i] is a `**mapping` */
        struct { AstList keys, values; } dict;
        struct { AstList elts; } set;
        /* ListComp, SetComp, GeneratorExp; generators: AST_COMPREHENSION */
        struct { AstNode *elt; AstList generators; } comp;
        struct { AstNode *key, *value; AstList generators; } dict_comp;
        /* left ops[0] comparators[0] ops[1] comparators[1] ... */
        struct { AstNode *left; AstCmpOp *ops; AstList comparators; } compare;
        /* args may hold AST_STARRED (*a); keywords: AST_KEYWORD (arg NULL for **k) */
        struct { AstNode *func; AstList args, keywords; } call;
        struct { AstNode *value; int conversion; AstNode *format_spec; } formatted_value;
        struct { AstList values; } joined_str;
        struct { AstConst value; } constant;
        struct { AstNode *value; const char *attr; AstCtx ctx; } attribute;
        /* slice: an expression, AST_SLICE, or an AST_TUPLE of those (w[:, :2]) */
        struct { AstNode *value, *slice; AstCtx ctx; } subscript;
        struct { AstNode *value; AstCtx ctx; } starred;
        struct { const char *id; AstCtx ctx; } name;
        struct { AstList elts; AstCtx ctx; } seq;               /* List and Tuple */
        struct { AstNode *lower, *upper, *step; } slice;        /* each may be NULL */

        /* for target in iter if ifs...   (is_async is always 0) */
        struct { AstNode *target, *iter; AstList ifs; } comprehension;
        /* except type as name: body   (type and name may be NULL) */
        struct { AstNode *type; const char *name; AstList body; } except_handler;
        /* posonlyargs / args , *vararg, kwonlyargs, **kwarg. defaults: for the last
         * len(defaults) of posonlyargs+args; kw_defaults: one per kwonlyarg (NULL = none) */
        struct { AstList posonlyargs, args; AstNode *vararg; AstList kwonlyargs, kw_defaults;
                 AstNode *kwarg; AstList defaults; } arguments;
        struct { const char *arg; AstNode *annotation; } arg;
        struct { const char *arg; AstNode *value; } keyword;   /* arg NULL: **value */
        struct { const char *name; const char *asname; } alias; /* name may be "a.b.c" or "*" */
        struct { AstNode *context_expr, *optional_vars; } withitem;
    } v;
};

/* ---- arena ---- */

typedef struct AstArena AstArena;

AstArena *ast_arena_new(Error *err);
void ast_arena_free(AstArena *arena);
/* Zeroed memory from the arena (8-byte aligned); NULL + ERR_MEMORY on failure. */
void *ast_arena_alloc(AstArena *arena, size_t size, Error *err);
/* A NUL-terminated copy of s[0, len) in the arena. */
char *ast_arena_strndup(AstArena *arena, const char *s, size_t len, Error *err);
/* A new node of `kind` at the given position, zero fields. */
AstNode *ast_node_new(AstArena *arena, AstKind kind, int line, int col, int end_line,
                      int end_col, Error *err);
/* Appends to a list being built (arena storage grows by doubling). `cap` is the caller's
 * capacity counter for this list (start at 0). */
int ast_list_push(AstArena *arena, AstList *list, int *cap, AstNode *node, Error *err);

/* A parsed module: the tree and the arena that owns it. */
typedef struct Ast {
    AstArena *arena;
    AstNode *root; /* AST_MODULE */
} Ast;

/* Frees the tree and its arena. NULL is fine. */
void ast_free(Ast *ast);

/* ---- names and dumping ---- */

/* "BinOp", "Name", ... */
const char *ast_kind_name(AstKind kind);
const char *ast_op_name(AstOp op);          /* "Add" */
const char *ast_op_symbol(AstOp op);        /* "+" */
const char *ast_unary_name(AstUnaryOp op);  /* "USub" */
const char *ast_unary_symbol(AstUnaryOp op);
const char *ast_cmp_name(AstCmpOp op);      /* "NotIn" */
const char *ast_cmp_symbol(AstCmpOp op);    /* "not in" */

/* Appends Python 3.11's ast.dump(node) (annotate_fields, no indent) to out; with
 * include_attributes, also the positions as ast.dump(..., include_attributes=True)
 * prints them (lineno, col_offset, end_lineno, end_col_offset). Returns sb_check. */
int ast_dump(const AstNode *node, bool include_attributes, StrBuf *out, Error *err);

/* Python's repr() of a str constant: 'abc', "it's", '\n', non-printables escaped. */
void ast_repr_str(const char *s, size_t len, StrBuf *out);

/* Python's expression-context name for messages: "function call", "literal",
 * "attribute", "f-string expression" ... (CPython's _PyPegen_get_expr_name). */
const char *ast_expr_name(const AstNode *node);

#endif
