// The cluster as the scheduler sees it: every host with its capacity (inventory), what its guests
// were given (host cache), the storage pools it reaches and the guest networks it can carry.
//
// Reach: a processing host opens its own local pool, and every storage host's iSCSI pool while its
// storage indicator is green (SAN configured, and the storage host answered on it, probed from the
// host itself). Guest networks are pool-wide: their bridge is made on demand on any processing host.
import { poolOfHost } from '../../core/storage/pool-rules.ts';
import { portalOf } from '../../core/storage/target-acl.ts';
import type { SchedulerHost } from '../../core/scheduler/scheduler-types.ts';
import type { GuestTotals } from '../hosts/host-cache.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { listNetworks } from '../networks/network-store.ts';
import type { ControllerContext } from '../platform/types.ts';

const reachesSan = (h: HostRecord): boolean => h.indicators.storage === 'green';

/**
 * Each host's view, kept while its record (replaced on change), its guests' totals (likewise) and
 * the pools and networks it was made with are the same: every placement made all of them anew,
 * 10 % of the controller while guests were created at 2,500 hosts.
 */
const views = new WeakMap<HostRecord, { readonly totals: GuestTotals; readonly context: string; readonly view: SchedulerHost }>();

/** Pure: the scheduler's hosts from the host records, their guests' totals and the network names. */
export function toSchedulerHosts(records: readonly HostRecord[], totalsOf: (hostId: number) => GuestTotals, networks: readonly string[]): SchedulerHost[] {
  const sharedPools = records.filter((h) => h.purpose === 'storage' && portalOf(h) !== undefined).flatMap((h) => poolOfHost(h)?.name ?? []);
  const context = JSON.stringify([sharedPools, networks]);
  return records.map((h) => {
    const t = totalsOf(h.id);
    const kept = views.get(h);
    if (kept?.totals === t && kept.context === context) return kept.view;
    const view = schedulerHost(h, t, sharedPools, networks);
    views.set(h, { totals: t, context, view });
    return view;
  });
}

function schedulerHost(h: HostRecord, t: GuestTotals, sharedPools: readonly string[], networks: readonly string[]): SchedulerHost {
  const processing = h.purpose === 'processing';
  const local = processing ? poolOfHost(h)?.name : undefined;
  const storageNote = processing && !reachesSan(h) ? h.indicators.reasons?.storage : undefined;
  return {
    ...(storageNote !== undefined ? { storageNote } : {}),
    id: h.id,
    name: h.name,
    purpose: h.purpose,
    state: h.state,
    cpuTotal: h.inventory?.cpu.count ?? 0,
    memoryMiBTotal: h.inventory?.memoryMiB ?? 0,
    cpuAllocated: t.cpu,
    memoryMiBAllocated: t.memoryMiB,
    pools: processing ? [...(local ? [local] : []), ...(reachesSan(h) ? sharedPools : [])] : [],
    networks: processing ? networks : [],
  };
}

/** Every host of the cluster, now. */
export async function loadSchedulerHosts(ctx: ControllerContext): Promise<{ hosts: SchedulerHost[]; records: Map<number, HostRecord> }> {
  const rt = await hostsRuntime(ctx);
  const records = rt.cache.all();
  const networks = (await listNetworks(ctx.store)).map((n) => n.name);
  return { hosts: toSchedulerHosts(records, (id) => rt.cache.guestTotals(id), networks), records: new Map(records.map((h) => [h.id, h])) };
}
