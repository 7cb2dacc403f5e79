#!/usr/bin/env bash
# The README's test command (`npm test`): type check, lint, unit and integration tests, package.
# Ends with one line "N passed, N failed" (CI reads it) and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

failed_steps=()
step() {
  local name=$1; shift
  echo "── $name"
  if ! "$@"; then failed_steps+=("$name"); fi
}

node -e 'const [M]=process.versions.node.split(".").map(Number); if (M < 24) { console.error(`Node ${process.version}: longshore tests run on Node 24 (the Lambda runtime). Install the optional node-* package or Node 24.`); process.exit(1) }' || exit 1

step typecheck tsc --noEmit
step lint biome ci .
rm -f .vitest-results.json
step tests vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json
step package env AWS_ACCESS_KEY_ID=ci AWS_SECRET_ACCESS_KEY=ci AWS_REGION=eu-west-1 timeout 300 osls package </dev/null

passed=0; failed=0
if [ -s .vitest-results.json ]; then
  read -r passed failed < <(node -e 'const r=require("./.vitest-results.json");const broken=r.testResults.filter(t=>t.status!=="passed"&&t.assertionResults.length===0).length;console.log(r.numPassedTests, r.numFailedTests + broken)')
fi
# A failed step that is not a test (type check, lint, package) counts as a failure too.
for s in "${failed_steps[@]}"; do [ "$s" = tests ] || failed=$((failed + 1)); done
[ ${#failed_steps[@]} -gt 0 ] && echo "failed steps: ${failed_steps[*]}"
echo "$passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ]
