"""Shared fixtures. Framework code always runs in subprocesses: TensorFlow and torch
must not be imported into one process, and pytest runs both frameworks' tests."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ZOO = Path(__file__).resolve().parents[1]
HELPER = Path(__file__).resolve().parent / "framework_helper.py"
FRAMEWORKS = ["keras", "pytorch"]
N_TRAIN, N_TEST = 256, 64


def run_py(*args, check=True, timeout=300):
    """Runs the venv's python with zoo/ on PYTHONPATH; returns the CompletedProcess."""
    env = dict(os.environ, PYTHONPATH=str(ZOO), TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run([sys.executable, *map(str, args)], env=env, capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}\nstdout:\n{proc.stdout}\n"
                             f"stderr:\n{proc.stderr[-5000:]}")
    return proc


def helper(*args):
    """Runs tests/framework_helper.py and returns the JSON it prints last."""
    return json.loads(run_py(HELPER, *args).stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    """Tiny random dataset in the layout the C++ side writes."""
    d = tmp_path_factory.mktemp("npy")
    rng = np.random.default_rng(0)
    for split, n in (("train", N_TRAIN), ("test", N_TEST)):
        np.save(d / f"{split}_x.npy", rng.random((n, 1, 28, 28), dtype=np.float32))
        np.save(d / f"{split}_y.npy", rng.integers(0, 10, n).astype(np.int64))
    return d


@pytest.fixture(scope="session", params=FRAMEWORKS)
def trained(request, data_dir, tmp_path_factory):
    """`all` run once per framework: (framework, model_dir, manifest)."""
    framework = request.param
    out = tmp_path_factory.mktemp(f"model_{framework}")
    t0 = time.perf_counter()
    run_py("-m", "convbench_zoo", "all", "--framework", framework, "--data", data_dir,
           "--out", out, "--epochs", 1, "--train-subset", N_TRAIN)
    print(f"\n`all --framework {framework}` took {time.perf_counter() - t0:.1f}s")
    return framework, out, json.loads((out / "manifest.json").read_text())
