// An in-memory mirror of `/hosts/` and of the guests' host assignments, so listing 1,000 hosts or
// reading one never scans the store. Fed by the store's watch and by write-through after our own
// transactions; an entry only ever moves forward in revision.
import type { Store } from '../../store/store.ts';
import { messageOf } from '../../core/errors.ts';
import { readRecord } from '../platform/stored-records.ts';
import { GUESTS_PREFIX, HOSTS_PREFIX, HOST_RECORD, type HostRecord } from './host-record.ts';

/** A damaged host record is left out of the cache (it reads as absent) and said loudly, not fatal. */
function hostOf(key: string, value: unknown): HostRecord | undefined {
  try {
    return readRecord(HOST_RECORD, key, value);
  } catch (e) {
    process.emitWarning(`host cache: ${messageOf(e)}`);
    return undefined;
  }
}

interface Cached {
  readonly record: HostRecord;
  readonly rev: number;
}

/** What a guest record contributes to its host (guests are records under /guests/ with a hostId). */
interface GuestLoad {
  readonly hostId: number;
  readonly cpu: number;
  readonly memoryMiB: number;
}

export interface GuestTotals {
  readonly count: number;
  readonly cpu: number;
  readonly memoryMiB: number;
}

const NO_GUESTS: GuestTotals = { count: 0, cpu: 0, memoryMiB: 0 };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function guestLoad(value: unknown): GuestLoad | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const g = value as Record<string, unknown>;
  if (typeof g.hostId !== 'number') return undefined;
  return { hostId: g.hostId, cpu: num(g.vcpus ?? g.cpu), memoryMiB: num(g.memoryMiB) };
}

export class HostCache {
  private readonly byId = new Map<number, Cached>();
  private sorted: readonly HostRecord[] | undefined;
  private readonly tombstones = new Map<number, number>(); // id -> revision of its deletion
  private readonly idByName = new Map<string, number>();
  private readonly guests = new Map<string, GuestLoad>();
  private readonly totals = new Map<number, GuestTotals>();
  private readonly listeners = new Set<(hostId: number) => void>();
  private readonly unwatch: (() => void)[] = [];

  static async load(store: Store): Promise<HostCache> {
    const cache = new HostCache();
    // Watch first, then list: a change made in between is seen by both, and revisions order them.
    cache.unwatch.push(
      store.watch(HOSTS_PREFIX, (e) => cache.apply(e.key, e.type === 'put' ? hostOf(e.key, e.value) : undefined, e.revision)),
      store.watch(GUESTS_PREFIX, (e) => cache.applyGuest(e.key, e.type === 'put' ? e.value : undefined)),
    );
    for (const e of await store.list(HOSTS_PREFIX)) cache.apply(e.key, hostOf(e.key, e.value), e.modRevision);
    for (const e of await store.list(GUESTS_PREFIX)) cache.applyGuest(e.key, e.value);
    return cache;
  }

  close(): void {
    for (const u of this.unwatch.splice(0)) u();
  }

  /** Called with a host id whenever anything shown in its view may have changed. */
  onChange(listener: (hostId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a host's new value (undefined: deleted) as of store revision `rev`; older news is ignored. */
  apply(key: string, record: HostRecord | undefined, rev: number): void {
    const id = Number(key.slice(HOSTS_PREFIX.length));
    if (!Number.isInteger(id)) return;
    const old = this.byId.get(id);
    if ((old?.rev ?? this.tombstones.get(id) ?? 0) >= rev) return;
    if (old) this.idByName.delete(old.record.name);
    this.sorted = undefined;
    if (record) {
      this.byId.set(id, { record, rev });
      this.idByName.set(record.name, id);
    } else {
      // Remember the deletion so a late, older event cannot resurrect the host.
      this.byId.delete(id);
      this.tombstones.set(id, rev);
    }
    this.changed(id);
  }

  private applyGuest(key: string, value: unknown): void {
    const before = this.guests.get(key);
    const after = value === undefined ? undefined : guestLoad(value);
    if (after) this.guests.set(key, after);
    else this.guests.delete(key);
    // Totals kept by difference: summing every guest of the host at each change made creating
    // thousands of guests quadratic.
    const add = (load: typeof before, sign: 1 | -1): void => {
      if (!load) return;
      const t = this.totals.get(load.hostId) ?? NO_GUESTS;
      const next = { count: t.count + sign, cpu: t.cpu + sign * load.cpu, memoryMiB: t.memoryMiB + sign * load.memoryMiB };
      if (next.count === 0) this.totals.delete(load.hostId);
      else this.totals.set(load.hostId, next);
    };
    add(before, -1);
    add(after, 1);
    for (const hostId of new Set([before?.hostId, after?.hostId])) if (hostId !== undefined) this.changed(hostId);
  }

  private changed(id: number): void {
    for (const l of this.listeners) l(id);
  }

  get(id: number): HostRecord | undefined {
    return this.byId.get(id)?.record;
  }

  /** How many hosts there are. */
  get size(): number {
    return this.byId.size;
  }

  revisionOf(id: number): number {
    return this.byId.get(id)?.rev ?? 0;
  }

  /** A host by numeric id or by name, as `:id` in the routes accepts both. */
  find(ref: string): HostRecord | undefined {
    if (/^\d+$/.test(ref)) {
      const byNumber = this.byId.get(Number(ref))?.record;
      if (byNumber) return byNumber;
    }
    const id = this.idByName.get(ref);
    return id === undefined ? undefined : this.byId.get(id)?.record;
  }

  /** Every host, by id. */
  /** Every host by id, the same array until a host changes (the monitors ask for it for each host they visit). */
  all(): readonly HostRecord[] {
    this.sorted ??= [...this.byId.values()].map((c) => c.record).sort((a, b) => a.id - b.id);
    return this.sorted;
  }

  names(): Set<string> {
    return new Set(this.idByName.keys());
  }

  guestTotals(hostId: number): GuestTotals {
    return this.totals.get(hostId) ?? NO_GUESTS;
  }
}
