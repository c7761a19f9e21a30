#!/usr/bin/env bash
# The report renders in headless Chromium with the network off: every table (I-VII) and figure
# (2-4) is in the rendered DOM, the figures are inline SVG, the page names no URL, and the
# screenshot is a non-blank PNG. Usage: report_test.sh <build/bin> <work dir>
set -euo pipefail
bin=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v chromium >/dev/null || fail "chromium is not installed (scripts/apt-packages.txt)"

"$bin/make_report_store" "$work/results.sqlite" "$work/paper.csv"
"$bin/convbench" report --store "$work/results.sqlite" --out "$work/out" --paper "$work/paper.csv" \
  >"$work/report.log" 2>&1 || { cat "$work/report.log"; fail "convbench report exited $?"; }
html=$work/out/report.html
[[ -s $html ]] || fail "no report.html"
for f in tables.csv tables.json history.csv report.md figures/fig2.svg figures/fig3.svg figures/fig4.svg; do
  [[ -s $work/out/$f ]] || fail "missing $f (figures.json: $(cat "$work/out/figures/figures.json" 2>/dev/null))"
done
# Offline: nothing to fetch, not even a namespace URL.
if grep -Eqi 'https?:|//[a-z0-9.-]+\.[a-z]{2,}/|@import|<link|<script[^>]*src' "$html"; then
  grep -Eoi '.{40}(https?:|@import|<link).{40}' "$html" | head -3 >&2
  fail "report.html references something outside itself"
fi

# Chromium with no way out: a dead proxy and no name resolution.
chrome() {
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-extensions --no-first-run --proxy-server=127.0.0.1:9 \
    --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$(mktemp -d "$work/profile.XXXX")" "$@" \
    "file://$html" 2>>"$work/chromium.log"
}
chrome --dump-dom >"$work/dom.html" || fail "chromium --dump-dom failed: $(tail -5 "$work/chromium.log")"
chrome --hide-scrollbars --window-size=1400,2400 --screenshot="$work/shot.png" >/dev/null ||
  fail "chromium --screenshot failed: $(tail -5 "$work/chromium.log")"

python3 - "$work/dom.html" "$work/shot.png" <<'PY'
import re, struct, sys, zlib
dom = open(sys.argv[1], encoding="utf-8").read()
errors = []
for t in ["I", "II", "III", "IV", "V", "VI", "VII"]:
    m = re.search(r'<section class="table" id="table-%s"[^>]*>(.*?)</section>' % re.escape(t), dom, re.S)
    if not m:
        errors.append(f"Table {t} is not in the rendered DOM")
    elif m.group(1).count("<tr>") < 2 or "paper:" not in m.group(1):
        errors.append(f"Table {t} has no rows or no paper column")
for f in ["fig2", "fig3", "fig4"]:
    m = re.search(r'<figure id="%s"[^>]*>(.*?)</figure>' % f, dom, re.S)
    if not m or "<svg" not in m.group(1) or "<path" not in m.group(1):
        errors.append(f"figure {f} is not an inline SVG drawing in the rendered DOM")
if "Differences and their statistics" not in dom:
    errors.append("no statistics in the DOM")

# The screenshot: a PNG whose pixels are not all one colour.
png = open(sys.argv[2], "rb").read()
if png[:8] != b"\x89PNG\r\n\x1a\n":
    errors.append("the screenshot is not a PNG")
else:
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", png[pos + 8:pos + 18])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    # Distinct values over a sample of the (filtered) scanlines: a blank page gives a handful.
    if len(set(raw[::7])) < 32:
        errors.append(f"the screenshot looks blank ({len(set(raw[::7]))} distinct byte values)")
for e in errors:
    print("FAIL:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
echo "report_test: 7 tables, 3 figures rendered offline in Chromium; screenshot $(stat -c %s "$work/shot.png") bytes"
