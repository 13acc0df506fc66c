#!/usr/bin/env bash
# Make sure the Debian packages `make test` runs on are here: PostgreSQL, Redis and
# Chromium (the browser tests). What is missing is installed when this machine lets
# us (root, or sudo without a password); otherwise this prints the one command to
# run and exits 1. Nothing is installed when everything is already here.
# --without-chromium (make test-fast, which has no browser tests): PostgreSQL and Redis only.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ "${1:-}" = --without-chromium ]; then
  why="make test-fast runs the suite on a real PostgreSQL and Redis"
else
  [ -x /usr/bin/chromium ] || need+=(chromium)
  why="make test runs the suite on a real PostgreSQL and Redis, and the browser tests on Chromium"
fi
[ ${#need[@]} -eq 0 ] && exit 0

install=(apt-get install -y -q "${need[@]}")
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing: ${need[*]} ($why)." >&2
  echo "This is not a Debian-like system: install them with its package manager, or set DATABASE_URL and REDIS_URL." >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "Missing: ${need[*]} ($why)." >&2
  echo "Install them once with:  sudo apt-get update && sudo ${install[*]}" >&2
  exit 1
fi
echo "Installing ${need[*]}: $why."
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive "${install[@]}" >/dev/null
# Debian's policy keeps packaged services from starting at install: we start our own
# throwaway servers (scripts/with-services.sh), so nothing else is needed.
echo "Installed ${need[*]}."
