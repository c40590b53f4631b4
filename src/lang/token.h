/*
 * src/lang/token.h — the token kinds of the embedlab scanner (src/lang/lex.h).
 * See LICENSE (GPL-3.0-or-later).
 *
 * One X-macro list gives the enum and its name table (lex_token_name), so they cannot
 * drift. The kinds follow CPython's tokenizer (Lib/token.py), except that every
 * keyword has its own kind (TOK_KW_IF ...) so the parser matches keywords like
 * operators. Soft keywords (`match`, `case`, `_`) stay TOK_NAME.
 *
 *   X(enum, name, text)   text: the token's fixed spelling, or NULL when it varies
 */
#ifndef EMBEDLAB_TOKEN_H
#define EMBEDLAB_TOKEN_H

#define TOKEN_LIST(X)                              \
    X(TOK_ENDMARKER, "ENDMARKER", NULL)            \
    X(TOK_NAME, "NAME", NULL)                      \
    X(TOK_NUMBER, "NUMBER", NULL)                  \
    X(TOK_STRING, "STRING", NULL)                  \
    X(TOK_NEWLINE, "NEWLINE", NULL)                \
    X(TOK_INDENT, "INDENT", NULL)                  \
    X(TOK_DEDENT, "DEDENT", NULL)                  \
    X(TOK_LPAR, "LPAR", "(")                       \
    X(TOK_RPAR, "RPAR", ")")                       \
    X(TOK_LSQB, "LSQB", "[")                       \
    X(TOK_RSQB, "RSQB", "]")                       \
    X(TOK_LBRACE, "LBRACE", "{")                   \
    X(TOK_RBRACE, "RBRACE", "}")                   \
    X(TOK_COLON, "COLON", ":")                     \
    X(TOK_COMMA, "COMMA", ",")                     \
    X(TOK_SEMI, "SEMI", ";")                       \
    X(TOK_PLUS, "PLUS", "+")                       \
    X(TOK_MINUS, "MINUS", "-")                     \
    X(TOK_STAR, "STAR", "*")                       \
    X(TOK_SLASH, "SLASH", "/")                     \
    X(TOK_VBAR, "VBAR", "|")                       \
    X(TOK_AMPER, "AMPER", "&")                     \
    X(TOK_LESS, "LESS", "<")                       \
    X(TOK_GREATER, "GREATER", ">")                 \
    X(TOK_EQUAL, "EQUAL", "=")                     \
    X(TOK_DOT, "DOT", ".")                         \
    X(TOK_PERCENT, "PERCENT", "%")                 \
    X(TOK_EQEQUAL, "EQEQUAL", "==")                \
    X(TOK_NOTEQUAL, "NOTEQUAL", "!=")              \
    X(TOK_LESSEQUAL, "LESSEQUAL", "<=")            \
    X(TOK_GREATEREQUAL, "GREATEREQUAL", ">=")      \
    X(TOK_TILDE, "TILDE", "~")                     \
    X(TOK_CIRCUMFLEX, "CIRCUMFLEX", "^")           \
    X(TOK_LEFTSHIFT, "LEFTSHIFT", "<<")            \
    X(TOK_RIGHTSHIFT, "RIGHTSHIFT", ">>")          \
    X(TOK_DOUBLESTAR, "DOUBLESTAR", "**")          \
    X(TOK_PLUSEQUAL, "PLUSEQUAL", "+=")            \
    X(TOK_MINEQUAL, "MINEQUAL", "-=")              \
    X(TOK_STAREQUAL, "STAREQUAL", "*=")            \
    X(TOK_SLASHEQUAL, "SLASHEQUAL", "/=")          \
    X(TOK_PERCENTEQUAL, "PERCENTEQUAL", "%=")      \
    X(TOK_AMPEREQUAL, "AMPEREQUAL", "&=")          \
    X(TOK_VBAREQUAL, "VBAREQUAL", "|=")            \
    X(TOK_CIRCUMFLEXEQUAL, "CIRCUMFLEXEQUAL", "^=") \
    X(TOK_LEFTSHIFTEQUAL, "LEFTSHIFTEQUAL", "<<=") \
    X(TOK_RIGHTSHIFTEQUAL, "RIGHTSHIFTEQUAL", ">>=") \
    X(TOK_DOUBLESTAREQUAL, "DOUBLESTAREQUAL", "**=") \
    X(TOK_DOUBLESLASH, "DOUBLESLASH", "//")        \
    X(TOK_DOUBLESLASHEQUAL, "DOUBLESLASHEQUAL", "//=") \
    X(TOK_AT, "AT", "@")                           \
    X(TOK_ATEQUAL, "ATEQUAL", "@=")                \
    X(TOK_RARROW, "RARROW", "->")                  \
    X(TOK_ELLIPSIS, "ELLIPSIS", "...")             \
    X(TOK_COLONEQUAL, "COLONEQUAL", ":=")          \
    X(TOK_OP, "OP", NULL)                          \
    X(TOK_KW_FALSE, "False", "False")              \
    X(TOK_KW_NONE, "None", "None")                 \
    X(TOK_KW_TRUE, "True", "True")                 \
    X(TOK_KW_AND, "and", "and")                    \
    X(TOK_KW_AS, "as", "as")                       \
    X(TOK_KW_ASSERT, "assert", "assert")           \
    X(TOK_KW_ASYNC, "async", "async")              \
    X(TOK_KW_AWAIT, "await", "await")              \
    X(TOK_KW_BREAK, "break", "break")              \
    X(TOK_KW_CLASS, "class", "class")              \
    X(TOK_KW_CONTINUE, "continue", "continue")     \
    X(TOK_KW_DEF, "def", "def")                    \
    X(TOK_KW_DEL, "del", "del")                    \
    X(TOK_KW_ELIF, "elif", "elif")                 \
    X(TOK_KW_ELSE, "else", "else")                 \
    X(TOK_KW_EXCEPT, "except", "except")           \
    X(TOK_KW_FINALLY, "finally", "finally")        \
    X(TOK_KW_FOR, "for", "for")                    \
    X(TOK_KW_FROM, "from", "from")                 \
    X(TOK_KW_GLOBAL, "global", "global")           \
    X(TOK_KW_IF, "if", "if")                       \
    X(TOK_KW_IMPORT, "import", "import")           \
    X(TOK_KW_IN, "in", "in")                       \
    X(TOK_KW_IS, "is", "is")                       \
    X(TOK_KW_LAMBDA, "lambda", "lambda")           \
    X(TOK_KW_NONLOCAL, "nonlocal", "nonlocal")     \
    X(TOK_KW_NOT, "not", "not")                    \
    X(TOK_KW_OR, "or", "or")                       \
    X(TOK_KW_PASS, "pass", "pass")                 \
    X(TOK_KW_RAISE, "raise", "raise")              \
    X(TOK_KW_RETURN, "return", "return")           \
    X(TOK_KW_TRY, "try", "try")                    \
    X(TOK_KW_WHILE, "while", "while")              \
    X(TOK_KW_WITH, "with", "with")                 \
    X(TOK_KW_YIELD, "yield", "yield")              \
    X(TOK_ERROR, "ERRORTOKEN", NULL)

typedef enum TokKind {
#define TOKEN_ENUM_ENTRY(e, name, text) e,
    TOKEN_LIST(TOKEN_ENUM_ENTRY)
#undef TOKEN_ENUM_ENTRY
    TOK_COUNT
} TokKind;

/* First and last keyword kinds (contiguous). */
#define TOK_FIRST_KEYWORD TOK_KW_FALSE
#define TOK_LAST_KEYWORD TOK_KW_YIELD

#endif
