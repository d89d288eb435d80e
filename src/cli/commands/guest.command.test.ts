import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GuestView } from '../../contract/guest.contract.ts';
import { buildCreateRequest, guestPath, renderGuestDetails, renderGuestList } from './guest.command.ts';

const vm: GuestView = {
  id: 'vm:100',
  kind: 'vm',
  number: 100,
  name: 'web01',
  vcpus: 1,
  memoryMiB: 128,
  host: { id: 1, name: 'proc1' },
  disks: ['web01-root'],
  template: null,
  nics: [],
  cdrom: null,
  autostart: false,
  state: 'running',
  accel: 'tcg',
  live: true,
  stateChangedAt: null,
  createdAt: '2026-11-23T00:00:00.000Z',
};

test('create flags become the REST body; --no-net is an empty NIC list', () => {
  assert.deepEqual(buildCreateRequest('vm', { name: 'web01', disk: ['a', 'b'], memory: 128, net: false }), {
    kind: 'vm',
    name: 'web01',
    memoryMiB: 128,
    disks: ['a', 'b'],
    nics: [],
    autostart: false,
  });
  assert.deepEqual(buildCreateRequest('ct', { name: 'c1', net: ['default', 'lab'], host: 'proc2', autostart: true }), {
    kind: 'ct',
    name: 'c1',
    nics: [{ network: 'default' }, { network: 'lab' }],
    autostart: true,
    host: 'proc2',
  });
  assert.throws(() => buildCreateRequest('ct', { name: 'c1', disk: ['a'] }), /no --disk/);
  assert.throws(() => buildCreateRequest('vm', { name: 'v1', template: 'busybox' }), /for containers/);
});

test('guest ids are URL-encoded in paths', () => {
  assert.equal(guestPath('vm:100', '/start'), '/guests/vm%3A100/start');
});

test('list and details views', () => {
  const list = renderGuestList([vm], false);
  assert.match(list, /^ID\s+NAME\s+HOST\s+STATE\s+ACCEL\s+VCPUS\s+MEMORY\s+DISKS\n/);
  assert.match(list, /vm:100\s+web01\s+proc1\s+running\s+tcg\s+1\s+128M\s+web01-root/);
  assert.match(renderGuestList([], false), /No guests yet/);
  const details = renderGuestDetails({ ...vm, live: false, state: 'stopped', accel: null }, false);
  assert.match(details, /State:\s+stopped \(last recorded/);
  assert.match(details, /CD-ROM:\s+\(empty\)/);
});
