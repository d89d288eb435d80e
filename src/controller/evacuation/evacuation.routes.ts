// POST /hosts/:id/evacuate, POST /hosts/:id/undo-evacuate (each with ?dryRun=true: the plan, no
// change) and GET /evacuations. Every refusal is answered before a task starts: a second evacuation
// while one runs, a host not in MAINT, an unknown or unusable target, nothing to undo.
import { GUEST_ON_HOST, PLACEMENT } from '../platform/route-errors.ts';
import { z } from 'zod';
import { dryRunQuery, evacuateRequest, evacuationList, evacuationPlanView, undoEvacuateRequest, undoPlanView } from '../../contract/evacuation.contract.ts';
import { runFromEvacuation, runFromUndo } from '../../core/evacuation/evacuation-run.ts';
import { assertUndoable } from '../../core/evacuation/plan-undo.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import { hostRef } from '../hosts/host.routes.ts';
import { findHost } from '../hosts/host-lookup.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { isoAt } from '../platform/clock.ts';
import { defineRoute } from '../platform/routes.ts';
import type { Actor, ControllerContext, RouteSpec } from '../platform/types.ts';
import { planEvacuationOf, planUndoOf } from './evacuation-input.ts';
import { EvacuationStore, type EvacuationDoc } from './evacuation-store.ts';
import { startRunTask } from './evacuation-task.ts';
import { setEvacuationState } from './host-evacuation-state.ts';

const TAGS = ['evacuation'];
const dryRunDoc = 'with ?dryRun=true: the plan, and nothing changes';

function assertMaint(host: HostRecord): void {
  if (host.state !== 'MAINT') {
    throw errors.incorrectState(
      `host '${host.name}'`,
      host.state,
      'evacuate',
      'the host to be in MAINT (put it in maintenance first: grappe host maintenance ' + host.name + ')',
    );
  }
}

async function evacuate(ctx: ControllerContext, actor: Actor, ref: string, body: z.output<typeof evacuateRequest>, dryRun: boolean) {
  const rt = await hostsRuntime(ctx);
  const host = findHost(rt, ref);
  const to = body.to === undefined ? undefined : findHost(rt, body.to).id;
  const store = new EvacuationStore(ctx.store);
  if (!dryRun) await store.assertNoneActive(`evacuate host '${host.name}'`);
  assertMaint(host);
  const { plan, powers } = await planEvacuationOf(ctx, host, { maxParallel: body.maxParallel, ...(to === undefined ? {} : { to }) });
  if (dryRun) return { body: plan };
  const doc = await store.create(
    (id): EvacuationDoc => ({
      id,
      createdAt: isoAt(ctx.clock),
      user: actor.username,
      record: {
        id,
        origin: plan.source,
        entries: [
          ...plan.moves.map((m) => ({ guest: m.guest, originalPower: m.power, to: null })),
          ...plan.unmovable.map((u) => ({ guest: u.guest, originalPower: powers.get(u.guest) ?? 'stopped', to: null })),
        ],
        undone: false,
      },
      evacuate: runFromEvacuation(id, plan),
      undo: null,
      tasks: [],
    }),
    `evacuate host '${host.name}'`,
  );
  try {
    // The host may have been enabled since it was checked: setting EVACUATING re-checks it in its transaction.
    await setEvacuationState(ctx, host.id, 'EVACUATING', `evacuation '${doc.id}' started`);
    return { taskId: await startRunTask(ctx, actor, doc, 'evacuate'), auditTarget: `host:${host.id}` };
  } catch (err) {
    await discard(ctx, store, doc, host);
    throw err;
  }
}

/** Undoes a failed start: the evacuation and its active marker are removed, the host set back to MAINT. */
async function discard(ctx: ControllerContext, store: EvacuationStore, doc: EvacuationDoc, host: HostRecord): Promise<void> {
  await store.remove(doc.id).catch(() => undefined);
  if ((await hostsRuntime(ctx)).cache.get(host.id)?.state === 'EVACUATING')
    await setEvacuationState(ctx, host.id, 'MAINT', 'evacuation did not start').catch(() => undefined);
}

async function undo(ctx: ControllerContext, actor: Actor, ref: string, maxParallel: number, dryRun: boolean) {
  const host = findHost(await hostsRuntime(ctx), ref);
  const store = new EvacuationStore(ctx.store);
  if (!dryRun) await store.assertNoneActive(`undo the evacuation of host '${host.name}'`);
  const doc = await store.latestOf(host.id);
  if (!doc) throw new GrappeError('nothingToUndo', `nothing to undo: host '${host.name}' has never been evacuated`, { host: host.name });
  const plan = await planUndoOf(ctx, doc);
  if (dryRun) return { body: plan };
  assertUndoable(plan);
  // Marked undone in the same write that makes the undo the active run: it can run once, and is not interrupted.
  const started = await store.mutate(doc.id, (d) => ({ ...d, record: { ...d.record, undone: true }, undo: runFromUndo(d.id, plan, maxParallel) }), {
    activate: 'undo',
    wanted: `undo the evacuation of host '${host.name}'`,
  });
  return { taskId: await startRunTask(ctx, actor, started, 'undo'), auditTarget: `host:${host.id}` };
}

export function evacuationRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/hosts/:id/evacuate',
      summary: `Evacuate a host in MAINT: move its guests to the host 'to', or spread them over the processing hosts, at most maxParallel at once; every guest keeps its power state (${dryRunDoc})`,
      tags: TAGS,
      errors: [
        'noSuchHost',
        'incorrectState',
        'sameHost',
        'notProcessingHost',
        'targetNotUp',
        'evacuationInProgress',
        'evacuationIncomplete',
        'tooManyMigrations',
        'moveBlocked',
        ...PLACEMENT,
        ...GUEST_ON_HOST,
      ],
      params: hostRef,
      query: dryRunQuery,
      body: evacuateRequest,
      response: evacuationPlanView,
      audit: 'host.evacuate',
      handler: ({ params, query, body, actor }) => evacuate(ctx, actor, params.id, body, query.dryRun),
    }),
    defineRoute({
      method: 'POST',
      url: '/hosts/:id/undo-evacuate',
      summary: `Undo the host's last evacuation: move the guests that can go back, in their original power state; the others are listed Unavailable with why. Cannot be interrupted (${dryRunDoc})`,
      tags: TAGS,
      errors: [
        'noSuchHost',
        'nothingToUndo',
        'alreadyUndone',
        'evacuationInProgress',
        'evacuationIncomplete',
        'tooManyMigrations',
        'moveBlocked',
        ...PLACEMENT,
        ...GUEST_ON_HOST,
      ],
      params: hostRef,
      query: dryRunQuery,
      body: undoEvacuateRequest,
      response: undoPlanView,
      audit: 'host.undo-evacuate',
      handler: ({ params, query, body, actor }) => undo(ctx, actor, params.id, body.maxParallel, query.dryRun),
    }),
    defineRoute({
      method: 'GET',
      url: '/evacuations',
      summary: 'List the evacuations, newest first: what each recorded for undo, and its runs',
      tags: TAGS,
      errors: [],
      response: evacuationList,
      handler: async () => ({ body: await new EvacuationStore(ctx.store).list() }),
    }),
  ];
}
