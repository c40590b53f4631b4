/*
 * tests/unit/test_vectors.c — word-vector files (src/core/vectors.c), the word table, and
 * the similarity, PCA and plot code the embedlab helpers use. Expected words and float bits
 * come from Python (tests/tools/gen_vectors.py: gensim for gensim's files, float() for the
 * hand-made ones); similarities from torch's F.cosine_similarity, PCA from numpy's SVD.
 * Error messages are embedlab's own (hand-checked). See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <errno.h>
#include <dirent.h>
#include <locale.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/mem.h"
#include "core/pca.h"
#include "core/plot.h"
#include "core/rng.h"
#include "core/similarity.h"
#include "core/vectors.h"
#include "core/wordtab.h"

#define DIR_V "tests/data/vectors/"

static char *expected_text;

static int setup_all(void **state) {
    (void)state;
    expected_text = test_read_file(DIR_V "expected.txt");
    return 0;
}

static int teardown_all(void **state) {
    (void)state;
    free(expected_text);
    return 0;
}

/* ---- helpers ---- */

static int load(const char *name, VecLoadOptions *o, VecLoad *r, Error *err) {
    char path[256];
    snprintf(path, sizeof path, DIR_V "%s", name);
    err_clear(err);
    return vec_load(path, o, r, err);
}

static void hex_decode(const char *hex, char *out, size_t *len) {
    size_t n = 0;
    while (hex[0] && hex[0] != '\n' && hex[1]) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (char)v;
        hex += 2;
    }
    out[n] = '\0';
    *len = n;
}

static uint32_t float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* Compares a loaded file with its "file" section of expected.txt. */
static void check_against_expected(const char *name, const VecLoad *r) {
    char key[300];
    snprintf(key, sizeof key, "\nfile %s ", name);
    const char *p = strstr(expected_text, key);
    if (!p) fail_msg("no expected section for %s", name);
    p += strlen(key);
    long long count, dim;
    assert_int_equal(sscanf(p, "%lld %lld", &count, &dim), 2);
    assert_int_equal(r->count, count);
    assert_int_equal(r->dim, dim);
    assert_int_equal(r->vectors->shape[0], count);
    for (long long i = 0; i < count; i++) {
        p = strstr(p, "\nword ") + 6;
        char word[256];
        size_t wlen;
        hex_decode(p, word, &wlen);
        size_t got_len;
        const char *got = wt_word(&r->words, i, &got_len);
        if (got_len != wlen || memcmp(got, word, wlen) != 0)
            fail_msg("%s: word %lld is '%s', expected '%s'", name, i, got, word);
        assert_int_equal(wt_value(&r->words, i), i);
        p = strstr(p, "\nbits ") + 6;
        for (long long k = 0; k < dim; k++) {
            unsigned bits;
            int used;
            assert_int_equal(sscanf(p, "%x%n", &bits, &used), 1);
            p += used;
            float v = (float)tensor_get(r->vectors, i * dim + k);
            if (float_bits(v) != bits)
                fail_msg("%s: %s[%lld] = %08x, expected %08x", name, word, k, float_bits(v), bits);
        }
    }
}

/* ---- the float parser ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_vectors_parse_float_matches_strtof(void **state) {
    (void)state;
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        int n = 0;
        if (next_rand() % 3 == 0) buf[n++] = '-';
        int digits = 1 + (int)(next_rand() % 22), point = (int)(next_rand() % (digits + 2)) - 1;
        for (int d = 0; d < digits; d++) {
            if (d == point) buf[n++] = '.';
            buf[n++] = (char)('0' + next_rand() % 10);
        }
        if (next_rand() % 4 == 0) n += snprintf(buf + n, sizeof buf - (size_t)n, "e%d", (int)(next_rand() % 90) - 45);
        buf[n] = '\0';
        float got, want = strtof(buf, NULL);
        assert_int_equal(vec_parse_float(buf, (size_t)n, &got), 0);
        if (float_bits(got) != float_bits(want)) fail_msg("'%s': %a, strtof %a", buf, (double)got, (double)want);
    }
    /* Halfway cases: 2^24 + 1 is exactly between two floats (ties to even), a digit more
     * decides. */
    struct {
        const char *text;
        float want;
    } cases[] = {{"16777217", 16777216.0f},           {"16777217.000000001", 16777218.0f},
                 {"0.1", 0.1f},                       {"-0", -0.0f},
                 {"3.4028235e38", 3.4028235e38f},     {"1e39", INFINITY},
                 {"-1e39", -INFINITY},                {"1e-50", 0.0f},
                 {"1.401298464324817e-45", 1e-45f},   {".5", 0.5f},
                 {"7.", 7.0f},                        {"+2.5E+1", 25.0f},
                 {"inf", INFINITY},                   {"-Infinity", -INFINITY},
                 {"0.000000000000000000000000000001", 1e-30f}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float got;
        assert_int_equal(vec_parse_float(cases[i].text, strlen(cases[i].text), &got), 0);
        if (float_bits(got) != float_bits(cases[i].want))
            fail_msg("'%s': %a, expected %a", cases[i].text, (double)got, (double)cases[i].want);
    }
    float nanv;
    assert_int_equal(vec_parse_float("NaN", 3, &nanv), 0);
    assert_true(isnan(nanv));
    static const char *const bad[] = {"", ".", "-", "+", "e5", "1e", "1e+", "0x10", "1.2.3",
                                      "1_0", " 1", "1 ", "nanx", "in", "--1", "1e5.5", "0.1x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        float v;
        if (vec_parse_float(bad[i], strlen(bad[i]), &v) != -1) fail_msg("'%s' parsed", bad[i]);
    }
}

static void test_vectors_format_float_is_shortest(void **state) {
    (void)state;
    char out[32];
    struct {
        float v;
        const char *text;
    } cases[] = {{0.1f, "0.1"},           {1e-5f, "1e-05"},          {0.3f, "0.3"},
                 {1.0f / 3, "0.33333334"}, {16777216.0f, "16777216"}, {-2.5f, "-2.5"},
                 {0.41800001f, "0.418"},  {3.4028235e38f, "3.4028235e+38"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vec_format_float(cases[i].v, out);
        assert_string_equal(out, cases[i].text);
    }
}

static void test_vectors_utf8_check_as_python(void **state) {
    (void)state;
    struct {
        const char *bytes;
        size_t pos;
        const char *reason;
    } cases[] = {{"caf\xe9", 3, "unexpected end of data"},   {"caf\xe9x", 3, "invalid continuation byte"},
                 {"\xff", 0, "invalid start byte"},          {"\xc0\x80", 0, "invalid start byte"},
                 {"\xe0\x80\x80", 0, "invalid continuation byte"}, {"\xed\xa0\x80", 0, "invalid continuation byte"},
                 {"\xf4\x90\x80\x80", 0, "invalid continuation byte"}, {"a\xf0\x9f\x98", 1, "unexpected end of data"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t pos;
        const char *reason;
        assert_int_equal(vec_utf8_check(cases[i].bytes, strlen(cases[i].bytes), &pos, &reason), -1);
        assert_int_equal(pos, cases[i].pos);
        assert_string_equal(reason, cases[i].reason);
    }
    size_t pos;
    const char *reason;
    assert_int_equal(vec_utf8_check("caf\xc3\xa9 \xf0\x9f\x98\x80", 10, &pos, &reason), 0);
}

/* ---- files that load ---- */

static void test_vectors_loads_files_as_python_reads_them(void **state) {
    (void)state;
    static const struct {
        const char *name;
        VecFormat format;
        bool header;
    } files[] = {{"glove_ok.txt", VEC_FORMAT_GLOVE, false},
                 {"glove_crlf.txt", VEC_FORMAT_GLOVE, false},
                 {"glove_trailing_space.txt", VEC_FORMAT_GLOVE, false},
                 {"glove_bom.txt", VEC_FORMAT_GLOVE, false},
                 {"glove_no_final_newline.txt", VEC_FORMAT_GLOVE, false},
                 {"w2v_header.txt", VEC_FORMAT_WORD2VEC, true},
                 {"fasttext.vec", VEC_FORMAT_FASTTEXT, true},
                 {"spaces_in_word.txt", VEC_FORMAT_GLOVE, false},
                 {"unicode_space_word.txt", VEC_FORMAT_GLOVE, false},
                 {"duplicates.txt", VEC_FORMAT_GLOVE, false},
                 {"blank_lines_inside.txt", VEC_FORMAT_GLOVE, false},
                 {"binary_w2vc.bin", VEC_FORMAT_WORD2VEC_BINARY, true},
                 {"binary_gensim_style.bin", VEC_FORMAT_WORD2VEC_BINARY, true},
                 {"gensim_text.w2v", VEC_FORMAT_WORD2VEC, true},
                 {"gensim_binary.bin", VEC_FORMAT_WORD2VEC_BINARY, true},
                 {"gensim_noheader.txt", VEC_FORMAT_GLOVE, false}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        VecLoad r;
        Error err;
        if (load(files[i].name, NULL, &r, &err)) fail_msg("%s: %s", files[i].name, err.msg);
        assert_int_equal(r.format, files[i].format);
        assert_int_equal(r.header, files[i].header);
        check_against_expected(files[i].name, &r);
        vec_load_free(&r);
    }
}

static void test_vectors_reports_odd_lines(void **state) {
    (void)state;
    VecLoad r;
    Error err;
    assert_int_equal(load("duplicates.txt", NULL, &r, &err), ERR_OK);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.rows, 5);
    assert_int_equal(r.duplicates.count, 2);
    assert_int_equal(r.duplicates.line[0], 3);
    assert_string_equal(r.duplicates.word[0], "the");
    assert_int_equal(r.duplicates.line[1], 5);
    assert_string_equal(r.duplicates.word[1], "cat");
    assert_true(tensor_get(r.vectors, 0) == 1.0); /* the first 'the' wins */
    vec_load_free(&r);

    assert_int_equal(load("spaces_in_word.txt", NULL, &r, &err), ERR_OK);
    assert_int_equal(r.spaced.count, 2);
    assert_string_equal(r.spaced.word[0], ". . .");
    assert_int_equal(r.spaced.line[0], 2);
    assert_string_equal(r.spaced.word[1], "at name@domain.com");
    vec_load_free(&r);

    assert_int_equal(load("nan_inf.txt", NULL, &r, &err), ERR_OK);
    assert_int_equal(r.count, 4);
    assert_int_equal(r.nonfinite.count, 3);
    assert_int_equal(r.nonfinite_values, 6); /* nan; inf -inf; 1e39 (overflows) -NaN Infinity */
    assert_string_equal(r.nonfinite.word[2], "d");
    assert_true(isinf(tensor_get(r.vectors, 9)) && tensor_get(r.vectors, 9) > 0);
    vec_load_free(&r);

    assert_int_equal(load("header_short.txt", NULL, &r, &err), ERR_OK);
    assert_int_equal(r.count, 2);
    assert_true(r.short_count);
    assert_int_equal(r.header_count, 5);
    vec_load_free(&r);

    assert_int_equal(load("blank_lines_inside.txt", NULL, &r, &err), ERR_OK);
    assert_int_equal(r.blank_lines, 2);
    vec_load_free(&r);
}

static void test_vectors_non_strict_skips_and_counts(void **state) {
    (void)state;
    VecLoadOptions o;
    vec_load_options_init(&o);
    o.strict = false;
    VecLoad r;
    Error err;
    assert_int_equal(load("wrong_fields.txt", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 3);
    assert_int_equal(r.malformed.count, 1);
    assert_int_equal(r.malformed.line[0], 3);
    assert_string_equal(r.malformed.word[0], "dog");
    vec_load_free(&r);

    assert_int_equal(load("truncated.txt", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 2);
    assert_true(r.truncated);
    assert_int_equal(r.truncated_line, 3);
    vec_load_free(&r);

    assert_int_equal(load("truncated_number.txt", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 2);
    assert_true(r.truncated);
    vec_load_free(&r);

    assert_int_equal(load("too_many.txt", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.malformed.count, 1);
    vec_load_free(&r);

    assert_int_equal(load("bad_number.txt", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.malformed.line[0], 2);
    vec_load_free(&r);

    assert_int_equal(load("binary_truncated.bin", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 3);
    assert_true(r.truncated);
    assert_int_equal(r.truncated_line, 4);
    vec_load_free(&r);

    assert_int_equal(load("binary_short_count.bin", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 4);
    assert_true(r.short_count);
    vec_load_free(&r);
}

static void test_vectors_unicode_errors_replace_and_ignore(void **state) {
    (void)state;
    VecLoadOptions o;
    vec_load_options_init(&o);
    o.unicode_errors = VEC_UTF8_REPLACE;
    VecLoad r;
    Error err;
    assert_int_equal(load("non_utf8.txt", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 3);
    assert_string_equal(wt_word(&r.words, 1, NULL), "caf\xef\xbf\xbd");
    assert_int_equal(r.bad_utf8.count, 1);
    assert_string_equal(r.bad_utf8.word[0], "caf?");
    vec_load_free(&r);
    o.unicode_errors = VEC_UTF8_IGNORE;
    assert_int_equal(load("binary_cut_utf8.bin", &o, &r, &err), ERR_OK);
    assert_string_equal(wt_word(&r.words, 1, NULL), "caf");
    vec_load_free(&r);
}

/* ---- failures: each with its message ---- */

static void test_vectors_errors_name_the_problem(void **state) {
    (void)state;
    static const struct {
        const char *name;
        int format; /* -1: auto */
        ErrCode code;
        const char *msg, *hint;
    } cases[] = {
        {"missing.txt", -1, ERR_FILE_NOT_FOUND,
         "[Errno 2] No such file or directory: 'tests/data/vectors/missing.txt'", ""},
        {"", -1, ERR_IS_A_DIRECTORY, "[Errno 21] Is a directory: 'tests/data/vectors/'", ""},
        {"empty.txt", -1, ERR_VALUE,
         "'tests/data/vectors/empty.txt' is empty: there are no vectors to load", ""},
        {"blank.txt", -1, ERR_VALUE, "'tests/data/vectors/blank.txt' holds no vectors", ""},
        {"header_only.txt", -1, ERR_VALUE, "'tests/data/vectors/header_only.txt' holds no vectors", ""},
        {"no_vector.txt", -1, ERR_VALUE,
         "line 1 of 'tests/data/vectors/no_vector.txt' has no vector: 'hello world'",
         "is this a word-vector file (GloVe, word2vec or fastText text)?"},
        {"wrong_fields.txt", -1, ERR_VALUE,
         "line 3 of 'tests/data/vectors/wrong_fields.txt': 'dog' has 2 values, expected 3 (as the "
         "first line)",
         "pass strict=False to skip malformed lines"},
        {"too_many.txt", -1, ERR_VALUE,
         "line 2 of 'tests/data/vectors/too_many.txt': 'cat' has 4 values, expected 3 (as the "
         "first line)",
         "pass strict=False to skip malformed lines"},
        {"bad_number.txt", -1, ERR_VALUE,
         "line 2 of 'tests/data/vectors/bad_number.txt': could not convert string to float: '5x'",
         "pass strict=False to skip malformed lines"},
        {"truncated.txt", -1, ERR_VALUE,
         "line 3 of 'tests/data/vectors/truncated.txt' is cut short: 'dog' has 2 of 3 values (the "
         "file ends there)",
         "an interrupted download? pass strict=False to load the lines before it"},
        {"truncated_number.txt", -1, ERR_VALUE,
         "line 3 of 'tests/data/vectors/truncated_number.txt' is cut short: 'dog' has 2 of 3 "
         "values (the file ends there)",
         "an interrupted download? pass strict=False to load the lines before it"},
        {"non_utf8.txt", -1, ERR_UNICODE_DECODE,
         "'utf-8' codec can't decode byte 0xe9 in position 3: unexpected end of data",
         "in the word on line 2 of 'tests/data/vectors/non_utf8.txt'; pass "
         "unicode_errors='replace' or 'ignore' to load it anyway"},
        {"binary_cut_utf8.bin", -1, ERR_UNICODE_DECODE,
         "'utf-8' codec can't decode byte 0xc3 in position 3: unexpected end of data",
         "in the word on entry 2 of 'tests/data/vectors/binary_cut_utf8.bin'; pass "
         "unicode_errors='replace' or 'ignore' to load it anyway"},
        {"binary_truncated.bin", -1, ERR_EOF,
         "unexpected end of input; is count incorrect or file otherwise damaged?",
         "'tests/data/vectors/binary_truncated.bin' ends inside entry 4 of 4; pass strict=False "
         "to load the entries before it"},
        {"binary_short_count.bin", -1, ERR_EOF,
         "unexpected end of input; is count incorrect or file otherwise damaged?",
         "'tests/data/vectors/binary_short_count.bin' ends inside entry 5 of 6; pass strict=False "
         "to load the entries before it"},
        {"gzip.txt.gz", -1, ERR_VALUE, "'tests/data/vectors/gzip.txt.gz' is gzip-compressed",
         "decompress it first: gunzip -k FILE"},
        {"archive.zip", -1, ERR_VALUE, "'tests/data/vectors/archive.zip' is a zip archive",
         "unzip it first and load one of the .txt files inside"},
        {"fasttext_model.bin", -1, ERR_VALUE,
         "'tests/data/vectors/fasttext_model.bin' is a fastText model (.bin), not a vector file",
         "load the .vec file fastText writes next to it"},
        {"binary_w2vc.bin", VEC_FORMAT_GLOVE, ERR_VALUE,
         "'tests/data/vectors/binary_w2vc.bin' looks like word2vec binary, not GloVe text",
         "pass format='word2vec-binary' (or format='auto')"},
        {"w2v_header.txt", VEC_FORMAT_WORD2VEC_BINARY, ERR_VALUE,
         "'tests/data/vectors/w2v_header.txt' looks like word2vec text, not binary",
         "pass format='word2vec' (or format='auto')"},
        {"glove_ok.txt", VEC_FORMAT_WORD2VEC_BINARY, ERR_VALUE,
         "line 1 of 'tests/data/vectors/glove_ok.txt': expected the header 'count dim' of "
         "word2vec binary, found 'the 0.418 0.24968 -0.41242 0.1217'",
         ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        VecLoadOptions o;
        vec_load_options_init(&o);
        if (cases[i].format >= 0) o.format = (VecFormat)cases[i].format;
        VecLoad r;
        Error err;
        int rc = load(cases[i].name, &o, &r, &err);
        if (rc == ERR_OK) fail_msg("%s loaded", cases[i].name);
        if (err.code != cases[i].code || strcmp(err.msg, cases[i].msg) || strcmp(err.hint, cases[i].hint))
            fail_msg("%s: %s: %s | hint: %s", cases[i].name, err_name(err.code), err.msg, err.hint);
        assert_null(r.vectors);
    }
    VecLoadOptions o;
    vec_load_options_init(&o);
    o.dim = 5;
    VecLoad r;
    Error err;
    assert_int_equal(load("glove_ok.txt", &o, &r, &err), ERR_VALUE);
    assert_string_equal(err.msg, "'tests/data/vectors/glove_ok.txt' has 4-dimensional vectors, but 5 were asked for");
    Error ferr;
    VecFormat f;
    assert_int_equal(vec_format_parse("glov", &f, &ferr), ERR_VALUE);
    assert_string_equal(ferr.msg, "unknown format 'glov' (expected 'auto', 'glove', 'word2vec', "
                                  "'word2vec-binary' or 'fasttext')");
}

/* ---- options ---- */

static void test_vectors_limit_reads_the_first_words(void **state) {
    (void)state;
    VecLoadOptions o;
    vec_load_options_init(&o);
    o.limit = 2;
    VecLoad r;
    Error err;
    assert_int_equal(load("glove_ok.txt", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 2);
    assert_int_equal(r.vectors->shape[0], 2);
    assert_true(r.limited);
    assert_string_equal(wt_word(&r.words, 1, NULL), ",");
    vec_load_free(&r);
    o.limit = 2;
    assert_int_equal(load("gensim_binary.bin", &o, &r, &err), ERR_OK);
    assert_int_equal(r.count, 2);
    assert_true(r.limited);
    vec_load_free(&r);
}

static void test_vectors_vocabulary_mode(void **state) {
    (void)state;
    WordTab want;
    wt_init(&want);
    const char *words[] = {"cat", "dog", "the", "mat", "zebra"};
    for (int i = 0; i < 5; i++) assert_int_equal(wt_add(&want, words[i], strlen(words[i]), i, NULL, NULL), 1);
    VecLoadOptions o;
    vec_load_options_init(&o);
    o.want = &want;
    o.want_rows = 5;
    VecLoad r;
    Error err;
    assert_int_equal(load("glove_ok.txt", &o, &r, &err), ERR_OK);
    assert_int_equal(r.found_words, 3);
    assert_int_equal(r.vectors->shape[0], 5);
    assert_int_equal(r.vectors->shape[1], 4);
    assert_int_equal(r.found[0], 1);
    assert_int_equal(r.found[1], 0);
    assert_true(tensor_get(r.vectors, 0) == (double)0.45281f);  /* cat */
    assert_true(tensor_get(r.vectors, 4) == 0.0);               /* dog: zeros */
    assert_true(tensor_get(r.vectors, 8) == (double)0.418f);    /* the */
    assert_true(tensor_get(r.vectors, 13) == (double)-150.0f);  /* mat */
    vec_load_free(&r);
    /* Random rows: torch.randn(5, 4, generator=g) * 0.01 for the words not found. */
    Generator *g = rng_new(0, NULL), *g2 = rng_new(0, NULL);
    o.init_random = true;
    o.gen = g;
    assert_int_equal(load("glove_ok.txt", &o, &r, &err), ERR_OK);
    int64_t shape[2] = {5, 4};
    Tensor *ref = tensor_zeros(DTYPE_FLOAT32, 2, shape, NULL);
    assert_int_equal(rng_normal_(g2, ref, 0, 1, NULL), ERR_OK);
    for (int k = 0; k < 4; k++) {
        float want_dog = (float)tensor_get(ref, 4 + k) * 0.01f, want_zebra = (float)tensor_get(ref, 16 + k) * 0.01f;
        assert_true(tensor_get(r.vectors, 4 + k) == (double)want_dog);
        assert_true(tensor_get(r.vectors, 16 + k) == (double)want_zebra);
    }
    assert_true(tensor_get(r.vectors, 0) == (double)0.45281f);
    tensor_release(ref);
    vec_load_free(&r);
    /* Binary files in vocabulary mode, and duplicates counted once. */
    o.init_random = false;
    assert_int_equal(load("binary_w2vc.bin", &o, &r, &err), ERR_OK);
    assert_int_equal(r.found_words, 3);
    vec_load_free(&r);
    rng_free(g);
    rng_free(g2);
    wt_free(&want);
}

static int stop_at_once(void *ctx, uint64_t done, uint64_t total) {
    (void)done, (void)total;
    ++*(int *)ctx;
    return 1;
}

static void test_vectors_progress_can_interrupt(void **state) {
    (void)state;
    int calls = 0;
    VecLoadOptions o;
    vec_load_options_init(&o);
    o.progress = stop_at_once;
    o.progress_ctx = &calls;
    VecLoad r;
    Error err;
    assert_int_equal(load("glove_ok.txt", &o, &r, &err), ERR_INTERRUPT);
    assert_int_equal(calls, 1);
    assert_null(r.vectors);
}

static void test_vectors_allocation_failures_are_clean(void **state) {
    (void)state;
    static const char *const names[] = {"glove_ok.txt", "binary_w2vc.bin", "spaces_in_word.txt"};
    for (size_t f = 0; f < 3; f++) {
        for (long n = 0; n < 200; n++) {
            VecLoad r;
            Error err;
            mem_fail_after(n);
            int rc = load(names[f], NULL, &r, &err);
            mem_fail_after(-1);
            if (rc == ERR_OK) {
                vec_load_free(&r);
                break;
            }
            assert_int_equal(rc, ERR_MEMORY);
            assert_int_equal(err.code, ERR_MEMORY);
        }
    }
}

/* ---- writing ---- */

static char tmpdir[64];

static void make_tmpdir(void) {
    strcpy(tmpdir, "/tmp/embedlab-test-vectors-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
}

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void remove_tmpdir(void) {
    DIR *d = opendir(tmpdir);
    struct dirent *e;
    char path[300];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
        if (unlink(path) != 0) rmdir(path);
    }
    closedir(d);
    rmdir(tmpdir);
}

static void test_vectors_writer_round_trips(void **state) {
    (void)state;
    make_tmpdir();
    VecLoad src;
    Error err;
    assert_int_equal(load("gensim_text.w2v", NULL, &src, &err), ERR_OK);
    const char *words[16];
    size_t lens[16];
    for (int64_t i = 0; i < src.count; i++) words[i] = wt_word(&src.words, i, &lens[i]);
    for (int binary = 0; binary <= 1; binary++) {
        char path[300];
        snprintf(path, sizeof path, "%s/out.%s", tmpdir, binary ? "bin" : "txt");
        assert_int_equal(vec_save_word2vec(path, src.vectors, words, lens, src.count, binary, &err), ERR_OK);
        VecLoad back;
        assert_int_equal(vec_load(path, NULL, &back, &err), ERR_OK);
        assert_int_equal(back.format, binary ? VEC_FORMAT_WORD2VEC_BINARY : VEC_FORMAT_WORD2VEC);
        check_against_expected("gensim_text.w2v", &back);
        vec_load_free(&back);
    }
    /* gensim's text layout: header, then "word v1 ... vD" with no trailing space. */
    char path[300];
    snprintf(path, sizeof path, "%s/out.txt", tmpdir);
    char *text = test_read_file(path);
    assert_memory_equal(text, "8 5\nthe 0.8820262 0.2000786 0.489369 1.1204466 0.933779\n", 52);
    free(text);
    /* Words binary cannot hold; nothing is written. */
    const char *spaced[1] = {"new york"};
    size_t slen[1] = {8};
    Tensor *one = tensor_zeros(DTYPE_FLOAT32, 2, (int64_t[]){1, 5}, NULL);
    snprintf(path, sizeof path, "%s/bad.bin", tmpdir);
    assert_int_equal(vec_save_word2vec(path, one, spaced, slen, 1, true, &err), ERR_VALUE);
    assert_string_equal(err.msg, "word 0 ('new york') contains a space, which the word2vec binary format cannot store");
    assert_int_equal(access(path, F_OK), -1);
    /* A missing directory, and a directory in the way: Python's errors, no temporary left. */
    assert_int_equal(vec_save_word2vec("/nonexistent-dir/x.txt", one, spaced, slen, 1, false, &err),
                     ERR_FILE_NOT_FOUND);
    assert_string_equal(err.msg, "[Errno 2] No such file or directory: '/nonexistent-dir/x.txt'");
    snprintf(path, sizeof path, "%s/sub", tmpdir);
    assert_int_equal(mkdir(path, 0755), 0);
    int before = count_entries(tmpdir);
    assert_int_equal(vec_save_word2vec(path, one, spaced, slen, 1, false, &err), ERR_IS_A_DIRECTORY);
    assert_int_equal(count_entries(tmpdir), before);
    /* An existing file is replaced whole. */
    snprintf(path, sizeof path, "%s/out.txt", tmpdir);
    assert_int_equal(vec_save_word2vec(path, one, spaced, slen, 1, false, &err), ERR_OK);
    text = test_read_file(path);
    assert_string_equal(text, "1 5\nnew york 0 0 0 0 0\n");
    free(text);
    tensor_release(one);
    vec_load_free(&src);
    remove_tmpdir();
}

/* ---- word table ---- */

static void test_vectors_wordtab_finds_and_grows(void **state) {
    (void)state;
    WordTab t;
    wt_init(&t);
    char w[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(w, sizeof w, "w%d", i);
        int64_t e;
        assert_int_equal(wt_add(&t, w, strlen(w), i * 2, &e, NULL), 1);
        assert_int_equal(e, i);
    }
    assert_int_equal(wt_add(&t, "w17", 3, 0, NULL, NULL), 0);
    assert_int_equal(wt_count(&t), 5000);
    assert_int_equal(wt_find(&t, "w4999", 5), 4999);
    assert_int_equal(wt_value(&t, wt_find(&t, "w10", 3)), 20);
    assert_int_equal(wt_find(&t, "w5000", 5), -1);
    assert_int_equal(wt_find(&t, "w1", 1), -1);     /* a prefix is another word */
    assert_int_equal(wt_add(&t, "a\0b", 3, 7, NULL, NULL), 1);
    assert_int_equal(wt_find(&t, "a\0b", 3), 5000);
    assert_int_equal(wt_find(&t, "a", 1), -1);
    wt_free(&t);
}

/* ---- similarity and PCA against torch and numpy ---- */

static void test_vectors_similarity_matches_torch(void **state) {
    (void)state;
    VecLoad r;
    Error err;
    err_clear(&err);
    assert_int_equal(vec_load("lessons/data/kjv_50d.txt", NULL, &r, &err), ERR_OK);
    int64_t n = r.count, d = r.dim;
    double *scores = malloc((size_t)n * sizeof *scores), *q = malloc((size_t)d * sizeof *q);
    const char *p = expected_text;
    int checked = 0;
    while ((p = strstr(p, "\nsimilar ")) != NULL) {
        p += 9;
        char word[64];
        sscanf(p, "%63s", word);
        int64_t row = wt_find(&r.words, word, strlen(word));
        assert_true(row >= 0);
        sim_row(r.vectors, row, q);
        assert_int_equal(sim_cosine_rows(r.vectors, q, scores, &err), ERR_OK);
        int64_t idx[5];
        assert_int_equal(sim_top_k(scores, n, 5, &row, 1, idx, &err), 5);
        p += strlen(word);
        for (int k = 0; k < 5; k++) {
            char other[64];
            double want;
            int used;
            assert_int_equal(sscanf(p, " %63[^:]:%lf%n", other, &want, &used), 2);
            p += used;
            assert_string_equal(wt_word(&r.words, idx[k], NULL), other);
            if (fabs(scores[idx[k]] - want) > 2e-7) fail_msg("%s/%s: %.9g vs torch %.9g", word, other, scores[idx[k]], want);
        }
        checked++;
    }
    assert_int_equal(checked, 4);
    /* PCA of the first 12 vectors against numpy's SVD. */
    Tensor *x = tensor_slice(r.vectors, 0, true, 0, true, 12, 1, NULL);
    Tensor *scores2;
    double ratio[2];
    assert_int_equal(pca_fit(x, 2, &scores2, ratio, &err), ERR_OK);
    p = strstr(expected_text, "\npca ") + 5;
    for (int i = 0; i < 24; i++) {
        double want;
        int used;
        assert_int_equal(sscanf(p, "%lf%n", &want, &used), 1);
        p += used;
        double got = ((double *)scores2->storage->data)[i];
        if (fabs(got - want) > 1e-6) fail_msg("pca[%d] = %.12g, numpy %.12g", i, got, want);
    }
    p = strstr(expected_text, "\npca_ratio ") + 11;
    double r0, r1;
    assert_int_equal(sscanf(p, "%lf %lf", &r0, &r1), 2);
    assert_true(fabs(ratio[0] - r0) < 1e-9 && fabs(ratio[1] - r1) < 1e-9);
    tensor_release(scores2);
    tensor_release(x);
    free(scores);
    free(q);
    vec_load_free(&r);
}

static void test_vectors_top_k_ties_and_nan(void **state) {
    (void)state;
    double s[6] = {0.5, NAN, 0.9, 0.5, 0.9, -1};
    int64_t idx[6], ex = 4;
    assert_int_equal(sim_top_k(s, 6, 6, &ex, 1, idx, NULL), 4);
    assert_int_equal(idx[0], 2);
    assert_int_equal(idx[1], 0); /* equal scores: the lower index first */
    assert_int_equal(idx[2], 3);
    assert_int_equal(idx[3], 5);
    double a[3] = {0, 0, 0}, b[3] = {1, 2, 3};
    assert_true(sim_cosine(a, b, 3) == 0.0); /* eps keeps a zero vector finite */
}

/* ---- drawings (embedlab's own format, hand-checked) ---- */

static void test_vectors_scatter_text_places_labels(void **state) {
    (void)state;
    double x[4] = {0, 1, 1, 0.5}, y[4] = {0, 1, 0, 0.5};
    const char *labels[4] = {"origin", "top", "right", "mid"};
    PlotScatter p = {x, y, labels, 4, "t", "PC1", "PC2"};
    StrBuf sb = SB_INIT;
    assert_int_equal(plot_scatter_text(&p, 20, 5, &sb, NULL), ERR_OK);
    assert_string_equal(sb_str(&sb),
                        "t\n"
                        "┌────────────────────┐\n"
                        "│               top ●│\n"
                        "│                    │\n"
                        "│          ● mid     │\n"
                        "│                    │\n"
                        "│● origin     right ●│\n"
                        "└────────────────────┘\n"
                        "x: PC1 from 0 to 1; y: PC2 from 0 to 1");
    sb_free(&sb);
    /* Crowded points: labels that do not fit are listed. */
    double cx[3] = {0, 0.01, 1}, cy[3] = {0, 0, 0};
    const char *cl[3] = {"alpha", "beta", "gamma"};
    PlotScatter c = {cx, cy, cl, 3, NULL, NULL, NULL};
    assert_int_equal(plot_scatter_text(&c, 20, 5, &sb, NULL), ERR_OK);
    assert_non_null(strstr(sb_str(&sb), "not labelled (no room): beta"));
    StrBuf svg = SB_INIT;
    const char *tricky[3] = {"a<b", "c&d", "\"q\""};
    c.labels = tricky;
    assert_int_equal(plot_scatter_svg(&c, &svg, NULL), ERR_OK);
    assert_non_null(strstr(sb_str(&svg), "a&lt;b"));
    assert_non_null(strstr(sb_str(&svg), "c&amp;d"));
    assert_null(strstr(sb_str(&svg), "<script"));
    sb_free(&svg);
    sb_free(&sb);
}

static void test_vectors_heatmap_text_shades(void **state) {
    (void)state;
    double v[4] = {0, 1, 0.5, 0.25};
    Tensor *m = tensor_from_doubles(DTYPE_FLOAT32, 2, (int64_t[]){2, 2}, v, NULL);
    const char *labels[2] = {"ab", "c"};
    PlotHeatmap h = {m, labels, labels, NULL, 0, 0};
    StrBuf sb = SB_INIT;
    assert_int_equal(plot_heatmap_text(&h, &sb, NULL), ERR_OK);
    assert_string_equal(sb_str(&sb),
                        "   a c\n"
                        "   b\n"
                        "ab   ██\n"
                        "c  ▒▒░░\n"
                        "scale: '  ' < 0.20 ≤ ░ < 0.40 ≤ ▒ < 0.60 ≤ ▓ < 0.80 ≤ █ (range 0.00 to 1.00)");
    StrBuf svg = SB_INIT;
    assert_int_equal(plot_heatmap_svg(&h, &svg, NULL), ERR_OK);
    assert_non_null(strstr(sb_str(&svg), "fill=\"#08519c\"")); /* the maximum, darkest blue */
    sb_free(&svg);
    sb_free(&sb);
    tensor_release(m);
}

int main(void) {
    /* Tests run in the C locale; the parser must not depend on it anyway. */
    setlocale(LC_NUMERIC, "C");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors_parse_float_matches_strtof),
        cmocka_unit_test(test_vectors_format_float_is_shortest),
        cmocka_unit_test(test_vectors_utf8_check_as_python),
        cmocka_unit_test(test_vectors_loads_files_as_python_reads_them),
        cmocka_unit_test(test_vectors_reports_odd_lines),
        cmocka_unit_test(test_vectors_non_strict_skips_and_counts),
        cmocka_unit_test(test_vectors_unicode_errors_replace_and_ignore),
        cmocka_unit_test(test_vectors_errors_name_the_problem),
        cmocka_unit_test(test_vectors_limit_reads_the_first_words),
        cmocka_unit_test(test_vectors_vocabulary_mode),
        cmocka_unit_test(test_vectors_progress_can_interrupt),
        cmocka_unit_test(test_vectors_allocation_failures_are_clean),
        cmocka_unit_test(test_vectors_writer_round_trips),
        cmocka_unit_test(test_vectors_wordtab_finds_and_grows),
        cmocka_unit_test(test_vectors_similarity_matches_torch),
        cmocka_unit_test(test_vectors_top_k_ties_and_nan),
        cmocka_unit_test(test_vectors_scatter_text_places_labels),
        cmocka_unit_test(test_vectors_heatmap_text_shades),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
