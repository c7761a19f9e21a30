#!/usr/bin/env bash
# `convbench check` against a short Python script doing the same comparison (TorchScript +
# onnxruntime + numpy, python_check.py) on torchvision's ResNet-50 (seeded random weights, traced;
# torch.onnx export), same inputs, batch and threads: wall time and peak memory of each, measured
# in one run, alternating, as ratios. Peak memory is the largest sum of RSS over the whole process
# tree (convbench's workers included), sampled every 20 ms.
# Tolerance atol 1e-4 (rtol 1e-3) in both: 50 layers of float32 reordering exceed 1e-5.
#   bash bench/resnet50/run.sh [SAMPLES] [REPEATS]      (default 64 samples of 3x224x224, 3 repeats)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-64} reps=${2:-3} batch=32 threads=2
py=${CONVBENCH_PYTHON:-$root/.venv/bin/python}
bin=${CONVBENCH_BIN:-$root/build/bin}
work=${WORK:-$root/runs/resnet50}
mkdir -p "$work"
if [[ ! -f $work/converted.onnx || ! -f $work/inputs_$n.npz ]]; then
  "$py" - "$work" "$n" <<'PY'
import sys, warnings
import numpy as np, torch, torchvision
work, n = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
net = torchvision.models.resnet50(weights=None).eval()
x = torch.randn(2, 3, 224, 224)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.jit.trace(net, x).save(f"{work}/original.pt")
    torch.onnx.export(net, x, f"{work}/converted.onnx", opset_version=17, input_names=["x"],
                      output_names=["logits"], dynamic_axes={"x": {0: "b"}, "logits": {0: "b"}})
rng = np.random.default_rng(0)
np.savez(f"{work}/inputs_{n}.npz", x=rng.standard_normal((n, 3, 224, 224), dtype=np.float32))
PY
fi
# RSS (KiB) summed over process $1 and all its descendants.
tree_rss() {
  ps -e -o pid=,ppid=,rss= | awk -v root="$1" '
    { parent[$1] = $2; rss[$1] = $3 }
    END { for (p in rss) { q = p; while (q != "" && q != 0 && q != root) q = parent[q];
                           if (q == root) s += rss[p] } print s + 0 }'
}
# Runs "$@"; prints "wall_ms peak_rss_mib" (the process tree's largest summed RSS).
measure() {
  local t0 t1 peak=0 rss pid
  t0=$(date +%s%N)
  "$@" > "$work/last.out" 2> "$work/last.err" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(tree_rss "$pid")
    if ((rss > peak)); then peak=$rss; fi
    sleep 0.02
  done
  wait "$pid" || true
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 )) $((peak / 1024))"
}
cb=("$bin/convbench" check "$work/original.pt" "$work/converted.onnx" --inputs "$work/inputs_$n.npz"
    --batch-size "$batch" --threads "$threads" --warmup 1 --no-diagnose --no-localise --atol 1e-4)
pc=("$py" "$root/bench/resnet50/python_check.py" "$work/original.pt" "$work/converted.onnx"
    "$work/inputs_$n.npz" "$batch" "$threads")
echo "ResNet-50, $n samples 3x224x224, batch $batch, $threads threads, $reps repeats (alternating)"
declare -a cw cm pw pm
for r in $(seq "$reps"); do
  read -r w m < <(measure "${cb[@]}"); cw+=("$w"); cm+=("$m")
  grep -q "convbench check: PASS" "$work/last.out" || { echo "convbench check did not PASS:"; tail "$work/last.out" "$work/last.err"; exit 1; }
  read -r w m < <(measure "${pc[@]}"); pw+=("$w"); pm+=("$m")
  grep -q "^PASS" "$work/last.out" || { echo "python_check did not PASS:"; cat "$work/last.out" "$work/last.err"; exit 1; }
  echo "repeat $r: convbench ${cw[-1]} ms ${cm[-1]} MiB; python ${pw[-1]} ms ${pm[-1]} MiB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mcw=$(median "${cw[@]}") mcm=$(median "${cm[@]}") mpw=$(median "${pw[@]}") mpm=$(median "${pm[@]}")
echo "| | wall s (median) | peak RSS MiB, process tree (median) |"
echo "|---|---|---|"
echo "| convbench check | $(awk "BEGIN {printf \"%.2f\", $mcw / 1000}") | $mcm |"
echo "| python script | $(awk "BEGIN {printf \"%.2f\", $mpw / 1000}") | $mpm |"
echo "| ratio convbench / python | $(awk "BEGIN {printf \"%.2f\", $mcw / $mpw}") | $(awk "BEGIN {printf \"%.2f\", $mcm / $mpm}") |"
