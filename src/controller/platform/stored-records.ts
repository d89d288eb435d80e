// Records as the store keeps them: every kind has a zod schema and a version. A record is written
// with its version (`recordVersion`) after being checked against its schema, and read back through
// the migrations from its version up to the current one, then parsed. A record that does not parse
// is a clear `corruptRecord` error naming its key — never a crash deep inside a handler; one written
// by a newer Grappe is `recordTooNew`. Records written before versions existed are version 1.
import type { z } from 'zod';
import { GrappeError, errors } from '../../core/errors.ts';
import type { Json, Store } from '../../store/store.ts';

export const VERSION_FIELD = 'recordVersion';

type Fields = Record<string, unknown>;

export interface RecordKind<T> {
  /** How an admin would name it: 'host', 'guest', 'volume'… */
  readonly name: string;
  /** The version written now. */
  readonly version: number;
  readonly schema: z.ZodType<T>;
  /** `migrations[n]` turns a version-n record into version n+1; one per version below the current. */
  readonly migrations: Readonly<Record<number, (old: Fields) => Fields>>;
  /** What to tell the admin when a record of this kind is damaged. */
  readonly fix?: string;
}

export function defineRecordKind<T>(kind: RecordKind<T>): RecordKind<T> {
  for (let v = 1; v < kind.version; v++) {
    if (!kind.migrations[v]) throw new Error(`record kind '${kind.name}': no migration from version ${v} to ${v + 1}`);
  }
  return kind;
}

const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

const issuesOf = (e: z.ZodError): string[] => e.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`);

function corrupt(kind: RecordKind<unknown>, key: string, version: unknown, problem: string, issues: readonly string[] = []): GrappeError {
  const fix = kind.fix ?? 'restore the data dir from a backup, or remove the record if it is not needed';
  return new GrappeError('corruptRecord', `stored record '${key}' (${kind.name}) is damaged: ${problem}; ${fix}`, {
    key,
    kind: kind.name,
    version,
    issues,
  });
}

/** Brings a stored value up to the current version, as plain fields (not yet parsed). */
export function migrateRecord(kind: RecordKind<unknown>, key: string, value: unknown): Fields {
  if (!isFields(value)) throw corrupt(kind, key, undefined, `it is ${Array.isArray(value) ? 'an array' : typeof value}, not an object`);
  const { [VERSION_FIELD]: stored, ...fields } = value;
  const version = stored ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw corrupt(kind, key, stored, `its ${VERSION_FIELD} ${JSON.stringify(stored)} is not a version`);
  }
  if (version > kind.version) {
    throw new GrappeError(
      'recordTooNew',
      `stored record '${key}' (${kind.name}) is version ${version}, newer than this Grappe's ${kind.version}; run a newer Grappe`,
      { key, kind: kind.name, version, known: kind.version },
    );
  }
  let out: Fields = fields;
  for (let v = version; v < kind.version; v++) {
    const step = kind.migrations[v];
    if (!step) throw errors.internal(`record kind '${kind.name}': no migration from version ${v}`);
    out = step(out);
  }
  return out;
}

/** A record read from the store: migrated and parsed, or a corruptRecord/recordTooNew error naming it. */
export function readRecord<T>(kind: RecordKind<T>, key: string, value: unknown): T {
  const fields = migrateRecord(kind, key, value);
  const parsed = kind.schema.safeParse(fields);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    throw corrupt(kind, key, isFields(value) ? (value[VERSION_FIELD] ?? 1) : undefined, issues.slice(0, 3).join('; '), issues);
  }
  return parsed.data;
}

/** The value to store: checked against the schema (a bad record is our bug, never written) and versioned. */
export function storedValue<T>(kind: RecordKind<T>, record: T): Json {
  const parsed = kind.schema.safeParse(record);
  if (!parsed.success) throw errors.internal(`refused to store an invalid ${kind.name} record: ${issuesOf(parsed.error).join('; ')}`);
  // The schema has just accepted it; through JSON, an absent optional field (undefined) is left out
  // and a value with toJSON (a Date) is stored as it serialises — what the store keeps is what reads see.
  return { ...(JSON.parse(JSON.stringify(parsed.data)) as Fields), [VERSION_FIELD]: kind.version } as Json;
}

/** How many times a compare-and-swap lost to concurrent writers is tried again before giving up. */
export const MAX_UPDATE_ATTEMPTS = 20;

export const tooMuchContention = (key: string): GrappeError => errors.internal(`could not update '${key}': too much contention`);

/**
 * Read-modify-write of one record under compare-and-swap, retried on a lost race. `change` sees the
 * parsed current record (undefined when absent) and returns the next one (undefined: leave it as is).
 */
export async function updateRecord<T>(
  store: Store,
  kind: RecordKind<T>,
  key: string,
  change: (current: T | undefined) => T | undefined,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
    const entry = await store.get(key);
    const current = entry ? readRecord(kind, key, entry.value) : undefined;
    const next = change(current);
    if (next === undefined) return current;
    const result = await store.txn([{ key, modRevision: entry?.modRevision ?? 0 }], [{ put: key, value: storedValue(kind, next) }]);
    if (result.succeeded) return next;
  }
  throw tooMuchContention(key);
}
