import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from './login-throttle.ts';

const rules = { freeFailures: 3, firstDelayMs: 1000, maxDelayMs: 8000, forgetAfterMs: 60_000 };

test('free failures, then a wait doubling with each failure up to the cap; a success clears it', () => {
  const t = new LoginThrottle(rules);
  const keys = ['user:alice', 'addr:198.18.0.9'];
  for (let i = 0; i < 3; i++) t.failed(keys, 0);
  assert.equal(t.waitMs(keys, 0), 0);
  t.failed(keys, 0);
  assert.equal(t.waitMs(keys, 0), 1000);
  t.failed(keys, 1000);
  assert.equal(t.waitMs(keys, 1000), 2000);
  for (let i = 0; i < 10; i++) t.failed(keys, 2000);
  assert.equal(t.waitMs(keys, 2000), 8000, 'capped');
  assert.equal(t.waitMs(['user:alice'], 11_000), 0, 'the wait is over');
  t.succeeded(keys);
  t.failed(keys, 11_000);
  assert.equal(t.waitMs(keys, 11_000), 0, 'counted from zero again');
});

test('an address trying many names is held by its address key; old failures are forgotten', () => {
  const t = new LoginThrottle(rules);
  for (let i = 0; i < 5; i++) t.failed([`user:u${i}`, 'addr:a'], 0);
  assert.ok(t.waitMs(['user:fresh', 'addr:a'], 0) > 0);
  assert.equal(t.waitMs(['user:fresh', 'addr:b'], 0), 0);
  assert.equal(t.waitMs(['user:fresh', 'addr:a'], 61_001), 0, 'forgotten after the quiet period');
});
