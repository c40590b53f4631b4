/*
 * src/lang/value.h — the value model of the embedlab language: Python objects.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Every value is a heap object (`Value *`) with a type (`ValueType`, a table of behaviour
 * slots in the spirit of CPython's type objects) and a reference count.
 *
 * Ownership: functions returning Value* return a NEW reference (the caller releases it
 * with val_release); Value* arguments are BORROWED unless the name ends in _take (which
 * steals the reference, even on failure). Functions that can fail return NULL (or a
 * non-zero status) after recording a Python exception in the interpreter (interp_error).
 *
 * Every object is also linked into its interpreter's object list, so that interp_free
 * can break reference cycles (a function stored in the scope it closes over, a list that
 * contains itself) and free everything: nothing leaks even without a cycle collector.
 * None, True, False and small ints are shared immortal-style singletons per interpreter.
 */
#ifndef EMBEDLAB_VALUE_H
#define EMBEDLAB_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"

typedef struct Interp Interp;
typedef struct Value Value;
typedef struct ValueType ValueType;
typedef struct CallArgs CallArgs;

/* Python's binary operators, in the order of Python's ast module. */
#define PYOP_LIST(X)                  \
    X(PYOP_ADD, "+", "add")           \
    X(PYOP_SUB, "-", "sub")           \
    X(PYOP_MUL, "*", "mul")           \
    X(PYOP_MATMUL, "@", "matmul")     \
    X(PYOP_DIV, "/", "truediv")       \
    X(PYOP_MOD, "%", "mod")           \
    X(PYOP_POW, "**", "pow")          \
    X(PYOP_LSHIFT, "<<", "lshift")    \
    X(PYOP_RSHIFT, ">>", "rshift")    \
    X(PYOP_OR, "|", "or")             \
    X(PYOP_XOR, "^", "xor")           \
    X(PYOP_AND, "&", "and")           \
    X(PYOP_FLOORDIV, "//", "floordiv")

typedef enum PyOp {
#define PYOP_ENUM(e, sym, name) e,
    PYOP_LIST(PYOP_ENUM)
#undef PYOP_ENUM
    PYOP_COUNT
} PyOp;

/* Rich comparisons. */
typedef enum PyCmp { PYCMP_EQ, PYCMP_NE, PYCMP_LT, PYCMP_LE, PYCMP_GT, PYCMP_GE } PyCmp;

typedef enum PyUnary { PYUNARY_NEG, PYUNARY_POS, PYUNARY_INVERT } PyUnary;

/* Behaviour slots. NULL slots mean "not supported" (the evaluator raises the Python
 * TypeError/AttributeError for the operation). All slots that return Value* return new
 * references; status-returning slots return 0 on success. */
struct ValueType {
    const char *name;      /* type(x).__name__: "int", "Tensor", "Embedding" */
    const char *module;    /* for <class 'module.name'>; NULL for builtins */
    /* CPython's tp_name, which its messages use ("'numpy.ndarray' object has no attribute"),
     * when it is not `name`: the qualified name of a C extension type ("torch.dtype");
     * NULL for builtins, Python classes and torch.Tensor ("Tensor"). */
    const char *tp_name;
    /* tp_name when it depends on the object (np.dtype('int64') is a 'numpy.dtype[int64]',
     * a grad_fn a 'MulBackward0'); a static string. */
    const char *(*tp_name_of)(const Value *self);
    /* Frees the object's own resources and releases the values it references. */
    void (*destroy)(Value *self);
    /* Releases (and forgets) references to other Values, leaving a valid object; used to
     * break cycles at teardown. NULL for types that hold no Values. */
    void (*clear)(Value *self);
    int (*repr)(Interp *I, Value *self, StrBuf *out);
    int (*str)(Interp *I, Value *self, StrBuf *out); /* NULL: repr */
    /* Attribute lookup; NULL result with no error recorded means "no such attribute" (the
     * caller raises AttributeError with a did-you-mean hint). */
    Value *(*getattr)(Interp *I, Value *self, const char *name);
    int (*setattr)(Interp *I, Value *self, const char *name, Value *value);
    Value *(*call)(Interp *I, Value *self, CallArgs *args);
    /* Truthiness; NULL: true. Returns 0/1, or -1 on error. */
    int (*truth)(Interp *I, Value *self);
    /* len(); -1 with an error recorded on failure. NULL: no len(). */
    int64_t (*length)(Interp *I, Value *self);
    /* Names for dir() and completion (appended to a list Value); NULL: none. */
    int (*dir)(Interp *I, Value *self, Value *names_list);
    /* self[key], self[key] = value (value NULL: del self[key]). */
    Value *(*getitem)(Interp *I, Value *self, Value *key);
    int (*setitem)(Interp *I, Value *self, Value *key, Value *value);
    /* `item in self`: 0/1, -1 on error. NULL: iterate and compare. */
    int (*contains)(Interp *I, Value *self, Value *item);
    /* iter(self): a new iterator. */
    Value *(*iter)(Interp *I, Value *self);
    /* next(self) for iterators: NULL with no pending error when exhausted. */
    Value *(*next)(Interp *I, Value *self);
    /* a <op> b where a or b has this type (`reflected`: self is b). Returns
     * val_not_implemented() to let the other operand try. */
    Value *(*binary)(Interp *I, PyOp op, Value *a, Value *b, bool reflected);
    /* Rich comparison (self is a); may return any value (tensors compare elementwise),
     * or val_not_implemented(). */
    Value *(*compare)(Interp *I, PyCmp op, Value *a, Value *b);
    Value *(*unary)(Interp *I, PyUnary op, Value *self);
    /* Methods, looked up by attribute name after getattr (NULL-terminated table). */
    const struct BuiltinSpec *methods;
    /* __int__/__float__/__index__ for non-builtin numbers (one-element tensors): stores
     * the value as an int (*is_int true) or a float; -1 with an error when impossible. */
    int (*as_number)(Interp *I, Value *self, int64_t *ival, double *fval, bool *is_int);
    /* The Python base class for isinstance (bool → int, torch.Size → tuple). */
    const ValueType *base;
    /* Class methods, called on the class object (nn.Embedding.from_pretrained); they
     * receive the class object as `self`. */
    const struct BuiltinSpec *class_methods;
    /* The constructor's signature and doc for help(), inspection and completion
     * ("(num_embeddings, embedding_dim, padding_idx=None, ...)"); NULL when none. */
    const char *init_signature;
    const char *doc;
    /* For the instance types of user classes: the class object (a TypeValue, weak). */
    Value *heap_class;
    /* The descriptor protocol, for values stored in a class namespace (functions,
     * property, staticmethod, classmethod): descr_get gives what `instance.name` (or, with
     * instance NULL, `Class.name`) evaluates to; descr_set handles `instance.name = value`.
     * NULL: the value itself / an ordinary instance attribute. */
    Value *(*descr_get)(Interp *I, Value *self, Value *instance, Value *owner);
    int (*descr_set)(Interp *I, Value *self, Value *instance, Value *value);
};

struct Value {
    const ValueType *type;
    long refcount;
    Value *obj_prev, *obj_next; /* the interpreter's object list */
};

/* Allocates a zeroed object of `size` bytes (>= sizeof(Value)) with type `type` and
 * refcount 1, linked into I's object list. NULL + MemoryError on failure. */
Value *val_alloc(Interp *I, const ValueType *type, size_t size);
Value *val_retain(Value *v);
void val_release(Value *v);

/* ---- builtin scalar types ---- */

extern const ValueType type_none, type_bool, type_int, type_float, type_str, type_list,
    type_tuple, type_dict, type_range, type_slice, type_ellipsis, type_type, type_torch_size,
    type_not_implemented,
    type_object; /* `object`: every value is an instance; class bodies may name it as base */

typedef struct IntValue {
    Value base;
    int64_t value;
} IntValue;

typedef struct FloatValue {
    Value base;
    double value;
} FloatValue;

typedef struct StrValue {
    Value base;
    size_t len;       /* bytes, UTF-8 */
    size_t nchars;    /* code points */
    bool ascii;       /* len == nchars */
    int64_t hash;     /* cached, -1 until computed */
    char data[];      /* NUL-terminated */
} StrValue;

typedef struct ListValue { /* list and tuple (and torch.Size, a tuple subclass) */
    Value base;
    int64_t count, cap;
    Value **items;
} ListValue;

typedef struct DictEntry {
    Value *key, *value; /* key NULL: deleted slot */
    int64_t hash;
} DictEntry;

typedef struct DictValue { /* insertion-ordered, as Python's dict */
    Value base;
    DictEntry *entries;
    int64_t count, used, cap; /* live entries, used slots in entries, capacity */
    int64_t *index;           /* open-addressing table of entry positions, -1 empty */
    int64_t index_cap;        /* power of two */
} DictValue;

typedef struct RangeValue {
    Value base;
    int64_t start, stop, step;
} RangeValue;

typedef struct SliceValue {
    Value base;
    Value *start, *stop, *step; /* None when omitted */
} SliceValue;

typedef struct TypeValue { /* a type used as a value: int, str, torch.Tensor, ... */
    Value base;
    const ValueType *of;
    Value *(*construct)(Interp *I, CallArgs *args); /* int("3"), list(x), ...; may be NULL */
    /* Instantiation that needs the class object (exception classes, user classes); used
     * instead of construct when set. */
    Value *(*instantiate)(Interp *I, Value *cls, CallArgs *args);
    /* User classes (class statements) only: */
    Value *dict;          /* the class namespace (owned); NULL for builtin types */
    Value *base_class;    /* the parent class object (owned) or NULL */
    ValueType *heap_type; /* the instances' type (owned; `of` points at it) */
} TypeValue;

Value *val_none(Interp *I);
Value *val_bool(Interp *I, bool b);
Value *val_int(Interp *I, int64_t v);
Value *val_float(Interp *I, double v);
Value *val_str(Interp *I, const char *s);
Value *val_strn(Interp *I, const char *s, size_t len);
/* Takes ownership of a StrBuf's contents (the buffer is reset). */
Value *val_str_from_sb(Interp *I, StrBuf *sb);
Value *val_list_new(Interp *I, int64_t capacity);
Value *val_tuple_new(Interp *I, int64_t count); /* items preset to NULL; fill them all */
/* torch.Size([...]) of the given dims (a tuple subtype). */
Value *val_torch_size_new(Interp *I, int ndim, const int64_t *shape);
Value *val_dict_new(Interp *I);
Value *val_range(Interp *I, int64_t start, int64_t stop, int64_t step);
Value *val_slice(Interp *I, Value *start, Value *stop, Value *step);
Value *val_ellipsis(Interp *I);
/* The NotImplemented singleton (binary slots return it to decline). */
Value *val_not_implemented(Interp *I);
bool val_is_not_implemented(Interp *I, const Value *v);

bool val_is(const Value *v, const ValueType *type);
bool val_is_none(const Value *v);
/* int or bool (bool is an int subclass in Python). */
bool val_is_int(const Value *v);
/* int, bool or float. */
bool val_is_number(const Value *v);
bool val_is_str(const Value *v);
/* list or tuple (incl. torch.Size). */
bool val_is_sequence(const Value *v);

int64_t val_as_int(const Value *v);      /* int/bool payload; 0 otherwise */
double val_as_float(const Value *v);     /* int/bool/float as double */
const char *val_str_data(const Value *v);
size_t val_str_len(const Value *v);

/* List operations. append steals nothing (retains `item`). */
int val_list_append(Interp *I, Value *list, Value *item);
int val_list_append_take(Interp *I, Value *list, Value *item);
/* Dict operations (keys must be hashable: TypeError "unhashable type: 'list'"). get returns
 * a BORROWED reference or NULL when absent (check interp_has_error for failures). */
Value *val_dict_get(Interp *I, Value *dict, Value *key);
Value *val_dict_get_str(Interp *I, Value *dict, const char *key);
int val_dict_set(Interp *I, Value *dict, Value *key, Value *value);
int val_dict_set_str(Interp *I, Value *dict, const char *key, Value *value);
/* 1 removed, 0 absent, -1 error. */
int val_dict_del(Interp *I, Value *dict, Value *key);

/* ---- protocol helpers used by the evaluator and builtins ---- */

/* repr(v) / str(v) appended to out. */
int val_repr(Interp *I, Value *v, StrBuf *out);
int val_str_of(Interp *I, Value *v, StrBuf *out);
/* repr/str as a new str Value. */
Value *val_repr_value(Interp *I, Value *v);
/* Python truthiness: 0, 1, or -1 on error. */
int val_truth(Interp *I, Value *v);
/* Python ==: 0/1, -1 on error (tensors do not get here: the evaluator handles them). */
int val_equal(Interp *I, Value *a, Value *b);
/* hash(v): -1 with TypeError for unhashable values. */
int64_t val_hash(Interp *I, Value *v);
/* isinstance for builtin types: walks the `base` chain. */
bool val_is_instance(const Value *v, const ValueType *type);
/* Is t `base` or derived from it (issubclass for types; every type derives from object)? */
bool val_type_derives(const ValueType *t, const ValueType *base);
/* The type name used in messages: "int", "list", "Tensor". */
const char *val_type_name(const Value *v);

/* Python's float repr (shortest round-trip): 1.0, 0.1, 1e-05, 1e+16, inf, nan. */
void val_format_float_repr(double d, StrBuf *out);

#endif
