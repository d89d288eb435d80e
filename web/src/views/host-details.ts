// The details pane of the selected host: its action buttons, then the General tab (hardware, OS,
// versions, hypervisor facts, indicators, the last hour's CPU and memory) and the Network interfaces tab (with an Edit per NIC).
import type { IndicatorName } from '../../../src/contract/common.ts';
import type { HostNic, HostView } from '../../../src/contract/host.contract.ts';
import type { Subnet } from '../../../src/contract/subnet.contract.ts';
import { openNicDialog } from '../dialogs/host-dialogs.ts';
import type { DetailsTab } from '../state/store.ts';
import { h } from '../ui/dom.ts';
import { formatDateTime, formatMiB, indicatorTitle } from '../ui/format.ts';
import { indicatorDot, stateBadge } from '../ui/status.ts';
import { usageCharts } from '../ui/usage-chart.ts';
import { actionButton, hostToolbar, type ActionContext } from './host-actions.ts';

export interface DetailsContext extends ActionContext {
  tab: DetailsTab;
  setTab(tab: DetailsTab): void;
  subnets(): Promise<Subnet[]>;
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

function facts(rows: Array<[string, Node | string]>): HTMLElement {
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function section(title: string, body: HTMLElement): HTMLElement {
  return h('section', { class: 'card' }, h('h3', {}, title), body);
}

function generalTab(host: HostView): HTMLElement {
  const hw = host.hardware;
  const hv = host.hypervisor;
  const unknown = 'not reported yet';
  // The circle, its word, and for a red one the reason in full (the failing check and its error).
  const indicator = (label: string, name: IndicatorName) => {
    const value = host.indicators[name];
    const reason = host.indicators.reasons[name];
    return h(
      'span',
      { class: 'indicator' },
      indicatorDot(label, value, reason),
      ' ',
      indicatorTitle(label, value).split(': ')[1] ?? '',
      ...(reason ? [h('span', { class: 'indicator-reason', 'data-testid': `reason-${name}` }, reason)] : []),
    );
  };
  return h(
    'div',
    { class: 'general', 'data-testid': 'general-tab' },
    section(
      'Host',
      facts([
        ['Name', host.name],
        ['Purpose', host.purpose],
        ['State', stateBadge(host.state)],
        ['Address', `${host.address}:${host.port}`],
        ...(host.purpose === 'processing'
          ? ([
              ['Storage location', host.storageLocation ?? '—'],
              ['Service pool', host.servicePool ?? '—'],
            ] as Array<[string, string]>)
          : []),
        ['Syslog forwarding', host.syslog.enabled ? `to ${host.syslog.address ?? '?'}` : 'off'],
        ['Added', formatDateTime(host.createdAt)],
        ['Last seen', formatDateTime(host.lastSeenAt)],
      ]),
    ),
    section(
      'Status',
      facts([
        ['Connection', indicator('Connection', 'connection')],
        ['Connector', indicator('Connector', 'connector')],
        ['Storage', indicator('Storage', 'storage')],
        ['Guests', String(host.guests)],
        ['CPU allocated', `${host.cpu.allocated} / ${host.cpu.total}`],
        ['Memory allocated', `${formatMiB(host.memoryMiB.allocated)} / ${formatMiB(host.memoryMiB.total)}`],
      ]),
    ),
    section('Usage, last hour', usageCharts(host.name, host.memoryMiB.total)),
    section(
      'Hardware and software',
      facts([
        ['CPU', hw ? `${hw.cpuModel} × ${host.cpu.total}` : unknown],
        ['Memory', formatMiB(host.memoryMiB.total)],
        ['Architecture', hw?.arch ?? unknown],
        ['OS', hw?.os ?? unknown],
        ['Kernel', hw?.kernel ?? unknown],
        ['Connector', h('span', {}, host.agentVersion ?? unknown, host.updateAvailable ? h('span', { class: 'update-note' }, ' — update available') : null)],
      ]),
    ),
    section(
      'Hypervisor',
      hv
        ? facts([
            ['QEMU', hv.qemuVersion ?? 'not installed'],
            ['KVM usable', yesNo(hv.kvmUsable)],
            ['LXC', hv.lxcVersion ?? 'not installed'],
            ['tgt (iSCSI target)', yesNo(hv.tgtPresent)],
          ])
        : h('p', { class: 'empty' }, unknown),
    ),
  );
}

function nicsTab(host: HostView, ctx: DetailsContext): HTMLElement {
  if (host.nics.length === 0) return h('p', { class: 'empty' }, 'The connector has not reported any network interface yet.');
  const edit = (nic: HostNic) => () => {
    void ctx.subnets().then((subnets) => openNicDialog(host, nic, subnets, ctx.refresh));
  };
  const rows = host.nics.map((nic) =>
    h(
      'tr',
      { 'data-nic': nic.name },
      h('td', { class: 'name' }, nic.name),
      h('td', {}, nic.subnet ?? '—'),
      h('td', {}, nic.ip ?? '—'),
      h('td', {}, nic.netmask ?? '—'),
      h('td', { class: 'mono' }, nic.mac),
      h('td', {}, h('span', { class: `link ${nic.linkUp ? 'up' : 'down'}` }, nic.linkUp ? 'up' : 'down')),
      h('td', {}, actionButton(host, 'edit-nic', 'Edit', edit(nic), 'small')),
    ),
  );
  const table = h(
    'table',
    { class: 'nics', 'data-testid': 'nics-tab' },
    h('thead', {}, h('tr', {}, ...['Name', 'Logical subnet', 'IP address', 'Netmask', 'MAC', 'Link', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
  );
  // Scrolls on its own, so a wide table never pushes the host's name and buttons out of view.
  return h('div', { class: 'table-scroll' }, table);
}

export function hostDetails(host: HostView | null, ctx: DetailsContext): HTMLElement {
  if (!host) return h('div', { class: 'placeholder' }, 'Select a host to see its details and actions.');
  const tab = (id: DetailsTab, label: string) =>
    h(
      'button',
      { type: 'button', role: 'tab', class: `tab ${ctx.tab === id ? 'active' : ''}`, 'aria-selected': String(ctx.tab === id), onclick: () => ctx.setTab(id) },
      label,
    );
  return h(
    'div',
    { class: 'details', 'data-testid': 'host-details', 'data-host-id': host.id },
    h('header', { class: 'details-head' }, h('h2', {}, host.name, ' ', stateBadge(host.state)), hostToolbar(host, ctx)),
    h('div', { class: 'tabs', role: 'tablist' }, tab('general', 'General'), tab('nics', 'Network interfaces')),
    ctx.tab === 'general' ? generalTab(host) : nicsTab(host, ctx),
  );
}
