// A guest's HA plan: set (refused for a guest that is not agile, naming the rule that fails, and
// for a change that would break the configured failures to tolerate) and unset.
import { assertAgile } from '../../core/ha/agility.ts';
import { checkPlanChange, validatePlan } from '../../core/ha/plan-rules.ts';
import type { HaPlan } from '../../core/ha/ha-types.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { agilityFactsOf, capacityFacts } from './ha-cluster-view.ts';
import { readHaConfig, updateHaConfig } from './ha-config-store.ts';
import { haRouteErrors } from './ha-controller-errors.ts';
import { haRuntime } from './ha-runtime.ts';

export interface PlanAnswer {
  readonly guest: string;
  readonly name: string;
  readonly plan: HaPlan;
}

export async function setHaPlan(ctx: ControllerContext, ref: string, plan: HaPlan): Promise<PlanAnswer> {
  const g = (await guestsRuntime(ctx).repo.find(ref)).record;
  validatePlan(plan);
  const facts = await haRuntime(ctx).readFacts();
  if (plan.restart !== 'never') assertAgile(g.id, agilityFactsOf(g, facts));
  const cfg = await readHaConfig(ctx.store);
  const cap = capacityFacts(cfg, facts, g.id);
  checkPlanChange(cap.hosts, cap.guests, cfg, g.id, plan);
  await updateHaConfig(ctx.store, (c) => ({
    ...c,
    plans: { ...c.plans, [g.id]: { restart: plan.restart, order: plan.order, delay: plan.delay, guestCreatedAt: g.createdAt } },
  }));
  return { guest: g.id, name: g.name, plan };
}

export async function unsetHaPlan(ctx: ControllerContext, ref: string): Promise<{ guest: string }> {
  const g = (await guestsRuntime(ctx).repo.find(ref)).record;
  let had = false;
  await updateHaConfig(ctx.store, (c) => {
    had = c.plans[g.id] !== undefined;
    const { [g.id]: _removed, ...plans } = c.plans;
    return { ...c, plans };
  });
  if (!had) throw haRouteErrors.noPlan(g.id);
  return { guest: g.id };
}
