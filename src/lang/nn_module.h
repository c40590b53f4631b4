/*
 * src/lang/nn_module.h — torch.nn.Module objects: parameters, buffers, submodules and
 * plain attributes with torch's registration rules, nested repr, parameters(),
 * named_parameters(), state_dict(), load_state_dict(), train()/eval(), requires_grad_(),
 * zero_grad(), and calling a module (forward). See LICENSE (GPL-3.0-or-later).
 *
 * Every builtin module class (Embedding, Linear, ...) is an NNType: a ValueType whose base
 * is torch.nn.Module, plus the class's forward and extra_repr. Instances share one
 * layout, NNModule; their state lives in four insertion-ordered dicts exactly like
 * torch's _parameters, _buffers, _modules and __dict__, so attribute reads and writes
 * behave as in PyTorch (assigning a Parameter registers it; assigning a plain tensor to a
 * parameter name is torch's TypeError).
 */
#ifndef EMBEDLAB_NN_MODULE_H
#define EMBEDLAB_NN_MODULE_H

#include <stdbool.h>

#include "lang/callable.h"

typedef struct NNModule NNModule;

typedef struct NNType {
    ValueType type;          /* name, module ("torch.nn.modules.sparse"), slots, methods */
    /* forward(self, *args, **kwargs); NULL: "Module [X] is missing the required
     * "forward" function". */
    Value *(*forward)(Interp *I, NNModule *self, CallArgs *args);
    /* The one-line extra_repr ("10, 3, padding_idx=0"); NULL: none. */
    int (*extra_repr)(Interp *I, NNModule *self, StrBuf *out);
    /* Class attributes and class methods (nn.Embedding.from_pretrained). */
    const BuiltinSpec *class_methods;
} NNType;

struct NNModule {
    Value base;
    Value *parameters; /* dict: name → Parameter or None (torch's _parameters) */
    Value *buffers;    /* dict: name → Tensor or None */
    Value *modules;    /* dict: name → module or None */
    Value *attrs;      /* dict: other attributes (torch's __dict__) */
    /* dict: name → True for buffers registered with persistent=False (torch's
     * _non_persistent_buffers_set; not in state_dict); NULL until the first one. */
    Value *non_persistent;
    bool training;
    /* Module.__init__ has run: false in a user subclass's __init__ until it calls
     * super().__init__(), as in torch, where parameters and submodules cannot be assigned
     * before that. */
    bool initialized;
};

/* The Module slots every class shares; a class's ValueType initialiser starts with
 * NN_MODULE_SLOTS and adds its methods, class methods and base. */
void nn_module_destroy(Value *self);
void nn_module_clear(Value *self);
int nn_module_repr(Interp *I, Value *self, StrBuf *out);
Value *nn_module_getattr(Interp *I, Value *self, const char *name);
int nn_module_setattr(Interp *I, Value *self, const char *name, Value *value);
/* del module.name (torch's Module.__delattr__). */
int nn_module_delattr(Interp *I, Value *self, const char *name);
Value *nn_module_call(Interp *I, Value *self, CallArgs *args);
int nn_module_dir(Interp *I, Value *self, Value *names);
/* The instance state only (attributes, parameters, buffers, submodules, `training`),
 * without the class's methods: user subclasses look their own methods up in between. */
Value *nn_module_state_attr(Interp *I, Value *self, const char *name);
#define NN_MODULE_SLOTS                                                                   \
    .destroy = nn_module_destroy, .clear = nn_module_clear, .repr = nn_module_repr,      \
    .getattr = nn_module_getattr, .setattr = nn_module_setattr, .call = nn_module_call,  \
    .dir = nn_module_dir

/* torch.nn.Module itself: the base class every module class names as its `base`. */
extern const NNType nn_type_module;
#define type_nn_module (nn_type_module.type)
/* The generic method table every module has (parameters, state_dict, train, ...). */
extern const BuiltinSpec nn_module_methods[];

bool val_is_nn_module(const Value *v);
/* The NNType of a module value. */
const NNType *nn_type_of(const Value *v);

/* A new module of class `type` with empty state, training mode on. */
NNModule *nn_module_new(Interp *I, const NNType *type);
/* Registers or replaces a parameter (value: a Parameter or None). */
int nn_set_parameter(Interp *I, NNModule *m, const char *name, Value *value);
int nn_set_module(Interp *I, NNModule *m, const char *name, Value *value);
/* Sets a plain attribute (torch's __dict__). */
int nn_set_attr(Interp *I, NNModule *m, const char *name, Value *value);
/* Borrowed lookups; NULL when absent (no error). */
Value *nn_get_parameter(NNModule *m, const char *name);
Value *nn_get_attr(Interp *I, NNModule *m, const char *name);

/* A new nn.Parameter aliasing `data` (sharing its storage) with requires_grad. */
Value *nn_parameter_new(Interp *I, Value *data, bool requires_grad);

/* Binds args as a call of the Python method `qualname` ("Embedding.__init__",
 * "Embedding.forward") whose signature text (spec->signature) starts with a self (or cls)
 * parameter, so messages count self as Python does ("Embedding.__init__() takes from 3 to
 * 11 positional arguments but 12 were given"). On success argv[0..) holds the parameters
 * AFTER self as new references and *sig_out the signature: release them with
 * sig_release_bound(*sig_out, argv). Returns -1 with the error set. */
int nn_bind_method(Interp *I, const BuiltinSpec *spec, const char *qualname, CallArgs *args,
                   Value **argv, Signature **sig_out);

/* The class object for an NNType (nn.Embedding), with its constructor; new reference. */
Value *nn_class_value(Interp *I, const NNType *type, Value *(*construct)(Interp *I, CallArgs *));

#endif
