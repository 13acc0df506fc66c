#!/bin/sh
# Print the path of a Python >= 3.12 (Django 6 needs it): $PYTHON if given, else the
# newest on the PATH, else the newest under pyenv. Exit 1 with advice when none.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON is not a working Python 3.12 or newer." >&2; exit 1
fi
for name in python3.14 python3.13 python3.12 python3; do
  p=$(command -v "$name" 2>/dev/null) || continue
  # pyenv shims exist for versions that are not selected: try them, don't trust them.
  if ok "$p"; then echo "$p"; exit 0; fi
done
for p in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 /root/.pyenv/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V -r); do
  if ok "$p"; then echo "$p"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.12 or newer found (Django 6 requires it).
Install one, e.g. on Debian/Ubuntu: sudo apt-get install python3.12 python3.12-venv
(or with pyenv: pyenv install 3.13), or point PYTHON at one: make run PYTHON=/path/to/python3.13
MSG
exit 1
