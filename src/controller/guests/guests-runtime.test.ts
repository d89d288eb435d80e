import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { GuestsRuntime } from './guests-runtime.ts';

test('an action begun or ended after a mark makes what was read since then stale for that guest only', async () => {
  const store = openSqliteStore(':memory:');
  const rt = new GuestsRuntime({ store });
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
