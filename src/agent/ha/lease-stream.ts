// The agent's end of the lease stream (`/agent/v1/ha/lease-stream`, ha-agent.contract.ts): lease
// renewals as WebSocket messages, answered in the order they came, each exactly as POST lease
// answers it. A message that is not a renewal gets a coded error answer; the stream stays open.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { leaseStreamRequest, type HaLeaseRequest, type HaLeaseResponse, type LeaseStreamAnswer } from '../../contract/ha-agent.contract.ts';
import { isAgentError } from '../agent-error.ts';
import { messageOf } from '../../contract/shared-rules.ts';

/** A renewal with its guests' listing is under 1 MiB even at the largest guest counts a host holds. */
const MAX_MESSAGE = 1024 * 1024;
const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, perMessageDeflate: false });

/** What a renewal does: the same as the POST lease route. */
export type RenewLease = (req: HaLeaseRequest) => Promise<HaLeaseResponse>;

const text = (data: RawData): string => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');

/** One message's answer. Pure apart from `renew`. */
export async function answerLeaseMessage(raw: string, renew: RenewLease): Promise<LeaseStreamAnswer> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { error: { code: 'invalidInput', message: 'refused: a lease stream message must be JSON' } };
  }
  const parsed = leaseStreamRequest.safeParse(json);
  const seq = typeof (json as { seq?: unknown })?.seq === 'number' ? (json as { seq: number }).seq : undefined;
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ');
    return { ...(seq !== undefined && Number.isInteger(seq) && seq >= 0 ? { seq } : {}), error: { code: 'invalidInput', message: `refused: ${why}` } };
  }
  try {
    return { seq: parsed.data.seq, lease: await renew(parsed.data.lease) };
  } catch (e) {
    const code = isAgentError(e) ? e.code : 'internal';
    return { seq: parsed.data.seq, error: { code, message: isAgentError(e) ? e.message : `the agent failed: ${messageOf(e)}` } };
  }
}

function bind(ws: WebSocket, renew: RenewLease): void {
  let queue: Promise<void> = Promise.resolve();
  ws.on('message', (data) => {
    const raw = text(data);
    queue = queue.then(async () => {
      const answer = await answerLeaseMessage(raw, renew);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(answer));
    });
  });
  ws.on('error', () => ws.terminate());
}

/** Completes the upgrade (the caller checked it is the controller's certificate). */
export function acceptLeaseStream(req: IncomingMessage, socket: Duplex, head: Buffer, renew: RenewLease): void {
  wss.handleUpgrade(req, socket, head, (ws) => bind(ws, renew));
}
