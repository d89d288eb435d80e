import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { isGrappeError } from '../core/errors.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from './sqlite-migrations.ts';
import { put } from './store.ts';
import { storeContractSuite } from './store.contract-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'grappe-sqlite-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tempDb = (): string => join(dir, `store-${++n}.db`);

storeContractSuite('sqlite (file)', () => openSqliteStore(tempDb()));
storeContractSuite('sqlite (:memory:)', () => openSqliteStore(':memory:'));

describe('sqlite store specifics', () => {
  test('a new file store is owner-only, in WAL mode, at the latest schema version', async () => {
    const file = tempDb();
    const store = openSqliteStore(file);
    await put(store, '/k', 1);
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(schemaVersion(db), MIGRATIONS.length);
      for (const f of [file, `${file}-wal`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
    } finally {
      db.close();
      await store.close();
    }
  });

  test('reopening keeps entries, revisions and the store revision', async () => {
    const file = tempDb();
    const first = openSqliteStore(file);
    await put(first, '/hosts/1', { name: 'h1' });
    await put(first, '/hosts/1', { name: 'h1b' });
    await first.close();
    const second = openSqliteStore(file);
    try {
      assert.deepEqual(await second.get('/hosts/1'), {
        key: '/hosts/1',
        value: { name: 'h1b' },
        createRevision: 1,
        modRevision: 2,
      });
      assert.equal(await second.revision(), 2);
      assert.equal(await put(second, '/hosts/2', {}), 3);
    } finally {
      await second.close();
    }
  });

  test('refuses to open a database whose schema is newer than this code, and leaves it untouched', async () => {
    const file = tempDb();
    await openSqliteStore(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    assert.throws(
      () => openSqliteStore(file),
      (err: unknown) => {
        assert.ok(isGrappeError(err));
        assert.equal(err.code, 'storeSchemaTooNew');
        assert.match(err.message, new RegExp(`version ${MIGRATIONS.length + 1}.*only up to version ${MIGRATIONS.length}`));
        return true;
      },
    );
    const check = new Database(file, { readonly: true });
    assert.equal(schemaVersion(check), MIGRATIONS.length + 1);
    check.close();
  });

  test('migrations run in order, only the missing ones, each committed with its version', async () => {
    const file = tempDb();
    const ran: number[] = [];
    const v2: Migration = (db) => {
      ran.push(2);
      db.exec('CREATE TABLE extra (x INTEGER)');
    };
    const v3: Migration = (db) => {
      ran.push(3);
      db.exec('INSERT INTO extra (x) VALUES (42)');
    };
    const base = MIGRATIONS.slice(0, 1);
    await openSqliteStore(file, { migrations: base }).close();
    // Data written at v1 survives the upgrade.
    const v1Store = openSqliteStore(file, { migrations: base });
    await put(v1Store, '/k', 'kept');
    await v1Store.close();

    const upgraded = openSqliteStore(file, { migrations: [...base, v2, v3] });
    assert.equal((await upgraded.get('/k'))?.value, 'kept');
    await upgraded.close();
    assert.deepEqual(ran, [2, 3]);

    const db = new Database(file);
    assert.equal(schemaVersion(db), 3);
    assert.equal(db.prepare('SELECT x FROM extra').pluck().get(), 42);
    // Already current: nothing runs again.
    migrate(db, [...base, v2, v3]);
    assert.deepEqual(ran, [2, 3]);
    db.close();
  });

  test('a failing migration rolls back whole and leaves the previous version', () => {
    const db = new Database(':memory:');
    const broken: Migration = (d) => {
      d.exec('CREATE TABLE half (x INTEGER)');
      throw new Error('migration bug');
    };
    assert.throws(() => migrate(db, [...MIGRATIONS, broken]), /migration bug/);
    assert.equal(schemaVersion(db), MIGRATIONS.length);
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get(), 0);
    db.close();
  });

  test('list walks the primary-key index, not a table scan', () => {
    const db = new Database(':memory:');
    migrate(db);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?').all('/hosts/', '/hosts0', -1) as {
      detail: string;
    }[];
    assert.match(plan.map((p) => p.detail).join('\n'), /SEARCH kv USING PRIMARY KEY \(key>\? AND key<\?\)/);
    db.close();
  });

  test('the integrity check finds a value that is not JSON and a revision from the future', async () => {
    const file = tempDb();
    const store = openSqliteStore(file);
    await put(store, '/hosts/000001', { name: 'h1' });
    // Damage the file as a bad restore or a hand edit would, behind the store's back.
    const db = new Database(file);
    db.pragma('ignore_check_constraints = 1');
    db.prepare("INSERT INTO kv (key, value, create_rev, mod_rev) VALUES ('/hosts/000002', '{not json', 1, 1)").run();
    db.prepare("INSERT INTO kv (key, value, create_rev, mod_rev) VALUES ('/hosts/000003', '{}', 9, 9)").run();
    db.close();
    try {
      const problems = await store.integrityCheck();
      assert.ok(
        problems.some((p) => /CHECK constraint failed in kv/.test(p)),
        problems.join(' | '),
      );
      assert.ok(
        problems.some((p) => /1 entry has a revision beyond the store's \(1\)/.test(p)),
        problems.join(' | '),
      );
    } finally {
      await store.close();
    }
  });

  test('calls after close are refused with a clear error', async () => {
    const store = openSqliteStore(':memory:');
    await store.close();
    await store.close(); // closing twice is harmless
    await assert.rejects(store.get('/k'), (err: unknown) => isGrappeError(err) && err.code === 'storeClosed');
  });

  test('a path that cannot be opened fails at open time', () => {
    assert.throws(() => openSqliteStore(join(dir, 'no-such-dir', 'x.db')));
  });

  test('txns asked in one turn are committed as a group, in order: each compare sees the writes before it', async () => {
    const store = openSqliteStore(tempDb());
    try {
      const seen: string[] = [];
      store.watch('/g/', (e) => seen.push(`${e.type} ${e.key} ${e.revision}`));
      // Both ask for /g/a absent: the first creates it, so the second's compare fails.
      const [first, second, third] = await Promise.all([
        store.txn([{ key: '/g/a', modRevision: 0 }], [{ put: '/g/a', value: 1 }]),
        store.txn([{ key: '/g/a', modRevision: 0 }], [{ put: '/g/a', value: 2 }], [{ put: '/g/lost', value: true }]),
        store.txn([], [{ delete: '/g/a' }]),
      ]);
      assert.deepEqual([first.succeeded, second.succeeded, third.succeeded], [true, false, true]);
      assert.deepEqual([first.revision + 1, first.revision + 2], [second.revision, third.revision]);
      assert.equal(await store.get('/g/a'), undefined);
      assert.equal((await store.get('/g/lost'))?.value, true);
      assert.deepEqual(seen, [`put /g/a ${first.revision}`, `put /g/lost ${second.revision}`, `delete /g/a ${third.revision}`]);
    } finally {
      await store.close();
    }
  });

  test('txns accepted before close are committed by it', async () => {
    const file = tempDb();
    const store = openSqliteStore(file);
    const pending = store.txn([], [{ put: '/k', value: 'kept' }]);
    await store.close();
    assert.equal((await pending).succeeded, true);
    const reopened = openSqliteStore(file);
    try {
      assert.equal((await reopened.get('/k'))?.value, 'kept');
    } finally {
      await reopened.close();
    }
  });
});
