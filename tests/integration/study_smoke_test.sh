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
python3 - "$work/run/tables/tables.csv" <<'PY'
import csv, sys
# RQ3: every attack ran on every model instance; ONNX in ONNX Runtime agrees with the original on
# the adversarial set; Core ML is a recorded "not runnable", never a number.
rows = list(csv.DictReader(open(sys.argv[1])))
cell = {(r["table"], r["model"], r["framework"], r["attack"], r["quantity"], r["variant"]): r for r in rows}
checks = 0
for table, models, attacks in [("V", ["LeNet-5", "ResNet-18", "VGG-16"], ["FGSM", "Boundary"]),
                               ("VI", ["LSTM", "GRU"], ["GA"])]:
    for m in models:
        for fw in ["Keras", "PyTorch"]:
            for a in attacks:
                mis = cell[(table, m, fw, a, "adv_misclassification_pct", "onnx")]
                # Boundary examples sit on the original's decision boundary: float32 round-off
                # may flip one; FGSM and GA examples are far from it.
                assert mis["n"] == "1" and float(mis["mean"]) <= (12.5 if a == "Boundary" else 0.0), mis
                err = cell[(table, m, fw, a, "adv_abs_error", "onnx")]
                assert float(err["mean"]) < 1e-5, err
                fig = "Fig4" if table == "VI" else "Fig3"
                orig = cell[(fig, m, fw, a, "success_rate_pct", "original")]
                conv = cell[(fig, m, fw, a, "success_rate_pct", "onnx")]
                assert orig["mean"] != "" and conv["mean"] != "", (orig, conv)
                assert a == "Boundary" or orig["mean"] == conv["mean"], (orig, conv)
                coreml = cell[(table, m, fw, a, "adv_abs_error", "coreml")]
                assert coreml["mean"] == "" and coreml["note"] in ("not runnable on this platform", "conversion failed"), coreml
                checks += 1
        for fw in ["Keras", "PyTorch"]:
            r = cell[("VII", m, fw, "", "robustness_indicator", "onnx")]
            assert 0.0 <= float(r["mean"]) <= len(attacks), r   # a sum of min-max normalised terms
print(f"smoke RQ3: {checks} model x framework x attack rows, ONNX faithful on every adversarial set")
PY
