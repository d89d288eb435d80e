import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fenceVerdict } from './fence-verdict.ts';
import { DEFAULT_TIMING } from './ha-types.ts';

// Last network heartbeat at 10 s: the self-fence deadline is 15 s, believed from 16 s (margin 1 s).
const last = 10_000;

test('crash: deadline plus margin passed and the storage heartbeat stopped with the host', () => {
  const obs = { storage: { writtenAt: 10_000 } };
  assert.equal(fenceVerdict(obs, last, 15_900, DEFAULT_TIMING).fenced, false);
  assert.deepEqual(fenceVerdict(obs, last, 16_000, DEFAULT_TIMING), {
    fenced: true,
    reason: 'its self-fence deadline passed and its storage heartbeat is silent',
  });
  assert.equal(fenceVerdict({}, last, 16_000, DEFAULT_TIMING).fenced, true);
});

test('partition: a live storage heartbeat without a self-fence mark is never fenced by deadline', () => {
  const v = fenceVerdict({ storage: { writtenAt: 29_000 } }, last, 30_000, DEFAULT_TIMING);
  assert.deepEqual(v, { fenced: false, aliveOnStorage: true, deadline: 15_000 });
});

test('partition: the self-fence mark written after our last heartbeat proves it', () => {
  assert.equal(fenceVerdict({ storage: { writtenAt: 15_000, selfFencedAt: 15_000 } }, last, 15_000, DEFAULT_TIMING).fenced, true);
  // An old mark, from before we last heard the host, proves nothing.
  assert.equal(fenceVerdict({ storage: { writtenAt: 15_000, selfFencedAt: 9_000 } }, last, 15_500, DEFAULT_TIMING).fenced, false);
});

test('an external fence confirmation after the loss proves it at once', () => {
  assert.equal(fenceVerdict({ fenceConfirmedAt: 11_000, storage: { writtenAt: 11_000 } }, last, 11_000, DEFAULT_TIMING).fenced, true);
  assert.equal(fenceVerdict({ fenceConfirmedAt: 5_000, storage: { writtenAt: 11_000 } }, last, 11_000, DEFAULT_TIMING).fenced, false);
});

test('a storage heartbeat that stopped only just now is not silent yet', () => {
  assert.equal(fenceVerdict({ storage: { writtenAt: 14_900 } }, last, 16_000, DEFAULT_TIMING).fenced, false);
  assert.equal(fenceVerdict({ storage: { writtenAt: 14_900 } }, last, 17_900, DEFAULT_TIMING).fenced, true);
});
