/*
 * tests/unit/test_lex.c — the scanner: token streams, INDENT/DEDENT, positions, errors
 * and the tolerant mode completion uses. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include "core/strbuf.h"
#include "lang/lex.h"

/* The token stream of src as "KIND:text KIND ..." (text for names, numbers, strings, ops). */
static char *kinds(const char *src, bool tolerant) {
    Lexer lx;
    lex_init(&lx, src, strlen(src), tolerant);
    StrBuf sb = SB_INIT;
    for (int guard = 0; guard < 1000; guard++) {
        Token t;
        TokKind k = lex_next(&lx, &t);
        if (sb.len) sb_appendc(&sb, ' ');
        sb_append(&sb, lex_token_name(k));
        if (k == TOK_NAME || k == TOK_NUMBER || k == TOK_STRING || k == TOK_OP)
            sb_appendf(&sb, ":%.*s", (int)(t.end - t.start), src + t.start);
        if (k == TOK_ENDMARKER || (k == TOK_ERROR && !tolerant)) break;
    }
    return sb_take(&sb);
}

static void expect_kinds(const char *src, const char *want) {
    char *got = kinds(src, false);
    if (strcmp(got, want) != 0) fail_msg("%s\n  want %s\n  got  %s", src, want, got);
    free(got);
}

static void test_lex_simple_statements(void **state) {
    (void)state;
    expect_kinds("x = 1", "NAME:x EQUAL NUMBER:1 NEWLINE ENDMARKER");
    expect_kinds("", "ENDMARKER");
    expect_kinds("# c\n\n", "ENDMARKER");
    expect_kinds("a.b(c)[0] ** -2 // 3 @ w",
                 "NAME:a DOT NAME:b LPAR NAME:c RPAR LSQB NUMBER:0 RSQB DOUBLESTAR MINUS NUMBER:2 "
                 "DOUBLESLASH NUMBER:3 AT NAME:w NEWLINE ENDMARKER");
    expect_kinds("x **= 2; y //= 3 -> ... := != <> $",
                 "NAME:x DOUBLESTAREQUAL NUMBER:2 SEMI NAME:y DOUBLESLASHEQUAL NUMBER:3 RARROW "
                 "ELLIPSIS COLONEQUAL NOTEQUAL OP:<> OP:$ NEWLINE ENDMARKER");
    expect_kinds("if not x in y: pass", "if not NAME:x in NAME:y COLON pass NEWLINE ENDMARKER");
    expect_kinds("f'{x}' rb'\\n' '''a\nb''' u\"é\"",
                 "STRING:f'{x}' STRING:rb'\\n' STRING:'''a\nb''' STRING:u\"é\" NEWLINE ENDMARKER");
    expect_kinds("1_000 0x_FF 0o17 0b1 1.5e-3 .5 5. 1j 1if x else 2",
                 "NUMBER:1_000 NUMBER:0x_FF NUMBER:0o17 NUMBER:0b1 NUMBER:1.5e-3 NUMBER:.5 NUMBER:5. "
                 "NUMBER:1j NUMBER:1 if NAME:x else NUMBER:2 NEWLINE ENDMARKER");
    expect_kinds("match = _", "NAME:match EQUAL NAME:_ NEWLINE ENDMARKER");
}

static void test_lex_indentation(void **state) {
    (void)state;
    expect_kinds("if a:\n    if b:\n        c\nd\n",
                 "if NAME:a COLON NEWLINE INDENT if NAME:b COLON NEWLINE INDENT NAME:c NEWLINE "
                 "DEDENT DEDENT NAME:d NEWLINE ENDMARKER");
    expect_kinds("if a:\n\n  # comment\n  b\n", "if NAME:a COLON NEWLINE INDENT NAME:b NEWLINE DEDENT ENDMARKER");
    expect_kinds("x = (1,\n  2)\ny = [\n]\n",
                 "NAME:x EQUAL LPAR NUMBER:1 COMMA NUMBER:2 RPAR NEWLINE NAME:y EQUAL LSQB RSQB NEWLINE ENDMARKER");
    expect_kinds("x = 1 + \\\n  2\n", "NAME:x EQUAL NUMBER:1 PLUS NUMBER:2 NEWLINE ENDMARKER");
    expect_kinds("if a:\n\tb\n\tc\n", "if NAME:a COLON NEWLINE INDENT NAME:b NEWLINE NAME:c NEWLINE DEDENT ENDMARKER");
    expect_kinds("if a:\n  b", "if NAME:a COLON NEWLINE INDENT NAME:b NEWLINE DEDENT ENDMARKER");
}

static void expect_error(const char *src, LexErrClass cls, ErrCode code, const char *msg, int line, int col) {
    Lexer lx;
    lex_init(&lx, src, strlen(src), false);
    Token t;
    TokKind k;
    do k = lex_next(&lx, &t);
    while (k != TOK_ERROR && k != TOK_ENDMARKER);
    if (k != TOK_ERROR) fail_msg("%s: no error", src);
    if (lx.err_class != cls || lx.err.code != code || strcmp(lx.err.msg, msg) != 0 ||
        lx.err.line != line || lx.err.col != col)
        fail_msg("%s\n  want %d %s (%d, %d)\n  got  %d %s (%d, %d)", src, cls, msg, line, col,
                 lx.err_class, lx.err.msg, lx.err.line, lx.err.col);
    /* non-tolerant: the error is final */
    assert_int_equal(lex_next(&lx, &t), TOK_ERROR);
}

static void test_lex_errors(void **state) {
    (void)state;
    expect_error("x = 'abc\n", LEX_ERR_RAISED, ERR_SYNTAX, "unterminated string literal (detected at line 1)", 1, 5);
    expect_error("x = '''abc\n\n", LEX_ERR_RAISED, ERR_SYNTAX,
                 "unterminated triple-quoted string literal (detected at line 2)", 1, 5);
    expect_error("x = (1,\n2", LEX_ERR_EOF, ERR_SYNTAX, "'(' was never closed", 1, 5);
    expect_error("x = [1)", LEX_ERR_RAISED, ERR_SYNTAX,
                 "closing parenthesis ')' does not match opening parenthesis '['", 1, 7);
    expect_error("x = 1)", LEX_ERR_RAISED, ERR_SYNTAX, "unmatched ')'", 1, 6);
    expect_error("x = \xe2\x80\x9chi", LEX_ERR_RAISED, ERR_SYNTAX, "invalid character '\xe2\x80\x9c' (U+201C)", 1, 5);
    expect_error("x = 0777", LEX_ERR_RAISED, ERR_SYNTAX,
                 "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers", 1, 5);
    expect_error("x = 1_", LEX_ERR_RAISED, ERR_SYNTAX, "invalid decimal literal", 1, 6);
    expect_error("x = 0b12", LEX_ERR_RAISED, ERR_SYNTAX, "invalid digit '2' in binary literal", 1, 8);
    expect_error("if a:\n  b\n c\n", LEX_ERR_STATE, ERR_INDENTATION,
                 "unindent does not match any outer indentation level", 3, 3);
    expect_error("x = 1 \\", LEX_ERR_EOF, ERR_SYNTAX, "unexpected EOF while parsing", 1, 8);
    expect_error("\\x", LEX_ERR_STATE, ERR_SYNTAX, "unexpected character after line continuation character", 1, 2);
}

static void test_lex_positions(void **state) {
    (void)state;
    const char *src = "é = 'x'\n  \nif a:\n    b\n";
    Lexer lx;
    lex_init(&lx, src, strlen(src), false);
    Token t;
    lex_next(&lx, &t); /* é */
    assert_int_equal(t.line, 1);
    assert_int_equal(t.col, 0);
    assert_int_equal(t.end_col, 2); /* bytes */
    lex_next(&lx, &t); /* = */
    assert_int_equal(t.col, 3);
    assert_int_equal(lex_char_col(src, strlen(src), 0, t.col), 3);
    lex_next(&lx, &t); /* 'x' */
    assert_int_equal(t.col, 5);
    assert_int_equal(t.end_col, 8);
    lex_next(&lx, &t); /* NEWLINE, zero width */
    assert_int_equal(t.kind, TOK_NEWLINE);
    assert_int_equal(t.col, t.end_col);
    lex_next(&lx, &t); /* if */
    assert_int_equal(t.kind, TOK_KW_IF);
    assert_int_equal(t.line, 3);
    lex_next(&lx, &t);
    lex_next(&lx, &t); /* : */
    assert_int_equal(t.level, 0);
    assert_int_equal(lex_line_offset(src, strlen(src), 3), 12);
}

/* Completion scans partial, even broken, input to the end. */
static void test_lex_tolerant_mode(void **state) {
    (void)state;
    char *got = kinds("x = emb.wei", true);
    assert_string_equal(got, "NAME:x EQUAL NAME:emb DOT NAME:wei NEWLINE ENDMARKER");
    free(got);
    got = kinds("print('abc\nx.y", true);
    assert_non_null(strstr(got, "ERRORTOKEN"));
    assert_non_null(strstr(got, "NAME:x DOT NAME:y"));
    assert_non_null(strstr(got, "ENDMARKER"));
    free(got);
    got = kinds("f(a, b.c", true);
    assert_non_null(strstr(got, "NAME:b DOT NAME:c"));
    assert_non_null(strstr(got, "ENDMARKER"));
    free(got);
    got = kinds("x = 1)\ny = \xe2\x82\xac + z", true);
    assert_non_null(strstr(got, "NAME:z"));
    free(got);
    assert_int_equal(lex_keyword("lambda", 6), TOK_KW_LAMBDA);
    assert_int_equal(lex_keyword("lamb", 4), TOK_NAME);
    assert_string_equal(lex_token_text(TOK_DOUBLESLASHEQUAL), "//=");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lex_simple_statements),
        cmocka_unit_test(test_lex_indentation),
        cmocka_unit_test(test_lex_errors),
        cmocka_unit_test(test_lex_positions),
        cmocka_unit_test(test_lex_tolerant_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
