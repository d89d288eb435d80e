// POST /guests/:id/migrate (task guest.migrate; ?dryRun=true answers the plan and changes nothing)
// and POST /guests/:id/migrate/cancel (stops a live migration; the guest stays on its source).
import { CONNECTOR_CALL, GUEST_ON_HOST, PLACEMENT, VOLUME_ON_HOST } from '../platform/route-errors.ts';
import { z } from 'zod';
import { guestMigrateBody, guestMigratePlan, guestMigrateQuery, guestRef } from '../../contract/guest.contract.ts';
import { migrationStatus } from '../../contract/migration-agent.contract.ts';
import { GrappeError } from '../../core/errors.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { findHost } from '../hosts/host-lookup.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { prepareMove } from './move-guest.ts';
import { cancelLiveMove } from './move-live.ts';
import { planMove, type MovePlan } from './move-plan.ts';

const TAGS = ['guests'];

const planView = (p: MovePlan): z.infer<typeof guestMigratePlan> => {
  const { disks: _disks, ...rest } = p;
  return { ...rest, blockers: [...p.blockers] } as z.infer<typeof guestMigratePlan>;
};

export function migrateRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/guests/:id/migrate',
      summary:
        'Move a guest to another host keeping its power state: live (running VM), restart (running container) or cold (task guest.migrate; ?dryRun=true: the plan only)',
      tags: TAGS,
      errors: [
        'moveBlocked',
        'moveConflict',
        'guestNotStopped',
        'noSanAddress',
        'migrationFailed',
        'migrationCancelled',
        'migrationRunning',
        'noSuchHost',
        ...PLACEMENT,
        ...GUEST_ON_HOST,
        ...VOLUME_ON_HOST,
      ],
      params: guestRef,
      query: guestMigrateQuery,
      body: guestMigrateBody,
      response: guestMigratePlan,
      audit: 'guest.migrate',
      handler: async ({ params, query, body, actor }) => {
        if (query.dryRun) {
          const g = (await guestsRuntime(ctx).repo.find(params.id)).record;
          if (body.host !== undefined) findHost(await hostsRuntime(ctx), body.host);
          return { body: planView(await planMove(ctx, g, body.host)), auditTarget: g.id };
        }
        const prepared = await prepareMove(ctx, params.id, body.host);
        const { plan } = prepared;
        try {
          const taskId = await ctx.tasks.start({ kind: 'guest.migrate', target: plan.guest, actor }, async (task) => {
            await task.log(`${plan.kind} move of ${plan.guest} from '${plan.from.name}' to '${plan.to!.name}': ${plan.why}`);
            return prepared.run({
              maxDowntimeMs: body.maxDowntimeMs,
              ...(body.bandwidthMiBps !== undefined ? { bandwidthMiBps: body.bandwidthMiBps } : {}),
              report: { progress: (f, m) => void task.progress(f, m).catch(() => undefined), log: (l) => void task.log(l).catch(() => undefined) },
            });
          });
          return { taskId, auditTarget: plan.guest };
        } catch (err) {
          prepared.release();
          throw err;
        }
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/guests/:id/migrate/cancel',
      summary: 'Cancel the live migration of a guest; it keeps running on its source host',
      tags: TAGS,
      errors: ['noSuchGuest', 'noMigration', 'moveUninterruptible', 'migrationEnded', ...CONNECTOR_CALL],
      params: guestRef,
      body: z.object({}).strict().optional(),
      response: migrationStatus,
      audit: 'guest.migrate-cancel',
      handler: async ({ params }) => {
        const g = (await guestsRuntime(ctx).repo.find(params.id)).record;
        const status = await cancelLiveMove(g.id);
        if (!status) throw new GrappeError('noMigration', `cannot cancel: no live migration of guest '${g.id}' is running`, { guest: g.id });
        return { body: status, auditTarget: g.id };
      },
    }),
  ];
}
