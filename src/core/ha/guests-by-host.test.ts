import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GuestsByHost } from './guests-by-host.ts';

test('a guest is found on the hosts its record names, and leaves them as its record changes', () => {
  const index = new GuestsByHost();
  index.update('vm-1', undefined, { state: 'started', host: 'a' });
  index.update('vm-2', undefined, { state: 'started', host: 'a' });
  assert.deepEqual([...index.on('a')].sort(), ['vm-1', 'vm-2']);
  // A move names both ends until it ends.
  index.update('vm-1', { state: 'started', host: 'a' }, { state: 'migrate', host: 'a', target: 'b', pendingSince: 1 });
  assert.deepEqual([...index.on('b')], ['vm-1']);
  assert.ok(index.on('a').has('vm-1'));
  index.update('vm-1', { state: 'migrate', host: 'a', target: 'b', pendingSince: 1 }, { state: 'started', host: 'b' });
  assert.deepEqual([...index.on('a')], ['vm-2']);
  assert.deepEqual([...index.on('b')], ['vm-1']);
  // A stopped record that names no host leaves every host.
  index.update('vm-2', { state: 'started', host: 'a' }, { state: 'stopped' });
  assert.deepEqual([...index.on('a')], []);
  assert.deepEqual([...index.on('nowhere')], []);
});
