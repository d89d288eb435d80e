#!/usr/bin/env bash
# The smoke test of a fresh install (run by fresh-check.sh inside a pristine Debian root, after
# install.sh): the demo comes up, its 3 hosts are UP with every indicator green, the VM on the iSCSI
# volume is running, and `demo.sh stop` leaves no agent, QEMU, tgtd or namespace behind. Runs as a
# second demo (own id, port and subnets), so a demo already running on the machine is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
export GRAPPE_DEMO_ID=fresh GRAPPE_DEMO_PORT=18443 GRAPPE_DEMO_SLOT=1 GRAPPE_DEMO_DATA_DIR=/var/lib/grappe-fresh-smoke
fail() { echo "fresh-smoke: FAILED: $*" >&2; exit 1; }

t0=$(date +%s)
bash scripts/demo.sh > /tmp/fresh-smoke-demo.log 2>&1 || { cat /tmp/fresh-smoke-demo.log >&2; fail "scripts/demo.sh did not start the demo (its output is above)"; }
t_demo=$(( $(date +%s) - t0 ))

hosts=$(node bin/grappe host list --json)
node -e '
  const hosts = JSON.parse(process.argv[1]);
  const bad = hosts.filter((h) => h.state !== "UP" || ["connection", "connector", "storage"].some((k) => h.indicators[k] === "red"));
  if (hosts.length !== 3 || bad.length > 0) {
    for (const h of bad) console.error(`host ${h.name}: ${h.state}, indicators ${JSON.stringify(h.indicators)}`);
    process.exit(1);
  }
' "$hosts" || fail "the demo's hosts are not all UP and green (reasons above)"
guests=$(node bin/grappe guest list --json)
node -e '
  const guests = JSON.parse(process.argv[1]);
  const vm = guests.find((g) => g.id === "vm:100");
  if (!vm || vm.state !== "running") { console.error(JSON.stringify(guests)); process.exit(1); }
' "$guests" || fail "the demo VM on the iSCSI volume is not running"
echo "fresh-smoke: demo up in ${t_demo} s: 3 hosts UP and green, vm:100 running on its iSCSI volume"

bash scripts/demo.sh stop >/dev/null
sleep 1
left=$(ps -eo comm= | grep -E '^(qemu-system|tgtd|lxc-start)' || true)
[ -z "$left" ] || fail "processes left after demo.sh stop: $left"
ip netns list | grep -q "gtb-$GRAPPE_DEMO_ID-" && fail "namespaces left after demo.sh stop: $(ip netns list | grep "gtb-$GRAPPE_DEMO_ID-")"
echo "fresh-smoke: demo stopped cleanly"
