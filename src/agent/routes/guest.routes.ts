// Guests of this host: definitions, run state and power actions.
import { cdromRequest, GUEST_AGENT_PATHS, guestSpec, guestStopRequest } from '../../contract/guest-agent.contract.ts';
import { formatGuestId } from '../../contract/shared-rules.ts';
import { AgentError } from '../agent-error.ts';
import type { Route } from '../agent-routes.ts';
import { parseJsonBody } from '../http-io.ts';
import { changeCdrom, defineGuest, deleteGuest, guestStatus, rebootGuest, startGuest, stopGuest } from './guest-ops.ts';
import { guestIdOf } from './guest-specs.ts';

const idParam = (params: Record<string, string>): ReturnType<typeof guestIdOf> => guestIdOf(params['id'] ?? '');

export const GUEST_LIFECYCLE_ROUTES: Route[] = [
  {
    method: 'GET',
    path: GUEST_AGENT_PATHS.guests,
    access: 'controller',
    exclusive: false,
    handle: async (_ctx, rt) => ({ status: 200, body: await rt.guests.recent.listNow() }),
  },
  {
    method: 'PUT',
    path: GUEST_AGENT_PATHS.guest,
    access: 'controller',
    exclusive: true,
    handle: async ({ params, body }, rt) => {
      const gid = idParam(params);
      const spec = parseJsonBody(body, guestSpec);
      const id = formatGuestId(gid);
      const { created } = await rt.guests.locks.run(id, () => defineGuest(rt.guests, gid, spec));
      rt.log.info('guest defined', { guest: id, created });
      return { status: created ? 201 : 200, body: await guestStatus(rt.guests, gid, spec.name) };
    },
  },
  {
    method: 'DELETE',
    path: GUEST_AGENT_PATHS.guest,
    access: 'controller',
    exclusive: true,
    handle: async ({ params }, rt) => {
      const gid = idParam(params);
      const id = formatGuestId(gid);
      await rt.guests.locks.run(id, () => deleteGuest(rt.guests, gid));
      rt.log.info('guest deleted', { guest: id });
      return { status: 200, body: { deleted: id } };
    },
  },
  {
    // Per-guest lock only: a slow boot of one guest does not hold up the others.
    method: 'POST',
    path: GUEST_AGENT_PATHS.guestStart,
    access: 'controller',
    exclusive: false,
    handle: async ({ params }, rt) => {
      const gid = idParam(params);
      const id = formatGuestId(gid);
      const s = await rt.guests.locks.run(id, () => startGuest(rt.guests, gid));
      rt.log.info('guest started', { guest: id, pid: s.pid, accel: s.accel });
      return { status: 200, body: s };
    },
  },
  {
    method: 'POST',
    path: GUEST_AGENT_PATHS.guestStop,
    access: 'controller',
    exclusive: false,
    handle: async ({ params, body }, rt) => {
      const gid = idParam(params);
      const req = parseJsonBody(body, guestStopRequest);
      const id = formatGuestId(gid);
      const r = await rt.guests.locks.run(id, () => stopGuest(rt.guests, gid, req));
      rt.log.info('guest stopped', { guest: id, by: r.by });
      return { status: 200, body: r };
    },
  },
  {
    method: 'POST',
    path: GUEST_AGENT_PATHS.guestReboot,
    access: 'controller',
    exclusive: false,
    handle: async ({ params }, rt) => {
      const gid = idParam(params);
      const id = formatGuestId(gid);
      const s = await rt.guests.locks.run(id, () => rebootGuest(rt.guests, gid));
      rt.log.info('guest rebooted', { guest: id });
      return { status: 200, body: s };
    },
  },
  {
    method: 'POST',
    path: GUEST_AGENT_PATHS.guestCdrom,
    access: 'controller',
    exclusive: true,
    handle: async ({ params, body }, rt) => {
      const gid = idParam(params);
      const req = parseJsonBody(body, cdromRequest);
      const id = formatGuestId(gid);
      const s = await rt.guests.locks.run(id, () => changeCdrom(rt.guests, gid, req.iso));
      rt.log.info('guest CD-ROM changed', { guest: id, iso: req.iso });
      return { status: 200, body: s };
    },
  },
  {
    // The console is served on the WebSocket upgrade (console-socket.ts); a plain GET is told so.
    method: 'GET',
    path: GUEST_AGENT_PATHS.guestConsole,
    access: 'controller',
    exclusive: false,
    handle: async () => {
      throw new AgentError('upgradeRequired', 'console refused: it is served over a WebSocket; send the request with Upgrade: websocket');
    },
  },
];
