// A moving guest's disks as stored now: where each lives (shared iSCSI pool, or a host's local pool),
// its size and format (a live move makes an empty twin of each local disk on the destination).
import type { GuestRecord } from '../guests/guest-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { findVolume } from '../storage/volume-store.ts';

export interface MoveDisk {
  readonly name: string;
  readonly pool: string;
  readonly type: 'iscsi' | 'local';
  readonly hostId: number;
  readonly sizeBytes: number;
  readonly format: 'raw' | 'qcow2';
  readonly ready: boolean;
}

/** In the guest's disk order; a volume that vanished is reported as a local disk on no host (it cannot move). */
export async function disksOf(ctx: Pick<ControllerContext, 'store'>, g: GuestRecord): Promise<MoveDisk[]> {
  const out: MoveDisk[] = [];
  for (const name of g.disks) {
    const v = (await findVolume(ctx.store, name))?.volume;
    if (!v) {
      out.push({ name, pool: '?', type: 'local', hostId: -1, sizeBytes: 0, format: 'raw', ready: false });
      continue;
    }
    const type = v.url !== null || v.pool.startsWith('iscsi-') ? 'iscsi' : 'local';
    out.push({ name, pool: v.pool, type, hostId: v.hostId, sizeBytes: v.sizeBytes, format: v.format, ready: v.state === undefined || v.state === 'ready' });
  }
  return out;
}
