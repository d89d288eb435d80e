// What goes into the tiny bootable disk, as data: the bootloader config, the disk size, the tools
// that build it and the stamp that says which inputs a built disk came from. The I/O lives in
// tiny-disk.ts.
import { createHash } from 'node:crypto';
import { DEFAULT_CMDLINE } from '../../../contract/agent-constants.ts';
import { errors } from '../../../core/errors.ts';

/**
 * The disk is one unpartitioned FAT filesystem ("superfloppy") whose boot sector is SYSLINUX's:
 * SeaBIOS boots it as a hard disk, and every tool involved works on the plain file, nothing mounted.
 */
export const TINY_DISK_FILE = 'tiny-disk.raw';
export const TINY_DISK_STAMP_FILE = 'tiny-disk.stamp';
/** Names inside the FAT filesystem, as syslinux.cfg refers to them. */
export const DISK_KERNEL_NAME = 'vmlinuz';
export const DISK_INITRD_NAME = 'initrd.gz';
export const DISK_CONFIG_NAME = 'syslinux.cfg';
export const DISK_VOLUME_LABEL = 'GRAPPE';

const MIB = 1024 * 1024;
export const MIN_DISK_BYTES = 48 * MIB;
// FAT16 tops out near 2 GiB with the cluster sizes mkfs.fat picks; a tiny image is far below.
export const MAX_DISK_BYTES = 2048 * MIB;
// Room for SYSLINUX's own files (ldlinux.sys + ldlinux.c32, ~180 KiB) and the FAT tables.
const SLACK_BYTES = 8 * MIB;

// Bumped when the way the disk is laid out changes, so disks built by older code are rebuilt.
const LAYOUT_VERSION = 1;

/** Each command the build runs, with the Debian package that provides it. */
export const DISK_TOOLS = [
  { tool: 'mkfs.fat', pkg: 'dosfstools' },
  { tool: 'mcopy', pkg: 'mtools' },
  { tool: 'syslinux', pkg: 'syslinux' },
] as const;

/** Boots straight into the kernel: no prompt, no menu, so no SYSLINUX modules are needed. */
export function syslinuxConfig(cmdline: string = DEFAULT_CMDLINE): string {
  if (/[\r\n]/.test(cmdline)) throw errors.invalidInput('tiny disk build refused: the kernel command line must be a single line');
  return [
    'DEFAULT grappe',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL grappe',
    `  KERNEL /${DISK_KERNEL_NAME}`,
    `  INITRD /${DISK_INITRD_NAME}`,
    `  APPEND ${cmdline}`,
    '',
  ].join('\n');
}

/** The disk size for files totalling `payloadBytes`: whole MiB, at least MIN_DISK_BYTES. */
export function tinyDiskSizeBytes(payloadBytes: number): number {
  if (!Number.isSafeInteger(payloadBytes) || payloadBytes < 0) {
    throw errors.invalidInput(`tiny disk build refused: payload size ${payloadBytes} is not a byte count`);
  }
  // An eighth more than the files, for cluster rounding and directory entries.
  const needed = Math.ceil((payloadBytes + payloadBytes / 8 + SLACK_BYTES) / MIB) * MIB;
  const size = Math.max(MIN_DISK_BYTES, needed);
  if (size > MAX_DISK_BYTES) {
    throw errors.invalidInput(
      `tiny disk build refused: the kernel and initrd need a ${size / MIB} MiB disk, above the ${MAX_DISK_BYTES / MIB} MiB a FAT16 boot disk allows`,
    );
  }
  return size;
}

export interface TinyDiskInputs {
  kernelSha256: string;
  initrdSha256: string;
  config: string;
  sizeBytes: number;
}

/** Identifies a disk's inputs: equal stamps, same disk content (up to timestamps). */
export function tinyDiskStamp(inputs: TinyDiskInputs): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: LAYOUT_VERSION, k: inputs.kernelSha256, i: inputs.initrdSha256, c: inputs.config, s: inputs.sizeBytes }))
    .digest('hex');
}

/** The stamp file: the inputs' stamp and the hash of the disk built from them. */
export interface TinyDiskStampFile {
  inputs: string;
  sha256: string;
}

export function parseStampFile(text: string): TinyDiskStampFile | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const { inputs, sha256 } = v as Record<string, unknown>;
    return typeof inputs === 'string' && typeof sha256 === 'string' ? { inputs, sha256 } : undefined;
  } catch {
    return undefined;
  }
}

/** The refusal for missing build tools, naming the packages to install. */
export function missingToolsMessage(missing: ReadonlyArray<{ tool: string; pkg: string }>): string {
  const list = missing.map((m) => `${m.tool} (package ${m.pkg})`).join(', ');
  const pkgs = [...new Set(missing.map((m) => m.pkg))].join(' ');
  return `tiny disk build refused: missing ${list}; install with: apt-get install -y ${pkgs}`;
}
