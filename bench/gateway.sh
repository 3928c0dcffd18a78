#!/usr/bin/env bash
# The service gateway's figures (bench/gateway_bench.cc): change → delivered latency at 100
# subscribed services (p50/p99; the goal is p99 ≤ 100 ms on loopback) and sustained
# notifications per second with the fsync'd outbox and audit trail. Arguments go to
# gateway_bench (--services, --changes, --burst, --dir).
# Usage: bench/gateway.sh [--services 100] [--changes 200] [--burst 300]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh gateway_bench > /dev/null
exec build/bench/gateway_bench "$@"
