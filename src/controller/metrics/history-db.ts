// The history of usage figures: per-minute samples of every host and guest for a week, in a SQLite file
// of this controller's own (history.sqlite, beside the store: it is not cluster state, and a week of
// minutes for 1,000 guests would swamp etcd). One row per subject and hour holds a compressed chunk;
// the current hours stay in memory and are written every few minutes (a crash loses those minutes of
// graphs), a slice of subjects at a time: writing every subject's hour after each collection round,
// in one go, held the event loop for 1.8 s at 11,000 guests (compressing each chunk).
import Database from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import type { HistoryMetric } from '../../contract/stats.contract.ts';
import { minuteOf, type UsageSample } from '../../core/metrics/usage-rates.ts';
import { CHUNK_MS, decodeChunk, emptyChunk, encodeChunk, type Chunk } from './history-chunk.ts';

export const HISTORY_RETENTION_MS = 7 * 24 * 3600_000;
/** How often the changed hours are written. */
export const HISTORY_WRITE_EVERY_MS = 5 * 60_000;
/** Subjects written per transaction, with the event loop's turn between two (about 20 ms each). */
const WRITE_SLICE = 100;

interface Open {
  hour: number;
  chunk: Chunk;
  dirty: boolean;
}

export class HistoryDb {
  private readonly db: Database.Database;
  private readonly open = new Map<string, Open>();
  /** Hours that ended and are not written yet, by subject (read from here meanwhile). */
  private readonly ended = new Map<string, Open>();
  private lastPruneHour = 0;
  private lastWriteAt: number | undefined;
  private closed = false;

  constructor(path: string) {
    if (path !== ':memory:') closeSync(openSync(path, 'a', 0o600));
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL'); // losing the last minute of graphs in a power cut is fine
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS chunks (subject TEXT NOT NULL, hour INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (subject, hour)) WITHOUT ROWID',
    );
  }

  /** Puts one minute's sample of `subject` ('host:proc1', 'guest:vm:100'). */
  record(subject: string, atMs: number, sample: UsageSample): void {
    const minute = minuteOf(atMs);
    const hour = Math.floor(minute / CHUNK_MS) * CHUNK_MS;
    let o = this.open.get(subject);
    if (!o || o.hour !== hour) {
      if (o?.dirty) {
        // Two hours ended with no write between (no flush for an hour): the older one is written now.
        const older = this.ended.get(subject);
        if (older) this.write(subject, older);
        this.ended.set(subject, o);
      }
      o = { hour, chunk: this.load(subject, hour) ?? emptyChunk(), dirty: false };
      this.open.set(subject, o);
    }
    const slot = (minute - hour) / 60_000;
    for (const [metric, value] of Object.entries(sample) as Array<[HistoryMetric, number]>) o.chunk[metric][slot] = value;
    o.dirty = true;
  }

  /**
   * Writes the hours changed since the last write when it is due (every HISTORY_WRITE_EVERY_MS), a
   * slice of subjects per transaction; drops what is older than a week.
   */
  async flush(nowMs: number): Promise<void> {
    if (this.lastWriteAt === undefined || nowMs - this.lastWriteAt >= HISTORY_WRITE_EVERY_MS) {
      this.lastWriteAt = nowMs;
      const due = this.due();
      for (let i = 0; i < due.length && !this.closed; i += WRITE_SLICE) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        if (!this.closed) this.writeAll(due.slice(i, i + WRITE_SLICE));
      }
    }
    if (this.closed) return;
    const hour = Math.floor(nowMs / CHUNK_MS) * CHUNK_MS;
    if (hour !== this.lastPruneHour) {
      this.lastPruneHour = hour;
      this.db.prepare('DELETE FROM chunks WHERE hour < ?').run(hour - HISTORY_RETENTION_MS);
      for (const [subject, o] of this.open) if (o.hour < hour - CHUNK_MS) this.open.delete(subject); // gone guests
    }
  }

  /** The samples of one figure between two times, oldest first. */
  read(subject: string, metric: HistoryMetric, fromMs: number, toMs: number): Array<{ atMs: number; value: number }> {
    const firstHour = Math.floor(fromMs / CHUNK_MS) * CHUNK_MS;
    const rows = this.db
      .prepare('SELECT hour, data FROM chunks WHERE subject = ? AND hour >= ? AND hour <= ? ORDER BY hour')
      .raw()
      .all(subject, firstHour, toMs) as Array<[number, Buffer]>;
    const byHour = new Map(rows.map(([hour, data]) => [hour, decodeChunk(data)]));
    // The newest minutes, written or not.
    for (const o of [this.ended.get(subject), this.open.get(subject)]) if (o) byHour.set(o.hour, o.chunk);
    const out: Array<{ atMs: number; value: number }> = [];
    for (const hour of [...byHour.keys()].sort((a, b) => a - b)) {
      const values = byHour.get(hour)![metric];
      values.forEach((value, i) => {
        const atMs = hour + i * 60_000;
        if (!Number.isNaN(value) && atMs >= fromMs && atMs <= toMs) out.push({ atMs, value });
      });
    }
    return out;
  }

  /** Bytes the history takes on disk (for the bench and `grappe doctor`-style reports). */
  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }

  /** Writes what is not written yet, then closes. */
  close(): void {
    if (this.closed) return;
    this.writeAll(this.due());
    this.closed = true;
    this.db.close();
  }

  /** Every hour changed since it was last written. */
  private due(): Array<[string, Open]> {
    const out: Array<[string, Open]> = [...this.ended];
    for (const [subject, o] of this.open) if (o.dirty) out.push([subject, o]);
    return out;
  }

  private writeAll(hours: ReadonlyArray<[string, Open]>): void {
    this.db.transaction(() => {
      for (const [subject, o] of hours) if (o.dirty) this.write(subject, o);
    })();
  }

  private load(subject: string, hour: number): Chunk | undefined {
    const row = this.db.prepare('SELECT data FROM chunks WHERE subject = ? AND hour = ?').raw().get(subject, hour) as [Buffer] | undefined;
    return row ? decodeChunk(row[0]) : undefined;
  }

  private write(subject: string, o: Open): void {
    this.db.prepare('INSERT OR REPLACE INTO chunks (subject, hour, data) VALUES (?, ?, ?)').run(subject, o.hour, encodeChunk(o.chunk));
    o.dirty = false;
    if (this.ended.get(subject) === o) this.ended.delete(subject);
  }
}
