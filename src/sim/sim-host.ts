// One simulated host: power, LAN and SAN links, its agent (heartbeats, self-fence) and the agent's
// watchdog process, and the guests it runs. It acts once per tick through `tick`.

export interface StorageSlot {
  readonly writtenAt: number;
  readonly selfFencedAt?: number;
}

/** What a host can see of the world this tick, and how it reports. */
export interface HostWorld {
  readonly now: number;
  readonly heartbeatDue: boolean;
  readonly controllerUp: boolean;
  readonly storageUp: boolean;
  readonly fenceTimeoutMs: number;
  isHaGuest(guest: string): boolean;
  say(line: string): void;
  writeSlot(host: string, slot: StorageSlot): void;
  /** The agent's report reached the controller: guests running, and a network heartbeat when `beat`. */
  report(host: string, running: readonly string[], beat: boolean): void;
}

export class SimHost {
  powered = true;
  lan = true;
  san = true;
  hung = false;
  /** Guest → time its boot completes (running once now ≥ it). */
  readonly guests = new Map<string, number>();
  /** The agent's last answer from the controller; the watchdog's last pet (given on such answers). */
  lastContact = 0;
  lastPet = 0;
  selfFencedAt: number | undefined;

  constructor(readonly id: string) {}

  /** The controller can reach the agent (commands) and the agent the controller (heartbeats). */
  reachable(controllerUp: boolean): boolean {
    return this.powered && this.lan && !this.hung && controllerUp;
  }

  runningGuests(): string[] {
    return [...this.guests.keys()].sort();
  }

  /** Guests done booting: what the agent reports as running. */
  bootedGuests(now: number): string[] {
    const out: string[] = [];
    for (const [g, readyAt] of this.guests) if (readyAt <= now) out.push(g);
    return out;
  }

  powerOff(): string[] {
    const died = this.runningGuests();
    this.powered = false;
    this.guests.clear();
    this.selfFencedAt = undefined;
    return died;
  }

  /** Boots with nothing running: HA guests are never started by a host on its own. */
  powerOn(now: number): void {
    this.powered = true;
    this.hung = false;
    this.lastContact = now;
    this.lastPet = now;
  }

  tick(w: HostWorld): void {
    if (!this.powered) return;
    for (const [g, readyAt] of this.guests) if (readyAt === w.now) w.say(`${this.id}: ${g} running`);
    if (!this.hung) this.agentTick(w);
    this.watchdogTick(w);
  }

  private hardStopHaGuests(w: HostWorld): string[] {
    const stopped = this.runningGuests().filter((g) => w.isHaGuest(g));
    for (const g of stopped) this.guests.delete(g);
    return stopped;
  }

  private agentTick(w: HostWorld): void {
    if (w.heartbeatDue && this.lan && w.controllerUp) {
      this.lastContact = w.now;
      this.lastPet = w.now;
      this.selfFencedAt = undefined;
    }
    if (this.selfFencedAt === undefined && w.now - this.lastContact >= w.fenceTimeoutMs) {
      const stopped = this.hardStopHaGuests(w);
      this.selfFencedAt = w.now;
      w.say(
        `${this.id} agent: no controller for ${((w.now - this.lastContact) / 1000).toFixed(1)}s with HA armed: self-fence, ` +
          (stopped.length > 0 ? `hard-stopped ${stopped.join(', ')}` : 'no HA guest to stop'),
      );
      if (this.san && w.storageUp) w.writeSlot(this.id, { writtenAt: w.now, selfFencedAt: w.now });
    }
    if (w.heartbeatDue && this.san && w.storageUp) {
      w.writeSlot(this.id, this.selfFencedAt === undefined ? { writtenAt: w.now } : { writtenAt: w.now, selfFencedAt: this.selfFencedAt });
    }
    if (this.reachable(w.controllerUp)) w.report(this.id, this.bootedGuests(w.now), w.heartbeatDue);
  }

  /** A separate process: it acts even when the agent is frozen. */
  private watchdogTick(w: HostWorld): void {
    if (w.now - this.lastPet < w.fenceTimeoutMs) return;
    const stopped = this.hardStopHaGuests(w);
    if (stopped.length > 0) {
      w.say(`${this.id} watchdog: not petted for ${((w.now - this.lastPet) / 1000).toFixed(1)}s: hard-stopped ${stopped.join(', ')}`);
    }
  }
}
