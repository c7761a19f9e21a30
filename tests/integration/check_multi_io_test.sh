#!/usr/bin/env bash
# `convbench check` on models with several inputs and outputs (tests/conformance/make_models.py):
# inputs generated for every declared input from the model's signature (int64 ids with their
# ranges), every output compared; broken conversions (outputs swapped, one output scaled) FAIL;
# bad --shape / --range names are usage errors (exit 2).
set -uo pipefail
bin=$1 models=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/expect.sh"
"$root/.venv/bin/python" - "$models" "$tmp" <<'PY'
import sys, onnx
from onnx import helper, numpy_helper
import numpy as np
models, tmp = sys.argv[1], sys.argv[2]
m = onnx.load(f"{models}/encoder/model.onnx")           # outputs o0 (logits), o1 (hidden states)
outs = list(m.graph.output)
del m.graph.output[:]
m.graph.output.extend([outs[1], outs[0]])               # the exporter listed them the other way
onnx.save(m, f"{tmp}/encoder_swapped.onnx")
m = onnx.load(f"{models}/two_outputs/model.onnx")        # o1 (per-sample score) scaled by 1.5
o1 = m.graph.output[1].name
for n in m.graph.node:
    n.output[:] = [x + "_raw" if x == o1 else x for x in n.output]
m.graph.initializer.append(numpy_helper.from_array(np.array(1.5, np.float32), "k"))
m.graph.node.append(helper.make_node("Mul", [o1 + "_raw", "k"], [o1]))
onnx.save(m, f"{tmp}/two_outputs_scaled.onnx")
# Vacuous tolerance: outputs ~1e-13 pass atol 1e-5 whatever the error; the 10% wrong one must not.
for name, k in (("tiny", 1e-12), ("tiny_wrong", 1.1e-12)):
    m = onnx.load(f"{models}/two_outputs/model.onnx")
    for o in m.graph.output:
        for n in m.graph.node:
            n.output[:] = [x + "_big" if x == o.name else x for x in n.output]
        m.graph.node.append(helper.make_node("Mul", [o.name + "_big", "k"], [o.name]))
    m.graph.initializer.append(numpy_helper.from_array(np.array(k, np.float32), "k"))
    onnx.save(m, f"{tmp}/{name}.onnx")
PY
cb=("$bin/convbench" check --work-dir "$tmp/work" --threads 1)
enc=(--generate auto --count 64 --range input_ids:0,30 --range token_type_ids:0,2 --range attention_mask:1,2)
check "BERT-style encoder, 3 int64 inputs, 2 outputs: PASS" 0 "2 outputs compared, matched by position" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" "${enc[@]}"
check "encoder: every input generated with its dtype" 0 "fed: input_ids: int64 \[64, 5\]; attention_mask: int64 \[64, 5\]; token_type_ids: int64 \[64, 5\]" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" "${enc[@]}"
# The user's own named arrays: an .npz named after the inputs, a folder of .npz batches, and
# Polygraphy's inputs JSON as polygraphy.json.save_json writes it; a mismatch is refused.
"$root/.venv/bin/python" - "$tmp" <<'PY'
import os, sys
sys.modules["torch"] = None  # Debian's torch says "1.13.0a0": Polygraphy's version check trips on it
import numpy as np
from polygraphy.json import save_json
tmp = sys.argv[1]
rng = np.random.default_rng(0)
def feed(n):
    return {"input_ids": rng.integers(0, 30, (n, 5), dtype=np.int64),
            "attention_mask": np.ones((n, 5), np.int64),
            "token_type_ids": rng.integers(0, 2, (n, 5), dtype=np.int64)}
np.savez(f"{tmp}/enc.npz", **feed(32))
os.makedirs(f"{tmp}/enc_batches")
for b in range(3):
    np.savez(f"{tmp}/enc_batches/batch_{b:03d}.npz", **feed(8))
save_json([feed(4) for _ in range(5)], f"{tmp}/enc_polygraphy.json")
f = feed(8)
np.savez(f"{tmp}/enc_misnamed.npz", ids=f["input_ids"], attention_mask=f["attention_mask"],
         token_type_ids=f["token_type_ids"])
PY
check "encoder, inputs from an .npz named after them: PASS" 0 "convbench check: PASS" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" --inputs "$tmp/enc.npz"
check "encoder, a folder of .npz batches: 24 samples" 0 "fed: input_ids: int64 \[24, 5\]" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" --inputs "$tmp/enc_batches"
check "encoder, Polygraphy's inputs JSON: PASS" 0 "fed: input_ids: int64 \[20, 5\]" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" --inputs "$tmp/enc_polygraphy.json"
check "an .npz whose arrays match no input: refused, named" 2 "enc_misnamed.npz: its arrays \(attention_mask, ids, token_type_ids\) do not match the inputs of .*no array for input_ids; no input named ids" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" --inputs "$tmp/enc_misnamed.npz"
check "encoder with its outputs swapped: FAIL" 1 "FAIL elementwise:out.0: .*output shapes differ" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$tmp/encoder_swapped.onnx" "${enc[@]}"
check "encoder with its outputs swapped: the swap is named" 1 "once reordered: original output 0 'out.0' is the converted model's output 1" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$tmp/encoder_swapped.onnx" "${enc[@]}"
check "token classifier on int64 ids: PASS" 0 "convbench check: PASS" -- \
  "${cb[@]}" "$models/token_classifier/model.pt" "$models/token_classifier/model.onnx" --generate auto --range input_ids:0,50
check "tuple outputs: PASS" 0 "ok   elementwise:out.1" -- \
  "${cb[@]}" "$models/two_outputs/model.pt" "$models/two_outputs/model.onnx" --generate auto
check "one output scaled: FAIL on that output only" 1 "FAIL elementwise:out.1" -- \
  "${cb[@]}" "$models/two_outputs/model.pt" "$tmp/two_outputs_scaled.onnx" --generate auto
check "outputs far below atol: judged on their own scale, FAIL" 1 "FAIL elementwise:o0: .*vacuous tolerance: the original's outputs are at most .* far below atol=1e-05" -- \
  "${cb[@]}" "$tmp/tiny.onnx" "$tmp/tiny_wrong.onnx" --generate auto
check "outputs far below atol, same model: PASS" 0 "convbench check: PASS" -- \
  "${cb[@]}" "$tmp/tiny.onnx" "$tmp/tiny.onnx" --generate auto
check "two inputs (image + side): PASS" 0 "convbench check: PASS" -- \
  "${cb[@]}" "$models/two_inputs/model.pt" "$models/two_inputs/model.onnx" --generate auto
check "dict output, segmentation-style: PASS" 0 "convbench check: PASS" -- \
  "${cb[@]}" "$models/dict_output/model.pt" "$models/dict_output/model.onnx" --generate auto
check "--range for an input the model lacks" 2 "--range input_idz: the model has no such input \(its inputs: input_ids, attention_mask, token_type_ids\)" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" --generate auto --range input_idz:0,30
check "--range that is not a number" 2 "--range: 'x' is not a finite number" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" --generate auto --range input_ids:0,x
check "one array for a three-input model" 2 "takes 3 inputs; .* gives one array: use --generate auto" -- \
  "${cb[@]}" "$models/encoder/model.pt" "$models/encoder/model.onnx" --generate 5 --integer
"$root/.venv/bin/python" -c "
import numpy as np; x = np.zeros((4, 5), np.float32); x[2, 1] = np.nan; np.save('$tmp/nan.npy', x)"
check "NaN in the inputs is named as the input's, not the model's" 2 "nan.npy: input 'x' holds NaN/Inf \(first at sample 2\)" -- \
  "${cb[@]}" "$models/two_outputs/model.pt" "$models/two_outputs/model.onnx" --inputs "$tmp/nan.npy"
echo "$failures failure(s)"
[[ $failures -eq 0 ]]
