// Server-sent events: the event bus as a text/event-stream. A client reconnecting with Last-Event-ID
// first gets what it missed (from the persisted ring), then live events; a comment line every 15 s
// keeps proxies from closing an idle stream.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventView } from '../../contract/event.contract.ts';
import type { EventBus } from './types.ts';

export const HEARTBEAT_MS = 15_000;

export const formatSse = (event: EventView): string => `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/** The seq after which to replay: Last-Event-ID header (or ?lastEventId=), else none. */
export function lastEventIdOf(request: FastifyRequest, queryValue: number | undefined): number | undefined {
  const header = request.headers['last-event-id'];
  const text = Array.isArray(header) ? header[0] : header;
  if (text !== undefined && /^\d+$/.test(text.trim())) return Number(text.trim());
  return queryValue;
}

export async function streamEvents(bus: EventBus, request: FastifyRequest, reply: FastifyReply, afterSeq: number | undefined): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(': grappe events\n\n');

  // Listen first and hold live events until the replay is written, so none is lost or sent twice.
  let last = afterSeq ?? 0;
  let held: EventView[] | undefined = [];
  const send = (event: EventView): void => {
    if (event.seq <= last) return;
    last = event.seq;
    res.write(formatSse(event));
  };
  const unsubscribe = bus.subscribe((event) => (held ? held.push(event) : send(event)));
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const stop = (): void => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  // The response's close, not the request's: a GET request "closes" as soon as it has been read.
  res.on('close', stop);
  res.on('error', stop);

  try {
    if (afterSeq !== undefined) {
      const missed = bus.since ? await bus.since(afterSeq) : (await bus.recent(1000)).filter((e) => e.seq > afterSeq).reverse();
      for (const event of missed) send(event);
    }
  } catch (err) {
    request.log.error({ err }, 'could not replay events to a stream');
  }
  const pending = held;
  held = undefined;
  for (const event of pending) send(event);
}
