// Read-only views of the HA state the manager derives each step: free room per host, the running
// guests failures-tolerated is computed from, and the pool's health line.
import type { CapacityGuest } from './capacity.ts';
import type { HaGuestRecord, HaGuestSpec, HaHostSpec, HaObservations, HaHostRecord, PoolRecord } from './ha-types.ts';
import type { HostFree } from './placement.ts';

export interface PoolView {
  readonly hostSpecs: readonly HaHostSpec[];
  readonly guestSpecs: readonly HaGuestSpec[];
  readonly hosts: ReadonlyMap<string, HaHostRecord>;
  readonly guests: ReadonlyMap<string, HaGuestRecord>;
  readonly cpuOvercommit: number;
}

/** Room left on the online hosts (a guest being moved holds room on both ends). */
export function freeRoom(view: PoolView, exclude?: string): HostFree[] {
  const free = new Map<string, { freeRamMiB: number; freeVcpus: number }>();
  for (const h of view.hostSpecs) {
    if (view.hosts.get(h.id)?.state === 'online' && h.id !== exclude) {
      free.set(h.id, { freeRamMiB: h.ramMiB, freeVcpus: h.cpus * view.cpuOvercommit });
    }
  }
  for (const g of view.guestSpecs) {
    const r = view.guests.get(g.id);
    if (!r || (r.state !== 'started' && r.state !== 'migrate')) continue;
    for (const on of r.state === 'migrate' ? [r.host, r.target] : [r.host]) {
      const f = on === undefined ? undefined : free.get(on);
      if (f) {
        f.freeRamMiB -= g.ramMiB;
        f.freeVcpus -= g.vcpus;
      }
    }
  }
  return [...free].map(([id, f]) => ({ id, ...f }));
}

/** The online hosts and the guests running on them, for maxTolerable. */
export function runningOnline(view: PoolView): { hosts: HaHostSpec[]; guests: CapacityGuest[] } {
  const hosts = view.hostSpecs.filter((h) => view.hosts.get(h.id)?.state === 'online');
  const ids = new Set(hosts.map((h) => h.id));
  const guests: CapacityGuest[] = [];
  for (const g of view.guestSpecs) {
    const r = view.guests.get(g.id);
    if ((r?.state === 'started' || r?.state === 'migrate') && r.host !== undefined && ids.has(r.host)) {
      guests.push({ id: g.id, ramMiB: g.ramMiB, vcpus: g.vcpus, restart: g.plan.restart, host: r.host });
    }
  }
  return { hosts, guests };
}

/** Why HA is unhealthy, or '' when it is healthy. */
export function healthLine(
  view: PoolView,
  pool: PoolRecord,
  obs: HaObservations,
  now: number,
  settings: { readonly failuresToTolerate: number; readonly storageTimeoutMs: number },
): string {
  const reasons: string[] = [];
  const down = view.hostSpecs.filter((h) => ['lost', 'fence-pending', 'fenced'].includes(view.hosts.get(h.id)?.state ?? ''));
  if (down.length > 0) reasons.push(`host(s) down: ${down.map((h) => h.id).join(', ')}`);
  const noStorage = view.hostSpecs.filter((h) => {
    const s = view.hosts.get(h.id)?.state;
    if (s !== 'online' && s !== 'draining') return false;
    const slot = obs.hosts[h.id]?.storage;
    return slot === undefined || now - slot.writtenAt > settings.storageTimeoutMs;
  });
  if (noStorage.length > 0) reasons.push(`no storage heartbeat from ${noStorage.map((h) => h.id).join(', ')}`);
  if (pool.overCommitted) reasons.push(`over-committed (tolerates ${pool.tolerable ?? 0} of ${settings.failuresToTolerate} configured)`);
  if (pool.stormActive) reasons.push('fencing-storm guard on');
  return reasons.join('; ');
}
