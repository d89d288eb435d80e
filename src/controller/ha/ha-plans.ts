// A guest's HA plan: set (refused for a guest that is not agile, naming the rule that fails, and
// for a change that would break the configured failures to tolerate) and unset.
import { assertAgile } from '../../core/ha/agility.ts';
import { checkPlanChange, mayLowerTolerance, validatePlan } from '../../core/ha/plan-rules.ts';
import type { HaPlan } from '../../core/ha/ha-types.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { agilityFactsOf, capacityFacts, planOf } from './ha-cluster-view.ts';
import { HA_CONFIG_KEY, readHaConfigEntry } from './ha-config-store.ts';
import { haPlanKey, putPlanOp } from './ha-plan-store.ts';
import { MAX_UPDATE_ATTEMPTS, tooMuchContention } from '../platform/stored-records.ts';
import { haRouteErrors } from './ha-controller-errors.ts';
import { haRuntime } from './ha-runtime.ts';

export interface PlanAnswer {
  readonly guest: string;
  readonly name: string;
  readonly plan: HaPlan;
}

/**
 * Writes the guest's plan record, guarded by the revisions of `/ha/config` and of the plan it was
 * checked against: a settings change or another change of this plan meanwhile makes it check again.
 */
export async function setHaPlan(ctx: ControllerContext, ref: string, plan: HaPlan): Promise<PlanAnswer> {
  const g = (await guestsRuntime(ctx).repo.find(ref)).record;
  validatePlan(plan);
  const key = haPlanKey(g.id);
  for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
    const facts = await haRuntime(ctx).readFacts();
    if (plan.restart !== 'never') assertAgile(g.id, agilityFactsOf(g, facts));
    const { config: cfg, modRevision } = await readHaConfigEntry(ctx);
    const current = await ctx.store.get(key);
    if (mayLowerTolerance(planOf(cfg, g)?.restart, plan.restart)) {
      const cap = capacityFacts(cfg, facts, g.id);
      checkPlanChange(cap.hosts, cap.guests, cfg, g.id, plan);
    }
    const stored = { restart: plan.restart, order: plan.order, delay: plan.delay, guestCreatedAt: g.createdAt };
    const guards = [
      { key: HA_CONFIG_KEY, modRevision },
      { key, modRevision: current?.modRevision ?? 0 },
    ];
    if ((await ctx.store.txn(guards, [putPlanOp(g.id, stored)])).succeeded) return { guest: g.id, name: g.name, plan };
  }
  throw tooMuchContention(key);
}

export async function unsetHaPlan(ctx: ControllerContext, ref: string): Promise<{ guest: string }> {
  const g = (await guestsRuntime(ctx).repo.find(ref)).record;
  const key = haPlanKey(g.id);
  const current = await ctx.store.get(key);
  if (!current) throw haRouteErrors.noPlan(g.id);
  await ctx.store.txn([], [{ delete: key }]);
  return { guest: g.id };
}
