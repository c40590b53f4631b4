/*
 * src/lang/textfile.c — open() for UTF-8 text files, as Python 3.11's io.TextIOWrapper
 * behaves for the modes 'r', 'w', 'a' and 'x': read(), readline(), readlines(), iteration
 * by line, write(), writelines(), close(), the `with` protocol, universal newlines on
 * reading, and Python's errors (FileNotFoundError "[Errno 2] No such file or directory:
 * 'x'", UnicodeDecodeError "'utf-8' codec can't decode byte 0xff in position 0: invalid
 * start byte", ValueError "I/O operation on closed file."). See LICENSE
 * (GPL-3.0-or-later).
 *
 * Reading streams the file in 8192-byte chunks, as TextIOWrapper does, so a gigabyte
 * GloVe file is read line by line in constant memory, and a decoding error reports the
 * position inside the chunk being decoded, as Python does; read() of the rest decodes it
 * in one piece (positions count from where it started), like Python's read().
 */
#include "lang/textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/mem.h"
#include "core/strbuf.h"
#include "lang/builtins.h"
#include "lang/ops.h"
#include "lang/unicode.h"

#define TEXTFILE_CHUNK 8192

typedef struct TextFile {
    Value base;
    int fd;                 /* -1 once closed */
    char *name;             /* the path as given (owned) */
    char mode[4];           /* "r", "w", "a" or "x" */
    char *encoding;         /* as shown by repr (owned) */
    bool readable, writable;
    /* Reading: decoded text not yet consumed (valid UTF-8, newlines translated). */
    StrBuf pending;
    size_t pending_pos;
    unsigned char carry[4]; /* an incomplete UTF-8 sequence at the end of the last chunk */
    int carry_len;
    bool pending_cr;        /* the last chunk ended in '\r': maybe half of "\r\n" */
    bool eof;
    /* Writing: bytes not yet written. */
    StrBuf out;
} TextFile;

static int closed_error(Interp *I) {
    return interp_error(I, ERR_VALUE, "I/O operation on closed file.");
}

/* Writes the buffered output to the descriptor: 0, or the errno of the failure. */
static int write_buffered(TextFile *f) {
    const char *p = sb_str(&f->out);
    size_t left = f->out.len;
    while (left) {
        ssize_t n = write(f->fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return n < 0 ? errno : EIO;
        p += n;
        left -= (size_t)n;
    }
    sb_clear(&f->out);
    return 0;
}

static int flush_output(Interp *I, TextFile *f) {
    int errnum = write_buffered(f);
    if (!errnum) return 0;
    Error err;
    fio_set_errno(&err, errnum, f->name);
    return interp_raise(I, &err);
}

static int close_file(Interp *I, TextFile *f) {
    if (f->fd < 0) return 0;
    int rc = f->writable && I ? flush_output(I, f) : 0;
    fio_close(f->fd);
    f->fd = -1;
    sb_free(&f->pending);
    sb_free(&f->out);
    f->pending_pos = 0;
    return rc;
}

static void destroy_textfile(Value *self) {
    TextFile *f = (TextFile *)self;
    /* Like CPython's finalizer: an unclosed file is flushed when it goes away. */
    if (f->fd >= 0 && f->writable && f->out.len) (void)write_buffered(f);
    if (f->fd >= 0) fio_close(f->fd);
    sb_free(&f->pending);
    sb_free(&f->out);
    mem_free(f->name);
    mem_free(f->encoding);
}

static int repr_textfile(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    TextFile *f = (TextFile *)self;
    char shown[512];
    fio_repr_path(f->name, shown, sizeof shown);
    sb_appendf(out, "<_io.TextIOWrapper name=%s mode='%s' encoding='%s'>", shown, f->mode,
               f->encoding);
    return 0;
}

/* The length of the UTF-8 sequence starting with byte b (0: not a start byte). */
static int sequence_length(unsigned char b) {
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) return 2;
    if (b >= 0xE0 && b <= 0xEF) return 3;
    if (b >= 0xF0 && b <= 0xF4) return 4;
    return 0;
}

/* Is c a valid continuation at index k of the sequence starting with `first`? */
static bool valid_continuation(unsigned char first, int k, unsigned char c) {
    if (k == 1) {
        if (first == 0xE0) return c >= 0xA0 && c <= 0xBF;
        if (first == 0xED) return c >= 0x80 && c <= 0x9F;
        if (first == 0xF0) return c >= 0x90 && c <= 0xBF;
        if (first == 0xF4) return c >= 0x80 && c <= 0x8F;
    }
    return c >= 0x80 && c <= 0xBF;
}

/* Validates in[0..n) as UTF-8, as CPython's decoder does. Returns the number of bytes
 * that form complete characters; a trailing incomplete (but so far valid) sequence is
 * left out when !final. On an invalid byte: UnicodeDecodeError and -1. */
static int64_t check_utf8(Interp *I, const unsigned char *in, size_t n, bool final) {
    size_t i = 0;
    while (i < n) {
        unsigned char b = in[i];
        if (b < 0x80) {
            i++;
            continue;
        }
        int len = sequence_length(b);
        const char *why = "invalid start byte";
        int k = 1; /* the bytes of the maximal valid prefix: what the error names */
        if (len) {
            while (k < len && i + (size_t)k < n && valid_continuation(b, k, in[i + (size_t)k])) k++;
            if (k == len) {
                i += (size_t)len;
                continue;
            }
            if (i + (size_t)k >= n) { /* ran out of input inside a valid prefix */
                if (!final) return (int64_t)i;
                why = "unexpected end of data";
            } else {
                why = "invalid continuation byte";
            }
        }
        if (k == 1)
            interp_error(I, ERR_UNICODE_DECODE,
                         "'utf-8' codec can't decode byte 0x%02x in position %zu: %s", b, i, why);
        else
            interp_error(I, ERR_UNICODE_DECODE,
                         "'utf-8' codec can't decode bytes in position %zu-%zu: %s", i,
                         i + (size_t)k - 1, why);
        return -1;
    }
    return (int64_t)n;
}

/* Appends decoded text with universal newlines ("\r\n" and "\r" become "\n"). */
static void append_translated(TextFile *f, const char *text, size_t n, bool final) {
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (f->pending_cr) {
            f->pending_cr = false;
            sb_appendc(&f->pending, '\n');
            if (c == '\n') continue;
        }
        if (c == '\r') f->pending_cr = true;
        else sb_appendc(&f->pending, c);
    }
    if (final && f->pending_cr) {
        f->pending_cr = false;
        sb_appendc(&f->pending, '\n');
    }
}

/* Decodes `carry + raw` into pending; keeps a trailing incomplete sequence unless final. */
static int decode_into(Interp *I, TextFile *f, const unsigned char *raw, size_t n, bool final) {
    StrBuf input = SB_INIT;
    sb_appendn(&input, (const char *)f->carry, (size_t)f->carry_len);
    sb_appendn(&input, (const char *)raw, n);
    if (sb_check(&input, &I->error)) {
        sb_free(&input);
        return -1;
    }
    const unsigned char *in = (const unsigned char *)sb_str(&input);
    int64_t good = check_utf8(I, in, input.len, final);
    if (good < 0) {
        sb_free(&input);
        return -1;
    }
    f->carry_len = (int)(input.len - (size_t)good);
    memcpy(f->carry, in + good, (size_t)f->carry_len);
    /* Drop what was consumed before appending, so pending does not grow without bound. */
    if (f->pending_pos) {
        size_t rest = f->pending.len - f->pending_pos;
        memmove(f->pending.data, f->pending.data + f->pending_pos, rest);
        f->pending.len = rest;
        f->pending.data[rest] = '\0';
        f->pending_pos = 0;
    }
    append_translated(f, (const char *)in, (size_t)good, final);
    sb_free(&input);
    return sb_check(&f->pending, &I->error) ? -1 : 0;
}

/* Reads and decodes one more chunk; sets eof at the end of the file. */
static int fill(Interp *I, TextFile *f) {
    unsigned char raw[TEXTFILE_CHUNK];
    size_t got;
    Error err;
    if (fio_read(f->fd, raw, sizeof raw, &got, f->name, &err)) return interp_raise(I, &err);
    if (got == 0) {
        f->eof = true;
        return decode_into(I, f, raw, 0, true);
    }
    return decode_into(I, f, raw, got, false);
}

static int check_readable(Interp *I, TextFile *f) {
    if (f->fd < 0) return closed_error(I);
    if (!f->readable) return interp_error(I, ERR_OS, "not readable");
    return 0;
}

/* The next line (with its '\n'), or "" at the end of the file; NULL on error. */
static Value *read_line(Interp *I, TextFile *f, int64_t limit) {
    size_t scanned = f->pending_pos;
    for (;;) {
        const char *base = f->pending.data ? f->pending.data : "";
        const char *nl = memchr(base + scanned, '\n', f->pending.len - scanned);
        size_t avail = f->pending.len - f->pending_pos;
        if (limit >= 0 && utf8_count(base + f->pending_pos, avail) >= (size_t)limit) {
            size_t bytes = utf8_offset(base + f->pending_pos, avail, (size_t)limit);
            const char *stop = nl && (size_t)(nl - base) < f->pending_pos + bytes ? nl + 1 : NULL;
            size_t take = stop ? (size_t)(stop - base) - f->pending_pos : bytes;
            Value *v = val_strn(I, base + f->pending_pos, take);
            f->pending_pos += take;
            return v;
        }
        if (nl || f->eof) {
            size_t end = nl ? (size_t)(nl - base) + 1 : f->pending.len;
            Value *v = val_strn(I, base + f->pending_pos, end - f->pending_pos);
            f->pending_pos = end;
            return v;
        }
        scanned = f->pending.len;
        size_t keep = f->pending_pos;
        if (fill(I, f)) return NULL;
        /* decode_into moved the unconsumed text to the start. */
        scanned -= keep;
    }
}

static Value *m_read(Interp *I, Value *self, Value **argv) {
    TextFile *f = (TextFile *)self;
    if (check_readable(I, f)) return NULL;
    int64_t size = -1;
    if (!val_is_none(argv[0])) {
        if (!val_is_int(argv[0])) {
            interp_error(I, ERR_TYPE, "argument should be integer or None, not '%s'",
                         val_type_name(argv[0]));
            return NULL;
        }
        size = val_as_int(argv[0]);
    }
    if (size < 0) {
        /* The rest of the file, decoded in one piece. */
        StrBuf raw = SB_INIT;
        unsigned char chunk[TEXTFILE_CHUNK];
        for (;;) {
            size_t got;
            Error err;
            if (fio_read(f->fd, chunk, sizeof chunk, &got, f->name, &err)) {
                sb_free(&raw);
                interp_raise(I, &err);
                return NULL;
            }
            if (!got) break;
            sb_appendn(&raw, (const char *)chunk, got);
            if (sb_check(&raw, &I->error)) {
                sb_free(&raw);
                return NULL;
            }
        }
        int rc = decode_into(I, f, (const unsigned char *)(raw.data ? raw.data : ""), raw.len, true);
        sb_free(&raw);
        if (rc) return NULL;
        f->eof = true;
        const char *base = f->pending.data ? f->pending.data : "";
        Value *v = val_strn(I, base + f->pending_pos, f->pending.len - f->pending_pos);
        f->pending_pos = f->pending.len;
        return v;
    }
    for (;;) {
        const char *base = f->pending.data ? f->pending.data : "";
        size_t avail = f->pending.len - f->pending_pos;
        if (f->eof || utf8_count(base + f->pending_pos, avail) >= (size_t)size) {
            size_t bytes = utf8_offset(base + f->pending_pos, avail, (size_t)size);
            if (bytes > avail) bytes = avail;
            Value *v = val_strn(I, base + f->pending_pos, bytes);
            f->pending_pos += bytes;
            return v;
        }
        if (fill(I, f)) return NULL;
    }
}

static Value *m_readline(Interp *I, Value *self, Value **argv) {
    TextFile *f = (TextFile *)self;
    if (check_readable(I, f)) return NULL;
    int64_t limit = -1;
    if (!val_is_none(argv[0])) {
        if (!val_is_int(argv[0])) {
            interp_error(I, ERR_TYPE, "argument should be integer or None, not '%s'",
                         val_type_name(argv[0]));
            return NULL;
        }
        limit = val_as_int(argv[0]);
    }
    return read_line(I, f, limit);
}

static Value *m_readlines(Interp *I, Value *self, Value **argv) {
    (void)argv;
    TextFile *f = (TextFile *)self;
    if (check_readable(I, f)) return NULL;
    Value *lines = val_list_new(I, 8);
    while (lines) {
        Value *line = read_line(I, f, -1);
        if (!line) {
            val_release(lines);
            return NULL;
        }
        if (val_str_len(line) == 0) {
            val_release(line);
            break;
        }
        if (val_list_append_take(I, lines, line)) {
            val_release(lines);
            return NULL;
        }
    }
    return lines;
}

static int write_text(Interp *I, TextFile *f, Value *s) {
    if (!val_is_str(s))
        return interp_error(I, ERR_TYPE, "write() argument must be str, not %s",
                            val_type_name(s));
    sb_appendn(&f->out, val_str_data(s), val_str_len(s));
    if (sb_check(&f->out, &I->error)) return -1;
    return f->out.len >= TEXTFILE_CHUNK ? flush_output(I, f) : 0;
}

static Value *m_write(Interp *I, Value *self, Value **argv) {
    TextFile *f = (TextFile *)self;
    if (f->fd < 0) return closed_error(I), NULL;
    if (!f->writable) return interp_error(I, ERR_OS, "not writable"), NULL;
    if (write_text(I, f, argv[0])) return NULL;
    return val_int(I, (int64_t)utf8_count(val_str_data(argv[0]), val_str_len(argv[0])));
}

static Value *m_writelines(Interp *I, Value *self, Value **argv) {
    TextFile *f = (TextFile *)self;
    if (f->fd < 0) return closed_error(I), NULL;
    if (!f->writable) return interp_error(I, ERR_OS, "not writable"), NULL;
    Value *it = op_iter(I, argv[0]);
    if (!it) return NULL;
    for (;;) {
        Value *x = op_next(I, it);
        if (!x) break;
        int rc = write_text(I, f, x);
        val_release(x);
        if (rc) break;
    }
    val_release(it);
    return interp_has_error(I) ? NULL : val_none(I);
}

static Value *m_flush(Interp *I, Value *self, Value **argv) {
    (void)argv;
    TextFile *f = (TextFile *)self;
    if (f->fd < 0) return closed_error(I), NULL;
    if (f->writable && flush_output(I, f)) return NULL;
    return val_none(I);
}

static Value *m_close(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return close_file(I, (TextFile *)self) ? NULL : val_none(I);
}

static Value *m_enter(Interp *I, Value *self, Value **argv) {
    (void)argv;
    if (((TextFile *)self)->fd < 0) return closed_error(I), NULL;
    return val_retain(self);
}

static Value *m_exit(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return close_file(I, (TextFile *)self) ? NULL : val_bool(I, false);
}

static Value *m_readable(Interp *I, Value *self, Value **argv) {
    (void)argv;
    TextFile *f = (TextFile *)self;
    if (f->fd < 0) return closed_error(I), NULL;
    return val_bool(I, f->readable);
}

static Value *m_writable(Interp *I, Value *self, Value **argv) {
    (void)argv;
    TextFile *f = (TextFile *)self;
    if (f->fd < 0) return closed_error(I), NULL;
    return val_bool(I, f->writable);
}

static const BuiltinSpec textfile_methods[] = {
    {"read", m_read, "(size=-1, /)", "Read at most size characters; all of them when size < 0."},
    {"readline", m_readline, "(size=-1, /)", "Read until newline or end of file."},
    {"readlines", m_readlines, "(hint=-1, /)", "Return a list of the remaining lines."},
    {"write", m_write, "(text, /)", "Write a string; return the number of characters written."},
    {"writelines", m_writelines, "(lines, /)", "Write an iterable of strings."},
    {"flush", m_flush, "()", "Write buffered text to the file."},
    {"close", m_close, "()", "Flush and close the file."},
    {"readable", m_readable, "()", "Whether the file was opened for reading."},
    {"writable", m_writable, "()", "Whether the file was opened for writing."},
    {"__enter__", m_enter, "()", "Return the file itself."},
    {"__exit__", m_exit, "(*exc)", "Close the file."},
    {NULL, NULL, NULL, NULL},
};

static Value *getattr_textfile(Interp *I, Value *self, const char *name) {
    TextFile *f = (TextFile *)self;
    if (strcmp(name, "closed") == 0) return val_bool(I, f->fd < 0);
    if (strcmp(name, "name") == 0) return val_str(I, f->name);
    if (strcmp(name, "mode") == 0) return val_str(I, f->mode);
    if (strcmp(name, "encoding") == 0) return val_str(I, f->encoding);
    return NULL;
}

static Value *iter_textfile(Interp *I, Value *self) {
    if (((TextFile *)self)->fd < 0) return closed_error(I), NULL;
    return val_retain(self);
}

static Value *next_textfile(Interp *I, Value *self) {
    TextFile *f = (TextFile *)self;
    if (check_readable(I, f)) return NULL;
    Value *line = read_line(I, f, -1);
    if (line && val_str_len(line) == 0) {
        val_release(line);
        return NULL; /* StopIteration */
    }
    return line;
}

const ValueType type_textfile = {.name = "TextIOWrapper",
                                 .module = "_io",
                                 .destroy = destroy_textfile,
                                 .repr = repr_textfile,
                                 .getattr = getattr_textfile,
                                 .iter = iter_textfile,
                                 .next = next_textfile,
                                 .methods = textfile_methods,
                                 .doc = "Character and line based layer over a file."};

/* Python's spelling check for utf-8 ("utf-8", "UTF8", "utf_8"). */
static bool is_utf8_name(const char *e) {
    char norm[16];
    size_t n = 0;
    for (; *e && n < sizeof norm - 1; e++) {
        char c = *e;
        if (c == '-' || c == '_' || c == ' ') continue;
        norm[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    if (*e) return false;
    norm[n] = '\0';
    return strcmp(norm, "utf8") == 0;
}

Value *textfile_open(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *file = argv[0], *mode_v = argv[1], *buffering = argv[2], *encoding = argv[3],
          *errors = argv[4], *newline = argv[5];
    if (!val_is_str(file)) {
        if (val_is_int(file))
            interp_error(I, ERR_NOT_IMPLEMENTED, "open() of a file descriptor is not supported "
                                                 "by embedlab");
        else
            interp_error(I, ERR_TYPE, "expected str, bytes or os.PathLike object, not %s",
                         val_type_name(file));
        return NULL;
    }
    if (!val_is_str(mode_v)) {
        interp_error(I, ERR_TYPE, "open() argument 'mode' must be str, not %s",
                     val_type_name(mode_v));
        return NULL;
    }
    /* Python's mode rules: one of r/w/a/x, at most one '+', 't' xor 'b', no repeats. */
    const char *mode = val_str_data(mode_v);
    int kind = 0, plus = 0, text = 0, binary = 0;
    bool bad = strlen(mode) != val_str_len(mode_v);
    char base = 'r';
    for (const char *p = mode; *p; p++) {
        if (!strchr("rwax+tb", *p) || strchr(p + 1, *p)) bad = true; /* unknown or repeated */
        switch (*p) {
        case 'r': case 'w': case 'a': case 'x': kind++; base = *p; break;
        case '+': plus++; break;
        case 't': text++; break;
        case 'b': binary++; break;
        default: break;
        }
    }
    if (bad) {
        interp_error(I, ERR_VALUE, "invalid mode: '%s'", mode);
        return NULL;
    }
    if (text && binary) {
        interp_error(I, ERR_VALUE, "can't have text and binary mode at once");
        return NULL;
    }
    if (kind > 1) {
        interp_error(I, ERR_VALUE, "must have exactly one of create/read/write/append mode");
        return NULL;
    }
    if (kind == 0) {
        interp_error(I, ERR_VALUE, "Must have exactly one of create/read/write/append mode and "
                                   "at most one plus");
        return NULL;
    }
    if (binary) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "binary files (mode '%s') are not supported by "
                                             "embedlab",
                     mode);
        interp_hint(I, "open text files with mode 'r', 'w' or 'a'");
        return NULL;
    }
    if (plus) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "update mode '+' is not supported by embedlab");
        return NULL;
    }
    if (!val_is_none(encoding) && !val_is_str(encoding)) {
        interp_error(I, ERR_TYPE, "open() argument 'encoding' must be str or None, not %s",
                     val_type_name(encoding));
        return NULL;
    }
    if (val_is_str(encoding) && !is_utf8_name(val_str_data(encoding))) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "encoding '%s' is not supported by embedlab",
                     val_str_data(encoding));
        interp_hint(I, "embedlab reads and writes UTF-8 text: encoding='utf-8'");
        return NULL;
    }
    if (!val_is_none(errors) &&
        !(val_is_str(errors) && strcmp(val_str_data(errors), "strict") == 0)) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "open(errors=...) other than 'strict' is not "
                                             "supported by embedlab");
        return NULL;
    }
    if (!val_is_none(newline)) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "open(newline=...) is not supported by embedlab");
        return NULL;
    }
    if (!val_is_int(buffering)) {
        interp_error(I, ERR_TYPE, "'%s' object cannot be interpreted as an integer",
                     val_type_name(buffering));
        return NULL;
    }
    const char *path = val_str_data(file);
    if (interp_file_access(I, path)) return NULL;
    if (strlen(path) != val_str_len(file)) {
        interp_error(I, ERR_VALUE, "embedded null character");
        return NULL;
    }
    int flags = base == 'r'   ? O_RDONLY
                : base == 'w' ? O_WRONLY | O_CREAT | O_TRUNC
                : base == 'a' ? O_WRONLY | O_CREAT | O_APPEND
                              : O_WRONLY | O_CREAT | O_EXCL;
    int fd;
    do fd = open(path, flags | O_CLOEXEC, 0666);
    while (fd < 0 && errno == EINTR);
    Error err;
    if (fd < 0) {
        fio_set_errno(&err, errno, path);
        interp_raise(I, &err);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        fio_close(fd);
        fio_set_errno(&err, EISDIR, path);
        interp_raise(I, &err);
        return NULL;
    }
    TextFile *f = (TextFile *)val_alloc(I, &type_textfile, sizeof *f);
    if (!f) {
        fio_close(fd);
        return NULL;
    }
    f->fd = fd;
    f->name = mem_strdup(path, &err);
    f->encoding = mem_strdup(val_is_str(encoding) ? val_str_data(encoding) : "UTF-8", &err);
    snprintf(f->mode, sizeof f->mode, "%s", mode); /* as given: 'r', 'rt', 'w', ... */
    f->readable = base == 'r';
    f->writable = base != 'r';
    if (!f->name || !f->encoding) {
        val_release((Value *)f);
        interp_raise(I, &err);
        return NULL;
    }
    return (Value *)f;
}
