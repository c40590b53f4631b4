#!/usr/bin/env bash
# bench/all.sh — every benchmark, embedlab against PyTorch 1.13 (and ipykernel, gensim) on
# this machine in this one run; `make bench` runs it after building. Prints the machine,
# then each table; the whole output is also written to $EMBEDLAB_BUILD/bench/results.txt
# (bench/RESULTS.md holds a committed copy with its date).
#
#   BENCH_QUICK=1 bench/all.sh     fewer repeats, a smaller vector file (a smoke run)
#   BENCH_WORDS=400000             the vector file's words (default 100000 x 300)
# Needs /usr/bin/python3 with torch; gensim and ipykernel rows are skipped when missing.
set -uo pipefail
cd "$(dirname "$0")/.."
B="${EMBEDLAB_BUILD:-build}"
mkdir -p "$B/bench"
out="$B/bench/results.txt"
# A snapshot of the binaries, so a rebuild during the run (a shared checkout) cannot
# pull them from under the benchmarks.
snap="$B/bench/snap"
rm -rf "$snap"
mkdir -p "$snap"
for f in embedlab embedlab-kernel libcore.a; do
    [ -e "$B/$f" ] && cp "$B/$f" "$snap/"
done
export EMBEDLAB_BUILD="$snap"
quick="${BENCH_QUICK:-0}"
words="${BENCH_WORDS:-100000}"
runs=5 starts=20 rounds=300 reps=31 rounds_c=3
if [ "$quick" = 1 ]; then runs=2 starts=3 rounds=30 reps=5 rounds_c=1 words=20000; fi
PY=/usr/bin/python3
status=0
{
    echo "# embedlab benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
         "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
         "$(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "compilers: $(${CC:-cc} --version | head -1); torch $($PY -c 'import torch; print(torch.__version__)' 2>/dev/null || echo missing)"
    echo
    echo "## core kernels (bench/run.sh; ratio = embedlab time / torch time, below 1 is faster)"
    REPEATS=$reps ROUNDS=$rounds_c bash bench/run.sh "$snap/bench/embedding_bench" || status=1
    echo
    echo "## through the language (bench/ops_bench.py; speed = torch time / embedlab time)"
    $PY bench/ops_bench.py --runs "$runs" || status=1
    echo
    echo "## start-up (bench/startup_bench.py)"
    $PY bench/startup_bench.py --runs $((runs * 4 + 1)) || status=1
    echo
    echo "## Jupyter kernel (bench/kernel_latency.py)"
    if [ -x "$snap/embedlab-kernel" ]; then
        $PY bench/kernel_latency.py --starts "$starts" --rounds "$rounds" || status=1
    else
        echo "(no embedlab-kernel built)"
    fi
    echo
    echo "## word-vector loading, $words x 300 GloVe text (bench/vectors_bench.py)"
    $PY bench/vectors_bench.py --words "$words" --rounds "$rounds_c" || status=1
    exit "$status"
} 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
echo "(written to $out)"
exit "$status"
