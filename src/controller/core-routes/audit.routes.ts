import { z } from 'zod';
import { auditEntry } from '../../contract/audit.contract.ts';
import { limitQuery } from '../platform/common-queries.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

export const auditRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/audit',
    summary: 'Audit log (who did what, when, with which result), newest first',
    tags: ['audit'],
    errors: [],
    query: z.object({ limit: limitQuery(1000, 100), sinceSeq: z.number().int().min(0).optional() }),
    response: z.array(auditEntry),
    handler: async ({ query }) => ({
      body: await ctx.audit.list({ limit: query.limit, ...(query.sinceSeq === undefined ? {} : { sinceSeq: query.sinceSeq }) }),
    }),
  }),
];
