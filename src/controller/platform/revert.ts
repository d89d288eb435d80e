// One way to undo a multi-step action (as Incus's revert.New()): register an undo step right after each
// step succeeds; on failure the steps run in reverse order, every one of them even if some fail, and an
// undo that itself fails is never swallowed: it is logged on the task (the system log) and carried in
// the thrown error's details (`undoFailures`), so the task's result says what may be left behind.
import { errors, isGrappeError, messageOf } from '../../core/errors.ts';
import type { EventBus } from './types.ts';

export interface UndoFailure {
  readonly step: string;
  readonly error: string;
}

export interface Revert {
  /** After a step succeeded: how to undo it, and its name for the log. */
  add(step: string, undo: () => Promise<unknown>): void;
}

/** A log line writer (a task's log). */
export type RevertLog = (line: string) => Promise<void>;

/**
 * Where a revert reports: each undo on the task's log (when the action is a task), and an undo that
 * failed also as an error event on the system log (the event stream), under the action's subject.
 */
export interface RevertReport {
  readonly log?: RevertLog;
  readonly events: Pick<EventBus, 'emit'>;
  readonly subject: string;
}

/**
 * Runs `work`; if it throws, runs the registered undo steps in reverse, logs each outcome that failed,
 * and rethrows the original error (a GrappeError; others become `internal`) with `undoFailures` added.
 */
export async function withRevert<T>(report: RevertReport, work: (revert: Revert) => Promise<T>): Promise<T> {
  const log = report.log ?? (async () => undefined);
  const steps: { step: string; undo: () => Promise<unknown> }[] = [];
  try {
    return await work({ add: (step, undo) => void steps.push({ step, undo }) });
  } catch (err) {
    const failures: UndoFailure[] = [];
    for (const s of steps.reverse()) {
      try {
        await s.undo();
        await log(`undone: ${s.step}`).catch(() => undefined);
      } catch (e) {
        failures.push({ step: s.step, error: messageOf(e) });
        const line = `undo FAILED: ${s.step}: ${messageOf(e)} (it may be left behind)`;
        await log(line).catch(() => undefined);
        await report.events
          .emit({ type: 'undo.failed', severity: 'error', subject: report.subject, message: line, data: { step: s.step, error: messageOf(e) } })
          .catch(() => undefined);
      }
    }
    const base = isGrappeError(err) ? err : errors.internal(messageOf(err));
    if (failures.length === 0) throw base;
    throw base.amended(`${base.message} (and undoing it failed: ${failures.map((f) => f.step).join(', ')})`, { undoFailures: failures });
  }
}
