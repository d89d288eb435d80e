// Which guests' HA records name each host (where they run, or the target of their move), kept as
// records change: a host lost, back, fenced or draining concerns its own guests, and finding them by
// scanning every guest made each such host cost O(guests) (a pool of hosts flapping: O(hosts × guests)).
import type { HaGuestRecord } from './ha-types.ts';

const hostsNamed = (r: HaGuestRecord | undefined): string[] => {
  if (r === undefined) return [];
  const out: string[] = [];
  if (r.host !== undefined) out.push(r.host);
  if (r.target !== undefined && r.target !== r.host) out.push(r.target);
  return out;
};

export class GuestsByHost {
  private readonly byHost = new Map<string, Set<string>>();

  /** Records the guest's move from the hosts `prev` names to those `next` names. */
  update(guest: string, prev: HaGuestRecord | undefined, next: HaGuestRecord | undefined): void {
    const now = hostsNamed(next);
    for (const h of hostsNamed(prev)) if (!now.includes(h)) this.byHost.get(h)?.delete(guest);
    for (const h of now) {
      let set = this.byHost.get(h);
      if (!set) this.byHost.set(h, (set = new Set()));
      set.add(guest);
    }
  }

  /** The guests whose record names the host, in no particular order. */
  on(host: string): ReadonlySet<string> {
    return this.byHost.get(host) ?? EMPTY;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
