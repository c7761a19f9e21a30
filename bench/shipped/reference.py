"""Reference outputs of each case's ORIGINAL (TorchScript, in Python torch) for the Polygraphy
side of bench/shipped/run.sh: Polygraphy cannot run TorchScript, so its comparison is the
converted ONNX against these.

    python bench/shipped/reference.py CORPUS OUT

For every case in CORPUS/index.json: torch.jit.load(original.pt), one forward over all of
inputs.npz (one batch, as `convbench check` runs it: its batch 100 holds the 16..32 samples),
1 thread, inference mode; the result flattened as convbench's LibTorch worker does (a tensor;
tuple/list elements in order; dict values in key order) and written to OUT/<case>/reference.npz
as out_0, out_1, ... with OUT/<case>/reference.json naming them ("out", "out.0", "out.out").
"""
import json
import sys
from pathlib import Path

import numpy as np
import torch


def flatten(v, name, out):
    if isinstance(v, torch.Tensor):
        out.append((name, v.detach().contiguous().numpy()))
    elif isinstance(v, (tuple, list)):
        for i, e in enumerate(v):
            flatten(e, f"{name}.{i}", out)
    elif isinstance(v, dict):
        for k, e in v.items():
            flatten(e, f"{name}.{k}", out)
    elif v is not None:
        raise TypeError(f"{name}: {type(v).__name__} is not a tensor, tuple, list or dict")


def main():
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    torch.set_num_threads(1)
    for c in json.loads((corpus / "index.json").read_text()):
        m = torch.jit.load(str(corpus / c["original"]), map_location="cpu")
        m.eval()  # as the worker does (a graph traced in training mode keeps its BatchNorm mode)
        feed = np.load(corpus / c["inputs"])
        args = [a.name for a in m.forward.schema.arguments[1:]]
        names = [n for n in feed.files if n not in ("labels", "label", "y")]
        # By name when every forward() argument has an array, else by position (one input).
        order = args if all(a in names for a in args) else names
        with torch.inference_mode():
            res = m(*[torch.from_numpy(feed[n]) for n in order])
        flat = []
        flatten(res, "out", flat)
        d = out / c["case"]
        d.mkdir(parents=True, exist_ok=True)
        np.savez(d / "reference.npz", **{f"out_{i}": a for i, (_, a) in enumerate(flat)})
        (d / "reference.json").write_text(json.dumps([n for n, _ in flat]) + "\n")
        print(f"{c['case']}: {', '.join(f'{n} {a.dtype} {list(a.shape)}' for n, a in flat)}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
