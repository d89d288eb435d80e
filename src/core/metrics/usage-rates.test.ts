import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minuteOf, usageBetween, type UsageReading } from './usage-rates.ts';

const reading = (atMs: number, n: number, memory: number | null = 100): UsageReading => ({
  atMs,
  cpuSeconds: n,
  memoryBytes: memory,
  diskReadBytes: n * 1000,
  diskWriteBytes: null,
  netRxBytes: n * 10,
  netTxBytes: n * 20,
});

test('rates per second between two readings; a missing counter gives no rate', () => {
  assert.deepEqual(usageBetween(reading(0, 10), reading(60_000, 40)), { memory: 100, cpu: 0.5, diskRead: 500, netRx: 5, netTx: 10 });
});

test('the first reading gives only memory; a counter that went down (restart) gives no rate', () => {
  assert.deepEqual(usageBetween(undefined, reading(0, 10)), { memory: 100 });
  assert.deepEqual(usageBetween(reading(0, 40), reading(60_000, 10, null)), {});
  assert.deepEqual(usageBetween(reading(60_000, 10), reading(60_000, 20)), { memory: 100 }, 'no time between: no rate');
});

test('minuteOf', () => {
  assert.equal(minuteOf(125_000), 120_000);
});
