import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatGuestId, guestIdFromSlug, guestSlug, parseGuestId } from './guest-id.ts';

test('guest ids parse, format and round-trip through their slug', () => {
  const id = parseGuestId('vm:100');
  assert.deepEqual(id, { kind: 'vm', number: 100 });
  assert.equal(formatGuestId(id!), 'vm:100');
  assert.equal(guestSlug(id!), 'vm-100');
  assert.deepEqual(guestIdFromSlug('ct-7'), { kind: 'ct', number: 7 });
});

test('malformed guest ids are rejected', () => {
  for (const bad of ['', 'vm', 'vm:', 'vm:0', 'vm:01', 'xx:1', 'vm:1;rm', 'VM:1', 'vm:-1', 'vm:1234567890', ' vm:1']) {
    assert.equal(parseGuestId(bad), undefined, bad);
  }
  assert.equal(guestIdFromSlug('vm-100-x'), undefined);
});
