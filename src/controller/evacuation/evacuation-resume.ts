// A controller restarted (even killed) during an evacuation or undo finishes it: the active run is
// read back, every move found half-done is settled by asking where the guest really is (done when its
// record names the target, queued again when it is still on its source), the host's state is set
// back to what the run says, and a new task drives the rest.
import { hostStateDuring, transition, type GuestRun, type RunEvent, type RunState } from '../../core/evacuation/evacuation-run.ts';
import type { ControllerContext } from '../platform/types.ts';
import { EvacuationStore, runOf } from './evacuation-store.ts';
import { startRunTask, withRun } from './evacuation-task.ts';
import { guestMover, type GuestWhereabouts } from './guest-mover.ts';
import { setEvacuationState } from './host-evacuation-state.ts';

const RESUMER = { username: 'system' };

/** What a move cut short by a restart became, from where the guest is now. Pure. */
export function settle(g: GuestRun, where: GuestWhereabouts, at: number): RunEvent {
  const on = where.recordedOn;
  if (on === null) return { type: 'guest-failed', guest: g.guest, at, error: 'the guest was deleted while it moved' };
  if (on === g.to.id) return { type: 'guest-done', guest: g.guest, at };
  if (on === g.from.id) {
    if (where.reportedBy.includes(g.to.id) && !where.reportedBy.includes(g.from.id)) {
      return {
        type: 'guest-failed',
        guest: g.guest,
        at,
        error: `found on '${g.to.name}' while still recorded on '${g.from.name}': the move was cut short before it was recorded; check the guest before moving it again`,
      };
    }
    return { type: 'guest-requeued', guest: g.guest, why: `its move had not finished when the controller stopped; it is still on '${g.from.name}'` };
  }
  return { type: 'guest-failed', guest: g.guest, at, error: `it was moved elsewhere meanwhile (its record names host #${on})` };
}

/** Settles the half-done moves of a run, saving each transition; returns the run ready to drive. */
async function settleAll(ctx: ControllerContext, store: EvacuationStore, id: string, run: RunState): Promise<RunState> {
  let state = run;
  for (const g of run.guests.filter((x) => x.step === 'migrating')) {
    const where = await guestMover().locate(ctx, g.guest, [g.from.id, g.to.id]);
    state = transition(state, settle(g, where, ctx.clock.now())).state;
    const saved = state;
    await store.mutate(id, (d) => withRun(d, saved));
  }
  return state;
}

/** Resumes the active run, if any; resolves with its new task id. */
export async function resumeActive(ctx: ControllerContext): Promise<string | undefined> {
  const store = new EvacuationStore(ctx.store);
  const active = await store.active();
  const doc = active && (await store.get(active.id));
  const run = doc && runOf(doc, active.kind);
  if (!doc || !run) return undefined;
  const settled = await settleAll(ctx, store, doc.id, run);
  const hostState = hostStateDuring(settled);
  if (hostState) await setEvacuationState(ctx, settled.host.id, hostState, `evacuation '${doc.id}' resumed`);
  return startRunTask(ctx, RESUMER, doc, run.kind, true);
}
