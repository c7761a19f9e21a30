"""The shipped-model corpus (issue #12): public architectures, seeded random weights, each as a
TorchScript original and an ONNX conversion -- faithful ones and deliberately broken ones, each
break a fault users report against converters.

    python tests/shipped/make_models.py --out DIR [--quick]

Writes, per case, DIR/<case>/original.pt (torch.jit.trace, eval mode unless the case says
otherwise), DIR/<case>/converted.onnx (torch.onnx.export, opset 17, dynamic batch axis unless the
case says otherwise) and DIR/<case>/inputs.npz (arrays named after the ONNX graph's inputs), and
DIR/index.json: [{case, kind, original, converted, inputs, expect, cause, args}] with paths
relative to DIR. Nothing is downloaded: torchvision builds its architectures with weights=None and
every weight comes from a seeded generator. --quick makes only the fast subset (the ctest).

Random weights carry no ground truth, so no `labels` array is written: the check judges the
outputs elementwise and by argmax agreement with the original.
"""
import argparse
import copy
import json
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
import torchvision
from onnx import TensorProto, helper, numpy_helper
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
IMG = 64          # image side: small, so the corpus builds in seconds per model
N_IMAGES = 32
N_SEG = 16
N_TEXT = 32
SEQ = 16

QUICK = ["resnet18", "text_transformer", "bert_encoder", "two_output", "normalisation_baked",
         "fixed_batch_1", "outputs_swapped", "fp16", "vacuous_tolerance", "bn_training_mode",
         "perturbed_layer3"]


# ---------------------------------------------------------------------------------- weights, data
def seeded(seed):
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed + 1000)


def randomise_norm_stats(model, g):
    """BatchNorm at init has mean 0 / var 1, which hides train-vs-eval differences: give every
    BatchNorm seeded running statistics and affine parameters like a trained network has."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.normal_(0.0, 0.2, generator=g)
                m.running_var.uniform_(0.5, 2.0, generator=g)
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.normal_(0.0, 0.1, generator=g)
    return model


def images(seed, n=N_IMAGES):
    """ImageNet-normalised images: uniform pixels in [0, 1), then (x - mean) / std per channel."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 3, IMG, IMG), dtype=np.float32)
    mean = np.array(IMAGENET_MEAN, np.float32).reshape(1, 3, 1, 1)
    std = np.array(IMAGENET_STD, np.float32).reshape(1, 3, 1, 1)
    return ((x - mean) / std).astype(np.float32)


# ------------------------------------------------------------------------------------ the models
class TextTransformer(nn.Module):
    """torch.nn.TransformerEncoder text classifier on int64 token ids (mean-pooled)."""

    def __init__(self, vocab=2000, d=64, heads=4, ff=128, layers=2, classes=4, max_len=SEQ):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, max_len, d) * 0.1)
        layer = nn.TransformerEncoderLayer(d, heads, ff, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.fc = nn.Linear(d, classes)

    def forward(self, tokens):
        h = self.embed(tokens) + self.pos[:, : tokens.shape[1]]
        return self.fc(self.encoder(h).mean(1))


class BertLayer(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.heads = heads
        self.query, self.key, self.value, self.dense = (nn.Linear(d, d) for _ in range(4))
        self.ln1 = nn.LayerNorm(d, eps=1e-12)
        self.intermediate = nn.Linear(d, ff)
        self.output = nn.Linear(ff, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-12)

    def forward(self, h, ext_mask):
        b, n, d = h.shape
        k = d // self.heads

        def split(t):
            return t.reshape(b, n, self.heads, k).transpose(1, 2)

        q, kk, v = split(self.query(h)), split(self.key(h)), split(self.value(h))
        att = torch.softmax(q @ kk.transpose(-1, -2) / (k ** 0.5) + ext_mask, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(b, n, d)
        h = self.ln1(h + self.dense(ctx))
        return self.ln2(h + self.output(F.gelu(self.intermediate(h))))


class MiniBert(nn.Module):
    """BERT's encoder (embeddings + post-LN layers + tanh pooler), small: three int64 inputs,
    two outputs (last_hidden_state, pooler_output), as Hugging Face's BertModel returns them."""

    def __init__(self, vocab=1000, d=64, heads=4, ff=128, layers=2, max_len=SEQ, types=2):
        super().__init__()
        self.word = nn.Embedding(vocab, d)
        self.position = nn.Embedding(max_len, d)
        self.token_type = nn.Embedding(types, d)
        self.ln = nn.LayerNorm(d, eps=1e-12)
        self.layers = nn.ModuleList(BertLayer(d, heads, ff) for _ in range(layers))
        self.pooler = nn.Linear(d, d)

    def forward(self, input_ids, attention_mask, token_type_ids):
        pos = torch.arange(input_ids.shape[1], dtype=torch.long).unsqueeze(0)
        h = self.ln(self.word(input_ids) + self.position(pos) + self.token_type(token_type_ids))
        ext = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * -10000.0
        for layer in self.layers:
            h = layer(h, ext)
        return h, torch.tanh(self.pooler(h[:, 0]))


class TwoHead(nn.Module):
    """SqueezeNet 1.1 (torchvision) with a second head: class logits and 10 attribute scores."""

    def __init__(self):
        super().__init__()
        sq = torchvision.models.squeezenet1_1(weights=None, num_classes=10)
        self.features, self.classifier = sq.features, sq.classifier
        self.attributes = nn.Linear(512, 10)

    def forward(self, x):
        f = self.features(x)
        logits = torch.flatten(self.classifier(f), 1)
        attrs = self.attributes(torch.flatten(F.adaptive_avg_pool2d(f, 1), 1))
        return logits, attrs


class Normalise(nn.Module):
    """What a conversion script that bakes preprocessing into the model does: (x - mean) / std
    in front of the network (exports as Sub + Div on the graph input)."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).reshape(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).reshape(1, 3, 1, 1))

    def forward(self, x):
        return self.net((x - self.mean) / self.std)


class FromNHWC(nn.Module):
    """Declares an NHWC input and transposes it to NCHW (a converter that kept the TF layout)."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x.permute(0, 3, 1, 2))


class Scaled(nn.Module):
    def __init__(self, net, scale):
        super().__init__()
        self.net, self.scale = net, scale

    def forward(self, x):
        return self.net(x) * self.scale


# ------------------------------------------------------------------------- export and ONNX edits
def trace(model, args, path, strict=True, check=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ts = torch.jit.trace(model, args, strict=strict, check_trace=check)
    ts.save(str(path))


def export(model, args, path, inputs, outputs, dynamic=True):
    dyn = {n: {0: "batch"} for n in inputs + outputs} if dynamic else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, str(path), opset_version=17, input_names=inputs,
                          output_names=outputs, dynamic_axes=dyn, do_constant_folding=True)


def reorder_outputs(path):
    """The graph lists its outputs the other way round (names kept with their tensors)."""
    m = onnx.load(str(path))
    outs = list(m.graph.output)
    del m.graph.output[:]
    m.graph.output.extend(reversed(outs))
    onnx.save(m, str(path))


def scale_conv_weight(path, node_part, factor):
    """Scales the weight initializer of the Conv whose node name contains node_part (BatchNorm is
    folded into it by the exporter; scaling the folded weight = scaling the conv's weight)."""
    m = onnx.load(str(path))
    convs = [n for n in m.graph.node if n.op_type == "Conv" and node_part in n.name]
    if len(convs) != 1:
        raise SystemExit(f"{path}: {len(convs)} Conv nodes named *{node_part}*")
    w = convs[0].input[1]
    for i, t in enumerate(m.graph.initializer):
        if t.name == w:
            a = numpy_helper.to_array(t).astype(np.float32) * np.float32(factor)
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(a.astype(np.float32), w))
            break
    else:
        raise SystemExit(f"{path}: weight {w} is not an initializer")
    onnx.save(m, str(path))
    return convs[0].name


def to_fp16(path):
    """A float16 conversion as onnxconverter-common's convert_float_to_float16(keep_io_types=False)
    makes it, emulated so that ONNX Runtime's CPU kernels (float32 only for Conv) still run it:
    the float initializers are stored as float16 (Cast back to float32 where they are read), every
    Conv/Gemm/MatMul result is rounded to float16 (Cast to float16 and back: fp16 activations),
    and the graph's float inputs and outputs are declared float16."""
    m = onnx.load(str(path))
    g = m.graph
    head, nodes = [], list(g.node)
    inits = []
    for t in g.initializer:
        a = numpy_helper.to_array(t)
        if a.dtype == np.float32:
            inits.append(numpy_helper.from_array(a.astype(np.float16), t.name + "__fp16"))
            head.append(helper.make_node("Cast", [t.name + "__fp16"], [t.name], to=TensorProto.FLOAT,
                                         name=f"/fp16/{t.name}/Cast"))
        else:
            inits.append(t)
    del g.initializer[:]
    g.initializer.extend(inits)
    for i in g.input:
        if i.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        inner = i.name + "__f32"
        for n in nodes:
            n.input[:] = [inner if x == i.name else x for x in n.input]
        i.type.tensor_type.elem_type = TensorProto.FLOAT16
        head.append(helper.make_node("Cast", [i.name], [inner], to=TensorProto.FLOAT,
                                     name=f"/fp16/{i.name}/Cast"))
    body = []
    for n in nodes:
        body.append(n)
        if n.op_type in ("Conv", "Gemm", "MatMul"):
            y = n.output[0]
            n.output[0] = y + "__pre16"
            body.append(helper.make_node("Cast", [y + "__pre16"], [y + "__h"], to=TensorProto.FLOAT16,
                                         name=f"{n.name}/to_fp16"))
            body.append(helper.make_node("Cast", [y + "__h"], [y], to=TensorProto.FLOAT,
                                         name=f"{n.name}/from_fp16"))
    tail = []
    for o in g.output:
        if o.type.tensor_type.elem_type != TensorProto.FLOAT:
            continue
        inner = o.name + "__f32"
        for n in body:
            n.output[:] = [inner if x == o.name else x for x in n.output]
            n.input[:] = [inner if x == o.name else x for x in n.input]
        o.type.tensor_type.elem_type = TensorProto.FLOAT16
        tail.append(helper.make_node("Cast", [inner], [o.name], to=TensorProto.FLOAT16,
                                     name=f"/fp16/{o.name}/Cast"))
    del g.node[:]
    g.node.extend(head + body + tail)
    del g.value_info[:]
    onnx.checker.check_model(m)
    onnx.save(m, str(path))


def onnx_inputs(path):
    m = onnx.load(str(path))
    inits = {t.name for t in m.graph.initializer}
    return [i.name for i in m.graph.input if i.name not in inits]


# ------------------------------------------------------------------------------------- the corpus
class Corpus:
    def __init__(self, out):
        self.out = out
        self.index = []
        self.shared = {}

    def case_dir(self, case):
        d = self.out / case
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        return d

    def link_original(self, src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copyfile(src, dst)

    def add(self, case, kind, d, feed, expect, cause, args=(), finding=None):
        """finding: a regex convbench check's output must match (its CAUSE / localisation)."""
        names = onnx_inputs(d / "converted.onnx")
        if sorted(names) != sorted(feed):
            raise SystemExit(f"{case}: feed {sorted(feed)} but the ONNX inputs are {names}")
        np.savez(d / "inputs.npz", **{n: feed[n] for n in names})
        self.index.append({"case": case, "kind": kind, "original": f"{case}/original.pt",
                           "converted": f"{case}/converted.onnx", "inputs": f"{case}/inputs.npz",
                           "expect": expect, "cause": cause, "args": list(args),
                           "finding": finding})


def resnet18_base(c):
    """One seeded torchvision ResNet-18 (10 classes), traced once; the resnet18-based cases share
    its TorchScript (hard links) and its eval-mode weights."""
    if "resnet18" not in c.shared:
        g = seeded(18)
        net = randomise_norm_stats(torchvision.models.resnet18(weights=None, num_classes=10), g).eval()
        path = c.out / "_shared_resnet18.pt"
        trace(net, torch.from_numpy(images(1, 2)), path)
        c.shared["resnet18"] = (net, path)
    return c.shared["resnet18"]


def make_resnet18(c, case="resnet18"):
    net, pt = resnet18_base(c)
    d = c.case_dir(case)
    c.link_original(pt, d / "original.pt")
    export(net, torch.from_numpy(images(1, 2)), d / "converted.onnx", ["x"], ["logits"])
    c.add(case, "faithful", d, {"x": images(100)}, "PASS", "faithful conversion")


def make_mobilenet(c):
    g = seeded(3)
    net = randomise_norm_stats(torchvision.models.mobilenet_v3_small(weights=None, num_classes=10), g)
    net.eval()
    d = c.case_dir("mobilenet_v3_small")
    x = torch.from_numpy(images(1, 2))
    trace(net, x, d / "original.pt")
    export(net, x, d / "converted.onnx", ["x"], ["logits"])
    c.add("mobilenet_v3_small", "faithful", d, {"x": images(101)}, "PASS", "faithful conversion")


def token_feed(seed, n, vocab):
    rng = np.random.default_rng(seed)
    return rng.integers(1, vocab, (n, SEQ), dtype=np.int64)


def make_text_transformer(c):
    seeded(4)
    net = TextTransformer().eval()
    d = c.case_dir("text_transformer")
    t = torch.from_numpy(token_feed(1, 2, 2000))
    # The trace's own re-run check runs under no_grad, where TransformerEncoderLayer takes its
    # fused fast path (another graph, same numbers): the traced graph is the plain one.
    trace(net, t, d / "original.pt", check=False)
    export(net, t, d / "converted.onnx", ["tokens"], ["logits"])
    c.add("text_transformer", "faithful", d, {"tokens": token_feed(102, N_TEXT, 2000)}, "PASS",
          "faithful conversion")


def bert_feed(seed, n):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, 1000, (n, SEQ), dtype=np.int64)
    lengths = rng.integers(4, SEQ + 1, n)
    mask = (np.arange(SEQ)[None, :] < lengths[:, None]).astype(np.int64)
    ids[mask == 0] = 0  # [PAD]
    split = rng.integers(2, SEQ, n)  # sentence pairs: segment B from `split`
    types = ((np.arange(SEQ)[None, :] >= split[:, None]) & (mask == 1)).astype(np.int64)
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def make_bert(c):
    seeded(5)
    net = MiniBert().eval()
    d = c.case_dir("bert_encoder")
    f = {k: torch.from_numpy(v) for k, v in bert_feed(1, 2).items()}
    args = (f["input_ids"], f["attention_mask"], f["token_type_ids"])
    trace(net, args, d / "original.pt")
    export(net, args, d / "converted.onnx", ["input_ids", "attention_mask", "token_type_ids"],
           ["last_hidden_state", "pooler_output"])
    c.add("bert_encoder", "faithful", d, bert_feed(103, N_TEXT), "PASS", "faithful conversion")


def make_segmentation(c):
    g = seeded(6)
    net = torchvision.models.segmentation.lraspp_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=3)
    net = randomise_norm_stats(net, g).eval()
    d = c.case_dir("segmentation_lraspp")
    x = torch.from_numpy(images(1, 2))
    trace(net, x, d / "original.pt", strict=False)  # returns {"out": ...}
    export(net, x, d / "converted.onnx", ["x"], ["out"])
    c.add("segmentation_lraspp", "faithful", d, {"x": images(104, N_SEG)}, "PASS",
          "faithful conversion (dict output)")


def two_output_base(c):
    if "two_output" not in c.shared:
        g = seeded(7)
        net = randomise_norm_stats(TwoHead(), g).eval()
        path = c.out / "_shared_two_output.pt"
        trace(net, torch.from_numpy(images(1, 2)), path)
        c.shared["two_output"] = (net, path)
    return c.shared["two_output"]


def make_two_output(c, case="two_output", swap=False):
    net, pt = two_output_base(c)
    d = c.case_dir(case)
    c.link_original(pt, d / "original.pt")
    export(net, torch.from_numpy(images(1, 2)), d / "converted.onnx", ["x"], ["logits", "attributes"])
    if swap:
        reorder_outputs(d / "converted.onnx")
        c.add(case, "broken", d, {"x": images(105)}, "FAIL",
              "graph outputs reordered (attributes listed before logits)",
              finding=r"CAUSE: output order swapped")
    else:
        c.add(case, "faithful", d, {"x": images(105)}, "PASS", "faithful conversion (2 outputs)")


def make_bn_training(c):
    net, _ = resnet18_base(c)
    d = c.case_dir("bn_training_mode")
    train = copy.deepcopy(net).train()  # traced in training mode: BatchNorm on batch statistics
    trace(train, torch.from_numpy(images(1, 2)), d / "original.pt")
    export(net, torch.from_numpy(images(1, 2)), d / "converted.onnx", ["x"], ["logits"])
    c.add("bn_training_mode", "broken", d, {"x": images(106)}, "FAIL",
          "original traced in training mode (BatchNorm uses batch statistics)",
          finding=r"CAUSE: the original behaves as in training mode")


def make_normalisation(c):
    net, pt = resnet18_base(c)
    d = c.case_dir("normalisation_baked")
    c.link_original(pt, d / "original.pt")
    export(Normalise(net).eval(), torch.from_numpy(images(1, 2)), d / "converted.onnx", ["x"], ["logits"])
    c.add("normalisation_baked", "broken", d, {"x": images(107)}, "FAIL",
          "ImageNet mean/std normalisation baked into the converted model (applied twice)",
          finding=r"CAUSE: input preprocessing mismatch: ImageNet mean/std normalisation baked")


def make_nhwc(c):
    net, pt = resnet18_base(c)
    d = c.case_dir("nhwc_input")
    c.link_original(pt, d / "original.pt")
    x = torch.from_numpy(images(1, 2)).permute(0, 2, 3, 1).contiguous()
    export(FromNHWC(net).eval(), x, d / "converted.onnx", ["x"], ["logits"])
    c.add("nhwc_input", "broken", d, {"x": images(108)}, "FAIL",
          "converted model declares an NHWC input (transpose prepended)",
          finding=r"CAUSE: input layout mismatch: NCHW->NHWC")


def make_fixed_batch(c):
    net, pt = resnet18_base(c)
    d = c.case_dir("fixed_batch_1")
    c.link_original(pt, d / "original.pt")
    export(net, torch.from_numpy(images(1, 1)), d / "converted.onnx", ["x"], ["logits"], dynamic=False)
    c.add("fixed_batch_1", "broken", d, {"x": images(109)}, "FAIL", "batch fixed to 1 (no dynamic axis)",
          finding=r"FAIL dynamic_batch")


def make_fp16(c):
    net, pt = resnet18_base(c)
    d = c.case_dir("fp16")
    c.link_original(pt, d / "original.pt")
    export(net, torch.from_numpy(images(1, 2)), d / "converted.onnx", ["x"], ["logits"])
    to_fp16(d / "converted.onnx")
    # The inputs are float32 values that float16 holds exactly, so both models see the same
    # numbers and only the conversion's rounding differs (convbench refuses an inexact cast).
    x = images(110).astype(np.float16).astype(np.float32)
    c.add("fp16", "broken", d, {"x": x}, "FAIL",
          "float16 conversion (weights, activations, I/O rounded to fp16)",
          finding=r"precision: (mixed )?fp16")


def make_perturbed(c):
    net, pt = resnet18_base(c)
    d = c.case_dir("perturbed_layer3")
    c.link_original(pt, d / "original.pt")
    export(net, torch.from_numpy(images(1, 2)), d / "converted.onnx", ["x"], ["logits"])
    scale_conv_weight(d / "converted.onnx", "layer3.0/conv1/", 1.05)
    c.add("perturbed_layer3", "broken", d, {"x": images(111)}, "FAIL",
          "layer3.0.conv1 weights scaled by 1.05",
          finding=r"first diverging layer: layer3\.0\.conv1")


def make_vacuous(c):
    net, _ = resnet18_base(c)
    d = c.case_dir("vacuous_tolerance")
    x = torch.from_numpy(images(1, 2))
    trace(Scaled(net, 1e-12).eval(), x, d / "original.pt")
    export(Scaled(net, 1.1e-12).eval(), x, d / "converted.onnx", ["x"], ["logits"])  # 10% off
    c.add("vacuous_tolerance", "broken", d, {"x": images(112)}, "FAIL", "vacuous tolerance",
          finding=r"vacuous tolerance: the original's outputs are at most")


CASES = {
    "resnet18": make_resnet18,
    "mobilenet_v3_small": make_mobilenet,
    "text_transformer": make_text_transformer,
    "bert_encoder": make_bert,
    "segmentation_lraspp": make_segmentation,
    "two_output": make_two_output,
    "bn_training_mode": make_bn_training,
    "normalisation_baked": make_normalisation,
    "nhwc_input": make_nhwc,
    "fixed_batch_1": make_fixed_batch,
    "outputs_swapped": lambda c: make_two_output(c, "outputs_swapped", swap=True),
    "fp16": make_fp16,
    "perturbed_layer3": make_perturbed,
    "vacuous_tolerance": make_vacuous,
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--quick", action="store_true", help="only the fast subset (the ctest)")
    ap.add_argument("--cases", help="comma-separated subset of: " + ",".join(CASES))
    a = ap.parse_args()
    names = a.cases.split(",") if a.cases else (QUICK if a.quick else list(CASES))
    unknown = [n for n in names if n not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {unknown}; known: {list(CASES)}")
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "index.json").unlink(missing_ok=True)
    torch.set_grad_enabled(True)
    c = Corpus(a.out)
    t0 = time.time()
    for n in names:
        t = time.time()
        CASES[n](c)
        print(f"{n}: {time.time() - t:.1f} s", file=sys.stderr)
    for p in a.out.glob("_shared_*.pt"):  # the case folders hold their own links/copies
        p.unlink()
    (a.out / "index.json").write_text(json.dumps(c.index, indent=1) + "\n")
    print(f"{len(c.index)} cases in {a.out} ({time.time() - t0:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
