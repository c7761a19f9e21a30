"""Keras Applications models for `convbench check` (tests/integration/check_keras_test.sh), with
weights=None (seeded; nothing downloaded), saved as SavedModel originals and converted by tf2onnx:

    OUT/resnet50/original/ converted.onnx perturbed.onnx inputs.npz
        ResNet50 at 64x64, 10 logits; perturbed: conv3_block1_1_conv's (BatchNorm-fused) weights
        x1.05 in the ONNX graph, which localisation must name
    OUT/mobilenet/original/ converted.onnx inputs.npz
        MobileNet (alpha 0.25) at 32x32 with its softmax: untrained, its activations collapse and
        every input gives the same 0.1s, which the verdict must warn about

usage: python make_keras.py --out DIR
"""
import argparse
import os
import sys

sys.modules["torch"] = None  # one framework per process
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf2onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402


def save(model, d, size, n, seed):
    os.makedirs(d, exist_ok=True)
    model.save(f"{d}/original")
    spec = (tf.TensorSpec((None, size, size, 3), tf.float32, name="input"),)
    tf2onnx.convert.from_keras(model, input_signature=spec, opset=17,
                               output_path=f"{d}/converted.onnx")
    x = np.random.default_rng(seed).random((n, size, size, 3), dtype=np.float32) * 2 - 1
    np.savez(f"{d}/inputs.npz", input=x)


def perturb(src, dst, layer, factor):
    g = onnx.load(src)
    for init in g.graph.initializer:
        if f"/{layer}/" in init.name and len(init.dims) == 4:
            w = numpy_helper.to_array(init) * np.float32(factor)
            init.CopyFrom(numpy_helper.from_array(w, init.name))
            onnx.save(g, dst)
            return
    raise SystemExit(f"{src}: no 4-D initializer of layer {layer}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    out = ap.parse_args().out
    apps = tf.keras.applications
    tf.keras.utils.set_random_seed(0)
    save(apps.ResNet50(weights=None, input_shape=(64, 64, 3), classes=10,
                       classifier_activation=None), f"{out}/resnet50", 64, 16, 1)
    perturb(f"{out}/resnet50/converted.onnx", f"{out}/resnet50/perturbed.onnx",
            "conv3_block1_1_conv", 1.05)
    tf.keras.utils.set_random_seed(0)
    save(apps.MobileNet(weights=None, input_shape=(32, 32, 3), classes=10, alpha=0.25),
         f"{out}/mobilenet", 32, 16, 2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
