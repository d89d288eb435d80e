// The newest log lines of a process, kept in memory for `grappe logs`: each JSON line with a sequence
// number (to follow: "what came after N") and its time (to look back: "since 10 minutes ago").
// Bounded: the oldest lines go first.

export interface RingLine {
  readonly seq: number;
  readonly timeMs: number;
  readonly line: string; // one JSON object, no newline
}

export const DEFAULT_RING_LINES = 5000;

/** The time a JSON log line carries: pino's epoch ms or an ISO string; NaN when it has none. */
function timeOf(line: string): number {
  const m = /"time":\s*(\d+|"[^"]+")/.exec(line);
  if (!m?.[1]) return Number.NaN;
  return m[1].startsWith('"') ? Date.parse(m[1].slice(1, -1)) : Number(m[1]);
}

export class LogRing {
  private readonly lines: RingLine[] = [];
  private seq = 0;

  constructor(private readonly capacity = DEFAULT_RING_LINES) {}

  /** Takes one chunk of output (one or more newline-terminated JSON lines). */
  push(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      this.lines.push({ seq: ++this.seq, timeMs: timeOf(line), line });
    }
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** Lines after `afterSeq` and not older than `sinceMs`, oldest first, at most `limit` (the newest ones). */
  read(q: { afterSeq?: number; sinceMs?: number; limit: number }): { lines: RingLine[]; lastSeq: number } {
    const picked = this.lines.filter((l) => l.seq > (q.afterSeq ?? 0) && !(l.timeMs < (q.sinceMs ?? Number.NEGATIVE_INFINITY)));
    return { lines: picked.slice(-q.limit), lastSeq: this.seq };
  }
}
