"""Keras (TensorFlow 2.15 / Keras 2) backend: training, SavedModel export, ONNX and Core ML.

Imported only by processes that do not (and will not) import torch.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TF C++ info/warnings, keep errors

import importlib.metadata  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from convbench_zoo import arch, models_keras  # noqa: E402

tf.get_logger().setLevel("ERROR")

FRAMEWORK_VERSION = tf.__version__
ORIGINAL_PATH = "saved_model"
ONNX_CONVERTER = f"tf2onnx {importlib.metadata.version('tf2onnx')}"
COREML_CONVERTER = f"coremltools {importlib.metadata.version('coremltools')}"
input_shape = models_keras.input_shape
layout = models_keras.layout


def to_model_layout(x: np.ndarray, meta) -> np.ndarray:
    """The .npy layout -> this framework's input: images NCHW -> NHWC, tokens unchanged."""
    if meta["kind"] == "image":
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1))
    return x


def count_params(net) -> dict:
    """Trainable weights, and the rest (BN moving statistics) of a Keras model."""
    trainable = sum(int(np.prod(w.shape)) for w in net.trainable_weights)
    return {"trainable": trainable, "non_trainable": net.count_params() - trainable}


class _EpochLog(tf.keras.callbacks.Callback):
    def __init__(self, log):
        super().__init__()
        self._log = log

    def on_epoch_end(self, epoch, logs=None):
        self._log(epoch + 1, logs)


def compile_for_training(logits_model, hp) -> None:
    """Optimiser, loss and L2 term from hp (see config/models.toml for the semantics)."""
    if hp.optimizer == "sgd":
        # v = momentum*v - lr*g; w += v: torch's update for a constant lr.
        opt = tf.keras.optimizers.SGD(learning_rate=hp.lr, momentum=hp.momentum)
    else:
        opt = tf.keras.optimizers.Adam(learning_rate=hp.lr, epsilon=hp.epsilon)
    if hp.weight_decay:
        # Coupled L2 as in torch's SGD/Adam weight_decay (Keras' own weight_decay argument
        # is decoupled): wd/2 * sum(w^2) over every trainable tensor; l2_loss = sum(w^2)/2.
        # Keras adds it to the reported loss and val_loss; the torch backend does the same.
        weights = logits_model.trainable_weights
        logits_model.add_loss(lambda: hp.weight_decay * tf.add_n([tf.nn.l2_loss(w) for w in weights]))
    logits_model.compile(
        optimizer=opt,
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


def train(model, data, hp, seed, log):
    """Trains `model` on data; returns (deployed softmax model, per-epoch history)."""
    tf.keras.utils.set_random_seed(seed)  # python, numpy and TF seeds
    tf.config.experimental.enable_op_determinism()
    logits_model, deployed = models_keras.build(model, data.meta)
    compile_for_training(logits_model, hp)
    fit = logits_model.fit(
        to_model_layout(data.train_x, data.meta), data.train_y,
        validation_data=(to_model_layout(data.test_x, data.meta), data.test_y),
        epochs=hp.epochs, batch_size=hp.batch_size, shuffle=True, verbose=0,
        callbacks=[_EpochLog(log)],
    )
    keys = ("loss", "accuracy", "val_loss", "val_accuracy")
    history = [{"epoch": i + 1, **{k: float(fit.history[k][i]) for k in keys}}
               for i in range(hp.epochs)]
    return deployed, history


def save_original(model, model_dir: Path, shape) -> dict:
    path = model_dir / ORIGINAL_PATH
    # The SavedModel holds the serving signature (all the TF C API uses) and the Keras
    # config + weights, from which load_original() rebuilds the Keras model for the
    # converters. save_traces=False skips tracing every layer's call functions into the
    # file: that took ~10 s of each run (ResNet-18, the RNNs) and ~5 s more to reload.
    dtype = getattr(tf, arch.input_dtype(shape))
    serve = tf.function(lambda x: {"output": model(x, training=False)},
                        input_signature=[tf.TensorSpec([None] + list(shape), dtype, name="input")])
    signatures = {"serving_default": serve.get_concrete_function()}
    image = len(shape) == 3
    if image:
        # FGSM needs d(loss)/d(input) from the original's own framework; the TF C API cannot
        # differentiate the saved functions, so the gradient is a signature of its own. The loss is
        # the cross-entropy of the logits (the softmax's input): a softmax saturated at 1.0 would
        # give a zero gradient. Summed over the batch, so each row is that sample's own gradient.
        logits_model = tf.keras.Model(model.input, model.get_layer("output").input)

        def input_gradient(x, label):
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.reduce_sum(tf.keras.losses.sparse_categorical_crossentropy(
                    label, logits_model(x, training=False), from_logits=True))
            return {"gradient": tape.gradient(loss, x)}

        grad = tf.function(input_gradient, input_signature=[
            tf.TensorSpec([None] + list(shape), tf.float32, name="input"),
            tf.TensorSpec([None], tf.int64, name="label")])
        signatures["input_gradient"] = grad.get_concrete_function()
    model.save(str(path), save_format="tf", include_optimizer=False, save_traces=False,
               signatures=signatures)
    # Tensor names the TF C API needs to feed/fetch the signatures.
    from tensorflow.python.tools import saved_model_utils
    sigs = saved_model_utils.get_meta_graph_def(str(path), "serve").signature_def
    sig = sigs["serving_default"]
    (tf_in,), (tf_out,) = sig.inputs.values(), sig.outputs.values()
    record = {"format": "tf_savedmodel", "path": ORIGINAL_PATH, "status": "ok",
              "tf_input": tf_in.name, "tf_output": tf_out.name}
    if image:
        g = sigs["input_gradient"]
        record.update(tf_grad_input=g.inputs["input"].name, tf_grad_label=g.inputs["label"].name,
                      tf_grad_output=g.outputs["gradient"].name)
    return record


_loaded = {}


def load_original(model_dir: Path):
    """The deployed Keras model, reloaded from its SavedModel (cached per process)."""
    key = str(Path(model_dir).resolve())
    if key not in _loaded:
        _loaded[key] = tf.keras.models.load_model(str(Path(model_dir) / ORIGINAL_PATH), compile=False)
    return _loaded[key]


def to_onnx(model_dir: Path, out_path: Path, opset: int, shape) -> None:
    import tf2onnx
    spec = (tf.TensorSpec([None] + list(shape), getattr(tf, arch.input_dtype(shape)), name="input"),)
    tf2onnx.convert.from_keras(load_original(model_dir), input_signature=spec,
                               opset=opset, output_path=str(out_path))


def to_coreml(model_dir: Path, out_path: Path, coreml_shape) -> None:
    import coremltools as ct
    mlmodel = ct.convert(
        load_original(model_dir), source="tensorflow", convert_to="mlprogram",
        inputs=[ct.TensorType(name="input", shape=coreml_shape)],
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
