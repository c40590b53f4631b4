/*
 * src/lang/safetensors.h — the safetensors format (Hugging Face): save and load named
 * tensors with string metadata. See LICENSE (GPL-3.0-or-later).
 *
 * Layout: an 8-byte little-endian header length N, N bytes of JSON (space-padded to a
 * multiple of 8) mapping each tensor name to {"dtype", "shape", "data_offsets": [begin,
 * end]} plus an optional "__metadata__" object of string values, then the data buffer:
 * every tensor's row-major little-endian bytes, back to back, covering it exactly. The
 * writer orders tensors as the reference implementation does (wider dtypes first, then by
 * name) and writes atomically; files it writes load in Python with
 * safetensors.torch.load_file. The reader applies the reference checks (header size and
 * start, offsets contiguous and matching each shape, buffer fully covered) and converts
 * F16/BF16 to float32 and I8/I16/I32/U8/U16/U32/U64 to int64, as embedlab has no such
 * dtypes. Uses Jansson; no interpreter state. Ownership: an StFile owns its names,
 * tensors and metadata until st_file_free.
 */
#ifndef EMBEDLAB_SAFETENSORS_H
#define EMBEDLAB_SAFETENSORS_H

#include <stdint.h>

#include "core/err.h"
#include "core/tensor.h"

typedef struct StFile {
    int64_t count;
    char **names;       /* sorted by name, as safetensors' load_file returns them */
    Tensor **tensors;
    int64_t nmeta;
    char **meta_keys;   /* "__metadata__" in file order */
    char **meta_values;
    char **source_dtypes; /* the file's dtype name per tensor ("F16", ...) */
} StFile;

/* Writes `count` named tensors and `nmeta` metadata pairs to `path`. ValueError for a
 * duplicate or empty name, MemoryError, OSError. */
int st_save(const char *path, const char *const *names, Tensor *const *tensors, int64_t count,
            const char *const *meta_keys, const char *const *meta_values, int64_t nmeta,
            Error *err);

/* Reads `path` into *out. Errors: the file errors (fileio.h); ValueError with the
 * reference implementation's error names, e.g. "Error while deserializing header:
 * HeaderTooLarge", "... InvalidHeaderStart", "... MetadataIncompleteBuffer",
 * "... InvalidOffset(\"emb.weight\")"; TypeError for dtypes embedlab cannot hold (F8...). */
int st_load(const char *path, StFile *out, Error *err);
void st_file_free(StFile *f);

#endif
