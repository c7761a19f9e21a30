"""Shared fixtures. Framework code always runs in subprocesses: TensorFlow and torch
must not be imported into one process, and pytest runs both frameworks' tests.

The expensive part - an `all` run for every model x framework, the ONNX parity checks and
the weight-transfer checks - runs once per session, as two chains of subprocesses in
parallel. Each result is kept separately, so one failing run fails only the tests that
look at it.
"""
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

ZOO = Path(__file__).resolve().parents[1]
HELPER = Path(__file__).resolve().parent / "framework_helper.py"
FRAMEWORKS = ["keras", "pytorch"]
MODELS = ["lenet5", "resnet18", "vgg16", "lstm", "gru"]
DATASET_OF = {"lenet5": "mnist", "resnet18": "cifar10", "vgg16": "cifar10", "lstm": "imdb",
              "gru": "imdb"}
N_TRAIN, N_TEST, N_VAL = 16, 12, 8  # tiny: one optimiser step per epoch with every config
TEXT_LEN, VOCAB = 24, 60
# A small lr keeps the briefly trained models near their initialisation: after a full-size
# step on 16 random images VGG-16's softmax saturates, and a saturated output would make
# the ONNX parity check (max |diff| of probabilities) vacuous.
TEST_LR = 1e-4
# Which runs share a chain (one process at a time per chain); the chains run in parallel.
CHAINS = [
    [*[(m, "keras") for m in MODELS], "parity-keras"],
    [*[(m, "pytorch") for m in MODELS], "parity-pytorch", "twin"],
]

def run_py(*args, check=True, timeout=600):
    """Runs the venv's python with zoo/ on PYTHONPATH; returns the CompletedProcess."""
    env = dict(os.environ, PYTHONPATH=str(ZOO), TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}\nstdout:\n{proc.stdout[-3000:]}\n"
                             f"stderr:\n{proc.stderr[-5000:]}")
    return proc


def helper(*args):
    """Runs tests/framework_helper.py and returns the JSON it prints last."""
    return json.loads(run_py(HELPER, *args).stdout.strip().splitlines()[-1])


def make_dataset(d: Path, dataset: str, n_train=N_TRAIN, n_test=N_TEST, with_meta=True) -> Path:
    """A tiny random dataset in the layout `convbench data prepare` writes."""
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    if dataset == "imdb":
        meta = {"kind": "text", "num_classes": 2, "sample_shape": [TEXT_LEN], "layout": "tokens",
                "preprocessing": "token ids", "vocab_file": "vocab.txt", "vocab_size": VOCAB,
                "seq_len": TEXT_LEN, "class_names": ["neg", "pos"]}
        words = ["<pad>", "<unk>"] + [f"w{i}" for i in range(VOCAB - 2)]
        (d / "vocab.txt").write_text("\n".join(words) + "\n")

        def sample(n):  # word ids >= 2, pre-padded with 0s like `prepare imdb`
            x = rng.integers(2, VOCAB, (n, TEXT_LEN)).astype(np.int64)
            x[:, :4] = 0
            return x
    else:
        shape = [1, 28, 28] if dataset == "mnist" else [3, 32, 32]
        meta = {"kind": "image", "num_classes": 10, "sample_shape": shape, "layout": "NCHW"}
        if dataset == "mnist":
            meta["preprocessing"] = "x/255"
            sample = lambda n: rng.random((n, *shape), dtype=np.float32)  # noqa: E731
        else:
            meta.update(preprocessing="(x/255-mean)/std per channel", mean=[0.4914, 0.4822, 0.4465],
                        std=[0.247, 0.2435, 0.2616])
            sample = lambda n: rng.standard_normal((n, *shape), dtype=np.float32)  # noqa: E731
        meta["class_names"] = [f"c{i}" for i in range(10)]
    for split, n in (("train", n_train), ("test", n_test)):
        np.save(d / f"{split}_x.npy", sample(n))
        np.save(d / f"{split}_y.npy", rng.integers(0, meta["num_classes"], n).astype(np.int64))
    meta = {"schema": 1, "dataset": dataset, **meta, "train_count": n_train, "test_count": n_test}
    if with_meta:
        (d / "meta.json").write_text(json.dumps(meta))
    return d


class Runs:
    """Results of the session's subprocess runs; get() re-raises a run's own failure.

    Keys: (model, framework) -> (model_dir, manifest); "parity-..." -> {model_dir: result};
    "keras-twin" -> Keras parameter counts; "twin" -> torch-twin's result per model."""

    def __init__(self):
        self.results, self.errors, self.seconds = {}, {}, {}

    def record(self, key, fn):
        t0 = time.perf_counter()
        try:
            self.results[key] = fn()
        except Exception as exc:  # noqa: BLE001 - reported by the tests that need it
            self.errors[key] = exc
        self.seconds[key] = time.perf_counter() - t0

    def get(self, key):
        if key in self.errors:
            raise self.errors[key]
        return self.results[key]

    def parity(self, model, fw):
        model_dir, _ = self.get((model, fw))
        (step,) = [s for chain in CHAINS if (model, fw) in chain for s in chain
                   if isinstance(s, str) and s.startswith("parity")]
        return self.get(step)[str(model_dir)]


@pytest.fixture(scope="session")
def data_dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    dirs = {ds: make_dataset(root / ds, ds) for ds in ("cifar10", "imdb")}
    dirs["mnist"] = make_dataset(root / "mnist", "mnist", with_meta=False)  # pre-meta.json layout
    return dirs


@pytest.fixture(scope="session")
def runs(data_dirs, tmp_path_factory):
    """`all` for every model x framework, then ONNX parity and the weight-transfer twins."""
    root = tmp_path_factory.mktemp("runs")
    twin_dir = root / "twin"
    twin_dir.mkdir()
    metas = {m: json.loads((data_dirs[DATASET_OF[m]] / "meta.json").read_text())
             if DATASET_OF[m] != "mnist" else {"kind": "image", "num_classes": 10,
                                               "sample_shape": [1, 28, 28]}
             for m in MODELS}
    (twin_dir / "metas.json").write_text(json.dumps(metas))
    out = Runs()

    def model_dir(model, fw):
        return root / f"{model}_{fw}"

    def train_all(model, fw):
        d = model_dir(model, fw)
        run_py("-m", "convbench_zoo", "all", "--framework", fw, "--model", model,
               "--data", data_dirs[DATASET_OF[model]], "--out", d, "--epochs", 1,
               "--lr", TEST_LR, "--train-subset", N_TRAIN, "--val-subset", N_VAL)
        return d, json.loads((d / "manifest.json").read_text())

    def chain(steps):
        for step in steps:
            if isinstance(step, tuple):
                out.record(step, lambda: train_all(*step))
            elif step.startswith("parity"):  # one process for the chain's trained models
                mine = [k for k in steps if isinstance(k, tuple) and k in out.results]
                out.record(step, lambda: helper("parity", *(model_dir(*k) for k in mine)))
            elif step == "twin":
                out.record("keras-twin", lambda: helper("keras-twin", twin_dir))
                out.record("twin", lambda: helper("torch-twin", twin_dir)
                           if "keras-twin" in out.results else out.get("keras-twin"))

    t0 = time.perf_counter()
    with ThreadPoolExecutor(len(CHAINS)) as pool:
        list(pool.map(chain, CHAINS))
    print(f"\nsession runs took {time.perf_counter() - t0:.1f}s; per run: "
          + ", ".join(f"{k}={v:.0f}s" for k, v in out.seconds.items()))
    for key, res in out.results.items():  # shown with pytest -s
        if isinstance(key, str) and key.startswith("parity"):
            for d, r in res.items():
                print(f"  {Path(d).name}: ONNX max |diff| {r['max_abs_diff']:.1e}, "
                      f"log-prob {r['max_abs_diff_logp']:.1e}")
    return out
