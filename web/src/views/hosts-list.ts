// The host list pane, as `onehost list`: id, name, purpose, state, guests, allocated/total CPU and
// memory, the three indicators, and the "update available" marker. Clicking a row selects the host.
import { hostPurpose, hostState, type HostSummary } from '../../../src/contract/host.contract.ts';
import type { HostsFilter } from '../state/list-paging.ts';
import { h } from '../ui/dom.ts';
import { formatAllocation, formatMiB } from '../ui/format.ts';
import { indicatorDots, stateBadge } from '../ui/status.ts';
import { filterChoice } from './list-toolbar.ts';

export function hostsTable(hosts: readonly HostSummary[], selectedId: number | null, onSelect: (id: number) => void, filtered = false): HTMLElement {
  if (hosts.length === 0)
    return h('p', { class: 'empty' }, filtered ? 'No host matches these filters.' : 'No hosts yet. Use "Add host" to bring in the first one.');
  const head = h('thead', {}, h('tr', {}, ...['ID', 'Name', 'Purpose', 'State', 'Guests', 'CPU', 'Memory', 'Status'].map((c) => h('th', { scope: 'col' }, c))));
  const rows = hosts.map((host) => {
    const row = h(
      'tr',
      {
        class: host.id === selectedId ? 'selected' : '',
        'data-host-id': host.id,
        'data-host-name': host.name,
        tabindex: 0,
        'aria-selected': String(host.id === selectedId),
      },
      h('td', { class: 'num' }, host.id),
      h(
        'td',
        { class: 'name' },
        host.name,
        host.updateAvailable
          ? h(
              'span',
              { class: 'update-mark', title: `Connector update available (running ${host.agentVersion ?? '?'})`, 'data-testid': 'update-available' },
              '?',
            )
          : null,
      ),
      h('td', {}, host.purpose),
      h('td', {}, stateBadge(host.state)),
      h('td', { class: 'num' }, host.guests),
      h('td', { class: 'num' }, formatAllocation(host.cpu.allocated, host.cpu.total)),
      h('td', { class: 'num' }, formatAllocation(host.memoryMiB.allocated, host.memoryMiB.total, formatMiB)),
      h('td', {}, indicatorDots(host.indicators)),
    );
    row.addEventListener('click', () => onSelect(host.id));
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') onSelect(host.id);
    });
    return row;
  });
  return h('table', { class: 'hosts', 'data-testid': 'hosts-table' }, head, h('tbody', {}, ...rows));
}

/** The state and purpose filters; a change goes back to the first page. */
export function hostsFilters(f: HostsFilter, set: (f: HostsFilter) => void): HTMLElement[] {
  return [
    filterChoice('State', 'hosts-state-filter', hostState.options, f.state, (state) => set({ ...f, state, page: 0 })),
    filterChoice('Purpose', 'hosts-purpose-filter', hostPurpose.options, f.purpose, (purpose) => set({ ...f, purpose, page: 0 })),
  ];
}
