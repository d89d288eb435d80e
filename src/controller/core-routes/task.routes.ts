import { z } from 'zod';
import { errors } from '../../core/errors.ts';
import { taskView } from '../../contract/task.contract.ts';
import { limitQuery } from '../platform/common-queries.ts';
import { accessRuntime } from '../access/access-runtime.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

export const taskRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/tasks',
    summary: 'Tasks, newest first',
    tags: ['tasks'],
    errors: [],
    query: z.object({ limit: limitQuery(1000, 50) }),
    response: z.array(taskView),
    handler: async ({ query }) => ({ body: await ctx.tasks.list({ limit: query.limit }) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/tasks/:id',
    summary: 'One task: state, progress, log, result or error',
    tags: ['tasks'],
    errors: ['noSuchTask'],
    params: z.object({ id: z.string() }),
    response: taskView,
    handler: async ({ params, actor }) => {
      const task = await ctx.tasks.get(params.id);
      // Someone else's task is not found for a caller who may not read every task.
      const visible = task && (task.user === actor.username || (await accessRuntime(ctx)).check(actor, 'Sys.Audit', '/').allowed);
      if (!task || !visible) throw errors.noSuchTask(params.id);
      return { body: task };
    },
  }),
];
