#!/usr/bin/env bash
# Runs the test suite with node's test runner (through tsx).
#   scripts/test.sh          every test: unit, store, controller, e2e on the testbed (root needed for e2e)
#   scripts/test.sh unit     only tests that need no root and no guests (src/**/*.test.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
mapfile -t files < <(
  if [ "$which" = unit ]; then find src -name '*.test.ts' | sort
  else { find src -name '*.test.ts'; find test -name '*.test.ts'; } | sort
  fi
)
[ "${#files[@]}" -gt 0 ] || { echo "no test files found"; exit 1; }
exec node --import tsx --test --test-reporter=spec --test-concurrency=1 "${files[@]}"
