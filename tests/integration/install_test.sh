#!/usr/bin/env bash
# `cmake --install` gives a tree that works from any directory, without the checkout: the CLI,
# its workers (libexec/convbench), ONNX Runtime (lib/), config and the zoo's Python helpers
# (share/convbench), with the Python environment named by CONVBENCH_PYTHON.
set -uo pipefail
build=$(cd "$1" && pwd) models=$(cd "$2" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/expect.sh"
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log" 2>&1 ||
  { echo "FAIL cmake --install"; tail "$tmp/install.log"; exit 1; }
mkdir -p "$tmp/elsewhere"
cd "$tmp/elsewhere"
cb=("$tmp/prefix/bin/convbench")
pt=$models/models/pytorch
export CONVBENCH_PYTHON=$root/.venv/bin/python
check "installed: workers found in libexec" 0 "onnxruntime +$tmp/prefix/libexec/convbench/convbench-worker-onnxruntime" -- "${cb[@]}" runtimes
check "installed: check passes from another directory" 0 "convbench check: PASS" -- \
  "${cb[@]}" check "$pt/model.pt" "$pt/model.onnx" --dataset mnist --data-dir "$models/data" --limit 64
check "installed: the zoo's ONNX tools run (fp16 variant)" 0 "fp16 variant: PASS" -- \
  "${cb[@]}" check "$pt/model.pt" "$pt/model.onnx" --dataset mnist --data-dir "$models/data" --limit 64 --variants fp16 --work-dir "$tmp/work"
check "installed: no Python named, a clear error" 2 "set CONVBENCH_PYTHON" -- \
  env -u CONVBENCH_PYTHON "${cb[@]}" check "$pt/model.pt" "$pt/model.onnx" --dataset mnist --data-dir "$models/data" --limit 64 --variants fp16 --work-dir "$tmp/work2"
ls "$tmp/elsewhere" | grep -q . && { echo "FAIL files written into the working directory: $(ls "$tmp/elsewhere")"; failures=$((failures + 1)); }
echo "install: $failures failed"
exit $((failures > 0))
