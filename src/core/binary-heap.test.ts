import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BinaryHeap } from './binary-heap.ts';

test('pops in order, whatever the order of the pushes (ties by the second key)', () => {
  const heap = new BinaryHeap<[number, string]>((a, b) => a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]));
  const items: [number, string][] = [];
  for (let i = 0; i < 200; i++) items.push([(i * 7919) % 37, `h${(i * 31) % 200}`]);
  for (const it of items) heap.push(it);
  const out: [number, string][] = [];
  for (let x = heap.pop(); x !== undefined; x = heap.pop()) out.push(x);
  const sorted = [...items].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  assert.deepEqual(out, sorted);
  assert.equal(heap.size, 0);
  assert.equal(heap.pop(), undefined);
});
