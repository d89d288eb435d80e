#!/usr/bin/env bash
# Installs what Grappe needs on a Debian 12 machine (run as root): system packages, npm packages, the
# build; then checks that each capability really works (`grappe doctor --local`) and stops with the
# name of the missing piece if one does not. Safe to run again: it skips what is already there.
#   --with-test-tools   also what the tests and benchmarks need: Chromium (browser tests, driven by
#                       playwright-core) and ganeti-htools (the placement benchmark's comparison)
set -euo pipefail
cd "$(dirname "$0")/.."

# qemu-system-x86/qemu-utils: VMs, volumes, qemu-nbd (HA heartbeats); qemu-block-extra: QEMU's iSCSI
# client (shared volumes; without it QEMU says "Unknown protocol 'iscsi'"); lxc: containers; tgt: the
# iSCSI target; busybox-static/cpio: the tiny image and container template; iproute2/iputils-ping:
# the network driver and the testbed; openssl: certificates; dosfstools/mtools/syslinux: the bootable
# tiny disk image, built without mounting anything; etcd-server: the store of a cluster of controllers
# (`grappe cluster create`; Grappe starts its own members on ports 7379/7380, never the distribution's
# service); iputils-arping: the gratuitous ARP of the floating management address; acl: a running VM's
# QEMU (an unprivileged user) is let read the CD inserted into it.
packages=(qemu-system-x86 qemu-utils qemu-block-extra lxc tgt busybox-static cpio iproute2 iputils-ping openssl ca-certificates
  dosfstools mtools syslinux syslinux-common etcd-server iputils-arping acl)
with_test_tools=0
[ "${1:-}" = --with-test-tools ] && with_test_tools=1
[ "$with_test_tools" = 1 ] && packages+=(chromium ganeti-htools prometheus)

missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install.sh: missing Debian packages (${missing[*]}); run as root" >&2; exit 1; fi
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run -s build

# The unprivileged user VMs' QEMU becomes once it has opened its disks, taps and sockets.
if ! getent passwd grappe-qemu >/dev/null && [ "$(id -u)" -eq 0 ]; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin grappe-qemu
fi

# Each capability tried for real (QEMU opens an iscsi:// URL, a throwaway tgtd answers, bridges and
# veths can be made…): a package that did not install, or a kernel that lacks a feature, stops here
# with what is missing and how to fix it, instead of surfacing later as a guest that cannot start.
echo "checking this machine (grappe doctor --local)…"
if ! node bin/grappe doctor --local --dir "$PWD" > /tmp/grappe-install-doctor.txt 2>&1; then
  cat /tmp/grappe-install-doctor.txt >&2
  echo "install.sh: this machine cannot run Grappe yet: see the FAIL lines above and their fix" >&2
  exit 1
fi
grep -E '^doctor:' /tmp/grappe-install-doctor.txt
if [ "$with_test_tools" = 1 ]; then
  chromium --version >/dev/null 2>&1 || { echo "install.sh: chromium does not run (apt-get install chromium): the browser tests need it" >&2; exit 1; }
  [ -x /usr/lib/ganeti/iallocators/hail ] || { echo "install.sh: ganeti's hail is missing (apt-get install ganeti-htools): the placement benchmark compares with it" >&2; exit 1; }
fi
echo "install: ok"
