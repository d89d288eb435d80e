// The guests module's live state for one controller: the repo, and which guests have an action in
// flight (one action per guest at a time; the state monitor leaves those alone).
import { runtimeSlot } from '../platform/runtime-slots.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestErrors } from './guest-errors.ts';
import { GuestRepo } from './guest-repo.ts';

export class GuestsRuntime {
  readonly repo: GuestRepo;
  private readonly busy = new Set<string>();

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
    return () => this.busy.delete(id);
  }
}

const GUESTS_RUNTIME = runtimeSlot('guests', (ctx: ControllerContext) => new GuestsRuntime(ctx));

export const guestsRuntime = (ctx: ControllerContext): GuestsRuntime => ctx.runtimes.get(GUESTS_RUNTIME);
