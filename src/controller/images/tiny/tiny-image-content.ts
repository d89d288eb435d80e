// What goes into the tiny guest images, as data: the init scripts and the file lists.
// The I/O that reads busybox and writes archives lives in tiny-image.ts.
import type { CpioEntry } from './cpio-newc.ts';

/** Printed once at boot, then `TICK_PREFIX N` every second: tests and users watch for them. */
export const BANNER_PREFIX = 'grappe-tiny: booted';
export const TICK_PREFIX = 'grappe-tick';

// The accelerator as the guest sees it: the kernel logs "Hypervisor detected: KVM" only under KVM.
const ACCEL_PROBE = `if dmesg | grep -q 'Hypervisor detected: KVM'; then accel=kvm; else accel=tcg; fi`;

const TICKER = `i=0
while true; do
  i=$((i+1))
  echo "${TICK_PREFIX} $i"
  sleep 1
done`;

/**
 * Debian builds virtio as modules: these (in load order, dependencies first) let the guest see
 * virtio disks, e.g. an iSCSI volume QEMU attaches. Paths are under lib/modules/VERSION/kernel/.
 */
export const VM_MODULES = [
  'drivers/virtio/virtio_ring.ko',
  'drivers/virtio/virtio.ko',
  'drivers/virtio/virtio_pci_legacy_dev.ko',
  'drivers/virtio/virtio_pci_modern_dev.ko',
  'drivers/virtio/virtio_pci.ko',
  'drivers/block/virtio_blk.ko',
] as const;
export const INITRD_MODULE_DIR = 'lib/grappe-modules';
export const DISK_PREFIX = 'grappe-disk';

const moduleBase = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** /init of the VM initramfs: mounts, banner, disks seen, ticks in the background, a shell on the console. */
export const VM_INIT_SCRIPT = `#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in ${VM_MODULES.map(moduleBase).join(' ')}; do
  [ -f /${INITRD_MODULE_DIR}/$m ] && insmod /${INITRD_MODULE_DIR}/$m
done
${ACCEL_PROBE}
echo "${BANNER_PREFIX} (accel: $accel, kernel: $(uname -r))"
sleep 1
# Disks only: the guest reports what it sees and never writes to them.
for d in /sys/block/vd*; do
  [ -e "$d/size" ] && echo "${DISK_PREFIX} \${d##*/} $(cat $d/size) sectors"
done
(
${TICKER}
) &
# PID 1 must never exit, so a shell that ends is started again.
while true; do
  setsid cttyhack /bin/sh
done
`;

/** /sbin/init of the container: LXC already mounted /proc and /dev; ticks go to the console. */
export const CONTAINER_INIT_SCRIPT = `#!/bin/sh
# lxc-start gives a daemonized container's init /dev/null as stdio: talk to the console instead.
exec </dev/console >/dev/console 2>&1
/bin/busybox --install -s /bin 2>/dev/null
# A shell as PID 1 ignores signals it does not trap: halting is SIGTERM (lxc.signal.halt).
trap 'echo "grappe-tiny: halting"; exit 0' TERM
echo "${BANNER_PREFIX} (container: $(hostname))"
${TICKER}
`;

export const VM_DIRS = ['bin', 'dev', 'proc', 'sys', 'tmp', 'root', 'etc'] as const;
export const CONTAINER_DIRS = ['bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'root', 'etc', 'run', 'var', 'var/log'] as const;

/** The initramfs entries, given busybox's and the modules' bytes; /dev/console must exist before devtmpfs is mounted. */
export function vmInitramfsEntries(busybox: Uint8Array, modules: ReadonlyArray<{ path: string; data: Uint8Array }> = []): CpioEntry[] {
  return [
    ...VM_DIRS.map((path): CpioEntry => ({ kind: 'dir', path })),
    { kind: 'dir', path: 'lib' },
    { kind: 'dir', path: INITRD_MODULE_DIR },
    ...modules.map((m): CpioEntry => ({ kind: 'file', path: `${INITRD_MODULE_DIR}/${moduleBase(m.path)}`, data: m.data })),
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: busybox, mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: Buffer.from(VM_INIT_SCRIPT), mode: 0o755 },
    { kind: 'file', path: 'etc/passwd', data: Buffer.from('root:x:0:0:root:/root:/bin/sh\n') },
  ];
}

/** Text files of the container rootfs besides busybox and the init script. */
export const CONTAINER_ETC_FILES: Readonly<Record<string, string>> = {
  'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
  'etc/group': 'root:x:0:\n',
  'etc/hostname': 'grappe-tiny\n',
};

/** The kernel package `apt-cache depends linux-image-amd64` names, e.g. linux-image-6.1.0-56-amd64. */
export function kernelPackageFromDepends(output: string): string | undefined {
  const m = /Depends:\s*(linux-image-[0-9][^\s<>]*)/.exec(output);
  return m?.[1];
}
