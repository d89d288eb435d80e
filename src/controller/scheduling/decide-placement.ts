// One explained placement decision against the cluster as it is now, under the pool's scheduler
// settings. Nothing is recorded: the caller commits the guest where the decision says.
import { schedule } from '../../core/scheduler/schedule.ts';
import type { Decision, GuestRequest } from '../../core/scheduler/scheduler-types.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { loadSchedulerHosts } from './scheduler-hosts.ts';
import { readSchedulerSettings, schedulerOptionsOf } from './scheduler-settings.ts';

export interface DecideOptions {
  /** Hosts that must not be chosen (the guest's current host, a host being emptied). */
  readonly exclude?: readonly number[];
  /** Consider this host only (the admin named it, or a local disk pins the guest to it). */
  readonly only?: number;
}

export interface PlacementOutcome {
  readonly decision: Decision;
  /** The winner's record, when there is one. */
  readonly host: HostRecord | undefined;
}

export async function decidePlacement(ctx: ControllerContext, request: GuestRequest, options: DecideOptions = {}): Promise<PlacementOutcome> {
  const settings = await readSchedulerSettings(ctx.store);
  const { hosts, records } = await loadSchedulerHosts(ctx);
  const considered = options.only === undefined ? hosts : hosts.filter((h) => h.id === options.only);
  const decision = schedule(considered, request, { ...schedulerOptionsOf(settings), exclude: options.exclude ?? [], explain: 'full' });
  return { decision, host: decision.winner ? records.get(decision.winner.hostId) : undefined };
}
