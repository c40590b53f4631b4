/*
 * src/core/mem.h — the one allocation chokepoint, its fault-injection hook and the
 * tensor-byte budget. See LICENSE (GPL-3.0-or-later).
 *
 * Every allocation in embedlab goes through mem_alloc / mem_calloc / mem_realloc and is
 * released with mem_free. On failure they return NULL and fill `err` with ERR_MEMORY;
 * they never abort. Two process-wide knobs exist (the only mutable process state in the
 * core, both for robustness rather than semantics):
 *
 *  - a test hook, mem_fail_after(n): the (n+1)-th allocation from now fails (n = 0 fails
 *    the next one); mem_fail_after(-1) disables it. mem_alloc_count() counts attempts, so
 *    a test can run an operation once to learn how many allocations it makes, then fail
 *    each of them in turn.
 *  - a budget on bytes held by tensor storages (default 4 GiB): mem_tensor_reserve fails
 *    with MemoryError naming the size asked for when it would exceed the limit.
 */
#ifndef EMBEDLAB_MEM_H
#define EMBEDLAB_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define MEM_DEFAULT_TENSOR_LIMIT ((size_t)4 << 30)

void *mem_alloc(size_t size, Error *err);
/* Zeroed `count * size` bytes; overflow of the product is an ERR_MEMORY error. */
void *mem_calloc(size_t count, size_t size, Error *err);
/* Like realloc; on failure the old block is untouched and still owned by the caller. */
void *mem_realloc(void *ptr, size_t size, Error *err);
void mem_free(void *ptr);
/* mem_free keeps a few large freed blocks (4 MiB or more, 256 MiB in all, and within what
 * the tensor limit leaves beside the live tensors) for the next allocation of about their
 * size, instead of returning them to the system; mem_alloc'ed memory is never zeroed
 * either way. mem_release_recycled returns the blocks held
 * (also done when the process ends); mem_recycled_bytes says how many bytes are held. */
void mem_release_recycled(void);
size_t mem_recycled_bytes(void);
/* A mem_alloc'ed copy of the NUL-terminated `s` (or of its first `len` bytes, plus NUL). */
char *mem_strdup(const char *s, Error *err);
char *mem_strndup(const char *s, size_t len, Error *err);

/* Fault injection (tests only): fail the allocation `n` attempts from now; -1 disables. */
void mem_fail_after(long n);
/* Number of allocation attempts since the process started (monotonic). */
unsigned long mem_alloc_count(void);

/* Tensor-byte budget. reserve returns ERR_OK or ERR_MEMORY (message gives the bytes
 * asked for and the limit); release gives bytes back. */
int mem_tensor_reserve(size_t bytes, Error *err);
void mem_tensor_release(size_t bytes);
void mem_set_tensor_limit(size_t bytes);
size_t mem_tensor_limit(void);
size_t mem_tensor_in_use(void);

/* Formats a byte count for people: "512 B", "1.5 KiB", "60.0 MiB", "4.0 GiB". */
void mem_format_bytes(size_t bytes, char *out, size_t out_size);

#endif
