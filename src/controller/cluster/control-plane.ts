// A controller's part in a cluster of controllers: its etcd member, the etcd store, the leadership,
// the view of the members (quorum) and the floating address. main.ts runs the acting loops only while
// `onElected` … `onDeposed` says this controller leads; the API gate below answers writes a follower
// cannot take (307 to the leader) and every write without a majority (503 no quorum).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterStatusView, ControllerStatusView, JoinAnswer, JoinRequest, JoinTokenView } from '../../contract/cluster.contract.ts';
import { noQuorumMessage, raftLeaderHandOff } from '../../core/cluster/quorum.ts';
import { GrappeError } from '../../core/errors.ts';
import { startEtcdMember, type RunningEtcdMember } from '../../process/etcd-member.ts';
import { controllerEtcdTls, credentialsOf } from './etcd-security.ts';
import { openEtcdStore, type EtcdCredentials, type EtcdStore } from '../../store/etcd-store.ts';
import { fingerprint } from '../../pki/pki.ts';
import type { Clock, ClusterIdentity, ControlPlaneAccess } from '../platform/types.ts';
import { admitController, removeController, type MembershipDeps } from './cluster-membership.ts';
import { createJoinToken } from './join-tokens.ts';
import { promoteWhenCaughtUp } from './learner-promotion.ts';
import { ClusterHealth, type HealthView } from './cluster-health.ts';
import type { ControllerConfig } from './cluster-config.ts';
import { announceFloatingAddress, claimFloatingAddress, releaseFloatingAddress } from './floating-address.ts';
import { Leadership, leadershipKeys, type LeaderInfo } from './leadership.ts';

export interface ControlPlaneHooks {
  elected(term: number, previous: { name: string; term: number } | undefined): Promise<void>;
  deposed(why: string): Promise<void>;
  quorumChanged(has: boolean, view: HealthView): void;
  presenceChanged(name: string, present: boolean): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface ControlPlane extends ControlPlaneAccess {
  readonly config: ControllerConfig;
  readonly store: EtcdStore;
  start(hooks: ControlPlaneHooks): Promise<void>;
  isLeader(): boolean;
  leader(): LeaderInfo | undefined;
  health(): HealthView;
  status(): Promise<ClusterStatusView>;
  /** The refusal a request gets here, or undefined to serve it. */
  gate(method: string, url: string): GateAnswer | undefined;
  stop(): Promise<void>;
}

export type GateAnswer = { readonly redirect: string } | { readonly error: GrappeError } | { readonly staleReads: string };

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function openControlPlane(config: ControllerConfig, dataDir: string, identity: ClusterIdentity, clock: Clock): Promise<ControlPlane> {
  let member: RunningEtcdMember | undefined;
  const tls = await controllerEtcdTls(dataDir, identity, config.name, config.etcd.member?.clientUrl ?? config.etcd.endpoints[0]);
  const credentials = tls ? credentialsOf(tls) : undefined;
  if (config.etcd.member) {
    member = await startEtcdMember({ name: config.name, dataDir: join(dataDir, 'etcd'), ...config.etcd.member, ...(tls ? { tls } : {}) });
  }
  let store: EtcdStore;
  try {
    const own = config.etcd.member;
    // Once promoted, a member stays a voter: later starts skip asking (the others may be down).
    const promoted = join(dataDir, 'etcd', 'promoted');
    if (own?.state === 'existing' && !existsSync(promoted)) {
      await promoteWhenCaughtUp(
        own.peerUrl,
        config.etcd.endpoints.filter((e) => e !== own.clientUrl),
        credentials,
      );
      writeFileSync(promoted, `${new Date().toISOString()}\n`, { mode: 0o600 });
    }
    store = await openEtcdStoreWhenReady(config, credentials);
  } catch (err) {
    await member?.stop();
    throw err;
  }
  store.guardWrites(undefined); // a follower until elected
  return new EtcdControlPlane(config, store, member, clock, { identity, dataDir });
}

// A member that just started waits for the others before it answers: retry for a while.
// A controller with its own member talks to that member only (etcd forwards to its raft leader): it
// is on the same machine, so it never hangs on a dead or cut-off peer, and when it cannot reach a
// majority, this controller cannot either — which is the truth to report.
async function openEtcdStoreWhenReady(config: ControllerConfig, credentials: EtcdCredentials | undefined): Promise<EtcdStore> {
  const endpoints = config.etcd.member ? [config.etcd.member.clientUrl] : config.etcd.endpoints;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await openEtcdStore({ endpoints, namespace: config.etcd.namespace, ...(credentials ? { credentials } : {}) });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

class EtcdControlPlane implements ControlPlane {
  private leadership: Leadership | undefined;
  private readonly healthView: ClusterHealth;
  private hooks: ControlPlaneHooks | undefined;
  private holdsVip = false;
  private announcer: NodeJS.Timeout | undefined;

  constructor(
    readonly config: ControllerConfig,
    readonly store: EtcdStore,
    private readonly member: RunningEtcdMember | undefined,
    private readonly clock: Clock,
    private readonly where: { identity: ClusterIdentity; dataDir: string },
  ) {
    this.healthView = new ClusterHealth({
      client: store.client,
      credentials: store.credentials,
      onQuorumChange: (has, view) => {
        this.chooseReadMode();
        this.hooks?.quorumChanged(has, view);
      },
      onView: (view) => void this.handOffRaftLeadership(view),
    });
  }

  /**
   * The leader reads from its own etcd member without asking the raft leader (a serializable read):
   * only the leader writes, through that member, which answers a write once it has applied it, and
   * it applied everything before the campaign transaction that made this controller the leader. So
   * the local copy holds every write there is, and each API call saves the quorum round trips of
   * its reads. Followers read linearizably (another controller writes); without a majority every
   * controller reads its local copy, marked as maybe stale, instead of failing.
   */
  private chooseReadMode(): void {
    this.store.setReadMode(this.isLeader() || !this.health().hasQuorum ? 'serializable' : 'linearizable');
  }

  private lastHandOffAt = 0;

  /** See raftLeaderHandOff: at most one attempt every 5 s, by the leading controller only. */
  private async handOffRaftLeadership(view: HealthView): Promise<void> {
    if (!this.isLeader() || Date.now() - this.lastHandOffAt < 5000) return;
    const target = raftLeaderHandOff(view.members, this.config.name);
    if (!target) return;
    this.lastHandOffAt = Date.now();
    try {
      await this.store.client.maintenance.moveLeader({ targetID: target.id }, { deadline: Date.now() + 2000 });
      this.hooks?.log('info', `etcd raft leadership handed to ${target.name}'s member, so that this leader's machine failing costs no raft election`);
    } catch (err) {
      this.hooks?.log('warn', `could not hand etcd raft leadership to ${target.name}: ${(err as Error).message}`);
    }
  }

  async start(hooks: ControlPlaneHooks): Promise<void> {
    this.hooks = hooks;
    // A controller killed while it led left the address on its interface; it is not the leader now.
    if (this.config.vip) await releaseFloatingAddress(this.config.vip);
    await this.healthView.start();
    this.leadership = new Leadership({
      store: this.store,
      me: { name: this.config.name, apiUrl: this.config.apiUrl },
      leaseTtlSeconds: this.config.leaseTtlSeconds,
      clock: this.clock,
      watchdog: {
        memberUrlOf: (name) => this.health().members.find((m) => m.name === name)?.clientUrl,
        hasQuorum: () => this.health().hasQuorum,
      },
      hooks: {
        elected: async (term, previous) => {
          if (this.config.vip) {
            const vip = this.config.vip;
            const claimed = await claimFloatingAddress(vip);
            this.holdsVip = claimed.ok;
            if (claimed.why) hooks.log('warn', `floating address ${vip.address}: ${claimed.why}`);
            if (claimed.ok) {
              this.announcer = setInterval(() => void announceFloatingAddress(vip), 1000);
              this.announcer.unref();
            }
          }
          this.chooseReadMode();
          await hooks.elected(term, previous);
        },
        deposed: async (why) => {
          this.chooseReadMode();
          if (this.announcer) clearInterval(this.announcer);
          if (this.config.vip && this.holdsVip) {
            await releaseFloatingAddress(this.config.vip);
            this.holdsVip = false;
          }
          await hooks.deposed(why);
        },
        presenceChanged: hooks.presenceChanged,
        log: hooks.log,
      },
    });
    await this.leadership.start();
  }

  isLeader(): boolean {
    return this.leadership?.isLeader() ?? false;
  }

  leader(): LeaderInfo | undefined {
    return this.leadership?.leader();
  }

  health(): HealthView {
    return this.healthView.current();
  }

  gate(method: string, url: string): GateAnswer | undefined {
    const view = this.health();
    if (READ_METHODS.has(method)) {
      return view.hasQuorum ? undefined : { staleReads: `${noQuorumMessage(view)}; this answer may be stale` };
    }
    if (!view.hasQuorum) {
      const { reachable, total, needs } = view;
      return { error: new GrappeError('noQuorum', noQuorumMessage(view), { reachable, total, needs }) };
    }
    if (this.isLeader()) return undefined;
    const leader = this.leader();
    if (leader) return { redirect: `${leader.apiUrl}${url}` };
    return {
      error: new GrappeError('notLeader', `refused: controller ${this.config.name} is not the leader and no leader is elected yet; retry in a few seconds`, {}),
    };
  }

  joinToken(createdBy: string, ttlMinutes: number): Promise<JoinTokenView> {
    const caFingerprint = fingerprint(this.where.identity.caCertPem);
    return createJoinToken(this.store, this.clock, caFingerprint, createdBy, ttlMinutes).then((t) => ({ ...t, caFingerprint }));
  }

  admit(request: JoinRequest): Promise<JoinAnswer> {
    return admitController(this.membership(), request);
  }

  remove(name: string): Promise<{ removed: string; remaining: number }> {
    return removeController(this.membership(), name);
  }

  private membership(): MembershipDeps {
    return {
      store: this.store,
      config: this.config,
      identity: this.where.identity,
      dataDir: this.where.dataDir,
      clock: this.clock,
      health: () => this.health(),
    };
  }

  async status(): Promise<ClusterStatusView> {
    const view = this.health();
    // Without a majority nobody can lead (the leader's lease cannot be renewed): show none.
    const leader = view.hasQuorum ? this.leader() : undefined;
    const presence = await this.presence();
    const names = new Set([...view.members.map((m) => m.name), ...presence.keys()]);
    const controllers: ControllerStatusView[] = [...names].sort().map((name) => {
      const m = view.members.find((x) => x.name === name);
      const p = presence.get(name);
      const state = leader?.name === name && p ? 'leader' : p && m?.reachable ? 'follower' : 'offline';
      return {
        name,
        apiUrl: p?.apiUrl ?? null,
        state,
        etcdMember: m ? { id: m.id, clientUrl: m.clientUrl, reachable: m.reachable, raftLeader: m.isRaftLeader ?? false } : null,
        raftTerm: m?.raftTerm ?? null,
        committedIndex: m?.raftIndex ?? null,
        appliedIndex: m?.raftAppliedIndex ?? null,
        since: p?.since ?? null,
        ...(m && !m.reachable && m.why ? { why: `etcd member unreachable: ${m.why}` } : !p ? { why: 'not running (no presence in the cluster)' } : {}),
      };
    });
    return {
      mode: 'cluster',
      store: 'etcd',
      me: this.config.name,
      meLeading: this.isLeader(),
      leader: leader ? { name: leader.name, apiUrl: leader.apiUrl, term: leader.term, since: leader.since } : null,
      quorum: { has: view.hasQuorum, reachable: view.reachable, total: view.total, needs: view.needs },
      leaseRemainingMs: this.leadership?.leaseRemainingMs() ?? 0,
      vip: this.config.vip?.address ?? null,
      controllers,
    };
  }

  private async presence(): Promise<Map<string, { apiUrl: string; since: string }>> {
    const prefix = leadershipKeys(this.store.namespace).controllers;
    const found = new Map<string, { apiUrl: string; since: string }>();
    try {
      const kvs = await this.store.client.getAll().prefix(prefix).serializable(true).json();
      for (const [key, value] of Object.entries(kvs)) {
        const v = value as { apiUrl?: string; since?: string };
        found.set(key.slice(prefix.length), { apiUrl: v.apiUrl ?? '', since: v.since ?? '' });
      }
    } catch {
      // The local member does not answer either: every controller shows offline.
    }
    return found;
  }

  async stop(): Promise<void> {
    await this.leadership?.stop();
    this.healthView.stop();
    await this.store.close();
    await this.member?.stop();
  }
}
