// Reads and writes of guest records. Every write is one compare-and-swap transaction carrying the
// record, its index keys and, for create/delete, the volume attach/detach ops of the storage area.
import { errors } from '../../core/errors.ts';
import type { Compare, Op, Store } from '../../store/store.ts';
import { guestErrors } from './guest-errors.ts';
import { LazyLoad, RecordMirror } from '../platform/record-mirror.ts';
import { readRecord, storedValue } from '../platform/stored-records.ts';
import { GUEST_RECORD, GUESTS_PREFIX, guestIdFromRef, guestKey, guestMacKey, guestNameKey, indexKeysOf, type GuestRecord } from './guest-record.ts';

export interface GuestEntry {
  readonly record: GuestRecord;
  readonly modRevision: number;
}

/** Extra guarded writes to commit with a guest's own (the storage area's volume ops). */
export interface ExtraOps {
  readonly compare: readonly Compare[];
  readonly ops: readonly Op[];
}

const MAX_ATTEMPTS = 20;

export class GuestRepo {
  /** Every guest record, parsed once per change (record-mirror.ts): the loops read them all often. */
  private readonly mirror: LazyLoad<RecordMirror<GuestRecord>>;

  constructor(private readonly store: Store) {
    this.mirror = new LazyLoad(() => RecordMirror.load(store, GUESTS_PREFIX, GUEST_RECORD));
  }

  private mirrored(): Promise<RecordMirror<GuestRecord>> {
    return this.mirror.get();
  }

  async list(): Promise<readonly GuestRecord[]> {
    return (await this.mirrored()).records();
  }

  /** Every record with its revision, for readers that must notice a write made after they read. */
  async entries(): Promise<GuestEntry[]> {
    return (await this.mirrored()).entries().map((e) => ({ record: e.record, modRevision: e.modRevision }));
  }

  async usedNumbers(): Promise<Set<number>> {
    return new Set((await this.list()).map((g) => g.number));
  }

  /** The guest for a URL reference ('vm:100', 'vm-100', '100' or its name); 404 otherwise. */
  async find(ref: string): Promise<GuestEntry> {
    const gid = guestIdFromRef(ref);
    if (gid) {
      const e = await this.store.get(guestKey(gid.number));
      const record = e ? readRecord(GUEST_RECORD, e.key, e.value) : undefined;
      // A bare number names either kind; 'ct:100' must not find 'vm:100'.
      if (e && record && (/^\d+$/.test(ref.trim()) || record.kind === gid.kind)) return { record, modRevision: e.modRevision };
      throw guestErrors.noSuchGuest(ref);
    }
    const owner = (await this.store.get(guestNameKey(ref)))?.value as { number?: number } | undefined;
    const e = owner?.number === undefined ? undefined : await this.store.get(guestKey(owner.number));
    if (!e) throw guestErrors.noSuchGuest(ref);
    return { record: readRecord(GUEST_RECORD, e.key, e.value), modRevision: e.modRevision };
  }

  async nameOwner(name: string): Promise<string | undefined> {
    return ((await this.store.get(guestNameKey(name)))?.value as { id?: string } | undefined)?.id;
  }

  /**
   * Creates the record with its index keys and `extra` in one transaction. Returns false when a
   * guard failed (the caller re-validates and retries); a taken name is said at once.
   */
  async create(record: GuestRecord, extra: ExtraOps): Promise<boolean> {
    const keys = indexKeysOf(record);
    const result = await this.store.txn(
      [{ key: guestKey(record.number), modRevision: 0 }, ...keys.map((key) => ({ key, modRevision: 0 })), ...extra.compare],
      [
        { put: guestKey(record.number), value: storedValue(GUEST_RECORD, record) },
        { put: guestNameKey(record.name), value: { id: record.id, number: record.number } },
        ...record.nics.map((n) => ({ put: guestMacKey(n.mac), value: record.id })),
        ...extra.ops,
      ],
    );
    if (result.succeeded) return true;
    const owner = await this.nameOwner(record.name);
    if (owner !== undefined) throw guestErrors.nameTaken(record.name, owner);
    return false;
  }

  /**
   * Read-modify-write of one guest; `change` sees the stored record and may throw to refuse. With
   * `ifRevision`, nothing is written when the record changed since that revision (the stored one is returned).
   */
  async update(number: number, change: (current: GuestRecord) => GuestRecord, ifRevision?: number): Promise<GuestRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const e = await this.store.get(guestKey(number));
      if (!e) throw guestErrors.noSuchGuest(String(number));
      const current = readRecord(GUEST_RECORD, e.key, e.value);
      if (ifRevision !== undefined && e.modRevision !== ifRevision) return current;
      const next = change(current);
      const r = await this.store.txn([{ key: e.key, modRevision: e.modRevision }], [{ put: e.key, value: storedValue(GUEST_RECORD, next) }]);
      if (r.succeeded) return next;
    }
    throw errors.internal(`could not update guest ${number}: too much contention`);
  }

  /** Deletes the record, its index keys and applies `extra` (volume detach) in one transaction. */
  async remove(entry: GuestEntry, extra: ExtraOps): Promise<boolean> {
    const r = entry.record;
    const result = await this.store.txn(
      [{ key: guestKey(r.number), modRevision: entry.modRevision }, ...extra.compare],
      [{ delete: guestKey(r.number) }, ...indexKeysOf(r).map((key) => ({ delete: key })), ...extra.ops],
    );
    return result.succeeded;
  }
}
