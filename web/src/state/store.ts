// The app state and its one way of changing: set() merges a patch and tells every subscriber.
// Views re-render from the state; nothing else holds data.
import type { EventView } from '../../../src/contract/event.contract.ts';
import type { HostSummary, HostView } from '../../../src/contract/host.contract.ts';
import type { TaskView } from '../../../src/contract/task.contract.ts';
import type { EvacuationView } from '../../../src/contract/evacuation.contract.ts';
import type { GuestView } from '../../../src/contract/guest.contract.ts';
import type { HaStatus } from '../../../src/contract/ha.contract.ts';
import type { ClusterStatusView } from '../../../src/contract/cluster.contract.ts';
import type { AccessData } from './access-sync.ts';
import type { AuditEntry, AuditFilter } from '../api/access-api.ts';
import { firstGuestsPage, type GuestsPaging, type HaPages, type HostsFilter } from './list-paging.ts';

export type DetailsTab = 'general' | 'nics';
export type BottomTab = 'tasks' | 'events';
export type View = 'hosts' | 'guests' | 'ha' | 'cluster' | 'access' | 'audit';

export interface AppState {
  hosts: HostSummary[];
  hostsError: string | null;
  selectedId: number | null;
  selected: HostView | null;
  detailsTab: DetailsTab;
  tasks: TaskView[];
  events: EventView[];
  bottomTab: BottomTab;
  live: boolean; // the event stream is connected
  banner: string | null; // an error not tied to a dialog
  view: View;
  /** The page of guests the Guests pane shows, where it is in the list, and the next page's cursor. */
  guests: GuestView[];
  guestsPaging: GuestsPaging;
  guestsNext: number | null;
  guestsError: string | null;
  /** The hosts list's filter and page (the hosts themselves are all in `hosts`). */
  hostsFilter: HostsFilter;
  evacuations: EvacuationView[]; // newest first
  ha: HaStatus | null;
  /** The controllers: leader, quorum, each one's raft state (GET /cluster). */
  controlPlane: ClusterStatusView | null;
  controlPlaneError: string | null;
  haError: string | null;
  /** The HA view's table pages. */
  haPages: HaPages;
  /** Users, groups, roles, grants and tokens (the Access view); what the caller may not read is null. */
  access: AccessData | null;
  accessError: string | null;
  audit: AuditEntry[] | null;
  auditError: string | null;
  auditFilter: AuditFilter;
}

export const MAX_EVENTS = 200;

export const initialState = (): AppState => ({
  hosts: [],
  hostsError: null,
  selectedId: null,
  selected: null,
  detailsTab: 'general',
  tasks: [],
  events: [],
  bottomTab: 'tasks',
  live: false,
  banner: null,
  view: 'hosts',
  guests: [],
  guestsPaging: firstGuestsPage(),
  guestsNext: null,
  guestsError: null,
  hostsFilter: { page: 0 },
  evacuations: [],
  ha: null,
  haError: null,
  haPages: { hosts: 0, guests: 0 },
  controlPlane: null,
  controlPlaneError: null,
  access: null,
  accessError: null,
  audit: null,
  auditError: null,
  auditFilter: {},
});

type Listener = (state: AppState, changed: ReadonlySet<keyof AppState>) => void;

export class Store {
  private current: AppState = initialState();
  private readonly listeners = new Set<Listener>();

  get state(): AppState {
    return this.current;
  }

  set(patch: Partial<AppState>): void {
    const changed = new Set(Object.keys(patch) as (keyof AppState)[]);
    this.current = { ...this.current, ...patch };
    for (const l of this.listeners) l(this.current, changed);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Newest first, no duplicate seq, at most MAX_EVENTS. */
export function addEvent(events: readonly EventView[], event: EventView): EventView[] {
  if (events.some((e) => e.seq === event.seq)) return [...events];
  return [event, ...events].sort((a, b) => b.seq - a.seq).slice(0, MAX_EVENTS);
}
