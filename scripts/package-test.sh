#!/usr/bin/env bash
# The .deb packages, installed and upgraded as an admin would (run by fresh-check.sh in a pristine
# Debian root, after install.sh; needs root): builds version A and B of both packages, installs A
# with apt, starts the two services from their installed systemd units (the fresh root has no systemd:
# each unit's User, CapabilityBoundingSet, EnvironmentFile, ExecStart and log file are honoured by
# run_unit below), enrolls
# the agent, starts a container, then upgrades to B while they run and checks the cluster kept its
# state: same cluster, host UP on agent B, the container still running, the data dir and settings kept.
# The services run in their own network namespace (a host at 198.18.0.250), so nothing of the
# machine's network is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
A=0.1.0+pkgtest1
B=0.1.0+pkgtest2
NS=gpkg
ADDR=198.18.0.250
out=$(mktemp -d)
pids=()
fail() { echo "package-test: FAILED: $*" >&2; tail -n 30 /var/log/grappe/*.log >&2 2>/dev/null || true; exit 1; }
cleanup() {
  set +e
  ip netns exec "$NS" lxc-stop -k -P /var/lib/grappe-agent/lxc -n ct-100 >/dev/null 2>&1
  stop_units
  ip netns del "$NS" 2>/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq grappe-controller grappe-agent >/dev/null 2>&1
  rm -rf "$out" /var/lib/grappe /var/lib/grappe-agent /var/log/grappe
}
trap cleanup EXIT

# Starts a service the way systemd would from its installed unit: as its User, bounded by its
# CapabilityBoundingSet, with its EnvironmentFile, its ExecStart (${VAR} expanded), appending to its
# StandardOutput file.
run_unit() {
  local unit=/lib/systemd/system/$1.service
  local user env exec log caps
  user=$(sed -n 's/^User=//p' "$unit"); env=$(sed -n 's/^EnvironmentFile=//p' "$unit")
  exec=$(sed -n 's/^ExecStart=//p' "$unit"); log=$(sed -n 's/^StandardOutput=append://p' "$unit")
  caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
  [ -n "$exec" ] || fail "$unit has no ExecStart"
  local as=(setpriv)
  [ -z "$user" ] || as+=(--reuid "$user" --regid "$user" --init-groups)
  [ -z "$caps" ] || as+=(--bounding-set "-all,$caps")
  ( set -a; . "$env"; set +a
    cmd=$(eval "echo \"$exec\"")
    exec ip netns exec "$NS" "${as[@]}" -- $cmd >> "$log" 2>&1 ) &
  pids+=($!)
}
# KillMode=process for the agent: only the services' own processes stop, guests keep running.
stop_units() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done; pids=(); }
grappe() { ip netns exec "$NS" /usr/bin/grappe "$@"; }
wait_for() { # seconds, what, command…
  local until=$(( $(date +%s) + $1 )) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$until" ] || fail "timed out waiting for $what"; sleep 1; done
}
json() { node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{const v=JSON.parse(s);console.log($1)})"; }

t0=$(date +%s)
bash scripts/package-deb.sh --version "$A" --out "$out" >/dev/null
bash scripts/package-deb.sh --version "$B" --out "$out" >/dev/null
echo "package-test: built $A and $B in $(( $(date +%s) - t0 )) s"

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add pkg0 type veth peer name pkg1
ip -n "$NS" addr add "$ADDR/24" dev pkg0
ip -n "$NS" link set pkg0 up && ip -n "$NS" link set pkg1 up

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$out/grappe-controller_${A}_$(dpkg --print-architecture).deb" "$out/grappe-agent_${A}_all.deb" >/dev/null
id grappe >/dev/null || fail "the service user grappe was not made"
# The log rotation the packages install is valid for logrotate itself (a dry run).
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends logrotate >/dev/null
logrotate -d /etc/logrotate.d/grappe-controller /etc/logrotate.d/grappe-agent > /tmp/package-test-logrotate.txt 2>&1 ||
  { cat /tmp/package-test-logrotate.txt >&2; fail "logrotate refuses the packages' configuration"; }
[ "$(stat -c %U:%a /var/lib/grappe)" = grappe:750 ] || fail "/var/lib/grappe is $(stat -c %U:%a /var/lib/grappe), not grappe:750"
[ "$(stat -c %a /etc/grappe/initial-admin-password)" = 600 ] || fail "the initial admin password is not 0600"
[ "$(stat -c %U:%a /var/lib/grappe/pki/ca.key)" = grappe:600 ] || fail "the CA key is $(stat -c %U:%a /var/lib/grappe/pki/ca.key), not grappe:600"
password=$(cat /etc/grappe/initial-admin-password)
cluster=$(node -p 'require("/var/lib/grappe/cluster.json").id')
echo "package-test: $A installed (cluster $cluster, service user grappe, settings in /etc/grappe)"

run_unit grappe-agent
run_unit grappe-controller
wait_for 30 "the controller" grappe login --url "https://127.0.0.1:8443" --user admin --password "$password" --ca /var/lib/grappe/pki/ca.crt
grappe host add --purpose processing --name pkghost --address "$ADDR" --password grappe --new-password pkg-host-password >/dev/null
grappe host enable pkghost >/dev/null
grappe guest create --kind ct --name pkgct --memory 64 --template busybox >/dev/null
grappe guest start ct:100 >/dev/null
[ "$(grappe guest list --json | json 'v.find(g=>g.id==="ct:100").state')" = running ] || fail "the container did not start"
echo "package-test: agent enrolled, host UP, container ct:100 running on $A"

# Upgrade while the cluster runs: the services stop (the agent alone: its container stays up), the
# packages are replaced, the services start again from the new files.
stop_units
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$out/grappe-controller_${B}_$(dpkg --print-architecture).deb" "$out/grappe-agent_${B}_all.deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' grappe-controller)" = "$B" ] && [ "$(dpkg-query -W -f='${Version}' grappe-agent)" = "$B" ] || fail "the packages are not at $B"
run_unit grappe-agent
run_unit grappe-controller
wait_for 30 "the upgraded controller" grappe host list
[ "$(node -p 'require("/var/lib/grappe/cluster.json").id')" = "$cluster" ] || fail "the upgrade made a new cluster"
[ "$(cat /etc/grappe/initial-admin-password)" = "$password" ] || fail "the upgrade changed the admin password"
health=$(NODE_EXTRA_CA_CERTS=/var/lib/grappe/pki/ca.crt ip netns exec "$NS" node -e "fetch('https://127.0.0.1:8443/api/v1/health').then(r=>r.json()).then(b=>console.log(b.version))")
[ "$health" = "$B" ] || fail "the controller reports version '$health', not $B"
wait_for 30 "host pkghost UP on agent $B" sh -c "ip netns exec $NS /usr/bin/grappe host list --json | node -e \"let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{const h=JSON.parse(s).find(x=>x.name==='pkghost');process.exit(h&&h.state==='UP'&&h.agentVersion==='$B'?0:1)})\""
wait_for 30 "ct:100 still running" sh -c "ip netns exec $NS /usr/bin/grappe guest list --json | grep -q '\"state\": *\"running\"'"
echo "package-test: upgraded to $B in place: cluster $cluster kept, host pkghost UP on agent $B, ct:100 still running, controller reports $health"
echo "package-test: passed in $(( $(date +%s) - t0 )) s"
