#!/usr/bin/env bash
# `convbench check` on Keras Applications models (tests/shipped/make_keras.py: weights=None,
# SavedModel originals, tf2onnx conversions): ResNet50 passes; with one conv's weights perturbed it
# fails and localisation names that layer; an untrained MobileNet whose softmax gives every input
# the same 0.1s passes, with a warning that the check cannot tell anything apart.
set -uo pipefail
bin=$1 work=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$(dirname "$0")/expect.sh"
if [[ ! -f $work/.done ]]; then
  rm -rf "$work"
  "$root/.venv/bin/python" "$root/tests/shipped/make_keras.py" --out "$work" > "$work.log" 2>&1 ||
    { echo "FAIL make_keras.py:"; tail -20 "$work.log"; exit 1; }
  touch "$work/.done"
fi
cb=("$bin/convbench" check --threads 2)
r=$work/resnet50 m=$work/mobilenet
check "Keras ResNet50 -> tf2onnx: PASS" 0 "convbench check: PASS" -- \
  "${cb[@]}" "$r/original" "$r/converted.onnx" --inputs "$r/inputs.npz" --work-dir "$work/w1"
check "Keras ResNet50, one conv perturbed: localised" 1 "first diverging layer: conv3_block1_1_conv \(Conv2D; ONNX node .*conv3_block1_1_conv" -- \
  "${cb[@]}" "$r/original" "$r/perturbed.onnx" --inputs "$r/inputs.npz" --work-dir "$work/w2"
check "untrained MobileNet, constant outputs: a warning" 0 "warning: the original's output 'predictions' is the same for all 16 samples" -- \
  "${cb[@]}" "$m/original" "$m/converted.onnx" --inputs "$m/inputs.npz" --work-dir "$work/w3"
echo "check keras: $failures failed"
exit $((failures > 0))
