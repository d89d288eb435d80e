// Notification targets and rules as text. Pure.
import type { RuleView, TargetView } from '../../contract/notify.contract.ts';
import { paint } from './ansi.ts';
import { renderTable } from './table.ts';

export function renderTargetList(targets: readonly TargetView[], color: boolean): string {
  if (targets.length === 0) return 'No notification targets yet: add one with `grappe notify target add`.\n';
  return renderTable(
    [{ header: 'NAME' }, { header: 'TYPE' }, { header: 'DESTINATION' }, { header: 'LAST DELIVERY' }],
    targets.map((t) => [t.name, t.type, t.destination, lastDelivery(t, color)]),
  );
}

function lastDelivery(t: TargetView, color: boolean): string {
  const d = t.lastDelivery;
  if (!d) return '-';
  const outcome = d.ok ? paint(color, 'green', 'ok') : paint(color, 'red', 'FAILED');
  return `${outcome} ${d.at} ${d.event} (${d.attempts} attempt${d.attempts === 1 ? '' : 's'}: ${d.detail})`;
}

export function renderRuleList(rules: readonly RuleView[]): string {
  if (rules.length === 0) return 'No notification rules yet: add one with `grappe notify rule add`.\n';
  return renderTable(
    [{ header: 'NAME' }, { header: 'KINDS' }, { header: 'MIN SEVERITY' }, { header: 'TARGETS' }, { header: 'ENABLED' }],
    rules.map((r) => [r.name, r.kinds.join(','), r.minSeverity, r.targets.join(','), r.enabled ? 'yes' : 'no']),
  );
}
