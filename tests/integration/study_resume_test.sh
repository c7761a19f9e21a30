#!/usr/bin/env bash
# The study is resumable: kill -9 it (with its children) after some cells are stored, re-run it,
# and it finishes without redoing the stored cells; its deterministic tables (accuracy, output
# error, label disagreement, size) equal those of an uninterrupted run with the same seeds.
set -euo pipefail
bin=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
"$bin/make_fixtures" "$work/data/mnist" 1024 256
cat > "$work/study.toml" <<'TOML'
name = "resume-test"
replicates = 2
seed = 0
frameworks = ["keras", "pytorch"]
[eval]
batch_size = 64
warmup = 1
threads = 1
[models.lenet5]
epochs = 1
train_subset = 512
test_limit = 128
TOML
study() { "$bin/convbench" study --config "$work/study.toml" --data-dir "$work/data" --no-fetch --out "$@"; }
done_cells() {
  python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"select count(*) from cells where status='done'\").fetchone()[0])" "$1" 2>/dev/null || echo 0
}

echo "== uninterrupted run"
study "$work/A" > "$work/A.log" 2>&1

echo "== interrupted run: kill -9 once the first cell is stored"
setsid bash -c "exec $bin/convbench study --config $work/study.toml --data-dir $work/data --no-fetch --out $work/B" > "$work/B1.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  [[ -f "$work/B/results.sqlite" && $(done_cells "$work/B/results.sqlite") -ge 1 ]] && break
  sleep 0.2
done
kill -9 -- "-$pid"
wait "$pid" 2>/dev/null || true
before=$(done_cells "$work/B/results.sqlite")
echo "cells stored before the kill: $before"
[[ $before -ge 1 && $before -lt 4 ]] || { echo "FAIL: expected 1..3 stored cells, got $before"; exit 1; }
first=$(python3 -c "import sqlite3; c=sqlite3.connect('$work/B/results.sqlite'); print(c.execute(\"select cell||' '||finished_at from cells where status='done' order by finished_at limit 1\").fetchone()[0])")

echo "== resumed run"
study "$work/B" > "$work/B2.log" 2>&1
grep -q "4 cells: $before stored already, $((4 - before)) to run" "$work/B2.log" ||
  { echo "FAIL: the resumed run did not skip the $before stored cells"; cat "$work/B2.log"; exit 1; }
after_first=$(python3 -c "import sqlite3; c=sqlite3.connect('$work/B/results.sqlite'); print(c.execute(\"select cell||' '||finished_at from cells where cell='${first%% *}'\").fetchone()[0])")
[[ "$first" == "$after_first" ]] || { echo "FAIL: stored cell was redone ($first vs $after_first)"; exit 1; }
[[ $(done_cells "$work/B/results.sqlite") -eq 4 ]] || { echo "FAIL: resumed study incomplete"; exit 1; }

echo "== tables of A and B agree on every deterministic quantity"
python3 - "$work/A/tables/tables.csv" "$work/B/tables/tables.csv" <<'PY'
import csv, sys
def load(p):
    return {(r["table"], r["model"], r["framework"], r["quantity"], r["variant"]): r
            for r in csv.DictReader(open(p))}
a, b = load(sys.argv[1]), load(sys.argv[2])
assert a.keys() == b.keys(), "different table layouts"
checked = 0
for k, ra in a.items():
    if k[3] in ("accuracy_pct", "abs_error", "rel_error", "misclassification_pct"):
        rb = b[k]
        assert (ra["mean"], ra["std"], ra["n"]) == (rb["mean"], rb["std"], rb["n"]), (k, ra, rb)
        checked += 1
assert checked >= 20, checked
print(f"{checked} deterministic table cells identical")
PY
echo "== resuming with another config is refused, unless forced (and then recorded)"
sed 's/^epochs = 1$/epochs = 2/' "$work/study.toml" > "$work/changed.toml"
sum=$(sha256sum < "$work/B/results.sqlite")
if "$bin/convbench" study --config "$work/changed.toml" --data-dir "$work/data" --no-fetch --out "$work/B" > "$work/B3.out" 2> "$work/B3.err"; then
  echo "FAIL: a changed config resumed the store"; exit 1
fi
grep -q "results.sqlite: this store was made with another study config.*--force-config" "$work/B3.err" ||
  { echo "FAIL: the refusal does not name the store and --force-config"; cat "$work/B3.err"; exit 1; }
[[ $(sha256sum < "$work/B/results.sqlite") == "$sum" ]] || { echo "FAIL: the refused run changed the store"; exit 1; }
"$bin/convbench" study --config "$work/changed.toml" --data-dir "$work/data" --no-fetch --out "$work/B" --force-config > "$work/B4.log" 2>&1 ||
  { echo "FAIL: --force-config did not resume"; tail "$work/B4.log"; exit 1; }
python3 - "$work/B/results.sqlite" <<'PY'
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
meta = dict(c.execute("select key, value from meta"))
changes = json.loads(meta["config_changes"])
assert len(changes) == 1 and changes[0]["cells_before"] == 4, changes
assert changes[0]["to_hash"] == meta["config_hash"] != changes[0]["from_hash"], changes
hashes = {h for (h,) in c.execute("select config_hash from cells")}
assert hashes == {changes[0]["from_hash"]}, hashes  # the stored cells keep the hash they were made with
print("forced config change recorded; cells keep their own config hash")
PY
echo "study resume: ok"
