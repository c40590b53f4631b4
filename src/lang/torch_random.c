/*
 * src/lang/torch_random.c — torch's random functions (manual_seed, randn, rand, randint,
 * randperm, normal), torch.Generator objects, and the in-place random Tensor methods
 * (normal_, uniform_, random_, bernoulli_, exponential_). The numbers are PyTorch 1.13's,
 * bit for bit (core/rng.h). See LICENSE (GPL-3.0-or-later).
 */
#include <string.h>

#include "core/mem.h"
#include "core/rng.h"
#include "lang/builtins.h"
#include "lang/interp.h"
#include "lang/module.h"
#include "lang/return_types.h"
#include "lang/torch_state.h"
#include "lang/torch_value.h"

/* ---- torch.Generator ---- */

typedef struct GeneratorValue {
    Value base;
    Generator *gen;  /* owned, or borrowed from TorchState when `is_default` */
    bool is_default;
} GeneratorValue;

static void destroy_generator(Value *self) {
    GeneratorValue *g = (GeneratorValue *)self;
    if (!g->is_default) rng_free(g->gen);
}

static int repr_generator(Interp *I, Value *self, StrBuf *out) {
    (void)I;
    sb_appendf(out, "<torch._C.Generator object at %p>", (void *)self);
    return 0;
}

static Value *seed_value(Interp *I, Value *v, uint64_t *seed) {
    if (!val_is_int(v)) {
        interp_error(I, ERR_TYPE, "manual_seed expected a long, but got %s", val_type_name(v));
        return NULL;
    }
    int64_t s = val_as_int(v);
    Error err;
    if (rng_seed_from_python(s < 0, s < 0 ? (uint64_t)0 - (uint64_t)s : (uint64_t)s, false, seed,
                             &err))
        return interp_raise(I, &err), NULL;
    return I->none;
}

static Value *gen_manual_seed(Interp *I, Value *self, Value **argv) {
    uint64_t seed;
    if (!seed_value(I, argv[0], &seed)) return NULL;
    rng_init(((GeneratorValue *)self)->gen, seed);
    return val_retain(self);
}

static Value *gen_initial_seed(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return val_int(I, (int64_t)rng_initial_seed(((GeneratorValue *)self)->gen));
}

static const BuiltinSpec generator_methods[] = {
    {"manual_seed", gen_manual_seed, "(seed)", "Sets the seed for generating random numbers."},
    {"initial_seed", gen_initial_seed, "()", "Returns the initial seed for generating random numbers."},
    {NULL, NULL, NULL, NULL},
};

static const ValueType type_generator = {.name = "Generator", .tp_name = "torch._C.Generator",
                                         .module = "torch._C",
                                         .destroy = destroy_generator,
                                         .repr = repr_generator,
                                         .methods = generator_methods};

static Value *construct_generator(Interp *I, CallArgs *args) {
    if (args->nargs > 1 || (args->nargs == 1 && !torch_is_cpu_device(I, args->args[0]))) {
        interp_error(I, ERR_RUNTIME, "embedlab has only the 'cpu' device");
        return NULL;
    }
    GeneratorValue *g = (GeneratorValue *)val_alloc(I, &type_generator, sizeof *g);
    if (!g) return NULL;
    Error err;
    g->gen = rng_new(RNG_DEFAULT_SEED, &err);
    if (!g->gen) {
        val_release((Value *)g);
        interp_raise(I, &err);
        return NULL;
    }
    return (Value *)g;
}

/* The generator to use: the `generator=` argument, else the session's default. */
static Generator *pick_generator(Interp *I, Value *arg) {
    if (arg && !val_is_none(arg)) {
        if (!val_is(arg, &type_generator)) {
            interp_error(I, ERR_TYPE, "argument 'generator' must be torch.Generator, not %s",
                         val_type_name(arg));
            return NULL;
        }
        return ((GeneratorValue *)arg)->gen;
    }
    TorchState *ts = torch_state(I);
    return ts ? ts->generator : NULL;
}

/* ---- torch functions ---- */

static Value *t_manual_seed(Interp *I, Value *self, Value **argv) {
    (void)self;
    uint64_t seed;
    TorchState *ts = torch_state(I);
    if (!ts || !seed_value(I, argv[0], &seed)) return NULL;
    rng_init(ts->generator, seed);
    GeneratorValue *g = (GeneratorValue *)val_alloc(I, &type_generator, sizeof *g);
    if (!g) return NULL;
    g->gen = ts->generator;
    g->is_default = true;
    return (Value *)g;
}

static Value *t_initial_seed(Interp *I, Value *self, Value **argv) {
    (void)self, (void)argv;
    TorchState *ts = torch_state(I);
    return ts ? val_int(I, (int64_t)rng_initial_seed(ts->generator)) : NULL;
}

static Value *finish(Interp *I, Tensor *t, Value *requires_grad) {
    Value *v = tensor_value_take(I, t, NULL);
    if (!v || !requires_grad || val_is_none(requires_grad)) return v;
    int flag = val_truth(I, requires_grad);
    if (flag > 0 && !dtype_is_floating(tensor_of(v)->dtype)) {
        val_release(v);
        interp_error(I, ERR_RUNTIME, "Only Tensors of floating point and complex dtype can "
                                     "require gradients");
        return NULL;
    }
    if (flag < 0 || (flag && tensor_setattr(I, v, "requires_grad", requires_grad))) {
        val_release(v);
        return NULL;
    }
    return v;
}

/* randn/rand(*size, generator=None, dtype=None, requires_grad=False) */
static Value *random_fill(Interp *I, Value **argv, const char *fn, bool normal) {
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    static const char *const kw_names[] = {"generator", "dtype", "requires_grad"};
    Value *kw[3] = {val_is_none(argv[1]) ? NULL : argv[1], val_is_none(argv[2]) ? NULL : argv[2],
                    non_default_flag(argv[3])};
    if (factory_size_missing(I, fn, argv[0], 3, kw_names, kw)) return NULL;
    Generator *g = pick_generator(I, argv[1]);
    if (!g || arg_size(I, argv[0], fn, shape, &ndim)) return NULL;
    TorchState *ts = torch_state(I);
    DType dt = ts->print_options.default_dtype;
    if (arg_dtype(I, argv[2], fn, &dt, NULL)) return NULL;
    Error err;
    Tensor *t = tensor_zeros(dt, ndim, shape, &err);
    if (!t) return interp_raise(I, &err), NULL;
    int rc = normal ? rng_normal_(g, t, 0.0, 1.0, &err) : rng_uniform_(g, t, 0.0, 1.0, &err);
    if (rc) {
        tensor_release(t);
        return interp_raise(I, &err), NULL;
    }
    return finish(I, t, argv[3]);
}
static Value *t_randn(Interp *I, Value *self, Value **argv) { (void)self; return random_fill(I, argv, "randn", true); }
static Value *t_rand(Interp *I, Value *self, Value **argv) { (void)self; return random_fill(I, argv, "rand", false); }

/* randint(low=0, high, size, *, generator=None, dtype=None, requires_grad=False): the
 * first argument is `high` when only two positional arguments are given. */
static Value *t_randint(Interp *I, Value *self, Value **argv) {
    (void)self;
    Value *a = argv[0], *b = argv[1], *c = argv[2];
    int64_t low = 0, high;
    Value *size;
    if (c) {
        if (arg_int(I, a, "randint", "low", &low) || arg_int(I, b, "randint", "high", &high))
            return NULL;
        size = c;
    } else if (b) {
        if (arg_int(I, a, "randint", "high", &high)) return NULL;
        size = b;
    } else {
        interp_error(I, ERR_TYPE, "randint() missing 1 required positional arguments: \"size\"");
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    Generator *g = pick_generator(I, argv[3]);
    if (!g || arg_size(I, size, "randint", shape, &ndim)) return NULL;
    DType dt = DTYPE_INT64;
    if (arg_dtype(I, argv[4], "randint", &dt, NULL)) return NULL;
    Error err;
    Tensor *t = tensor_zeros(dt, ndim, shape, &err);
    if (!t) return interp_raise(I, &err), NULL;
    if (rng_random_from_to(g, t, low, high, &err)) {
        tensor_release(t);
        return interp_raise(I, &err), NULL;
    }
    return finish(I, t, argv[5]);
}

static Value *t_randperm(Interp *I, Value *self, Value **argv) {
    (void)self;
    int64_t n;
    Generator *g = pick_generator(I, argv[1]);
    if (!g || arg_int(I, argv[0], "randperm", "n", &n)) return NULL;
    DType dt = DTYPE_INT64;
    if (arg_dtype(I, argv[2], "randperm", &dt, NULL)) return NULL;
    Error err;
    Tensor *t = rng_randperm(g, n, &err);
    if (t && dt != DTYPE_INT64) {
        Tensor *c = tensor_to_dtype(t, dt, &err);
        tensor_release(t);
        t = c;
    }
    if (!t) return interp_raise(I, &err), NULL;
    return finish(I, t, argv[3]);
}

/* torch.normal(mean, std, size, *, generator=None) for float mean/std. */
static Value *t_normal(Interp *I, Value *self, Value **argv) {
    (void)self;
    double mean, std;
    if (val_is_tensor(argv[0]) || val_is_tensor(argv[1])) {
        interp_error(I, ERR_NOT_IMPLEMENTED, "torch.normal with tensor mean/std is not supported "
                                             "by embedlab; use torch.randn(...) * std + mean");
        return NULL;
    }
    if (arg_float(I, argv[0], "normal", "mean", &mean) ||
        arg_float(I, argv[1], "normal", "std", &std))
        return NULL;
    if (!argv[2]) {
        interp_error(I, ERR_TYPE, "normal() missing required argument 'size'");
        return NULL;
    }
    int64_t shape[TENSOR_MAX_DIMS];
    int ndim;
    Generator *g = pick_generator(I, argv[3]);
    if (!g || arg_size(I, argv[2], "normal", shape, &ndim)) return NULL;
    Error err;
    Tensor *t = tensor_zeros(torch_state(I)->print_options.default_dtype, ndim, shape, &err);
    if (!t) return interp_raise(I, &err), NULL;
    if (rng_normal_(g, t, mean, std, &err)) {
        tensor_release(t);
        return interp_raise(I, &err), NULL;
    }
    return finish(I, t, argv[4]);
}

const BuiltinSpec torch_random_functions[] = {
    {"manual_seed", t_manual_seed, "(seed)",
     "Sets the seed for generating random numbers. Returns a torch.Generator object."},
    {"initial_seed", t_initial_seed, "()", "Returns the initial seed for generating random numbers."},
    {"randn", t_randn, "(*size, generator=None, dtype=None, requires_grad=False)",
     "Returns a tensor filled with random numbers from a normal distribution N(0, 1)."},
    {"rand", t_rand, "(*size, generator=None, dtype=None, requires_grad=False)",
     "Returns a tensor filled with random numbers from a uniform distribution on [0, 1)."},
    {"randint", t_randint,
     "(low, high=?, size=?, *, generator=None, dtype=None, requires_grad=False)",
     "Returns a tensor filled with random integers generated uniformly between low "
     "(inclusive) and high (exclusive)."},
    {"randperm", t_randperm, "(n, *, generator=None, dtype=None, requires_grad=False)",
     "Returns a random permutation of integers from 0 to n - 1."},
    {"normal", t_normal, "(mean, std, size=?, *, generator=None, requires_grad=False)",
     "Returns a tensor of random numbers drawn from N(mean, std**2)."},
    {NULL, NULL, NULL, NULL},
};

int torch_random_init(Interp *I, Value *module);
int torch_random_init(Interp *I, Value *module) {
    if (builtins_set_constructor(I, &type_generator, construct_generator)) return -1;
    Value *t = builtins_type_value(I, &type_generator);
    int rc = t ? module_set(I, module, "Generator", t) : -1;
    val_release(t);
    return rc;
}

/* ---- in-place Tensor methods ---- */

/* After an in-place random fill: torch's node for the overwrite (NormalBackward0, ...)
 * when the tensor had a history (its old value then gets a zero gradient). */
static Value *inplace_done(Interp *I, Value *self, int rc, Error *err, const char *node) {
    if (rc) return interp_raise(I, err), NULL;
    torch_after_inplace(I, tensor_of(self));
    AutogradCtx *ctx = torch_autograd(I);
    if (!ctx) return NULL;
    if (ag_rebase_constant(ctx, tensor_of(self), node, NULL, err) != ERR_OK)
        return interp_raise(I, err), NULL;
    return val_retain(self);
}

static Value *m_normal_(Interp *I, Value *self, Value **argv) {
    double mean, std;
    Generator *g = pick_generator(I, argv[2]);
    if (!g || arg_float(I, argv[0], "normal_", "mean", &mean) ||
        arg_float(I, argv[1], "normal_", "std", &std) ||
        torch_check_inplace(I, tensor_of(self)))
        return NULL;
    Error err;
    return inplace_done(I, self, rng_normal_(g, tensor_of(self), mean, std, &err), &err,
                        "NormalBackward0");
}

static Value *m_uniform_(Interp *I, Value *self, Value **argv) {
    double from, to;
    Generator *g = pick_generator(I, argv[2]);
    if (!g || arg_float(I, argv[0], "uniform_", "from", &from) ||
        arg_float(I, argv[1], "uniform_", "to", &to) || torch_check_inplace(I, tensor_of(self)))
        return NULL;
    Error err;
    return inplace_done(I, self, rng_uniform_(g, tensor_of(self), from, to, &err), &err,
                        "UniformBackward0");
}

static Value *m_random_(Interp *I, Value *self, Value **argv) {
    Generator *g = pick_generator(I, argv[2]);
    if (!g || torch_check_inplace(I, tensor_of(self))) return NULL;
    Error err;
    int rc;
    int64_t from, to;
    if (!argv[0]) {
        rc = rng_random_(g, tensor_of(self), &err);
    } else if (!argv[1] || val_is_none(argv[1])) {
        if (arg_int(I, argv[0], "random_", "from", &from)) return NULL;
        if (argv[1]) rc = rng_random_from(g, tensor_of(self), from, &err);
        else rc = rng_random_from_to(g, tensor_of(self), 0, from, &err); /* random_(to) */
    } else {
        if (arg_int(I, argv[0], "random_", "from", &from) ||
            arg_int(I, argv[1], "random_", "to", &to))
            return NULL;
        rc = rng_random_from_to(g, tensor_of(self), from, to, &err);
    }
    return inplace_done(I, self, rc, &err, "RandomBackward0");
}

static Value *m_bernoulli_(Interp *I, Value *self, Value **argv) {
    double p;
    Generator *g = pick_generator(I, argv[1]);
    if (!g || arg_float(I, argv[0], "bernoulli_", "p", &p) ||
        torch_check_inplace(I, tensor_of(self)))
        return NULL;
    Error err;
    return inplace_done(I, self, rng_bernoulli_(g, tensor_of(self), p, &err), &err,
                        "BernoulliBackward2");
}

static Value *m_exponential_(Interp *I, Value *self, Value **argv) {
    double lambd;
    Generator *g = pick_generator(I, argv[1]);
    if (!g || arg_float(I, argv[0], "exponential_", "lambd", &lambd) ||
        torch_check_inplace(I, tensor_of(self)))
        return NULL;
    Error err;
    return inplace_done(I, self, rng_exponential_(g, tensor_of(self), lambd, &err), &err,
                        "ExponentialBackward0");
}

const BuiltinSpec tensor_random_methods[] = {
    {"normal_", m_normal_, "(mean=0, std=1, *, generator=None)",
     "Fills self with elements sampled from the normal distribution N(mean, std**2)."},
    {"uniform_", m_uniform_, "(from=0, to=1, *, generator=None)",
     "Fills self with numbers sampled from the continuous uniform distribution on [from, to)."},
    {"random_", m_random_, "(from=?, to=?, *, generator=None)",
     "Fills self with integers from the discrete uniform distribution over [from, to - 1]."},
    {"bernoulli_", m_bernoulli_, "(p=0.5, *, generator=None)",
     "Fills each location of self with an independent sample from Bernoulli(p)."},
    {"exponential_", m_exponential_, "(lambd=1, *, generator=None)",
     "Fills self with elements drawn from the exponential distribution."},
    {NULL, NULL, NULL, NULL},
};
