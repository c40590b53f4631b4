"""bench/embedding_bench.py — the workloads of bench/embedding_bench.c in PyTorch 1.13.

One thread (torch.set_num_threads(1)); the same tensors as the C side (torch.manual_seed(0),
randn(50000, 300), then randint(0, 50000, ...) for each index tensor). Prints one line per
case: "name<TAB>rows<TAB>ns_per_row<TAB>checksum" with the median over the repeats.

    /usr/bin/python3 bench/embedding_bench.py [REPEATS]
"""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 31

torch.manual_seed(0)
weight = torch.randn(50000, 300)
i1 = torch.randint(0, 50000, (32, 100))
i2 = torch.randint(0, 50000, (512, 128))
i3 = torch.randint(0, 50000, (4096, 20))


def run(name, fn, idx):
    times = []
    total = 0.0
    for r in range(-2, REPEATS):
        t0 = time.perf_counter_ns()
        out = fn()
        t1 = time.perf_counter_ns()
        if r == 0:
            total = out.double().sum().item()
        del out
        if r >= 0:
            times.append(t1 - t0)
    rows = idx.numel()
    print("%s\t%d\t%.2f\t%.6e" % (name, rows, statistics.median(times) / rows, total))


with torch.no_grad():
    run("lookup_32x100", lambda: F.embedding(i1, weight), i1)
    run("lookup_512x128", lambda: F.embedding(i2, weight), i2)
    run("bag_sum_4096x20", lambda: F.embedding_bag(i3, weight, mode="sum"), i3)
    run("bag_mean_4096x20", lambda: F.embedding_bag(i3, weight, mode="mean"), i3)
    run("bag_max_4096x20", lambda: F.embedding_bag(i3, weight, mode="max"), i3)
