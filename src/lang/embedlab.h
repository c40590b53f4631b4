/*
 * src/lang/embedlab.h — what the parts of the `embedlab` module share (mod_embedlab.c and
 * embedlab_*.c): their function tables, the Vocab and Vectors types, and word spaces
 * (a matrix of vectors plus the words naming its rows). See LICENSE (GPL-3.0-or-later).
 *
 * Ownership as in value.h: functions returning Value* return new references; VocabValue
 * owns its WordTab. Within a Vocab, entry i of the table is the word of index i.
 */
#ifndef EMBEDLAB_EMBEDLAB_H
#define EMBEDLAB_EMBEDLAB_H

#include <stdbool.h>

#include "core/tensor.h"
#include "core/wordtab.h"
#include "lang/callable.h"

/* ---- the function tables each part contributes (NULL-terminated) ---- */

extern const BuiltinSpec embedlab_vocab_functions[];   /* tokenize */
extern const BuiltinSpec embedlab_vectors_functions[]; /* load_vectors, load_glove, save_word2vec */
extern const BuiltinSpec embedlab_similar_functions[]; /* most_similar, analogy, similarity */
extern const BuiltinSpec embedlab_plot_functions[];    /* pca_plot, heatmap */
extern const BuiltinSpec embedlab_io_functions[];      /* save, load, save_npy, load_npy */

/* Adds the classes (Vocab, Vectors) to the module. */
int embedlab_vocab_init(Interp *I, Value *module);
int embedlab_vectors_init(Interp *I, Value *module);

/* ---- Vocab ---- */

typedef struct VocabValue {
    Value base;
    WordTab words;      /* entry i = token of index i (value i) */
    int64_t unk_index;  /* index of '<unk>' or -1 */
    int64_t pad_index;  /* index of '<pad>' or -1 */
    Value *stoi, *itos; /* cached dict / list (owned), NULL until asked for */
} VocabValue;

extern const ValueType type_vocab;
bool val_is_vocab(const Value *v);
/* A new Vocab holding `words` (stolen: *words is left empty); the values must be the entry
 * numbers. */
Value *vocab_from_wordtab(Interp *I, WordTab *words);
/* The index of a token, or -1 when absent (no <unk> fallback). */
int64_t vocab_find(const VocabValue *v, const char *token, size_t len);
/* The token of index i as a str. */
Value *vocab_token(Interp *I, const VocabValue *v, int64_t i);

/* tokenize(text, lower): the words and punctuation marks of text (see its doc). Appends
 * the tokens as str values to `list`. */
int embedlab_tokenize(Interp *I, const char *text, size_t len, bool lower, Value *list);

/* ---- Vectors (what load_vectors returns) ---- */

extern const ValueType type_vectors;
bool val_is_vectors(const Value *v);
/* The vectors object's vocabulary (a Vocab or a dict, borrowed) and matrix (borrowed). */
Value *vectors_vocab(Value *v);
Tensor *vectors_matrix(Value *v);
/* A Vectors object of a vocabulary and a tensor value (both borrowed), as read from
 * `path` (embedlab.load of a saved Vectors). */
Value *vectors_new(Interp *I, Value *vocab, Value *matrix, const char *format, const char *path);

/* ---- word spaces ---- */

/* A matrix whose rows are named by words: from a Vectors object, or from an embedding
 * module / a weight tensor plus a vocabulary (a Vocab, a dict word -> index or a list of
 * words). */
typedef struct WordSpace {
    Tensor *matrix;        /* owned reference: 2-D float */
    const WordTab *words;  /* word -> row (wt_value); borrowed from a Vocab or `own` */
    WordTab own;
    int64_t *row_word;     /* row -> entry of `words`, -1 when no word names the row */
    int64_t rows;
    Value *hold;           /* keeps the vocabulary alive (owned) */
} WordSpace;

/* Resolves (obj, vocab) into a word space. `fn` names the caller in messages. TypeError
 * when obj is not a Vectors, module with .weight, or tensor, or when a vocabulary is
 * missing. */
int word_space_open(Interp *I, Value *obj, Value *vocab, const char *fn, WordSpace *ws);
void word_space_close(WordSpace *ws);
/* The row of `word` (a str value), or -1 with KeyError "'word' is not in the
 * vocabulary" (and a did-you-mean hint for small vocabularies). */
int64_t word_space_row(Interp *I, const WordSpace *ws, Value *word);
/* The word of a row ("#17" when no word names it), as a str value. */
Value *word_space_word(Interp *I, const WordSpace *ws, int64_t row);

/* ---- similarity (embedlab_similar.c), also the methods of Vectors ---- */

/* most_similar: the k rows nearest (cosine) to a word (str) or a vector (1-D tensor),
 * excluding the word itself, as a Neighbors table (a tuple of (word, score) pairs). */
Value *embedlab_most_similar(Interp *I, Value *obj, Value *vocab, Value *word, int64_t k);
/* analogy: a is to b as c is to ? — nearest to unit(b) - unit(a) + unit(c), excluding a,
 * b and c (gensim's most_similar(positive=[b, c], negative=[a])). */
Value *embedlab_analogy(Interp *I, Value *obj, Value *vocab, Value *a, Value *b, Value *c,
                        int64_t k);
/* similarity: the cosine of two words' vectors, as a float. */
Value *embedlab_similarity(Interp *I, Value *obj, Value *vocab, Value *w1, Value *w2);

/* ---- small helpers shared by the parts ---- */

/* A str argument (TypeError "fn() argument 'name' must be str, not int"). */
const char *embedlab_arg_str(Interp *I, Value *v, const char *fn, const char *name);
/* Writes a warning line ("warning: ...") to stderr. */
void embedlab_warn(Interp *I, const char *text);

#endif
