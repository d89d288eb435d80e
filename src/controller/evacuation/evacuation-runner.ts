// Drives one run (evacuation or undo) to its end through the core's `transition`: starts the queued
// guests the parallel limit allows, waits for any move to end, records it, and goes on. Every
// transition is saved before the next step, so a restarted controller resumes from what was saved.
// No I/O of its own: moving, saving and the clock are ports (tests pass fakes).
import { nextToStart, transition, type GuestRun, type RunEvent, type RunState } from '../../core/evacuation/evacuation-run.ts';
import { errors } from '../../core/errors.ts';

export interface RunPorts {
  now(): number;
  /** Persists the state (and shows the log lines); a failure stops the run where it was saved. */
  save(state: RunState, log: readonly string[]): Promise<void>;
  /** Moves one guest and leaves it in `g.power`; resolves with the measured downtime, throws with why it failed. */
  move(g: GuestRun): Promise<{ downtimeMs: number }>;
}

type MoveEnd = Extract<RunEvent, { type: 'guest-done' | 'guest-failed' }>;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function driveRun(initial: RunState, ports: RunPorts): Promise<RunState> {
  let state = initial;
  const apply = async (e: RunEvent): Promise<void> => {
    const t = transition(state, e);
    state = t.state;
    await ports.save(state, t.log);
  };
  if (state.phase === 'planned') await apply({ type: 'start', at: ports.now() });
  if (state.guests.some((g) => g.step === 'migrating')) {
    // Only resume settles those (done or requeued): this process is not moving them.
    throw errors.internal(`run '${state.id}' has moves in flight that nobody drives: resolve them before driving it`);
  }
  const inFlight = new Map<string, Promise<MoveEnd>>();
  while (state.phase === 'running') {
    for (const g of nextToStart(state)) {
      await apply({ type: 'guest-started', guest: g.guest, at: ports.now() });
      inFlight.set(
        g.guest,
        ports.move(g).then(
          (r): MoveEnd => ({ type: 'guest-done', guest: g.guest, at: ports.now(), downtimeMs: r.downtimeMs }),
          (err: unknown): MoveEnd => ({ type: 'guest-failed', guest: g.guest, at: ports.now(), error: messageOf(err) }),
        ),
      );
    }
    if (inFlight.size === 0) break; // nothing queued and nothing moving: transition has ended the run
    const ended = await Promise.race(inFlight.values());
    inFlight.delete(ended.guest);
    await apply(ended);
  }
  return state;
}
