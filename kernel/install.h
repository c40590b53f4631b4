/*
 * kernel/install.h — writing the Jupyter kernelspec "embedlab" (kernel.json and a logo).
 * See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_KERNEL_INSTALL_H
#define EMBEDLAB_KERNEL_INSTALL_H

#include <stddef.h>

#include "core/err.h"

#define INSTALL_KERNEL_NAME "embedlab"
#define INSTALL_DISPLAY_NAME "embedlab (PyTorch embeddings)"

typedef enum InstallScope {
    INSTALL_SYSTEM,      /* /usr/local/share/jupyter/kernels (jupyter's default) */
    INSTALL_USER,        /* $JUPYTER_DATA_DIR/kernels, else $XDG_DATA_HOME/jupyter/kernels,
                            else ~/.local/share/jupyter/kernels */
    INSTALL_PREFIX,      /* PREFIX/share/jupyter/kernels */
    INSTALL_SYS_PREFIX   /* $VIRTUAL_ENV, else $CONDA_PREFIX, else /usr (Debian's
                            sys.prefix) + /share/jupyter/kernels */
} InstallScope;

/* The kernel.json text for a kernel started as `exe -f {connection_file}` (owned, mem_free;
 * NULL on allocation failure). */
char *install_kernel_json(const char *exe);
/* The kernelspec directory for a scope (prefix only for INSTALL_PREFIX) into buf.
 * Returns 0, or an error code with err filled (no home directory, path too long). */
int install_dir(InstallScope scope, const char *prefix, char *buf, size_t size, Error *err);
/* Creates <dir> (and parents) and writes kernel.json and logo-svg.svg into it, replacing
 * an older spec. exe must be the kernel's absolute path. Returns 0 or an error code. */
int install_write(const char *dir, const char *exe, Error *err);
/* The absolute path of the running executable into buf (from /proc/self/exe, else
 * argv0 resolved with realpath). 0 or -1. */
int install_self_path(const char *argv0, char *buf, size_t size);

#endif
