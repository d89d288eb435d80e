// Parsers for what the double-run watcher reads under /proc. Pure: text in, facts out, so they are
// unit-tested with fixtures.

/** A guest process: a VM's QEMU or a container's LXC monitor, and the guest id it serves. */
export interface GuestProcessInfo {
  kind: 'qemu' | 'lxc';
  guest: string;
}

const GUEST_NAME = /(?:^|,)guest=((?:vm|ct):\d+)(?:,|$)/;
const LXC_MONITOR = /^\[lxc monitor\] \S+ (ct)-(\d+)$/;

/** NUL-separated /proc/PID/cmdline into argv (the trailing NUL gives no empty last argument). */
export function splitCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/**
 * The guest a process runs, from its argv: QEMU carries `-name guest=vm:N,…`; an LXC monitor
 * renames itself `[lxc monitor] LXCPATH ct-N` (one argv string, spaces inside).
 */
export function guestOfProcess(argv: readonly string[]): GuestProcessInfo | null {
  const first = argv[0] ?? '';
  if (/(^|\/)qemu-system-[a-z0-9_]+$/.test(first)) {
    const i = argv.indexOf('-name');
    const m = i >= 0 ? GUEST_NAME.exec(argv[i + 1] ?? '') : null;
    return m ? { kind: 'qemu', guest: m[1] as string } : null;
  }
  const lxc = LXC_MONITOR.exec(argv.join(' ').trim());
  return lxc ? { kind: 'lxc', guest: `${lxc[1]}:${lxc[2]}` } : null;
}

/** An iSCSI LUN a QEMU opens: the portal it connects to and the target it names. */
export interface IscsiDisk {
  portal: string; // ip:port
  target: string; // iqn…
  lun: number;
}

/** The iSCSI disks in a QEMU argv (`-drive file=iscsi://IP:PORT/IQN/LUN,…`; ',,' is a literal comma). */
export function iscsiDisksOf(argv: readonly string[]): IscsiDisk[] {
  const out: IscsiDisk[] = [];
  argv.forEach((arg, i) => {
    if (argv[i - 1] !== '-drive') return;
    const file = /(?:^|,)file=((?:[^,]|,,)*)/.exec(arg)?.[1]?.replaceAll(',,', ',');
    const m = file ? /^iscsi:\/\/([^/]+)\/([^/]+)\/(\d+)$/.exec(file) : null;
    if (!m) return;
    const portal = (m[1] as string).includes(':') ? (m[1] as string) : `${m[1]}:3260`;
    out.push({ portal, target: m[2] as string, lun: Number(m[3]) });
  });
  return out;
}

/** The inode of a namespace link, from readlink('/proc/PID/ns/net') = 'net:[4026531833]'. */
export function namespaceInode(link: string): number | null {
  const m = /^net:\[(\d+)\]$/.exec(link.trim());
  return m ? Number(m[1]) : null;
}

/** `socket:[123]` (readlink of a /proc/PID/fd entry) → 123. */
export function socketInode(link: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : null;
}

export interface TcpSocket {
  local: string; // ip:port
  remote: string;
  established: boolean;
  inode: number;
}

// /proc/net/tcp writes an IPv4 address as the 32-bit value in host (little-endian) byte order, in hex.
function hexEndpoint(text: string): string | null {
  const m = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!m) return null;
  const n = parseInt(m[1] as string, 16);
  const ip = [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
  return `${ip}:${parseInt(m[2] as string, 16)}`;
}

const TCP_ESTABLISHED = '01';

/** The IPv4 TCP sockets of a /proc/PID/net/tcp table (the table of that process's namespace). */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = hexEndpoint(f[1] as string);
    const remote = hexEndpoint(f[2] as string);
    const inode = Number(f[9]);
    if (local === null || remote === null || !Number.isInteger(inode)) continue;
    out.push({ local, remote, established: f[3] === TCP_ESTABLISHED, inode });
  }
  return out;
}

/** The state letter of /proc/PID/stat (the command may hold spaces and parentheses). */
export function statState(stat: string): string | null {
  const close = stat.lastIndexOf(')');
  return close < 0 ? null : stat.slice(close + 2, close + 3) || null;
}
