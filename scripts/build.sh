#!/usr/bin/env bash
# Configures and builds Renkei into build/ (CMake + Ninja, ccache when present).
# Usage: scripts/build.sh [targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
if [ $# -gt 0 ]; then
  cmake --build build --target "$@"
else
  cmake --build build
fi
