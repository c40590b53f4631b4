/*
 * src/core/fileio.h — files for the vector, .npy and safetensors code: opening with
 * Python's OSError messages, exact reads, and atomic writes (a temporary file renamed
 * over the target, so a failure never leaves a half-written file in place).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Messages are Python's for the same failure, naming the path as repr(str) does:
 * FileNotFoundError "[Errno 2] No such file or directory: 'x.txt'", PermissionError
 * "[Errno 13] Permission denied: 'x.txt'", IsADirectoryError "[Errno 21] Is a directory:
 * 'data'" (OSError subclasses, as in Python). Nothing here
 * prints; every function fills `err`.
 */
#ifndef EMBEDLAB_FILEIO_H
#define EMBEDLAB_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Records the OSError for errno value `errnum` on `path`, with Python's subclass
 * (FileNotFoundError for ENOENT, PermissionError, IsADirectoryError, NotADirectoryError,
 * FileExistsError). Returns the code. */
int fio_set_errno(Error *err, int errnum, const char *path);
/* Appends repr(path) (single quotes unless the path holds one) to out (NUL-terminated,
 * truncated to size). */
void fio_repr_path(const char *path, char *out, size_t size);

/* Opens `path` for reading. *fd receives the descriptor; *size (may be NULL) the file
 * size in bytes. A directory is "[Errno 21] Is a directory". */
int fio_open_read(const char *path, int *fd, uint64_t *size, Error *err);
/* Reads up to n bytes (retrying short reads and EINTR) into buf; *got is what was read
 * (less than n only at end of file). */
int fio_read(int fd, void *buf, size_t n, size_t *got, const char *path, Error *err);
void fio_close(int fd);

/* An atomic writer: bytes go to a temporary file next to `path` ("path.tmp-PID-N",
 * created exclusively with mode 0666 & ~umask); commit flushes, fsyncs and renames it
 * over `path`; abort (or any failed call) removes it. */
typedef struct FioWriter {
    int fd;              /* -1 when closed */
    char *path;          /* owned copies */
    char *tmp_path;
    unsigned char *buf;  /* write buffer */
    size_t len, cap;
    bool failed;         /* a write failed: commit refuses */
} FioWriter;

int fio_writer_open(FioWriter *w, const char *path, Error *err);
int fio_write(FioWriter *w, const void *data, size_t n, Error *err);
/* Makes the file appear at `path` (replacing any old file) and frees the writer. On
 * failure the temporary is removed and the old file (if any) is untouched. */
int fio_writer_commit(FioWriter *w, Error *err);
/* Removes the temporary and frees the writer (no-op after commit). */
void fio_writer_abort(FioWriter *w);

#endif
