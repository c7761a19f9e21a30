#!/usr/bin/env bash
# Issue #11's reproductions, each now a clear error (exit 2, on stderr, naming the file or flag)
# or the right behaviour: no crash, no silent default, no result that was not measured, and
# reading never modifies.
set -uo pipefail
bin=$1 models=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
py="$root/.venv/bin/python"
source "$(dirname "$0")/expect.sh"
cb=$bin/convbench pt=$models/models/pytorch data=$models/data
M=("$pt/model.pt" "$pt/model.onnx")

# --- Crashes before: headers whose sizes overflow, 0-d arrays, absurd counts.
mkdir -p "$tmp/idx"
cp "$data"/*labels* "$data"/train-images* "$tmp/idx/"
"$py" - "$tmp" <<'PY'
import gzip, struct, sys, numpy as np
t = sys.argv[1]
# [4, 2^31, 2^31] unsigned bytes, no data: the product wraps to 0 in 64 bits.
open(f"{t}/idx/t10k-images-idx3-ubyte", "wb").write(b"\0\0\x08\x03" + struct.pack(">III", 4, 2**31, 2**31))
np.save(f"{t}/zero_d.npy", np.float32(1))
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"
h += " " * (118 - len(h)) + "\n"
open(f"{t}/overflow.npy", "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
np.save(f"{t}/nan.npy", np.full((4, 1, 28, 28), np.nan, np.float32))
PY
rm -f "$tmp/idx/t10k-images-idx3-ubyte.gz"
check_err "idx overflow: check" 2 "t10k-images-idx3-ubyte" -- "$cb" check "${M[@]}" --dataset mnist --data-dir "$tmp/idx"
check_err "idx overflow: eval" 2 "t10k-images-idx3-ubyte" -- "$cb" eval --model-dir "$pt" --data-dir "$tmp/idx" --limit 8
check_err "idx overflow: data prepare" 2 "t10k-images-idx3-ubyte" -- "$cb" data prepare mnist --data-dir "$tmp/idx" --out "$tmp/idx-npy"
check_err "0-d npy" 2 "zero_d.npy.*0-d" -- "$cb" check "${M[@]}" --inputs "$tmp/zero_d.npy"
check_err "npy shape overflow" 2 "overflow.npy: .*(overflows|bad dimension)" -- "$cb" check "${M[@]}" --inputs "$tmp/overflow.npy"
check_err "absurd --count" 2 "--count 4611686018427387904" -- "$cb" check "${M[@]}" --generate 1,16,16 --count 4611686018427387904
check_err "NaN inputs named as inputs" 2 "nan.npy.*(NaN|non-finite)" -- "$cb" check "${M[@]}" --inputs "$tmp/nan.npy"

# --- Silent defaults before: every numeric flag is validated.
for flag in "--atol nan" "--atol -1" "--rtol nan" "--max-misclassification -1" \
  "--max-accuracy-drop nan" "--max-latency-ratio -1" "--max-size-ratio inf" "--timeout 0"; do
  check_err "check $flag" 2 "${flag%% *}" -- "$cb" check "${M[@]}" --generate 1,28,28 --count 4 $flag
done
check_err "check --layout typo" 2 "--layout" -- "$cb" check --model-dir "$pt" --data-dir "$data" --layout NCWH
check_err "check --dataset typo" 2 "--dataset" -- "$cb" check --model-dir "$pt" --data-dir "$data" --dataset mnsit
check_err "check --seed -1" 2 "--seed" -- "$cb" check "${M[@]}" --generate 1,28,28 --seed -1
check_err "check --conversion typo" 2 "no 'onxx' artefact" -- "$cb" check --model-dir "$pt" --data-dir "$data" --conversion onxx
check_err "eval --runtimes typo" 2 "--runtimes" -- "$cb" eval --model-dir "$pt" --data-dir "$data" --runtimes onnxruntme
# A filter that leaves an artefact no runtime says so; it is not an empty "ok" row.
check "eval: artefact outside --runtimes is not_run" 0 "original \[not_run\]: not run: its runtimes \(torch\)" -- "$cb" eval --model-dir "$pt" --data-dir "$data" --limit 16 --runtimes opencv
check_err "eval --timeout nan" 2 "--timeout" -- "$cb" eval --model-dir "$pt" --data-dir "$data" --timeout nan
printf 'atol = nan\n' > "$tmp/nan.toml"
check_err "thresholds atol = nan" 2 "nan.toml.*'atol' must be a finite number" -- "$cb" check "${M[@]}" --generate 1,28,28 --count 4 --config "$tmp/nan.toml"
printf '[output.out]\natoll = 1e-3\n' > "$tmp/key.toml"
check_err "thresholds unknown output key" 2 "key.toml.*unknown key 'output.out.atoll'" -- "$cb" check "${M[@]}" --generate 1,28,28 --count 4 --config "$tmp/key.toml"

printf '[output.nope]\natol = 1e-3\n' > "$tmp/out.toml"
check_err "thresholds for an output the model lacks" 2 "out.toml: \\[output.nope\\]: .* has no output 'nope' \\(its outputs: output\\)" -- "$cb" check "${M[@]}" --generate 1,28,28 --count 4 --config "$tmp/out.toml"

# --- Writes that silently did not happen: a directory in the way, a file as parent, read-only.
mkdir -p "$tmp/isdir.json"
check_err "--json onto a directory" 2 "isdir.json.*is a directory" -- "$cb" check "${M[@]}" --generate 1,28,28 --count 4 --json "$tmp/isdir.json"
touch "$tmp/afile"
check_err "--json under a file" 2 "afile/x.json" -- "$cb" eval --model-dir "$pt" --data-dir "$data" --limit 16 --json "$tmp/afile/x.json"
if [[ $(id -u) -ne 0 ]]; then
  mkdir -p "$tmp/ro" && chmod a-w "$tmp/ro"
  check_err "--json into a read-only directory" 2 "ro/v.json.*(Permission denied|cannot)" -- "$cb" check "${M[@]}" --generate 1,28,28 --count 4 --json "$tmp/ro/v.json"
else  # root may write anywhere permissions allow: /proc takes no new files from anyone
  check_err "--json into a read-only directory" 2 "/proc/convbench-v.json: cannot write" -- "$cb" check "${M[@]}" --generate 1,28,28 --count 4 --json /proc/convbench-v.json
fi

# --- Study configs: wrong types, typos, bad ranges and unknown names fail before anything runs.
study_refuses() {
  local name=$1 pattern=$2 text=$3
  printf '%s\n' "$text" > "$tmp/s.toml"
  check_err "study: $name" 2 "s.toml.*$pattern" -- "$cb" study --config "$tmp/s.toml" --out "$tmp/study-$RANDOM" --data-dir "$tmp/none" --no-fetch
}
study_refuses 'epochs = "1"' "'models.lenet5.epochs' must be an integer" $'[models.lenet5]\nepochs = "1"'
study_refuses 'epochs = 1.5' "'models.lenet5.epochs' must be an integer" $'[models.lenet5]\nepochs = 1.5'
study_refuses 'replicates = "2"' "'replicates' must be an integer" $'replicates = "2"\n[models.lenet5]'
study_refuses 'train_subsett' "unknown key 'models.lenet5.train_subsett'" $'[models.lenet5]\ntrain_subsett = 256'
study_refuses 'replcates' "unknown key 'replcates'" $'replcates = 3\n[models.lenet5]'
study_refuses 'batch_size = 0' "'eval.batch_size' must be in" $'[eval]\nbatch_size = 0\n[models.lenet5]'
study_refuses 'batch_size = -64' "'eval.batch_size' must be in" $'[eval]\nbatch_size = -64\n[models.lenet5]'
study_refuses 'runtimes = ["onnxruntme"]' "unknown runtime 'onnxruntme'" $'[eval]\nruntimes = ["onnxruntme"]\n[models.lenet5]'
ls -d "$tmp"/study-* >/dev/null 2>&1 && { echo "FAIL a refused study created its output directory"; failures=$((failures + 1)); }

# --- data prepare: test images of another size (MNIST format, header 14x56; train stays 28x28) than the dataset's are refused, not mislabelled.
"$py" - "$tmp" "$data" <<'PY'
import gzip, struct, sys, numpy as np
t, data = sys.argv[1], sys.argv[2]
n = 16
img = np.random.default_rng(0).integers(0, 256, (n, 14, 56), dtype=np.uint8)
with gzip.open(f"{t}/idx/t10k-images-idx3-ubyte.gz", "wb") as f:
    f.write(b"\0\0\x08\x03" + struct.pack(">III", n, 14, 56) + img.tobytes())
with gzip.open(f"{t}/idx/t10k-labels-idx1-ubyte.gz", "wb") as f:
    f.write(b"\0\0\x08\x01" + struct.pack(">I", n) + bytes(i % 10 for i in range(n)))
PY
rm -f "$tmp/idx/t10k-images-idx3-ubyte"
check_err "data prepare 14x56 images" 2 "test split's images are 1x14x56.*mnist images are 1x28x28" -- "$cb" data prepare mnist --data-dir "$tmp/idx" --out "$tmp/idx-npy"

# --- tables/report: refuse what is not a convbench store, and never modify what they read.
: > "$tmp/empty.sqlite"
python3 -c "import sqlite3; c=sqlite3.connect('$tmp/foreign.sqlite'); c.execute('create table t(x)'); c.commit()"
for f in empty foreign; do
  sum=$(sha256sum "$tmp/$f.sqlite")
  check_err "tables on $f file" 2 "$f.sqlite.*not a convbench results store" -- "$cb" tables --store "$tmp/$f.sqlite" --out "$tmp/t-$f"
  check_err "report on $f file" 2 "$f.sqlite.*not a convbench results store" -- "$cb" report --store "$tmp/$f.sqlite" --out "$tmp/r-$f" --no-figures --no-paper
  [[ $(sha256sum "$tmp/$f.sqlite") == "$sum" ]] || { echo "FAIL $f.sqlite was modified"; failures=$((failures + 1)); }
done
# An old-schema store (no dataset/modality columns, no schema version) is read, not migrated.
"$bin/make_report_store" "$tmp/old.sqlite" "$tmp/paper.csv" >/dev/null
python3 - "$tmp/old.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA journal_mode=DELETE")
c.execute("DELETE FROM meta WHERE key = 'schema_version'")
for col in ("dataset", "modality", "config_hash"):
    c.execute(f"ALTER TABLE cells DROP COLUMN {col}")
c.commit()
PY
sum=$(sha256sum "$tmp/old.sqlite")
check "tables on an old store" 0 "tables.md" -- "$cb" tables --store "$tmp/old.sqlite" --out "$tmp/t-old"
mkdir -p "$tmp/t-dir/tables.md"
check_err "tables --out where tables.md is a directory" 2 "tables.md.*is a directory" -- "$cb" tables --store "$tmp/old.sqlite" --out "$tmp/t-dir"
[[ $(sha256sum "$tmp/old.sqlite") == "$sum" ]] || { echo "FAIL the old store was modified by reading it"; failures=$((failures + 1)); }
ls "$tmp"/old.sqlite-* >/dev/null 2>&1 && { echo "FAIL reading left journal files beside the store"; failures=$((failures + 1)); }

echo "hostile input: $failures failed"
exit $((failures > 0))
