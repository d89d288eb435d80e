#!/usr/bin/env bash
# Runs Grappe on this machine: installs what it needs, starts a controller (embedded SQLite store) and a
# demo pool of 3 hosts (1 storage, 2 processing), each a network namespace running a real agent, adds them
# through the CLI (changing the factory-default password), configures SAN, enables them, starts a VM (on an
# iSCSI volume made from the tiny image) and a container, and prints the API / web address and the admin
# credentials. Starts from scratch each time (the demo's own data only).
#   bash scripts/demo.sh          start (or restart) the demo
#   bash scripts/demo.sh stop     stop the controller and remove the demo pool
# Environment (a second demo beside the first, as the fresh-machine check runs one): GRAPPE_DEMO_DATA_DIR,
# GRAPPE_DEMO_PORT (8443), GRAPPE_DEMO_ID (demo: namespaces gtb-<id>-*), GRAPPE_DEMO_SLOT (0: 198.18.0-2.0/24).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${GRAPPE_DEMO_DATA_DIR:-/var/lib/grappe-demo}
PORT=${GRAPPE_DEMO_PORT:-8443}
ID=${GRAPPE_DEMO_ID:-demo}
SLOT=${GRAPPE_DEMO_SLOT:-0}
grappe() { node bin/grappe "$@"; }

stop_demo() {
  if [ -f "$DATA/controller.pid" ]; then kill "$(cat "$DATA/controller.pid")" 2>/dev/null || true; rm -f "$DATA/controller.pid"; fi
  node --import tsx scripts/testbed.ts down --id "$ID" >/dev/null 2>&1 || true
}
if [ "${1:-}" = stop ]; then stop_demo; echo "demo stopped"; exit 0; fi

bash scripts/install.sh
stop_demo
rm -rf "$DATA"; mkdir -p "$DATA"; chmod 700 "$DATA"

admin_password=$(openssl rand -base64 18 | tr -d '/+=' | cut -c1-20)
host_password=$(openssl rand -base64 18 | tr -d '/+=' | cut -c1-16)
echo "starting the demo pool (3 network-namespace hosts with real agents)…"
node --import tsx scripts/testbed.ts up --id "$ID" --slot "$SLOT" --hosts storage:1,processing:2 > "$DATA/testbed.json"
subnet() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).subnets[process.argv[2]])' "$DATA/testbed.json" "$1"; }
grappe init --data-dir "$DATA/controller" --name demo --password "$admin_password" \
  --lan "$(subnet lan)" --san "$(subnet san)" --ran "$(subnet ran)" \
  --url "https://127.0.0.1:$PORT" >/dev/null
(umask 077; printf 'admin\n%s\n' "$admin_password" > "$DATA/admin-credentials")

nohup node bin/grappe controller start --data-dir "$DATA/controller" --port "$PORT" > "$DATA/controller.log" 2>&1 &
echo $! > "$DATA/controller.pid"
for _ in $(seq 1 50); do
  if node -e "require('https').get({host:'127.0.0.1',port:$PORT,path:'/api/v1/health',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"; then break; fi
  sleep 0.2
done
grappe login --user admin --password "$admin_password" >/dev/null

# Hosts from the testbed's description: name purpose lanIp sanIp sanNic
node -e '
  const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const h of t.hosts) console.log([h.name, h.purpose, h.lanIp, h.sanIp, h.nics.san].join(" "));
' "$DATA/testbed.json" | while read -r name purpose lan san sannic; do
  echo "adding $purpose host $name ($lan)…"
  grappe host add --purpose "$purpose" --name "$name" --address "$lan" --password grappe --new-password "$host_password" >/dev/null
  if [ "$purpose" = processing ]; then
    grappe host maintenance "$name" >/dev/null
    grappe host nic edit "$name" "$sannic" --subnet SAN --ip "$san" >/dev/null
  fi
  grappe host enable "$name" >/dev/null
done

echo "building the tiny image and starting two demo guests (a VM on an iSCSI volume, a container)…"
grappe image build tiny >/dev/null
grappe volume create demo-vm-root --pool iscsi-storage1 --image tiny >/dev/null
grappe guest create --name demo-vm --vcpus 1 --memory 128 --disk demo-vm-root >/dev/null
grappe guest start vm:100 >/dev/null
grappe guest create --kind ct --name demo-ct --memory 64 --template tiny-ct >/dev/null
grappe guest start ct:101 >/dev/null
grappe host list
grappe guest list
echo "checking the pool (grappe doctor)…"
if grappe doctor > "$DATA/doctor.txt" 2>&1; then grep -E '^doctor:' "$DATA/doctor.txt"
else grep -E '^doctor:|FAIL' "$DATA/doctor.txt"; echo "  (details and fixes: npx grappe doctor)"; fi

cat <<MSG

Grappe is running.
  API and web UI:  https://127.0.0.1:$PORT/   (OpenAPI: https://127.0.0.1:$PORT/api/v1/openapi.json)
  admin user:      admin
  admin password:  $admin_password     (also in $DATA/admin-credentials)
  host password:   $host_password      (set on the demo hosts in place of the factory default)
  CLI:             npx grappe host list     (already logged in)
  a guest console: npx grappe console vm:100   (Ctrl+] to leave; the VM ticks once a second after its ~10 s boot)
  stop the demo:   bash scripts/demo.sh stop
MSG
