#!/usr/bin/env bash
# The clinician viewer's speed: starts a demo region (default 5 facilities, 3,000 patients,
# 5 years), loads each example patient's chart in headless Chromium RUNS times and prints p50/p95
# of the first useful paint and of the full first page. The goal is a first paint within 1 s.
#   bench/portal.sh [--runs 20] [--patients 3000] [--years 5] [--facilities 5 --hospitals 3]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh > /dev/null
if [ -z "${RENKEI_BINARY:-}" ]; then
  [ -x build/src/cli/renkei ] || scripts/build.sh renkei
  export RENKEI_BINARY="$PWD/build/src/cli/renkei"
fi
exec node bench/portal_bench.mjs "$@"
