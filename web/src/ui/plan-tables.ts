// The dry-run plans as the dialogs show them: guest → target, kind, power, expected downtime and why;
// the guests that cannot move (or are Unavailable) with their reason; a migration's blockers.
import type { EvacuationPlanView, UndoPlanView } from '../../../src/contract/evacuation.contract.ts';
import type { MigratePlan } from '../api/cluster-api.ts';
import { h } from './dom.ts';
import { evacuationSummary, formatDuration, kindWords, migrateSummary, undoSummary } from './move-format.ts';

type PlannedMove = EvacuationPlanView['moves'][number];

function facts(rows: Array<[string, Node | string]>): HTMLElement {
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

const downtime = (ms: number, basis?: string): HTMLElement =>
  h('span', { title: basis ?? '' }, formatDuration(ms), basis ? h('span', { class: 'muted' }, ` (${basis})`) : null);

export function movesTable(moves: readonly PlannedMove[], testId: string): HTMLElement {
  const head = h('thead', {}, h('tr', {}, ...['Guest', 'From', 'To', 'Move', 'Ends', 'Expected downtime'].map((c) => h('th', { scope: 'col' }, c))));
  const rows = moves.map((m) =>
    h(
      'tr',
      { 'data-guest': m.guest, title: m.why },
      h('td', { class: 'name' }, m.guest),
      h('td', {}, m.from.name),
      h('td', {}, '→ ', m.to.name),
      h('td', {}, m.kind),
      h('td', {}, m.power),
      h('td', { class: 'num', title: m.downtimeBasis }, formatDuration(m.expectedDowntimeMs)),
    ),
  );
  return h('div', { class: 'table-scroll plan-table' }, h('table', { 'data-testid': testId }, head, h('tbody', {}, ...rows)));
}

/** Guests left where they are, each with the reason. */
export function reasonsList(title: string, items: ReadonlyArray<{ guest: string; reason: string }>, testId: string): HTMLElement | null {
  if (items.length === 0) return null;
  return h(
    'div',
    { class: 'plan-reasons', 'data-testid': testId },
    h('h3', {}, title),
    h('ul', {}, ...items.map((i) => h('li', { 'data-guest': i.guest }, h('strong', {}, i.guest), ': ', i.reason))),
  );
}

/** The scheduler's verdict on every host it considered: passed with its score, or the filter that rejected it. */
function decisionDetails(d: MigratePlan['decision']): HTMLElement {
  const rows = d.candidates.map((c) =>
    h(
      'tr',
      { 'data-candidate': c.host },
      h('td', { class: 'name' }, c.host, d.winner?.hostId === c.hostId ? ' ★' : ''),
      h('td', {}, c.passed ? `passed, score ${c.score?.toFixed(3) ?? '?'}` : `${c.rejectedBy?.filter ?? 'rejected'}: ${c.rejectedBy?.reason ?? ''}`),
    ),
  );
  return h(
    'details',
    { class: 'advanced', 'data-testid': 'plan-decision' },
    h('summary', {}, `Scheduler (${d.policy}): ${d.counts.passed} of ${d.counts.hosts} host(s) passed`),
    h('div', { class: 'table-scroll' }, h('table', {}, h('tbody', {}, ...rows))),
  );
}

export function migratePlanView(p: MigratePlan): HTMLElement {
  const blocked = p.blockers.length > 0 || !p.to;
  return h(
    'div',
    { class: 'plan', 'data-testid': 'migrate-plan', 'data-blocked': String(blocked) },
    h('p', { class: 'question' }, migrateSummary(p)),
    facts([
      ['Guest', `${p.guest}${p.name ? ` (${p.name})` : ''}${p.state ? `, ${p.state}` : ''}`],
      ['From', p.from.name],
      ['Target', h('span', { 'data-testid': 'plan-target' }, p.to?.name ?? 'none')],
      ['Kind', h('span', { 'data-testid': 'plan-kind' }, kindWords(p.kind))],
      ['Expected downtime', h('span', { 'data-testid': 'plan-downtime' }, downtime(p.expectedDowntimeMs, p.downtimeBasis))],
      ...(p.why ? ([['Scheduler', p.why]] as Array<[string, string]>) : []),
    ]),
    decisionDetails(p.decision),
    blocked
      ? h(
          'div',
          { class: 'plan-blockers', 'data-testid': 'plan-blockers' },
          h('h3', {}, 'Blockers'),
          h('ul', {}, ...(p.blockers.length > 0 ? p.blockers : ['no host can take this guest']).map((b) => h('li', {}, b))),
        )
      : null,
  );
}

export function evacuationPlanTables(p: EvacuationPlanView): HTMLElement {
  return h(
    'div',
    { class: 'plan', 'data-testid': 'evacuation-plan' },
    h('p', { class: 'question' }, evacuationSummary(p)),
    p.moves.length > 0 ? movesTable(p.moves, 'plan-moves') : null,
    reasonsList('Cannot move (they stay on the host)', p.unmovable, 'plan-unmovable'),
  );
}

export function undoPlanTables(p: UndoPlanView): HTMLElement {
  return h(
    'div',
    { class: 'plan', 'data-testid': 'undo-plan' },
    p.warning ? h('p', { class: 'hint', 'data-testid': 'undo-warning' }, undoSummary(p)) : h('p', { class: 'question' }, undoSummary(p)),
    p.available.length > 0 ? h('h3', {}, 'Available: they go back') : null,
    p.available.length > 0 ? movesTable(p.available, 'undo-available') : null,
    reasonsList(
      'Unavailable',
      p.unavailable.map((u) => ({ guest: u.guest, reason: u.why })),
      'undo-unavailable',
    ),
  );
}
