// A moving guest in the scheduler's terms, for callers planning many moves at once (evacuation):
// its request from its disks as stored. The hosts come from the scheduling area (loadSchedulerHosts).
import type { GuestRequest } from '../../core/scheduler/scheduler-types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { MoveDisk } from './move-disks.ts';

export { disksOf, type MoveDisk } from './move-disks.ts';

/** What the guest asks of a target: its size, its shared pools (local disks travel with it) and networks. */
export function moveRequest(g: GuestRecord, disks: readonly MoveDisk[]): GuestRequest {
  return {
    guest: `guest '${g.id}'`,
    vcpus: g.vcpus,
    memoryMiB: g.memoryMiB,
    pools: [...new Set(disks.filter((d) => d.type === 'iscsi').map((d) => d.pool))].sort(),
    networks: [...new Set(g.nics.map((n) => n.network))].sort(),
  };
}
