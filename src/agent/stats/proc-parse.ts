// Parsers of the kernel's text files the usage figures come from (/proc and cgroup v2). Pure: the
// reading is in usage.ts. Counters are returned as they are (since boot), rates are the controller's job.

/** USER_HZ: the unit of /proc CPU times; 100 on every Linux architecture we run on. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** /proc/stat's first line: busy CPU seconds of all cores (everything but idle and iowait), and the core count. */
export function parseProcStat(text: string): { busySeconds: number; cpus: number } {
  const lines = text.split('\n');
  const total = lines.find((l) => l.startsWith('cpu '));
  if (!total) throw new Error("no 'cpu' line in /proc/stat");
  const f = total.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  // guest and guest_nice (fields 9 and 10) are already counted in user and nice.
  const all = f.slice(0, 8).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const cpus = lines.filter((l) => /^cpu\d+ /.test(l)).length;
  return { busySeconds: (all - idle) / CLOCK_TICKS_PER_SECOND, cpus: Math.max(1, cpus) };
}

/** /proc/meminfo: total and used (total minus available) in bytes. */
export function parseMeminfo(text: string): { totalBytes: number; usedBytes: number } {
  const kib = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kib('MemTotal');
  if (total === undefined) throw new Error('no MemTotal in /proc/meminfo');
  const available = kib('MemAvailable') ?? kib('MemFree') ?? 0;
  return { totalBytes: total, usedBytes: Math.max(0, total - available) };
}

// Whole disks only: partitions would count their bytes twice; loop, ram and zram devices are not disks.
const NOT_A_DISK = /^(loop|ram|zram|dm-|md|sr)\d*|^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+)\d+$|^nvme\d+n\d+p\d+$|^mmcblk\d+p\d+$/;

/** /proc/diskstats: bytes read and written by the whole disks (sectors are 512 bytes there). */
export function parseDiskstats(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const name = f[2];
    if (!name || NOT_A_DISK.test(name)) continue;
    readBytes += Number(f[5] ?? 0) * 512;
    writeBytes += Number(f[9] ?? 0) * 512;
  }
  return { readBytes, writeBytes };
}

export interface NetCounters {
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** /proc/net/dev: byte counters per interface. */
export function parseNetDev(text: string): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    out.set(m[1], { rxBytes: f[0] ?? 0, txBytes: f[8] ?? 0 });
  }
  return out;
}

/** The host's traffic: every interface but loopback and the guests' own (taps, veths, bridges count it already). */
export function hostTraffic(counters: ReadonlyMap<string, NetCounters>, isGuestSide: (name: string) => boolean): NetCounters {
  let rxBytes = 0;
  let txBytes = 0;
  for (const [name, c] of counters) {
    if (name === 'lo' || isGuestSide(name)) continue;
    rxBytes += c.rxBytes;
    txBytes += c.txBytes;
  }
  return { rxBytes, txBytes };
}

/** /proc/<pid>/stat: user + system CPU seconds of that process (the command may hold spaces and parentheses). */
export function parsePidStat(text: string): number {
  const afterComm = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the command.
  return (Number(afterComm[11] ?? 0) + Number(afterComm[12] ?? 0)) / CLOCK_TICKS_PER_SECOND;
}

/** /proc/<pid>/status: resident memory in bytes. */
export function parseVmRss(text: string): number | null {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/** `lxc-info -S -H` of a running container: CPU (ns), memory and its veth's counters (host side). */
export function parseLxcInfoStats(text: string): { cpuSeconds: number; memoryBytes: number | null; netRxBytes: number | null; netTxBytes: number | null } {
  const num = (label: string): number | null => {
    const m = new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  // The veth's host end sends what the container receives.
  return { cpuSeconds: (num('CPU use') ?? 0) / 1e9, memoryBytes: num('Memory use'), netRxBytes: num('TX bytes'), netTxBytes: num('RX bytes') };
}

/** cgroup v1 blkio.throttle.io_service_bytes: bytes read and written over every device. */
export function parseBlkioServiceBytes(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const m of text.matchAll(/^\S+ (Read|Write) (\d+)$/gm)) {
    if (m[1] === 'Read') readBytes += Number(m[2]);
    else writeBytes += Number(m[2]);
  }
  return { readBytes, writeBytes };
}

/** cgroup v2 io.stat: bytes read and written over every device of the group. */
export function parseIoStat(text: string): { readBytes: number; writeBytes: number } {
  let readBytes = 0;
  let writeBytes = 0;
  for (const m of text.matchAll(/\brbytes=(\d+)/g)) readBytes += Number(m[1]);
  for (const m of text.matchAll(/\bwbytes=(\d+)/g)) writeBytes += Number(m[1]);
  return { readBytes, writeBytes };
}
