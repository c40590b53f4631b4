#!/usr/bin/env bash
# Fuzz regressions: every harness (fuzz/fuzz_NAME.c, linked with fuzz/replay.c as
# $EMBEDLAB_BUILD/fuzz/replay_NAME) replays its committed corpus fuzz/corpus/NAME/ — the
# seeds and every crash/leak reproducer the fuzzers found. Under SANITIZE the replays are
# sanitized (known, reported leaks: fuzz/lsan.supp); `VALGRIND=1` runs them under memcheck.
cd "$(dirname "$0")/../.." || exit 1
B="${EMBEDLAB_BUILD:-build}"
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
wrap=()
[ "${VALGRIND:-0}" = 1 ] && wrap=(valgrind -q --error-exitcode=1 --leak-check=full
    --errors-for-leak-kinds=definite --suppressions=fuzz/valgrind.supp)
passed=0
failed=0
for dir in fuzz/corpus/*/; do
    name=$(basename "$dir")
    bin="$B/fuzz/replay_$name"
    if [ ! -x "$bin" ]; then
        echo "FAIL $name: $bin not built (make build-tests)"
        failed=$((failed + 1))
        continue
    fi
    n=$(find "$dir" -type f | wc -l)
    if "${wrap[@]}" "$bin" "$dir" >/dev/null 2>"$B/fuzz/replay_$name.log"; then
        passed=$((passed + 1))
    else
        echo "FAIL $name ($n inputs): see $B/fuzz/replay_$name.log"
        tail -20 "$B/fuzz/replay_$name.log"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
