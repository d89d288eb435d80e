// The HA manager: a pure state machine run once per controller loop iteration (`step`). It reads
// the observations it is given, decides, and acts only through its HaEnv. Host and guest states
// are described in ha-types.ts; `apply` is the only function that changes them, and it logs every
// transition. Safety rule: a guest starts on another host only once its old host is known fenced
// (fence-verdict.ts), and never while the fencing-storm guard is on (storm-guard.ts).
import { maxTolerable } from './capacity.ts';
import { fenceVerdict } from './fence-verdict.ts';
import { GuestsByHost } from './guests-by-host.ts';
import type { HaEnv } from './ha-env.ts';
import type {
  HaGuestRecord,
  HaCommand,
  HaConfig,
  HaGuestSpec,
  HaHostSpec,
  HaObservations,
  HaState,
  HostObservation,
  HaHostRecord,
  PoolRecord,
} from './ha-types.ts';
import { mostFreePlacement, type HaPlacement } from './placement.ts';
import { freeRoom, healthLine, runningOnline, type PoolView } from './pool-view.ts';
import { planRecovery } from './recovery-planner.ts';
import { stormGuard } from './storm-guard.ts';
import { GUEST_TRANSITIONS, HOST_TRANSITIONS, findTransition, type GuestHaEvent, type HostHaEvent, type Transition } from './ha-transitions.ts';

/** What moved a record: an event of the transition table, or 'update' for a rewrite that keeps the state. */
type Change =
  | { readonly kind: 'host'; readonly id: string; readonly rec: HaHostRecord; readonly event: HostHaEvent | 'update' }
  | { readonly kind: 'guest'; readonly id: string; readonly rec: HaGuestRecord; readonly event: GuestHaEvent | 'update' }
  | { readonly kind: 'pool'; readonly rec: PoolRecord };

export interface HaManagerOptions {
  readonly placement?: HaPlacement;
  /** The state was loaded back after a controller restart (say so in the events). */
  readonly restarted?: boolean;
}

/** A guest's initial place: where it runs, or nowhere when it is asked stopped. */
export type InitialPlacement = Readonly<Record<string, { readonly host?: string | undefined; readonly request: 'started' | 'stopped' }>>;

export function initialHaState(config: HaConfig, placement: InitialPlacement): HaState {
  const hosts: Record<string, HaHostRecord> = {};
  for (const h of config.hosts) hosts[h.id] = { state: 'online', since: 0 };
  const guests: Record<string, HaGuestRecord> = {};
  for (const g of config.guests) {
    const p = placement[g.id];
    guests[g.id] = p?.request === 'started' && p.host !== undefined ? { state: 'started', host: p.host } : { state: 'stopped' };
  }
  return { hosts, guests, pool: { gateOpenAt: 0, stormActive: false, overCommitted: false } };
}

const isProtected = (g: HaGuestSpec): boolean => g.plan.restart !== 'never';

export class HaManager {
  private readonly hosts: Map<string, HaHostRecord>;
  private readonly guests: Map<string, HaGuestRecord>;
  private pool: PoolRecord;
  private readonly hostSpecs: readonly HaHostSpec[];
  private readonly guestSpecs: readonly HaGuestSpec[];
  private readonly hostSpec = new Map<string, HaHostSpec>();
  /** Guest id → its spec and its place in the config's order (results stay in that order). */
  private readonly guestSpec = new Map<string, { readonly spec: HaGuestSpec; readonly order: number }>();
  private readonly byHost = new GuestsByHost();
  private readonly placement: HaPlacement;
  private readonly startedAt: number;
  private changed = false;
  /** Host states changed / guest placements changed since failures tolerated was last computed. */
  private hostsChanged = true;
  private guestsChanged = true;

  constructor(
    private readonly env: HaEnv,
    private readonly config: HaConfig,
    state: HaState,
    options: HaManagerOptions = {},
  ) {
    this.hosts = new Map(Object.entries(state.hosts));
    this.guests = new Map(Object.entries(state.guests));
    this.pool = state.pool;
    this.hostSpecs = config.hosts;
    this.guestSpecs = config.guests;
    for (const h of config.hosts) this.hostSpec.set(h.id, h);
    this.placement = options.placement ?? mostFreePlacement;
    this.startedAt = env.now();
    // Hosts and guests added since the state was saved start as online / not run by HA.
    for (const h of config.hosts) if (!this.hosts.has(h.id)) this.hosts.set(h.id, { state: 'online', since: this.startedAt });
    for (const g of config.guests) if (!this.guests.has(g.id)) this.guests.set(g.id, { state: 'stopped' });
    config.guests.forEach((spec, order) => this.guestSpec.set(spec.id, { spec, order }));
    for (const [id, r] of this.guests) this.byHost.update(id, undefined, r);
    if (options.restarted) {
      this.reconcileLoaded();
      const fencePending = [...this.hosts.values()].filter((h) => h.state === 'lost' || h.state === 'fence-pending').length;
      const recovering = [...this.guests.values()].filter((g) => g.state === 'recovery' || g.state === 'fence').length;
      env.emit({ type: 'controller-restarted', fencePending, recovering });
    }
  }

  hostState(id: string): HaHostRecord['state'] | undefined {
    return this.hosts.get(id)?.state;
  }

  /** The guests' records as they are now, not copied (the loop reads them every round). */
  guestRecords(): ReadonlyMap<string, Readonly<HaGuestRecord>> {
    return this.guests;
  }

  /** The guests whose record names the host (where they run, or their move's target), in no order. */
  guestsNaming(host: string): ReadonlySet<string> {
    return this.byHost.on(host);
  }

  /** A copy of the current state (what `persist` stores). */
  snapshot(): HaState {
    return { hosts: Object.fromEntries(this.hosts), guests: Object.fromEntries(this.guests), pool: this.pool };
  }

  step(obs: HaObservations, commands: readonly HaCommand[] = []): void {
    const now = this.env.now();
    for (const c of commands) this.command(c);
    this.detectHosts(obs, now);
    if (!this.guardStorm()) this.advanceFencing(obs, now);
    this.followGuests(obs, now);
    this.recover(obs, now);
    this.drain(now);
    this.watchHealth(obs, now);
    // Also what reconcileLoaded changed before the first step.
    if (this.changed) {
      this.changed = false;
      this.env.persist(this.snapshot());
    }
  }

  // The one mutator: every change of a host, guest or pool record goes through here, and a change of
  // state only along a row of the transition table (ha-transitions.ts).
  private apply(c: Change): void {
    if (c.kind === 'host') {
      const prev = this.hosts.get(c.id);
      if (prev?.state !== c.rec.state) {
        checkTransition(HOST_TRANSITIONS, `host '${c.id}'`, prev?.state, c.event, c.rec.state);
        this.env.log(`host '${c.id}': state changed from '${prev?.state ?? 'none'}' to '${c.rec.state}' (${c.event})`);
        this.hostsChanged = true;
      }
      this.hosts.set(c.id, c.rec);
    } else if (c.kind === 'guest') {
      const prev = this.guests.get(c.id);
      const where = (r: HaGuestRecord | undefined): string => (r?.state === 'migrate' ? `${r.host} → ${r.target}` : (r?.host ?? '-'));
      if (prev?.state !== c.rec.state) checkTransition(GUEST_TRANSITIONS, `guest '${c.id}'`, prev?.state, c.event, c.rec.state);
      if (prev?.state !== c.rec.state || prev.host !== c.rec.host || prev.target !== c.rec.target) {
        const on = c.rec.state === 'started' || c.rec.state === 'migrate' ? ` (${where(c.rec)})` : '';
        this.env.log(`guest '${c.id}': state changed from '${prev?.state ?? 'none'}' to '${c.rec.state}'${on} (${c.event})`);
        this.guestsChanged = true;
      }
      this.guests.set(c.id, c.rec);
      this.byHost.update(c.id, prev, c.rec);
    } else {
      if (c.rec.stormActive !== this.pool.stormActive) {
        this.env.log(`pool: fencing-storm guard ${c.rec.stormActive ? 'on' : 'off'}`);
      }
      this.pool = c.rec;
    }
    this.changed = true;
  }

  private setHost(id: string, rec: HaHostRecord, event: HostHaEvent | 'update'): void {
    this.apply({ kind: 'host', id, rec, event });
  }
  private setGuest(id: string, rec: HaGuestRecord, event: GuestHaEvent | 'update'): void {
    this.apply({ kind: 'guest', id, rec, event });
  }
  private setPool(patch: Partial<PoolRecord>): void {
    this.apply({ kind: 'pool', rec: { ...this.pool, ...patch } });
  }

  private guestsOn(host: string, states: readonly HaGuestRecord['state'][]): HaGuestSpec[] {
    return this.specsNaming(host, (r) => r.host === host && states.includes(r.state));
  }

  /** The specs of the guests whose record names the host and passes `keep`, in the config's order. */
  private specsNaming(host: string, keep: (r: HaGuestRecord) => boolean): HaGuestSpec[] {
    const found: { readonly spec: HaGuestSpec; readonly order: number }[] = [];
    for (const id of this.byHost.on(host)) {
      const r = this.guests.get(id);
      const spec = this.guestSpec.get(id);
      if (r !== undefined && spec !== undefined && keep(r)) found.push(spec);
    }
    return found.sort((a, b) => a.order - b.order).map((f) => f.spec);
  }

  private command(c: HaCommand): void {
    const rec = this.hosts.get(c.host);
    if (!rec) return;
    const now = this.env.now();
    if (c.kind === 'maintenance' && rec.state === 'online') {
      this.setHost(c.host, { state: 'draining', since: now }, 'maintenance-asked');
      this.env.emit({ type: 'maintenance-draining', host: c.host, guests: this.guestsOn(c.host, ['started', 'migrate']).length });
    } else if (c.kind === 'maintenance-off' && (rec.state === 'maintenance' || rec.state === 'draining')) {
      this.setHost(c.host, { state: 'online', since: now }, 'maintenance-off');
      this.env.emit({ type: 'maintenance-exited', host: c.host });
    }
  }

  /** Hosts go lost when silent, and come back when heard again. */
  private detectHosts(obs: HaObservations, now: number): void {
    const { netTimeoutMs } = this.config.settings.timing;
    for (const h of this.hostSpecs) {
      const rec = this.hosts.get(h.id);
      if (!rec) continue;
      const seen = obs.hosts[h.id]?.netSeenAt;
      // Never heard since this controller process started: count from its start (grace period).
      const lastNet = seen ?? this.startedAt;
      const fresh = now - lastNet <= netTimeoutMs;
      if ((rec.state === 'online' || rec.state === 'draining') && !fresh) {
        this.loseHost(h.id, lastNet, now);
      } else if ((rec.state === 'lost' || rec.state === 'fence-pending') && seen !== undefined && fresh && seen > (rec.lastNetAt ?? -1)) {
        this.setHost(h.id, { state: 'online', since: now }, 'heartbeat-back');
        this.thawGuests(h.id);
        this.env.emit({ type: 'host-back', host: h.id, wasState: rec.state });
      } else if (rec.state === 'fenced' && seen !== undefined && fresh && seen > rec.since) {
        this.setHost(h.id, { state: 'online', since: now }, 'heartbeat-back');
        this.env.emit({ type: 'host-back', host: h.id, wasState: rec.state });
      }
    }
  }

  private loseHost(host: string, lastNetAt: number, now: number): void {
    this.setHost(host, { state: 'lost', since: now, lastNetAt }, 'heartbeat-lost');
    const frozen = this.freezeGuests(host, lastNetAt);
    this.env.emit({ type: 'host-lost', host, lastNetAt, guests: frozen });
  }

  /** Its guests running or moving there wait, frozen, until it is fenced or heard again; how many did. */
  private freezeGuests(host: string, lastNetAt: number): number {
    const frozen = this.specsNaming(host, (r) => (r.state === 'started' || r.state === 'migrate') && (r.host === host || r.target === host));
    for (const g of frozen) {
      // A move in flight may or may not have handed over: the guest may be on the lost host. If the
      // other end reports it running, followGuests takes it from there; otherwise it waits for fencing.
      const r = this.guests.get(g.id) as HaGuestRecord;
      const other = r.state === 'migrate' ? (r.host === host ? r.target : r.host) : undefined;
      this.setGuest(
        g.id,
        other === undefined ? { state: 'fence', host, downSince: lastNetAt } : { state: 'fence', host, downSince: lastNetAt, maybeOn: other },
        'host-lost',
      );
    }
    return frozen.filter((g) => this.guests.get(g.id)?.state === 'fence').length;
  }

  /** The host was heard again before being fenced: the guests frozen there run there still. */
  private thawGuests(host: string): void {
    for (const g of this.guestsOn(host, ['fence'])) {
      const maybeOn = this.guests.get(g.id)?.maybeOn;
      this.setGuest(g.id, maybeOn === undefined ? { state: 'started', host } : { state: 'started', host, maybeOn }, 'host-back');
    }
  }

  /**
   * A state read back after a restart may hold guests of one step beside hosts of the step before (a
   * save writes the guests first, one record each: ha-state-store.ts). What a step does to a host's
   * guests along with the host is done here for any guest left behind, so that none waits forever:
   * guests still placed on a host that is lost or fenced are frozen, those frozen on a fenced host
   * are released to recovery, those frozen on a host that is up run there. A state saved whole needs
   * none of it. Starting a guest elsewhere still waits for its host to be known fenced.
   */
  private reconcileLoaded(): void {
    for (const [host, rec] of this.hosts) {
      if (rec.state === 'lost' || rec.state === 'fence-pending' || rec.state === 'fenced') this.freezeGuests(host, rec.lastNetAt ?? rec.since);
      if (rec.state === 'fenced') this.releaseGuests(host);
      if (rec.state === 'online' || rec.state === 'draining' || rec.state === 'maintenance') this.thawGuests(host);
    }
  }

  /** True while too many hosts are lost at once to fence any of them. */
  private guardStorm(): boolean {
    const lost = this.hostSpecs.filter((h) => {
      const s = this.hosts.get(h.id)?.state;
      return s === 'lost' || s === 'fence-pending';
    });
    const members = this.hostSpecs.filter((h) => {
      const s = this.hosts.get(h.id)?.state;
      return s !== 'maintenance' && s !== 'fenced';
    }).length;
    const verdict = stormGuard({ lost: lost.length, members, failuresToTolerate: this.config.settings.failuresToTolerate });
    if (verdict.storm && !this.pool.stormActive) {
      this.setPool({ stormActive: true });
      this.env.emit({ type: 'storm-guard', why: verdict.why, hosts: lost.map((h) => h.id) });
    } else if (!verdict.storm && this.pool.stormActive) {
      this.setPool({ stormActive: false });
      this.env.emit({ type: 'storm-lifted' });
    }
    return verdict.storm;
  }

  private advanceFencing(obs: HaObservations, now: number): void {
    const timing = this.config.settings.timing;
    for (const h of this.hostSpecs) {
      let rec = this.hosts.get(h.id);
      if (rec?.state === 'lost') {
        const lastNetAt = rec.lastNetAt ?? now;
        rec = { state: 'fence-pending', since: now, lastNetAt };
        this.setHost(h.id, rec, 'fencing-approved');
        if (h.fenceAgent) this.env.fenceHost(h.id);
        this.env.emit({ type: 'fencing', host: h.id, deadline: lastNetAt + timing.fenceTimeoutMs, fenceAgent: h.fenceAgent });
      }
      if (rec?.state !== 'fence-pending') continue;
      const o: HostObservation = obs.hosts[h.id] ?? {};
      const verdict = fenceVerdict(o, rec.lastNetAt ?? rec.since, now, timing);
      if (verdict.fenced) {
        this.setHost(h.id, { state: 'fenced', since: now }, 'fence-confirmed');
        this.env.emit({ type: 'host-fenced', host: h.id, reason: verdict.reason });
        this.releaseGuests(h.id);
      } else if (verdict.aliveOnStorage && !rec.alerted) {
        this.setHost(h.id, { ...rec, alerted: true }, 'update');
        this.env.emit({ type: 'host-isolated', host: h.id });
      }
    }
  }

  /** The host is known fenced: its guests wait for recovery, or stay down (plan 'never'). */
  private releaseGuests(host: string): void {
    for (const g of this.guestsOn(host, ['fence'])) {
      const r = this.guests.get(g.id) as HaGuestRecord;
      const downSince = r.downSince ?? 0;
      const otherEnd = r.maybeOn === undefined ? undefined : this.hosts.get(r.maybeOn)?.state;
      if (r.maybeOn !== undefined && (otherEnd === 'lost' || otherEnd === 'fence-pending')) {
        // The other end of its cut move is unreachable too: wait for that host instead.
        this.setGuest(g.id, { state: 'fence', host: r.maybeOn, downSince }, 'update');
      } else if (isProtected(g)) {
        this.setGuest(
          g.id,
          r.maybeOn === undefined ? { state: 'recovery', host, downSince } : { state: 'recovery', host, downSince, maybeOn: r.maybeOn },
          'host-fenced',
        );
      } else {
        this.setGuest(g.id, { state: 'stopped', host }, 'host-fenced');
        this.env.emit({ type: 'guest-not-restarted', guest: g.id, host });
      }
    }
  }

  /** Match what agents report with what HA expects: starts done, guests missing, stray copies. */
  private followGuests(obs: HaObservations, now: number): void {
    // Guest → hosts reporting it; one small array per guest only where needed (large pools).
    const firstOn = new Map<string, string>();
    const alsoOn = new Map<string, string[]>();
    for (const h of this.hostSpecs) {
      for (const g of obs.hosts[h.id]?.running ?? []) {
        const first = firstOn.get(g);
        if (first === undefined) firstOn.set(g, h.id);
        else alsoOn.set(g, [...(alsoOn.get(g) ?? [first]), h.id]);
      }
    }
    const none: readonly string[] = [];
    const { startTimeoutMs } = this.config.settings.timing;
    for (const g of this.guestSpecs) {
      const r = this.guests.get(g.id);
      if (!r) continue;
      const first = firstOn.get(g.id);
      // The common case, kept cheap for large pools: running where expected, nothing to follow up.
      if (r.state === 'started' && first === r.host && r.pendingSince === undefined && r.maybeOn === undefined && !alsoOn.has(g.id)) continue;
      const seenOn = alsoOn.get(g.id) ?? (first === undefined ? none : [first]);
      if (r.state === 'started' && r.host !== undefined) {
        const host = r.host;
        const elsewhere = seenOn.filter((h) => h !== host);
        if (seenOn.includes(host)) {
          if (r.recoveredFrom !== undefined && r.downSince !== undefined) {
            this.env.emit({ type: 'guest-recovered', guest: g.id, from: r.recoveredFrom, to: host, tookMs: now - r.downSince });
          }
          if (r.pendingSince !== undefined || r.maybeOn !== undefined) this.setGuest(g.id, { state: 'started', host }, 'update');
        } else if (elsewhere.length === 1 && r.pendingSince === undefined) {
          // It runs somewhere else (a move that finished while its source was unreachable): follow it.
          const found = elsewhere[0] as string;
          this.setGuest(g.id, { state: 'started', host: found }, 'update');
          this.env.emit({ type: 'guest-found', guest: g.id, host: found, expected: host });
          continue;
        } else if (elsewhere.length === 0) {
          const hostState = this.hosts.get(host)?.state;
          const reporting = obs.hosts[host]?.running !== undefined;
          const due = r.pendingSince === undefined || now - r.pendingSince > startTimeoutMs;
          if ((hostState === 'online' || hostState === 'draining') && reporting && due && this.clearedElsewhere(g.id, obs)) {
            if (r.pendingSince === undefined) this.env.emit({ type: 'guest-restarted', guest: g.id, host });
            this.setGuest(
              g.id,
              {
                state: 'started',
                host,
                pendingSince: now,
                ...(r.recoveredFrom !== undefined ? { recoveredFrom: r.recoveredFrom } : {}),
                ...(r.downSince !== undefined ? { downSince: r.downSince } : {}),
              },
              'update',
            );
            this.env.startGuest(g.id, host);
          }
        }
        // Two copies can only come from a fault outside HA's control: keep the one HA placed.
        if (seenOn.includes(host) || r.pendingSince !== undefined) {
          for (const other of elsewhere) {
            this.env.stopGuest(g.id, other);
            this.env.emit({ type: 'guest-stray-stopped', guest: g.id, host: other, placedOn: host });
          }
        }
      } else if (r.state === 'migrate' && r.target !== undefined && r.host !== undefined) {
        if (seenOn.includes(r.target) && !seenOn.includes(r.host)) {
          this.setGuest(g.id, { state: 'started', host: r.target }, 'moved');
          this.env.emit({ type: 'guest-moved', guest: g.id, from: r.host, to: r.target });
        } else if (r.pendingSince !== undefined && now - r.pendingSince > startTimeoutMs) {
          this.setGuest(g.id, { state: 'started', host: r.host }, 'move-timed-out');
        }
      } else if ((r.state === 'stopped' || r.state === 'recovery' || r.state === 'fence') && seenOn.length === 1) {
        // Nothing started it elsewhere yet, so the copy a host reports is the only one: keep it.
        const host = seenOn[0] as string;
        if (this.hosts.get(host)?.state === 'online' || this.hosts.get(host)?.state === 'draining')
          this.setGuest(g.id, { state: 'started', host }, 'reported-running');
      }
    }
  }

  /** Nothing can be running on the other end of a cut move: it is fenced, or its agent reports without it. */
  private clearedElsewhere(guest: string, obs: HaObservations): boolean {
    const maybeOn = this.guests.get(guest)?.maybeOn;
    if (maybeOn === undefined) return true;
    if (this.hosts.get(maybeOn)?.state === 'fenced') return true;
    const running = obs.hosts[maybeOn]?.running;
    return running !== undefined && !running.includes(guest);
  }

  private view(): PoolView {
    return {
      hostSpecs: this.hostSpecs,
      guestSpecs: this.guestSpecs,
      hosts: this.hosts,
      guests: this.guests,
      cpuOvercommit: this.config.settings.cpuOvercommit,
    };
  }

  private recover(obs: HaObservations, now: number): void {
    const waiting = this.guestSpecs.filter((g) => this.guests.get(g.id)?.state === 'recovery' && this.clearedElsewhere(g.id, obs));
    if (waiting.length === 0) return;
    const decision = planRecovery({
      now,
      gateOpenAt: this.pool.gateOpenAt,
      waiting: waiting.map((g) => ({ ...g, unplaced: this.guests.get(g.id)?.unplaced === true })),
      hostsFree: freeRoom(this.view()),
      placement: this.placement,
    });
    for (const s of decision.starts) {
      const r = this.guests.get(s.guest) as HaGuestRecord;
      this.setGuest(
        s.guest,
        {
          state: 'started',
          host: s.target,
          pendingSince: now,
          recoveredFrom: r.host ?? '?',
          downSince: r.downSince ?? now,
        },
        'restart-planned',
      );
      this.env.startGuest(s.guest, s.target);
    }
    for (const id of decision.newlyUnplaced) {
      const g = waiting.find((w) => w.id === id) as HaGuestSpec;
      this.setGuest(id, { ...(this.guests.get(id) as HaGuestRecord), unplaced: true }, 'update');
      const needs = `needs ${g.ramMiB} MiB and ${g.vcpus} vCPU`;
      const reason =
        g.plan.restart === 'always'
          ? `no host has room for it (${needs}); it starts as soon as room appears`
          : `best-effort, and no capacity is left after the 'always' guests (${needs})`;
      this.env.emit({ type: 'guest-left-down', guest: id, reason });
    }
    if (decision.gateOpenAt !== this.pool.gateOpenAt) this.setPool({ gateOpenAt: decision.gateOpenAt });
  }

  /** Maintenance with HA on: move the host's guests away first, then it is in maintenance. */
  private drain(now: number): void {
    for (const h of this.hostSpecs) {
      const rec = this.hosts.get(h.id);
      if (rec?.state !== 'draining') continue;
      const staying = this.guestsOn(h.id, ['started', 'migrate']);
      if (staying.length === 0) {
        this.setHost(h.id, { state: 'maintenance', since: now }, 'drained');
        this.env.emit({ type: 'maintenance-entered', host: h.id });
        continue;
      }
      for (const g of staying) {
        const r = this.guests.get(g.id) as HaGuestRecord;
        if (r.state !== 'started' || r.pendingSince !== undefined) continue;
        const target = this.placement.choose(freeRoom(this.view(), h.id), g);
        if (target === undefined) {
          const current = this.hosts.get(h.id) as HaHostRecord;
          if (!current.alerted) {
            this.setHost(h.id, { ...current, alerted: true }, 'update');
            this.env.emit({ type: 'maintenance-blocked', host: h.id, guest: g.id });
          }
          continue;
        }
        this.setGuest(g.id, { state: 'migrate', host: h.id, target, pendingSince: now }, 'drain-move');
        this.env.migrateGuest(g.id, h.id, target);
      }
    }
  }

  private guestsInFlight(): boolean {
    return [...this.guests.values()].some((r) => r.state === 'fence' || r.state === 'migrate' || r.pendingSince !== undefined);
  }

  /** Failures tolerated now, over-commitment, and the pool's health line. */
  private watchHealth(obs: HaObservations, now: number): void {
    const { settings } = this.config;
    // Recomputed when hosts change, and when guests have settled (not after each start of a recovery).
    if (this.hostsChanged || (this.guestsChanged && !this.guestsInFlight())) {
      this.hostsChanged = false;
      this.guestsChanged = false;
      const { hosts, guests } = runningOnline(this.view());
      const tolerable = maxTolerable(hosts, guests, settings.cpuOvercommit, this.placement);
      const previous = this.pool.tolerable;
      const overCommitted = tolerable < settings.failuresToTolerate;
      if (previous !== tolerable || overCommitted !== this.pool.overCommitted) this.setPool({ tolerable, overCommitted });
      if (previous === undefined) this.env.emit({ type: 'ha-armed', tolerable, configured: settings.failuresToTolerate });
      else if (previous !== tolerable) {
        this.env.emit({ type: 'tolerance-changed', tolerable, previous, configured: settings.failuresToTolerate });
      }
      if (overCommitted && (previous === undefined || previous >= settings.failuresToTolerate)) {
        this.env.emit({ type: 'over-committed', tolerable, configured: settings.failuresToTolerate });
      }
    }
    const line = healthLine(this.view(), this.pool, obs, now, {
      failuresToTolerate: settings.failuresToTolerate,
      storageTimeoutMs: settings.timing.storageTimeoutMs,
    });
    if (line !== (this.pool.unhealthy ?? '')) {
      this.setPool(line === '' ? { unhealthy: '' } : { unhealthy: line });
      this.env.emit(line === '' ? { type: 'ha-healthy' } : { type: 'ha-unhealthy', reasons: line });
    }
  }
}

/** Refuses a change of state that is not a row of the table: a bug in the manager, never acted on. */
function checkTransition<S extends string, E extends string>(
  table: readonly Transition<S, E>[],
  who: string,
  from: S | undefined,
  event: E | 'update',
  to: S,
): void {
  if (from !== undefined && event !== 'update' && findTransition(table, from, event, to)) return;
  throw new Error(`HA manager bug: ${who} cannot go from '${from ?? 'none'}' to '${to}' on '${event}': no such row in the transition table`);
}
