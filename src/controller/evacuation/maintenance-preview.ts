// The maintenance dry run: the guests the host holds and what evacuating it would do once it is in
// maintenance. Nothing changes.
import type { EvacuationPlan } from '../../core/evacuation/evacuation-types.ts';
import { assertCan, nextState } from '../../core/hosts/host.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { factsOf } from '../hosts/host-lookup.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { planEvacuationOf } from './evacuation-input.ts';

/** The contract's maintenancePreview, with the core's plan as it is. */
export interface MaintenancePreview {
  readonly host: { readonly id: number; readonly name: string };
  readonly state: { readonly from: string; readonly to: string };
  readonly guests: readonly { readonly id: string; readonly name: string; readonly state: string }[];
  readonly evacuation: EvacuationPlan;
}

export async function maintenancePreview(ctx: ControllerContext, host: HostRecord): Promise<MaintenancePreview> {
  const rt = await hostsRuntime(ctx);
  // The same refusal the real call gives (an EVACUATING host, say): a dry run never promises more.
  if (host.state !== 'MAINT') assertCan(factsOf(rt, host), 'maintenance');
  const guests = (await guestsRuntime(ctx).repo.list()).filter((g) => g.hostId === host.id);
  const { plan } = await planEvacuationOf(ctx, host, { maxParallel: 2, asIfMaint: true });
  return {
    host: { id: host.id, name: host.name },
    state: { from: host.state, to: host.state === 'MAINT' ? 'MAINT' : nextState(host.state, 'maintenance') },
    guests: guests.map((g) => ({ id: g.id, name: g.name, state: g.state })),
    evacuation: plan,
  };
}
