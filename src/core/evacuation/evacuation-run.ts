// One evacuation (or undo) as it runs: planned → running → done | failed, with each guest
// queued → migrating → done | failed. `transition` is the only function that changes a run; it
// returns the new state and a log line per change, so the controller persists the state, prints the
// lines, and after a restart resumes from what it stored. Times arrive with the events (no clock here).
import { GrappeError, errors } from '../errors.ts';
import type { EvacuationPlan, GuestPower, HostRef, MoveKind, Unmovable } from './evacuation-types.ts';
import type { UndoPlan } from './plan-undo.ts';

export const RUN_PHASES = ['planned', 'running', 'done', 'failed'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export const GUEST_STEPS = ['queued', 'migrating', 'done', 'failed'] as const;
export type GuestStep = (typeof GUEST_STEPS)[number];

export interface GuestRun {
  readonly guest: string;
  readonly from: HostRef;
  readonly to: HostRef;
  readonly kind: MoveKind;
  /** The power state the guest must end in. */
  readonly power: GuestPower;
  readonly step: GuestStep;
  readonly startedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
  readonly downtimeMs?: number | undefined;
  readonly error?: string | undefined;
}

export interface RunState {
  readonly id: string;
  readonly kind: 'evacuate' | 'undo';
  /** The host being emptied (evacuate) or refilled (undo). */
  readonly host: HostRef;
  readonly phase: RunPhase;
  readonly maxParallel: number;
  readonly guests: readonly GuestRun[];
  /** Guests the plan left where they are, with why: part of the report. */
  readonly unmovable: readonly Unmovable[];
  readonly startedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
}

export type RunEvent =
  | { readonly type: 'start'; readonly at: number }
  | { readonly type: 'guest-started'; readonly guest: string; readonly at: number }
  | { readonly type: 'guest-done'; readonly guest: string; readonly at: number; readonly downtimeMs?: number }
  | { readonly type: 'guest-failed'; readonly guest: string; readonly at: number; readonly error: string }
  /** After a controller restart: the move was found not running and not done (the guest is still on its source). */
  | { readonly type: 'guest-requeued'; readonly guest: string; readonly why: string };

export interface Transition {
  readonly state: RunState;
  readonly log: readonly string[];
}

const guestsOf = (moves: EvacuationPlan['moves']): GuestRun[] =>
  moves.map((m) => ({ guest: m.guest, from: m.from, to: m.to, kind: m.kind, power: m.power, step: 'queued' }));

export function runFromEvacuation(id: string, plan: EvacuationPlan): RunState {
  return { id, kind: 'evacuate', host: plan.source, phase: 'planned', maxParallel: plan.maxParallel, guests: guestsOf(plan.moves), unmovable: plan.unmovable };
}

/** Undo moves one guest at a time unless told otherwise; Unavailable guests are carried as unmovable. */
export function runFromUndo(id: string, plan: UndoPlan, maxParallel = 2): RunState {
  const unmovable = plan.unavailable.map((u) => ({ guest: u.guest, reason: u.why }));
  return { id, kind: 'undo', host: plan.origin, phase: 'planned', maxParallel, guests: guestsOf(plan.available), unmovable };
}

const runName = (s: RunState): string => `${s.kind === 'undo' ? 'undo of evacuation' : 'evacuation'} '${s.id}' of host '${s.host.name}'`;
const changed = (subject: string, from: string, to: string): string => `${subject}: state changed from '${from}' to '${to}'`;
const isFinished = (g: GuestRun): boolean => g.step === 'done' || g.step === 'failed';

export const migrating = (s: RunState): number => s.guests.filter((g) => g.step === 'migrating').length;

/** The queued guests the controller should start now, in plan order, within the parallel limit. */
export function nextToStart(s: RunState): readonly GuestRun[] {
  if (s.phase !== 'running') return [];
  const room = s.maxParallel - migrating(s);
  return room > 0 ? s.guests.filter((g) => g.step === 'queued').slice(0, room) : [];
}

export function transition(s: RunState, e: RunEvent): Transition {
  const log: string[] = [];
  let next: RunState;
  if (e.type === 'start') {
    if (s.phase !== 'planned') throw errors.incorrectState(runName(s), s.phase, 'start', 'it to be planned');
    log.push(changed(runName(s), 'planned', 'running'));
    next = { ...s, phase: 'running', startedAt: e.at };
  } else {
    if (s.phase !== 'running') throw errors.incorrectState(runName(s), s.phase, `report on guest '${e.guest}' of`, 'it to be running');
    const k = s.guests.findIndex((g) => g.guest === e.guest);
    if (k < 0) throw errors.invalidInput(`guest '${e.guest}' is not part of ${runName(s)}`, { guest: e.guest });
    const g = s.guests[k]!;
    const updated = guestStep(s, g, e);
    log.push(changed(`guest '${g.guest}'`, g.step, updated.step));
    next = { ...s, guests: s.guests.map((x, j) => (j === k ? updated : x)) };
  }
  if (next.phase === 'running' && next.guests.every(isFinished)) {
    const end = next.guests.some((g) => g.step === 'failed') ? 'failed' : 'done';
    log.push(changed(runName(next), 'running', end));
    next = { ...next, phase: end, ...('at' in e ? { finishedAt: e.at } : {}) };
  }
  return { state: next, log };
}

function guestStep(s: RunState, g: GuestRun, e: Exclude<RunEvent, { type: 'start' }>): GuestRun {
  const subject = `guest '${g.guest}'`;
  switch (e.type) {
    case 'guest-started':
      if (g.step !== 'queued') throw errors.incorrectState(subject, g.step, 'start moving', 'it to be queued');
      if (migrating(s) >= s.maxParallel) {
        throw new GrappeError(
          'tooManyMigrations',
          `cannot start moving ${subject}: ${s.maxParallel} migration(s) already run, the most this ${s.kind === 'undo' ? 'undo' : 'evacuation'} allows at once`,
          { maxParallel: s.maxParallel },
        );
      }
      return { ...g, step: 'migrating', startedAt: e.at };
    case 'guest-done':
      if (g.step !== 'migrating') throw errors.incorrectState(subject, g.step, 'finish moving', 'it to be migrating');
      return { ...g, step: 'done', finishedAt: e.at, ...(e.downtimeMs !== undefined ? { downtimeMs: e.downtimeMs } : {}) };
    case 'guest-failed':
      if (g.step !== 'migrating') throw errors.incorrectState(subject, g.step, 'fail moving', 'it to be migrating');
      return { ...g, step: 'failed', finishedAt: e.at, error: e.error };
    case 'guest-requeued': {
      if (g.step !== 'migrating') throw errors.incorrectState(subject, g.step, 'requeue', 'it to be migrating');
      const { startedAt: _dropped, ...rest } = g;
      return { ...rest, step: 'queued' };
    }
  }
}

/** What the host's state label should show while the run is in this phase (EVACUATING until done). */
export const hostStateDuring = (s: RunState): 'EVACUATING' | 'MAINT' | undefined =>
  s.kind === 'evacuate' ? (s.phase === 'running' ? 'EVACUATING' : s.phase === 'planned' ? undefined : 'MAINT') : undefined;

/** Only one evacuation or undo runs in the pool at a time: a second one is refused (409). */
export function assertNoneActive(runs: readonly RunState[], wanted: string): void {
  const active = runs.find((r) => r.phase === 'planned' || r.phase === 'running');
  if (active) {
    throw new GrappeError(
      'evacuationInProgress',
      `cannot ${wanted}: ${runName(active)} is ${active.phase === 'planned' ? 'about to run' : 'still running'}, and only one evacuation runs in the pool at a time`,
      { running: active.id },
    );
  }
}
