// An append-only sequence of JSON records in the store (tasks, events, audit): record N lives at
// keyOf(N), and a counter at /counters/<name> holds the last N. Appending bumps the counter and
// writes the record in one compare-and-swap transaction, so a crash never leaves a counted but
// missing record. With `keep`, the record that falls out of the window is deleted in that same
// transaction (a ring). Appends are serialized in-process (the controller is the only writer) and
// committed in groups: the appends that arrive while one transaction is in flight go together in the
// next one, so a log that every API write touches (audit, events) is not capped at one append per
// store round trip (on etcd, a quorum write of a few milliseconds).
import type { Op, Store } from '../../store/store.ts';
import { readRecord, storedValue, type RecordKind } from './stored-records.ts';

export interface SeqLogOptions<T> {
  readonly name: string; // counter name
  readonly record: RecordKind<T>;
  readonly keyOf: (seq: number) => string;
  readonly keep?: number; // keep only the last `keep` records
}

interface PendingAppend<T> {
  readonly build: (seq: number) => T;
  readonly resolve: (appended: { seq: number; value: T }) => void;
  readonly reject: (err: unknown) => void;
}

/** Appends per transaction at most: 2 operations each (record, ring delete), under etcd's 128-operation limit. */
const MAX_GROUP = 32;
const MAX_ATTEMPTS = 20;

export class SeqLog<T> {
  private pending: PendingAppend<T>[] = [];
  private flushing = false;
  private readonly counterKey: string;

  constructor(
    private readonly store: Store,
    private readonly options: SeqLogOptions<T>,
  ) {
    this.counterKey = `/counters/${options.name}`;
  }

  keyOf(seq: number): string {
    return this.options.keyOf(seq);
  }

  /** Appends the record `build(seq)` under the next sequence number; resolves with it once durable. */
  append(build: (seq: number) => T): Promise<{ seq: number; value: T }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ build, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, MAX_GROUP);
        try {
          await this.appendGroup(group);
        } catch (err) {
          for (const p of group) p.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  async latestSeq(): Promise<number> {
    const entry = await this.store.get(this.counterKey);
    return typeof entry?.value === 'number' ? entry.value : 0;
  }

  /** Records with seq > afterSeq, newest first, at most `limit`. Reads only what it returns. */
  async newest(limit: number, afterSeq = 0): Promise<T[]> {
    const latest = await this.latestSeq();
    const from = Math.max(afterSeq + 1, latest - limit + 1, 1);
    return (await this.range(from, latest)).reverse();
  }

  /** Records with seq > afterSeq, oldest first (what a reconnecting stream missed), at most `limit`. */
  async after(afterSeq: number, limit: number): Promise<T[]> {
    const latest = await this.latestSeq();
    const from = Math.max(afterSeq + 1, 1, this.options.keep ? latest - this.options.keep + 1 : 1);
    return this.range(from, Math.min(latest, from + limit - 1));
  }

  private async range(from: number, to: number): Promise<T[]> {
    const seqs: number[] = [];
    for (let seq = from; seq <= to; seq++) seqs.push(seq);
    const entries = await Promise.all(seqs.map((seq) => this.store.get(this.options.keyOf(seq))));
    // A record may be missing (ring window moved meanwhile, or deleted): skip it.
    return entries.flatMap((e) => (e ? [readRecord(this.options.record, e.key, e.value)] : []));
  }

  /** One transaction for the group; settles each append (a record that cannot be built fails alone). */
  private async appendGroup(group: readonly PendingAppend<T>[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const counter = await this.store.get(this.counterKey);
      let seq = typeof counter?.value === 'number' ? counter.value : 0;
      const built: { pending: PendingAppend<T>; seq: number; value: T }[] = [];
      const refused: { pending: PendingAppend<T>; err: unknown }[] = [];
      for (const pending of group) {
        try {
          built.push({ pending, seq: seq + 1, value: pending.build(seq + 1) });
          seq++;
        } catch (err) {
          refused.push({ pending, err });
        }
      }
      // With a ring of `keep`, the window after this group is (seq - keep, seq]: records of the group
      // already outside it are not written, older ones that fall out of it are deleted.
      const before = typeof counter?.value === 'number' ? counter.value : 0;
      const oldest = this.options.keep === undefined ? 1 : seq - this.options.keep + 1;
      const ops: Op[] = [];
      for (let gone = Math.max(1, before - (this.options.keep ?? before) + 1); gone < Math.min(oldest, before + 1); gone++) {
        ops.push({ delete: this.options.keyOf(gone) });
      }
      for (const b of built) if (b.seq >= oldest) ops.push({ put: this.options.keyOf(b.seq), value: storedValue(this.options.record, b.value) });
      if (built.length > 0) ops.push({ put: this.counterKey, value: seq });
      const result = built.length > 0 ? await this.store.txn([{ key: this.counterKey, modRevision: counter?.modRevision ?? 0 }], ops) : { succeeded: true };
      if (!result.succeeded) continue;
      for (const b of built) b.pending.resolve({ seq: b.seq, value: b.value });
      for (const r of refused) r.pending.reject(r.err);
      return;
    }
    throw new Error(`store: could not append to '${this.options.name}' (contention on ${this.counterKey})`);
  }
}

/** Zero-padded so that key order is numeric order. */
export const padSeq = (seq: number, digits = 12): string => String(seq).padStart(digits, '0');
