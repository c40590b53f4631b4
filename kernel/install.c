/*
 * kernel/install.c — kernelspec installation. See install.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "install.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/mem.h"

/* A 64x64 logo: an embedding table (rows of coloured cells) for the launcher. */
static const char logo_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" "
    "viewBox=\"0 0 64 64\">\n"
    "  <rect width=\"64\" height=\"64\" rx=\"10\" fill=\"#ee4c2c\"/>\n"
    "  <g fill=\"#fff\">\n"
    "    <rect x=\"10\" y=\"12\" width=\"12\" height=\"10\" rx=\"2\"/>\n"
    "    <rect x=\"26\" y=\"12\" width=\"12\" height=\"10\" rx=\"2\" opacity=\".7\"/>\n"
    "    <rect x=\"42\" y=\"12\" width=\"12\" height=\"10\" rx=\"2\" opacity=\".4\"/>\n"
    "    <rect x=\"10\" y=\"27\" width=\"12\" height=\"10\" rx=\"2\" opacity=\".4\"/>\n"
    "    <rect x=\"26\" y=\"27\" width=\"12\" height=\"10\" rx=\"2\"/>\n"
    "    <rect x=\"42\" y=\"27\" width=\"12\" height=\"10\" rx=\"2\" opacity=\".7\"/>\n"
    "    <rect x=\"10\" y=\"42\" width=\"12\" height=\"10\" rx=\"2\" opacity=\".7\"/>\n"
    "    <rect x=\"26\" y=\"42\" width=\"12\" height=\"10\" rx=\"2\" opacity=\".4\"/>\n"
    "    <rect x=\"42\" y=\"42\" width=\"12\" height=\"10\" rx=\"2\"/>\n"
    "  </g>\n"
    "</svg>\n";

/* kernel.json. interrupt_mode "message": jupyter_client then interrupts with an
 * interrupt_request on control, which the control thread serves even while code runs;
 * unlike "signal" (SIGINT to the process group) it also works when the kernel is started
 * through a wrapper, a container or a remote gateway. SIGINT still works. */
char *install_kernel_json(const char *exe) {
    json_t *spec = json_pack("{s:[s, s, s], s:s, s:s, s:s, s:{s:b}}", "argv", exe, "-f",
                             "{connection_file}", "display_name", INSTALL_DISPLAY_NAME,
                             "language", "embedlab", "interrupt_mode", "message", "metadata",
                             "debugger", 0);
    if (!spec) return NULL;
    char *text = json_dumps(spec, JSON_INDENT(1));
    json_decref(spec);
    if (!text) return NULL;
    char *copy = mem_strdup(text, NULL);
    free(text);
    return copy;
}

static int path_join(char *buf, size_t size, const char *a, const char *b, Error *err) {
    int n = snprintf(buf, size, "%s%s", a, b);
    if (n < 0 || (size_t)n >= size) return err_set(err, ERR_VALUE, "path too long: %s%s", a, b);
    return ERR_OK;
}

/* The kernelspec directory of a scope. See install.h. */
int install_dir(InstallScope scope, const char *prefix, char *buf, size_t size, Error *err) {
    const char *tail = "/kernels/" INSTALL_KERNEL_NAME;
    char base[PATH_MAX];
    const char *v;
    switch (scope) {
    case INSTALL_USER:
        if ((v = getenv("JUPYTER_DATA_DIR")) && *v) {
            snprintf(base, sizeof base, "%s", v);
        } else if ((v = getenv("XDG_DATA_HOME")) && *v) {
            snprintf(base, sizeof base, "%s/jupyter", v);
        } else if ((v = getenv("HOME")) && *v) {
            snprintf(base, sizeof base, "%s/.local/share/jupyter", v);
        } else {
            return err_set(err, ERR_OS, "--user: HOME is not set");
        }
        break;
    case INSTALL_PREFIX:
        if (!prefix || !*prefix) return err_set(err, ERR_VALUE, "--prefix needs a directory");
        snprintf(base, sizeof base, "%s/share/jupyter", prefix);
        break;
    case INSTALL_SYS_PREFIX:
        if (!((v = getenv("VIRTUAL_ENV")) && *v) && !((v = getenv("CONDA_PREFIX")) && *v))
            v = "/usr";
        snprintf(base, sizeof base, "%s/share/jupyter", v);
        break;
    default:
        snprintf(base, sizeof base, "/usr/local/share/jupyter");
        break;
    }
    return path_join(buf, size, base, tail, err);
}

/* mkdir -p. */
static int make_dirs(const char *dir, Error *err) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return err_set(err, ERR_VALUE, "path too long: %s", dir);
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                return err_set(err, ERR_OS, "cannot create %s: %s", path, strerror(errno));
            *p = saved;
            if (saved == '\0') break;
        }
    }
    return ERR_OK;
}

static int write_file(const char *dir, const char *name, const char *text, Error *err) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return err_set(err, ERR_VALUE, "path too long: %s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return err_set(err, ERR_OS, "cannot write %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    int bad = fwrite(text, 1, len, f) != len;
    bad |= fclose(f) != 0;
    if (bad) return err_set(err, ERR_OS, "cannot write %s", path);
    return ERR_OK;
}

/* Writes the kernelspec. See install.h. */
int install_write(const char *dir, const char *exe, Error *err) {
    int rc = make_dirs(dir, err);
    if (rc) return rc;
    char *json = install_kernel_json(exe);
    if (!json) return err_set(err, ERR_MEMORY, "out of memory");
    rc = write_file(dir, "kernel.json", json, err);
    mem_free(json);
    if (!rc) rc = write_file(dir, "logo-svg.svg", logo_svg, err);
    return rc;
}

int install_self_path(const char *argv0, char *buf, size_t size) {
    char tmp[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", tmp, sizeof tmp - 1);
    if (n > 0) {
        tmp[n] = '\0';
    } else if (!argv0 || !realpath(argv0, tmp)) {
        return -1;
    }
    if (strlen(tmp) >= size) return -1;
    memcpy(buf, tmp, strlen(tmp) + 1);
    return 0;
}
