/*
 * src/lang/methods.h — method tables of the builtin types (str, list, tuple, torch.Size,
 * dict) and the helpers other modules share with them. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_METHODS_H
#define EMBEDLAB_METHODS_H

#include <stdbool.h>

#include "lang/callable.h"

extern const BuiltinSpec methods_str[], methods_list[], methods_tuple[], methods_size[],
    methods_dict[];
extern const ValueType type_dict_view;

/* list.sort(key=, reverse=): stable; the list is untouched when a comparison fails. */
int methods_sort_list(Interp *I, Value *list, Value *key, bool reverse);
/* dict.update(other, **kwargs). */
int methods_dict_update(Interp *I, Value *dict, Value *other, Value *kwargs);

#endif
