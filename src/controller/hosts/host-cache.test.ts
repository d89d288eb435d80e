import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { HostCache } from './host-cache.ts';

const put = (key: string, value: unknown) => ({ put: key, value: value as never });

test("a host's guest totals follow creates, moves, resizes and deletes", async () => {
  const store = openSqliteStore(':memory:');
  await store.txn([], [put('/guests/vm:100', { hostId: 1, vcpus: 2, memoryMiB: 512 })]);
  const cache = await HostCache.load(store);
  const changed: number[] = [];
  cache.onChange((id) => changed.push(id));
  await store.txn([], [put('/guests/vm:101', { hostId: 1, vcpus: 1, memoryMiB: 256 })]);
  assert.deepEqual(cache.guestTotals(1), { count: 2, cpu: 3, memoryMiB: 768 });
  await store.txn([], [put('/guests/vm:101', { hostId: 2, vcpus: 4, memoryMiB: 1024 })]);
  assert.deepEqual(cache.guestTotals(1), { count: 1, cpu: 2, memoryMiB: 512 }, 'moved away');
  assert.deepEqual(cache.guestTotals(2), { count: 1, cpu: 4, memoryMiB: 1024 }, 'moved here, resized');
  await store.txn([], [{ delete: '/guests/vm:100' }, { delete: '/guests/vm:101' }]);
  assert.deepEqual(cache.guestTotals(1), { count: 0, cpu: 0, memoryMiB: 0 });
  assert.deepEqual(cache.guestTotals(2), { count: 0, cpu: 0, memoryMiB: 0 });
  assert.deepEqual([...new Set(changed)].sort(), [1, 2], 'both hosts told of their changes');
  cache.close();
});
