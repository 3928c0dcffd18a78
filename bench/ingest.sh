#!/usr/bin/env bash
# End-to-end ingest of a generated region: decode (ISO-2022-JP) → parse (HL7 v2.5) → check →
# map (FHIR R4 JP Core + event line) → store (versions, entities, events, change feed), one
# core, into SQLite and into PostgreSQL. Prints FHIR resources per second per store.
# Usage: bench/ingest.sh [PATIENTS]   (default 2000 patients, 3 hospitals + 2 clinics, 5 years)
set -euo pipefail
cd "$(dirname "$0")/.."
patients="${1:-2000}"
work="$(mktemp -d /tmp/renkei-ingest-XXXXXX)"
pg="$(mktemp -d /tmp/renkei-pg-XXXXXX)"
trap 'scripts/pg-test-cluster.sh stop "$pg" > /dev/null 2>&1 || true; rm -rf "$work" "$pg"' EXIT
scripts/build.sh renkei event_query_bench > /dev/null
renkei=build/src/cli/renkei
$renkei gen region --facilities 5 --patients "$patients" --years 5 --seed 1 --out "$work/region" --json > /dev/null
scripts/pg-test-cluster.sh start "$pg" > /dev/null
pg_uri="$(cat "$pg/uri")"

run() {  # store-kind facility-folder store-url
  taskset -c 0 $renkei edge import --root "$2" --store "$3" --facility "$(basename "$2")" --json --no-progress \
    --log-level off
}
for kind in sqlite postgresql; do
  files=0; resources=0; seconds=0
  for dir in "$work"/region/[0-9]*; do
    id="$(basename "$dir")"
    if [ "$kind" = sqlite ]; then url="sqlite:$work/$id.db"; else
      url="$pg_uri&options=-csearch_path%3Dingest_$id"
      psql "$pg_uri" -qc "CREATE SCHEMA ingest_$id" > /dev/null
    fi
    out="$(run "$kind" "$dir" "$url")"
    read -r f r s < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["files_seen"], d["resources"], d["seconds"])' "$out")
    files=$((files + f)); resources=$((resources + r)); seconds=$(python3 -c "print($seconds + $s)")
  done
  python3 -c "print(f'$kind: {$files} files, {$resources} FHIR resources in {$seconds:.1f} s: {$resources/$seconds:,.0f} resources/s, {$files/$seconds:,.0f} files/s (one core)')"
done
echo "== event query, a patient with 2,000 events among 102,000 (SQLite)"
taskset -c 0 build/bench/event_query_bench "sqlite:$work/query.db" 2000 50 2000
