"""Loads the dataset directory written by `convbench data prepare` (numpy only).

    meta.json                 what the arrays hold (schema 1); absent = MNIST (older dirs)
    {train,test}_x.npy        float32 images [N,C,H,W] already normalised (NCHW),
                              int64 text [N,L] token ids (0 = padding, 1 = unknown)
    {train,test}_y.npy        int [N], class indices
    vocab.txt                 text datasets only: the tokenizer's vocabulary
"""
import json
from pathlib import Path
from typing import NamedTuple, Optional

import numpy as np

META_FILE = "meta.json"
META_SCHEMA = 1
# Directories prepared before meta.json existed hold MNIST scaled by x/255.
MNIST_META = {"schema": 1, "dataset": "mnist", "kind": "image", "num_classes": 10,
              "sample_shape": [1, 28, 28], "layout": "NCHW", "preprocessing": "x/255"}


class Dataset(NamedTuple):
    meta: dict
    train_x: np.ndarray  # float32, see module docstring
    train_y: np.ndarray  # int64 [N]
    test_x: np.ndarray
    test_y: np.ndarray


def read_meta(data_dir) -> dict:
    path = Path(data_dir) / META_FILE
    if not path.exists():
        return dict(MNIST_META)
    meta = json.loads(path.read_text())
    if meta.get("schema") != META_SCHEMA:
        raise ValueError(f"{path}: unsupported schema {meta.get('schema')!r}")
    need = ["dataset", "kind", "num_classes", "sample_shape"]
    if meta.get("kind") == "text":
        need += ["vocab_size", "seq_len", "vocab_file"]
    elif meta.get("kind") != "image":
        raise ValueError(f"{path}: kind must be 'image' or 'text', got {meta.get('kind')!r}")
    missing = [k for k in need if k not in meta]
    if missing:
        raise ValueError(f"{path}: missing {missing}")
    if meta["kind"] == "text" and list(meta["sample_shape"]) != [meta["seq_len"]]:
        raise ValueError(f"{path}: sample_shape {meta['sample_shape']} != [seq_len]")
    return meta


def _load_split(data_dir: Path, split: str, meta: dict):
    x = np.load(data_dir / f"{split}_x.npy")
    y = np.load(data_dir / f"{split}_y.npy")
    shape = list(meta["sample_shape"])
    want = "int64" if meta["kind"] == "text" else "float32"  # token ids / pixels
    if x.dtype != np.dtype(want) or list(x.shape[1:]) != shape:
        raise ValueError(f"{split}_x.npy: expected {want} [N,{','.join(map(str, shape))}], "
                         f"got {x.dtype} {list(x.shape)}")
    if y.ndim != 1 or y.shape[0] != x.shape[0] or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{split}_y.npy: expected int [{x.shape[0]}], got {y.dtype} {list(y.shape)}")
    if len(y) and not 0 <= y.min() <= y.max() < meta["num_classes"]:
        raise ValueError(f"{split}_y.npy: labels outside 0..{meta['num_classes'] - 1}")
    # An id >= vocab_size would index past the embedding table (an error in TF, torch).
    if meta["kind"] == "text" and len(x) and not 0 <= x.min() <= x.max() < meta["vocab_size"]:
        raise ValueError(f"{split}_x.npy: token ids outside 0..{meta['vocab_size'] - 1}")
    return x, y.astype(np.int64, copy=False)


def _head(x, y, n: Optional[int], flag: str):
    if n is None:
        return x, y
    if not 0 < n <= len(x):
        raise ValueError(f"{flag} {n} outside 1..{len(x)}")
    return x[:n], y[:n]


def load(data_dir, meta: dict, train_subset: Optional[int] = None,
         val_subset: Optional[int] = None) -> Dataset:
    data_dir = Path(data_dir)
    train = _head(*_load_split(data_dir, "train", meta), train_subset, "--train-subset")
    test = _head(*_load_split(data_dir, "test", meta), val_subset, "--val-subset")
    return Dataset(meta, *train, *test)
