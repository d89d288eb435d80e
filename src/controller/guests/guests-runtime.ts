// The guests module's live state for one controller: the repo, and which guests have an action in
// flight (one action per guest at a time; the state monitor leaves those alone).
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestErrors } from './guest-errors.ts';
import { GuestRepo } from './guest-repo.ts';
import { HostListings } from './host-listings.ts';

export class GuestsRuntime {
  readonly repo: GuestRepo;
  /** Each host's latest guest listing (guest-live.ts). */
  readonly listings = new HostListings();
  private readonly busy = new Set<string>();
  /** Counts claims and releases; each guest's latest one, so a reader can tell what moved since it looked. */
  private seq = 0;
  private readonly lastAction = new Map<string, number>();

  constructor(ctx: Pick<ControllerContext, 'store'>) {
    this.repo = new GuestRepo(ctx.store);
  }

  isBusy(id: string): boolean {
    return this.busy.has(id);
  }

  /** Claims the guest for one action; a second action meanwhile is refused with 409. */
  claim(id: string): () => void {
    if (this.busy.has(id)) throw guestErrors.busy(id);
    this.busy.add(id);
    this.lastAction.set(id, ++this.seq);
    return () => {
      this.busy.delete(id);
      this.lastAction.set(id, ++this.seq);
    };
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
}

const GUESTS_RUNTIME = runtimeSlot('guests', (ctx: ControllerContext) => new GuestsRuntime(ctx));

export const guestsRuntime = (ctx: ControllerContext): GuestsRuntime => ctx.runtimes.get(GUESTS_RUNTIME);
