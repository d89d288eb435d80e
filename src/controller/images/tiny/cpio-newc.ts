// Writes a cpio "newc" archive (the format the Linux kernel unpacks as an initramfs) in memory,
// so building the tiny image needs no cpio binary. Pure: entries in, bytes out.

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const TRAILER = 'TRAILER!!!';

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, size: number, name: string, rdev: { major: number; minor: number }): string {
  const nameSize = Buffer.byteLength(name) + 1; // counts the NUL
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  return [
    '070701',
    hex8(ino),
    hex8(mode),
    hex8(0),
    hex8(0),
    hex8(mode & S_IFDIR ? 2 : 1),
    hex8(0),
    hex8(size),
    hex8(0),
    hex8(0),
    hex8(rdev.major),
    hex8(rdev.minor),
    hex8(nameSize),
    hex8(0),
  ].join('');
}

function record(ino: number, mode: number, name: string, data: Uint8Array, rdev = { major: 0, minor: 0 }): Buffer[] {
  const head = Buffer.from(header(ino, mode, data.length, name, rdev) + name + '\0', 'latin1');
  return [head, Buffer.alloc(pad4(head.length)), Buffer.from(data), Buffer.alloc(pad4(data.length))];
}

/** Paths are archive-relative ("init", "bin/busybox"): the kernel unpacks them at the root. */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((e, i) => {
    const path = e.path.replace(/^\/+/, '');
    if (!path || path.split('/').includes('..')) throw new Error(`cpio entry path '${e.path}' is not a relative path inside the archive`);
    const ino = i + 1;
    switch (e.kind) {
      case 'dir':
        parts.push(...record(ino, S_IFDIR | (e.mode ?? 0o755), path, new Uint8Array()));
        break;
      case 'file':
        parts.push(...record(ino, S_IFREG | (e.mode ?? 0o644), path, e.data));
        break;
      case 'symlink':
        parts.push(...record(ino, S_IFLNK | 0o777, path, Buffer.from(e.target)));
        break;
      case 'chardev':
        parts.push(...record(ino, S_IFCHR | (e.mode ?? 0o600), path, new Uint8Array(), e));
        break;
    }
  });
  parts.push(...record(entries.length + 1, 0, TRAILER, new Uint8Array()));
  return Buffer.concat(parts);
}
