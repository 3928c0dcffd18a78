#!/usr/bin/env bash
# Prints Renkei's benchmark figures (one run, one core each):
#   1. HL7 parse throughput on the SS-MIX2 sample messages vs simple-hl7 (npm) on the same messages;
#   2. import throughput of a generated tree (default 100,000 files) into SQLite, and peak memory,
#      also for a tree a quarter that size to show that memory does not grow with the tree.
# Usage: bench/run.sh [FILES]   (needs Node.js and npm for simple-hl7)
set -euo pipefail
cd "$(dirname "$0")/.."
files="${1:-100000}"
sample=../shared/data/ssmix2-nho/sampleData
work="$(mktemp -d /tmp/renkei-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

scripts/install-deps.sh
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  echo "bench: installing nodejs and npm from Debian"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq nodejs npm
fi
(cd bench && npm install --silent --no-audit --no-fund > /dev/null)
scripts/build.sh hl7_parse_bench import_bench > /dev/null

echo "== HL7 parse, one core, SS-MIX2 sample messages"
ours=$(taskset -c 0 build/bench/hl7_parse_bench "$sample" "$work/messages.json" 3)
theirs=$(taskset -c 0 node bench/simple_hl7_bench.js "$work/messages.json" 3)
echo "renkei:     $ours"
echo "simple-hl7: $theirs"
python3 - "$ours" "$theirs" <<'PY' 2>/dev/null || node -e "
const o=JSON.parse(process.argv[1]), t=JSON.parse(process.argv[2]);
console.log('ratio (parse + visit every component) vs simple-hl7: ' + (o.parse_visit_all_components_per_s/t.parse_per_s).toFixed(1) + 'x');
console.log('ratio (parse, lazy components)        vs simple-hl7: ' + (o.parse_per_s/t.parse_per_s).toFixed(1) + 'x');
console.log('ratio (ISO-2022-JP decode + parse)    vs simple-hl7 (on decoded text): ' + (o.decode_and_parse_per_s/t.parse_per_s).toFixed(1) + 'x');" "$ours" "$theirs"
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"ratio (parse + visit every component) vs simple-hl7: {o['parse_visit_all_components_per_s'] / t['parse_per_s']:.1f}x")
print(f"ratio (parse, lazy components)        vs simple-hl7: {o['parse_per_s'] / t['parse_per_s']:.1f}x")
print(f"ratio (ISO-2022-JP decode + parse)    vs simple-hl7 (on decoded text): {o['decode_and_parse_per_s'] / t['parse_per_s']:.1f}x")
PY

echo "== Import into SQLite, one core"
quarter=$((files / 4))
echo "$quarter files: $(taskset -c 0 build/bench/import_bench "$sample" "$work/q" "$quarter")"
rm -rf "$work/q"
echo "$files files: $(taskset -c 0 build/bench/import_bench "$sample" "$work/full" "$files")"
