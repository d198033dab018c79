#!/usr/bin/env bash
# Installs everything respond and its test suite need, from the package registries only.
# Idempotent and quick when everything is already in place.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

step() { printf '\n== %s\n' "$*"; }

step "system packages (scripts/apt-packages.txt)"
missing=()
while read -r pkg; do
  [ -z "$pkg" ] || [ "${pkg#\#}" != "$pkg" ] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/apt-packages.txt
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  # Installing must not start services: Debian's nginx would otherwise start its default site on
  # 0.0.0.0:80. A policy-rc.d that says 101 (action forbidden) stops that; only ours is removed.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ -n "$policy" ]; then $sudo rm -f "$policy"; trap - EXIT; fi
else
  echo "all present"
fi

step "npm dependencies"
# Only when the lock file changed since the last install. `npm install` rather than `npm ci`:
# the registry here lacks some optional platform builds (e.g. @swc/core for darwin), which
# npm ci reports as a lock mismatch; npm install still installs exactly the locked tree.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.respond-lock-stamp; then
  npm install --no-audit --no-fund
  cp package-lock.json node_modules/.respond-lock-stamp
else
  echo "up to date"
fi

step "Temporal CLI (pinned)"
bash scripts/install-temporal.sh

step "moto, the AWS API emulator (pinned)"
bash scripts/install-moto.sh

step "build"
npm run --silent build
