// A follower's watch on the leader: every few hundred milliseconds it knocks on the leader's API port
// and asks the leader's etcd member for its status; when judgeLeader says the leader is gone, it
// revokes the leader's lease, which deletes the leader key at once and starts the next campaign
// instead of waiting out the lease (which etcd even extends by an election timeout when its own raft
// leader died with the machine). Revoking needs a majority, like any write: a follower cut off with
// the old leader cannot depose anyone.

import { connect } from 'node:net';
import type { Etcd3 } from 'etcd3';
import type { EtcdCredentials } from '../../store/etcd-store.ts';
import { memberClient } from '../../store/etcd-member-client.ts';
import { judgeLeader, type LeaderProbe, type PortProbe } from '../../core/cluster/leader-liveness.ts';

export interface WatchedLeader {
  readonly name: string;
  readonly apiUrl: string;
  /** The etcd lease the leader key is bound to (hex or decimal string, as etcd gives it). */
  readonly lease: string;
}

export interface LeaderWatchdogOptions {
  readonly client: Etcd3;
  readonly credentials?: EtcdCredentials | undefined;
  /** The leader to watch now, or undefined (none, or this controller leads). */
  readonly target: () => WatchedLeader | undefined;
  /** The client URL of a controller's etcd member, by controller name. */
  readonly memberUrlOf: (name: string) => string | undefined;
  /** Whether this controller sees a majority (a revoke without one would only hang). */
  readonly hasQuorum: () => boolean;
  readonly onEnded: (leader: WatchedLeader, why: string) => void;
  readonly log: (level: 'info' | 'warn', message: string) => void;
  readonly intervalMs?: number;
  readonly probeTimeoutMs?: number;
}

export class LeaderWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private probes: LeaderProbe[] = [];
  private watching = '';
  private busy = false;
  private readonly members = new Map<string, Etcd3>();

  constructor(private readonly opts: LeaderWatchdogOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.round(), this.opts.intervalMs ?? 250);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const c of this.members.values()) c.close();
    this.members.clear();
  }

  private async round(): Promise<void> {
    const leader = this.opts.target();
    if (!leader || !this.opts.hasQuorum() || this.busy) return;
    const id = `${leader.name}/${leader.lease}`;
    if (id !== this.watching) {
      this.watching = id;
      this.probes = [];
    }
    this.busy = true;
    try {
      const timeout = this.opts.probeTimeoutMs ?? 300;
      const [port, memberAnswers] = await Promise.all([knock(leader.apiUrl, timeout), this.memberAnswers(leader.name, timeout)]);
      this.probes = [...this.probes.slice(-4), { port, memberAnswers }];
      const verdict = judgeLeader(this.probes);
      if (!verdict.endTerm || this.opts.target()?.lease !== leader.lease) return;
      await this.opts.client.leaseClient.leaseRevoke({ ID: leader.lease }, { deadline: Date.now() + 1000 });
      this.opts.log('warn', `controller ${leader.name} no longer leads: ${verdict.why ?? 'it is gone'}; its lease was revoked`);
      this.opts.onEnded(leader, verdict.why ?? 'it is gone');
    } catch (err) {
      // "lease not found": another follower was first, or the lease ran out meanwhile.
      if (!/not found/i.test((err as Error).message)) this.opts.log('warn', `cannot end the term of ${leader.name} yet: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private async memberAnswers(name: string, timeout: number): Promise<boolean> {
    const url = this.opts.memberUrlOf(name);
    if (!url) return true; // unknown: never a reason to depose
    let client = this.members.get(url);
    if (!client) {
      client = memberClient(url, timeout, this.opts.credentials);
      this.members.set(url, client);
    }
    return client.maintenance.status({ deadline: Date.now() + timeout }).then(
      () => true,
      () => false,
    );
  }
}

/** Whether a TCP connection to the URL's host and port opens, is refused, or gets no answer. */
export function knock(url: string, timeoutMs: number): Promise<PortProbe> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 443) });
    const done = (result: PortProbe): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('silent'));
    socket.once('connect', () => done('open'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : 'silent'));
  });
}
