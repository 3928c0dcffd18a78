#!/usr/bin/env bash
# The relay's figures, on loopback, with real processes (`renkei hub serve`, one `renkei edge
# connect` per facility, each answer signed):
#   1. the chart of a patient with ~400 events at each of 5 facilities: end-to-end p50/p99 and
#      the hub's own overhead above the slowest edge, for a first page (100) and the largest (1000);
#   2. relay throughput against nginx (Debian's) proxying the same request to a backend that
#      answers exactly as the edge does (relay_bench backend), both driven by wrk, as a ratio;
#   3. 1,000 idle edges connected to the hub: its memory per connection, and the chart's
#      latency with them connected.
# Installs nginx and wrk from Debian when missing. Usage: bench/relay.sh [IDLE_EDGES]
# RELAY_HUB_FLAGS adds flags to `renkei hub serve`, e.g. "--audit sqlite:/dev/shm/audit.db" to
# see what the audit trail's disk flush costs.
set -euo pipefail
cd "$(dirname "$0")/.."
idle_edges="${1:-1000}"
work="$(mktemp -d /tmp/renkei-relay-bench-XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

scripts/install-deps.sh > /dev/null
if ! command -v nginx > /dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v wrk > /dev/null; then
  echo "relay bench: installing nginx and wrk from Debian"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx wrk > /dev/null
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
scripts/build.sh renkei relay_bench > /dev/null
renkei="$PWD/build/src/cli/renkei"
bench="$PWD/build/bench/relay_bench"
cd "$work"

# Wait until FILE shows "127.0.0.1:PORT"; print PORT.
port_of() {
  for _ in $(seq 100); do
    if grep -qo '127\.0\.0\.1:[0-9]*' "$1" 2> /dev/null; then grep -o '127\.0\.0\.1:[0-9]*' "$1" | head -1 | cut -d: -f2; return; fi
    sleep 0.1
  done
  echo "relay bench: nothing listening, see $1:" >&2; cat "$1" >&2; exit 1
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# 1. One generated facility's tree, imported as five facilities: the same patient (same
#    demographics) at each, linked by the index from the edges' registrations.
echo "== data: one SS-MIX2 tree (40 patients, 10 years) imported as 5 facilities"
$renkei gen region --facilities 1 --hospitals 1 --patients 40 --years 10 --records-per-year 12 --seed 7 --out region \
  --no-progress > /dev/null
tree="region/$(tail -n +2 region/facilities.csv | cut -d, -f1)"
facilities=(1000000001 1000000002 1000000003 1000000004 1000000005)
$renkei ca init --dir ca --name "Bench region" > /dev/null
for f in "${facilities[@]}"; do
  $renkei edge import --root "$tree" --store "sqlite:edge-$f.db" --facility "$f" --no-progress --log-level off > /dev/null
  $renkei ca issue --dir ca --name "edge-$f" --role edge --facility "$f" --out certs > /dev/null
  $renkei hub token add --name "edge-$f" --facility "$f" | grep -o 'rk_[A-Za-z0-9_-]*' > "token-$f"
done
$renkei hub token add --name operator-bench --role operator | grep -o 'rk_[A-Za-z0-9_-]*' > token-operator
viewer=${facilities[0]}
patient=$(sqlite3 "edge-$viewer.db" "SELECT patient_id FROM events GROUP BY patient_id ORDER BY abs(count(*) - 400) LIMIT 1")
per_facility=$(sqlite3 "edge-$viewer.db" "SELECT count(*) FROM events WHERE patient_id = '$patient'")
echo "patient $patient: $per_facility events at each of ${#facilities[@]} facilities"
$bench tokens --credentials hub-credentials.json --count "$idle_edges" --out idle-tokens

$renkei hub serve --listen 127.0.0.1:0 --store sqlite:hub.db --log-level warn ${RELAY_HUB_FLAGS:-} \
  --max-connections $((idle_edges + 200)) > hub.out 2> hub.err &
hub_pid=$!; pids+=($hub_pid)
hub_port=$(port_of hub.out)
for f in "${facilities[@]}"; do
  $renkei edge connect --hub "ws://127.0.0.1:$hub_port" --store "sqlite:edge-$f.db" --facility "$f" \
    --token "$(cat token-$f)" --cert "certs/edge-$f.crt" --key "certs/edge-$f.key" --ca ca/ca.crt --log-level warn \
    > "edge-$f.out" 2>&1 &
  pids+=($!)
done
token=$(cat "token-$viewer")
for _ in $(seq 300); do
  n=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$hub_port/v1/chart?patient=$patient&limit=1" |
      python3 -c 'import json,sys; c=json.load(sys.stdin); print(sum(s["status"]=="answered" for s in c["sources"]))' \
      2> /dev/null || echo 0)
  [ "$n" = "${#facilities[@]}" ] && break
  sleep 0.2
done
[ "$n" = "${#facilities[@]}" ] || { echo "relay bench: the five facilities did not link" >&2; cat hub.err >&2; exit 1; }

echo "== 1. chart of one patient at 5 facilities (${per_facility} events each), one client, keep-alive"
echo "first page (limit 100):  $($bench latency --hub "http://127.0.0.1:$hub_port" --token "$token" --patient "$patient" --limit 100 --requests 1000)"
echo "largest page (limit 1000): $($bench latency --hub "http://127.0.0.1:$hub_port" --token "$token" --patient "$patient" --limit 1000 --requests 300)"

echo "== 2. throughput: the relay vs nginx proxying the same request to the same edge answers (wrk, 8 connections, 10 s)"
$bench backend --store "sqlite:edge-$viewer.db" --facility "$viewer" --cert "certs/edge-$viewer.crt" \
  --key "certs/edge-$viewer.key" --threads 2 > backend.out 2>&1 &
pids+=($!)
backend_port=$(port_of backend.out)
nginx_port=$((20000 + RANDOM % 20000))
mkdir -p nginx-tmp
cat > nginx.conf <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-tmp/body;
  proxy_temp_path $work/nginx-tmp/proxy;
  fastcgi_temp_path $work/nginx-tmp/fastcgi;
  uwsgi_temp_path $work/nginx-tmp/uwsgi;
  scgi_temp_path $work/nginx-tmp/scgi;
  upstream edge { server 127.0.0.1:$backend_port; keepalive 32; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://edge;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffers 16 64k;
    }
  }
}
EOF
$nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" -g 'daemon off;' &
pids+=($!)
sleep 1
query="/v1/chart?patient=$patient&limit=100&facility=$viewer"
curl -sf -o /dev/null "http://127.0.0.1:$nginx_port$query" || { echo "relay bench: nginx does not answer" >&2; cat nginx-error.log >&2; exit 1; }
rps() { wrk -t1 -c8 -d10s -H "Authorization: Bearer $token" "$1" | awk '/^Requests\/sec/ {print $2}'; }
relay_rps=$(rps "http://127.0.0.1:$hub_port$query")
nginx_rps=$(rps "http://127.0.0.1:$nginx_port$query")
echo "relay (hub → WebSocket → edge): $relay_rps requests/s"
echo "nginx (proxy → HTTP → backend): $nginx_rps requests/s"
python3 -c "print(f'ratio relay / nginx: {$relay_rps / $nginx_rps:.2f}x')"
kill "${pids[-1]}" "${pids[-2]}" 2> /dev/null || true

echo "== 3. $idle_edges idle edges on one hub"
sleep 1
before=$(rss_kb $hub_pid)
$bench idle --hub "ws://127.0.0.1:$hub_port" --tokens idle-tokens > idle.out 2> idle.err &
pids+=($!)
for _ in $(seq 600); do grep -q '^connected' idle.out && break; sleep 0.1; done
cat idle.out
sleep 3
after=$(rss_kb $hub_pid)
connected=$(curl -s -H "Authorization: Bearer $(cat token-operator)" "http://127.0.0.1:$hub_port/v1/edges" |
  python3 -c 'import json,sys; print(sum(1 for x in json.load(sys.stdin)["edges"] if x["connected"]))')
echo "hub RSS: $before KiB before, $after KiB with the idle edges; edges connected: $connected"
python3 -c "print(f'memory per idle connection: {($after - $before) * 1024 / $idle_edges / 1024:.1f} KiB')"
echo "first page (limit 100) with the idle edges connected: $($bench latency --hub "http://127.0.0.1:$hub_port" --token "$token" --patient "$patient" --limit 100 --requests 1000)"
