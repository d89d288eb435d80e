import assert from 'node:assert/strict';
import { test } from 'node:test';
import { movedMessage, renderMovePlan } from './guest-migrate.command.ts';

const decision = {
  guest: 'vm:100',
  request: { vcpus: 1, memoryMiB: 128 },
  policy: 'spread' as const,
  ratios: { cpu: 4, memory: 1 },
  winner: null,
  candidates: [],
  counts: { hosts: 1, passed: 0, rejected: { state: 1 } },
  why: 'no host can take vm:100',
};
const plan = {
  guest: 'vm:100',
  name: 'web01',
  state: 'running' as const,
  from: { id: 2, name: 'proc1' },
  to: { id: 3, name: 'proc2' },
  kind: 'live' as const,
  expectedDowntimeMs: 4,
  downtimeBasis: 'median of 3 measured live migration(s)',
  blockers: [] as string[],
  why: "host 'proc2' won",
  decision,
};

test('the plan: target, kind, expected downtime with its basis, and either no blockers or each of them', () => {
  const ok = renderMovePlan(plan, false, false);
  assert.match(ok, /proc1/);
  assert.match(ok, /proc2/);
  assert.match(ok, /live migration/);
  assert.match(ok, /4 ms \(median of 3 measured live migration\(s\)\)/);
  assert.match(ok, /No blockers/);
  const blocked = renderMovePlan({ ...plan, blockers: ["a CD is inserted (image 'tiny'): eject it first"] }, false, false);
  assert.match(blocked, /Blocked:\n {2}- a CD is inserted \(image 'tiny'\): eject it first/);
});

test('the outcome sentence carries the measured downtime and total time', () => {
  const result = {
    guest: 'vm:100',
    from: { id: 2, name: 'proc1' },
    to: { id: 3, name: 'proc2' },
    kind: 'live',
    downtimeMs: 3,
    totalMs: 812,
    transferredBytes: 24 * 1048576,
  };
  assert.equal(movedMessage(result, 'vm:100'), "Guest vm:100 moved (live) from 'proc1' to 'proc2': downtime 3 ms, total 812 ms, 24.0 MiB transferred.");
  assert.equal(movedMessage(undefined, '100'), 'Guest 100 moved.');
});
