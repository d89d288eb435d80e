// The hosts as placement sees them: capacity from the inventory, allocation from the host cache.
import type { PlacementHost } from '../../core/guests/guest-placement.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { HostsRuntime } from '../hosts/hosts-runtime.ts';

export function placementHost(rt: HostsRuntime, h: HostRecord): PlacementHost {
  const t = rt.cache.guestTotals(h.id);
  return {
    id: h.id,
    name: h.name,
    purpose: h.purpose,
    state: h.state,
    cpuTotal: h.inventory?.cpu.count ?? 0,
    memoryMiBTotal: h.inventory?.memoryMiB ?? 0,
    cpuAllocated: t.cpu,
    memoryMiBAllocated: t.memoryMiB,
    guestCount: t.count,
  };
}
