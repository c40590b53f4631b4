/*
 * src/lang/mod_nn_init.c — `torch.nn.init`: the in-place initialisers of PyTorch 1.13,
 * bit-exact with the session's generator (core/init.h). Each returns its tensor, as torch
 * does, and runs under no_grad (so parameters can be initialised in place).
 * See LICENSE (GPL-3.0-or-later).
 */
#include <string.h>

#include "core/init.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"

static Generator *generator(Interp *I) {
    TorchState *ts = torch_state(I);
    return ts ? ts->generator : NULL;
}

/* Common epilogue: raise err or return the tensor (a new reference). */
static Value *done(Interp *I, Value *tensor, int rc, Error *err) {
    if (rc) return interp_raise(I, err), NULL;
    tensor_bump_version(tensor_of(tensor));
    return val_retain(tensor);
}

static void warn(Interp *I, const char *text) {
    interp_write(I, 2, text, strlen(text));
}

static Tensor *target(Interp *I, Value *v, const char *fn) {
    if (val_is_tensor(v)) return tensor_of(v);
    interp_error(I, ERR_ATTRIBUTE, "'%s' object has no attribute '%s'", val_type_name(v),
                 strcmp(fn, "constant_") == 0 ? "fill_" : "uniform_");
    return NULL;
}

static Value *i_uniform_(Interp *I, Value *self, Value **argv) {
    (void)self;
    double a, b;
    Tensor *t = target(I, argv[0], "uniform_");
    Generator *g = t ? generator(I) : NULL;
    if (!g || arg_float(I, argv[1], "uniform_", "a", &a) || arg_float(I, argv[2], "uniform_", "b", &b))
        return NULL;
    Error err;
    return done(I, argv[0], init_uniform_(t, a, b, g, &err), &err);
}

static Value *i_normal_(Interp *I, Value *self, Value **argv) {
    (void)self;
    double mean, std;
    Tensor *t = target(I, argv[0], "normal_");
    Generator *g = t ? generator(I) : NULL;
    if (!g || arg_float(I, argv[1], "normal_", "mean", &mean) ||
        arg_float(I, argv[2], "normal_", "std", &std))
        return NULL;
    Error err;
    return done(I, argv[0], init_normal_(t, mean, std, g, &err), &err);
}

static Value *i_trunc_normal_(Interp *I, Value *self, Value **argv) {
    (void)self;
    double mean, std, a, b;
    Tensor *t = target(I, argv[0], "trunc_normal_");
    Generator *g = t ? generator(I) : NULL;
    if (!g || arg_float(I, argv[1], "trunc_normal_", "mean", &mean) ||
        arg_float(I, argv[2], "trunc_normal_", "std", &std) ||
        arg_float(I, argv[3], "trunc_normal_", "a", &a) ||
        arg_float(I, argv[4], "trunc_normal_", "b", &b))
        return NULL;
    if (init_trunc_normal_warns(mean, std, a, b))
        warn(I, "UserWarning: mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                "distribution of values may be incorrect.\n");
    Error err;
    return done(I, argv[0], init_trunc_normal_(t, mean, std, a, b, g, &err), &err);
}

static Value *i_constant_(Interp *I, Value *self, Value **argv) {
    (void)self;
    double v;
    Tensor *t = target(I, argv[0], "constant_");
    if (!t || arg_float(I, argv[1], "constant_", "val", &v)) return NULL;
    Error err;
    return done(I, argv[0], init_constant_(t, v, &err), &err);
}

static Value *i_zeros_(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = target(I, argv[0], "zeros_");
    if (!t) return NULL;
    Error err;
    return done(I, argv[0], init_zeros_(t, &err), &err);
}

static Value *i_ones_(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = target(I, argv[0], "ones_");
    if (!t) return NULL;
    Error err;
    return done(I, argv[0], init_ones_(t, &err), &err);
}

static Value *i_eye_(Interp *I, Value *self, Value **argv) {
    (void)self;
    Tensor *t = target(I, argv[0], "eye_");
    if (!t) return NULL;
    Error err;
    return done(I, argv[0], init_eye_(t, &err), &err);
}

static Value *xavier(Interp *I, Value **argv, bool uniform) {
    const char *fn = uniform ? "xavier_uniform_" : "xavier_normal_";
    double gain;
    Tensor *t = target(I, argv[0], fn);
    Generator *g = t ? generator(I) : NULL;
    if (!g || arg_float(I, argv[1], fn, "gain", &gain)) return NULL;
    Error err;
    int rc = uniform ? init_xavier_uniform_(t, gain, g, &err) : init_xavier_normal_(t, gain, g, &err);
    return done(I, argv[0], rc, &err);
}
static Value *i_xavier_uniform_(Interp *I, Value *self, Value **argv) { (void)self; return xavier(I, argv, true); }
static Value *i_xavier_normal_(Interp *I, Value *self, Value **argv) { (void)self; return xavier(I, argv, false); }

static Value *kaiming(Interp *I, Value **argv, bool uniform) {
    const char *fn = uniform ? "kaiming_uniform_" : "kaiming_normal_";
    Tensor *t = target(I, argv[0], fn);
    Generator *g = t ? generator(I) : NULL;
    if (!g) return NULL;
    double a = 0;
    StrBuf invalid = SB_INIT;
    if (val_is_number(argv[1]) && !val_is(argv[1], &type_bool)) a = val_as_float(argv[1]);
    else if (val_str_of(I, argv[1], &invalid)) return NULL; /* str(), as torch formats it */
    if (!val_is_str(argv[2]) || !val_is_str(argv[3])) {
        sb_free(&invalid);
        interp_error(I, ERR_TYPE, "%s(): mode and nonlinearity must be strings", fn);
        return NULL;
    }
    Error err;
    bool noop = false;
    const char *bad = invalid.len ? sb_str(&invalid) : NULL;
    int rc = uniform ? init_kaiming_uniform_(t, a, bad, val_str_data(argv[2]), val_str_data(argv[3]),
                                             g, &noop, &err)
                     : init_kaiming_normal_(t, a, bad, val_str_data(argv[2]), val_str_data(argv[3]),
                                            g, &noop, &err);
    sb_free(&invalid);
    if (rc == 0 && noop) warn(I, "UserWarning: Initializing zero-element tensors is a no-op\n");
    return done(I, argv[0], rc, &err);
}
static Value *i_kaiming_uniform_(Interp *I, Value *self, Value **argv) { (void)self; return kaiming(I, argv, true); }
static Value *i_kaiming_normal_(Interp *I, Value *self, Value **argv) { (void)self; return kaiming(I, argv, false); }

static Value *i_orthogonal_(Interp *I, Value *self, Value **argv) {
    (void)self;
    double gain;
    Tensor *t = target(I, argv[0], "orthogonal_");
    Generator *g = t ? generator(I) : NULL;
    if (!g || arg_float(I, argv[1], "orthogonal_", "gain", &gain)) return NULL;
    Error err;
    return done(I, argv[0], init_orthogonal_(t, gain, g, &err), &err);
}

static Value *i_calculate_gain(Interp *I, Value *self, Value **argv) {
    (void)self;
    if (!val_is_str(argv[0])) {
        StrBuf sb = SB_INIT;
        val_str_of(I, argv[0], &sb);
        interp_error(I, ERR_VALUE, "Unsupported nonlinearity %s", sb_str(&sb));
        sb_free(&sb);
        return NULL;
    }
    bool has_param = !val_is_none(argv[1]);
    double param = 0;
    StrBuf invalid = SB_INIT;
    if (has_param) {
        if (val_is_number(argv[1]) && !val_is(argv[1], &type_bool)) param = val_as_float(argv[1]);
        else if (val_str_of(I, argv[1], &invalid)) return NULL; /* str(), as torch formats it */
    }
    double gain;
    Error err;
    int rc = init_calculate_gain(val_str_data(argv[0]), has_param, param,
                                 invalid.len ? sb_str(&invalid) : NULL, &gain, &err);
    sb_free(&invalid);
    if (rc) return interp_raise(I, &err), NULL;
    /* linear/conv/sigmoid give the int 1 in Python; the others are floats. */
    const char *n = val_str_data(argv[0]);
    bool int_one = strcmp(n, "linear") == 0 || strncmp(n, "conv", 4) == 0 ||
                   strcmp(n, "sigmoid") == 0;
    return int_one ? val_int(I, 1) : val_float(I, gain);
}

static const BuiltinSpec init_functions[] = {
    {"uniform_", i_uniform_, "(tensor, a=0.0, b=1.0)",
     "Fills the tensor with values drawn from the uniform distribution U(a, b)."},
    {"normal_", i_normal_, "(tensor, mean=0.0, std=1.0)",
     "Fills the tensor with values drawn from the normal distribution N(mean, std^2)."},
    {"trunc_normal_", i_trunc_normal_, "(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0)",
     "Fills the tensor with values drawn from a normal distribution truncated to [a, b]."},
    {"constant_", i_constant_, "(tensor, val)", "Fills the tensor with the value val."},
    {"zeros_", i_zeros_, "(tensor)", "Fills the tensor with the scalar value 0."},
    {"ones_", i_ones_, "(tensor)", "Fills the tensor with the scalar value 1."},
    {"eye_", i_eye_, "(tensor)", "Fills the 2-dimensional tensor with the identity matrix."},
    {"xavier_uniform_", i_xavier_uniform_, "(tensor, gain=1.0)",
     "Glorot/Xavier uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."},
    {"xavier_normal_", i_xavier_normal_, "(tensor, gain=1.0)",
     "Glorot/Xavier normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."},
    {"kaiming_uniform_", i_kaiming_uniform_,
     "(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')",
     "He/Kaiming uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan_mode)."},
    {"kaiming_normal_", i_kaiming_normal_,
     "(tensor, a=0, mode='fan_in', nonlinearity='leaky_relu')",
     "He/Kaiming normal: N(0, std^2) with std = gain / sqrt(fan_mode)."},
    {"orthogonal_", i_orthogonal_, "(tensor, gain=1)",
     "Fills the tensor with a (semi) orthogonal matrix (QR of a normal sample)."},
    {"calculate_gain", i_calculate_gain, "(nonlinearity, param=None)",
     "Returns the recommended gain value for the given nonlinearity function."},
    {NULL, NULL, NULL, NULL},
};

const ModuleDef module_def_nn_init = {"torch.nn.init", init_functions, NULL,
                                      "Initialisation of tensors (PyTorch 1.13's nn.init)."};
