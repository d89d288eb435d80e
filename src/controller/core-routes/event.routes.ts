import { z } from 'zod';
import { eventView } from '../../contract/event.contract.ts';
import { accessRuntime } from '../access/access-runtime.ts';
import { limitQuery } from '../platform/common-queries.ts';
import { defineRoute } from '../platform/routes.ts';
import { lastEventIdOf, streamEvents } from '../platform/sse.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

export const eventRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/events',
    summary:
      'Live events as server-sent events (text/event-stream: id = seq, event = type, data = JSON). Send Last-Event-ID to replay what was missed. Browsers, which cannot set headers on an EventSource, pass a one-time ?ticket= (POST /auth/ticket).',
    tags: ['events'],
    errors: [],
    ticketInQuery: true,
    query: z.object({
      ticket: z.string().optional().describe('a one-time ticket (POST /auth/ticket), for clients that cannot set headers (EventSource)'),
      lastEventId: z.number().int().min(0).optional().describe('replay events after this seq (as the Last-Event-ID header)'),
    }),
    handler: async ({ request, reply, query, actor, credentialKey }) => {
      // The stream ends at once when its session or token does, or when its caller loses Sys.Audit on /.
      const release = (await accessRuntime(ctx)).guard({
        actor,
        credentialKey,
        privilege: 'Sys.Audit',
        path: '/',
        close: () => reply.raw.end(),
      });
      reply.raw.on('close', release);
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
