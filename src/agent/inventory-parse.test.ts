import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpAddrJson, parseOsRelease, parseQemuVersion } from './inventory-parse.ts';

test('parseIpAddrJson keeps IPv4 addresses, skips lo, derives link state', () => {
  const json = JSON.stringify([
    {
      ifname: 'lo',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      mtu: 65536,
      operstate: 'UNKNOWN',
      link_type: 'loopback',
      address: '00:00:00:00:00:00',
      addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }],
    },
    {
      ifname: 'eth0',
      flags: ['BROADCAST', 'UP', 'LOWER_UP'],
      mtu: 1500,
      operstate: 'UP',
      link_type: 'ether',
      address: '02:00:00:00:00:01',
      addr_info: [
        { family: 'inet', local: '198.18.0.11', prefixlen: 24 },
        { family: 'inet6', local: 'fe80::1', prefixlen: 64 },
      ],
    },
    {
      ifname: 'veth1',
      flags: ['BROADCAST', 'NO-CARRIER', 'UP'],
      mtu: 1500,
      operstate: 'LOWERLAYERDOWN',
      link_type: 'ether',
      address: '02:00:00:00:00:02',
      addr_info: [],
    },
    { ifname: 'dummy0', flags: ['BROADCAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UNKNOWN', link_type: 'ether', address: '02:00:00:00:00:03' },
    { ifname: 'eth9', flags: ['BROADCAST'], mtu: 1500, operstate: 'DOWN', link_type: 'ether', address: '02:00:00:00:00:04' },
  ]);
  assert.deepEqual(parseIpAddrJson(json), [
    { name: 'eth0', mac: '02:00:00:00:00:01', addresses: [{ address: '198.18.0.11', prefixLength: 24 }], linkUp: true, mtu: 1500 },
    { name: 'veth1', mac: '02:00:00:00:00:02', addresses: [], linkUp: false, mtu: 1500 },
    { name: 'dummy0', mac: '02:00:00:00:00:03', addresses: [], linkUp: true, mtu: 1500 },
    { name: 'eth9', mac: '02:00:00:00:00:04', addresses: [], linkUp: false, mtu: 1500 },
  ]);
  assert.throws(() => parseIpAddrJson('{}'), /JSON array/);
});

test('parseOsRelease and parseQemuVersion', () => {
  assert.equal(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(parseOsRelease('NAME=Alpine\n'), 'Alpine');
  assert.equal(parseOsRelease(''), undefined);
  assert.equal(parseQemuVersion('QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)\nCopyright'), '7.2.22');
  assert.equal(parseQemuVersion(''), undefined);
});
