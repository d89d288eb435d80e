// Host list (`onehost list` style) and host details. Pure: views in, text out.
import type { HostNic, HostSummary, HostView } from '../../contract/host.contract.ts';
import { INDICATOR_NAMES, type IndicatorName } from '../../contract/common.ts';
import { paint } from './ansi.ts';
import { describeIndicator, renderIndicator } from './indicators.ts';
import { renderFields, renderTable } from './table.ts';
import { allocOf, formatMiB } from './units.ts';

export const UPDATE_AVAILABLE = 'update available';

export function renderHostList(hosts: readonly HostSummary[], color: boolean): string {
  if (hosts.length === 0) return 'No hosts yet. Add one with: grappe host add --purpose processing --address IP\n';
  const rows = hosts.map((h) => [
    String(h.id),
    h.name,
    h.purpose,
    renderState(h.state, color),
    String(h.guests),
    allocOf(fmtCpu(h.cpu.allocated), fmtCpu(h.cpu.total), h.cpu.total > 0),
    allocOf(formatMiB(h.memoryMiB.allocated), formatMiB(h.memoryMiB.total), h.memoryMiB.total > 0),
    renderIndicator(h.indicators.connection, color),
    renderIndicator(h.indicators.connector, color),
    renderIndicator(h.indicators.storage, color),
    shortWhy(h.indicators),
    h.updateAvailable ? paint(color, 'yellow', UPDATE_AVAILABLE) : '',
  ]);
  return renderTable(
    [
      { header: 'ID', align: 'right' },
      { header: 'NAME' },
      { header: 'PURPOSE' },
      { header: 'STATE' },
      { header: 'GUESTS', align: 'right' },
      { header: 'ALLOC/TOTAL CPU', align: 'right' },
      { header: 'ALLOC/TOTAL MEM', align: 'right' },
      { header: 'CONN' },
      { header: 'AGENT' },
      { header: 'STOR' },
      { header: hosts.some((h) => shortWhy(h.indicators) !== '') ? 'WHY' : '' },
      { header: '' },
    ],
    rows,
  );
}

const SHORT_WHY_CHARS = 60;

/**
 * The list's short column: the first red indicator and, when a fix is known, just the fix (the
 * part after " — "); otherwise the start of the reason. `grappe host show` has the whole text.
 */
export function shortWhy(i: HostSummary['indicators']): string {
  const name = INDICATOR_NAMES.find((k) => i.reasons[k] !== undefined);
  if (!name) return '';
  const reason = i.reasons[name] ?? '';
  const fix = reason.lastIndexOf(' — ');
  const text = fix >= 0 ? reason.slice(fix + 3) : reason;
  return `${name}: ${text.length > SHORT_WHY_CHARS ? `${text.slice(0, SHORT_WHY_CHARS - 1)}…` : text}`;
}

const fmtCpu = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

const STATE_STYLE = { UP: 'green', MAINT: 'yellow', EVACUATING: 'yellow', DISABLED: 'dim' } as const;

export function renderState(state: HostView['state'], color: boolean): string {
  return paint(color, STATE_STYLE[state], state);
}

export function renderHostDetails(h: HostView, color: boolean): string {
  const hw = h.hardware;
  const hv = h.hypervisor;
  const general: [string, string][] = [
    ['ID', String(h.id)],
    ['Name', h.name],
    ['Purpose', h.purpose],
    ['State', renderState(h.state, color)],
    ['Address', `${h.address}:${h.port}`],
  ];
  if (h.purpose === 'processing') {
    general.push(['Storage location', h.storageLocation ?? '-'], ['Service pool', h.servicePool ?? '-']);
  }
  general.push(
    ['Syslog forwarding', h.syslog.enabled ? `on, to ${h.syslog.address ?? '?'}` : 'off'],
    ['CPU', hw ? `${hw.cpuModel}, ${fmtCpu(h.cpu.total)} cores (${fmtCpu(h.cpu.allocated)} allocated)` : 'unknown (no inventory yet)'],
    ['Memory', h.memoryMiB.total > 0 ? `${formatMiB(h.memoryMiB.total)} (${formatMiB(h.memoryMiB.allocated)} allocated)` : 'unknown'],
    ['Guests', String(h.guests)],
    ['OS', hw ? `${hw.os} (${hw.arch})` : 'unknown'],
    ['Kernel', hw?.kernel ?? 'unknown'],
    ['Connector', `${h.agentVersion ?? 'unknown'}${h.updateAvailable ? ` (${paint(color, 'yellow', UPDATE_AVAILABLE)})` : ''}`],
    ['QEMU', hv ? `${hv.qemuVersion ?? 'not installed'}${hv.qemuVersion ? (hv.kvmUsable ? ', KVM usable' : ', no KVM (TCG)') : ''}` : 'unknown'],
    ['LXC', hv ? (hv.lxcVersion ?? 'not installed') : 'unknown'],
    ['iSCSI target (tgt)', hv ? (hv.tgtPresent ? 'present' : 'absent') : 'unknown'],
    ['Last seen', h.lastSeenAt ?? 'never'],
    ['Added', h.createdAt],
  );
  const withReason = (name: IndicatorName): string => {
    const reason = h.indicators.reasons[name];
    return describeIndicator(h.indicators[name], color) + (reason ? `: ${reason}` : '');
  };
  const indicators: [string, string][] = [
    ['Connection', withReason('connection')],
    ['Connector', withReason('connector')],
    ['Storage connectivity', withReason('storage')],
  ];
  const actions: [string, string][] = Object.entries(h.actions).map(([name, a]) => [
    name,
    a.allowed ? paint(color, 'green', 'allowed') : `${paint(color, 'dim', 'not allowed')}: ${a.reason ?? ''}`,
  ]);
  return [
    'General',
    renderFields(general),
    'Indicators',
    renderFields(indicators),
    'Actions',
    renderFields(actions),
    'Network interfaces',
    indent(renderNicTable(h.nics)),
  ].join('\n');
}

export function renderNicTable(nics: readonly HostNic[]): string {
  if (nics.length === 0) return 'no network interfaces reported\n';
  return renderTable(
    [{ header: 'NAME' }, { header: 'SUBNET' }, { header: 'IP' }, { header: 'NETMASK' }, { header: 'MAC' }, { header: 'LINK' }],
    nics.map((n) => [n.name, n.subnet ?? '-', n.ip ?? '-', n.netmask ?? '-', n.mac, n.linkUp ? 'up' : 'down']),
  );
}

const indent = (text: string): string =>
  text
    .split('\n')
    .map((l) => (l ? `  ${l}` : l))
    .join('\n');
