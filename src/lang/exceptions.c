/*
 * src/lang/exceptions.c — Python's builtin exception hierarchy and exception objects.
 * See exceptions.h. See LICENSE (GPL-3.0-or-later).
 */
#include "lang/exceptions.h"

#include <stdio.h>
#include <string.h>

#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/ops.h"

/* ---- instances ---- */

static void destroy_exc(Value *self) {
    ExcValue *e = (ExcValue *)self;
    val_release(e->dict);
    val_release(e->args);
}

static void clear_exc(Value *self) {
    ExcValue *e = (ExcValue *)self;
    Value *dict = e->dict, *args = e->args;
    e->dict = e->args = NULL;
    val_release(dict);
    val_release(args);
}

/* The name a type prints as: its class name (user classes carry their own). */
static const char *type_name(const ValueType *t) { return t->name; }

const ValueType *exc_type_for(ErrCode code);

static int repr_exc(Interp *I, Value *self, StrBuf *out) {
    ExcValue *e = (ExcValue *)self;
    sb_appendf(out, "%s(", type_name(self->type));
    ListValue *args = (ListValue *)e->args;
    for (int64_t i = 0; args && i < args->count; i++) {
        if (i) sb_append(out, ", ");
        if (val_repr(I, args->items[i], out)) return -1;
    }
    sb_appendc(out, ')');
    return 0;
}

/* str(exc): '' for no args, str(arg) for one (repr for KeyError), else repr(args). */
static int str_exc(Interp *I, Value *self, StrBuf *out) {
    ExcValue *e = (ExcValue *)self;
    ListValue *args = (ListValue *)e->args;
    if (!args || args->count == 0) return 0;
    if (args->count == 1) {
        if (val_is_instance(self, exc_type_for(ERR_KEY))) return val_repr(I, args->items[0], out);
        return val_str_of(I, args->items[0], out);
    }
    return val_repr(I, e->args, out);
}

static Value *getattr_exc(Interp *I, Value *self, const char *name) {
    ExcValue *e = (ExcValue *)self;
    if (e->dict) {
        Value *v = val_dict_get_str(I, e->dict, name);
        if (v) return val_retain(v);
    }
    if (strcmp(name, "args") == 0) return val_retain(e->args ? e->args : I->none);
    return NULL;
}

static int setattr_exc(Interp *I, Value *self, const char *name, Value *value) {
    ExcValue *e = (ExcValue *)self;
    if (strcmp(name, "args") == 0) {
        Value *t = op_to_list(I, value);
        if (!t) return -1;
        ListValue *l = (ListValue *)t;
        Value *tuple = val_tuple_new(I, l->count);
        if (tuple)
            for (int64_t i = 0; i < l->count; i++) ((ListValue *)tuple)->items[i] = val_retain(l->items[i]);
        val_release(t);
        if (!tuple) return -1;
        val_release(e->args);
        e->args = tuple;
        return 0;
    }
    if (!e->dict && !(e->dict = val_dict_new(I))) return -1;
    return val_dict_set_str(I, e->dict, name, value);
}

#define EXC_SLOTS                                                                           \
    .destroy = destroy_exc, .clear = clear_exc, .repr = repr_exc, .str = str_exc,           \
    .getattr = getattr_exc, .setattr = setattr_exc

/* X(C name, Python name, base type (NULL for the root), code) — bases first. ERR_OK means
 * "no code of its own". */
#define EXC_LIST(X)                                                                         \
    X(BaseException, "BaseException", NULL, ERR_OK)                                         \
    X(Exception, "Exception", &exc_BaseException, ERR_EXCEPTION)                          \
    X(KeyboardInterrupt, "KeyboardInterrupt", &exc_BaseException, ERR_INTERRUPT)          \
    X(SystemExit, "SystemExit", &exc_BaseException, ERR_SYSTEM_EXIT)                       \
    X(ArithmeticError, "ArithmeticError", &exc_Exception, ERR_OK)                            \
    X(ZeroDivisionError, "ZeroDivisionError", &exc_ArithmeticError, ERR_ZERO_DIVISION)      \
    X(OverflowError, "OverflowError", &exc_ArithmeticError, ERR_OVERFLOW)                   \
    X(AssertionError, "AssertionError", &exc_Exception, ERR_ASSERTION)                       \
    X(AttributeError, "AttributeError", &exc_Exception, ERR_ATTRIBUTE)                       \
    X(EOFError, "EOFError", &exc_Exception, ERR_EOF)                                         \
    X(ImportError, "ImportError", &exc_Exception, ERR_IMPORT)                                \
    X(ModuleNotFoundError, "ModuleNotFoundError", &exc_ImportError, ERR_MODULE_NOT_FOUND)   \
    X(LookupError, "LookupError", &exc_Exception, ERR_OK)                                    \
    X(IndexError, "IndexError", &exc_LookupError, ERR_INDEX)                                 \
    X(KeyError, "KeyError", &exc_LookupError, ERR_KEY)                                       \
    X(MemoryError, "MemoryError", &exc_Exception, ERR_MEMORY)                                \
    X(NameError, "NameError", &exc_Exception, ERR_NAME)                                      \
    X(UnboundLocalError, "UnboundLocalError", &exc_NameError, ERR_UNBOUND_LOCAL)             \
    X(OSError, "OSError", &exc_Exception, ERR_OS)                                            \
    X(FileNotFoundError, "FileNotFoundError", &exc_OSError, ERR_FILE_NOT_FOUND)              \
    X(PermissionError, "PermissionError", &exc_OSError, ERR_PERMISSION)                      \
    X(IsADirectoryError, "IsADirectoryError", &exc_OSError, ERR_IS_A_DIRECTORY)              \
    X(NotADirectoryError, "NotADirectoryError", &exc_OSError, ERR_NOT_A_DIRECTORY)           \
    X(FileExistsError, "FileExistsError", &exc_OSError, ERR_FILE_EXISTS)                     \
    X(RuntimeError, "RuntimeError", &exc_Exception, ERR_RUNTIME)                             \
    X(NotImplementedError, "NotImplementedError", &exc_RuntimeError, ERR_NOT_IMPLEMENTED)    \
    X(RecursionError, "RecursionError", &exc_RuntimeError, ERR_RECURSION)                    \
    X(StopIteration, "StopIteration", &exc_Exception, ERR_STOP_ITERATION)                    \
    X(SyntaxError, "SyntaxError", &exc_Exception, ERR_SYNTAX)                                \
    X(IndentationError, "IndentationError", &exc_SyntaxError, ERR_INDENTATION)               \
    X(TabError, "TabError", &exc_IndentationError, ERR_TAB)                                  \
    X(TypeError, "TypeError", &exc_Exception, ERR_TYPE)                                      \
    X(ValueError, "ValueError", &exc_Exception, ERR_VALUE)                                   \
    X(UnicodeError, "UnicodeError", &exc_ValueError, ERR_OK)                                 \
    X(UnicodeDecodeError, "UnicodeDecodeError", &exc_UnicodeError, ERR_UNICODE_DECODE)      \
    X(UnicodeEncodeError, "UnicodeEncodeError", &exc_UnicodeError, ERR_UNICODE_ENCODE)      \
    X(Warning, "Warning", &exc_Exception, ERR_OK)                                            \
    X(UserWarning, "UserWarning", &exc_Warning, ERR_OK)                                      \
    X(DeprecationWarning, "DeprecationWarning", &exc_Warning, ERR_OK)

#define EXC_DECLARE(cname, pyname, base, code) static const ValueType exc_##cname;
EXC_LIST(EXC_DECLARE)
#undef EXC_DECLARE

#define EXC_DEFINE(cname, pyname, base_type, code) \
    static const ValueType exc_##cname = {.name = pyname, EXC_SLOTS, .base = base_type};
EXC_LIST(EXC_DEFINE)
#undef EXC_DEFINE

typedef struct ExcEntry {
    const ValueType *type;
    ErrCode code;
} ExcEntry;

static const ExcEntry exc_table[] = {
#define EXC_ENTRY(cname, pyname, base, code) {&exc_##cname, code},
    EXC_LIST(EXC_ENTRY)
#undef EXC_ENTRY
    {NULL, ERR_OK},
};

const ValueType *exc_type_for(ErrCode code) {
    if (code == ERR_INCOMPLETE) code = ERR_SYNTAX;
    for (const ExcEntry *e = exc_table; e->type; e++)
        if (e->code == code && code != ERR_OK) return e->type;
    return &exc_Exception;
}

bool exc_is_type(const ValueType *t) {
    for (; t; t = t->base)
        if (t == &exc_BaseException) return true;
    return false;
}

bool val_is_exception(const Value *v) { return v && exc_is_type(v->type); }

bool exc_is_class(const Value *cls) {
    return val_is(cls, &type_type) && exc_is_type(((const TypeValue *)cls)->of);
}

ErrCode exc_code_of_type(const ValueType *type) {
    for (const ValueType *t = type; t; t = t->base)
        for (const ExcEntry *e = exc_table; e->type; e++)
            if (e->type == t && e->code != ERR_OK) return e->code;
    return ERR_EXCEPTION;
}

Value *exc_instantiate(Interp *I, Value *cls, CallArgs *args) {
    TypeValue *t = (TypeValue *)cls;
    if (args->nkw) {
        interp_error(I, ERR_TYPE, "%s() takes no keyword arguments", t->of->name);
        return NULL;
    }
    ExcValue *e = (ExcValue *)val_alloc(I, t->of, sizeof *e);
    if (!e) return NULL;
    e->args = val_tuple_new(I, args->nargs);
    if (!e->args) {
        val_release((Value *)e);
        return NULL;
    }
    for (int64_t i = 0; i < args->nargs; i++)
        ((ListValue *)e->args)->items[i] = val_retain(args->args[i]);
    return (Value *)e;
}

Value *exc_class_for_code(Interp *I, ErrCode code) {
    return builtins_type_value(I, exc_type_for(code));
}

Value *exc_from_error(Interp *I) {
    if (I->exception) return val_retain(I->exception);
    Value *cls = exc_class_for_code(I, I->error.code);
    if (!cls) return NULL;
    Value *msg = I->error.msg[0] ? val_str(I, I->error.msg) : NULL;
    Value *args[1] = {msg};
    CallArgs call = {args, msg ? 1 : 0, NULL, NULL, 0};
    /* A KeyError's message is the repr of its key; keep the text as the argument. */
    Value *e = exc_instantiate(I, cls, &call);
    val_release(msg);
    val_release(cls);
    return e;
}

int exc_raise_key(Interp *I, Value *key) {
    Value *cls = exc_class_for_code(I, ERR_KEY);
    CallArgs call = {&key, 1, NULL, NULL, 0};
    Value *e = cls ? exc_instantiate(I, cls, &call) : NULL;
    val_release(cls);
    if (!e) return -1;
    exc_raise(I, e);
    val_release(e);
    return -1;
}

int exc_raise(Interp *I, Value *exc) {
    Value *obj = NULL;
    if (exc_is_class(exc)) {
        CallArgs none = {NULL, 0, NULL, NULL, 0};
        obj = call_value_args(I, exc, &none);
        if (!obj) return -1;
    } else if (val_is_exception(exc)) {
        obj = val_retain(exc);
    } else {
        return interp_error(I, ERR_TYPE, "exceptions must derive from BaseException");
    }
    StrBuf sb = SB_INIT;
    if (val_str_of(I, obj, &sb)) {
        sb_free(&sb);
        val_release(obj);
        return -1;
    }
    ErrCode code = exc_code_of_type(obj->type);
    interp_error(I, code, "%s", sb_str(&sb));
    sb_free(&sb);
    if (strcmp(obj->type->name, err_name(code)) != 0)
        snprintf(I->error.name, sizeof I->error.name, "%s", obj->type->name);
    I->exception = obj;
    return -1;
}

/* Is `type` a subclass of the class object `cls`? */
static bool subclass_of(const ValueType *type, Value *cls) {
    const ValueType *target = ((TypeValue *)cls)->of;
    for (const ValueType *t = type; t; t = t->base)
        if (t == target) return true;
    return false;
}

int exc_matches(Interp *I, Value *cls) {
    const ValueType *pending = I->exception ? I->exception->type : exc_type_for(I->error.code);
    Value **options = &cls;
    int64_t count = 1;
    if (val_is(cls, &type_tuple)) {
        options = ((ListValue *)cls)->items;
        count = ((ListValue *)cls)->count;
    }
    for (int64_t i = 0; i < count; i++) {
        if (!exc_is_class(options[i])) {
            InterpSavedError saved = interp_save_error(I);
            interp_discard_error(&saved);
            interp_error(I, ERR_TYPE, "catching classes that do not inherit from BaseException "
                                      "is not allowed");
            return -1;
        }
        if (subclass_of(pending, options[i])) return 1;
    }
    return 0;
}

void exc_clear(Interp *I) { interp_clear_error(I); }

int exc_install(Interp *I, Value *builtins) {
    for (const ExcEntry *e = exc_table; e->type; e++) {
        Value *cls = builtins_type_value(I, e->type);
        if (!cls) return -1;
        ((TypeValue *)cls)->instantiate = exc_instantiate;
        int rc = val_dict_set_str(I, builtins, e->type->name, cls);
        val_release(cls);
        if (rc) return -1;
    }
    return 0;
}
