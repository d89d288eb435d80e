// The HaAgentLink of a running controller: the agents' HA endpoints (HaClient) and their guest
// lists, over mutual TLS with this controller's credentials.
import { GUEST_AGENT_PATHS, guestList } from '../../contract/guest-agent.contract.ts';
import { AgentClient } from '../agents/agent-client.ts';
import { GuestClient } from '../agents/guest-client.ts';
import { HaClient } from '../agents/ha-client.ts';
import { AGENT_CONNECTIONS, agentClientOptions } from '../hosts/agent-link.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import type { HaAgentLink, HaHostRef } from './ha-agent-link.ts';

/** The guest list within the client's own (short) time limit: a slow host must not hold up HA. */
class QuickGuestList extends AgentClient {
  list() {
    return this.call('GET', GUEST_AGENT_PATHS.guests, 'mutual', undefined, guestList, 'guest list');
  }
}

export function agentHaLink(ctx: ControllerContext): HaAgentLink {
  const opts = (h: HaHostRef, timeoutMs?: number) => agentClientOptions(ctx, h, timeoutMs);
  return {
    // The listing the answer carries is remembered for the guest list and monitor (host-listings.ts).
    // Over the host's lease stream when the controller keeps connections (lease-stream.ts).
    lease: async (h, req, t) => {
      const sentAt = ctx.clock.now();
      const client = new HaClient(opts(h));
      const streams = ctx.runtimes.get(AGENT_CONNECTIONS).leaseStreams;
      const lease = await streams.renew(
        `${h.address}:${h.port}`,
        req,
        t,
        (ms) => client.openLeaseStream(ms),
        () => client.renewLease(req, t),
      );
      if (lease.guests) guestsRuntime(ctx).remember(h.id, sentAt - lease.guests.agoMs, lease.guests.list);
      return lease;
    },
    // Starting to write the volume waits for an iSCSI login: the client's own, longer, limit.
    configure: async (h, req) => {
      await new HaClient(opts(h)).configureHeartbeatVolume(req);
    },
    unconfigure: async (h) => {
      await new HaClient(opts(h)).stopHeartbeatVolume();
    },
    slots: (h, t) => new HaClient(opts(h)).slots(t),
    // Remembered for the guest list and monitor too (host-listings.ts): they need not ask again.
    listGuests: async (h, t) => [...(await guestsRuntime(ctx).listNow(h.id, () => new QuickGuestList(opts(h, t)).list())).values()],
    forceStop: async (h, guest, t) => {
      await new GuestClient(opts(h, t)).stopGuest(guest, { force: true, timeoutMs: 0 });
    },
  };
}
