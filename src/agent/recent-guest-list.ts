// The agent's latest listing of its guests, carried in every HA lease answer: the controller then
// needs no separate listing call per host and round (at 250 hosts that was half its agent calls).
// A lease answer must never wait on QEMU or LXC, so it carries the last listing made, with its age,
// and starts the next one; a listing is stamped with the time it began, so whatever changed while
// it ran counts as after it.
import type { GuestStatus } from '../contract/guest-agent.contract.ts';

export interface AgedGuestList {
  /** How long before this answer the listing began (the agent's clock; an age, never a date). */
  readonly agoMs: number;
  readonly list: GuestStatus[];
}

export class RecentGuestList {
  private last: { readonly began: number; readonly list: GuestStatus[] } | undefined;
  private running: Promise<GuestStatus[]> | undefined;

  constructor(
    private readonly take: () => Promise<GuestStatus[]>,
    private readonly now: () => number,
  ) {}

  /** Lists now, and keeps the answer as the latest (GET /guests). */
  async listNow(): Promise<GuestStatus[]> {
    const began = this.now();
    const list = await this.take();
    this.keep(began, list);
    return list;
  }

  /** The latest listing made, if any, and a new one started unless one is under way; never waits. */
  peek(): AgedGuestList | undefined {
    this.running ??= this.listNow()
      .catch(() => [])
      .finally(() => (this.running = undefined));
    return this.last && { agoMs: Math.max(0, this.now() - this.last.began), list: this.last.list };
  }

  private keep(began: number, list: GuestStatus[]): void {
    if (!this.last || this.last.began <= began) this.last = { began, list };
  }
}
