import ast
import dataclasses
import json
import math
import shutil

import numpy as np
import pytest
from conftest import (DATASET_OF, FRAMEWORKS, MODELS, N_TRAIN, N_VAL, TEST_LR, TEXT_LEN, VOCAB,
                      ZOO, helper, make_dataset, run_py)

from convbench_zoo import cli
from convbench_zoo import data as data_mod
from convbench_zoo import hparams as hparams_mod

TOP_KEYS = {"schema", "model", "framework", "dataset", "seed", "hparams", "input", "output",
            "training", "artefacts", "versions"}
CONVERTED_KEYS = {"format", "path", "status", "error", "converter", "wall_s"}
EACH_RUN = pytest.mark.parametrize("framework", FRAMEWORKS)
EACH_MODEL = pytest.mark.parametrize("model", MODELS)
TEXT_MODELS = ["lstm", "gru"]
# Trainable parameters (see models_keras.py / zoo/README.md); RNNs with vocab_size VOCAB.
PARAMS = {"lenet5": 61706, "resnet18": 11173962, "vgg16": 14724042,
          "lstm": 128 * VOCAB + 131842, "gru": 128 * VOCAB + 99330}
BN_STATS = {"resnet18": 9600, "vgg16": 8448}  # moving mean + variance per BN channel


def expected_hparams(model):
    """What the session's `all` runs asked for: the config file's values, with the
    command-line overrides conftest passes."""
    hp = hparams_mod.load()[model].hparams
    return dataclasses.replace(hp, epochs=1, lr=TEST_LR, train_subset=N_TRAIN,
                               val_subset=N_VAL).to_json()


@EACH_MODEL
@EACH_RUN
def test_manifest(runs, model, framework):
    model_dir, m = runs.get((model, framework))
    assert TOP_KEYS <= m.keys()
    assert (m["schema"], m["model"], m["framework"], m["dataset"], m["seed"]) == \
        (1, model, framework, DATASET_OF[model], 0)
    assert m["hparams"] == expected_hparams(model)
    inp = m["input"]
    if model in TEXT_MODELS:
        assert inp == {"name": "input", "shape": [TEXT_LEN], "layout": "tokens", "dtype": "int64",
                       "preprocessing": "token ids", "vocab_file": "vocab.txt",
                       "seq_len": TEXT_LEN, "vocab_size": VOCAB}
        assert m["output"] == {"shape": [2], "activation": "softmax"}
    else:
        c, hw = (1, 28) if model == "lenet5" else (3, 32)
        nhwc = framework == "keras"
        expected = {"name": "input", "shape": [hw, hw, c] if nhwc else [c, hw, hw],
                    "layout": "NHWC" if nhwc else "NCHW", "dtype": "float32"}
        if model == "lenet5":  # MNIST directory without meta.json: the old defaults
            expected["preprocessing"] = "x/255"
        else:
            expected.update(preprocessing="(x/255-mean)/std per channel",
                            mean=[0.4914, 0.4822, 0.4465], std=[0.247, 0.2435, 0.2616])
        assert inp == expected
        assert m["output"] == {"shape": [10], "activation": "softmax"}
    assert m["training"]["wall_s"] > 0
    (epoch,) = m["training"]["history"]  # --epochs 1
    assert epoch["epoch"] == 1
    for k in ("loss", "val_loss"):
        assert math.isfinite(epoch[k]) and epoch[k] > 0
    for k in ("accuracy", "val_accuracy"):
        assert 0 <= epoch[k] <= 1
    # Accuracies are fractions of whole samples (catches averaging over batches instead),
    # and validation used exactly --val-subset samples.
    assert epoch["accuracy"] * N_TRAIN == pytest.approx(round(epoch["accuracy"] * N_TRAIN))
    assert epoch["val_accuracy"] * N_VAL == pytest.approx(round(epoch["val_accuracy"] * N_VAL))
    fw_key = "tensorflow" if framework == "keras" else "torch"
    for k in ("python", "numpy", fw_key, "onnx", "coremltools"):
        assert m["versions"][k], k


@EACH_MODEL
@EACH_RUN
def test_artefacts_exist_and_recorded(runs, model, framework):
    model_dir, m = runs.get((model, framework))
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
    # Core ML can only be converted (not run) on Linux; today every model converts.
    assert coreml["status"] == "ok", coreml["error"]
    assert coreml["format"] == "coreml_mlprogram" and coreml["converter"].startswith("coremltools ")
    assert coreml["input_shape"] == [1] + m["input"]["shape"]
    assert (model_dir / "model.mlpackage" / "Manifest.json").is_file()
    assert (onnx["input_name"], onnx["output_name"]) == ("input", "output")
    assert (coreml["input_name"], coreml["output_name"]) == ("input", "output")
    vocab = model_dir / "vocab.txt"
    if model in TEXT_MODELS:  # the vocabulary travels with the model
        assert vocab.read_text().splitlines()[:2] == ["<pad>", "<unk>"]
        assert len(vocab.read_text().splitlines()) == VOCAB
    else:
        assert not vocab.exists()


@EACH_MODEL
@EACH_RUN
def test_onnx_matches_original(runs, model, framework):
    r = runs.parity(model, framework)
    assert r["shape"] == [5, 2 if model in TEXT_MODELS else 10]
    assert r["max_abs_diff"] < 1e-5, r
    assert r["max_abs_diff_logp"] < 1e-4, r  # also where the softmax saturates
    assert r["max_prob"] < 0.99, r  # not saturated, or the two checks above say little
    assert r["max_row_sum_err"] < 1e-5 and r["min_prob"] >= 0  # deployed output is softmax
    assert (r["onnx_inputs"], r["onnx_outputs"]) == (["input"], ["output"])


@pytest.mark.parametrize("which", ["onnx", "coreml"])
@EACH_RUN
def test_converter_failure_is_recorded(runs, framework, which, tmp_path):
    model_dir, _ = runs.get(("lenet5", framework))
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


@EACH_MODEL
def test_same_network_in_both_frameworks(runs, model):
    """Keras weights copied into the torch model (weight_transfer.py) give the same outputs,
    the same BN statistics updates and the same optimiser steps (framework_helper.py)."""
    keras_counts, r = runs.get("keras-twin")[model], runs.get("twin")[model]
    assert keras_counts["trainable"] == r["params"]["trainable"] == PARAMS[model]
    assert keras_counts["non_trainable"] == r["params"]["non_trainable"] == BN_STATS.get(model, 0)
    # torch's LSTM holds a second bias vector, fixed at zero (models_torch.init_like_keras).
    assert r["params"]["frozen_params"] == (4 * 128 if model == "lstm" else 0)
    # float32, eval and training mode (logits relative to their magnitude when > 1)
    assert r["eval_logits"] < 1e-4 and r["train_logits"] < 1e-4 and r["eval_probs"] < 1e-4, r
    assert r["state_after_train_forward"] < 1e-5, r  # BN moving mean/variance updates
    # float64, two optimiser steps: the same losses (with L2) and the same updates. Adam's
    # tolerance is wider because Keras rounds beta_1/beta_2 to float32 in its bias correction
    # (tf.cast of a Python float): ~1e-5 relative on a step, not an algorithmic difference.
    assert r["losses_rel"] < 1e-5, r
    assert r["update_rel"] < (1e-3 if model in TEXT_MODELS else 1e-6), r


def test_hparams_come_from_config_for_both_frameworks(runs):
    config = hparams_mod.load()
    assert sorted(config) == sorted(MODELS)
    assert {m: c.dataset for m, c in config.items()} == DATASET_OF
    lenet = config["lenet5"].hparams
    assert (lenet.optimizer, lenet.lr, lenet.momentum, lenet.weight_decay, lenet.batch_size,
            lenet.epochs) == ("sgd", 0.05, 0.0, 0.0, 128, 50)  # the paper's LeNet-5 setting
    for model in MODELS:
        # The CLI resolves the same HParams whichever framework is asked for ...
        parsed = [cli.resolve_hparams(cli._parser().parse_args(
            ["train", "--framework", fw, "--model", model, "--data", "d", "--out", "o"]), config)
            for fw in FRAMEWORKS]
        assert parsed == [config[model].hparams] * 2
        # ... and both trained models recorded identical hyperparameters.
        assert runs.get((model, "keras"))[1]["hparams"] == runs.get((model, "pytorch"))[1]["hparams"]
    # Overrides replace single values.
    args = cli._parser().parse_args(["train", "--framework", "keras", "--model", "resnet18",
                                     "--data", "d", "--out", "o", "--epochs", "3",
                                     "--val-subset", "100"])
    assert cli.resolve_hparams(args, config) == dataclasses.replace(
        config["resnet18"].hparams, epochs=3, val_subset=100)


def test_backends_have_no_hyperparameters_of_their_own():
    """Each backend's training code takes the HParams object without defaults and reads every
    value from it."""
    training_code = {"backend_keras.py": {"train", "compile_for_training"},
                     "backend_torch.py": {"train", "make_optimizer", "Objective", "_evaluate"}}
    for name, wanted in training_code.items():
        tree = ast.parse((ZOO / "convbench_zoo" / name).read_text())
        defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        train = defs["train"]
        assert [a.arg for a in train.args.args] == ["model", "data", "hp", "seed", "log"]
        assert not train.args.defaults
        nodes = [n for d in wanted for n in ast.walk(defs[d])]
        used = {n.attr for n in nodes
                if isinstance(n, ast.Attribute) and getattr(n.value, "id", None) == "hp"}
        assert {"epochs", "batch_size", "lr", "optimizer", "momentum", "weight_decay",
                "epsilon"} <= used, name
        numbers = {n.value for n in nodes if isinstance(n, ast.Constant)
                   and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)}
        assert numbers <= {0, 1, 2}, (name, numbers)  # indices, +1 epochs, wd/2


def test_config_file_errors(tmp_path):
    good = hparams_mod.CONFIG_PATH.read_text()
    bad = tmp_path / "models.toml"
    for broken, message in [
        (good.replace('optimizer = "adam"', 'optimizer = "rmsprop"', 1), "rmsprop"),
        (good.replace("momentum = 0.9", "momentum = 0.9\nnesterov = true", 1), "nesterov"),
        (good.replace("[gru]", "[gru2]"), "expected sections"),
        (good.replace("epsilon = 1e-7", "", 1), "epsilon"),
    ]:
        bad.write_text(broken)
        with pytest.raises(ValueError, match=message):
            hparams_mod.load(bad)


@pytest.mark.parametrize("model,dataset", [("lenet5", "cifar10"), ("resnet18", "mnist"),
                                           ("vgg16", "imdb"), ("lstm", "cifar10"),
                                           ("gru", "mnist")])
def test_model_must_fit_dataset(data_dirs, tmp_path, model, dataset):
    r = run_py("-m", "convbench_zoo", "all", "--framework", "pytorch", "--model", model,
               "--data", data_dirs[dataset], "--out", tmp_path / "m", check=False)
    assert r.returncode == 2
    assert f"--model {model} trains on {DATASET_OF[model]}" in r.stderr
    assert f"holds {dataset}" in r.stderr
    assert not (tmp_path / "m").exists()


def test_data_loading(tmp_path, data_dirs):
    meta = data_mod.read_meta(data_dirs["imdb"])
    d = data_mod.load(data_dirs["imdb"], meta, train_subset=5, val_subset=3)
    assert (d.train_x.shape, d.test_x.shape) == ((5, TEXT_LEN), (3, TEXT_LEN))
    assert d.train_x.dtype == np.int64  # token ids, as text models take them
    assert data_mod.read_meta(data_dirs["mnist"]) == data_mod.MNIST_META  # no meta.json
    with pytest.raises(ValueError, match="--val-subset 99"):
        data_mod.load(data_dirs["imdb"], meta, val_subset=99)
    # A token id the embedding table cannot hold is a data error, not a crash in training.
    bad = make_dataset(tmp_path / "bad", "imdb")
    x = np.load(bad / "train_x.npy")
    x[0, 0] = VOCAB
    np.save(bad / "train_x.npy", x)
    with pytest.raises(ValueError, match="token ids outside"):
        data_mod.load(bad, data_mod.read_meta(bad))
    # Shapes are checked against meta.json.
    with pytest.raises(ValueError, match=r"expected float32 \[N,3,32,32\]"):
        data_mod.load(data_dirs["mnist"], data_mod.read_meta(data_dirs["cifar10"]))


def test_usage_errors_exit_nonzero(tmp_path, data_dirs):
    r = run_py("-m", "convbench_zoo", "convert", "--model-dir", tmp_path, check=False)
    assert r.returncode == 2 and "cannot read manifest" in r.stderr
    r = run_py("-m", "convbench_zoo", "train", "--framework", "pytorch", "--data", tmp_path,
               "--out", tmp_path / "m", check=False)
    assert r.returncode == 2 and "train_x.npy" in r.stderr
    r = run_py("-m", "convbench_zoo", "train", "--framework", "mxnet", "--data", data_dirs["mnist"],
               "--out", tmp_path / "m", check=False)
    assert r.returncode == 2 and "invalid choice" in r.stderr
    r = run_py("-m", "convbench_zoo", "train", "--framework", "keras", "--model", "lstm",
               "--data", data_dirs["imdb"], "--out", tmp_path / "m", "--val-subset", 10**6,
               check=False)
    assert r.returncode == 2 and "--val-subset 1000000 outside" in r.stderr
    r = run_py("-m", "convbench_zoo", "train", "--framework", "keras", "--model", "lstm",
               "--data", data_dirs["imdb"], "--out", tmp_path / "m", "--lr", "0", check=False)
    assert r.returncode == 2 and "lr > 0" in r.stderr
    no_vocab = tmp_path / "imdb"
    shutil.copytree(data_dirs["imdb"], no_vocab)
    (no_vocab / "vocab.txt").unlink()
    r = run_py("-m", "convbench_zoo", "train", "--framework", "keras", "--model", "gru",
               "--data", no_vocab, "--out", tmp_path / "m", check=False)
    assert r.returncode == 2 and "vocab.txt not found" in r.stderr
    assert not (tmp_path / "m").exists()
