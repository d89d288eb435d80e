import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, isGrappeError } from '../../core/errors.ts';
import { withRevert, type RevertReport } from './revert.ts';

/** A report that keeps what the task log and the event stream were told. */
function recorder(): RevertReport & { lines: string[]; events: RevertReport['events'] & { seen: { type: string; message: string }[] } } {
  const lines: string[] = [];
  const seen: { type: string; message: string }[] = [];
  return {
    lines,
    subject: 'volume:v',
    log: async (l) => void lines.push(l),
    events: { seen, emit: async (e) => void seen.push({ type: e.type, message: e.message }) },
  };
}

test('success keeps every step: nothing is undone', async () => {
  const undone: string[] = [];
  const r = await withRevert(recorder(), async (revert) => {
    revert.add('a', async () => undone.push('a'));
    return 42;
  });
  assert.equal(r, 42);
  assert.deepEqual(undone, []);
});

test('a failure undoes the steps in reverse and rethrows the first error', async () => {
  const undone: string[] = [];
  const report = recorder();
  await assert.rejects(
    withRevert(report, async (revert) => {
      revert.add('file made', async () => undone.push('file'));
      revert.add('target exported', async () => undone.push('target'));
      throw errors.invalidInput('export refused');
    }),
    (e: unknown) => isGrappeError(e) && e.message === 'export refused' && e.details['undoFailures'] === undefined,
  );
  assert.deepEqual(undone, ['target', 'file']);
  assert.deepEqual(report.lines, ['undone: target exported', 'undone: file made']);
  assert.deepEqual(report.events.seen, [], 'undos that worked are not alarms');
});

test('an undo that fails is reported in the log and the error, and the other undos still run', async () => {
  const undone: string[] = [];
  const report = recorder();
  await assert.rejects(
    withRevert(report, async (revert) => {
      revert.add('file made', async () => undone.push('file'));
      revert.add('target exported', async () => {
        throw new Error('tgtd gone');
      });
      throw new Error('boom');
    }),
    (e: unknown) =>
      isGrappeError(e) &&
      e.code === 'internal' &&
      /^boom \(and undoing it failed: target exported\)$/.test(e.message) &&
      JSON.stringify(e.details['undoFailures']) === JSON.stringify([{ step: 'target exported', error: 'tgtd gone' }]),
  );
  assert.deepEqual(undone, ['file']);
  assert.deepEqual(report.lines, ['undo FAILED: target exported: tgtd gone (it may be left behind)', 'undone: file made']);
  assert.deepEqual(report.events.seen, [{ type: 'undo.failed', message: 'undo FAILED: target exported: tgtd gone (it may be left behind)' }]);
});
