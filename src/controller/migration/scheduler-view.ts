// The cluster and a moving guest in the scheduler's terms, for callers planning many moves at once
// (evacuation): the scheduling area's hosts, and the guest's request from its disks as stored.
import type { GuestRequest, SchedulerHost } from '../../core/scheduler/scheduler-types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { HostsRuntime } from '../hosts/hosts-runtime.ts';
import { listNetworks } from '../networks/network-store.ts';
import type { ControllerContext } from '../platform/types.ts';
import { toSchedulerHosts } from '../scheduling/scheduler-hosts.ts';
import type { MoveDisk } from './move-disks.ts';

export { disksOf, type MoveDisk } from './move-disks.ts';

export function schedulerHosts(rt: HostsRuntime, networks: readonly string[]): SchedulerHost[] {
  return toSchedulerHosts(rt.cache.all(), (id) => rt.cache.guestTotals(id), networks);
}

export const networkNames = async (ctx: Pick<ControllerContext, 'store'>): Promise<string[]> => (await listNetworks(ctx.store)).map((n) => n.name);

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
