/*
 * src/core/vectors.h — word-vector files: GloVe text, word2vec text, word2vec binary and
 * fastText .vec, read fast and robustly, and written (word2vec text and binary).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Formats (torch-semantics.md §5): GloVe is "word v1 ... vD" per line with no header;
 * word2vec text and fastText .vec start with a "count dim" header line (their lines may
 * end with a space); word2vec binary has the same header, then per entry the word's
 * bytes, one space and D little-endian float32 (word2vec.c adds a newline after each
 * vector, gensim does not: leading newlines before a word are skipped).
 *
 * Reading rules, for every text format (real files break the simple ones):
 *  - fields are separated by ASCII spaces only (a tab or U+0085/U+00A0 stays in the
 *    word); trailing spaces, tabs and a CR before the newline are ignored; blank lines
 *    are skipped; a UTF-8 byte-order mark at the start is skipped;
 *  - a first line of exactly two non-negative integers is a header ("count dim"): the
 *    dimension then comes from it, and at most `count` vectors are read;
 *  - otherwise D is fixed by the first line: the number of numeric fields after its
 *    first field that run up to the end of the line;
 *  - the last D fields of a line are the vector; everything before them is the word
 *    (glove.840B has ". . ." and "at name@domain.com"), unless those extra fields are all
 *    numbers: then the line has too many values. Fewer than D values is a malformed line;
 *  - values are parsed as Python's float() then rounded to float32 (correctly rounded,
 *    as numpy's astype(float32) of the exact decimal); nan/inf are loaded and counted;
 *  - duplicate words: the first one wins, later ones are counted and skipped;
 *  - words must be UTF-8: strict (UnicodeDecodeError with Python's message), or each
 *    invalid sequence replaced by U+FFFD, or dropped (Python's 'replace'/'ignore');
 *  - malformed lines are errors naming the line (strict) or skipped and counted; a last
 *    line cut short (no newline, too few values) is reported as a truncated file.
 *  - gzip, bz2 and zip archives and fastText .bin models are recognised and refused
 *    with a message saying what to do.
 *
 * Ownership: a VecLoad owns its tensor and word table until vec_load_free. Tensors given
 * in options are borrowed. Nothing here prints; `progress` lets the caller draw a bar
 * and interrupt the load.
 */
#ifndef EMBEDLAB_VECTORS_H
#define EMBEDLAB_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/tensor.h"
#include "core/wordtab.h"

typedef enum VecFormat {
    VEC_FORMAT_AUTO,
    VEC_FORMAT_GLOVE,
    VEC_FORMAT_WORD2VEC,        /* word2vec text */
    VEC_FORMAT_WORD2VEC_BINARY,
    VEC_FORMAT_FASTTEXT         /* fastText .vec (text) */
} VecFormat;

/* "auto", "glove", "word2vec", "word2vec-binary", "fasttext" (the API's names). */
const char *vec_format_name(VecFormat f);
/* "GloVe", "word2vec", "word2vec binary", "fastText" (for reports). */
const char *vec_format_label(VecFormat f);
/* Parses an API name (also "word2vec_binary", "w2v", "vec", "bin"); ValueError listing
 * the names otherwise. */
int vec_format_parse(const char *name, VecFormat *out, Error *err);

typedef enum VecUnicodeErrors {
    VEC_UTF8_STRICT,   /* UnicodeDecodeError */
    VEC_UTF8_REPLACE,  /* U+FFFD per invalid sequence */
    VEC_UTF8_IGNORE    /* drop invalid sequences */
} VecUnicodeErrors;

/* Called about every 4 MiB with the bytes read so far and the file size; a non-zero
 * return stops the load with ERR_INTERRUPT (KeyboardInterrupt). */
typedef int (*VecProgressFn)(void *ctx, uint64_t done, uint64_t total);

typedef struct VecLoadOptions {
    VecFormat format;          /* VEC_FORMAT_AUTO: detected */
    int64_t limit;             /* read at most this many vectors (< 0: all) */
    bool strict;               /* malformed lines: error (true) or skip and count */
    VecUnicodeErrors unicode_errors;
    int64_t dim;               /* > 0: the file's dimension must be this */
    /* Vocabulary mode (want != NULL): the result is a [want_rows, D] matrix whose rows
     * start as zeros (init_random false) or as randn * init_scale drawn from `gen` (all
     * rows, in row-major order, as torch.randn(want_rows, D, generator=gen) * init_scale
     * in float32) once D is known; the vector of each word of `want` found in the file
     * is copied into row wt_value(want, entry). Lines of other words are not parsed
     * beyond their first field. */
    const WordTab *want;
    int64_t want_rows;
    bool init_random;
    double init_scale;
    struct Generator *gen;
    VecProgressFn progress;
    void *progress_ctx;
} VecLoadOptions;

/* strict, auto format, no limit, UTF-8 strict, no vocabulary, init_scale 0.01. */
void vec_load_options_init(VecLoadOptions *o);

#define VEC_EXAMPLES 3
/* A counted problem with the first few places it occurred. */
typedef struct VecIssue {
    int64_t count;
    int64_t line[VEC_EXAMPLES];      /* line (text) or entry (binary) numbers, 1-based */
    char word[VEC_EXAMPLES][64];     /* the word (truncated, valid UTF-8) */
} VecIssue;

typedef struct VecLoad {
    VecFormat format;          /* the format read (never AUTO) */
    bool header;               /* a "count dim" header was present */
    int64_t header_count;
    int64_t dim;
    int64_t rows;              /* vectors read from the file (incl. duplicates, excl. skipped) */
    bool limited;              /* stopped at the limit before the end of the file */
    /* The matrix (owned): full mode [count, dim], word i of `words` (value i) is row i;
     * vocabulary mode [want_rows, dim] and `words` is empty. */
    Tensor *vectors;
    int64_t count;
    WordTab words;
    /* Vocabulary mode: found[r] is 1 when row r was filled from the file. */
    uint8_t *found;
    int64_t found_words;       /* entries of `want` whose word was found */
    /* What was odd about the file. */
    VecIssue duplicates;       /* later copies skipped */
    VecIssue malformed;        /* lines skipped (strict = false) */
    VecIssue nonfinite;        /* vectors holding nan or inf */
    int64_t nonfinite_values;
    VecIssue bad_utf8;         /* words with invalid UTF-8 (replaced or ignored) */
    VecIssue spaced;           /* words containing spaces */
    int64_t blank_lines;
    bool truncated;            /* the last line was cut short and skipped */
    int64_t truncated_line;
    bool short_count;          /* the header promised more vectors than the file has */
} VecLoad;

/* Loads `path` (see the rules above). Errors: FileNotFoundError/OSError (fileio.h);
 * ValueError for an empty file ("'x.txt' is empty"), no vectors, malformed lines
 * ("line 3 of 'x.txt': 'cat' has 2 values, expected 3"), bad numbers ("line 3 of
 * 'x.txt': could not convert string to float: 'abc'"), a dimension other than opts->dim,
 * archives; UnicodeDecodeError (strict); EOFError for a damaged binary file ("unexpected
 * end of input; is count incorrect or file otherwise damaged?", as gensim);
 * KeyboardInterrupt from `progress`; MemoryError. On error *out holds nothing. */
int vec_load(const char *path, const VecLoadOptions *opts, VecLoad *out, Error *err);
void vec_load_free(VecLoad *r);

/* Writes vectors [count, dim] (float32 or float64, any layout) with their words in the
 * word2vec format: header "count dim", then text lines "word v1 ... vD" (each value the
 * shortest text that reads back as the same float32, no trailing space, as gensim) or
 * binary entries "word " + D little-endian float32 (no newline, as gensim). Atomic
 * (fileio.h). ValueError for a word with a space or newline in binary mode (it could not
 * be read back), an empty word, a count mismatch or a non-2-D tensor. */
int vec_save_word2vec(const char *path, const Tensor *vectors, const char *const *words,
                      const size_t *lens, int64_t count, bool binary, Error *err);

/* Python's float(text) rounded to float32, for one field of exactly len bytes: decimal
 * digits with optional sign, point and exponent, or nan/inf/infinity. Returns 0, or -1
 * when the text is not a number. Correctly rounded (a fast exact path, else strtof). */
int vec_parse_float(const char *s, size_t len, float *out);

/* Checks UTF-8 as Python's decoder: 0 when valid, else -1 with *pos the offset of the
 * first bad byte and *reason "invalid start byte", "invalid continuation byte" or
 * "unexpected end of data". */
int vec_utf8_check(const char *s, size_t len, size_t *pos, const char **reason);

/* The shortest "%.{6..9}g" text of v that reads back as v (float32); returns its length. */
int vec_format_float(float v, char out[32]);

#endif
