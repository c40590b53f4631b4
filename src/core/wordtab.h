/*
 * src/core/wordtab.h — a table of words (byte strings) with an int64 value each: the
 * vocabulary of a vector file, of a Vocab, or the words a load is looking for.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Entries are numbered 0..count-1 in insertion order and never removed; each keeps its
 * bytes (NUL-terminated, may contain any byte except that lookups compare lengths) and a
 * value (a row or vocabulary index). Lookup is by exact bytes through an open-addressing
 * hash index. All memory goes through mem.h; a failed add leaves the table unchanged.
 * The WordTab owns its memory; wt_free releases it (the struct itself is the caller's).
 */
#ifndef EMBEDLAB_WORDTAB_H
#define EMBEDLAB_WORDTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Longest word the table stores (bytes). Longer words are a ValueError. */
#define WT_MAX_WORD ((size_t)1 << 20)

typedef struct WordTab {
    char *bytes;          /* every word, each followed by a NUL */
    size_t bytes_len, bytes_cap;
    uint64_t *offsets;    /* entry i starts at bytes + offsets[i] */
    uint32_t *lens;       /* its length in bytes */
    uint32_t *hashes;     /* its hash (low 32 bits) */
    int64_t *values;      /* its value */
    int64_t count, cap;
    uint32_t *slots;      /* hash index: entry + 1, 0 when empty */
    uint64_t nslots;      /* a power of two (0 before the first add) */
} WordTab;

/* An empty table (no allocation until the first add). */
void wt_init(WordTab *t);
/* Frees everything the table holds and leaves it empty (wt_init state). */
void wt_free(WordTab *t);
/* Makes room for `count` entries holding about `bytes` word bytes in total. */
int wt_reserve(WordTab *t, int64_t count, size_t bytes, Error *err);

/* The entry of `word`, or -1 when absent. */
int64_t wt_find(const WordTab *t, const char *word, size_t len);
/* Adds `word` with `value` unless present. *entry (may be NULL) receives the entry of
 * the word (new or existing); returns 1 when added, 0 when it was already present, or -1
 * (MemoryError, ValueError for a word longer than WT_MAX_WORD) with err set. */
int wt_add(WordTab *t, const char *word, size_t len, int64_t value, int64_t *entry,
           Error *err);

static inline int64_t wt_count(const WordTab *t) { return t->count; }
/* The bytes of entry i (NUL-terminated, borrowed until the next add) and their length. */
static inline const char *wt_word(const WordTab *t, int64_t i, size_t *len) {
    if (len) *len = t->lens[i];
    return t->bytes + t->offsets[i];
}
static inline int64_t wt_value(const WordTab *t, int64_t i) { return t->values[i]; }
static inline void wt_set_value(WordTab *t, int64_t i, int64_t v) { t->values[i] = v; }

/* The 64-bit hash wt uses (exposed for tests). */
uint64_t wt_hash(const char *word, size_t len);

#endif
