#!/usr/bin/env bash
# Runs Grappe on this machine: installs what it needs, starts a controller (embedded SQLite store) and a
# demo pool of 3 hosts (1 storage, 2 processing), each a network namespace running a real agent, adds them
# through the CLI (changing the factory-default password), configures SAN, enables them, starts a VM (on an
# iSCSI volume made from the tiny image) and a container, and prints the API / web address and the admin
# credentials. Starts from scratch each time (the demo's own data only).
#   bash scripts/demo.sh                   start (or restart) the demo
#   bash scripts/demo.sh --controllers 3   the same with a cluster of 3 controllers on etcd, each in its own
#                                          network namespace (machine), behind a floating address on the LAN
#   bash scripts/demo.sh stop              stop the controller(s) and remove the demo pool
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
  for pid_file in "$DATA"/controller.pid "$DATA"/ctl*/controller.pid; do
    if [ -f "$pid_file" ]; then kill "$(cat "$pid_file")" 2>/dev/null || true; rm -f "$pid_file"; fi
  done
  node --import tsx scripts/testbed.ts down --id "$ID" >/dev/null 2>&1 || true # also ends the etcd members
}
CONTROLLERS=1
case "${1:-}" in
  stop) stop_demo; echo "demo stopped"; exit 0 ;;
  --controllers)
    CONTROLLERS=${2:-}
    [[ "$CONTROLLERS" =~ ^[135]$ ]] || { echo "demo.sh: --controllers '$CONTROLLERS' refused: expected 1, 3 or 5 (an odd number keeps a majority through a failure)" >&2; exit 2; } ;;
  "") ;;
  *) echo "demo.sh: unknown argument '$1' (expected nothing, --controllers N, or stop)" >&2; exit 2 ;;
esac

bash scripts/install.sh
stop_demo
rm -rf "$DATA"; mkdir -p "$DATA"; chmod 700 "$DATA"

admin_password=$(openssl rand -base64 18 | tr -d '/+=' | cut -c1-20)
host_password=$(openssl rand -base64 18 | tr -d '/+=' | cut -c1-16)
echo "starting the demo pool (3 network-namespace hosts with real agents)…"
controller_args=()
[ "$CONTROLLERS" -gt 1 ] && controller_args=(--controllers "$CONTROLLERS")
node --import tsx scripts/testbed.ts up --id "$ID" --slot "$SLOT" --hosts storage:1,processing:2 "${controller_args[@]}" > "$DATA/testbed.json"
testbed() { node -e "const t = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')); console.log($1)" "$DATA/testbed.json"; }
subnet() { testbed "t.subnets['$1']"; }
(umask 077; printf 'admin\n%s\n' "$admin_password" > "$DATA/admin-credentials")
wait_api() { # address
  for _ in $(seq 1 150); do
    if node -e "require('https').get({host:'$1',port:$PORT,path:'/api/v1/health',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"; then return 0; fi
    sleep 0.2
  done
  echo "demo.sh: the controller at $1:$PORT did not answer within 30 s" >&2; return 1
}

if [ "$CONTROLLERS" -eq 1 ]; then
  grappe init --data-dir "$DATA/controller" --name demo --password "$admin_password" \
    --lan "$(subnet lan)" --san "$(subnet san)" --ran "$(subnet ran)" \
    --url "https://127.0.0.1:$PORT" >/dev/null
  nohup node bin/grappe controller start --data-dir "$DATA/controller" --port "$PORT" > "$DATA/controller.log" 2>&1 &
  echo $! > "$DATA/controller.pid"
  wait_api 127.0.0.1
  API_URL="https://127.0.0.1:$PORT"
  grappe login --user admin --password "$admin_password" >/dev/null
else
  # Each controller on its own machine (namespace): `cluster create` on the first, then a single-use
  # token and `cluster join` for each other one; the floating address (.100 of the LAN) follows the leader.
  lan=$(subnet lan)
  vip=$(node -e "const [a,p]=process.argv[1].split('/'); const n=a.split('.').map(Number).reduce((x,y)=>x*256+y)+100; console.log([24,16,8,0].map(s=>(n>>>s)&255).join('.')+'/'+p)" "$lan")
  API_URL="https://${vip%/*}:$PORT"
  start_controller() { # name namespace
    nohup ip netns exec "$2" node bin/grappe controller start --data-dir "$DATA/$1" --port "$PORT" > "$DATA/$1.log" 2>&1 &
    echo $! > "$DATA/$1/controller.pid"
  }
  for i in $(seq 0 $((CONTROLLERS - 1))); do
    name=$(testbed "t.controllers[$i].name"); ns=$(testbed "t.controllers[$i].namespace"); ip=$(testbed "t.controllers[$i].lanIp")
    echo "starting controller $name ($ip) with its etcd member…"
    in_ns=(ip netns exec "$ns" node bin/grappe)
    placement=(--data-dir "$DATA/$name" --name "$name" --address "$ip" --vip-interface eth0)
    if [ "$i" -eq 0 ]; then
      "${in_ns[@]}" init --data-dir "$DATA/$name" --name demo --password "$admin_password" --lan "$lan" --san "$(subnet san)" --ran "$(subnet ran)" >/dev/null
      "${in_ns[@]}" cluster create "${placement[@]}" --vip "$vip" >/dev/null
      start_controller "$name" "$ns"
      wait_api "$ip"
      grappe login --url "$API_URL" --user admin --password "$admin_password" --ca "$DATA/$name/pki/ca.crt" >/dev/null
    else
      token=$(grappe cluster token --json | node -e "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>console.log(JSON.parse(s).token))")
      "${in_ns[@]}" cluster join "$API_URL" --token "$token" "${placement[@]}" >/dev/null
      start_controller "$name" "$ns"
      wait_api "$ip"
    fi
  done
  grappe cluster status
  # The controller machines have no route out of the demo LAN, and the leader builds the tiny image: fetch
  # Debian's kernel package here once and put it in each controller's kernel cache.
  kernel_pkg=$(apt-cache depends linux-image-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
  mkdir -p "$DATA/kernel-download"
  (cd "$DATA/kernel-download" && apt-get download "$kernel_pkg" >/dev/null 2>&1) || { echo "demo.sh: could not download $kernel_pkg" >&2; exit 1; }
  for i in $(seq 0 $((CONTROLLERS - 1))); do
    name=$(testbed "t.controllers[$i].name")
    mkdir -p "$DATA/$name/images/kernel-cache" && cp "$DATA"/kernel-download/*.deb "$DATA/$name/images/kernel-cache/"
  done
fi

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
  API and web UI:  $API_URL/   (OpenAPI: $API_URL/api/v1/openapi.json)
  admin user:      admin
  admin password:  $admin_password     (also in $DATA/admin-credentials)
  host password:   $host_password      (set on the demo hosts in place of the factory default)
  CLI:             npx grappe host list     (already logged in)
  a guest console: npx grappe console vm:100   (Ctrl+] to leave; the VM ticks once a second after its ~10 s boot)
  stop the demo:   bash scripts/demo.sh stop
MSG
if [ "$CONTROLLERS" -gt 1 ]; then
  cat <<MSG
  controllers:     npx grappe cluster status   ($CONTROLLERS controllers on etcd; $API_URL follows the leader)
  try a failover:  kill -9 the leader's processes (ip netns pids gtb-$ID-<leader> | xargs kill -9), then npx grappe cluster status
MSG
fi
