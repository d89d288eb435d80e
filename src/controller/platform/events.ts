// The event bus: listeners in this process (SSE streams, loops) plus a persisted ring of the last
// events at /events/<seq>, so a client that reconnects with Last-Event-ID gets what it missed.
import type { EventView } from '../../contract/event.contract.ts';
import type { Json, Store } from '../../store/store.ts';
import { isoAt } from './clock.ts';
import { SeqLog, padSeq } from './seq-log.ts';
import type { Clock, EventBus } from './types.ts';

export const EVENT_RING_SIZE = 1000;

export class StoreEventBus implements EventBus {
  private readonly log: SeqLog<Json>;
  private readonly listeners = new Set<(event: EventView) => void>();

  constructor(
    store: Store,
    private readonly clock: Clock,
    options: { keep?: number } = {},
  ) {
    this.log = new SeqLog(store, { name: 'events', keyOf: (seq) => `/events/${padSeq(seq)}`, keep: options.keep ?? EVENT_RING_SIZE });
  }

  async emit(event: Omit<EventView, 'seq' | 'at'>): Promise<void> {
    const at = isoAt(this.clock);
    const { value } = await this.log.append((seq) => dropUndefined({ ...event, seq, at }));
    for (const listener of this.listeners) {
      try {
        listener(value as unknown as EventView);
      } catch {
        // One broken listener (a closed stream) must not stop the others.
      }
    }
  }

  subscribe(listener: (event: EventView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The newest events, newest first. */
  async recent(limit = 100): Promise<EventView[]> {
    return (await this.log.newest(limit)) as unknown as EventView[];
  }

  /** Events after `seq`, oldest first: the replay for a reconnecting stream. */
  async since(seq: number, limit = EVENT_RING_SIZE): Promise<EventView[]> {
    return (await this.log.after(seq, limit)) as unknown as EventView[];
  }
}

/** JSON copy without undefined members (the store refuses undefined; JSON would drop it anyway). */
export function dropUndefined(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}
