// An in-memory mirror of every record under one store prefix, kept by the store's watch: each
// change is parsed once when it happens, instead of every record at every read. The loops that read
// all guests and volumes several times a second (HA, the guest monitor, the target sync) read here;
// at 2,500 guests, parsing them all at each HA round took most of a core.
// Consistency: on the embedded store the watch runs within the write, so a read after our own write
// sees it; on etcd it lags by the watch's delay (milliseconds), which these loops tolerate (they
// re-read what they act on, guarded by revisions).
import type { Store } from '../../store/store.ts';
import { readRecord, type RecordKind } from './stored-records.ts';

export interface MirroredEntry<T> {
  readonly key: string;
  readonly record: T;
  readonly modRevision: number;
}

type Slot<T> = { readonly key: string; readonly modRevision: number } & ({ readonly record: T } | { readonly error: unknown });

export interface MirrorOptions<T> {
  /** Keys under the prefix that are not records of this kind (index keys). */
  readonly isRecordKey?: (key: string) => boolean;
  /** Told of each change as it is applied: the record, or undefined when deleted or damaged. */
  readonly onChange?: (key: string, record: T | undefined) => void;
}

/** The index of the first entry whose key is not below `key` (entries sorted by key). */
function lowerBound(sorted: readonly MirroredEntry<unknown>[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]!.key < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

export class RecordMirror<T> {
  private readonly byKey = new Map<string, Slot<T>>();
  private readonly damaged = new Set<string>();
  /**
   * Every record in key order, once asked for; then kept by copying it with each change (a copy is
   * cheap, a sort at each read after a change was not: 5 % of the controller at 10,000 guests), never
   * changed in place, since a reader may still be going through the one it was given.
   */
  private sorted: readonly MirroredEntry<T>[] | undefined;
  private recordsList: T[] | undefined;
  private unwatch: (() => void) | undefined;

  private constructor(private readonly options: MirrorOptions<T>) {}

  static async load<T>(store: Store, prefix: string, kind: RecordKind<T>, options: MirrorOptions<T> = {}): Promise<RecordMirror<T>> {
    const mirror = new RecordMirror(options);
    // Watch first, then list: a change made in between is seen by both, and revisions order them.
    mirror.unwatch = store.watch(prefix, (e) => mirror.apply(kind, e.key, e.type === 'put' ? e.value : undefined, e.revision));
    try {
      for (const e of await store.list(prefix)) mirror.apply(kind, e.key, e.value, e.modRevision);
    } catch (err) {
      // A failed load is tried again at the next use (LazyLoad): its watch must not stay behind.
      mirror.close();
      throw err;
    }
    return mirror;
  }

  close(): void {
    this.unwatch?.();
  }

  private apply(kind: RecordKind<T>, key: string, value: unknown, revision: number): void {
    if (this.options.isRecordKey?.(key) === false) return;
    const known = this.byKey.get(key);
    if (known && known.modRevision >= revision) return;
    this.recordsList = undefined;
    this.damaged.delete(key);
    if (value === undefined) {
      this.byKey.delete(key);
      this.resort(key, undefined);
      this.options.onChange?.(key, undefined);
      return;
    }
    try {
      const entry = { key, modRevision: revision, record: readRecord(kind, key, value) };
      this.byKey.set(key, entry);
      this.resort(key, entry);
      this.options.onChange?.(key, entry.record);
    } catch (error) {
      // Kept, so every read fails as a store list would (corruptRecord naming the key) until repaired.
      this.byKey.set(key, { key, modRevision: revision, error });
      this.damaged.add(key);
      this.resort(key, undefined);
      this.options.onChange?.(key, undefined);
    }
  }

  /** The sorted list with `key` replaced, added or (undefined) removed: a copy. */
  private resort(key: string, entry: MirroredEntry<T> | undefined): void {
    if (!this.sorted) return;
    const next = this.sorted.slice();
    const i = lowerBound(next, key);
    const present = next[i]?.key === key;
    if (entry === undefined) {
      if (present) next.splice(i, 1);
    } else if (present) next[i] = entry;
    else next.splice(i, 0, entry);
    this.sorted = next;
  }

  /** Throws the error of a damaged record, if any (as a store list would, naming it). */
  assertIntact(): void {
    for (const key of this.damaged) {
      const s = this.byKey.get(key);
      if (s && 'error' in s) throw s.error;
    }
  }

  /** Every record in key order, as `store.list` gives them (the same array until a change); throws a damaged record's error. */
  entries(): readonly MirroredEntry<T>[] {
    this.assertIntact();
    if (!this.sorted) {
      const out: MirroredEntry<T>[] = [];
      for (const s of this.byKey.values()) if (!('error' in s)) out.push(s);
      this.sorted = out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.sorted;
  }

  /** The records of `entries()`, in key order (the same array until a change). */
  records(): readonly T[] {
    const entries = this.entries();
    this.recordsList ??= entries.map((e) => e.record);
    return this.recordsList;
  }
}

/** Something loaded on first use (a mirror); a load that failed (the store unreachable) is tried again at the next use. */
export class LazyLoad<T> {
  private loading: Promise<T> | undefined;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }
}
