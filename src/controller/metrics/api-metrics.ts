// Times every API request by its route pattern (not its URL: /hosts/:id is one series, not one per host),
// and logs the slow ones at warn level with their request id: found in the log without debug logging on.
import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../platform/routes.ts';
import type { MetricsRecorder } from '../platform/types.ts';

/** An API answer slower than this is logged: far past any route's normal time, even at 25,000 guests. */
export const SLOW_REQUEST_MS = 5_000;

export function installApiMetrics(app: FastifyInstance, metrics: Pick<MetricsRecorder, 'apiRequest'>, slowMs = SLOW_REQUEST_MS): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (!route.startsWith('/api/')) return; // the web UI's files are not API calls
    metrics.apiRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (reply.elapsedTime > slowMs && !isStream(route)) {
      request.log.warn({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'slow API request');
    }
  });
}

/** The event stream is long-lived by design: its time is not slowness. */
const isStream = (route: string): boolean => route === `${API_PREFIX}/events`;
