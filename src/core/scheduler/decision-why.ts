// The one sentence a decision ends with: why the winner won, or why nothing fits and what would.
import { formatRatio } from './filter-reasons.ts';
import type { Decision, GuestRequest, LargestFit, OvercommitRatios, Policy, ScoreParts } from './scheduler-types.ts';

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

export function whyWinner(
  policy: Policy,
  host: string,
  score: number,
  p: ScoreParts,
  runnerUp: { host: string; score: number } | undefined,
  counts: Decision['counts'],
): string {
  const what = policy === 'spread' ? 'the most free capacity after placing (spread)' : 'the least free capacity that still fits (pack)';
  const detail = `score ${score.toFixed(3)}: ${pct(p.memory)} of memory and ${pct(p.cpu)} of CPU left free`;
  const second = runnerUp ? `, ahead of '${runnerUp.host}' (${runnerUp.score.toFixed(3)})` : ', the only host that passed';
  return `host '${host}' won with ${what}, ${detail}${second}; ${counts.passed} of ${counts.hosts} host(s) passed the filters`;
}

export function whyNone(r: GuestRequest, counts: Decision['counts'], largest: LargestFit | undefined, ratios: OvercommitRatios): string {
  const asked = `${r.vcpus} vCPU(s) and ${r.memoryMiB} MiB`;
  const byFilter = Object.entries(counts.rejected)
    .map(([f, n]) => `${n} by ${f}`)
    .join(', ');
  const rejected = counts.hosts === 0 ? 'there are no hosts' : `of ${counts.hosts} host(s), rejected ${byFilter}`;
  const tail = largest
    ? `the largest request that would fit is ${largest.vcpus} vCPU(s) and ${largest.memoryMiB} MiB (host '${largest.host}', ratios CPU ${formatRatio(ratios.cpu)} / memory ${formatRatio(ratios.memory)})`
    : 'no host passes the state, purpose, storage, network, label and affinity filters, whatever the size';
  return `no host can take ${r.guest ?? 'the guest'} (${asked}): ${rejected}; ${tail}`;
}
