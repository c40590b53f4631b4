/*
 * src/lang/mod_optim.c — the `torch.optim` module: Optimizer, SGD, Adam, AdamW,
 * SparseAdam (PyTorch 1.13). See LICENSE (GPL-3.0-or-later).
 *
 * An optimizer holds what torch's does, as ordinary Python values a learner can inspect
 * and change: `defaults` (a dict of the constructor's options), `param_groups` (a list of
 * dicts, each with 'params' and every option, so `opt.param_groups[0]['lr'] = 0.01`
 * works) and `state` (a defaultdict(dict) from parameter to its state: 'momentum_buffer';
 * 'step', 'exp_avg', 'exp_avg_sq'). step() reads the options from the groups each time and
 * runs core/optim.h's update rules, which reproduce torch's float arithmetic; zero_grad()
 * leaves zero tensors unless set_to_none=True (1.13's default). Construction errors, the
 * repr, state_dict() and load_state_dict() are torch's. The user may put anything into
 * these containers: every use checks the shapes it relies on (check_groups).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/autograd.h"
#include "core/mem.h"
#include "core/optim.h"
#include "core/sparse.h"
#include "lang/builtins.h"
#include "lang/exceptions.h"
#include "lang/module.h"
#include "lang/ops.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"

typedef enum OptimKind { OPTIM_SGD, OPTIM_ADAM, OPTIM_ADAMW, OPTIM_SPARSE_ADAM } OptimKind;

typedef struct OptimizerValue {
    Value base;
    OptimKind kind;
    Value *defaults;     /* dict (owned) */
    Value *param_groups; /* list of dicts (owned) */
    Value *state;        /* dict: parameter → dict (owned) */
} OptimizerValue;

/* ---- the `required` sentinel (SGD's lr has no default) ---- */

static int repr_required(Interp *I, Value *self, StrBuf *out) {
    (void)I, (void)self;
    sb_append(out, "<required parameter>");
    return 0;
}

static const ValueType type_required = {.name = "_RequiredParameter",
                                        .module = "torch.optim.optimizer",
                                        .repr = repr_required};

/* ---- optimizer.state: a collections.defaultdict(dict) ---- */

/* "defaultdict(<class 'dict'>, {...})" */
static int repr_state(Interp *I, Value *self, StrBuf *out) {
    sb_append(out, "defaultdict(<class 'dict'>, ");
    if (type_dict.repr(I, self, out)) return -1;
    sb_append(out, ")");
    return 0;
}

/* state[p]: a missing parameter gets a new empty dict, as defaultdict(dict). */
static Value *getitem_state(Interp *I, Value *self, Value *key) {
    Value *v = val_dict_get(I, self, key);
    if (v) return val_retain(v);
    if (interp_has_error(I)) return NULL;
    Value *d = val_dict_new(I);
    if (!d || val_dict_set(I, self, key, d)) {
        val_release(d);
        return NULL;
    }
    return d;
}

/* A dict subtype: dict's slots and methods, defaultdict's repr and __getitem__. Built on
 * first use (a copy of type_dict cannot be a constant initializer). */
static const ValueType *state_type(void) {
    static ValueType type;
    static bool ready;
    if (!ready) {
        type = type_dict;
        type.name = "defaultdict";
        type.module = "collections";
        type.repr = repr_state;
        type.getitem = getitem_state;
        type.base = &type_dict;
        ready = true;
    }
    return &type;
}

static Value *state_new(Interp *I) {
    Value *d = val_dict_new(I);
    if (d) d->type = state_type();
    return d;
}

/* ---- helpers ---- */

static int set_str(Interp *I, Value *dict, const char *key, Value *v_take) {
    int rc = v_take ? val_dict_set_str(I, dict, key, v_take) : -1;
    val_release(v_take);
    return rc;
}

/* torch.typename(obj): "torch.FloatTensor" for a tensor, "int", "torch.nn.modules.linear.Linear". */
static void type_name_of(Value *v, StrBuf *out) {
    if (val_is_tensor(v)) {
        sb_append(out, dtype_legacy_name(tensor_of(v)->dtype));
        return;
    }
    if (v->type->module) sb_appendf(out, "%s.", v->type->module);
    sb_append(out, v->type->name);
}

/* "{}".format(v) into a ValueError message with the given prefix. */
static void value_error_with(Interp *I, const char *prefix, Value *v) {
    StrBuf sb;
    sb_init(&sb);
    if (val_str_of(I, v, &sb) == 0) interp_error(I, ERR_VALUE, "%s%s", prefix, sb_str(&sb));
    sb_free(&sb);
}

static int to_float(Interp *I, Value *v, double *out) { return builtins_to_float(I, v, out); }

/* A group option as a float (KeyError when the group lacks it). */
/* KeyError(key), as dict[key] raises it. */
static void raise_key(Interp *I, const char *key) {
    Value *k = val_str(I, key);
    if (k) exc_raise_key(I, k);
    val_release(k);
}

static int group_float(Interp *I, Value *group, const char *key, double *out) {
    Value *v = val_dict_get_str(I, group, key);
    if (!v) {
        if (!interp_has_error(I)) raise_key(I, key);
        return -1;
    }
    return to_float(I, v, out);
}

static int group_bool(Interp *I, Value *group, const char *key, bool *out) {
    Value *v = val_dict_get_str(I, group, key);
    if (!v) {
        *out = false;
        return interp_has_error(I) ? -1 : 0;
    }
    int t = val_truth(I, v);
    if (t < 0) return -1;
    *out = t;
    return 0;
}

/* betas as two floats. */
static int get_betas(Interp *I, Value *betas, double *b1, double *b2) {
    Value *k0 = val_int(I, 0), *k1 = val_int(I, 1);
    Value *v0 = k0 ? op_getitem(I, betas, k0) : NULL;
    Value *v1 = v0 && k1 ? op_getitem(I, betas, k1) : NULL;
    int rc = v1 && !to_float(I, v0, b1) && !to_float(I, v1, b2) ? 0 : -1;
    val_release(k0);
    val_release(k1);
    val_release(v0);
    val_release(v1);
    return rc;
}

/* Every group of `groups` must be a dict whose 'params' is a list or tuple (the user may
 * have put anything in opt.param_groups): TypeError / KeyError as Python would raise when
 * torch indexes and iterates them. */
static int check_groups(Interp *I, Value *groups) {
    if (!val_is_sequence(groups)) {
        interp_error(I, ERR_TYPE, "param_groups must be a list of dicts, not %s",
                     val_type_name(groups));
        return -1;
    }
    ListValue *gl = (ListValue *)groups;
    for (int64_t g = 0; g < gl->count; g++) {
        Value *group = gl->items[g];
        if (!val_is_instance(group, &type_dict)) {
            interp_error(I, ERR_TYPE, "'%s' object is not subscriptable", val_type_name(group));
            return -1;
        }
        Value *params = val_dict_get_str(I, group, "params");
        if (!params) {
            if (!interp_has_error(I)) {
                Value *k = val_str(I, "params");
                if (k) exc_raise_key(I, k);
                val_release(k);
            }
            return -1;
        }
        if (!val_is_sequence(params)) {
            interp_error(I, ERR_TYPE, "'%s' object is not iterable", val_type_name(params));
            return -1;
        }
    }
    return 0;
}

/* ---- the Optimizer type ---- */

static void destroy_optimizer(Value *self) {
    OptimizerValue *o = (OptimizerValue *)self;
    val_release(o->defaults);
    val_release(o->param_groups);
    val_release(o->state);
}

static void clear_optimizer(Value *self) {
    OptimizerValue *o = (OptimizerValue *)self;
    Value *a = o->defaults, *b = o->param_groups, *c = o->state;
    o->defaults = o->param_groups = o->state = NULL;
    val_release(a);
    val_release(b);
    val_release(c);
}

static int cmp_keys(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Optimizer.__repr__: the class name, then each group's options sorted by key. */
static int repr_optimizer(Interp *I, Value *self, StrBuf *out) {
    OptimizerValue *o = (OptimizerValue *)self;
    sb_appendf(out, "%s (", self->type->name);
    ListValue *groups = (ListValue *)o->param_groups;
    for (int64_t g = 0; groups && g < groups->count; g++) {
        sb_appendf(out, "\nParameter Group %lld\n", (long long)g);
        Value *group = groups->items[g];
        if (!val_is(group, &type_dict)) continue;
        DictValue *d = (DictValue *)group;
        Error err;
        const char **keys = d->count ? mem_calloc((size_t)d->count, sizeof *keys, &err) : NULL;
        if (d->count && !keys) return interp_raise(I, &err), -1;
        int64_t n = 0;
        for (int64_t i = 0; i < d->used; i++) {
            Value *k = d->entries[i].key;
            if (k && val_is_str(k) && strcmp(val_str_data(k), "params") != 0 && keys)
                keys[n++] = val_str_data(k);
        }
        if (n) qsort(keys, (size_t)n, sizeof *keys, cmp_keys);
        for (int64_t i = 0; i < n; i++) {
            sb_appendf(out, "    %s: ", keys[i]);
            if (val_str_of(I, val_dict_get_str(I, group, keys[i]), out)) {
                mem_free(keys);
                return -1;
            }
            sb_append(out, "\n");
        }
        mem_free(keys);
    }
    sb_append(out, ")");
    return 0;
}

static Value *getattr_optimizer(Interp *I, Value *self, const char *name) {
    OptimizerValue *o = (OptimizerValue *)self;
    (void)I;
    if (strcmp(name, "param_groups") == 0 && o->param_groups) return val_retain(o->param_groups);
    if (strcmp(name, "defaults") == 0 && o->defaults) return val_retain(o->defaults);
    if (strcmp(name, "state") == 0 && o->state) return val_retain(o->state);
    return NULL;
}

static int dir_optimizer(Interp *I, Value *self, Value *names) {
    (void)self;
    static const char *const attrs[] = {"add_param_group", "defaults", "load_state_dict",
                                        "param_groups", "state", "state_dict", "step",
                                        "zero_grad", NULL};
    for (int i = 0; attrs[i]; i++)
        if (val_list_append_take(I, names, val_str(I, attrs[i]))) return -1;
    return 0;
}

/* add_param_group(param_group), as torch.optim.Optimizer.add_param_group. */
static int add_param_group(Interp *I, OptimizerValue *o, Value *group) {
    if (!val_is(group, &type_dict)) {
        interp_error(I, ERR_ASSERTION, "param group must be a dict");
        return -1;
    }
    Value *params = val_dict_get_str(I, group, "params");
    if (!params) {
        if (!interp_has_error(I)) raise_key(I, "params");
        return -1;
    }
    Value *list;
    if (val_is_tensor(params)) {
        list = val_list_new(I, 1);
        if (list && val_list_append(I, list, params)) {
            val_release(list);
            list = NULL;
        }
    } else {
        list = op_to_list(I, params);
    }
    if (!list || set_str(I, group, "params", val_retain(list))) {
        val_release(list);
        return -1;
    }
    ListValue *pl = (ListValue *)list;
    int rc = 0;
    for (int64_t i = 0; i < pl->count && !rc; i++) {
        Value *p = pl->items[i];
        if (!val_is_tensor(p)) {
            StrBuf sb;
            sb_init(&sb);
            type_name_of(p, &sb);
            interp_error(I, ERR_TYPE,
                         "optimizer can only optimize Tensors, but one of the params is %s",
                         sb_str(&sb));
            sb_free(&sb);
            rc = -1;
        } else if (!ag_is_leaf(tensor_of(p))) {
            interp_error(I, ERR_VALUE, "can't optimize a non-leaf Tensor");
            rc = -1;
        }
    }
    DictValue *defaults = (DictValue *)o->defaults;
    for (int64_t i = 0; i < defaults->used && !rc; i++) {
        Value *k = defaults->entries[i].key, *v = defaults->entries[i].value;
        if (!k) continue;
        Value *have = val_dict_get(I, group, k);
        if (have) continue;
        if (interp_has_error(I)) rc = -1;
        else if (val_is(v, &type_required)) {
            interp_error(I, ERR_VALUE, "parameter group didn't specify a value of required "
                                       "optimization parameter %s", val_str_data(k));
            rc = -1;
        } else {
            rc = val_dict_set(I, group, k, v);
        }
    }
    for (int64_t i = 0; i < pl->count && !rc; i++)
        for (int64_t j = 0; j < i; j++)
            if (pl->items[i] == pl->items[j]) {
                torch_warn(I, "UserWarning: optimizer contains a parameter group with duplicate "
                              "parameters; in future, this will cause an error; see "
                              "github.com/pytorch/pytorch/issues/40967 for more information");
                i = pl->count;
                break;
            }
    if (!rc) rc = check_groups(I, o->param_groups);
    ListValue *groups = (ListValue *)o->param_groups;
    for (int64_t g = 0; g < groups->count && !rc; g++) {
        Value *other = val_dict_get_str(I, groups->items[g], "params");
        if (!other || !val_is_sequence(other)) continue;
        ListValue *ol = (ListValue *)other;
        for (int64_t i = 0; i < pl->count && !rc; i++)
            for (int64_t j = 0; j < ol->count; j++)
                if (pl->items[i] == ol->items[j]) {
                    interp_error(I, ERR_VALUE, "some parameters appear in more than one "
                                               "parameter group");
                    rc = -1;
                    break;
                }
    }
    if (!rc) rc = val_list_append(I, o->param_groups, group);
    val_release(list);
    return rc;
}

/* Optimizer.__init__(params, defaults); takes the defaults dict. */
static Value *optimizer_new(Interp *I, const ValueType *type, OptimKind kind, Value *params,
                            Value *defaults_take) {
    if (!defaults_take) return NULL;
    if (val_is_tensor(params)) {
        interp_error(I, ERR_TYPE, "params argument given to the optimizer should be an iterable "
                                  "of Tensors or dicts, but got %s",
                     dtype_legacy_name(tensor_of(params)->dtype));
        val_release(defaults_take);
        return NULL;
    }
    OptimizerValue *o = (OptimizerValue *)val_alloc(I, type, sizeof *o);
    if (!o) {
        val_release(defaults_take);
        return NULL;
    }
    o->kind = kind;
    o->defaults = defaults_take;
    o->param_groups = val_list_new(I, 1);
    o->state = state_new(I);
    Value *groups = o->param_groups && o->state ? op_to_list(I, params) : NULL;
    if (!groups) goto fail;
    ListValue *gl = (ListValue *)groups;
    if (gl->count == 0) {
        interp_error(I, ERR_VALUE, "optimizer got an empty parameter list");
        val_release(groups);
        goto fail;
    }
    if (!val_is(gl->items[0], &type_dict)) {
        Value *one = val_dict_new(I);
        Value *wrapped = one ? val_list_new(I, 1) : NULL;
        if (!wrapped || val_dict_set_str(I, one, "params", groups) ||
            val_list_append(I, wrapped, one)) {
            val_release(one);
            val_release(wrapped);
            val_release(groups);
            goto fail;
        }
        val_release(one);
        val_release(groups);
        groups = wrapped;
        gl = (ListValue *)groups;
    }
    for (int64_t i = 0; i < gl->count; i++)
        if (add_param_group(I, o, gl->items[i])) {
            val_release(groups);
            goto fail;
        }
    val_release(groups);
    return (Value *)o;
fail:
    val_release((Value *)o);
    return NULL;
}

/* The state dict of parameter p (created empty when absent; borrowed). */
static Value *param_state(Interp *I, OptimizerValue *o, Value *p) {
    Value *s = val_dict_get(I, o->state, p);
    if (s && !val_is_instance(s, &type_dict)) {
        interp_error(I, ERR_TYPE, "'%s' object is not subscriptable", val_type_name(s));
        return NULL;
    }
    if (s || interp_has_error(I)) return s;
    Value *d = val_dict_new(I);
    if (!d || val_dict_set(I, o->state, p, d)) {
        val_release(d);
        return NULL;
    }
    val_release(d);
    return val_dict_get(I, o->state, p);
}

/* A state tensor (borrowed), NULL when absent or not a dense tensor. */
static Tensor *state_tensor(Interp *I, Value *state, const char *key) {
    Value *v = val_dict_get_str(I, state, key);
    return v && val_is_tensor(v) ? tensor_of(v) : NULL;
}

/* state[key] = t_take; a NULL t_take (a failed core call) raises *err. */
static int state_set_tensor(Interp *I, Value *state, const char *key, Tensor *t_take,
                            const Error *err) {
    Value *v = tensor_value_take(I, t_take, err);
    return set_str(I, state, key, v);
}

static int raise_err(Interp *I, const Error *err) {
    interp_raise(I, err);
    return -1;
}

static int sgd_group(Interp *I, OptimizerValue *o, Value *group, ListValue *params) {
    SgdOptions opt;
    memset(&opt, 0, sizeof opt);
    if (group_float(I, group, "lr", &opt.lr) || group_float(I, group, "momentum", &opt.momentum) ||
        group_float(I, group, "dampening", &opt.dampening) ||
        group_float(I, group, "weight_decay", &opt.weight_decay) ||
        group_bool(I, group, "nesterov", &opt.nesterov) ||
        group_bool(I, group, "maximize", &opt.maximize))
        return -1;
    for (int64_t i = 0; i < params->count; i++) {
        Value *pv = params->items[i];
        if (!val_is_tensor(pv) || !tensor_of(pv)->grad) continue;
        Tensor *p = tensor_of(pv);
        Value *state = param_state(I, o, pv);
        if (!state) return -1;
        Value *bufv = val_dict_get_str(I, state, "momentum_buffer");
        Tensor *buf = NULL;
        if (bufv && (val_is_tensor(bufv) || val_is(bufv, &type_sparse_tensor)))
            buf = tensor_retain(tensor_of(bufv));
        Tensor *before = buf;
        Error err;
        err_clear(&err);
        int rc = optim_sgd_step(p, p->grad, &buf, &opt, &err);
        if (rc != ERR_OK) {
            tensor_release(buf);
            return raise_err(I, &err);
        }
        if (!buf) rc = set_str(I, state, "momentum_buffer", val_none(I));
        else if (buf != before) rc = state_set_tensor(I, state, "momentum_buffer", buf, &err);
        else tensor_release(buf);
        if (rc) return -1;
    }
    return 0;
}

static int adam_group(Interp *I, OptimizerValue *o, Value *group, ListValue *params) {
    AdamOptions opt;
    memset(&opt, 0, sizeof opt);
    Value *betas = val_dict_get_str(I, group, "betas");
    if (!betas) {
        if (!interp_has_error(I)) raise_key(I, "betas");
        return -1;
    }
    bool sparse_adam = o->kind == OPTIM_SPARSE_ADAM;
    if (get_betas(I, betas, &opt.beta1, &opt.beta2) || group_float(I, group, "lr", &opt.lr) ||
        group_float(I, group, "eps", &opt.eps) || group_bool(I, group, "maximize", &opt.maximize))
        return -1;
    if (!sparse_adam && (group_float(I, group, "weight_decay", &opt.weight_decay) ||
                         group_bool(I, group, "amsgrad", &opt.amsgrad)))
        return -1;
    opt.decoupled = o->kind == OPTIM_ADAMW;
    /* torch checks every gradient's layout before updating anything in the group. */
    for (int64_t i = 0; i < params->count; i++) {
        Value *pv = params->items[i];
        if (!val_is_tensor(pv) || !tensor_of(pv)->grad) continue;
        bool sp = sparse_is(tensor_of(pv)->grad);
        if (sp && !sparse_adam) {
            if (opt.decoupled)
                interp_error(I, ERR_RUNTIME, "AdamW does not support sparse gradients");
            else
                interp_error(I, ERR_RUNTIME, "Adam does not support sparse gradients, please "
                                             "consider SparseAdam instead");
            return -1;
        }
        if (!sp && sparse_adam) {
            interp_error(I, ERR_RUNTIME, "SparseAdam does not support dense gradients, please "
                                         "consider Adam instead");
            return -1;
        }
    }
    for (int64_t i = 0; i < params->count; i++) {
        Value *pv = params->items[i];
        if (!val_is_tensor(pv) || !tensor_of(pv)->grad) continue;
        Tensor *p = tensor_of(pv);
        Value *state = param_state(I, o, pv);
        if (!state) return -1;
        Error err;
        err_clear(&err);
        if (((DictValue *)state)->count == 0) {
            Value *step0 = sparse_adam ? val_int(I, 0)
                                       : tensor_value_take(I, tensor_scalar(DTYPE_FLOAT32, 0.0, &err),
                                                           &err);
            if (set_str(I, state, "step", step0) ||
                state_set_tensor(I, state, "exp_avg", optim_zeros_like(p, &err), &err) ||
                state_set_tensor(I, state, "exp_avg_sq", optim_zeros_like(p, &err), &err) ||
                (opt.amsgrad &&
                 state_set_tensor(I, state, "max_exp_avg_sq", optim_zeros_like(p, &err), &err)))
                return -1;
        }
        Tensor *m = state_tensor(I, state, "exp_avg"), *v = state_tensor(I, state, "exp_avg_sq");
        Tensor *mx = opt.amsgrad ? state_tensor(I, state, "max_exp_avg_sq") : NULL;
        Value *stepv = val_dict_get_str(I, state, "step");
        if (!m || !v || (opt.amsgrad && !mx) || !stepv) {
            if (!interp_has_error(I))
                raise_key(I, !stepv ? "step" : !m ? "exp_avg" : !v ? "exp_avg_sq" : "max_exp_avg_sq");
            return -1;
        }
        int rc;
        if (sparse_adam) {
            int64_t step = val_is_int(stepv) ? val_as_int(stepv) + 1 : 1;
            if (set_str(I, state, "step", val_int(I, step))) return -1;
            rc = optim_sparse_adam_step(p, p->grad, m, v, step, &opt, &err);
        } else {
            /* step_t += 1 on the float32 step tensor, then step = step_t.item(). */
            double step = 1.0;
            if (val_is_tensor(stepv)) {
                Tensor *st = tensor_of(stepv);
                double cur;
                if (tensor_item(st, &cur, &err) != ERR_OK) return raise_err(I, &err);
                step = st->dtype == DTYPE_FLOAT32 ? (double)(float)(cur + 1.0) : cur + 1.0;
                tensor_set(st, 0, step);
                tensor_bump_version(st);
            } else {
                if (to_float(I, stepv, &step)) return -1;
                step += 1.0;
                if (set_str(I, state, "step", val_float(I, step))) return -1;
            }
            rc = optim_adam_step(p, p->grad, m, v, mx, step, &opt, &err);
        }
        if (rc != ERR_OK) return raise_err(I, &err);
    }
    return 0;
}

/* step(closure=None) */
static Value *opt_step(Interp *I, Value *self, Value **argv) {
    OptimizerValue *o = (OptimizerValue *)self;
    Value *loss = NULL;
    if (argv[0] && !val_is_none(argv[0])) {
        bool was = torch_grad_enabled(I);
        torch_set_grad_enabled(I, true);
        loss = call_value(I, argv[0], NULL, 0);
        torch_set_grad_enabled(I, was);
        if (!loss) return NULL;
    }
    if (check_groups(I, o->param_groups)) {
        val_release(loss);
        return NULL;
    }
    ListValue *groups = (ListValue *)o->param_groups;
    for (int64_t g = 0; g < groups->count; g++) {
        Value *group = groups->items[g];
        Value *params = val_is(group, &type_dict) ? val_dict_get_str(I, group, "params") : NULL;
        if (!params || !val_is_sequence(params)) {
            if (!interp_has_error(I)) raise_key(I, "params");
            val_release(loss);
            return NULL;
        }
        val_retain(params);
        int rc = o->kind == OPTIM_SGD ? sgd_group(I, o, group, (ListValue *)params)
                                      : adam_group(I, o, group, (ListValue *)params);
        val_release(params);
        if (rc) {
            val_release(loss);
            return NULL;
        }
    }
    return loss ? loss : val_none(I);
}

/* zero_grad(set_to_none=False): 1.13 keeps the gradient tensors, zeroed in place. */
static Value *opt_zero_grad(Interp *I, Value *self, Value **argv) {
    OptimizerValue *o = (OptimizerValue *)self;
    int to_none = val_truth(I, argv[0]);
    if (to_none < 0 || check_groups(I, o->param_groups)) return NULL;
    ListValue *groups = (ListValue *)o->param_groups;
    for (int64_t g = 0; g < groups->count; g++) {
        Value *params = val_dict_get_str(I, groups->items[g], "params");
        if (!params || !val_is_sequence(params)) continue;
        ListValue *pl = (ListValue *)params;
        for (int64_t i = 0; i < pl->count; i++) {
            if (!val_is_tensor(pl->items[i])) continue;
            Tensor *p = tensor_of(pl->items[i]);
            if (!p->grad) continue;
            if (to_none) {
                tensor_release(p->grad);
                p->grad = NULL;
                continue;
            }
            Error err;
            err_clear(&err);
            p->grad->requires_grad = false;
            int rc = sparse_is(p->grad) ? sparse_zero_(p->grad, &err)
                                        : tensor_fill_(p->grad, 0.0, &err);
            if (rc != ERR_OK) return interp_raise(I, &err), NULL;
        }
    }
    return val_none(I);
}

static Value *opt_add_param_group(Interp *I, Value *self, Value **argv) {
    return add_param_group(I, (OptimizerValue *)self, argv[0]) ? NULL : val_none(I);
}

/* state_dict(): {'state': {index: state}, 'param_groups': [{options..., 'params': [i]}]}. */
static Value *opt_state_dict(Interp *I, Value *self, Value **argv) {
    (void)argv;
    OptimizerValue *o = (OptimizerValue *)self;
    if (check_groups(I, o->param_groups)) return NULL;
    Value *ids = val_dict_new(I); /* parameter → index */
    Value *packed_groups = ids ? val_list_new(I, 1) : NULL;
    Value *packed_state = packed_groups ? val_dict_new(I) : NULL;
    Value *result = packed_state ? val_dict_new(I) : NULL;
    int rc = result ? 0 : -1;
    int64_t next = 0;
    ListValue *groups = (ListValue *)o->param_groups;
    for (int64_t g = 0; g < groups->count && !rc; g++) {
        DictValue *d = (DictValue *)groups->items[g];
        Value *packed = val_dict_new(I);
        Value *plist = packed ? val_list_new(I, 1) : NULL;
        rc = plist ? 0 : -1;
        for (int64_t i = 0; i < d->used && !rc; i++) {
            Value *k = d->entries[i].key;
            if (!k) continue;
            if (val_is_str(k) && strcmp(val_str_data(k), "params") == 0) {
                Value *params = d->entries[i].value;
                if (!val_is_sequence(params)) continue;
                ListValue *pl = (ListValue *)params;
                for (int64_t j = 0; j < pl->count && !rc; j++) {
                    Value *idx = val_dict_get(I, ids, pl->items[j]);
                    if (!idx) {
                        if (interp_has_error(I)) {
                            rc = -1;
                            break;
                        }
                        Value *n = val_int(I, next++);
                        rc = !n || val_dict_set(I, ids, pl->items[j], n);
                        val_release(n);
                        idx = rc ? NULL : val_dict_get(I, ids, pl->items[j]);
                    }
                    if (!rc) rc = val_list_append(I, plist, idx);
                }
            } else {
                rc = val_dict_set(I, packed, k, d->entries[i].value);
            }
        }
        if (!rc) rc = val_dict_set_str(I, packed, "params", plist);
        if (!rc) rc = val_list_append(I, packed_groups, packed);
        val_release(plist);
        val_release(packed);
    }
    DictValue *st = (DictValue *)o->state;
    for (int64_t i = 0; i < st->used && !rc; i++) {
        Value *k = st->entries[i].key;
        if (!k) continue;
        Value *idx = val_dict_get(I, ids, k);
        if (interp_has_error(I)) rc = -1;
        else rc = val_dict_set(I, packed_state, idx ? idx : k, st->entries[i].value);
    }
    if (!rc) rc = val_dict_set_str(I, result, "state", packed_state);
    if (!rc) rc = val_dict_set_str(I, result, "param_groups", packed_groups);
    val_release(ids);
    val_release(packed_groups);
    val_release(packed_state);
    if (rc) {
        val_release(result);
        return NULL;
    }
    return result;
}

/* deepcopy + Optimizer.load_state_dict's cast(): tensors cloned (and, except under the
 * key "step", converted to the parameter's floating dtype), dicts and lists copied. */
static Value *copy_cast(Interp *I, Tensor *param, Value *v, const char *key) {
    Error err;
    err_clear(&err);
    if (val_is(v, &type_sparse_tensor)) return tensor_value_take(I, sparse_clone(tensor_of(v), &err), &err);
    if (val_is_tensor(v)) {
        Tensor *t = tensor_of(v);
        Tensor *c = tensor_clone(t, &err);
        if (c && param && (!key || strcmp(key, "step") != 0) && dtype_is_floating(param->dtype) &&
            c->dtype != param->dtype) {
            Tensor *d = tensor_to_dtype(c, param->dtype, &err);
            tensor_release(c);
            c = d;
        }
        if (c) c->requires_grad = t->requires_grad && dtype_is_floating(c->dtype);
        return tensor_value_take(I, c, &err);
    }
    if (val_is(v, &type_dict)) {
        DictValue *d = (DictValue *)v;
        Value *r = val_dict_new(I);
        for (int64_t i = 0; r && i < d->used; i++) {
            Value *k = d->entries[i].key;
            if (!k) continue;
            Value *c = copy_cast(I, param, d->entries[i].value, val_is_str(k) ? val_str_data(k) : NULL);
            if (!c || val_dict_set(I, r, k, c)) {
                val_release(c);
                val_release(r);
                return NULL;
            }
            val_release(c);
        }
        return r;
    }
    if (val_is(v, &type_list)) {
        ListValue *l = (ListValue *)v;
        Value *r = val_list_new(I, l->count);
        for (int64_t i = 0; r && i < l->count; i++)
            if (val_list_append_take(I, r, copy_cast(I, param, l->items[i], NULL))) {
                val_release(r);
                return NULL;
            }
        return r;
    }
    return val_retain(v);
}

static Value *dict_item(Interp *I, Value *d, const char *key) {
    Value *v = val_is_instance(d, &type_dict) ? val_dict_get_str(I, d, key) : NULL;
    if (!v && !interp_has_error(I)) {
        if (val_is_instance(d, &type_dict)) raise_key(I, key);
        else interp_error(I, ERR_TYPE, "'%s' object is not subscriptable", val_type_name(d));
    }
    return v;
}

/* load_state_dict(state_dict), as torch.optim.Optimizer.load_state_dict. */
static Value *opt_load_state_dict(Interp *I, Value *self, Value **argv) {
    OptimizerValue *o = (OptimizerValue *)self;
    Value *saved_groups = dict_item(I, argv[0], "param_groups");
    Value *saved_state = saved_groups ? dict_item(I, argv[0], "state") : NULL;
    if (!saved_state) return NULL;
    if (check_groups(I, o->param_groups) || check_groups(I, saved_groups)) return NULL;
    ListValue *groups = (ListValue *)o->param_groups, *sg = (ListValue *)saved_groups;
    if (groups->count != sg->count) {
        interp_error(I, ERR_VALUE, "loaded state dict has a different number of parameter groups");
        return NULL;
    }
    for (int64_t g = 0; g < sg->count; g++) {
        Value *a = dict_item(I, groups->items[g], "params");
        Value *b = a ? dict_item(I, sg->items[g], "params") : NULL;
        if (!b) return NULL;
        int64_t la = op_len(I, a), lb = la >= 0 ? op_len(I, b) : -1;
        if (lb < 0) return NULL;
        if (la != lb) {
            interp_error(I, ERR_VALUE, "loaded state dict contains a parameter group that doesn't "
                                       "match the size of optimizer's group");
            return NULL;
        }
    }
    /* saved id -> current parameter */
    Value *id_map = val_dict_new(I);
    Value *new_state = id_map ? state_new(I) : NULL;
    Value *new_groups = new_state ? val_list_new(I, sg->count) : NULL;
    int rc = new_groups ? 0 : -1;
    for (int64_t g = 0; g < sg->count && !rc; g++) {
        ListValue *cur = (ListValue *)val_dict_get_str(I, groups->items[g], "params");
        Value *ids = val_dict_get_str(I, sg->items[g], "params");
        Value *idl = ids ? op_to_list(I, ids) : NULL;
        if (!idl) {
            rc = -1;
            break;
        }
        for (int64_t i = 0; i < cur->count && !rc; i++)
            rc = val_dict_set(I, id_map, ((ListValue *)idl)->items[i], cur->items[i]);
        val_release(idl);
        Value *ng = rc ? NULL : copy_cast(I, NULL, sg->items[g], NULL);
        if (!ng || val_dict_set_str(I, ng, "params", (Value *)cur) || val_list_append(I, new_groups, ng))
            rc = -1;
        val_release(ng);
    }
    DictValue *st = val_is_instance(saved_state, &type_dict) ? (DictValue *)saved_state : NULL;
    for (int64_t i = 0; st && i < st->used && !rc; i++) {
        Value *k = st->entries[i].key;
        if (!k) continue;
        Value *param = val_dict_get(I, id_map, k);
        if (interp_has_error(I)) {
            rc = -1;
            break;
        }
        Value *c = copy_cast(I, param && val_is_tensor(param) ? tensor_of(param) : NULL,
                             st->entries[i].value, NULL);
        rc = !c || val_dict_set(I, new_state, param ? param : k, c);
        val_release(c);
    }
    val_release(id_map);
    if (rc) {
        val_release(new_state);
        val_release(new_groups);
        return NULL;
    }
    val_release(o->state);
    val_release(o->param_groups);
    o->state = new_state;
    o->param_groups = new_groups;
    return val_none(I);
}

static const BuiltinSpec optimizer_methods[] = {
    {"step", opt_step, "(closure=None)", "Performs a single optimization step (parameter update)."},
    {"zero_grad", opt_zero_grad, "(set_to_none=False)",
     "Sets the gradients of all optimized tensors to zero (or to None with set_to_none=True)."},
    {"add_param_group", opt_add_param_group, "(param_group)",
     "Add a param group to the Optimizer's param_groups."},
    {"state_dict", opt_state_dict, "()", "Returns the state of the optimizer as a dict."},
    {"load_state_dict", opt_load_state_dict, "(state_dict)",
     "Loads the optimizer state (a dict returned by state_dict())."},
    {NULL, NULL, NULL, NULL},
};

#define OPTIMIZER_SLOTS                                                                   \
    .destroy = destroy_optimizer, .clear = clear_optimizer, .repr = repr_optimizer,       \
    .getattr = getattr_optimizer, .dir = dir_optimizer, .methods = optimizer_methods

static const ValueType type_optimizer = {
    .name = "Optimizer", .module = "torch.optim.optimizer", OPTIMIZER_SLOTS,
    .init_signature = "(params, defaults)", .doc = "Base class for all optimizers."};

#define SGD_SIGNATURE                                                                       \
    "(params, lr=?, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, "           \
    "maximize=False, foreach=None, differentiable=False)"
#define ADAM_SIGNATURE                                                                      \
    "(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False, *, " \
    "foreach=None, maximize=False, capturable=False, differentiable=False, fused=False)"
#define ADAMW_SIGNATURE                                                                     \
    "(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False, *, " \
    "maximize=False, foreach=None, capturable=False)"
#define SPARSE_ADAM_SIGNATURE "(params, lr=0.001, betas=(0.9, 0.999), eps=1e-08, maximize=False)"

static const ValueType type_sgd = {
    .name = "SGD", .module = "torch.optim.sgd", OPTIMIZER_SLOTS, .base = &type_optimizer,
    .init_signature = SGD_SIGNATURE,
    .doc = "Implements stochastic gradient descent (optionally with momentum)."};
static const ValueType type_adam = {.name = "Adam", .module = "torch.optim.adam", OPTIMIZER_SLOTS,
                                    .base = &type_optimizer, .init_signature = ADAM_SIGNATURE,
                                    .doc = "Implements Adam algorithm."};
static const ValueType type_adamw = {.name = "AdamW", .module = "torch.optim.adamw",
                                     OPTIMIZER_SLOTS, .base = &type_optimizer,
                                     .init_signature = ADAMW_SIGNATURE,
                                     .doc = "Implements AdamW algorithm."};
static const ValueType type_sparse_adam = {
    .name = "SparseAdam", .module = "torch.optim.sparse_adam", OPTIMIZER_SLOTS,
    .base = &type_optimizer, .init_signature = SPARSE_ADAM_SIGNATURE,
    .doc = "Implements lazy version of Adam algorithm suitable for sparse tensors."};

/* ---- constructors ---- */

static int bind(Interp *I, const BuiltinSpec *spec, CallArgs *args, Value **argv,
                Signature **sig) {
    *sig = builtin_signature(I, spec);
    return *sig ? sig_bind(I, *sig, spec->name, args, argv) : -1;
}

/* Fills a defaults dict from names and bound values (NULL value: the required sentinel). */
static Value *make_defaults(Interp *I, const char *const *names, Value **values, int n) {
    Value *d = val_dict_new(I);
    for (int i = 0; d && i < n; i++) {
        Value *v = values[i] ? val_retain(values[i]) : val_alloc(I, &type_required, sizeof(Value));
        if (set_str(I, d, names[i], v)) {
            val_release(d);
            return NULL;
        }
    }
    return d;
}

/* Compares a number argument: 1 when `v < bound` (or <= with or_equal), -1 on error. */
static int below(Interp *I, Value *v, double bound, bool or_equal) {
    double x;
    if (to_float(I, v, &x)) return -1;
    return or_equal ? !(x > bound) : x < bound;
}

static Value *construct_sgd(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"SGD", NULL, SGD_SIGNATURE, NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind(I, &spec, args, argv, &sig)) return NULL;
    Value *r = NULL;
    int c;
    if (argv[1] && (c = below(I, argv[1], 0.0, false)) != 0) {
        if (c > 0) value_error_with(I, "Invalid learning rate: ", argv[1]);
    } else if ((c = below(I, argv[2], 0.0, false)) != 0) {
        if (c > 0) value_error_with(I, "Invalid momentum value: ", argv[2]);
    } else if ((c = below(I, argv[4], 0.0, false)) != 0) {
        if (c > 0) value_error_with(I, "Invalid weight_decay value: ", argv[4]);
    } else {
        static const char *const names[] = {"lr",       "momentum", "dampening", "weight_decay",
                                            "nesterov", "maximize", "foreach",   "differentiable"};
        Value *vals[] = {argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], argv[8]};
        int nest = val_truth(I, argv[5]);
        double mom = 0, damp = 0;
        if (nest >= 0 && !to_float(I, argv[2], &mom) && !to_float(I, argv[3], &damp)) {
            if (nest && (mom <= 0 || damp != 0))
                interp_error(I, ERR_VALUE, "Nesterov momentum requires a momentum and zero "
                                           "dampening");
            else
                r = optimizer_new(I, &type_sgd, OPTIM_SGD, argv[0],
                                  make_defaults(I, names, vals, 8));
        }
    }
    sig_release_bound(sig, argv);
    return r;
}

/* Adam's and SparseAdam's checks of lr, eps and betas (strict: SparseAdam's lr and eps
 * must be > 0). 0 when valid. */
static int check_adam_args(Interp *I, Value *lr, Value *eps, Value *betas, bool strict) {
    int c;
    if ((c = below(I, lr, 0.0, strict)) != 0) {
        if (c > 0) value_error_with(I, "Invalid learning rate: ", lr);
        return -1;
    }
    if ((c = below(I, eps, 0.0, strict)) != 0) {
        if (c > 0) value_error_with(I, "Invalid epsilon value: ", eps);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        Value *k = val_int(I, i);
        Value *b = k ? op_getitem(I, betas, k) : NULL;
        val_release(k);
        if (!b) return -1;
        double x;
        int rc = to_float(I, b, &x);
        if (!rc && !(x >= 0.0 && x < 1.0)) {
            char prefix[64];
            snprintf(prefix, sizeof prefix, "Invalid beta parameter at index %d: ", i);
            value_error_with(I, prefix, b);
            rc = -1;
        }
        val_release(b);
        if (rc) return -1;
    }
    return 0;
}

static Value *construct_adam(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"Adam", NULL, ADAM_SIGNATURE, NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind(I, &spec, args, argv, &sig)) return NULL;
    Value *r = NULL;
    int c = 0;
    if (!check_adam_args(I, argv[1], argv[3], argv[2], false) &&
        (c = below(I, argv[4], 0.0, false)) == 0) {
        int fused = val_truth(I, argv[10]);
        if (fused > 0)
            interp_error(I, ERR_RUNTIME,
                         "FusedAdam requires all the params to be CUDA, floating point");
        else if (fused == 0) {
            static const char *const names[] = {"lr",      "betas",      "eps",
                                                "weight_decay", "amsgrad", "maximize",
                                                "foreach", "capturable", "differentiable",
                                                "fused"};
            Value *vals[] = {argv[1], argv[2], argv[3], argv[4], argv[5],
                             argv[7], argv[6], argv[8], argv[9], argv[10]};
            r = optimizer_new(I, &type_adam, OPTIM_ADAM, argv[0], make_defaults(I, names, vals, 10));
        }
    } else if (c > 0) {
        value_error_with(I, "Invalid weight_decay value: ", argv[4]);
    }
    sig_release_bound(sig, argv);
    return r;
}

static Value *construct_adamw(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"AdamW", NULL, ADAMW_SIGNATURE, NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind(I, &spec, args, argv, &sig)) return NULL;
    Value *r = NULL;
    int c = 0;
    if (!check_adam_args(I, argv[1], argv[3], argv[2], false) &&
        (c = below(I, argv[4], 0.0, false)) == 0) {
        static const char *const names[] = {"lr",      "betas",    "eps",       "weight_decay",
                                            "amsgrad", "foreach",  "maximize",  "capturable"};
        Value *vals[] = {argv[1], argv[2], argv[3], argv[4], argv[5], argv[7], argv[6], argv[8]};
        r = optimizer_new(I, &type_adamw, OPTIM_ADAMW, argv[0], make_defaults(I, names, vals, 8));
    } else if (c > 0) {
        value_error_with(I, "Invalid weight_decay value: ", argv[4]);
    }
    sig_release_bound(sig, argv);
    return r;
}

static Value *construct_sparse_adam(Interp *I, CallArgs *args) {
    static const BuiltinSpec spec = {"SparseAdam", NULL, SPARSE_ADAM_SIGNATURE, NULL};
    Value *argv[SIG_MAX_PARAMS];
    Signature *sig;
    if (bind(I, &spec, args, argv, &sig)) return NULL;
    Value *r = NULL;
    if (!check_adam_args(I, argv[1], argv[3], argv[2], true)) {
        static const char *const names[] = {"lr", "betas", "eps", "maximize"};
        Value *vals[] = {argv[1], argv[2], argv[3], argv[4]};
        r = optimizer_new(I, &type_sparse_adam, OPTIM_SPARSE_ADAM, argv[0],
                          make_defaults(I, names, vals, 4));
    }
    sig_release_bound(sig, argv);
    return r;
}

static Value *construct_optimizer(Interp *I, CallArgs *args) {
    (void)args;
    interp_error(I, ERR_NOT_IMPLEMENTED, "torch.optim.Optimizer is a base class: use SGD, "
                                         "Adam, AdamW or SparseAdam");
    return NULL;
}

/* ---- the module ---- */

static int set_class(Interp *I, Value *m, const ValueType *type,
                     Value *(*construct)(Interp *I, CallArgs *args)) {
    if (builtins_set_constructor(I, type, construct)) return -1;
    Value *t = builtins_type_value(I, type);
    int rc = t ? module_set(I, m, type->name, t) : -1;
    val_release(t);
    return rc;
}

static int init_optim(Interp *I, Value *m) {
    return set_class(I, m, &type_optimizer, construct_optimizer) ||
           set_class(I, m, &type_sgd, construct_sgd) ||
           set_class(I, m, &type_adam, construct_adam) ||
           set_class(I, m, &type_adamw, construct_adamw) ||
           set_class(I, m, &type_sparse_adam, construct_sparse_adam)
               ? -1
               : 0;
}

const ModuleDef module_def_optim = {"torch.optim", NULL, init_optim,
                                    "Optimization algorithms (PyTorch 1.13): SGD, Adam, AdamW, SparseAdam."};
