#!/usr/bin/env bash
# The main job, until the demo region exists: installs what is needed, builds `renkei`,
# imports the NHO SS-MIX2 sample tree into an edge repository and shows what was found.
#   scripts/demo.sh [SS-MIX2 ROOT]   (default: ../shared/data/ssmix2-nho/sampleData)
set -euo pipefail
cd "$(dirname "$0")/.."

root="${1:-../shared/data/ssmix2-nho/sampleData}"
scripts/install-deps.sh
scripts/build.sh renkei
mkdir -p .renkei
store="sqlite:.renkei/demo-edge.db"
renkei=build/src/cli/renkei

echo "== renkei edge import --root $root --store $store"
"$renkei" edge import --root "$root" --store "$store" --force --log-level warn 2> .renkei/demo.log
echo
echo "== renkei edge quarantine list --store $store"
"$renkei" edge quarantine list --store "$store" --log-level warn
echo
echo "== renkei edge patients --store $store"
"$renkei" edge patients --store "$store" --log-level warn
echo
echo "Next: $renkei edge records --patient 9999013 --store $store"
echo "      $renkei edge quarantine show 1 --store $store"
echo "      $renkei edge watch --root $root --store $store"
