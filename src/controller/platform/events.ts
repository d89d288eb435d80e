// The event bus: listeners in this process (SSE streams, loops) plus a persisted ring of the last
// events at /events/<seq>, so a client that reconnects with Last-Event-ID gets what it missed.
import { eventView, type EventView } from '../../contract/event.contract.ts';
import type { Json, Store } from '../../store/store.ts';
import { isoAt } from './clock.ts';
import { SeqLog, padSeq } from './seq-log.ts';
import { defineRecordKind } from './stored-records.ts';
import type { Clock, EventBus } from './types.ts';

export const EVENT_RING_SIZE = 1000;

/** `/events/<seq>`: version 1 (its schema is the API's). */
export const EVENT_RECORD = defineRecordKind<EventView>({ name: 'event', version: 1, migrations: {}, schema: eventView.loose() });

export class StoreEventBus implements EventBus {
  private readonly log: SeqLog<EventView>;
  private readonly listeners = new Set<(event: EventView) => void>();

  private readonly stopWatch: (() => void) | undefined;

  /**
   * `shared`: several controllers write this store (only the leader, in turn), and every controller
   * serves event streams: listeners are then fed from the store's watch, so a follower's streams get
   * the leader's events too.
   */
  constructor(
    store: Store,
    private readonly clock: Clock,
    options: { keep?: number; shared?: boolean } = {},
  ) {
    this.log = new SeqLog(store, { name: 'events', record: EVENT_RECORD, keyOf: (seq) => `/events/${padSeq(seq)}`, keep: options.keep ?? EVENT_RING_SIZE });
    this.shared = options.shared ?? false;
    if (this.shared) {
      this.stopWatch = store.watch('/events/', (e) => {
        if (e.type !== 'put') return;
        const parsed = eventView.safeParse(e.value);
        if (parsed.success) this.deliver(parsed.data);
      });
    }
  }

  private readonly shared: boolean;

  async emit(event: Omit<EventView, 'seq' | 'at'>): Promise<void> {
    const at = isoAt(this.clock);
    const { value } = await this.log.append((seq): EventView => ({ ...event, seq, at }));
    if (!this.shared) this.deliver(value);
  }

  /**
   * An event for this controller's streams only, not stored: what happens when nothing can be written
   * (quorum lost). Its seq is the last stored one, so a reconnecting stream does not skip anything.
   */
  notifyLocal(event: Omit<EventView, 'seq' | 'at'>, seq = 0): void {
    this.deliver({ ...event, seq, at: isoAt(this.clock) });
  }

  close(): void {
    this.stopWatch?.();
  }

  private deliver(value: EventView): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
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
    return this.log.newest(limit);
  }

  /** Events after `seq`, oldest first: the replay for a reconnecting stream. */
  async since(seq: number, limit = EVENT_RING_SIZE): Promise<EventView[]> {
    return this.log.after(seq, limit);
  }
}

/** JSON copy without undefined members (the store refuses undefined; JSON would drop it anyway). */
export function dropUndefined(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}
