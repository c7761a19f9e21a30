"""Training hyperparameters shared by every framework.

Both backends receive an HParams instance built from these defaults by the CLI and
define no defaults of their own, so the two frameworks cannot drift apart.
"""
from dataclasses import asdict, dataclass
from typing import Optional

MODEL = "lenet5"
DATASET = "mnist"
NUM_CLASSES = 10
IMAGE_HW = 28
DEFAULT_SEED = 0
DEFAULT_OPSET = 13


@dataclass(frozen=True)
class HParams:
    epochs: int = 5
    batch_size: int = 128
    lr: float = 0.05
    optimizer: str = "sgd"  # plain SGD: no momentum, no weight decay, constant lr
    train_subset: Optional[int] = None  # use only the first N training samples

    def to_json(self) -> dict:
        return asdict(self)


DEFAULTS = HParams()
