// The HA state machine as data: every change of a host's or a guest's HA state is one row here
// (from × event → to, with the guard that allows it, said in words). HaManager.apply() refuses any
// change that is not a row, so the table is the machine, not a description of it. Rewrites that
// keep the state (a flag, a restart attempt, a copy found elsewhere) are updates, not transitions.
// docs/architecture.md renders this table; ha-transitions.test.ts checks that the golden
// scenarios use only these rows and exercise every one of them.
import type { GuestHaState, HostHaState } from './ha-types.ts';

export interface Transition<S extends string, E extends string> {
  readonly from: S;
  readonly event: E;
  readonly to: S;
  /** Why the change is allowed: the condition the manager checked. */
  readonly guard: string;
}

export const HOST_TRANSITIONS = [
  { from: 'online', event: 'maintenance-asked', to: 'draining', guard: 'maintenance asked while HA is on: its HA guests move away first' },
  { from: 'draining', event: 'drained', to: 'maintenance', guard: 'no HA guest is left on it, running or moving' },
  { from: 'maintenance', event: 'maintenance-off', to: 'online', guard: 'the admin ended the maintenance' },
  { from: 'draining', event: 'maintenance-off', to: 'online', guard: 'the admin ended the maintenance before the host was drained' },
  { from: 'online', event: 'heartbeat-lost', to: 'lost', guard: 'its network heartbeat is older than the network timeout' },
  { from: 'draining', event: 'heartbeat-lost', to: 'lost', guard: 'its network heartbeat is older than the network timeout' },
  { from: 'lost', event: 'heartbeat-back', to: 'online', guard: 'heard again, with a heartbeat newer than the last one before it went silent' },
  { from: 'fence-pending', event: 'heartbeat-back', to: 'online', guard: 'heard again before any proof of fencing' },
  { from: 'fenced', event: 'heartbeat-back', to: 'online', guard: 'heard again after it was fenced (it rebooted and rejoined)' },
  { from: 'lost', event: 'fencing-approved', to: 'fence-pending', guard: 'the fencing-storm guard is off: few enough hosts are lost at once' },
  {
    from: 'fence-pending',
    event: 'fence-confirmed',
    to: 'fenced',
    guard: "proof it is fenced: its self-fence deadline passed with its storage heartbeat silent, its self-fence mark, or the fence agent's confirmation",
  },
] as const satisfies readonly Transition<HostHaState, string>[];

export const GUEST_TRANSITIONS = [
  { from: 'started', event: 'host-lost', to: 'fence', guard: 'its host went lost: it stays frozen until the host is known fenced' },
  { from: 'migrate', event: 'host-lost', to: 'fence', guard: 'a host of its move went lost: it may run on either end' },
  { from: 'fence', event: 'host-back', to: 'started', guard: 'its host was heard again before being fenced: it still runs there' },
  { from: 'fence', event: 'host-fenced', to: 'recovery', guard: "its host is fenced and its plan restarts it ('always' or 'best-effort')" },
  { from: 'fence', event: 'host-fenced', to: 'stopped', guard: "its host is fenced and its plan is 'never'" },
  {
    from: 'recovery',
    event: 'restart-planned',
    to: 'started',
    guard: 'its turn came (order group, delay), no copy can run elsewhere, and a host has room: it is started there',
  },
  { from: 'started', event: 'drain-move', to: 'migrate', guard: 'its host is draining for maintenance and another host has room' },
  { from: 'migrate', event: 'moved', to: 'started', guard: 'the target reports it running and the source does not' },
  { from: 'migrate', event: 'move-timed-out', to: 'started', guard: 'the move did not end within the start timeout: it stays on its source' },
  { from: 'stopped', event: 'reported-running', to: 'started', guard: 'a host that is online or draining reports the only copy running' },
  { from: 'recovery', event: 'reported-running', to: 'started', guard: 'a host that is online or draining reports the only copy running' },
  { from: 'fence', event: 'reported-running', to: 'started', guard: 'a host that is online or draining reports the only copy running' },
] as const satisfies readonly Transition<GuestHaState, string>[];

export type HostHaEvent = (typeof HOST_TRANSITIONS)[number]['event'];
export type GuestHaEvent = (typeof GUEST_TRANSITIONS)[number]['event'];

/** The row that allows `from` → `to` on `event`, or undefined: that change is not part of the machine. */
export function findTransition<S extends string, E extends string>(table: readonly Transition<S, E>[], from: S, event: E, to: S): Transition<S, E> | undefined {
  return table.find((t) => t.from === from && t.event === event && t.to === to);
}
