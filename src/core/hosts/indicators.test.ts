import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameIndicators, sanConfigured, storageIndicator } from './indicators.ts';

test('storage indicator: n/a off processing hosts, green only with SAN configured and the storage host answering', () => {
  const san = { name: 'SAN', cidr: '198.18.1.0/24' };
  assert.equal(storageIndicator('storage', true, true), 'n/a');
  assert.equal(storageIndicator('processing', sanConfigured({ subnet: 'SAN', ip: '198.18.1.4', prefixLength: 24 }, san), true), 'green');
  assert.equal(storageIndicator('processing', sanConfigured({ subnet: 'SAN', ip: '198.18.9.4', prefixLength: 24 }, san), true), 'red');
  assert.equal(storageIndicator('processing', sanConfigured(undefined, san), true), 'red');
  assert.equal(storageIndicator('processing', true, false), 'red');
});

test('sameIndicators compares all three', () => {
  assert.equal(sameIndicators({ connection: 'green', connector: 'red', storage: 'n/a' }, { connection: 'green', connector: 'red', storage: 'n/a' }), true);
  assert.equal(sameIndicators({ connection: 'green', connector: 'red', storage: 'n/a' }, { connection: 'green', connector: 'green', storage: 'n/a' }), false);
});
