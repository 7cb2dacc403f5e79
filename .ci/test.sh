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
rm -f .vitest-results*.json
# Every AWS SDK call the unit and integration tests make is recorded (test/conformance/recordSdkCalls.ts)
# and checked against the services' API models in a run of its own, once the suites have finished.
export LONGSHORE_SDK_CALLS_REQUIRED=1
sdk_calls() { env LONGSHORE_SDK_CALLS_DIR="$1" LONGSHORE_SDK_CALLS_CHECK=1 "${@:3}" vitest run --project sdk-calls \
  --reporter=default --reporter=json --outputFile="$2"; }
calls_now=$(mktemp -d) calls_future=$(mktemp -d)
step tests env LONGSHORE_SDK_CALLS_DIR="$calls_now" vitest run --reporter=default --reporter=json --outputFile=.vitest-results.json
step sdk-calls sdk_calls "$calls_now" .vitest-results-sdk.json
# The same suites again with the clock 400 days ahead, in a time zone with daylight saving: a test
# that reads the wall clock or the local zone fails here. CI installs faketime (.ci/run) and sets
# LONGSHORE_REQUIRE_FAKETIME=1; elsewhere the step is skipped with a notice.
if command -v faketime >/dev/null 2>&1; then
  # LONGSHORE_FUZZ_RUNS=0: the generated histories run on their own clock (the same seed replays the
  # same histories), so this run keeps only their kept regressions.
  step tests-far-future env TZ=Europe/Paris LONGSHORE_FUZZ_RUNS=0 LONGSHORE_SDK_CALLS_DIR="$calls_future" faketime -f '+400d' \
    vitest run --reporter=default --reporter=json --outputFile=.vitest-results-future.json
  step sdk-calls-far-future sdk_calls "$calls_future" .vitest-results-sdk-future.json env TZ=Europe/Paris faketime -f '+400d'
elif [ "${LONGSHORE_REQUIRE_FAKETIME:-}" = 1 ]; then
  echo "faketime is required here (apt-get install faketime)"; failed_steps+=(tests-far-future)
else
  echo "── tests-far-future skipped: faketime is not installed (apt-get install faketime)"
fi
step package env AWS_ACCESS_KEY_ID=ci AWS_SECRET_ACCESS_KEY=ci AWS_REGION=eu-west-1 timeout 300 osls package </dev/null
# The benchmarks at their smallest sizes (about 30 s): each still runs the deployed bundles and checks
# every result, so a change that breaks a bench (or sends it down an error path) fails here, not
# in the next person's `npm run bench`. Its figures go to bench/results.smoke.json, not BENCHMARKS.md.
step bench-smoke timeout 600 tsx bench/main.ts --smoke </dev/null

passed=0; failed=0
for f in .vitest-results.json .vitest-results-sdk.json .vitest-results-future.json .vitest-results-sdk-future.json; do
  [ -s "$f" ] || continue
  read -r p f2 < <(node -e 'const r=require(process.argv[1]);const broken=r.testResults.filter(t=>t.status!=="passed"&&t.assertionResults.length===0).length;console.log(r.numPassedTests, r.numFailedTests + broken)' "$PWD/$f")
  passed=$((passed + p)); failed=$((failed + f2))
done
# A failed step that is not a test run (type check, lint, package) counts as a failure too.
for s in "${failed_steps[@]}"; do case "$s" in tests|tests-far-future|sdk-calls|sdk-calls-far-future) ;; *) failed=$((failed + 1)) ;; esac; done
rm -rf "$calls_now" "$calls_future"
[ ${#failed_steps[@]} -gt 0 ] && echo "failed steps: ${failed_steps[*]}"
echo "$passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ]
