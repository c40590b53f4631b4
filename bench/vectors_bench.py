"""Word-vector loading benchmark (issue 9): a 400,000 x 300 GloVe-format file (about 1 GB of
text) loaded by

  - a plain C loop: fgets + strtok + strtof into a growing array (bench/vectors_bench.c plain),
  - embedlab's core loader vec_load (bench/vectors_bench.c load),
  - the embedlab interpreter: embedlab.load_vectors(path) (build/embedlab -c ...),
  - gensim 4.2: KeyedVectors.load_word2vec_format(path, no_header=True) (Debian's
    python3-gensim; skipped when missing),

each in its own process, in one run. For each: wall seconds and peak RSS (the process's
maximum resident set; for the interpreter and gensim, minus what the same program holds when
it only imports its module),
against the targets: >= 10x faster than gensim, >= half the plain loop's speed, peak memory
<= 1.2 x the final float32 matrix.

Usage: /usr/bin/python3 bench/vectors_bench.py [--words N] [--dim D] [--file PATH] [--rounds R]
The file is generated once (deterministic) in $TMPDIR (or /tmp) and reused. Build first
(make); the C helper is compiled here against build/libcore.a.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("EMBEDLAB_BUILD", "build"))
HELPER = os.path.join(BUILD, "bench", "vectors_bench")


def build_helper():
    src = os.path.join(ROOT, "bench", "vectors_bench.c")
    lib = os.path.join(BUILD, "libcore.a")
    if os.path.exists(HELPER) and os.path.getmtime(HELPER) > max(os.path.getmtime(src), os.path.getmtime(lib)):
        return
    os.makedirs(os.path.dirname(HELPER), exist_ok=True)
    subprocess.run([os.environ.get("CC", "cc"), "-std=c11", "-O2", "-D_POSIX_C_SOURCE=200809L",
                    "-I" + os.path.join(ROOT, "src"), "-o", HELPER, src, lib, "-lm"], check=True)


def timed(cmd, stdin=None):
    """Runs cmd; returns (seconds, peak RSS MiB of the child, stdout)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.monotonic() - t0
    out, err = p.stdout.read(), p.stderr.read()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), err))
    return seconds, usage.ru_maxrss / 1024.0, out


GENSIM = """
import resource, sys, time
from gensim.models import KeyedVectors
t0 = time.monotonic()
kv = KeyedVectors.load_word2vec_format(sys.argv[1], no_header=True)
t = time.monotonic() - t0
print(t, len(kv.index_to_key), kv.vector_size)
"""

EMBEDLAB = """
import embedlab
v = embedlab.load_vectors(%r, verbose=False)
print(len(v), v.dim)
"""

EMBEDLAB_IDLE = """
import embedlab
print(0)
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=400000)
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--file")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-gensim", action="store_true")
    args = ap.parse_args()
    build_helper()
    path = args.file or os.path.join(tempfile.gettempdir(), "embedlab-bench-glove-%dx%d.txt" % (args.words, args.dim))
    if not os.path.exists(path):
        print("generating %s ..." % path, flush=True)
        subprocess.run([HELPER, "gen", path, str(args.words), str(args.dim)], check=True)
    size = os.path.getsize(path)
    matrix_mib = args.words * args.dim * 4 / 1048576.0
    print("file: %s (%.0f MB), %d words x %d, matrix %.0f MiB" % (path, size / 1e6, args.words, args.dim, matrix_mib))
    # Warm the page cache so every contender reads from memory.
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass

    results = {}
    def keep(name, seconds, rss):
        best = results.get(name)
        if best is None or seconds < best[0]:
            results[name] = (seconds, rss if best is None else max(rss, best[1]))

    embedlab = os.path.join(BUILD, "embedlab")
    _, idle_rss, _ = timed([embedlab, "-c", EMBEDLAB_IDLE])
    for _ in range(args.rounds):
        s, rss, out = timed([HELPER, "plain", path])
        keep("plain fgets+strtof loop (C)", float(out.split("\t")[1]), rss)
        s, rss, out = timed([HELPER, "load", path])
        keep("embedlab core vec_load", float(out.split("\t")[1]), rss)
        s, rss, out = timed([embedlab, "-c", EMBEDLAB % path])
        keep("embedlab.load_vectors (interpreter)", s, rss - idle_rss)
    have_gensim = not args.no_gensim and subprocess.run(
        ["/usr/bin/python3", "-c", "import gensim"], capture_output=True).returncode == 0
    if have_gensim:
        _, py_idle, _ = timed(["/usr/bin/python3", "-c", "import gensim.models"])
        s, rss, out = timed(["/usr/bin/python3", "-c", GENSIM, path])
        keep("gensim 4.2 load_word2vec_format", float(out.split()[0]), rss - py_idle)

    print("\n%-38s %9s %11s %9s" % ("loader", "seconds", "peak MiB", "x matrix"))
    for name, (s, rss) in results.items():
        print("%-38s %9.2f %11.0f %9.2f" % (name, s, rss, rss / matrix_mib))
    ours = results["embedlab.load_vectors (interpreter)"][0]
    plain = results["plain fgets+strtof loop (C)"][0]
    print("\nembedlab.load_vectors vs the plain loop: %.2fx its speed (target >= 0.5)" % (plain / ours))
    if have_gensim:
        g = results["gensim 4.2 load_word2vec_format"][0]
        print("embedlab.load_vectors vs gensim: %.1fx faster (target >= 10)" % (g / ours))
    mem = results["embedlab.load_vectors (interpreter)"][1]
    print("embedlab.load_vectors peak memory: %.2f x the matrix above the idle interpreter's %.0f MiB "
          "(%.2f x counting the interpreter too; target <= 1.2)"
          % (mem / matrix_mib, idle_rss, (mem + idle_rss) / matrix_mib))


if __name__ == "__main__":
    main()
