"""PyTorch backend: training, TorchScript export, ONNX and Core ML.

Imported only by processes that do not (and will not) import tensorflow.
"""
import importlib.metadata
import random
from pathlib import Path

import numpy as np
import torch
from torch import nn

from convbench_zoo import arch, models_torch

FRAMEWORK_VERSION = torch.__version__
ORIGINAL_PATH = "model.pt"
ONNX_CONVERTER = f"torch.onnx {torch.__version__}"
COREML_CONVERTER = f"coremltools {importlib.metadata.version('coremltools')}"
input_shape = models_torch.input_shape
layout = models_torch.layout


def to_model_layout(x: np.ndarray, meta) -> np.ndarray:
    return x  # the .npy files are already NCHW (images) or [N, L] (tokens)


def count_params(net) -> dict:
    """Trainable parameters, BN running statistics, and fixed parameters of a torch model."""
    trainable = sum(p.numel() for p in models_torch.trainable_parameters(net))
    # The BN running statistics count as Keras' non-trainable weights (num_batches_tracked,
    # a torch-only counter, does not); so does LSTM's fixed zero bias_hh (see models_torch).
    stats = sum(b.numel() for n, b in net.named_buffers() if not n.endswith("num_batches_tracked"))
    frozen = sum(p.numel() for p in net.parameters() if not p.requires_grad)
    return {"trainable": trainable, "non_trainable": stats, "frozen_params": frozen}


class Objective:
    """Cross-entropy on logits (+ wd/2 * sum(w^2) over the trainable tensors when
    weight_decay > 0: the same L2 term, and the same reported loss, as the Keras backend)."""

    def __init__(self, net, hp):
        self.params = models_torch.trainable_parameters(net)
        self.weight_decay = hp.weight_decay
        self.ce = nn.CrossEntropyLoss()

    def penalty(self):
        if not self.weight_decay:
            return 0.0
        return self.weight_decay / 2 * sum(p.pow(2).sum() for p in self.params)

    def __call__(self, logits, y):
        return self.ce(logits, y) + self.penalty()


def make_optimizer(net, hp):
    params = models_torch.trainable_parameters(net)
    if hp.optimizer == "sgd":
        # weight_decay stays 0 here: L2 is in the loss (Objective), as in Keras.
        return torch.optim.SGD(params, lr=hp.lr, momentum=hp.momentum)
    return torch.optim.Adam(params, lr=hp.lr, eps=hp.epsilon)


def _evaluate(net, x, y, batch_size, objective):
    """Mean loss and accuracy over (x, y), in eval mode, no grad (Keras' val_* metrics)."""
    net.eval()
    total_ce, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            logits = net(x[i:i + batch_size])
            yb = y[i:i + batch_size]
            total_ce += objective.ce(logits, yb).item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
        penalty = float(objective.penalty())  # the weights do not change during evaluation
    return total_ce / len(x) + penalty, correct / len(x)


def train(model, data, hp, seed, log):
    """Trains `model` on data; returns (deployed softmax model, per-epoch history)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds the weight initialisation
    torch.use_deterministic_algorithms(True)
    net = models_torch.build(model, data.meta)
    opt = make_optimizer(net, hp)
    objective = Objective(net, hp)
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
            loss = objective(logits, yb)
            loss.backward()
            opt.step()
            # Like Keras' fit(): running average over the epoch, weighted by batch size.
            total_loss += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
        val_loss, val_acc = _evaluate(net, vx, vy, hp.batch_size, objective)
        logs = {"loss": total_loss / len(x), "accuracy": correct / len(x),
                "val_loss": val_loss, "val_accuracy": val_acc}
        log(epoch, logs)
        history.append({"epoch": epoch, **logs})
    return models_torch.WithSoftmax(net).eval(), history


def _example(shape):
    # Zeros are valid for every model: an image, or a sequence of padding tokens (int64 ids).
    return torch.zeros([1] + list(shape), dtype=getattr(torch, arch.input_dtype(shape)))


def save_original(model, model_dir: Path, shape) -> dict:
    # No data-dependent control flow in any model: tracing is exact (batch size stays free).
    traced = torch.jit.trace(model.eval(), _example(shape))
    traced.save(str(model_dir / ORIGINAL_PATH))
    return {"format": "torchscript", "path": ORIGINAL_PATH, "status": "ok"}


def load_original(model_dir: Path):
    return torch.jit.load(str(Path(model_dir) / ORIGINAL_PATH)).eval()


def to_onnx(model_dir: Path, out_path: Path, opset: int, shape) -> None:
    torch.onnx.export(
        load_original(model_dir), _example(shape), str(out_path),
        input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
        opset_version=opset,
    )


def to_coreml(model_dir: Path, out_path: Path, coreml_shape) -> None:
    import coremltools as ct
    mlmodel = ct.convert(
        load_original(model_dir), source="pytorch", convert_to="mlprogram",
        inputs=[ct.TensorType(name="input", shape=coreml_shape)],
        outputs=[ct.TensorType(name="output")],
        # mlprogram defaults to float16 compute; keep float32 so Core ML is compared
        # with the other formats at the same precision.
        compute_precision=ct.precision.FLOAT32,
    )
    mlmodel.save(str(out_path))
