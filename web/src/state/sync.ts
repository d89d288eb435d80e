// Keeps the state in step with the controller: loads hosts, the selected host and tasks, and
// reloads them (coalesced) when events say they changed — no manual reload needed.
import type { EventView } from '../../../src/contract/event.contract.ts';
import { api, ApiError } from '../api/api-client.ts';
import { openEventStream, type EventStream } from '../api/event-stream.ts';
import { canRead } from './rights.ts';
import { addEvent, type Store } from './store.ts';

const HOST_EVENTS = new Set(['host.added', 'host.removed', 'host.state', 'host.updated', 'host.indicators']);
const COALESCE_MS = 150;
const SAFETY_POLL_MS = 15_000; // in case the stream misses something (proxy hiccup)

/** Redrawing is skipped when a reload brings nothing new (the common case for periodic refreshes). */
export const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Runs `fn` once after a short quiet period, however many times it is asked for meanwhile. */
export function coalesced(fn: () => Promise<void>): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void fn();
    }, COALESCE_MS);
  };
}

export class Sync {
  private stream: EventStream | undefined;
  private poll: ReturnType<typeof setInterval> | undefined;
  readonly refreshHosts: () => void;
  readonly refreshTasks: () => void;

  constructor(private readonly store: Store) {
    this.refreshHosts = coalesced(() => this.loadHosts());
    this.refreshTasks = coalesced(() => this.loadTasks());
  }

  async start(): Promise<void> {
    // Only what the caller may read: the rest would only bring 403s (the events stream, the tasks
    // and the events need Sys.Audit on '/'; the hosts, on '/hosts').
    const activity = canRead.activity();
    if (activity) {
      this.stream = openEventStream(
        (e) => this.onEvent(e),
        (live) => this.store.set({ live }),
      );
    }
    this.poll = setInterval(() => {
      void this.loadHosts();
      void this.loadTasks();
    }, SAFETY_POLL_MS);
    await Promise.all([this.loadHosts(), this.loadTasks(), ...(activity ? [this.loadEvents()] : [])]);
  }

  stop(): void {
    this.stream?.close();
    if (this.poll !== undefined) clearInterval(this.poll);
  }

  async select(id: number | null): Promise<void> {
    this.store.set({ selectedId: id, selected: this.store.state.selected?.id === id ? this.store.state.selected : null });
    await this.loadSelected();
  }

  async loadHosts(): Promise<void> {
    if (!canRead.hosts()) return;
    try {
      const hosts = await api.hosts();
      if (!same(hosts, this.store.state.hosts)) this.store.set({ hosts });
      if (this.store.state.hostsError !== null) this.store.set({ hostsError: null });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      this.store.set({ hostsError: messageOf(err) });
    }
    await this.loadSelected();
  }

  async loadSelected(): Promise<void> {
    const id = this.store.state.selectedId;
    if (id === null) return;
    try {
      const host = await api.host(id);
      if (this.store.state.selectedId === id && !same(host, this.store.state.selected)) this.store.set({ selected: host });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        if (this.store.state.selectedId === id) this.store.set({ selectedId: null, selected: null });
      } else if (!(err instanceof ApiError && err.status === 401)) {
        this.store.set({ banner: messageOf(err) });
      }
    }
  }

  async loadTasks(): Promise<void> {
    if (!canRead.activity()) return;
    try {
      const tasks = await api.tasks(20);
      if (!same(tasks, this.store.state.tasks)) this.store.set({ tasks });
    } catch {
      // the tasks panel keeps what it had; the hosts pane shows connection trouble
    }
  }

  private async loadEvents(): Promise<void> {
    try {
      const recent = await api.recentEvents(50);
      let events = this.store.state.events;
      for (const e of recent) events = addEvent(events, e);
      this.store.set({ events });
    } catch {
      // live events still arrive
    }
  }

  private onEvent(event: EventView): void {
    this.store.set({ events: addEvent(this.store.state.events, event) });
    if (HOST_EVENTS.has(event.type)) this.refreshHosts();
    if (event.type === 'task.updated') this.refreshTasks();
  }
}
