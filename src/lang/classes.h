/*
 * src/lang/classes.h — user-defined classes (`class` statements): class objects, instances,
 * bound methods, dunder dispatch (__init__, __repr__, __len__, __getitem__, __call__,
 * __eq__, ...) and super(). See LICENSE (GPL-3.0-or-later).
 *
 * A class is a TypeValue whose `heap_type` is a ValueType made for its instances: name and
 * module "__main__", the slots of its builtin base (object, an exception class or
 * nn.Module) wrapped by dispatchers that first look for the class's own dunder methods.
 * Instances keep the builtin base's layout (InstanceValue for plain classes, ExcValue for
 * exceptions, NNModule for modules), so builtin behaviour and user methods combine.
 */
#ifndef EMBEDLAB_CLASSES_H
#define EMBEDLAB_CLASSES_H

#include <stdbool.h>

#include "lang/callable.h"

/* A plain instance (builtin base `object`). */
typedef struct InstanceValue {
    Value base;
    Value *dict; /* instance attributes (owned) */
} InstanceValue;

/* Creates class `name` with parent `base` (a class object, or NULL for object) and the
 * namespace `dict` (borrowed; the class keeps its own reference). TypeError when the base
 * cannot be subclassed. */
Value *class_new(Interp *I, const char *name, Value *base, Value *dict);

/* True for the instance type of a user class. */
bool class_is_heap_type(const ValueType *t);
/* Looks `name` up in the namespaces of t's class and its user-class ancestors (borrowed
 * reference or NULL). */
Value *class_lookup(Interp *I, const ValueType *t, const char *name);
/* The first builtin type among t and its ancestors (NULL for plain `object`). */
const ValueType *class_builtin_base(const ValueType *t);

/* del obj.name for user instances, class objects, nn.Modules and exceptions; others:
 * AttributeError (their attributes are read-only). */
int class_delattr(Interp *I, Value *obj, const char *name);

/* A function bound to an instance: calling it passes self first. */
Value *bound_method_new(Interp *I, Value *func, Value *self);
extern const ValueType type_bound_method;

/* super(cls, self): attribute lookup starting after cls in self's class chain. */
Value *super_new(Interp *I, Value *cls, Value *self);

/* property(fget, fset, fdel, doc), staticmethod(f), classmethod(f): the builtin
 * descriptors (no decorators in the language: `x = property(get_x)` in a class body). */
extern const ValueType type_property, type_staticmethod, type_classmethod;
Value *property_construct(Interp *I, CallArgs *args);
Value *staticmethod_construct(Interp *I, CallArgs *args);
Value *classmethod_construct(Interp *I, CallArgs *args);

/* Provided by the evaluator: the user-function type, and how a function learns the class
 * that defined it (for super()). */
extern const ValueType type_function;

#endif
