"""Golden cases for the CPU generator (tests/unit/test_rng.c), from real PyTorch 1.13.

Writes tests/data/rng_cases.txt: a script of generator operations and torch's results.
Lines are fields split by ' | '. Operations run one after the other on torch's default
generator, so later lines see the state (and the cached normal value) earlier lines left:

  seed <python int>                  torch.manual_seed(value) (wrapped as torch does)
  fresh | ok <initial_seed>          the state of a new torch.Generator()
  seedpy <neg 0/1> <magnitude mod 2^64> <|v| >= 2^64 0/1> | ok <seed> | error <Kind> <msg>
  state | bytes <hex>                torch.get_rng_state()
  setstate_legacy | ok               set_rng_state(get_rng_state()[:5048])
  <op> <args> | <dtype> <shape> <view> | <result>

Tensor ops run on base = torch.zeros(shape, dtype), through a view of it (view '-' means
base itself; otherwise ';'-separated steps: 'T a b' transpose, 'P d...' permute,
'S dim start stop step' slice, 'X s,s' expand). The result is base after the op, in
row-major order (for ops that return a new tensor: that tensor):
  vals <v> <v> ...                   float.hex() for float dtypes, decimal otherwise
  fnv <fnv1a64 hex> <numel> <i>:<v> ...   FNV-1a 64 of the little-endian element bytes
                                     plus a sample of positions (for large results)
  error <ExceptionName> <message>
Float arguments are written with float.hex().

Ops: normal MEAN STD | randn | uniform FROM TO | rand | random FROM TO | randint LOW HIGH |
random_from FROM (random_(from, None)) | random_none | bernoulli P | exponential L |
randperm N | embedding N D PAD ('-' = None; shape field '-') | linear IN OUT WBOUND BBOUND
(nn.Linear: weight then bias values; bounds as torch computes them) | dropout P (F.dropout
in training mode of torch.ones(shape) through the view; result: the output, logical order).
"""
import hashlib
import math
import os
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.relpath(os.path.abspath(__file__), ROOT)
OUT = os.path.join(ROOT, "tests", "data", "rng_cases.txt")

DTYPES = {"f32": torch.float32, "f64": torch.float64, "i64": torch.int64, "bool": torch.bool}
warnings.filterwarnings("ignore", category=UserWarning)  # torch's random_ range warnings
FULL_LIMIT = 2000  # results with more elements are stored as checksum + sample
SAMPLES = 40

lines = []


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def fmt(v, dtype):
    if dtype.is_floating_point:
        return float(v).hex()
    return str(int(v))


def result_str(t):
    t = t.detach().contiguous()
    flat = t.reshape(-1).tolist()
    n = len(flat)
    if n <= FULL_LIMIT:
        return "vals" + "".join(" " + fmt(v, t.dtype) for v in flat)
    data = t.numpy().tobytes()
    step = max(1, n // SAMPLES)
    idx = sorted(set(list(range(0, n, step)) + [n - 1]))
    sample = " ".join("%d:%s" % (i, fmt(flat[i], t.dtype)) for i in idx)
    return "fnv %016x %d %s" % (fnv1a64(data), n, sample)


def shape_str(shape):
    return ",".join(str(s) for s in shape) if len(shape) else "-"


def apply_view(base, spec):
    v = base
    if spec == "-":
        return v
    for step in spec.split(";"):
        w = step.split()
        if w[0] == "T":
            v = v.transpose(int(w[1]), int(w[2]))
        elif w[0] == "P":
            v = v.permute(*[int(x) for x in w[1:]])
        elif w[0] == "S":
            d, a, b, s = (int(x) for x in w[1:])
            idx = [slice(None)] * v.dim()
            idx[d] = slice(a, b, s)
            v = v[tuple(idx)]
        elif w[0] == "X":
            v = v.expand(*[int(x) for x in w[1].split(",")])
        else:
            raise ValueError(step)
    return v


def err_str(e):
    return "error %s %s" % (type(e).__name__, str(e).split("\n")[0])


def seed(value):
    torch.manual_seed(value)
    lines.append("seed %d" % value)


def tensor_op(op, dtype="f32", shape=(3,), view="-"):
    """op: the op text written to the file; the torch call is derived from it."""
    w = op.split()
    name, args = w[0], w[1:]
    dt = DTYPES[dtype]
    shape = tuple(shape)
    try:
        if name in ("randn", "rand", "randint", "randperm"):
            if name == "randn":
                out = torch.randn(shape, dtype=dt)
            elif name == "rand":
                out = torch.rand(shape, dtype=dt)
            elif name == "randint":
                out = torch.randint(int(args[0]), int(args[1]), shape, dtype=dt)
            else:
                out = torch.randperm(int(args[0]))
            res = result_str(out)
        elif name == "dropout":
            x = apply_view(torch.ones(shape, dtype=dt), view)
            res = result_str(F.dropout(x, float.fromhex(args[0]), True))
        else:
            base = torch.zeros(shape, dtype=dt)
            v = apply_view(base, view)
            fa = [float.fromhex(a) for a in args] if name in (
                "normal", "uniform", "bernoulli", "exponential") else None
            if name == "normal":
                v.normal_(fa[0], fa[1])
            elif name == "uniform":
                v.uniform_(fa[0], fa[1])
            elif name == "bernoulli":
                v.bernoulli_(fa[0])
            elif name == "exponential":
                v.exponential_(fa[0])
            elif name == "random":
                v.random_(int(args[0]), int(args[1]))
            elif name == "random_from":
                v.random_(int(args[0]), None)
            elif name == "random_none":
                v.random_()
            else:
                raise ValueError(op)
            res = result_str(base)
    except RuntimeError as e:
        res = err_str(e)
    lines.append("%s | %s %s %s | %s" % (op, dtype, shape_str(shape), view, res))


def h(x):
    return float(x).hex()


def normal(mean=0.0, std=1.0, **kw):
    tensor_op("normal %s %s" % (h(mean), h(std)), **kw)


def uniform(a=0.0, b=1.0, **kw):
    tensor_op("uniform %s %s" % (h(a), h(b)), **kw)


def embedding(n, d, pad=None):
    e = nn.Embedding(n, d, padding_idx=pad)
    lines.append("embedding %d %d %s | - - - | %s" % (
        n, d, "-" if pad is None else str(pad), result_str(e.weight)))


def linear(fan_in, fan_out):
    # bounds exactly as nn.init.kaiming_uniform_(a=sqrt(5)) and Linear.reset_parameters
    gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
    wbound = math.sqrt(3.0) * (gain / math.sqrt(fan_in))
    bbound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
    m = nn.Linear(fan_in, fan_out)
    both = torch.cat([m.weight.detach().reshape(-1), m.bias.detach().reshape(-1)])
    lines.append("linear %d %d %s %s | - - - | %s" % (
        fan_in, fan_out, h(wbound), h(bbound), result_str(both)))


def state():
    lines.append("state | bytes %s" % bytes(torch.get_rng_state().tolist()).hex())


def seedpy(value):
    neg = value < 0
    mag = abs(value)
    ovf = mag >= 2 ** 64
    try:
        torch.manual_seed(value)
        res = "ok %d" % torch.initial_seed()
    except RuntimeError as e:
        res = err_str(e)
    lines.append("seedpy %d %d %d | %s" % (neg, mag % 2 ** 64, ovf, res))


def cases():
    # Python seed values accepted and rejected by torch.manual_seed
    for v in (0, 1, -1, 2 ** 32 + 5, 2 ** 63 - 1, 2 ** 63, -2 ** 63, -2 ** 63 - 1,
              2 ** 64 - 1, 2 ** 64, 2 ** 70, -2 ** 64, -5):
        seedpy(v)

    # a fresh torch.Generator()
    g = torch.Generator()
    torch.set_rng_state(g.get_state())
    lines.append("fresh | ok %d" % torch.initial_seed())
    normal(shape=(5,))
    normal(shape=(20,))
    uniform(shape=(7,))

    seeds = (0, 42, 2 ** 32 + 5, -1, 2 ** 64 - 1, 12345)
    # normal_ float32: every size 1..40 around the 16-element block boundary
    for s in seeds[:3]:
        seed(s)
        for n in range(1, 41):
            normal(shape=(n,))
    for s in seeds[3:]:
        seed(s)
        for n in (1, 2, 3, 15, 16, 17, 31, 32, 33, 35):
            tensor_op("randn", shape=(n,))
    # float64 normal and rand, every size 1..40
    for s in (0, 7):
        seed(s)
        for n in range(1, 41):
            normal(dtype="f64", shape=(n,))
        for n in (1, 5, 16, 33):
            tensor_op("randn", dtype="f64", shape=(n,))
            tensor_op("rand", dtype="f64", shape=(n,))
    # mean/std (the final multiply-add is fused), both paths, both dtypes
    for s in (0, 3):
        seed(s)
        for mean, std in ((0.5, 0.02), (-3.25, 7.5), (1e-3, 0.1), (2.0, 0.0), (0.0, 1e30)):
            for n in (5, 16, 37):
                normal(mean, std, shape=(n,))
                normal(mean, std, dtype="f64", shape=(n,))
    # chained calls sharing the cached normal value (the block path leaves it alone)
    seed(0)
    for n in (3, 3, 5, 20, 1, 3, 16, 2):
        tensor_op("randn", shape=(n,))
    seed(1)
    normal(shape=(3,))
    normal(dtype="f64", shape=(1,))
    normal(shape=(4, 5), view="T 0 1")
    normal(shape=(1,))
    state()
    seed(1)  # manual_seed clears the cache
    normal(shape=(3,))
    # non-contiguous targets: memory order for every op
    seed(5)
    for view, shape in (("T 0 1", (4, 6)), ("T 0 1", (8, 5)), ("S 1 0 6 2", (4, 6)),
                        ("P 2 0 1", (3, 4, 5)), ("S 0 1 7 3;T 0 1", (9, 10)),
                        ("T 0 2", (2, 3, 4)), ("S 0 0 40 2", (40,))):
        normal(shape=shape, view=view)
        normal(0.5, 2.0, dtype="f64", shape=shape, view=view)
        uniform(-0.1, 0.1, shape=shape, view=view)
        uniform(-2.0, 3.0, dtype="f64", shape=shape, view=view)
        tensor_op("random 0 10", dtype="i64", shape=shape, view=view)
        tensor_op("random -5 100", dtype="f32", shape=shape, view=view)
        tensor_op("bernoulli %s" % h(0.3), shape=shape, view=view)
        tensor_op("exponential %s" % h(1.5), shape=shape, view=view)
        tensor_op("random_none", dtype="i64", shape=shape, view=view)
    # a contiguous row slice of a bigger storage takes the block path at its offset;
    # a column slice (non-contiguous) takes the scalar path
    normal(shape=(10, 8), view="S 0 2 5 1")
    normal(dtype="f64", shape=(10, 8), view="S 0 3 7 1")
    normal(shape=(10, 8), view="S 1 0 4 1")
    uniform(-1.0, 1.0, shape=(10, 8), view="S 0 2 5 1")
    # size-1 dims and 0-d / empty tensors
    normal(shape=(1, 20, 1), view="T 0 2")
    normal(shape=())
    normal(shape=(0, 5))
    uniform(shape=(0,))
    # uniform_ ranges, both dtypes
    for s in (0, 99):
        seed(s)
        for a, b in ((0.0, 1.0), (-0.1, 0.1), (-1e-3, 5.0), (3.0, 3.0), (-1e30, 1e30),
                     (1.0 / 3.0, 2.0 / 3.0), (-3e38, 3e38 / 2)):
            for dt in ("f32", "f64"):
                uniform(a, b, dtype=dt, shape=(5, 4))
        for n in (1, 7, 33):
            tensor_op("rand", shape=(n,))
    # random_ / randint: 32-bit and 64-bit draws, negative bounds, all dtypes
    seed(2024)
    for lo, hi in ((0, 10), (-7, 3), (0, 2 ** 32 - 1), (0, 2 ** 32), (5, 2 ** 32 + 7),
                   (-2 ** 40, 2 ** 40), (-2 ** 63, 2 ** 63 - 1), (0, 1), (2 ** 62, 2 ** 63 - 1)):
        for dt in ("i64", "f32", "f64"):
            tensor_op("random %d %d" % (lo, hi), dtype=dt, shape=(6,))
        tensor_op("randint %d %d" % (lo, hi), dtype="i64", shape=(2, 3))
    for lo, hi in ((0, 2), (1, 2), (0, 1)):
        tensor_op("random %d %d" % (lo, hi), dtype="bool", shape=(8,))
    for lo, hi in ((2 ** 25 + 1, 2 ** 26 + 3), (-2 ** 30 - 1, 2 ** 30 + 1), (2 ** 24, 2 ** 24 + 1)):
        tensor_op("random %d %d" % (lo, hi), dtype="f32", shape=(6,))
    tensor_op("random %d %d" % (2 ** 54 + 1, 2 ** 55 + 3), dtype="f64", shape=(4,))
    for frm in (0, 3, -2 ** 63, -2 ** 63 + 1, 2 ** 24 - 1, 2 ** 24):
        for dt in ("i64", "f32", "f64", "bool"):
            tensor_op("random_from %d" % frm, dtype=dt, shape=(4,))
    for dt in ("i64", "f32", "f64", "bool"):
        tensor_op("random_none", dtype=dt, shape=(6,))
    # bernoulli_ (non-MKL path: one random64 per element) and dropout built on it
    seed(0)
    for p in (0.0, 0.3, 0.5, 1.0, 1e-9, 0.999):
        for dt in ("f32", "f64", "i64", "bool"):
            tensor_op("bernoulli %s" % h(p), dtype=dt, shape=(20,))
    for p in (0.5, 0.3, 0.9):
        tensor_op("dropout %s" % h(p), shape=(20,))
        tensor_op("dropout %s" % h(p), shape=(5, 7), view="T 0 1")
    tensor_op("exponential %s" % h(1.0), dtype="f64", shape=(10,))
    tensor_op("exponential %s" % h(0.0), shape=(3,))
    # randperm
    seed(0)
    for n in (0, 1, 2, 3, 10, 100, 1000, 300000):
        tensor_op("randperm %d" % n, dtype="i64", shape=(n,))
    seed(2 ** 32 + 5)
    tensor_op("randperm 5000", dtype="i64", shape=(5000,))
    # large fills (checksum + sample)
    for s in (0, 42):
        seed(s)
        tensor_op("randn", shape=(1000, 300))
        uniform(-0.1, 0.1, shape=(1000, 300))
        normal(0.0, 0.02, dtype="f64", shape=(500, 40))
        tensor_op("randint 0 50000", dtype="i64", shape=(100, 100))
        normal(shape=(300, 1000), view="T 0 1")
    # modules
    for s in (0, 7):
        seed(s)
        embedding(10, 3)
        embedding(7, 5, 0)
        embedding(6, 4, -1)
        embedding(2, 3)
        embedding(100, 64, 3)
        linear(3, 4)
        linear(300, 20)
        embedding(1000, 300)
    # get_rng_state / set_rng_state
    seed(3)
    state()
    tensor_op("randn", shape=(1,))
    state()
    tensor_op("rand", shape=(700,))
    state()
    setstate_legacy()
    tensor_op("randn", shape=(3,))
    # errors
    seed(0)
    normal(0.0, -1.0)
    normal(0.0, float("nan"))
    normal(dtype="i64")
    normal(dtype="bool", shape=(20,))
    normal(shape=(3,), view="X 2,3")
    normal(shape=(1,), view="X 20")
    uniform(1.0, 0.0)
    uniform(-4e38, 1.0)
    uniform(0.0, 4e38)
    uniform(-3e38, 3e38)
    uniform(-1e308, 1e308, dtype="f64")
    uniform(dtype="i64")
    uniform(shape=(3,), view="X 2,3")
    tensor_op("random 5 5", dtype="i64")
    tensor_op("random 5 3", dtype="f32")
    tensor_op("random 0 3", dtype="bool")
    tensor_op("random -1 1", dtype="bool")
    tensor_op("random %d %d" % (2 ** 24 + 1, 2 ** 24 + 2), dtype="f32")
    tensor_op("random 0 3", dtype="f32", shape=(3,), view="X 2,3")
    tensor_op("random_from %d" % 2 ** 24, dtype="f32")
    tensor_op("random_from %d" % 2 ** 53, dtype="f64")
    tensor_op("randint 3 3", dtype="i64")
    tensor_op("randperm -1")
    tensor_op("bernoulli %s" % h(1.5))
    tensor_op("bernoulli %s" % h(-0.1))
    tensor_op("bernoulli %s" % h(0.5), shape=(3,), view="X 2,3")
    tensor_op("exponential %s" % h(-1.0))
    tensor_op("exponential %s" % h(1.0), dtype="i64")
    # the generator is untouched by a failed call
    tensor_op("randn", shape=(3,))


def setstate_legacy():
    torch.set_rng_state(torch.get_rng_state()[:5048])
    lines.append("setstate_legacy | ok")


def main():
    cases()
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(OUT, "w") as f:
        f.write("# generated by %s sha256 %s; do not edit\n" % (SCRIPT, digest))
        for line in lines:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
