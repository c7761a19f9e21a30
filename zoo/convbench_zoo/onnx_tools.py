"""ONNX tools for `convbench check` (python -m convbench_zoo onnx-tools ACTION ...).

  dump      per-layer activations of an original model (Keras SavedModel: a sub-model over
            the layers' outputs; TorchScript, any: its inlined graph with every leaf module's
            output made a graph output) and of an ONNX model (every float node output
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


def _dump_torch(original: Path, x: np.ndarray, out: Path) -> list:
    """Any TorchScript file, no Python class needed: the inlined forward graph keeps each node's
    module hierarchy ("layer1(Sequential).0(BasicBlock).conv1(Conv2d)"); the last float tensor
    each leaf module computes is made an extra graph output and the graph run as a function of
    the loaded module. Layer names are the module paths ("layer1.0.conv1"), which torch.onnx
    writes into its node names ("/layer1/layer1.0/conv1/Conv")."""
    import torch

    module = torch.jit.load(str(original)).eval()
    graph = module.inlined_graph  # a copy: the module itself is not changed
    nodes = list(graph.nodes())  # top level only: not inside If/Loop blocks
    hierarchies = {n.getModuleHierarchy() for n in nodes} - {""}
    leaves = {h for h in hierarchies if not any(o.startswith(h + ".") for o in hierarchies)}
    # (hierarchy, call) -> the last float tensor computed there. A leaf module called again
    # (one ReLU used twice in a ResNet block) is a new call each time its nodes resume; torch.onnx
    # names those scopes relu, relu_1, relu_2, ...
    last, calls, previous = {}, {}, None
    for node in nodes:
        hierarchy = node.getModuleHierarchy()
        if node.kind().startswith("prim::"):  # constants, attributes, lists: not computation
            continue
        if hierarchy not in leaves:  # glue of a parent module (a residual add) or none
            previous = None
            continue
        if hierarchy != previous:
            calls[hierarchy] = calls[hierarchy] + 1 if hierarchy in calls else 0
            previous = hierarchy
        for value in node.outputs():
            t = value.type()
            if t.kind() == "TensorType" and (t.scalarType() in (None, "Float", "Double", "Half")):
                last[(hierarchy, calls[hierarchy])] = value
    if not last:
        raise RuntimeError(f"{original}: its graph records no module hierarchy (not a traced or "
                           "scripted nn.Module?)")
    paths, kinds = [], []
    for hierarchy, call in last:
        parts = hierarchy.split(".")
        # "layer1(Sequential)" -> "layer1"; the last part's type is the layer's type
        names = [p[: p.index("(")] if "(" in p else p for p in parts]
        if call > 0:
            names[-1] += f"_{call}"
        paths.append(".".join(names))
        kinds.append(parts[-1][parts[-1].index("(") + 1: -1] if "(" in parts[-1] else "")
    returned = graph.return_node().inputsSize()
    # A copy of each value where it is made: later in-place ops (ReLU(inplace=True) after a
    # BatchNorm) would otherwise change what is returned.
    none = graph.create("prim::Constant")
    none.output().setType(torch._C.NoneType.get())
    none.insertBefore(next(iter(graph.nodes())))
    for value in last.values():
        copy = graph.create("aten::clone", [value, none.output()])
        copy.output().setType(value.type())
        copy.insertAfter(value.node())
        graph.registerOutput(copy.output())
    graph.makeMultiOutputIntoTuple()
    fn = torch._C._create_function_from_graph("convbench_dump", graph)
    with torch.no_grad():
        values = fn(module._c, torch.from_numpy(x))
    values = values[returned:] if isinstance(values, tuple) else []
    records = []
    for path, kind, v in zip(paths, kinds, values):
        if torch.is_tensor(v) and v.is_floating_point():
            records.append((path, kind, v.detach().float().numpy().copy()))
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
        sys.modules["tensorflow"] = None  # never both frameworks in one process
        layers, framework = _dump_torch(Path(args.original), x, out), "pytorch"
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
    v = act.add_parser("variants", help="fp16 / dynamic int8 variants of an ONNX model")
    v.add_argument("--onnx", required=True)
    v.add_argument("--out", required=True)
    v.add_argument("--kinds", default="fp16,int8")
    f = act.add_parser("flip-gru", help="flip every GRU node's linear_before_reset")
    f.add_argument("--onnx", required=True)
    f.add_argument("--out", required=True)


def main(args) -> int:
    return {"dump": dump, "variants": variants, "flip-gru": flip_gru}[args.action](args)
