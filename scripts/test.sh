#!/usr/bin/env bash
# The README's test command: set-up if needed, then every test (C++ unit tests, the zoo's
# pytest, and the integration tests that train tiny models on synthetic MNIST and run them
# through every runtime worker). CI calls this via .ci/run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cd build
ctest --output-on-failure -j 2 --timeout 900
