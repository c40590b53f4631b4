/*
 * fuzz/fuzz_npy.c — libFuzzer harness: arbitrary bytes as a .npy file, read by npy_load,
 * then printed with torch's formatter and re-described with npy_header (the array may
 * hold any float bits: nan payloads, denormals, huge values). Any crash, leak, sanitizer
 * report or hang is a bug; errors are fine. See LICENSE (GPL-3.0-or-later).
 *
 * Memory is bounded by the tensor budget (64 MiB): a header promising a huge shape must
 * fail with MemoryError or ValueError, never allocate it.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "core/npy.h"
#include "core/strbuf.h"
#include "core/tensor.h"
#include "core/tensor_fmt.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mem_set_tensor_limit((size_t)64 << 20);
    const char *path = fuzz_file_write(".npy", data, size);
    if (!path) return 0;
    Error err;
    err_clear(&err);
    Tensor *t = npy_load(path, &err);
    if (!t) return 0;
    StrBuf sb;
    sb_init(&sb);
    if (tensor_numel(t) <= 4096) {
        Error ferr;
        err_clear(&ferr);
        tensor_repr(t, NULL, NULL, &sb, &ferr);
        sb_clear(&sb);
    }
    Error herr;
    err_clear(&herr);
    npy_header(t, &sb, &herr);
    sb_free(&sb);
    tensor_release(t);
    return 0;
}
