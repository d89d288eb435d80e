// The small status widgets: the state badge and the green/red/grey indicator circles.
import type { Indicator } from '../../../src/contract/common.ts';
import type { HostSummary } from '../../../src/contract/host.contract.ts';
import { h } from './dom.ts';
import { indicatorTitle } from './format.ts';

export const stateBadge = (state: string): HTMLElement => h('span', { class: `badge state-${state.toLowerCase()}`, 'data-testid': 'state' }, state);

export function indicatorDot(label: string, value: Indicator, reason?: string): HTMLElement {
  const cls = value === 'green' ? 'green' : value === 'red' ? 'red' : 'grey';
  const title = indicatorTitle(label, value, reason);
  return h('span', { class: `dot ${cls}`, title, 'aria-label': title, 'data-indicator': label.toLowerCase(), 'data-value': value });
}

/** The three circles of a host, each with its reason in the tooltip when it is red. */
export const indicatorDots = (i: HostSummary['indicators']): HTMLElement =>
  h(
    'span',
    { class: 'dots' },
    indicatorDot('Connection', i.connection, i.reasons.connection),
    indicatorDot('Connector', i.connector, i.reasons.connector),
    indicatorDot('Storage', i.storage, i.reasons.storage),
  );
