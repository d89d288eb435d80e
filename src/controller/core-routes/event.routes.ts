import { z } from 'zod';
import { eventView } from '../../contract/event.contract.ts';
import { limitQuery } from '../platform/common-queries.ts';
import { defineRoute } from '../platform/routes.ts';
import { lastEventIdOf, streamEvents } from '../platform/sse.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

export const eventRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/events',
    summary:
      'Live events as server-sent events (text/event-stream: id = seq, event = type, data = JSON). Send Last-Event-ID to replay what was missed. Browsers may pass the token as ?token=.',
    tags: ['events'],
    errors: [],
    tokenInQuery: true,
    query: z.object({
      token: z.string().optional().describe('the bearer token, for clients that cannot set headers (EventSource)'),
      lastEventId: z.number().int().min(0).optional().describe('replay events after this seq (as the Last-Event-ID header)'),
    }),
    handler: async ({ request, reply, query }) => {
      await streamEvents(ctx.events, request, reply, lastEventIdOf(request, query.lastEventId));
      return { hijacked: true };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/events/recent',
    summary: 'The most recent events, newest first',
    tags: ['events'],
    errors: [],
    query: z.object({ limit: limitQuery(1000, 100) }),
    response: z.array(eventView),
    handler: async ({ query }) => ({ body: await ctx.events.recent(query.limit) }),
  }),
];
