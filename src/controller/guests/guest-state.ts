// The one place a guest's recorded run state changes, announced as a guest.state event
// ("guest 'vm:103' (web01): state changed from 'stopped' to 'running'").
import type { GuestStatus } from '../../contract/guest-agent.contract.ts';
import { isoAt } from '../platform/clock.ts';
import type { ControllerContext } from '../platform/types.ts';
import { emitGuestEvent } from './guest-events.ts';
import { stateOf } from './guest-live.ts';
import type { GuestRecord } from './guest-record.ts';
import { guestsRuntime } from './guests-runtime.ts';

/**
 * Records a run state the agent reported, with a guest.state event when it changed. `ifRevision`: only
 * if the record is still at that revision (a reader whose answer may have gone stale meanwhile).
 */
export async function recordState(
  ctx: ControllerContext,
  g: GuestRecord,
  status: GuestStatus | undefined,
  why: string,
  ifRevision?: number,
): Promise<GuestRecord> {
  const now = stateOf(status);
  if (now.state === g.state && now.accel === g.accel) return g;
  const at = isoAt(ctx.clock);
  const next = await guestsRuntime(ctx).repo.update(g.number, (r) => ({ ...r, state: now.state, accel: now.accel, stateChangedAt: at }), ifRevision);
  if (next.state !== now.state) return next; // it changed meanwhile: the other writer's state stands
  if (now.state !== g.state) {
    // Not awaited: the event log keeps its own order, and a start need not wait for it.
    void emitGuestEvent(ctx, 'guest.state', g, `guest '${g.id}' (${g.name}): state changed from '${g.state}' to '${now.state}' (${why})`, {
      from: g.state,
      to: now.state,
      ...(now.accel ? { accel: now.accel } : {}),
    }).catch(() => undefined);
  }
  return next;
}
