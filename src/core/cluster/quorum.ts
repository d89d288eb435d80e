// Quorum from the members' statuses, as one controller sees them: pure, so the rule is tested alone.
// A majority of the members must answer, and one of them must see a raft leader (members that answer
// but see no leader are counted as reachable: they are up, only without a majority).

export interface MemberStatus {
  readonly id: string;
  readonly name: string;
  readonly clientUrl: string;
  readonly reachable: boolean;
  readonly why?: string;
  readonly isRaftLeader?: boolean;
  readonly hasRaftLeader?: boolean;
  readonly raftTerm?: number;
  readonly raftIndex?: number;
  readonly raftAppliedIndex?: number;
  readonly dbSizeBytes?: number;
}

export interface Quorum {
  readonly reachable: number;
  readonly total: number;
  readonly needs: number;
  readonly hasQuorum: boolean;
}

export const majorityOf = (total: number): number => Math.floor(total / 2) + 1;

export function quorumOf(members: readonly MemberStatus[]): Quorum {
  const total = members.length;
  const needs = majorityOf(total);
  const reachable = members.filter((m) => m.reachable).length;
  const led = members.some((m) => m.reachable && m.hasRaftLeader === true);
  return { reachable, total, needs, hasQuorum: total > 0 && reachable >= needs && led };
}

/** The words of the 503 every write gets without a majority. */
export const noQuorumMessage = (q: Quorum): string =>
  `no quorum: ${q.reachable} of ${q.total} controller${q.total === 1 ? '' : 's'} reachable (needs ${q.needs}); no change is made without a majority`;

/** Whether removing one member keeps a majority among those reachable now. */
export function removalKeepsQuorum(members: readonly MemberStatus[], name: string): { ok: boolean; why?: string } {
  if (members.length <= 1) return { ok: false, why: 'it is the last controller of the cluster' };
  const rest = members.filter((m) => m.name !== name);
  const q = quorumOf(rest.map((m) => ({ ...m, hasRaftLeader: m.reachable || m.hasRaftLeader === true })));
  if (!q.hasQuorum) {
    return {
      ok: false,
      why: `the other ${rest.length} controllers would have ${q.reachable} reachable of ${q.total}, fewer than the ${q.needs} a majority needs`,
    };
  }
  return { ok: true };
}

/**
 * The member the leading controller should hand etcd's raft leadership to, if its own member holds
 * it: then the death of the leader's machine costs a controller failover but no raft election
 * (the revocation of its lease, and the next leader's campaign, go through at once). The target is
 * the reachable member that applied the most, by name on a tie; none when no other member answers.
 */
export function raftLeaderHandOff(members: readonly MemberStatus[], me: string): MemberStatus | undefined {
  const mine = members.find((m) => m.name === me);
  if (!mine?.reachable || mine.isRaftLeader !== true) return undefined;
  return members
    .filter((m) => m.name !== me && m.reachable && m.hasRaftLeader === true)
    .sort((a, b) => (b.raftAppliedIndex ?? 0) - (a.raftAppliedIndex ?? 0) || a.name.localeCompare(b.name))[0];
}
