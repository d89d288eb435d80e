import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consoleRef } from './guest-console.ts';
import { guestIdFromRef, guestKey, indexKeysOf } from './guest-record.ts';

test('guest references in URLs: vm:100, vm-100, a bare number; anything else is a name', () => {
  assert.deepEqual(guestIdFromRef('vm:100'), { kind: 'vm', number: 100 });
  assert.deepEqual(guestIdFromRef('ct-101'), { kind: 'ct', number: 101 });
  assert.equal(guestIdFromRef('100')?.number, 100);
  assert.equal(guestIdFromRef('web01'), undefined);
  assert.equal(guestIdFromRef('vm:0'), undefined);
});

test('keys: records sort by number, and a guest owns its name and MAC index keys', () => {
  assert.ok(guestKey(99) < guestKey(100) && guestKey(100) < guestKey(1000));
  assert.deepEqual(indexKeysOf({ name: 'web01', nics: [{ network: 'default', bridge: 'gn-default', mac: '52:54:00:00:00:01' }] }), [
    '/index/guest-name/web01',
    '/index/guest-mac/52:54:00:00:00:01',
  ]);
});

test('console paths', () => {
  assert.equal(consoleRef('/api/v1/guests/vm%3A100/console'), 'vm:100');
  assert.equal(consoleRef('/api/v1/guests/vm-100/console'), 'vm-100');
  assert.equal(consoleRef('/api/v1/guests/vm-100'), undefined);
  assert.equal(consoleRef('/api/v1/hosts/1/console'), undefined);
  assert.equal(consoleRef('/api/v1/guests/%E0%A4%A/console'), undefined);
});
