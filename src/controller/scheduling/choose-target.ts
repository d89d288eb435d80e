// Where an existing guest should go when no host is named: migration without a destination, HA
// recovery. The guest's current host is always excluded (a move goes somewhere else).
import { placementRefusal } from '../../core/guests/guest-placement.ts';
import type { Decision } from '../../core/scheduler/scheduler-types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { decidePlacement } from './decide-placement.ts';
import { requestOfGuest } from './guest-request.ts';

export interface ChooseTargetOptions {
  /** More hosts to leave out (a host being evacuated, hosts already tried). */
  readonly exclude: readonly number[];
}

/**
 * The best host for `guest` under the pool's policy and over-commit ratios, with the explained
 * decision (log it with formatDecision). Throws the coded refusal (409 noHostAvailable /
 * noSuitableHost, 422 guestTooLarge) naming why no host fits; the decision is in its details.
 */
export async function chooseTarget(ctx: ControllerContext, guest: GuestRecord, opts: ChooseTargetOptions): Promise<{ host: HostRecord; decision: Decision }> {
  const request = await requestOfGuest(ctx, guest);
  const { decision, host } = await decidePlacement(ctx, request, { exclude: [...new Set([...opts.exclude, guest.hostId])] });
  if (!decision.winner || !host) throw placementRefusal(decision);
  return { host, decision };
}
