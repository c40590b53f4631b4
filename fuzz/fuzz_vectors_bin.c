/*
 * fuzz/fuzz_vectors_bin.c — the vector-loader harness (fuzz_vectors.c) aimed at the
 * word2vec binary reader: format word2vec-binary or auto, files named ".bin", a corpus of
 * binary files. See LICENSE (GPL-3.0-or-later).
 */
#define FUZZ_VECTORS_BINARY 1
#include "fuzz_vectors.c"
