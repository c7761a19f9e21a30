"""Keras (TensorFlow 2.15 / Keras 2) backend: training, SavedModel export, ONNX and Core ML.

Imported only by processes that do not (and will not) import torch.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TF C++ info/warnings, keep errors

import importlib.metadata  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from convbench_zoo import models_keras  # noqa: E402

tf.get_logger().setLevel("ERROR")

FRAMEWORK_VERSION = tf.__version__
INPUT_SHAPE = models_keras.INPUT_SHAPE
LAYOUT = models_keras.LAYOUT
ORIGINAL_PATH = "saved_model"
ONNX_CONVERTER = f"tf2onnx {importlib.metadata.version('tf2onnx')}"
COREML_CONVERTER = f"coremltools {importlib.metadata.version('coremltools')}"
COREML_INPUT_SHAPE = [1] + INPUT_SHAPE


def to_nhwc(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def count_params() -> int:
    return models_keras.build_lenet5()[1].count_params()


class _EpochLog(tf.keras.callbacks.Callback):
    def __init__(self, log):
        super().__init__()
        self._log = log

    def on_epoch_end(self, epoch, logs=None):
        self._log(epoch + 1, logs)


def train(data, hp, seed, log):
    """Trains LeNet-5; returns (deployed softmax model, per-epoch history)."""
    tf.keras.utils.set_random_seed(seed)  # python, numpy and TF seeds
    tf.config.experimental.enable_op_determinism()
    logits_model, deployed = models_keras.build_lenet5()
    assert hp.optimizer == "sgd"
    logits_model.compile(
        optimizer=tf.keras.optimizers.SGD(learning_rate=hp.lr, momentum=0.0),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    fit = logits_model.fit(
        to_nhwc(data.train_x), data.train_y,
        validation_data=(to_nhwc(data.test_x), data.test_y),
        epochs=hp.epochs, batch_size=hp.batch_size, shuffle=True, verbose=0,
        callbacks=[_EpochLog(log)],
    )
    keys = ("loss", "accuracy", "val_loss", "val_accuracy")
    history = [{"epoch": i + 1, **{k: float(fit.history[k][i]) for k in keys}}
               for i in range(hp.epochs)]
    return deployed, history


def save_original(model, model_dir: Path) -> dict:
    path = model_dir / ORIGINAL_PATH
    model.save(str(path), save_format="tf", include_optimizer=False)
    # Tensor names the TF C API needs to feed/fetch the serving signature.
    from tensorflow.python.tools import saved_model_utils
    sig = saved_model_utils.get_meta_graph_def(str(path), "serve").signature_def["serving_default"]
    (tf_in,), (tf_out,) = sig.inputs.values(), sig.outputs.values()
    return {"format": "tf_savedmodel", "path": ORIGINAL_PATH, "status": "ok",
            "tf_input": tf_in.name, "tf_output": tf_out.name}


_loaded = {}


def load_original(model_dir: Path):
    """The deployed Keras model, reloaded from its SavedModel (cached per process)."""
    key = str(Path(model_dir).resolve())
    if key not in _loaded:
        _loaded[key] = tf.keras.models.load_model(str(Path(model_dir) / ORIGINAL_PATH), compile=False)
    return _loaded[key]


def to_onnx(model_dir: Path, out_path: Path, opset: int) -> None:
    import tf2onnx
    spec = (tf.TensorSpec([None] + INPUT_SHAPE, tf.float32, name="input"),)
    tf2onnx.convert.from_keras(load_original(model_dir), input_signature=spec,
                               opset=opset, output_path=str(out_path))


def to_coreml(model_dir: Path, out_path: Path) -> None:
    import coremltools as ct
    mlmodel = ct.convert(
        load_original(model_dir), source="tensorflow", convert_to="mlprogram",
        inputs=[ct.TensorType(name="input", shape=COREML_INPUT_SHAPE)],
        # mlprogram defaults to float16 compute; keep float32 so Core ML is compared
        # with the other formats at the same precision.
        compute_precision=ct.precision.FLOAT32,
    )
    # The TF frontend names the output after the graph node ("Identity"); rename it to
    # "output" like the other formats (documented coremltools recipe for mlprogram).
    spec = mlmodel.get_spec()
    (output,) = spec.description.output
    ct.utils.rename_feature(spec, output.name, "output")
    mlmodel = ct.models.MLModel(spec, weights_dir=mlmodel.weights_dir)
    mlmodel.save(str(out_path))
