"""Golden cases for tensor repr (src/core/tensor_fmt.c, tests/unit/test_tensor_fmt.c).

Each case is a Python construction run under torch 1.13 with some print options; the
exact repr() of the result (or the exception it raises) is recorded together with what
the C test needs to rebuild the same tensor without Python: dtype, shape, values, an
optional chain of view operations (to print non-contiguous tensors) and the extras
(Parameter, requires_grad, grad_fn name).

Output (tests/data/fmt_cases.txt): records of lines, each record starting with "case":
  case <n> <python construction>
  set <set_printoptions keyword arguments, k=v separated by spaces> | -
  opts <precision> <threshold> <edgeitems> <linewidth> <sci auto|on|off> <default dtype>
  tensor <dtype> <ndim> <base shape...>
  ops <op>; <op>; ...  | -       (view ops applied to the base: t, transpose a b,
                                    permute d..., slice dim start stop step, select dim i,
                                    expand s..., unsqueeze d)
  extras <is_parameter 0/1> <requires_grad 0/1> <grad_fn name | ->
  data explicit <v>...          (all values, row-major; floats as float.hex, ints, bools 0/1)
  data arange <start> <step>    (value i = dtype(start + i*step), computed in double or int)
  data sparse <fill> <k> <i v>..(all values `fill` except k listed flat indices; used for
                                 summarised tensors: only the displayed values are listed)
  expect <repr, with \\ and \n escaped>
  error <ExceptionName> <message>
After the cases, one line each:
  size <ndim> <dims...> | <repr(torch.Size(dims))>
  dtype <name> | <repr(dtype)>
  profile <name> <precision> <threshold> <edgeitems> <linewidth>   (PRINT_OPTS after
                                  set_printoptions(precision=9, ..., profile=name); an
                                  unknown name changes nothing)
The opts line holds torch._tensor_str.PRINT_OPTS after the set line was applied. Every
encoding is decoded again here and its repr compared with the original's, so the data
file provably carries everything repr depends on.
"""
import hashlib
import math
import os
import struct
import sys

import torch
import torch._tensor_str as tstr
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.relpath(os.path.abspath(__file__), ROOT)
OUT = os.path.join(ROOT, "tests", "data", "fmt_cases.txt")

inf = float("inf")
nan = float("nan")


def C(expr, ops=None, default_dtype=None, **opts):
    return (expr, ops, default_dtype, opts)


CASES = [
    # ---- integer mode (floats that are all integers)
    C("torch.arange(12.).reshape(3,4)"),
    C("torch.tensor([1., 2., 3.])"),
    C("torch.tensor([-1., 20., 300.])"),
    C("torch.tensor([100., 1000.])"),
    C("torch.tensor([1., 1000.])"),
    C("torch.tensor([1., 1001.])"),
    C("torch.tensor([-1., 1001.])"),
    C("torch.tensor([1e8])"),
    C("torch.tensor([1e8 + 8])"),
    C("torch.tensor([2.**40, 3.])"),
    C("torch.tensor([123456789.])"),
    C("torch.tensor([5., -7.])"),
    C("torch.zeros(3)"),
    C("torch.zeros(2, 3)"),
    C("torch.ones(2, 2)"),
    C("torch.full((2, 3), -4.)"),
    # ---- -0. and zeros
    C("torch.tensor([-0., 0.])"),
    C("torch.tensor([-0., 1.])"),
    C("torch.tensor([-0., 1.5])"),
    C("torch.tensor([-0., 1e-5])"),
    C("torch.tensor(-0.)"),
    C("torch.tensor([0., -0.], dtype=torch.float64)"),
    # ---- nan / inf
    C("torch.tensor([nan, 1., inf])"),
    C("torch.tensor([nan])"),
    C("torch.tensor([inf, -inf])"),
    C("torch.tensor([1.5, nan, -inf])"),
    C("torch.tensor([1e-5, inf])"),
    C("torch.tensor([nan, 0.])"),
    C("torch.tensor([1e10, nan, -inf])"),
    C("torch.tensor([[nan, 2.], [3., -inf]])"),
    C("-torch.tensor([nan, 1.5])"),
    C("torch.tensor(nan)"),
    C("torch.tensor(-inf)"),
    C("torch.tensor([nan, inf], dtype=torch.float64)"),
    # ---- fixed mode
    C("torch.tensor([1.5, -2.25, 3.125])"),
    C("torch.tensor([0.1, 0.2, 0.3])"),
    C("torch.tensor([99999.5])"),
    C("torch.tensor([1234567.89])"),
    C("torch.tensor([12345678.5], dtype=torch.float64)"),
    C("torch.randn(3, 4)"),
    C("torch.randn(5)"),
    C("torch.rand(2, 3)"),
    C("torch.linspace(-1, 1, 7)"),
    C("torch.ones(3) / 3"),
    C("torch.tensor([1.5, -1000.25, 3.])"),
    C("torch.tensor([0.00015, 0.1])"),
    C("torch.tensor([2.5, 0.5, 0.125])"),
    C("torch.tensor([1.00005, 2.00015, 0.99995])"),
    C("torch.tensor([0.5, 1000.])"),
    # ---- scientific mode
    C("torch.tensor([123.456, -0.001])"),
    C("torch.tensor([1e-4, 1.])"),
    C("torch.tensor([1e-4, 1.], dtype=torch.float64)"),
    C("torch.tensor([1e-4, 2e-4], dtype=torch.float64)"),
    C("torch.tensor([1e-4, 2e-4])"),
    C("torch.tensor([0.00005, 0.0001])"),
    C("torch.randn(2, 3) * 1e-5"),
    C("torch.randn(2, 3) * 1e5"),
    C("torch.randn(2, 3) * 1e9"),
    C("torch.tensor([1e30])"),
    C("torch.tensor([1e-30])"),
    C("torch.tensor([1e30, 1e-30])"),
    C("torch.tensor([1e38, -1e38, 3.4e38])"),
    C("torch.tensor([1e-45, 1.])"),
    C("torch.tensor([1e300, 1e-300], dtype=torch.float64)"),
    C("torch.tensor([5e-324, -1e308], dtype=torch.float64)"),
    C("torch.tensor([1e15, 1.5], dtype=torch.float64)"),
    C("torch.tensor([-1e-10])"),
    C("torch.tensor(1e-5)"),
    C("torch.tensor(1e10)"),
    C("torch.tensor([1.5e8, -2.5])"),
    # ---- integer dtypes and bool
    C("torch.arange(10)"),
    C("torch.tensor([-5, 10, 1000])"),
    C("torch.tensor([2**62, -2**63, 2**63 - 1])"),
    C("torch.tensor([[1, 2], [3, 4]])"),
    C("torch.tensor([[1, -200], [30000, 4]])"),
    C("torch.randint(-100, 100, (4, 5))"),
    C("torch.tensor(7)"),
    C("torch.tensor(-2**63)"),
    C("torch.tensor([10**12, -3])"),
    C("torch.arange(-50, 50)"),
    C("torch.tensor([True, False, True])"),
    C("torch.tensor([True, True])"),
    C("torch.tensor(False)"),
    C("torch.rand(3, 4) > 0.5"),
    C("torch.tensor([[True], [False]])"),
    C("torch.ones(30, dtype=torch.bool)"),
    # ---- float64
    C("torch.tensor([1.5, 2.5], dtype=torch.float64)"),
    C("torch.arange(6, dtype=torch.float64).reshape(2, 3)"),
    C("torch.tensor(3.0, dtype=torch.float64)"),
    C("torch.randn(3, dtype=torch.float64) * 1e-6"),
    C("torch.tensor([1/3, 2/3], dtype=torch.float64)"),
    C("torch.tensor([0.1], dtype=torch.float64)", precision=10),
    C("torch.tensor([0.1])", precision=10),
    C("torch.tensor([1/3, 1e5/3], dtype=torch.float64)", precision=12),
    C("torch.randn(2, 3, dtype=torch.float64)"),
    # ---- dims
    C("torch.arange(24.).reshape(2, 3, 4)"),
    C("torch.arange(48).reshape(2, 2, 3, 4)"),
    C("torch.randn(2, 2, 2, 2)"),
    C("torch.zeros(1, 1, 1, 1, 2)"),
    C("torch.arange(32.).reshape(2, 2, 2, 2, 2) / 4"),
    C("torch.zeros(1, 3)"),
    C("torch.zeros(3, 1)"),
    C("torch.ones(1, 1, 1)"),
    C("torch.tensor(2.5)"),
    C("torch.tensor([2.5])"),
    C("torch.tensor([[2.5]])"),
    # ---- empty
    C("torch.tensor([])"),
    C("torch.zeros(0, 3)"),
    C("torch.zeros(0, dtype=torch.int64)"),
    C("torch.zeros(2, 0, 3, dtype=torch.float64)"),
    C("torch.zeros(0, dtype=torch.bool)"),
    C("torch.zeros(3, 0, dtype=torch.bool)"),
    C("torch.tensor([], requires_grad=True)"),
    C("torch.zeros(0, 3, dtype=torch.float64, requires_grad=True)"),
    C("torch.tensor([])", default_dtype="float64"),
    C("torch.zeros(0, dtype=torch.float32)", default_dtype="float64"),
    # ---- line wrapping
    C("torch.arange(30.) * 1.5"),
    C("torch.arange(30.).reshape(2, 15) * 1.5"),
    C("torch.arange(100)"),
    C("torch.randn(2, 3, 20)"),
    C("torch.arange(40.).reshape(2, 2, 10) * 1.5"),
    C("torch.full((20,), 1e-5)"),
    C("torch.arange(25.)"),
    C("torch.arange(14.)"),
    # ---- summarisation
    C("torch.arange(2000)"),
    C("torch.arange(1001.)"),
    C("torch.arange(1000.)"),
    C("torch.randn(100, 100)"),
    C("torch.randn(3, 400)"),
    C("torch.randn(400, 3)"),
    C("torch.arange(2000.).reshape(10, 10, 20)"),
    C("torch.ones(1001, dtype=torch.bool)"),
    C("torch.arange(1001, dtype=torch.float64) * 1e-5"),
    C("torch.randn(10, 10, 11)"),
    C("torch.arange(1002.).reshape(2, 501)"),
    C("torch.arange(7000).reshape(7, 1000)"),
    C("torch.randn(2, 2, 300)"),
    C("torch.randn(1001) * 1e-6"),
    C("torch.cat([torch.zeros(500), torch.tensor([1e-9]), torch.zeros(499), torch.tensor([nan])])"),
    # ---- print options
    C("torch.randn(3, 3)", precision=2),
    C("torch.tensor([1.5, 2.5, 1e-5])", precision=0),
    C("torch.tensor([1.5, 2.5])", precision=0),
    C("torch.randn(3, dtype=torch.float64)", precision=8),
    C("torch.arange(10)", threshold=5),
    C("torch.arange(24).reshape(2, 3, 4)", threshold=5, edgeitems=1),
    C("torch.randn(100, 100)", edgeitems=1),
    C("torch.arange(2000.)", edgeitems=5),
    C("torch.arange(30.) * 1.5", linewidth=40),
    C("torch.arange(30.) * 1.5", linewidth=120),
    C("torch.randn(4, 20)", linewidth=200),
    C("torch.arange(2000.)", linewidth=10),
    C("torch.arange(10.) * 1.5", linewidth=5),
    C("torch.tensor([1.5, 2.25])", sci_mode=True),
    C("torch.arange(5.)", sci_mode=True),
    C("torch.tensor([1e-8, 1.])", sci_mode=False),
    C("torch.tensor([1e10, 1.])", sci_mode=False),
    C("torch.tensor([1e20, 1.5])", sci_mode=False),
    C("torch.tensor([1e300, -1.5], dtype=torch.float64)", sci_mode=False),
    C("torch.zeros(3)", sci_mode=True),
    C("torch.tensor([5, 6])", sci_mode=True),
    C("torch.randn(3, 3)", profile="short"),
    C("torch.arange(1200)", profile="full"),
    C("torch.randn(1100) * 100", profile="full", linewidth=100),
    C("torch.randn(3, 3)", profile="short", precision=6),
    C("torch.tensor(3.5)", threshold=0),
    C("torch.tensor([1., 2.])", threshold=0),
    C("torch.arange(10)", threshold=3, edgeitems=0),
    C("torch.arange(10).reshape(2, 5)", threshold=3, edgeitems=0),
    C("torch.arange(10)", threshold=3, edgeitems=-1),
    C("torch.arange(10.)", threshold=3, edgeitems=20),
    C("torch.tensor([1.5, 2.25])", precision=-1),
    C("torch.tensor([1., 2.])", precision=-1),
    C("torch.tensor([1, 2])", precision=-1),
    C("torch.tensor([1., 2000.])", precision=-1),
    C("torch.tensor([1., 2.])", precision=-1, sci_mode=True),
    C("torch.zeros(2)", precision=-1, sci_mode=True),
    C("torch.tensor([1.5, 2.5])", default_dtype="float64"),
    C("torch.tensor([1.5], dtype=torch.float32)", default_dtype="float64"),
    C("torch.tensor(1.5, dtype=torch.float32)", default_dtype="float64"),
    # ---- requires_grad, grad_fn, Parameter
    C("torch.ones(3, requires_grad=True)"),
    C("torch.ones(2, 3, requires_grad=True) * 2"),
    C("torch.ones(2, requires_grad=True) + 1"),
    C("torch.ones(3, requires_grad=True).sum()"),
    C("torch.ones(2, dtype=torch.float64, requires_grad=True)"),
    C("torch.randn(2, 7, requires_grad=True) * 1"),
    C("torch.randn(1001, requires_grad=True)"),
    C("torch.arange(14., requires_grad=True)"),
    C("torch.arange(13., requires_grad=True) * 1"),
    C("torch.arange(15., dtype=torch.float64, requires_grad=True)"),
    C("torch.randn(3, 4, requires_grad=True).t()"),
    C("torch.tensor(2.5, dtype=torch.float64, requires_grad=True)"),
    # suffix wrapping at the boundary (torch counts the last line 2 longer than it is)
    C("torch.ones(12, requires_grad=True)"),
    C("torch.ones(13, requires_grad=True)"),
    C("torch.ones(2, 12, requires_grad=True)"),
    C("torch.ones(2, 13, requires_grad=True)"),
    C("torch.ones(11, requires_grad=True) * 1"),
    C("torch.ones(12, requires_grad=True) * 1"),
    C("torch.ones(9, dtype=torch.float64, requires_grad=True)"),
    C("torch.ones(10, dtype=torch.float64, requires_grad=True)"),
    C("torch.ones(15, dtype=torch.float64, requires_grad=True)"),
    C("torch.ones(5, requires_grad=True)", linewidth=30),
    C("torch.ones(5, dtype=torch.float64, requires_grad=True)", linewidth=20),
    C("nn.Parameter(torch.zeros(2, 3))"),
    C("nn.Parameter(torch.zeros(2, 3), requires_grad=False)"),
    C("nn.Parameter(torch.randn(3, 4, dtype=torch.float64))"),
    C("nn.Embedding(5, 3).weight"),
    C("nn.Embedding(5, 3, padding_idx=0).weight"),
    C("nn.Parameter(torch.zeros(0, 3))"),
    C("nn.Parameter(torch.tensor(2.5))"),
    C("nn.Linear(3, 2).bias"),
    C("nn.Embedding(1000, 3).weight"),
    C("nn.Embedding(10, 3)(torch.tensor([1, 2]))"),
    C("nn.Embedding(10, 3).weight", sci_mode=True),
    # ---- non-contiguous views
    C("torch.arange(12.).reshape(3, 4)", ops="t"),
    C("torch.arange(24.).reshape(2, 3, 4)", ops="permute 2 0 1"),
    C("torch.arange(20.).reshape(4, 5)", ops="slice 1 0 5 2"),
    C("torch.tensor([1.5, 2.5, 3.5])", ops="expand 2 3"),
    C("torch.arange(2000.).reshape(40, 50)", ops="t"),
    C("torch.randn(50, 40)", ops="t"),
    C("torch.arange(12).reshape(3, 4)", ops="select 1 2"),
    C("torch.randn(3, 4)", ops="select 0 1; unsqueeze 0"),
    C("torch.randn(2, 3, requires_grad=True)", ops="transpose 0 1"),
    C("torch.arange(3000.).reshape(30, 100)", ops="slice 1 1 100 3; t"),
]

SCI = {None: "auto", True: "on", False: "off"}
DTYPES = {torch.bool: "bool", torch.int64: "int64", torch.float32: "float32",
          torch.float64: "float64"}
TORCH_DTYPE = {v: k for k, v in DTYPES.items()}


def apply_ops(x, ops):
    if not ops:
        return x
    for op in ops.split(";"):
        parts = op.split()
        name, a = parts[0], [int(v) for v in parts[1:]]
        if name == "t":
            x = x.t()
        elif name == "transpose":
            x = x.transpose(a[0], a[1])
        elif name == "permute":
            x = x.permute(*a)
        elif name == "slice":
            x = x[(slice(None),) * a[0] + (slice(a[1], a[2], a[3]),)]
        elif name == "select":
            x = x.select(a[0], a[1])
        elif name == "expand":
            x = x.expand(*a)
        elif name == "unsqueeze":
            x = x.unsqueeze(a[0])
        else:
            raise ValueError(op)
    return x


def value_str(v, dtype):
    if dtype.is_floating_point:
        return float.hex(float(v))
    return str(int(v))


def cast(v, dtype):
    """The double `v` converted to dtype as C's cast does (float32: round to nearest)."""
    if dtype == torch.float32:
        return struct.unpack("f", struct.pack("f", v))[0]
    return v


def same(a, b):
    return math.copysign(1, a) == math.copysign(1, b) and (a == b or (a != a and b != b))


def encode(base, final, ops):
    """The data line for the contiguous tensor `base` whose view `final` is printed."""
    dtype = base.dtype
    flat = base.reshape(-1)
    vals = flat.tolist()
    n = len(vals)
    if n <= 400:
        return "explicit " + " ".join(value_str(v, dtype) for v in vals)
    if dtype.is_floating_point:
        start, step = vals[0], vals[1] - vals[0]
        if all(same(cast(start + i * step, dtype), v) for i, v in enumerate(vals)):
            return "arange %s %s" % (float.hex(start), float.hex(step))
    elif dtype == torch.int64:
        start, step = vals[0], vals[1] - vals[0]
        if all(start + i * step == v for i, v in enumerate(vals)):
            return "arange %d %d" % (start, step)
    if final.numel() > tstr.PRINT_OPTS.threshold:
        index = apply_ops(torch.arange(n).reshape(base.shape), ops)
        shown = sorted(set(tstr.get_summarized_data(index).reshape(-1).tolist()))
        fill = 0
        pairs = " ".join("%d %s" % (i, value_str(vals[i], dtype)) for i in shown)
        return "sparse %s %d %s" % (value_str(fill, dtype), len(shown), pairs)
    return "explicit " + " ".join(value_str(v, dtype) for v in vals)


def decode(dtype, shape, data):
    kind, *rest = data.split()
    n = math.prod(shape)
    if kind == "explicit":
        vals = rest
    elif kind == "arange":
        vals = [None] * n
    else:
        vals = [rest[0]] * n
        k = int(rest[1])
        for j in range(k):
            vals[int(rest[2 + 2 * j])] = rest[3 + 2 * j]
    if dtype.is_floating_point:
        if kind == "arange":
            start, step = float.fromhex(rest[0]), float.fromhex(rest[1])
            nums = [start + i * step for i in range(n)]
        else:
            nums = [float.fromhex(v) for v in vals]
        t = torch.tensor(nums, dtype=torch.float64).to(dtype)
    else:
        if kind == "arange":
            nums = [int(rest[0]) + i * int(rest[1]) for i in range(n)]
        else:
            nums = [int(v) for v in vals]
        t = torch.tensor(nums, dtype=torch.int64).to(dtype)
    return t.reshape(shape)


def escape(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n")


def grad_fn_name(t):
    if t.grad_fn is None:
        return "-"
    name = type(t.grad_fn).__name__
    if name == "CppFunction":
        name = t.grad_fn.name().rsplit("::", 1)[-1]
    return name


def setopts(opts):
    torch.set_printoptions(profile="default")
    if opts:
        torch.set_printoptions(**opts)


def run_case(n, case):
    expr, ops, default_dtype, opts = case
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float64 if default_dtype == "float64" else torch.float32)
    try:
        x = eval(expr, {"torch": torch, "nn": nn, "nan": nan, "inf": inf})
        final = apply_ops(x, ops)
        setopts(opts)
        P = tstr.PRINT_OPTS
        try:
            outcome = "expect " + escape(repr(final))
        except Exception as e:  # noqa: BLE001 - any torch error is a golden outcome
            outcome = "error %s %s" % (type(e).__name__, e)
        base = x.detach()
        assert base.is_contiguous() or not ops, expr
        base = base.contiguous()
        dtype = DTYPES[base.dtype]
        data = encode(base, final, ops)
        # The encoding must carry everything repr depends on.
        again = apply_ops(decode(base.dtype, list(base.shape), data), ops)
        try:
            want = repr(final.detach())
        except Exception as e:  # noqa: BLE001
            want = "error %s" % e
        try:
            have = repr(again)
        except Exception as e:  # noqa: BLE001
            have = "error %s" % e
        if want != have:
            raise SystemExit("case %d %s: encoding loses information\n%s\n%s" %
                             (n, expr, want, have))
        set_line = " ".join("%s=%s" % (k, v) for k, v in opts.items()) or "-"
        lines = [
            "case %d %s%s" % (n, expr, " | " + ops if ops else ""),
            "set " + set_line,
            "opts %d %s %d %d %s %s" % (P.precision, P.threshold, P.edgeitems, P.linewidth,
                                        SCI[P.sci_mode], default_dtype or "float32"),
            "tensor %s %d %s" % (dtype, base.dim(), " ".join(str(s) for s in base.shape)),
            "ops " + (ops or "-"),
            "extras %d %d %s" % (isinstance(final, nn.Parameter), final.requires_grad,
                                 grad_fn_name(final)),
            "data " + data,
            outcome,
        ]
        return "\n".join([line.rstrip() for line in lines[:-1]] + [outcome])
    finally:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(torch.float32)


def main():
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    out = ["# generated by %s sha256 %s; do not edit" % (SCRIPT, digest),
           "# torch %s; see the generator for the record format" % torch.__version__]
    for n, case in enumerate(CASES):
        out.append(run_case(n, case))
    for dims in [(), (5,), (2, 3), (0, 3), (1, 1, 1, 1), (2**40, 7)]:
        out.append("size %d%s | %r" % (len(dims), "".join(" %d" % d for d in dims),
                                       torch.Size(dims)))
    for dtype in DTYPES:
        out.append("dtype %s | %r" % (DTYPES[dtype], dtype))
    for profile in ["default", "short", "full", "bogus"]:
        P = tstr.PRINT_OPTS
        P.precision, P.threshold, P.edgeitems, P.linewidth = 9, 9, 9, 9
        tstr.set_printoptions(profile=profile)
        out.append("profile %s %d %s %d %d" % (profile, P.precision, P.threshold, P.edgeitems,
                                               P.linewidth))
        torch.set_printoptions(profile="default")
    with open(OUT, "w") as f:
        f.write("\n".join(out) + "\n")
    print("%s: %d cases" % (os.path.relpath(OUT, ROOT), len(CASES)))


if __name__ == "__main__":
    sys.exit(main())
