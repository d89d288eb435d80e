// A running container moves by stop, copy, start: defined on the destination first (its template
// unpacked while it still runs), then stopped, its root file system copied, started there and
// committed. Downtime is measured from the stop to running on the destination. Until the commit,
// the source still holds the container untouched: any failure removes it from the destination and
// starts it again on the source.
import { errors, isGrappeError } from '../../core/errors.ts';
import { commitMove } from './move-commit.ts';
import { copyRootfs } from './copy-rootfs.ts';
import { withRevert } from '../platform/revert.ts';
import { defineOnDestination, failureText, moveAgents, outcomeOf, removeFromDestination, removeFromSource, revertReportOf } from './move-container-steps.ts';
import type { Mover } from './move-types.ts';

/** How long the container's init gets to halt cleanly before it is killed. */
const STOP_TIMEOUT_MS = 30_000;

export const moveContainer: Mover = async (ctx, req) => {
  const { guest: g, from, to, report } = req;
  if (g.kind !== 'ct') throw errors.invalidInput(`restart move of '${g.id}' refused: only containers move by stop, copy and start`, { guest: g.id });
  const now = (): number => ctx.clock.now();
  const startedAt = now();
  const { src, dst } = moveAgents(ctx, req);
  let downtimeMs = 0;
  let bytes = 0;
  // Undone in reverse: the copy running on the destination stopped, then the source started again,
  // then the destination's definition removed — never two copies running at once.
  await withRevert(revertReportOf(ctx, req), async (revert) => {
    report.progress(0.1, `defining ${g.id} on '${to.name}'`);
    revert.add(`the definition of ${g.id} on '${to.name}'`, () => removeFromDestination(req, dst)); // a half-made one too
    await defineOnDestination(ctx, req, dst);
    report.progress(0.3, `stopping ${g.id} on '${from.name}'`);
    const stoppedAt = now();
    revert.add(`${g.id} stopped on '${from.name}' (started again)`, () =>
      src.startGuest(g.id).catch((e: unknown) => {
        if (!isGrappeError(e) || e.code !== 'guestRunning') throw e; // the stop never happened
      }),
    );
    const stop = await src.stopGuest(g.id, { timeoutMs: STOP_TIMEOUT_MS });
    const copyAt = now();
    report.log(`stopped on '${from.name}' by ${stop.by} in ${copyAt - stoppedAt} ms`);
    report.progress(0.5, `copying the root file system of ${g.id} to '${to.name}'`);
    bytes = await copyRootfs(src, dst, g.id, to.name);
    const startAt = now();
    report.log(`root file system copied: ${bytes} bytes in ${startAt - copyAt} ms`);
    report.progress(0.8, `starting ${g.id} on '${to.name}'`);
    await dst.startGuest(g.id);
    revert.add(`${g.id} running on '${to.name}' (stopped)`, () => dst.stopGuest(g.id, { force: true }));
    downtimeMs = now() - stoppedAt;
    report.log(`running on '${to.name}' (start took ${now() - startAt} ms): ${downtimeMs} ms of downtime in all`);
    await commitMove(ctx, g.id, from.id, to.id, { state: 'running', accel: null });
  }).catch((err: unknown) => {
    report.log(`move of ${g.id} failed, kept on '${from.name}': ${failureText(err)}`);
    throw err;
  });
  report.progress(0.9, `removing ${g.id} from '${from.name}'`);
  await removeFromSource(req, src, []);
  report.progress(1, `${g.id} runs on '${to.name}'`);
  return outcomeOf(req, 'restart', { startedAt, endedAt: now(), downtimeMs }, bytes);
};
