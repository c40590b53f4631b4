#!/usr/bin/env bash
# fuzz/run.sh NAME... — run each built harness build/fuzz/fuzz_NAME for $FUZZ_SECONDS
# (default 600), one after the other, and print a table: runs, execs/s, corpus size,
# findings. Seeds: fuzz/corpus/NAME/ (committed) plus, for execute, the golden records
# (scripts/fuzz-seeds.sh). The working corpus grows in build/fuzz/corpus/NAME/; findings
# (crash-*, leak-*, timeout-*, oom-*) land in build/fuzz/findings/NAME/. Each harness runs
# in build/fuzz/scratch/NAME/, where files its inputs create stay. Exit status 1 when
# any harness found something. Used by `make fuzz FUZZ_SECONDS=N` / `make fuzz-run`.
set -u
cd "$(dirname "$0")/.."
root="$PWD"
secs="${FUZZ_SECONDS:-600}"
rss="${FUZZ_RSS_MB:-2048}"
found_any=0
# Known, reported leaks (fuzz/lsan.supp) must not stop the search for new ones.
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
rows=()
for name in "$@"; do
    bin="build/fuzz/fuzz_$name"
    [ -x "$bin" ] || { echo "fuzz/run.sh: $bin not built (make fuzz)" >&2; exit 2; }
    work="build/fuzz/corpus/$name"
    findings="build/fuzz/findings/$name"
    log="build/fuzz/log/$name.log"
    mkdir -p "$work" "$findings" "$(dirname "$log")"
    seeds=()
    [ -d "fuzz/corpus/$name" ] && seeds+=("fuzz/corpus/$name")
    if [ "$name" = execute ]; then
        scripts/fuzz-seeds.sh build/fuzz/seeds/execute >/dev/null
        seeds+=(build/fuzz/seeds/execute)
    fi
    dict=()
    [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
    echo "=== fuzz_$name for ${secs}s (log: $log)"
    before=$(ls "$findings" | wc -l)
    # From a scratch directory: inputs may create files (open(..., 'w'), np.save).
    scratch="build/fuzz/scratch/$name"
    rm -rf "$scratch"
    mkdir -p "$scratch"
    abs=()
    for p in "$work" "${seeds[@]}"; do abs+=("$root/$p"); done
    [ ${#dict[@]} -gt 0 ] && dict=(-dict="$root/fuzz/$name.dict")
    (cd "$scratch" && "$root/$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb="$rss" \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$root/$findings/" "${dict[@]}" \
        "${abs[@]}") >"$log" 2>&1
    status=$?
    after=$(ls "$findings" | wc -l)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    units=$(ls "$work" | wc -l)
    new=$((after - before))
    if [ "$status" -ne 0 ] || [ "$new" -gt 0 ]; then
        found_any=1
        grep -m3 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' \
            "$log" | sed 's/^/    /'
    fi
    rows+=("$(printf '%-12s %10s %9s %8s %9s' "$name" "${runs:-?}" "${speed:-?}" "$units" \
        "$new")")
done
echo
printf '%-12s %10s %9s %8s %9s\n' harness runs execs/s corpus findings
for r in "${rows[@]}"; do echo "$r"; done
exit "$found_any"
