// GET /agent/v1/stats: the host's and its running guests' usage counters, read from /proc, QEMU (QMP)
// and LXC. One guest whose figures cannot be read is left out of the report, not the whole report.
import { readFile } from 'node:fs/promises';
import type { AgentStats, GuestUsage } from '../../contract/stats.contract.ts';
import type { GuestRuntime } from '../guest-runtime.ts';
import { hostTraffic, parseDiskstats, parseMeminfo, parseNetDev, parseProcStat } from './proc-parse.ts';

// Interfaces that carry guests' traffic, already counted on the host's own NICs (or not the host's at all).
const GUEST_SIDE = /^(gv\d|veth|gn-|tap|vnet|lxcbr|virbr)/;

export async function collectUsage(guests: GuestRuntime, certificateNotAfter: string | null, now: () => number = Date.now): Promise<AgentStats> {
  const [stat, meminfo, diskstats, netdev] = await Promise.all(
    ['/proc/stat', '/proc/meminfo', '/proc/diskstats', '/proc/net/dev'].map((f) => readFile(f, 'utf8').catch(() => '')),
  );
  const cpu = parseProcStat(stat ?? '');
  const memory = parseMeminfo(meminfo ?? '');
  const disk = parseDiskstats(diskstats ?? '');
  const interfaces = parseNetDev(netdev ?? '');
  const net = hostTraffic(interfaces, (name) => GUEST_SIDE.test(name));
  return {
    atMs: now(),
    host: {
      cpus: cpu.cpus,
      memoryTotalBytes: memory.totalBytes,
      memoryUsedBytes: memory.usedBytes,
      cpuSeconds: cpu.busySeconds,
      diskReadBytes: disk.readBytes,
      diskWriteBytes: disk.writeBytes,
      netRxBytes: net.rxBytes,
      netTxBytes: net.txBytes,
    },
    guests: await guestUsages(guests, interfaces),
    certificateNotAfter,
  };
}

async function guestUsages(guests: GuestRuntime, interfaces: Parameters<GuestRuntime['qemu']['usage']>[1]): Promise<GuestUsage[]> {
  const [vms, cts] = await Promise.all([guests.qemu.list().catch(() => []), guests.lxc.list().catch(() => [])]);
  const reads = [
    ...vms.filter((v) => v.state !== 'stopped').map((v) => guests.qemu.usage(v.id, interfaces)),
    ...cts.filter((c) => c.state === 'running').map((c) => guests.lxc.usage(c.id)),
  ];
  const settled = await Promise.allSettled(reads);
  return settled.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
}
