#!/usr/bin/env bash
# The plain anchor for bench:posture: the same host-side commands respond's posture run makes, one
# host after another, with no orchestration, records, evaluation or history. Input lines: HOME
# STATE_DIR PORT. $1: the probe script (every check's snippets, as respond runs it); $2: a file
# holding the token pattern for the exact hunt (rg -F -f). With OPENCLAW_CLI set (`node
# path/to/openclaw.mjs`), also the host CLI commands of the openclaw-audit and skills checks.
set -u
probes="$1"
pattern="$2"
rg="${RG:-rg}"
while read -r home state port; do
  [ -n "$home" ] || continue
  cat "$state/openclaw.json" >/dev/null
  ss -Htlnp "sport = :$port" >/dev/null 2>&1
  RESPOND_GW_PORT="$port" RESPOND_GW_PID= RESPOND_STATE_DIR="$state" RESPOND_CONFIG="$state/openclaw.json" RESPOND_HOME="$home" RESPOND_PKG_DIR= sh "$probes" >/dev/null 2>&1
  "$rg" -F -l -f "$pattern" "$home" "$state" >/dev/null 2>&1
  if [ -n "${OPENCLAW_CLI:-}" ]; then
    for args in "security audit --json" "doctor --lint --json" "agents list --json"; do
      # shellcheck disable=SC2086
      HOME="$home" OPENCLAW_STATE_DIR="$state" $OPENCLAW_CLI $args >/dev/null 2>&1
    done
  fi
done
