// Every guest ends an evacuation (or its undo) in the power state it had when the evacuation
// started: a move keeps the power the guest has at that moment, so one started or stopped meanwhile
// is brought back here, on the host it now lives on.
import type { GuestPower } from '../../core/evacuation/evacuation-types.ts';
import { errors } from '../../core/errors.ts';
import { recordState } from '../guests/guest-state.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';

const STOP_TIMEOUT_MS = 30_000;

export async function ensurePower(ctx: ControllerContext, guest: string, power: GuestPower): Promise<string | undefined> {
  const rt = guestsRuntime(ctx);
  const g = (await rt.repo.find(guest)).record;
  const host = (await hostsRuntime(ctx)).cache.get(g.hostId);
  if (!host) throw errors.noSuchHost(g.hostId);
  const agent = guestAgentFor(ctx, host);
  const now = (await agent.listGuests()).find((s) => s.id === g.id);
  const state = now?.state ?? 'unknown';
  const up = state === 'running' || state === 'paused';
  if (power === 'stopped' ? !up : up) return undefined; // paused and running both count as up: there is no pause action
  // Moves hold the guest's claim; here it is free again, and the monitor must not judge it meanwhile.
  const release = rt.isBusy(g.id) ? () => undefined : rt.claim(g.id);
  try {
    if (power === 'stopped') {
      await agent.stopGuest(g.id, { timeoutMs: STOP_TIMEOUT_MS });
      await recordState(
        ctx,
        g,
        (await agent.listGuests()).find((s) => s.id === g.id),
        'stopped: it was stopped when the evacuation started',
      );
      return `guest '${g.id}' was ${state}: stopped it again on '${host.name}', as it was when the evacuation started`;
    }
    await recordState(ctx, g, await agent.startGuest(g.id), 'started: it was running when the evacuation started');
    return `guest '${g.id}' was ${state}: started it again on '${host.name}', as it was when the evacuation started`;
  } finally {
    release();
  }
}
