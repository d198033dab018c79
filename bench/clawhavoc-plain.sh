#!/usr/bin/env bash
# The anchor for bench/clawhavoc.ts: what a person with a folder of scripts does on a
# ClawHavoc-compromised OpenClaw host, in order, with no approvals, evidence, sweeps, audit trail,
# old-token check or rollback. Every input comes from the environment (the bench sets them from the
# demo host's inventory); HOME, TMPDIR, npm_config_cache and PATH (the host's Node 24 first) are the
# inventory's. Tokens are never printed: they live in variables and in TOKEN_FILE (0600).
# Each stage appends "<epoch ms> <stage>" to TIMINGS.
set -euo pipefail
: "${NODE:?}" "${PREFIX:?}" "${PORT:?}" "${VERSION:?}" "${WORKSPACE:?}" "${SKILL:?}" "${QUARANTINE:?}"
: "${BACKUP_REPO:?}" "${BACKUP_HOST:?}" "${SINCE:?}" "${TOKEN_FILE:?}" "${LOGS:?}" "${TIMINGS:?}"
STATE="$HOME/.openclaw"
CONFIG="$STATE/openclaw.json"
export PATH="$(dirname "$NODE"):$PATH"
oc() { "$NODE" "$PREFIX/node_modules/openclaw/openclaw.mjs" "$@"; }
mark() { printf '%s %s\n' "$(date +%s%3N)" "$1" >>"$TIMINGS"; }
# One JSON value out of a file, with the host's Node (no jq on the host).
jget() { "$NODE" -e 'const v=process.argv[2].split(".").reduce((o,k)=>o?.[k],JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")));if(typeof v==="string")process.stdout.write(v)' "$1" "$2" 2>/dev/null || true; }
http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }

mark start
OLD="$(jget "$CONFIG" gateway.auth.token)"
[ -n "$OLD" ] || { echo "no gateway.auth.token in $CONFIG" >&2; exit 1; }

# 1. Stop the gateway: kill the process listening on the port (and its openclaw launcher parent).
pids="$(ss -Hltnp "sport = :$PORT" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true)"
for p in $pids; do
  parent="$(ps -o ppid= -p "$p" | tr -d ' ')"
  if [ -n "$parent" ] && [ "$parent" != 1 ] && ps -o args= -p "$parent" | grep -q openclaw; then kill "$parent" 2>/dev/null || true; fi
  kill "$p" 2>/dev/null || true
done
for _ in $(seq 1 60); do ss -Hltn "sport = :$PORT" | grep -q . || break; sleep 1; done
if ss -Hltn "sport = :$PORT" | grep -q .; then echo "port $PORT still listening after 60 s" >&2; exit 1; fi
mark stopped

# 2. Install the fixed release into the prefix (its package.json keeps the operator's overrides).
npm --prefix "$PREFIX" install --no-audit --no-fund --save-exact "openclaw@$VERSION" >>"$LOGS/plain-npm.log" 2>&1
mark installed

# 3. Start it again the way it was started: nohup setsid from the shell, loopback.
# (Redirected as a whole, so no shell of this script keeps the caller's stdout open.)
(cd "$HOME" && exec nohup setsid "$NODE" "$PREFIX/node_modules/openclaw/openclaw.mjs" gateway --port "$PORT" --bind loopback) >>"$LOGS/gateway.out" 2>&1 </dev/null &
for _ in $(seq 1 180); do [ "$(http_code "http://127.0.0.1:$PORT/")" != 000 ] && break; sleep 1; done
[ "$(http_code "http://127.0.0.1:$PORT/")" != 000 ] || { echo "gateway on $PORT did not answer within 180 s" >&2; exit 1; }
mark started

# 4. New gateway token (the gateway reloads it live).
NEW="$(openssl rand -hex 32)"
(umask 077 && printf '%s\n' "$NEW" >"$TOKEN_FILE")
oc config set gateway.auth.token "$NEW" >>"$LOGS/plain-openclaw.log" 2>&1
mark token-set

# 5. Revoke every paired device token (docs/cli/devices.md: devices list --json, devices revoke
#    --device --role); this host's own CLI last, since it authenticates the others' revocation.
own="$(jget "$STATE/identity/device-auth.json" deviceId)"
list="$(oc devices list --json 2>>"$LOGS/plain-openclaw.log")"
targets="$(printf '%s' "$list" | "$NODE" -e '
  const t = require("fs").readFileSync(0, "utf8"); const j = JSON.parse(t.slice(t.indexOf("{")));
  const rows = (j.paired ?? []).flatMap((d) => (d.tokens ?? (d.roles ?? (d.role ? [d.role] : [])).map((role) => ({ role })))
    .filter((k) => k.revokedAtMs === undefined).map((k) => [d.deviceId, k.role]));
  rows.sort((a, b) => (a[0] === process.argv[1]) - (b[0] === process.argv[1]));
  for (const [d, r] of rows) console.log(d + " " + r);' "$own")"
while read -r dev role; do
  [ -n "$dev" ] || continue
  oc devices revoke --device "$dev" --role "$role" --json >>"$LOGS/plain-openclaw.log" 2>&1 ||
    { sleep 1; oc devices revoke --device "$dev" --role "$role" --json >>"$LOGS/plain-openclaw.log" 2>&1; }
done <<<"$targets"
mark devices-revoked

# 6. Scrub the old token (and the earlier ones the .bak files kept) from the leaked files and backups.
backups=("$STATE"/openclaw.json.bak*)
olds=("$OLD")
for b in "${backups[@]}"; do
  [ -f "$b" ] || continue
  t="$(jget "$b" gateway.auth.token)"
  if [ -n "$t" ] && [ "$t" != "$NEW" ]; then olds+=("$t"); fi
done
for t in "${olds[@]}"; do
  for f in "$HOME/.bash_history" "$HOME/gateway.env" "$LOGS/openclaw.log" "${backups[@]}"; do
    if [ -f "$f" ]; then sed -i "s/$t/REDACTED/g" "$f"; fi
  done
done
mark scrubbed

# 7. SOUL.md and MEMORY.md from the last snapshot before the incident, in respond's memory backup repository.
commit="$(git -C "$BACKUP_REPO" log -1 --format=%H --before="$SINCE" -- "$BACKUP_HOST")"
[ -n "$commit" ] || { echo "no snapshot of $BACKUP_HOST before $SINCE" >&2; exit 1; }
for f in SOUL.md MEMORY.md; do
  path="$(git -C "$BACKUP_REPO" ls-tree -r --name-only "$commit" -- "$BACKUP_HOST/files" | grep -m1 "/$f\$")"
  git -C "$BACKUP_REPO" show "$commit:$path" >"$WORKSPACE/$f"
done
mark memory-restored

# 8. The bad skill out of the workspace.
mkdir -p "$QUARANTINE"
mv "$WORKSPACE/skills/$SKILL" "$QUARANTINE/"
mark skill-moved

# 9. The new token is accepted (HTTP bearer check; the reload may take a moment).
ok=
for _ in $(seq 1 60); do
  code="$(http_code -X POST -H @<(printf 'Authorization: Bearer %s\n' "$NEW") -H 'content-type: application/json' -d '{}' "http://127.0.0.1:$PORT/tools/invoke")"
  case "$code" in 000 | 401 | 403 | 404) sleep 1 ;; *) ok=1 && break ;; esac
done
[ -n "$ok" ] || { echo "the new token was not accepted (last HTTP $code)" >&2; exit 1; }
mark new-token-accepted
