// The live event stream (SSE). EventSource cannot send headers and the token never goes in a URL: each
// connection brings a one-time ticket (POST /auth/ticket). When the stream breaks (the controller
// restarted, or the session ended: the server closes it at once), a new ticket is asked for, which
// also tells at once when the session is over (401 → the login page). The server names each event by
// its type, so a listener is needed per type we care about.
import type { EventView } from '../../../src/contract/event.contract.ts';
import { API, api } from './api-client.ts';
import { HA_EVENT_NAMES } from './ha-event-names.ts';

export const EVENT_TYPES = [
  'host.added',
  'host.removed',
  'host.state',
  'host.updated',
  'host.indicators',
  'task.updated',
  'subnet.updated',
  'alert',
  // guests and HA (the guests and HA views reload from these)
  'guest.created',
  'guest.deleted',
  'guest.state',
  'guest.moved',
  ...HA_EVENT_NAMES,
  // the controllers (the Cluster view and the no-quorum banner reload from these)
  'cluster.leader-changed',
  'cluster.controller-lost',
  'cluster.controller-joined',
  'cluster.quorum-lost',
  'cluster.quorum-regained',
  'cluster.deposed',
] as const;

export interface EventStream {
  close(): void;
}

const RECONNECT_MS = 2000;

export function openEventStream(onEvent: (e: EventView) => void, onStatus: (connected: boolean) => void): EventStream {
  let source: EventSource | undefined;
  let closed = false;
  let lastSeq: number | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const handle = (message: MessageEvent<string>): void => {
    try {
      const e = JSON.parse(message.data) as EventView;
      if (e.seq > 0) lastSeq = e.seq;
      onEvent(e);
    } catch {
      // a malformed event is dropped; the next refresh catches up
    }
  };
  const later = (): void => {
    if (!closed) retry = setTimeout(() => void connect(), RECONNECT_MS);
  };
  const connect = async (): Promise<void> => {
    let ticket: string;
    try {
      ticket = (await api.ticket()).ticket; // a 401 here ends the session (api-client)
    } catch {
      onStatus(false);
      return later();
    }
    if (closed) return;
    const q = new URLSearchParams({ ticket, ...(lastSeq === undefined ? {} : { lastEventId: String(lastSeq) }) });
    const s = new EventSource(`${API}/events?${q.toString()}`);
    source = s;
    for (const type of EVENT_TYPES) s.addEventListener(type, handle);
    s.onmessage = handle; // events without a type
    s.onopen = () => onStatus(true);
    // The ticket was good once: reconnect with a new one (and what was missed, from lastEventId).
    s.onerror = () => {
      s.close();
      onStatus(false);
      later();
    };
  };
  void connect();
  return {
    close: () => {
      closed = true;
      clearTimeout(retry);
      source?.close();
    },
  };
}
