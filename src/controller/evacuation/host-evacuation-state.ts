// The host's state label around an evacuation: EVACUATING while its guests leave, MAINT after
//. Only these two states are switched between here; a host in any other state is refused.
import type { HostState } from '../../core/hosts/host.ts';
import { errors } from '../../core/errors.ts';
import { emitHostEvent } from '../hosts/host-events.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';

const EVACUATION_STATES: readonly HostState[] = ['MAINT', 'EVACUATING'];

export async function setEvacuationState(ctx: ControllerContext, hostId: number, to: 'MAINT' | 'EVACUATING', why: string): Promise<HostRecord> {
  const rt = await hostsRuntime(ctx);
  const cached = rt.cache.get(hostId);
  if (cached?.state === to) return cached; // every transition asks: write only when it changes
  let from: HostState = to;
  const updated = await rt.repo.mutate(hostId, (current) => {
    if (!EVACUATION_STATES.includes(current.state)) {
      throw errors.incorrectState(`host '${current.name}'`, current.state, 'evacuate', 'the host to be in MAINT (put it in maintenance first)');
    }
    from = current.state;
    return current.state === to ? current : { ...current, state: to };
  });
  if (from !== to) {
    await emitHostEvent(ctx, 'host.state', updated, `host '${updated.name}': state changed from ${from} to ${to} (${why})`, { from, to });
  }
  return updated;
}
