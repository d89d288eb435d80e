// Leader election among the controllers, on etcd. Every controller holds a lease (TTL a few seconds,
// renewed every third of it) and a presence key bound to it; the leader also holds the leader key,
// created only if absent, with the term counter moved in the same transaction. A controller that dies
// or is cut off loses its lease: etcd deletes its keys, every follower sees the leader key go, and
// they campaign again; the first transaction wins.
//
// Safety does not rest on the deposed leader noticing: every store write carries "the leader key is
// the one I created" (etcd-store guardWrites), so a paused or partitioned leader's writes are refused
// by etcd itself. The leader also steps down on its own once it could not renew its lease for a TTL,
// so its loops stop acting on agents at about the time another controller starts.

import type { Etcd3, IKeyValue, Lease, Watcher } from 'etcd3';
import type { EtcdStore } from '../../store/etcd-store.ts';
import type { Clock } from '../platform/types.ts';
import { LeaderWatchdog } from './leader-watchdog.ts';

export interface LeaderInfo {
  readonly name: string;
  readonly apiUrl: string;
  readonly term: number;
  readonly since: string;
}

export interface LeadershipHooks {
  /** This controller became the leader; `previous` is the leader of the term before, if any. */
  elected(term: number, previous: { name: string; term: number } | undefined): Promise<void>;
  /** This controller is no longer the leader (stop acting). */
  deposed(why: string): Promise<void>;
  /** A controller's presence appeared or went (only called on the leader). */
  presenceChanged?(name: string, present: boolean): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface LeadershipOptions {
  readonly store: EtcdStore;
  readonly me: { readonly name: string; readonly apiUrl: string };
  readonly leaseTtlSeconds: number;
  readonly clock: Clock;
  readonly hooks: LeadershipHooks;
  /** What the follower's watch on the leader needs to see (see leader-watchdog.ts); none: wait out leases. */
  readonly watchdog?: { memberUrlOf(name: string): string | undefined; hasQuorum(): boolean };
}

export const leadershipKeys = (namespace: string) => ({
  leader: `${namespace}cluster/leader`,
  term: `${namespace}cluster/term`,
  controllers: `${namespace}cluster/controllers/`,
});

const json = (kv: IKeyValue | undefined): unknown => (kv ? JSON.parse(kv.value.toString('utf8')) : undefined);

export class Leadership {
  private readonly client: Etcd3;
  private readonly keys;
  private lease: Lease | undefined;
  private leaseId = '';
  private lastRenewAt = 0;
  private leading = false;
  private stopped = false;
  private current: LeaderInfo | undefined;
  /** The lease the current leader's key is bound to. */
  private currentLease = '';
  private watchdog: LeaderWatchdog | undefined;
  private leaderWatch: Watcher | undefined;
  private presenceWatch: Watcher | undefined;
  private tick: NodeJS.Timeout | undefined;
  private campaigning: Promise<void> | undefined;
  /** The controllers whose presence key exists, as last seen. */
  private readonly present = new Set<string>();

  constructor(private readonly opts: LeadershipOptions) {
    this.client = opts.store.client;
    this.keys = leadershipKeys(opts.store.namespace);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The leader as this controller last saw it (undefined while nobody holds the key). */
  leader(): LeaderInfo | undefined {
    return this.current;
  }

  /** Milliseconds left on this controller's lease, as last renewed. */
  leaseRemainingMs(): number {
    return Math.max(0, this.lastRenewAt + this.opts.leaseTtlSeconds * 1000 - this.opts.clock.now());
  }

  async start(): Promise<void> {
    await this.takeLease();
    this.leaderWatch = await this.client
      .watch()
      .key(this.keys.leader)
      .create()
      .then((w) =>
        w
          .on('put', (kv) => {
            this.current = json(kv) as LeaderInfo;
            this.currentLease = kv.lease;
            this.opts.hooks.log(
              'info',
              `controller ${this.opts.me.name} sees the leader key held by ${this.current.name} (term ${this.current.term}, rev ${kv.create_revision})`,
            );
          })
          .on('delete', (kv) => {
            this.opts.hooks.log('info', `controller ${this.opts.me.name} sees the leader key go (rev ${kv.mod_revision})`);
            this.current = undefined;
            this.currentLease = '';
            void this.onLeaderKeyGone();
          }),
      );
    const nameOf = (kv: IKeyValue): string => kv.key.toString().slice(this.keys.controllers.length);
    this.presenceWatch = await this.client
      .watch()
      .prefix(this.keys.controllers)
      .create()
      .then((w) =>
        w
          .on('put', (kv) => {
            if (!this.present.has(nameOf(kv)) && this.leading) this.opts.hooks.presenceChanged?.(nameOf(kv), true);
            this.present.add(nameOf(kv));
          })
          .on('delete', (kv) => {
            this.present.delete(nameOf(kv));
            if (this.leading) this.opts.hooks.presenceChanged?.(nameOf(kv), false);
          }),
      );
    for (const name of Object.keys(await this.client.getAll().prefix(this.keys.controllers).strings())) {
      this.present.add(name.slice(this.keys.controllers.length));
    }
    // The lease can run out while this process is paused or cut off: check it every ~TTL/8.
    this.tick = setInterval(() => this.checkLease(), Math.max(100, (this.opts.leaseTtlSeconds * 1000) / 8));
    this.tick.unref();
    if (this.opts.watchdog) {
      const { memberUrlOf, hasQuorum } = this.opts.watchdog;
      this.watchdog = new LeaderWatchdog({
        client: this.client,
        credentials: this.opts.store.credentials,
        target: () =>
          !this.leading && this.current && this.currentLease !== '' && this.currentLease !== '0' ? { ...this.current, lease: this.currentLease } : undefined,
        memberUrlOf,
        hasQuorum,
        // The delete event follows; do not count on it (a watch can miss an event across a reconnection).
        onEnded: (ended) => {
          if (this.currentLease !== ended.lease) return;
          this.current = undefined;
          this.currentLease = '';
          void this.campaign();
        },
        log: this.opts.hooks.log,
      });
      this.watchdog.start();
    }
    await this.campaign();
  }

  /** Resigns (a clean stop): the others need not wait for the lease to run out. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tick) clearInterval(this.tick);
    this.watchdog?.stop();
    await this.leaderWatch?.cancel().catch(() => undefined);
    await this.presenceWatch?.cancel().catch(() => undefined);
    if (this.leading) await this.stepDown('it is shutting down');
    await this.lease?.revoke().catch(() => undefined);
  }

  private async takeLease(): Promise<void> {
    const lease = this.client.lease(this.opts.leaseTtlSeconds, { autoKeepAlive: true });
    this.lease = lease;
    this.leaseId = await lease.grant();
    this.lastRenewAt = this.opts.clock.now();
    lease.on('keepaliveSucceeded', () => {
      if (this.lease === lease) this.lastRenewAt = this.opts.clock.now();
    });
    lease.on('lost', (err) => {
      if (this.lease !== lease || this.stopped) return;
      this.opts.hooks.log('warn', `controller ${this.opts.me.name}: lost its etcd lease (${err.message}); taking a new one`);
      void this.renewAfterLoss();
    });
    const presence = { name: this.opts.me.name, apiUrl: this.opts.me.apiUrl, since: new Date(this.opts.clock.now()).toISOString() };
    await lease.put(`${this.keys.controllers}${this.opts.me.name}`).value(JSON.stringify(presence));
  }

  private async renewAfterLoss(): Promise<void> {
    if (this.leading) await this.stepDown('its lease expired');
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.takeLease();
        await this.campaign();
        return;
      } catch (err) {
        if (attempt % 10 === 0) this.opts.hooks.log('warn', `controller ${this.opts.me.name}: cannot take a lease yet (${(err as Error).message})`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private lastConfirmedAt = 0;
  private confirming = false;

  /**
   * Every tick, a leader checks both that its lease was renewed within the TTL and, by reading the
   * leader key, that it still holds it: a watch event can be missed across a reconnection, a read
   * cannot. A leader that cannot confirm within the TTL steps down too.
   */
  private checkLease(): void {
    if (!this.leading) return;
    if (this.leaseRemainingMs() === 0) {
      void this.stepDown(`it could not renew its lease for ${this.opts.leaseTtlSeconds} s`);
      return;
    }
    if (this.opts.clock.now() - this.lastConfirmedAt > this.opts.leaseTtlSeconds * 1000) {
      void this.stepDown(`it could not confirm its leadership for ${this.opts.leaseTtlSeconds} s`);
      return;
    }
    if (this.confirming) return;
    this.confirming = true;
    const guard = this.guardRevision;
    this.client.kv
      .range({ key: Buffer.from(this.keys.leader) })
      .then((res) => {
        const kv = res.kvs[0];
        if (!this.leading || guard !== this.guardRevision) return;
        if (kv?.create_revision === guard) this.lastConfirmedAt = this.opts.clock.now();
        else void this.stepDown('another controller holds the leadership key').then(() => this.campaign());
      })
      .catch(() => undefined) // unconfirmed: the TTL rule above decides
      .finally(() => {
        this.confirming = false;
      });
  }

  private guardRevision = '';

  private async onLeaderKeyGone(): Promise<void> {
    if (this.leading) await this.stepDown('its leadership key was removed (lease expired)');
    await this.campaign();
  }

  /** One attempt to take the leader key; concurrent calls share it. */
  private campaign(): Promise<void> {
    this.campaigning ??= this.tryToLead().finally(() => {
      this.campaigning = undefined;
    });
    return this.campaigning;
  }

  private async tryToLead(): Promise<void> {
    if (this.stopped || this.leading) return;
    try {
      const termRes = await this.client.kv.range({ key: Buffer.from(this.keys.term) });
      const termKv = termRes.kvs[0];
      const previous = json(termKv) as { term: number; name: string } | undefined;
      const term = (previous?.term ?? 0) + 1;
      const info: LeaderInfo = { name: this.opts.me.name, apiUrl: this.opts.me.apiUrl, term, since: new Date(this.opts.clock.now()).toISOString() };
      const res = await this.client.kv.txn({
        compare: [
          { key: Buffer.from(this.keys.leader), target: 'Create', result: 'Equal', create_revision: 0 },
          { key: Buffer.from(this.keys.term), target: 'Mod', result: 'Equal', mod_revision: termKv?.mod_revision ?? 0 },
        ],
        success: [
          { request_put: { key: Buffer.from(this.keys.leader), value: Buffer.from(JSON.stringify(info)), lease: this.leaseId } },
          { request_put: { key: Buffer.from(this.keys.term), value: Buffer.from(JSON.stringify({ term, name: info.name })) } },
        ],
        failure: [{ request_range: { key: Buffer.from(this.keys.leader) } }],
      });
      if (!res.succeeded) {
        const holder = res.responses[0]?.response_range?.kvs[0];
        this.current = json(holder) as LeaderInfo | undefined;
        this.currentLease = holder?.lease ?? '';
        // Nobody holds it but the term moved under us: someone just won and lost again; try once more.
        if (holder === undefined) setTimeout(() => void this.campaign(), 50).unref();
        return;
      }
      this.leading = true;
      this.current = info;
      this.currentLease = this.leaseId;
      this.guardRevision = String(res.header.revision);
      this.lastConfirmedAt = this.opts.clock.now();
      this.opts.store.guardWrites({ key: this.keys.leader, createRevision: this.guardRevision, holder: `controller ${info.name}` });
      this.opts.hooks.log('info', `controller ${info.name} is the leader (term ${term})`);
      await this.opts.hooks.elected(term, previous);
      // The previous leader went away before this one led: nobody has said it was lost yet.
      if (previous && previous.name !== info.name && !this.present.has(previous.name)) this.opts.hooks.presenceChanged?.(previous.name, false);
    } catch (err) {
      if (this.stopped) return;
      this.opts.hooks.log('warn', `controller ${this.opts.me.name}: campaign failed (${(err as Error).message}); retrying`);
      setTimeout(() => void this.campaign(), 500).unref();
    }
  }

  private async stepDown(why: string): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.opts.store.guardWrites(undefined);
    this.opts.hooks.log('warn', `controller ${this.opts.me.name} is no longer the leader: ${why}`);
    await this.opts.hooks.deposed(why);
    // A resignation frees the key at once; after a lost lease etcd has already removed it.
    if (this.stopped) {
      await this.client.kv
        .txn({
          compare: [{ key: Buffer.from(this.keys.leader), target: 'Lease', result: 'Equal', lease: this.leaseId }],
          success: [{ request_delete_range: { key: Buffer.from(this.keys.leader) } }],
          failure: [],
        })
        .catch(() => undefined);
    }
  }
}
