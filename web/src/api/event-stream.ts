// The live event stream (SSE). EventSource cannot send headers, so the token rides in the query.
// The server names each event by its type, so a listener is needed per type we care about.
import type { EventView } from '../../../src/contract/event.contract.ts';
import { API, session } from './api-client.ts';
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

export function openEventStream(onEvent: (e: EventView) => void, onStatus: (connected: boolean) => void): EventStream {
  const source = new EventSource(`${API}/events?token=${encodeURIComponent(session.token() ?? '')}`);
  const handle = (message: MessageEvent<string>): void => {
    try {
      onEvent(JSON.parse(message.data) as EventView);
    } catch {
      // a malformed event is dropped; the next refresh catches up
    }
  };
  for (const type of EVENT_TYPES) source.addEventListener(type, handle);
  source.onmessage = handle; // events without a type
  source.onopen = () => onStatus(true);
  source.onerror = () => onStatus(false); // EventSource reconnects by itself (with Last-Event-ID)
  return { close: () => source.close() };
}
