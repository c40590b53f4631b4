"""Writes tests/data/numpy/expected.txt: reference values from NumPy 1.24 for the core
NumPy modules (tests/unit/test_np_format.c, test_np_random.c, test_np_ops.c).

Lines (all numbers in hexadecimal so no digits are lost):
  fmt <double bits> <f32: 0|1> <repr> <positional p=8 trim '.'> <scientific p=8 trim '.'>
      repr is the NumPy scalar's repr (np.float32 / np.float64)
  rng <function> <seed> <count> <hash of value bits> <sum of value bits mod 2**64>
      hash: h = 0xcbf29ce484222325; for each value h = (h ^ bits) * 0x100000001b3 mod 2**64
      bits of each value: a double's IEEE bits, an integer's two's complement
  sum <dtype> <seed> <count> <bits of randn(count).astype(dtype).sum()>

Usage: /usr/bin/python3 tests/tools/gen_numpy_ref.py
"""
import os
import random
import struct

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "numpy", "expected.txt")


def dbits(x):
    return struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def fold(values, as_int):
    """(order-sensitive FNV-1a-style hash, plain sum) of the values' 64-bit patterns."""
    h = 0xCBF29CE484222325
    s = 0
    for v in values:
        b = (int(v) & 0xFFFFFFFFFFFFFFFF) if as_int else dbits(v)
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
        s = (s + b) & 0xFFFFFFFFFFFFFFFF
    return h, s


def main():
    lines = []
    rnd = random.Random(14)
    vals = [0.0, -0.0, 0.1, 0.5, 1.0, 1e16, 1e-4, 9.999e-5, 5e-324, 1.7976931348623157e308,
            123456789.0, 0.125, 2.5, 1e-9, 3e-9, 0.0625, 1e22, 4.35, 999999.9999]
    for _ in range(700):
        vals.append(rnd.uniform(-1, 1) * 10 ** rnd.uniform(-40, 40))
    for i, v in enumerate(vals):
        for f32 in (0, 1):
            with np.errstate(over="ignore"):
                x = np.float32(v) if f32 else np.float64(v)
            if not np.isfinite(x):
                continue
            lines.append("fmt %016x %d %s %s %s" % (
                dbits(x), f32, repr(x), np.format_float_positional(x, precision=8, trim="."),
                np.format_float_scientific(x, precision=8, trim=".")))
    n = 10000
    draws = [
        ("randn", 0, lambda: np.random.randn(n), False),
        ("randn", 1234, lambda: np.random.randn(n), False),
        ("rand", 1, lambda: np.random.rand(n), False),
        ("randint10", 2, lambda: np.random.randint(0, 10, size=n), True),
        ("randint2p40", 3, lambda: np.random.randint(-5, 2 ** 40, size=n), True),
        ("normal", 4, lambda: np.random.normal(5.0, 2.0, size=n), False),
        ("uniform", 5, lambda: np.random.uniform(-3.0, 3.0, size=n), False),
        ("choice100", 6, lambda: np.random.choice(100, size=n), True),
        ("permutation", 7, lambda: np.random.permutation(n), True),
    ]
    for name, seed, fn, as_int in draws:
        np.random.seed(seed)
        v = fn()
        x, s = fold(v.tolist(), as_int)
        lines.append("rng %s %d %d %016x %016x" % (name, seed, n, x, s))
    for dt, seed, count in (("float32", 0, 300000), ("float64", 0, 300000), ("float32", 9, 1000),
                            ("float64", 3, 129)):
        np.random.seed(seed)
        a = np.random.randn(count).astype(dt)
        lines.append("sum %s %d %d %016x" % (dt, seed, count, dbits(a.sum())))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("numpy reference: %d lines -> %s" % (len(lines), os.path.relpath(OUT, ROOT)))


main()
