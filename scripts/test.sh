#!/usr/bin/env bash
# Installs everything, builds, and runs every test of Renkei:
#   unit tests, the storage conformance suite against SQLite and a PostgreSQL cluster that
#   ctest starts and stops itself, integration tests driving the `renkei` binary, and the
#   libFuzzer targets for a bounded time (RENKEI_FUZZ_SECONDS, default 30 s each).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j2)

echo "== fuzzing (${RENKEI_FUZZ_SECONDS:-30} s per target)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DRENKEI_FUZZ=ON \
  -DRENKEI_FUZZ_SECONDS="${RENKEI_FUZZ_SECONDS:-30}" > /dev/null
cmake --build build-fuzz --target hl7_fuzz iso2022jp_fuzz mllp_frame_fuzz receipt_fuzz fhir_bundle_fuzz
(cd build-fuzz && ctest --output-on-failure -j2)
