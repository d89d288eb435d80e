import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocateGuestNumber } from './guest-number.ts';

test('guest numbers start at 100 and fill the lowest gap, VMs and containers alike', () => {
  assert.equal(allocateGuestNumber(new Set()), 100);
  assert.equal(allocateGuestNumber(new Set([100, 101, 103])), 102);
  assert.equal(allocateGuestNumber(new Set([5, 99])), 100);
});

test('a requested number is used when free and in range, refused otherwise', () => {
  assert.equal(allocateGuestNumber(new Set([100]), 250), 250);
  assert.throws(
    () => allocateGuestNumber(new Set([250]), 250),
    (e: Error & { code?: string }) => e.code === 'duplicate' && /already used/.test(e.message),
  );
  assert.throws(() => allocateGuestNumber(new Set(), 99), /from 100/);
  assert.throws(() => allocateGuestNumber(new Set(), 1.5), /whole numbers/);
});
