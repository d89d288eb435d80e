// The QEMU command line for a VM spec. Pure: the driver adds nothing to it but the binary.
import { join } from 'node:path';
import { DEFAULT_CMDLINE } from '../../contract/agent-constants.ts';
import { dottedOptions, iscsiNode, optValue, parseIscsiUrl, secretObject } from './iscsi-client.ts';
import type { VmSpec } from './vm-spec.ts';

export type Accel = 'kvm' | 'tcg';

export interface VmPaths {
  dir: string;
  pidfile: string;
  qmp: string;
  /** A second QMP monitor for long conversations (events, migration): QEMU serves one client per monitor. */
  qmpLong: string;
  serial: string;
  serialLog: string;
  spec: string;
}

export const QEMU_BINARY = 'qemu-system-x86_64';
/** The CPU model under KVM; the KVM probe uses the same, so its answer holds for real VMs. */
export const KVM_CPU_ARGS = ['-cpu', 'host'] as const;

/** The CD-ROM's qdev id, which QMP's blockdev-change-medium and eject name. */
export const CDROM_DEVICE = 'cd0';
const CDROM_DRIVE = 'cdrom0';

/** `-name guest=ID`: the marker that lets a restarted agent tell our QEMU processes apart. */
export const nameMarker = (id: string): string => `guest=${id}`;

/**
 * A destination of a live migration: QEMU waits for the memory (`-incoming defer`, the address is
 * given later over QMP). `nbdDisks` are the local disks a mirror fills while it waits: those must be
 * exported writable over NBD before the guest runs, which QEMU allows only for -blockdev nodes whose
 * device shares writes, so then every disk is declared as a node plus an explicit virtio-blk device,
 * after the NICs: the PCI slots `-drive if=virtio` gets on the source (its devices come after -device).
 */
export interface IncomingArgs {
  readonly nbdDisks: readonly number[];
}

/** Where the driver writes disk `index`'s CHAP secret (0600) for QEMU to read. */
export const chapSecretFile = (paths: VmPaths, index: number): string => join(paths.dir, `disk${index}.chap`);

/**
 * The -drive source of a disk: a file or iSCSI URL as is; an iSCSI LUN with CHAP as the iscsi node's
 * options, its secret read from a file through `-object secret` (the password is never an argument).
 */
function driveSource(disk: VmSpec['disks'][number], index: number, paths: VmPaths): { objects: string[]; source: string } {
  const target = disk.chap ? parseIscsiUrl(disk.path) : undefined;
  if (!disk.chap || !target) return { objects: [], source: `file=${optValue(disk.path)}` };
  const secretId = `disk${index}-chap`;
  return {
    objects: ['-object', secretObject(secretId, chapSecretFile(paths, index))],
    source: dottedOptions('file.', iscsiNode(target, { user: disk.chap.user, secretId })),
  };
}

export interface QemuProcessOptions {
  /** A live migration's destination (see IncomingArgs). */
  readonly incoming?: IncomingArgs | undefined;
  /**
   * The unprivileged user QEMU becomes once it has opened its taps, disks, secrets and sockets (QEMU's
   * -runas, as libvirt runs QEMU as libvirt-qemu): a guest that breaks out of QEMU is not root.
   */
  readonly runAs?: string | undefined;
}

export function qemuArgs(spec: VmSpec, paths: VmPaths, accel: Accel, opts: QemuProcessOptions = {}): string[] {
  const { incoming, runAs } = opts;
  const args = [
    '-name',
    `${nameMarker(spec.id)},debug-threads=on`,
    '-accel',
    accel,
    '-machine',
    'q35',
    ...(accel === 'kvm' ? KVM_CPU_ARGS : []),
    '-m',
    String(spec.memoryMiB),
    '-smp',
    String(spec.vcpus),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    ...(runAs === undefined ? [] : ['-runas', runAs]),
    // Detached from the agent: its own session, survives the agent's restart or update.
    '-daemonize',
    '-pidfile',
    paths.pidfile,
    '-qmp',
    `unix:${optValue(paths.qmp)},server=on,wait=off`,
    '-qmp',
    `unix:${optValue(paths.qmpLong)},server=on,wait=off`,
    // The log keeps the console history, so a restarted agent's console relay has scrollback.
    '-chardev',
    `socket,id=serial0,path=${optValue(paths.serial)},server=on,wait=off,logfile=${optValue(paths.serialLog)},logappend=on`,
    '-serial',
    'chardev:serial0',
  ];
  if (spec.kernel !== undefined) {
    args.push('-kernel', spec.kernel, '-append', spec.cmdline ?? DEFAULT_CMDLINE);
    if (spec.initrd !== undefined) args.push('-initrd', spec.initrd);
  }
  const explicitDisks = incoming !== undefined && incoming.nbdDisks.length > 0;
  spec.disks.forEach((d, i) => {
    const { objects, source } = driveSource(d, i, paths);
    if (!explicitDisks) args.push(...objects, '-drive', `${source},format=${d.format},if=virtio,cache=none,id=disk${i}`);
    else if (!incoming.nbdDisks.includes(i)) args.push(...objects, '-drive', `${source},format=${d.format},if=none,cache=none,id=disk${i}`);
    else
      args.push(
        '-blockdev',
        `driver=file,filename=${optValue(d.path)},node-name=disk${i}-file,cache.direct=on`,
        '-blockdev',
        `driver=${d.format},file=disk${i}-file,node-name=disk${i}`,
      );
  });
  // The CD-ROM drive always exists, so an ISO can be inserted into a running VM over QMP.
  if (spec.cdrom !== null) args.push('-drive', `if=none,id=${CDROM_DRIVE},media=cdrom,readonly=on,format=raw,file=${optValue(spec.cdrom)}`);
  args.push('-device', `ide-cd,id=${CDROM_DEVICE},bus=ide.0${spec.cdrom !== null ? `,drive=${CDROM_DRIVE}` : ''}`);
  if (spec.kernel === undefined) args.push('-boot', 'order=cd');
  spec.nics.forEach((n, i) => {
    args.push('-netdev', `tap,id=net${i},ifname=${n.tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=net${i},mac=${n.mac}`);
  });
  if (explicitDisks) spec.disks.forEach((_d, i) => args.push('-device', `virtio-blk-pci,drive=disk${i}${incoming.nbdDisks.includes(i) ? ',share-rw=on' : ''}`));
  if (incoming !== undefined) args.push('-incoming', 'defer');
  return args;
}

/** QEMU's own complaint, without the binary-name prefix it adds to every line. */
export function qemuFailureReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^qemu-system-[a-z0-9_]+: /, '').trim())
    .filter(Boolean);
  return lines.join('; ') || 'QEMU exited without a message';
}
