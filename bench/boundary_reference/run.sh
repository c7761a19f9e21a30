#!/usr/bin/env bash
# Side by side: our Boundary attack (C++, LibTorch worker) and Foolbox 3.3.4's BoundaryAttack
# (Python, torch) on the same TorchScript LeNet-5, the same MNIST test images, the same steps and
# L2 budget. Prints both JSON objects and keeps them (and the images) in $OUT.
#   bash bench/boundary_reference/run.sh                 # trains a LeNet-5 (2 epochs) first
#   MODEL=/path/model.pt IMAGES=100 STEPS=1000 bash bench/boundary_reference/run.sh
# Needs: build/bin/{convbench,convbench-bench-boundary,convbench-worker-torch} and the bench
# packages in the venv (.venv/bin/pip install -r zoo/requirements-bench.txt -c zoo/requirements.lock).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BIN:-$root/build/bin}
out=${OUT:-$root/build/boundary-reference}
data=${DATA_DIR:-$root/../shared/datasets/mnist}
images=${IMAGES:-100} steps=${STEPS:-1000} seed=${SEED:-0} budget=${L2_BUDGET:-2.0}
threads=${THREADS:-1}
py=$root/.venv/bin/python
mkdir -p "$out"

"$py" -c 'import foolbox, eagerpy' 2>/dev/null || {
  echo "foolbox/eagerpy missing: .venv/bin/pip install -r zoo/requirements-bench.txt -c zoo/requirements.lock" >&2
  exit 2
}
model=${MODEL:-}
if [[ -z $model ]]; then
  model=$out/lenet5/model.pt
  if [[ ! -f $model ]]; then
    "$bin/convbench" data prepare mnist --data-dir "$data" --out "$out/npy"
    PYTHONPATH="$root/zoo" "$py" -m convbench_zoo all --framework pytorch --model lenet5 \
      --data "$out/npy" --out "$out/lenet5" --epochs 2 --seed 0
  fi
fi

echo "== convbench (C++, LibTorch worker, $threads thread(s))" >&2
"$bin/convbench-bench-boundary" --model "$model" --dataset mnist --data-dir "$data" \
  --images "$images" --steps "$steps" --seed "$seed" --l2-budget "$budget" --threads "$threads" \
  --dump "$out/images" | tee "$out/convbench.json"
echo "== Foolbox 3.3.4 (Python, torch, $threads thread(s))" >&2
"$py" "$root/bench/boundary_reference/foolbox_boundary.py" --model "$model" --inputs "$out/images" \
  --steps "$steps" --seed "$seed" --l2-budget "$budget" --threads "$threads" | tee "$out/foolbox.json"
