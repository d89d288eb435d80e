// The HA pane: the pool (enabled, heartbeat volume, host failures tolerated now vs configured,
// over-commit, storm guard, health), each host's network and storage heartbeat health, the protected
// guests with their plans, and the recent HA alerts and events. Enable and Disable ask first.
import type { HaStatus } from '../../../src/contract/ha.contract.ts';
import { clusterApi } from '../api/cluster-api.ts';
import { confirmDialog, field, openDialog } from '../dialogs/dialog.ts';
import { h } from '../ui/dom.ts';
import { formatDateTime } from '../ui/format.ts';
import { agoText, toleranceShort, toleranceText } from '../ui/move-format.ts';
import { verdictButton } from '../ui/verdict-button.ts';
import { firstRefusal, rights } from '../state/rights.ts';
import { slicePage, type HaPages } from '../state/list-paging.ts';
import { slicedPager } from './list-toolbar.ts';

type HaHost = HaStatus['hosts'][number];

function facts(rows: Array<[string, Node | string]>): HTMLElement {
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

const health = (label: string, healthy: boolean, detail: string, testId: string): HTMLElement =>
  h(
    'span',
    { class: 'indicator', 'data-testid': testId, 'data-healthy': String(healthy) },
    h('span', { class: `dot ${healthy ? 'green' : 'red'}`, title: `${label}: ${healthy ? 'healthy' : 'failing'}` }),
    ' ',
    detail,
  );

function poolCard(s: HaStatus): HTMLElement {
  const short = toleranceShort(s.pool);
  return h(
    'section',
    { class: 'card', 'data-testid': 'ha-pool' },
    h('h3', {}, 'Pool'),
    facts([
      ['HA', h('span', { 'data-testid': 'ha-enabled' }, s.enabled ? 'enabled' : 'disabled')],
      ['Heartbeat volume', s.heartbeatVolume ?? '—'],
      ['Host failures tolerated', h('span', { class: short ? 'warn' : '', 'data-testid': 'ha-tolerance' }, toleranceText(s.pool))],
      ['Over-committed', s.pool.overCommitted ? h('span', { class: 'warn' }, 'yes: the plans need more than the pool can restart') : 'no'],
      ['Fencing-storm guard', s.pool.stormGuard ? h('span', { class: 'warn' }, 'holding: nothing is fenced') : 'off'],
      ['Health', s.pool.unhealthy ? h('span', { class: 'warn', 'data-testid': 'ha-unhealthy' }, s.pool.unhealthy) : 'healthy'],
    ]),
  );
}

function storageDetail(x: HaHost): string {
  const parts = [agoText(x.storage.lastWriteAgoMs)];
  if (x.storage.selfFenced) parts.push('self-fenced');
  if (x.storage.error) parts.push(x.storage.error);
  return parts.join(' · ');
}

function hostsTable(s: HaStatus, page: number, goTo: (page: number) => void): HTMLElement {
  if (s.hosts.length === 0) {
    return h(
      'p',
      { class: 'empty' },
      s.enabled
        ? 'No processing host is watched.'
        : 'HA is disabled: once enabled, every UP processing host sends network heartbeats and writes its storage heartbeat slot.',
    );
  }
  const head = h(
    'thead',
    {},
    h('tr', {}, ...['Host', 'HA state', 'Network heartbeat', 'Storage heartbeat', 'Watchdog', 'Fence agent'].map((c) => h('th', { scope: 'col' }, c))),
  );
  const shown = slicePage(s.hosts, page);
  const rows = shown.items.map((x) =>
    h(
      'tr',
      { 'data-ha-host': x.name },
      h('td', { class: 'name' }, x.name),
      h('td', {}, x.haState ?? '—'),
      h('td', {}, health('Network heartbeat', x.network.healthy, agoText(x.network.lastHeartbeatAgoMs), 'net-heartbeat')),
      h('td', {}, health('Storage heartbeat', x.storage.healthy, storageDetail(x), 'storage-heartbeat')),
      h('td', {}, x.watchdog ?? '—'),
      h('td', {}, x.fenceAgent ? 'configured' : 'none'),
    ),
  );
  return h(
    'div',
    {},
    slicedPager('ha-hosts-pager', shown, goTo),
    h('div', { class: 'table-scroll' }, h('table', { 'data-testid': 'ha-hosts' }, head, h('tbody', {}, ...rows))),
  );
}

function guestsTable(s: HaStatus, page: number, goTo: (page: number) => void): HTMLElement {
  if (s.guests.length === 0) return h('p', { class: 'empty' }, 'No guest has an HA plan (grappe ha set vm:100 --restart always).');
  const head = h('thead', {}, h('tr', {}, ...['Guest', 'Name', 'Restart', 'Order', 'Delay', 'HA state', 'Host'].map((c) => h('th', { scope: 'col' }, c))));
  const shown = slicePage(s.guests, page);
  const rows = shown.items.map((g) =>
    h(
      'tr',
      { 'data-ha-guest': g.id },
      h('td', { class: 'mono' }, g.id),
      h('td', { class: 'name' }, g.name),
      h('td', {}, g.plan.restart),
      h('td', { class: 'num' }, g.plan.order),
      h('td', { class: 'num' }, `${g.plan.delay} s`),
      h('td', {}, g.haState ?? '—'),
      h('td', {}, g.host ?? '—'),
    ),
  );
  return h(
    'div',
    {},
    slicedPager('ha-guests-pager', shown, goTo),
    h('div', { class: 'table-scroll' }, h('table', { 'data-testid': 'ha-guests' }, head, h('tbody', {}, ...rows))),
  );
}

function alertsList(s: HaStatus): HTMLElement {
  if (s.events.length === 0) return h('p', { class: 'empty' }, 'No HA alert or event yet.');
  return h(
    'ul',
    { class: 'events', 'data-testid': 'ha-events' },
    ...s.events.map((e) =>
      h(
        'li',
        { class: `event ${e.severity}`, 'data-type': e.type },
        h('span', { class: 'time' }, formatDateTime(e.at)),
        h('span', { class: 'event-type' }, e.type),
        h('span', { class: 'event-message' }, e.message),
      ),
    ),
  );
}

function openEnableDialog(s: HaStatus, changed: () => void): void {
  const volume = h('input', {
    name: 'heartbeatVolume',
    required: true,
    placeholder: 'a shared iSCSI volume of at least 356 MiB',
    value: s.heartbeatVolume ?? '',
  });
  const tolerate = h('input', { name: 'failuresToTolerate', type: 'number', min: 0, value: s.settings.failuresToTolerate, required: true });
  openDialog({
    title: 'Enable HA',
    testId: 'ha-enable-dialog',
    body: h('div', { class: 'form' }, field('Heartbeat volume', volume), field('Host failures to tolerate', tolerate)),
    primary: {
      label: 'Enable',
      run: async () => {
        await clusterApi.haEnable(volume.value.trim(), Number(tolerate.value));
        changed();
        return true;
      },
    },
  });
}

export function haPane(s: HaStatus | null, error: string | null, changed: () => void, pages: HaPages, setPages: (p: HaPages) => void): HTMLElement {
  if (!s) return h('p', { class: 'empty', 'data-testid': 'ha-error' }, error ?? 'Loading the HA status…');
  const mayChange = rights.may('Sys.Modify', '/cluster');
  const enable = verdictButton({
    action: 'ha-enable',
    label: 'Enable HA',
    cls: 'primary',
    verdict: firstRefusal(mayChange, s.enabled ? { allowed: false, reason: 'HA is already enabled' } : { allowed: true }),
    onClick: () => openEnableDialog(s, changed),
  });
  const disable = verdictButton({
    action: 'ha-disable',
    label: 'Disable HA',
    cls: 'danger',
    verdict: firstRefusal(mayChange, s.enabled ? { allowed: true } : { allowed: false, reason: 'HA is not enabled' }),
    onClick: () =>
      confirmDialog('Disable HA', 'Disable HA? Failed hosts\u2019 guests will no longer be restarted elsewhere.', async () => {
        await clusterApi.haDisable();
        changed();
      }),
  });
  return h(
    'div',
    { class: 'ha', 'data-testid': 'ha-view' },
    error ? h('p', { class: 'dialog-error' }, error) : null,
    h('div', { class: 'toolbar' }, enable, disable),
    h('div', { class: 'general' }, poolCard(s), h('section', { class: 'card ha-alerts' }, h('h3', {}, 'Alerts and events'), alertsList(s))),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, 'Hosts: heartbeats'),
      hostsTable(s, pages.hosts, (hosts) => setPages({ ...pages, hosts })),
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', {}, 'Protected guests'),
      guestsTable(s, pages.guests, (guests) => setPages({ ...pages, guests })),
    ),
  );
}
