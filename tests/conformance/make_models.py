"""Tiny models with the shapes of real ones, for the C++ conformance test (test_conformance.cpp):
int64 token ids, several inputs, several outputs (tuple, dict), a scalar per sample, a BERT-style
encoder with three int64 inputs. Each case is written as its original (TorchScript or SavedModel)
and, for torch, its ONNX export, with inputs and reference outputs computed here in eager mode:

    OUT/<case>/model.pt | saved_model/ | model.onnx
    OUT/<case>/inputs/<name>.npy        7 rows, so batches of 2 end in a short one
    OUT/<case>/expected/<k>.npy          outputs in the model's order
    OUT/index.json                       [{case, format, model, inputs, outputs: [{name, file}]}]

usage: python make_models.py --framework torch|tf --out DIR   (one framework per process)
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROWS = 7


def torch_cases(out: Path):
    import torch
    from torch import nn

    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    class TokenClassifier(nn.Module):  # int64 ids -> embedding -> mean -> logits
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(50, 8)
            self.fc = nn.Linear(8, 3)

        def forward(self, input_ids):
            return self.fc(self.emb(input_ids).mean(1))

    class TwoInputs(nn.Module):  # image + side input
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.fc = nn.Linear(2 * 4 * 4 + 2, 4)

        def forward(self, image, side):
            return self.fc(torch.cat([self.conv(image).flatten(1), side], 1))

    class TwoOutputs(nn.Module):  # tuple: logits and a per-sample score
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(5, 3)

        def forward(self, x):
            y = self.fc(x)
            return y, y.sum(1)

    class DictOutput(nn.Module):  # segmentation-style dict output
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 2, 1)

        def forward(self, x):
            m = self.conv(x)
            return {"out": m, "aux": m.mean((2, 3))}

    class Encoder(nn.Module):  # BERT-style: three int64 inputs, a Transformer layer, two outputs
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(30, 16)
            self.typ = nn.Embedding(2, 16)
            self.layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
            self.cls = nn.Linear(16, 2)

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.tok(input_ids) + self.typ(token_type_ids)
            h = self.layer(h, src_key_padding_mask=attention_mask == 0)
            return self.cls(h[:, 0]), h

    def ids(hi, shape):
        return rng.integers(0, hi, shape).astype(np.int64)

    cases = {
        "token_classifier": (TokenClassifier(), {"input_ids": ids(50, (ROWS, 6))}),
        "two_inputs": (TwoInputs(), {"image": rng.standard_normal((ROWS, 1, 6, 6)).astype(np.float32),
                                     "side": rng.standard_normal((ROWS, 2)).astype(np.float32)}),
        "two_outputs": (TwoOutputs(), {"x": rng.standard_normal((ROWS, 5)).astype(np.float32)}),
        "dict_output": (DictOutput(), {"x": rng.standard_normal((ROWS, 3, 4, 4)).astype(np.float32)}),
        "encoder": (Encoder(), {"input_ids": ids(30, (ROWS, 5)),
                                "attention_mask": np.ones((ROWS, 5), np.int64),
                                "token_type_ids": ids(2, (ROWS, 5))}),
    }
    cases["encoder"][1]["attention_mask"][:, 4] = 0  # padding at the end
    index = []

    def flat(o, name):  # the worker's naming: out, out.0, out.aux (docs/design.md)
        if torch.is_tensor(o):
            return [(name, o)]
        if isinstance(o, (tuple, list)):
            return [x for i, v in enumerate(o) for x in flat(v, f"{name}.{i}")]
        return [x for k, v in o.items() for x in flat(v, f"{name}.{k}")]

    for case, (net, feed) in cases.items():
        d = out / case
        (d / "inputs").mkdir(parents=True, exist_ok=True)
        (d / "expected").mkdir(parents=True, exist_ok=True)
        net.eval()
        args = tuple(torch.from_numpy(v) for v in feed.values())
        with torch.no_grad():
            outs = flat(net(*args), "out")
            script = torch.jit.trace(net, args, strict=False) if case != "encoder" else torch.jit.script(net)
        script.save(str(d / "model.pt"))
        inputs = []
        for k, v in feed.items():
            np.save(d / "inputs" / f"{k}.npy", v)
            inputs.append({"name": k, "file": f"{d.name}/inputs/{k}.npy"})
        expected = []
        for i, (k, v) in enumerate(outs):
            np.save(d / "expected" / f"{i}.npy", v.numpy())
            expected.append({"name": k, "file": f"{d.name}/expected/{i}.npy"})
        index.append({"case": case, "format": "torchscript", "model": f"{case}/model.pt",
                      "inputs": inputs, "outputs": expected})
        # The ONNX export of the same module: its own output names (o0, o1, ...).
        onames = [f"o{i}" for i in range(len(outs))]
        dyn = {k: {0: "batch"} for k in list(feed) + onames}
        torch.onnx.export(net, args, str(d / "model.onnx"), input_names=list(feed),
                          output_names=onames, dynamic_axes=dyn, opset_version=14)
        index.append({"case": case, "format": "onnx", "model": f"{case}/model.onnx",
                      "inputs": inputs,
                      "outputs": [{"name": n, "file": e["file"]} for n, e in zip(onames, expected)]})
    return index


def tf_cases(out: Path):
    import tensorflow as tf

    tf.random.set_seed(0)
    rng = np.random.default_rng(1)

    class TwoInTwoOut(tf.Module):  # int64 ids + float side input -> logits and per-sample score
        def __init__(self):
            self.emb = tf.Variable(tf.random.normal([40, 4]))
            self.w = tf.Variable(tf.random.normal([6, 3]))

        @tf.function(input_signature=[tf.TensorSpec([None, 5], tf.int64, name="input_ids"),
                                      tf.TensorSpec([None, 2], tf.float32, name="side")])
        def serve(self, input_ids, side):
            h = tf.reduce_mean(tf.gather(self.emb, input_ids), 1)
            logits = tf.matmul(tf.concat([h, side], 1), self.w)
            return {"logits": logits, "score": tf.reduce_sum(logits, 1)}

    m = TwoInTwoOut()
    feed = {"input_ids": rng.integers(0, 40, (ROWS, 5)).astype(np.int64),
            "side": rng.standard_normal((ROWS, 2)).astype(np.float32)}
    d = out / "tf_two_in_two_out"
    (d / "inputs").mkdir(parents=True, exist_ok=True)
    (d / "expected").mkdir(parents=True, exist_ok=True)
    tf.saved_model.save(m, str(d / "saved_model"), signatures={"serving_default": m.serve})
    res = m.serve(**{k: tf.constant(v) for k, v in feed.items()})
    inputs = []
    for k, v in feed.items():
        np.save(d / "inputs" / f"{k}.npy", v)
        inputs.append({"name": k, "file": f"{d.name}/inputs/{k}.npy"})
    expected = []
    for i, k in enumerate(sorted(res)):  # the worker's order: the signature's names, sorted
        np.save(d / "expected" / f"{i}.npy", res[k].numpy())
        expected.append({"name": k, "file": f"{d.name}/expected/{i}.npy"})
    return [{"case": "tf_two_in_two_out", "format": "tf_savedmodel",
             "model": "tf_two_in_two_out/saved_model", "inputs": inputs, "outputs": expected}]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--framework", choices=["torch", "tf"], required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    index = torch_cases(out) if a.framework == "torch" else tf_cases(out)
    (out / f"index.{a.framework}.json").write_text(json.dumps(index, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
