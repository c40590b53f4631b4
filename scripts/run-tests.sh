#!/usr/bin/env bash
# scripts/run-tests.sh — run every test suite against the built binaries.
#
#   scripts/run-tests.sh          all suites
#   scripts/run-tests.sh unit     cmocka unit binaries only
#
# Each suite is a command that exits 0 on success. The last line is CI-readable:
# "N passed, N failed" (counting suites).
set -u
cd "$(dirname "$0")/.."
only="${1:-all}"
# The build to test: build/ normally, build/sanitize/ under SANITIZE (set by the Makefile).
export EMBEDLAB_BUILD="${EMBEDLAB_BUILD:-build}"
passed=0
failed=0
failures=()

run_suite() {
    local name="$1"; shift
    echo "=== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures+=("$name")
    fi
}

for bin in "$EMBEDLAB_BUILD"/tests/test_*; do
    [ -x "$bin" ] || continue
    run_suite "unit: $(basename "$bin")" "$bin"
done

if [ "$only" = all ]; then
    for suite in tests/suites/*.sh; do
        [ -f "$suite" ] || continue
        run_suite "$(basename "$suite" .sh)" bash "$suite"
    done
fi

echo
for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
