// What a guest asks of its host, in the scheduler's terms: size, the pools of its disks, its networks.
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import { poolOfHost } from '../../core/storage/pool-rules.ts';
import type { GuestRequest } from '../../core/scheduler/scheduler-types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { findVolume } from '../storage/volume-store.ts';

export interface RequestFacts {
  /** For messages: "guest 'web01'", 'vm:100'. */
  readonly guest: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly volumes: readonly Pick<VolumeRecord, 'pool' | 'hostId' | 'url'>[];
  readonly networks: readonly string[];
  /** Local disks travel with a moving VM (block mirror): only shared pools must be reachable. */
  readonly sharedPoolsOnly?: boolean;
}

/** Pure. A volume's pool is named after its host's current name (hosts can be renamed). */
export function guestRequestOf(f: RequestFacts, hostOf: (id: number) => HostRecord | undefined): GuestRequest {
  const pools = new Set<string>();
  for (const v of f.volumes) {
    const host = hostOf(v.hostId);
    const pool = host ? poolOfHost(host) : undefined;
    const shared = pool ? pool.shared : v.pool.startsWith('iscsi-');
    if (f.sharedPoolsOnly && !shared) continue;
    pools.add(pool?.name ?? v.pool);
  }
  return { guest: f.guest, vcpus: f.vcpus, memoryMiB: f.memoryMiB, pools: [...pools].sort(), networks: [...new Set(f.networks)].sort() };
}

/** The request of a guest that exists (to move it): its disks as stored now; volumes gone are skipped. */
export async function requestOfGuest(ctx: ControllerContext, g: GuestRecord): Promise<GuestRequest> {
  const cache = (await hostsRuntime(ctx)).cache;
  const volumes = (await Promise.all(g.disks.map((name) => findVolume(ctx.store, name)))).flatMap((e) => (e ? [e.volume] : []));
  return guestRequestOf({ guest: g.id, vcpus: g.vcpus, memoryMiB: g.memoryMiB, volumes, networks: g.nics.map((n) => n.network), sharedPoolsOnly: true }, (id) =>
    cache.get(id),
  );
}
