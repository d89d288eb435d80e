// Which guests of fenced hosts start now, and where. Rules (XenServer's HA plan):
//  - 'always' guests come before 'best-effort' ones; within a plan, lower order groups first;
//  - a group starts when the gate is open; the gate then stays shut for the group's delay (the
//    largest delay among its guests), so e.g. a DNS server is up before the guests that need it;
//  - 'best-effort' guests start only with capacity left: never while an 'always' guest waits for room;
//  - a guest that found no room keeps its turn spent and is retried each step as room appears.
import type { HaPlan } from './ha-types.ts';
import type { HaPlacement, HostFree } from './placement.ts';

export interface RecoveryCandidate {
  readonly id: string;
  readonly ramMiB: number;
  readonly vcpus: number;
  readonly plan: HaPlan;
  /** Its group's turn came and no host had room. */
  readonly unplaced: boolean;
}

export interface RecoveryInput {
  readonly now: number;
  readonly gateOpenAt: number;
  readonly waiting: readonly RecoveryCandidate[];
  readonly hostsFree: readonly HostFree[];
  readonly placement: HaPlacement;
}

export interface RecoveryDecision {
  readonly starts: readonly { readonly guest: string; readonly target: string }[];
  /** Guests whose turn came now and found no room. */
  readonly newlyUnplaced: readonly string[];
  readonly gateOpenAt: number;
}

const rank = (p: HaPlan): number => (p.restart === 'always' ? 0 : 1);

export const recoveryOrder = (a: RecoveryCandidate, b: RecoveryCandidate): number =>
  rank(a.plan) - rank(b.plan) || a.plan.order - b.plan.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function planRecovery(input: RecoveryInput): RecoveryDecision {
  const free = input.hostsFree.map((h) => ({ ...h }));
  const starts: { guest: string; target: string }[] = [];
  const newlyUnplaced: string[] = [];
  const tryPlace = (g: RecoveryCandidate): boolean => {
    const target = input.placement.choose(free, g);
    const host = free.find((h) => h.id === target);
    if (target === undefined || !host) return false;
    host.freeRamMiB -= g.ramMiB;
    host.freeVcpus -= g.vcpus;
    starts.push({ guest: g.id, target });
    return true;
  };
  const sorted = [...input.waiting].sort(recoveryOrder);
  let alwaysStillWaiting = false;
  for (const g of sorted) {
    if (g.unplaced && g.plan.restart === 'always' && !tryPlace(g)) alwaysStillWaiting = true;
  }
  let gateOpenAt = input.gateOpenAt;
  let fresh = sorted.filter((g) => !g.unplaced);
  // Groups follow each other in the same step while the gate stays open (delay 0).
  while (fresh.length > 0 && input.now >= gateOpenAt) {
    const first = fresh[0] as RecoveryCandidate;
    const inGroup = (g: RecoveryCandidate): boolean => rank(g.plan) === rank(first.plan) && g.plan.order === first.plan.order;
    const group = fresh.filter(inGroup);
    fresh = fresh.filter((g) => !inGroup(g));
    let started = false;
    for (const g of group) {
      const blocked = g.plan.restart === 'best-effort' && alwaysStillWaiting;
      if (!blocked && tryPlace(g)) started = true;
      else {
        newlyUnplaced.push(g.id);
        if (g.plan.restart === 'always') alwaysStillWaiting = true;
      }
    }
    if (started) gateOpenAt = input.now + Math.max(...group.map((g) => g.plan.delay)) * 1000;
  }
  if (fresh.length === 0 && !alwaysStillWaiting) {
    for (const g of sorted) if (g.unplaced && g.plan.restart === 'best-effort') tryPlace(g);
  }
  return { starts, newlyUnplaced, gateOpenAt };
}
