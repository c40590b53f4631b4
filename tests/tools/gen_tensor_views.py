"""Golden cases for tensor views, copies and tensor indexing (tests/unit/test_tensor.c).

Each case starts from torch.arange(N, dtype=float32).reshape(shape) and applies a chain of
operations written in a tiny language the C test interprets. Torch's resulting shape,
strides, contiguity and values (or the exception type and message) are recorded.

Output format (tests/data/tensor_views.txt), one case per line, fields split by ' | ':
  case <base shape> | <op>; <op>; ... | ok <shape> <strides> <contiguous 0/1> <values...>
  case <base shape> | <op>; <op>; ... | error <ExceptionName> <message>
Shapes and strides are comma-separated ('-' for 0-d). Values are %.9g of float32.
"""
import hashlib
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.relpath(os.path.abspath(__file__), ROOT)
OUT = os.path.join(ROOT, "tests", "data", "tensor_views.txt")

CASES = [
    ("2,3", "view 3 2"), ("2,3", "view -1"), ("2,3", "view 6 -1"), ("2,3", "view 4 2"),
    ("2,3", "view -1 -1"), ("2,3", "view 1 2 1 3"), ("2,3", "transpose 0 1; view 6"),
    ("2,3", "transpose 0 1; reshape 6"), ("2,3", "transpose 0 1; contiguous; view 6"),
    ("2,3,4", "transpose 0 2"), ("2,3,4", "transpose -1 -2; reshape 4 6"),
    ("2,3,4", "permute 2 0 1"), ("2,3,4", "permute 2 0 1; view 24"),
    ("2,3,4", "permute 0 0 1"), ("2,3,4", "transpose 0 3"), ("2,3,4", "permute 1 0"),
    ("2,3", "t"), ("6", "t"), ("2,3,4", "t"), ("-", "t"),
    ("2,3", "unsqueeze 0"), ("2,3", "unsqueeze -1"), ("2,3", "unsqueeze 2"),
    ("2,3", "unsqueeze 3"), ("2,3", "unsqueeze -4"), ("2,3", "unsqueeze 1; squeeze"),
    ("1,2,1,3,1", "squeeze"), ("1,2,1,3,1", "squeeze_dim 2"), ("1,2,1,3,1", "squeeze_dim 1"),
    ("1,2,1,3,1", "squeeze_dim -1"), ("1,2,1,3,1", "squeeze_dim 5"),
    ("4,5", "select 0 1"), ("4,5", "select 1 -1"), ("4,5", "select 0 4"),
    ("4,5", "select 0 -5"), ("4,5", "select 0 -6"), ("4,5", "select 2 0"),
    ("10", "slice 0 2 8 2"), ("10", "slice 0 _ _ 3"), ("10", "slice 0 -3 _ 1"),
    ("10", "slice 0 _ -3 1"), ("10", "slice 0 5 2 1"), ("10", "slice 0 -100 100 1"),
    ("10", "slice 0 8 _ 5"), ("4,6", "slice 1 1 5 2"), ("4,6", "slice 0 _ _ 2; slice 1 _ _ 3"),
    ("4,6", "slice 1 _ 2 1; view 8"), ("4,6", "slice 1 _ 2 1; reshape 8"),
    ("4,6", "slice 0 1 3 1; view 12"), ("4,6", "slice 0 1 3 1; transpose 0 1; reshape 12"),
    ("10", "slice 0 _ _ 0"),
    ("3", "expand 2 3"), ("3", "expand 4 -1"), ("1,3", "expand 2 3"), ("3,1", "expand 3 4"),
    ("3", "expand 2 4"), ("3", "expand -1 3"), ("2,3", "expand 3"),
    ("3,1", "expand 3 4; contiguous"), ("3,1", "expand 3 4; reshape 12"),
    ("5,3", "index 0 2 4"), ("5,3", "index -1 0"), ("5,3", "index 5"), ("5,3", "index -6"),
    ("5", "index 4 4 0"), ("5,3", "index2d 0 1 / 2 3"), ("5,3", "transpose 0 1; index 1 0"),
    ("5,3", "index_select 0 4 0 4"), ("5,3", "index_select 1 2 0"), ("5,3", "index_select 0 5"),
    ("5,3", "mask 1 0 1 0 1"), ("5,3", "mask 1 0 1"), ("2,3", "mask2d 1 0 1 / 0 1 0"),
    ("3,4", "slice 1 1 3 1; clone"), ("3,4", "transpose 0 1; clone"),
    ("2,3", "view 3 2; transpose 0 1; unsqueeze 1; expand 3 4 2"),
    ("2,3,4,5", "permute 3 1 0 2; slice 0 1 4 2; select 2 1"),
    ("2,3,4,5", "view 6 20"), ("2,3,4,5", "transpose 1 2; view 2 12 5"),
    ("2,3,4,5", "transpose 1 2; view 2 3 4 5"), ("2,3,4,5", "transpose 2 3; view 6 20"),
    ("0,3", "view -1"), ("0,3", "view 3 0"), ("0,3", "view -1 0"), ("0,3", "transpose 0 1"),
    ("-", "view 1"), ("-", "unsqueeze 0"), ("-", "view -1"), ("1", "view"),
    ("-", "select 0 0"), ("-", "slice 0 0 1 1"), ("-", "index 0"),
]


def apply(t, op):
    name, *args = op.split()
    nums = [None if a == "_" else int(a) for a in args if a != "/"]
    if name == "view": return t.view(*nums) if nums else t.view(())
    if name == "reshape": return t.reshape(*nums)
    if name == "transpose": return t.transpose(*nums)
    if name == "permute": return t.permute(*nums)
    if name == "t": return t.t()
    if name == "unsqueeze": return t.unsqueeze(*nums)
    if name == "squeeze": return t.squeeze()
    if name == "squeeze_dim": return t.squeeze(*nums)
    if name == "select": return t.select(*nums)
    if name == "slice":
        dim, start, stop, step = nums
        idx = [slice(None)] * dim + [slice(start, stop, step)]
        return t[tuple(idx)]
    if name == "expand": return t.expand(*nums)
    if name == "contiguous": return t.contiguous()
    if name == "clone": return t.clone()
    if name == "index": return t[torch.tensor(nums)]
    if name == "index2d":
        rows = " ".join(args).split("/")
        return t[torch.tensor([[int(x) for x in r.split()] for r in rows])]
    if name == "index_select": return t.index_select(nums[0], torch.tensor(nums[1:]))
    if name == "mask": return t[torch.tensor([bool(x) for x in nums])]
    if name == "mask2d":
        rows = " ".join(args).split("/")
        return t[torch.tensor([[bool(int(x)) for x in r.split()] for r in rows])]
    raise ValueError(op)


def fmt_shape(seq):
    return ",".join(str(x) for x in seq) if len(seq) else "-"


def main():
    lines = []
    for base, ops in CASES:
        shape = [] if base == "-" else [int(x) for x in base.split(",")]
        n = 1
        for s in shape:
            n *= s
        t = torch.arange(n, dtype=torch.float32).reshape(shape)
        try:
            for op in ops.split(";"):
                t = apply(t, op.strip())
            vals = " ".join("%.9g" % v for v in t.reshape(-1).tolist())
            result = "ok %s %s %d %s" % (fmt_shape(t.shape), fmt_shape(t.stride()),
                                         int(t.is_contiguous()), vals)
        except Exception as e:  # the exact message is part of the golden record
            msg = str(e).replace("\n", "\\n")
            result = "error %s %s" % (type(e).__name__, msg)
        lines.append("case %s | %s | %s" % (base, ops, result.rstrip()))
    with open(os.path.abspath(__file__), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(OUT, "w") as f:
        f.write("# generated by %s sha256 %s; do not edit\n" % (SCRIPT, digest))
        f.write("\n".join(lines) + "\n")
    print("wrote %s: %d cases" % (os.path.relpath(OUT, ROOT), len(lines)), file=sys.stderr)


main()
