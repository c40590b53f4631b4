/*
 * src/lang/set.h — Python's set type (CPython's table layout and iteration order).
 * See set.c. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_SET_H
#define EMBEDLAB_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/callable.h"

extern const ValueType type_set;

bool val_is_set(const Value *v);
/* A new empty set. */
Value *set_new(Interp *I);
/* set(iterable) as the builtin constructor. */
Value *set_construct(Interp *I, CallArgs *args);
/* Adds key (retained); TypeError for unhashable keys. */
int set_add(Interp *I, Value *set, Value *key);
/* Adds every item of an iterable. */
int set_update(Interp *I, Value *set, Value *iterable);
/* 1/0, -1 on error. */
int set_contains(Interp *I, Value *set, Value *key);
int64_t set_size(Value *set);

#endif
