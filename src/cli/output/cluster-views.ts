// `grappe cluster status` and `nodes` as text. Pure: views in, text out.
import type { ClusterStatusView } from '../../contract/cluster.contract.ts';
import type { HostSummary } from '../../contract/host.contract.ts';
import { paint } from './ansi.ts';
import { renderFields, renderTable } from './table.ts';

const painter = (color: boolean) => ({
  green: (t: string) => paint(color, 'green', t),
  red: (t: string) => paint(color, 'red', t),
});

const dash = (v: number | string | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v));

export function renderClusterStatus(s: ClusterStatusView, color: boolean): string {
  const c = painter(color);
  const quorum = s.quorum.has
    ? c.green(`yes (${s.quorum.reachable} of ${s.quorum.total} reachable, needs ${s.quorum.needs})`)
    : c.red(`NO: ${s.quorum.reachable} of ${s.quorum.total} controllers reachable (needs ${s.quorum.needs}); writes are refused`);
  const head = renderFields(
    [
      ['store', s.store === 'etcd' ? 'etcd (cluster of controllers)' : 'SQLite (a single controller: `grappe cluster create` makes it the first of a cluster)'],
      ['this controller', s.me],
      ['leader', s.leader ? `${s.leader.name} (term ${s.leader.term}, since ${s.leader.since})` : s.mode === 'single' ? s.me : c.red('none elected')],
      ['quorum', quorum],
      ...(s.mode === 'cluster' ? ([['lease left', `${(s.leaseRemainingMs / 1000).toFixed(1)} s`]] as const) : []),
      ...(s.vip ? ([['floating address', s.vip]] as const) : []),
    ],
    '',
  );
  const stateText = (state: string): string => (state === 'leader' ? c.green(state) : state === 'offline' ? c.red(state) : state);
  const table = renderTable(
    [
      { header: 'NAME' },
      { header: 'STATE' },
      { header: 'API' },
      { header: 'RAFT TERM', align: 'right' },
      { header: 'COMMITTED', align: 'right' },
      { header: 'APPLIED', align: 'right' },
      { header: 'WHY' },
    ],
    s.controllers.map((x) => [x.name, stateText(x.state), dash(x.apiUrl), dash(x.raftTerm), dash(x.committedIndex), dash(x.appliedIndex), x.why ?? '']),
  );
  return `${head}\n${table}`;
}

export function renderClusterNodes(s: ClusterStatusView, hosts: readonly HostSummary[], color: boolean): string {
  const c = painter(color);
  const rows = [
    ...s.controllers.map((x) => ['controller', x.name, x.state === 'offline' ? c.red(x.state) : x.state, dash(x.apiUrl)]),
    ...hosts.map((h) => [`host (${h.purpose})`, h.name, h.state, dash(h.address)]),
  ];
  return renderTable([{ header: 'KIND' }, { header: 'NAME' }, { header: 'STATE' }, { header: 'ADDRESS' }], rows);
}
