// The pools, derived from the hosts (nothing to store): see core/storage/pool-rules.ts.
import { errors } from '../../core/errors.ts';
import type { PoolView, VolumeRecord, VolumeView } from '../../contract/storage.contract.ts';
import { findPool, poolOfHost, poolsOf, type Pool } from '../../core/storage/pool-rules.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';

export async function listPools(ctx: ControllerContext): Promise<PoolView[]> {
  return poolsOf((await hostsRuntime(ctx)).cache.all());
}

/** The pool and its host; 404 naming the known pools when unknown. */
export async function resolvePool(ctx: ControllerContext, name: string): Promise<{ pool: Pool; host: HostRecord }> {
  const cache = (await hostsRuntime(ctx)).cache;
  const pool = findPool(cache.all(), name);
  const host = cache.get(pool.hostId);
  if (!host) throw errors.noSuchHost(pool.hostId); // found just above: only a race with a removal
  return { pool, host };
}

/** A volume as shown: its pool named after its host's current name (hosts can be renamed), CHAP user without secret. */
export function volumeView(v: VolumeRecord, hostOf: (id: number) => HostRecord | undefined): VolumeView {
  const host = hostOf(v.hostId);
  const pool = host ? poolOfHost(host) : undefined;
  const { chap, ...shown } = v;
  return { ...shown, ...(pool ? { pool: pool.name } : {}), ...(chap ? { chapUser: chap.user } : {}) };
}
