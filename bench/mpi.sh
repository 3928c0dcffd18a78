#!/usr/bin/env bash
# The patient index's published figures (docs/patient-index.md):
#   1. accuracy — precision, recall, F1 and review rate of `renkei mpi evaluate` on FEBRL
#      (dataset4a+4b linkage, dataset3 deduplication) and on a generated Japanese region;
#   2. scale — registrations linked per second as the index grows block by block to
#      PERSONS persons (default 7,100,000 ≈ 11 million registrations), and the time to link
#      the last million against the ten million before it (bench/mpi_scale_bench.cc);
#   3. the hub with a real store — PDQ and registration latency, and the record locator's
#      bytes per entry, in SQLite and PostgreSQL (bench/hub_index_bench.cc) over
#      HUB_REGISTRATIONS (default 1,000,000; PostgreSQL a fifth of it).
# Usage: bench/mpi.sh [accuracy|scale|hub|all]   (default all). Needs ~3 GB of disk for scale.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
build="${BUILD_DIR:-build}"
persons="${PERSONS:-7100000}"
hub_n="${HUB_REGISTRATIONS:-1000000}"
cmake -S . -B "$build" -G Ninja > /dev/null
cmake --build "$build" --target renkei mpi_scale_bench hub_index_bench > /dev/null
renkei="$PWD/$build/src/cli/renkei"
febrl="../shared/data/febrl"
work="$(mktemp -d /tmp/renkei-mpi-bench-XXXXXX)"
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then scripts/pg-test-cluster.sh stop "$pg_dir" > /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$what" = accuracy ] || [ "$what" = all ]; then
  echo "== accuracy"
  "$renkei" gen people --persons 50000 --facilities 20 --out "$work/jp" > /dev/null
  for set in "FEBRL 4a+4b|--records $febrl/dataset4a.csv --records $febrl/dataset4b.csv" \
             "FEBRL 3|--records $febrl/dataset3.csv" \
             "FEBRL 1|--records $febrl/dataset1.csv" \
             "FEBRL 2|--records $febrl/dataset2.csv" \
             "generated Japanese region (50,000 persons, 20 facilities)|--records $work/jp/patients.csv --truth $work/jp/ground_truth.csv"; do
    name="${set%%|*}"
    # shellcheck disable=SC2086
    "$renkei" mpi evaluate ${set#*|} --json | python3 -c "
import json, sys
j = json.load(sys.stdin)
print(f\"{sys.argv[1]:58} records {j['records']:>6}  precision {j['precision']:.4f}  recall {j['recall']:.4f}  F1 {j['f1']:.4f}  review {100*j['review_rate']:.2f}%\")" "$name"
  done
fi

if [ "$what" = scale ] || [ "$what" = all ]; then
  echo "== scale: $persons persons"
  "$renkei" gen people --persons "$persons" --facilities 100 --out "$work/big" > /dev/null
  /usr/bin/time -f "peak RSS %M KB" "$PWD/$build/bench/mpi_scale_bench" "$work/big"
fi

if [ "$what" = hub ] || [ "$what" = all ]; then
  persons_needed=$(( hub_n * 2 / 3 + 10000 ))
  [ -d "$work/big" ] || "$renkei" gen people --persons "$persons_needed" --facilities 100 --out "$work/big" > /dev/null
  echo "== hub over SQLite, $hub_n registrations"
  "$PWD/$build/bench/hub_index_bench" "sqlite:$work/hub.db" "$work/big" "$hub_n"
  pg_dir="$(mktemp -d /tmp/renkei-pg-XXXXXX)"
  uri="$(scripts/pg-test-cluster.sh start "$pg_dir")"
  echo "== hub over PostgreSQL, $(( hub_n / 5 )) registrations"
  "$PWD/$build/bench/hub_index_bench" "$uri" "$work/big" "$(( hub_n / 5 ))"
fi
