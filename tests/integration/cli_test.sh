#!/usr/bin/env bash
# The CLI's contract: exit codes, messages naming the bad file, and the JSON it writes.
set -uo pipefail
bin=$1 models=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/expect.sh"

check "no subcommand" 2 "subcommand" -- "$bin/convbench"
check "missing model dir" 2 "$tmp/none/manifest.json" -- "$bin/convbench" eval --model-dir "$tmp/none" --data-dir "$models/data"
mkdir -p "$tmp/trunc"
cp "$models"/data/* "$tmp/trunc/"
head -c 3000 "$models/data/t10k-images-idx3-ubyte.gz" > "$tmp/trunc/t10k-images-idx3-ubyte.gz"
check "truncated data" 2 "t10k-images-idx3-ubyte.gz.*truncated" -- "$bin/convbench" eval --model-dir "$models/models/pytorch" --data-dir "$tmp/trunc"
check "eval writes json" 0 "results: $tmp/r.json" -- "$bin/convbench" eval --model-dir "$models/models/pytorch" --data-dir "$models/data" --limit 64 --batch-size 16 --json "$tmp/r.json"
if ! python3 -c "
import json,sys; j=json.load(open('$tmp/r.json'))
a={x['role']:x for x in j['artefacts']}
assert j['samples']==64 and a['original']['status']=='ok' and a['onnx']['status']=='ok', j
assert a['onnx']['fidelity']['max_abs_element'] < 1e-5
assert a['coreml']['status'] in ('not_runnable','conversion_failed')
"; then echo "FAIL json content"; failures=$((failures + 1)); else echo "ok   json content"; fi
check "fetch without mirror offline" 2 "could not fetch|mirror" -- "$bin/convbench" data fetch mnist --out "$tmp/dl" --no-download
check "runtimes" 0 "coreml.*not runnable" -- "$bin/convbench" runtimes
echo "cli: $failures failed"
exit $((failures > 0))
