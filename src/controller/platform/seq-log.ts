// An append-only sequence of JSON records in the store (tasks, events, audit): record N lives at
// keyOf(N), and a counter at /counters/<name> holds the last N. Appending bumps the counter and
// writes the record in one compare-and-swap transaction, so a crash never leaves a counted but
// missing record. With `keep`, the record that falls out of the window is deleted in that same
// transaction (a ring). Appends are serialized in-process: the controller is the only writer.
import type { Op, Store } from '../../store/store.ts';
import { readRecord, storedValue, type RecordKind } from './stored-records.ts';

export interface SeqLogOptions<T> {
  readonly name: string; // counter name
  readonly record: RecordKind<T>;
  readonly keyOf: (seq: number) => string;
  readonly keep?: number; // keep only the last `keep` records
}

export class SeqLog<T> {
  private queue: Promise<unknown> = Promise.resolve();
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
    const run = this.queue.then(() => this.appendNow(build));
    this.queue = run.catch(() => undefined);
    return run;
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

  private async appendNow(build: (seq: number) => T): Promise<{ seq: number; value: T }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const counter = await this.store.get(this.counterKey);
      const seq = (typeof counter?.value === 'number' ? counter.value : 0) + 1;
      const value = build(seq);
      const ops: Op[] = [
        { put: this.counterKey, value: seq },
        { put: this.options.keyOf(seq), value: storedValue(this.options.record, value) },
      ];
      const { keep } = this.options;
      if (keep !== undefined && seq > keep) ops.push({ delete: this.options.keyOf(seq - keep) });
      const result = await this.store.txn([{ key: this.counterKey, modRevision: counter?.modRevision ?? 0 }], ops);
      if (result.succeeded) return { seq, value };
    }
    throw new Error(`store: could not append to '${this.options.name}' (contention on ${this.counterKey})`);
  }
}

/** Zero-padded so that key order is numeric order. */
export const padSeq = (seq: number, digits = 12): string => String(seq).padStart(digits, '0');
