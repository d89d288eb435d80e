// Everything the HA manager does to the world goes through this (pve-ha-manager's $haenv): the
// controller wires it to the clock, the event stream, the agents and the store; the simulator to
// its simulated hosts.
import type { HaEvent } from './ha-events.ts';
import type { HaState } from './ha-types.ts';

export interface HaEnv {
  /** Milliseconds on the controller's clock. */
  now(): number;
  /** A line for the HA log (state transitions). */
  log(line: string): void;
  emit(event: HaEvent): void;
  startGuest(guest: string, host: string): void;
  stopGuest(guest: string, host: string): void;
  migrateGuest(guest: string, from: string, to: string): void;
  /** Ask the host's external fence agent to power it off (it reports back in the observations). */
  fenceHost(host: string): void;
  /** Store the state so a restarted controller carries on from it. */
  persist(state: HaState): void;
}
