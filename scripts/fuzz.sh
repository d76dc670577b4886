#!/usr/bin/env bash
# `make fuzz`: builds posestudio-fuzz (-sanitize=fuzzer,address, in .build-fuzz) and runs every fuzz
# target of Tests/Fuzz/Targets for FUZZ_SECONDS (default 60) with -timeout=10 -rss_limit_mb=2048 and
# the target's -max_len, FUZZ_JOBS targets at a time (default: one per core). Each starts from its
# committed seeds (Tests/Fuzz/<target>/corpus/, never written) plus what earlier runs found
# (.build-fuzz/corpus/<target>/). Prints per target executions, executions/s, edges and findings;
# exits 1 on any crash, leak, timeout or out-of-memory, whose inputs are kept in
# .build-fuzz/findings/<target>/ (replay one: POSESTUDIO_FUZZ_TARGET=<target> .build-fuzz/release/posestudio-fuzz FILE).
#   FUZZ_TARGETS="pickle zip"   only these targets
#   FUZZ_ARGS="-seed=1"         more libFuzzer options
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-$(nproc)}
SCRATCH=.build-fuzz
BIN=$SCRATCH/release/posestudio-fuzz

echo "fuzz: building posestudio-fuzz (-sanitize=fuzzer,address) in $SCRATCH"
# swiftc keeps only the last -sanitize flag, and SwiftPM's `--sanitize fuzzer --sanitize address`
# passes two (leaving no coverage counters). So: `--sanitize fuzzer` (SwiftPM then leaves main to
# libFuzzer), then one -sanitize=fuzzer,address after it; C and C++ get ASan too.
POSESTUDIO_FUZZ=1 swift build -c release --scratch-path "$SCRATCH" --product posestudio-fuzz --sanitize fuzzer \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address -Xcxx -fsanitize=address 2>&1 |
  grep -Ev "warning: Cannot export local symbol" | tail -n 3

# name and -max_len of every target, from the driver itself (one list: Tests/Fuzz/Targets).
mapfile -t listing < <(POSESTUDIO_FUZZ_LIST=1 "$BIN" 2>/dev/null)
targets=()
declare -A maxlen
for line in "${listing[@]}"; do
  read -r name length _ <<<"$line"
  if [ -z "${FUZZ_TARGETS:-}" ] || [[ " $FUZZ_TARGETS " == *" $name "* ]]; then targets+=("$name"); maxlen[$name]=$length; fi
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets (FUZZ_TARGETS=${FUZZ_TARGETS:-})" >&2; exit 2; }

export SWIFT_BACKTRACE=enable=no   # libFuzzer and ASan report crashes; the Swift backtracer would race them
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0
export LSAN_OPTIONS=suppressions=$PWD/.ci/lsan-suppressions.txt

run_target() {
  local name=$1 work=$SCRATCH/corpus/$1 findings=$SCRATCH/findings/$1 log=$SCRATCH/logs/$1.log
  mkdir -p "$work" "$findings" "$SCRATCH/logs"
  local status=0
  POSESTUDIO_FUZZ_TARGET=$name "$BIN" "$work" "Tests/Fuzz/$name/corpus" -max_total_time="$SECONDS_EACH" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len="${maxlen[$name]}" -print_final_stats=1 \
    -artifact_prefix="$findings/" ${FUZZ_ARGS:-} >"$log" 2>&1 || status=$?
  echo "$status" >"$log.status"
}

echo "fuzz: ${#targets[@]} targets, ${SECONDS_EACH} s each, $JOBS at a time"
running=0
for name in "${targets[@]}"; do
  rm -f "$SCRATCH/logs/$name.log.status"
  run_target "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
done
wait || true

printf '\n%-18s %12s %10s %8s %8s  %s\n' target executions exec/s edges corpus findings
failed=0
for name in "${targets[@]}"; do
  log=$SCRATCH/logs/$name.log
  status=$(cat "$log.status" 2>/dev/null || echo 99)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 || true)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1 || true)
  edges=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2 || true)
  units=$(find "$SCRATCH/corpus/$name" -type f | wc -l || true)
  kind=$(grep -Eo 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-zA-Z-]+|Fatal error|deadly signal|out-of-memory|timeout after' "$log" | head -n 1 || true)
  if [ "$status" = 0 ]; then verdict=none; else
    verdict="FOUND: ${kind:-exit $status} (log $log; input in $SCRATCH/findings/$name/)"; failed=1
  fi
  printf '%-18s %12s %10s %8s %8s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "${edges:-?}" "$units" "$verdict"
done
exit $failed
