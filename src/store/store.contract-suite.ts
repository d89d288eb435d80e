// The behaviour every Store adapter must have. Each adapter's test file calls
// `storeContractSuite('sqlite', () => openSqliteStore(...))`; the etcd adapter will run the same suite.
// Watch delivery may be asynchronous (etcd), so watch tests wait for events and prove that an event
// was NOT delivered by writing a later sentinel and checking it arrives first.

import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { isGrappeError } from '../core/errors.ts';
import { compareKeys } from './key-range.ts';
import { del, put, update, type Json, type Store, type WatchEvent } from './store.ts';

export function storeContractSuite(name: string, open: () => Promise<Store> | Store): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const store = await open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe('get / put / delete', () => {
      test('a missing key reads as undefined and a new store is at revision 0', async () => {
        const store = await fresh();
        assert.equal(await store.get('/nothing'), undefined);
        assert.equal(await store.revision(), 0);
      });

      test('a sound store passes its integrity check, before and after writes', async () => {
        const store = await fresh();
        assert.deepEqual(await store.integrityCheck(), []);
        await put(store, '/a', { x: 1 });
        await del(store, '/a');
        assert.deepEqual(await store.integrityCheck(), []);
      });

      test('put stores the value with create and mod revision equal to the new store revision', async () => {
        const store = await fresh();
        const rev = await put(store, '/hosts/1', { name: 'h1', cpus: 4 });
        assert.equal(rev, 1);
        assert.deepEqual(await store.get('/hosts/1'), {
          key: '/hosts/1',
          value: { name: 'h1', cpus: 4 },
          createRevision: 1,
          modRevision: 1,
        });
        assert.equal(await store.revision(), 1);
      });

      test('every JSON shape round-trips exactly', async () => {
        const store = await fresh();
        const values: Json[] = [
          null,
          true,
          false,
          0,
          -12.5,
          1e300,
          '',
          'héllo ✓ 🚀 "quoted" \\ \n',
          [],
          {},
          [1, 'two', null, { three: [3] }],
          { nested: { deep: { list: [true, false], empty: {} } }, 'key with spaces': 'x', '': 'empty key' },
        ];
        for (const [i, value] of values.entries()) await put(store, `/v/${i}`, value);
        for (const [i, value] of values.entries()) assert.deepEqual((await store.get(`/v/${i}`))?.value, value);
      });

      test('values read back are copies: mutating them or the written object changes nothing stored', async () => {
        const store = await fresh();
        const written = { tags: ['a'] };
        await put(store, '/k', written);
        written.tags.push('changed-after-put');
        const first = (await store.get('/k'))?.value as { tags: string[] };
        first.tags.push('changed-after-get');
        assert.deepEqual((await store.get('/k'))?.value, { tags: ['a'] });
      });

      test('delete removes the key; deleting a missing key changes nothing, not even the revision', async () => {
        const store = await fresh();
        await put(store, '/a', 1);
        await del(store, '/a');
        assert.equal(await store.get('/a'), undefined);
        const rev = await store.revision();
        assert.equal(rev, 2);
        await del(store, '/a');
        await del(store, '/never');
        assert.equal(await store.revision(), rev);
      });

      test('createRevision is kept on update; a key re-created after delete gets a new one', async () => {
        const store = await fresh();
        await put(store, '/k', 'v1');
        await put(store, '/other', 0);
        await put(store, '/k', 'v2');
        assert.deepEqual(await store.get('/k'), { key: '/k', value: 'v2', createRevision: 1, modRevision: 3 });
        await del(store, '/k');
        await put(store, '/k', 'v3');
        assert.deepEqual(await store.get('/k'), { key: '/k', value: 'v3', createRevision: 5, modRevision: 5 });
      });
    });

    describe('list by prefix', () => {
      const seed = async (store: Store, keys: string[]): Promise<void> => {
        for (const key of keys) await put(store, key, { key });
      };

      test('returns the entries under the prefix in key order, with their revisions', async () => {
        const store = await fresh();
        await seed(store, ['/hosts/3', '/hosts/1', '/guests/1', '/hosts/2', '/hostsX']);
        const entries = await store.list('/hosts/');
        assert.deepEqual(
          entries.map((e) => e.key),
          ['/hosts/1', '/hosts/2', '/hosts/3'],
        );
        assert.deepEqual(entries[0], { key: '/hosts/1', value: { key: '/hosts/1' }, createRevision: 2, modRevision: 2 });
      });

      test('prefix boundaries: /hosts/1 matches /hosts/10 but /hosts/1/ does not', async () => {
        const store = await fresh();
        await seed(store, ['/hosts/1', '/hosts/1/nics/eth0', '/hosts/10', '/hosts/10/nics/eth0', '/hosts/2', '/hosts/']);
        const keys = async (prefix: string): Promise<string[]> => (await store.list(prefix)).map((e) => e.key);
        assert.deepEqual(await keys('/hosts/1/'), ['/hosts/1/nics/eth0']);
        assert.deepEqual(await keys('/hosts/1'), ['/hosts/1', '/hosts/1/nics/eth0', '/hosts/10', '/hosts/10/nics/eth0']);
        assert.deepEqual(await keys('/hosts/10'), ['/hosts/10', '/hosts/10/nics/eth0']);
        assert.deepEqual(await keys('/hosts/2/'), []);
        assert.deepEqual(await keys('/hosts/'), ['/hosts/', '/hosts/1', '/hosts/1/nics/eth0', '/hosts/10', '/hosts/10/nics/eth0', '/hosts/2']);
        assert.deepEqual(await keys('/nope/'), []);
      });

      test('prefix characters are literal (no wildcards) and non-ASCII keys sort by code point', async () => {
        const store = await fresh();
        const all = ['/a_b', '/axb', '/a%', '/a%z', '/é', '/z', '/😀', '/\uffff', '/\uffff\u{10ffff}', '/\u{10ffff}'];
        await seed(store, all);
        assert.deepEqual(
          (await store.list('/a_')).map((e) => e.key),
          ['/a_b'],
        );
        assert.deepEqual(
          (await store.list('/a%')).map((e) => e.key),
          ['/a%', '/a%z'],
        );
        assert.deepEqual(
          (await store.list('/\uffff')).map((e) => e.key),
          ['/\uffff', '/\uffff\u{10ffff}'],
        );
        assert.deepEqual(
          (await store.list('/\u{10ffff}')).map((e) => e.key),
          ['/\u{10ffff}'],
        );
        assert.deepEqual(
          (await store.list('/')).map((e) => e.key),
          [...all].sort(compareKeys),
        );
      });

      test('an empty prefix lists every key', async () => {
        const store = await fresh();
        await seed(store, ['b', 'a', '/c']);
        assert.deepEqual(
          (await store.list('')).map((e) => e.key),
          ['/c', 'a', 'b'],
        );
      });

      test('limit returns the first N in key order; a bad limit is refused', async () => {
        const store = await fresh();
        await seed(store, ['/h/4', '/h/2', '/h/3', '/h/1']);
        assert.deepEqual(
          (await store.list('/h/', { limit: 2 })).map((e) => e.key),
          ['/h/1', '/h/2'],
        );
        assert.equal((await store.list('/h/', { limit: 10 })).length, 4);
        for (const limit of [0, -1, 1.5, Number.NaN]) {
          await assert.rejects(store.list('/h/', { limit }), codeIs('storeBadLimit'), `limit ${limit}`);
        }
      });
    });

    describe('transactions', () => {
      test('compare on modRevision 0 means "absent": create-if-absent succeeds once', async () => {
        const store = await fresh();
        const create = () => store.txn([{ key: '/lock', modRevision: 0 }], [{ put: '/lock', value: 'me' }]);
        assert.deepEqual(await create(), { succeeded: true, revision: 1 });
        assert.deepEqual(await create(), { succeeded: false, revision: 1 });
        assert.equal((await store.get('/lock'))?.value, 'me');
      });

      test('compare on the current modRevision succeeds; on a stale one the failure ops run instead', async () => {
        const store = await fresh();
        await put(store, '/k', 1);
        const current = (await store.get('/k'))?.modRevision ?? -1;
        await put(store, '/k', 2);
        const stale = await store.txn([{ key: '/k', modRevision: current }], [{ put: '/k', value: 'from-success' }], [{ put: '/conflicts', value: 1 }]);
        assert.deepEqual(stale, { succeeded: false, revision: 3 });
        assert.equal((await store.get('/k'))?.value, 2);
        assert.equal((await store.get('/conflicts'))?.value, 1);

        const fresher = (await store.get('/k'))?.modRevision ?? -1;
        const ok = await store.txn([{ key: '/k', modRevision: fresher }], [{ put: '/k', value: 'from-success' }], [{ put: '/conflicts', value: 2 }]);
        assert.deepEqual(ok, { succeeded: true, revision: 4 });
        assert.equal((await store.get('/k'))?.value, 'from-success');
        assert.equal((await store.get('/conflicts'))?.value, 1);
      });

      test('all compares must hold; one failing compare fails the whole txn', async () => {
        const store = await fresh();
        await put(store, '/a', 1);
        await put(store, '/b', 1);
        const result = await store.txn(
          [
            { key: '/a', modRevision: 1 },
            { key: '/b', modRevision: 1 }, // stale: /b is at 2
          ],
          [{ put: '/a', value: 'x' }],
        );
        assert.equal(result.succeeded, false);
        assert.equal((await store.get('/a'))?.value, 1);
      });

      test('a txn applies all its ops at one revision', async () => {
        const store = await fresh();
        await put(store, '/gone', 0);
        const result = await store.txn([], [{ put: '/x', value: 1 }, { put: '/y', value: 2 }, { delete: '/gone' }]);
        assert.deepEqual(result, { succeeded: true, revision: 2 });
        assert.equal((await store.get('/x'))?.modRevision, 2);
        assert.equal((await store.get('/y'))?.modRevision, 2);
        assert.equal(await store.get('/gone'), undefined);
      });

      test('all or nothing: a txn with one bad op is refused and changes nothing', async () => {
        const store = await fresh();
        await put(store, '/keep', 'original');
        const before = await store.revision();
        await assert.rejects(
          store.txn([], [{ put: '/keep', value: 'changed' }, { delete: '/keep2' }, { put: '/bad', value: Number.NaN }]),
          codeIs('storeValueNotJson'),
        );
        await assert.rejects(
          store.txn(
            [],
            [
              { put: '/keep', value: 'changed' },
              { put: '/keep', value: 'twice' },
            ],
          ),
          codeIs('storeBadTxn'),
        );
        await assert.rejects(
          store.txn(
            [],
            [
              { put: '/keep', value: 'changed' },
              { put: '', value: 1 },
            ],
          ),
          codeIs('storeBadKey'),
        );
        await assert.rejects(store.txn([{ key: '/keep', modRevision: -1 }], [{ put: '/keep', value: 'changed' }]), codeIs('storeBadTxn'));
        assert.equal((await store.get('/keep'))?.value, 'original');
        assert.equal(await store.get('/bad'), undefined);
        assert.equal(await store.revision(), before);
      });

      test('a txn with nothing to do (failed, no failure ops; or empty) keeps the revision', async () => {
        const store = await fresh();
        await put(store, '/k', 1);
        assert.deepEqual(await store.txn([{ key: '/k', modRevision: 0 }], [{ put: '/k', value: 2 }]), {
          succeeded: false,
          revision: 1,
        });
        assert.deepEqual(await store.txn([], []), { succeeded: true, revision: 1 });
      });

      test('revisions strictly increase with every change', async () => {
        const store = await fresh();
        let last = await store.revision();
        for (let i = 0; i < 30; i++) {
          const op = i % 3 === 2 ? { delete: `/k/${i - 1}` } : { put: `/k/${i}`, value: i };
          const { revision } = await store.txn([], [op]);
          assert.ok(revision > last, `revision ${revision} after ${last}`);
          assert.equal(await store.revision(), revision);
          last = revision;
        }
      });
    });

    describe('values must be JSON', () => {
      const notJson: [string, unknown][] = [
        ['undefined', undefined],
        ['a function', () => 1],
        ['NaN', Number.NaN],
        ['Infinity', Number.POSITIVE_INFINITY],
        ['a bigint', 10n],
        ['a symbol', Symbol('s')],
        ['a Date', new Date(0)],
        ['a Map', new Map()],
        ['a nested undefined', { a: { b: undefined } }],
        ['a nested function', [1, { f: () => 0 }]],
        ['a sparse array', [1, , 3]],
        [
          'a circular object',
          (() => {
            const o: Record<string, unknown> = {};
            o.self = o;
            return o;
          })(),
        ],
      ];
      for (const [label, value] of notJson) {
        test(`refuses ${label}, with a clear error, and writes nothing`, async () => {
          const store = await fresh();
          await assert.rejects(store.txn([], [{ put: '/v', value: value as Json }]), (err: unknown) => {
            assert.ok(isGrappeError(err), `expected a GrappeError, got ${String(err)}`);
            assert.equal(err.code, 'storeValueNotJson');
            assert.match(err.message, /'\/v'.*JSON/);
            return true;
          });
          assert.equal(await store.get('/v'), undefined);
          assert.equal(await store.revision(), 0);
        });
      }

      test('refuses empty or malformed keys', async () => {
        const store = await fresh();
        await assert.rejects(store.get(''), codeIs('storeBadKey'));
        await assert.rejects(store.get('\ud800'), codeIs('storeBadKey'));
        await assert.rejects(put(store, 5 as unknown as string, 1), codeIs('storeBadKey'));
      });
    });

    describe('watch', () => {
      test('reports puts and deletes under the prefix with their revisions, in order', async () => {
        const store = await fresh();
        const events: WatchEvent[] = [];
        store.watch('/hosts/', (e) => events.push(e));
        await put(store, '/hosts/1', { s: 'UP' });
        await put(store, '/hosts/1', { s: 'MAINT' });
        await del(store, '/hosts/1');
        await waitFor(() => events.length >= 3);
        assert.deepEqual(events.map(plain), [
          { type: 'put', key: '/hosts/1', value: { s: 'UP' }, revision: 1 },
          { type: 'put', key: '/hosts/1', value: { s: 'MAINT' }, revision: 2 },
          { type: 'delete', key: '/hosts/1', revision: 3 },
        ]);
      });

      test('filters by prefix: /hosts/1/ does not see /hosts/10', async () => {
        const store = await fresh();
        const events: WatchEvent[] = [];
        store.watch('/hosts/1/', (e) => events.push(e));
        await put(store, '/hosts/10', 'no');
        await put(store, '/hosts/10/x', 'no');
        await put(store, '/guests/1', 'no');
        await put(store, '/hosts/1/x', 'yes');
        await waitFor(() => events.length >= 1);
        assert.deepEqual(
          events.map((e) => e.key),
          ['/hosts/1/x'],
        );
      });

      test('a multi-op txn yields one event per change, sharing its revision; failure ops are reported too', async () => {
        const store = await fresh();
        await put(store, '/w/old', 0);
        const events: WatchEvent[] = [];
        store.watch('/w/', (e) => events.push(e));
        await store.txn([], [{ put: '/w/a', value: 1 }, { delete: '/w/old' }, { delete: '/w/absent' }]);
        await store.txn([{ key: '/w/a', modRevision: 0 }], [{ put: '/w/no', value: 0 }], [{ put: '/w/b', value: 2 }]);
        await waitFor(() => events.length >= 3);
        assert.deepEqual(events.map(plain), [
          { type: 'put', key: '/w/a', value: 1, revision: 2 },
          { type: 'delete', key: '/w/old', revision: 2 },
          { type: 'put', key: '/w/b', value: 2, revision: 3 },
        ]);
      });

      test('sees only changes made after it started, and nothing after unsubscribe', async () => {
        const store = await fresh();
        await put(store, '/k/before', 0);
        const events: WatchEvent[] = [];
        const stop = store.watch('/k/', (e) => events.push(e));
        await put(store, '/k/during', 1);
        await waitFor(() => events.length >= 1);
        stop();
        await put(store, '/k/after', 2);
        // A second watcher proves the write was delivered to watchers; the stopped one must not have it.
        const sentinel: WatchEvent[] = [];
        store.watch('/k/', (e) => sentinel.push(e));
        await put(store, '/k/sentinel', 3);
        await waitFor(() => sentinel.length >= 1);
        assert.deepEqual(
          events.map((e) => e.key),
          ['/k/during'],
        );
      });

      test('several watchers each get the events; one throwing does not stop the others or the write', async () => {
        const store = await fresh();
        const a: string[] = [];
        const b: string[] = [];
        store.watch('/', () => {
          throw new Error('a listener bug (expected in this test)');
        });
        store.watch('/', (e) => a.push(e.key));
        store.watch('', (e) => b.push(e.key));
        const { succeeded } = await store.txn([], [{ put: '/x', value: 1 }]);
        assert.equal(succeeded, true);
        await waitFor(() => a.length >= 1 && b.length >= 1);
        assert.deepEqual([a, b], [['/x'], ['/x']]);
        assert.equal((await store.get('/x'))?.value, 1);
      });
      test('each watcher gets its own copy of a value: changing it affects no one else', async () => {
        const store = await fresh();
        const seen: Json[] = [];
        store.watch('/c/', (e) => {
          (e.value as { list: string[] }).list.push('changed-by-first');
        });
        store.watch('/c/', (e) => seen.push(e.value ?? null));
        await put(store, '/c/1', { list: ['a'] });
        await waitFor(() => seen.length >= 1);
        assert.deepEqual(seen, [{ list: ['a'] }]);
        assert.deepEqual((await store.get('/c/1'))?.value, { list: ['a'] });
      });
    });

    describe('update() compare-and-swap helper', () => {
      test('creates, changes and deletes (returning undefined deletes)', async () => {
        const store = await fresh();
        assert.equal(await update<number>(store, '/n', (n) => (n ?? 0) + 1), 1);
        assert.equal(await update<number>(store, '/n', (n) => (n ?? 0) + 1), 2);
        assert.equal(await update<number>(store, '/n', () => undefined), undefined);
        assert.equal(await store.get('/n'), undefined);
      });

      test('retries when the key changes between its read and its write', async () => {
        const store = await fresh();
        await put(store, '/n', 0);
        // A view of the store where another writer sneaks in right after update()'s first read.
        let sneaked = false;
        const racing: Store = {
          get: async (key) => {
            const entry = await store.get(key);
            if (!sneaked) {
              sneaked = true;
              await put(store, key, 100);
            }
            return entry;
          },
          list: (prefix, options) => store.list(prefix, options),
          txn: (compare, success, failure) => store.txn(compare, success, failure),
          watch: (prefix, listener) => store.watch(prefix, listener),
          revision: () => store.revision(),
          integrityCheck: () => store.integrityCheck(),
          close: () => store.close(),
        };
        const seen: (number | undefined)[] = [];
        const result = await update<number>(racing, '/n', (n) => {
          seen.push(n);
          return (n ?? 0) + 1;
        });
        assert.deepEqual(seen, [0, 100]);
        assert.equal(result, 101);
        assert.equal((await store.get('/n'))?.value, 101);
      });

      test('two concurrent updaters lose no update', async () => {
        const store = await fresh();
        const rounds = 40;
        const worker = async (): Promise<void> => {
          for (let i = 0; i < rounds; i++) await update<number>(store, '/counter', (n) => (n ?? 0) + 1, 1000);
        };
        await Promise.all([worker(), worker()]);
        assert.equal((await store.get('/counter'))?.value, 2 * rounds);
      });
    });
  });
}

function codeIs(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(isGrappeError(err), `expected a GrappeError '${code}', got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

function plain(e: WatchEvent): Record<string, unknown> {
  return e.value === undefined ? { type: e.type, key: e.key, revision: e.revision } : { type: e.type, key: e.key, value: e.value, revision: e.revision };
}

/** Waits for asynchronous watch delivery; the bound only keeps a broken adapter from hanging the run. */
async function waitFor(condition: () => boolean, boundMs = 5000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`store contract: condition not met within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
