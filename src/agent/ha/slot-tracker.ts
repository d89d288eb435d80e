// What this agent saw of every slot, on its own monotonic clock: when each slot last changed.
// Ages, never the writers' timestamps, so no two hosts' clocks are ever compared. Pure: `now` is
// passed in by the caller.
import type { SlotView } from '../../contract/ha-agent.contract.ts';
import { SLOT_CONTENT_BYTES, type SlotRecord } from './heartbeat-slot.ts';

/** A slot is fresh when it changed within this many of its writer's intervals. */
export const FRESH_INTERVALS = 4;

interface Entry {
  record: SlotRecord;
  content: Buffer;
  changedAt: number;
  /** We saw it change at least once (at first sight its age is unknown). */
  seenChange: boolean;
}

/** A peer as the self-fence decision sees it. */
export interface PeerSlot {
  slot: number;
  fresh: boolean;
  leaseOk: boolean;
  armed: boolean;
  selfFenced: boolean;
}

export class SlotTracker {
  private readonly entries = new Map<number, Entry>();

  /** Records one read of `slot`: its decoded record, or undefined when it holds no valid heartbeat. */
  observe(slot: number, raw: Buffer, record: SlotRecord | undefined, now: number): void {
    if (!record) {
      this.entries.delete(slot);
      return;
    }
    const content = Buffer.from(raw.subarray(0, SLOT_CONTENT_BYTES));
    const prev = this.entries.get(slot);
    if (!prev) this.entries.set(slot, { record, content, changedAt: now, seenChange: false });
    else if (!prev.content.equals(content)) this.entries.set(slot, { record, content, changedAt: now, seenChange: true });
  }

  highestSlot(): number {
    return Math.max(0, ...this.entries.keys());
  }

  /** Every valid slot as the contract reports it. */
  views(now: number): SlotView[] {
    return [...this.entries.entries()]
      .sort(([a], [b]) => a - b)
      .map(([slot, e]) => {
        const changedAgoMs = Math.max(0, now - e.changedAt);
        const r = e.record;
        // The fence happened (seq - selfFencedSeq) writes before the last one we saw change.
        const fencedAgo = r.selfFencedSeq === undefined ? undefined : changedAgoMs + Math.max(0, r.seq - r.selfFencedSeq) * r.intervalMs;
        return {
          slot,
          hostId: r.hostId,
          seq: r.seq,
          changedAgoMs,
          leaseOk: r.leaseOk,
          armed: r.armed,
          ...(fencedAgo === undefined ? {} : { selfFencedAgoMs: fencedAgo }),
        };
      });
  }

  /** Every slot but `own`, with its freshness judged by its own writer's interval. */
  peers(now: number, own: number): PeerSlot[] {
    const out: PeerSlot[] = [];
    for (const [slot, e] of this.entries) {
      if (slot === own) continue;
      const fresh = e.seenChange && now - e.changedAt <= FRESH_INTERVALS * Math.max(e.record.intervalMs, 1);
      out.push({ slot, fresh, leaseOk: e.record.leaseOk, armed: e.record.armed, selfFenced: e.record.selfFencedSeq !== undefined });
    }
    return out.sort((a, b) => a.slot - b.slot);
  }

  clear(): void {
    this.entries.clear();
  }
}
