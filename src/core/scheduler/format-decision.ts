// A Decision as text for the CLI (`--explain`) and task logs: the verdict first, then the passed
// hosts best first, then the rejected ones grouped by the filter that rejected them.
import { formatRatio } from './filter-reasons.ts';
import type { Candidate, Decision } from './scheduler-types.ts';

export interface FormatOptions {
  /** How many passed and rejected hosts to list before summing up the rest (default 10 each). */
  readonly limit?: number;
}

const num = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(3));

export function formatDecision(d: Decision, options: FormatOptions = {}): string {
  const limit = options.limit ?? 10;
  const lines: string[] = [];
  lines.push(
    `placing ${d.guest} (${d.request.vcpus} vCPU(s), ${d.request.memoryMiB} MiB), policy ${d.policy}, over-commit CPU ${formatRatio(d.ratios.cpu)} / memory ${formatRatio(d.ratios.memory)}`,
  );
  lines.push(d.winner ? `winner: ${d.winner.host}` : 'winner: none');
  lines.push(`why: ${d.why}`);
  if (d.candidates.length === 0) return lines.join('\n');

  const passed = d.candidates.filter((c) => c.passed).sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.hostId - b.hostId);
  lines.push(`passed (${passed.length}):`);
  for (const c of passed.slice(0, limit)) {
    lines.push(`  ${c.host}  score ${num(c.score)}  (memory free ${num(c.scoreParts?.memory)}, CPU free ${num(c.scoreParts?.cpu)})`);
  }
  if (passed.length > limit) lines.push(`  … and ${passed.length - limit} more`);

  const rejected = d.candidates.filter((c) => !c.passed);
  const byFilter = new Map<string, Candidate[]>();
  for (const c of rejected) {
    const f = c.rejectedBy?.filter ?? 'unknown';
    byFilter.set(f, [...(byFilter.get(f) ?? []), c]);
  }
  lines.push(`rejected (${rejected.length}):`);
  let shown = 0;
  for (const [filter, list] of byFilter) {
    lines.push(`  by ${filter} (${list.length}):`);
    for (const c of list) {
      if (shown >= limit) break;
      lines.push(`    ${c.host}: ${c.rejectedBy?.reason ?? ''}`);
      shown++;
    }
  }
  if (rejected.length > shown) lines.push(`  … ${rejected.length - shown} more not listed`);
  return lines.join('\n');
}
