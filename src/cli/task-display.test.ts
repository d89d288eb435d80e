import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TaskView } from '../contract/task.contract.ts';
import { TaskDisplay } from './task-display.ts';
import { captureStream } from '../../test/support/fake-runtime.ts';

const task = (progress: number, messages: string[], state: TaskView['state'] = 'running'): TaskView => ({
  id: 'T1',
  kind: 'host.update-connector',
  target: 'host:1',
  state,
  progress,
  user: 'admin',
  log: messages.map((message) => ({ at: '2026-11-23T03:00:00Z', message })),
  createdAt: '2026-11-23T03:00:00Z',
  startedAt: null,
  endedAt: null,
});

test('without a terminal: each log line once, no bar', () => {
  const out = captureStream(false);
  const d = new TaskDisplay(out);
  d.update(task(0.2, ['pushing connector…']));
  d.update(task(0.4, ['pushing connector…']));
  d.finish(task(1, ['pushing connector…', 'restarted'], 'succeeded'));
  assert.equal(out.text(), 'pushing connector…\nrestarted\n');
});

test('on a terminal: log lines above a bar redrawn in place, ending on a new line', () => {
  const out = captureStream(true, 80);
  const d = new TaskDisplay(out);
  d.update(task(0.4, ['pushing connector…']));
  d.update(task(0.6, ['pushing connector…', 'restarting']));
  d.finish(task(0.9, ['pushing connector…', 'restarting'], 'succeeded'));
  assert.equal(
    out.text(),
    'pushing connector…\n[########------------] 40% pushing connector…' +
      '\r\u001b[Krestarting\n[############--------] 60% restarting' +
      '\r\u001b[K[####################] 100% restarting\n',
  );
});

test('a failed task keeps its progress', () => {
  const out = captureStream(true, 80);
  new TaskDisplay(out).finish(task(0.5, ['boom'], 'failed'));
  assert.equal(out.text(), 'boom\n[##########----------] 50% boom\n');
});
