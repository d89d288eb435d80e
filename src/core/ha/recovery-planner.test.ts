import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RestartPlan } from './ha-types.ts';
import { mostFreePlacement } from './placement.ts';
import { planRecovery, type RecoveryCandidate } from './recovery-planner.ts';

const cand = (id: string, restart: RestartPlan, order: number, delay = 0, ramMiB = 1024, unplaced = false): RecoveryCandidate => ({
  id,
  ramMiB,
  vcpus: 1,
  plan: { restart, order, delay },
  unplaced,
});
const roomy = [
  { id: 'h1', freeRamMiB: 65536, freeVcpus: 64 },
  { id: 'h2', freeRamMiB: 65536, freeVcpus: 64 },
];

test("'always' before 'best-effort', lower order first, groups chained while delays are 0", () => {
  const d = planRecovery({
    now: 0,
    gateOpenAt: 0,
    hostsFree: roomy,
    placement: mostFreePlacement,
    waiting: [cand('vm:5', 'best-effort', 0), cand('vm:3', 'always', 2), cand('vm:1', 'always', 1), cand('vm:2', 'always', 1)],
  });
  assert.deepEqual(
    d.starts.map((s) => s.guest),
    ['vm:1', 'vm:2', 'vm:3', 'vm:5'],
  );
  assert.equal(d.gateOpenAt, 0);
});

test('a group with a delay holds the next group until it passes', () => {
  const waiting = [cand('vm:1', 'always', 1, 5), cand('vm:2', 'always', 2), cand('vm:3', 'best-effort', 1)];
  const first = planRecovery({ now: 10_000, gateOpenAt: 0, hostsFree: roomy, placement: mostFreePlacement, waiting });
  assert.deepEqual(
    first.starts.map((s) => s.guest),
    ['vm:1'],
  );
  assert.equal(first.gateOpenAt, 15_000);
  const rest = waiting.slice(1);
  assert.deepEqual(planRecovery({ now: 14_900, gateOpenAt: 15_000, hostsFree: roomy, placement: mostFreePlacement, waiting: rest }).starts, []);
  const later = planRecovery({ now: 15_000, gateOpenAt: 15_000, hostsFree: roomy, placement: mostFreePlacement, waiting: rest });
  assert.deepEqual(
    later.starts.map((s) => s.guest),
    ['vm:2', 'vm:3'],
  );
});

test("'best-effort' only with capacity left: never while an 'always' guest waits for room", () => {
  const small = [{ id: 'h1', freeRamMiB: 2048, freeVcpus: 8 }];
  const d = planRecovery({
    now: 0,
    gateOpenAt: 0,
    hostsFree: small,
    placement: mostFreePlacement,
    waiting: [cand('vm:1', 'always', 0, 0, 4096), cand('vm:2', 'best-effort', 0, 0, 1024)],
  });
  assert.deepEqual(d.starts, []);
  assert.deepEqual(d.newlyUnplaced, ['vm:1', 'vm:2']);
});

test('unplaced guests are retried as room appears, always first', () => {
  const d = planRecovery({
    now: 0,
    gateOpenAt: 99_000,
    hostsFree: [{ id: 'h1', freeRamMiB: 4096, freeVcpus: 8 }],
    placement: mostFreePlacement,
    waiting: [cand('vm:2', 'best-effort', 0, 0, 2048, true), cand('vm:1', 'always', 3, 0, 4096, true)],
  });
  assert.deepEqual(d.starts, [{ guest: 'vm:1', target: 'h1' }]);
});

test('placement spreads: the host with the most free RAM wins, ties by id', () => {
  const hosts = [
    { id: 'h2', freeRamMiB: 8192, freeVcpus: 8 },
    { id: 'h1', freeRamMiB: 8192, freeVcpus: 8 },
    { id: 'h3', freeRamMiB: 4096, freeVcpus: 8 },
  ];
  assert.equal(mostFreePlacement.choose(hosts, { id: 'vm:1', ramMiB: 1024, vcpus: 1 }), 'h1');
  assert.equal(mostFreePlacement.choose(hosts, { id: 'vm:1', ramMiB: 16384, vcpus: 1 }), undefined);
  assert.equal(mostFreePlacement.choose(hosts, { id: 'vm:1', ramMiB: 1024, vcpus: 9 }), undefined);
});
