import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { renderImageList } from './image.command.ts';
import { renderNetworkList } from './network.command.ts';
import { renderPoolList, renderVolumeDetails, renderVolumeList, sizeArg } from './volume.command.ts';

test('sizeArg takes 64M, 1G, 1.5G and refuses the rest as usage errors', () => {
  assert.equal(sizeArg('64M'), 64);
  assert.equal(sizeArg('1G'), 1024);
  assert.equal(sizeArg('1.5G'), 1536);
  assert.throws(() => sizeArg('lots'), InvalidArgumentError);
  assert.throws(() => sizeArg('0'), InvalidArgumentError);
});

test('volume, pool, image and network views', () => {
  const v = {
    name: 'web01-root',
    pool: 'iscsi-stor1',
    hostId: 1,
    format: 'raw' as const,
    sizeBytes: 64 * 1048576,
    iqn: 'iqn.x:web01-root',
    url: 'iscsi://198.18.1.10:3260/iqn.x:web01-root/1',
    attachedTo: null,
    image: 'tiny',
    createdAt: '2026-01-01T00:00:00.000Z',
    initiators: ['198.18.1.12'],
  };
  assert.equal(
    renderVolumeList([v]),
    ['NAME        POOL         SIZE  FORMAT  STATE  ATTACHED TO  IMAGE', 'web01-root  iscsi-stor1   64M  raw     ready  -            tiny', ''].join('\n'),
  );
  assert.equal(renderVolumeList([]), 'No volumes yet.\n');
  assert.match(renderVolumeDetails(v), /iSCSI URL:\s+iscsi:\/\/198\.18\.1\.10:3260/);
  assert.match(renderVolumeDetails(v), /Initiators:\s+198\.18\.1\.12/);
  assert.match(renderPoolList([{ name: 'local-proc1', type: 'local', hostId: 2, hostName: 'proc1', shared: false }]), /local-proc1\s+local\s+proc1\s+no/);
  assert.match(
    renderImageList([
      { name: 'tiny', kind: 'vm-disk', format: 'raw', sizeBytes: 40 * 1048576, fileBytes: 40 * 1048576, sha256: 'a'.repeat(64), path: '/x', createdAt: 'now' },
    ]),
    /tiny\s+vm-disk\s+raw\s+40M/,
  );
  assert.match(renderNetworkList([{ name: 'default', bridge: 'gn-default', shared: true, createdAt: 'now' }]), /default\s+gn-default\s+yes/);
});
