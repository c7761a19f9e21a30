#!/usr/bin/env bash
# The smoke preset end to end on the real datasets (../shared/datasets when present, else the
# official hosts): all five models x both frameworks train, convert and are measured; every
# ONNX conversion run in ONNX Runtime matches its original; Core ML is reported, never run.
set -euo pipefail
bin=$1 work=$2 root=$3
mirror=()
[[ -d "$root/../shared/datasets" ]] && mirror=(--mirror "$(cd "$root/../shared/datasets" && pwd)")
rm -rf "$work/run"
"$bin/convbench" study --preset smoke --out "$work/run" --data-dir "$work/data" "${mirror[@]}"
python3 - "$work/run/tables/tables.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cell = {(r["model"], r["framework"], r["quantity"], r["variant"]): r for r in rows}
models = ["LeNet-5", "ResNet-18", "VGG-16", "LSTM", "GRU"]
for m in models:
    for fw in ["Keras", "PyTorch"]:
        acc = cell[(m, fw, "accuracy_pct", "original")]
        assert acc["n"] == "1", (m, fw, acc)
        onnx = cell[(m, fw, "accuracy_pct", "onnx")]
        assert onnx["mean"] == acc["mean"], (m, fw, acc, onnx)
        err = cell[(m, fw, "abs_error", "onnx")]
        assert float(err["mean"]) < 1e-6, (m, fw, err)
        assert float(cell[(m, fw, "misclassification_pct", "onnx")]["mean"]) == 0.0, (m, fw)
        coreml = cell[(m, fw, "accuracy_pct", "coreml")]
        assert coreml["mean"] == "" and coreml["note"] in ("not runnable on this platform", "conversion failed"), coreml
        size = cell[(m, fw, "size_mb", "coreml")]
        assert coreml["note"] == "conversion failed" or float(size["mean"]) > 0, size
print(f"smoke: {len(models) * 2} model x framework rows, ONNX faithful in ONNX Runtime, Core ML not run")
PY
