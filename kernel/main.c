/*
 * kernel/main.c — embedlab-kernel: the Jupyter kernel's command line and signals.
 * See LICENSE (GPL-3.0-or-later).
 *
 *   embedlab-kernel -f CONNECTION_FILE        what Jupyter starts (see the kernelspec)
 *   embedlab-kernel --install [--user | --prefix DIR | --sys-prefix] [--exec PATH]
 *   embedlab-kernel --version | --help
 *
 * Exit status: 0 after a clean shutdown (shutdown_request or SIGTERM), 1 when the
 * connection file is missing or malformed or the sockets cannot be bound, 2 on a usage
 * error.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "conn.h"
#include "core/err.h"
#include "install.h"
#include "loop.h"
#include "session.h"

static const char usage_text[] =
    "usage: embedlab-kernel -f CONNECTION_FILE\n"
    "       embedlab-kernel --install [--user | --prefix DIR | --sys-prefix] [--exec PATH]\n"
    "       embedlab-kernel --version | --help\n"
    "\n"
    "The Jupyter kernel of embedlab (PyTorch 1.13 embedding layers, without Python).\n"
    "Jupyter starts it with -f and a connection file; you install it once with --install:\n"
    "  --install            write the kernelspec 'embedlab' for all users\n"
    "                       (/usr/local/share/jupyter/kernels)\n"
    "  --user               ... for the current user (~/.local/share/jupyter/kernels)\n"
    "  --prefix DIR         ... under DIR/share/jupyter/kernels\n"
    "  --sys-prefix         ... under the Python environment's prefix ($VIRTUAL_ENV,\n"
    "                       $CONDA_PREFIX, else /usr)\n"
    "  --exec PATH          the kernel path written into kernel.json (default: this\n"
    "                       program)\n"
    "Then: jupyter console --kernel embedlab, or choose \"" INSTALL_DISPLAY_NAME "\"\n"
    "in JupyterLab or Notebook.\n";

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "embedlab-kernel: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage_text);
    return 2;
}

static void on_sigint(int sig) {
    (void)sig;
    loop_signal_interrupt();
}

static void on_sigterm(int sig) {
    (void)sig;
    loop_signal_terminate();
}

static void install_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_sigterm;
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static int run_install(int argc, char **argv) {
    InstallScope scope = INSTALL_SYSTEM;
    const char *prefix = NULL, *exe = NULL;
    int scopes = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--install") == 0) continue;
        if (strcmp(a, "--user") == 0) {
            scope = INSTALL_USER, scopes++;
        } else if (strcmp(a, "--sys-prefix") == 0) {
            scope = INSTALL_SYS_PREFIX, scopes++;
        } else if (strcmp(a, "--prefix") == 0 || strncmp(a, "--prefix=", 9) == 0) {
            if (a[8] == '=') prefix = a + 9;
            else if (i + 1 < argc) prefix = argv[++i];
            else return usage_error("%s needs a directory", a);
            scope = INSTALL_PREFIX, scopes++;
        } else if (strcmp(a, "--exec") == 0 || strncmp(a, "--exec=", 7) == 0) {
            if (a[6] == '=') exe = a + 7;
            else if (i + 1 < argc) exe = argv[++i];
            else return usage_error("%s needs a path", a);
        } else {
            return usage_error("unexpected argument '%s' with --install", a);
        }
    }
    if (scopes > 1) return usage_error("%s", "choose one of --user, --prefix, --sys-prefix");
    char self[PATH_MAX];
    if (!exe) {
        if (install_self_path(argv[0], self, sizeof self)) {
            fprintf(stderr, "embedlab-kernel: cannot find my own path; use --exec PATH\n");
            return 1;
        }
        exe = self;
    }
    char dir[PATH_MAX];
    Error err;
    err_clear(&err);
    if (install_dir(scope, prefix, dir, sizeof dir, &err) || install_write(dir, exe, &err)) {
        fprintf(stderr, "embedlab-kernel: %s\n", err.msg);
        if (scope == INSTALL_SYSTEM && err.code == ERR_OS)
            fprintf(stderr, "embedlab-kernel: try --user to install for yourself only\n");
        return 1;
    }
    printf("Installed kernelspec %s in %s\n", INSTALL_KERNEL_NAME, dir);
    return 0;
}

int main(int argc, char **argv) {
    const char *conn_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(a, "--version") == 0) {
            printf("%s\n", session_version_string());
            return 0;
        }
        if (strcmp(a, "--install") == 0) return run_install(argc, argv);
        if (strcmp(a, "-f") == 0 || strcmp(a, "--connection-file") == 0) {
            if (i + 1 >= argc) return usage_error("%s needs a connection file", a);
            conn_file = argv[++i];
        } else if (strncmp(a, "-f=", 3) == 0) {
            conn_file = a + 3;
        } else if (strncmp(a, "--connection-file=", 18) == 0) {
            conn_file = a + 18;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
    }
    if (!conn_file) return usage_error("%s", "missing -f CONNECTION_FILE");
    static const char *const sizes[] = {"EMBEDLAB_MAX_TENSOR_BYTES", "EMBEDLAB_MAX_OUTPUT_BYTES"};
    for (int i = 0; i < 2; i++) {
        size_t limit;
        if (session_size_from_env(sizes[i], &limit) < 0) {
            fprintf(stderr, "embedlab-kernel: %s must be a size such as 512M or 2G, not '%s'\n",
                    sizes[i], getenv(sizes[i]));
            return 2;
        }
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "embedlab-kernel: libsodium failed to initialise\n");
        return 1;
    }
    Conn conn;
    Error err;
    err_clear(&err);
    if (conn_load(conn_file, &conn, &err)) {
        fprintf(stderr, "embedlab-kernel: %s\n", err.msg);
        return 1;
    }
    install_signals();
    int rc = loop_run(&conn, &err);
    conn_free(&conn);
    if (rc) {
        fprintf(stderr, "embedlab-kernel: %s\n", err.msg);
        return 1;
    }
    return 0;
}
