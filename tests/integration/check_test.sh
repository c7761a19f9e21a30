#!/usr/bin/env bash
# `convbench check` end to end: the zoo's faithful LeNet-5 conversions pass; deliberately broken
# ones (make_broken.py) fail with the right cause named; exit codes 0 / 1 / 2.
set -uo pipefail
bin=$1 models=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py="$root/.venv/bin/python"
source "$(dirname "$0")/expect.sh"
pt=$models/models/pytorch ks=$models/models/keras data=$models/data
b=$tmp/broken
if ! PYTHONPATH="$root/zoo:$root/tests/integration" "$py" "$root/tests/integration/make_broken.py" "$pt/model.onnx" "$b" >"$tmp/broken.log" 2>&1; then
  echo "FAIL make_broken.py:"; tail -20 "$tmp/broken.log"; exit 1
fi
PYTHONPATH="$root/tests/integration" "$py" -c "
import make_broken, onnx
onnx.save(make_broken.perturbed('$ks/model.onnx'), '$b/keras_perturbed.onnx')"
cb=("$bin/convbench" check --work-dir "$tmp/work")

# Pass (0), with variants as extra candidates that do not change the verdict.
check "faithful pytorch passes" 0 "convbench check: PASS" -- "${cb[@]}" --model-dir "$pt" --data-dir "$data" --json "$tmp/pass.json"
check "faithful keras passes, variants" 0 "fp16 variant: (PASS|FAIL).*model.fp16.onnx" -- "${cb[@]}" --model-dir "$ks" --data-dir "$data" --variants fp16,int8 --limit 128 --json "$tmp/variants.json"
if ! python3 -c "
import json; j=json.load(open('$tmp/variants.json'))
assert j['verdict']=='PASS' and j['exit_code']==0, j['verdict']
assert [c['label'] for c in j['candidates']]==['converted','fp16 variant','int8 variant']
assert all('error' not in c for c in j['candidates']), [c.get('error') for c in j['candidates']]
assert j['candidates'][0]['precision'] is None, j['candidates'][0]['precision']  # float32
assert j['candidates'][1]['precision'].startswith('fp16 ('), j['candidates'][1]['precision']
assert j['candidates'][2]['precision'].startswith('int8 quantised'), j['candidates'][2]['precision']
c=j['candidates'][0]; assert c['elementwise']['failed_elements']==0 and c['misclassification']==0
p=json.load(open('$tmp/pass.json')); assert p['inputs']['samples']==256 and p['original']['accuracy'] is not None
"; then echo "FAIL json content"; failures=$((failures + 1)); else echo "ok   json content"; fi

# Fail (1), each with its cause.
orig=(--model-dir "$pt" --data-dir "$data")
check "transposed layout" 1 "CAUSE: input layout mismatch: H/W transpose" -- "${cb[@]}" "$pt/model.pt" "$b/transposed.onnx" "${orig[@]}" --no-localise
check "NHWC input declared" 1 "CAUSE: input layout mismatch: NCHW->NHWC transpose" -- "${cb[@]}" "$pt/model.pt" "$b/nhwc.onnx" "${orig[@]}"
check "input normalisation" 1 "CAUSE: input preprocessing mismatch: inputs scaled x\*255" -- "${cb[@]}" "$pt/model.pt" "$b/norm.onnx" "${orig[@]}" --no-localise
check "logits vs softmax" 1 "CAUSE: output activation mismatch: the converted model outputs logits" -- "${cb[@]}" "$pt/model.pt" "$b/logits.onnx" "${orig[@]}" --no-localise
check "batch-dependent output" 1 "CAUSE: dynamic-axis problem: the converted model's outputs depend on the batch size" -- "${cb[@]}" "$pt/model.pt" "$b/batchdep.onnx" "${orig[@]}" --no-localise
check "batch fixed to 1" 1 "FAIL dynamic_batch.*fixed to 1" -- "${cb[@]}" "$pt/model.pt" "$b/fixed_batch.onnx" "${orig[@]}"
check "perturbed weights, localised (pytorch)" 1 "first diverging layer: net.conv2 " -- "${cb[@]}" "$pt/model.pt" "$b/perturbed.onnx" "${orig[@]}" --json "$tmp/perturbed.json"
check "perturbed weights, localised (keras)" 1 "first diverging layer: conv2 " -- "${cb[@]}" "$ks/saved_model" "$b/keras_perturbed.onnx" --model-dir "$ks" --data-dir "$data" --limit 64
if ! python3 -c "
import json; c=json.load(open('$tmp/perturbed.json'))['candidates'][0]
assert not any(f['confirmed'] for f in c['diagnosis']), c['diagnosis']  # no false cause
l=c['localisation']; assert l['first_divergent']=='net.conv2' and l['unmatched']==[], l
assert [x['failed_elements'] for x in l['layers'][:3]]==[0,0,0], l['layers'][:3]  # conv1..pool1 agree
"; then echo "FAIL perturbed json"; failures=$((failures + 1)); else echo "ok   perturbed json"; fi
gru=(--generate 12 --range 0,50 --integer --count 200)
check "faithful GRU passes" 0 "convbench check: PASS" -- "${cb[@]}" "$b/gru.pt" "$b/gru.onnx" "${gru[@]}"
check "GRU linear_before_reset" 1 "CAUSE: GRU linear_before_reset convention mismatch" -- "${cb[@]}" "$b/gru.pt" "$b/gru_flipped.onnx" "${gru[@]}"
check "latency/size limits" 1 "FAIL size_ratio" -- "${cb[@]}" --model-dir "$pt" --data-dir "$data" --max-size-ratio 0.01 --max-latency-ratio 1000

# Thresholds from a config file; user inputs from an .npz with labels.
printf 'atol = 1.0\nmax_misclassification_pct = 1\n' >"$tmp/loose.toml"
check "config file loosens atol" 0 "convbench check: PASS" -- "${cb[@]}" "$pt/model.pt" "$b/logits.onnx" "${orig[@]}" --config "$tmp/loose.toml"
"$py" -c "
import numpy as np; r=np.random.default_rng(1)
np.savez('$tmp/in.npz', x=r.random((50,1,28,28), dtype=np.float32), y=r.integers(0,10,50))"
check "npz inputs with labels" 0 "inputs: 50 samples .*original accuracy" -- "${cb[@]}" "$pt/model.pt" "$pt/model.onnx" --inputs "$tmp/in.npz" --max-accuracy-drop 0.5

# Usage / infrastructure errors (2).
check "missing converted model" 2 "$tmp/none.onnx: no such model" -- "${cb[@]}" "$pt/model.pt" "$tmp/none.onnx" --generate 1,28,28
printf 'atoll = 1\n' >"$tmp/bad.toml"
check "unknown config key" 2 "bad.toml: unknown key 'atoll'" -- "${cb[@]}" "$pt/model.pt" "$pt/model.onnx" --generate 1,28,28 --config "$tmp/bad.toml"
head -c 2000 "$pt/model.onnx" >"$tmp/trunc.onnx"
check "corrupt converted model" 2 "onnxruntime worker failed while loading" -- "${cb[@]}" "$pt/model.pt" "$tmp/trunc.onnx" --generate 1,28,28
check "no input source" 2 "exactly one input source" -- "${cb[@]}" "$pt/model.pt" "$pt/model.onnx"
echo "check: $failures failed"
exit $((failures > 0))
