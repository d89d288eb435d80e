// The HA part of the agent protocol: the controller's lease, the heartbeat volume, the slots as this
// host reads them. None is exclusive: a lease renewal must never queue behind a long guest action.
import { HA_AGENT_PATHS, haLeaseRequest, heartbeatVolumeRequest } from '../../contract/ha-agent.contract.ts';
import type { Route } from '../agent-routes.ts';
import { parseJsonBody } from '../http-io.ts';

export const HA_ROUTES: Route[] = [
  {
    method: 'POST',
    path: HA_AGENT_PATHS.lease,
    access: 'controller',
    exclusive: false,
    handle: async ({ body }, rt) => {
      const lease = await rt.guests.ha.renew(parseJsonBody(body, haLeaseRequest));
      const guests = rt.guests.recent.peek();
      return { status: 200, body: guests ? { ...lease, guests } : lease };
    },
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
