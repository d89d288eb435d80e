// Writes of host records. Every write is one compare-and-swap transaction that also claims or frees
// the unique name/address index keys, then updates the in-memory cache (write-through).
import { errors } from '../../core/errors.ts';
import type { Compare, Json, Op, Store } from '../../store/store.ts';
import type { HostCache } from './host-cache.ts';
import { readRecord, storedValue } from '../platform/stored-records.ts';
import { HOST_COUNTER_KEY, HOST_RECORD, addressIndexKey, hostKey, nameIndexKey, ownedAddresses, type AddressOwner, type HostRecord } from './host-record.ts';

/** A unique index key the write must create (it must not exist yet). */
export interface Claim {
  readonly key: string;
  readonly value: Json;
  readonly what: 'name' | 'address';
  readonly label: string; // the name or address, for the error message
}

const MAX_ATTEMPTS = 20;
const asJson = (v: unknown): Json => v as Json;

export const nameClaim = (name: string, hostId: number): Claim => ({ key: nameIndexKey(name), value: { hostId }, what: 'name', label: name });
export const addressClaim = (ip: string, owner: AddressOwner): Claim => ({
  key: addressIndexKey(ip),
  value: asJson(owner),
  what: 'address',
  label: ip,
});

/** Every index key a record owns, as claims. */
export function claimsOf(r: HostRecord): Claim[] {
  return [nameClaim(r.name, r.id), ...[...ownedAddresses(r)].map(([ip, nic]) => addressClaim(ip, { hostId: r.id, nic }))];
}

export class HostRepo {
  constructor(
    private readonly store: Store,
    private readonly cache: HostCache,
  ) {}

  /** Who owns an address index key, if anyone. */
  async addressOwner(ip: string): Promise<AddressOwner | undefined> {
    return (await this.store.get(addressIndexKey(ip)))?.value as AddressOwner | undefined;
  }

  async nameTaken(name: string): Promise<boolean> {
    return (await this.store.get(nameIndexKey(name))) !== undefined;
  }

  /** Creates a host with the next id (`onehost`-style counter from 0) and all its index keys. */
  async create(fields: Omit<HostRecord, 'id'>): Promise<HostRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const counter = await this.store.get(HOST_COUNTER_KEY);
      const id = (counter?.value as { next?: number } | undefined)?.next ?? 0;
      const record: HostRecord = { ...fields, id };
      const claims = claimsOf(record);
      const ok = await this.commit(
        [
          { key: HOST_COUNTER_KEY, modRevision: counter?.modRevision ?? 0 },
          { key: hostKey(id), modRevision: 0 },
        ],
        [{ put: HOST_COUNTER_KEY, value: { next: id + 1 } }],
        record,
        claims,
      );
      if (ok) return record;
    }
    throw errors.internal('could not allocate a host id: too much contention on the host counter');
  }

  /**
   * Read-modify-write of one host; `change` sees the current stored record and may throw to refuse.
   * Index keys follow the record: new names/addresses are claimed, dropped ones freed, in the same txn.
   */
  async mutate(id: number, change: (current: HostRecord) => HostRecord): Promise<HostRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await this.store.get(hostKey(id));
      if (!entry) throw errors.noSuchHost(id);
      const current = readRecord(HOST_RECORD, entry.key, entry.value);
      const next = change(current);
      const before = new Map(claimsOf(current).map((c) => [c.key, c]));
      const after = claimsOf(next);
      const claims = after.filter((c) => !before.has(c.key));
      const kept = after.filter((c) => before.has(c.key) && JSON.stringify(before.get(c.key)?.value) !== JSON.stringify(c.value));
      const afterKeys = new Set(after.map((c) => c.key));
      const ops: Op[] = [
        ...[...before.keys()].filter((k) => !afterKeys.has(k)).map((key) => ({ delete: key })),
        ...kept.map((c) => ({ put: c.key, value: c.value })),
      ];
      if (await this.commit([{ key: hostKey(id), modRevision: entry.modRevision }], ops, next, claims)) return next;
    }
    throw errors.internal(`could not update host ${id}: too much contention`);
  }

  /** Deletes the host and its index keys in one transaction; `check` may refuse, seeing the stored record. */
  async remove(id: number, check: (current: HostRecord) => void): Promise<HostRecord> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await this.store.get(hostKey(id));
      if (!entry) throw errors.noSuchHost(id);
      const record = readRecord(HOST_RECORD, entry.key, entry.value);
      check(record);
      const ops: Op[] = [{ delete: hostKey(id) }, ...claimsOf(record).map((c) => ({ delete: c.key }))];
      const result = await this.store.txn([{ key: hostKey(id), modRevision: entry.modRevision }], ops);
      if (result.succeeded) {
        this.cache.apply(hostKey(id), undefined, result.revision);
        return record;
      }
    }
    throw errors.internal(`could not remove host ${id}: too much contention`);
  }

  /** One transaction: guards + record + claims. False on a lost race (retry); throws when a claim is taken. */
  private async commit(compares: Compare[], ops: Op[], record: HostRecord, claims: readonly Claim[]): Promise<boolean> {
    const result = await this.store.txn(
      [...compares, ...claims.map((c) => ({ key: c.key, modRevision: 0 }))],
      [...ops, { put: hostKey(record.id), value: storedValue(HOST_RECORD, record) }, ...claims.map((c) => ({ put: c.key, value: c.value }))],
    );
    if (result.succeeded) {
      this.cache.apply(hostKey(record.id), record, result.revision);
      return true;
    }
    for (const c of claims) {
      if (await this.store.get(c.key)) throw errors.duplicate(c.what, c.label);
    }
    return false;
  }
}
