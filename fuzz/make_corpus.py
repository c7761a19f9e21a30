#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into fuzz/corpus/<target>/ (small valid inputs).

Run with the zoo's venv (numpy for .npy/.npz; onnx and tensorflow's protobuf classes for the two
signature readers): .venv/bin/python fuzz/make_corpus.py. Deterministic: rerunning rewrites the
same bytes. Inputs that once crashed a reader are kept in fuzz/corpus/<target>/crash-* and are
never rewritten here.
"""
import gzip
import io
import json
import lzma
import pathlib
import shutil
import struct
import tarfile
import zipfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent
CORPUS = ROOT / "corpus"
REPO = ROOT.parent


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def gz(b):
    return gzip.compress(b, mtime=0)


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data)


def tar(files, mode="w"):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.USTAR_FORMAT) as t:
        for name, content in files:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = 0
            t.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def zipped(files, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, content in files:
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), content, method)
    return buf.getvalue()


def npy(a):
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=False)
    return buf.getvalue()


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def message(header, payload=b""):
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<I", len(h)) + h + struct.pack("<Q", len(payload)) + payload


def idx_seeds():
    put("idx", "images_2x3x3", idx([2, 3, 3], range(18)))
    put("idx", "labels_4", idx([4], [0, 1, 9, 3]))
    put("idx", "four_dims", idx([1, 2, 1, 2], [5, 6, 7, 8]))
    put("idx", "empty", idx([0, 28, 28], []))


def mnist_seeds():
    images = idx([3, 2, 2], range(12))
    labels = idx([3], [7, 0, 9])
    put("mnist", "raw", struct.pack(">H", len(images)) + images + labels)
    gi, gl = gz(images), gz(labels)
    put("mnist", "gzipped", struct.pack(">H", len(gi)) + gi + gl)


def cifar10_seeds():
    rec = lambda label, v: bytes([label]) + bytes([v]) * 3072
    put("cifar10", "one_record", rec(3, 128))
    put("cifar10", "two_records", rec(0, 0) + bytes([9]) + bytes(range(256)) * 12)


REVIEWS = [
    ("aclImdb/train/pos/0_9.txt", b"A great film.<br /><br />I'd see it again."),
    ("aclImdb/train/neg/0_2.txt", b"Dull, and the actors' lines don't work."),
    ("aclImdb/train/pos/1_7.txt", b"Good fun."),
    ("aclImdb/test/pos/0_10.txt", b"The best film of the year!"),
    ("aclImdb/test/neg/0_1.txt", b"Awful.<BR/>Just awful."),
    ("aclImdb/README", b"Large Movie Review Dataset v1.0\n"),
]


def archive_seeds():
    files = [("a/x.bin", bytes(range(40))), ("./b.txt", b"hello\n"), ("c/d/e", b"")]
    put("archive", "plain.tar", tar(files))
    put("archive", "gzip.tar.gz", tar(files, "w:gz"))
    put("archive", "xz.tar.xz", tar(files, "w:xz"))
    put("archive", "bzip2.tar.bz2", tar(files, "w:bz2"))
    put("archive", "stored.zip", zipped(files))
    put("archive", "deflated.zip", zipped(files, zipfile.ZIP_DEFLATED))


def imdb_seeds():
    put("imdb", "aclImdb.tar", tar(REVIEWS))
    put("imdb", "aclImdb_v1.tar.gz", tar(REVIEWS, "w:gz"))
    put("imdb", "aclImdb.tar.xz", tar(REVIEWS, "w:xz"))


def npy_seeds():
    put("npy", "f4_2x3.npy", npy(np.arange(6, dtype="<f4").reshape(2, 3)))
    put("npy", "i8_4.npy", npy(np.array([3, 0, -1, 2**40], dtype="<i8")))
    put("npy", "f2_3.npy", npy(np.array([1.5, -0.0, 65504], dtype="<f2")))
    put("npy", "bool_2x2.npy", npy(np.array([[True, False], [False, True]])))
    put("npy", "u1_0d.npy", npy(np.array(7, dtype="u1")))
    put("npy", "f8_0x3.npy", npy(np.zeros((0, 3), dtype="<f8")))
    put("npy", "u8_2.npy", npy(np.array([1, 2**63], dtype="<u8")))
    put("npy", "f4_nan.npy", npy(np.array([np.nan, np.inf, 2.5], dtype="<f4")))
    # Refused: big-endian, Fortran order; version 2.0 header.
    put("npy", "be_i4.npy", npy(np.array([1, 2], dtype=">i4")))
    put("npy", "fortran.npy", npy(np.asfortranarray(np.ones((2, 2), dtype="<f4"))))
    v2 = io.BytesIO()
    np.lib.format.write_array(v2, np.arange(4, dtype="<i4"), version=(2, 0))
    put("npy", "v2_i4.npy", v2.getvalue())


def npz_seeds():
    x = np.arange(12, dtype="<f4").reshape(4, 3)
    y = np.array([0, 1, 2, 1], dtype="<i8")
    for name, compress in (("xy.npz", np.savez), ("xy_compressed.npz", np.savez_compressed)):
        buf = io.BytesIO()
        compress(buf, x=x, y=y)
        put("npz", name, buf.getvalue())
    buf = io.BytesIO()
    np.savez(buf, inputs=np.ones((2, 1, 2, 2), dtype="<f8"), labels=np.array([1, 0], dtype="u1"))
    put("npz", "inputs_labels.npz", buf.getvalue())
    buf = io.BytesIO()
    np.savez(buf, a=np.ones((2, 2), dtype="<i4"), b=np.zeros((1, 2), dtype="<i4"))
    put("npz", "two_parts.npz", buf.getvalue())


def polygraphy_json_seeds():
    import base64

    def arr(a):
        return {"array": base64.b64encode(npy(a)).decode(), "polygraphy_class": "ndarray"}

    feeds = [{"input_ids": arr(np.array([[101, 7]], dtype="<i8")),
              "attention_mask": arr(np.array([[1, 0]], dtype="<i8"))},
             {"input_ids": arr(np.array([[101, 9]], dtype="<i8")),
              "attention_mask": arr(np.array([[1, 1]], dtype="<i8"))}]
    put("polygraphy_json", "two_feeds.json", json.dumps(feeds))
    put("polygraphy_json", "one_feed.json", json.dumps(
        {"x": arr(np.ones((2, 3), dtype="<f4")), "labels": arr(np.array([1, 0], dtype="<i8"))}))
    old = {"x": {"array": base64.b64encode(npy(np.zeros((1, 2), dtype="<f2"))).decode(),
                 "__polygraphy_encoded_ndarray": True}}
    put("polygraphy_json", "old_encoding.json", json.dumps([old]))


def protocol_seeds():
    ids = np.array([[101, 7], [101, 9]], dtype="<i8").tobytes()
    mask = bytes([1, 1, 1, 0])
    run = {"op": "run", "tensors": [
        {"name": "input_ids", "dtype": "int64", "shape": [2, 2]},
        {"name": "attention_mask", "dtype": "bool", "shape": [2, 2]}]}
    put("protocol", "run", message(run, ids + mask))
    reply = {"ok": True, "run_s": 0.001, "tensors": [{"name": "out", "dtype": "float32", "shape": [2]}]}
    put("protocol", "reply", message(reply, np.array([0.25, 0.75], dtype="<f4").tobytes()))
    put("protocol", "two_messages", message({"op": "load", "path": "m.onnx", "threads": 1})
        + message({"ok": False, "error": "bad", "kind": "unsupported"}))
    put("protocol", "scalar_f16", message({"op": "gradient", "labels": [1], "tensors": [
        {"name": "x", "dtype": "float16", "shape": []}]}, b"\x00\x3c"))


def manifest_seeds():
    m = {"model": "lenet5", "framework": "keras", "dataset": "mnist", "seed": 3,
         "input": {"layout": "NHWC", "shape": [28, 28, 1]},
         "artefacts": {
             "original": {"format": "tf_savedmodel", "path": "saved_model", "status": "ok",
                          "tf_input": "serving_default_x:0", "tf_output": "StatefulPartitionedCall:0",
                          "tf_grad_input": "a:0", "tf_grad_label": "b:0", "tf_grad_output": "c:0"},
             "onnx": {"format": "onnx", "path": "model.onnx", "status": "ok", "converter": "tf2onnx"},
             "coreml": {"format": "coreml_mlprogram", "path": "m.mlpackage", "status": "failed",
                        "error": "boom"}}}
    put("manifest", "keras.json", json.dumps(m, indent=1))
    t = {"model": "lstm", "framework": "pytorch", "dataset": "imdb",
         "input": {"layout": "tokens", "shape": [100], "vocab_file": "vocab.txt"},
         "artefacts": {"original": {"format": "torchscript", "path": "model.pt"},
                       "onnx": {"format": "onnx", "path": "model.onnx", "error": None}}}
    put("manifest", "torch.json", json.dumps(t))


def vocabulary_seeds():
    put("vocabulary", "small.txt", "<pad>\n<unk>\nthe\nfilm\nisn't\nbad\nbest\nit's\n")
    put("vocabulary", "utf8.txt", "<pad>\n<unk>\ncaf\u00e9\nna\u00efve\n\u00e9t\u00e9")


def tf_signatures_seeds():
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow.core.framework import types_pb2

    mg = meta_graph_pb2.MetaGraphDef()
    mg.meta_info_def.tags.append("serve")
    sig = mg.signature_def["serving_default"]
    x = sig.inputs["x"]
    x.name = "serving_default_x:0"
    x.dtype = types_pb2.DT_FLOAT
    for d in (-1, 28, 28, 1):
        x.tensor_shape.dim.add().size = d
    ids = sig.inputs["input_ids"]
    ids.name = "serving_default_input_ids:0"
    ids.dtype = types_pb2.DT_INT64
    ids.tensor_shape.unknown_rank = True
    out = sig.outputs["output_0"]
    out.name = "StatefulPartitionedCall:0"
    out.dtype = types_pb2.DT_FLOAT
    out.tensor_shape.dim.add().size = -1
    out.tensor_shape.dim.add().size = 10
    sig.method_name = "tensorflow/serving/predict"
    grad = mg.signature_def["input_gradient"]
    grad.inputs["label"].name = "input_gradient_label:0"
    grad.inputs["label"].dtype = types_pb2.DT_INT64
    grad.outputs["gradient"].name = "StatefulPartitionedCall_1:0"
    put("tf_signatures", "meta_graph_def.pb", mg.SerializeToString(deterministic=True))


def onnx_signature_seeds():
    import onnx
    from onnx import TensorProto, helper

    w = helper.make_tensor("w", TensorProto.FLOAT, [3, 2], [0.5] * 6)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"]), helper.make_node("Cast", ["ids"], ["c"], to=1)],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3]),
         helper.make_tensor_value_info("ids", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [3, 2])],  # an initializer (IR < 4)
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2]),
         helper.make_tensor_value_info("c", TensorProto.FLOAT16, None)],
        [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    put("onnx_signature", "matmul.onnx", model.SerializeToString())


def toml_seeds():
    put("toml_thresholds", "check.toml", (
        "atol = 1e-4\nrtol = 1e-3\nmax_misclassification_pct = 0.5\n"
        "max_accuracy_drop_pct = 0.2\nmax_latency_ratio = 1.5\nmax_size_ratio = 1.1\n"
        "[output.output]\natol = 1e-4\n[output.logits]\nrtol = 0.01\n"))
    put("toml_thresholds", "shares.toml", "max_misclassification = 0.01\nmax_accuracy_drop = 0\n")
    for preset in ("smoke", "quick", "paper"):
        src = REPO / "config" / "study" / f"{preset}.toml"
        put("toml_study", f"{preset}.toml", src.read_bytes())


def main():
    for d in CORPUS.glob("*"):
        for f in d.iterdir():
            if not f.name.startswith("crash-"):
                f.unlink()
    idx_seeds()
    mnist_seeds()
    cifar10_seeds()
    archive_seeds()
    imdb_seeds()
    npy_seeds()
    npz_seeds()
    polygraphy_json_seeds()
    protocol_seeds()
    manifest_seeds()
    vocabulary_seeds()
    tf_signatures_seeds()
    onnx_signature_seeds()
    toml_seeds()
    total = sum(f.stat().st_size for f in CORPUS.rglob("*") if f.is_file())
    print(f"{CORPUS}: {sum(1 for f in CORPUS.rglob('*') if f.is_file())} files, {total} bytes")


if __name__ == "__main__":
    main()
