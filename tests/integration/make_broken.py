"""Deliberately broken conversions for the `convbench check` test (check_test.sh).

From a zoo LeNet-5's faithful ONNX (torch.onnx export) it writes, into OUT:
  transposed.onnx   the input's H and W axes swapped (a layout mix-up at the first op)
  nhwc.onnx         declares an NHWC input (a converter that kept the source layout)
  norm.onnx         inputs divided by 255 inside the model (preprocessing applied twice:
                    the converted model expects raw 0..255 pixels)
  logits.onnx       the final Softmax dropped (logits where the original gives probabilities)
  perturbed.onnx    conv2's weights perturbed (localisation must name conv2)
  batchdep.onnx     softmax over the whole batch (Reshape [1,-1] around it: what a baked-in
                    batch of 1 does): exact at batch 1, wrong at batch N
  fixed_batch.onnx  the batch dimension fixed to 1 (exported without a dynamic axis)
and a tiny text GRU (the zoo's RNNClassifier, random weights) as TorchScript + ONNX:
  gru.pt, gru.onnx (faithful, linear_before_reset=1 as torch.onnx exports it),
  gru_flipped.onnx (the other linear_before_reset convention).
"""
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper


def _load(path):
    return onnx.load(str(path))


def _prepend(model, node_fn, suffix):
    """Inserts node(s) after the graph input; the old consumers read the new tensor."""
    g = model.graph
    inp = g.input[0].name
    new = f"{inp}_{suffix}"
    for n in g.node:
        for i, name in enumerate(n.input):
            if name == inp:
                n.input[i] = new
    nodes, inits = node_fn(inp, new)
    for k, n in enumerate(nodes):
        g.node.insert(k, n)
    g.initializer.extend(inits)
    return model


def transposed(src):
    m = _load(src)
    return _prepend(m, lambda i, o: ([helper.make_node("Transpose", [i], [o], perm=[0, 1, 3, 2],
                                                        name="/broken/Transpose")], []), "t")


def nhwc(src):
    """Declares an NHWC input [N, 28, 28, 1] and transposes inside: fed NCHW it cannot run."""
    m = _prepend(_load(src), lambda i, o: ([helper.make_node("Transpose", [i], [o], perm=[0, 3, 1, 2],
                                                              name="/broken/ToNCHW")], []), "h")
    d = m.graph.input[0].type.tensor_type.shape.dim
    c, h, w = (d[k].dim_value for k in (1, 2, 3))
    d[1].dim_value, d[2].dim_value, d[3].dim_value = h, w, c
    return m


def norm(src):
    m = _load(src)
    c = numpy_helper.from_array(np.array(255, dtype=np.float32), "broken_255")
    return _prepend(m, lambda i, o: ([helper.make_node("Div", [i, "broken_255"], [o],
                                                        name="/broken/Div")], [c]), "n")


def _softmax(m):
    return next(n for n in m.graph.node if n.op_type == "Softmax")


def logits(src):
    m = _load(src)
    sm = _softmax(m)
    out = m.graph.output[0].name
    for n in m.graph.node:  # the producer of the softmax's input now writes the output
        for i, name in enumerate(n.output):
            if name == sm.input[0]:
                n.output[i] = out
    m.graph.node.remove(sm)
    return m


def perturbed(src):
    m = _load(src)
    conv2 = next(n for n in m.graph.node if n.op_type == "Conv" and "conv2" in n.name)
    init = next(t for t in m.graph.initializer if t.name == conv2.input[1])
    w = numpy_helper.to_array(init)
    rng = np.random.default_rng(0)
    w = w + rng.normal(0, 0.5 * float(w.std()), w.shape).astype(np.float32)
    init.CopyFrom(numpy_helper.from_array(w, init.name))
    return m


def batchdep(src):
    m = _load(src)
    sm = _softmax(m)
    g = m.graph
    flat, soft = "broken_flat", "broken_soft"
    g.initializer.extend([numpy_helper.from_array(np.array([1, -1], dtype=np.int64), "broken_s1"),
                          numpy_helper.from_array(np.array([-1, 10], dtype=np.int64), "broken_s2")])
    idx = list(g.node).index(sm)
    out = sm.output[0]
    g.node.remove(sm)
    new = [helper.make_node("Reshape", [sm.input[0], "broken_s1"], [flat], name="/broken/Reshape1"),
           helper.make_node("Softmax", [flat], [soft], axis=1, name="/broken/Softmax"),
           helper.make_node("Reshape", [soft, "broken_s2"], [out], name="/broken/Reshape2")]
    for k, n in enumerate(new):
        g.node.insert(idx + k, n)
    return m


def fixed_batch(src):
    m = _load(src)
    for v in list(m.graph.input) + list(m.graph.output):
        d = v.type.tensor_type.shape.dim[0]
        d.Clear()
        d.dim_value = 1
    return m


def gru(out: Path):
    import torch
    from convbench_zoo import models_torch

    torch.manual_seed(0)
    meta = {"kind": "text", "vocab_size": 50, "seq_len": 12, "num_classes": 2}
    net = models_torch.WithSoftmax(models_torch.build("gru", meta)).eval()
    with torch.no_grad():  # non-zero biases, so both conventions differ everywhere
        for name, p in net.named_parameters():
            if "bias" in name:
                p.uniform_(-0.5, 0.5)
    x = torch.randint(0, 50, (1, 12))  # int64 token ids
    torch.jit.trace(net, x).save(str(out / "gru.pt"))
    torch.onnx.export(net, x, str(out / "gru.onnx"), input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=13)
    m = _load(out / "gru.onnx")
    flipped = 0
    for n in m.graph.node:
        if n.op_type == "GRU":
            for a in n.attribute:
                if a.name == "linear_before_reset":
                    a.i = 1 - a.i
                    flipped += 1
    assert flipped == 1, "expected one GRU node with linear_before_reset"
    onnx.save(m, str(out / "gru_flipped.onnx"))


def main(src, out):
    src, out = Path(src), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, fn in [("transposed", transposed), ("nhwc", nhwc), ("norm", norm), ("logits", logits),
                     ("perturbed", perturbed), ("batchdep", batchdep), ("fixed_batch", fixed_batch)]:
        m = fn(src)
        onnx.checker.check_model(m)
        onnx.save(m, str(out / f"{name}.onnx"))
    gru(out)
    print(f"broken models in {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
