#!/usr/bin/env bash
# Puts ONNX Runtime's C/C++ headers and libonnxruntime.so (same version) under .deps/onnxruntime.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/versions.env"
dest="$root/.deps/onnxruntime"
stamp="$dest/.version"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$ORT_VERSION" ]]; then exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching ONNX Runtime $ORT_VERSION (headers: Debian libonnxruntime-dev; library: PyPI wheel)"
curl -fsSL --retry 3 -o "$tmp/h.deb" "$ORT_HEADERS_DEB_URL"
echo "$ORT_HEADERS_DEB_SHA256  $tmp/h.deb" | sha256sum -c --quiet
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64 \
  "onnxruntime==$ORT_VERSION" -d "$tmp"
echo "$ORT_WHEEL_SHA256  $tmp/$ORT_WHEEL" | sha256sum -c --quiet
rm -rf "$dest"
mkdir -p "$dest/include" "$dest/lib"
dpkg-deb -x "$tmp/h.deb" "$tmp/deb"
cp -r "$tmp/deb/usr/include/onnxruntime/." "$dest/include/"
unzip -q -j "$tmp/$ORT_WHEEL" "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" -d "$dest/lib"
ln -sf "libonnxruntime.so.$ORT_VERSION" "$dest/lib/libonnxruntime.so.1"
ln -sf "libonnxruntime.so.1" "$dest/lib/libonnxruntime.so"
echo "$ORT_VERSION" > "$stamp"
echo "ONNX Runtime $ORT_VERSION in $dest"
