import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { GuestsRuntime } from './guests-runtime.ts';

test('an action begun or ended after a mark makes what was read since then stale for that guest only', async () => {
  const store = openSqliteStore(':memory:');
  const rt = new GuestsRuntime({ store, clock: { now: () => 0 } });
  const before = rt.mark();
  assert.equal(rt.touchedSince('vm:100', before), false, 'no action yet');
  const release = rt.claim('vm:100');
  assert.equal(rt.isBusy('vm:100'), true);
  const during = rt.mark();
  assert.equal(rt.touchedSince('vm:100', before), true, 'claimed after the mark');
  assert.equal(rt.touchedSince('vm:100', during), false, 'nothing since the claim');
  release();
  assert.equal(rt.isBusy('vm:100'), false);
  assert.equal(rt.touchedSince('vm:100', during), true, 'a create that ended after a listing began: the listing may predate its definition');
  assert.equal(rt.touchedSince('vm:101', before), false, 'other guests are not affected');
  assert.throws(() => {
    rt.claim('vm:100')();
    rt.claim('vm:100');
    rt.claim('vm:100');
  }, /busy|action/);
  await store.close();
});

test('a listing stamped with a time gets the mark of just before it: actions from then on make it stale', async () => {
  const store = openSqliteStore(':memory:');
  let now = 1000;
  const rt = new GuestsRuntime({ store, clock: { now: () => now } });
  const release = rt.claim('vm:100'); // at 1000
  now = 1500;
  release(); // at 1500
  now = 2000;
  const before = rt.remember(1, 1200, []);
  assert.equal(before.size, 0);
  assert.equal(rt.touchedSince('vm:100', rt.markAt(1200)), true, 'a listing begun during the action predates its end');
  assert.equal(rt.touchedSince('vm:100', rt.markAt(1501)), false, 'a listing begun after the action ended is good');
  assert.equal(rt.touchedSince('vm:100', rt.markAt(1500)), true, 'the same millisecond counts as after');
  assert.equal(rt.touchedSince('vm:100', rt.markAt(900)), true, 'before the claim');
  assert.equal(rt.touchedSince('vm:101', rt.markAt(900)), false, 'other guests are not affected');
  now = 100_000;
  rt.claim('vm:102')(); // the old history is dropped
  assert.equal(rt.markAt(1200), -1, 'older than the history: before every action');
  assert.equal(rt.touchedSince('vm:101', rt.markAt(1200)), false);
  await store.close();
});

test('listNow remembers what the host answered for the next reader', async () => {
  const store = openSqliteStore(':memory:');
  const rt = new GuestsRuntime({ store, clock: { now: () => 5000 } });
  const got = await rt.listNow(7, async () => [{ id: 'vm:100', name: 'a', kind: 'vm', state: 'running' }]);
  assert.equal(got.get('vm:100')?.state, 'running');
  assert.equal(rt.listings.fresh(7, 5000, 0)?.guests.get('vm:100')?.state, 'running');
  await store.close();
});
