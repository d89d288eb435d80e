import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, round, summarize } from '../../bench/lib/stats.ts';

test('percentile is nearest-rank over sorted samples', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.equal(percentile(hundred, 50), 50);
  assert.equal(percentile(hundred, 90), 90);
  assert.equal(percentile(hundred, 99), 99);
  assert.equal(percentile(hundred, 99.5), 100);
  assert.equal(percentile(hundred, 100), 100);
  assert.equal(percentile(hundred, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), undefined);
  // Small samples: p99 of 10 values is the maximum, never an interpolated value.
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 99), 1000);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 90), 9);
  assert.throws(() => percentile(hundred, 101), RangeError);
  assert.throws(() => percentile(hundred, Number.NaN), RangeError);
});

test('summarize sorts a copy and reports count, min, mean, p50/p90/p99 and max', () => {
  const samples = [5, 1, 4, 2, 3];
  assert.deepEqual(summarize(samples), { count: 5, min: 1, mean: 3, p50: 3, p90: 5, p99: 5, max: 5 });
  assert.deepEqual(samples, [5, 1, 4, 2, 3]);
});

test('summarize rounds to the given decimals and reports nulls for no samples', () => {
  assert.deepEqual(summarize([1.23456, 2.34567]), { count: 2, min: 1.235, mean: 1.79, p50: 1.235, p90: 2.346, p99: 2.346, max: 2.346 });
  assert.deepEqual(summarize([]), { count: 0, min: null, mean: null, p50: null, p90: null, p99: null, max: null });
  assert.equal(round(1.23456, 1), 1.2);
});
