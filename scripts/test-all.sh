#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what is needed, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --with-test-tools
npm run -s typecheck
npm run -s lint
bash scripts/test.sh all
