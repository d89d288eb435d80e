// A run (evacuation or undo) as a task `host.evacuate` / `host.undo-evacuate`: progress is guests
// finished / total, a log line per change and per guest; every transition is written to the
// evacuation's document (and the record undo reads) before the run goes on; the host's state
// follows the run (EVACUATING → MAINT). A run whose moves failed ends as a failed task naming them.
import { hostStateDuring, type GuestRun, type RunState } from '../../core/evacuation/evacuation-run.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import type { MoveReporter } from '../migration/move-types.ts';
import type { Actor, ControllerContext, TaskContext } from '../platform/types.ts';
import { driveRun } from './evacuation-runner.ts';
import { EvacuationStore, type EvacuationDoc } from './evacuation-store.ts';
import { guestMover } from './guest-mover.ts';
import { setEvacuationState } from './host-evacuation-state.ts';

export const TASK_KIND: Readonly<Record<RunState['kind'], string>> = { evacuate: 'host.evacuate', undo: 'host.undo-evacuate' };

/** The document with `run` in its place; an evacuated guest's record entry learns where it went. */
export function withRun(doc: EvacuationDoc, run: RunState): EvacuationDoc {
  if (run.kind === 'undo') return { ...doc, undo: run };
  const moved = new Map(run.guests.filter((g) => g.step === 'done').map((g) => [g.guest, g.to]));
  const entries = doc.record.entries.map((e) => (moved.has(e.guest) ? { ...e, to: moved.get(e.guest)! } : e));
  return { ...doc, evacuate: run, record: { ...doc.record, entries } };
}

const finished = (s: RunState): number => s.guests.filter((g) => g.step === 'done' || g.step === 'failed').length;

function summary(s: RunState): {
  evacuation: string;
  kind: RunState['kind'];
  host: string;
  moved: string[];
  failed: { guest: string; error: string }[];
  unmovable: RunState['unmovable'];
} {
  return {
    evacuation: s.id,
    kind: s.kind,
    host: s.host.name,
    moved: s.guests
      .filter((g) => g.step === 'done')
      .map((g) => `${g.guest} → ${g.to.name} (${g.kind}${g.downtimeMs === undefined ? '' : `, downtime ${g.downtimeMs} ms`})`),
    failed: s.guests.filter((g) => g.step === 'failed').map((g) => ({ guest: g.guest, error: g.error ?? 'failed' })),
    unmovable: s.unmovable,
  };
}

function reporterFor(task: TaskContext, g: GuestRun): MoveReporter {
  return { progress: () => undefined, log: (line) => void task.log(`${g.guest}: ${line}`).catch(() => undefined) };
}

async function runIt(ctx: ControllerContext, id: string, kind: RunState['kind'], task: TaskContext, resumed: boolean): Promise<unknown> {
  const store = new EvacuationStore(ctx.store);
  const doc = await store.get(id);
  const initial = doc && (kind === 'evacuate' ? doc.evacuate : doc.undo);
  if (!doc || !initial) throw errors.notFound(`no ${kind === 'undo' ? 'undo of ' : ''}evacuation '${id}' to run`);
  await store.mutate(id, (d) => ({ ...d, tasks: [...d.tasks, task.id] }));
  if (resumed) await task.log(`resuming ${kind === 'undo' ? 'the undo of ' : ''}evacuation '${id}' after a controller restart`);
  for (const u of initial.unmovable) await task.log(`${u.guest} stays on '${initial.host.name}': ${u.reason}`);
  const total = initial.guests.length;
  const mover = guestMover();
  const final = await driveRun(initial, {
    now: () => ctx.clock.now(),
    save: async (state, log) => {
      // The host's state first: a reader who sees the run done sees its host back in MAINT.
      const hostState = hostStateDuring(state);
      if (hostState) await setEvacuationState(ctx, state.host.id, hostState, `evacuation '${id}' ${state.phase}`);
      await store.mutate(id, (d) => withRun(d, state));
      for (const line of log) await task.log(line);
      await task.progress(total === 0 ? 1 : finished(state) / total, `${finished(state)}/${total} guest(s) moved`);
    },
    move: async (g) => {
      await task.log(`${g.guest}: moving from '${g.from.name}' to '${g.to.name}' (${g.kind})`);
      const undo = initial.kind === 'undo' ? `it is part of undo evacuation '${id}', which cannot be interrupted` : undefined;
      const r = await mover.move(ctx, g.guest, g.to.id, reporterFor(task, g), undo);
      const powered = await mover.setPower(ctx, g.guest, g.power);
      if (powered) await task.log(powered);
      await task.log(`${g.guest}: on '${g.to.name}' now, ${g.power}${g.kind === 'cold' ? '' : `, downtime ${r.downtimeMs} ms`}`);
      return r;
    },
  });
  const result = summary(final);
  if (final.phase === 'failed') {
    const names = result.failed.map((f) => `${f.guest} (${f.error})`).join('; ');
    throw new GrappeError(
      'evacuationIncomplete',
      `${kind === 'undo' ? 'undo of evacuation' : 'evacuation'} '${id}' of host '${final.host.name}' ended with ${result.failed.length} guest(s) not moved: ${names}`,
      result,
    );
  }
  return result;
}

/** Starts the task that drives the stored run `kind` of evacuation `id` to its end. */
export function startRunTask(ctx: ControllerContext, actor: Actor, doc: EvacuationDoc, kind: RunState['kind'], resumed = false): Promise<string> {
  return ctx.tasks.start({ kind: TASK_KIND[kind], target: `host:${doc.record.origin.id}`, actor }, (task) => runIt(ctx, doc.id, kind, task, resumed));
}
