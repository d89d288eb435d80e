// Live run states from the agents: one GET /agent/v1/guests per host, all hosts at once, each with a
// short time limit so a dead host never holds up a listing. Every listing is remembered (the HA
// loop's too, several times a second), so a reader that accepts an answer a moment old (a page of
// the guest list) costs the agents nothing: asking each page's hosts anew made the API's guest pages
// alone 2,500 agent calls a second at 250 hosts.
import type { GuestStatus } from '../../contract/guest-agent.contract.ts';
import type { GuestView } from '../../contract/guest.contract.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import type { GuestRecord } from './guest-record.ts';
import { guestsRuntime } from './guests-runtime.ts';

const LIVE_TIMEOUT_MS = 3_000;

/** A listing up to `maxAgeMs` old will do for these guests (unless an action on one ended since). */
export interface ListingReuse {
  readonly maxAgeMs: number;
  readonly guests: readonly { readonly id: string; readonly hostId: number }[];
}

/** Each answering host's guests by id; hosts that did not answer are absent. Without `reuse`, every host is asked now. */
export async function liveStatuses(
  ctx: ControllerContext,
  hosts: readonly HostRecord[],
  reuse?: ListingReuse,
): Promise<Map<number, ReadonlyMap<string, GuestStatus>>> {
  const out = new Map<number, ReadonlyMap<string, GuestStatus>>();
  const rt = guestsRuntime(ctx);
  // Grouped once: scanning every guest for each host was O(hosts × guests) per monitor round.
  const onHost = new Map<number, string[]>();
  for (const g of reuse?.guests ?? []) {
    const ids = onHost.get(g.hostId);
    if (ids) ids.push(g.id);
    else onHost.set(g.hostId, [g.id]);
  }
  const usable = (hostId: number): ReadonlyMap<string, GuestStatus> | undefined => {
    const known = reuse && rt.listings.fresh(hostId, ctx.clock.now(), reuse.maxAgeMs);
    // A listing taken before an action on one of these guests ended may predate its effect.
    if (!known || (onHost.get(hostId) ?? []).some((id) => rt.touchedSince(id, known.mark))) return undefined;
    return known.guests;
  };
  await Promise.all(
    hosts.map(async (h) => {
      const known = usable(h.id);
      if (known) return void out.set(h.id, known);
      const listed = await rt.listNow(h.id, () => guestAgentFor(ctx, h, LIVE_TIMEOUT_MS).listGuests()).catch(() => undefined);
      if (listed) out.set(h.id, listed);
    }),
  );
  return out;
}

/** The run state the agent reports, in the controller's terms (absent from a host that answered: unknown). */
export function stateOf(status: GuestStatus | undefined): { state: GuestView['state']; accel: 'kvm' | 'tcg' | null; detail?: string } {
  if (!status) return { state: 'unknown', accel: null };
  return {
    state: status.state,
    accel: status.state === 'running' || status.state === 'paused' ? (status.accel ?? null) : null,
    ...(status.state === 'other' && status.detail ? { detail: status.detail } : {}),
  };
}

export function toGuestView(g: GuestRecord, host: HostRecord | undefined, live?: ReadonlyMap<string, GuestStatus>): GuestView {
  const now = live ? stateOf(live.get(g.id)) : undefined;
  return {
    id: g.id,
    kind: g.kind,
    number: g.number,
    name: g.name,
    vcpus: g.vcpus,
    memoryMiB: g.memoryMiB,
    host: { id: g.hostId, name: host?.name ?? `#${g.hostId}` },
    disks: [...g.disks],
    template: g.template,
    nics: g.nics.map((n) => ({ ...n })),
    cdrom: g.cdrom,
    autostart: g.autostart,
    state: now?.state ?? g.state,
    ...(now?.detail ? { stateDetail: now.detail } : {}),
    accel: now ? now.accel : g.accel,
    live: now !== undefined,
    stateChangedAt: g.stateChangedAt,
    createdAt: g.createdAt,
  };
}
