/*
 * src/core/fileio.c — Python-style file errors, exact reads, atomic writes. See fileio.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

#define FIO_BUFFER (1u << 16)

void fio_repr_path(const char *path, char *out, size_t size) {
    if (size < 3) {
        if (size) out[0] = '\0';
        return;
    }
    char q = strchr(path, '\'') && !strchr(path, '"') ? '"' : '\'';
    size_t used = 0;
    out[used++] = q;
    for (const char *p = path; *p; p++) {
        bool escape = *p == q || *p == '\\';
        if (used + (escape ? 2 : 1) + 2 > size) break; /* room for the quote and the NUL */
        if (escape) out[used++] = '\\';
        out[used++] = *p;
    }
    out[used++] = q;
    out[used] = '\0';
}

int fio_set_errno(Error *err, int errnum, const char *path) {
    char text[128], shown[512];
    /* The XSI strerror_r (POSIX 2008): fills text. */
    if (strerror_r(errnum, text, sizeof text) != 0) snprintf(text, sizeof text, "error %d", errnum);
    fio_repr_path(path, shown, sizeof shown);
    ErrCode code = errnum == ENOENT                      ? ERR_FILE_NOT_FOUND
                   : errnum == EACCES || errnum == EPERM ? ERR_PERMISSION
                   : errnum == EISDIR                    ? ERR_IS_A_DIRECTORY
                   : errnum == ENOTDIR                   ? ERR_NOT_A_DIRECTORY
                   : errnum == EEXIST                    ? ERR_FILE_EXISTS
                                                         : ERR_OS;
    return err_set(err, code, "[Errno %d] %s: %s", errnum, text, shown);
}

int fio_open_read(const char *path, int *fd, uint64_t *size, Error *err) {
    *fd = -1;
    int f;
    do f = open(path, O_RDONLY | O_CLOEXEC);
    while (f < 0 && errno == EINTR);
    if (f < 0) return fio_set_errno(err, errno, path);
    struct stat st;
    if (fstat(f, &st) != 0) {
        int e = errno;
        close(f);
        return fio_set_errno(err, e, path);
    }
    if (S_ISDIR(st.st_mode)) {
        close(f);
        return fio_set_errno(err, EISDIR, path);
    }
    *fd = f;
    if (size) *size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    return ERR_OK;
}

int fio_read(int fd, void *buf, size_t n, size_t *got, const char *path, Error *err) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, (char *)buf + done, n - done);
        if (r < 0) {
            if (errno == EINTR) continue;
            *got = done;
            return fio_set_errno(err, errno, path);
        }
        if (r == 0) break;
        done += (size_t)r;
    }
    *got = done;
    return ERR_OK;
}

void fio_close(int fd) {
    if (fd >= 0) close(fd);
}

/* ---- atomic writes ---- */

static void writer_release(FioWriter *w) {
    mem_free(w->path);
    mem_free(w->tmp_path);
    mem_free(w->buf);
    w->path = w->tmp_path = NULL;
    w->buf = NULL;
    w->fd = -1;
}

int fio_writer_open(FioWriter *w, const char *path, Error *err) {
    memset(w, 0, sizeof *w);
    w->fd = -1;
    size_t plen = strlen(path);
    w->path = mem_strdup(path, err);
    w->tmp_path = mem_alloc(plen + 48, err);
    w->buf = mem_alloc(FIO_BUFFER, err);
    if (!w->path || !w->tmp_path || !w->buf) {
        writer_release(w);
        return ERR_MEMORY;
    }
    w->cap = FIO_BUFFER;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        writer_release(w);
        return fio_set_errno(err, EISDIR, path);
    }
    for (int attempt = 0; attempt < 1000; attempt++) {
        snprintf(w->tmp_path, plen + 48, "%s.tmp-%ld-%d", path, (long)getpid(), attempt);
        int f = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (f >= 0) {
            w->fd = f;
            return ERR_OK;
        }
        if (errno == EEXIST || errno == EINTR) continue;
        int e = errno;
        writer_release(w);
        /* The directory part is what failed; Python names the path it was asked for. */
        return fio_set_errno(err, e, path);
    }
    writer_release(w);
    return fio_set_errno(err, EEXIST, path);
}

static int flush_buffer(FioWriter *w, Error *err) {
    size_t done = 0;
    while (done < w->len) {
        ssize_t r = write(w->fd, w->buf + done, w->len - done);
        if (r < 0) {
            if (errno == EINTR) continue;
            w->failed = true;
            return fio_set_errno(err, errno, w->path);
        }
        done += (size_t)r;
    }
    w->len = 0;
    return ERR_OK;
}

int fio_write(FioWriter *w, const void *data, size_t n, Error *err) {
    if (w->failed) return err_set(err, ERR_OS, "write after a failed write");
    const unsigned char *p = data;
    while (n > 0) {
        if (w->len == w->cap && flush_buffer(w, err)) return err->code;
        size_t take = w->cap - w->len < n ? w->cap - w->len : n;
        memcpy(w->buf + w->len, p, take);
        w->len += take;
        p += take;
        n -= take;
    }
    return ERR_OK;
}

int fio_writer_commit(FioWriter *w, Error *err) {
    Error local;
    if (!err) err = &local;
    if (w->fd < 0) return err_set(err, ERR_OS, "the file is not open");
    if (w->failed || flush_buffer(w, err)) {
        if (!err_is_set(err)) err_set(err, ERR_OS, "a write failed");
        fio_writer_abort(w);
        return err->code;
    }
    int rc = fsync(w->fd) != 0 && errno != EINVAL && errno != EROFS ? errno : 0;
    if (close(w->fd) != 0 && !rc) rc = errno;
    w->fd = -1;
    if (!rc && rename(w->tmp_path, w->path) != 0) rc = errno;
    if (rc) {
        fio_set_errno(err, rc, w->path);
        unlink(w->tmp_path);
        writer_release(w);
        return err->code;
    }
    writer_release(w);
    return ERR_OK;
}

void fio_writer_abort(FioWriter *w) {
    if (w->fd >= 0) {
        close(w->fd);
        w->fd = -1;
        if (w->tmp_path) unlink(w->tmp_path);
    }
    writer_release(w);
}
