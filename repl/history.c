/*
 * repl/history.c — the persistent history file. See history.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HIST_MAX_SIZE 1000000
#define HIST_MAX_FILE ((size_t)256 << 20)

char *hist_path(const char *xdg_state_home, const char *home) {
    const char *base, *middle;
    if (xdg_state_home && xdg_state_home[0] == '/') base = xdg_state_home, middle = "";
    else if (home && home[0]) base = home, middle = "/.local/state";
    else return NULL;
    size_t n = strlen(base) + strlen(middle) + sizeof "/embedlab/history";
    char *path = malloc(n);
    if (path) snprintf(path, n, "%s%s/embedlab/history", base, middle);
    return path;
}

int hist_size(const char *value) {
    if (!value || !value[0]) return HIST_DEFAULT_SIZE;
    long v = 0;
    for (const char *p = value; *p; p++) {
        if (*p < '0' || *p > '9') return HIST_DEFAULT_SIZE;
        if (v < HIST_MAX_SIZE) v = v * 10 + (*p - '0');
    }
    return v > HIST_MAX_SIZE ? HIST_MAX_SIZE : (int)v;
}

char *hist_encode(const char *entry) {
    size_t n = 1;
    for (const char *p = entry; *p; p++) n += (*p == '\\' || *p == '\n' || *p == '\r') ? 2 : 1;
    char *out = malloc(n), *o = out;
    if (!out) return NULL;
    for (const char *p = entry; *p; p++) {
        if (*p == '\\') *o++ = '\\', *o++ = '\\';
        else if (*p == '\n') *o++ = '\\', *o++ = 'n';
        else if (*p == '\r') *o++ = '\\', *o++ = 'r';
        else *o++ = *p;
    }
    *o = '\0';
    return out;
}

char *hist_decode(const char *line, size_t len) {
    char *out = malloc(len + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '\\' && i + 1 < len) {
            char c = line[i + 1];
            if (c == '\\' || c == 'n' || c == 'r') {
                *o++ = c == 'n' ? '\n' : c == 'r' ? '\r' : '\\';
                i++;
                continue;
            }
        }
        *o++ = line[i];
    }
    *o = '\0';
    return out;
}

static int list_push(HistList *l, char *owned) {
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        char **grown = realloc(l->items, (size_t)cap * sizeof *grown);
        if (!grown) {
            free(owned);
            return -1;
        }
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->count++] = owned;
    return 0;
}

int hist_list_add(HistList *l, const char *entry) {
    char *copy = strdup(entry);
    if (!copy) return -1;
    return list_push(l, copy);
}

void hist_list_free(HistList *l) {
    for (int i = 0; i < l->count; i++) free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = l->cap = 0;
}

/* Keeps the newest max entries. */
static void list_cap(HistList *l, int max) {
    if (l->count <= max) return;
    int drop = l->count - max;
    for (int i = 0; i < drop; i++) free(l->items[i]);
    memmove(l->items, l->items + drop, (size_t)max * sizeof *l->items);
    l->count = max;
}

/* Reads the whole file at fd's path; NULL and errno on failure; *len bytes. */
static char *read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    size_t cap = 1 << 14, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            if (cap >= HIST_MAX_FILE) break; /* ignore the rest of an absurd file */
            char *grown = realloc(buf, cap * 2);
            if (!grown) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            int e = errno;
            free(buf);
            buf = NULL;
            errno = e;
            break;
        }
        if (got == 0) break;
        n += (size_t)got;
    }
    int e = errno;
    close(fd);
    errno = e;
    *len = n;
    return buf;
}

int hist_load(const char *path, int max, HistList *out) {
    hist_list_free(out);
    size_t len;
    char *buf = read_file(path, &len);
    if (!buf) return errno == ENOENT ? 0 : -1;
    size_t hl = strlen(HIST_HEADER);
    bool encoded = len >= hl && memcmp(buf, HIST_HEADER, hl) == 0 &&
                   (len == hl || buf[hl] == '\n' || buf[hl] == '\r');
    size_t pos = 0;
    if (encoded) {
        const char *nl = memchr(buf, '\n', len);
        pos = nl ? (size_t)(nl - buf) + 1 : len;
    }
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len, ll = end - pos;
        if (ll && buf[pos + ll - 1] == '\r') ll--;
        if (ll) {
            char *entry;
            if (encoded) {
                entry = hist_decode(buf + pos, ll);
            } else {
                entry = malloc(ll + 1);
                if (entry) memcpy(entry, buf + pos, ll), entry[ll] = '\0';
            }
            if (!entry || list_push(out, entry)) {
                free(buf);
                hist_list_free(out);
                errno = ENOMEM;
                return -1;
            }
        }
        pos = end + 1;
    }
    free(buf);
    if (max >= 0) list_cap(out, max);
    return 0;
}

/* mkdir -p of path's directory, new directories 0700. */
static int make_parent_dirs(const char *path) {
    char *dir = strdup(path);
    if (!dir) return -1;
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) {
        free(dir);
        return 0;
    }
    *slash = '\0';
    for (char *p = dir + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(dir, 0700) && errno != EEXIST) {
                int e = errno;
                free(dir);
                errno = e;
                return -1;
            }
            *p = saved;
            if (saved == '\0') break;
        }
    }
    free(dir);
    return 0;
}

/* Takes an exclusive lock on lock_path, retrying for up to two seconds; the fd or -1. */
static int take_lock(const char *lock_path) {
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    struct flock fl = {0};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    for (int tries = 0; tries < 200; tries++) {
        if (fcntl(fd, F_SETLK, &fl) == 0) return fd;
        if (errno != EACCES && errno != EAGAIN && errno != EINTR) break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int e = errno == EACCES ? EAGAIN : errno;
    close(fd);
    errno = e;
    return -1;
}

static int write_all(int fd, const char *text, size_t len) {
    while (len) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes the list to a temporary file next to path and renames it over path. */
static int write_atomically(const char *path, const HistList *l) {
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) return -1;
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    unlink(tmp); /* a leftover of a crashed process with our pid */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    int rc = fchmod(fd, 0600);
    rc = rc ? rc : write_all(fd, HIST_HEADER "\n", strlen(HIST_HEADER) + 1);
    for (int i = 0; rc == 0 && i < l->count; i++) {
        char *line = hist_encode(l->items[i]);
        if (!line) {
            errno = ENOMEM;
            rc = -1;
            break;
        }
        rc = write_all(fd, line, strlen(line));
        if (rc == 0) rc = write_all(fd, "\n", 1);
        free(line);
    }
    if (rc == 0) rc = fsync(fd);
    if (close(fd) && rc == 0) rc = -1;
    if (rc == 0) rc = rename(tmp, path);
    int e = errno;
    if (rc) unlink(tmp);
    free(tmp);
    errno = e;
    return rc;
}

int hist_append(const char *path, const char *const *entries, int count, int max) {
    if (max <= 0) return 0;
    if (make_parent_dirs(path)) return -1;
    size_t n = strlen(path) + sizeof ".lock";
    char *lock_path = malloc(n);
    if (!lock_path) return -1;
    snprintf(lock_path, n, "%s.lock", path);
    int lock = take_lock(lock_path);
    free(lock_path);
    if (lock < 0) return -1;
    HistList l = {0};
    int rc = hist_load(path, -1, &l);
    for (int i = 0; rc == 0 && i < count; i++) {
        if (!entries[i][0]) continue;
        if (l.count && strcmp(l.items[l.count - 1], entries[i]) == 0) continue;
        rc = hist_list_add(&l, entries[i]);
    }
    if (rc == 0) {
        list_cap(&l, max);
        rc = write_atomically(path, &l);
    }
    int e = errno;
    hist_list_free(&l);
    close(lock); /* releases the lock */
    errno = e;
    return rc;
}
