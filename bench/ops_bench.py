"""bench/ops_bench.py — the issue's operations timed through the language, side by side:
the same PyTorch source run by build/embedlab (its %timeit magic) and by /usr/bin/python3
with PyTorch 1.13 on one thread (timeit), in one run.

Each case is setup code plus a statement. Both sides time the statement with the same
number of loops per run and the same number of runs, and the best run's time per loop is
kept (runs disturbed by other load on the machine are filtered out), so ratios compare
like with like: interpreter dispatch included on both sides.

    /usr/bin/python3 bench/ops_bench.py [--runs R] [--only PART,...]

Prints a table: case, loops per run, embedlab and torch time per loop, and the ratio
torch/embedlab (above 1: embedlab is faster; the issue's target is >= 1.0).
A benchmark, not a test: it never fails on timings.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("EMBEDLAB_BUILD", "build"))
EMBEDLAB = os.path.join(BUILD, "embedlab")

PRELUDE = """import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
"""

TABLE = """w = torch.randn(50000, 300)
i1 = torch.randint(0, 50000, (32, 100))
i2 = torch.randint(0, 50000, (512, 128))
i3 = torch.randint(0, 50000, (4096, 20))
"""

BACKWARD = """emb = nn.Embedding(50000, 300, sparse=%s)
x = torch.randint(0, 50000, (512, 128))
def step():
    emb.weight.grad = None
    emb(x).sum().backward()
"""

ADAM = """emb = nn.Embedding(50000, 300)
x = torch.randint(0, 50000, (512, 128))
emb(x).sum().backward()
opt = torch.optim.Adam(emb.parameters(), lr=1e-3)
"""

TRAIN = """model = nn.Sequential(nn.EmbeddingBag(1000, 64, mode='mean'), nn.Linear(64, 4))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
x = torch.randint(0, 1000, (64, 10))
y = torch.randint(0, 4, (64,))
def train():
    for _ in range(50):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
"""

# name, setup, statement, loops per run
CASES = [
    ("embedding 32x100 (no_grad)", TABLE, "F.embedding(i1, w)", 200),
    ("embedding 512x128 (no_grad)", TABLE, "F.embedding(i2, w)", 5),
    ("embedding_bag sum 4096x20", TABLE, "F.embedding_bag(i3, w, mode='sum')", 5),
    ("embedding_bag mean 4096x20", TABLE, "F.embedding_bag(i3, w, mode='mean')", 5),
    ("embedding_bag max 4096x20", TABLE, "F.embedding_bag(i3, w, mode='max')", 5),
    ("fwd+backward dense 512x128", BACKWARD % "False", "step()", 2),
    ("fwd+backward sparse 512x128", BACKWARD % "True", "step()", 5),
    ("Adam step 50000x300", ADAM, "opt.step()", 2),
    ("training loop, 50 steps", TRAIN, "train()", 1),
]

UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "ms": 1e-3, "s": 1.0}
TIMEIT_LINE = re.compile(r"^([0-9.]+) (ns|us|\u00b5s|ms|s) \u00b1 .* per loop")


def run_embedlab(setup, stmt, loops, runs):
    lines = [PRELUDE, setup, ""]
    # one %timeit per run, so the best run can be kept as on the torch side
    for _ in range(runs):
        lines.append("%%timeit -n %d -r 1 %s" % (loops, stmt))
    script = "\n".join(lines) + "\n"
    p = subprocess.run([EMBEDLAB], input=script, capture_output=True, text=True)
    times = []
    for line in p.stdout.splitlines():
        m = TIMEIT_LINE.match(line.strip())
        if m:
            times.append(float(m.group(1)) * UNITS[m.group(2)])
    if p.returncode != 0 or len(times) != runs:
        raise RuntimeError("embedlab failed:\n%s%s" % (p.stdout, p.stderr))
    return min(times)


TORCH_DRIVER = """
import sys, timeit
torch.set_num_threads(1)
_t = timeit.repeat(%r, number=%d, repeat=%d, globals=globals())
print(min(_t) / %d)
"""


def run_torch(setup, stmt, loops, runs):
    script = PRELUDE + setup + TORCH_DRIVER % (stmt, loops, runs, loops)
    p = subprocess.run(["/usr/bin/python3", "-c", script], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("torch failed:\n%s" % p.stderr)
    return float(p.stdout.split()[-1])


def fmt(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return "%.3g %s" % (seconds / scale, unit)
    return "%.3g ns" % (seconds / 1e-9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", help="comma-separated parts of case names (e.g. 'training,bag sum')")
    args = ap.parse_args()
    only = [part.strip() for part in args.only.split(",")] if args.only else None
    print("operations through the language (best of %d runs; torch on one thread)" % args.runs)
    print("%-30s %6s %12s %12s %8s" % ("case", "loops", "embedlab", "torch", "speed"))
    for name, setup, stmt, loops in CASES:
        if only and not any(part in name for part in only):
            continue
        if "no_grad" in name:
            setup = setup + "torch.set_grad_enabled(False)\n"
        try:
            ours = run_embedlab(setup, stmt, loops, args.runs)
        except RuntimeError as e:
            print("%-30s %6d %12s   (%s)" % (name, loops, "failed", str(e).splitlines()[-1]))
            continue
        theirs = run_torch(setup, stmt, loops, args.runs)
        print("%-30s %6d %12s %12s %7.2fx" % (name, loops, fmt(ours), fmt(theirs), theirs / ours),
              flush=True)


if __name__ == "__main__":
    main()
