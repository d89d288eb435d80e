import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { volumeView } from './pools.ts';

const volume: VolumeRecord = {
  name: 'web01-root',
  pool: 'iscsi-old-name',
  hostId: 3,
  format: 'raw',
  sizeBytes: 8 * 1048576,
  iqn: 'iqn.2026-11.org.grappe:web01-root',
  url: 'iscsi://198.18.2.1:3260/iqn.2026-11.org.grappe:web01-root/1',
  attachedTo: null,
  image: null,
  createdAt: '2026-12-06T00:00:00.000Z',
  chap: { user: 'v-0a1b2c3d4e', secret: 'c0ffee00c0ffee00c0ffee00c0ffee00' },
};

test("a volume's view names its pool after the host's current name and its CHAP user, never the secret", () => {
  const host = { id: 3, name: 'stor1', purpose: 'storage' } as HostRecord;
  const shown = volumeView(volume, (id) => (id === 3 ? host : undefined));
  assert.equal(shown.pool, 'iscsi-stor1');
  assert.equal(shown.chapUser, 'v-0a1b2c3d4e');
  assert.equal('chap' in shown, false);
  assert.equal(JSON.stringify(shown).includes(volume.chap!.secret), false);
  const { chap: _chap, ...older } = volume; // made before CHAP: no user to show
  assert.equal(volumeView(older, () => undefined).chapUser, undefined);
});
