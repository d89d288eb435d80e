#!/usr/bin/env bash
# Builds the Debian packages of Grappe with dpkg-deb, from the bundled builds (scripts/build.mjs):
#   grappe-controller_<version>_<arch>.deb  the controller and the `grappe` CLI, the web UI, the agent
#                                           bundle it pushes to hosts, its npm dependencies (production
#                                           only; better-sqlite3 is native, hence the architecture)
#   grappe-agent_<version>_all.deb          the agent: one self-contained file
# Both have a systemd unit, settings in /etc/grappe (conffiles, kept on upgrade), logs in /var/log/grappe
# (logrotate), data in /var/lib/grappe[-agent] (never deleted by the packages).
#   bash scripts/package-deb.sh [--version V] [--out DIR]     (default: package.json's version, ./dist/deb)
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p 'require("./package.json").version')
out=dist/deb
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "package-deb: unknown option '$1' (use --version V, --out DIR)" >&2; exit 2 ;;
  esac
done
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || { echo "package-deb: '$version' is not a Debian version (digits first, then [A-Za-z0-9.+~-])" >&2; exit 2; }
command -v dpkg-deb >/dev/null || { echo "package-deb: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }
[ -d node_modules ] || { echo "package-deb: run scripts/install.sh first (node_modules is missing)" >&2; exit 1; }
arch=$(dpkg --print-architecture)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "package-deb: building version $version"
node scripts/build.mjs --version "$version" --out-dir "$work/dist"

common_files() { # $1: package root; $2: env file name
  install -D -m 0644 "packaging/deb/$2.env" "$1/etc/grappe/$2.env"
  install -d "$1/etc/logrotate.d"
  sed "s/@NAME@/$2/" packaging/deb/logrotate > "$1/etc/logrotate.d/grappe-$2"
  install -D -m 0644 "packaging/grappe-$2.service" "$1/lib/systemd/system/grappe-$2.service"
  install -D -m 0644 README.md "$1/usr/share/doc/grappe-$2/README.md"
  install -d "$1/DEBIAN"
  printf '/etc/grappe/%s.env\n/etc/logrotate.d/grappe-%s\n' "$2" "$2" > "$1/DEBIAN/conffiles"
  for s in postinst prerm postrm; do install -m 0755 "packaging/deb/$2/$s" "$1/DEBIAN/$s"; done
}

# ── grappe-controller ──────────────────────────────────────────────────────────────────────────────
c="$work/grappe-controller"
lib="$c/usr/lib/grappe"
install -d "$lib/bin" "$lib/dist" "$lib/web" "$c/usr/bin"
install -m 0755 bin/grappe "$lib/bin/grappe"
install -m 0644 "$work/dist/grappe.mjs" "$work/dist/grappe-agent.mjs" "$lib/dist/"
cp -r web/dist "$lib/web/dist"
node -e '
  const pkg = require("./package.json");
  const { dependencies, name, description, license, engines, type } = pkg;
  process.stdout.write(JSON.stringify({ name, version: process.argv[1], description, license, type, engines, dependencies, private: true }, null, 2) + "\n");
' "$version" > "$lib/package.json"
cp package-lock.json "$lib/"
# Production dependencies only, from the ones installed here (no network): a copy pruned of dev ones.
cp -r node_modules "$lib/node_modules"
(cd "$lib" && npm prune --omit=dev --no-audit --no-fund --loglevel=error >/dev/null && rm -f package-lock.json)
ln -s ../lib/grappe/bin/grappe "$c/usr/bin/grappe"
common_files "$c" controller
size=$(du -sk "$c" | cut -f1)
cat > "$c/DEBIAN/control" <<CONTROL
Package: grappe-controller
Version: $version
Architecture: $arch
Maintainer: Grappe developers <grappe@localhost>
Installed-Size: $size
Depends: nodejs (>= 20), openssl, passwd, iproute2, busybox-static, cpio, dosfstools, mtools, syslinux, syslinux-common
Recommends: etcd-server, iputils-arping, logrotate
Section: admin
Priority: optional
Description: Grappe virtualization cluster manager: controller, CLI and web UI
 Pools Linux servers into one cluster of QEMU/KVM virtual machines and LXC containers on shared
 storage, with live migration, host evacuation and HA failover.
CONTROL
dpkg-deb --root-owner-group --build "$c" "$out/grappe-controller_${version}_${arch}.deb" >/dev/null

# ── grappe-agent ───────────────────────────────────────────────────────────────────────────────────
a="$work/grappe-agent"
install -D -m 0755 "$work/dist/grappe-agent.mjs" "$a/usr/lib/grappe-agent/grappe-agent.mjs"
common_files "$a" agent
size=$(du -sk "$a" | cut -f1)
cat > "$a/DEBIAN/control" <<CONTROL
Package: grappe-agent
Version: $version
Architecture: all
Maintainer: Grappe developers <grappe@localhost>
Installed-Size: $size
Depends: nodejs (>= 20), qemu-system-x86, qemu-utils, qemu-block-extra, lxc, tgt, busybox-static, iproute2, openssl, passwd, acl, util-linux
Recommends: logrotate
Section: admin
Priority: optional
Description: Grappe agent: runs the guests, volumes and HA watchdog of one host
 The connector a Grappe controller enrolls and drives over mutual TLS: QEMU/KVM VMs, LXC
 containers, an iSCSI target, bridges, usage figures and the HA self-fence watchdog.
CONTROL
dpkg-deb --root-owner-group --build "$a" "$out/grappe-agent_${version}_all.deb" >/dev/null
ls -l "$out"/grappe-*_"${version}"_*.deb | awk '{ printf "package-deb: %s (%d KiB)\n", $9, $5 / 1024 }'
