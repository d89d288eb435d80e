// Checks made before an admin changes a guest's HA plan or the pool's failures to tolerate.
import { maxTolerable, toleratesLoss, type CapacityGuest, type CapacityHost } from './capacity.ts';
import { haErrors } from './ha-errors.ts';
import type { HaPlan } from './ha-types.ts';
import { RESTART_PLANS } from './ha-types.ts';

export function validatePlan(plan: HaPlan): void {
  if (!RESTART_PLANS.includes(plan.restart)) throw haErrors.invalidPlan(`restart must be one of ${RESTART_PLANS.join(', ')}, not '${plan.restart}'`);
  if (!Number.isInteger(plan.order) || plan.order < 0) throw haErrors.invalidPlan(`order must be a whole number ≥ 0, not ${plan.order}`);
  if (!Number.isFinite(plan.delay) || plan.delay < 0 || plan.delay > 3600)
    throw haErrors.invalidPlan(`delay must be between 0 and 3600 seconds, not ${plan.delay}`);
}

/**
 * Whether a change of a guest's restart plan can lower the failures the pool tolerates: only one
 * that makes it 'always' (only 'always' guests must find room when their host is lost), so the others
 * need no capacity check (an O(hosts + guests) one per plan set at scale).
 */
export const mayLowerTolerance = (from: HaPlan['restart'] | undefined, to: HaPlan['restart']): boolean => to === 'always' && from !== 'always';

/** Refuses a plan change that would leave the pool unable to honour its failures to tolerate. */
export function checkPlanChange(
  hosts: readonly CapacityHost[],
  guests: readonly CapacityGuest[],
  settings: { readonly failuresToTolerate: number; readonly cpuOvercommit: number },
  guest: string,
  plan: HaPlan,
): void {
  validatePlan(plan);
  const changed = guests.map((g) => (g.id === guest ? { ...g, restart: plan.restart } : g));
  // The usual case, answered with one check (not the two bisections below): the pool still
  // tolerates what it is set to.
  const ftt = settings.failuresToTolerate;
  if (ftt < hosts.length && toleratesLoss(hosts, changed, ftt, settings.cpuOvercommit)) return;
  const before = maxTolerable(hosts, guests, settings.cpuOvercommit);
  const after = maxTolerable(hosts, changed, settings.cpuOvercommit);
  // A change that does not make things worse is always allowed (the pool may already be over-committed).
  if (after < settings.failuresToTolerate && after < before) {
    throw haErrors.planBreaksTolerance(guest, plan.restart, after, settings.failuresToTolerate);
  }
}

export function checkToleranceSetting(hosts: readonly CapacityHost[], guests: readonly CapacityGuest[], cpuOvercommit: number, asked: number): void {
  if (!Number.isInteger(asked) || asked < 0) throw haErrors.invalidPlan(`host failures to tolerate must be a whole number ≥ 0, not ${asked}`);
  // One check answers the usual case (losing more hosts never helps); the bisection only to say how many.
  if (asked === 0 || (asked < hosts.length && toleratesLoss(hosts, guests, asked, cpuOvercommit))) return;
  throw haErrors.toleranceTooHigh(asked, maxTolerable(hosts, guests, cpuOvercommit));
}
