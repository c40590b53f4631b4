/*
 * src/lang/interp.c — interpreter core state: creation, teardown with cycle breaking,
 * and the pending exception. See LICENSE (GPL-3.0-or-later).
 */
#include "lang/interp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/fileio.h"
#include "core/mem.h"
#include "lang/callable.h"
#include "lang/torch_state.h"

Interp *interp_new(void) {
    Interp *I = mem_calloc(1, sizeof *I, NULL);
    if (!I) return NULL;
    I->objects.obj_next = I->objects.obj_prev = &I->objects;
    err_clear(&I->error);
    I->none = val_alloc(I, &type_none, sizeof(Value));
    IntValue *t = (IntValue *)val_alloc(I, &type_bool, sizeof(IntValue));
    IntValue *f = (IntValue *)val_alloc(I, &type_bool, sizeof(IntValue));
    I->ellipsis = val_alloc(I, &type_ellipsis, sizeof(Value));
    I->not_implemented = val_alloc(I, &type_not_implemented, sizeof(Value));
    if (!I->none || !t || !f || !I->ellipsis || !I->not_implemented) goto fail;
    t->value = 1;
    I->true_value = (Value *)t;
    I->false_value = (Value *)f;
    for (int64_t v = INTERP_SMALL_INT_MIN; v <= INTERP_SMALL_INT_MAX; v++) {
        IntValue *iv = (IntValue *)val_alloc(I, &type_int, sizeof(IntValue));
        if (!iv) goto fail;
        iv->value = v;
        I->small_ints[v - INTERP_SMALL_INT_MIN] = (Value *)iv;
    }
    return I;
fail:
    I->true_value = (Value *)t;
    I->false_value = (Value *)f;
    interp_free(I);
    return NULL;
}

void interp_free(Interp *I) {
    if (!I) return;
    /* 1. Pin every live object, so none is freed while cycles are being cut. */
    size_t count = 0;
    for (Value *v = I->objects.obj_next; v != &I->objects; v = v->obj_next) count++;
    Value **all = count ? mem_alloc(count * sizeof *all, NULL) : NULL;
    if (all) {
        size_t n = 0;
        for (Value *v = I->objects.obj_next; v != &I->objects; v = v->obj_next)
            all[n++] = val_retain(v);
        /* 2. Cut every reference between objects. */
        for (size_t i = 0; i < n; i++)
            if (all[i]->type->clear) all[i]->type->clear(all[i]);
        /* 3. Unpin: objects nobody else holds are freed now. */
        for (size_t i = 0; i < n; i++) val_release(all[i]);
        mem_free(all);
    }
    builtin_cache_free(I);
    /* 4. Whatever remains (singletons, objects leaked by a bug) is freed by force. */
    while (I->objects.obj_next != &I->objects) {
        Value *v = I->objects.obj_next;
        v->obj_prev->obj_next = v->obj_next;
        v->obj_next->obj_prev = v->obj_prev;
        if (v->type->destroy) v->type->destroy(v);
        mem_free(v);
    }
    torch_state_free(I); /* its dtype objects went with the object list */
    for (size_t i = 0; i < I->heap_type_count; i++) {
        mem_free((char *)I->heap_types[i]->name);
        mem_free((char *)I->heap_types[i]->module);
        mem_free(I->heap_types[i]);
    }
    mem_free(I->heap_types);
    mem_free(I);
}

int interp_file_access(Interp *I, const char *path) {
    if (!I->files_denied) return 0;
    char shown[512];
    fio_repr_path(path, shown, sizeof shown);
    interp_error(I, ERR_PERMISSION, "[Errno 13] Permission denied: %s", shown);
    interp_hint(I, "this embedlab session has no file access");
    return -1;
}

int interp_adopt_class(Interp *I, Value *cls, ValueType *heap) {
    if (I->heap_type_count == I->heap_type_cap) {
        size_t cap = I->heap_type_cap ? I->heap_type_cap * 2 : 16;
        ValueType **grown = mem_realloc(I->heap_types, cap * sizeof *grown, &I->error);
        if (!grown) return -1;
        I->heap_types = grown;
        I->heap_type_cap = cap;
    }
    if (!I->classes && !(I->classes = val_list_new(I, 8))) return -1;
    if (val_list_append(I, I->classes, cls)) return -1;
    I->heap_types[I->heap_type_count++] = heap;
    return 0;
}

/* A new error replaces the object of any earlier one. */
static void drop_exception(Interp *I) {
    Value *old = I->exception;
    I->exception = NULL;
    val_release(old);
}

int interp_error(Interp *I, ErrCode code, const char *fmt, ...) {
    drop_exception(I);
    va_list ap;
    va_start(ap, fmt);
    err_setv(&I->error, code, fmt, ap);
    va_end(ap);
    return -1;
}

void interp_hint(Interp *I, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(I->error.hint, sizeof I->error.hint, fmt, ap);
    va_end(ap);
}

int interp_raise(Interp *I, const Error *err) {
    drop_exception(I);
    if (err && err->code != ERR_OK) {
        I->error = *err;
    } else {
        err_set(&I->error, ERR_RUNTIME, "internal error: an operation failed without a message");
    }
    return -1;
}

bool interp_has_error(const Interp *I) { return I->error.code != ERR_OK; }

void interp_clear_error(Interp *I) {
    err_clear(&I->error);
    drop_exception(I);
}

void interp_write(Interp *I, int stream, const char *text, size_t len) {
    if (I->write) I->write(I->write_ctx, stream, text, len);
}

void interp_display(Interp *I, const char *text_plain, const char *text_html,
                    const char *image_svg) {
    if (I->display) {
        I->display(I->write_ctx, text_plain, text_html, image_svg);
        return;
    }
    interp_write(I, 1, text_plain, strlen(text_plain));
    interp_write(I, 1, "\n", 1);
}

InterpSavedError interp_save_error(Interp *I) {
    InterpSavedError saved = {I->error, I->exception};
    I->exception = NULL;
    err_clear(&I->error);
    return saved;
}

void interp_restore_error(Interp *I, InterpSavedError *saved) {
    drop_exception(I);
    I->error = saved->error;
    I->exception = saved->exception;
    saved->exception = NULL;
}

void interp_discard_error(InterpSavedError *saved) {
    val_release(saved->exception);
    saved->exception = NULL;
}
