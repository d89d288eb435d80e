import { z } from 'zod';
import { auditEntry, auditQuery } from '../../contract/audit.contract.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

/** How far back a filtered query looks (the newest entries). */
const FILTER_WINDOW = 10_000;

export const auditRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/audit',
    summary: 'Audit log (who, with which token, from where, did what, when, with which result), newest first; ?user=&object=&since=',
    tags: ['audit'],
    errors: [],
    query: auditQuery,
    response: z.array(auditEntry),
    handler: async ({ query }) => {
      const filtered = query.user !== undefined || query.object !== undefined || query.since !== undefined;
      const entries = await ctx.audit.list({
        limit: filtered ? FILTER_WINDOW : query.limit,
        ...(query.sinceSeq === undefined ? {} : { sinceSeq: query.sinceSeq }),
      });
      const since = query.since ? Date.parse(query.since) : undefined;
      const picked = entries.filter(
        (e) =>
          (query.user === undefined || e.user === query.user) &&
          (query.object === undefined || e.target.includes(query.object)) &&
          (since === undefined || Date.parse(e.at) >= since),
      );
      return { body: picked.slice(0, query.limit) };
    },
  }),
];
