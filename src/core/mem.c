/*
 * src/core/mem.c — allocation chokepoint, fault injection, tensor-byte budget.
 * See LICENSE (GPL-3.0-or-later).
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "core/mem.h"

#include <malloc.h> /* malloc_usable_size */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static atomic_long fail_countdown = -1;
static atomic_ulong alloc_attempts = 0;
static atomic_size_t tensor_limit = MEM_DEFAULT_TENSOR_LIMIT;
static atomic_size_t tensor_in_use = 0;

/* True when the fault-injection hook says this attempt must fail. */
static int injected_failure(void) {
    atomic_fetch_add(&alloc_attempts, 1);
    long left = atomic_load(&fail_countdown);
    if (left < 0) return 0;
    if (left == 0) {
        atomic_store(&fail_countdown, -1);
        return 1;
    }
    atomic_store(&fail_countdown, left - 1);
    return 0;
}

static void *out_of_memory(size_t size, Error *err) {
    err_set(err, ERR_MEMORY, "failed to allocate %zu bytes", size);
    return NULL;
}

/* Large blocks (glibc maps them fresh) ask for transparent huge pages where the system
 * leaves that to programs: one page fault per 2 MiB instead of per 4 KiB when a big
 * gradient or table is first written. Only a hint; nothing depends on it. */
#define HUGE_BLOCK ((size_t)4 << 20)
static void *advise_huge(void *p, size_t size) {
#if defined(MADV_HUGEPAGE)
    if (p && size >= HUGE_BLOCK) {
        uintptr_t page = 4096, begin = ((uintptr_t)p + page - 1) & ~(page - 1);
        uintptr_t end = ((uintptr_t)p + size) & ~(page - 1);
        if (end > begin) (void)madvise((void *)begin, end - begin, MADV_HUGEPAGE);
    }
#else
    (void)size;
#endif
    return p;
}

/* Recycling of large blocks. glibc maps big blocks (above its mmap threshold, at most
 * 32 MiB) fresh from the system and unmaps them on free, so a tensor of that size
 * allocated again (a lookup's output or a dense gradient, every step of a loop) pays a
 * page fault for each page it writes: the kernel zeroing 78 MB that way takes longer
 * than copying 78 MB. mem_free therefore keeps up to RECYCLE_SLOTS freed blocks of
 * HUGE_BLOCK bytes or more (RECYCLE_BUDGET bytes in all, and no more than the tensor limit
 * leaves beside the live tensors), and mem_alloc/mem_calloc hand one back when it fits: at
 * least the size asked for and at most a quarter more. The slots are lock-free (any
 * thread may allocate). Builds with AddressSanitizer do not recycle, so a use after free
 * of a big block is still caught. The blocks still held are freed by a destructor when the
 * process ends (mem_release_recycled). */
#if defined(__SANITIZE_ADDRESS__) /* gcc */
#define ADDRESS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) /* clang */
#define ADDRESS_SANITIZED 1
#endif
#endif
#if defined(__GLIBC__) && !defined(ADDRESS_SANITIZED)
#define RECYCLING 1
#endif
#define RECYCLE_SLOTS 4
#define RECYCLE_BUDGET ((size_t)256 << 20)

#ifdef RECYCLING
static _Atomic(void *) recycled[RECYCLE_SLOTS];
static atomic_size_t recycled_bytes = 0;

/* A held block of at least `size` bytes (and not much more), taken out of its slot, or
 * NULL. */
static void *take_recycled(size_t size) {
    if (size < HUGE_BLOCK) return NULL;
    for (int i = 0; i < RECYCLE_SLOTS; i++) {
        if (!atomic_load(&recycled[i])) continue;
        void *block = atomic_exchange(&recycled[i], NULL);
        if (!block) continue;
        size_t usable = malloc_usable_size(block);
        if (usable >= size && usable - size <= size / 4) {
            atomic_fetch_sub(&recycled_bytes, usable);
            return block;
        }
        void *empty = NULL;
        if (!atomic_compare_exchange_strong(&recycled[i], &empty, block)) {
            atomic_fetch_sub(&recycled_bytes, usable);
            free(block);
        }
    }
    return NULL;
}

/* Keeps `block` for reuse when it is large, a slot is free and the budgets allow: held
 * blocks stay within RECYCLE_BUDGET, and with the live tensors within the tensor limit. */
static bool keep_recycled(void *block) {
    size_t usable = malloc_usable_size(block);
    if (usable < HUGE_BLOCK) return false;
    size_t held = atomic_fetch_add(&recycled_bytes, usable) + usable;
    size_t limit = atomic_load(&tensor_limit), live = atomic_load(&tensor_in_use);
    if (held > RECYCLE_BUDGET || held > limit || live > limit - held) {
        atomic_fetch_sub(&recycled_bytes, usable);
        return false;
    }
    for (int i = 0; i < RECYCLE_SLOTS; i++) {
        void *empty = NULL;
        if (atomic_compare_exchange_strong(&recycled[i], &empty, block)) return true;
    }
    atomic_fetch_sub(&recycled_bytes, usable);
    return false;
}
#else
static void *take_recycled(size_t size) {
    (void)size;
    return NULL;
}
static bool keep_recycled(void *block) {
    (void)block;
    return false;
}
#endif

void mem_release_recycled(void) {
#ifdef RECYCLING
    for (int i = 0; i < RECYCLE_SLOTS; i++) {
        void *block = atomic_exchange(&recycled[i], NULL);
        if (block) {
            atomic_fetch_sub(&recycled_bytes, malloc_usable_size(block));
            free(block);
        }
    }
#endif
}

size_t mem_recycled_bytes(void) {
#ifdef RECYCLING
    return atomic_load(&recycled_bytes);
#else
    return 0;
#endif
}

#if defined(__GNUC__)
__attribute__((destructor)) static void release_recycled_on_unload(void) { mem_release_recycled(); }
#endif

void *mem_alloc(size_t size, Error *err) {
    if (injected_failure()) return out_of_memory(size, err);
    void *p = take_recycled(size);
    if (!p) p = advise_huge(malloc(size ? size : 1), size);
    return p ? p : out_of_memory(size, err);
}

void *mem_calloc(size_t count, size_t size, Error *err) {
    if (size && count > SIZE_MAX / size) {
        err_set(err, ERR_MEMORY, "allocation of %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    if (injected_failure()) return out_of_memory(count * size, err);
    void *p = take_recycled(count * size);
    if (p) return memset(p, 0, count * size);
    p = advise_huge(calloc(count ? count : 1, size ? size : 1), count * size);
    return p ? p : out_of_memory(count * size, err);
}

void *mem_realloc(void *ptr, size_t size, Error *err) {
    if (injected_failure()) return out_of_memory(size, err);
    void *p = realloc(ptr, size ? size : 1);
    return p ? p : out_of_memory(size, err);
}

void mem_free(void *ptr) {
    if (ptr && keep_recycled(ptr)) return;
    free(ptr);
}

char *mem_strndup(const char *s, size_t len, Error *err) {
    char *copy = mem_alloc(len + 1, err);
    if (!copy) return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *mem_strdup(const char *s, Error *err) { return mem_strndup(s, strlen(s), err); }

void mem_fail_after(long n) { atomic_store(&fail_countdown, n < 0 ? -1 : n); }

unsigned long mem_alloc_count(void) { return atomic_load(&alloc_attempts); }

int mem_tensor_reserve(size_t bytes, Error *err) {
    size_t limit = atomic_load(&tensor_limit);
    size_t used = atomic_load(&tensor_in_use);
    for (;;) {
        if (bytes > limit || used > limit - bytes) {
            char asked[32], cap[32];
            mem_format_bytes(bytes, asked, sizeof asked);
            mem_format_bytes(limit, cap, sizeof cap);
            err_set(err, ERR_MEMORY,
                    "cannot allocate a tensor of %zu bytes (%s): the session limit is %s "
                    "and %zu bytes are in use",
                    bytes, asked, cap, used);
            return ERR_MEMORY;
        }
        if (atomic_compare_exchange_weak(&tensor_in_use, &used, used + bytes)) return ERR_OK;
    }
}

void mem_tensor_release(size_t bytes) { atomic_fetch_sub(&tensor_in_use, bytes); }

void mem_set_tensor_limit(size_t bytes) { atomic_store(&tensor_limit, bytes); }

size_t mem_tensor_limit(void) { return atomic_load(&tensor_limit); }

size_t mem_tensor_in_use(void) { return atomic_load(&tensor_in_use); }

void mem_format_bytes(size_t bytes, char *out, size_t out_size) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        snprintf(out, out_size, "%zu B", bytes);
        return;
    }
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024.0 && unit < 6) {
        value /= 1024.0;
        unit++;
    }
    snprintf(out, out_size, "%.1f %s", value, units[unit]);
}
