#!/usr/bin/env bash
# ctest fixture: synthetic MNIST in the official IDX format -> .npy -> one tiny LeNet-5 per
# framework, trained for one epoch and converted by the zoo. Output: $2/{data,npy,models/*}.
set -euo pipefail
bin=$1 out=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out"
"$bin/make_fixtures" "$out/data" 1024 256
"$bin/convbench" data prepare mnist --data-dir "$out/data" --out "$out/npy"
for fw in keras pytorch; do
  PYTHONPATH="$root/zoo" "$root/.venv/bin/python" -m convbench_zoo all --framework "$fw" \
    --model lenet5 --data "$out/npy" --out "$out/models/$fw" --epochs 1 --seed 0
done
echo "models in $out/models"
