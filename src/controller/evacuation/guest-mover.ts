// What an evacuation asks of the rest of the controller for one guest: move it (moveGuest), give it
// back the power state it must end in, and — after a controller restart — say where it really is.
// One interface so the run's orchestration can be exercised with a fake; the controller uses the real one.
import type { GuestPower } from '../../core/evacuation/evacuation-types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { moveGuest } from '../migration/move-guest.ts';
import type { MoveReporter } from '../migration/move-types.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import { ensurePower } from './ensure-power.ts';

const LOCATE_TIMEOUT_MS = 5_000;

/** Where a guest is, as the controller's record and the agents of the hosts involved say. */
export interface GuestWhereabouts {
  /** The host its record names; null when the guest was deleted. */
  readonly recordedOn: number | null;
  /** Hosts whose agent reports it (any state); hosts that did not answer are not listed. */
  readonly reportedBy: readonly number[];
}

export interface GuestMover {
  /** `uninterruptible`: why the move may not be cancelled (set for undo runs). */
  move(ctx: ControllerContext, guest: string, toHostId: number, report: MoveReporter, uninterruptible?: string): Promise<{ downtimeMs: number }>;
  /** Brings the guest to `power`; returns a sentence when it had to change something. */
  setPower(ctx: ControllerContext, guest: string, power: GuestPower): Promise<string | undefined>;
  locate(ctx: ControllerContext, guest: string, hostIds: readonly number[]): Promise<GuestWhereabouts>;
}

async function locate(ctx: ControllerContext, guest: string, hostIds: readonly number[]): Promise<GuestWhereabouts> {
  const record: GuestRecord | undefined = (
    await guestsRuntime(ctx)
      .repo.find(guest)
      .catch(() => undefined)
  )?.record;
  const cache = (await hostsRuntime(ctx)).cache;
  const reportedBy: number[] = [];
  await Promise.all(
    hostIds.map(async (id) => {
      const host = cache.get(id);
      const list =
        host &&
        (await guestAgentFor(ctx, host, LOCATE_TIMEOUT_MS)
          .listGuests()
          .catch(() => undefined));
      if (list?.some((s) => s.id === guest)) reportedBy.push(id);
    }),
  );
  return { recordedOn: record ? record.hostId : null, reportedBy };
}

export const realMover: GuestMover = {
  move: async (ctx, guest, toHostId, report, uninterruptible) => ({
    downtimeMs: (await moveGuest(ctx, guest, toHostId, { report, ...(uninterruptible !== undefined ? { uninterruptible } : {}) })).downtimeMs,
  }),
  setPower: ensurePower,
  locate,
};

let override: GuestMover | undefined;

/** The mover evacuations use in this process: the real one, unless a test plugged in its own. */
export const guestMover = (): GuestMover => override ?? realMover;

/** Tests only: replace the mover (undefined restores the real one). */
export function setGuestMoverForTests(mover: GuestMover | undefined): void {
  override = mover;
}
