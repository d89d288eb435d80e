import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GuestStatus } from '../contract/guest-agent.contract.ts';
import { RecentGuestList } from './recent-guest-list.ts';

const vm = (n: number, state: GuestStatus['state'] = 'running'): GuestStatus => ({ id: `vm:${n}`, name: `g${n}`, kind: 'vm', state });

test('the first peek has nothing yet and starts a listing; the next carries it with its age', async () => {
  let now = 1000;
  let answer: (l: GuestStatus[]) => void = () => undefined;
  const recent = new RecentGuestList(
    () => new Promise((r) => (answer = r)),
    () => now,
  );
  assert.equal(recent.peek(), undefined);
  now = 1040;
  answer([vm(100)]);
  await new Promise((r) => setImmediate(r));
  now = 1300;
  assert.deepEqual(recent.peek(), { agoMs: 300, list: [vm(100)] });
});

test('a peek never waits: a listing under way is not started twice, and the old one is answered meanwhile', async () => {
  let now = 0;
  let calls = 0;
  const pending: Array<(l: GuestStatus[]) => void> = [];
  const recent = new RecentGuestList(
    () => {
      calls++;
      return new Promise((r) => pending.push(r));
    },
    () => now,
  );
  await (async () => {
    const p = recent.listNow();
    pending.shift()?.([vm(1)]);
    await p;
  })();
  now = 500;
  assert.deepEqual(recent.peek()?.list, [vm(1)]);
  assert.deepEqual(recent.peek()?.list, [vm(1)]);
  assert.equal(calls, 2, 'one listing of its own, one started by the peeks');
});

test('a listing that began earlier never replaces a later one (it may predate a change)', async () => {
  let now = 0;
  const pending: Array<(l: GuestStatus[]) => void> = [];
  const recent = new RecentGuestList(
    () => new Promise((r) => pending.push(r)),
    () => now,
  );
  const slow = recent.listNow(); // began at 0
  now = 100;
  const quick = recent.listNow(); // began at 100
  pending[1]!([vm(2, 'stopped')]);
  await quick;
  pending[0]!([vm(2, 'running')]);
  await slow;
  now = 200;
  assert.deepEqual(recent.peek(), { agoMs: 100, list: [vm(2, 'stopped')] });
});

test('a failed listing leaves the previous one and the next peek tries again', async () => {
  let fail = true;
  let calls = 0;
  const recent = new RecentGuestList(
    async () => {
      calls++;
      if (fail) throw new Error('lxc-ls failed');
      return [vm(3)];
    },
    () => 0,
  );
  recent.peek();
  await new Promise((r) => setImmediate(r));
  fail = false;
  assert.equal(recent.peek(), undefined);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(recent.peek()?.list, [vm(3)]);
  assert.equal(calls, 3);
});
