// The one write that says "this guest now lives on that host": a compare-and-swap of the guest's
// hostId (refused when the record no longer says the source), with the local volumes that moved
// with it re-homed in the same transaction, then a guest.moved event. Every mover ends here.
import type { GuestRunState } from '../../contract/guest.contract.ts';
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import { poolOfHost } from '../../core/storage/pool-rules.ts';
import type { Compare, Op } from '../../store/store.ts';
import { emitGuestEvent } from '../guests/guest-events.ts';
import { GUEST_RECORD, guestKey, type GuestRecord } from '../guests/guest-record.ts';
import { storedValue } from '../platform/stored-records.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { isoAt } from '../platform/clock.ts';
import type { ControllerContext } from '../platform/types.ts';
import { getVolumeEntry, volumeKey, volumeValue } from '../storage/volume-store.ts';

export interface CommitOptions {
  readonly state?: GuestRunState;
  readonly accel?: 'kvm' | 'tcg' | null;
  /** Names of the guest's local volumes whose data now lives on the target host. */
  readonly localVolumes?: readonly string[];
}

const MAX_ATTEMPTS = 20;

export async function commitMove(
  ctx: ControllerContext,
  guestId: string,
  fromHostId: number,
  toHostId: number,
  opts: CommitOptions = {},
): Promise<GuestRecord> {
  const to = (await hostsRuntime(ctx)).cache.get(toHostId);
  if (!to) throw errors.noSuchHost(toHostId);
  const toPool = poolOfHost(to);
  const repo = guestsRuntime(ctx).repo;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const entry = await repo.find(guestId);
    const g = entry.record;
    if (g.hostId !== fromHostId) {
      throw new GrappeError(
        'moveConflict',
        `cannot record guest '${g.id}' as moved from host ${fromHostId} to '${to.name}': its record now says host ${g.hostId} (changed meanwhile)`,
        {
          guest: g.id,
          expected: fromHostId,
          actual: g.hostId,
        },
      );
    }
    const changed = opts.state !== undefined && opts.state !== g.state;
    const next: GuestRecord = {
      ...g,
      hostId: toHostId,
      ...(opts.state !== undefined ? { state: opts.state } : {}),
      ...(opts.accel !== undefined ? { accel: opts.accel } : {}),
      ...(changed ? { stateChangedAt: isoAt(ctx.clock) } : {}),
    };
    const compare: Compare[] = [{ key: guestKey(g.number), modRevision: entry.modRevision }];
    const ops: Op[] = [{ put: guestKey(g.number), value: storedValue(GUEST_RECORD, next) }];
    for (const name of opts.localVolumes ?? []) {
      const v = await getVolumeEntry(ctx.store, name);
      if (v.volume.attachedTo !== g.id)
        throw new GrappeError('moveConflict', `volume '${name}' is not attached to guest '${g.id}': not moving it`, { volume: name });
      const moved: VolumeRecord = { ...v.volume, hostId: toHostId, ...(toPool ? { pool: toPool.name } : {}) };
      compare.push({ key: volumeKey(name), modRevision: v.modRevision });
      ops.push({ put: volumeKey(name), value: volumeValue(moved) });
    }
    const r = await ctx.store.txn(compare, ops);
    if (!r.succeeded) continue; // the monitor or a volume write raced us: re-read and check again
    const fromName = (await hostsRuntime(ctx)).cache.get(fromHostId)?.name ?? String(fromHostId);
    void emitGuestEvent(ctx, 'guest.moved', g, `guest '${g.id}' (${g.name}) moved from '${fromName}' to '${to.name}'`, {
      from: { id: fromHostId, name: fromName },
      to: { id: to.id, name: to.name },
      state: next.state,
    }).catch(() => undefined);
    return next;
  }
  throw errors.internal(`could not record guest '${guestId}' as moved: too much contention`);
}
