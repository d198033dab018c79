#!/usr/bin/env bash
# The whole test suite against real components, then one closing line: "N passed, N failed".
#
# Without arguments the suite runs as two lanes at once, each one file at a time: most host
# files (gateways, sshd, podman) beside the sweep, the platform (Temporal, the CLI) and fleets. The
# lanes share no ports (each file picks free ones), users or state dirs, and most of their time
# is spent waiting on servers, so two lanes fit a 2-core machine. With arguments (files, vitest
# flags) it is one plain vitest run.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
npm run --silent build || exit 1
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT

lane() {
  local name="$1"
  shift
  npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/$name.json" "$@" \
    > >(sed -u "s/^/[$name] /") 2> >(sed -u "s/^/[$name] /" >&2)
}

if [ "$#" -gt 0 ]; then
  npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/all.json" "$@"
  code=$?
else
  # Balanced by measured time (about 15 minutes each here): the slowest host files in one lane,
  # the sweep, the platform, fleets and the runbook-level gateway test in the other.
  lane hosts test/hosts --exclude test/hosts/gateway-runbooks.test.ts &
  a=$!
  lane rest test/sweep test/platform test/fleet test/rotation test/memory test/hosts/gateway-runbooks.test.ts &
  b=$!
  wait "$a"
  ca=$?
  wait "$b"
  cb=$?
  code=$((ca > cb ? ca : cb))
fi

node -e '
  const fs = require("fs");
  const files = fs.readdirSync(process.argv[1]).filter((f) => f.endsWith(".json"));
  if (files.length === 0) throw new Error("no report");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of files) {
    const r = JSON.parse(fs.readFileSync(`${process.argv[1]}/${f}`, "utf8"));
    // A file that fails to load or in a hook has no failed test of its own: count it as one failure.
    const broken = r.testResults.filter((t) => t.status === "failed" && !t.assertionResults.some((a) => a.status === "failed")).length;
    passed += r.numPassedTests;
    failed += r.numFailedTests + broken;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$reports" 2>/dev/null || { echo "0 passed, 1 failed"; [ "$code" -ne 0 ] || code=1; }
exit $code
