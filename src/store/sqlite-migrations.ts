// Versioned schema of the SQLite store. `PRAGMA user_version` holds how many migrations a database has
// had; opening applies the missing ones in order, each in its own transaction with the version bump,
// so a crash mid-upgrade leaves the database at a whole version. Append to MIGRATIONS, never edit one.

import type Database from 'better-sqlite3';
import { GrappeError } from '../core/errors.ts';

export type Migration = (db: Database.Database) => void;

export const MIGRATIONS: readonly Migration[] = [
  // 1: entries (value is JSON text) and the single-row store-wide revision counter.
  (db) => {
    db.exec(`
      CREATE TABLE kv (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL CHECK (json_valid(value)),
        create_rev INTEGER NOT NULL,
        mod_rev INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE revision (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        value INTEGER NOT NULL
      );
      INSERT INTO revision (id, value) VALUES (1, 0);
    `);
  },
];

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Brings `db` up to `migrations.length`; refuses a database made by newer code. Returns the final version. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, file = db.name): number {
  const known = migrations.length;
  const current = schemaVersion(db);
  if (current > known) {
    throw new GrappeError(
      'storeSchemaTooNew',
      `store: refused to open '${file}': its schema is version ${current} but this Grappe knows only up to ` +
        `version ${known}; run a newer Grappe (downgrades are not supported)`,
      { file, version: current, known },
    );
  }
  for (let version = current; version < known; version++) {
    const step = migrations[version];
    if (!step) continue;
    db.transaction(() => {
      step(db);
      // PRAGMA takes no bound parameters; `version + 1` is an integer we computed.
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
  return known;
}
