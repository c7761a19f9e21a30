#!/usr/bin/env bash
# Runs the libFuzzer targets (fuzz/fuzz_<name>.cpp) under ASan + UBSan for a fixed number of
# executions each, and prints per target: executions, crashes, seconds, corpus size.
#
#   scripts/fuzz.sh [--runs N] [--jobs J] [--no-build] [target...]
#                                            (default: every target, N = 20000, J = 1)
#
# Builds build-fuzz with clang-14 first (configures it if needed). Each target starts from a
# fresh copy of its seed corpus fuzz/corpus/<name>/; what the fuzzer adds goes to
# build-fuzz/fuzz-runs/<name>/corpus, never into the repository. --jobs J runs J targets at once;
# --no-build runs the targets as last built.
# Exits non-zero if any target crashed (a sanitizer report, an uncaught exception, a leak, an
# out-of-memory or a timeout), naming the crashing input; add it to fuzz/corpus/<name>/ as
# crash-<what> once the reader is fixed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
runs=20000
jobs=1
build_first=1
targets=()
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --no-build) build_first=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if ((${#targets[@]} == 0)); then
  for f in "$root"/fuzz/fuzz_*.cpp; do
    n=$(basename "$f" .cpp)
    targets+=("${n#fuzz_}")
  done
fi

# Without the toolchain the run is skipped (exit 77, ctest's SKIP_RETURN_CODE), not failed:
# scripts/setup.sh installs it (scripts/apt-packages.txt).
cxx=${CONVBENCH_FUZZ_CXX:-/usr/bin/clang++-14}
if [[ ! -x "$cxx" ]]; then
  echo "fuzz.sh: SKIPPED: $cxx not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 77
fi
if [[ ! -f "$("$cxx" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a" ]]; then
  echo "fuzz.sh: SKIPPED: no libFuzzer runtime for $cxx (apt-get install libclang-rt-14-dev)" >&2
  exit 77
fi
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$cxx" -DCONVBENCH_FUZZ=ON -DCONVBENCH_BUILD_TESTS=OFF \
    -DCONVBENCH_WITH_ORT=OFF -DCONVBENCH_WITH_TORCH=OFF -DCONVBENCH_WITH_TF=OFF \
    -DCONVBENCH_WITH_OPENCV=OFF >/dev/null
fi
build_targets=()
for t in "${targets[@]}"; do
  [[ -f "$root/fuzz/fuzz_$t.cpp" ]] || { echo "fuzz.sh: no target '$t' (fuzz/fuzz_$t.cpp)" >&2; exit 2; }
  build_targets+=("fuzz_$t")
done
if ((build_first)); then
  start=$SECONDS
  cmake --build "$build" -j 2 --target "${build_targets[@]}"
  echo "build-fuzz: built in $((SECONDS - start)) s"
fi

runs_dir="$build/fuzz-runs"
mkdir -p "$runs_dir"
# The targets' scratch files (fuzz/fuzz_util.hpp), rewritten on every execution: in memory where
# /dev/shm exists (truncating and rewriting a file on ext4 costs ~70x as much), else build-fuzz.
if [[ -d /dev/shm && -w /dev/shm ]]; then
  export TMPDIR="/dev/shm/convbench-fuzz-$$"
else
  export TMPDIR="$runs_dir/tmp-$$"
fi
mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# One target: fresh corpus copy, libFuzzer for $runs executions, a result line in result.txt.
run_one() {
  local t=$1 dir="$runs_dir/$1"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [[ -d "$root/fuzz/corpus/$t" ]]; then cp "$root/fuzz/corpus/$t"/* "$dir/corpus/" 2>/dev/null || true; fi
  local args=(-runs="$runs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$dir/artifacts/")
  [[ -f "$root/fuzz/dict/$t.dict" ]] && args+=(-dict="$root/fuzz/dict/$t.dict")
  local t0=$SECONDS rc=0
  "$build/fuzz/fuzz_$t" "${args[@]}" "$dir/corpus" >"$dir/log.txt" 2>&1 || rc=$?
  local secs=$((SECONDS - t0))
  local execs crash=0 input=""
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log.txt" | tail -1)
  if ((rc != 0)); then
    crash=1
    input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$dir/log.txt" | tail -1)
    [[ -n "$input" ]] || input="(no input written; see $dir/log.txt)"
    # A crash ends the run early: the executions before it are in the last status line.
    [[ -n "$execs" ]] || execs=$(grep -o '^#[0-9]*' "$dir/log.txt" | tail -1 | tr -d '#')
  fi
  local corpus
  corpus=$(find "$dir/corpus" -type f | wc -l)
  printf '%s %s %s %s %s %s\n' "$t" "${execs:-0}" "$crash" "$secs" "$corpus" "$input" >"$dir/result.txt"
}

printf 'fuzzing %d target(s), %s executions each, %s at a time\n' "${#targets[@]}" "$runs" "$jobs"
running=0
for t in "${targets[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=0
printf '\n%-16s %12s %8s %8s %8s\n' target executions crashes seconds corpus
for t in "${targets[@]}"; do
  if [[ ! -f "$runs_dir/$t/result.txt" ]]; then
    printf '%-16s %12s\n' "$t" "(no result: the harness failed, see $runs_dir/$t/log.txt)"
    failed=1
    continue
  fi
  read -r name execs crash secs corpus input <"$runs_dir/$t/result.txt"
  printf '%-16s %12s %8s %8s %8s\n' "$name" "$execs" "$crash" "$secs" "$corpus"
  if ((crash)); then
    failed=1
    echo "  CRASH in $name: $input" >&2
    echo "  log: $runs_dir/$t/log.txt" >&2
    grep -m3 -E 'ERROR: |runtime error:|uncaught exception|out-of-memory|timeout' "$runs_dir/$t/log.txt" | sed 's/^/  /' >&2 || true
  fi
done
exit "$failed"
