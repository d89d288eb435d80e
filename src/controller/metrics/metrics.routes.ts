// GET /metrics (Prometheus text format), POST /metrics/token (a scrape-only token for Prometheus's
// `authorization` setting), GET /history (per-minute samples for graphs and `grappe host|guest stats`).
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { HISTORY_UNITS, parseSpan, historyQuery, historyView, metricsTokenRequest, metricsTokenView } from '../../contract/stats.contract.ts';
import { errors } from '../../core/errors.ts';
import { issueToken } from '../auth/tokens.ts';
import { GuestRepo } from '../guests/guest-repo.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { defineRoute } from '../platform/routes.ts';
import type { ControllerContext, RouteSpec } from '../platform/types.ts';
import { metricsRuntime } from './metrics-runtime.ts';
import { guestSubject, hostSubject } from './usage-collector.ts';

const HOUR_MS = 3600_000;
const gzipAsync = promisify(gzip);
const MAX_SPAN_MS = 8 * 24 * HOUR_MS;

export const metricsRoutes = (ctx: ControllerContext): RouteSpec[] => [
  defineRoute({
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics (text exposition format); a session or a metrics token (POST /metrics/token)',
    tags: ['metrics'],
    acceptsScope: 'metrics',
    errors: [],
    handler: async ({ request, reply }) => {
      const rt = metricsRuntime(ctx);
      await rt.gauges.refresh(ctx, rt.usage);
      const text = await ctx.metrics.registry.metrics();
      reply.header('content-type', ctx.metrics.registry.contentType);
      // Prometheus asks for gzip: 1,000 guests make ~600 KB of text, ~40 KB gzipped (level 1: fast).
      if (!/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return { body: text };
      reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding');
      return { body: await gzipAsync(text, { level: 1 }) };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/metrics/token',
    summary: 'Make a token that may only read /metrics (shown once): for Prometheus',
    tags: ['metrics'],
    audit: 'metrics.token',
    errors: [],
    body: metricsTokenRequest,
    response: metricsTokenView,
    handler: async ({ body, actor }) => {
      const { token, expiresAt } = await issueToken(ctx.store, ctx.clock, actor.username, body.ttlDays * 24 * HOUR_MS, 'metrics');
      return { status: 201, body: { token, expiresAt, scope: 'metrics' } };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/history',
    summary: 'Per-minute history of one figure of a host or guest (kept a week)',
    tags: ['metrics'],
    errors: ['noSuchHost', 'noSuchGuest'],
    query: historyQuery,
    response: historyView,
    handler: async ({ query }) => {
      const to = query.to ? Date.parse(query.to) : ctx.clock.now();
      const from = query.from ? Date.parse(query.from) : to - (query.span ? parseSpan(query.span)! : HOUR_MS);
      if (from > to) throw errors.invalidInput(`'from' (${query.from}) is after 'to' (${query.to ?? 'now'})`, { field: 'from' });
      if (to - from > MAX_SPAN_MS) throw errors.invalidInput('the span from..to is longer than the 7 days the history keeps', { field: 'from' });
      const subject = await canonicalSubject(ctx, query.subject);
      const points = metricsRuntime(ctx).history.read(subject, query.metric, from, to);
      return {
        body: {
          subject,
          metric: query.metric,
          unit: HISTORY_UNITS[query.metric],
          stepSeconds: 60,
          points: points.map((p) => ({ at: new Date(p.atMs).toISOString(), value: p.value })),
        },
      };
    },
  }),
];

/** 'host:<name or id>' → 'host:<name>'; 'guest:<id or name>' → 'guest:<id>'; unknown ones are a 404. */
async function canonicalSubject(ctx: ControllerContext, subject: string): Promise<string> {
  const [kind, ...rest] = subject.split(':');
  const ref = rest.join(':');
  if (kind === 'host') {
    const host = (await hostsRuntime(ctx)).cache.find(ref);
    if (!host) throw errors.noSuchHost(ref);
    return hostSubject(host.name);
  }
  return guestSubject((await new GuestRepo(ctx.store).find(ref)).record.id);
}
