#!/usr/bin/env bash
# The whole test suite against real components, then one closing line: "N passed, N failed".
#
# Without arguments the suite runs as three lanes at once, each one file at a time (see below).
# The lanes share no ports (each file picks free ones), users or state dirs, and most of their
# time is spent waiting on servers, so three lanes fit a 2-core machine. With arguments (files, vitest
# flags) it is one plain vitest run.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
npm run --silent build || exit 1
reports="$(mktemp -d)"
trap 'rm -rf "$reports"' EXIT
# Each sandbox writes its secret scan's summary here when it stops (test/helpers/secret-scan.ts).
rm -rf test-artifacts/secret-scan

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
  # Three lanes balanced by measured time (about 27-30 minutes each here, most of it waiting on
  # gateways, sshd, Podman and the Temporal server, the rest the two cores shared by all three):
  # the Podman fleet cells, rotation, facts and the posture checks; the other host files, memory,
  # the clawhavoc runbook and the fleet at scale; the sweep, the platform, fleets, the
  # runbook-level gateway test, the clawhavoc web UI test and the posture fleet test.
  lane cells test/hosts/openclaw-fleet.test.ts test/hosts/gateway-managers.test.ts test/hosts/transports.test.ts test/hosts/facts.test.ts test/rotation test/posture --exclude test/posture/posture-fleet.test.ts &
  a=$!
  lane hosts test/hosts test/memory test/clawhavoc test/fleet/scale.test.ts --exclude test/hosts/openclaw-fleet.test.ts --exclude test/hosts/gateway-managers.test.ts --exclude test/hosts/transports.test.ts --exclude test/hosts/facts.test.ts --exclude test/hosts/gateway-runbooks.test.ts --exclude test/clawhavoc/clawhavoc-ui.test.ts &
  b=$!
  lane rest test/sweep test/platform test/fleet test/hosts/gateway-runbooks.test.ts test/clawhavoc/clawhavoc-ui.test.ts test/posture/posture-fleet.test.ts --exclude test/fleet/scale.test.ts &
  c=$!
  code=0
  for p in "$a" "$b" "$c"; do
    wait "$p"
    r=$?
    [ "$r" -gt "$code" ] && code=$r
  done
fi

# The suite-wide secret scan: every sandbox's histories, logs and output against every secret its file issued.
node -e '
  const fs = require("fs");
  const dir = process.argv[1];
  if (!fs.existsSync(dir)) process.exit(0);
  const s = fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")));
  const sum = (k) => s.reduce((n, x) => n + (Array.isArray(x[k]) ? x[k].length : x[k]), 0);
  console.log(`secret scan: ${s.length} sandboxes, ${sum("histories")} histories, ${sum("secrets")} secrets, ${(sum("bytes") / 1e6).toFixed(1)} MB scanned, ${sum("hits")} hits`);
' test-artifacts/secret-scan
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
