// When a follower may end the leader's term early instead of waiting for its lease to run out: pure,
// so the rule is tested alone. Ending it early is always safe for the data (every write of the old
// leader carries the leader key it created, and etcd refuses it once that key is gone); the rule
// only decides when it is worth it, and must not depose a leader that is merely slow or paused.
//
// - The leader's API port refuses connections: nobody listens there, the process is gone.
// - The port does not answer at all and the leader's etcd member does not answer either: the
//   machine is dead or cut off from us (a paused process still completes TCP handshakes, and a
//   busy one still has its etcd member answering, so neither is deposed by this rule).
// Either must hold on `confirmations` probes in a row, so one lost packet deposes nobody.

export type PortProbe = 'open' | 'refused' | 'silent';

export interface LeaderProbe {
  readonly port: PortProbe;
  /** Whether the leader's own etcd member answered a status request. */
  readonly memberAnswers: boolean;
}

export interface LivenessVerdict {
  readonly endTerm: boolean;
  readonly why?: string;
}

const gone = (p: LeaderProbe): string | undefined => {
  if (p.port === 'refused') return 'its API port refuses connections (the process is gone)';
  if (p.port === 'silent' && !p.memberAnswers) return 'neither its API nor its etcd member answers (its machine is down or cut off)';
  return undefined;
};

/** The verdict on the last probes of one leader, oldest first. */
export function judgeLeader(recent: readonly LeaderProbe[], confirmations = 2): LivenessVerdict {
  const last = recent.slice(-confirmations);
  if (last.length < confirmations) return { endTerm: false };
  const reasons = last.map(gone);
  const why = reasons[reasons.length - 1];
  if (why === undefined || reasons.some((r) => r === undefined)) return { endTerm: false };
  return { endTerm: true, why };
}
