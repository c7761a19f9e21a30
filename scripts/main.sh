#!/usr/bin/env bash
# The README's main job: set-up if needed, then LeNet-5 end to end on real MNIST —
# fetch (mirror or download, SHA-256 checked) -> decode -> train in Keras and in PyTorch ->
# convert to ONNX and Core ML -> measure original and conversions side by side in their
# native runtime workers -> print the tables, write JSON under runs/lenet5/.
#
# Options (environment): EPOCHS (default 8), SEED (0), MIRROR (default ../shared/datasets when
# present; empty string = download from the official hosts), OUT (runs/lenet5).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
EPOCHS=${EPOCHS:-8}
SEED=${SEED:-0}
OUT=${OUT:-runs/lenet5}
default_mirror=""
[[ -d ../shared/datasets/mnist ]] && default_mirror=$(cd ../shared/datasets && pwd)
MIRROR=${MIRROR-$default_mirror}

bash scripts/setup.sh
cb=build/bin/convbench
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "data: MNIST (official IDX files, SHA-256 checked)"
mirror_args=()
[[ -n "$MIRROR" ]] && mirror_args=(--mirror "$MIRROR")
$cb data fetch mnist --out data/mnist "${mirror_args[@]}"
$cb data prepare mnist --data-dir data/mnist --out data/mnist-npy >/dev/null

# Training uses every core; LibTorch and TensorFlow read these at start-up.
export OMP_NUM_THREADS=$(nproc) TF_CPP_MIN_LOG_LEVEL=2
for fw in keras pytorch; do
  step "zoo: train LeNet-5 in $fw ($EPOCHS epochs, seed $SEED), convert to ONNX and Core ML"
  PYTHONPATH=zoo .venv/bin/python -m convbench_zoo all --framework "$fw" --model lenet5 \
    --data data/mnist-npy --out "$OUT/$fw" --epochs "$EPOCHS" --seed "$SEED"
done

for fw in keras pytorch; do
  step "eval: LeNet-5 $fw — original vs ONNX vs Core ML on the 10,000 MNIST test images"
  $cb eval --model-dir "$OUT/$fw" --data-dir data/mnist --json "$OUT/$fw/eval.json" \
    --log-dir "$OUT/$fw/logs"
done
step "done: results in $OUT/{keras,pytorch}/eval.json (schema: docs/eval-json.md)"
