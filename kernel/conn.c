/*
 * kernel/conn.c — connection-file parsing with Jansson. See conn.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/mem.h"

static const char *const channel_names[CONN_CHANNEL_COUNT] = {
    "shell", "iopub", "stdin", "control", "hb"};
static const char *const port_keys[CONN_CHANNEL_COUNT] = {
    "shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"};

const char *conn_channel_name(ConnChannel ch) {
    return (unsigned)ch < CONN_CHANNEL_COUNT ? channel_names[ch] : "?";
}

void conn_free(Conn *c) {
    if (!c) return;
    mem_free(c->ip);
    if (c->key) {
        memset(c->key, 0, c->key_len);
        mem_free(c->key);
    }
    memset(c, 0, sizeof *c);
}

/* The string member `key` of obj, `fallback` when absent; NULL (and an error) when present
 * but not a string. */
static const char *string_field(json_t *obj, const char *key, const char *fallback,
                                const char *name, Error *err) {
    json_t *v = json_object_get(obj, key);
    if (!v) return fallback;
    if (!json_is_string(v)) {
        err_set(err, ERR_VALUE, "connection file %s: \"%s\" must be a string", name, key);
        return NULL;
    }
    return json_string_value(v);
}

/* Parses connection-file text into *out. See conn.h. */
int conn_parse(const char *text, size_t len, const char *name, Conn *out, Error *err) {
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return err_set(err, ERR_VALUE, "connection file %s: invalid JSON at line %d: %s",
                       name, jerr.line, jerr.text);
    int rc = ERR_VALUE;
    if (!json_is_object(root)) {
        err_set(err, ERR_VALUE, "connection file %s: expected a JSON object", name);
        goto done;
    }
    const char *transport = string_field(root, "transport", "tcp", name, err);
    const char *ip = string_field(root, "ip", "127.0.0.1", name, err);
    const char *scheme = string_field(root, "signature_scheme", "hmac-sha256", name, err);
    const char *key = string_field(root, "key", "", name, err);
    if (!transport || !ip || !scheme || !key) goto done;
    if (strcmp(transport, "tcp") != 0 && strcmp(transport, "ipc") != 0) {
        err_set(err, ERR_VALUE, "connection file %s: unsupported transport \"%s\" "
                "(expected \"tcp\" or \"ipc\")", name, transport);
        goto done;
    }
    if (strcmp(scheme, "hmac-sha256") != 0) {
        err_set(err, ERR_VALUE, "connection file %s: unsupported signature_scheme \"%s\" "
                "(expected \"hmac-sha256\")", name, scheme);
        goto done;
    }
    if (!*ip || strlen(ip) > 200) {
        err_set(err, ERR_VALUE, "connection file %s: \"ip\" must be a non-empty address",
                name);
        goto done;
    }
    for (int ch = 0; ch < CONN_CHANNEL_COUNT; ch++) {
        json_t *v = json_object_get(root, port_keys[ch]);
        if (!v) {
            err_set(err, ERR_VALUE, "connection file %s: missing \"%s\"", name, port_keys[ch]);
            goto done;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 1 ||
            json_integer_value(v) > 65535) {
            err_set(err, ERR_VALUE, "connection file %s: \"%s\" must be an integer in "
                    "1..65535", name, port_keys[ch]);
            goto done;
        }
        out->ports[ch] = (int)json_integer_value(v);
    }
    /* json_string_length counts bytes, so keys with NUL bytes survive intact. */
    size_t key_len = json_string_length(json_object_get(root, "key"));
    rc = ERR_MEMORY;
    out->ip = mem_strdup(ip, err);
    out->key = mem_alloc(key_len + 1, err);
    if (!out->ip || !out->key) {
        conn_free(out);
        goto done;
    }
    memcpy(out->key, key, key_len);
    out->key[key_len] = '\0';
    out->key_len = key_len;
    snprintf(out->transport, sizeof out->transport, "%s", transport);
    rc = ERR_OK;
done:
    json_decref(root);
    return rc;
}

/* Reads the whole file at `path` and parses it. See conn.h. */
int conn_load(const char *path, Conn *out, Error *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(err, errno == ENOENT ? ERR_FILE_NOT_FOUND : ERR_OS,
                       "cannot open connection file %s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= ((size_t)16 << 20)) {
                fclose(f);
                mem_free(buf);
                return err_set(err, ERR_VALUE, "connection file %s: too large", path);
            }
            cap = cap ? cap * 2 : 4096;
            char *grown = mem_realloc(buf, cap, err);
            if (!grown) {
                fclose(f);
                mem_free(buf);
                return ERR_MEMORY;
            }
            buf = grown;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        mem_free(buf);
        return err_set(err, ERR_OS, "cannot read connection file %s", path);
    }
    int rc = conn_parse(buf, len, path, out, err);
    mem_free(buf);
    return rc;
}

/* Formats the endpoint of one channel. See conn.h. */
int conn_endpoint(const Conn *c, ConnChannel ch, char *buf, size_t size) {
    if ((unsigned)ch >= CONN_CHANNEL_COUNT) return -1;
    int n;
    if (strcmp(c->transport, "ipc") == 0)
        n = snprintf(buf, size, "ipc://%s-%d", c->ip, c->ports[ch]);
    else if (strchr(c->ip, ':') && c->ip[0] != '[')
        n = snprintf(buf, size, "tcp://[%s]:%d", c->ip, c->ports[ch]);
    else
        n = snprintf(buf, size, "tcp://%s:%d", c->ip, c->ports[ch]);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}
