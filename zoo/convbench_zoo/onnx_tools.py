"""ONNX tools for `convbench check` (python -m convbench_zoo onnx-tools ACTION ...).

  dump      per-layer activations of an original model (Keras SavedModel: a sub-model over
            the layers' outputs; TorchScript: the zoo's eager definition with forward hooks,
            weights loaded from the TorchScript) and of an ONNX model (every float node output
            exposed as a graph output, run in ONNX Runtime) on the same inputs, as .npy files
            with an index.json. The C++ side (src/check/localise.cpp) matches and compares.
  variants  deployment-precision variants of an ONNX model: fp16
            (onnxruntime.transformers.float16, float32 inputs/outputs kept) and int8
            (onnxruntime.quantization.quantize_dynamic).
  flip-gru  the same model with every GRU node's linear_before_reset flipped (diagnosis).

index.json: {"original": {"framework", "layers": [{"name", "type", "file", "shape"}]},
             "onnx": {"nodes": [{"name", "op_type", "output", "file", "shape"}]}}
Layers are in execution order, nodes in the graph's (topological) order.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np


def _log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def _dump_onnx(onnx_path: Path, x: np.ndarray, out: Path) -> list:
    import onnx
    import onnxruntime as ort

    model = onnx.shape_inference.infer_shapes(onnx.load(str(onnx_path)))
    g = model.graph
    types = {v.name: v.type.tensor_type.elem_type for v in list(g.value_info) + list(g.output)}
    existing = {o.name for o in g.output}
    wanted = []  # (node, output name) in topological order
    for node in g.node:
        for name in node.output:
            if name and types.get(name) == onnx.TensorProto.FLOAT:
                wanted.append((node, name))
                if name not in existing:
                    g.output.append(onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
                    existing.add(name)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [n for _, n in wanted]
    values = sess.run(names, {sess.get_inputs()[0].name: x})
    nodes = []
    for i, ((node, name), v) in enumerate(zip(wanted, values)):
        f = f"onnx_{i:04d}.npy"
        np.save(out / f, np.ascontiguousarray(v, dtype=np.float32))
        nodes.append({"name": node.name or name, "op_type": node.op_type, "output": name,
                      "file": f, "shape": list(v.shape)})
    return nodes


def _torch_model(original: Path, model_dir: Path):
    import torch
    from convbench_zoo import models_torch

    manifest = json.loads((model_dir / "manifest.json").read_text())
    inp = manifest["input"]
    kind = "text" if "vocab_file" in inp else "image"
    meta = {"kind": kind, "num_classes": manifest["output"]["shape"][0], "sample_shape": inp["shape"]}
    if kind == "text":
        meta.update(vocab_size=inp["vocab_size"], seq_len=inp["seq_len"])
    net = models_torch.WithSoftmax(models_torch.build(manifest["model"], meta))
    net.load_state_dict(torch.jit.load(str(original)).state_dict())
    return net.eval()


def _dump_torch(original: Path, model_dir: Path, x: np.ndarray, out: Path) -> list:
    import torch

    net = _torch_model(original, model_dir)
    records = []

    def hook(name):
        def fn(module, _inputs, output):
            if isinstance(output, tuple):  # RNNs: (sequence, state)
                output = output[0]
            if torch.is_tensor(output) and output.is_floating_point():
                records.append((name, type(module).__name__, output.detach().numpy().copy()))
        return fn

    for name, m in net.named_modules():
        if name and not list(m.children()):
            m.register_forward_hook(hook(name))
    with torch.no_grad():
        net(torch.from_numpy(x))
    return _save_layers(records, out)


def _dump_keras(original: Path, x: np.ndarray, out: Path) -> list:
    import tensorflow as tf

    model = tf.keras.models.load_model(str(original), compile=False)
    layers = [l for l in model.layers if not isinstance(l, tf.keras.layers.InputLayer)]
    sub = tf.keras.Model(model.inputs, [l.output for l in layers])
    values = sub(x, training=False)
    if not isinstance(values, (list, tuple)):
        values = [values]
    records = [(l.name, type(l).__name__, np.asarray(v)) for l, v in zip(layers, values)]
    return _save_layers(records, out)


def _save_layers(records, out: Path) -> list:
    layers = []
    for i, (name, kind, v) in enumerate(records):
        f = f"orig_{i:04d}.npy"
        np.save(out / f, np.ascontiguousarray(v, dtype=np.float32))
        layers.append({"name": name, "type": kind, "file": f, "shape": list(v.shape)})
    return layers


def dump(args) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    x = np.load(args.inputs)  # float32 images or int64 token ids, as the model takes them
    if x.dtype.kind == "f":
        x = x.astype(np.float32)
    if args.format == "torchscript":
        if not args.model_dir:
            _log("error: a TorchScript original needs --model-dir (the zoo's eager definition)")
            return 2
        sys.modules["tensorflow"] = None  # never both frameworks in one process
        layers, framework = _dump_torch(Path(args.original), Path(args.model_dir), x, out), "pytorch"
    elif args.format == "tf_savedmodel":
        sys.modules["torch"] = None
        layers, framework = _dump_keras(Path(args.original), x, out), "keras"
    else:
        _log(f"error: no activation dump for format {args.format}")
        return 2
    nodes = _dump_onnx(Path(args.onnx), x, out)
    index = {"original": {"framework": framework, "layers": layers}, "onnx": {"nodes": nodes}}
    (out / "index.json").write_text(json.dumps(index, indent=1))
    _log(f"dumped {len(layers)} original layers and {len(nodes)} ONNX node outputs to {out}")
    return 0


def variants(args) -> int:
    import onnx

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for kind in args.kinds.split(","):
        dest = out / f"model.{kind}.onnx"
        if kind == "fp16":
            from onnxruntime.transformers.float16 import convert_float_to_float16
            onnx.save(convert_float_to_float16(onnx.load(args.onnx), keep_io_types=True), str(dest))
        elif kind == "int8":
            from onnxruntime.quantization import QuantType, quantize_dynamic
            # ORT CPU implements ConvInteger for uint8 weights only, so QUInt8 (MatMul too).
            quantize_dynamic(args.onnx, str(dest), weight_type=QuantType.QUInt8)
        else:
            _log(f"error: unknown variant {kind} (fp16, int8)")
            return 2
        _log(f"wrote {dest}")
    return 0


def flip_gru(args) -> int:
    import onnx

    model = onnx.load(args.onnx)
    flipped = 0
    for node in model.graph.node:
        if node.op_type != "GRU":
            continue
        attr = next((a for a in node.attribute if a.name == "linear_before_reset"), None)
        if attr is None:
            node.attribute.append(onnx.helper.make_attribute("linear_before_reset", 1))
        else:
            attr.i = 1 - attr.i
        flipped += 1
    if not flipped:
        _log("error: no GRU node")
        return 2
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, args.out)
    _log(f"flipped linear_before_reset on {flipped} GRU node(s): {args.out}")
    return 0


def add_parser(sub):
    p = sub.add_parser("onnx-tools", help="activation dumps, precision variants, GRU flip (convbench check)")
    act = p.add_subparsers(dest="action", required=True)
    d = act.add_parser("dump", help="per-layer activations of an original and its ONNX model")
    d.add_argument("--original", required=True)
    d.add_argument("--format", required=True, choices=["torchscript", "tf_savedmodel"])
    d.add_argument("--onnx", required=True)
    d.add_argument("--inputs", required=True, help=".npy of inputs (leading axis = batch)")
    d.add_argument("--out", required=True)
    d.add_argument("--model-dir", help="zoo model dir (torch: the eager definition)")
    v = act.add_parser("variants", help="fp16 / dynamic int8 variants of an ONNX model")
    v.add_argument("--onnx", required=True)
    v.add_argument("--out", required=True)
    v.add_argument("--kinds", default="fp16,int8")
    f = act.add_parser("flip-gru", help="flip every GRU node's linear_before_reset")
    f.add_argument("--onnx", required=True)
    f.add_argument("--out", required=True)


def main(args) -> int:
    return {"dump": dump, "variants": variants, "flip-gru": flip_gru}[args.action](args)
