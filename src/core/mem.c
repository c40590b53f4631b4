/*
 * src/core/mem.c — allocation chokepoint, fault injection, tensor-byte budget.
 * See LICENSE (GPL-3.0-or-later).
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "core/mem.h"

#include <stdatomic.h>
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

void *mem_alloc(size_t size, Error *err) {
    if (injected_failure()) return out_of_memory(size, err);
    void *p = advise_huge(malloc(size ? size : 1), size);
    return p ? p : out_of_memory(size, err);
}

void *mem_calloc(size_t count, size_t size, Error *err) {
    if (size && count > SIZE_MAX / size) {
        err_set(err, ERR_MEMORY, "allocation of %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    if (injected_failure()) return out_of_memory(count * size, err);
    void *p = advise_huge(calloc(count ? count : 1, size ? size : 1), count * size);
    return p ? p : out_of_memory(count * size, err);
}

void *mem_realloc(void *ptr, size_t size, Error *err) {
    if (injected_failure()) return out_of_memory(size, err);
    void *p = realloc(ptr, size ? size : 1);
    return p ? p : out_of_memory(size, err);
}

void mem_free(void *ptr) { free(ptr); }

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
