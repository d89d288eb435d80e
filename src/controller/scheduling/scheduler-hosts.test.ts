import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostFixture } from '../../../test/support/ha-fixtures.ts';
import type { GuestTotals } from '../hosts/host-cache.ts';
import { toSchedulerHosts } from './scheduler-hosts.ts';

test("a host's scheduler view is made again exactly when its record, its guests' totals or the networks change", () => {
  const h1 = hostFixture(1, 'h1');
  const h2 = hostFixture(2, 'h2');
  const totals = new Map<number, GuestTotals>([[1, { count: 1, cpu: 2, memoryMiB: 1024 }]]);
  const none: GuestTotals = { count: 0, cpu: 0, memoryMiB: 0 };
  const totalsOf = (id: number): GuestTotals => totals.get(id) ?? none;
  const first = toSchedulerHosts([h1, h2], totalsOf, ['default']);
  assert.equal(first[0]?.memoryMiBAllocated, 1024);
  const again = toSchedulerHosts([h1, h2], totalsOf, ['default']);
  assert.equal(again[0], first[0], 'nothing changed: the same view');
  totals.set(1, { count: 2, cpu: 3, memoryMiB: 2048 });
  const placed = toSchedulerHosts([h1, h2], totalsOf, ['default']);
  assert.equal(placed[0]?.memoryMiBAllocated, 2048, 'a guest placed on h1 is counted');
  assert.equal(placed[1], first[1], 'h2 untouched');
  const maint = { ...h2, state: 'MAINT' as const };
  assert.equal(toSchedulerHosts([h1, maint], totalsOf, ['default'])[1]?.state, 'MAINT', 'a new record is seen');
  assert.deepEqual(toSchedulerHosts([h1, maint], totalsOf, ['default', 'web'])[0]?.networks, ['default', 'web'], 'a new network is seen');
});
