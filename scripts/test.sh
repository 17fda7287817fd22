#!/usr/bin/env bash
# `npm test`: lint, format check (Prettier), typecheck, Vitest (unit + integration against real PostgreSQL),
# production build, Playwright e2e against that build with a real worker. Runs every step, then exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

export NEXT_TELEMETRY_DISABLED=1

# The browser e2e needs, installed now (when permitted) or named in one line before anything runs.
bash scripts/ensure-chromium.sh || exit 1
declare -a names=() results=() times=()
failed=0

step() {
  local name="$1"
  shift
  echo
  echo "==> ${name}: $*"
  local started=$SECONDS
  if "$@"; then
    results+=("ok")
  else
    results+=("FAILED")
    failed=1
  fi
  names+=("$name")
  times+=("$((SECONDS - started))s")
}

step lint npx --no-install eslint .
step format npx --no-install prettier --check .
step typecheck npx --no-install tsc --noEmit
counts_dir=".test-counts"  # not under test-results/, which Playwright empties when it starts
rm -rf "$counts_dir" && mkdir -p "$counts_dir"
step vitest npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$counts_dir/vitest.json"
step build npx --no-install next build
if [[ "${results[-1]}" == "ok" ]]; then
  step e2e env PLAYWRIGHT_JSON_OUTPUT_NAME="$counts_dir/e2e.json" npx --no-install playwright test --reporter=list,json
else
  names+=("e2e"); results+=("skipped (no build)"); times+=("0s"); failed=1
fi

echo
echo "==> summary"
summary=""
for i in "${!names[@]}"; do
  printf '  %-10s %-20s %s\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
  summary+="${names[$i]}=${results[$i]} "
done
# One plain count line over both runners (CI reads "N passed, N failed").
node -e '
  const fs = require("node:fs");
  const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return null; } };
  const v = read(process.argv[1]), e = read(process.argv[2]);
  let passed = 0, failed = 0, skipped = 0;
  if (v) { passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + (v.numTodoTests ?? 0); }
  if (e) { passed += e.stats.expected + e.stats.flaky; failed += e.stats.unexpected; skipped += e.stats.skipped; }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$counts_dir/vitest.json" "$counts_dir/e2e.json"
if [[ $failed -eq 0 ]]; then
  echo "npm test: PASSED (${summary% }) in ${SECONDS}s"
else
  echo "npm test: FAILED (${summary% }) in ${SECONDS}s"
fi
exit $failed
