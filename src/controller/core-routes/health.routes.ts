import { z } from 'zod';
import { defineRoute } from '../platform/routes.ts';
import { grappeVersion } from '../platform/repo-paths.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

export const healthResponse = z.object({ status: z.literal('ok'), version: z.string(), clusterId: z.string(), clusterName: z.string() });

export const healthRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/health',
    summary: 'Liveness, version and cluster identity (no login needed)',
    tags: ['system'],
    errors: [],
    auth: false,
    response: healthResponse,
    handler: async () => ({ body: { status: 'ok', version: grappeVersion(), clusterId: ctx.cluster.id, clusterName: ctx.cluster.name } }),
  }),
];
