#!/usr/bin/env bash
# The ONNX backend test suite (in the onnx wheel of the venv) through convbench's ONNX workers.
#   bash bench/conformance/run.sh [--subset] [OUT_DIR]
# --subset: the fixed, representative cases the ctest `onnx_conformance` runs (several dtypes,
# several inputs and outputs, 0-d and dynamic shapes, RNNs); ONNX Runtime must pass each and be
# byte-identical to the onnxruntime Python package. Without it: every case, both workers, the
# table for docs/RESULTS.md (OUT_DIR/table.md lists every failure).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
subset=0
[[ ${1:-} == --subset ]] && { subset=1; shift; }
out=${1:-$root/build/onnx-conformance}
cases=test_add,test_gather_0,test_cast_FLOAT_to_FLOAT16,test_cast_FLOAT16_to_DOUBLE,\
test_argmax_default_axis_example,test_equal,test_top_k,test_split_equal_parts_1d_opset13,test_size,\
test_shape,test_lstm_defaults,test_gru_defaults,test_conv_with_strides_padding,\
test_batchnorm_epsilon,test_softmax_axis_0,test_where_example,test_einsum_batch_matmul,\
test_reshape_reordered_all_dims,test_expand_dim_changed,test_cumsum_1d,test_mod_mixed_sign_int8,\
test_bitshift_right_uint8,test_resize_downsample_scales_linear,test_mul_uint8,test_and2d
rm -rf "$out"
mkdir -p "$out"
args=(--out "$out")
((subset)) && args+=(--cases "$cases")
"$root/.venv/bin/python" "$root/bench/conformance/export_onnx_suite.py" "${args[@]}" 2>"$out/export.log"
if ((subset)); then
  # Worker stderr (ORT's opset warnings) goes to a log, not the test output.
  "$root/build/bin/convbench-onnx-conformance" --index "$out/index.json" --runtimes onnxruntime \
    --markdown "$out/table.md" --require-pass 2>"$out/workers.log"
  n=$(grep -c '"case"' "$out/index.json")
  [[ $n -eq 25 ]] || { echo "expected 25 subset cases, found $n"; exit 1; }
else
  "$root/build/bin/convbench-onnx-conformance" --index "$out/index.json" --markdown "$out/table.md" \
    2>"$out/workers.log"
fi
