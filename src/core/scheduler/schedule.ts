// The two ways in: one explained decision (guest create, migrate, a dry run), or a batch that
// updates allocations as it goes (evacuation, HA recovery, the simulator, the benchmark).
import { Placer } from './placer.ts';
import type { Decision, ExplainLevel, GuestRequest, SchedulerHost, SchedulerOptions } from './scheduler-types.ts';

/** One decision, fully explained by default; nothing is recorded anywhere. */
export function schedule(hosts: readonly SchedulerHost[], request: GuestRequest, options: SchedulerOptions = {}): Decision {
  const { decision } = new Placer(hosts, { ...options, explain: options.explain ?? 'full' }).place(request, { commit: false });
  // 'none' still answers with a decision here: a single call always explains at least the winner.
  return decision ?? new Placer(hosts, { ...options, explain: 'winner-only' }).place(request, { commit: false }).decision!;
}

export interface BatchPlacement {
  readonly guest: string;
  readonly hostId: number | null;
  readonly decision?: Decision;
}

export interface BatchResult {
  readonly placements: readonly BatchPlacement[];
  readonly placed: number;
  readonly unplaced: number;
  /** The hosts with the allocations after the batch. */
  readonly hosts: readonly SchedulerHost[];
}

/**
 * Places the requests in order, each seeing the allocations of those before it. Explanations are
 * off by default (`explain: 'none'`): a batch of thousands wants speed; ask 'winner-only' or 'full'
 * when a task must print why.
 */
export function placeMany(
  hosts: readonly SchedulerHost[],
  requests: readonly GuestRequest[],
  options: SchedulerOptions & { explain?: ExplainLevel } = {},
): BatchResult {
  const placer = new Placer(hosts, { ...options, explain: options.explain ?? 'none' });
  let placed = 0;
  const placements = requests.map((r, k): BatchPlacement => {
    const { hostId, decision } = placer.place(r);
    if (hostId !== null) placed++;
    const guest = r.guest ?? `request #${k + 1}`;
    return decision ? { guest, hostId, decision } : { guest, hostId };
  });
  return { placements, placed, unplaced: requests.length - placed, hosts: placer.snapshot() };
}
