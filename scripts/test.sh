#!/usr/bin/env bash
# `npm test`: lint, typecheck, Vitest (unit + integration against real PostgreSQL), production build,
# Playwright e2e against that build with a real worker. Runs every step, then exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."

export NEXT_TELEMETRY_DISABLED=1
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
step typecheck npx --no-install tsc --noEmit
step vitest npx --no-install vitest run
step build npx --no-install next build
if [[ "${results[-1]}" == "ok" ]]; then
  step e2e npx --no-install playwright test
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
if [[ $failed -eq 0 ]]; then
  echo "npm test: PASSED (${summary% }) in ${SECONDS}s"
else
  echo "npm test: FAILED (${summary% }) in ${SECONDS}s"
fi
exit $failed
