// Fencing-storm guard: when many hosts vanish at once, the likeliest culprit is the controller's own
// network, not the hosts. Fencing them and restarting their guests would then do harm, so the
// manager fences nothing, alerts, and waits.
// The threshold is the configured host failures to tolerate, but never below 1 (a pool set to
// tolerate 0 still recovers from one failure as best it can).

export interface StormInput {
  /** Hosts lost and not yet known fenced. */
  readonly lost: number;
  /** Hosts that count for the majority (all but those in maintenance). */
  readonly members: number;
  readonly failuresToTolerate: number;
}

export type StormVerdict = { readonly storm: false } | { readonly storm: true; readonly why: string };

export function stormGuard(input: StormInput): StormVerdict {
  const threshold = Math.max(1, input.failuresToTolerate);
  if (input.lost > threshold) {
    return { storm: true, why: `${input.lost} hosts lost at once, more than the ${threshold} host failure(s) to tolerate` };
  }
  if (input.lost * 2 > input.members) {
    return { storm: true, why: `${input.lost} of ${input.members} hosts lost: a majority of the pool` };
  }
  return { storm: false };
}
