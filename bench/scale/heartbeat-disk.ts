// The simulated shared heartbeat volume of a fleet: every configured, live host "writes" its slot
// every interval, computed when read (no timer per host), and a crashed host's slot stops changing
// at its crash. Every host reads the same table, as every real host reads the same LUN.
import type { SlotView } from '../../src/contract/ha-agent.contract.ts';

interface SlotWriter {
  readonly hostId: number;
  readonly intervalMs: number;
  readonly since: number;
  /** Set when the host stopped writing (crashed, or told to stop). */
  stoppedAt?: number;
  leaseOk: () => boolean;
  armed: () => boolean;
  selfFencedAt: () => number | undefined;
}

export class HeartbeatDisk {
  private readonly writers = new Map<number, SlotWriter>();

  write(slot: number, writer: Omit<SlotWriter, 'stoppedAt'>): void {
    this.writers.set(slot, { ...writer });
  }

  stop(slot: number, at: number): void {
    const w = this.writers.get(slot);
    if (w && w.stoppedAt === undefined) w.stoppedAt = at;
  }

  /** The last write of a slot at `now`: the last interval boundary since it started, frozen when it stopped. */
  private lastWrite(w: SlotWriter, now: number): number {
    const until = Math.min(now, w.stoppedAt ?? now);
    return w.since + Math.floor((until - w.since) / w.intervalMs) * w.intervalMs;
  }

  /** Every slot as a reader sees it at `now`, or only `wanted` ones. */
  read(now: number, wanted?: ReadonlySet<number>): SlotView[] {
    const out: SlotView[] = [];
    for (const [slot, w] of this.writers) {
      if (wanted && !wanted.has(slot)) continue;
      const last = this.lastWrite(w, now);
      const fenced = w.selfFencedAt();
      out.push({
        slot,
        hostId: w.hostId,
        seq: Math.floor((last - w.since) / w.intervalMs),
        changedAgoMs: now - last,
        leaseOk: w.stoppedAt === undefined && w.leaseOk(),
        ...(fenced === undefined ? {} : { selfFencedAgoMs: now - fenced }),
        armed: w.armed(),
      });
    }
    return out;
  }
}
