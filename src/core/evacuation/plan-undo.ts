// Undo evacuate: which evacuated guests can go back to their origin host, in the power state they
// had before the evacuation, and which are Unavailable and why. Judged against the cluster as it is
// now, from the durable evacuation record.
import { GrappeError } from '../errors.ts';
import { Placer } from '../scheduler/placer.ts';
import type { SchedulerHost } from '../scheduler/scheduler-types.ts';
import type { DowntimeHistory, GuestPower, HostRef, Move, MovableGuest } from './evacuation-types.ts';
import { expectedDowntime, moveKind } from './move-kind.ts';
import { request } from './plan-evacuation.ts';

/** What an evacuation leaves behind, one entry per guest it planned. */
export interface EvacuationRecord {
  readonly id: string;
  readonly origin: HostRef;
  readonly entries: readonly {
    readonly guest: string;
    readonly originalPower: GuestPower;
    /** Where it went; null when it never left (it could not move, or its move failed). */
    readonly to: HostRef | null;
  }[];
  /** Set once an undo of this evacuation has run. */
  readonly undone: boolean;
}

/** A guest as it is now: where it runs and what it needs. */
export interface PresentGuest extends MovableGuest {
  readonly hostId: number;
}

export interface UndoInput {
  readonly record: EvacuationRecord;
  readonly guests: readonly PresentGuest[];
  readonly hosts: readonly SchedulerHost[];
  readonly ratios?: { readonly cpu: number; readonly memory: number };
  readonly history?: DowntimeHistory;
}

export interface UndoPlan {
  readonly evacuation: string;
  readonly origin: HostRef;
  readonly available: readonly Move[];
  readonly unavailable: readonly { readonly guest: string; readonly why: string }[];
  readonly warning?: { readonly code: 'alreadyUndone' | 'nothingToUndo'; readonly message: string };
}

/** Undo moves guests back into a host being worked on, so maintenance is accepted as well as UP. */
const ORIGIN_STATES = ['UP', 'MAINT'] as const;

export function planUndo(input: UndoInput): UndoPlan {
  const { record } = input;
  const origin = record.origin;
  const base = { evacuation: record.id, origin };
  if (record.undone) {
    return {
      ...base,
      available: [],
      unavailable: [],
      warning: { code: 'alreadyUndone', message: `evacuation '${record.id}' of host '${origin.name}' was already undone` },
    };
  }
  const host = input.hosts.find((h) => h.id === origin.id);
  const hostProblem = !host
    ? `origin host '${origin.name}' was removed`
    : !(ORIGIN_STATES as readonly string[]).includes(host.state)
      ? `origin host '${origin.name}' is ${host.state}; undo needs it UP or in MAINT`
      : undefined;
  const guests = new Map(input.guests.map((g) => [g.id, g]));
  const names = new Map(input.hosts.map((h) => [h.id, h.name]));
  const placer = host ? new Placer([host], { allowStates: ORIGIN_STATES, explain: 'full', ...(input.ratios ? { ratios: input.ratios } : {}) }) : undefined;
  const available: Move[] = [];
  const unavailable: { guest: string; why: string }[] = [];
  for (const e of record.entries) {
    const g = guests.get(e.guest);
    const why = unavailableWhy(e, g, origin, hostProblem, names);
    if (why) {
      unavailable.push({ guest: e.guest, why });
      continue;
    }
    const { hostId, decision } = placer!.place(request(g!));
    if (hostId === null) {
      unavailable.push({
        guest: e.guest,
        why: `no room on '${origin.name}': ${decision?.candidates[0]?.rejectedBy?.reason ?? decision?.why ?? 'it does not fit'}`,
      });
      continue;
    }
    const kind = moveKind(g!.id, g!.power);
    const downtime = expectedDowntime(kind, input.history);
    available.push({
      guest: e.guest,
      from: { id: g!.hostId, name: names.get(g!.hostId) ?? `#${g!.hostId}` },
      to: origin,
      kind,
      power: e.originalPower,
      expectedDowntimeMs: downtime.ms,
      downtimeBasis: downtime.basis,
      why: `back to its origin host '${origin.name}', where it was before evacuation '${record.id}'`,
    });
  }
  if (available.length > 0) return { ...base, available, unavailable };
  const message =
    record.entries.length === 0
      ? `nothing to undo: evacuation '${record.id}' of host '${origin.name}' moved no guest`
      : `nothing to undo: none of the ${record.entries.length} guest(s) of evacuation '${record.id}' can move back to '${origin.name}' (see Unavailable)`;
  return { ...base, available, unavailable, warning: { code: 'nothingToUndo', message } };
}

function unavailableWhy(
  e: EvacuationRecord['entries'][number],
  g: PresentGuest | undefined,
  origin: HostRef,
  hostProblem: string | undefined,
  names: ReadonlyMap<number, string>,
): string | undefined {
  if (!g) return 'deleted since the evacuation';
  if (e.to === null) return `it never left '${origin.name}' during the evacuation`;
  if (g.hostId === origin.id) return `already back on '${origin.name}'`;
  if (g.hostId !== e.to.id) return `moved since to '${names.get(g.hostId) ?? `#${g.hostId}`}'`;
  if (hostProblem) return hostProblem;
  if (g.blockers && g.blockers.length > 0) return `blocked: ${g.blockers.join('; ')}`;
  return undefined;
}

/** For the API: undo with nothing to undo is refused with the warning's words. */
export function assertUndoable(plan: UndoPlan): void {
  if (plan.warning) throw new GrappeError(plan.warning.code, plan.warning.message, { evacuation: plan.evacuation });
}
