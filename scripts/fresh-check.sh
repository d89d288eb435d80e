#!/usr/bin/env bash
# Proves the set-up on a pristine machine: in a fresh Debian 12 root with the project cloned at its
# committed HEAD (the shared fresh-machine.sh beside the project), runs `bash scripts/install.sh` and
# then the smoke test (scripts/fresh-smoke.sh) and the .deb packages' install and upgrade test
# (scripts/package-test.sh). A package that only this machine happens to have is
# missing there, so the install's own checks, or the smoke, fail and name it. Needs root.
#   bash scripts/fresh-check.sh [--keep]    (--keep: leave the root in /var/tmp to look at it)
set -euo pipefail
cd "$(dirname "$0")/.."
fresh=${GRAPPE_FRESH_MACHINE:-$(cd .. && pwd)/shared/fresh-machine.sh}
[ -f "$fresh" ] || { echo "fresh-check: $fresh not found (set GRAPPE_FRESH_MACHINE to the fresh-machine script)" >&2; exit 1; }
keep=()
[ "${1:-}" = --keep ] && keep=(--keep)

start=$(date +%s)
bash "$fresh" "${keep[@]}" -- bash -c '
  set -e
  s=$(date +%s); bash scripts/install.sh; echo "fresh-check: install.sh took $(( $(date +%s) - s )) s"
  bash scripts/fresh-smoke.sh
  bash scripts/package-test.sh
'
echo "fresh-check: passed in $(( $(date +%s) - start )) s"
