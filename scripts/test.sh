#!/usr/bin/env bash
# Runs the test suite with node's test runner (through tsx).
#   scripts/test.sh          every test: unit, store, controller, e2e on the testbed (root needed for e2e)
#   scripts/test.sh unit     only the tests beside the code (src/**/*.test.ts)
# As root, the whole suite must skip nothing: a skipped test there means a missing tool or a broken
# set-up hiding behind "skipped" (GRAPPE_ALLOW_SKIPS=1 to allow it while developing).
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
mapfile -t files < <(
  if [ "$which" = unit ]; then find src -name '*.test.ts' | sort
  else { find src -name '*.test.ts'; find test -name '*.test.ts'; } | sort
  fi
)
[ "${#files[@]}" -gt 0 ] || { echo "no test files found"; exit 1; }
# Every controller the tests start refuses an error code its route does not declare (route-errors.ts).
export GRAPPE_STRICT_ERROR_CODES=1
# A hung test fails after 20 minutes instead of holding the run (the longest one takes ~4 minutes).
run() { node --import tsx --test --test-reporter=spec --test-concurrency=1 --test-timeout=1200000 "${files[@]}"; }
if [ "$which" != all ] || [ "$(id -u)" -ne 0 ] || [ "${GRAPPE_ALLOW_SKIPS:-}" = 1 ]; then run; exit; fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
run | tee "$out" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
skipped=$(sed -n 's/^ℹ skipped \([0-9]*\)$/\1/p' "$out" | tail -1)
if [ "${skipped:-0}" != 0 ]; then
  echo "test.sh: $skipped test(s) skipped in a root run of the whole suite; each should run here:" >&2
  grep -E '# SKIP|﹣' "$out" | head -20 >&2
  exit 1
fi
