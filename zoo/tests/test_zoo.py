import ast
import json
import math
import shutil

import pytest
from conftest import FRAMEWORKS, N_TEST, N_TRAIN, ZOO, helper, run_py

from convbench_zoo import cli
from convbench_zoo.hparams import DEFAULTS, HParams

TOP_KEYS = {"schema", "model", "framework", "dataset", "seed", "hparams", "input", "output",
            "training", "artefacts", "versions"}
CONVERTED_KEYS = {"format", "path", "status", "error", "converter", "wall_s"}


def test_manifest_has_schema_keys(trained):
    framework, model_dir, m = trained
    assert TOP_KEYS <= m.keys()
    assert (m["schema"], m["model"], m["framework"], m["dataset"], m["seed"]) == \
        (1, "lenet5", framework, "mnist", 0)
    assert m["hparams"] == {"epochs": 1, "batch_size": 128, "lr": 0.05, "optimizer": "sgd",
                            "train_subset": N_TRAIN}
    nhwc = framework == "keras"
    assert m["input"] == {"name": "input", "shape": [28, 28, 1] if nhwc else [1, 28, 28],
                          "layout": "NHWC" if nhwc else "NCHW", "dtype": "float32",
                          "preprocessing": "x/255"}
    assert m["output"] == {"shape": [10], "activation": "softmax"}
    assert m["training"]["wall_s"] > 0
    (epoch,) = m["training"]["history"]  # --epochs 1
    assert epoch["epoch"] == 1
    for k in ("loss", "val_loss"):
        assert math.isfinite(epoch[k]) and epoch[k] > 0
    for k in ("accuracy", "val_accuracy"):
        assert 0 <= epoch[k] <= 1
    # Accuracies are fractions of whole samples (catches averaging over batches instead).
    assert epoch["accuracy"] * N_TRAIN == pytest.approx(round(epoch["accuracy"] * N_TRAIN))
    assert epoch["val_accuracy"] * N_TEST == pytest.approx(round(epoch["val_accuracy"] * N_TEST))
    fw_key = "tensorflow" if nhwc else "torch"
    for k in ("python", "numpy", fw_key, "onnx", "coremltools"):
        assert m["versions"][k], k


def test_artefacts_exist_and_recorded(trained):
    framework, model_dir, m = trained
    arts = m["artefacts"]
    orig = arts["original"]
    if framework == "keras":
        assert orig["format"] == "tf_savedmodel" and orig["path"] == "saved_model"
        assert (model_dir / "saved_model" / "saved_model.pb").is_file()
        assert orig["tf_input"] == "serving_default_input:0"
        assert orig["tf_output"].endswith(":0")
    else:
        assert orig == {"format": "torchscript", "path": "model.pt", "status": "ok"}
        assert (model_dir / "model.pt").is_file()
    onnx, coreml = arts["onnx"], arts["coreml"]
    assert CONVERTED_KEYS <= onnx.keys() and CONVERTED_KEYS <= coreml.keys()
    assert onnx["status"] == "ok" and onnx["error"] is None and onnx["opset"] == 13
    assert onnx["converter"].startswith("tf2onnx " if framework == "keras" else "torch.onnx ")
    assert (model_dir / "model.onnx").is_file()
    # Core ML can only be converted (not run) on Linux; both frameworks convert today.
    assert coreml["status"] == "ok", coreml["error"]
    assert coreml["format"] == "coreml_mlprogram" and coreml["converter"].startswith("coremltools ")
    assert coreml["input_shape"] == [1] + m["input"]["shape"]
    assert (model_dir / "model.mlpackage" / "Manifest.json").is_file()
    assert (onnx["input_name"], onnx["output_name"]) == ("input", "output")
    assert (coreml["input_name"], coreml["output_name"]) == ("input", "output")


def test_onnx_matches_original(trained):
    framework, model_dir, m = trained
    r = helper("parity", model_dir)
    assert r["shape"] == [5, 10]
    assert r["max_abs_diff"] < 1e-5
    assert r["max_abs_diff_by_name"] < 1e-6  # the recorded TF tensor names serve the same model
    assert r["max_row_sum_err"] < 1e-5 and r["min_prob"] >= 0  # deployed output is softmax
    assert (r["onnx_inputs"], r["onnx_outputs"]) == (["input"], ["output"])


@pytest.mark.parametrize("which", ["onnx", "coreml"])
def test_converter_failure_is_recorded(trained, which, tmp_path):
    framework, model_dir, _ = trained
    work = tmp_path / "model"
    shutil.copytree(model_dir, work)  # contains artefacts from the earlier, successful run
    assert helper("fail", work, which) == {"rc": 0}
    arts = json.loads((work / "manifest.json").read_text())["artefacts"]
    failed, other = (arts["onnx"], arts["coreml"]) if which == "onnx" else (arts["coreml"], arts["onnx"])
    assert failed["status"] == "failed"
    assert failed["error"] == f"RuntimeError: injected {which} failure"
    assert failed["converter"]  # version of the converter that failed
    assert not (work / failed["path"]).exists()  # the stale artefact was removed
    assert other["status"] == "ok" and (work / other["path"]).exists()  # the other still ran


def test_architecture_and_init_equal():
    r = {fw: helper("params", fw) for fw in FRAMEWORKS}
    # 156 + 2416 + 48120 + 10164 + 850 (see models_keras.py)
    assert r["keras"]["params"] == r["pytorch"]["params"] == 61706
    # Same (fan_in, fan_out) per layer, in the same order.
    assert r["keras"]["kernel_shapes_io"] == r["pytorch"]["kernel_shapes_io"] == \
        [[25, 150], [150, 400], [400, 120], [120, 84], [84, 10]]
    for fw in FRAMEWORKS:  # same initialisation: Glorot-uniform kernels, zero biases
        assert r[fw]["bias_max_abs"] == 0, fw
        assert all(0.9 < x <= 1.0 for x in r[fw]["kernel_bound_ratio"]), (fw, r[fw])


def test_hparams_shared_by_both_frameworks():
    # The CLI defaults are the shared dataclass defaults ...
    for fw in FRAMEWORKS:
        args = cli._parser().parse_args(["train", "--framework", fw, "--data", "d", "--out", "o"])
        assert HParams(args.epochs, args.batch_size, args.lr, DEFAULTS.optimizer,
                       args.train_subset) == DEFAULTS
        assert args.seed == 0
    assert DEFAULTS == HParams(epochs=5, batch_size=128, lr=0.05, optimizer="sgd", train_subset=None)
    # ... and neither backend has hyperparameter defaults or literals of its own: each train()
    # takes the HParams object without defaults and reads every field from it.
    for name in ("backend_keras.py", "backend_torch.py"):
        tree = ast.parse((ZOO / "convbench_zoo" / name).read_text())
        (train,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "train"]
        assert [a.arg for a in train.args.args] == ["data", "hp", "seed", "log"]
        assert not train.args.defaults
        used = {n.attr for n in ast.walk(train)
                if isinstance(n, ast.Attribute) and getattr(n.value, "id", None) == "hp"}
        assert {"epochs", "batch_size", "lr", "optimizer"} <= used, name
        literals = {n.value for n in ast.walk(train) if isinstance(n, ast.Constant)}
        assert not literals & {0.05, 128, 5}, name


def test_usage_errors_exit_nonzero(tmp_path, data_dir):
    r = run_py("-m", "convbench_zoo", "convert", "--model-dir", tmp_path, check=False)
    assert r.returncode == 2 and "cannot read manifest" in r.stderr
    r = run_py("-m", "convbench_zoo", "train", "--framework", "pytorch", "--data", tmp_path,
               "--out", tmp_path / "m", check=False)
    assert r.returncode == 2 and "train_x.npy" in r.stderr
    r = run_py("-m", "convbench_zoo", "train", "--framework", "mxnet", "--data", data_dir,
               "--out", tmp_path / "m", check=False)
    assert r.returncode == 2 and "invalid choice" in r.stderr
    assert not (tmp_path / "m").exists()
