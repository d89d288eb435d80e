// Live migration of a running or paused VM: its QEMU is started waiting on the destination's SAN
// address (empty local disks exported over NBD for the source's mirror), the source moves memory
// (and mirrors local disks) while the guest runs, and the controller polls the source until QEMU
// says completed. Then the move is committed and the source's old local disks go. A failure or a
// cancel before completion drops the waiting destination: the guest never left the source.
import type { MigrationStatus } from '../../contract/migration-agent.contract.ts';
import { errors, GrappeError } from '../../core/errors.ts';
import type { GuestClient } from '../agents/guest-client.ts';
import { agentSpecOf } from '../guests/guest-agent-spec.ts';
import type { ControllerContext } from '../platform/types.ts';
import { prepareHostFor } from '../storage/index.ts';
import { commitMove } from './move-commit.ts';
import { failureText, moveAgents, outcomeOf, removeFromSource } from './move-container-steps.ts';
import { sanAddressOf } from './move-plan.ts';
import type { Mover, MoveRequest } from './move-types.ts';
import { disksOf } from './move-disks.ts';

const POLL_MS = 100;
/** The source agent may miss a few polls (busy, restarting) before the move is given up. */
const MAX_POLL_FAILURES = 20;

/** Cancels asked through the API, by guest id: the running mover's source agent is told. */
const inFlight = new Map<string, { readonly src: GuestClient; readonly from: string; readonly uninterruptible?: string }>();

/** Asks the source to stop the live migration of `guestId`; false when none runs from this controller. */
export async function cancelLiveMove(guestId: string): Promise<MigrationStatus | undefined> {
  const m = inFlight.get(guestId);
  if (!m) return undefined;
  if (m.uninterruptible !== undefined)
    throw new GrappeError('moveUninterruptible', `cannot cancel the migration of guest '${guestId}': ${m.uninterruptible}`, { guest: guestId });
  return m.src.cancelMigration(guestId);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function progressOf(s: MigrationStatus): { fraction: number; message: string } {
  const mib = (b: number): string => `${Math.round(b / 1048576)} MiB`;
  if (s.phase === 'mirroring') {
    const total = s.mirrorTotalBytes ?? 0;
    const done = s.mirrorDoneBytes ?? 0;
    return { fraction: 0.1 + 0.3 * (total > 0 ? done / total : 0), message: `mirroring disks: ${mib(done)} of ${mib(total)}` };
  }
  const moved = s.transferredBytes;
  const left = s.remainingBytes;
  const share = moved + left > 0 ? moved / (moved + left) : 0;
  return { fraction: 0.4 + 0.5 * share, message: `memory: ${mib(moved)} transferred, ${mib(left)} remaining (${s.qemuStatus ?? s.phase})` };
}

/** Progress goes to the task log too: at most one line a second, and one per phase change. */
const REPORT_EVERY_MS = 1000;

/** Polls the source until the migration ends, reporting progress; the final status. */
async function follow(req: MoveRequest, src: GuestClient, now: () => number): Promise<MigrationStatus> {
  let failures = 0;
  let reported = { at: -Infinity, phase: '' };
  for (;;) {
    await sleep(POLL_MS);
    let s: MigrationStatus;
    try {
      s = await src.migrationStatus(req.guest.id);
      failures = 0;
    } catch (err) {
      if (++failures >= MAX_POLL_FAILURES) throw err;
      continue;
    }
    if (s.phase === 'completed' || s.phase === 'failed' || s.phase === 'cancelled') return s;
    if (s.phase === reported.phase && now() - reported.at < REPORT_EVERY_MS) continue;
    reported = { at: now(), phase: s.phase };
    const p = progressOf(s);
    req.report.progress(p.fraction, p.message);
  }
}

export const moveLive: Mover = async (ctx: ControllerContext, req: MoveRequest) => {
  const { guest: g, from, to, report } = req;
  const startedAt = ctx.clock.now();
  const { src, dst } = moveAgents(ctx, req);
  const address = sanAddressOf(to);
  if (!address)
    throw new GrappeError('noSanAddress', `live migration of '${g.id}' refused: host '${to.name}' has no SAN address to receive it on`, { host: to.name });
  const local = (await disksOf(ctx, g)).flatMap((d, index) =>
    d.type === 'local' ? [{ index, volume: d.name, sizeBytes: d.sizeBytes, format: d.format }] : [],
  );

  report.progress(0.05, `starting ${g.id} on '${to.name}', waiting for its memory on ${address}`);
  await prepareHostFor(ctx, g, to);
  // Built for the source: local disks are named, not located, and are made under the same names there.
  const spec = await agentSpecOf(ctx, g, from);
  if (spec.kind !== 'vm') throw errors.internal(`live migration of '${g.id}': not a VM`);
  const incoming = await dst.startIncoming(g.id, { spec, address, localDisks: local });
  report.log(
    `'${to.name}' waits on ${incoming.uri}${local.length > 0 ? `; local disk(s) ${local.map((d) => d.volume).join(', ')} exported for mirroring` : ''}`,
  );

  let status: MigrationStatus;
  inFlight.set(g.id, { src, from: from.name, ...(req.uninterruptible !== undefined ? { uninterruptible: req.uninterruptible } : {}) });
  try {
    await src.startMigration(g.id, {
      uri: incoming.uri,
      maxDowntimeMs: req.maxDowntimeMs,
      ...(req.bandwidthMiBps !== undefined ? { bandwidthMiBps: req.bandwidthMiBps } : {}),
      mirrors: incoming.nbd.map((n) => ({ index: n.index, uri: n.uri })),
    });
    status = await follow(req, src, () => ctx.clock.now());
  } catch (err) {
    await src.cancelMigration(g.id).catch(() => undefined);
    await dst.abortIncoming(g.id).catch(() => undefined);
    throw errors.agentFailed(
      from.name,
      `live migration of '${g.id}' to '${to.name}' could not be followed: ${failureText(err)}; it was cancelled and the guest stays on '${from.name}'`,
    );
  } finally {
    inFlight.delete(g.id);
  }

  if (status.phase !== 'completed') {
    await dst.abortIncoming(g.id).catch((err: unknown) => report.log(`could not remove the waiting copy of ${g.id} from '${to.name}': ${failureText(err)}`));
    if (status.phase === 'cancelled') {
      throw new GrappeError('migrationCancelled', `live migration of '${g.id}' to '${to.name}' was cancelled; the guest still runs on '${from.name}'`, {
        guest: g.id,
      });
    }
    throw new GrappeError(
      'migrationFailed',
      `live migration of '${g.id}' to '${to.name}' failed: QEMU says: ${status.error ?? 'no reason given'}; the guest still runs on '${from.name}'`,
      { guest: g.id, host: from.name },
    );
  }

  report.progress(0.95, `${g.id} runs on '${to.name}': recording the move`);
  const now = await dst.finishIncoming(g.id).catch((err: unknown) => {
    report.log(`the NBD exports of ${g.id} on '${to.name}' could not be closed: ${failureText(err)}`);
    return undefined;
  });
  const state = now?.state === 'paused' ? 'paused' : 'running';
  await commitMove(ctx, g.id, from.id, to.id, {
    state,
    accel: now?.accel ?? g.accel,
    ...(local.length > 0 ? { localVolumes: local.map((d) => d.volume) } : {}),
  });
  await removeFromSource(
    req,
    src,
    local.map((d) => d.volume),
  );
  const downtimeMs = status.downtimeMs ?? 0;
  report.log(`live migration done: downtime ${downtimeMs} ms, QEMU total ${status.totalMs ?? 0} ms, ${status.transferredBytes} bytes transferred`);
  return outcomeOf(req, 'live', { startedAt, endedAt: ctx.clock.now(), downtimeMs }, status.transferredBytes);
};
