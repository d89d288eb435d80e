// Power actions, CD changes and deletion: each checked against the guest's state and its host's
// (core/guests/guest-rules.ts) before its task starts, one action per guest at a time.
import { errors, isGrappeError } from '../../core/errors.ts';
import { checkGuestAction, type GuestAction } from '../../core/guests/guest-rules.ts';
import type { GuestClient } from '../agents/guest-client.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { haPlanKey } from '../ha/ha-plan-store.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { Actor, ControllerContext, TaskContext } from '../platform/types.ts';
import { guestAgentFor } from '../storage/guest-agent-for.ts';
import { agentSpecOf, cdromPath } from './guest-agent-spec.ts';
import { guestErrors } from './guest-errors.ts';
import { emitGuestEvent } from './guest-events.ts';
import { toGuestView } from './guest-live.ts';
import type { GuestRecord } from './guest-record.ts';
import type { GuestEntry } from './guest-repo.ts';
import { recordState } from './guest-state.ts';
import { detachAll } from './guest-storage-links.ts';
import { guestsRuntime } from './guests-runtime.ts';

interface ActionInput {
  readonly entry: GuestEntry;
  readonly host: HostRecord;
  readonly agent: GuestClient;
  readonly task: TaskContext;
}

/** Looks the guest up, checks `action` is possible, and runs `work` as a task on it. */
export async function startGuestAction(
  ctx: ControllerContext,
  actor: Actor,
  ref: string,
  action: GuestAction,
  work: (input: ActionInput) => Promise<unknown>,
): Promise<{ taskId: string; id: string }> {
  const rt = guestsRuntime(ctx);
  const entry = await rt.repo.find(ref);
  const g = entry.record;
  const host = (await hostsRuntime(ctx)).cache.get(g.hostId);
  if (!host) throw errors.noSuchHost(g.hostId);
  checkGuestAction({ id: g.id, kind: g.kind, state: g.state, hostName: host.name, hostState: host.state }, action);
  const release = rt.claim(g.id);
  try {
    const taskId = await ctx.tasks.start({ kind: `guest.${action}`, target: g.id, actor }, async (task) => {
      try {
        return await work({ entry, host, agent: guestAgentFor(ctx, host), task });
      } finally {
        release();
      }
    });
    return { taskId, id: g.id };
  } catch (err) {
    release();
    throw err;
  }
}

async function refreshed(ctx: ControllerContext, g: GuestRecord, agent: GuestClient, why: string): Promise<GuestRecord> {
  const status = (await agent.listGuests()).find((s) => s.id === g.id);
  return recordState(ctx, g, status, why);
}

export const startWork =
  (ctx: ControllerContext) =>
  async ({ entry, host, agent, task }: ActionInput): Promise<unknown> => {
    const g = entry.record;
    void task.progress(0.3, `starting ${g.id} on host '${host.name}'`); // written while QEMU/LXC starts
    const status = await agent.startGuest(g.id);
    return toGuestView(await recordState(ctx, g, status, 'started'), host);
  };

export const stopWork =
  (ctx: ControllerContext, opts: { force: boolean; timeoutMs: number }) =>
  async ({ entry, host, agent, task }: ActionInput): Promise<unknown> => {
    const g = entry.record;
    await task.progress(0.3, opts.force ? `pulling the plug of ${g.id}` : `shutting ${g.id} down (hard stop after ${opts.timeoutMs} ms)`);
    const r = await agent.stopGuest(g.id, { force: opts.force, timeoutMs: opts.timeoutMs });
    await task.log(`stopped by ${r.by}`);
    const next = await refreshed(ctx, g, agent, opts.force ? 'force-stopped' : `stopped by ${r.by}`);
    return toGuestView(next, host);
  };

export const rebootWork =
  (ctx: ControllerContext) =>
  async ({ entry, host, agent, task }: ActionInput): Promise<unknown> => {
    await task.progress(0.3, `rebooting ${entry.record.id}`);
    const status = await agent.rebootGuest(entry.record.id);
    return toGuestView(await recordState(ctx, entry.record, status, 'rebooted'), host);
  };

export const cdWork =
  (ctx: ControllerContext, image: string | null) =>
  async ({ entry, host, agent, task }: ActionInput): Promise<unknown> => {
    const g = entry.record;
    await task.progress(0.3, image === null ? `ejecting the CD of ${g.id}` : `inserting image '${image}' in ${g.id}`);
    if (g.state === 'stopped') {
      // Stopped: the new CD is part of the definition the next start uses.
      await agent.defineGuest(g.id, await agentSpecOf(ctx, { ...g, cdrom: image }, host));
    } else {
      await agent.changeCdrom(g.id, await cdromPath(ctx, image));
    }
    const next = await guestsRuntime(ctx).repo.update(g.number, (r) => ({ ...r, cdrom: image }));
    return toGuestView(next, host);
  };

/** Removes the guest from its host, then its record, index keys, HA plan and volume attachments at once. */
export const deleteWork =
  (ctx: ControllerContext) =>
  async ({ entry, host, agent, task }: ActionInput): Promise<unknown> => {
    const g = entry.record;
    await task.progress(0.3, `removing ${g.id} from host '${host.name}'`);
    await agent.deleteGuest(g.id).catch((err: unknown) => {
      if (isGrappeError(err) && err.kind === 'notFound') return; // never made it to the host: nothing to remove there
      throw err;
    });
    const repo = guestsRuntime(ctx).repo;
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await repo.find(g.id).catch(() => undefined);
      if (!current) break;
      const detach = await detachAll(ctx, g.disks, g.id);
      // Its HA plan goes with it (a plan names the guest's creation, so a later guest of the same
      // id would not take it up; the record would only be left behind).
      if (await repo.remove(current, { ...detach, ops: [...detach.ops, { delete: haPlanKey(g.id) }] })) {
        await emitGuestEvent(
          ctx,
          'guest.deleted',
          g,
          `guest '${g.id}' (${g.name}) deleted; volumes ${g.disks.length > 0 ? g.disks.join(', ') : '(none)'} freed`,
        );
        await task.progress(1, `${g.id} deleted`);
        return { deleted: g.id, freedVolumes: [...g.disks] };
      }
    }
    throw guestErrors.busy(g.id);
  };
