// One way to undo a multi-step action (as Incus's revert.New()): register an undo step right after each
// step succeeds; on failure the steps run in reverse order, every one of them even if some fail, and an
// undo that itself fails is never swallowed: it is logged on the task (the system log) and carried in
// the thrown error's details (`undoFailures`), so the task's result says what may be left behind.
import { errors, isGrappeError, messageOf } from '../../core/errors.ts';

export interface UndoFailure {
  readonly step: string;
  readonly error: string;
}

export interface Revert {
  /** After a step succeeded: how to undo it, and its name for the log. */
  add(step: string, undo: () => Promise<unknown>): void;
}

/** What the revert reports to: a task's log line writer. */
export type RevertLog = (line: string) => Promise<void>;

/**
 * Runs `work`; if it throws, runs the registered undo steps in reverse, logs each outcome that failed,
 * and rethrows the original error (a GrappeError; others become `internal`) with `undoFailures` added.
 */
export async function withRevert<T>(log: RevertLog, work: (revert: Revert) => Promise<T>): Promise<T> {
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
        await log(`undo FAILED: ${s.step}: ${messageOf(e)} (it may be left behind)`).catch(() => undefined);
      }
    }
    const base = isGrappeError(err) ? err : errors.internal(messageOf(err));
    if (failures.length === 0) throw base;
    throw base.amended(`${base.message} (and undoing it failed: ${failures.map((f) => f.step).join(', ')})`, { undoFailures: failures });
  }
}
