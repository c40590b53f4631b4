#!/usr/bin/env bash
# scripts/make-goldens.sh — regenerate every golden file from real PyTorch 1.13.
#
# Runs each tests/tools/gen_*.py with Debian's /usr/bin/python3 (python3-torch). Each
# generator writes the files it owns; their first line records the generator's sha256
# (see scripts/check-goldens.sh), so a changed generator without regenerated output fails
# the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if ! "$PY" -c 'import torch' 2>/dev/null; then
    echo "make goldens needs PyTorch 1.13: apt-get install -y python3-torch" >&2
    exit 1
fi
for gen in tests/tools/gen_*.py; do
    [ -f "$gen" ] || continue
    echo "goldens: $gen"
    "$PY" "$gen"
done
