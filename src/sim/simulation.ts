// The simulated world: a clock in milliseconds, hosts with their agents and watchdogs, the shared
// heartbeat volume, external fence agents, and the controller running the real HA manager. Time
// moves in ticks; each tick: fence agents and migrations finish, hosts act, the controller steps,
// then the invariants are checked (a guest never runs on two hosts; a guest never starts away from
// its last host before that host is known fenced).
import { initialHaState, HaManager } from '../core/ha/ha-manager.ts';
import type { HaEnv } from '../core/ha/ha-env.ts';
import { describeEvent, formatTime, isAlert, type HaEvent } from '../core/ha/ha-events.ts';
import type { HaCommand, HaConfig, HaObservations, HaState, HostObservation } from '../core/ha/ha-types.ts';
import type { HaPlacement } from '../core/ha/placement.ts';
import type { LoadedCluster, SimTimings } from './cluster-snapshot.ts';
import { SimHost, type HostWorld, type StorageSlot } from './sim-host.ts';
import type { SimOp } from './sim-script.ts';

export interface SimResult {
  /** The log an admin reads: faults, what hosts did, HA transitions, events and alerts. */
  readonly lines: readonly string[];
  readonly events: readonly { readonly at: number; readonly event: HaEvent }[];
  /** Broken invariants; must stay empty. */
  readonly violations: readonly string[];
  readonly endedAt: number;
  /** Where each guest runs at the end (hosts powered on only). */
  readonly running: Readonly<Record<string, readonly string[]>>;
}

export interface SimulationOptions {
  readonly placement?: HaPlacement;
  /** Leave the HA transition lines out of the log (large runs). */
  readonly quiet?: boolean;
}

export class Simulation {
  private now = 0;
  private readonly config: HaConfig;
  private readonly timings: SimTimings;
  private readonly hosts = new Map<string, SimHost>();
  private readonly haGuests = new Set<string>();
  private storageUp = true;
  private controllerUpAt = 0;
  private persisted: HaState;
  private manager: HaManager | undefined;
  private readonly netSeen = new Map<string, number>();
  private readonly reports = new Map<string, readonly string[]>();
  private readonly slots = new Map<string, StorageSlot>();
  private readonly fenceRequests = new Map<string, number>();
  private readonly fenceConfirmed = new Map<string, number>();
  private migrations: { guest: string; from: string; to: string; at: number }[] = [];
  private commands: HaCommand[] = [];
  /** Where each guest last ran for real, and since when. */
  private readonly lastHost = new Map<string, { host: string; since: number }>();
  /** When HA last declared each host fenced. */
  private readonly fencedAt = new Map<string, number>();
  private readonly lines: string[] = [];
  private readonly events: { at: number; event: HaEvent }[] = [];
  private readonly violations: string[] = [];
  private readonly env: HaEnv;

  constructor(
    loaded: LoadedCluster,
    private readonly options: SimulationOptions = {},
  ) {
    this.config = loaded.config;
    this.timings = loaded.sim;
    for (const h of this.config.hosts) this.hosts.set(h.id, new SimHost(h.id));
    for (const g of this.config.guests) if (g.plan.restart !== 'never') this.haGuests.add(g.id);
    for (const [guest, p] of Object.entries(loaded.placement)) {
      if (p.request !== 'started' || p.host === undefined) continue;
      this.hosts.get(p.host)?.guests.set(guest, -1);
      this.lastHost.set(guest, { host: p.host, since: 0 });
    }
    for (const n of loaded.notAgile) this.out('ALERT', `guest ${n.guest} not protected by HA: it is not agile: ${n.problems.join('; ')}`);
    this.env = this.makeEnv();
    this.persisted = initialHaState(this.config, loaded.placement);
    this.manager = this.newManager(false);
  }

  run(ops: readonly SimOp[]): SimResult {
    for (const op of ops) this.apply(op);
    this.tick();
    const running: Record<string, string[]> = {};
    for (const h of this.hosts.values()) {
      if (h.powered) for (const g of h.guests.keys()) (running[g] ??= []).push(h.id);
    }
    return { lines: this.lines, events: this.events, violations: this.violations, endedAt: this.now, running };
  }

  private newManager(restarted: boolean): HaManager {
    const options = this.options.placement ? { placement: this.options.placement, restarted } : { restarted };
    return new HaManager(this.env, this.config, this.persisted, options);
  }

  private out(source: string, text: string): void {
    this.lines.push(`${formatTime(this.now).padEnd(9)} ${source.padEnd(6)} ${text}`);
  }

  private host(id: string): SimHost {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no simulated host '${id}'`);
    return h;
  }

  private makeEnv(): HaEnv {
    return {
      now: () => this.now,
      log: (line) => {
        if (!this.options.quiet) this.out('ha', line);
      },
      emit: (event) => {
        this.events.push({ at: this.now, event });
        if (event.type === 'host-fenced') this.fencedAt.set(event.host, this.now);
        this.out(isAlert(event) ? 'ALERT' : 'EVENT', describeEvent(event));
      },
      startGuest: (guest, hostId) => this.startGuest(guest, hostId),
      stopGuest: (guest, hostId) => {
        const h = this.host(hostId);
        if (h.reachable(this.controllerUp()) && h.guests.delete(guest)) this.out('sim', `${hostId}: ${guest} stopped`);
      },
      migrateGuest: (guest, from, to) => {
        this.migrations.push({ guest, from, to, at: this.now + this.timings.migrateMs });
      },
      fenceHost: (hostId) => {
        this.fenceRequests.set(hostId, this.now + this.timings.fenceAgentMs);
        this.out('sim', `${hostId} fence agent: power-off requested`);
      },
      persist: (state) => {
        this.persisted = state;
      },
    };
  }

  private controllerUp(): boolean {
    return this.manager !== undefined;
  }

  private startGuest(guest: string, hostId: string): void {
    const h = this.host(hostId);
    for (const other of this.hosts.values()) {
      if (other.id !== hostId && other.guests.has(guest)) {
        this.violation(`${guest} started on ${hostId} while it still runs on ${other.id}`);
      }
    }
    // Starting elsewhere is safe only if HA declared the last host fenced after the guest went there,
    // or that host's agent can answer for it (reachable: its report says what runs there).
    const last = this.lastHost.get(guest);
    const lastHost = last === undefined ? undefined : this.hosts.get(last.host);
    if (
      last !== undefined &&
      lastHost !== undefined &&
      last.host !== hostId &&
      !lastHost.reachable(true) &&
      (this.fencedAt.get(last.host) ?? -1) < last.since
    ) {
      this.violation(`${guest} started on ${hostId} before its last host ${last.host} was known fenced`);
    }
    if (!h.reachable(this.controllerUp())) {
      this.out('sim', `${hostId}: start of ${guest} lost (agent unreachable)`);
      return;
    }
    h.guests.set(guest, this.now + this.timings.bootMs);
    this.lastHost.set(guest, { host: hostId, since: this.now });
  }

  private violation(text: string): void {
    this.violations.push(`${formatTime(this.now)} ${text}`);
    this.out('BROKEN', text);
  }

  private apply(op: SimOp): void {
    const say = (text: string): void => this.out('fault', text);
    switch (op.op) {
      case 'wait': {
        const end = this.now + op.ms;
        while (this.now < end) {
          this.tick();
          this.now += this.timings.tickMs;
        }
        return;
      }
      case 'power': {
        const h = this.host(op.host);
        say(`power ${op.host} ${op.on ? 'on' : 'off'}`);
        if (op.on && !h.powered) h.powerOn(this.now);
        else if (!op.on && h.powered) this.powerOff(h, 'its power is cut');
        return;
      }
      case 'network':
        say(`network ${op.host} ${op.on ? 'on' : 'off'} (LAN ${op.on ? 'back' : 'down'}, SAN untouched)`);
        this.host(op.host).lan = op.on;
        return;
      case 'storage':
        if (op.host === undefined) {
          say(`storage ${op.on ? 'on' : 'off'} (shared storage ${op.on ? 'back' : 'lost'} for every host)`);
          this.storageUp = op.on;
        } else {
          say(`storage ${op.host} ${op.on ? 'on' : 'off'} (its SAN path ${op.on ? 'back' : 'down'})`);
          this.host(op.host).san = op.on;
        }
        return;
      case 'hang':
        say(op.hung ? `hang ${op.host} (agent frozen; its watchdog keeps running)` : `resume ${op.host}`);
        this.host(op.host).hung = op.hung;
        return;
      case 'controller-restart':
        say(`controller restart (down for ${(this.timings.controllerDownMs / 1000).toFixed(1)}s)`);
        this.manager = undefined;
        this.netSeen.clear();
        this.controllerUpAt = this.now + this.timings.controllerDownMs;
        return;
      case 'maintenance':
        say(`maintenance ${op.host}${op.on ? '' : ' off'}`);
        this.commands.push({ kind: op.on ? 'maintenance' : 'maintenance-off', host: op.host });
        return;
    }
  }

  private powerOff(h: SimHost, why: string): void {
    const died = h.powerOff();
    this.out('sim', `${h.id}: powered off (${why})` + (died.length > 0 ? `; ${died.join(', ')} died with it` : ''));
  }

  private tick(): void {
    for (const [hostId, at] of this.fenceRequests) {
      if (this.now < at) continue;
      this.fenceRequests.delete(hostId);
      const h = this.host(hostId);
      if (h.powered) this.powerOff(h, 'fence agent');
      this.fenceConfirmed.set(hostId, this.now);
      this.out('sim', `${hostId} fence agent: power-off confirmed`);
    }
    this.finishMigrations();
    if (this.manager === undefined && this.now >= this.controllerUpAt) {
      this.manager = this.newManager(true);
    }
    this.reports.clear();
    const world = this.world();
    for (const h of this.hosts.values()) h.tick(world);
    this.manager?.step(this.observations(), this.manager ? this.takeCommands() : []);
    this.checkInvariants();
  }

  private takeCommands(): HaCommand[] {
    const c = this.commands;
    this.commands = [];
    return c;
  }

  private finishMigrations(): void {
    const due = this.migrations.filter((m) => m.at <= this.now);
    if (due.length === 0) return;
    this.migrations = this.migrations.filter((m) => m.at > this.now);
    for (const m of due) {
      const from = this.host(m.from);
      const to = this.host(m.to);
      if (!from.guests.has(m.guest) || !to.powered || !to.lan || to.hung) continue;
      // Live migration hands over atomically: never running on both.
      from.guests.delete(m.guest);
      to.guests.set(m.guest, this.now);
      this.lastHost.set(m.guest, { host: m.to, since: this.now });
      this.out('sim', `${m.guest} migrated ${m.from} → ${m.to}`);
    }
  }

  private world(): HostWorld {
    return {
      now: this.now,
      heartbeatDue: this.now % this.timings.heartbeatMs === 0,
      controllerUp: this.controllerUp(),
      storageUp: this.storageUp,
      fenceTimeoutMs: this.config.settings.timing.fenceTimeoutMs,
      isHaGuest: (g) => this.haGuests.has(g),
      say: (line) => this.out('sim', line),
      writeSlot: (hostId, slot) => {
        this.slots.set(hostId, slot);
      },
      report: (hostId, running, beat) => {
        this.reports.set(hostId, running);
        if (beat) this.netSeen.set(hostId, this.now);
      },
    };
  }

  private observations(): HaObservations {
    const hosts: Record<string, HostObservation> = {};
    for (const id of this.hosts.keys()) {
      const netSeenAt = this.netSeen.get(id);
      // The controller reads the heartbeat volume over its own SAN path: nothing when storage is down.
      const storage = this.storageUp ? this.slots.get(id) : undefined;
      const fenceConfirmedAt = this.fenceConfirmed.get(id);
      const running = this.reports.get(id);
      hosts[id] = {
        ...(netSeenAt !== undefined ? { netSeenAt } : {}),
        ...(storage !== undefined ? { storage } : {}),
        ...(fenceConfirmedAt !== undefined ? { fenceConfirmedAt } : {}),
        ...(running !== undefined ? { running } : {}),
      };
    }
    return { hosts };
  }

  private checkInvariants(): void {
    const seen = new Map<string, string>();
    for (const h of this.hosts.values()) {
      if (!h.powered) continue;
      for (const g of h.guests.keys()) {
        const other = seen.get(g);
        if (other !== undefined) this.violation(`${g} runs on two hosts: ${other} and ${h.id}`);
        else seen.set(g, h.id);
      }
    }
  }
}
