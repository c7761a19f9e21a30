#!/usr/bin/env bash
# The shipped-model corpus (issue #12) through `convbench check` and through NVIDIA Polygraphy.
#   bash bench/shipped/run.sh [--quick] [OUT]
# Builds the corpus (tests/shipped/make_models.py: public architectures with seeded random
# weights, faithful and deliberately broken ONNX conversions) into OUT/corpus unless it is there
# and current, computes the originals' outputs in Python torch (reference.py), then per case runs
# `convbench check original.pt converted.onnx --inputs inputs.npz --json` and `polygraphy run
# converted.onnx --onnxrt --load-inputs ... --load-outputs <original's outputs>`, and checks that
# convbench's ONNX Runtime worker and Polygraphy's ONNX Runtime run give the same bytes
# (compare.py). Prints the Markdown table and writes it to OUT/table.md.
# --quick: the fast subset (the ctest `shipped_quick`). OUT defaults to runs/shipped[-quick].
# Environment: CONVBENCH_BIN (default build/bin), CONVBENCH_PYTHON (default .venv/bin/python).
# Exit 0 unless an infrastructure error, a faithful case that convbench does not PASS, or a broken
# case whose verdict is not FAIL or whose output lacks its expected cause (index.json "finding").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
quick=0
[[ ${1:-} == --quick ]] && { quick=1; shift; }
sfx=
if ((quick)); then sfx=-quick; fi
out=${1:-$root/runs/shipped$sfx}
bin=${CONVBENCH_BIN:-$root/build/bin}
py=${CONVBENCH_PYTHON:-$root/.venv/bin/python}
corpus=$out/corpus
results=$out/results
mkdir -p "$out"
out=$(cd "$out" && pwd)
corpus=$out/corpus results=$out/results
for b in convbench convbench-onnx-conformance convbench-worker-onnxruntime convbench-worker-torch; do
  # A build beside us may relink a binary for a few seconds: wait for it.
  for _ in $(seq 30); do [[ -x $bin/$b ]] && break; sleep 2; done
  [[ -x $bin/$b ]] || { echo "run.sh: $bin/$b is missing (build convbench first)" >&2; exit 2; }
done
now() { date +%s%N; }
secs() { local d=$(( ($(now) - $1) / 100000000 )); printf '%d.%d' $((d / 10)) $((d % 10)); }
t0=$(now)
stamp="$(sha256sum "$root/tests/shipped/make_models.py" | cut -c1-16) quick=$quick"
if [[ ! -f $corpus/index.json || "$(cat "$corpus/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  rm -rf "$corpus"
  mkdir -p "$corpus"
  args=(--out "$corpus")
  ((quick)) && args+=(--quick)
  tb=$(now)
  "$py" "$root/tests/shipped/make_models.py" "${args[@]}" 2>"$out/make_models.log" ||
    { tail -20 "$out/make_models.log" >&2; echo "run.sh: building the corpus failed" >&2; exit 2; }
  echo "$stamp" >"$corpus/.stamp"
  echo "corpus built in $(secs "$tb") s ($corpus)" >&2
else
  echo "corpus up to date: $corpus" >&2
fi
rm -rf "$results"
mkdir -p "$results"
tr=$(now)
"$py" "$root/bench/shipped/reference.py" "$corpus" "$results" 2>"$out/reference.log" ||
  { tail -20 "$out/reference.log" >&2; echo "run.sh: the originals' reference outputs failed" >&2; exit 2; }
echo "reference outputs in $(secs "$tr") s" >&2
rc=0
"$py" "$root/bench/shipped/compare.py" --corpus "$corpus" --results "$results" --bin "$bin" \
  --table "$out/table.md" || rc=$?
echo "total wall $(secs "$t0") s" >&2
exit $rc
