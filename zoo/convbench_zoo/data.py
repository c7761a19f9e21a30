"""Loads the .npy dataset written by the C++ side (numpy only, no framework)."""
from pathlib import Path
from typing import NamedTuple, Optional

import numpy as np

from convbench_zoo.hparams import IMAGE_HW


class Dataset(NamedTuple):
    train_x: np.ndarray  # float32 [N,1,28,28], already scaled to [0,1]
    train_y: np.ndarray  # int64 [N]
    test_x: np.ndarray
    test_y: np.ndarray


def _load_split(data_dir: Path, split: str):
    x = np.load(data_dir / f"{split}_x.npy")
    y = np.load(data_dir / f"{split}_y.npy")
    if x.dtype != np.float32 or x.ndim != 4 or x.shape[1:] != (1, IMAGE_HW, IMAGE_HW):
        raise ValueError(f"{split}_x.npy: expected float32 [N,1,{IMAGE_HW},{IMAGE_HW}], "
                         f"got {x.dtype} {list(x.shape)}")
    if y.ndim != 1 or y.shape[0] != x.shape[0] or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{split}_y.npy: expected int [{x.shape[0]}], got {y.dtype} {list(y.shape)}")
    return x, y.astype(np.int64, copy=False)


def load(data_dir, train_subset: Optional[int] = None) -> Dataset:
    data_dir = Path(data_dir)
    train_x, train_y = _load_split(data_dir, "train")
    test_x, test_y = _load_split(data_dir, "test")
    if train_subset is not None:
        if not 0 < train_subset <= len(train_x):
            raise ValueError(f"--train-subset {train_subset} outside 1..{len(train_x)}")
        train_x, train_y = train_x[:train_subset], train_y[:train_subset]
    return Dataset(train_x, train_y, test_x, test_y)
