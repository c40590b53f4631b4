/*
 * kernel/wire.h — the Jupyter wire format (messaging protocol 5.3) without sockets:
 * frames <-> WireMsg, HMAC-SHA256 signing and verification, message headers (ids and
 * ISO-8601 dates). See LICENSE (GPL-3.0-or-later).
 *
 * A message on the wire is the frame list
 *     [ident..., "<IDS|MSG>", signature, header, parent_header, metadata, content, buffer...]
 * where the signature is the lowercase hex HMAC-SHA256, keyed with the connection-file key,
 * of the four JSON frames exactly as sent (buffers are not signed). An empty key means no
 * signing: the signature frame is empty and incoming signatures are not checked.
 *
 * Ownership: a WireMsg owns its identity blobs, buffers and one reference to each JSON
 * object (wire_msg_free releases them). WireFrame is a borrowed view; WireFrames owns its
 * blobs. Thread-safety: a WireAuth is immutable after wire_auth_init and may be shared;
 * a WireReplay (the recently-seen signatures) belongs to one thread; a WireIds may be
 * shared (its counter is atomic).
 */
#ifndef EMBEDLAB_KERNEL_WIRE_H
#define EMBEDLAB_KERNEL_WIRE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define WIRE_DELIMITER "<IDS|MSG>"
#define WIRE_PROTOCOL_VERSION "5.3"
#define WIRE_SIGNATURE_HEX 64      /* hex digits of an HMAC-SHA256 */
#define WIRE_REPLAY_SLOTS 1024     /* signatures remembered to reject replays */

typedef struct WireFrame {
    const void *data;
    size_t len;
} WireFrame;

typedef struct WireBlob {
    unsigned char *data;           /* owned (mem_alloc); may be NULL when len is 0 */
    size_t len;
} WireBlob;

typedef struct WireFrames {
    WireBlob *items;               /* owned */
    size_t count;
} WireFrames;

typedef struct WireMsg {
    WireBlob *idents;              /* routing identities (ROUTER) or the topic (IOPub) */
    size_t n_idents;
    json_t *header, *parent, *metadata, *content; /* owned references; objects */
    WireBlob *buffers;             /* extra binary frames after content */
    size_t n_buffers;
} WireMsg;

typedef struct WireAuth {
    unsigned char *key;            /* owned copy; NULL when unsigned */
    size_t key_len;
} WireAuth;

typedef struct WireReplay {
    unsigned char seen[WIRE_REPLAY_SLOTS][32];
    size_t next, used;
} WireReplay;

typedef struct WireIds {
    char session[40];              /* this kernel's session id (random, uuid4 form) */
    long pid;
    atomic_ulong counter;          /* per-message serial number */
} WireIds;

typedef enum WireStatus {
    WIRE_OK = 0,
    WIRE_MALFORMED,                /* no delimiter or fewer than 5 frames after it */
    WIRE_UNSIGNED,                 /* a key is set but the signature frame is empty */
    WIRE_BAD_SIGNATURE,            /* the signature does not match */
    WIRE_REPLAYED,                 /* a signature already seen (replayed message) */
    WIRE_BAD_JSON,                 /* a JSON frame is not a valid JSON object */
    WIRE_NOMEM
} WireStatus;

/* ---- keys and signatures ---- */

/* Copies `key_len` bytes of key (may be 0). Returns 0, or -1 on allocation failure. */
int wire_auth_init(WireAuth *auth, const void *key, size_t key_len);
void wire_auth_free(WireAuth *auth);
/* The lowercase hex HMAC-SHA256 of the concatenated parts into hex (65 bytes with NUL);
 * "" when the key is empty. */
void wire_sign(const WireAuth *auth, const WireFrame *parts, size_t n_parts, char *hex);
/* Constant-time check of `sig` against the parts; true when the key is empty. */
bool wire_verify(const WireAuth *auth, const WireFrame *parts, size_t n_parts,
                 const void *sig, size_t sig_len);
void wire_replay_init(WireReplay *r);

/* ---- frames <-> messages ---- */

/* Splits and checks frames into *out (zeroed first). With a key, the signature is checked
 * in constant time before any JSON is parsed; with `replay` non-NULL a signature seen
 * before is rejected. Returns WIRE_OK or the reason the message must be dropped; `why`
 * (may be NULL) receives a one-line explanation for the log. On failure nothing is owned. */
WireStatus wire_decode(const WireAuth *auth, WireReplay *replay, const WireFrame *frames,
                       size_t n_frames, WireMsg *out, char *why, size_t why_size);
/* Serializes msg into frames (identities, delimiter, signature, the four JSON frames,
 * buffers). A NULL parent/metadata/content is sent as {}. Returns 0, or -1 on allocation
 * failure (out is then empty). */
int wire_encode(const WireAuth *auth, const WireMsg *msg, WireFrames *out);
void wire_frames_free(WireFrames *f);
void wire_msg_free(WireMsg *m);
/* The msg_type string of a decoded message's header ("" when missing). */
const char *wire_msg_type(const WireMsg *m);

/* ---- headers ---- */

/* A fresh random session id and the process id. Call after sodium_init(). */
void wire_ids_init(WireIds *ids);
/* Writes a unique msg_id "<session>_<pid>_<n>" into buf (at least 80 bytes). */
void wire_new_msg_id(WireIds *ids, char *buf, size_t size);
/* The current UTC time as ISO 8601 with microseconds: "2026-11-23T08:39:07.126529Z"
 * (buf at least 32 bytes). */
void wire_iso_now(char *buf, size_t size);
/* A new header object {msg_id, session, username, date, msg_type, version}; NULL on
 * allocation failure. */
json_t *wire_header_new(WireIds *ids, const char *msg_type);
/* Builds a message replying to or caused by `parent` (may be NULL: no parent, no
 * identities): a new header of msg_type, parent's header as parent_header, empty metadata,
 * and `content`, which is stolen (even on failure). With `route` the parent's identities
 * are copied (replies on ROUTER sockets). Returns 0, or -1 on allocation failure. */
int wire_msg_build(WireIds *ids, const WireMsg *parent, bool route, const char *msg_type,
                   json_t *content, WireMsg *out);
/* Sets msg's identities to the single IOPub topic frame "kernel.<session>.<msg_type>"
 * ("stream.<name>" for streams). Returns 0 or -1. */
int wire_set_topic(WireMsg *msg, const WireIds *ids, const char *topic_or_null);

/* ---- JSON helpers ---- */

/* A JSON string of the `len` bytes at s, with invalid UTF-8 replaced by U+FFFD (never
 * NULL unless out of memory). */
json_t *wire_string(const char *s, size_t len);
/* Number of Unicode code points in the first `bytes` bytes of s (valid UTF-8). */
size_t wire_utf8_count(const char *s, size_t bytes);
/* Byte offset of code point number `cp` in s (clamped to len). */
size_t wire_utf8_offset(const char *s, size_t len, size_t cp);

#endif
