// Starting an HA guest on a host the HA manager chose. On another host than its record's, this is a
// recovery: the guest is defined there (its networks' bridges first), its record moved there
// (commitMove), then started. The manager only asks this once the old host is known fenced.
// The manager decided on a view taken at the start of its round: a plan removed since (and the guest
// stopped by its user meanwhile) is checked again here, under the guest's claim, before anything starts.
import { errors } from '../../core/errors.ts';
import { agentSpecOf } from '../guests/guest-agent-spec.ts';
import { recordState } from '../guests/guest-state.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { commitMove } from '../migration/move-commit.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import { prepareHostFor } from '../storage/index.ts';
import { isProtectedPlan, planOf } from './ha-cluster-view.ts';
import { readHaConfig } from './ha-config-store.ts';

export type HaStartOutcome =
  { readonly guest: string; readonly from: number; readonly to: number; readonly moved: boolean } | { readonly guest: string; readonly skipped: string };

export async function startHaGuest(ctx: ControllerContext, guestId: string, toHostId: number): Promise<HaStartOutcome> {
  const rt = guestsRuntime(ctx);
  const entry = await rt.repo.find(guestId);
  const release = rt.claim(entry.record.id); // refused (busy) while a user action runs: HA retries later
  try {
    let g = entry.record;
    const cfg = await readHaConfig(ctx);
    if (!cfg.enabled || !isProtectedPlan(planOf(cfg, g)?.restart)) return { guest: g.id, skipped: 'its HA plan was removed meanwhile' };
    const to = (await hostsRuntime(ctx)).cache.get(toHostId);
    if (!to) throw errors.noSuchHost(toHostId);
    const agent = guestAgentFor(ctx, to);
    const from = g.hostId;
    if (from !== toHostId) {
      await prepareHostFor(ctx, g, to);
      await agent.defineGuest(g.id, await agentSpecOf(ctx, g, to));
      g = await commitMove(ctx, g.id, from, toHostId, { state: 'stopped' });
    }
    const status = await agent.startGuest(g.id);
    await recordState(ctx, g, status, from !== toHostId ? 'recovered by HA' : 'restarted by HA');
    return { guest: g.id, from, to: toHostId, moved: from !== toHostId };
  } finally {
    release();
  }
}

/** Pulls the plug of a stray copy the HA manager found. */
export async function stopHaGuest(ctx: ControllerContext, guestId: string, hostId: number): Promise<void> {
  const host = (await hostsRuntime(ctx)).cache.get(hostId);
  if (!host) throw errors.noSuchHost(hostId);
  await guestAgentFor(ctx, host).stopGuest(guestId, { force: true, timeoutMs: 0 });
}
