// The Cluster pane: the controllers as `grappe cluster status` shows them (like `onezone show`): who
// leads and since when, the term, quorum, the floating address, and per controller its state, API
// address, etcd member, raft term, committed and applied index. A single controller on SQLite says so.
import type { ClusterStatusView } from '../../../src/contract/cluster.contract.ts';
import { noQuorumBannerText } from '../ui/quorum.ts';
import { h } from '../ui/dom.ts';
import { formatDateTime } from '../ui/format.ts';

function facts(rows: Array<[string, Node | string]>): HTMLElement {
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

const num = (n: number | null): string => (n === null ? '—' : String(n));

function summary(s: ClusterStatusView): HTMLElement {
  const q = s.quorum;
  return h(
    'section',
    { class: 'card', 'data-testid': 'cluster-summary' },
    h('h3', {}, 'Control plane'),
    facts([
      ['Mode', s.mode === 'single' ? 'one controller (embedded SQLite store)' : `${s.controllers.length} controllers on etcd`],
      [
        'Leader',
        h('span', { 'data-testid': 'cluster-leader' }, s.leader ? `${s.leader.name} (term ${s.leader.term}, since ${formatDateTime(s.leader.since)})` : 'none'),
      ],
      [
        'Quorum',
        h(
          'span',
          { class: q.has ? '' : 'warn', 'data-testid': 'cluster-quorum' },
          `${q.has ? 'yes' : 'NO'} (${q.reachable} of ${q.total} reachable, needs ${q.needs})`,
        ),
      ],
      ['Floating address', s.vip ?? '—'],
      ['Answered by', `${s.me}${s.meLeading ? ' (the leader)' : ''}`],
    ]),
  );
}

function controllersTable(s: ClusterStatusView): HTMLElement {
  const cols = ['Controller', 'State', 'API address', 'etcd member', 'Raft term', 'Committed', 'Applied', 'Up since', 'Note'];
  const head = h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c))));
  const rows = s.controllers.map((c) =>
    h(
      'tr',
      { 'data-controller': c.name, 'data-state': c.state },
      h('td', { class: 'name' }, c.name),
      h('td', {}, h('span', { class: `state-chip ${c.state}` }, c.state)),
      h('td', { class: 'mono' }, c.apiUrl ?? '—'),
      h('td', { class: 'mono' }, c.etcdMember ? `${c.etcdMember.clientUrl}${c.etcdMember.raftLeader ? ' (raft leader)' : ''}` : '—'),
      h('td', { class: 'num' }, num(c.raftTerm)),
      h('td', { class: 'num' }, num(c.committedIndex)),
      h('td', { class: 'num' }, num(c.appliedIndex)),
      h('td', {}, c.since ? formatDateTime(c.since) : '—'),
      h('td', {}, c.why ?? ''),
    ),
  );
  return h('div', { class: 'table-scroll' }, h('table', { 'data-testid': 'cluster-controllers' }, head, h('tbody', {}, ...rows)));
}

export function clusterPane(s: ClusterStatusView | null, error: string | null): HTMLElement {
  if (!s) return h('p', { class: 'empty', 'data-testid': 'cluster-error' }, error ?? 'Loading the controllers…');
  const banner = noQuorumBannerText(s);
  return h(
    'div',
    { class: 'cluster', 'data-testid': 'cluster-view' },
    error ? h('p', { class: 'dialog-error' }, `${error} (showing the last answer)`) : null,
    banner ? h('p', { class: 'warn' }, banner) : null,
    summary(s),
    h('section', { class: 'card' }, h('h3', {}, 'Controllers'), controllersTable(s)),
    s.mode === 'single'
      ? h('p', { class: 'empty' }, 'Add controllers with `grappe cluster create` here, then `grappe cluster token` and `grappe cluster join` on the others.')
      : null,
  );
}
