// The HA manager's state in records: one per guest plus the hosts', only what changed written, a
// version-1 record (every guest inside) read and moved out, and no transaction past etcd's cap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HaGuestRecord, HaState } from '../../core/ha/ha-types.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { put, type Store } from '../../store/store.ts';
import { HA_GUEST_STATES_PREFIX, HA_STATE_KEY, HaStateRecords, readHaState } from './ha-state-store.ts';

const idOf = new Map([
  ['h1', '1'],
  ['h2', '2'],
]);
const pool: HaState['pool'] = { gateOpenAt: 0, stormActive: false, overCommitted: false };

function stateOf(n: number): { hosts: HaState['hosts']; guests: Record<string, HaGuestRecord>; pool: HaState['pool'] } {
  const guests: Record<string, HaGuestRecord> = {};
  for (let i = 0; i < n; i++) guests[`vm:${100 + i}`] = { state: 'started', host: i % 2 === 0 ? 'h1' : 'h2' };
  return { hosts: { h1: { state: 'online', since: 1 }, h2: { state: 'online', since: 1 } }, guests, pool };
}

/** Counts the store's transactions and the operations of the largest one. */
function counting(store: Store): { store: Store; txns: () => number; largest: () => number; reset: () => void } {
  let txns = 0;
  let largest = 0;
  const txn: Store['txn'] = (compare, success, failure) => {
    txns++;
    largest = Math.max(largest, success.length);
    return store.txn(compare, success, failure);
  };
  return {
    store: Object.assign(Object.create(store) as Store, { txn }),
    txns: () => txns,
    largest: () => largest,
    reset: () => {
      txns = 0;
      largest = 0;
    },
  };
}

test('each guest is a record of its own, hosts named by id; a save writes only the guests that changed', async () => {
  const raw = openSqliteStore(':memory:');
  const c = counting(raw);
  const records = new HaStateRecords(c.store);
  assert.equal(await records.load(), undefined, 'nothing stored yet');
  const state = stateOf(250);
  await records.save(state, idOf);
  assert.equal((await raw.list(HA_GUEST_STATES_PREFIX)).length, 250);
  assert.ok(c.largest() <= 100, `at most 100 operations per transaction (etcd's cap is 128), saw ${c.largest()}`);
  const stored = await readHaState(raw);
  assert.deepEqual(stored?.guests['vm:101'], { state: 'started', host: '2' }, 'hosts named by id in the store');
  assert.deepEqual(Object.keys(stored?.hosts ?? {}), ['1', '2']);

  c.reset();
  await records.save(state, idOf);
  assert.equal(c.txns(), 0, 'the same state: nothing written');
  const rev = await raw.revision();
  const guests: Record<string, HaGuestRecord> = { ...state.guests, 'vm:100': { state: 'fence', host: 'h1', downSince: 5 } };
  const next = { ...state, guests };
  await records.save(next, idOf);
  assert.equal(c.txns(), 1, 'one guest changed: one transaction, and the hosts record untouched');
  assert.equal(await raw.revision(), rev + 1);

  const { 'vm:249': _gone, ...rest } = next.guests;
  await records.save({ ...next, guests: rest }, idOf);
  assert.equal((await raw.list(HA_GUEST_STATES_PREFIX)).length, 249, 'a guest HA no longer runs: its record is removed');
  await raw.close();
});

test('after a restart, a state saved again unchanged writes nothing (records compared by their stored text)', async () => {
  const raw = openSqliteStore(':memory:');
  await new HaStateRecords(raw).save(stateOf(10), idOf);
  const c = counting(raw);
  const again = new HaStateRecords(c.store);
  const loaded = await again.load();
  assert.equal(Object.keys(loaded?.guests ?? {}).length, 10);
  // The loop renames the loaded state back to host names: new objects, the same records.
  await again.save(stateOf(10), idOf);
  assert.equal(c.txns(), 0);
  await raw.close();
});

test('a version-1 record (every guest inside it) is read, then its guests are moved to records of their own', async () => {
  const raw = openSqliteStore(':memory:');
  await put(raw, HA_STATE_KEY, {
    hosts: { '1': { state: 'fenced', since: 3 } },
    guests: { 'vm:100': { state: 'recovery', host: '1', downSince: 2 } },
    pool: { gateOpenAt: 0, stormActive: false, overCommitted: false },
  });
  const records = new HaStateRecords(raw);
  const loaded = await records.load();
  assert.deepEqual(loaded?.guests, { 'vm:100': { state: 'recovery', host: '1', downSince: 2 } });
  assert.deepEqual(loaded?.hosts, { '1': { state: 'fenced', since: 3 } });
  await records.save({ hosts: { h1: { state: 'fenced', since: 3 } }, guests: { 'vm:100': { state: 'recovery', host: 'h1', downSince: 2 } }, pool }, idOf);
  const stored = (await raw.get(HA_STATE_KEY))?.value as Record<string, unknown>;
  assert.equal(stored['recordVersion'], 2);
  assert.equal(stored['guests'], undefined, 'the hosts record holds no guest any more');
  assert.deepEqual((await readHaState(raw))?.guests, { 'vm:100': { state: 'recovery', host: '1', downSince: 2 } });
  await raw.close();
});

test('clear removes the hosts record and every guest record', async () => {
  const raw = openSqliteStore(':memory:');
  const records = new HaStateRecords(raw);
  await records.save(stateOf(150), idOf);
  await records.clear();
  assert.equal(await readHaState(raw), undefined);
  await records.save(stateOf(2), idOf);
  assert.equal((await raw.list(HA_GUEST_STATES_PREFIX)).length, 2, 'saved afresh after a clear');
  await raw.close();
});

test('after a failed save (it may have been applied or not), the next one compares with what the store holds', async () => {
  const raw = openSqliteStore(':memory:');
  let lostAnswers = false;
  // Applied, but the answer is lost (a timeout after the commit): the saver cannot know which.
  const flaky = Object.assign(Object.create(raw) as Store, {
    txn: (async (...a: Parameters<Store['txn']>) => {
      const r = await raw.txn(...a);
      if (lostAnswers) throw new Error('store unreachable');
      return r;
    }) as Store['txn'],
  });
  const records = new HaStateRecords(flaky);
  const before = stateOf(3);
  await records.save(before, idOf);
  lostAnswers = true;
  const changed = { ...before, guests: { ...before.guests, 'vm:101': { state: 'fence', host: 'h2' } as const } };
  await assert.rejects(records.save(changed, idOf), /store unreachable/);
  lostAnswers = false;
  await records.save(before, idOf);
  assert.deepEqual((await readHaState(raw))?.guests['vm:101'], { state: 'started', host: '2' }, 'the state saved last is what the store holds');
  await raw.close();
});
