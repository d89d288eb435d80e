// The console over a WebSocket: `GET /agent/v1/guests/:id/console` upgraded after the same mutual
// TLS check as every controller call. Binary frames both ways; a new viewer gets the scrollback
// first. The socket closes with 1000 when the viewer detached (Ctrl+]), 1001 when the guest's
// console went away.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { GUEST_AGENT_PATHS } from '../../contract/guest-agent.contract.ts';
import { errorBody } from '../http-io.ts';
import type { AgentError } from '../agent-error.ts';
import type { ConsoleRelay, ConsoleRelays } from './console-relays.ts';

const MAX_INPUT_FRAME = 64 * 1024;
const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INPUT_FRAME });

const [PREFIX, SUFFIX] = GUEST_AGENT_PATHS.guestConsole.split(':id') as [string, string];

/** The guest id in a console path, or undefined for any other path. Pure. */
export function consolePathGuest(pathname: string): string | undefined {
  if (!pathname.startsWith(PREFIX) || !pathname.endsWith(SUFFIX)) return undefined;
  const raw = pathname.slice(PREFIX.length, pathname.length - SUFFIX.length);
  if (raw === '' || raw.includes('/')) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

const toBuffer = (data: RawData): Buffer => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));

function bind(ws: WebSocket, relay: ConsoleRelay): void {
  const viewer = relay.attach({
    output: (b) => ws.send(b, { binary: true }),
    closed: (reason) => ws.close(reason === 'detached' ? 1000 : 1001, reason),
  });
  ws.on('message', (data) => viewer.input(toBuffer(data)));
  ws.on('close', () => viewer.detach());
  ws.on('error', () => viewer.detach());
}

/** Opens (or joins) the guest's relay, then completes the upgrade; throws before upgrading on refusal. */
export async function acceptConsole(req: IncomingMessage, socket: Duplex, head: Buffer, id: string, relays: ConsoleRelays): Promise<void> {
  const relay = await relays.get(id);
  wss.handleUpgrade(req, socket, head, (ws) => bind(ws, relay));
}

/** A refused upgrade gets a plain HTTP answer with the usual coded JSON body. */
export function refuseUpgrade(socket: Duplex, refusal: AgentError): void {
  const text = JSON.stringify(errorBody(refusal.code, refusal.message));
  socket.end(
    `HTTP/1.1 ${refusal.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}
