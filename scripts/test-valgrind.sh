#!/usr/bin/env bash
# scripts/test-valgrind.sh — the in-process suites under valgrind memcheck: every cmocka
# unit binary, the golden runner over tests/golden/*.test, and the fuzz corpus replays.
# A memcheck error or a definite leak fails the binary (exit code 99 marks valgrind's
# verdict apart from a test failure, which is reported too). Used by `make test-valgrind`;
# takes several minutes. Known, reported leaks: fuzz/valgrind.supp.
set -u
cd "$(dirname "$0")/.."
B="${EMBEDLAB_BUILD:-build}"
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --suppressions=fuzz/valgrind.supp)
passed=0
failed=0
check() {
    local name="$1"; shift
    local log="$B/valgrind/$name.log"
    mkdir -p "$B/valgrind"
    "${VG[@]}" "$@" >"$log" 2>&1
    local rc=$?
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        [ "$rc" -eq 99 ] && why="memcheck errors" || why="test failures (exit $rc)"
        echo "FAIL $name: $why, see $log"
        grep -m5 -E '^==[0-9]+== (Invalid|Conditional|Use of|Mismatched|[0-9,]+ bytes in)' "$log"
    fi
}
for bin in "$B"/tests/test_*; do
    [ -x "$bin" ] && check "$(basename "$bin")" "$bin"
done
check golden_runner "$B/tests/golden_runner" tests/golden/*.test
for dir in fuzz/corpus/*/; do
    name=$(basename "$dir")
    [ -x "$B/fuzz/replay_$name" ] && check "replay_$name" "$B/fuzz/replay_$name" "$dir"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
