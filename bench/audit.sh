#!/usr/bin/env bash
# The audit trail's figures (bench/audit_bench.cc): append throughput with durability (SQLite
# WAL, synchronous=FULL) from 1, 16 and 64 threads, and the time to verify a log of 1,000,000
# entries with its signed heads checked. Pass --ten-million to measure a 10,000,000-entry log as
# well (about 6 GB of disk while it runs); other arguments go to audit_bench.
# Usage: bench/audit.sh [--ten-million] [--threads 1,8] [--postgres URL] ...
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh audit_bench > /dev/null
exec build/bench/audit_bench "$@"
