import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { LazyLoad, RecordMirror } from './record-mirror.ts';
import { defineRecordKind, storedValue } from './stored-records.ts';

const WIDGET = defineRecordKind<{ name: string; size: number }>({
  name: 'widget',
  version: 1,
  schema: z.object({ name: z.string(), size: z.number() }).strict(),
  migrations: {},
});
const put = (key: string, value: unknown) => ({ put: key, value: value as never });

test('a mirror follows every write under its prefix, in key order, and leaves other keys out', async () => {
  const store = openSqliteStore(':memory:');
  await store.txn([], [put('/w/b', storedValue(WIDGET, { name: 'b', size: 2 })), put('/x/other', 1)]);
  const mirror = await RecordMirror.load(store, '/w/', WIDGET, { isRecordKey: (key) => !key.startsWith('/w/index/') });
  assert.deepEqual(mirror.records(), [{ name: 'b', size: 2 }]);
  const r = await store.txn([], [put('/w/a', storedValue(WIDGET, { name: 'a', size: 1 })), put('/w/index/a', 'x')]);
  assert.deepEqual(
    mirror.records().map((w) => w.name),
    ['a', 'b'],
    'read after our own write sees it, sorted',
  );
  assert.equal(mirror.entries()[0]!.modRevision, r.revision);
  await store.txn([], [{ delete: '/w/b' }]);
  assert.deepEqual(
    mirror.records().map((w) => w.name),
    ['a'],
  );
  // A damaged record fails every read, naming it, as a store list would; repaired, reads work again.
  await store.txn([], [put('/w/c', { name: 'c', size: 'big' })]);
  assert.throws(
    () => mirror.records(),
    (e: Error & { code?: string }) => e.code === 'corruptRecord' && /\/w\/c/.test(e.message),
  );
  await store.txn([], [put('/w/c', storedValue(WIDGET, { name: 'c', size: 3 }))]);
  assert.deepEqual(
    mirror.records().map((w) => w.size),
    [1, 3],
  );
  mirror.close();
  await store.txn([], [put('/w/d', storedValue(WIDGET, { name: 'd', size: 4 }))]);
  assert.equal(mirror.records().length, 2, 'closed: no longer follows');
  await store.close();
});

test('a lazy mirror that failed to load is loaded again at the next use', async () => {
  let attempts = 0;
  const store = openSqliteStore(':memory:');
  const lazy = new LazyLoad(async () => {
    attempts++;
    if (attempts === 1) throw new Error('store unreachable');
    return RecordMirror.load(store, '/w/', WIDGET);
  });
  await assert.rejects(lazy.get(), /unreachable/);
  assert.deepEqual((await lazy.get()).records(), []);
  assert.equal(await lazy.get(), await lazy.get(), 'loaded once, then kept');
  assert.equal(attempts, 2);
  await store.close();
});

test('a mirror whose list failed leaves no watch behind', async () => {
  const store = openSqliteStore(':memory:');
  const watching = new Set<() => void>();
  // The real store, but its list fails (unreachable) and its watches are counted.
  const failing: typeof store = Object.assign(Object.create(store) as typeof store, {
    watch: (prefix: string, listener: Parameters<typeof store.watch>[1]) => {
      const stop = store.watch(prefix, listener);
      watching.add(stop);
      return () => {
        watching.delete(stop);
        stop();
      };
    },
    list: () => Promise.reject(new Error('store unreachable')),
  });
  await assert.rejects(RecordMirror.load(failing, '/w/', WIDGET), /unreachable/);
  assert.equal(watching.size, 0);
  await store.close();
});

test('after a change the sorted records are a new array in key order; one given before is left as it was', async () => {
  const store = openSqliteStore(':memory:');
  const seen: string[] = [];
  const mirror = await RecordMirror.load(store, '/w/', WIDGET, { onChange: (key, w) => seen.push(`${key}=${w?.size ?? '-'}`) });
  const widget = (name: string, size: number) => put(`/w/${name}`, storedValue(WIDGET, { name, size }));
  await store.txn([], [widget('b', 2), widget('d', 4)]);
  const before = mirror.records();
  assert.equal(mirror.records(), before, 'no change: the same array');
  await store.txn([], [widget('c', 3), widget('a', 1), widget('e', 5)]);
  await store.txn([], [widget('d', 40), { delete: '/w/b' }]);
  assert.deepEqual(
    mirror.entries().map((e) => e.key),
    ['/w/a', '/w/c', '/w/d', '/w/e'],
  );
  assert.deepEqual(
    mirror.records().map((w) => w.size),
    [1, 3, 40, 5],
  );
  assert.deepEqual(
    before.map((w) => w.name),
    ['b', 'd'],
    'the array given before the changes is unchanged',
  );
  await store.txn([], [put('/w/f', { name: 'f', size: 'big' })]);
  assert.deepEqual(seen, ['/w/b=2', '/w/d=4', '/w/c=3', '/w/a=1', '/w/e=5', '/w/d=40', '/w/b=-', '/w/f=-']);
  assert.throws(() => mirror.assertIntact(), /\/w\/f/);
  mirror.close();
  await store.close();
});
