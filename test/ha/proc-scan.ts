// One scan of /proc: the guest processes (QEMU, LXC monitors) of every testbed host, the host found
// from the process's network namespace, and the iSCSI targets each QEMU holds an established TCP
// connection to. Synchronous: it runs in the watcher's own thread, where a scan is one short burst of
// system calls, whatever the main thread (a controller under test) is doing.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { ObservedProcess } from './double-run.ts';
import { guestOfProcess, iscsiDisksOf, namespaceInode, parseProcNetTcp, socketInode, splitCmdline, statState } from './proc-parse.ts';

export interface WatchedHost {
  name: string;
  namespace: string; // as `ip netns` names it
}

/** Namespace inode → host name, from the bind mounts `ip netns add` makes under /run/netns. */
export function hostsByNamespaceInode(hosts: readonly WatchedHost[]): Map<number, string> {
  return new Map(hosts.map((h) => [statSync(`/run/netns/${h.namespace}`).ino, h.name]));
}

// A process may exit while we read it: its files vanish, which only means "not there".
function quiet<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** Alive = exists and is not a zombie (a stopped process still holds its guest and disks). */
export function isLive(pid: number): boolean {
  const stat = quiet(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const state = stat === null ? null : statState(stat);
  return state !== null && state !== 'Z' && state !== 'X';
}

function socketInodesOf(pid: number): Set<number> {
  const fds = quiet(() => readdirSync(`/proc/${pid}/fd`)) ?? [];
  const links = fds.map((fd) => quiet(() => readlinkSync(`/proc/${pid}/fd/${fd}`)));
  return new Set(links.map((l) => (l === null ? null : socketInode(l))).filter((n): n is number => n !== null));
}

/** The targets of the QEMU's iSCSI disks whose portal it has an established connection to. */
function openTargetsOf(pid: number, argv: readonly string[]): string[] {
  const disks = iscsiDisksOf(argv);
  if (disks.length === 0) return [];
  const sockets = socketInodesOf(pid);
  const tcp = quiet(() => readFileSync(`/proc/${pid}/net/tcp`, 'utf8'));
  const connected = new Set(
    parseProcNetTcp(tcp ?? '')
      .filter((s) => s.established && sockets.has(s.inode))
      .map((s) => s.remote),
  );
  return [...new Set(disks.filter((d) => connected.has(d.portal)).map((d) => d.target))];
}

function observe(pid: number, hostOf: ReadonlyMap<number, string>): ObservedProcess | null {
  const link = quiet(() => readlinkSync(`/proc/${pid}/ns/net`));
  const inode = link === null ? null : namespaceInode(link);
  const host = inode === null ? undefined : hostOf.get(inode);
  if (host === undefined) return null;
  const raw = quiet(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  const argv = raw === null ? [] : splitCmdline(raw);
  const guest = guestOfProcess(argv);
  if (guest === null || !isLive(pid)) return null;
  const openTargets = guest.kind === 'qemu' ? openTargetsOf(pid, argv) : [];
  return { pid, host, kind: guest.kind, guest: guest.guest, openTargets };
}

/** Every guest process of the watched hosts, now. */
export function scanGuestProcesses(hostOf: ReadonlyMap<number, string>): ObservedProcess[] {
  const pids = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
  return pids.map((pid) => observe(pid, hostOf)).filter((p): p is ObservedProcess => p !== null);
}
