// The guest-state monitor: every interval, each UP or MAINT processing host holding guests is asked
// for its guests' run states (one GET /agent/v1/guests); changes are recorded and announced as
// guest.state events. A host that does not answer changes nothing (its guests keep running without
// their agent); a guest with an action in flight is left to that action.
import { turnAfter } from '../platform/next-turn.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { MONITOR_HOSTS_PER_SECOND, pacedPeriodMs } from '../../core/pacing.ts';
import { repeatRounds } from '../platform/repeat-rounds.ts';
import type { ControllerContext } from '../platform/types.ts';
import { recordState } from './guest-state.ts';
import { liveStatuses, stateOf } from './guest-live.ts';
import { guestsRuntime } from './guests-runtime.ts';

/** A round's length: the monitor interval, longer past 500 hosts (as the host monitor's). */
const periodOf = (ctx: ControllerContext, hosts: number): number => pacedPeriodMs(ctx.settings.monitorIntervalMs, hosts, MONITOR_HOSTS_PER_SECOND);

export async function guestMonitorRound(ctx: ControllerContext): Promise<void> {
  const rt = guestsRuntime(ctx);
  const mark = rt.mark();
  const cache = (await hostsRuntime(ctx)).cache;
  const entries = await rt.repo.entries();
  const guests = entries.map((e) => e.record);
  const hosts = [...new Set(guests.map((g) => g.hostId))]
    .map((id) => cache.get(id))
    .filter((h): h is HostRecord => h !== undefined && h.purpose === 'processing' && (h.state === 'UP' || h.state === 'MAINT' || h.state === 'EVACUATING'));
  // The HA loop's lease answers carry each HA host's listing every HA round: an answer from the last
  // half of this round will do (at scale both rounds grow, this one more than the HA one).
  const live = await liveStatuses(ctx, hosts, { maxAgeMs: periodOf(ctx, cache.all().length) / 2, guests });
  for (let i = 0; i < entries.length; i++) {
    await turnAfter(i);
    const { record: g, modRevision } = entries[i]!;
    const seen = live.get(g.hostId);
    // An action that began or ended during the round (a create whose definition reached the host
    // after the listing) makes the listing stale for that guest: the next round sees it as it is.
    if (!seen || rt.isBusy(g.id) || rt.touchedSince(g.id, mark)) continue;
    // Unchanged: nothing to write, and no need to read the record again (most guests, most rounds).
    const now = stateOf(seen.get(g.id));
    if (now.state === g.state && now.accel === g.accel) continue;
    // A start, a move or an HA recovery that wrote the record while the agents were being asked makes
    // what they answered stale: writing it would undo that action (a running guest recorded stopped).
    // The next round sees the new state.
    const current = await rt.repo.find(g.id).catch(() => undefined);
    if (!current || current.modRevision !== modRevision || rt.isBusy(g.id) || rt.touchedSince(g.id, mark)) continue;
    await recordState(ctx, current.record, seen.get(g.id), 'seen by the monitor', modRevision);
  }
}

/** Starts the loop; the returned function stops it and waits for a round in flight. */
export function startGuestMonitor(ctx: ControllerContext): () => Promise<void> {
  let hosts = 0; // known from the first round on
  return repeatRounds({
    periodMs: () => periodOf(ctx, hosts),
    round: async () => {
      hosts = (await hostsRuntime(ctx)).cache.all().length;
      await guestMonitorRound(ctx);
    },
    onError: (err) => process.emitWarning(`guest monitor round failed: ${String(err)}`),
  });
}
