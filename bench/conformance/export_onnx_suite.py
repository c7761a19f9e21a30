"""Exports the ONNX backend test suite shipped in the onnx wheel (node, pytorch-converted,
pytorch-operator, simple; `light` has no test data) as .npy files for convbench-onnx-conformance,
and runs every case through the onnxruntime Python package (1 thread) so that the C++ worker can
be compared with it bit for bit.

    OUT/<kind>/<case>/in_<i>.npy, ref_<i>.npy, py_<i>.npy     (data set 0)
    OUT/index.json  [{case, kind, model, rtol, atol, inputs: [{name, file}],
                      outputs: [{name, ref, py}], skip: why | null, py_error: text | null}]

A case whose tensors convbench does not carry (strings, bfloat16, sequences, optionals) is listed
with `skip` and its reason. usage: python export_onnx_suite.py --out DIR [--cases a,b,...]
"""
import argparse
import glob
import json
import os
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from onnx.backend.test.loader import load_model_tests

CARRIED = {np.dtype(t) for t in ("float32", "float16", "float64", "int64", "int32", "int16", "int8",
                                  "uint8", "uint16", "uint32", "uint64", "bool")}


def c_order(x):
    # np.ascontiguousarray would turn a 0-d array into shape (1,).
    return x if x.flags.c_contiguous else np.ascontiguousarray(x)


def read_pb(path: str):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    a = p.parse_args()
    import onnxruntime as ort
    out = Path(a.out)
    want = set(filter(None, a.cases.split(",")))
    index = []
    for kind in ("node", "pytorch-converted", "pytorch-operator", "simple"):
        for t in load_model_tests(kind=kind):
            if want and t.name not in want:
                continue
            model = os.path.join(t.model_dir, "model.onnx")
            sets = sorted(glob.glob(os.path.join(t.model_dir, "test_data_set_*")))
            rec = {"case": t.name, "kind": kind, "model": model, "rtol": t.rtol, "atol": t.atol,
                   "inputs": [], "outputs": [], "skip": None, "py_error": None}
            index.append(rec)
            if not sets or not os.path.exists(model):
                rec["skip"] = "no model.onnx or test data set"
                continue
            try:
                m = onnx.load(model, load_external_data=False)
                inits = {i.name for i in m.graph.initializer}
                in_names = [i.name for i in m.graph.input if i.name not in inits]
                out_names = [o.name for o in m.graph.output]
                ins = [read_pb(f) for f in sorted(glob.glob(os.path.join(sets[0], "input_*.pb")),
                                                  key=lambda s: int(s.rsplit("_", 1)[1][:-3]))]
                refs = [read_pb(f) for f in sorted(glob.glob(os.path.join(sets[0], "output_*.pb")),
                                                   key=lambda s: int(s.rsplit("_", 1)[1][:-3]))]
            except Exception as e:  # sequences / optionals are not TensorProto files
                rec["skip"] = f"not plain tensors: {type(e).__name__}: {e}"[:300]
                continue
            if len(ins) != len(in_names) or len(refs) != len(out_names):
                rec["skip"] = f"{len(ins)} input files for {len(in_names)} inputs (optional inputs)"
                continue
            bad = [str(x.dtype) for x in ins + refs if x.dtype not in CARRIED]
            if bad:
                rec["skip"] = f"dtype {bad[0]} is not carried"
                continue
            d = out / kind / t.name
            d.mkdir(parents=True, exist_ok=True)
            for i, (n, x) in enumerate(zip(in_names, ins)):
                np.save(d / f"in_{i}.npy", c_order(x))
                rec["inputs"].append({"name": n, "file": f"{kind}/{t.name}/in_{i}.npy"})
            py = None
            try:
                so = ort.SessionOptions()
                so.intra_op_num_threads = 1
                so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                s = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
                py = s.run(out_names, dict(zip(in_names, ins)))
            except Exception as e:
                rec["py_error"] = f"{type(e).__name__}: {e}"[:300]
            for i, (n, r) in enumerate(zip(out_names, refs)):
                np.save(d / f"ref_{i}.npy", c_order(r))
                o = {"name": n, "ref": f"{kind}/{t.name}/ref_{i}.npy", "py": None}
                if py is not None and not isinstance(py[i], (list, dict)):
                    py[i] = np.asarray(py[i])  # a 0-d result may come back as a NumPy scalar
                if py is not None and isinstance(py[i], np.ndarray) and py[i].dtype in CARRIED:
                    np.save(d / f"py_{i}.npy", c_order(py[i]))
                    o["py"] = f"{kind}/{t.name}/py_{i}.npy"
                rec["outputs"].append(o)
    (out / "index.json").write_text(json.dumps(index, indent=1))
    print(f"{len(index)} cases, {sum(r['skip'] is None for r in index)} exported", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
