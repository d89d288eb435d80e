// Times every API request by its route pattern (not its URL: /hosts/:id is one series, not one per host).
import type { FastifyInstance } from 'fastify';
import type { MetricsRecorder } from '../platform/types.ts';

export function installApiMetrics(app: FastifyInstance, metrics: Pick<MetricsRecorder, 'apiRequest'>): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (!route.startsWith('/api/')) return; // the web UI's files are not API calls
    metrics.apiRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
