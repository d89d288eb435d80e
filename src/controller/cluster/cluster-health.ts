// What this controller can see of the etcd cluster, refreshed every second: each member's raft status
// (asked of the member itself, with a short deadline) and whether a majority is reachable from here.
// The API refuses writes at once without a majority (instead of waiting for etcd to time out), and
// marks reads as possibly stale.

import type { Etcd3 } from 'etcd3';
import type { EtcdCredentials } from '../../store/etcd-store.ts';
import { memberClient } from '../../store/etcd-member-client.ts';
import { quorumOf, type MemberStatus } from '../../core/cluster/quorum.ts';

export interface ClusterHealthOptions {
  readonly client: Etcd3;
  readonly credentials?: EtcdCredentials | undefined;
  readonly intervalMs?: number;
  readonly probeTimeoutMs?: number;
  /** Called when quorum is lost or regained, with the new view. */
  readonly onQuorumChange?: (has: boolean, view: HealthView) => void;
  /** Called after every probe. */
  readonly onView?: (view: HealthView) => void;
}

export interface HealthView {
  readonly members: readonly MemberStatus[];
  readonly reachable: number;
  readonly total: number;
  readonly needs: number;
  readonly hasQuorum: boolean;
  /** When this view was taken (ms since epoch). */
  readonly at: number;
}

export class ClusterHealth {
  private view: HealthView = { members: [], reachable: 0, total: 0, needs: 1, hasQuorum: true, at: 0 };
  private timer: NodeJS.Timeout | undefined;
  private readonly perMember = new Map<string, Etcd3>();
  private knownMembers: { id: string; name: string; clientUrl: string }[] = [];
  private probing: Promise<void> | undefined;

  constructor(private readonly opts: ClusterHealthOptions) {}

  current(): HealthView {
    return this.view;
  }

  async start(): Promise<void> {
    await this.probe();
    this.timer = setInterval(() => void this.probe(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.perMember.values()) c.close();
    this.perMember.clear();
  }

  /** Probes now (shared with a probe already running). */
  probe(): Promise<void> {
    this.probing ??= this.probeOnce().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async probeOnce(): Promise<void> {
    const timeout = this.opts.probeTimeoutMs ?? 700;
    try {
      // The member list is answered by any member (no quorum needed); keep the last one seen.
      const list = await this.opts.client.cluster.memberList({ linearizable: false }, { deadline: Date.now() + timeout });
      // Learners (controllers still joining) do not vote: they are not part of the majority.
      this.knownMembers = list.members.filter((m) => !m.isLearner).map((m) => ({ id: m.ID, name: m.name, clientUrl: m.clientURLs[0] ?? '' }));
    } catch {
      // Nobody answered: probe the members known from before, each will say it is unreachable.
    }
    const members = await Promise.all(this.knownMembers.map((m) => this.probeMember(m, timeout)));
    const next = { ...quorumOf(members), members, at: Date.now() };
    const changed = next.hasQuorum !== this.view.hasQuorum && this.view.at !== 0;
    this.view = next;
    if (changed) this.opts.onQuorumChange?.(next.hasQuorum, next);
    this.opts.onView?.(next);
  }

  private async probeMember(m: { id: string; name: string; clientUrl: string }, timeout: number): Promise<MemberStatus> {
    const base = { id: m.id, name: m.name, clientUrl: m.clientUrl };
    if (m.clientUrl === '') return { ...base, reachable: false, why: 'not started yet (no client URL)' };
    let client = this.perMember.get(m.clientUrl);
    if (!client) {
      client = memberClient(m.clientUrl, timeout, this.opts.credentials);
      this.perMember.set(m.clientUrl, client);
    }
    try {
      const s = await client.maintenance.status({ deadline: Date.now() + timeout });
      return {
        ...base,
        reachable: true,
        isRaftLeader: s.leader === m.id,
        hasRaftLeader: s.leader !== '0' && s.leader !== '',
        raftTerm: Number(s.raftTerm),
        raftIndex: Number(s.raftIndex),
        raftAppliedIndex: Number((s as { raftAppliedIndex?: string }).raftAppliedIndex ?? s.raftIndex),
        dbSizeBytes: Number(s.dbSize),
      };
    } catch (err) {
      return { ...base, reachable: false, why: shortReason((err as Error).message, timeout) };
    }
  }
}

/** gRPC's long messages, in a few words: "connection refused (198.18.0.14:7379)", "no answer within 700 ms". */
export function shortReason(message: string, timeoutMs = 700): string {
  const refused = /ECONNREFUSED ([\w.:[\]]*[\w\]])/.exec(message);
  if (refused) return `connection refused (${refused[1]})`;
  if (/DEADLINE_EXCEEDED|deadline|timed? ?out|EHOSTUNREACH|ETIMEDOUT/i.test(message)) return `no answer within ${timeoutMs} ms`;
  return (message.split('\n')[0] ?? 'no answer').replace(/\s*Resolution note:.*$/, '').slice(0, 160);
}
