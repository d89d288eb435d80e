#!/usr/bin/env bash
# Installs what Grappe needs on a Debian 12 machine (run as root): system packages, npm packages, the build.
# Safe to run again: it skips what is already there.
#   --with-test-tools   also what the tests need (Chromium, driven by playwright-core for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

# qemu/lxc/tgt/busybox: the hypervisor and storage stack the agent drives and reports on;
# iproute2/iputils-ping: the agent's network driver and the testbed; openssl: certificate inspection;
# dosfstools/mtools/syslinux: the bootable tiny disk image, built without mounting anything.
packages=(qemu-system-x86 qemu-utils lxc tgt busybox-static cpio iproute2 iputils-ping openssl ca-certificates
  dosfstools mtools syslinux syslinux-common)
[ "${1:-}" = --with-test-tools ] && packages+=(chromium)
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
echo "install: ok"
