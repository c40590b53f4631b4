/*
 * fuzz/fuzz_vectors.c — libFuzzer harness for the word-vector loaders (vec_load: GloVe,
 * word2vec text, word2vec binary, fastText .vec; format sniffing; archive refusal).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Input: two option bytes, then the file.
 *   byte 0, bits 0-2: format (1 glove, 2 word2vec, 3 word2vec-binary, 4 fasttext, else auto)
 *           bit 3:    strict off (malformed lines skipped and counted)
 *           bits 4-5: unicode errors (1 replace, 2 ignore, else strict)
 *           bit 6:    limit = byte 1 & 15
 *           bit 7:    vocabulary mode (want = a few words; random init when byte 1 bit 4)
 *   byte 1, bit 5: the file is named ".vec" (else ".txt"; ".bin" under FUZZ_VECTORS_BINARY)
 *           bit 6: the progress callback asks to stop (KeyboardInterrupt path)
 * Built with FUZZ_VECTORS_BINARY (fuzz_vectors_bin.c) the format is word2vec-binary or
 * auto only, and the corpus holds binary files.
 *
 * Checks beyond "no crash, no leak": a successful load has a [count, dim] float32 matrix
 * (vocabulary mode: [want_rows, dim]), a word per row, every word valid UTF-8 (decoding
 * errors are raised, replaced or dropped, never stored); and every field the number
 * parser accepts reads as strtof reads it, and prints back (vec_format_float) to the same
 * float. A violated check aborts, so libFuzzer records the input.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/rng.h"
#include "core/tensor.h"
#include "core/vectors.h"
#include "core/wordtab.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int stop_progress(void *ctx, uint64_t done, uint64_t total) {
    (void)ctx, (void)done, (void)total;
    return 1;
}

/* A violated check names itself on stderr, then aborts (libFuzzer keeps the input). */
static void check_failed(const char *what, int line) {
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, line, what);
    abort();
}
#define check(ok) ((ok) ? (void)0 : check_failed(#ok, __LINE__))

/* Differential check of the float parser against strtof on each space-separated field
 * of the first lines. */
static void check_numbers(const uint8_t *data, size_t size) {
    size_t i = 0;
    int fields = 0;
    while (i < size && fields < 64) {
        while (i < size && (data[i] == ' ' || data[i] == '\n')) i++;
        size_t start = i;
        while (i < size && data[i] != ' ' && data[i] != '\n') i++;
        size_t len = i - start;
        if (len == 0 || len > 400) continue;
        fields++;
        float v;
        if (vec_parse_float((const char *)data + start, len, &v) != 0) continue;
        char text[512];
        memcpy(text, data + start, len);
        text[len] = '\0';
        if (memchr(text, '\0', len)) continue;
        float want = strtof(text, NULL);
        if (isnan(v) || isnan(want)) {
            check(isnan(v) && isnan(want));
            continue;
        }
        check(memcmp(&v, &want, sizeof v) == 0);
        char shown[32];
        vec_format_float(v, shown);
        float back = strtof(shown, NULL);
        check(isinf(v) || memcmp(&back, &v, sizeof v) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    mem_set_tensor_limit((size_t)64 << 20);
    uint8_t o0 = data[0], o1 = data[1];
    data += 2;
    size -= 2;
    check_numbers(data, size);

    VecLoadOptions opts;
    vec_load_options_init(&opts);
    static const VecFormat formats[8] = {VEC_FORMAT_AUTO,          VEC_FORMAT_GLOVE,
                                         VEC_FORMAT_WORD2VEC,      VEC_FORMAT_WORD2VEC_BINARY,
                                         VEC_FORMAT_FASTTEXT,      VEC_FORMAT_AUTO,
                                         VEC_FORMAT_AUTO,          VEC_FORMAT_AUTO};
    opts.format = formats[o0 & 7];
#ifdef FUZZ_VECTORS_BINARY
    opts.format = (o0 & 1) ? VEC_FORMAT_WORD2VEC_BINARY : VEC_FORMAT_AUTO;
    const char *ext = ".bin";
#else
    const char *ext = (o1 & 32) ? ".vec" : ".txt";
#endif
    opts.strict = !(o0 & 8);
    int ue = (o0 >> 4) & 3;
    opts.unicode_errors = ue == 1 ? VEC_UTF8_REPLACE : ue == 2 ? VEC_UTF8_IGNORE : VEC_UTF8_STRICT;
    if (o0 & 64) opts.limit = o1 & 15;
    if (o1 & 64) opts.progress = stop_progress;

    WordTab want;
    wt_init(&want);
    Generator gen;
    rng_init(&gen, 0);
    Error err;
    err_clear(&err);
    if (o0 & 128) {
        static const char *const words[] = {"the", "cat", ",", "\xc3\xa9t\xc3\xa9", "a b", "</s>"};
        for (int64_t k = 0; k < 6; k++)
            if (wt_add(&want, words[k], strlen(words[k]), 5 - k, NULL, &err) < 0) abort();
        opts.want = &want;
        opts.want_rows = 7;
        opts.init_random = (o1 & 16) != 0;
        opts.gen = &gen;
    }

    const char *path = fuzz_file_write(ext, data, size);
    if (!path) {
        wt_free(&want);
        return 0;
    }
    VecLoad r;
    if (vec_load(path, &opts, &r, &err) == ERR_OK) {
        check(r.vectors != NULL && r.dim > 0 && r.format != VEC_FORMAT_AUTO);
        check(r.vectors->ndim == 2 && r.vectors->shape[1] == r.dim);
        check(r.vectors->dtype == DTYPE_FLOAT32);
        if (opts.want) {
            check(r.vectors->shape[0] == opts.want_rows && r.found_words <= 6);
        } else {
            check(r.vectors->shape[0] == r.count && wt_count(&r.words) == r.count);
            for (int64_t i = 0; i < r.count; i++) {
                size_t len, pos;
                const char *reason;
                const char *w = wt_word(&r.words, i, &len);
                check(vec_utf8_check(w, len, &pos, &reason) == 0);
            }
        }
        if (opts.limit >= 0 && !opts.want) check(r.count <= opts.limit);
        vec_load_free(&r);
    }
    wt_free(&want);
    return 0;
}
