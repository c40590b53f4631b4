/*
 * kernel/wire.c — Jupyter wire frames, HMAC-SHA256 signatures (libsodium) and headers.
 * See wire.h. See LICENSE (GPL-3.0-or-later).
 */
#include "wire.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/mem.h"
#include "core/strbuf.h"

/* ---- keys and signatures ---- */

/* Copies the key. See wire.h. */
int wire_auth_init(WireAuth *auth, const void *key, size_t key_len) {
    auth->key = NULL;
    auth->key_len = 0;
    if (key_len == 0) return 0;
    auth->key = mem_alloc(key_len, NULL);
    if (!auth->key) return -1;
    memcpy(auth->key, key, key_len);
    auth->key_len = key_len;
    return 0;
}

void wire_auth_free(WireAuth *auth) {
    if (auth->key) {
        sodium_memzero(auth->key, auth->key_len);
        mem_free(auth->key);
    }
    auth->key = NULL;
    auth->key_len = 0;
}

/* The raw 32-byte HMAC-SHA256 of the concatenated parts (streaming API: any key length). */
static void hmac_parts(const WireAuth *auth, const WireFrame *parts, size_t n_parts,
                       unsigned char mac[crypto_auth_hmacsha256_BYTES]) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, auth->key, auth->key_len);
    for (size_t i = 0; i < n_parts; i++)
        crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
}

/* Lowercase hex signature, "" without a key. See wire.h. */
void wire_sign(const WireAuth *auth, const WireFrame *parts, size_t n_parts, char *hex) {
    if (auth->key_len == 0) {
        hex[0] = '\0';
        return;
    }
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    hmac_parts(auth, parts, n_parts, mac);
    sodium_bin2hex(hex, WIRE_SIGNATURE_HEX + 1, mac, sizeof mac);
}

/* Constant-time comparison of the expected and given hex signatures. See wire.h. */
bool wire_verify(const WireAuth *auth, const WireFrame *parts, size_t n_parts,
                 const void *sig, size_t sig_len) {
    if (auth->key_len == 0) return true;
    if (sig_len != WIRE_SIGNATURE_HEX) return false;
    char expected[WIRE_SIGNATURE_HEX + 1];
    wire_sign(auth, parts, n_parts, expected);
    return sodium_memcmp(expected, sig, WIRE_SIGNATURE_HEX) == 0;
}

void wire_replay_init(WireReplay *r) {
    r->next = 0;
    r->used = 0;
}

/* True when the 32-byte digest was seen; otherwise remembers it (oldest evicted). */
static bool replay_seen(WireReplay *r, const unsigned char *digest) {
    for (size_t i = 0; i < r->used; i++)
        if (memcmp(r->seen[i], digest, 32) == 0) return true;
    memcpy(r->seen[r->next], digest, 32);
    r->next = (r->next + 1) % WIRE_REPLAY_SLOTS;
    if (r->used < WIRE_REPLAY_SLOTS) r->used++;
    return false;
}

/* ---- frames <-> messages ---- */

static void set_why(char *why, size_t why_size, const char *fmt, const char *detail) {
    if (why && why_size) snprintf(why, why_size, fmt, detail);
}

static int blob_copy(WireBlob *b, const void *data, size_t len) {
    b->len = len;
    b->data = NULL;
    if (len == 0) return 0;
    b->data = mem_alloc(len, NULL);
    if (!b->data) return -1;
    memcpy(b->data, data, len);
    return 0;
}

static void blobs_free(WireBlob *b, size_t n) {
    if (!b) return;
    for (size_t i = 0; i < n; i++) mem_free(b[i].data);
    mem_free(b);
}

void wire_msg_free(WireMsg *m) {
    if (!m) return;
    blobs_free(m->idents, m->n_idents);
    blobs_free(m->buffers, m->n_buffers);
    json_decref(m->header);
    json_decref(m->parent);
    json_decref(m->metadata);
    json_decref(m->content);
    memset(m, 0, sizeof *m);
}

const char *wire_msg_type(const WireMsg *m) {
    const char *t = json_string_value(json_object_get(m->header, "msg_type"));
    return t ? t : "";
}

/* Copies frames [from, from+n) into a new blob array; -1 on allocation failure. */
static int blobs_copy(const WireFrame *frames, size_t n, WireBlob **out) {
    *out = NULL;
    if (n == 0) return 0;
    WireBlob *b = mem_calloc(n, sizeof *b, NULL);
    if (!b) return -1;
    for (size_t i = 0; i < n; i++) {
        if (blob_copy(&b[i], frames[i].data, frames[i].len)) {
            blobs_free(b, i);
            return -1;
        }
    }
    *out = b;
    return 0;
}

/* Checks signature, then parses. See wire.h. */
WireStatus wire_decode(const WireAuth *auth, WireReplay *replay, const WireFrame *frames,
                       size_t n_frames, WireMsg *out, char *why, size_t why_size) {
    static const char *const names[4] = {"header", "parent_header", "metadata", "content"};
    memset(out, 0, sizeof *out);
    size_t delim = n_frames;
    for (size_t i = 0; i < n_frames; i++) {
        if (frames[i].len == sizeof WIRE_DELIMITER - 1 &&
            memcmp(frames[i].data, WIRE_DELIMITER, frames[i].len) == 0) {
            delim = i;
            break;
        }
    }
    if (delim == n_frames) {
        set_why(why, why_size, "malformed message: no %s delimiter", WIRE_DELIMITER);
        return WIRE_MALFORMED;
    }
    if (n_frames - delim - 1 < 5) {
        set_why(why, why_size, "malformed message: %s", "fewer than 5 frames after the delimiter");
        return WIRE_MALFORMED;
    }
    const WireFrame *sig = &frames[delim + 1];
    const WireFrame *parts = &frames[delim + 2];
    if (auth->key_len) {
        if (sig->len == 0) {
            set_why(why, why_size, "%s", "unsigned message");
            return WIRE_UNSIGNED;
        }
        if (!wire_verify(auth, parts, 4, sig->data, sig->len)) {
            set_why(why, why_size, "%s", "invalid signature");
            return WIRE_BAD_SIGNATURE;
        }
        if (replay) {
            unsigned char raw[32];
            hmac_parts(auth, parts, 4, raw);
            if (replay_seen(replay, raw)) {
                set_why(why, why_size, "%s", "duplicate signature (replayed message)");
                return WIRE_REPLAYED;
            }
        }
    }
    json_t *objs[4] = {NULL, NULL, NULL, NULL};
    for (int i = 0; i < 4; i++) {
        json_error_t jerr;
        objs[i] = json_loadb(parts[i].data, parts[i].len, JSON_ALLOW_NUL, &jerr);
        if (!objs[i] || !json_is_object(objs[i])) {
            set_why(why, why_size, "malformed message: %s is not a JSON object", names[i]);
            for (int j = 0; j <= i; j++) json_decref(objs[j]);
            return WIRE_BAD_JSON;
        }
    }
    if (!json_is_string(json_object_get(objs[0], "msg_type"))) {
        set_why(why, why_size, "malformed message: %s", "header has no string msg_type");
        for (int j = 0; j < 4; j++) json_decref(objs[j]);
        return WIRE_BAD_JSON;
    }
    out->header = objs[0];
    out->parent = objs[1];
    out->metadata = objs[2];
    out->content = objs[3];
    size_t n_buffers = n_frames - delim - 6;
    if (blobs_copy(frames, delim, &out->idents) ||
        blobs_copy(parts + 4, n_buffers, &out->buffers)) {
        wire_msg_free(out);
        set_why(why, why_size, "%s", "out of memory");
        return WIRE_NOMEM;
    }
    out->n_idents = delim;
    out->n_buffers = n_buffers;
    return WIRE_OK;
}

void wire_frames_free(WireFrames *f) {
    blobs_free(f->items, f->count);
    f->items = NULL;
    f->count = 0;
}

static int dump_to_strbuf(const char *buffer, size_t size, void *data) {
    StrBuf *sb = data;
    sb_appendn(sb, buffer, size);
    return sb->failed ? -1 : 0;
}

/* Compact UTF-8 JSON of obj ({} when NULL) into a blob. */
static int dump_blob(json_t *obj, WireBlob *b) {
    StrBuf sb = SB_INIT;
    int rc = obj ? json_dump_callback(obj, dump_to_strbuf, &sb, JSON_COMPACT)
                 : (sb_append(&sb, "{}"), 0);
    if (rc || sb.failed || sb.len == 0) {
        sb_free(&sb);
        return -1;
    }
    b->len = sb.len;
    b->data = (unsigned char *)sb_take(&sb);
    return b->data ? 0 : -1;
}

/* Serializes and signs. See wire.h. */
int wire_encode(const WireAuth *auth, const WireMsg *msg, WireFrames *out) {
    size_t n = msg->n_idents + 6 + msg->n_buffers;
    out->items = mem_calloc(n, sizeof *out->items, NULL);
    out->count = n;
    if (!out->items) {
        out->count = 0;
        return -1;
    }
    WireBlob *f = out->items;
    size_t k = 0;
    for (size_t i = 0; i < msg->n_idents; i++, k++)
        if (blob_copy(&f[k], msg->idents[i].data, msg->idents[i].len)) goto fail;
    if (blob_copy(&f[k++], WIRE_DELIMITER, sizeof WIRE_DELIMITER - 1)) goto fail;
    size_t sig_at = k++;
    json_t *objs[4] = {msg->header, msg->parent, msg->metadata, msg->content};
    WireFrame parts[4];
    for (int i = 0; i < 4; i++, k++) {
        if (dump_blob(objs[i], &f[k])) goto fail;
        parts[i].data = f[k].data;
        parts[i].len = f[k].len;
    }
    for (size_t i = 0; i < msg->n_buffers; i++, k++)
        if (blob_copy(&f[k], msg->buffers[i].data, msg->buffers[i].len)) goto fail;
    char hex[WIRE_SIGNATURE_HEX + 1];
    wire_sign(auth, parts, 4, hex);
    if (blob_copy(&f[sig_at], hex, strlen(hex))) goto fail;
    return 0;
fail:
    wire_frames_free(out);
    return -1;
}

/* ---- headers ---- */

void wire_ids_init(WireIds *ids) {
    unsigned char r[16];
    randombytes_buf(r, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    snprintf(ids->session, sizeof ids->session, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
             hex + 12, hex + 16, hex + 20);
    ids->pid = (long)getpid();
    atomic_init(&ids->counter, 0);
}

void wire_new_msg_id(WireIds *ids, char *buf, size_t size) {
    unsigned long n = atomic_fetch_add(&ids->counter, 1) + 1;
    snprintf(buf, size, "%s_%ld_%lu", ids->session, ids->pid, n);
}

void wire_iso_now(char *buf, size_t size) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char secs[24];
    strftime(secs, sizeof secs, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, size, "%s.%06ldZ", secs, (long)(ts.tv_nsec / 1000));
}

/* A new header. See wire.h. */
json_t *wire_header_new(WireIds *ids, const char *msg_type) {
    char id[96], date[40];
    wire_new_msg_id(ids, id, sizeof id);
    wire_iso_now(date, sizeof date);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", ids->session,
                     "username", "embedlab", "date", date, "msg_type", msg_type, "version",
                     WIRE_PROTOCOL_VERSION);
}

/* A reply or side-effect message. See wire.h. */
int wire_msg_build(WireIds *ids, const WireMsg *parent, bool route, const char *msg_type,
                   json_t *content, WireMsg *out) {
    memset(out, 0, sizeof *out);
    out->content = content ? content : json_object();
    out->header = wire_header_new(ids, msg_type);
    out->parent = parent && parent->header ? json_incref(parent->header) : json_object();
    out->metadata = json_object();
    if (!out->content || !out->header || !out->parent || !out->metadata) goto fail;
    if (route && parent && parent->n_idents) {
        WireFrame *view = mem_calloc(parent->n_idents, sizeof *view, NULL);
        if (!view) goto fail;
        for (size_t i = 0; i < parent->n_idents; i++) {
            view[i].data = parent->idents[i].data;
            view[i].len = parent->idents[i].len;
        }
        int rc = blobs_copy(view, parent->n_idents, &out->idents);
        mem_free(view);
        if (rc) goto fail;
        out->n_idents = parent->n_idents;
    }
    return 0;
fail:
    wire_msg_free(out);
    return -1;
}

/* Sets the IOPub topic frame. See wire.h. */
int wire_set_topic(WireMsg *msg, const WireIds *ids, const char *topic_or_null) {
    char topic[160];
    if (topic_or_null)
        snprintf(topic, sizeof topic, "%s", topic_or_null);
    else
        snprintf(topic, sizeof topic, "kernel.%s.%s", ids->session, wire_msg_type(msg));
    blobs_free(msg->idents, msg->n_idents);
    msg->idents = mem_calloc(1, sizeof *msg->idents, NULL);
    msg->n_idents = 0;
    if (!msg->idents || blob_copy(&msg->idents[0], topic, strlen(topic))) return -1;
    msg->n_idents = 1;
    return 0;
}

/* ---- JSON helpers ---- */

/* Length of the valid UTF-8 sequence at s[0..len), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len) {
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef) n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, min = 0x10000;
    else return 0;
    if (len < n) return 0;
    unsigned cp = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

/* A JSON string with invalid UTF-8 replaced. See wire.h. */
json_t *wire_string(const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq(u + i, len - i);
        if (!n) break;
        i += n;
    }
    if (i == len) return json_stringn_nocheck(s, len);
    StrBuf sb = SB_INIT;
    sb_appendn(&sb, s, i);
    while (i < len) {
        size_t n = utf8_seq(u + i, len - i);
        if (n) {
            sb_appendn(&sb, s + i, n);
            i += n;
        } else {
            sb_append(&sb, "\xef\xbf\xbd");
            i++;
        }
    }
    json_t *j = sb.failed ? NULL : json_stringn_nocheck(sb_str(&sb), sb.len);
    sb_free(&sb);
    return j;
}

size_t wire_utf8_count(const char *s, size_t bytes) {
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80) n++;
    return n;
}

size_t wire_utf8_offset(const char *s, size_t len, size_t cp) {
    size_t i = 0;
    while (i < len && cp > 0) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80) i++;
        cp--;
    }
    return i;
}
