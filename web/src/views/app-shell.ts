// The logged-in page: header, the hosts view (list pane + details pane), and the bottom panel with
// the system log and live events. Panes re-render from the state whenever it changes.
import type { HostView } from '../../../src/contract/host.contract.ts';
import { api, session } from '../api/api-client.ts';
import { openAddHostDialog } from '../dialogs/add-host-dialog.ts';
import type { ClusterSync } from '../state/cluster-sync.ts';
import type { AccessSync } from '../state/access-sync.ts';
import { canRead, rights } from '../state/rights.ts';
import { verdictButton } from '../ui/verdict-button.ts';
import { accessPane } from './access-view.ts';
import { auditPane } from './audit-view.ts';
import type { AppState, Store, View } from '../state/store.ts';
import type { Sync } from '../state/sync.ts';
import { h } from '../ui/dom.ts';
import { logo } from '../ui/logo.ts';
import { eventsPanel, tasksPanel } from './activity-panels.ts';
import { guestsFilters, guestsPager, guestsTable } from './guests-view.ts';
import { firstGuestsPage, hostsPage } from '../state/list-paging.ts';
import { haPane } from './ha-view.ts';
import { clusterPane } from './cluster-view.ts';
import { noQuorumBannerText } from '../ui/quorum.ts';
import { hostDetails } from './host-details.ts';
import { hostsFilters, hostsTable } from './hosts-list.ts';
import { slicedPager } from './list-toolbar.ts';

/** Replaces a scrolling pane's content without making it jump back to the top. */
function renderInto(pane: HTMLElement, content: Node): void {
  const top = pane.scrollTop;
  pane.replaceChildren(content);
  pane.scrollTop = top;
}

/** Each view, its label, and whether the caller may read what it shows (the API would answer 403). */
const VIEWS: ReadonlyArray<[View, string, () => boolean]> = [
  ['hosts', 'Hosts', canRead.hosts],
  ['guests', 'Guests', canRead.guests],
  ['ha', 'HA', canRead.cluster],
  ['cluster', 'Cluster', canRead.cluster],
  ['access', 'Access', () => true], // everybody manages their own API tokens there
  ['audit', 'Audit', canRead.activity],
];

/** A full-width pane with its title; the view's content goes in `body`. */
function widePane(title: string, body: HTMLElement, ...above: HTMLElement[]): HTMLElement {
  return h('section', { class: 'pane wide-pane', 'aria-label': title, hidden: true }, h('header', { class: 'pane-head' }, h('h2', {}, title)), ...above, body);
}

export interface Syncs {
  sync: Sync;
  cluster?: ClusterSync;
  access?: AccessSync;
}

export function appShell(store: Store, syncs: Syncs, onLogout: () => void): HTMLElement {
  const { sync, cluster, access } = syncs;
  const expandedTasks = new Set<string>();
  const views = VIEWS.filter(([, , readable]) => readable());
  const viewOfHash = (hash: string): View => views.find(([v]) => `#${v}` === hash)?.[0] ?? views[0]?.[0] ?? 'access';

  const banner = h('div', { class: 'banner', role: 'alert', hidden: true });
  // Not dismissable: it goes when the majority is back.
  const quorumBanner = h('div', { class: 'banner quorum', role: 'alert', hidden: true, 'data-testid': 'quorum-banner' });
  const live = h('span', { class: 'live', title: 'Live events' });
  const listPane = h('div', { class: 'pane-scroll' });
  const detailsPane = h('section', { class: 'pane details-pane', 'aria-label': 'Host details' });
  const bottomBody = h('div', { class: 'pane-scroll' });
  // The guests and HA views take the place of the hosts list and details; the activity pane stays.
  const guestsBody = h('div', { class: 'pane-scroll' });
  const guestsFilterBar = h('div', { class: 'toolbar list-toolbar' });
  const guestsPagerBar = h('div', { class: 'list-pager' });
  const guestsSection = widePane('Guests', guestsBody, guestsFilterBar, guestsPagerBar);
  const hostsFilterBar = h('div', { class: 'toolbar list-toolbar' });
  const hostsPagerBar = h('div', { class: 'list-pager' });
  const haBody = h('div', { class: 'pane-scroll' });
  const haSection = widePane('High availability', haBody);
  const clusterBody = h('div', { class: 'pane-scroll' });
  const clusterSection = widePane('Cluster', clusterBody);
  const accessBody = h('div', { class: 'pane-scroll' });
  const accessSection = widePane('Access', accessBody);
  const auditBody = h('div', { class: 'pane-scroll' });
  const auditSection = widePane('Audit log', auditBody);
  const navLinks = views.map(([view, label]) => h('a', { href: `#${view}`, 'data-view': view }, label));
  const onHash = (): void => store.set({ view: viewOfHash(location.hash) });
  window.onhashchange = onHash; // one shell at a time: a new login replaces the old handler
  const movesChanged = (): void => {
    sync.refreshHosts();
    sync.refreshTasks();
    cluster?.refreshAll();
  };
  const tasksTab = h('button', { type: 'button', role: 'tab', class: 'tab', onclick: () => store.set({ bottomTab: 'tasks' }) }, 'System log');
  const eventsTab = h('button', { type: 'button', role: 'tab', class: 'tab', onclick: () => store.set({ bottomTab: 'events' }) }, 'Events');

  const selectAfterAdd = (host: HostView): void => {
    void sync.loadHosts().then(() => sync.select(host.id));
  };
  const addButton = verdictButton({
    action: 'add-host',
    testId: 'add-host',
    label: '+ Add host',
    cls: 'primary',
    verdict: rights.may('Sys.Modify', '/hosts'),
    onClick: () =>
      openAddHostDialog(
        store.state.hosts.map((x) => x.name),
        selectAfterAdd,
      ),
  });
  const listSection = h(
    'section',
    { class: 'pane list-pane', 'aria-label': 'Hosts' },
    h('header', { class: 'pane-head' }, h('h2', {}, 'Hosts'), addButton),
    hostsFilterBar,
    hostsPagerBar,
    listPane,
  );

  const logout = h('button', { type: 'button', class: 'link-button' }, 'Log out');
  logout.addEventListener('click', () => {
    void api
      .logout()
      .catch(() => undefined)
      .finally(() => {
        session.clear();
        onLogout();
      });
  });

  const render = (s: AppState, changed?: ReadonlySet<keyof AppState>): void => {
    // Only the panes whose data changed are redrawn: a tooltip being read or a scrolled table
    // elsewhere stays as it is.
    const any = (...keys: (keyof AppState)[]): boolean => !changed || keys.some((k) => changed.has(k));
    banner.hidden = s.banner === null && s.hostsError === null;
    banner.replaceChildren(
      s.hostsError ?? s.banner ?? '',
      h('button', { type: 'button', class: 'link-button', onclick: () => store.set({ banner: null, hostsError: null }) }, 'Dismiss'),
    );
    const noQuorum = noQuorumBannerText(s.controlPlane);
    quorumBanner.hidden = noQuorum === undefined;
    quorumBanner.textContent = noQuorum ?? '';
    live.className = `live ${s.live ? 'on' : 'off'}`;
    live.title = s.live ? 'Live: events stream connected' : 'Events stream disconnected; reconnecting';
    live.textContent = s.live ? 'live' : 'offline';
    // Filters are redrawn only when they change (not while a choice is being made), the pager and
    // the table with the list.
    if (any('hostsFilter')) hostsFilterBar.replaceChildren(...hostsFilters(s.hostsFilter, (hostsFilter) => store.set({ hostsFilter })));
    if (any('hosts', 'selectedId', 'hostsFilter')) {
      const page = hostsPage(s.hosts, s.hostsFilter);
      const filtered = s.hostsFilter.state !== undefined || s.hostsFilter.purpose !== undefined;
      renderInto(
        listPane,
        hostsTable(page.items, s.selectedId, (id) => void sync.select(id), filtered),
      );
      hostsPagerBar.replaceChildren(slicedPager('hosts-pager', page, (p) => store.set({ hostsFilter: { ...store.state.hostsFilter, page: p } })));
    }
    if (any('view')) {
      for (const a of navLinks) a.classList.toggle('active', a.dataset['view'] === s.view);
      listSection.hidden = detailsPane.hidden = s.view !== 'hosts';
      guestsSection.hidden = s.view !== 'guests';
      haSection.hidden = s.view !== 'ha';
      clusterSection.hidden = s.view !== 'cluster';
      accessSection.hidden = s.view !== 'access';
      auditSection.hidden = s.view !== 'audit';
      document.title = `Grappe — ${VIEWS.find(([v]) => v === s.view)?.[1] ?? 'Hosts'}`;
    }
    if (any('guestsPaging'))
      guestsFilterBar.replaceChildren(
        ...guestsFilters(
          s.guestsPaging.filter,
          s.hosts.map((x) => x.name),
          (filter) => store.set({ guestsPaging: firstGuestsPage(filter) }),
        ),
      );
    if (any('guestsPaging', 'guestsNext'))
      guestsPagerBar.replaceChildren(guestsPager(s.guestsPaging, s.guestsNext, (guestsPaging) => store.set({ guestsPaging })));
    if (any('guests', 'guestsError', 'hosts')) {
      const filtered = s.guestsPaging.filter.state !== undefined || s.guestsPaging.filter.host !== undefined;
      renderInto(
        guestsBody,
        s.guestsError && s.guests.length === 0 ? h('p', { class: 'dialog-error' }, s.guestsError) : guestsTable(s.guests, s.hosts, movesChanged, filtered),
      );
    }
    if (any('ha', 'haError', 'haPages'))
      renderInto(
        haBody,
        haPane(s.ha, s.haError, movesChanged, s.haPages, (haPages) => store.set({ haPages })),
      );
    if (any('controlPlane', 'controlPlaneError')) renderInto(clusterBody, clusterPane(s.controlPlane, s.controlPlaneError));
    if (any('access', 'accessError'))
      renderInto(
        accessBody,
        accessPane(s.access, s.accessError, () => access?.refreshAccess()),
      );
    if (any('audit', 'auditError', 'auditFilter'))
      renderInto(
        auditBody,
        auditPane(s.audit, s.auditError, s.auditFilter, (auditFilter) => store.set({ auditFilter })),
      );
    if (any('selected', 'detailsTab', 'evacuations', 'hosts')) {
      const details = hostDetails(s.selected, {
        tab: s.detailsTab,
        setTab: (detailsTab) => store.set({ detailsTab }),
        refresh: () => sync.refreshHosts(),
        showTasks: () => store.set({ bottomTab: 'tasks' }),
        subnets: () => api.subnets(), // fresh each time: CIDRs are editable
        ...(cluster ? { moves: { hosts: s.hosts, evacuations: s.evacuations, changed: movesChanged } } : {}),
      });
      renderInto(detailsPane, details);
    }
    tasksTab.classList.toggle('active', s.bottomTab === 'tasks');
    eventsTab.classList.toggle('active', s.bottomTab === 'events');
    const toggle = (id: string): void => {
      if (!expandedTasks.delete(id)) expandedTasks.add(id);
      render(store.state, new Set(['tasks']));
    };
    if (any('tasks', 'events', 'bottomTab')) {
      renderInto(bottomBody, s.bottomTab === 'tasks' ? tasksPanel(s.tasks, expandedTasks, toggle) : eventsPanel(s.events));
    }
  };
  store.subscribe(render);
  render(store.state);
  onHash();

  return h(
    'div',
    { class: 'app' },
    h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, logo(), 'Grappe'),
      h('nav', {}, ...navLinks),
      h('div', { class: 'spacer' }),
      live,
      h('span', { class: 'user' }, session.user() ?? ''),
      logout,
    ),
    quorumBanner,
    banner,
    h(
      'main',
      { class: 'workspace' },
      listSection,
      detailsPane,
      guestsSection,
      haSection,
      clusterSection,
      accessSection,
      auditSection,
      // Tasks and events need Sys.Audit on '/'.
      canRead.activity()
        ? h('section', { class: 'pane bottom-pane', 'aria-label': 'Activity' }, h('div', { class: 'tabs', role: 'tablist' }, tasksTab, eventsTab), bottomBody)
        : null,
    ),
  );
}
