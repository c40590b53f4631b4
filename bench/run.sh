#!/usr/bin/env bash
# bench/run.sh — the embedding benchmarks in embedlab (bench/embedding_bench.c) and in
# PyTorch 1.13 (bench/embedding_bench.py), one thread each, printed side by side with the
# ratio embedlab/torch (below 1: embedlab is faster).
#
#   bench/run.sh [BENCH_BINARY]      (default: $EMBEDLAB_BUILD/bench/embedding_bench, which
#                                     is built against libcore.a when missing)
#   REPEATS=51 ROUNDS=5 bench/run.sh (repeats per case, whose median is taken; rounds
#                                     alternate the two sides, the best median is shown)
set -euo pipefail
cd "$(dirname "$0")/.."
B="${EMBEDLAB_BUILD:-build}"
BIN="${1:-$B/bench/embedding_bench}"
REPEATS="${REPEATS:-31}"
PY=/usr/bin/python3

if [ -z "${1:-}" ]; then
    make --no-print-directory "$B/libcore.a" >/dev/null
fi
if [ ! -x "$BIN" ] || [ "$BIN" -ot bench/embedding_bench.c ] || [ "$BIN" -ot "$B/libcore.a" ]; then
    mkdir -p "$(dirname "$BIN")"
    ${CC:-cc} -std=c11 -O2 -ffp-contract=off -D_POSIX_C_SOURCE=200809L -Isrc \
        -o "$BIN" bench/embedding_bench.c "$B/libcore.a" -lm
fi

# ROUNDS alternating runs of each side; per case the best (lowest) median is kept, which
# filters out rounds disturbed by other load on the machine.
ROUNDS="${ROUNDS:-3}"
have_torch=0
"$PY" -c 'import torch' 2>/dev/null && have_torch=1
[ "$have_torch" = 1 ] || echo "(PyTorch not available: embedlab numbers only)" >&2
c_out=""
py_out=""
for _ in $(seq "$ROUNDS"); do
    c_out+=$("$BIN" "$REPEATS")$'\n'
    if [ "$have_torch" = 1 ]; then
        py_out+=$("$PY" bench/embedding_bench.py "$REPEATS")$'\n'
    fi
done
best() { # keep the lowest ns_per_row line per case, in first-seen order
    awk -F'\t' 'NF >= 4 { if (!($1 in t) || $3 < t[$1]) { t[$1] = $3; line[$1] = $0 }
                          if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
                 END { for (i = 1; i <= n; i++) print line[order[i]] }'
}
c_out=$(best <<<"$c_out")
py_out=$(best <<<"$py_out")

echo "embedding benchmarks, one thread, best of $ROUNDS medians of $REPEATS runs, ns per table row read"
awk -F'\t' -v py="$py_out" '
    BEGIN {
        n = split(py, lines, "\n")
        for (i = 1; i <= n; i++) {
            split(lines[i], f, "\t")
            if (f[1] != "") { tns[f[1]] = f[3]; tsum[f[1]] = f[4] }
        }
        printf "%-18s %8s %12s %12s %8s  %s\n", "case", "rows", "embedlab", "torch", "ratio", "same sum"
    }
    {
        t = ($1 in tns) ? tns[$1] : ""
        ratio = (t != "" && t > 0) ? sprintf("%.2f", $3 / t) : "-"
        same = (t == "") ? "-" : (($4 == tsum[$1]) ? "yes" : "no (" tsum[$1] ")")
        printf "%-18s %8d %12.2f %12s %8s  %s\n", $1, $2, $3, (t == "" ? "-" : sprintf("%.2f", t)), ratio, same
    }' <<<"$c_out"
awk -F'\t' '$1 == "lookup_512x128" { g = $3 } $1 == "memcpy_512x128" { m = $3 }
     END { if (g > 0 && m > 0)
               printf "gather lookup_512x128 at %.0f%% of the memcpy limit (target >= 80%%)\n", 100 * m / g }' \
    <<<"$c_out"
