// Steps the restart and cold movers share: defining the guest on the destination, the undo steps
// of a failed move, removing it from the source once it is committed elsewhere, and the outcome.
import type { MoveKind } from '../../core/evacuation/evacuation-types.ts';
import { errors, isGrappeError } from '../../core/errors.ts';
import type { GuestClient } from '../agents/guest-client.ts';
import { agentSpecOf } from '../guests/guest-agent-spec.ts';
import type { RevertReport } from '../platform/revert.ts';
import type { ControllerContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import { prepareHostFor } from '../storage/index.ts';
import type { MoveOutcome, MoveRequest } from './move-types.ts';

export interface MoveAgents {
  readonly src: GuestClient;
  readonly dst: GuestClient;
}

/** The two hosts' agents; the same host twice is refused here too, as undoing on it would remove the guest. */
export function moveAgents(ctx: ControllerContext, req: MoveRequest): MoveAgents {
  if (req.from.id === req.to.id)
    throw errors.invalidInput(`move of '${req.guest.id}' refused: it is already on host '${req.to.name}'`, { guest: req.guest.id });
  return { src: guestAgentFor(ctx, req.from), dst: guestAgentFor(ctx, req.to) };
}

export const failureText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The guest's networks on the destination, then its definition there (a container gets its rootfs from its template). */
export async function defineOnDestination(ctx: ControllerContext, req: MoveRequest, dst: GuestClient): Promise<void> {
  await prepareHostFor(ctx, req.guest, req.to);
  // Built for the source host: local disks are named, not located, so the same spec holds on the
  // destination once their copies are there; iSCSI URLs and bridges are the same everywhere.
  await dst.defineGuest(req.guest.id, await agentSpecOf(ctx, req.guest, req.from));
}

const gone = (err: unknown): boolean => isGrappeError(err) && err.kind === 'notFound';

/** Undo of a definition on the destination: the guest stopped and removed there (already gone is fine). */
export async function removeFromDestination(req: MoveRequest, dst: GuestClient): Promise<void> {
  await dst.stopGuest(req.guest.id, { force: true }).catch(() => undefined); // not running is the usual case
  await dst.deleteGuest(req.guest.id).catch((err: unknown) => {
    if (!gone(err)) throw err;
  });
}

/** Undo of a volume copy on the destination (a half-made copy included; none at all is fine). */
export async function removeCopyFromDestination(dst: GuestClient, volume: string): Promise<void> {
  await dst.deleteVolume(volume).catch((err: unknown) => {
    if (!gone(err)) throw err;
  });
}

/** How a move reports its undo steps: on the move's log, and a failed one on the event stream too. */
export const revertReportOf = (ctx: ControllerContext, req: MoveRequest): RevertReport => ({
  log: async (line) => req.report.log(line),
  events: ctx.events,
  subject: `guest:${req.guest.id}`,
});

/**
 * Once the guest is committed to the destination, its definition (and the local volumes that were
 * copied) leave the source. A leftover there is logged, not a failed move: the guest lives on.
 */
export async function removeFromSource(req: MoveRequest, src: GuestClient, volumes: readonly string[]): Promise<void> {
  const id = req.guest.id;
  try {
    await src.deleteGuest(id);
  } catch (err) {
    if (!(isGrappeError(err) && err.kind === 'notFound')) {
      req.report.log(`${id} runs from '${req.to.name}' now, but its old definition could not be removed from '${req.from.name}': ${failureText(err)}`);
      return; // its volumes stay with it: the source agent refuses to delete a defined guest's disks
    }
  }
  for (const v of volumes) {
    await src
      .deleteVolume(v)
      .catch((err: unknown) => req.report.log(`the old copy of volume '${v}' could not be removed from '${req.from.name}': ${failureText(err)}`));
  }
}

export function outcomeOf(
  req: MoveRequest,
  kind: MoveKind,
  times: { startedAt: number; endedAt: number; downtimeMs: number },
  transferredBytes: number,
): MoveOutcome {
  return {
    guest: req.guest.id,
    from: { id: req.from.id, name: req.from.name },
    to: { id: req.to.id, name: req.to.name },
    kind,
    downtimeMs: times.downtimeMs,
    totalMs: times.endedAt - times.startedAt,
    transferredBytes,
  };
}
