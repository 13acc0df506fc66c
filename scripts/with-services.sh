#!/usr/bin/env bash
# Run a command with PostgreSQL and Redis. When DATABASE_URL / REDIS_URL are not
# given, start throwaway servers on 127.0.0.1 (free ports, data in a temporary
# folder, no durability) and stop them by their pids when the command ends.
#
#   scripts/with-services.sh [--template-cache DIR] command...
#
# --template-cache DIR (the tests): the throwaway PostgreSQL also holds a database
# `arla_template` with every migration applied, exported as TEST_DB_TEMPLATE; the tests
# create their databases from it (tests/conftest.py) instead of migrating each one (~3.5 s
# of CPU a test process). The cluster is made once per version of the migrations,
# requirements.txt and PostgreSQL, kept in DIR, and copied for each run: a run's data
# never goes back into DIR. Needs PY, the Python that runs manage.py.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
template_cache=""
if [ "${1:-}" = "--template-cache" ]; then template_cache=$2; shift 2; fi

# In memory (/dev/shm) when it has room: creating a database there is a copy of files, 5 to
# 10 times faster than on this machine's disk; else in TMPDIR. Nothing here outlives the run.
base=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(df --output=avail -k /dev/shm 2>/dev/null | tail -n1)" -ge 2097152 ] 2>/dev/null; then
  base=/dev/shm
fi
work=$(mktemp -d "$base/arla-services.XXXXXX")
chmod 755 "$work"
# The command's own temporary files (pytest's tmp_path among them) go with the rest: pytest
# otherwise deletes its runs before last from the disk at the end of each process (~1.8 s).
mkdir "$work/tmp"
export TMPDIR="$work/tmp"
pg_pid_file=""; redis_pid_file=""

cleanup() {
  local pids=()
  # PostgreSQL's immediate shutdown (QUIT): no checkpoint for data about to be deleted.
  if [ -n "$pg_pid_file" ] && [ -f "$pg_pid_file" ]; then pids+=("$(head -n1 "$pg_pid_file")"); kill -QUIT "${pids[-1]}" 2>/dev/null || true; fi
  if [ -n "$redis_pid_file" ] && [ -f "$redis_pid_file" ]; then pids+=("$(cat "$redis_pid_file")"); kill "${pids[-1]}" 2>/dev/null || true; fi
  # Until both have let go of their files (at most 5 s), then remove them. A server that has
  # exited can stay a zombie until init reaps it: that one is stopped too.
  for _ in $(seq 100); do
    local alive=0
    for pid in "${pids[@]}"; do
      case "$(ps -o stat= -p "$pid" 2>/dev/null)" in "" | Z*) ;; *) alive=1 ;; esac
    done
    [ "$alive" = 0 ] && break
    sleep 0.05
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ -z "${DATABASE_URL:-}" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "PostgreSQL server not found: install it (Debian: apt-get install postgresql) or set DATABASE_URL." >&2; exit 1
  fi
  port=$(free_port)
  data="$work/pg"
  # PostgreSQL refuses to run as root: run it as the postgres user then.
  as_pg=()
  if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi
  pg_start() {
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      >/dev/null || { cat "$data/server.log" >&2; exit 1; }
    pg_pid_file="$data/postmaster.pid"
  }
  cached=""
  if [ -n "$template_cache" ]; then
    # What the template's tables come from: every migration, the pinned packages (their
    # migrations), PostgreSQL's version.
    key=$(cd "$root" && { "$bindir/postgres" --version; cat requirements.txt;
      find . \( -path ./.venv -o -path ./.cache -o -path ./.git \) -prune -o -path '*/migrations/*.py' -print | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
    cached="$template_cache/pg-$key"
  fi
  if [ -n "$cached" ] && [ -d "$cached" ]; then
    cp -a "$cached" "$data"
    pg_start
    echo "with-services: PostgreSQL's migrated template from $cached"
  else
    mkdir -p "$data"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$data"; fi
    # --no-sync: nothing here needs to survive a crash of the machine (fsync is off below too).
    "${as_pg[@]}" "$bindir/initdb" -D "$data" -U arla -A trust -E UTF8 --no-instructions --no-sync >"$work/initdb.log" 2>&1 \
      || { cat "$work/initdb.log" >&2; exit 1; }
    pg_start
    "${as_pg[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U arla arla
    if [ -n "$cached" ]; then
      "${as_pg[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U arla arla_template
      echo "with-services: migrating a template database, kept in $cached for the next runs"
      DATABASE_URL="postgres://arla@127.0.0.1:$port/arla_template" "${PY:?PY must name the Python that runs manage.py}" "$root/manage.py" migrate --verbosity 0
      # A clean stop, so that the copy starts without recovery; copied under another name
      # and renamed, so that a run stopped halfway leaves no cluster to start from.
      "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -w -t 60 stop -m fast >/dev/null
      mkdir -p "$template_cache"
      rm -rf "$template_cache"/pg-*
      cp -a "$data" "$cached.$$" && rm -f "$cached.$$/server.log" && mv -T "$cached.$$" "$cached" 2>/dev/null || rm -rf "$cached.$$"
      pg_start
    fi
  fi
  export DATABASE_URL="postgres://arla@127.0.0.1:$port/arla"
  if [ -n "$cached" ]; then export TEST_DB_TEMPLATE=arla_template; fi
  export TEST_PG_DATA="$data" TEST_PG_BIN="$bindir"
  echo "with-services: PostgreSQL on 127.0.0.1:$port (pid $(head -n1 "$pg_pid_file"))"
fi

if [ -z "${REDIS_URL:-}" ]; then
  command -v redis-server >/dev/null || { echo "redis-server not found: install it (Debian: apt-get install redis-server) or set REDIS_URL." >&2; exit 1; }
  port=$(free_port)
  redis_pid_file="$work/redis.pid"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$work" --pidfile "$redis_pid_file" --logfile "$work/redis.log"
  for _ in $(seq 50); do [ -s "$redis_pid_file" ] && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$port/0"
  export TEST_REDIS_PORT="$port" TEST_REDIS_PIDFILE="$redis_pid_file" TEST_REDIS_DIR="$work"
  echo "with-services: Redis on 127.0.0.1:$port (pid $(cat "$redis_pid_file"))"
fi

set +e
"$@"
status=$?
exit $status
