// The guests module's live state for one controller: the repo, and which guests have an action in
// flight (one action per guest at a time; the state monitor leaves those alone).
import type { GuestStatus } from '../../contract/guest-agent.contract.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { Clock, ControllerContext } from '../platform/types.ts';
import { guestErrors } from './guest-errors.ts';
import { GuestRepo } from './guest-repo.ts';
import { HostListings } from './host-listings.ts';

/** How far back a listing's time can be turned into a mark (older listings count as before every action). */
const MARK_HISTORY_MS = 60_000;

export class GuestsRuntime {
  readonly repo: GuestRepo;
  /** Each host's latest guest listing (guest-live.ts). */
  readonly listings = new HostListings();
  private readonly busy = new Set<string>();
  /** Counts claims and releases; each guest's latest one, so a reader can tell what moved since it looked. */
  private seq = 0;
  private readonly lastAction = new Map<string, number>();
  /** When each mark was reached, oldest first, for listings stamped with a time (`markAt`). */
  private readonly history: Array<{ readonly at: number; readonly seq: number }> = [];
  private forgotten = false;
  private readonly clock: Clock;

  constructor(ctx: Pick<ControllerContext, 'store' | 'clock'>) {
    this.repo = new GuestRepo(ctx.store);
    this.clock = ctx.clock;
  }

  isBusy(id: string): boolean {
    return this.busy.has(id);
  }

  /** Claims the guest for one action; a second action meanwhile is refused with 409. */
  claim(id: string): () => void {
    if (this.busy.has(id)) throw guestErrors.busy(id);
    this.busy.add(id);
    this.lastAction.set(id, this.next());
    return () => {
      this.busy.delete(id);
      this.lastAction.set(id, this.next());
    };
  }

  private next(): number {
    const at = this.clock.now();
    this.history.push({ at, seq: ++this.seq });
    let drop = 0;
    while (drop < this.history.length - 1 && this.history[drop]!.at < at - MARK_HISTORY_MS) drop++;
    if (drop > 0) {
      this.history.splice(0, drop);
      this.forgotten = true;
    }
    return this.seq;
  }

  /** A point in the sequence of actions, for `touchedSince`. */
  mark(): number {
    return this.seq;
  }

  /**
   * An action on the guest began or ended after `mark`: what was read from its host since then may
   * be from before the action's effect (a list taken before a create's definition reached the host).
   */
  touchedSince(id: string, mark: number): boolean {
    return (this.lastAction.get(id) ?? -1) > mark;
  }

  /**
   * The mark as it stood just before time `at`: for a listing the host made at `at` (an agent's
   * listing carried in its lease answer is some time old). An action in the same millisecond counts
   * as after it; a time older than the history counts as before every action.
   */
  markAt(at: number): number {
    for (let i = this.history.length - 1; i >= 0; i--) if (this.history[i]!.at < at) return this.history[i]!.seq;
    return this.forgotten ? -1 : (this.history[0]?.seq ?? this.seq + 1) - 1;
  }

  /** Asks the host for its guests now (`ask`), and remembers the answer for whoever reuses it. */
  async listNow(hostId: number, ask: () => Promise<GuestStatus[]>): Promise<ReadonlyMap<string, GuestStatus>> {
    const asked = { at: this.clock.now(), mark: this.mark() };
    return this.listings.put(hostId, asked, await ask());
  }

  /** Remembers a listing the host made at `at` (controller time), reported by another call. */
  remember(hostId: number, at: number, list: readonly GuestStatus[]): ReadonlyMap<string, GuestStatus> {
    return this.listings.put(hostId, { at, mark: this.markAt(at) }, list);
  }
}

const GUESTS_RUNTIME = runtimeSlot('guests', (ctx: ControllerContext) => new GuestsRuntime(ctx));

export const guestsRuntime = (ctx: ControllerContext): GuestsRuntime => ctx.runtimes.get(GUESTS_RUNTIME);
