// What a move would do, without doing it: the target (named, or chosen by the scheduler away from the
// guest's host), the kind of move, the downtime to expect from what was measured, and every blocker.
// The dry run prints this; moveGuest refuses when it has blockers.
import type { GuestRunState } from '../../contract/guest.contract.ts';
import type { GuestPower, MoveKind } from '../../core/evacuation/evacuation-types.ts';
import { expectedDowntime, moveKind } from '../../core/evacuation/move-kind.ts';
import type { Decision } from '../../core/scheduler/scheduler-types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import { findHost } from '../hosts/host-lookup.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { decidePlacement } from '../scheduling/decide-placement.ts';
import { requestOfGuest } from '../scheduling/guest-request.ts';
import { blockersOf } from './move-blockers.ts';
import { disksOf, type MoveDisk } from './move-disks.ts';
import { downtimeHistory } from './move-history.ts';

export interface HostRef {
  readonly id: number;
  readonly name: string;
}

export interface MovePlan {
  readonly guest: string;
  readonly name: string;
  readonly state: GuestRunState;
  readonly from: HostRef;
  /** null when no host can take it (the blockers and `why` say so). */
  readonly to: HostRef | null;
  readonly kind: MoveKind | null;
  readonly expectedDowntimeMs: number;
  readonly downtimeBasis: string;
  readonly blockers: readonly string[];
  /** The scheduler's sentence about the target (why it won, or why it cannot take the guest). */
  readonly why: string;
  readonly decision: Decision;
  readonly disks: readonly MoveDisk[];
}

/** The power a move must keep, or null when the guest's state allows no move. */
export function powerOf(state: GuestRunState): GuestPower | null {
  return state === 'running' || state === 'paused' || state === 'stopped' ? state : null;
}

const ref = (h: HostRecord): HostRef => ({ id: h.id, name: h.name });

/** The host's address on the SAN, where live migrations stream (null while it has none). */
export const sanAddressOf = (h: Pick<HostRecord, 'attachments'>): string | null => Object.values(h.attachments).find((a) => a.subnet === 'SAN')?.ip ?? null;

export async function planMove(ctx: ControllerContext, g: GuestRecord, toHostRef?: string | number): Promise<MovePlan> {
  const rt = await hostsRuntime(ctx);
  const from = rt.cache.get(g.hostId);
  const named = toHostRef === undefined ? undefined : findHost(rt, String(toHostRef));
  const disks = await disksOf(ctx, g);
  const power = powerOf(g.state);
  const kind = power === null ? null : moveKind(g.id, power);
  // A named target is judged alone; otherwise every host but the guest's own competes.
  const request = await requestOfGuest(ctx, g);
  const { decision, host } = await decidePlacement(ctx, request, named ? { only: named.id } : { exclude: [g.hostId] });
  const target = named ?? host;
  const rejection = target && decision.candidates.find((c) => c.hostId === target.id)?.rejectedBy?.reason;
  const blockers = target
    ? blockersOf({
        guest: g,
        kind,
        state: g.state,
        disks,
        to: target,
        ...(rejection ? { rejection } : {}),
        sanAddresses: { from: from ? sanAddressOf(from) : null, to: sanAddressOf(target) },
      })
    : [decision.why];
  const expected = expectedDowntime(kind ?? 'cold', await downtimeHistory(ctx.store));
  return {
    guest: g.id,
    name: g.name,
    state: g.state,
    from: from ? ref(from) : { id: g.hostId, name: `#${g.hostId}` },
    to: target ? ref(target) : null,
    kind,
    expectedDowntimeMs: expected.ms,
    downtimeBasis: expected.basis,
    blockers,
    why: decision.why,
    decision,
    disks,
  };
}

/** Why `guest` cannot move to `to` (or to the scheduler's choice), in plain words; empty when it can. */
export async function moveBlockers(ctx: ControllerContext, guest: GuestRecord, to?: HostRecord): Promise<string[]> {
  return [...(await planMove(ctx, guest, to?.id)).blockers];
}
