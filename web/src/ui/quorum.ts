// The words of the no-quorum banner: pure, so the web-logic test checks them without a browser.
import type { ClusterStatusView } from '../../../src/contract/cluster.contract.ts';

/** The banner every view shows while the controllers have no majority; undefined when they have one. */
export function noQuorumBannerText(s: ClusterStatusView | null): string | undefined {
  if (!s || s.quorum.has) return undefined;
  const { reachable, total, needs } = s.quorum;
  return `No quorum: ${reachable} of ${total} controllers reachable (needs ${needs}). Changes are refused and HA acts on nothing until a majority is back; what you see may be stale.`;
}
