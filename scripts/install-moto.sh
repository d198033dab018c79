#!/usr/bin/env bash
# Installs moto (a real AWS API emulator, server mode) into .tools/moto-<version>, a venv whose
# every wheel is pinned by hash (scripts/moto-requirements.txt). The rotation tests start it on
# 127.0.0.1. Idempotent: a venv that already runs the pinned version is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's/^moto==\([^ ]*\) .*/\1/p' "$root/scripts/moto-requirements.txt")"
dest="$root/.tools/moto-$version"

stamp="$dest/.respond-installed"
if [ -f "$stamp" ] && [ -x "$dest/bin/moto_server" ]; then
  echo "moto $version already installed at $dest"
  exit 0
fi
python="$(command -v python3 || true)"
[ -n "$python" ] || { echo "install-moto: python3 is required (apt: python3 python3-venv)" >&2; exit 1; }
rm -rf "$dest"
"$python" -m venv "$dest"
"$dest/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
  --require-hashes -r "$root/scripts/moto-requirements.txt"
# Written last: an interrupted install is redone, not trusted.
echo "$version" > "$stamp"
echo "installed moto $version at $dest"
