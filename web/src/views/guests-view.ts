// The guests pane: every VM and container with its state and host, and its Migrate action — disabled
// with the reason when the caller may not or the guest cannot move; otherwise it opens the dry-run plan first.
import { guestRunState, type GuestView } from '../../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../../src/contract/host.contract.ts';
import { openMigrateDialog } from '../dialogs/migrate-dialog.ts';
import { h } from '../ui/dom.ts';
import { formatMiB } from '../ui/format.ts';
import { migrateVerdict } from '../ui/move-verdicts.ts';
import { verdictButton } from '../ui/verdict-button.ts';
import { firstRefusal, rights } from '../state/rights.ts';
import { guestsPageNumber, nextGuestsPage, PAGE_SIZE, previousGuestsPage, type GuestsFilter, type GuestsPaging } from '../state/list-paging.ts';
import { filterChoice, pager } from './list-toolbar.ts';

const stateTag = (state: string): HTMLElement => h('span', { class: `badge guest-${state}`, 'data-testid': 'guest-state' }, state);

export function guestsTable(guests: readonly GuestView[], hosts: readonly HostSummary[], changed: () => void, filtered = false): HTMLElement {
  if (guests.length === 0)
    return h('p', { class: 'empty' }, filtered ? 'No guest matches these filters.' : 'No guests yet. Create them with `grappe guest create`.');
  const head = h('thead', {}, h('tr', {}, ...['ID', 'Name', 'Kind', 'State', 'Host', 'vCPUs', 'Memory', ''].map((c) => h('th', { scope: 'col' }, c))));
  const rows = guests.map((g) => {
    const migrate = verdictButton({
      action: 'migrate',
      label: 'Migrate',
      cls: 'small',
      title: `Migrate ${g.id} to another host`,
      verdict: firstRefusal(rights.may('VM.Migrate', `/guests/${g.id}`), migrateVerdict(g, hosts)),
      onClick: () => openMigrateDialog(g, hosts, changed),
    });
    return h(
      'tr',
      { 'data-guest-id': g.id, 'data-guest-name': g.name },
      h('td', { class: 'mono' }, g.id),
      h('td', { class: 'name' }, g.name),
      h('td', {}, g.kind === 'vm' ? 'VM' : 'container'),
      h('td', {}, stateTag(g.state), g.live ? null : h('span', { class: 'muted', title: 'Its host did not answer: the last recorded state' }, ' (recorded)')),
      h('td', { 'data-testid': 'guest-host' }, g.host.name),
      h('td', { class: 'num' }, g.vcpus),
      h('td', { class: 'num' }, formatMiB(g.memoryMiB)),
      h('td', {}, migrate),
    );
  });
  return h('div', { class: 'table-scroll' }, h('table', { class: 'guests', 'data-testid': 'guests-table' }, head, h('tbody', {}, ...rows)));
}

/** The state filter, and the host one (a name, picked from the hosts or typed); a change goes back to the first page. */
export function guestsFilters(f: GuestsFilter, hostNames: readonly string[], set: (f: GuestsFilter) => void): HTMLElement[] {
  const host = h('input', {
    type: 'search',
    list: 'guests-host-names',
    value: f.host ?? '',
    placeholder: 'host: any',
    'aria-label': 'Host',
    'data-testid': 'guests-host-filter',
  });
  host.addEventListener('change', () => set({ ...f, host: host.value.trim() === '' ? undefined : host.value.trim() }));
  return [
    filterChoice('State', 'guests-state-filter', guestRunState.options, f.state, (state) => set({ ...f, state })),
    host,
    h('datalist', { id: 'guests-host-names' }, ...hostNames.map((n) => h('option', { value: n }))),
  ];
}

/** "page 2", with Previous and Next from the cursors the controller gave. */
export function guestsPager(p: GuestsPaging, next: number | null, set: (p: GuestsPaging) => void): HTMLElement {
  return pager('guests-pager', {
    label: `page ${guestsPageNumber(p)} (${PAGE_SIZE} guests a page)`,
    previous: guestsPageNumber(p) > 1 ? () => set(previousGuestsPage(p)) : undefined,
    next: next !== null ? () => set(nextGuestsPage(p, next)) : undefined,
  });
}
