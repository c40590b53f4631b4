/*
 * fuzz/fuzz_file.h — a scratch file for harnesses whose target reads a path (the vector,
 * .npy and safetensors loaders). See LICENSE (GPL-3.0-or-later).
 *
 * fuzz_file_write(ext, data, size) puts the bytes into one file per process, under
 * /dev/shm when it exists (no disk writes), else $TMPDIR or /tmp, named
 * "embedlab-fuzz-PID<ext>" (the extension matters to loaders that sniff it, e.g. ".vec"),
 * and returns its path (static storage, valid until the next call). The file is removed
 * at exit. Returns NULL when the file cannot be written; harnesses then skip the input.
 */
#ifndef EMBEDLAB_FUZZ_FILE_H
#define EMBEDLAB_FUZZ_FILE_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_file_paths[8][512];
static int fuzz_file_count;

static void fuzz_file_cleanup(void) {
    for (int i = 0; i < fuzz_file_count; i++) unlink(fuzz_file_paths[i]);
}

static inline const char *fuzz_file_write(const char *ext, const uint8_t *data, size_t size) {
    char path[512];
    struct stat st;
    const char *dir = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : NULL;
    if (!dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    snprintf(path, sizeof path, "%s/embedlab-fuzz-%ld%s", dir, (long)getpid(), ext);
    int known = -1;
    for (int i = 0; i < fuzz_file_count; i++)
        if (strcmp(fuzz_file_paths[i], path) == 0) known = i;
    if (known < 0) {
        if (fuzz_file_count == 8) return NULL;
        if (fuzz_file_count == 0) atexit(fuzz_file_cleanup);
        known = fuzz_file_count++;
        memcpy(fuzz_file_paths[known], path, sizeof path);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return NULL;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) {
            close(fd);
            return NULL;
        }
        done += (size_t)n;
    }
    close(fd);
    return fuzz_file_paths[known];
}

#endif
