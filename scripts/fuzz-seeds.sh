#!/usr/bin/env bash
# scripts/fuzz-seeds.sh DIR — one seed file per golden record's code, for the fuzzers.
set -eu
out="$1"
mkdir -p "$out"
n=0
for f in tests/golden/*.test; do
    awk -v out="$out" -v base="$(basename "$f" .test)" '
        /^=== / { if (file) close(file); n++; file = sprintf("%s/%s-%03d.py", out, base, n); code = 1; next }
        /^--- / { code = 0; next }
        code && file { print > file }
    ' "$f"
    n=$((n + 1))
done
