#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL cluster for tests.
#
#   scripts/pg-test-cluster.sh start DIR   # prints the connection URI (also written to DIR/uri)
#   scripts/pg-test-cluster.sh stop DIR    # stops the cluster and removes DIR
#
# The cluster lives entirely in DIR: data in DIR/data, server log in DIR/log, and the
# server listens only on a unix socket in DIR (no TCP), with trust authentication, fsync
# off, and an empty database `renkei_test`. The URI has the form
#   postgresql:///renkei_test?host=DIR&port=PORT&user=postgres
#
# DIR must be an absolute path (letters, digits, '.', '_', '-', '/') short enough for a
# socket path (at most 80 characters). Run as root, the server runs as the `postgres` OS
# user, which then owns DIR and must be able to traverse every parent of DIR: use a fresh
# directory under /tmp, e.g.  DIR=$(mktemp -d /tmp/renkei-pg-XXXXXX)  (/root and /work
# usually are not traversable by other users). Run as any other user, the server runs as
# that user. The newest PostgreSQL under /usr/lib/postgresql/*/bin is used.
#
# `start` on a DIR whose cluster is already running just prints its URI; `stop` on a DIR
# that does not exist does nothing. `stop` removes only a DIR that `start` created a
# cluster in.
set -euo pipefail

readonly MARKER=.renkei-pg-test-cluster
readonly DATABASE=renkei_test

die() {
  echo "pg-test-cluster.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
command=$1
[[ -n $2 ]] || usage
dir=$(realpath -m -- "$2")
[[ $dir =~ ^/[A-Za-z0-9._/-]+$ ]] || die "DIR must be a path of letters, digits, '.', '_', '-' and '/': $dir"
((${#dir} <= 80)) || die "DIR is too long for a unix socket path (at most 80 characters): $dir"
[[ $dir != / ]] || die "DIR must not be /"

# The caller's libpq environment must not redirect our own commands elsewhere.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS PGDATA PGSSLMODE || true
cd /  # runuser keeps the working directory, which `postgres` may not be able to read

bindir=
shopt -s nullglob
candidates=(/usr/lib/postgresql/*/bin)
shopt -u nullglob
if ((${#candidates[@]} > 0)); then
  bindir=$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1)
fi
for tool in initdb pg_ctl postgres pg_isready psql; do
  [[ -n $bindir && -x $bindir/$tool ]] ||
    die "PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/$tool); scripts/install-deps.sh installs it"
done

# Runs a PostgreSQL program as the server's OS user.
if ((EUID == 0)); then
  id -u postgres >/dev/null 2>&1 ||
    die "no 'postgres' OS user; PostgreSQL is not installed properly (scripts/install-deps.sh installs it)"
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

data=$dir/data

running() {
  [[ -f $data/PG_VERSION ]] && as_owner "$bindir/pg_ctl" status -D "$data" >/dev/null 2>&1
}

show_log() {
  if [[ -f $dir/log ]]; then
    echo "--- last lines of $dir/log ---" >&2
    tail -n 20 "$dir/log" >&2 || true
  fi
}

start() {
  if [[ -f $data/PG_VERSION ]]; then
    [[ -f $dir/$MARKER && -f $dir/port ]] || die "$data holds a cluster this script did not create"
    port=$(<"$dir/port")
  else
    created=0
    [[ -e $dir ]] || created=1
    mkdir -p "$dir"
    if [[ -f $dir/$MARKER ]]; then
      rm -rf -- "$data"  # left by an earlier start that failed
    elif [[ -n $(ls -A "$dir") ]]; then
      die "DIR must be empty or a cluster made by this script: $dir"
    fi
    touch "$dir/$MARKER"
    chmod 700 "$dir"
    [[ $owner == "$(id -un)" ]] || chown "$owner:" "$dir"
    if ! as_owner test -w "$dir" -a -x "$dir"; then
      rm -f -- "${dir:?}/$MARKER"
      ((created == 0)) || rmdir -- "$dir"
      die "user '$owner' cannot reach $dir; make its parents traversable (chmod o+x) or use DIR=\$(mktemp -d /tmp/renkei-pg-XXXXXX)"
    fi

    # A free port: the socket and its lock file live in DIR, so only DIR can clash.
    for _ in $(seq 1 50); do
      port=$((5433 + RANDOM % 20000))
      [[ -e $dir/.s.PGSQL.$port || -e $dir/.s.PGSQL.$port.lock ]] || break
    done
    echo "$port" >"$dir/port"

    locale=C
    if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then locale=C.UTF-8; fi
    as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale="$locale" --no-sync \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    cat >>"$data/postgresql.conf" <<EOF

# Written by scripts/pg-test-cluster.sh: a throwaway test cluster.
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
lc_messages = 'C'
EOF
  fi

  if ! running; then
    as_owner "$bindir/pg_ctl" start -D "$data" -l "$dir/log" -w -t 60 >/dev/null ||
      { show_log; die "the server did not start"; }
  fi
  for _ in $(seq 1 60); do
    as_owner "$bindir/pg_isready" -q -h "$dir" -p "$port" -d postgres && break
    sleep 0.5
  done
  as_owner "$bindir/pg_isready" -q -h "$dir" -p "$port" -d postgres ||
    { show_log; die "the server does not accept connections"; }

  psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres)
  if [[ $(as_owner "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'") != 1 ]]; then
    as_owner "${psql[@]}" -c "CREATE DATABASE $DATABASE" >/dev/null || die "cannot create database $DATABASE"
  fi

  uri="postgresql:///$DATABASE?host=$dir&port=$port&user=postgres"
  echo "$uri" >"$dir/uri"
  echo "$uri"
}

stop() {
  [[ -e $dir ]] || return 0
  [[ -f $dir/$MARKER ]] || die "refusing to remove $dir: it was not made by this script"
  if running; then
    as_owner "$bindir/pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null || { show_log; die "the server did not stop"; }
  fi
  rm -rf -- "$dir"
}

case $command in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
