/*
 * kernel/conn.h — the Jupyter connection file: transport, address, the five ports and
 * the signing key, parsed with Jansson. See LICENSE (GPL-3.0-or-later).
 *
 * A Conn owns its strings (conn_free releases them). Parsing never prints: failures
 * return non-zero and fill an Error with a message naming the file and the field, e.g.
 * "connection file k.json: \"shell_port\" must be an integer in 1..65535".
 * Unknown keys (such as jupyter_client's "kernel_name") are ignored.
 */
#ifndef EMBEDLAB_KERNEL_CONN_H
#define EMBEDLAB_KERNEL_CONN_H

#include <stddef.h>

#include "core/err.h"

/* The five channels, in the order jupyter_client lists their ports. */
typedef enum ConnChannel {
    CONN_SHELL,
    CONN_IOPUB,
    CONN_STDIN,
    CONN_CONTROL,
    CONN_HB,
    CONN_CHANNEL_COUNT
} ConnChannel;

typedef struct Conn {
    char transport[4];                /* "tcp" or "ipc" */
    char *ip;                         /* owned; an address for tcp, a path prefix for ipc */
    int ports[CONN_CHANNEL_COUNT];    /* 1..65535 */
    unsigned char *key;               /* owned; the key string's bytes as-is (not hex-decoded) */
    size_t key_len;                   /* 0: messages are neither signed nor checked */
} Conn;

/* Parses connection-file text (`len` bytes); `name` labels messages. Returns ERR_OK or
 * ERR_VALUE (malformed JSON, missing or ill-typed field, unsupported transport or
 * signature scheme) or ERR_MEMORY. On failure *out is left empty (nothing to free). */
int conn_parse(const char *text, size_t len, const char *name, Conn *out, Error *err);
/* Reads and parses the file at `path`. ERR_OS / ERR_FILE_NOT_FOUND when it cannot be read. */
int conn_load(const char *path, Conn *out, Error *err);
void conn_free(Conn *c);

/* Writes the ZeroMQ endpoint of channel `ch` into buf: "tcp://IP:PORT" or
 * "ipc://IP-PORT" (jupyter_client's ipc naming). Returns 0, or -1 when it does not fit. */
int conn_endpoint(const Conn *c, ConnChannel ch, char *buf, size_t size);
/* "shell", "iopub", "stdin", "control", "hb". */
const char *conn_channel_name(ConnChannel ch);

#endif
