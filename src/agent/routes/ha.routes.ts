// The HA part of the agent protocol: the controller's lease, the heartbeat volume, the slots as this
// host reads them. None is exclusive: a lease renewal must never queue behind a long guest action.
import { HA_AGENT_PATHS, haLeaseRequest, heartbeatVolumeRequest, type HaLeaseRequest, type HaLeaseResponse } from '../../contract/ha-agent.contract.ts';
import type { GuestRuntime } from '../guest-runtime.ts';
import type { Route } from '../agent-routes.ts';
import { parseJsonBody } from '../http-io.ts';

/** A renewal's answer, over POST lease or the lease stream: the lease, and the latest guest listing. */
export async function leaseAnswer(guests: GuestRuntime, req: HaLeaseRequest): Promise<HaLeaseResponse> {
  const lease = await guests.ha.renew(req);
  const listing = guests.recent.peek();
  return listing ? { ...lease, guests: listing } : lease;
}

export const HA_ROUTES: Route[] = [
  {
    method: 'POST',
    path: HA_AGENT_PATHS.lease,
    access: 'controller',
    exclusive: false,
    handle: async ({ body }, rt) => ({ status: 200, body: await leaseAnswer(rt.guests, parseJsonBody(body, haLeaseRequest)) }),
  },
  {
    method: 'PUT',
    path: HA_AGENT_PATHS.heartbeatVolume,
    access: 'controller',
    exclusive: false,
    handle: async ({ body }, rt) => ({ status: 200, body: await rt.guests.ha.configureVolume(parseJsonBody(body, heartbeatVolumeRequest)) }),
  },
  {
    method: 'DELETE',
    path: HA_AGENT_PATHS.heartbeatVolume,
    access: 'controller',
    exclusive: false,
    handle: async (_ctx, rt) => ({ status: 200, body: await rt.guests.ha.stopVolume() }),
  },
  {
    method: 'GET',
    path: HA_AGENT_PATHS.slots,
    access: 'controller',
    exclusive: false,
    handle: async (_ctx, rt) => ({ status: 200, body: rt.guests.ha.slots() }),
  },
];
