"""The baseline of bench/resnet50/run.sh: the comparison `convbench check` makes, written as a
short Python script (TorchScript + onnxruntime + numpy in one process): both models over the same
inputs in batches, Polygraphy's elementwise rule, argmax disagreement.

usage: python_check.py ORIGINAL.pt CONVERTED.onnx INPUTS.npz BATCH THREADS
"""
import sys
import time

import numpy as np
import onnxruntime as ort
import torch

original, converted, inputs, batch, threads = sys.argv[1:6]
batch, threads = int(batch), int(threads)
t0 = time.perf_counter()
torch.set_num_threads(threads)
x = np.load(inputs)["x"]
so = ort.SessionOptions()
so.intra_op_num_threads = threads
sess = ort.InferenceSession(converted, so, providers=["CPUExecutionProvider"])
model = torch.jit.load(original).eval()


def run_all(f):
    f(x[:batch])  # one untimed warm-up batch, as check --warmup 1
    return np.concatenate([f(x[i:i + batch]) for i in range(0, len(x), batch)])


with torch.no_grad():
    o = run_all(lambda b: model(torch.from_numpy(b)).numpy())
name = sess.get_inputs()[0].name
c = run_all(lambda b: sess.run(None, {name: b})[0])
d = np.abs(c.astype(np.float64) - o)
rel = d / np.maximum(np.abs(o), 1e-6)
failed = int(((d > 1e-4) & (rel > 1e-3)).sum())  # check --atol 1e-4 (deep nets: float32 order effects)
mis = float((o.argmax(1) != c.argmax(1)).mean())
print(f"{'PASS' if failed == 0 and mis <= 0.01 else 'FAIL'}: max abs {d.max():.3g}, max rel "
      f"{rel.max():.3g}, {failed} failing elements, argmax disagreement {100 * mis:.2f}%, "
      f"{time.perf_counter() - t0:.2f} s")
