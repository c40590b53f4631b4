"""bench/startup_bench.py — start-up time, side by side in one run: the embedlab REPL
binary running an empty script (`embedlab -c pass`) and running `import torch` (the
binds every module), against /usr/bin/python3 starting bare and importing torch 1.13.

    /usr/bin/python3 bench/startup_bench.py [--runs N]

Each command runs N times, alternating; the median and the best wall time are shown.
The issue's target: REPL start-up under 10 ms. A benchmark, not a test.
"""
import argparse
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("EMBEDLAB_BUILD", "build"))
EMBEDLAB = os.path.join(BUILD, "embedlab")

COMMANDS = [
    ("embedlab -c pass", [EMBEDLAB, "-c", "pass"]),
    ("embedlab -c 'import torch'", [EMBEDLAB, "-c", "import torch\nimport torch.nn as nn"]),
    ("python3 -c pass", ["/usr/bin/python3", "-c", "pass"]),
    ("python3 -c 'import torch'", ["/usr/bin/python3", "-c", "import torch\nimport torch.nn as nn"]),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    times = {name: [] for name, _ in COMMANDS}
    for _ in range(args.runs):
        for name, cmd in COMMANDS:
            t0 = time.perf_counter()
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - t0)
    print("start-up, wall time over %d runs (target: embedlab under 10 ms)" % args.runs)
    print("%-30s %10s %10s" % ("command", "median", "best"))
    for name, _ in COMMANDS:
        print("%-30s %8.1f ms %7.1f ms" % (name, statistics.median(times[name]) * 1e3,
                                            min(times[name]) * 1e3))
    ours = statistics.median(times["embedlab -c 'import torch'"])
    theirs = statistics.median(times["python3 -c 'import torch'"])
    print("import torch: embedlab %.0fx faster than python3 + torch" % (theirs / ours))


if __name__ == "__main__":
    main()
