// The in-memory host cache and cached views against a real (in-memory SQLite) store: writes through
// the repo, writes by anyone else (seen through the watch), guests, and the unique indexes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { HostCache } from './host-cache.ts';
import { hostKey, type HostRecord } from './host-record.ts';
import { HostRepo } from './host-repo.ts';
import { HostViews } from './host-views.ts';
import { hostSummary } from '../../contract/host.contract.ts';

const fields = (name: string, address: string): Omit<HostRecord, 'id'> => ({
  name,
  purpose: 'processing',
  state: 'DISABLED',
  address,
  port: 4433,
  storageLocation: 'shared-iscsi',
  servicePool: 'mixed',
  syslog: { enabled: false, address: null },
  attachments: {},
  inventory: null,
  indicators: { connection: 'red', connector: 'red', storage: 'red' },
  lastSeenAt: null,
  createdAt: '2026-11-23T00:00:00.000Z',
});

async function setup() {
  const store = openSqliteStore(':memory:');
  const cache = await HostCache.load(store);
  return { store, cache, repo: new HostRepo(store, cache), views: new HostViews(cache, '0.1.0') };
}

test('ids count from 0; name and address are unique, even for a direct second create', async () => {
  const { store, repo } = await setup();
  assert.equal((await repo.create(fields('a', '127.0.0.1'))).id, 0);
  assert.equal((await repo.create(fields('b', '127.0.0.2'))).id, 1);
  await assert.rejects(repo.create(fields('a', '127.0.0.3')), { code: 'duplicate', message: "name 'a' is already used in this cluster" });
  await assert.rejects(repo.create(fields('c', '127.0.0.2')), { code: 'duplicate', message: "address '127.0.0.2' is already used in this cluster" });
  assert.deepEqual(
    (await store.list('/hosts/')).map((e) => e.key),
    ['/hosts/000000', '/hosts/000001'],
  );
  await store.close();
});

test('mutate moves the index keys with the record; remove frees them', async () => {
  const { store, repo, cache } = await setup();
  const a = await repo.create(fields('a', '127.0.0.1'));
  await repo.create(fields('b', '127.0.0.2'));
  await repo.mutate(a.id, (r) => ({ ...r, name: 'a2', attachments: { eth1: { subnet: 'SAN', ip: '198.18.1.5', prefixLength: 24 } } }));
  assert.deepEqual(
    (await store.list('/index/')).map((e) => e.key),
    ['/index/host-address/127.0.0.1', '/index/host-address/127.0.0.2', '/index/host-address/198.18.1.5', '/index/host-name/a2', '/index/host-name/b'],
  );
  await assert.rejects(
    repo.mutate(a.id, (r) => ({ ...r, name: 'b' })),
    { code: 'duplicate' },
  );
  assert.equal(cache.find('a2')?.id, 0);
  assert.equal(cache.find('a'), undefined);
  await repo.remove(a.id, () => undefined);
  assert.deepEqual(
    (await store.list('/index/')).map((e) => e.key),
    ['/index/host-address/127.0.0.2', '/index/host-name/b'],
  );
  assert.equal(cache.find('0'), undefined);
  await assert.rejects(
    repo.mutate(a.id, (r) => r),
    { code: 'noSuchHost' },
  );
  await store.close();
});

test('views follow every change: repo writes, foreign writes, guests, lastSeenAt; JSON and gzip agree', async () => {
  const { store, repo, views } = await setup();
  const a = await repo.create(fields('a', '127.0.0.1'));
  await repo.create(fields('b', '127.0.0.2'));
  assert.deepEqual(JSON.parse(views.listJson('full').toString()), views.list());
  const summaries = JSON.parse(views.listJson().toString());
  assert.deepEqual(Object.keys(summaries[0]).sort(), Object.keys(hostSummary.shape).sort(), 'the list carries the summary fields only');
  assert.deepEqual(
    summaries.map((s: { name: string }) => s.name),
    ['a', 'b'],
  );
  assert.equal(views.view(a.id)?.state, 'DISABLED');

  await repo.mutate(a.id, (r) => ({ ...r, state: 'UP' }));
  assert.equal(JSON.parse(views.json(a.id)!).state, 'UP');
  // A write that does not go through the repo (another part of the controller) is seen by the watch.
  const stored = (await store.get(hostKey(a.id)))!.value as unknown as HostRecord;
  await store.txn([], [{ put: hostKey(a.id), value: { ...stored, state: 'MAINT' } as never }]);
  assert.equal(JSON.parse(views.listJson().toString())[0].state, 'MAINT');

  await store.txn([], [{ put: '/guests/vm-100', value: { hostId: a.id, vcpus: 2, memoryMiB: 512 } }]);
  const v = views.view(a.id)!;
  assert.deepEqual([v.guests, v.cpu.allocated, v.memoryMiB.allocated, v.actions.remove.allowed], [1, 2, 512, false]);
  await store.txn([], [{ delete: '/guests/vm-100' }]);
  assert.equal(views.view(a.id)?.guests, 0);

  views.seen(a.id, '2026-11-23T01:02:03.000Z');
  assert.equal(JSON.parse(views.json(a.id)!).lastSeenAt, '2026-11-23T01:02:03.000Z');
  assert.deepEqual(JSON.parse(gunzipSync(views.listGzip()).toString()), JSON.parse(views.listJson().toString()));
  assert.equal(JSON.parse(views.listJson().toString())[0].lastSeenAt, '2026-11-23T01:02:03.000Z');
  await store.close();
});

test('a page of the host list: filtered by state and purpose, by id after the cursor, with the next cursor', async () => {
  const { store, repo, views } = await setup();
  for (let i = 0; i < 5; i++) {
    await repo.create({
      ...fields(`h${i}`, `127.0.0.${i + 1}`),
      ...(i % 2 === 1 ? { purpose: 'storage' as const } : {}),
      ...(i >= 3 ? { state: 'UP' as const } : {}),
    });
  }
  const ids = (p: { json: string }) => (JSON.parse(p.json) as { id: number }[]).map((h) => h.id);
  const first = views.pageJson('summary', {}, { limit: 2 });
  assert.deepEqual([ids(first), first.nextCursor], [[0, 1], 1]);
  const last = views.pageJson('summary', {}, { limit: 2, cursor: 3 });
  assert.deepEqual([ids(last), last.nextCursor], [[4], null]);
  assert.deepEqual(ids(views.pageJson('summary', { purpose: 'storage' }, {})), [1, 3]);
  assert.deepEqual(ids(views.pageJson('summary', { state: 'UP' }, {})), [3, 4]);
  const both = views.pageJson('full', { state: 'UP', purpose: 'processing' }, { limit: 1 });
  assert.deepEqual([ids(both), both.nextCursor], [[4], null]);
  assert.ok('hardware' in (JSON.parse(both.json) as object[])[0]!, 'the full view');
  assert.deepEqual(ids(views.pageJson('summary', { state: 'MAINT' }, {})), []);
  await store.close();
});
