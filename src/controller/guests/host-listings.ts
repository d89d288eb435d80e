// The latest answer of each host to "which guests do you run": when it was asked (controller clock)
// and the guests' action mark then (guests-runtime.ts), so a reader can tell whether an action
// ended after it. Fed by every listing (the guest monitor, the HA loop, the API); read by whoever
// accepts an answer a moment old.
import type { GuestStatus } from '../../contract/guest-agent.contract.ts';

export interface Asked {
  readonly at: number;
  readonly mark: number;
}

export class HostListings {
  private readonly byHost = new Map<number, Asked & { readonly guests: Map<string, GuestStatus> }>();

  /** Remembers a host's answer to a listing asked at `asked`; returns it by guest id. */
  put(hostId: number, asked: Asked, list: readonly GuestStatus[]): ReadonlyMap<string, GuestStatus> {
    const guests = new Map(list.map((s) => [s.id, s]));
    const known = this.byHost.get(hostId);
    if (!known || known.at <= asked.at) this.byHost.set(hostId, { ...asked, guests });
    return guests;
  }

  /** The host's latest listing if it was asked at most `maxAgeMs` ago. */
  fresh(hostId: number, now: number, maxAgeMs: number): (Asked & { readonly guests: ReadonlyMap<string, GuestStatus> }) | undefined {
    const known = this.byHost.get(hostId);
    return known && now - known.at <= maxAgeMs ? known : undefined;
  }
}
