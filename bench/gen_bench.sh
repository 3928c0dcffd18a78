#!/usr/bin/env bash
# Prints the region generator's figures: patients/s, files/s, MB written and peak memory (RSS,
# from /usr/bin/time -v) for regions of growing size over 50 facilities at low density, to show
# that memory stays flat as the number of patients grows (generation streams person by person).
# Then the same for `gen people` (the patient-index tables only): persons/s, registrations/s,
# MB written and peak memory for PEOPLE persons over the same facilities.
# Usage: bench/gen_bench.sh [PATIENTS...]   (default: 10000 100000)
#   RECORDS_PER_YEAR (default 0.5), YEARS (default 5), FACILITIES (default 50), PEOPLE (default
#   1000000; 0 skips it), PEOPLE_THREADS (default 2) and BUILD_DIR (default build) can be set.
# Needs ~1 KB of disk per file written and ~330 MB per million persons for the tables; the
# output is deleted after each run.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(10000 100000)
density="${RECORDS_PER_YEAR:-0.5}"
years="${YEARS:-5}"
facilities="${FACILITIES:-50}"
work="$(mktemp -d /tmp/renkei-gen-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

if [ ! -x /usr/bin/time ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq time > /dev/null
fi
build="${BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja > /dev/null
cmake --build "$build" --target renkei > /dev/null
renkei="$PWD/$build/src/cli/renkei"

printf '%10s %10s %10s %10s %12s %10s %12s\n' patients files MB seconds patients/s files/s peak_RSS_MB
for n in "${sizes[@]}"; do
  /usr/bin/time -v -o "$work/time.txt" "$renkei" gen region --facilities "$facilities" --patients "$n" \
    --years "$years" --records-per-year "$density" --seed 1 --out "$work/region" --json --no-progress > "$work/summary.json"
  rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
  python3 - "$work/summary.json" "$rss_kb" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{s['patients']:>10} {s['files']:>10} {s['bytes']/1e6:>10.1f} {s['seconds']:>10.1f} "
      f"{s['patients_per_second']:>12.0f} {s['files_per_second']:>10.0f} {int(sys.argv[2])/1024:>12.1f}")
PY
  rm -rf "$work/region"
done

people="${PEOPLE:-1000000}"
if [ "$people" -gt 0 ]; then
  echo
  printf '%10s %14s %10s %10s %12s %16s %12s\n' persons registrations MB seconds persons/s registrations/s peak_RSS_MB
  /usr/bin/time -v -o "$work/time.txt" "$renkei" gen people --facilities "$facilities" --persons "$people" \
    --years "$years" --seed 1 --threads "${PEOPLE_THREADS:-2}" --out "$work/people" --json --no-progress > "$work/summary.json"
  rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
  python3 - "$work/summary.json" "$rss_kb" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{s['persons']:>10} {s['registrations']:>14} {s['bytes']/1e6:>10.1f} {s['seconds']:>10.1f} "
      f"{s['persons'] / s['seconds']:>12.0f} {s['registrations'] / s['seconds']:>16.0f} {int(sys.argv[2])/1024:>12.1f}")
PY
  rm -rf "$work/people"
fi
