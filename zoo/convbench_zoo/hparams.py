"""Training hyperparameters shared by every framework, loaded from config/models.toml.

The CLI builds one HParams per run (the file's values, then the command line's
overrides) and both backends read every value from it; neither defines numbers of its
own, so the two frameworks cannot drift apart. The file's keys are documented in it.
"""
import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from convbench_zoo import arch

CONFIG_PATH = Path(__file__).resolve().parents[2] / "config" / "models.toml"
DEFAULT_MODEL = "lenet5"
DEFAULT_SEED = 0
DEFAULT_OPSET = 13
OPTIMIZERS = ("sgd", "adam")


@dataclass(frozen=True)
class HParams:
    optimizer: str  # "sgd" | "adam"; constant learning rate
    lr: float
    batch_size: int
    epochs: int
    momentum: float = 0.0  # sgd only
    weight_decay: float = 0.0  # L2: loss += weight_decay/2 * sum of squared trainable weights
    epsilon: Optional[float] = None  # adam only
    train_subset: Optional[int] = None  # use only the first N training samples
    val_subset: Optional[int] = None  # validate on the first N test samples only

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    def check(self) -> None:
        """Raises ValueError for values no backend could train with."""
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer {self.optimizer!r} not in {OPTIMIZERS}")
        if self.epochs < 1 or self.batch_size < 1 or not self.lr > 0:
            raise ValueError("epochs and batch_size must be >= 1 and lr > 0")
        if self.momentum < 0 or self.weight_decay < 0:
            raise ValueError("momentum and weight_decay must be >= 0")
        if self.optimizer == "adam" and (self.epsilon is None or self.momentum):
            raise ValueError("adam needs epsilon and takes no momentum")
        if self.optimizer == "sgd" and self.epsilon is not None:
            raise ValueError("sgd takes no epsilon")
        for name in ("train_subset", "val_subset"):
            n = getattr(self, name)
            if n is not None and n < 1:
                raise ValueError(f"{name} must be >= 1")


@dataclass(frozen=True)
class ModelConfig:
    dataset: str  # the dataset this model trains on
    hparams: HParams


def load(path=CONFIG_PATH) -> dict:
    """{model name: ModelConfig} for every architecture; ValueError if the file is wrong."""
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    if sorted(raw) != sorted(arch.MODELS):
        raise ValueError(f"{path}: expected sections {sorted(arch.MODELS)}, got {sorted(raw)}")
    fields = {f.name for f in dataclasses.fields(HParams)} - {"train_subset", "val_subset"}
    out = {}
    for model, table in raw.items():
        table = dict(table)
        dataset = table.pop("dataset", None)
        unknown = set(table) - fields
        if not isinstance(dataset, str) or unknown:
            raise ValueError(f"{path} [{model}]: needs dataset = \"...\"; "
                             f"unknown keys {sorted(unknown)}")
        try:
            hp = HParams(**table)
            hp.check()
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path} [{model}]: {exc}") from None
        out[model] = ModelConfig(dataset, hp)
    return out
