/*
 * src/core/wordtab.c — the word table. See wordtab.h. See LICENSE (GPL-3.0-or-later).
 */
#include "core/wordtab.h"

#include <string.h>

#include "core/mem.h"

void wt_init(WordTab *t) { memset(t, 0, sizeof *t); }

void wt_free(WordTab *t) {
    mem_free(t->bytes);
    mem_free(t->offsets);
    mem_free(t->lens);
    mem_free(t->hashes);
    mem_free(t->values);
    mem_free(t->slots);
    wt_init(t);
}

uint64_t wt_hash(const char *word, size_t len) {
    /* FNV-1a with a final avalanche (murmur3's fmix64). */
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    const unsigned char *p = (const unsigned char *)word;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static int grow_entries(WordTab *t, int64_t cap, Error *err) {
    if (cap <= t->cap) return ERR_OK;
    if (cap > (int64_t)UINT32_MAX - 1)
        return err_set(err, ERR_MEMORY, "too many words (%lld)", (long long)cap);
    size_t n = (size_t)cap;
    uint64_t *offsets = mem_realloc(t->offsets, n * sizeof *offsets, err);
    if (!offsets) return ERR_MEMORY;
    t->offsets = offsets;
    uint32_t *lens = mem_realloc(t->lens, n * sizeof *lens, err);
    if (!lens) return ERR_MEMORY;
    t->lens = lens;
    uint32_t *hashes = mem_realloc(t->hashes, n * sizeof *hashes, err);
    if (!hashes) return ERR_MEMORY;
    t->hashes = hashes;
    int64_t *values = mem_realloc(t->values, n * sizeof *values, err);
    if (!values) return ERR_MEMORY;
    t->values = values;
    t->cap = cap;
    return ERR_OK;
}

static int grow_bytes(WordTab *t, size_t need, Error *err) {
    if (need <= t->bytes_cap) return ERR_OK;
    size_t cap = t->bytes_cap ? t->bytes_cap : 4096;
    while (cap < need) cap += cap / 2 + 4096;
    char *bytes = mem_realloc(t->bytes, cap, err);
    if (!bytes) return ERR_MEMORY;
    t->bytes = bytes;
    t->bytes_cap = cap;
    return ERR_OK;
}

/* Rebuilds the hash index with `nslots` slots (a power of two above count). */
static int rehash(WordTab *t, uint64_t nslots, Error *err) {
    uint32_t *slots = mem_calloc((size_t)nslots, sizeof *slots, err);
    if (!slots) return ERR_MEMORY;
    uint64_t mask = nslots - 1;
    for (int64_t i = 0; i < t->count; i++) {
        uint64_t s = t->hashes[i] & mask;
        while (slots[s]) s = (s + 1) & mask;
        slots[s] = (uint32_t)(i + 1);
    }
    mem_free(t->slots);
    t->slots = slots;
    t->nslots = nslots;
    return ERR_OK;
}

static uint64_t slots_for(int64_t count) {
    uint64_t n = 16;
    while (n < (uint64_t)count * 2) n <<= 1;
    return n;
}

int wt_reserve(WordTab *t, int64_t count, size_t bytes, Error *err) {
    if (count < 0) count = 0;
    if (grow_entries(t, count, err) || grow_bytes(t, bytes, err)) return err ? err->code : ERR_MEMORY;
    uint64_t n = slots_for(count);
    if (n > t->nslots && rehash(t, n, err)) return ERR_MEMORY;
    return ERR_OK;
}

int64_t wt_find(const WordTab *t, const char *word, size_t len) {
    if (!t->nslots) return -1;
    uint32_t h = (uint32_t)wt_hash(word, len);
    uint64_t mask = t->nslots - 1;
    for (uint64_t s = h & mask;; s = (s + 1) & mask) {
        uint32_t e = t->slots[s];
        if (!e) return -1;
        e--;
        if (t->hashes[e] == h && t->lens[e] == len &&
            memcmp(t->bytes + t->offsets[e], word, len) == 0)
            return e;
    }
}

int wt_add(WordTab *t, const char *word, size_t len, int64_t value, int64_t *entry,
           Error *err) {
    if (len > WT_MAX_WORD) {
        err_set(err, ERR_VALUE, "word of %zu bytes is too long (the limit is %zu)", len,
                WT_MAX_WORD);
        return -1;
    }
    int64_t found = wt_find(t, word, len);
    if (found >= 0) {
        if (entry) *entry = found;
        return 0;
    }
    if (t->count == t->cap) {
        int64_t cap = t->cap ? t->cap + t->cap / 2 : 64;
        if (grow_entries(t, cap, err)) return -1;
    }
    if ((uint64_t)(t->count + 1) * 2 > t->nslots && rehash(t, slots_for(t->count + 1), err))
        return -1;
    if (grow_bytes(t, t->bytes_len + len + 1, err)) return -1;
    int64_t e = t->count;
    memcpy(t->bytes + t->bytes_len, word, len);
    t->bytes[t->bytes_len + len] = '\0';
    t->offsets[e] = t->bytes_len;
    t->lens[e] = (uint32_t)len;
    uint32_t h = (uint32_t)wt_hash(word, len);
    t->hashes[e] = h;
    t->values[e] = value;
    t->bytes_len += len + 1;
    uint64_t mask = t->nslots - 1, s = h & mask;
    while (t->slots[s]) s = (s + 1) & mask;
    t->slots[s] = (uint32_t)(e + 1);
    t->count++;
    if (entry) *entry = e;
    return 1;
}
