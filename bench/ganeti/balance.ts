// Balance of a placement, measured the same way for every tool: memory (and CPU) use in % of each
// online host's capacity, after the placement. Lower stddev and max−min = more even.
import type { GuestRequest, SchedulerHost } from '../../src/core/scheduler/scheduler-types.ts';
import { round } from '../lib/stats.ts';

export interface Balance {
  readonly hosts: number;
  readonly placed: number;
  readonly unplaced: number;
  readonly memoryUsePct: { readonly mean: number; readonly stddev: number; readonly min: number; readonly max: number; readonly maxMinusMin: number };
  readonly cpuUsePct: { readonly mean: number; readonly stddev: number; readonly maxMinusMin: number };
  /** Hosts that received no guest. */
  readonly emptyHosts: number;
}

const online = (h: SchedulerHost): boolean => h.state === 'UP' && h.purpose === 'processing';

function spreadOf(values: readonly number[]) {
  const n = values.length || 1;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const stddev = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 0;
  return { mean: round(mean, 2), stddev: round(stddev, 2), min: round(min, 2), max: round(max, 2), maxMinusMin: round(max - min, 2) };
}

/** `placement[k]` is the host name chosen for `requests[k]`, or null. */
export function balanceOf(hosts: readonly SchedulerHost[], requests: readonly GuestRequest[], placement: readonly (string | null)[]): Balance {
  const mem = new Map<string, number>();
  const cpu = new Map<string, number>();
  let placed = 0;
  requests.forEach((r, k) => {
    const name = placement[k];
    if (!name) return;
    placed++;
    mem.set(name, (mem.get(name) ?? 0) + r.memoryMiB);
    cpu.set(name, (cpu.get(name) ?? 0) + r.vcpus);
  });
  const targets = hosts.filter(online);
  const m = spreadOf(targets.map((h) => (100 * (h.memoryMiBAllocated + (mem.get(h.name) ?? 0))) / h.memoryMiBTotal));
  const c = spreadOf(targets.map((h) => (100 * (h.cpuAllocated + (cpu.get(h.name) ?? 0))) / h.cpuTotal));
  return {
    hosts: targets.length,
    placed,
    unplaced: requests.length - placed,
    memoryUsePct: m,
    cpuUsePct: { mean: c.mean, stddev: c.stddev, maxMinusMin: c.maxMinusMin },
    emptyHosts: targets.filter((h) => !mem.has(h.name)).length,
  };
}
