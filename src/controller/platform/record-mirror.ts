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

export class RecordMirror<T> {
  private readonly byKey = new Map<string, Slot<T>>();
  private sorted: MirroredEntry<T>[] | undefined;
  private changes = 0;
  private unwatch: (() => void) | undefined;

  private constructor(
    private readonly kind: RecordKind<T>,
    /** Keys under the prefix that are not records of this kind (index keys). */
    private readonly isRecordKey: (key: string) => boolean,
  ) {}

  static async load<T>(store: Store, prefix: string, kind: RecordKind<T>, isRecordKey: (key: string) => boolean = () => true): Promise<RecordMirror<T>> {
    const mirror = new RecordMirror(kind, isRecordKey);
    // Watch first, then list: a change made in between is seen by both, and revisions order them.
    mirror.unwatch = store.watch(prefix, (e) => mirror.apply(e.key, e.type === 'put' ? e.value : undefined, e.revision));
    for (const e of await store.list(prefix)) mirror.apply(e.key, e.value, e.modRevision);
    return mirror;
  }

  close(): void {
    this.unwatch?.();
  }

  private apply(key: string, value: unknown, revision: number): void {
    if (!this.isRecordKey(key)) return;
    const known = this.byKey.get(key);
    if (known && known.modRevision >= revision) return;
    this.sorted = undefined;
    this.changes++;
    if (value === undefined) {
      this.byKey.delete(key);
      return;
    }
    try {
      this.byKey.set(key, { key, modRevision: revision, record: readRecord(this.kind, key, value) });
    } catch (error) {
      // Kept, so every read fails as a store list would (corruptRecord naming the key) until repaired.
      this.byKey.set(key, { key, modRevision: revision, error });
    }
  }

  /** Moves at every change applied: a reader keeping something derived from the records rebuilds it when this moved. */
  get generation(): number {
    return this.changes;
  }

  /** Every record in no particular order (no sort, for a reader that indexes them); throws a damaged record's error. */
  *unordered(): Generator<MirroredEntry<T>> {
    for (const s of this.byKey.values()) {
      if ('error' in s) throw s.error;
      yield s;
    }
  }

  /** Every record in key order, as `store.list` gives them; throws a damaged record's error. */
  entries(): readonly MirroredEntry<T>[] {
    if (!this.sorted) {
      const out: MirroredEntry<T>[] = [];
      for (const s of this.byKey.values()) {
        if ('error' in s) throw s.error;
        out.push({ key: s.key, record: s.record, modRevision: s.modRevision });
      }
      this.sorted = out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.sorted;
  }

  records(): T[] {
    return this.entries().map((e) => e.record);
  }
}

/** A mirror made on first use; a load that failed (the store unreachable) is tried again at the next use. */
export class LazyMirror<T> {
  private loading: Promise<RecordMirror<T>> | undefined;

  constructor(private readonly load: () => Promise<RecordMirror<T>>) {}

  get(): Promise<RecordMirror<T>> {
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }
}
