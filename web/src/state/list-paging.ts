// Where the panes are in their lists. Guests come from the controller a page at a time (25,000 of
// them, each with its live state, are not one answer to poll); hosts come whole (one cached answer,
// and the dialogs need them all), as do the HA view's tables with its status: those are cut in pages
// here, so a table never has thousands of rows.
import type { GuestRunState } from '../../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../../src/contract/host.contract.ts';

export const PAGE_SIZE = 100;

export interface GuestsFilter {
  readonly state?: GuestRunState | undefined;
  /** A host's name. */
  readonly host?: string | undefined;
}

/** The guests pane's place: its filter, and the cursor of each page shown so far (the last is the current one's). */
export interface GuestsPaging {
  readonly filter: GuestsFilter;
  readonly cursors: readonly (number | undefined)[];
}

export const firstGuestsPage = (filter: GuestsFilter = {}): GuestsPaging => ({ filter, cursors: [undefined] });

export function guestsPagePath(p: GuestsPaging, size = PAGE_SIZE): string {
  const q = new URLSearchParams({ limit: String(size) });
  if (p.filter.state !== undefined) q.set('state', p.filter.state);
  if (p.filter.host !== undefined) q.set('host', p.filter.host);
  const cursor = p.cursors[p.cursors.length - 1];
  if (cursor !== undefined) q.set('cursor', String(cursor));
  return `/guests?${q.toString()}`;
}

/** The page after, from the cursor the controller gave with this one (null: this is the last). */
export const nextGuestsPage = (p: GuestsPaging, next: number | null): GuestsPaging => (next === null ? p : { ...p, cursors: [...p.cursors, next] });

export const previousGuestsPage = (p: GuestsPaging): GuestsPaging => (p.cursors.length <= 1 ? p : { ...p, cursors: p.cursors.slice(0, -1) });

/** 1-based number of the page shown. */
export const guestsPageNumber = (p: GuestsPaging): number => p.cursors.length;

export interface HostsFilter {
  readonly state?: HostSummary['state'] | undefined;
  readonly purpose?: HostSummary['purpose'] | undefined;
  /** 0-based. */
  readonly page: number;
}

/** A page cut here: its items, how many match in all, its number (0-based, within the pages there are). */
export interface SlicedPage<T> {
  readonly items: readonly T[];
  readonly matching: number;
  readonly page: number;
  readonly pages: number;
}

export type HostsPage = SlicedPage<HostSummary>;

/** Page `page` (0-based) of a list held whole; a page past the end (items removed, filter narrowed) shows the last. */
export function slicePage<T>(items: readonly T[], page: number, size = PAGE_SIZE): SlicedPage<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const shown = Math.min(Math.max(0, page), pages - 1);
  return { items: items.slice(shown * size, (shown + 1) * size), matching: items.length, page: shown, pages };
}

export function hostsPage(hosts: readonly HostSummary[], f: HostsFilter, size = PAGE_SIZE): HostsPage {
  const matching =
    f.state === undefined && f.purpose === undefined
      ? hosts
      : hosts.filter((h) => (f.state === undefined || h.state === f.state) && (f.purpose === undefined || h.purpose === f.purpose));
  return slicePage(matching, f.page, size);
}

/** Which page of each table the HA view shows (0-based): at scale, 2,500 hosts and 25,000 guests. */
export interface HaPages {
  readonly hosts: number;
  readonly guests: number;
}
