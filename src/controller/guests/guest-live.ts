// Live run states from the agents: one GET /agent/v1/guests per host, all hosts at once, each with a
// short time limit so a dead host never holds up a listing.
import type { GuestStatus } from '../../contract/guest-agent.contract.ts';
import type { GuestView } from '../../contract/guest.contract.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import type { GuestRecord } from './guest-record.ts';

const LIVE_TIMEOUT_MS = 3_000;

/** Each answering host's guests by id; hosts that did not answer are absent. */
export async function liveStatuses(ctx: ControllerContext, hosts: readonly HostRecord[]): Promise<Map<number, Map<string, GuestStatus>>> {
  const out = new Map<number, Map<string, GuestStatus>>();
  await Promise.all(
    hosts.map(async (h) => {
      const list = await guestAgentFor(ctx, h, LIVE_TIMEOUT_MS)
        .listGuests()
        .catch(() => undefined);
      if (list) out.set(h.id, new Map(list.map((s) => [s.id, s])));
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

export function toGuestView(g: GuestRecord, host: HostRecord | undefined, live?: Map<string, GuestStatus>): GuestView {
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
