/*
 * fuzz/fuzz_safetensors.c — libFuzzer harness: arbitrary bytes as a .safetensors file,
 * read by st_load (header length, JSON header, dtypes, shapes, offsets, metadata), then
 * every tensor printed. Any crash, leak, sanitizer report or hang is a bug; errors are
 * fine. See LICENSE (GPL-3.0-or-later).
 *
 * Memory is bounded by the tensor budget (64 MiB).
 */
#include <stddef.h>
#include <stdint.h>

#include "core/mem.h"
#include "core/strbuf.h"
#include "core/tensor.h"
#include "core/tensor_fmt.h"
#include "fuzz_file.h"
#include "lang/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mem_set_tensor_limit((size_t)64 << 20);
    const char *path = fuzz_file_write(".safetensors", data, size);
    if (!path) return 0;
    Error err;
    err_clear(&err);
    StFile f;
    if (st_load(path, &f, &err) != ERR_OK) return 0;
    StrBuf sb;
    sb_init(&sb);
    for (int64_t i = 0; i < f.count; i++) {
        sb_append(&sb, f.names[i]);
        sb_append(&sb, f.source_dtypes[i]);
        if (tensor_numel(f.tensors[i]) <= 4096) {
            Error ferr;
            err_clear(&ferr);
            tensor_repr(f.tensors[i], NULL, NULL, &sb, &ferr);
        }
        sb_clear(&sb);
    }
    for (int64_t i = 0; i < f.nmeta; i++) {
        sb_append(&sb, f.meta_keys[i]);
        sb_append(&sb, f.meta_values[i]);
    }
    sb_free(&sb);
    st_file_free(&f);
    return 0;
}
