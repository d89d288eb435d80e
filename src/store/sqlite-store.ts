// The embedded Store: one SQLite file through better-sqlite3. WAL with synchronous=FULL, so a txn is
// on disk (WAL fsynced) before its promise resolves — nothing acknowledged is lost when the controller
// is killed or the machine loses power. Calls are synchronous underneath; the Promise API matches the
// networked adapters. Watchers are in-process: the controller is the store's single writer.
//
// Group commit: the txns asked within one turn of the event loop are applied in order, each in a
// savepoint of its own (its compares see the ones before it), and committed together with one fsync.
// An fsync blocks the event loop (about 0.6 ms here): one per txn was a third of the controller's
// time while creating guests at scale.

import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { GrappeError } from '../core/errors.ts';
import { prefixEnd } from './key-range.ts';
import { MIGRATIONS, migrate, type Migration } from './sqlite-migrations.ts';
import { assertCompares, assertKey, assertLimit, assertOps, assertPrefix } from './store-values.ts';
import type { Compare, Entry, Json, Op, Store, TxnResult, WatchEvent } from './store.ts';
import { WatchHub, type Change } from './watch-hub.ts';

export interface SqliteStoreOptions {
  /** How long a write waits for a lock held by another connection (e.g. an admin's sqlite3 shell). */
  busyTimeoutMs?: number;
  /** The schema steps; only tests pass their own. */
  migrations?: readonly Migration[];
}

/** Rows come back as arrays (`.raw()`): cheaper than objects when listing thousands. */
type Row = [key: string, value: string, createRev: number, modRev: number];

interface QueuedTxn {
  readonly compare: readonly Compare[];
  readonly success: readonly Op[];
  readonly failure: readonly Op[];
  readonly resolve: (result: TxnResult) => void;
  readonly reject: (err: unknown) => void;
}

type Applied = { succeeded: boolean; revision: number; events: Change[] } | { error: unknown };

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  // The store holds credentials: a new file is made owner-only (SQLite gives its -wal/-shm files the
  // same mode). An existing file keeps the mode its owner chose.
  if (path !== ':memory:' && path !== '') closeSync(openSync(path, 'a', 0o600));
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    migrate(db, options.migrations ?? MIGRATIONS, path);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteStore(db, path);
}

class SqliteStore implements Store {
  private readonly hub = new WatchHub();
  private closed = false;
  // Prepared once: statement compilation dominates small queries.
  private readonly stmt;
  private readonly applyTxn;
  private readonly commitGroup;
  private queued: QueuedTxn[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
  ) {
    this.stmt = {
      get: db.prepare<[string], Row>('SELECT key, value, create_rev, mod_rev FROM kv WHERE key = ?').raw(),
      modRev: db.prepare<[string], number>('SELECT mod_rev FROM kv WHERE key = ?').pluck(),
      listRange: db
        .prepare<[string, string, number], Row>('SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?')
        .raw(),
      listFrom: db.prepare<[string, number], Row>('SELECT key, value, create_rev, mod_rev FROM kv WHERE key >= ? ORDER BY key LIMIT ?').raw(),
      revision: db.prepare<[], number>('SELECT value FROM revision WHERE id = 1').pluck(),
      setRevision: db.prepare<[number]>('UPDATE revision SET value = ? WHERE id = 1'),
      upsert: db.prepare<[string, string, number, number]>(
        'INSERT INTO kv (key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_rev = excluded.mod_rev',
      ),
      delete: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
    };
    // One txn, run only inside a group's transaction (commitGroup), so as a savepoint of its own.
    this.applyTxn = db.transaction((compare: readonly Compare[], success: readonly Op[], failure: readonly Op[]) => {
      const succeeded = compare.every((c) => (this.stmt.modRev.get(c.key) ?? 0) === c.modRevision);
      const ops = succeeded ? success : failure;
      const before = this.stmt.revision.get() ?? 0;
      const next = before + 1;
      const events: Change[] = [];
      for (const op of ops) {
        if ('put' in op) {
          const valueText = JSON.stringify(op.value);
          this.stmt.upsert.run(op.put, valueText, next, next);
          events.push({ type: 'put', key: op.put, valueText, revision: next });
        } else if (this.stmt.delete.run(op.delete).changes > 0) {
          events.push({ type: 'delete', key: op.delete, revision: next });
        }
      }
      // Like etcd, the revision moves only when something changed.
      if (events.length > 0) this.stmt.setRevision.run(next);
      return { succeeded, revision: events.length > 0 ? next : before, events };
    });
    // IMMEDIATE: take the write lock up front so compares and writes see one consistent state. Each
    // txn of the group runs in its own savepoint (a nested transaction): one that throws is undone
    // alone and fails alone.
    this.commitGroup = db.transaction((group: readonly QueuedTxn[]): Applied[] =>
      group.map((t) => {
        try {
          return this.applyTxn(t.compare, t.success, t.failure);
        } catch (error) {
          return { error };
        }
      }),
    ).immediate;
  }

  async get(key: string): Promise<Entry | undefined> {
    this.assertOpen();
    assertKey(key);
    const row = this.stmt.get.get(key);
    return row && toEntry(row);
  }

  async list(prefix: string, options: { limit?: number } = {}): Promise<Entry[]> {
    this.assertOpen();
    assertPrefix(prefix);
    assertLimit(options.limit);
    // SQLite reads LIMIT -1 as "no limit".
    const limit = options.limit ?? -1;
    const end = prefixEnd(prefix);
    const rows = end === undefined ? this.stmt.listFrom.all(prefix, limit) : this.stmt.listRange.all(prefix, end, limit);
    return rows.map(toEntry);
  }

  async txn(compare: readonly Compare[], success: readonly Op[], failure: readonly Op[] = []): Promise<TxnResult> {
    this.assertOpen();
    // Everything is checked before the transaction starts, so a bad op can never half-apply.
    assertCompares(compare);
    assertOps(success, 'success');
    assertOps(failure, 'failure');
    return new Promise<TxnResult>((resolve, reject) => {
      this.queued.push({ compare, success, failure, resolve, reject });
      if (this.queued.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits the txns queued in this turn together; settles each once the group is on disk. */
  private flush(): void {
    const group = this.queued;
    this.queued = [];
    if (group.length === 0) return;
    let applied: Applied[];
    try {
      this.assertOpen();
      applied = this.commitGroup(group);
    } catch (err) {
      for (const t of group) t.reject(err);
      return;
    }
    group.forEach((t, i) => {
      const a = applied[i]!;
      if ('error' in a) return t.reject(a.error);
      this.hub.emit(a.events);
      t.resolve({ succeeded: a.succeeded, revision: a.revision });
    });
  }

  watch(prefix: string, listener: (event: WatchEvent) => void): () => void {
    this.assertOpen();
    assertPrefix(prefix);
    if (typeof listener !== 'function') {
      throw new GrappeError('storeBadWatch', 'store: refused the watch: the listener must be a function');
    }
    return this.hub.subscribe(prefix, listener);
  }

  async revision(): Promise<number> {
    this.assertOpen();
    return this.stmt.revision.get() ?? 0;
  }

  async integrityCheck(): Promise<string[]> {
    this.assertOpen();
    const problems = (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).filter((t) => t !== 'ok');
    const revision = this.stmt.revision.get() ?? 0;
    const ahead = this.db.prepare<[number], number>('SELECT count(*) FROM kv WHERE mod_rev > ? OR create_rev > mod_rev').pluck().get(revision) ?? 0;
    if (ahead > 0) problems.push(`${ahead} entr${ahead === 1 ? 'y has' : 'ies have'} a revision beyond the store's (${revision})`);
    return problems;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Txns already accepted are committed, not dropped.
    this.flush();
    this.closed = true;
    this.hub.clear();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new GrappeError('storeClosed', `store: refused the call: the store '${this.path}' is closed`);
    }
  }
}

function toEntry([key, value, createRevision, modRevision]: Row): Entry {
  return { key, value: JSON.parse(value) as Json, createRevision, modRevision };
}
