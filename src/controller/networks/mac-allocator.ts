// Guest MACs, unique in the cluster: a counter hands out candidates, the index `/index/guest-mac/<mac>`
// (written by the guests module in the guest's own transaction) is the proof of ownership.
import { errors } from '../../core/errors.ts';
import { MAC_SPACE, macFor } from '../../core/storage/network-rules.ts';
import { update } from '../../store/store.ts';
import type { ControllerContext } from '../platform/types.ts';

const MAC_COUNTER_KEY = '/counters/guest-mac';
export const macIndexKey = (mac: string): string => `/index/guest-mac/${mac}`;

/** A MAC not in the index now; the caller's transaction must still require its index key absent. */
export async function allocateMac(ctx: Pick<ControllerContext, 'store'>): Promise<string> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const n = (await update<number>(ctx.store, MAC_COUNTER_KEY, (cur) => ((cur ?? 0) + 1) % MAC_SPACE)) ?? 0;
    const mac = macFor(n);
    if (!(await ctx.store.get(macIndexKey(mac)))) return mac;
  }
  throw errors.internal('no free guest MAC found after 1000 tries');
}
