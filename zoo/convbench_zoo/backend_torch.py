"""PyTorch backend: training, TorchScript export, ONNX and Core ML.

Imported only by processes that do not (and will not) import tensorflow.
"""
import importlib.metadata
import random
from pathlib import Path

import numpy as np
import torch
from torch import nn

from convbench_zoo import models_torch

FRAMEWORK_VERSION = torch.__version__
INPUT_SHAPE = models_torch.INPUT_SHAPE
LAYOUT = models_torch.LAYOUT
ORIGINAL_PATH = "model.pt"
ONNX_CONVERTER = f"torch.onnx {torch.__version__}"
COREML_CONVERTER = f"coremltools {importlib.metadata.version('coremltools')}"
COREML_INPUT_SHAPE = [1] + INPUT_SHAPE


def count_params() -> int:
    return sum(p.numel() for p in models_torch.LeNet5().parameters())


def _evaluate(net, x, y, batch_size, loss_fn):
    """Mean loss and accuracy over (x, y), in eval mode, no grad."""
    net.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            logits = net(x[i:i + batch_size])
            yb = y[i:i + batch_size]
            total_loss += loss_fn(logits, yb).item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
    return total_loss / len(x), correct / len(x)


def train(data, hp, seed, log):
    """Trains LeNet-5; returns (deployed softmax model, per-epoch history)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds the weight initialisation
    torch.use_deterministic_algorithms(True)
    net = models_torch.LeNet5()
    assert hp.optimizer == "sgd"
    opt = torch.optim.SGD(net.parameters(), lr=hp.lr, momentum=0.0)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.from_numpy(data.train_x), torch.from_numpy(data.train_y)
    vx, vy = torch.from_numpy(data.test_x), torch.from_numpy(data.test_y)
    shuffle = torch.Generator().manual_seed(seed)
    history = []
    for epoch in range(1, hp.epochs + 1):
        net.train()
        total_loss, correct = 0.0, 0
        for idx in torch.randperm(len(x), generator=shuffle).split(hp.batch_size):
            xb, yb = x[idx], y[idx]
            opt.zero_grad()
            logits = net(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            # Like Keras' fit(): running average over the epoch, weighted by batch size.
            total_loss += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
        val_loss, val_acc = _evaluate(net, vx, vy, hp.batch_size, loss_fn)
        logs = {"loss": total_loss / len(x), "accuracy": correct / len(x),
                "val_loss": val_loss, "val_accuracy": val_acc}
        log(epoch, logs)
        history.append({"epoch": epoch, **logs})
    return models_torch.WithSoftmax(net).eval(), history


def save_original(model, model_dir: Path) -> dict:
    example = torch.zeros([1] + INPUT_SHAPE)
    traced = torch.jit.trace(model.eval(), example)  # no control flow: tracing is exact
    traced.save(str(model_dir / ORIGINAL_PATH))
    return {"format": "torchscript", "path": ORIGINAL_PATH, "status": "ok"}


def load_original(model_dir: Path):
    return torch.jit.load(str(Path(model_dir) / ORIGINAL_PATH)).eval()


def to_onnx(model_dir: Path, out_path: Path, opset: int) -> None:
    torch.onnx.export(
        load_original(model_dir), torch.zeros([1] + INPUT_SHAPE), str(out_path),
        input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        opset_version=opset,
    )


def to_coreml(model_dir: Path, out_path: Path) -> None:
    import coremltools as ct
    mlmodel = ct.convert(
        load_original(model_dir), source="pytorch", convert_to="mlprogram",
        inputs=[ct.TensorType(name="input", shape=COREML_INPUT_SHAPE)],
        outputs=[ct.TensorType(name="output")],
        # mlprogram defaults to float16 compute; keep float32 so Core ML is compared
        # with the other formats at the same precision.
        compute_precision=ct.precision.FLOAT32,
    )
    mlmodel.save(str(out_path))
