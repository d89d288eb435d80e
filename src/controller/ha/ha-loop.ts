// The HA loop: every renew interval it renews every HA host's lease (the renewal's success is the
// host's network heartbeat), reads the heartbeat slots and guest lists, turns them into observations
// and runs one step of the core HA manager, whose actions come back through the HaEnv built here.
// Every dependency is injected (clock, agents, store, actions), so tests drive it step by step.
import { nextTurn } from '../platform/next-turn.ts';
import type { GuestStatus } from '../../contract/guest-agent.contract.ts';
import { DEFAULT_HA_TIMING, type HaConfigRecord, type FenceAgentConfig } from '../../contract/ha.contract.ts';
import { pacedTiming } from '../../core/ha/ha-pacing.ts';
import type { HaEvent } from '../../core/ha/ha-events.ts';
import type { HaEnv } from '../../core/ha/ha-env.ts';
import { HaManager } from '../../core/ha/ha-manager.ts';
import type { HaGuestRecord, HaCommand, HaConfig, HaState } from '../../core/ha/ha-types.ts';
import { LatestWriter } from '../platform/latest-writer.ts';
import type { Clock } from '../platform/types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { heartbeatRequest, type HaAgentLink, type HaHostRef, type HeartbeatTarget } from './ha-agent-link.ts';
import { haClusterView, isProtectedPlan, planOf, sameHaConfig, type ClusterFacts, type HaClusterView } from './ha-cluster-view.ts';
import { renameHosts } from './ha-host-keys.ts';
import { buildObservations, type HostVisit } from './ha-observations.ts';
import type { FenceAgentResult } from './fence-agent-runner.ts';

export interface HaLoopDeps {
  readonly clock: Clock;
  readonly link: HaAgentLink;
  readConfig(): Promise<HaConfigRecord>;
  readFacts(): Promise<ClusterFacts>;
  /** A guest with a user action in flight: HA leaves it alone meanwhile. */
  isBusy(guestId: string): boolean;
  loadState(): Promise<HaState | undefined>;
  /** Stores the state; its hosts are named as the manager names them (`idOf`: name → host id). */
  saveState(state: HaState, idOf: ReadonlyMap<string, string>): Promise<void>;
  startGuest(guestId: string, hostId: number): Promise<unknown>;
  stopGuest(guestId: string, hostId: number): Promise<void>;
  /** Live-moves (or cold-moves) the guest to the host: maintenance with HA on. */
  migrateGuest(guestId: string, hostId: number): Promise<unknown>;
  runFenceAgent(agent: FenceAgentConfig): Promise<FenceAgentResult>;
  /** An HA event (the manager's, or the loop's own), with the host records it names. */
  emit(event: HaLoopEvent): Promise<void>;
  /** The heartbeat volume's LUN and login, to configure hosts that are not writing it yet. */
  heartbeatTarget(volume: string): Promise<HeartbeatTarget | undefined>;
}

export type HaLoopEvent =
  | { readonly kind: 'manager'; readonly event: HaEvent; readonly hosts: ReadonlyMap<string, HostRecord> }
  | { readonly kind: 'recovery-failed'; readonly guest: string; readonly host: string; readonly error: string }
  | { readonly kind: 'fence-agent'; readonly host: string; readonly result: FenceAgentResult };

/** A start or move ordered by the manager, held until the state that orders it is saved. */
interface HeldAction {
  readonly guest: string;
  readonly run: () => Promise<unknown>;
}

const LOG_KEEP = 500;
/** Hosts asked for their read of the heartbeat volume each round. */
const SLOT_READERS = 3;
/** A host not writing the heartbeat volume is asked again this often. */
const CONFIGURE_RETRY_MS = 5_000;
/** Host visits started between two turns of the event loop (about 30 ms of sending). */
const VISITS_PER_SLICE = 100;

export class HaLoop {
  private manager: HaManager | undefined;
  private view: HaClusterView | undefined;
  private cfg: HaConfigRecord | undefined;
  private readonly visits = new Map<number, HostVisit>();
  private haIds: { readonly guests: readonly unknown[]; readonly ids: ReadonlySet<string> } | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly configuredTriedAt = new Map<number, number>();
  /** Where the next round's slot readers start, in turn among the hosts. */
  private readerTurn = 0;
  private readonly lines: string[] = [];
  private saving: Promise<void> = Promise.resolve();
  private readonly states = new LatestWriter<{ state: HaState; hosts: ReadonlyMap<string, HostRecord> }>(({ state, hosts }) => {
    return this.deps.saveState(state, new Map([...hosts.values()].map((h) => [h.name, String(h.id)])));
  });
  private emitting: Promise<void> = Promise.resolve();
  private readonly actions = new Set<Promise<unknown>>();
  /** Guests this loop is starting right now (their busy mark is ours). */
  private readonly ownActions = new Set<string>();
  private lock: Promise<void> = Promise.resolve();
  /** The state has been loaded from the store once in this process. */
  private loaded = false;
  /**
   * Starts and moves the manager ordered in this step, sent once the state that records them is
   * saved: a controller that dies in between must not find, once restarted, a guest waiting for
   * recovery that is in fact being started on some host (it would be started twice).
   */
  private readonly unsaved: HeldAction[] = [];

  constructor(private readonly deps: HaLoopDeps) {}

  /** One iteration. `visitWaitMs`: how long to wait for this round's agent answers before stepping. */
  iterate(visitWaitMs = 0): Promise<void> {
    return this.serial(() => this.iterateNow(visitWaitMs));
  }

  /**
   * Runs `work` between iterations, once every lease renewal in flight has ended: enabling and
   * disabling HA must not cross a renewal (an armed lease sent after a disarm would self-fence).
   */
  paused<T>(work: () => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await Promise.all([...this.inFlight.values()]);
      await this.saving; // nor a save (clearing the state under it would leave it half there)
      return work();
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The round's length the loop runs at now (the configured one, longer at scale: ha-pacing.ts). */
  get renewIntervalMs(): number {
    return this.cfg?.timing.renewIntervalMs ?? DEFAULT_HA_TIMING.renewIntervalMs;
  }

  private async iterateNow(visitWaitMs: number): Promise<void> {
    const stored = await this.deps.readConfig();
    if (!stored.enabled) {
      this.cfg = stored;
      this.forget();
      return;
    }
    const facts = await this.deps.readFacts();
    const timing = pacedTiming(stored.timing, facts.hosts.length);
    const cfg = timing === stored.timing ? stored : { ...stored, timing };
    this.cfg = cfg;
    const known = this.manager?.guestRecords();
    const view = haClusterView(cfg, facts, {
      busy: (id) => this.deps.isBusy(id) && !this.ownActions.has(id),
      handling: (id) => inHand(known?.get(id)),
    });
    const first = this.manager === undefined;
    await this.ensureManager(view, facts);
    this.view = view;
    const ha = this.haIdsOf(view);
    const byHostId = guestsByHostId(facts.guests);
    const readers = this.slotReaders(view);
    const round: Promise<void>[] = [];
    for (const h of view.hostByName.values()) {
      round.push(this.visit(h, cfg, this.leaseGuests(h, cfg, ha, byHostId.get(h.id)), readers.has(h.id)));
      // Started in slices with the event loop's turn between them: 2,500 renewals sent in one go
      // held the API up for most of a second every round.
      if (round.length % VISITS_PER_SLICE === 0) await nextTurn();
    }
    // The first step (HA just enabled, or the controller restarted) waits for every host's answers,
    // so it does not judge hosts on what it has not asked yet.
    await waitAtMost(Promise.all(round), first ? Math.max(visitWaitMs, this.timeoutOf(cfg)) : visitWaitMs);
    const hosts = [...view.hostByName.values()].map((h) => ({ id: h.id, key: h.name }));
    const maxAge = Math.max(cfg.timing.renewIntervalMs * 3, 1000);
    const obs = buildObservations(hosts, this.visits, this.deps.clock.now(), maxAge);
    (this.manager as HaManager).step(obs, this.commands(view));
    // The manager saves whenever it orders a start or a move; should it not have, nothing to wait for.
    for (const a of this.unsaved.splice(0)) this.send(a);
  }

  /**
   * Drops what this process knows (HA disabled, or this controller stopped leading): the next start
   * loads the HA state from the store, as a restarted controller does — another leader may have
   * fenced and restarted guests meanwhile, and its decisions are the ones that count.
   */
  forget(): void {
    this.manager = undefined;
    this.view = undefined;
    this.loaded = false;
    this.visits.clear();
    this.configuredTriedAt.clear();
  }

  /** Waits for the agent calls, saves, events and actions this loop started (tests, shutdown). */
  async settle(): Promise<void> {
    await Promise.all([...this.inFlight.values()]);
    await this.saving; // the starts it holds are sent when it ends
    await Promise.allSettled([...this.actions]);
    await this.emitting;
  }

  get state(): HaState | undefined {
    return this.manager?.snapshot();
  }

  allVisits(): ReadonlyMap<number, HostVisit> {
    return this.visits;
  }

  recentLog(limit = 100): string[] {
    return this.lines.slice(-limit);
  }

  private async ensureManager(view: HaClusterView, facts: ClusterFacts): Promise<void> {
    if (this.manager && this.view && sameHaConfig(view.config, this.view.config)) return;
    let state: HaState;
    let restarted = false;
    if (this.manager) {
      state = this.manager.snapshot();
    } else {
      const stored = this.loaded ? undefined : await this.deps.loadState();
      this.loaded = true;
      const nameOf = new Map(facts.hosts.map((h) => [String(h.id), h.name]));
      state = stored
        ? renameHosts(stored, (id) => nameOf.get(id))
        : { hosts: {}, guests: {}, pool: { gateOpenAt: 0, stormActive: false, overCommitted: false } };
      restarted = stored !== undefined;
    }
    this.view = view;
    this.manager = new HaManager(this.env(), view.config, withoutGone(state, view.config), { restarted });
  }

  /** Host maintenance as the HA manager needs to hear it. */
  private commands(view: HaClusterView): HaCommand[] {
    const out: HaCommand[] = [];
    for (const h of view.hostByName.values()) {
      const s = this.manager?.hostState(h.name);
      if ((h.state === 'MAINT' || h.state === 'EVACUATING') && s === 'online') out.push({ kind: 'maintenance', host: h.name });
      if (h.state === 'UP' && (s === 'maintenance' || s === 'draining')) out.push({ kind: 'maintenance-off', host: h.name });
    }
    return out;
  }

  /**
   * The HA guests the host runs as far as HA knows, and those it reports: what its self-fence stops.
   * Made at each host's visit from indexes (the manager's records by host, the guest records by host):
   * one pass over every guest per round held the event loop 30-50 ms at 25,000 guests.
   */
  private leaseGuests(h: HostRecord, cfg: HaConfigRecord, ha: ReadonlySet<string>, recorded: readonly GuestRecord[] = []): string[] {
    const out = new Set<string>();
    const records = this.manager?.guestRecords();
    for (const id of this.manager?.guestsNaming(h.name) ?? []) {
      const r = records?.get(id);
      if (ha.has(id) && (r?.state === 'started' || r?.state === 'migrate')) out.add(id);
    }
    for (const id of this.visits.get(h.id)?.running?.guests ?? []) if (ha.has(id)) out.add(id);
    // Belt and braces: every guest with a protecting plan recorded on this host, whatever state its
    // record shows. Fencing a guest that is not running costs nothing; missing one that is could let
    // it run twice once HA restarts it elsewhere.
    for (const g of recorded) if (isProtectedPlan(planOf(cfg, g)?.restart)) out.add(g.id);
    return [...out].sort();
  }

  /** The ids of the view's HA guests, the same set while the list holds the same records. */
  private haIdsOf(view: HaClusterView): ReadonlySet<string> {
    const last = this.haIds;
    if (last && last.guests.length === view.haGuests.length && last.guests.every((g, i) => g === view.haGuests[i])) return last.ids;
    const ids = new Set(view.haGuests.map((g) => g.id));
    this.haIds = { guests: view.haGuests, ids };
    return ids;
  }

  /**
   * The hosts whose read of the heartbeat volume is asked for this round: a few, in turn among
   * those answering. Every host reads every slot, so a few readers see all of them; asking every
   * host made each round's reads grow with the square of the hosts.
   */
  private slotReaders(view: HaClusterView): Set<number> {
    const ids = [...view.hostByName.values()].map((h) => h.id).sort((a, b) => a - b);
    const answering = ids.filter((id) => {
      const v = this.visits.get(id);
      return v?.leaseOkAt !== undefined && (v.failedAt === undefined || v.failedAt < v.leaseOkAt);
    });
    const pool = answering.length >= SLOT_READERS ? answering : ids;
    const out = new Set<number>();
    for (let k = 0; k < Math.min(SLOT_READERS, pool.length); k++) out.add(pool[(this.readerTurn + k) % pool.length]!);
    this.readerTurn = (this.readerTurn + SLOT_READERS) % Math.max(1, pool.length);
    return out;
  }

  /** Starts the host's lease renewal and its reads, each unless the previous one is still out. */
  private visit(h: HostRecord, cfg: HaConfigRecord, guests: readonly string[], readSlots: boolean): Promise<void> {
    return Promise.all([this.once(`renew:${h.id}`, () => this.renew(h, cfg, guests)), this.once(`read:${h.id}`, () => this.read(h, cfg, readSlots))]).then(
      () => undefined,
    );
  }

  private once(key: string, work: () => Promise<void>): Promise<void> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private timeoutOf(cfg: HaConfigRecord): number {
    return Math.max(200, Math.min(cfg.timing.netTimeoutMs, 2000));
  }

  private failed(v: HostVisit, err: unknown): void {
    v.failedAt = this.deps.clock.now();
    v.failure = err instanceof Error ? err.message : String(err);
  }

  /** The lease renewal: its success time is the host's network heartbeat. */
  private async renew(h: HostRecord, cfg: HaConfigRecord, guests: readonly string[]): Promise<void> {
    const ref: HaHostRef = { id: h.id, name: h.name, address: h.address, port: h.port };
    const v = this.visitRecord(h.id);
    try {
      const armed = this.manager?.hostState(h.name) !== 'maintenance';
      const sentAt = this.deps.clock.now();
      const lease = await this.deps.link.lease(ref, { armed, fenceTimeoutMs: cfg.timing.fenceTimeoutMs, guests: [...guests] }, this.timeoutOf(cfg));
      v.leaseOkAt = this.deps.clock.now();
      v.lease = lease;
      // The agent's listing began `agoMs` before it answered, so no later than this (sent minus age).
      if (lease.guests) v.running = { at: sentAt - lease.guests.agoMs, guests: runningIds(lease.guests.list) };
      // Not awaited: it waits for an iSCSI login, and the next renewal is due in a few hundred ms.
      if (!lease.storage.configured && cfg.heartbeatVolume !== null) void this.once(`configure:${h.id}`, () => this.configure(ref, cfg, this.timeoutOf(cfg)));
    } catch (err) {
      this.failed(v, err);
    }
  }

  /**
   * The heartbeat slots as the host reads them, and the guests it runs when its lease answers do
   * not carry them (an agent from before they did, or one that has not listed yet).
   */
  private async read(h: HostRecord, cfg: HaConfigRecord, readSlots: boolean): Promise<void> {
    const ref: HaHostRef = { id: h.id, name: h.name, address: h.address, port: h.port };
    const v = this.visitRecord(h.id);
    try {
      if (readSlots) {
        const slots = await this.deps.link.slots(ref, this.timeoutOf(cfg));
        // The answer's time: the ages in it were measured when the agent answered.
        v.slots = { at: this.deps.clock.now(), response: slots };
      }
      if (v.lease?.guests) return;
      const guests = await this.deps.link.listGuests(ref, this.timeoutOf(cfg));
      v.running = { at: this.deps.clock.now(), guests: runningIds(guests) };
    } catch (err) {
      this.failed(v, err);
    }
  }

  private async configure(ref: HaHostRef, cfg: HaConfigRecord, timeout: number): Promise<void> {
    const now = this.deps.clock.now();
    const last = this.configuredTriedAt.get(ref.id);
    if (last !== undefined && now - last < CONFIGURE_RETRY_MS) return;
    this.configuredTriedAt.set(ref.id, now);
    const target = cfg.heartbeatVolume === null ? undefined : await this.deps.heartbeatTarget(cfg.heartbeatVolume);
    if (target === undefined) return;
    await this.deps.link.configure(ref, heartbeatRequest(target, ref.id, cfg.timing.slotIntervalMs), timeout).catch((err: unknown) => {
      this.log(`host '${ref.name}': could not configure the heartbeat volume: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  private visitRecord(id: number): HostVisit {
    let v = this.visits.get(id);
    if (!v) this.visits.set(id, (v = {}));
    return v;
  }

  private log(line: string): void {
    this.lines.push(`${new Date(this.deps.clock.now()).toISOString()} ${line}`);
    if (this.lines.length > LOG_KEEP) this.lines.splice(0, this.lines.length - LOG_KEEP);
  }

  private emit(e: HaLoopEvent): void {
    this.emitting = this.emitting.then(() => this.deps.emit(e)).catch(() => undefined);
  }

  private send(action: HeldAction): void {
    this.track(action.run().finally(() => this.ownActions.delete(action.guest)));
  }

  private track(p: Promise<unknown>): void {
    this.actions.add(p);
    void p.finally(() => this.actions.delete(p)).catch(() => undefined);
  }

  private hostRecord(name: string): HostRecord | undefined {
    return this.view?.hostByName.get(name);
  }

  private env(): HaEnv {
    return {
      now: () => this.deps.clock.now(),
      log: (line) => this.log(line),
      emit: (event) => this.emit({ kind: 'manager', event, hosts: this.view?.hostByName ?? new Map() }),
      startGuest: (guest, hostName) => {
        const h = this.hostRecord(hostName);
        if (!h) return;
        if (this.ownActions.has(guest)) return;
        this.ownActions.add(guest);
        this.unsaved.push({
          guest,
          run: () => {
            this.log(`starting guest '${guest}' on '${hostName}'`);
            return this.deps.startGuest(guest, h.id).catch((err: unknown) => {
              const error = err instanceof Error ? err.message : String(err);
              this.log(`start of guest '${guest}' on '${hostName}' failed: ${error}`);
              this.emit({ kind: 'recovery-failed', guest, host: hostName, error });
            });
          },
        });
      },
      stopGuest: (guest, hostName) => {
        const h = this.hostRecord(hostName);
        if (!h) return;
        this.track(this.deps.stopGuest(guest, h.id).catch((err: unknown) => this.log(`stop of guest '${guest}' on '${hostName}' failed: ${String(err)}`)));
      },
      // Maintenance with HA on: the guest moves first. A move already under way (the host's own
      // evacuation) makes this one refused as busy; HA then follows wherever the guest lands.
      migrateGuest: (guest, from, to) => {
        const h = this.hostRecord(to);
        if (!h || this.ownActions.has(guest)) return;
        this.ownActions.add(guest);
        this.unsaved.push({
          guest,
          run: () => {
            this.log(`moving guest '${guest}' from '${from}' to '${to}' (maintenance)`);
            return this.deps
              .migrateGuest(guest, h.id)
              .catch((err: unknown) => this.log(`move of guest '${guest}' to '${to}' not done: ${err instanceof Error ? err.message : String(err)}`));
          },
        });
      },
      fenceHost: (hostName) => {
        const h = this.hostRecord(hostName);
        const agent = h === undefined ? undefined : this.cfg?.fenceAgents[String(h.id)];
        if (!h || !agent) return;
        this.track(
          this.deps.runFenceAgent(agent).then((result) => {
            if (result.confirmed) this.visitRecord(h.id).fenceConfirmedAt = this.deps.clock.now();
            this.log(`fence agent of '${hostName}': ${result.detail}`);
            this.emit({ kind: 'fence-agent', host: hostName, result });
          }),
        );
      },
      // Only the latest state is written (latest-writer.ts): one record of every guest's HA state,
      // made and written per change, grew with the square of the guests while thousands were added.
      persist: (state) => {
        const hosts = this.view?.hostByName ?? new Map<string, HostRecord>();
        const held = this.unsaved.splice(0);
        this.saving = this.states.put({ state, hosts }).then(
          () => held.forEach((a) => this.send(a)),
          (err: unknown) => {
            this.log(`could not save the HA state: ${String(err)}`);
            // Not started: the manager asks again once its start timeout passes (and saves first).
            for (const a of held) this.ownActions.delete(a.guest);
            if (held.length > 0) this.log(`${held.length} start(s) or move(s) not sent: the state that orders them is not saved`);
          },
        );
      },
    };
  }
}

/** Guest records by the host their record names, made once per list (the mirror's list is the same until a guest changes). */
const byHostIdMemo = new WeakMap<readonly GuestRecord[], ReadonlyMap<number, GuestRecord[]>>();

function guestsByHostId(guests: readonly GuestRecord[]): ReadonlyMap<number, GuestRecord[]> {
  let index = byHostIdMemo.get(guests);
  if (!index) {
    const m = new Map<number, GuestRecord[]>();
    for (const g of guests) {
      const list = m.get(g.hostId);
      if (list) list.push(g);
      else m.set(g.hostId, [g]);
    }
    byHostIdMemo.set(guests, (index = m));
  }
  return index;
}

/** HA is bringing the guest back: its stored record may say stopped meanwhile. */
const inHand = (r: HaGuestRecord | undefined): boolean =>
  r !== undefined && (r.pendingSince !== undefined || r.state === 'fence' || r.state === 'recovery' || r.state === 'migrate');

/** The guests a listing shows in any state but stopped, in order. */
const runningIds = (list: readonly GuestStatus[]): string[] =>
  list
    .filter((g) => g.state !== 'stopped')
    .map((g) => g.id)
    .sort();

/** Resolves when `p` settles or after `ms`, whichever comes first (never rejects). */
async function waitAtMost(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * HA's memory of guests it no longer runs (deleted, plan removed) is dropped: a new guest that gets
 * the same id later must start from a clean slate, not be taken for a stray copy of the old one.
 */
function withoutGone(state: HaState, config: HaConfig): HaState {
  const ids = new Set(config.guests.map((g) => g.id));
  return { ...state, guests: Object.fromEntries(Object.entries(state.guests).filter(([id]) => ids.has(id))) };
}
