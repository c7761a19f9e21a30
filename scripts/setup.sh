#!/usr/bin/env bash
# Brings a fresh Debian 12 machine to a built convbench: Debian packages, the zoo's pinned
# Python venv (.venv), ONNX Runtime (.deps), and the C++ build (build/). Idempotent and quick
# when everything is already there. Used by both README commands.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages
mapfile -t pkgs < <(grep -vE '^\s*(#|$)' scripts/apt-packages.txt)
missing=()
for p in "${pkgs[@]}"; do
  name=${p%%=*} want=""
  [[ $p == *=* ]] && want=${p#*=}
  have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
  if [[ $have != "install ok installed"* ]] || [[ -n $want && $have != *" $want" ]]; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# 2. The zoo's Python venv: Debian's python3 (for python3-torch) plus pinned pip packages.
stamp=.venv/.convbench-requirements
want=$(cat zoo/requirements.txt zoo/requirements.lock | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  log "creating the Python venv (.venv) from zoo/requirements.txt + zoo/requirements.lock"
  [[ -x .venv/bin/python ]] || /usr/bin/python3 -m venv --system-site-packages .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -r zoo/requirements.txt -c zoo/requirements.lock
  echo "$want" > "$stamp"
fi

# 3. ONNX Runtime for the C++ worker
bash scripts/fetch_onnxruntime.sh

# 4. The C++ build
if [[ ! -f build/build.ninja ]]; then
  log "configuring the C++ build (build/)"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
log "building"
cmake --build build -j "$(nproc)"
log "ready: build/bin/convbench"
