/*
 * src/core/err.c — the Error record: set, hint, clear, code names.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

static const char *const err_names[ERR_CODE_COUNT] = {
#define ERR_NAME_ENTRY(code, name) name,
    ERR_CODE_LIST(ERR_NAME_ENTRY)
#undef ERR_NAME_ENTRY
};

void err_clear(Error *err) {
    if (!err) return;
    err->code = ERR_OK;
    err->line = err->col = err->end_line = err->end_col = 0;
    err->msg[0] = '\0';
    err->hint[0] = '\0';
    err->name[0] = '\0';
}

int err_setv(Error *err, ErrCode code, const char *fmt, va_list ap) {
    if (!err) return code;
    err->code = code;
    err->line = err->col = err->end_line = err->end_col = 0;
    err->hint[0] = '\0';
    err->name[0] = '\0';
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return code;
}

int err_set(Error *err, ErrCode code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    err_setv(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void err_hint(Error *err, const char *fmt, ...) {
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

const char *err_name(ErrCode code) {
    if ((int)code < 0 || code >= ERR_CODE_COUNT) return "Exception";
    return err_names[code];
}

int err_is_set(const Error *err) { return err && err->code != ERR_OK; }

const char *err_kind(const Error *err) { return err->name[0] ? err->name : err_name(err->code); }
