/*
 * src/lang/return_types.h — torch.return_types.* named tuples (max, min, sort, topk) and
 * torch.device. See LICENSE (GPL-3.0-or-later).
 */
#ifndef EMBEDLAB_RETURN_TYPES_H
#define EMBEDLAB_RETURN_TYPES_H

#include <stdbool.h>

#include "lang/value.h"

/* torch.return_types.NAME(values=..., indices=...): a 2-tuple with named fields that
 * prints as torch does. Steals both references (even on failure). */
Value *return_types_pair(Interp *I, const char *name, Value *values, Value *indices);

/* device(type='cpu'): the only device embedlab has. */
Value *torch_device_cpu(Interp *I);
/* True for the cpu device, the string "cpu" (or "cpu:0"). */
bool torch_is_cpu_device(Interp *I, Value *v);

#endif
