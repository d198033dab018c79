#!/usr/bin/env bash
# The whole test suite against real components, then one closing line: "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
npm run --silent build || exit 1
report="$(mktemp)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
code=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  // A file that fails to load or in a hook has no failed test of its own: count it as one failure.
  const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + broken} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" 2>/dev/null || echo "0 passed, 1 failed"
rm -f "$report"
exit $code
