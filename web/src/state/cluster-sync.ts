// Keeps the guests (the page the Guests pane shows), the evacuations and the HA status in the state, beside Sync (hosts and tasks):
// it watches the events Sync puts in the state and reloads (coalesced) what they touch; the HA view,
// whose heartbeat ages move by themselves, is also polled while it shows; the controllers' status
// (leader, quorum) is polled all the time, for the no-quorum banner every view shows.
import type { EventView } from '../../../src/contract/event.contract.ts';
import { ApiError } from '../api/api-client.ts';
import { clusterApi } from '../api/cluster-api.ts';
import { guestsPagePath } from './list-paging.ts';
import { canRead } from './rights.ts';
import type { AppState, Store } from './store.ts';
import { coalesced, messageOf, same } from './sync.ts';

const HA_POLL_MS = 2_000;
const SAFETY_POLL_MS = 15_000;
const CONTROL_PLANE_POLL_MS = 3_000;

/** Which loads an event asks for. */
export function reloadsFor(type: string): Array<'guests' | 'evacuations' | 'ha' | 'controlPlane'> {
  if (type.startsWith('cluster.')) return ['controlPlane'];
  if (type.startsWith('guest.')) return ['guests', 'evacuations'];
  if (type.startsWith('ha.')) return ['ha'];
  if (type.startsWith('host.') || type === 'task.updated') return ['evacuations'];
  return [];
}

export class ClusterSync {
  readonly refreshGuests = coalesced(() => this.loadGuests());
  readonly refreshEvacuations = coalesced(() => this.loadEvacuations());
  readonly refreshHa = coalesced(() => this.loadHa());
  readonly refreshControlPlane = coalesced(() => this.loadControlPlane());
  private lastSeq = 0;
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly store: Store) {}

  async start(): Promise<void> {
    this.unsubscribe = this.store.subscribe((s, changed) => this.onChange(s, changed));
    this.timers.push(
      setInterval(() => {
        if (this.store.state.view === 'ha') void this.loadHa();
      }, HA_POLL_MS),
      setInterval(() => void this.loadControlPlane(), CONTROL_PLANE_POLL_MS),
      setInterval(() => {
        void this.loadGuests();
        void this.loadEvacuations();
      }, SAFETY_POLL_MS),
    );
    await Promise.all([this.loadGuests(), this.loadEvacuations(), this.loadHa(), this.loadControlPlane()]);
  }

  stop(): void {
    this.unsubscribe?.();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /** Everything a change may have touched (after a dialog started or ended one). */
  refreshAll(): void {
    this.refreshGuests();
    this.refreshEvacuations();
    this.refreshHa();
  }

  private onChange(s: AppState, changed: ReadonlySet<keyof AppState>): void {
    if (changed.has('guestsPaging')) this.refreshGuests();
    if (changed.has('view')) {
      if (s.view === 'guests') this.refreshGuests();
      if (s.view === 'ha') this.refreshHa();
      if (s.view === 'cluster') this.refreshControlPlane();
    }
    if (!changed.has('events')) return;
    const fresh: EventView[] = s.events.filter((e) => e.seq > this.lastSeq);
    if (fresh.length === 0) return;
    this.lastSeq = Math.max(this.lastSeq, ...fresh.map((e) => e.seq));
    const wanted = new Set(fresh.flatMap((e) => reloadsFor(e.type)));
    if (wanted.has('guests')) this.refreshGuests();
    if (wanted.has('evacuations')) this.refreshEvacuations();
    if (wanted.has('ha')) this.refreshHa();
    if (wanted.has('controlPlane')) this.refreshControlPlane();
  }

  async loadControlPlane(): Promise<void> {
    if (!canRead.cluster()) return; // it would only bring a 403
    try {
      const controlPlane = await clusterApi.controlPlane();
      if (!same(controlPlane, this.store.state.controlPlane)) this.store.set({ controlPlane });
      if (this.store.state.controlPlaneError !== null) this.store.set({ controlPlaneError: null });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      const controlPlaneError = messageOf(err);
      if (controlPlaneError !== this.store.state.controlPlaneError) this.store.set({ controlPlaneError });
    }
  }

  /** The page the Guests pane shows, only while it shows (a page of 100 at a time, not every guest). */
  async loadGuests(): Promise<void> {
    if (!canRead.guests() || this.store.state.view !== 'guests') return; // a 403, or nobody looking
    const paging = this.store.state.guestsPaging;
    try {
      const page = await clusterApi.guests(guestsPagePath(paging));
      if (this.store.state.guestsPaging !== paging) return; // moved to another page meanwhile: its load follows
      if (!same(page.items, this.store.state.guests)) this.store.set({ guests: page.items });
      if (page.nextCursor !== this.store.state.guestsNext) this.store.set({ guestsNext: page.nextCursor });
      if (this.store.state.guestsError !== null) this.store.set({ guestsError: null });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      // A refused filter (no such host) has no page to show; a lost connection keeps the last one.
      const refused = err instanceof ApiError && err.status >= 400 && err.status < 500;
      this.store.set({ guestsError: messageOf(err), ...(refused ? { guests: [], guestsNext: null } : {}) });
    }
  }

  async loadEvacuations(): Promise<void> {
    if (!canRead.hosts()) return; // it would only bring a 403
    try {
      const evacuations = await clusterApi.evacuations();
      if (!same(evacuations, this.store.state.evacuations)) this.store.set({ evacuations });
    } catch {
      // the Evacuate and Undo buttons keep what they knew; their dialogs ask the controller anyway
    }
  }

  async loadHa(): Promise<void> {
    if (!canRead.cluster()) return; // it would only bring a 403
    try {
      const ha = await clusterApi.haStatus();
      if (!same(ha, this.store.state.ha)) this.store.set({ ha });
      if (this.store.state.haError !== null) this.store.set({ haError: null });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      const haError = err instanceof ApiError && err.status === 404 ? 'This controller does not serve the HA API.' : messageOf(err);
      if (haError !== this.store.state.haError) this.store.set({ haError });
    }
  }
}
