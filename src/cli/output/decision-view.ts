// A placement decision for people (`grappe guest create --explain`, and any command that shows
// one): the request and settings, the winner and why, then one row per host — passed hosts best
// first with their scores, then rejected hosts with the filter and the reason in plain words.
import { paint } from './ansi.ts';
import { renderFields, renderTable } from './table.ts';

/** What is shown of a decision: the core's Decision and the contract's placementDecision both fit. */
export interface DecisionInput {
  readonly guest: string;
  readonly request: { readonly vcpus: number; readonly memoryMiB: number };
  readonly policy: string;
  readonly ratios: { readonly cpu: number; readonly memory: number };
  readonly winner: { readonly hostId: number; readonly host: string; readonly score: number } | null;
  readonly candidates: readonly Candidate[];
  readonly counts: { readonly hosts: number; readonly passed: number; readonly rejected: Readonly<Record<string, number | undefined>> };
  readonly why: string;
}

interface Candidate {
  readonly hostId: number;
  readonly host: string;
  readonly passed: boolean;
  readonly rejectedBy?: { readonly filter: string; readonly reason: string } | undefined;
  readonly score?: number | undefined;
  readonly scoreParts?: { readonly memory: number; readonly cpu: number } | undefined;
}

const ratio = (r: number): string => (Number.isInteger(r) ? r.toFixed(1) : String(r));
const pct = (x: number | undefined): string => (x === undefined ? '-' : `${Math.round(x * 1000) / 10}%`);

/** Passed hosts by score (best first), then the rejected ones in host order. */
function ordered(d: DecisionInput): Candidate[] {
  const passed = d.candidates.filter((c) => c.passed).sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.hostId - b.hostId);
  const rejected = d.candidates.filter((c) => !c.passed);
  return [...passed, ...rejected];
}

export function renderDecision(d: DecisionInput, color: boolean): string {
  const rejected = Object.entries(d.counts.rejected).map(([f, n]) => `${n} by ${f}`);
  const head = renderFields([
    ['Placing', `${d.guest}: ${d.request.vcpus} vCPU(s), ${d.request.memoryMiB} MiB`],
    ['Policy', `${d.policy} (over-commit CPU ${ratio(d.ratios.cpu)}, memory ${ratio(d.ratios.memory)})`],
    ['Hosts', `${d.counts.hosts}: ${d.counts.passed} passed the filters${rejected.length > 0 ? `, rejected ${rejected.join(', ')}` : ''}`],
    ['Winner', d.winner ? paint(color, 'green', `${d.winner.host} (score ${d.winner.score.toFixed(3)})`) : paint(color, 'red', 'none')],
    ['Why', d.why],
  ]);
  if (d.candidates.length === 0) return head;
  const rows = ordered(d).map((c) => {
    const verdict = c.passed
      ? c.hostId === d.winner?.hostId
        ? paint(color, 'green', 'winner')
        : 'passed'
      : paint(color, 'red', `rejected (${c.rejectedBy?.filter ?? '?'})`);
    return [c.host, verdict, c.score === undefined ? '-' : c.score.toFixed(3), pct(c.scoreParts?.memory), pct(c.scoreParts?.cpu), c.rejectedBy?.reason ?? ''];
  });
  const table = renderTable(
    [
      { header: 'HOST' },
      { header: 'VERDICT' },
      { header: 'SCORE', align: 'right' },
      { header: 'MEM FREE', align: 'right' },
      { header: 'CPU FREE', align: 'right' },
      { header: 'REASON' },
    ],
    rows,
  );
  return `${head}\n${table}`;
}
