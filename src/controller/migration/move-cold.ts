// A stopped guest moves cold: nothing runs, so only its definition and its bytes move. iSCSI disks
// are already reachable from every host; a local disk is copied into the destination's pool
// (streamed, SHA-256 checked on arrival) and its source copy deleted once the move is committed; a
// container's root file system is copied into the container defined on the destination. A failure
// before the commit removes everything from the destination and leaves the source as it was.
import { GrappeError } from '../../core/errors.ts';
import type { GuestClient } from '../agents/guest-client.ts';
import type { ControllerContext } from '../platform/types.ts';
import { findVolume } from '../storage/volume-store.ts';
import { copyRootfs } from './copy-rootfs.ts';
import { copyVolume } from './copy-volume.ts';
import { commitMove } from './move-commit.ts';
import { withRevert } from '../platform/revert.ts';
import {
  defineOnDestination,
  failureText,
  moveAgents,
  outcomeOf,
  removeCopyFromDestination,
  removeFromDestination,
  removeFromSource,
  revertReportOf,
} from './move-container-steps.ts';
import type { Mover, MoveRequest } from './move-types.ts';

/** The guest's disks that live in the source host's own pool (they have no iSCSI URL). */
async function localDisksOf(ctx: ControllerContext, req: MoveRequest): Promise<string[]> {
  const out: string[] = [];
  for (const name of req.guest.disks) {
    const v = (await findVolume(ctx.store, name))?.volume;
    if (v && v.url === null && v.hostId === req.from.id) out.push(name);
  }
  return out;
}

/** Refuses a guest that runs on the source after all: a cold copy of a running guest's disk is torn. */
async function checkStopped(req: MoveRequest, src: GuestClient): Promise<void> {
  const status = (await src.listGuests()).find((s) => s.id === req.guest.id);
  if (status && status.state !== 'stopped') {
    throw new GrappeError(
      'guestNotStopped',
      `cold move of '${req.guest.id}' refused: it is ${status.state} on '${req.from.name}'; a cold move needs it stopped`,
      { guest: req.guest.id, state: status.state },
    );
  }
}

export const moveCold: Mover = async (ctx, req) => {
  const { guest: g, from, to, report } = req;
  const now = (): number => ctx.clock.now();
  const startedAt = now();
  const { src, dst } = moveAgents(ctx, req);
  await checkStopped(req, src);
  const local = await localDisksOf(ctx, req);
  let bytes = 0;
  await withRevert(revertReportOf(ctx, req), async (revert) => {
    for (const [i, name] of local.entries()) {
      report.progress(0.1 + (0.6 * i) / local.length, `copying volume '${name}' to '${to.name}'`);
      bytes += await copyVolume(src, dst, name); // a copy that fails keeps nothing there
      revert.add(`the copy of volume '${name}' on '${to.name}'`, () => removeCopyFromDestination(dst, name));
      report.log(`volume '${name}' copied to '${to.name}' and checked`);
    }
    report.progress(0.75, `defining ${g.id} on '${to.name}'`);
    revert.add(`the definition of ${g.id} on '${to.name}'`, () => removeFromDestination(req, dst));
    await defineOnDestination(ctx, req, dst);
    if (g.kind === 'ct') {
      const n = await copyRootfs(src, dst, g.id, to.name);
      bytes += n;
      report.log(`root file system copied: ${n} bytes`);
    }
    await commitMove(ctx, g.id, from.id, to.id, { state: 'stopped', accel: null, ...(local.length > 0 ? { localVolumes: local } : {}) });
  }).catch((err: unknown) => {
    report.log(`cold move of ${g.id} failed, kept on '${from.name}': ${failureText(err)}`);
    throw err;
  });
  report.progress(0.9, `removing ${g.id} from '${from.name}'`);
  await removeFromSource(req, src, local);
  report.progress(1, `${g.id} is on '${to.name}'`);
  return outcomeOf(req, 'cold', { startedAt, endedAt: now(), downtimeMs: 0 }, bytes);
};
