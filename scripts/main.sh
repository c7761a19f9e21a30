#!/usr/bin/env bash
# The README's main job: set-up if needed, then the `quick` study on real data — every model of
# the study (LeNet-5/MNIST, ResNet-18 + VGG-16/CIFAR-10, LSTM + GRU/IMDb) trained in Keras and in
# PyTorch (2 replicates, reduced epochs and subsets: config/study/quick.toml), converted to ONNX
# and Core ML, measured side by side in their native runtime workers, attacked (RQ3: FGSM,
# Boundary, the genetic attack) — then Tables I-VII and the report (HTML + Markdown, figures).
# Resumable: run it again after an interruption and it continues where it stopped.
#
# Environment: PRESET (default quick; smoke for a few minutes' check), MIRROR (default
# ../shared/datasets when present; empty string = download from the official hosts),
# OUT (runs/<preset>), DATA (dataset cache, default data/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
PRESET=${PRESET:-quick}
OUT=${OUT:-runs/$PRESET}
DATA=${DATA:-data}
default_mirror=""
[[ -d ../shared/datasets ]] && default_mirror=$(cd ../shared/datasets && pwd)
MIRROR=${MIRROR-$default_mirror}

bash scripts/setup.sh
args=(--preset "$PRESET" --out "$OUT" --data-dir "$DATA")
[[ -n "$MIRROR" ]] && args+=(--mirror "$MIRROR")
mkdir -p "$OUT"
# GNU time: wall time and the largest process's peak RSS of the whole study (docs/RESULTS.md).
/usr/bin/time -v -o "$OUT/time.txt" build/bin/convbench study "${args[@]}"
grep -E "Elapsed|Maximum resident" "$OUT/time.txt" || true
build/bin/convbench report --store "$OUT/results.sqlite" --out "$OUT/report"
echo "results: $OUT/results.sqlite, tables: $OUT/tables/ (docs/study.md)"
echo "report:  $OUT/report/report.html (docs/report.md)"
