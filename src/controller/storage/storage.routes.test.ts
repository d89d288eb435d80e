// Pools, volume refusals, images import and guest networks on a real controller. The hosts are
// records only, at a loopback port nobody listens on: what needs a real agent is in the e2e test.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostKey } from '../hosts/host-record.ts';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import { put, type Json } from '../../store/store.ts';
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import { volumeKey } from './volume-store.ts';

let h: ControllerHarness;
let files: string;

const fakeHost = (id: number, name: string, purpose: HostRecord['purpose']): HostRecord => ({
  id,
  name,
  purpose,
  state: 'UP',
  address: '127.0.0.1',
  port: 9,
  storageLocation: null,
  servicePool: null,
  syslog: { enabled: false, address: null },
  attachments: { eth0: { subnet: 'LAN', ip: `127.0.0.${id + 10}`, prefixLength: 8 } },
  inventory: null,
  indicators: { connection: 'red', connector: 'red', storage: 'n/a' },
  lastSeenAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
});

const volume = (name: string, fields: Partial<VolumeRecord> = {}): VolumeRecord => ({
  name,
  pool: 'iscsi-stor1',
  hostId: 1,
  format: 'raw',
  sizeBytes: 64 * 1048576,
  iqn: null,
  url: null,
  attachedTo: null,
  image: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

before(async () => {
  h = await startControllerHarness({ monitorIntervalMs: 60_000 });
  files = mkdtempSync(join(tmpdir(), 'grappe-img-test-'));
  const store = h.controller.ctx.store;
  await put(store, hostKey(1), fakeHost(1, 'stor1', 'storage') as unknown as Json);
  await put(store, hostKey(2), fakeHost(2, 'proc1', 'processing') as unknown as Json);
});
after(async () => {
  await h.close();
  rmSync(files, { recursive: true, force: true });
});

test('pools come from the hosts', async () => {
  const r = await h.api('GET', '/api/v1/pools');
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.body.map((p: { name: string; type: string }) => [p.name, p.type]),
    [
      ['iscsi-stor1', 'iscsi'],
      ['local-proc1', 'local'],
    ],
  );
});

test('volume create: bad input is refused at once and leaves nothing', async () => {
  const cases: [unknown, number, RegExp][] = [
    [{ name: 'v1', pool: 'nope', sizeMiB: 8 }, 404, /no storage pool 'nope' \(known: iscsi-stor1, local-proc1\)/],
    [{ name: 'v1', pool: 'local-proc1' }, 422, /give its size/],
    [{ name: 'v1', pool: 'local-proc1', image: 'nope' }, 404, /no image 'nope'/],
    [{ name: 'grappe-probe', pool: 'local-proc1', sizeMiB: 1 }, 422, /reserved/],
    [{ name: 'Bad/Name', pool: 'local-proc1', sizeMiB: 1 }, 422, /name/],
    [{ name: 'v1', pool: 'iscsi-stor1', sizeMiB: 8 }, 409, /no SAN address/],
  ];
  for (const [body, status, message] of cases) {
    const r = await h.api('POST', '/api/v1/volumes', body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.match(r.body.error.message, message);
  }
  assert.deepEqual((await h.api('GET', '/api/v1/volumes')).body, []);
});

test('volume names are unique; shrink, delete while attached and unknown volumes are refused', async () => {
  await put(h.controller.ctx.store, volumeKey('web01-root'), volume('web01-root', { attachedTo: 'vm:100' }) as unknown as Json);
  const dup = await h.api('POST', '/api/v1/volumes', { name: 'web01-root', pool: 'local-proc1', sizeMiB: 8 });
  assert.equal(dup.status, 409);
  assert.match(dup.body.error.message, /volume 'web01-root' is already used/);
  const shrink = await h.api('POST', '/api/v1/volumes/web01-root/resize', { sizeMiB: 32 });
  assert.equal(shrink.status, 422);
  assert.match(shrink.body.error.message, /can only grow/);
  const del = await h.api('DELETE', '/api/v1/volumes/web01-root');
  assert.equal(del.status, 409);
  assert.match(del.body.error.message, /attached to guest 'vm:100'/);
  assert.equal((await h.api('GET', '/api/v1/volumes/web01-root')).body.attachedTo, 'vm:100');
  assert.equal((await h.api('DELETE', '/api/v1/volumes/nope')).status, 404);
  assert.equal((await h.api('POST', '/api/v1/volumes/nope/resize', { sizeMiB: 8 })).status, 404);
});

test('the volume list: by name, filtered by pool, in pages with the next cursor', async () => {
  for (const name of ['pg-c', 'pg-a', 'pg-b']) await put(h.controller.ctx.store, volumeKey(name), volume(name) as unknown as Json);
  await put(h.controller.ctx.store, volumeKey('pg-local'), volume('pg-local', { pool: 'local-proc1', hostId: 2 }) as unknown as Json);
  const names = (r: { body: { name: string }[] }) => r.body.map((v) => v.name).filter((n) => n.startsWith('pg-'));
  const first = await h.api('GET', '/api/v1/volumes?pool=iscsi-stor1&limit=2&cursor=pg');
  assert.deepEqual([names(first), first.headers['x-next-cursor']], [['pg-a', 'pg-b'], 'pg-b']);
  const next = await h.api('GET', '/api/v1/volumes?pool=iscsi-stor1&limit=2&cursor=pg-b');
  assert.deepEqual([names(next), next.headers['x-next-cursor']], [['pg-c'], undefined]);
  assert.deepEqual(names(await h.api('GET', '/api/v1/volumes?pool=local-proc1')), ['pg-local']);
  const unknown = await h.api('GET', '/api/v1/volumes?pool=nope');
  assert.equal(unknown.status, 404);
  assert.match(unknown.body.error.message, /no storage pool 'nope'/);
  assert.equal((await h.api('GET', '/api/v1/volumes?limit=0')).status, 422);
  for (const name of ['pg-a', 'pg-b', 'pg-c', 'pg-local']) await h.controller.ctx.store.txn([], [{ delete: volumeKey(name) }]);
});

test('image import: raw and qcow2 taken, other formats and missing files refused', async () => {
  const raw = join(files, 'disk.raw');
  writeFileSync(raw, Buffer.alloc(1048576, 1));
  const qcow = join(files, 'small.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow, '4M']);
  const vmdk = join(files, 'other.vmdk');
  execFileSync('qemu-img', ['create', '-q', '-f', 'vmdk', vmdk, '4M']);

  const a = await h.api('POST', '/api/v1/images/import?wait=true', { path: raw });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.deepEqual([a.body.result.name, a.body.result.format, a.body.result.sizeBytes], ['disk', 'raw', 1048576]);
  const b = await h.api('POST', '/api/v1/images/import?wait=true', { path: qcow, name: 'q1' });
  assert.equal(b.status, 200, JSON.stringify(b.body));
  assert.deepEqual([b.body.result.format, b.body.result.sizeBytes], ['qcow2', 4 * 1048576]);
  const other = await h.api('POST', '/api/v1/images/import', { path: vmdk });
  assert.equal(other.status, 422);
  assert.match(other.body.error.message, /format is vmdk, and only raw and qcow2/);
  const missing = await h.api('POST', '/api/v1/images/import', { path: join(files, 'none.raw') });
  assert.equal(missing.status, 422);
  assert.match(missing.body.error.message, /no such file/);
  const again = await h.api('POST', '/api/v1/images/import', { path: raw });
  assert.equal(again.status, 409);
  assert.deepEqual(
    (await h.api('GET', '/api/v1/images')).body.map((i: { name: string }) => i.name),
    ['disk', 'q1'],
  );

  // A volume being created from an image keeps it.
  await put(h.controller.ctx.store, volumeKey('from-q1'), volume('from-q1', { image: 'q1', state: 'creating' }) as unknown as Json);
  const busy = await h.api('DELETE', '/api/v1/images/q1');
  assert.equal(busy.status, 409);
  assert.match(busy.body.error.message, /from-q1 are being created/);
  assert.equal((await h.api('DELETE', '/api/v1/images/disk')).status, 200);
  assert.equal((await h.api('DELETE', '/api/v1/images/disk')).status, 404);
});

test('guest networks: default exists, create, duplicate, bad names, delete refused while a guest uses it', async () => {
  const list = await h.api('GET', '/api/v1/networks');
  assert.deepEqual(
    list.body.map((n: { name: string; bridge: string }) => [n.name, n.bridge]),
    [['default', 'gn-default']],
  );
  const made = await h.api('POST', '/api/v1/networks', { name: 'lab' });
  assert.equal(made.status, 201);
  assert.equal(made.body.bridge, 'gn-lab');
  assert.equal((await h.api('POST', '/api/v1/networks', { name: 'lab' })).status, 409);
  const long = await h.api('POST', '/api/v1/networks', { name: 'abcdefghijklm' });
  assert.equal(long.status, 422);
  assert.match(long.body.error.message, /15-character/);
  await put(h.controller.ctx.store, '/guests/vm-100', {
    id: 'vm:100',
    hostId: 2,
    vcpus: 1,
    memoryMiB: 64,
    disks: [],
    nics: [{ network: 'lab', mac: '52:54:00:00:00:01' }],
  });
  const inUse = await h.api('DELETE', '/api/v1/networks/lab');
  assert.equal(inUse.status, 409);
  assert.match(inUse.body.error.message, /vm:100/);
  assert.equal((await h.api('DELETE', '/api/v1/networks/default')).status, 409);
  await put(h.controller.ctx.store, '/guests/vm-100', { id: 'vm:100', hostId: 2, vcpus: 1, memoryMiB: 64, disks: [], nics: [] });
  assert.equal((await h.api('DELETE', '/api/v1/networks/lab')).status, 200);
  assert.equal((await h.api('DELETE', '/api/v1/networks/lab')).status, 404);
});
