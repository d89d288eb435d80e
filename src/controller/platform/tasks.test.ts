import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGrappeError } from '../../core/errors.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { StoreEventBus } from './events.ts';
import { StoreTaskRunner, TASK_LOG_CAP } from './tasks.ts';
import { FakeClock } from '../../../test/support/test-cluster.ts';

async function withRunner(fn: (runner: StoreTaskRunner, events: StoreEventBus, clock: FakeClock) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-tasks-'));
  const store = openSqliteStore(join(dir, 'db'));
  const clock = new FakeClock();
  const events = new StoreEventBus(store, clock);
  try {
    await fn(new StoreTaskRunner(store, clock, events), events, clock);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const actor = { username: 'admin' };

test('ids count up, the log keeps its newest lines, progress stays within 0..1', () =>
  withRunner(async (runner, _events, clock) => {
    const id = await runner.start({ kind: 'k', target: 't', actor }, async (task) => {
      await task.progress(-3);
      await task.progress(7, 'too far');
      for (let i = 0; i < TASK_LOG_CAP + 100; i++) {
        clock.advance(1);
        await task.log(`line ${i}`);
      }
      return { done: true, dropped: undefined };
    });
    assert.equal(id, 'T00000001');
    const view = await runner.wait(id);
    assert.equal(view.state, 'succeeded');
    assert.equal(view.log.length, TASK_LOG_CAP);
    assert.equal(view.log.at(-1)!.message, `line ${TASK_LOG_CAP + 99}`);
    assert.equal(view.log[0]!.message, 'line 100');
    assert.deepEqual(view.result, { done: true });
    assert.equal(await runner.start({ kind: 'k', target: 't', actor }, async () => undefined), 'T00000002');
  }));

test('a task that throws a coded error keeps its kind, code and details', () =>
  withRunner(async (runner) => {
    const { errors } = await import('../../core/errors.ts');
    const id = await runner.start({ kind: 'k', target: 't', actor }, async () => {
      throw errors.noSuchHost(9);
    });
    const view = await runner.wait(id);
    assert.equal(view.state, 'failed');
    assert.deepEqual(view.error, { code: 'noSuchHost', kind: 'notFound', message: "no host '9' in this cluster", details: { host: '9' } });
  }));

test('every change is announced as a task.updated event, in order', () =>
  withRunner(async (runner, events) => {
    const seen: string[] = [];
    events.subscribe((e) => seen.push(`${e.type} ${(e.data as { state: string }).state}`));
    const id = await runner.start({ kind: 'k', target: 't', actor }, async (task) => task.log('hello'));
    await runner.wait(id);
    assert.deepEqual(seen, ['task.updated queued', 'task.updated running', 'task.updated running', 'task.updated succeeded']);
  }));

test('waiting for an unknown task is a noSuchTask error', () =>
  withRunner(async (runner) => {
    await assert.rejects(runner.wait('T12345678'), (err: unknown) => isGrappeError(err) && err.code === 'noSuchTask');
    assert.equal(await runner.get('../etc'), undefined);
  }));
