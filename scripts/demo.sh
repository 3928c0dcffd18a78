#!/usr/bin/env bash
# The README's first command: installs what is needed, builds `renkei`, and runs the demo
# region — a generated region of 3 hospitals and 2 clinics with 3,000 patients over 5 years, the
# regional CA, one edge per facility and the hub, each its own process with its own store —
# until Ctrl-C, printing the hub's URL, the people to sign in as and example patients.
# Running it again reuses the region in .renkei/demo. Arguments go to `renkei demo run`
# (see `build/src/cli/renkei demo run --help`); for scripts: `renkei demo up|status|down --json`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh renkei
exec build/src/cli/renkei demo run "$@"
