// GET /api/v1/guests/:id/console upgraded to a WebSocket, relayed to the guest's console on its
// host's agent (which keeps the scrollback and lets several viewers watch). Authenticated like the
// API: "Authorization: Bearer <token>", or a one-time `?ticket=` for browsers, whose WebSocket cannot set headers.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { errors } from '../../core/errors.ts';
import { accessRuntime } from '../access/access-runtime.ts';
import { redeem, requireEnabled } from '../access/route-authorizer.ts';
import { actorOfToken, credentialKeyOf, tokenOfRequest } from '../auth/tokens.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { toHttpError } from '../platform/error-mapping.ts';
import { API_PREFIX } from '../platform/routes.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import { guestsRuntime } from './guests-runtime.ts';

const CONSOLE_PATH = new RegExp(`^${API_PREFIX}/guests/([^/]+)/console/?$`);
const MAX_FRAME = 64 * 1024;

const toBuffer = (data: RawData): Buffer => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));

/** The guest reference in a console path, or undefined for any other path. Pure. */
export function consoleRef(pathname: string): string | undefined {
  const m = CONSOLE_PATH.exec(pathname);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

function refuse(socket: Duplex, err: unknown): void {
  const { status, error } = toHttpError(err);
  const body = JSON.stringify(error.toJSON());
  if (!socket.writable) return void socket.destroy();
  socket.end(
    `HTTP/1.1 ${status} Refused\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Both ways, byte for byte; either side closing closes the other. */
function relay(viewer: WebSocket, agent: WebSocket, open: Set<WebSocket>): void {
  open.add(viewer);
  agent.on('message', (data) => viewer.readyState === viewer.OPEN && viewer.send(toBuffer(data), { binary: true }));
  viewer.on('message', (data) => agent.readyState === agent.OPEN && agent.send(toBuffer(data), { binary: true }));
  const end = (code: number, reason: string): void => {
    open.delete(viewer);
    const safe = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000;
    for (const ws of [viewer, agent]) if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(safe, reason.slice(0, 100));
  };
  agent.on('close', (code, reason) => end(code, reason.toString() || 'the guest console closed'));
  viewer.on('close', (code, reason) => end(code, reason.toString()));
  agent.on('error', () => end(1011, 'the guest console failed'));
  viewer.on('error', () => end(1000, ''));
}

/** The server's 'upgrade' listener; `open` holds the viewers, closed when the controller stops. */
export function guestConsoleUpgrade(ctx: ControllerContext, open: Set<WebSocket>): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME, perMessageDeflate: false });
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://controller');
      const ref = consoleRef(url.pathname);
      if (ref === undefined) throw errors.notFound(`nothing to upgrade at ${url.pathname}: only ${API_PREFIX}/guests/ID/console is a WebSocket`);
      // A browser's WebSocket cannot set headers: it brings a one-time ticket (POST /auth/ticket), never the token.
      const ticket = url.searchParams.get('ticket');
      const { actor, credentialKey } =
        ticket && req.headers.authorization === undefined
          ? await redeem(ctx, ticket)
          : await (async () => {
              const bearer = tokenOfRequest(req.headers);
              return { actor: await actorOfToken(ctx.store, ctx.clock, bearer), credentialKey: credentialKeyOf(bearer) };
            })();
      const access = await accessRuntime(ctx);
      requireEnabled(access.user(actor.username), actor);
      const g = (await guestsRuntime(ctx).repo.find(ref)).record;
      access.require(actor, 'VM.Console', `/guests/${g.id}`, `the console of guest '${g.id}'`);
      const host = (await hostsRuntime(ctx)).cache.get(g.hostId);
      if (!host) throw errors.noSuchHost(g.hostId);
      const agent = await guestAgentFor(ctx, host).openConsole(g.id);
      if (socket.destroyed) return void agent.close();
      wss.handleUpgrade(req, socket, head, (viewer) => {
        // The console closes at once when its session or token ends, or its caller loses VM.Console.
        const release = access.guard({
          actor,
          credentialKey,
          privilege: 'VM.Console',
          path: `/guests/${g.id}`,
          close: (why) => viewer.close(4403, `console closed: ${why}`.slice(0, 100)),
        });
        viewer.on('close', release);
        relay(viewer, agent, open);
      });
    })().catch((err: unknown) => refuse(socket, err));
  };
}
