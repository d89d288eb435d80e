// The one way a guest changes host: plan (target, kind, blockers), claim the guest for the whole move
// (any other action on it meanwhile gets 409), run the mover of its kind — live for running/paused
// VMs, restart for running containers, cold for stopped guests — and record the measured downtime.
// The migrate route, evacuation and undo all come through here.
import { GrappeError, errors } from '../../core/errors.ts';
import type { MoveKind } from '../../core/evacuation/evacuation-types.ts';
import { findHost } from '../hosts/host-lookup.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { moveCold } from './move-cold.ts';
import { moveContainer } from './move-container.ts';
import { recordDowntime } from './move-history.ts';
import { moveLive } from './move-live.ts';
import { planMove, type MovePlan } from './move-plan.ts';
import { silentReporter, type MoveOptions, type MoveOutcome, type Mover } from './move-types.ts';

export { moveBlockers } from './move-plan.ts';

export const DEFAULT_MAX_DOWNTIME_MS = 100;

const MOVERS: Readonly<Record<MoveKind, Mover>> = { live: moveLive, restart: moveContainer, cold: moveCold };

/** A move that passed its checks and holds the guest's claim: run it once, or release it. */
export interface PreparedMove {
  readonly plan: MovePlan;
  run(opts: MoveOptions): Promise<MoveOutcome>;
  release(): void;
}

/**
 * Plans the move and claims the guest; refuses (409) when a blocker stands or the guest is busy.
 * The route calls this before starting its task, so refusals are answered at once.
 */
export async function prepareMove(ctx: ControllerContext, guestRef: string, toHostRef?: string | number): Promise<PreparedMove> {
  const rt = guestsRuntime(ctx);
  const found = await rt.repo.find(guestRef);
  if (toHostRef !== undefined) findHost(await hostsRuntime(ctx), String(toHostRef)); // 404 before 409
  const release = rt.claim(found.record.id);
  try {
    const g = (await rt.repo.find(found.record.id)).record; // re-read under the claim
    const plan = await planMove(ctx, g, toHostRef);
    if (plan.blockers.length > 0 || !plan.to || !plan.kind) {
      const where = plan.to ? `to host '${plan.to.name}'` : 'anywhere';
      throw new GrappeError('moveBlocked', `cannot move guest '${g.id}' ${where}: ${plan.blockers.join('; ')}`, { guest: g.id, blockers: plan.blockers });
    }
    let used = false;
    return {
      plan,
      release,
      run: async (opts) => {
        if (used) throw errors.internal(`move of '${g.id}' already ran`);
        used = true;
        try {
          return await runPlanned(ctx, g.id, plan, opts);
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

async function runPlanned(ctx: ControllerContext, guestId: string, plan: MovePlan, opts: MoveOptions): Promise<MoveOutcome> {
  const hosts = await hostsRuntime(ctx);
  const from = hosts.cache.get(plan.from.id);
  const to = plan.to && hosts.cache.get(plan.to.id);
  if (!from) throw errors.noSuchHost(plan.from.id);
  if (!to) throw errors.noSuchHost(plan.to?.name ?? '?');
  const guest = (await guestsRuntime(ctx).repo.find(guestId)).record;
  const kind = plan.kind!;
  const outcome = await MOVERS[kind](ctx, {
    guest,
    from,
    to,
    maxDowntimeMs: opts.maxDowntimeMs ?? DEFAULT_MAX_DOWNTIME_MS,
    ...(opts.bandwidthMiBps !== undefined ? { bandwidthMiBps: opts.bandwidthMiBps } : {}),
    report: opts.report ?? silentReporter,
    ...(opts.uninterruptible !== undefined ? { uninterruptible: opts.uninterruptible } : {}),
  });
  ctx.metrics.migration(outcome.kind, outcome.downtimeMs);
  await recordDowntime(ctx.store, outcome.kind, outcome.downtimeMs).catch(() => undefined); // a lost sample never fails a move
  return outcome;
}

/** Moves the guest to `toHostRef` (or where the scheduler says), keeping its power state. */
export async function moveGuest(ctx: ControllerContext, guestRef: string, toHostRef: string | number | undefined, opts: MoveOptions): Promise<MoveOutcome> {
  const prepared = await prepareMove(ctx, guestRef, toHostRef);
  return prepared.run(opts);
}
