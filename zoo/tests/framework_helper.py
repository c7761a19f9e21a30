"""Runs framework-specific checks in a fresh process (one framework per process).

    framework_helper.py parity MODEL_DIR          original vs ONNX outputs
    framework_helper.py params FRAMEWORK          trainable parameter count
    framework_helper.py fail MODEL_DIR onnx|coreml
        run `convert` with that converter patched to raise

Prints one JSON object on its last stdout line.
"""
import json
import sys
from pathlib import Path

import numpy as np

from convbench_zoo import cli
from convbench_zoo import manifest as mf


def _inputs(manifest):
    rng = np.random.default_rng(1)
    x = rng.random((5, 1, 28, 28), dtype=np.float32)  # NCHW, like the .npy files
    return x if manifest["input"]["layout"] == "NCHW" else x.transpose(0, 2, 3, 1).copy()


def parity(model_dir):
    import onnxruntime as ort
    model_dir = Path(model_dir)
    m = mf.read(model_dir)
    backend = cli.load_backend(m["framework"])
    x = _inputs(m)
    if m["framework"] == "keras":
        import tensorflow as tf
        original = backend.load_original(model_dir)(x).numpy()
        # Also run the SavedModel exactly as the TF C API will: by graph tensor names.
        art = m["artefacts"]["original"]
        with tf.compat.v1.Session(graph=tf.Graph()) as sess:
            tf.compat.v1.saved_model.loader.load(sess, ["serve"], str(model_dir / art["path"]))
            by_name = sess.run(art["tf_output"], {art["tf_input"]: x})
    else:
        import torch
        with torch.no_grad():
            original = backend.load_original(model_dir)(torch.from_numpy(x)).numpy()
        by_name = original
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), providers=["CPUExecutionProvider"])
    onnx_batch = sess.run(None, {"input": x})[0]
    onnx_single = np.concatenate([sess.run(None, {"input": x[i:i + 1]})[0] for i in range(len(x))])
    return {
        "shape": list(original.shape),
        "max_abs_diff": float(max(np.abs(original - onnx_batch).max(),
                                  np.abs(original - onnx_single).max())),
        "max_abs_diff_by_name": float(np.abs(original - by_name).max()),
        "max_row_sum_err": float(np.abs(original.sum(axis=1) - 1).max()),
        "min_prob": float(original.min()),
        "onnx_inputs": [i.name for i in sess.get_inputs()],
        "onnx_outputs": [o.name for o in sess.get_outputs()],
    }


def params(framework):
    """Parameter count and, per layer, max|w| / Glorot-uniform bound and max|bias|."""
    backend = cli.load_backend(framework)
    layers = []  # (kernel, bias, fan_in, fan_out)
    if framework == "keras":
        from convbench_zoo import models_keras
        for layer in models_keras.build_lenet5()[1].layers:
            if layer.weights:
                k, b = (w.numpy() for w in layer.weights)
                receptive = int(np.prod(k.shape[:-2]))  # kh*kw for conv, 1 for dense
                layers.append((k, b, receptive * k.shape[-2], receptive * k.shape[-1]))
    else:
        from convbench_zoo import models_torch
        for mod in models_torch.LeNet5().modules():
            if hasattr(mod, "weight"):
                k, b = mod.weight.detach().numpy(), mod.bias.detach().numpy()
                receptive = int(np.prod(k.shape[2:]))
                layers.append((k, b, receptive * k.shape[1], receptive * k.shape[0]))
    return {
        "params": backend.count_params(),
        "kernel_shapes_io": [[fi, fo] for _, _, fi, fo in layers],
        "kernel_bound_ratio": [float(np.abs(k).max() / np.sqrt(6 / (fi + fo))) for k, _, fi, fo in layers],
        "bias_max_abs": max(float(np.abs(b).max()) for _, b, _, _ in layers),
    }


def fail(model_dir, which):
    m = mf.read(model_dir)
    cli.load_backend(m["framework"])

    def boom(*args, **kwargs):
        raise RuntimeError(f"injected {which} failure")

    # Patch the converter library itself, so the whole call path up to it is exercised.
    if which == "coreml":
        import coremltools
        coremltools.convert = boom
    elif m["framework"] == "keras":
        import tf2onnx
        tf2onnx.convert.from_keras = boom
    else:
        import torch
        torch.onnx.export = boom
    return {"rc": cli.main(["convert", "--model-dir", str(model_dir)])}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    print(json.dumps({"parity": parity, "params": params, "fail": fail}[command](*rest)))
