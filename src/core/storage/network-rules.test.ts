import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNetworkName, bridgeOf, guestsOnNetwork, MAC_SPACE, macFor } from './network-rules.ts';

test('network names fit a 15-character bridge name', () => {
  assertNetworkName('default');
  assertNetworkName('abcdefghijkl');
  assert.equal(bridgeOf('abcdefghijkl').length, 15);
  assert.throws(() => assertNetworkName('abcdefghijklm'), /1-12 of/);
  assert.throws(() => assertNetworkName('-x'), /starting with/);
  assert.throws(() => assertNetworkName('Upper'));
});

test('macFor maps the counter onto 52:54:00:xx:xx:xx, one to one', () => {
  assert.equal(macFor(0), '52:54:00:00:00:00');
  assert.equal(macFor(1), '52:54:00:00:00:01');
  assert.equal(macFor(0xabcdef), '52:54:00:ab:cd:ef');
  assert.equal(macFor(MAC_SPACE - 1), '52:54:00:ff:ff:ff');
  assert.throws(() => macFor(MAC_SPACE));
  assert.throws(() => macFor(-1));
});

test('guestsOnNetwork finds guests by their NICs', () => {
  const guests = [
    { id: 'vm:100', value: { nics: [{ network: 'default', mac: '52:54:00:00:00:01' }] } },
    { id: 'vm:101', value: { nics: [{ network: 'lab' }] } },
    { id: 'ct:102', value: { nics: [] } },
    { id: 'vm:103', value: null },
  ];
  assert.deepEqual(guestsOnNetwork(guests, 'default'), ['vm:100']);
  assert.deepEqual(guestsOnNetwork(guests, 'other'), []);
});
