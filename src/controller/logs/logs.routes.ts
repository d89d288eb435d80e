// GET /logs: this controller's newest log lines; GET /hosts/:id/logs: a host agent's, relayed. Both
// are JSON lines with a sequence number, so `grappe logs --follow` asks for what came after.
import { z } from 'zod';
import { logQuery, logView } from '../../contract/logs.contract.ts';
import { errors } from '../../core/errors.ts';
import { agentFor } from '../hosts/agent-link.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { CONNECTOR_CALL } from '../platform/route-errors.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';

const AGENT_TIMEOUT_MS = 5_000;

export const logsRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/logs',
    summary: "This controller's newest log lines (JSON), after a sequence number or since a time",
    tags: ['logs'],
    errors: [],
    query: logQuery,
    response: logView,
    handler: async ({ query }) => {
      const { lines, lastSeq } = ctx.logRing.read({
        limit: query.limit,
        ...(query.after === undefined ? {} : { afterSeq: query.after }),
        ...(query.sinceMs === undefined ? {} : { sinceMs: query.sinceMs }),
      });
      return { body: { lines: lines.map((l) => ({ seq: l.seq, entry: JSON.parse(l.line) as Record<string, unknown> })), lastSeq } };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/hosts/:id/logs',
    summary: "A host agent's newest log lines (JSON), relayed",
    tags: ['logs', 'hosts'],
    errors: ['noSuchHost', ...CONNECTOR_CALL],
    params: z.object({ id: z.string() }),
    query: logQuery,
    response: logView,
    handler: async ({ params, query }) => {
      const host = (await hostsRuntime(ctx)).cache.find(params.id);
      if (!host) throw errors.noSuchHost(params.id);
      return { body: await agentFor(ctx, host, AGENT_TIMEOUT_MS).logs(query) };
    },
  }),
];
