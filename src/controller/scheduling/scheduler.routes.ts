// /api/v1/scheduler: the pool's placement policy and over-commit ratios (read by every placement).
import { schedulerSettings, schedulerSettingsUpdate } from '../../contract/scheduler.contract.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { readSchedulerSettings, updateSchedulerSettings } from './scheduler-settings.ts';

const TAGS = ['scheduler'];

export function schedulerRoutes(ctx: ControllerContext): RouteSpec[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/scheduler',
      summary: 'The placement policy (spread or pack) and the CPU and memory over-commit ratios',
      tags: TAGS,
      errors: [],
      response: schedulerSettings,
      handler: async () => ({ body: await readSchedulerSettings(ctx.store) }),
    }),
    defineRoute({
      method: 'PUT',
      url: '/scheduler',
      summary: 'Change any of policy, cpuRatio, memoryRatio (ratios above 0, at most 64); the rest is kept',
      tags: TAGS,
      errors: [],
      body: schedulerSettingsUpdate,
      response: schedulerSettings,
      audit: 'scheduler.update',
      handler: async ({ body }) => ({ body: await updateSchedulerSettings(ctx.store, body), auditTarget: 'scheduler' }),
    }),
  ];
}
